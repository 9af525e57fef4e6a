//! Effects run as tokio tasks that report back with `Msg`s. Nothing here
//! blocks the UI task: file-system work and decoding run in `spawn_blocking`.

mod batch;
mod crop;
mod detail;
mod store;

pub use batch::BatchSetup;

use super::msg::{Effect, Failure, Msg};
use super::state::{Entry, SearchSource, Thumb, ThumbKey, ThumbSource};
use crate::api::Client;
use crate::image::protocol::{GraphicsProtocol, encode_protocol};
use crate::image::{HalfBlockImage, PrepareOptions, decode_for_thumbnail, sniff};
use lru::LruCache;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

/// Files whose first bytes are read per listing; past that, extensions.
const SNIFF_CAP: usize = 5_000;
/// Time spent sniffing per listing before falling back to extensions.
const SNIFF_TIME: Duration = Duration::from_secs(2);
/// Longest wait for one file's first bytes; past it, the listing stops
/// sniffing (a stalled file system stalls only the sniffing thread).
const SNIFF_WAIT: Duration = Duration::from_millis(500);
/// Thumbnails decoded at once.
const THUMB_CONCURRENCY: usize = 4;
/// Thumbnails fetched ahead at once (apart from the wanted one's permits,
/// so a prefetch never delays the picture on screen's download; its decode
/// waits at most for one other, see `DECODE_CONCURRENCY`).
const PREFETCH_CONCURRENCY: usize = 4;
/// Pictures decoded at once, wanted and prefetched together: each decode
/// runs on a blocking thread whose allocator keeps what it peaked at, so
/// eight at once doubled a session's peak memory (fig6, kitty, 10,000
/// offers: 110 MiB with 8, 81–86 with 2, 77 with 1).
const DECODE_CONCURRENCY: usize = 1;
/// Largest picture downloaded for a thumbnail.
const THUMB_MAX_BYTES: usize = 8 * 1024 * 1024;

/// Runs effects; owns the handles of what is in flight.
pub(crate) struct Runner {
    tx: UnboundedSender<Msg>,
    client: Client,
    prepare: PrepareOptions,
    search_tasks: Vec<AbortHandle>,
    listing_cancel: Option<Arc<AtomicBool>>,
    thumb_tasks: HashMap<ThumbKey, AbortHandle>,
    thumb_permits: Arc<Semaphore>,
    /// Pictures of the rows around the cursor, fetched ahead.
    prefetch_tasks: HashMap<ThumbKey, AbortHandle>,
    prefetch_permits: Arc<Semaphore>,
    decode_permits: Arc<Semaphore>,
    /// Downloaded offer pictures, so a resize does not download again.
    downloads: Arc<Mutex<LruCache<String, Arc<Vec<u8>>>>>,
    /// Bytes to write to the terminal after the next draw (OSC 52).
    pending: Vec<u8>,
    /// The history database, when on.
    store: Option<crate::store::Store>,
    /// The name searches and offers are stored under.
    provider: String,
    /// Store operations, run in order by one task.
    store_ops: tokio::sync::mpsc::Sender<crate::app::msg::StoreOp>,
    batch: BatchSetup,
    /// The background batch, aborted when the app leaves.
    batch_task: Option<AbortHandle>,
    /// Crop mode's picture being loaded.
    crop_task: Option<AbortHandle>,
    /// Offer-detail fetches in flight, and how many may run at once.
    detail_tasks: Vec<AbortHandle>,
    detail_permits: Arc<Semaphore>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(task) = self.batch_task.take() {
            task.abort();
        }
    }
}

impl Runner {
    pub(crate) fn new(
        tx: UnboundedSender<Msg>,
        client: Client,
        prepare: PrepareOptions,
        store: Option<crate::store::Store>,
        provider: String,
        batch: BatchSetup,
    ) -> Runner {
        Runner {
            batch,
            batch_task: None,
            crop_task: None,
            store_ops: store::start(store.clone(), tx.clone()),
            store,
            provider,
            tx,
            client,
            prepare,
            search_tasks: Vec::new(),
            listing_cancel: None,
            thumb_tasks: HashMap::new(),
            thumb_permits: Arc::new(Semaphore::new(THUMB_CONCURRENCY)),
            prefetch_tasks: HashMap::new(),
            prefetch_permits: Arc::new(Semaphore::new(PREFETCH_CONCURRENCY)),
            decode_permits: Arc::new(Semaphore::new(DECODE_CONCURRENCY)),
            downloads: Arc::new(Mutex::new(LruCache::new(
                NonZeroUsize::new(16).unwrap_or(NonZeroUsize::MIN),
            ))),
            pending: Vec::new(),
            detail_tasks: Vec::new(),
            detail_permits: Arc::new(Semaphore::new(crate::app::state::DETAIL_CONCURRENCY)),
        }
    }

