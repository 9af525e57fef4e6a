//! Thumbnails: the wanted picture and the ones fetched ahead, downloaded
//! (or read, or taken from the store), then decoded off the async threads
//! for the terminal's protocol or as half blocks.

use super::{Runner, store};
use crate::api::Client;
use crate::app::msg::{Msg, PictureError};
use crate::app::state::{Thumb, ThumbKey, ThumbSource};
use crate::image::protocol::{CellSize, GraphicsProtocol, encode_picture};
use crate::image::{HalfBlockImage, decode_for_thumbnail};
use lru::LruCache;
use std::sync::{Arc, Mutex};
use tokio::sync::Semaphore;
use tokio::task::AbortHandle;

/// Thumbnails decoded at once.
pub(super) const THUMB_CONCURRENCY: usize = 4;
/// Thumbnails fetched ahead at once (apart from the wanted one's permits,
/// so a prefetch never delays the picture on screen's download; its decode
/// waits at most for one other, see `DECODE_CONCURRENCY`).
pub(super) const PREFETCH_CONCURRENCY: usize = 4;
/// Pictures decoded at once, wanted and prefetched together: each decode
/// runs on a blocking thread whose allocator keeps what it peaked at, so
/// eight at once doubled a session's peak memory (fig6, kitty, 10,000
/// offers: 110 MiB with 8, 81–86 with 2, 77 with 1).
pub(super) const DECODE_CONCURRENCY: usize = 1;
/// Largest picture downloaded for a thumbnail.
const THUMB_MAX_BYTES: usize = 8 * 1024 * 1024;

impl Runner {
    /// Only one picture is wanted at a time: anything else in flight is
    /// for a row the user has left, so it is aborted. A picture already
    /// being fetched ahead is kept, and now counts as the wanted one.
    pub(super) fn load_thumb(&mut self, key: ThumbKey) {
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
    pub(super) fn prefetch_thumbs(&mut self, keys: Vec<ThumbKey>) {
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
        let cell = self.cell_size;
        let task = tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let msg = match thumb_bytes(&client, store, &key.source, &downloads).await {
                Ok(bytes) => {
                    let Ok(_decoding) = decoders.acquire_owned().await else {
                        return;
                    };
                    let k2 = key.clone();
                    tokio::task::spawn_blocking(move || decode_thumb(&bytes, k2, cell))
                        .await
                        .unwrap_or_else(|e| Msg::Thumb {
                            key,
                            thumb: Thumb::Failed(PictureError::Task(e.to_string())),
                        })
                }
                Err(e) => Msg::Thumb {
                    key,
                    thumb: Thumb::Failed(e),
                },
            };
            if let Msg::Thumb { key, .. } | Msg::Encoded { key, .. } = &msg {
                tracing::debug!(target: "tusou::pictures", picture = key.log_tag(), "picture ready");
            }
            let _ = tx.send(msg);
        });
        task.abort_handle()
    }
}

pub(super) async fn thumb_bytes(
    client: &Client,
    store: Option<crate::store::Store>,
    source: &ThumbSource,
    downloads: &Mutex<LruCache<String, Arc<Vec<u8>>>>,
) -> Result<Arc<Vec<u8>>, PictureError> {
    match source {
        ThumbSource::Stored(id) => Ok(Arc::new(store::thumbnail(store, *id).await?)),
        ThumbSource::File(path) => {
            let path = path.clone();
            tokio::task::spawn_blocking(move || {
                crate::fs::read_file_capped(&path, crate::fs::MAX_PICTURE_FILE_BYTES)
            })
            .await
            .map_err(|e| PictureError::Task(e.to_string()))?
            .map(Arc::new)
            .map_err(PictureError::from)
        }
        ThumbSource::Url(url) => {
            if let Ok(mut cache) = downloads.lock()
                && let Some(b) = cache.get(url)
            {
                return Ok(b.clone());
            }
            let bytes = Arc::new(client.fetch_image(url, THUMB_MAX_BYTES).await?);
            if let Ok(mut cache) = downloads.lock() {
                cache.put(url.clone(), bytes.clone());
            }
            Ok(bytes)
        }
    }
}

/// Decodes a thumbnail: half blocks into the state, a protocol picture
/// encoded for the display (`Msg::Encoded`), or why not.
fn decode_thumb(bytes: &[u8], key: ThumbKey, cell: CellSize) -> Msg {
    let failed = |key, e: PictureError| Msg::Thumb {
        key,
        thumb: Thumb::Failed(e),
    };
    match key.protocol {
        GraphicsProtocol::Kitty | GraphicsProtocol::Iterm | GraphicsProtocol::Sixel => {
            let img = match decode_for_thumbnail(
                bytes,
                u32::from(key.cols) * u32::from(cell.width),
                u32::from(key.rows) * u32::from(cell.height),
            ) {
                Ok(i) => i,
                Err(e) => return failed(key, e.into()),
            };
            let img = image::DynamicImage::ImageRgb8(img);
            match encode_picture(&img, key.protocol, key.cols, key.rows, cell) {
                Ok(Some(picture)) => Msg::Encoded { key, picture },
                Ok(None) => failed(key, PictureError::Encode("an empty picture".into())),
                Err(e) => failed(key, PictureError::Encode(e.to_string())),
            }
        }
        GraphicsProtocol::HalfBlocks => match HalfBlockImage::from_bytes(bytes, key.cols, key.rows)
        {
            Ok(h) => Msg::Thumb {
                key,
                thumb: Thumb::Half(h),
            },
            Err(e) => failed(key, e.into()),
        },
    }
}
