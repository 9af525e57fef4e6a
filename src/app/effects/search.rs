//! A search's tasks: resolving the picture (prepared, uploaded or
//! addressed), fetching its pages, recording it and its pages in the
//! history, reading pages back. A new search aborts the old one's tasks.

use super::{Runner, store};
use crate::api::{Client, ImageRef, SearchParams};
use crate::app::msg::{Failure, HistoryError, Msg};
use crate::app::state::SearchSource;
use crate::image::PrepareOptions;
use crate::store::SearchId;

impl Runner {
    pub(super) fn cancel_search(&mut self) {
        for h in self.search_tasks.drain(..) {
            h.abort();
        }
    }

    pub(super) fn start_search(
        &mut self,
        generation: u64,
        source: SearchSource,
        params: SearchParams,
        record: bool,
    ) {
        self.cancel_search();
        let tx = self.tx.clone();
        let client = self.client.clone();
        let opts = self.prepare.clone();
        let recorder = self
            .store
            .clone()
            .filter(|_| record)
            .map(|s| (s, self.provider.clone()));
        let task = tokio::spawn(async move {
            let result = resolve(&client, source.clone(), opts).await;
            if let (Ok(resolved), Some((store, provider))) = (&result, recorder) {
                let record = store::SearchRecord::of(&source, resolved, params);
                let result = store::record_search(store, provider, record).await;
                let _ = tx.send(Msg::Recorded { generation, result });
            }
            let _ = tx.send(Msg::Resolved { generation, result });
        });
        self.search_tasks.push(task.abort_handle());
    }

    pub(super) fn fetch_page(
        &mut self,
        generation: u64,
        image: ImageRef,
        params: SearchParams,
        page: u32,
        first: u64,
        record: Option<SearchId>,
    ) {
        let tx = self.tx.clone();
        let client = self.client.clone();
        let store = self.store.clone();
        let task = tokio::spawn(async move {
            let result = client
                .search_page(&image, &params, page)
                .await
                .map_err(Failure::from);
            // Stored before it is shown, so pages are stored in order.
            let stored = match (&result, store, record) {
                (Ok(p), Some(store), Some(id)) => {
                    Some(store::record_page(store, id, page, first, p).await)
                }
                _ => None,
            };
            let _ = tx.send(Msg::Page {
                generation,
                page,
                result,
                stored,
            });
        });
        self.search_tasks.push(task.abort_handle());
    }

    pub(super) fn load_offers(
        &self,
        generation: u64,
        search: SearchId,
        pages: Vec<(usize, std::ops::Range<usize>)>,
    ) {
        let tx = self.tx.clone();
        let Some(store) = self.store.clone() else {
            let pages = pages
                .into_iter()
                .map(|(p, _)| (p, Err(HistoryError::Off)))
                .collect();
            let _ = tx.send(Msg::Offers { generation, pages });
            return;
        };
        tokio::spawn(async move {
            let pages = store::read_pages(store, search, pages).await;
            let _ = tx.send(Msg::Offers { generation, pages });
        });
    }

    pub(super) fn record_search(
        &mut self,
        generation: u64,
        source: SearchSource,
        source_md5: String,
        thumbnail: Option<Vec<u8>>,
        params: SearchParams,
    ) {
        let tx = self.tx.clone();
        let Some(store) = self.store.clone() else {
            let _ = tx.send(Msg::Recorded {
                generation,
                result: Err(HistoryError::Off),
            });
            return;
        };
        let record = store::SearchRecord {
            source_md5,
            thumbnail,
            source: store::source_text(&source),
            params,
        };
        let provider = self.provider.clone();
        let task = tokio::spawn(async move {
            let result = store::record_search(store, provider, record).await;
            let _ = tx.send(Msg::Recorded { generation, result });
        });
        self.search_tasks.push(task.abort_handle());
    }
}

async fn resolve(
    client: &Client,
    source: SearchSource,
    opts: PrepareOptions,
) -> Result<crate::api::ResolvedImage, Failure> {
    client
        .resolve_source(&source, &opts)
        .await
        .map_err(Failure::from)
}
