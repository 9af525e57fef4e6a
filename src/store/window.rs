//! Reading a search's results back a range of positions at a time, so the
//! app keeps only the rows near the screen in memory.

use super::searches::SearchId;
use super::{Store, StoreError};
use crate::api::{Offer, Price};
use rusqlite::params;

impl Store {
    /// The offers of `search` at `positions`, in position order, each as last
    /// seen but with the price that search saw, and with its position (a
    /// position with no row is missing from the answer).
    pub fn offers_at(
        &self,
        search: SearchId,
        positions: std::ops::Range<u64>,
    ) -> Result<Vec<(u64, Offer)>, StoreError> {
        let from = i64::try_from(positions.start).unwrap_or(i64::MAX);
        let to = i64::try_from(positions.end).unwrap_or(i64::MAX);
        let rows: Vec<(i64, String, Option<i64>)> = self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT r.position, o.offer, r.price_fen
                 FROM results r JOIN offers o ON o.id = r.offer_id
                 WHERE r.search_id = ?1 AND r.position >= ?2 AND r.position < ?3
                 ORDER BY r.position",
            )?;
            let rows = st.query_map(params![search.0, from, to], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(|(position, json, fen)| {
                let mut offer: Offer = serde_json::from_str(&json).map_err(StoreError::Json)?;
                if let Some(fen) = fen {
                    offer.price = Some(Price(u64::try_from(fen).unwrap_or(0)));
                }
                Ok((u64::try_from(position).unwrap_or(0), offer))
            })
            .collect()
    }

    /// Whether `search`'s results are numbered `0..n` without a gap, so
    /// every position can be read back (a page the app showed but could not
    /// record leaves a gap).
    pub fn positions_complete(&self, search: SearchId) -> Result<bool, StoreError> {
        self.with(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) = COUNT(DISTINCT position)
                        AND COUNT(position) = COUNT(*)
                        AND COALESCE(MIN(position), 0) = 0
                        AND COALESCE(MAX(position), -1) = COUNT(*) - 1
                 FROM results WHERE search_id = ?1",
                [search.0],
                |r| r.get::<_, bool>(0),
            )?)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::api::{Offer, Price, SearchParams};
    use crate::store::searches::NewSearch;
    use crate::store::{SearchId, Store, test_store};

    fn offer(id: &str, fen: u64, picture: &str) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            title: format!("offer {id}"),
            price: Some(Price(fen)),
            image_url: Some(format!("https://cbu01.alicdn.com/{picture}.jpg")),
            ..Offer::default()
        }
    }

    fn search(store: &Store) -> SearchId {
        store
            .record_search(&NewSearch {
                source_md5: "aa",
                thumbnail: None,
                source: "shoe.jpg",
                provider: "dajisaas",
                params: &SearchParams::default(),
            })
            .unwrap()
    }

    fn keys(offers: &[Offer]) -> Vec<Option<String>> {
        offers.iter().map(|o| o.image_url.clone()).collect()
    }

    #[test]
    fn ranges_read_back_by_position_with_the_groups_of_one_picture() {
        let store = test_store();
        let s = search(&store);
        let page1 = [
            offer("1", 100, "a"),
            offer("2", 200, "b"),
            offer("3", 90, "a"),
        ];
        let page2 = [offer("4", 300, "b"), offer("5", 50, "c")];
        let firsts1 = store
            .record_page_at(s, 1, Some(0), &page1, &keys(&page1), Some(5))
            .unwrap();
        let firsts2 = store
            .record_page_at(s, 2, Some(3), &page2, &keys(&page2), None)
            .unwrap();
        let at = |f: &[crate::store::GroupFirst]| -> Vec<(u64, Option<u64>)> {
            f.iter()
                .map(|g| (g.position, g.price.map(|p| p.0)))
                .collect()
        };
        assert_eq!(
            at(&firsts1),
            [(0, Some(100)), (1, Some(200)), (0, Some(100))],
            "the third offer shows the first one's picture"
        );
        assert_eq!(
            at(&firsts2),
            [(1, Some(200)), (4, Some(50))],
            "across pages"
        );
        let back = store.offers_at(s, 2..4).unwrap();
        let ids: Vec<(u64, &str)> = back
            .iter()
            .map(|(p, o)| (*p, o.offer_id.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(ids, [(2, "3"), (3, "4")]);
        assert!(store.offers_at(s, 5..9).unwrap().is_empty());
        assert!(store.positions_complete(s).unwrap());
        assert_eq!(store.changes_in(s, 3..5).unwrap().len(), 2, "one page's");
    }

    #[test]
    fn a_page_never_recorded_leaves_a_gap_the_app_can_see() {
        let store = test_store();
        let s = search(&store);
        let page1 = [offer("1", 100, "a")];
        let page3 = [offer("3", 100, "c")];
        store
            .record_page_at(s, 1, Some(0), &page1, &keys(&page1), None)
            .unwrap();
        store
            .record_page_at(s, 3, Some(2), &page3, &keys(&page3), None)
            .unwrap();
        assert!(!store.positions_complete(s).unwrap());
        let back = store.offers_at(s, 0..3).unwrap();
        assert_eq!(back.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [0, 2]);
    }

    #[test]
    fn headless_pages_are_numbered_after_the_earlier_ones() {
        let store = test_store();
        let s = search(&store);
        let page1 = [offer("1", 100, "a"), offer("2", 100, "b")];
        let page2 = [offer("3", 100, "c")];
        store.record_page(s, 1, &page1, None).unwrap();
        store.record_page(s, 2, &page2, None).unwrap();
        let back = store.offers_at(s, 0..10).unwrap();
        assert_eq!(back.iter().map(|(p, _)| *p).collect::<Vec<_>>(), [0, 1, 2]);
        assert!(store.positions_complete(s).unwrap());
    }
}