    /// Terminal bytes to write after the frame; empties the queue.
    pub(crate) fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    /// Aborts everything in flight (quit).
    pub(crate) fn shutdown(&mut self) {
        self.cancel_search();
        self.cancel_details();
        for (_, h) in self.thumb_tasks.drain().chain(self.prefetch_tasks.drain()) {
            h.abort();
        }
        if let Some(c) = self.listing_cancel.take() {
            c.store(true, Ordering::Relaxed);
        }
    }

    fn cancel_details(&mut self) {
        for h in self.detail_tasks.drain(..) {
            h.abort();
        }
    }

    fn fetch_details(&mut self, offer_ids: Vec<String>, country: String, fresh: bool) {
        self.detail_tasks.retain(|h| !h.is_finished());
        for offer_id in offer_ids {
            let job = detail::DetailJob {
                tx: self.tx.clone(),
                client: self.client.clone(),
                store: self.store.clone(),
                provider: self.provider.clone(),
                permits: self.detail_permits.clone(),
            };
            let task = tokio::spawn(job.run(offer_id, country.clone(), fresh));
            self.detail_tasks.push(task.abort_handle());
        }
    }

    fn cancel_search(&mut self) {
        for h in self.search_tasks.drain(..) {
            h.abort();
        }
    }

    pub(crate) fn run(&mut self, effect: Effect) {
        self.search_tasks.retain(|h| !h.is_finished());
        self.thumb_tasks.retain(|_, h| !h.is_finished());
        self.prefetch_tasks.retain(|_, h| !h.is_finished());
        match effect {
            Effect::ListDir { generation, dir } => {
                if let Some(c) = self.listing_cancel.take() {
                    c.store(true, Ordering::Relaxed);
                }
                let cancel = Arc::new(AtomicBool::new(false));
                self.listing_cancel = Some(cancel.clone());
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || list_dir(generation, &dir, &cancel, &tx));
            }
            Effect::StartSearch {
                generation,
                source,
                params,
                record,
            } => {
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
            Effect::FetchPage {
                generation,
                image,
                params,
                page,
                first,
                record,
            } => {
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
            Effect::CancelSearch => self.cancel_search(),
            Effect::LoadOffers {
                generation,
                search,
                pages,
            } => {
                let tx = self.tx.clone();
                let Some(store) = self.store.clone() else {
                    let pages = pages
                        .into_iter()
                        .map(|(p, _)| (p, Err("history is off".to_string())))
                        .collect();
                    let _ = tx.send(Msg::Offers { generation, pages });
                    return;
                };
                tokio::spawn(async move {
                    let pages = store::read_pages(store, search, pages).await;
                    let _ = tx.send(Msg::Offers { generation, pages });
                });
            }
            Effect::RecordSearch {
                generation,
                source,
                source_md5,
                thumbnail,
                params,
            } => {
                let tx = self.tx.clone();
                let Some(store) = self.store.clone() else {
                    let _ = tx.send(Msg::Recorded {
                        generation,
                        result: Err("history is off".into()),
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
            Effect::Store(op) => {
                if self.store_ops.try_send(op).is_err() {
                    let _ = self.tx.send(Msg::Stored(Err(
                        "too many changes waiting for the history database; this one was not saved"
                            .into(),
                    )));
                }
            }
            Effect::ExportShortlist {
                entries,
                dir,
                currency,
            } => {
                let tx = self.tx.clone();
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    let stem = format!(
                        "tusou-shortlist-{}",
                        crate::text::file_stamp(std::time::SystemTime::now())
                    );
                    let result = std::fs::create_dir_all(&dir)
                        .and_then(|()| {
                            crate::export::shortlist::export_both(
                                &entries,
                                &dir,
                                &stem,
                                currency.as_ref(),
                                store.as_ref(),
                            )
                        })
                        .map_err(|e| crate::text::sanitize(&format!("{}: {e}", dir.display())));
                    let _ = tx.send(Msg::Exported(result));
                });
            }
            Effect::StartBatch { dir, params } => {
                let Some(store) = self.store.clone() else {
                    return;
                };
                let task = batch::BatchTask {
                    tx: self.tx.clone(),
                    client: self.client.clone(),
                    store,
                    provider: self.provider.clone(),
                    prepare: self.prepare.clone(),
                    setup: self.batch.clone(),
                };
                self.batch_task = Some(tokio::spawn(task.run(dir, params)).abort_handle());
            }
            Effect::LoadThumb(key) => self.load_thumb(key),
            Effect::LoadCrop { generation, source } => self.load_crop(generation, source),
            Effect::FetchDetails {
                offer_ids,
                country,
                fresh,
            } => self.fetch_details(offer_ids, country, fresh),
            Effect::CancelDetails => self.cancel_details(),
            Effect::PrefetchThumbs(keys) => self.prefetch_thumbs(keys),
            Effect::Copy(text) => self.pending.extend(osc52(&text)),
            Effect::OpenLink(link) => {
                let tx = self.tx.clone();
                tokio::task::spawn_blocking(move || {
                    let _ = tx.send(Msg::Opened(open_in_browser(&link).map(|()| link)));
                });
            }
            Effect::Export {
                offers,
                dir,
                currency,
                crop,
                details,
            } => {
                let tx = self.tx.clone();
                let store = self.store.clone();
                tokio::task::spawn_blocking(move || {
                    let offers = match store::export_offers(store.as_ref(), offers) {
                        Ok(offers) => offers,
                        Err(e) => {
                            let e = crate::text::sanitize(&format!("history: {e}"));
                            let _ = tx.send(Msg::Exported(Err(e)));
                            return;
                        }
                    };
                    let mut stem = format!("tusou-{}", crate::text::file_stamp(std::time::SystemTime::now()));
                    if let Some(name) = crop.as_deref().and_then(crop_file_part) {
                        stem.push_str(&name);
                    }
                    let result = std::fs::create_dir_all(&dir)
                        .and_then(|()| {
                            crate::export::export_both_detailed(
                                &offers,
                                &dir,
                                &stem,
                                currency.as_ref(),
                                details.map(|d| crate::export::DetailColumns {
                                    quantity: d.quantity,
                                    known: Arc::new(Mutex::new(d.known)),
                                }),
                            )
                        })
                        .map(|(csv, json)| vec![csv, json])
                        .map_err(|e| crate::text::sanitize(&format!("{}: {e}", dir.display())));
                    let _ = tx.send(Msg::Exported(result));
                });
            }
        }
    }

    /// Only one picture is wanted at a time: anything else in flight is
    /// for a row the user has left, so it is aborted. A picture already
    /// being fetched ahead is kept, and now counts as the wanted one.
    fn load_thumb(&mut self, key: ThumbKey) {
        let keep = self
            .thumb_tasks
            .remove(&key)
            .or_else(|| self.prefetch_tasks.remove(&key));
        for (_, h) in self.thumb_tasks.drain() {
            h.abort();
        }
        if let Some(h) = keep {
            self.thumb_tasks.insert(key, h);
            return;
        }
        let task = self.spawn_thumb(key.clone(), self.thumb_permits.clone());
        self.thumb_tasks.insert(key, task);
    }

    /// The newest window replaces the previous one: prefetches no longer
    /// listed are aborted (queued or running), new ones queue in the
    /// window's order (nearest first; the semaphore is first come, first
    /// served) behind at most `PREFETCH_CONCURRENCY` running.
    fn prefetch_thumbs(&mut self, keys: Vec<ThumbKey>) {
        self.prefetch_tasks.retain(|k, h| {
            let keep = keys.contains(k);
            if !keep {
                h.abort();
            }
            keep
        });
        for key in keys {
            if self.prefetch_tasks.contains_key(&key) || self.thumb_tasks.contains_key(&key) {
                continue;
            }
            let task = self.spawn_thumb(key.clone(), self.prefetch_permits.clone());
            self.prefetch_tasks.insert(key, task);
        }
    }

    /// Fetches and decodes one thumbnail under `permits`; reports by
    /// `Msg::Thumb`.
    fn spawn_thumb(&self, key: ThumbKey, permits: Arc<Semaphore>) -> AbortHandle {
        let tx = self.tx.clone();
        let client = self.client.clone();
        let downloads = self.downloads.clone();
        let store = self.store.clone();
        let decoders = self.decode_permits.clone();
        let task = tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let thumb = match thumb_bytes(&client, store, &key.source, &downloads).await {
                Ok(bytes) => {
                    let Ok(_decoding) = decoders.acquire_owned().await else {
                        return;
                    };
                    let k2 = key.clone();
                    tokio::task::spawn_blocking(move || decode_thumb(&bytes, &k2))
                        .await
                        .unwrap_or_else(|e| Thumb::Failed(e.to_string()))
                }
                Err(e) => Thumb::Failed(e),
            };
            let _ = tx.send(Msg::Thumb { key, thumb });
        });
        task.abort_handle()
    }
}

/// A crop in a file name: `-crop-363x362+928+69` for one box (the
/// `WxH+X+Y` form `--region` reads), `-crop-2-boxes` for more.
fn crop_file_part(crop: &str) -> Option<String> {
    let region = crop.parse::<crate::api::Region>().ok()?;
    Some(match region.0.as_slice() {
        [b] => format!("-crop-{}x{}+{}+{}", b.width(), b.height(), b.x1, b.y1),
        boxes => format!("-crop-{}-boxes", boxes.len()),
    })
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

pub(super) async fn thumb_bytes(
    client: &Client,
    store: Option<crate::store::Store>,
    source: &ThumbSource,
    downloads: &Mutex<LruCache<String, Arc<Vec<u8>>>>,
) -> Result<Arc<Vec<u8>>, String> {
    match source {
        ThumbSource::Stored(id) => store::thumbnail(store, *id).await.map(Arc::new),
        ThumbSource::File(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                crate::fs::read_file_capped(&path, crate::fs::MAX_PICTURE_FILE_BYTES)
            })
            .await
            .map_err(|e| e.to_string())?
            .map(Arc::new)
            .map_err(|e| e.to_string())
        }
        ThumbSource::Url(url) => {
            if let Ok(mut cache) = downloads.lock()
                && let Some(b) = cache.get(url)
            {
                return Ok(b.clone());
            }
            let bytes = Arc::new(
                client
                    .fetch_image(url, THUMB_MAX_BYTES)
                    .await
                    .map_err(|e| e.to_string())?,
            );
            if let Ok(mut cache) = downloads.lock() {
                cache.put(url.clone(), bytes.clone());
            }
            Ok(bytes)
        }
    }
}

