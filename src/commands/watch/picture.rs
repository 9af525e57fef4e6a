//! The picture a watch searches with: prepared once when the watch is made
//! and kept in the store (at most [`MAX_WATCH_PICTURE`]), so the watch
//! still works after the photo is moved or deleted; a 1688 picture is kept
//! by its address only. At run time the kept copy is sent as it is (an
//! expired image id is uploaded again from it by the client).

use crate::api::{Client, ImageRef, ImageSource, ResolvedImage, Route};
use crate::commands::error::CommandError;
use crate::image::{PrepareMode, PrepareOptions, PreparedImage};
use crate::store::MAX_WATCH_PICTURE;
use crate::text::{human_bytes, sanitize};

/// Largest picture downloaded from a URL that is not 1688's (as search).
const MAX_URL_DOWNLOAD: u64 = 20 * 1024 * 1024;

/// What a watch keeps of its picture.
pub(super) struct Kept {
    /// The prepared copy; `None` for a picture searched by address.
    pub(super) bytes: Option<Vec<u8>>,
    pub(super) md5: String,
    pub(super) thumbnail: Option<Vec<u8>>,
}

/// Prepares `source` (a file, or a URL: a 1688 picture is kept by its
/// address, another is downloaded) and answers what the watch keeps.
pub(super) async fn keep(
    client: &Client,
    source: &str,
    opts: &PrepareOptions,
) -> Result<Kept, CommandError> {
    let parsed = ImageSource::parse(source);
    let prepared = match &parsed {
        ImageSource::File(path) => {
            let (path, opts) = (path.clone(), opts.clone());
            blocking(move || crate::image::prepare_file(&path, &opts)).await?
        }
        ImageSource::Url(url) => {
            // The route decides: a 1688 picture goes by address.
            let resolved = client
                .resolve_source(&parsed, opts)
                .await
                .map_err(|e| CommandError::from(e).context("the picture"))?;
            if resolved.route == Route::ByAddress {
                return Ok(Kept {
                    bytes: None,
                    md5: resolved.source_md5,
                    thumbnail: None,
                });
            }
            let bytes = client
                .download(url, MAX_URL_DOWNLOAD, "picture")
                .await
                .map_err(|e| CommandError::from(e).context("the picture's download"))?;
            let opts = opts.clone();
            blocking(move || crate::image::prepare(&bytes, &opts)).await?
        }
    };
    if prepared.bytes.len() > MAX_WATCH_PICTURE {
        return Err(CommandError::input(format!(
            "the prepared picture is {}; a watch keeps at most {} (leave out --original)",
            human_bytes(prepared.bytes.len() as u64),
            human_bytes(MAX_WATCH_PICTURE as u64)
        )));
    }
    let bytes = prepared.bytes.to_vec();
    let for_thumb = prepared.bytes.clone();
    let thumbnail = tokio::task::spawn_blocking(move || {
        crate::image::thumbnail::history_thumbnail(&for_thumb).ok()
    })
    .await
    .ok()
    .flatten();
    Ok(Kept {
        bytes: Some(bytes),
        md5: prepared.md5_hex,
        thumbnail,
    })
}

/// What a run queries with: the kept copy, sent as it is (prepared in
/// Original mode, which passes an upright JPEG or PNG through untouched,
/// so its MD5 and cached image id stay the same), or the address.
pub(super) async fn image_of(
    client: &Client,
    source: &str,
    kept: Option<Vec<u8>>,
) -> Result<ImageRef, CommandError> {
    let Some(bytes) = kept else {
        return Ok(ResolvedImage::by_address(source).image);
    };
    let opts = PrepareOptions {
        mode: PrepareMode::Original,
        ..PrepareOptions::default()
    };
    let prepared = blocking(move || crate::image::prepare(&bytes, &opts)).await?;
    Ok(client
        .resolve_prepared(&prepared)
        .await
        .map_err(|e| CommandError::from(e).context("upload failed"))?
        .image)
}

async fn blocking(
    work: impl FnOnce() -> Result<PreparedImage, crate::image::ImageError> + Send + 'static,
) -> Result<PreparedImage, CommandError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CommandError::failure(format!("preparing the picture failed: {e}")))?
        .map_err(|e| {
            CommandError::input(format!(
                "cannot use the picture: {}",
                sanitize(&e.to_string())
            ))
        })
}
