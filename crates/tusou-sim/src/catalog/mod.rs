//! The synthetic 1688 catalog: offers generated deterministically from a seed,
//! each with a product type, a picture recipe and a precomputed descriptor,
//! and the search over them (filter → similarity rank → cap → sort → page).
//!
//! As on 1688, a popular product is listed by several sellers: about a
//! third of the offers are re-listings of an earlier offer's product under
//! another seller, title and price (within ±20 %). Of those, some show the
//! very picture file of the listing they copy (the same `O1CN…` address),
//! some a re-upload of it (the same pixels re-encoded smaller, under a new
//! file id), and the rest a new photo of the product (a little tighter or
//! looser). All listings of one product share a `group`.
//!
//! This file holds the built catalog, its lookups and the search; `vocab`
//! the word and product tables, `generate` the offers from a seed, `offer`
//! one offer and its wire forms.

mod detail;
mod edit;
mod generate;
mod offer;
mod seller;
#[cfg(test)]
mod tests;
mod vocab;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::artwork::{self, Art};
use crate::similarity::{Descriptor, SHAPE_SIDE};
use crate::wire::{FilterFlag, Price, Sort, SortField, SortOrder};

pub use detail::{FreightTemplate, MixRule, OfferDetail, PackSource, Pricing, SimSku, WeightStyle};
pub use edit::CatalogEdit;
pub use generate::{Rng, generate};
pub use offer::{CatalogOffer, Picture};
pub use seller::{NumberStyle, SELLERS, SimSeller};

/// Most records a query reports (`totalRecords` is capped here, like the real
/// service, which never pages through a whole category).
pub const MAX_RESULTS: usize = 2000;

/// Offers plus their descriptors and an id index.
pub struct Catalog {
    pub offers: Vec<CatalogOffer>,
    pub descriptors: Vec<Descriptor>,
    by_id: HashMap<u64, usize>,
    /// Picture file (without extension) → the listing that uploaded it.
    by_file: HashMap<String, usize>,
    /// Minimum orders set by an edit ([`CatalogEdit::SetMinOrder`]).
    moqs: HashMap<u64, u64>,
}

/// Renders one offer at twice the descriptor size and describes it the way
/// a photo is described (downscaled by the same code), so a query with the
/// JPEG lands next to it.
pub fn describe(art: &Art) -> Descriptor {
    Descriptor::of_image(&artwork::render_clean(art, 2 * SHAPE_SIDE))
}

/// A query whose best match is this close shows the same picture: that
/// picture's other listings follow it, as 1688 groups identical offers.
pub const SAME_PICTURE: f32 = 0.05;

