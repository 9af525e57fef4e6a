//! Sellers across the history: each offer's seller key (schema v9, written
//! with every page), how often one seller appears in the user's searches
//! (the app's Detail pane), and the ranking `tusou suppliers` prints.
//!
//! A seller is told apart by [`SellerKey`]: the open id where known, else
//! the company name. Search items carry the company only, so the offers of
//! the history are mostly keyed `company:<name>`; an open id (known from a
//! detail) also finds the offers whose kept detail names it, and the
//! companies those details give.

use super::{Store, StoreError};
use crate::api::{Offer, OfferDetail, Seller, SellerKey};
use rusqlite::params;

/// Offers read per seller for its prices (lowest, median).
const MAX_PRICED_OFFERS: i64 = 10_000;
/// Offers (and kept details) read per seller for its signals, newest first.
const MAX_SIGNAL_OFFERS: i64 = 20;
/// Sellers a ranking lists at most, whatever the caller asks.
pub const MAX_SUPPLIERS: u32 = 10_000;

/// The stable text form of a seller key, as the `offers.seller_key` column
/// holds it: `open:<open id>` or `company:<name>` (raw server text: sanitise
/// before display).
pub fn seller_key_text(key: &SellerKey) -> String {
    match key {
        SellerKey::OpenId(id) => format!("open:{id}"),
        SellerKey::Company(name) => format!("company:{name}"),
    }
}

/// The column value for an offer: its seller's key, if the offer names one.
pub(super) fn offer_seller_key(offer: &Offer) -> Option<String> {
    offer
        .seller
        .as_ref()
        .and_then(Seller::key)
        .map(|k| seller_key_text(&k))
}

/// How often a seller appears in the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SellerAppearances {
    /// Distinct searches whose results hold any offer of the seller.
    pub searches: u64,
    /// Distinct offers of the seller seen in those results.
    pub offers: u64,
}

/// What `tusou suppliers` ranks: which searches count.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SupplierQuery {
    /// Only these providers' offers (their names as the store keeps them:
    /// `dajisaas`, `demo-dajisaas`…); empty: every provider's.
    pub providers: Vec<String>,
    /// Only searches made at or after this time (Unix seconds).
    pub since: Option<i64>,
    /// Sellers listed at most (capped at [`MAX_SUPPLIERS`]).
    pub limit: u32,
}

/// One seller of the history, as `tusou suppliers` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SupplierSummary {
    /// The provider whose offers these are (raw: sanitise to show).
    pub provider: String,
    /// [`seller_key_text`]'s form (raw: sanitise to show).
    pub key: String,
    /// Distinct searches whose results hold an offer of the seller.
    pub searches: u64,
    /// Distinct offers of the seller in those searches.
    pub offers: u64,
    /// Offers with a known price, of those the prices were read from.
    pub priced: u64,
    /// The lowest and the median last-known unit price, in fen.
    pub lowest_fen: Option<u64>,
    pub median_fen: Option<u64>,
    /// What is known of the seller: the signals of its newest offers, the
    /// gaps filled from older ones, under what its kept details say.
    pub seller: Seller,
}

/// A ranking and how many sellers there were in all.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SupplierList {
    /// By searches, then offers, most first (then by key).
    pub sellers: Vec<SupplierSummary>,
    /// Sellers the history holds under the query (the list may show fewer).
    pub total: u64,
    /// Searches the query counts (with or without a known seller).
    pub searches: u64,
}

/// The median of sorted values: the middle one, or the mean of the two
/// middle ones rounded half up.
fn median(sorted: &[u64]) -> Option<u64> {
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => {
            let (a, b) = (sorted[n / 2 - 1], sorted[n / 2]);
            Some(a / 2 + b / 2 + (a % 2 + b % 2).div_ceil(2))
        }
    }
}

