//! The watches' work for the app: the list, a watch's last run read back
//! with the changes it found, and a watch made of the search on screen
//! (its picture prepared and kept, as `tusou watch add` keeps it). Store
//! work runs on blocking threads; every answer comes back as a `Msg`.

use crate::api::{ImageSource, Offer, Route};
use crate::app::msg::{HistoryError, Msg, WatchError, WatchMade, WatchOp, WatchRequest, WatchRun};
use crate::app::state::WatchMark;
use crate::image::PrepareOptions;
use crate::store::{
    MAX_WATCH_PICTURE, NewWatch, OfferChange, Store, StoreError, WatchId, compare_runs,
};

/// Seconds between a watch's runs, as `tusou watch add`'s default `1d`.
pub(crate) const DEFAULT_EVERY_SECS: u64 = 86_400;
/// The price move a watch reports, as `tusou watch add`'s default `5%`.
pub(crate) const DEFAULT_DROP_BPS: u32 = 500;
/// Largest picture downloaded from a URL that is not 1688's (as search).
const MAX_URL_DOWNLOAD: u64 = 20 * 1024 * 1024;

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, WatchError> + Send + 'static,
) -> Result<T, WatchError> {
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(WatchError::History(HistoryError::Task(e.to_string()))),
    }
}

fn store_err(e: StoreError) -> WatchError {
    WatchError::History(HistoryError::from(e))
}

/// Every watch, their small pictures left out (the pane shows none).
fn list(store: &Store) -> Result<Vec<crate::store::Watch>, WatchError> {
    let mut all = store.watches().map_err(store_err)?;
    for w in &mut all {
        w.thumbnail = None;
    }
    Ok(all)
}

/// The watch's last run with results: its search, and its new and cheaper
/// offers compared with the finished run before it.
pub(crate) fn last_run(store: &Store, id: WatchId) -> Result<WatchRun, WatchError> {
    let watch = store
        .watch(id)
        .map_err(store_err)?
        .ok_or(WatchError::Gone(id.0))?;
    let (run, search) = match &watch.last {
        Some(last) => match last.search {
            Some(s) => (last.id, s),
            None => return Err(WatchError::NeverRun(id.0)),
        },
        None => return Err(WatchError::NeverRun(id.0)),
    };
    let stored = store
        .load_search(search)
        .map_err(store_err)?
        .ok_or(WatchError::Gone(id.0))?;
    let marks = match store.last_done_search(id, run).map_err(store_err)? {
        None => Vec::new(),
        Some(before) => {
            let before = store.search_offers(before).map_err(store_err)?;
            let after = store.search_offers(search).map_err(store_err)?;
            marks_of(&before, &after, watch.drop_bps)
        }
    };
    Ok(WatchRun {
        watch: id.0,
        search: stored,
        marks,
    })
}

/// New and cheaper offers of `after` compared with `before`, by offer id.
pub(crate) fn marks_of(before: &[Offer], after: &[Offer], bps: u32) -> Vec<(String, WatchMark)> {
    compare_runs(before, after, bps)
        .into_iter()
        .filter_map(|ch| {
            let id = ch.offer.offer_id.clone()?;
            let mark = match ch.change {
                OfferChange::New => WatchMark::New,
                OfferChange::Cheaper { was_fen, now_fen } if was_fen > 0 => {
                    let moved = u128::from(was_fen - now_fen) * 10_000 / u128::from(was_fen);
                    WatchMark::Cheaper {
                        bps: u32::try_from(moved).unwrap_or(10_000),
                    }
                }
                _ => return None,
            };
            Some((id, mark))
        })
        .collect()
}

/// What a watch keeps of its picture: the prepared copy (none for a 1688
/// picture, searched by address), its MD5 and a small picture.
struct Kept {
    bytes: Option<Vec<u8>>,
    md5: String,
    thumbnail: Option<Vec<u8>>,
}

