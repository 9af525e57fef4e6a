//! The `searches` table: recording a search, listing recent ones, how often
//! a picture was searched, and deleting one (its results go with it).

use super::{Store, StoreError, now};
use crate::api::{Offer, SearchParams};
use rusqlite::{OptionalExtension, params};

/// A recorded search's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SearchId(pub i64);

/// What is known of a search when it starts.
#[derive(Debug, Clone, Copy)]
pub struct NewSearch<'a> {
    /// MD5 of the prepared picture, hex.
    pub source_md5: &'a str,
    /// A small copy of the picture, if one was made.
    pub thumbnail: Option<&'a [u8]>,
    /// The file name or URL searched (raw: sanitise before display).
    pub source: &'a str,
    /// The provider's name.
    pub provider: &'a str,
    pub params: &'a SearchParams,
}

/// One line of the history list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSummary {
    pub id: SearchId,
    /// MD5 of the prepared picture, hex (the key of "searched 3× since").
    pub source_md5: String,
    /// File name or URL, raw: sanitise before display.
    pub source: String,
    pub provider: String,
    /// Unix seconds.
    pub searched_at: i64,
    /// The provider's total count, once a page said it.
    pub total: Option<u64>,
    /// Offers recorded so far.
    pub loaded: u64,
    pub has_thumbnail: bool,
    /// The search's filters, read back from their JSON; the defaults if
    /// that JSON is unreadable (written by another version).
    pub params: SearchParams,
}

/// A recorded search with its offers, to reopen it without a request.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSearch {
    pub summary: SearchSummary,
    /// In rank order, each with the price this search saw.
    pub offers: Vec<Offer>,
    /// Every offer can be read back by its position ([`Store::offers_at`]).
    pub readable: bool,
}

/// The columns a [`SearchSummary`] is read from, in [`summary`]'s order.
const SUMMARY_COLUMNS: &str =
    "id, source, provider, searched_at, total, loaded, thumbnail IS NOT NULL, source_md5, filters";

fn summary(r: &rusqlite::Row<'_>) -> rusqlite::Result<SearchSummary> {
    let filters: String = r.get(8)?;
    Ok(SearchSummary {
        id: SearchId(r.get(0)?),
        source: r.get(1)?,
        provider: r.get(2)?,
        searched_at: r.get(3)?,
        total: r.get::<_, Option<i64>>(4)?.map(|t| t.max(0) as u64),
        loaded: r.get::<_, i64>(5)?.max(0) as u64,
        has_thumbnail: r.get(6)?,
        source_md5: r.get(7)?,
        params: serde_json::from_str(&filters).unwrap_or_default(),
    })
}

/// How often one picture was searched: "searched 3× since 12 Nov".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceHistory {
    pub times: u64,
    /// Unix seconds of the first search; `None` when never searched.
    pub since: Option<i64>,
}

/// What makes searches "the same search" for the history's counts and
/// changes: the picture, and the part of it searched. A crop of a photo is
/// its own search (`<md5>#crop=<boxes>`); the whole photo is its MD5.
pub fn search_key(source_md5: &str, params: &SearchParams) -> String {
    match &params.crop {
        Some(crop) => format!("{source_md5}#crop={crop}"),
        None => source_md5.to_string(),
    }
}

