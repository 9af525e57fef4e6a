//! Offers seen and a search's results: recording a page (one transaction),
//! reading a search back in rank order, and comparing it with the search of
//! the same picture before it (new offers, prices up or down).

use super::searches::SearchId;
use super::sellers::offer_seller_key;
use super::{Store, StoreError, now};
use crate::api::{Offer, Price};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// How an offer of a search compares with the search of the same picture
/// before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// No earlier search of this picture, or the same price as then (or a
    /// price missing on either side).
    Same,
    /// Not in the earlier search's results.
    New,
    /// In it, at a lower price (fen then).
    PriceUp { was_fen: u64 },
    /// In it, at a higher price (fen then).
    PriceDown { was_fen: u64 },
}

/// The key an offer is stored under, within its provider. The numeric 1688
/// offer id where there is one (`id:`; `Offer::link` is built from it, so it
/// names the same page); else the provider's opaque handle (`map:`, all the
/// signed-header provider sends); else the picture's URL (`pic:`), last
/// because re-listed duplicates share one picture file; else the offer's own
/// JSON, so only an identical offer matches it.
/// The first offer of a search showing the same picture as another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupFirst {
    /// Its position in the results.
    pub position: u64,
    /// The price that search saw.
    pub price: Option<Price>,
}

pub(super) fn offer_key(offer: &Offer, json: &str) -> String {
    fn nonempty(s: &Option<String>) -> Option<&str> {
        s.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    if let Some(id) = nonempty(&offer.offer_id) {
        format!("id:{id}")
    } else if let Some(handle) = nonempty(&offer.offer_map_id) {
        format!("map:{handle}")
    } else if let Some(url) = offer.picture_link() {
        format!("pic:{url}")
    } else {
        format!("json:{json}")
    }
}

pub(super) fn fen(offer: &Offer) -> Option<i64> {
    offer
        .price
        .map(|p| i64::try_from(p.fen()).unwrap_or(i64::MAX))
}

impl Store {
    /// Records one page of a search in one transaction: each offer upserted
    /// by (provider, key) with its last price, a price-history row when the
    /// price changed, the results in rank order after those already
    /// recorded, and the search's total and loaded count. Recording a page
    /// again (a retry) replaces that page's results; pages read back in
    /// page order whatever order they were recorded in.
    pub fn record_page(
        &self,
        search: SearchId,
        page: u32,
        offers: &[Offer],
        total: Option<u64>,
    ) -> Result<(), StoreError> {
        self.record_page_at(search, page, None, offers, &[], total)
            .map(|_| ())
    }

    /// [`Store::record_page`] with each offer's position in the results as
    /// the app numbers them (`first_position` and on; `None`: after the
    /// earlier pages recorded) and its picture key, so the app can read
    /// rows back by position and group sellers of one picture without
    /// keeping every offer. Returns, per offer, the first offer of this
    /// search with the same picture key: its position and price (its own
    /// when it is the first, or has no key).
    ///
    /// When the disk will not take the page (full, failing) and the search
    /// has no results recorded yet, the search is removed too (as far as
    /// the disk allows: a delete needs no new pages), so the history does
    /// not list a search whose saving failed; one with earlier pages stays,
    /// with them.
    pub fn record_page_at(
        &self,
        search: SearchId,
        page: u32,
        first_position: Option<u64>,
        offers: &[Offer],
        picture_keys: &[Option<String>],
        total: Option<u64>,
    ) -> Result<Vec<GroupFirst>, StoreError> {
        let recorded = self.write_page(search, page, first_position, offers, picture_keys, total);
        if let Err(e) = &recorded
            && e.is_disk_refusal()
        {
            match self.forget_if_empty(search) {
                Ok(true) => tracing::debug!("search {} removed: its first page failed", search.0),
                Ok(false) => {}
                Err(again) => tracing::debug!("search {} not removed: {again}", search.0),
            }
        }
        recorded
    }

    /// Deletes a search that has no results recorded; says whether it did.
    fn forget_if_empty(&self, search: SearchId) -> Result<bool, StoreError> {
        self.with(|conn| {
            Ok(conn.execute(
                "DELETE FROM searches WHERE id = ?1
                 AND NOT EXISTS (SELECT 1 FROM results WHERE search_id = ?1)",
                [search.0],
            )? > 0)
        })
    }

    fn write_page(
        &self,
        search: SearchId,
        page: u32,
        first_position: Option<u64>,
        offers: &[Offer],
        picture_keys: &[Option<String>],
        total: Option<u64>,
    ) -> Result<Vec<GroupFirst>, StoreError> {
        let jsons = offers
            .iter()
            .map(serde_json::to_string)
            .collect::<Result<Vec<_>, _>>()
            .map_err(StoreError::Json)?;
        let at = now();
        self.with(|conn| {
            let mut firsts = Vec::with_capacity(offers.len());
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            {
                let provider: String = tx
                    .query_row(
                        "SELECT provider FROM searches WHERE id = ?1",
                        [search.0],
                        |r| r.get(0),
                    )
                    .optional()?
                    .ok_or(StoreError::NoSearch(search.0))?;
                tx.prepare_cached("DELETE FROM results WHERE search_id = ?1 AND page = ?2")?
                    .execute(params![search.0, page])?;
                let first_rank: i64 = tx.query_row(
                    "SELECT COALESCE(MAX(rank) + 1, 0) FROM results WHERE search_id = ?1",
                    [search.0],
                    |r| r.get(0),
                )?;
                let first_position: i64 = match first_position {
                    Some(p) => i64::try_from(p).unwrap_or(i64::MAX),
                    None => tx.query_row(
                        "SELECT COUNT(*) FROM results WHERE search_id = ?1 AND page < ?2",
                        params![search.0, page],
                        |r| r.get(0),
                    )?,
                };
                let mut same_picture = tx.prepare_cached(
                    "SELECT position, price_fen FROM results
                     WHERE search_id = ?1 AND picture_key = ?2 ORDER BY position LIMIT 1",
                )?;
                let mut find = tx.prepare_cached(
                    "SELECT id, last_price_fen FROM offers WHERE provider = ?1 AND offer_key = ?2",
                )?;
                let mut insert = tx.prepare_cached(
                    "INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen, last_price_fen, seller_key)
                     VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6)",
                )?;
                let mut update = tx.prepare_cached(
                    "UPDATE offers SET offer = ?2, last_seen = ?3, last_price_fen = ?4, seller_key = ?5
                     WHERE id = ?1",
                )?;
                let mut history = tx.prepare_cached(
                    "INSERT OR REPLACE INTO price_history (offer_id, seen_at, price_fen)
                     VALUES (?1, ?2, ?3)",
                )?;
                let mut result = tx.prepare_cached(
                    "INSERT INTO results (search_id, offer_id, page, rank, price_fen, position, picture_key)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?;
                for (i, (offer, json)) in offers.iter().zip(&jsons).enumerate() {
                    let rank = first_rank + i as i64;
                    let position = first_position.saturating_add(i as i64);
                    let picture = picture_keys.get(i).cloned().flatten();
                    let key = offer_key(offer, json);
                    let price = fen(offer);
                    let seller = offer_seller_key(offer);
                    let found = find
                        .query_row(params![provider, key], |r| {
                            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
                        })
                        .optional()?;
                    let (id, changed) = match found {
                        Some((id, last)) => {
                            update.execute(params![id, json, at, price.or(last), seller])?;
                            (id, price.is_some() && price != last)
                        }
                        None => {
                            insert.execute(params![provider, key, json, at, price, seller])?;
                            (tx.last_insert_rowid(), price.is_some())
                        }
                    };
                    if let (true, Some(price)) = (changed, price) {
                        history.execute(params![id, at, price])?;
                    }
                    let first = match &picture {
                        Some(k) => same_picture
                            .query_row(params![search.0, k], |r| {
                                Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?))
                            })
                            .optional()?,
                        None => None,
                    };
                    let (first_at, first_fen) = first.unwrap_or((position, price));
                    firsts.push(GroupFirst {
                        position: u64::try_from(first_at).unwrap_or(0),
                        price: first_fen.and_then(|f| u64::try_from(f).ok()).map(Price),
                    });
                    result.execute(params![search.0, id, page, rank, price, position, picture])?;
                }
                tx.execute(
                    "UPDATE searches SET total = COALESCE(?2, total),
                     loaded = (SELECT COUNT(*) FROM results WHERE search_id = ?1)
                     WHERE id = ?1",
                    params![search.0, total.map(|t| i64::try_from(t).unwrap_or(i64::MAX))],
                )?;
            }
            tx.commit()?;
            Ok(firsts)
        })
    }

    /// A search's offers in rank order (to reopen it without a request),
    /// each as last seen but with the price that search saw. Where it
    /// recorded none (rows from schema v1, or an offer shown without a
    /// price) the last known price stays.
    pub fn search_offers(&self, search: SearchId) -> Result<Vec<Offer>, StoreError> {
        let rows: Vec<(String, Option<i64>)> = self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT o.offer, r.price_fen FROM results r JOIN offers o ON o.id = r.offer_id
                 WHERE r.search_id = ?1 ORDER BY r.page, r.rank",
            )?;
            let rows = st.query_map([search.0], |r| Ok((r.get(0)?, r.get(1)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.iter()
            .map(|(json, fen)| {
                let mut offer: Offer = serde_json::from_str(json).map_err(StoreError::Json)?;
                if let Some(fen) = fen {
                    offer.price = Some(Price(u64::try_from(*fen).unwrap_or(0)));
                }
                Ok(offer)
            })
            .collect()
    }

    /// For each offer of this search, in rank order, how it compares with
    /// the search of the same picture before it. All `Same` when there is
    /// no earlier one.
    pub fn changes_since_last(&self, search: SearchId) -> Result<Vec<Change>, StoreError> {
        self.changes_in(search, 0..u64::MAX)
    }

    /// [`Store::changes_since_last`] for the offers at `positions` only
    /// (one page: the work does not grow with the results before it).
    pub fn changes_in(
        &self,
        search: SearchId,
        positions: std::ops::Range<u64>,
    ) -> Result<Vec<Change>, StoreError> {
        let from = i64::try_from(positions.start).unwrap_or(i64::MAX);
        let to = i64::try_from(positions.end).unwrap_or(i64::MAX);
        let Some(before) = self.previous_search(search)? else {
            let n = self.with(|conn| {
                Ok(conn.query_row(
                    "SELECT COUNT(*) FROM results WHERE search_id = ?1
                     AND position >= ?2 AND position < ?3",
                    params![search.0, from, to],
                    |r| r.get::<_, i64>(0),
                )?)
            })?;
            return Ok(vec![Change::Same; n.max(0) as usize]);
        };
        self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT r.price_fen,
                        EXISTS (SELECT 1 FROM results b WHERE b.search_id = ?2 AND b.offer_id = r.offer_id),
                        (SELECT b.price_fen FROM results b
                         WHERE b.search_id = ?2 AND b.offer_id = r.offer_id ORDER BY b.rank LIMIT 1)
                 FROM results r WHERE r.search_id = ?1 AND r.position >= ?3 AND r.position < ?4
                 ORDER BY r.position",
            )?;
            let rows = st.query_map(params![search.0, before.0, from, to], |r| {
                let now: Option<i64> = r.get(0)?;
                let was_there: bool = r.get(1)?;
                let was: Option<i64> = r.get(2)?;
                Ok(match (was_there, now, was) {
                    (false, _, _) => Change::New,
                    (true, Some(now), Some(was)) if now > was => Change::PriceUp {
                        was_fen: was.max(0) as u64,
                    },
                    (true, Some(now), Some(was)) if now < was => Change::PriceDown {
                        was_fen: was.max(0) as u64,
                    },
                    _ => Change::Same,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SearchParams;
    use crate::store::searches::NewSearch;
    use crate::store::test_store;

    fn offer(id: &str, fen: u64) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            title: format!("offer {id}\u{1b}[31m"),
            price: Some(Price(fen)),
            image_url: Some(format!("https://cbu01.alicdn.com/{id}.jpg")),
            ..Offer::default()
        }
    }

    fn search(store: &Store, md5: &str) -> SearchId {
        store
            .record_search(&NewSearch {
                source_md5: md5,
                thumbnail: None,
                source: "shoe.jpg",
                provider: "dajisaas",
                params: &SearchParams::default(),
            })
            .unwrap()
    }

    /// A full disk: the database may not grow past its current pages.
    fn fill_disk(store: &Store) {
        store
            .with(|c| {
                let pages: i64 = c.query_row("PRAGMA page_count", [], |r| r.get(0))?;
                c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
                Ok(())
            })
            .unwrap();
    }

    /// A search whose first page cannot be written (a full disk) is not
    /// left in the history with nothing in it; one whose later page fails
    /// keeps what it had.
    #[test]
    fn a_search_whose_first_page_cannot_be_written_is_not_listed() {
        let store = test_store();
        let earlier = search(&store, "aa");
        store
            .record_page(earlier, 1, &[offer("1", 1)], Some(9))
            .unwrap();
        let failing = search(&store, "bb");
        fill_disk(&store);
        let many: Vec<Offer> = (0..400).map(|i| offer(&format!("n{i}"), i)).collect();
        assert!(store.record_page(failing, 1, &many, Some(400)).is_err());
        let listed: Vec<SearchId> = store
            .recent_searches(10)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(listed, [earlier]);
        assert!(store.record_page(earlier, 2, &many, Some(9)).is_err());
        let kept = store.recent_searches(10).unwrap();
        assert_eq!((kept.len(), kept[0].loaded), (1, 1));
    }

    fn count(store: &Store, sql: &str) -> i64 {
        store
            .with(|c| Ok(c.query_row(sql, [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn keys_prefer_the_id_then_the_handle_then_the_picture() {
        let mut o = offer("1", 100);
        assert_eq!(offer_key(&o, "{}"), "id:1");
        o.offer_id = None;
        o.offer_map_id = Some("m".into());
        assert_eq!(offer_key(&o, "{}"), "map:m");
        o.offer_map_id = Some(" ".into());
        assert_eq!(offer_key(&o, "{}"), "pic:https://cbu01.alicdn.com/1.jpg");
        o.image_url = None;
        assert_eq!(offer_key(&o, "{}"), "json:{}");
    }

    #[test]
    fn two_pages_read_back_in_rank_order_with_totals() {
        let store = test_store();
        let s = search(&store, "aa");
        let page1 = [offer("1", 100), offer("2", 200)];
        let page2 = [offer("3", 300), offer("1", 100)];
        store.record_page(s, 1, &page1, Some(4)).unwrap();
        store.record_page(s, 2, &page2, None).unwrap();
        let back = store.search_offers(s).unwrap();
        assert_eq!(back, [&page1[..], &page2[..]].concat());
        assert_eq!(back[0].title, "offer 1\u{1b}[31m", "stored raw");
        let recent = store.recent_searches(1).unwrap();
        assert_eq!((recent[0].total, recent[0].loaded), (Some(4), 4));
        assert_eq!(count(&store, "SELECT COUNT(*) FROM offers"), 3);
        let ranks: String = store
            .with(|c| {
                Ok(c.query_row(
                    "SELECT group_concat(page || ':' || rank, ' ') FROM
                     (SELECT page, rank FROM results ORDER BY rank)",
                    [],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        assert_eq!(ranks, "1:0 1:1 2:2 2:3");
    }

    #[test]
    fn a_page_for_no_search_is_refused() {
        let store = test_store();
        let err = store
            .record_page(SearchId(42), 1, &[offer("1", 1)], None)
            .unwrap_err();
        assert!(matches!(err, StoreError::NoSearch(42)), "{err}");
        assert_eq!(count(&store, "SELECT COUNT(*) FROM offers"), 0);
    }

    #[test]
    fn a_second_search_of_the_picture_marks_new_offers_and_price_moves() {
        let store = test_store();
        let first = search(&store, "aa");
        store
            .record_page(
                first,
                1,
                &[offer("1", 100), offer("2", 200), offer("3", 300)],
                None,
            )
            .unwrap();
        assert_eq!(store.changes_since_last(first).unwrap(), [Change::Same; 3]);
        search(&store, "other");
        let second = search(&store, "aa");
        store
            .record_page(
                second,
                1,
                &[
                    offer("2", 250),
                    offer("4", 10),
                    offer("1", 90),
                    offer("3", 300),
                ],
                None,
            )
            .unwrap();
        assert_eq!(
            store.changes_since_last(second).unwrap(),
            [
                Change::PriceUp { was_fen: 200 },
                Change::New,
                Change::PriceDown { was_fen: 100 },
                Change::Same,
            ]
        );
        // An unchanged price adds no history; a changed one is the latest
        // (rows are per second: two prices in one second keep the last).
        let history = |what: &str, key: &str| {
            count(
                &store,
                &format!(
                    "SELECT {what} FROM price_history WHERE offer_id =
                     (SELECT id FROM offers WHERE offer_key = '{key}')
                     ORDER BY seen_at DESC LIMIT 1"
                ),
            )
        };
        assert_eq!(history("COUNT(*)", "id:3"), 1);
        assert_eq!(history("price_fen", "id:1"), 90);
        assert_eq!(history("price_fen", "id:2"), 250);
        assert_eq!(
            count(
                &store,
                "SELECT last_price_fen FROM offers WHERE offer_key = 'id:1'"
            ),
            90
        );
        let history = store.source_history("aa").unwrap();
        assert!(history.label().unwrap().starts_with("searched 2× since "));
    }

    #[test]
    fn deleting_a_search_drops_its_results_and_keeps_the_offers() {
        let store = test_store();
        let s = search(&store, "aa");
        let kept = search(&store, "bb");
        store
            .record_page(s, 1, &[offer("1", 1), offer("2", 2)], None)
            .unwrap();
        store.record_page(kept, 1, &[offer("2", 2)], None).unwrap();
        assert!(store.delete_search(s).unwrap());
        assert!(!store.delete_search(s).unwrap());
        assert_eq!(count(&store, "SELECT COUNT(*) FROM results"), 1);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM offers"), 2);
        assert_eq!(count(&store, "SELECT COUNT(*) FROM price_history"), 2);
        assert!(store.search_offers(s).unwrap().is_empty());
        assert_eq!(store.search_offers(kept).unwrap(), [offer("2", 2)]);
    }

    #[test]
    fn a_page_of_a_thousand_is_all_or_nothing() {
        let store = test_store();
        let s = search(&store, "aa");
        let page: Vec<Offer> = (0..1000).map(|i| offer(&i.to_string(), i)).collect();
        // Fail the page's last row: if each row committed on its own, the
        // first 999 would stay.
        store
            .with(|c| {
                c.execute_batch(
                    "CREATE TEMP TRIGGER fail_last BEFORE INSERT ON results
                     WHEN NEW.rank = 999 BEGIN SELECT RAISE(ABORT, 'injected'); END;",
                )?;
                Ok(())
            })
            .unwrap();
        assert!(store.record_page(s, 1, &page, Some(1000)).is_err());
        for table in ["offers", "results", "price_history"] {
            assert_eq!(
                count(&store, &format!("SELECT COUNT(*) FROM {table}")),
                0,
                "{table}"
            );
        }
        assert_eq!(store.recent_searches(1).unwrap()[0].total, None);
        store
            .with(|c| Ok(c.execute_batch("DROP TRIGGER fail_last")?))
            .unwrap();
        store.record_page(s, 1, &page, Some(1000)).unwrap();
        assert_eq!(store.search_offers(s).unwrap(), page);
        assert_eq!(store.recent_searches(1).unwrap()[0].loaded, 1000);
    }
}
