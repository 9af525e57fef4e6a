//! The history store at size: 100,000 offers across 100 searches.
//! `cargo bench --bench store`
//!
//! Starring an offer the store has not seen (one transaction: the offer and
//! its shortlist row), with p50/p99 over 1,000 stars printed to stderr; and
//! reopening a stored search of 1,000 offers (`load_search`). Targets: star
//! p99 < 5 ms, load < 50 ms.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};
use tusou::api::{Offer, Price, SearchParams};
use tusou::store::{NewSearch, Opened, SearchId, Store};

const SEARCHES: u64 = 100;
const PER_SEARCH: u64 = 1_000;

fn offer(i: u64) -> Offer {
    Offer {
        offer_id: Some(format!("{}", 7_000_000_000u64 + i)),
        offer_map_id: Some(format!("wmNAp5Cy{i:06}")),
        title: "国潮男装t恤230g重磅短袖男女纯棉体恤宽松圆领团服打底衫衣服潮".into(),
        title_en: Some("T-shirt men's 230g heavy short sleeve cotton loose round neck".into()),
        price: Some(Price(1600 + 37 * (i % 1000))),
        month_sold: Some(97_822 / (i % 997 + 1)),
        repurchase_rate: Some((i % 50) as f32),
        badges: vec!["精选".into(), "factory".into()],
        image_url: Some(format!("https://cbu01.alicdn.com/img/O1CN01{i:08}.jpg")),
        category_id: Some(1_031_910),
        ..Offer::default()
    }
}

/// A store at `dir` seeded with `SEARCHES` searches of `PER_SEARCH` distinct
/// offers each; answers the last search's id.
fn seeded(dir: &Path) -> (Store, SearchId) {
    let Opened::On { store, .. } = Store::open(&dir.join("tusou.db"), None) else {
        panic!("store opens");
    };
    let started = Instant::now();
    let params = SearchParams::default();
    let mut last = None;
    for s in 0..SEARCHES {
        let md5 = format!("{s:032x}");
        let id = store
            .record_search(&NewSearch {
                source_md5: &md5,
                thumbnail: Some(&[0u8; 2_000]),
                source: "shoe.jpg",
                provider: "dajisaas",
                params: &params,
            })
            .expect("search");
        let offers: Vec<Offer> = (0..PER_SEARCH).map(|i| offer(s * PER_SEARCH + i)).collect();
        store
            .record_page(id, 1, &offers, Some(PER_SEARCH))
            .expect("page");
        last = Some(id);
    }
    eprintln!(
        "store: seeded {} offers in {SEARCHES} searches in {:.1?}",
        SEARCHES * PER_SEARCH,
        started.elapsed()
    );
    (store, last.expect("a search"))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn store(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (store, search) = seeded(dir.path());
    let mut next = SEARCHES * PER_SEARCH;

    let mut stars: Vec<Duration> = (0..1_000)
        .map(|_| {
            next += 1;
            let o = offer(next);
            let t = Instant::now();
            store.star("dajisaas", &o).expect("star");
            t.elapsed()
        })
        .collect();
    stars.sort();
    eprintln!(
        "store: star a fresh offer ×1000: p50 {:.2?}, p99 {:.2?}, max {:.2?} (target p99 < 5 ms)",
        percentile(&stars, 0.5),
        percentile(&stars, 0.99),
        stars[stars.len() - 1]
    );

    let mut loads: Vec<Duration> = (0..50)
        .map(|_| {
            let t = Instant::now();
            let loaded = store.load_search(search).expect("load").expect("search");
            assert_eq!(loaded.offers.len() as u64, PER_SEARCH);
            t.elapsed()
        })
        .collect();
    loads.sort();
    eprintln!(
        "store: load_search of {PER_SEARCH} offers ×50: p50 {:.2?}, p99 {:.2?} (target < 50 ms)",
        percentile(&loads, 0.5),
        percentile(&loads, 0.99)
    );

    let mut group = c.benchmark_group("store");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(3));
    group.bench_function("star a fresh offer (100k stored)", |b| {
        b.iter(|| {
            next += 1;
            black_box(store.star("dajisaas", &offer(next)).expect("star"))
        })
    });
    group.bench_function("load_search of 1,000 offers (100k stored)", |b| {
        b.iter(|| black_box(store.load_search(search).expect("load")))
    });
    group.finish();
}

criterion_group!(benches, store);
criterion_main!(benches);