impl Store {
    /// Records the start of a search, now, and returns its id. The filters
    /// are kept as JSON.
    pub fn record_search(&self, search: &NewSearch<'_>) -> Result<SearchId, StoreError> {
        let filters = serde_json::to_string(search.params).map_err(StoreError::Json)?;
        let key = search_key(search.source_md5, search.params);
        self.with(|conn| {
            conn.prepare_cached(
                "INSERT INTO searches (source_md5, thumbnail, source, provider, filters, searched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                key,
                search.thumbnail,
                search.source,
                search.provider,
                filters,
                now()
            ])?;
            Ok(SearchId(conn.last_insert_rowid()))
        })
    }

    /// The latest `limit` searches, newest first.
    pub fn recent_searches(&self, limit: u32) -> Result<Vec<SearchSummary>, StoreError> {
        self.with(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {SUMMARY_COLUMNS} FROM searches
                 ORDER BY searched_at DESC, id DESC LIMIT ?1"
            ))?;
            let rows = st.query_map([limit], summary)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// A search with its offers in rank order, each with the price that
    /// search saw; `None` if there is no such search.
    pub fn load_search(&self, id: SearchId) -> Result<Option<StoredSearch>, StoreError> {
        let found = self.with(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {SUMMARY_COLUMNS} FROM searches WHERE id = ?1"
                ))?
                .query_row([id.0], summary)
                .optional()?)
        })?;
        let Some(summary) = found else {
            return Ok(None);
        };
        let offers = self.search_offers(id)?;
        let readable = self.positions_complete(id)?;
        Ok(Some(StoredSearch {
            summary,
            offers,
            readable,
        }))
    }

    /// The small copy of a search's picture, if one was kept.
    pub fn search_thumbnail(&self, id: SearchId) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached("SELECT thumbnail FROM searches WHERE id = ?1")?
                .query_row([id.0], |r| r.get::<_, Option<Vec<u8>>>(0))
                .optional()?
                .flatten())
        })
    }

    /// How many times the picture with this MD5 was searched, and since when.
    pub fn source_history(&self, md5: &str) -> Result<SourceHistory, StoreError> {
        self.with(|conn| {
            let (times, since) = conn.query_row(
                "SELECT COUNT(*), MIN(searched_at) FROM searches WHERE source_md5 = ?1",
                [md5],
                |r| Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?)),
            )?;
            Ok(SourceHistory {
                times: times.max(0) as u64,
                since,
            })
        })
    }

    /// The search of the same picture just before this one, if any.
    pub(super) fn previous_search(&self, id: SearchId) -> Result<Option<SearchId>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT p.id FROM searches s JOIN searches p ON p.source_md5 = s.source_md5
                     WHERE s.id = ?1 AND p.id < s.id ORDER BY p.id DESC LIMIT 1",
                    [id.0],
                    |r| r.get(0),
                )
                .optional()?
                .map(SearchId))
        })
    }

    /// Deletes a search and its results; the offers seen (and their price
    /// history, and the shortlist) stay. Says whether there was one.
    pub fn delete_search(&self, id: SearchId) -> Result<bool, StoreError> {
        self.with(|conn| Ok(conn.execute("DELETE FROM searches WHERE id = ?1", [id.0])? > 0))
    }
}

