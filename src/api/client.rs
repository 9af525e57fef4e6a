//! The provider-independent client the app and `tusou search` use.

use super::dajisaas::{self, DajiSaasSettings};
use super::error::{ApiError, Redactor};
use super::http::{self, RetryPolicy};
use super::image_cache::ImageIdCache;
use super::signed_header::{self, SignedHeaderSettings};
use super::{ImageRef, ResultPage, SearchParams};
use crate::image::PreparedImage;
use serde::de::DeserializeOwned;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Which provider protocol a client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    DajiSaas,
    SignedHeader,
}

impl ProviderKind {
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::DajiSaas => "dajisaas",
            ProviderKind::SignedHeader => "signed-header",
        }
    }
}

impl std::str::FromStr for ProviderKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "dajisaas" | "daji" => Ok(ProviderKind::DajiSaas),
            "signed-header" | "signed_header" | "header" | "v2" => Ok(ProviderKind::SignedHeader),
            other => Err(format!(
                "unknown provider {other:?}: use dajisaas or signed-header"
            )),
        }
    }
}

/// One provider's endpoint and credentials.
#[derive(Clone, Debug)]
pub enum ProviderSettings {
    DajiSaas(DajiSaasSettings),
    SignedHeader(SignedHeaderSettings),
}

impl ProviderSettings {
    pub fn kind(&self) -> ProviderKind {
        match self {
            ProviderSettings::DajiSaas(_) => ProviderKind::DajiSaas,
            ProviderSettings::SignedHeader(_) => ProviderKind::SignedHeader,
        }
    }

    fn secrets(&self) -> Vec<String> {
        match self {
            ProviderSettings::DajiSaas(s) => vec![s.app_secret.expose().to_string()],
            ProviderSettings::SignedHeader(s) => vec![s.secret_key.expose().to_string()],
        }
    }
}

/// Everything needed to build a client.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub provider: ProviderSettings,
    pub connect_timeout: Duration,
    /// Whole-request timeout (uploads and queries).
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// Where DajiSaaS image ids are cached; `None` keeps them in memory.
    pub image_id_cache: Option<PathBuf>,
}

impl ClientSettings {
    pub fn new(provider: ProviderSettings) -> Self {
        ClientSettings {
            provider,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            image_id_cache: None,
        }
    }
}

/// The HTTP pool plus what every request needs to report errors safely.
pub struct Transport {
    pub http: reqwest::Client,
    pub timeout: Duration,
    pub redactor: Redactor,
}

impl Transport {
    /// Sends a request and reads the provider envelope's `data`.
    pub async fn send<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
    ) -> Result<T, ApiError> {
        let response = request
            .send()
            .await
            .map_err(|e| http::transport_error(e, self.timeout))?;
        http::read_envelope(response, self.timeout, &self.redactor).await
    }

    /// Sends a query and normalises its page.
    pub async fn send_query(
        &self,
        request: reqwest::RequestBuilder,
        page: u32,
        page_size: u32,
    ) -> Result<ResultPage, ApiError> {
        let data: super::models::WirePage = self.send(request).await?;
        Ok(ResultPage::from_wire(data, page, page_size))
    }
}

struct Inner {
    settings: ClientSettings,
    transport: Transport,
    image_ids: ImageIdCache,
}

/// A configured client for one provider. Cheap to clone (shares one HTTP pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.kind().name())
    }
}

impl Client {
    pub fn new(settings: ClientSettings) -> Result<Self, ApiError> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("tusou/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Network(format!("could not build HTTP client: {e}")))?;
        let scope = match &settings.provider {
            ProviderSettings::DajiSaas(s) => format!("{} {}", s.base_url, s.app_key),
            ProviderSettings::SignedHeader(s) => format!("{} {}", s.base_url, s.access_key),
        };
        let image_ids = ImageIdCache::open(settings.image_id_cache.clone(), scope);
        let transport = Transport {
            http,
            timeout: settings.timeout,
            redactor: Redactor::new(settings.provider.secrets()),
        };
        Ok(Client {
            inner: Arc::new(Inner {
                settings,
                transport,
                image_ids,
            }),
        })
    }

    pub fn kind(&self) -> ProviderKind {
        self.inner.settings.provider.kind()
    }

    /// The redactor for this client's secrets (for messages built elsewhere).
    pub fn redactor(&self) -> &Redactor {
        &self.inner.transport.redactor
    }

    /// Turns a prepared image into what the query names: DajiSaaS uploads it
    /// (once per image content, cached on disk) and answers `ImageRef::Id`;
    /// the signed-header provider answers `ImageRef::Base64`.
    ///
    /// An upload answering an empty id is retried once with a smaller
    /// re-encode, as 1688 advises images of about 100 KB.
    pub async fn resolve_image(&self, image: &PreparedImage) -> Result<ImageRef, ApiError> {
        let settings = match &self.inner.settings.provider {
            ProviderSettings::SignedHeader(_) => return Ok(ImageRef::Base64(image.base64.clone())),
            ProviderSettings::DajiSaas(s) => s,
        };
        if let Some(id) = self.inner.image_ids.get(&image.md5_hex) {
            tracing::debug!("image id cache hit");
            return Ok(ImageRef::Id(id));
        }
        let transport = &self.inner.transport;
        let id = match dajisaas::upload(transport, settings, &image.base64).await {
            Ok(id) => id,
            Err(ApiError::Upload(first)) => {
                let smaller = crate::image::shrink(image).map_err(|e| {
                    ApiError::Upload(format!("{first}; a smaller copy could not be made: {e}"))
                })?;
                tracing::info!("upload gave no image id; retrying with {}", smaller.summary);
                dajisaas::upload(transport, settings, &smaller.base64).await?
            }
            Err(e) => return Err(e),
        };
        self.inner.image_ids.put(&image.md5_hex, &id);
        Ok(ImageRef::Id(id))
    }

    /// Fetches one page (1-based) of results. Retries 429/5xx/network errors
    /// with backoff and jitter (bounded); cancel by dropping the future.
    pub async fn search_page(
        &self,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError> {
        let inner = &self.inner;
        inner
            .settings
            .retry
            .run(|| async move {
                match &inner.settings.provider {
                    ProviderSettings::DajiSaas(s) => {
                        dajisaas::query(&inner.transport, s, image, params, page).await
                    }
                    ProviderSettings::SignedHeader(s) => {
                        signed_header::query(&inner.transport, s, image, params, page).await
                    }
                }
            })
            .await
    }

    /// Downloads an offer picture (thumbnails), at most `max_bytes`.
    pub async fn fetch_image(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, ApiError> {
        let timeout = self.inner.transport.timeout;
        let parsed = reqwest::Url::parse(url)
            .map_err(|e| ApiError::Network(format!("bad image URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError::Network("image URL is not http(s)".into()));
        }
        let mut response = self
            .inner
            .transport
            .http
            .get(parsed)
            .send()
            .await
            .map_err(|e| http::transport_error(e, timeout))?;
        let status = response.status();
        if !status.is_success() {
            return Err(ApiError::Server {
                status: status.as_u16(),
                message: "image download failed".into(),
                trace_id: None,
            });
        }
        if response
            .content_length()
            .is_some_and(|n| n > max_bytes as u64)
        {
            return Err(ApiError::Network(format!(
                "image larger than {} KB",
                max_bytes / 1024
            )));
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| http::transport_error(e, timeout))?
        {
            if bytes.len() + chunk.len() > max_bytes {
                return Err(ApiError::Network(format!(
                    "image larger than {} KB",
                    max_bytes / 1024
                )));
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}