fn decode_thumb(bytes: &[u8], key: &ThumbKey) -> Thumb {
    match key.protocol {
        GraphicsProtocol::Kitty | GraphicsProtocol::Iterm | GraphicsProtocol::Sixel => {
            let img = match decode_for_thumbnail(
                bytes,
                u32::from(key.cols) * 10,
                u32::from(key.rows) * 20,
            ) {
                Ok(i) => i,
                Err(e) => return Thumb::Failed(e.to_string()),
            };
            let img = image::DynamicImage::ImageRgb8(img);
            match encode_protocol(&img, key.protocol, key.x, key.y, key.cols, key.rows) {
                Ok(mut b) => {
                    // Grown by doubling: up to half of it would be slack
                    // held in the cache for as long as the picture is.
                    b.shrink_to_fit();
                    Thumb::Protocol(b)
                }
                Err(e) => Thumb::Failed(e.to_string()),
            }
        }
        _ => match HalfBlockImage::from_bytes(bytes, key.cols, key.rows) {
            Ok(h) => Thumb::Half(h),
            Err(e) => Thumb::Failed(e.to_string()),
        },
    }
}

/// Lists `dir` in batches (growing, and at least every 100 ms), sniffing
/// the first bytes of regular files up to a cap. FIFOs, devices and sockets
/// are listed, never opened, and never pictures; sniffing runs on a helper
/// thread with a deadline per file, so nothing here can block for long.
fn list_dir(generation: u64, dir: &Path, cancel: &AtomicBool, tx: &UnboundedSender<Msg>) {
    let send = |entries: Vec<Entry>, done: bool, error: Option<String>| {
        let _ = tx.send(Msg::Listing {
            generation,
            entries,
            done,
            error,
        });
    };
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            send(
                Vec::new(),
                true,
                Some(crate::text::sanitize(&format!("{}: {e}", dir.display()))),
            );
            return;
        }
    };
    let started = Instant::now();
    let mut last_send = Instant::now();
    let mut batch = Vec::new();
    let mut batch_cap = 256usize;
    let mut sniffed = 0usize;
    let mut sniffer = Sniffer::start();
    for ent in rd {
        if cancel.load(Ordering::Relaxed) || tx.is_closed() {
            return;
        }
        let Ok(ent) = ent else {
            continue;
        };
        let name = ent.file_name().to_string_lossy().into_owned();
        let path = ent.path();
        let ft = ent.file_type().ok();
        let is_link = ft.is_some_and(|t| t.is_symlink());
        // Never opens the file: safe on FIFOs and devices.
        let meta = if is_link {
            std::fs::metadata(&path).ok()
        } else {
            ent.metadata().ok()
        };
        let is_dir = meta.as_ref().is_some_and(|m| m.is_dir());
        // Regular files (or ones whose type is unknown) may be pictures.
        let special = meta.as_ref().is_some_and(|m| !m.is_dir() && !m.is_file());
        let size = meta
            .as_ref()
            .map_or(0, |m| if m.is_file() { m.len() } else { 0 });
        let sniffing = sniffed < SNIFF_CAP && started.elapsed() < SNIFF_TIME;
        let (is_image, format) = if is_dir || special {
            (false, None)
        } else if let Some(found) = sniffing.then(|| sniffer.sniff(&path)).flatten() {
            sniffed += 1;
            found
        } else {
            (crate::image::looks_like_image(&name), None)
        };
        batch.push(Entry::new(name, path, is_dir, size, is_image, format));
        if batch.len() >= batch_cap || last_send.elapsed() > Duration::from_millis(100) {
            send(std::mem::take(&mut batch), false, None);
            batch_cap = (batch_cap * 2).min(16_384);
            last_send = Instant::now();
        }
    }
    send(batch, true, None);
}