impl SourceHistory {
    /// "searched 3× since 12 Nov" (dates in UTC), or `None` for a picture
    /// searched at most once.
    pub fn label(&self) -> Option<String> {
        let since = self.since.filter(|_| self.times > 1)?;
        Some(format!(
            "searched {}× since {}",
            self.times,
            crate::text::day_month(since)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;

    fn search<'a>(md5: &'a str, params: &'a SearchParams) -> NewSearch<'a> {
        NewSearch {
            source_md5: md5,
            thumbnail: None,
            source: "shoe.jpg",
            provider: "dajisaas",
            params,
        }
    }

    #[test]
    fn a_search_is_listed_with_its_filters_and_thumbnail() {
        let store = test_store();
        let params = SearchParams {
            page_size: Some(20),
            filters: vec![crate::api::FilterFlag::Jxhy],
            ..SearchParams::default()
        };
        let first = store.record_search(&search("aa", &params)).unwrap();
        let second = store
            .record_search(&NewSearch {
                thumbnail: Some(b"png"),
                source: "https://example.com/a.jpg",
                ..search("bb", &params)
            })
            .unwrap();
        let recent = store.recent_searches(10).unwrap();
        assert_eq!(
            recent.iter().map(|s| s.id).collect::<Vec<_>>(),
            [second, first]
        );
        assert!(recent[0].has_thumbnail && !recent[1].has_thumbnail);
        assert_eq!(recent[0].source, "https://example.com/a.jpg");
        assert_eq!((recent[0].total, recent[0].loaded), (None, 0));
        assert_eq!(store.recent_searches(1).unwrap().len(), 1);
        let filters: String = store
            .with(|c| {
                Ok(c.query_row(
                    "SELECT filters FROM searches WHERE id = ?1",
                    [first.0],
                    |r| r.get(0),
                )?)
            })
            .unwrap();
        let filters: serde_json::Value = serde_json::from_str(&filters).unwrap();
        assert_eq!(filters["page_size"], 20);
        assert_eq!(filters["filters"][0], "Jxhy");
    }

    #[test]
    fn the_same_picture_twice_is_counted_since_the_first() {
        let store = test_store();
        let params = SearchParams::default();
        assert_eq!(
            store.source_history("aa").unwrap(),
            SourceHistory {
                times: 0,
                since: None
            }
        );
        let first = store.record_search(&search("aa", &params)).unwrap();
        store.record_search(&search("bb", &params)).unwrap();
        assert_eq!(store.source_history("aa").unwrap().label(), None);
        let second = store.record_search(&search("aa", &params)).unwrap();
        let history = store.source_history("aa").unwrap();
        assert_eq!(history.times, 2);
        let label = history.label().unwrap();
        assert!(label.starts_with("searched 2× since "), "{label}");
        assert_eq!(store.previous_search(second).unwrap(), Some(first));
        assert_eq!(store.previous_search(first).unwrap(), None);
        let fixed = SourceHistory {
            times: 3,
            since: Some(1_731_369_600),
        };
        assert_eq!(fixed.label().unwrap(), "searched 3× since 12 Nov");
    }

    fn priced(id: &str, fen: u64) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            title: format!("offer {id}"),
            price: Some(crate::api::Price(fen)),
            ..Offer::default()
        }
    }

    #[test]
    fn a_loaded_search_has_its_own_prices_and_its_filters() {
        let store = test_store();
        let params = SearchParams {
            sort: Some("price-asc".parse().unwrap()),
            filters: vec![
                crate::api::FilterFlag::New7,
                crate::api::FilterFlag::Other("JPFL".into()),
            ],
            price_start: Some(crate::api::Price(500)),
            ..SearchParams::default()
        };
        let first = store
            .record_search(&NewSearch {
                thumbnail: Some(b"jpg"),
                ..search("aa", &params)
            })
            .unwrap();
        store
            .record_page(first, 1, &[priced("1", 100), priced("2", 200)], Some(9))
            .unwrap();
        let second = store.record_search(&search("aa", &params)).unwrap();
        store
            .record_page(second, 1, &[priced("1", 150)], None)
            .unwrap();
        let back = store.load_search(first).unwrap().unwrap();
        assert_eq!(back.offers, [priced("1", 100), priced("2", 200)]);
        assert_eq!(back.summary.params, params);
        assert_eq!(back.summary.source_md5, "aa");
        assert_eq!((back.summary.loaded, back.summary.total), (2, Some(9)));
        assert_eq!(
            store.load_search(second).unwrap().unwrap().offers,
            [priced("1", 150)]
        );
        assert_eq!(
            store.search_thumbnail(first).unwrap().as_deref(),
            Some(&b"jpg"[..])
        );
        assert_eq!(store.search_thumbnail(second).unwrap(), None);
        assert_eq!(store.load_search(SearchId(99)).unwrap(), None);
        // Filters another version wrote read back as the defaults.
        store
            .with(|c| Ok(c.execute("UPDATE searches SET filters = '{\"sort\":7}'", [])?))
            .unwrap();
        let recent = store.recent_searches(1).unwrap();
        assert_eq!(recent[0].params, SearchParams::default());
    }

    #[test]
    fn a_page_recorded_again_replaces_its_rows() {
        let store = test_store();
        let params = SearchParams::default();
        let s = store.record_search(&search("aa", &params)).unwrap();
        let page1 = [priced("1", 1), priced("2", 2)];
        let page2 = [priced("3", 3), priced("4", 4)];
        store.record_page(s, 1, &page1, Some(4)).unwrap();
        store.record_page(s, 2, &page2, Some(4)).unwrap();
        // A retry of page 2, then of page 1 (whose answer changed).
        store.record_page(s, 2, &page2, Some(4)).unwrap();
        let page1_again = [priced("1", 1), priced("5", 5)];
        store.record_page(s, 1, &page1_again, Some(4)).unwrap();
        let back = store.load_search(s).unwrap().unwrap();
        assert_eq!(back.offers, [&page1_again[..], &page2[..]].concat());
        assert_eq!(back.summary.loaded, 4);
    }

    #[test]
    fn a_crop_of_a_picture_is_counted_and_compared_as_its_own_search() {
        let store = test_store();
        let whole = SearchParams::default();
        let crop = SearchParams {
            crop: Some("10,10,200,200".into()),
            ..SearchParams::default()
        };
        let first = store.record_search(&search("aa", &whole)).unwrap();
        let cropped = store.record_search(&search("aa", &crop)).unwrap();
        store.record_search(&search("aa", &crop)).unwrap();
        assert_eq!(store.source_history("aa").unwrap().times, 1);
        assert_eq!(
            store
                .source_history(&search_key("aa", &crop))
                .unwrap()
                .times,
            2
        );
        // The crop's previous search is the crop's, never the whole photo's.
        assert_eq!(store.previous_search(cropped).unwrap(), None);
        assert_eq!(store.previous_search(first).unwrap(), None);
        // The crop is kept with the search's filters.
        let back = store.load_search(cropped).unwrap().unwrap();
        assert_eq!(back.summary.params.crop.as_deref(), Some("10,10,200,200"));
    }
}
