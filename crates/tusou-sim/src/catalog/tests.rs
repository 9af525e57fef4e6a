//! Unit tests of the catalog: generation, search, and ranking quality.

use std::collections::HashSet;

use super::*;
use crate::artwork::Shape;

fn q(d: &Descriptor) -> SearchQuery<'_> {
    SearchQuery {
        descriptor: d,
        begin_page: 1,
        page_size: 50,
        price_start: None,
        price_end: None,
        filters: vec![],
        sort: None,
        category_id: None,
        prefer: None,
        words: vec![],
    }
}

#[test]
fn generation_is_deterministic_and_ids_are_well_formed() {
    let a = generate(7, 300);
    let b = generate(7, 300);
    let c = generate(8, 300);
    assert_eq!(a.len(), 300);
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.offer_id, y.offer_id);
        assert_eq!(x.subject, y.subject);
        assert_eq!(x.price_fen, y.price_fen);
    }
    assert_ne!(a[0].offer_id, c[0].offer_id);
    for o in &a {
        assert_eq!(o.offer_id.to_string().len(), 12);
        assert_eq!(o.offer_map_id.len(), 22);
        assert!(o.repurchase_rate <= 60);
        assert!(o.price_fen > 0);
    }
}

#[test]
fn distributions_are_plausible() {
    let offers = generate(42, 2400);
    let hostile = offers
        .iter()
        .filter(|o| o.subject.contains('\u{1b}') || o.subject.contains('\u{7}'))
        .count();
    assert!((1..=30).contains(&hostile), "hostile titles: {hostile}");
    let under_1000 = offers.iter().filter(|o| o.month_sold < 1000).count();
    assert!(under_1000 > offers.len() * 8 / 10);
    assert!(offers.iter().any(|o| o.month_sold > 50_000));
    let socks = offers.iter().filter(|o| o.art.shape == Shape::Sock);
    assert!(socks.into_iter().all(|o| (10..=500).contains(&o.price_fen)));
}

#[test]
fn price_filter_sort_and_paging() {
    let cat = Catalog::build(3, 400);
    let d = cat.descriptors[0].clone();
    let mut query = q(&d);
    query.price_start = Some(Price(1000));
    query.price_end = Some(Price(3000));
    query.sort = Some(Sort {
        field: SortField::Price,
        order: SortOrder::Asc,
    });
    query.page_size = 7;
    let (total, first) = cat.search(&query);
    assert!(total > 7);
    let mut all = Vec::new();
    let pages = total.div_ceil(7);
    for page in 1..=pages {
        query.begin_page = page;
        let (t, rows) = cat.search(&query);
        assert_eq!(t, total);
        all.extend(rows.into_iter().map(|o| (o.price_fen, o.offer_id)));
    }
    assert_eq!(all.len() as u64, total);
    assert!(all.iter().all(|(p, _)| (1000..=3000).contains(p)));
    assert!(all.windows(2).all(|w| w[0].0 <= w[1].0));
    let ids: HashSet<u64> = all.iter().map(|x| x.1).collect();
    assert_eq!(ids.len(), all.len(), "no offer repeats across pages");
    assert_eq!(first[0].price_fen, all[0].0);
    query.begin_page = pages + 1;
    assert!(cat.search(&query).1.is_empty());
    query.begin_page = u64::MAX;
    query.page_size = 50;
    assert!(cat.search(&query).1.is_empty());
}

#[test]
fn total_is_capped() {
    let cat = Catalog::build(1, 2100);
    let d = cat.descriptors[5].clone();
    assert_eq!(cat.search(&q(&d)).0, MAX_RESULTS as u64);
}

fn ids(rows: &[&CatalogOffer]) -> Vec<u64> {
    rows.iter().map(|o| o.offer_id).collect()
}

