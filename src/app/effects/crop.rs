//! Crop mode's picture: read (capped) or downloaded like a thumbnail,
//! decoded upright off the async threads, kept small enough to draw from.

use super::Runner;
use super::thumbs::thumb_bytes;
use crate::app::msg::Msg;
use crate::app::state::{CropPicture, SearchSource, ThumbSource};

/// Longest side of the copy crop mode draws from: more than a 4K terminal
/// shows in half blocks, a few hundred KB at most.
const PREVIEW_EDGE: u32 = 512;

impl Runner {
    /// Only the newest opening matters: an earlier load is aborted.
    pub(super) fn load_crop(&mut self, generation: u64, source: SearchSource) {
        if let Some(task) = self.crop_task.take() {
            task.abort();
        }
        let tx = self.tx.clone();
        let client = self.client.clone();
        let downloads = self.downloads.clone();
        let store = self.store.clone();
        let task = tokio::spawn(async move {
            let thumb_source = match source {
                SearchSource::File(path) => ThumbSource::File(path),
                SearchSource::Url(url) => ThumbSource::Url(url),
            };
            let result = match thumb_bytes(&client, store, &thumb_source, &downloads).await {
                Ok(bytes) => tokio::task::spawn_blocking(move || {
                    crate::image::decode_with_size(&bytes, PREVIEW_EDGE, PREVIEW_EDGE)
                        .map(|(preview, (width, height))| CropPicture {
                            width,
                            height,
                            preview,
                        })
                        .map_err(|e| e.to_string())
                })
                .await
                .unwrap_or_else(|e| Err(e.to_string())),
                Err(e) => Err(e.to_string()),
            };
            let _ = tx.send(Msg::CropLoaded { generation, result });
        });
        self.crop_task = Some(task.abort_handle());
    }
}
