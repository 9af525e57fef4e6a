//! Running a job: its pending photos searched `concurrency` at a time, every
//! provider request paced by the client's [`Pacer`], each photo's state
//! written to the store as soon as it changes (so a stop loses nothing and
//! a resume searches nothing twice).
//!
//! A photo's search: prepare and upload (or find its image id in the store),
//! query page 1, then record the search and its page in the history and mark
//! the photo done — in that order, so "done" always has its results.
//!
//! [`Pacer`]: crate::api::pace::Pacer

use crate::api::{ApiError, Client, ErrorKind, ImageSource, ResolveError, SearchParams};
use crate::image::PrepareOptions;
use crate::store::{ItemState, JobId, NewSearch, SearchId, Store, StoreError};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// Times a photo is tried when the provider keeps failing transiently
/// (after the client's own retries), before it is marked failed.
pub const MAX_ATTEMPTS: u32 = 3;

/// What a run needs besides the job.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The job's filters; `page_size` is set to hold `top` matches.
    pub params: SearchParams,
    pub concurrency: usize,
    pub prepare: PrepareOptions,
    /// The name searches are recorded under (as the app's).
    pub provider: String,
}

/// One photo finished (for a progress line).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    Done {
        index: u32,
        total: Option<u64>,
    },
    Failed {
        index: u32,
        source: String,
        reason: String,
    },
    /// A transient failure: the photo goes back in the queue.
    Again {
        index: u32,
        reason: String,
    },
}

/// Why a run stopped before every photo was tried.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Credentials refused: every further photo would fail the same way.
    #[error("{0}")]
    Auth(ApiError),
    #[error("history database: {0}")]
    Store(#[from] StoreError),
    #[error("stopped")]
    Stopped,
}

/// Searches every pending photo of `job`. `on_event` hears each photo's
/// end; `stop` turning true stops the run (photos in flight stay pending).
pub async fn run_job(
    client: &Client,
    store: &Store,
    job: JobId,
    opts: &RunOptions,
    on_event: &(dyn Fn(Event) + Send + Sync),
    mut stop: watch::Receiver<bool>,
) -> Result<(), RunError> {
    let pending: VecDeque<(u32, String, u32)> = blocking(store, move |s| s.job_items(job))
        .await?
        .into_iter()
        .filter(|i| i.state == ItemState::Pending)
        .map(|i| (i.index, i.source, 0))
        .collect();
    let queue = Arc::new(Mutex::new(pending));
    let workers = (0..opts.concurrency.max(1)).map(|_| {
        let queue = queue.clone();
        async move {
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some((index, source, tries)) = next else {
                    return Ok(());
                };
                let s = store.clone();
                blocking(store, move |_| s.item_started(job, index)).await?;
                match photo(client, store, &source, opts).await {
                    Ok((search, total)) => {
                        let s = store.clone();
                        blocking(store, move |_| s.item_done(job, index, search, total)).await?;
                        on_event(Event::Done { index, total });
                    }
                    Err(Failure::Auth(e)) => return Err(RunError::Auth(e)),
                    Err(Failure::Store(e)) => return Err(RunError::Store(e)),
                    Err(Failure::Transient(reason)) if tries + 1 < MAX_ATTEMPTS => {
                        on_event(Event::Again {
                            index,
                            reason: reason.clone(),
                        });
                        if let Ok(mut q) = queue.lock() {
                            q.push_back((index, source, tries + 1));
                        }
                    }
                    Err(Failure::Transient(reason) | Failure::Photo(reason)) => {
                        let (s, r) = (store.clone(), reason.clone());
                        blocking(store, move |_| s.item_failed(job, index, &r)).await?;
                        on_event(Event::Failed {
                            index,
                            source,
                            reason,
                        });
                    }
                }
            }
        }
    });
    let all = futures::future::try_join_all(workers);
    tokio::select! {
        r = all => r.map(|_| ()),
        _ = stop.wait_for(|s| *s) => Err(RunError::Stopped),
    }
}

/// How one photo's search ended, when it did not succeed.
enum Failure {
    /// This photo cannot be searched (unreadable, not an image, refused).
    Photo(String),
    /// The provider or network failed after the client's retries: try the
    /// photo again later in the run.
    Transient(String),
    Auth(ApiError),
    Store(StoreError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Self {
        let text = crate::text::sanitize(&e.to_string());
        match e.kind() {
            ErrorKind::Auth => Failure::Auth(e),
            kind if kind.is_retryable() => Failure::Transient(text),
            _ => Failure::Photo(text),
        }
    }
}

/// Searches one photo and records it; answers the search and the
/// provider's total.
async fn photo(
    client: &Client,
    store: &Store,
    source: &str,
    opts: &RunOptions,
) -> Result<(SearchId, Option<u64>), Failure> {
    let resolved = client
        .resolve_source(&ImageSource::parse(source), &opts.prepare)
        .await
        .map_err(|e| match e {
            ResolveError::Image(e) => Failure::Photo(crate::text::sanitize(&e.to_string())),
            ResolveError::Api(e) => Failure::from(e),
            ResolveError::Task(e) => Failure::Photo(crate::text::sanitize(&e.to_string())),
        })?;
    let page = client
        .search_page(&resolved.image, &opts.params, 1)
        .await
        .map_err(Failure::from)?;
    let total = Some(page.total_records);
    let (s, src, provider, params) = (
        store.clone(),
        source.to_string(),
        opts.provider.clone(),
        opts.params.clone(),
    );
    let md5 = resolved.source_md5.clone();
    let thumbnail = resolved.thumbnail.clone();
    blocking(store, move |_| {
        let id = s.record_search(&NewSearch {
            source_md5: &md5,
            thumbnail: thumbnail.as_deref(),
            source: &src,
            provider: &provider,
            params: &params,
        })?;
        s.record_page(id, 1, &page.offers, total)?;
        Ok(id)
    })
    .await
    .map(|id| (id, total))
    .map_err(Failure::Store)
}

/// Runs a store call off the async workers (SQLite blocks).
async fn blocking<T: Send + 'static>(
    store: &Store,
    f: impl FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
) -> Result<T, StoreError> {
    let store = store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .unwrap_or_else(|e| Err(StoreError::Missing(format!("a store task failed: {e}"))))
}