/// Every page of every query answers the same from the cache as ranked
/// afresh: the first page (which fills the cache), later pages (which read
/// it) and pages past the end.
#[test]
fn cached_pages_equal_freshly_ranked_pages() {
    let cat = Catalog::build(5, 1500);
    let d = cat.descriptors[17].clone();
    let by_price = |order| Sort {
        field: SortField::Price,
        order,
    };
    let mut queries = Vec::new();
    queries.push((q(&d), MAX_RESULTS));
    queries.push((q(&d), 300));
    let mut sorted = q(&d);
    sorted.sort = Some(by_price(SortOrder::Asc));
    queries.push((sorted, 400));
    let mut sorted = q(&d);
    sorted.sort = Some(Sort {
        field: SortField::MonthSold,
        order: SortOrder::Desc,
    });
    sorted.price_start = Some(Price(500));
    sorted.price_end = Some(Price(5000));
    queries.push((sorted, MAX_RESULTS));
    let mut filtered = q(&d);
    filtered.filters = vec![FilterFlag::ShipIn48Hours, FilterFlag::IsOnePsale];
    queries.push((filtered, MAX_RESULTS));
    let mut category = q(&d);
    category.category_id = Some(cat.offers[17].category_id);
    queries.push((category, MAX_RESULTS));
    // By address: that listing first among those showing its picture.
    let copied = cat
        .offers
        .iter()
        .find(|o| o.is_relisting() && cat.get(o.group).is_some_and(|f| o.is_copy_of(f)))
        .expect("a copied picture");
    let dc = cat
        .descriptor(copied.offer_id)
        .cloned()
        .expect("descriptor");
    let mut by_address = q(&dc);
    by_address.prefer = Some(copied.offer_id);
    queries.push((by_address, MAX_RESULTS));

    let cache = RankCache::new();
    for (query, max) in &mut queries {
        for page_size in [50, 7] {
            query.page_size = page_size;
            let pages = cat.search_capped(query, *max).0.div_ceil(page_size);
            assert!(pages >= 2, "{pages}");
            for page in [1, 2, pages / 2, pages, pages + 1, u64::MAX] {
                query.begin_page = page;
                let (total, fresh) = cat.search_capped(query, *max);
                for _ in 0..2 {
                    let (t, cached) = cat.search_cached(query, *max, &cache);
                    assert_eq!(t, total);
                    assert_eq!(ids(&cached), ids(&fresh), "page {page} of {page_size}");
                }
            }
        }
    }
    assert_eq!(cache.len(), RANK_CACHE_ENTRIES);
}

/// Queries that differ in anything but the page have entries of their
/// own; the cache holds a few and forgets the one asked longest ago.
#[test]
fn differing_queries_do_not_share_a_cache_entry() {
    let cat = Catalog::build(5, 1500);
    let d = cat.descriptors[3].clone();
    let other = cat.descriptors[900].clone();
    let cache = RankCache::new();
    let plain = q(&d);
    let first = ids(&cat.search_cached(&plain, MAX_RESULTS, &cache).1);
    assert_eq!(cache.len(), 1);
    // Another page, another page size: the same entry.
    let mut later = q(&d);
    later.begin_page = 3;
    later.page_size = 20;
    cat.search_cached(&later, MAX_RESULTS, &cache);
    assert_eq!(cache.len(), 1);

    let mut asc = q(&d);
    asc.sort = Some(Sort {
        field: SortField::Price,
        order: SortOrder::Asc,
    });
    let mut desc = q(&d);
    desc.sort = Some(Sort {
        field: SortField::Price,
        order: SortOrder::Desc,
    });
    let mut flagged = q(&d);
    flagged.filters = vec![FilterFlag::CertifiedFactory];
    let mut cheap = q(&d);
    cheap.price_end = Some(Price(800));
    let mut preferred = q(&d);
    preferred.prefer = Some(cat.offers[3].offer_id);
    let variants: Vec<(&SearchQuery<'_>, usize)> = vec![
        (&asc, MAX_RESULTS),
        (&desc, MAX_RESULTS),
        (&flagged, MAX_RESULTS),
        (&cheap, MAX_RESULTS),
        (&plain, 100),
        (&preferred, MAX_RESULTS),
    ];
    for (variant, max) in variants {
        // Asked right after the plain query, so a shared entry would show.
        let (plain_total, plain_rows) = cat.search_cached(&plain, MAX_RESULTS, &cache);
        assert_eq!(ids(&plain_rows), first);
        let (total, fresh) = cat.search_capped(variant, max);
        let (t, cached) = cat.search_cached(variant, max, &cache);
        assert_eq!((t, ids(&cached)), (total, ids(&fresh)));
        if variant.prefer.is_none() {
            assert!(
                t != plain_total || ids(&cached) != first,
                "the variant must answer differently for this check to mean anything"
            );
        }
        assert!(cache.len() <= RANK_CACHE_ENTRIES);
    }
    assert_eq!(cache.len(), RANK_CACHE_ENTRIES);
    // Another picture is another query.
    let (t, fresh) = cat.search_capped(&q(&other), MAX_RESULTS);
    let (tc, cached) = cat.search_cached(&q(&other), MAX_RESULTS, &cache);
    assert_eq!((tc, ids(&cached)), (t, ids(&fresh)));
    assert_ne!(ids(&cached), first);
}

