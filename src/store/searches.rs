//! The `searches` table: recording a search, listing recent ones, how often
//! a picture was searched, and deleting one (its results go with it).

use super::{Store, StoreError, now};
use crate::api::SearchParams;
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
}

/// How often one picture was searched: "searched 3× since 12 Nov".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceHistory {
    pub times: u64,
    /// Unix seconds of the first search; `None` when never searched.
    pub since: Option<i64>,
}

impl Store {
    /// Records the start of a search, now, and returns its id. The filters
    /// are kept as JSON.
    pub fn record_search(&self, search: &NewSearch<'_>) -> Result<SearchId, StoreError> {
        let filters = serde_json::to_string(search.params).map_err(StoreError::Json)?;
        self.with(|conn| {
            conn.prepare_cached(
                "INSERT INTO searches (source_md5, thumbnail, source, provider, filters, searched_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?
            .execute(params![
                search.source_md5,
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
            let mut st = conn.prepare_cached(
                "SELECT id, source, provider, searched_at, total, loaded, thumbnail IS NOT NULL
                 FROM searches ORDER BY searched_at DESC, id DESC LIMIT ?1",
            )?;
            let rows = st.query_map([limit], |r| {
                Ok(SearchSummary {
                    id: SearchId(r.get(0)?),
                    source: r.get(1)?,
                    provider: r.get(2)?,
                    searched_at: r.get(3)?,
                    total: r.get::<_, Option<i64>>(4)?.map(|t| t.max(0) as u64),
                    loaded: r.get::<_, i64>(5)?.max(0) as u64,
                    has_thumbnail: r.get(6)?,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
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
        let (_, month, day) = civil_date(since);
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS.get(month as usize - 1).copied().unwrap_or("?");
        Some(format!("searched {}× since {day} {month}", self.times))
    }
}

/// (year, month 1–12, day 1–31) of a Unix time, in UTC: Howard Hinnant's
/// days-to-civil algorithm.
fn civil_date(unix: i64) -> (i64, u32, u32) {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
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
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(1_731_369_600), (2024, 11, 12));
        assert_eq!(civil_date(951_782_400), (2000, 2, 29));
        assert_eq!(civil_date(-86_400), (1969, 12, 31));
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
}