impl Store {
    /// How many searches of the history show an offer of `key`'s seller
    /// (of `provider`), and how many distinct offers of it they show. An
    /// open id also counts the offers whose kept detail names it, and the
    /// offers of the companies those details give (search items carry the
    /// company only). Unknown sellers count zero.
    pub fn seller_appearances(
        &self,
        provider: &str,
        key: &SellerKey,
    ) -> Result<SellerAppearances, StoreError> {
        let text = seller_key_text(key);
        let open_id = match key {
            SellerKey::OpenId(id) => Some(id.as_str()),
            SellerKey::Company(_) => None,
        };
        self.with(|conn| {
            let mut st = conn.prepare_cached(
                "WITH named AS (
                     SELECT d.provider, d.offer_key,
                            CASE WHEN json_valid(d.raw) THEN json_extract(d.raw, '$.companyName') END AS company
                     FROM details d
                     WHERE ?3 IS NOT NULL AND d.provider = ?1
                       AND CASE WHEN json_valid(d.raw)
                                THEN json_extract(d.raw, '$.sellerOpenId') END = ?3
                 ),
                 chosen AS (
                     SELECT id FROM offers WHERE provider = ?1 AND seller_key = ?2
                     UNION
                     SELECT o.id FROM offers o JOIN named n
                         ON n.provider = o.provider AND n.offer_key = o.offer_key
                     UNION
                     SELECT o.id FROM offers o
                     WHERE o.provider = ?1 AND o.seller_key IN
                         (SELECT 'company:' || trim(company, ' ' || char(9, 10, 11, 12, 13, 160, 12288))
                          FROM named WHERE typeof(company) = 'text')
                 )
                 SELECT COUNT(DISTINCT r.search_id), COUNT(DISTINCT r.offer_id)
                 FROM results r WHERE r.offer_id IN (SELECT id FROM chosen)",
            )?;
            let (searches, offers): (i64, i64) =
                st.query_row(params![provider, text, open_id], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })?;
            Ok(SellerAppearances {
                searches: u64::try_from(searches).unwrap_or(0),
                offers: u64::try_from(offers).unwrap_or(0),
            })
        })
    }

    /// The sellers of the history, by how many searches show them, then
    /// how many of their offers those searches show: what `tusou
    /// suppliers` prints. Reads at most `query.limit` sellers (capped),
    /// [`MAX_PRICED_OFFERS`] prices and [`MAX_SIGNAL_OFFERS`] offers and
    /// details each.
    pub fn suppliers(&self, query: &SupplierQuery) -> Result<SupplierList, StoreError> {
        let limit = i64::from(query.limit.min(MAX_SUPPLIERS));
        // A JSON array of the names, read by `json_each`; NULL for all.
        let provider: Option<String> = (!query.providers.is_empty())
            .then(|| serde_json::to_string(&query.providers))
            .transpose()
            .map_err(StoreError::Json)?;
        let since = query.since;
        let (ranked, total, searches) = self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT o.provider, o.seller_key,
                        COUNT(DISTINCT r.search_id) AS searches,
                        COUNT(DISTINCT o.id) AS offers
                 FROM results r
                 JOIN offers o ON o.id = r.offer_id
                 JOIN searches s ON s.id = r.search_id
                 WHERE o.seller_key IS NOT NULL
                   AND (?1 IS NULL OR o.provider IN (SELECT value FROM json_each(?1)))
                   AND (?2 IS NULL OR s.searched_at >= ?2)
                 GROUP BY o.provider, o.seller_key
                 ORDER BY searches DESC, offers DESC, o.seller_key, o.provider
                 LIMIT ?3",
            )?;
            let ranked: Vec<(String, String, i64, i64)> = st
                .query_map(params![provider, since, limit], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })?
                .collect::<Result<_, _>>()?;
            let total: i64 = conn.query_row(
                "SELECT COUNT(*) FROM (
                     SELECT 1 FROM results r
                     JOIN offers o ON o.id = r.offer_id
                     JOIN searches s ON s.id = r.search_id
                     WHERE o.seller_key IS NOT NULL
                       AND (?1 IS NULL OR o.provider IN (SELECT value FROM json_each(?1)))
                       AND (?2 IS NULL OR s.searched_at >= ?2)
                     GROUP BY o.provider, o.seller_key)",
                params![provider, since],
                |r| r.get(0),
            )?;
            let searches: i64 = conn.query_row(
                "SELECT COUNT(*) FROM searches s
                 WHERE (?1 IS NULL OR s.provider IN (SELECT value FROM json_each(?1))) AND (?2 IS NULL OR s.searched_at >= ?2)",
                params![provider, since],
                |r| r.get(0),
            )?;
            Ok((ranked, total, searches))
        })?;
        let mut sellers = Vec::with_capacity(ranked.len());
        for (provider, key, searches, offers) in ranked {
            let mut prices = self.seller_prices(&provider, &key, since)?;
            prices.sort_unstable();
            let seller = self.seller_signals(&provider, &key)?;
            sellers.push(SupplierSummary {
                searches: u64::try_from(searches).unwrap_or(0),
                offers: u64::try_from(offers).unwrap_or(0),
                priced: prices.len() as u64,
                lowest_fen: prices.first().copied(),
                median_fen: median(&prices),
                seller,
                provider,
                key,
            });
        }
        Ok(SupplierList {
            sellers,
            total: u64::try_from(total).unwrap_or(0),
            searches: u64::try_from(searches).unwrap_or(0),
        })
    }

    /// The last known prices (fen) of the seller's offers that the counted
    /// searches show, at most [`MAX_PRICED_OFFERS`].
    fn seller_prices(
        &self,
        provider: &str,
        key: &str,
        since: Option<i64>,
    ) -> Result<Vec<u64>, StoreError> {
        self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT o.last_price_fen FROM offers o
                 WHERE o.provider = ?1 AND o.seller_key = ?2 AND o.last_price_fen IS NOT NULL
                   AND EXISTS (SELECT 1 FROM results r JOIN searches s ON s.id = r.search_id
                               WHERE r.offer_id = o.id AND (?3 IS NULL OR s.searched_at >= ?3))
                 LIMIT ?4",
            )?;
            let prices = st
                .query_map(params![provider, key, since, MAX_PRICED_OFFERS], |r| {
                    r.get::<_, i64>(0)
                })?
                .filter_map(|p| p.map(|p| u64::try_from(p).ok()).transpose())
                .collect::<Result<Vec<u64>, _>>()?;
            Ok(prices)
        })
    }

    /// What is known of a seller: its kept details' seller blocks (newest
    /// first) over its offers' (newest first), each filling the gaps of the
    /// one before. Rows that no longer read are skipped.
    fn seller_signals(&self, provider: &str, key: &str) -> Result<Seller, StoreError> {
        let (offers, details): (Vec<String>, Vec<String>) = self.with(|conn| {
            let offers = conn
                .prepare_cached(
                    "SELECT offer FROM offers WHERE provider = ?1 AND seller_key = ?2
                     ORDER BY last_seen DESC, id DESC LIMIT ?3",
                )?
                .query_map(params![provider, key, MAX_SIGNAL_OFFERS], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            let details = conn
                .prepare_cached(
                    "SELECT d.raw FROM details d
                     JOIN offers o ON o.provider = d.provider AND o.offer_key = d.offer_key
                     WHERE o.provider = ?1 AND o.seller_key = ?2
                     ORDER BY d.fetched_at DESC LIMIT ?3",
                )?
                .query_map(params![provider, key, MAX_SIGNAL_OFFERS], |r| r.get(0))?
                .collect::<Result<_, _>>()?;
            Ok((offers, details))
        })?;
        let from_items = offers
            .iter()
            .filter_map(|json| serde_json::from_str::<Offer>(json).ok()?.seller)
            .fold(Seller::default(), |known, next| known.merge(&next));
        let from_details = details
            .iter()
            .filter_map(|raw| {
                let value = serde_json::from_str(raw).ok()?;
                OfferDetail::from_value(value).ok()?.seller
            })
            .fold(Seller::default(), |known, next| known.merge(&next));
        Ok(from_details.merge(&from_items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Identity, Price, Rate, SearchParams};
    use crate::store::searches::{NewSearch, SearchId};
    use crate::store::test_store;

    fn seller(company: &str) -> Seller {
        Seller {
            company: Some(company.into()),
            identities: vec![Identity::Factory],
            tp_years: Some(5),
            ..Seller::default()
        }
    }

    fn offer(id: u32, fen: u64, company: Option<&str>) -> Offer {
        Offer {
            offer_id: Some(id.to_string()),
            title: format!("offer {id}"),
            price: Some(Price(fen)),
            seller: company.map(seller),
            ..Offer::default()
        }
    }

    fn search(store: &Store, md5: &str, provider: &str) -> SearchId {
        store
            .record_search(&NewSearch {
                source_md5: md5,
                thumbnail: None,
                source: "cup.jpg",
                provider,
                params: &SearchParams::default(),
            })
            .unwrap()
    }

    fn company(name: &str) -> SellerKey {
        SellerKey::Company(name.into())
    }

    #[test]
    fn the_key_column_is_written_with_each_page() {
        let store = test_store();
        let s = search(&store, "a", "dajisaas");
        store
            .record_page(
                s,
                1,
                &[offer(1, 100, Some(" 甲厂 ")), offer(2, 200, None)],
                None,
            )
            .unwrap();
        let keys: Vec<Option<String>> = store
            .with(|c| {
                let mut st = c.prepare("SELECT seller_key FROM offers ORDER BY id")?;
                let keys = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
                Ok(keys)
            })
            .unwrap();
        assert_eq!(keys, [Some("company:甲厂".to_string()), None]);
        assert_eq!(
            seller_key_text(&SellerKey::OpenId("BBB".into())),
            "open:BBB"
        );
    }

    #[test]
    fn appearances_count_distinct_searches_and_offers_of_one_seller() {
        let store = test_store();
        assert_eq!(
            store
                .seller_appearances("dajisaas", &company("甲厂"))
                .unwrap(),
            SellerAppearances::default()
        );
        // Search 1: offers 1, 2 of 甲厂 (offer 1 twice), 3 of 乙厂.
        let s1 = search(&store, "a", "dajisaas");
        store
            .record_page(
                s1,
                1,
                &[
                    offer(1, 100, Some("甲厂")),
                    offer(2, 200, Some("甲厂")),
                    offer(3, 300, Some("乙厂")),
                    offer(1, 100, Some("甲厂")),
                ],
                None,
            )
            .unwrap();
        // Search 2: offer 2 again, and 4 of 甲厂.
        let s2 = search(&store, "b", "dajisaas");
        store
            .record_page(
                s2,
                1,
                &[offer(2, 210, Some("甲厂")), offer(4, 50, Some("甲厂"))],
                None,
            )
            .unwrap();
        // Search 3: nothing of 甲厂. Another provider's 甲厂 is another seller.
        let s3 = search(&store, "c", "dajisaas");
        store
            .record_page(s3, 1, &[offer(3, 300, Some("乙厂"))], None)
            .unwrap();
        let other = search(&store, "d", "signed-header");
        store
            .record_page(other, 1, &[offer(9, 1, Some("甲厂"))], None)
            .unwrap();
        let seen = |k: &SellerKey| store.seller_appearances("dajisaas", k).unwrap();
        assert_eq!(
            seen(&company("甲厂")),
            SellerAppearances {
                searches: 2,
                offers: 3
            }
        );
        assert_eq!(
            seen(&company("乙厂")),
            SellerAppearances {
                searches: 2,
                offers: 1
            }
        );
        assert_eq!(seen(&company("丙厂")), SellerAppearances::default());
        // Deleting a search takes its appearances with it.
        assert!(store.delete_search(s2).unwrap());
        assert_eq!(
            seen(&company("甲厂")),
            SellerAppearances {
                searches: 1,
                offers: 2
            }
        );
        // An open id known from a detail finds the offers the detail is
        // for, and the other offers of the company it names.
        let detail = OfferDetail::from_value(serde_json::json!({
            "sellerOpenId": "BBBx", "companyName": "甲厂"
        }))
        .unwrap();
        store.save_detail("dajisaas", "1", &detail).unwrap();
        assert_eq!(
            seen(&SellerKey::OpenId("BBBx".into())),
            SellerAppearances {
                searches: 1,
                offers: 2
            }
        );
        assert_eq!(
            seen(&SellerKey::OpenId("nobody".into())),
            SellerAppearances::default()
        );
    }

    #[test]
    fn suppliers_rank_by_searches_then_offers_with_prices_and_signals() {
        let store = test_store();
        let s1 = search(&store, "a", "dajisaas");
        store
            .record_page(
                s1,
                1,
                &[
                    offer(1, 100, Some("甲厂")),
                    offer(2, 300, Some("甲厂")),
                    offer(3, 500, Some("乙厂")),
                    offer(5, 800, Some("乙厂")),
                    offer(6, 900, Some("乙厂")),
                    offer(7, 1, None),
                ],
                None,
            )
            .unwrap();
        let s2 = search(&store, "b", "dajisaas");
        store
            .record_page(
                s2,
                1,
                &[offer(4, 200, Some("甲厂")), offer(8, 5, Some("丙厂"))],
                None,
            )
            .unwrap();
        let detail = OfferDetail::from_value(serde_json::json!({
            "sellerOpenId": "BBBx", "companyName": "甲厂",
            "sellerDataInfo": {"collect30DayWithin48HPercent": "92%"}
        }))
        .unwrap();
        store.save_detail("dajisaas", "2", &detail).unwrap();
        let list = store
            .suppliers(&SupplierQuery {
                limit: 2,
                ..SupplierQuery::default()
            })
            .unwrap();
        assert_eq!((list.total, list.searches), (3, 2));
        let keys: Vec<(&str, u64, u64)> = list
            .sellers
            .iter()
            .map(|s| (s.key.as_str(), s.searches, s.offers))
            .collect();
        assert_eq!(keys, [("company:甲厂", 2, 3), ("company:乙厂", 1, 3)]);
        let first = &list.sellers[0];
        assert_eq!((first.lowest_fen, first.median_fen), (Some(100), Some(200)));
        assert_eq!(first.seller.open_id.as_deref(), Some("BBBx"));
        assert_eq!(first.seller.pickup_48h_30d, Rate::from_basis_points(9200));
        assert_eq!(first.seller.tp_years, Some(5));
        assert_eq!(first.seller.is_factory(), Some(true));
        // --since after every search: none.
        let later = store
            .suppliers(&SupplierQuery {
                since: Some(i64::MAX),
                limit: 10,
                ..SupplierQuery::default()
            })
            .unwrap();
        assert_eq!((later.total, later.sellers.len()), (0, 0));
        let other = store
            .suppliers(&SupplierQuery {
                providers: vec!["signed-header".into()],
                limit: 10,
                ..SupplierQuery::default()
            })
            .unwrap();
        assert_eq!((other.total, other.searches), (0, 0));
        let both = store
            .suppliers(&SupplierQuery {
                providers: vec!["signed-header".into(), "dajisaas".into()],
                limit: 10,
                ..SupplierQuery::default()
            })
            .unwrap();
        assert_eq!((both.total, both.searches), (3, 2));
    }

    #[test]
    fn medians_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(median(&[1, 2, 9]), Some(2));
        assert_eq!(median(&[1, 2]), Some(2), "1.5 rounds half up");
        assert_eq!(median(&[u64::MAX, u64::MAX]), Some(u64::MAX));
        assert_eq!(median(&[100, 300]), Some(200));
    }
}