#[test]
fn reencoded_catalog_image_ranks_itself_first() {
    let cat = Catalog::build(42, 2400);
    let mut rng = Rng::new(9);
    for _ in 0..50 {
        let o = &cat.offers[rng.below(cat.offers.len() as u64) as usize];
        // As the client prepares uploads: another size, JPEG q85.
        let big = artwork::render(&o.art, 600);
        let resized =
            image::imageops::resize(&big, 480, 480, image::imageops::FilterType::Triangle);
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 85)
            .encode_image(&resized)
            .unwrap();
        let decoded = image::load_from_memory(&jpeg).unwrap().to_rgb8();
        let d = Descriptor::of_image(&decoded);
        let mut query = q(&d);
        query.page_size = 3;
        let (_, top) = cat.search(&query);
        // Itself, or the first listing of the same picture (a copy of the
        // file or a re-upload shows the very same pixels).
        assert!(
            top[0].offer_id == o.offer_id || top[0].is_copy_of(o),
            "{}",
            o.subject
        );
    }
}

#[test]
fn relistings_share_files_reupload_or_rephotograph() {
    let offers = generate(crate::DEFAULT_SEED, crate::DEFAULT_CATALOG_SIZE);
    let by_id: std::collections::HashMap<u64, &CatalogOffer> =
        offers.iter().map(|o| (o.offer_id, o)).collect();
    let (mut same_file, mut reupload, mut reshot) = (0usize, 0usize, 0usize);
    for o in offers.iter().filter(|o| o.is_relisting()) {
        let first = by_id[&o.group];
        assert!(!first.is_relisting());
        let ratio = o.price_fen as f64 / first.price_fen as f64;
        assert!(
            (0.79..=1.21).contains(&ratio) || o.price_fen == 10,
            "{ratio}"
        );
        assert_eq!(o.product_type(), first.product_type());
        if o.picture == first.picture {
            assert_eq!(o.art, first.art);
            same_file += 1;
        } else if o.art == first.art {
            assert!(o.picture.side < first.picture.side);
            reupload += 1;
        } else {
            reshot += 1;
        }
    }
    let n = offers.len();
    let relistings = same_file + reupload + reshot;
    assert!(
        (n * 25 / 100..=n * 35 / 100).contains(&relistings),
        "{relistings}"
    );
    assert!(
        same_file > relistings / 4 && reupload > relistings / 4,
        "{same_file} {reupload}"
    );
    assert!(reshot > relistings / 8, "{reshot}");
    // File names look like alicdn's, and only copies share one.
    let files: HashSet<&str> = offers.iter().map(|o| o.picture.file.as_str()).collect();
    assert_eq!(files.len(), n - same_file);
    for o in &offers {
        let f = &o.picture.file;
        assert!(
            f.starts_with("O1CN01") && f.ends_with("-0-cib") && f.contains("_!!"),
            "{f}"
        );
        assert!(
            o.image_url("http://h")
                .ends_with(&format!("/img/ibank/{f}.jpg"))
        );
    }
}

mod timing {
    /// Run with `cargo test --release --lib catalog::tests::timing -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn catalog_build_time() {
        let t = std::time::Instant::now();
        let offers = super::generate(1688, 2400);
        let gen_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = std::time::Instant::now();
        let cat = super::Catalog::build(1688, 2400);
        let build_ms = t.elapsed().as_secs_f64() * 1000.0;
        let t = std::time::Instant::now();
        let jpeg = super::artwork::render_jpeg(&offers[0].art, 600);
        let jpeg_ms = t.elapsed().as_secs_f64() * 1000.0;
        eprintln!(
            "generate {gen_ms:.1} ms, build with descriptors {build_ms:.1} ms ({} offers), 600px jpeg {jpeg_ms:.1} ms ({} bytes)",
            cat.offers.len(),
            jpeg.len()
        );
    }
}

mod ranking {
    use super::*;

