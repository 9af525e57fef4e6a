//! From what the user names (a file, or an http(s) URL) to what a query
//! names, by one of three routes, each said out loud:
//! - a local file is prepared and uploaded (or sent, on the signed-header
//!   provider);
//! - a URL of a picture 1688 hosts is passed to the provider by address,
//!   since both providers search by address only for 1688's own pictures;
//! - any other URL is downloaded here (size cap while streaming, redirects
//!   and time bounded, content sniffed) and then treated as a local file.

use super::ImageRef;
use super::client::{Client, UploadedImage};
use super::error::ApiError;
use super::region::Region;
use crate::image::{ImageError, PrepareOptions, PreparedImage};
use crate::text::{is_url, sanitize};
use std::path::PathBuf;

/// Largest picture downloaded from a URL that is not 1688's.
const MAX_URL_DOWNLOAD: u64 = 20 * 1024 * 1024;

/// What a search is started from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    File(PathBuf),
    Url(String),
}

impl ImageSource {
    /// An `http(s)://` argument is a URL; anything else a path.
    pub fn parse(arg: &str) -> ImageSource {
        let t = arg.trim();
        if is_url(t) {
            ImageSource::Url(t.to_string())
        } else {
            ImageSource::File(PathBuf::from(arg))
        }
    }

    /// Display name: the file's name, or the URL. Raw: sanitise to show.
    pub(crate) fn label(&self) -> String {
        match self {
            ImageSource::File(p) => p
                .file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into()),
            ImageSource::Url(u) => u.clone(),
        }
    }
}

/// How the picture reached the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Route {
    /// A local file, prepared here.
    File,
    /// A 1688-hosted URL, given to the provider by address.
    ByAddress,
    /// Another URL, downloaded here (`bytes` long) and prepared like a file.
    Downloaded { host: String, bytes: u64 },
}

impl Route {
    /// A short phrase for the status line; `None` for the ordinary file route.
    pub(crate) fn label(&self) -> Option<String> {
        match self {
            Route::File => None,
            Route::ByAddress => Some("1688 picture, by address".into()),
            Route::Downloaded { host, bytes } => Some(format!(
                "picture downloaded from {host} ({})",
                crate::text::human_bytes(*bytes)
            )),
        }
    }
}

/// A picture ready to query with, and what to tell the user about it.
#[derive(Debug, Clone)]
pub struct ResolvedImage {
    pub image: ImageRef,
    pub route: Route,
    /// Pixel size of the user's picture, where known (not for by-address).
    pub source_size: Option<(u32, u32)>,
    /// Pixel size of the copy the provider holds, where known.
    pub sent_size: Option<(u32, u32)>,
    /// One line: which route, and what was sent.
    pub summary: String,
    /// Further things to say (e.g. a smaller copy was uploaded).
    pub notes: Vec<String>,
    /// What names this picture in the history: the MD5 of the prepared
    /// copy (hex), or of `url:<address>` for a picture searched by address.
    pub source_md5: String,
    /// A small JPEG of the picture for the history list, when one was made.
    pub thumbnail: Option<Vec<u8>>,
}

impl ResolvedImage {
    /// The by-address route: the provider fetches the picture itself.
    pub fn by_address(url: &str) -> ResolvedImage {
        ResolvedImage {
            image: ImageRef::Address(url.trim().to_string()),
            route: Route::ByAddress,
            source_size: None,
            sent_size: None,
            summary: "a 1688 picture: the provider fetches it by its address".into(),
            notes: Vec::new(),
            source_md5: address_md5(url),
            thumbnail: None,
        }
    }

    /// `region` in the provider's order and pixels. By address the provider
    /// receives the user's picture itself, so the boxes are not scaled (and
    /// their bounds cannot be checked here).
    pub fn region_wire(&self, region: &Region) -> Result<String, String> {
        match (self.source_size, self.sent_size) {
            (Some(source), Some(sent)) => region.to_wire(source, sent),
            _ => Ok(region.to_wire_unchecked()),
        }
    }
}