impl Catalog {
    pub fn build(seed: u64, size: usize) -> Catalog {
        let offers = generate(seed, size);
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .clamp(1, 4);
        let chunk = offers.len().div_ceil(threads).max(1);
        let descriptors = std::thread::scope(|scope| {
            let handles: Vec<_> = offers
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || part.iter().map(|o| describe(&o.art)).collect::<Vec<_>>())
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| match h.join() {
                    Ok(v) => v,
                    Err(panic) => std::panic::resume_unwind(panic),
                })
                .collect()
        });
        Catalog::from_parts(offers, descriptors, HashMap::new())
    }

    /// A catalog of these offers with their descriptors (same order).
    fn from_parts(
        offers: Vec<CatalogOffer>,
        descriptors: Vec<Descriptor>,
        moqs: HashMap<u64, u64>,
    ) -> Catalog {
        let by_id = offers
            .iter()
            .enumerate()
            .map(|(i, o)| (o.offer_id, i))
            .collect();
        let mut by_file = HashMap::with_capacity(offers.len());
        for (i, o) in offers.iter().enumerate() {
            by_file.entry(o.picture.file.clone()).or_insert(i);
        }
        Catalog {
            offers,
            descriptors,
            by_id,
            by_file,
            moqs,
        }
    }

    /// The listing that uploaded a picture file (named without extension).
    pub fn by_picture_file(&self, file: &str) -> Option<&CatalogOffer> {
        self.by_file.get(file).map(|&i| &self.offers[i])
    }

    pub fn get(&self, offer_id: u64) -> Option<&CatalogOffer> {
        self.by_id.get(&offer_id).map(|&i| &self.offers[i])
    }

    /// Up to `n` other listings of the same product (the extra pictures of
    /// an offer's detail), in catalog order.
    pub fn same_product(&self, offer: &CatalogOffer, n: usize) -> Vec<&CatalogOffer> {
        self.offers
            .iter()
            .filter(|o| o.group == offer.group && o.offer_id != offer.offer_id)
            .take(n)
            .collect()
    }

    pub fn descriptor(&self, offer_id: u64) -> Option<&Descriptor> {
        self.by_id.get(&offer_id).map(|&i| &self.descriptors[i])
    }

    /// Every offer that passes the query's filters, best match first: the
    /// closest offer, then (when it shows the very picture searched for)
    /// the other listings of its product, then the rest by distance. Among
    /// listings showing one picture (equally close), the offer asked for by
    /// address comes first, else the first listing.
    pub fn rank(&self, q: &SearchQuery<'_>) -> Vec<(f32, usize)> {
        let mut hits: Vec<(f32, usize)> = self
            .offers
            .iter()
            .enumerate()
            .filter(|(_, o)| q.matches(o))
            .map(|(i, _)| (q.descriptor.distance(&self.descriptors[i]), i))
            .collect();
        let key = |i: usize| {
            let o = &self.offers[i];
            (q.prefer != Some(o.offer_id), o.is_relisting(), o.offer_id)
        };
        hits.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| key(a.1).cmp(&key(b.1))));
        if let Some(&(best, i)) = hits.first()
            && best < SAME_PICTURE
        {
            let group = self.offers[i].group;
            let (mut same, rest): (Vec<_>, Vec<_>) = hits
                .into_iter()
                .partition(|&(_, j)| self.offers[j].group == group);
            same.extend(rest);
            hits = same;
        }
        hits
    }

    /// Runs a search; answers (totalRecords, the offers of the asked page).
    pub fn search(&self, q: &SearchQuery<'_>) -> (u64, Vec<&CatalogOffer>) {
        self.search_capped(q, MAX_RESULTS)
    }

    /// [`Catalog::search`] with at most `max_results` hits in all.
    pub fn search_capped(
        &self,
        q: &SearchQuery<'_>,
        max_results: usize,
    ) -> (u64, Vec<&CatalogOffer>) {
        let hits = self.hits(q, max_results);
        (hits.len() as u64, self.page(&hits, q))
    }

    /// [`Catalog::search_capped`], taking the query's hits from `cache`
    /// when an earlier page of the same query put them there (and putting
    /// them there otherwise), so paging through a query ranks it once. The
    /// answer is the same either way. `cache` must only ever be used with
    /// this catalog.
    pub fn search_cached(
        &self,
        q: &SearchQuery<'_>,
        max_results: usize,
        cache: &RankCache,
    ) -> (u64, Vec<&CatalogOffer>) {
        let key = RankKey::of(q, max_results);
        let hits = match cache.get(&key) {
            Some(hits) => hits,
            None => {
                let hits: Arc<[usize]> = self.hits(q, max_results).into();
                cache.put(key, Arc::clone(&hits));
                hits
            }
        };
        (hits.len() as u64, self.page(&hits, q))
    }

    /// Every hit of a query in the order its pages show them: ranked, cut
    /// to `max_results`, then sorted if the query asks so.
    fn hits(&self, q: &SearchQuery<'_>, max_results: usize) -> Vec<usize> {
        let mut hits = self.rank(q);
        hits.truncate(max_results.max(1));
        if let Some(sort) = q.sort {
            // Stable sort keeps the similarity order among equal keys.
            let key = |i: usize| {
                let o = &self.offers[i];
                match sort.field {
                    SortField::Price => o.price_fen,
                    SortField::MonthSold => o.month_sold,
                    SortField::RePurchaseRate => u64::from(o.repurchase_rate),
                }
            };
            hits.sort_by(|a, b| {
                let ord = key(a.1).cmp(&key(b.1));
                match sort.order {
                    SortOrder::Asc => ord,
                    SortOrder::Desc => ord.reverse(),
                }
            });
        }
        if !q.words.is_empty() {
            // Stable: the similarity (or sort) order holds within each part.
            hits.sort_by_key(|&(_, i)| !q.title_has_word(&self.offers[i]));
        }
        hits.into_iter().map(|(_, i)| i).collect()
    }

    /// The offers of the page the query asks for.
    fn page(&self, hits: &[usize], q: &SearchQuery<'_>) -> Vec<&CatalogOffer> {
        let start = q.begin_page.saturating_sub(1).saturating_mul(q.page_size);
        usize::try_from(start)
            .ok()
            .and_then(|s| hits.get(s..))
            .unwrap_or(&[])
            .iter()
            .take(usize::try_from(q.page_size).unwrap_or(usize::MAX))
            .map(|&i| &self.offers[i])
            .collect()
    }
}

/// Ranked queries kept by a [`RankCache`]: a 110,000-offer catalog's hit
/// list is under 1 MB.
pub const RANK_CACHE_ENTRIES: usize = 4;