    /// A catalog picture as a client would upload it: the served 600 px
    /// JPEG, resized to 450 px and re-encoded at quality 85.
    pub(crate) fn client_photo(art: &Art) -> Descriptor {
        let jpeg = artwork::render_jpeg(art, 600);
        let img = image::load_from_memory(&jpeg).map(|i| i.to_rgb8());
        let img = img.unwrap_or_else(|_| image::RgbImage::new(1, 1));
        let resized =
            image::imageops::resize(&img, 450, 450, image::imageops::FilterType::Triangle);
        let mut out = Vec::new();
        let _ =
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&resized);
        let decoded = image::load_from_memory(&out).map(|i| i.to_rgb8());
        Descriptor::of_image(&decoded.unwrap_or_else(|_| image::RgbImage::new(1, 1)))
    }

    /// Precision@10 by product type over catalog photos searched as a
    /// client would (the served JPEG, resized and re-encoded). Prints the
    /// figure: `cargo test -p tusou-sim precision -- --nocapture`.
    #[test]
    fn precision_at_10_by_product_type() {
        const QUERIES: usize = 150;
        let started = std::time::Instant::now();
        let cat = Catalog::build(crate::DEFAULT_SEED, crate::DEFAULT_CATALOG_SIZE);
        let mut rng = Rng::new(5);
        let (mut hits, mut hits_other, mut self_first, mut group_first) = (0usize, 0usize, 0, 0);
        for _ in 0..QUERIES {
            let i = rng.below(cat.offers.len() as u64) as usize;
            let o = &cat.offers[i];
            let d = client_photo(&o.art);
            let q = SearchQuery {
                descriptor: &d,
                begin_page: 1,
                page_size: 10,
                price_start: None,
                price_end: None,
                filters: vec![],
                sort: None,
                category_id: None,
                prefer: None,
                words: vec![],
            };
            let ranked: Vec<&CatalogOffer> =
                cat.rank(&q).iter().map(|&(_, j)| &cat.offers[j]).collect();
            let same_type = |t: &&&CatalogOffer| t.product_type() == o.product_type();
            hits += ranked.iter().take(10).filter(same_type).count();
            // The same, not counting the searched picture's own listings.
            hits_other += ranked
                .iter()
                .filter(|t| t.group != o.group)
                .take(10)
                .filter(same_type)
                .count();
            // Itself, or a listing showing its very picture (copied file or
            // re-upload: the photo cannot tell them apart).
            self_first += usize::from(ranked[0].offer_id == o.offer_id || ranked[0].is_copy_of(o));
            let listings = cat.offers.iter().filter(|x| x.group == o.group).count();
            group_first += usize::from(ranked.iter().take(listings).all(|t| t.group == o.group));
        }
        let p10 = hits as f64 / (QUERIES * 10) as f64;
        let p10_other = hits_other as f64 / (QUERIES * 10) as f64;
        eprintln!(
            "precision@10 (same product type) over {QUERIES} catalog photos: {p10:.3} \
             ({p10_other:.3} not counting the photo's own listings); itself first {self_first}/{QUERIES}, \
             its re-listings next {group_first}/{QUERIES}; {:.1} s",
            started.elapsed().as_secs_f64()
        );
        assert!(p10 >= 0.8, "precision@10 {p10:.3}");
        assert!(
            p10_other >= 0.8,
            "precision@10 without own listings {p10_other:.3}"
        );
        assert!(
            self_first * 100 >= QUERIES * 97,
            "itself first {self_first}/{QUERIES}"
        );
        assert!(
            group_first * 100 >= QUERIES * 97,
            "re-listings next {group_first}/{QUERIES}"
        );
    }

    /// Within a product type, colour decides: among a photo's same-type
    /// results (past its own listings) the colour distance grows, and a
    /// same-type offer outranks every other type's offer of similar colour.
    #[test]
    fn colour_decides_within_a_product_type() {
        let cat = Catalog::build(7, 1200);
        let mut rng = Rng::new(11);
        let mut ordered = 0;
        for _ in 0..20 {
            let o = &cat.offers[rng.below(cat.offers.len() as u64) as usize];
            let d = client_photo(&o.art);
            let q = SearchQuery {
                descriptor: &d,
                begin_page: 1,
                page_size: 10,
                price_start: None,
                price_end: None,
                filters: vec![],
                sort: None,
                category_id: None,
                prefer: None,
                words: vec![],
            };
            let same: Vec<f32> = cat
                .rank(&q)
                .iter()
                .filter(|&&(_, j)| cat.offers[j].group != o.group)
                .take(8)
                .filter(|&&(_, j)| cat.offers[j].product_type() == o.product_type())
                .map(|&(_, j)| d.colour_distance(&cat.descriptors[j]))
                .collect();
            let rising = same.windows(2).filter(|w| w[0] <= w[1] + 1e-6).count();
            if rising + 1 >= same.len() {
                ordered += 1;
            }
        }
        assert!(ordered >= 16, "colour-ordered within type: {ordered}/20");
    }
}

#[test]
fn words_rank_offers_whose_titles_hold_them_first() {
    let cat = Catalog::build(3, 400);
    let d = cat.descriptors[0].clone();
    let mut all = q(&d);
    all.page_size = 400;
    let plain = cat.search(&all).1;
    // A word from a title further down the plain ranking.
    let target = plain[plain.len() / 2];
    let word: String = target.subject.chars().take(2).collect();
    let mut worded = q(&d);
    worded.page_size = 400;
    worded.words = vec![word.to_lowercase()];
    let (total, rows) = cat.search(&worded);
    assert_eq!(total as usize, plain.len(), "words reorder, never drop");
    let holds = |o: &CatalogOffer| o.subject.to_lowercase().contains(&word.to_lowercase());
    let first_miss = rows.iter().position(|o| !holds(o)).unwrap_or(rows.len());
    assert!(
        first_miss >= 1,
        "the offer the word came from ranks among the first"
    );
    assert!(
        rows[first_miss..].iter().all(|o| !holds(o)),
        "every match comes first"
    );
}