fn prepared(
    work: impl FnOnce() -> Result<crate::image::PreparedImage, crate::image::ImageError>,
) -> Result<Kept, WatchError> {
    let p = work().map_err(|e| WatchError::Picture(e.to_string()))?;
    if p.bytes.len() > MAX_WATCH_PICTURE {
        return Err(WatchError::Picture(format!(
            "prepared, it is {}; a watch keeps at most {} (`tusou watch add` without --original)",
            crate::text::human_bytes(p.bytes.len() as u64),
            crate::text::human_bytes(MAX_WATCH_PICTURE as u64)
        )));
    }
    let thumbnail = crate::image::thumbnail::history_thumbnail(&p.bytes).ok();
    Ok(Kept {
        bytes: Some(p.bytes.to_vec()),
        md5: p.md5_hex,
        thumbnail,
    })
}

/// The source as a watch keeps it: a file by its absolute path.
fn source_text(source: &ImageSource) -> String {
    match source {
        ImageSource::File(p) => std::path::absolute(p)
            .unwrap_or_else(|_| p.clone())
            .to_string_lossy()
            .into_owned(),
        ImageSource::Url(u) => u.trim().to_string(),
    }
}

impl super::Runner {
    pub(super) fn watch_op(&mut self, op: WatchOp) {
        let tx = self.tx.clone();
        let Some(store) = self.store.clone() else {
            let off = WatchError::History(HistoryError::Off);
            let _ = tx.send(match op {
                WatchOp::Load => Msg::Watches(Ok(Vec::new())),
                WatchOp::Open(_) => Msg::WatchOpened(Err(off)),
                WatchOp::Make(_) => Msg::WatchMade(Err(off)),
            });
            return;
        };
        match op {
            WatchOp::Load => {
                tokio::spawn(async move {
                    let _ = tx.send(Msg::Watches(blocking(move || list(&store)).await));
                });
            }
            WatchOp::Open(id) => {
                tokio::spawn(async move {
                    let run = blocking(move || last_run(&store, id)).await;
                    let _ = tx.send(Msg::WatchOpened(run.map(Box::new)));
                });
            }
            WatchOp::Make(request) => {
                let client = self.client.clone();
                let opts = self.prepare.clone();
                let provider = self.provider.clone();
                tokio::spawn(async move {
                    let made = make(client, opts, provider, store.clone(), *request).await;
                    let _ = tx.send(Msg::WatchMade(made));
                    // The list again, with the new watch in it.
                    let _ = tx.send(Msg::Watches(blocking(move || list(&store)).await));
                });
            }
        }
    }
}

/// Prepares and keeps the picture, then adds the watch unless the same
/// search is watched already.
async fn make(
    client: crate::api::Client,
    opts: PrepareOptions,
    provider: String,
    store: Store,
    request: WatchRequest,
) -> Result<WatchMade, WatchError> {
    let source = source_text(&request.source);
    let kept = match &request.source {
        ImageSource::File(path) => {
            let path = path.clone();
            blocking(move || prepared(|| crate::image::prepare_file(&path, &opts))).await?
        }
        ImageSource::Url(url) => {
            let resolved = client
                .resolve_source(&request.source, &opts)
                .await
                .map_err(|e| WatchError::Picture(e.to_string()))?;
            if resolved.route == Route::ByAddress {
                Kept {
                    bytes: None,
                    md5: resolved.source_md5,
                    thumbnail: None,
                }
            } else {
                let bytes = client
                    .download(url, MAX_URL_DOWNLOAD, "picture")
                    .await
                    .map_err(|e| WatchError::Picture(e.to_string()))?;
                blocking(move || prepared(|| crate::image::prepare(&bytes, &opts))).await?
            }
        }
    };
    blocking(move || {
        let new = NewWatch {
            source: &source,
            picture: kept.bytes.as_deref(),
            picture_md5: &kept.md5,
            thumbnail: kept.thumbnail.as_deref(),
            provider: &provider,
            params: &request.params,
            pages: 1,
            qty: request.qty,
            lane: request.lane.as_deref(),
            every_secs: DEFAULT_EVERY_SECS,
            drop_bps: DEFAULT_DROP_BPS,
        };
        if let Some(id) = store.same_watch(&new).map_err(store_err)? {
            return Ok(WatchMade {
                id: id.0,
                existed: true,
            });
        }
        let id = store.add_watch(&new).map_err(store_err)?;
        Ok(WatchMade {
            id: id.0,
            existed: false,
        })
    })
    .await
}