/// Why a picture could not be made ready.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The file or downloaded bytes are not a usable picture.
    #[error("{0}")]
    Image(#[from] ImageError),
    /// The provider (or the picture's host) failed.
    #[error("{0}")]
    Api(#[from] ApiError),
    /// The preparation task died (a bug, reported not hidden).
    #[error("image preparation failed: {0}")]
    Task(String),
}

/// Is `url` a picture the provider can fetch by address: one of 1688's
/// (`*.alicdn.com`, `*.1688.com`), or on the provider's own origin (the
/// simulator serves its catalog pictures there, standing in for alicdn)?
fn is_provider_hosted(url: &str, provider_base: &str) -> bool {
    let Ok(parsed) = reqwest::Url::parse(url.trim()) else {
        return false;
    };
    if !matches!(parsed.scheme(), "http" | "https") {
        return false;
    }
    let Some(host) = parsed.host_str().map(str::to_ascii_lowercase) else {
        return false;
    };
    let under = |domain: &str| host == domain || host.ends_with(&format!(".{domain}"));
    if under("alicdn.com") || under("1688.com") {
        return true;
    }
    reqwest::Url::parse(provider_base).is_ok_and(|base| base.origin() == parsed.origin())
}

impl Client {
    /// Makes `source` ready to query with, by the route that fits it.
    pub async fn resolve_source(
        &self,
        source: &ImageSource,
        opts: &PrepareOptions,
    ) -> Result<ResolvedImage, ResolveError> {
        match source {
            ImageSource::Url(url) if is_provider_hosted(url, self.base_url()) => {
                Ok(ResolvedImage::by_address(url))
            }
            ImageSource::Url(url) => {
                let host = reqwest::Url::parse(url.trim())
                    .ok()
                    .and_then(|u| u.host_str().map(sanitize))
                    .unwrap_or_default();
                let bytes = self.download(url, MAX_URL_DOWNLOAD, "picture").await?;
                let len = bytes.len() as u64;
                let opts = opts.clone();
                let prepared = blocking(move || crate::image::prepare(&bytes, &opts)).await?;
                let route = Route::Downloaded { host, bytes: len };
                self.finish(prepared, route).await
            }
            ImageSource::File(path) => {
                let path = path.clone();
                let opts = opts.clone();
                let prepared = blocking(move || crate::image::prepare_file(&path, &opts)).await?;
                self.finish(prepared, Route::File).await
            }
        }
    }

    async fn finish(
        &self,
        prepared: PreparedImage,
        route: Route,
    ) -> Result<ResolvedImage, ResolveError> {
        let UploadedImage { image, size, notes } = self.resolve_prepared(&prepared).await?;
        let summary = match &route {
            Route::Downloaded { host, bytes } => format!(
                "not a 1688 picture, so downloaded it from {host} ({}) and searched with it: {}",
                crate::text::human_bytes(*bytes),
                prepared.summary
            ),
            _ => prepared.summary.clone(),
        };
        let bytes = prepared.bytes.clone();
        // A failed thumbnail costs the history its picture, nothing more.
        let thumbnail = tokio::task::spawn_blocking(move || {
            crate::image::thumbnail::history_thumbnail(&bytes).ok()
        })
        .await
        .ok()
        .flatten();
        Ok(ResolvedImage {
            source_md5: prepared.md5_hex.clone(),
            thumbnail,
            image,
            route,
            // Upright, as the copy sent is: one coordinate system.
            source_size: Some(prepared.source.upright),
            sent_size: Some(size),
            summary,
            notes,
        })
    }
}

/// The history's name for a picture searched by address.
fn address_md5(url: &str) -> String {
    use md5::Digest as _;
    crate::text::hex(&md5::Md5::digest(format!("url:{}", url.trim()).as_bytes()))
}

async fn blocking(
    work: impl FnOnce() -> Result<PreparedImage, ImageError> + Send + 'static,
) -> Result<PreparedImage, ResolveError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ResolveError::Task(e.to_string()))?
        .map_err(ResolveError::Image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_1688_pictures_and_the_providers_own_go_by_address() {
        let base = "http://127.0.0.1:8688";
        for url in [
            "https://cbu01.alicdn.com/img/ibank/O1CN01.jpg",
            "https://alicdn.com/x.jpg",
            "https://img.1688.com/x.jpg",
            "http://127.0.0.1:8688/img/5.jpg",
        ] {
            assert!(is_provider_hosted(url, base), "{url}");
        }
        for url in [
            "https://example.com/a.jpg",
            "https://alicdn.com.evil.example/a.jpg",
            "https://notalicdn.com/a.jpg",
            "http://127.0.0.1:9999/img/5.jpg",
            "ftp://cbu01.alicdn.com/a.jpg",
            "not a url",
        ] {
            assert!(!is_provider_hosted(url, base), "{url}");
        }
    }

    #[test]
    fn arguments_are_urls_only_with_an_http_scheme() {
        assert_eq!(
            ImageSource::parse(" https://x/a.jpg "),
            ImageSource::Url("https://x/a.jpg".into())
        );
        assert_eq!(
            ImageSource::parse("http.jpg"),
            ImageSource::File(PathBuf::from("http.jpg"))
        );
    }
}