/// Everything that decides a query's hits and their order: all of the
/// query but the page asked for.
#[derive(Clone, PartialEq)]
struct RankKey {
    descriptor: Descriptor,
    price_start: Option<Price>,
    price_end: Option<Price>,
    filters: Vec<FilterFlag>,
    sort: Option<Sort>,
    category_id: Option<u64>,
    prefer: Option<u64>,
    words: Vec<String>,
    max_results: usize,
}

impl RankKey {
    fn of(q: &SearchQuery<'_>, max_results: usize) -> RankKey {
        RankKey {
            descriptor: q.descriptor.clone(),
            price_start: q.price_start,
            price_end: q.price_end,
            filters: q.filters.clone(),
            sort: q.sort,
            category_id: q.category_id,
            prefer: q.prefer,
            words: q.words.clone(),
            max_results,
        }
    }
}

/// The hit lists of the last few queries ([`RANK_CACHE_ENTRIES`]), newest
/// first; a query asked again moves to the front, and a new one pushes out
/// the one asked longest ago. Descriptors are compared by value, so a
/// picture whose descriptor holds a NaN is never found (and ranked anew).
pub struct RankCache {
    entries: Mutex<VecDeque<(RankKey, Arc<[usize]>)>>,
}

impl Default for RankCache {
    fn default() -> Self {
        RankCache::new()
    }
}

impl RankCache {
    pub fn new() -> RankCache {
        RankCache {
            entries: Mutex::new(VecDeque::with_capacity(RANK_CACHE_ENTRIES)),
        }
    }

    /// Queries held.
    pub fn len(&self) -> usize {
        crate::lock(&self.entries).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets every query (the catalog they ranked changed).
    pub fn clear(&self) {
        crate::lock(&self.entries).clear();
    }

    fn get(&self, key: &RankKey) -> Option<Arc<[usize]>> {
        let mut entries = crate::lock(&self.entries);
        let at = entries.iter().position(|(k, _)| k == key)?;
        let entry = entries.remove(at)?;
        let hits = Arc::clone(&entry.1);
        entries.push_front(entry);
        Some(hits)
    }

    fn put(&self, key: RankKey, hits: Arc<[usize]>) {
        let mut entries = crate::lock(&self.entries);
        // Two requests of one query may both have ranked it.
        entries.retain(|(k, _)| *k != key);
        entries.push_front((key, hits));
        entries.truncate(RANK_CACHE_ENTRIES);
    }
}

/// A validated query against the catalog.
pub struct SearchQuery<'a> {
    pub descriptor: &'a Descriptor,
    pub begin_page: u64,
    pub page_size: u64,
    pub price_start: Option<Price>,
    pub price_end: Option<Price>,
    pub filters: Vec<FilterFlag>,
    pub sort: Option<Sort>,
    pub category_id: Option<u64>,
    /// The offer whose picture address was searched, when one was: first
    /// among the listings showing that very picture.
    pub prefer: Option<u64>,
    /// Lower-cased words (`keyword`, `auxiliaryText`): offers whose title
    /// (original or translated) holds one come first, in their order.
    pub words: Vec<String>,
}

impl SearchQuery<'_> {
    /// Whether the offer's title holds one of the query's words.
    fn title_has_word(&self, o: &CatalogOffer) -> bool {
        let (zh, en) = (o.subject.to_lowercase(), o.subject_trans.to_lowercase());
        self.words
            .iter()
            .any(|w| zh.contains(w.as_str()) || en.contains(w.as_str()))
    }

    /// Filters act on the catalog's own flags, including those the items
    /// do not carry on the wire.
    fn matches(&self, o: &CatalogOffer) -> bool {
        if self.price_start.is_some_and(|p| o.price_fen < p.fen())
            || self.price_end.is_some_and(|p| o.price_fen > p.fen())
            || self.category_id.is_some_and(|c| o.category_id != c)
        {
            return false;
        }
        self.filters.iter().all(|f| match f {
            FilterFlag::CertifiedFactory => o.certified_factory,
            FilterFlag::ShipInToday => o.ship_in_today,
            FilterFlag::ShipIn24Hours => o.ship_in_24_hours,
            FilterFlag::ShipIn48Hours => o.ship_in_48_hours,
            FilterFlag::Jxhy => o.is_jxhy,
            FilterFlag::IsOnePsale => o.is_one_psale,
            FilterFlag::IsOnePsaleFreePost => o.is_one_psale_free_post,
            FilterFlag::NoReason7DReturn => o.no_reason_7d_return,
            FilterFlag::New7 => o.new_7,
            FilterFlag::New30 => o.new_30,
            FilterFlag::Selection1688 => o.selection_1688,
        })
    }
}
