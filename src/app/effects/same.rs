//! Same product: the first offers' pictures fetched in the background and
//! signed (`tusou_same::Signature`) for `update::same` to compare. One batch
//! at a time; a new one, or a new search, replaces it.

use super::Runner;
use crate::app::msg::Msg;
use futures::StreamExt;
use std::sync::Arc;
use tusou_same::Signature;

/// Pictures fetched at once for signing: behind the rows' own pictures,
/// which have their own permits.
const SIGN_CONCURRENCY: usize = 2;
/// Largest picture fetched to sign (a 300×300 copy is ~30 KB).
const SIGN_MAX_BYTES: usize = 2 * 1024 * 1024;
/// Side the picture is reduced to before signing.
const SIGN_SIDE: u32 = 256;

impl Runner {
    pub(super) fn sign_pictures(&mut self, generation: u64, pictures: Vec<(usize, String)>) {
        self.cancel_signing();
        let tx = self.tx.clone();
        let client = self.client.clone();
        let downloads = self.downloads.clone();
        let decoders = self.decode_permits.clone();
        let task = tokio::spawn(async move {
            let mut signed = futures::stream::iter(pictures)
                .map(|(position, url)| {
                    let client = client.clone();
                    let downloads = downloads.clone();
                    let decoders = decoders.clone();
                    async move {
                        let cached = downloads
                            .lock()
                            .ok()
                            .and_then(|mut cache| cache.get(&url).cloned());
                        // Not put in the download cache: that is for the
                        // pictures on screen, which these would push out.
                        let bytes = match cached {
                            Some(b) => Some(b),
                            None => client
                                .fetch_image(&url, SIGN_MAX_BYTES)
                                .await
                                .ok()
                                .map(Arc::new),
                        };
                        let signature = match bytes {
                            Some(bytes) => match decoders.acquire_owned().await {
                                Ok(_decoding) => tokio::task::spawn_blocking(move || sign(&bytes))
                                    .await
                                    .ok()
                                    .flatten(),
                                Err(_) => None,
                            },
                            None => None,
                        };
                        (position, signature)
                    }
                })
                .buffer_unordered(SIGN_CONCURRENCY);
            while let Some((position, signature)) = signed.next().await {
                let msg = Msg::Signed {
                    generation,
                    position,
                    signature: signature.map(Box::new),
                };
                if tx.send(msg).is_err() {
                    return;
                }
            }
            let _ = tx.send(Msg::SigningDone { generation });
        });
        self.signing_task = Some(task.abort_handle());
    }

    pub(super) fn cancel_signing(&mut self) {
        if let Some(task) = self.signing_task.take() {
            task.abort();
        }
    }
}

/// The signature of a picture's bytes; None when it does not decode or
/// shows nothing to match.
fn sign(bytes: &[u8]) -> Option<Signature> {
    let img = crate::image::decode_for_thumbnail(bytes, SIGN_SIDE, SIGN_SIDE).ok()?;
    Signature::of_image(&img)
}
