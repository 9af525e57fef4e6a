//! The provider-independent client the app and `tusou search` use.

use super::{ApiError, ImageRef, ResultPage, SearchParams};
use crate::image::PreparedImage;

/// Which provider protocol a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    DajiSaas,
    SignedHeader,
}

/// A configured client for one provider. Cheap to clone (shares one HTTP pool).
#[derive(Clone)]
pub struct Client {
    kind: ProviderKind,
}

impl Client {
    pub fn kind(&self) -> ProviderKind {
        self.kind
    }

    /// Turns a prepared image into what the query names: DajiSaaS uploads it
    /// (once per image content, cached on disk) and answers `ImageRef::Id`;
    /// the signed-header provider answers `ImageRef::Base64`.
    pub async fn resolve_image(&self, image: &PreparedImage) -> Result<ImageRef, ApiError> {
        let _ = image;
        Err(ApiError::Network("not implemented".into()))
    }

    /// Fetches one page (1-based) of results. Retries 429/5xx/network errors
    /// with backoff; cancel by dropping the future.
    pub async fn search_page(
        &self,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError> {
        let _ = (image, params, page);
        Err(ApiError::Network("not implemented".into()))
    }

    /// Downloads an offer picture (thumbnails), at most `max_bytes`.
    pub async fn fetch_image(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, ApiError> {
        let _ = (url, max_bytes);
        Err(ApiError::Network("not implemented".into()))
    }
}