type SniffResult = (bool, Option<String>);

/// Content sniffing on a helper thread. A file whose first bytes take more
/// than [`SNIFF_WAIT`] (a stalled network mount) stalls only that thread:
/// the listing abandons it and goes on by file extension.
struct Sniffer {
    worker: Option<(
        std::sync::mpsc::Sender<std::path::PathBuf>,
        std::sync::mpsc::Receiver<SniffResult>,
    )>,
}

impl Sniffer {
    fn start() -> Sniffer {
        let (req_tx, req_rx) = std::sync::mpsc::channel::<std::path::PathBuf>();
        let (res_tx, res_rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("tusou-sniff".into())
            .spawn(move || {
                // Ends when the listing drops its sender (or abandons us).
                for path in req_rx {
                    if res_tx.send(sniff_file(&path)).is_err() {
                        break;
                    }
                }
            });
        Sniffer {
            worker: spawned.ok().map(|_| (req_tx, res_rx)),
        }
    }

    /// `None` when sniffing is off (abandoned after a stall, or no thread).
    fn sniff(&mut self, path: &Path) -> Option<SniffResult> {
        let (req, res) = self.worker.as_ref()?;
        let answer = req
            .send(path.to_path_buf())
            .ok()
            .and_then(|()| res.recv_timeout(SNIFF_WAIT).ok());
        if answer.is_none() {
            // Late answers would belong to this file: never ask again.
            self.worker = None;
        }
        answer
    }
}

/// Whether a file's first bytes are a picture (and which format). Opens
/// only regular files, without blocking (see `crate::image::read`).
fn sniff_file(path: &Path) -> SniffResult {
    match crate::fs::read_head(path, 32)
        .ok()
        .and_then(|head| sniff(&head))
    {
        Some(fmt) => (true, Some(fmt.name().to_string())),
        None => (false, None),
    }
}

/// OSC 52 "set clipboard", `ESC ] 52 ; c ; <base64> ESC \`, by crossterm's clipboard command.
fn osc52(text: &str) -> Vec<u8> {
    use crossterm::Command as _;
    let mut out = String::new();
    // Writing into a String cannot fail.
    let _ = crossterm::clipboard::CopyToClipboard::to_clipboard_from(text).write_ansi(&mut out);
    out.into_bytes()
}

/// True when a browser can be shown: a local display or macOS.
pub(crate) fn has_local_display() -> bool {
    cfg!(target_os = "macos")
        || std::env::var_os("DISPLAY").is_some_and(|v| !v.is_empty())
        || std::env::var_os("WAYLAND_DISPLAY").is_some_and(|v| !v.is_empty())
}

/// Hands the link to the desktop's opener (xdg-open, gio, `open` on macOS…)
/// detached, so the UI never waits on the browser.
fn open_in_browser(link: &str) -> Result<(), String> {
    open::that_detached(link).map_err(|e| e.to_string())
}


#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_crop_names_its_export() {
        assert_eq!(
            crop_file_part("928,69,1291,431").as_deref(),
            Some("-crop-363x362+928+69")
        );
        assert_eq!(
            crop_file_part("0,0,1,1;2,2,3,3").as_deref(),
            Some("-crop-2-boxes")
        );
        assert_eq!(crop_file_part("../../etc"), None);
    }

    #[test]
    fn osc52_sequence() {
        assert_eq!(osc52("hi"), b"\x1b]52;c;aGk=\x1b\\".to_vec());
    }
}
