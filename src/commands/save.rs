//! `tusou search --save`: the search and each page written go to the
//! history. A history that is off or fails (read-only place, full disk)
//! never fails the search: it says so on one stderr line and stops trying.

use crate::api::{ResultPage, SearchParams};
use crate::store::{NewSearch, SearchId, Store};
use crate::text::sanitize;

/// What the search is recorded as.
#[derive(Debug, Clone, Copy)]
pub(super) struct Searched<'a> {
    pub(super) source_md5: &'a str,
    pub(super) thumbnail: Option<&'a [u8]>,
    /// The argument as given.
    pub(super) source: &'a str,
    pub(super) provider: &'a str,
    pub(super) params: &'a SearchParams,
}

/// Records one search's pages, until the first failure.
#[derive(Debug)]
pub(super) struct Recorder<'a> {
    /// `None` once recording stopped (or never started).
    target: Option<(&'a Store, SearchId)>,
}

impl<'a> Recorder<'a> {
    /// Records the search's start. `store` is `None` when history is off
    /// (`off` says why). Reports on stderr when it cannot record.
    pub(super) fn start(
        store: Option<&'a Store>,
        off: Option<&str>,
        searched: &Searched<'_>,
    ) -> Self {
        let Some(store) = store else {
            let why = off
                .map(|r| r.strip_prefix("history is off: ").unwrap_or(r))
                .unwrap_or("no store");
            eprintln!(
                "tusou: history: off ({}); this search is not saved",
                sanitize(why)
            );
            return Recorder { target: None };
        };
        let recorded = store.record_search(&NewSearch {
            source_md5: searched.source_md5,
            thumbnail: searched.thumbnail,
            source: searched.source,
            provider: searched.provider,
            params: searched.params,
        });
        match recorded {
            Ok(id) => Recorder {
                target: Some((store, id)),
            },
            Err(e) => {
                failed(&e);
                Recorder { target: None }
            }
        }
    }

    /// A recorder that records nothing and says nothing (no `--save`).
    pub(super) fn none() -> Self {
        Recorder { target: None }
    }

    /// Records a page written.
    pub(super) fn page(&mut self, page: u32, result: &ResultPage) {
        let Some((store, id)) = self.target else {
            return;
        };
        if let Err(e) = store.record_page(id, page, &result.offers, Some(result.total_records)) {
            failed(&e);
            self.target = None;
        }
    }

    /// The search's id in the history, while recording.
    #[cfg(test)]
    fn id(&self) -> Option<SearchId> {
        self.target.map(|(_, id)| id)
    }
}

fn failed(e: &crate::store::StoreError) {
    eprintln!(
        "tusou: history: could not save this search ({}); the results are printed but not kept",
        sanitize(&e.to_string())
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Offer, Price};
    use crate::store::Opened;

    fn result(n: u32) -> ResultPage {
        ResultPage {
            offers: (0..3)
                .map(|i| Offer {
                    offer_id: Some(format!("{}", n * 10 + i)),
                    price: Some(Price(100)),
                    ..Offer::default()
                })
                .collect(),
            total_records: 6,
            total_pages: 2,
            page_size: 3,
            current_page: n,
            notices: Vec::new(),
            subjects: None,
        }
    }

    #[test]
    fn pages_are_recorded_and_a_failure_stops_recording() {
        let dir = tempfile::tempdir().unwrap();
        let Opened::On { store, .. } = Store::open(&dir.path().join("tusou.db"), None) else {
            panic!("store")
        };
        let params = SearchParams::default();
        let searched = Searched {
            source_md5: "aa",
            thumbnail: Some(b"jpg"),
            source: "shoe.jpg",
            provider: "demo-dajisaas",
            params: &params,
        };
        let mut rec = Recorder::start(Some(&store), None, &searched);
        let id = rec.id().unwrap();
        rec.page(1, &result(1));
        rec.page(2, &result(2));
        let back = store.load_search(id).unwrap().unwrap();
        assert_eq!((back.summary.loaded, back.summary.total), (6, Some(6)));
        assert_eq!(back.summary.provider, "demo-dajisaas");
        assert_eq!(
            store.search_thumbnail(id).unwrap().as_deref(),
            Some(&b"jpg"[..])
        );
        assert!(store.delete_search(id).unwrap());
        rec.page(3, &result(3));
        assert_eq!(rec.id(), None, "stops after a failure");
        let off = Recorder::start(None, Some("history is off: x"), &searched);
        assert_eq!(off.id(), None);
    }
}
