//! The provider-independent client the app and `tusou search` use: the
//! image-id cache, uploading again when an id expires, paging, retries and
//! pacing. What differs between providers it asks `provider/`.

use super::error::{ApiError, Redactor};
use super::http;
use super::image_cache::{ImageIdCache, ImageIdStore};
use super::pace::Pacer;
use super::provider::{Capabilities, ProviderInfo, ProviderKind, ProviderSettings};
use super::retry::{Latencies, RetryPolicy};
use super::transport::Transport;
use super::{ImageRef, ResultPage, SearchParams};
use crate::image::PreparedImage;
use lru::LruCache;
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Prepared pictures kept per client so an expired image id can be uploaded
/// again without the caller's help (compact copies are a few hundred KB).
const REUPLOADABLE: usize = 4;

/// Everything needed to build a client.
#[derive(Clone, Debug)]
pub struct ClientSettings {
    pub provider: ProviderSettings,
    pub connect_timeout: Duration,
    /// Timeout of one attempt of a request (uploads, queries, downloads).
    pub timeout: Duration,
    /// Retries of idempotent requests, and their total time bound (by
    /// default twice `timeout`).
    pub retry: RetryPolicy,
    /// Where DajiSaaS image ids persist (the history store); `None` keeps
    /// them in memory.
    pub image_ids: Option<Arc<dyn ImageIdStore>>,
    /// Provider requests per second, kept by one pacer across every request
    /// of the client and its clones; `None` sends unpaced (the in-process
    /// demo). A batch may swap in its own ([`Client::set_pacer`]).
    pub rate: Option<f64>,
}

impl ClientSettings {
    pub fn new(provider: ProviderSettings) -> Self {
        ClientSettings {
            provider,
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(30),
            retry: RetryPolicy::default(),
            image_ids: None,
            rate: None,
        }
    }
}

struct Inner {
    settings: ClientSettings,
    transport: Transport,
    image_ids: ImageIdCache,
    /// imageId → the picture it names, to upload again when the id expires.
    uploads: Mutex<LruCache<String, PreparedImage>>,
    /// Expired imageId → the id its picture was uploaded again as.
    replaced: Mutex<LruCache<String, String>>,
    /// The provider's request rate, when one is kept: the client's own
    /// (`ClientSettings::rate`) or a batch's.
    pacer: Mutex<Option<Arc<Pacer>>>,
    /// The pacer of `ClientSettings::rate`, back in place after a batch.
    own_pacer: Option<Arc<Pacer>>,
    /// How long replies take, to hedge a request that hangs.
    latencies: Latencies,
}

/// A prepared picture the provider can now be queried with.
#[derive(Debug, Clone)]
pub struct UploadedImage {
    pub image: ImageRef,
    /// Width and height of the copy the provider holds (after any shrink).
    pub size: (u32, u32),
    /// What happened on the way that the user should be told.
    pub notes: Vec<String>,
}

/// A configured client for one provider. Cheap to clone (shares one HTTP pool).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Client({})", self.provider().name())
    }
}

impl Client {
    pub fn new(settings: ClientSettings) -> Result<Self, ApiError> {
        let transport = Transport::new(
            settings.connect_timeout,
            settings.timeout,
            Redactor::new(settings.provider.secrets()),
        )?;
        let scope = settings.provider.image_id_scope();
        let image_ids = ImageIdCache::open(settings.image_ids.clone(), scope);
        let cap = |n: usize| NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN);
        let own_pacer = settings
            .rate
            .map(|rate| Pacer::new(rate).map(Arc::new))
            .transpose()
            .map_err(|e| ApiError::InvalidRequest {
                code: 0,
                message: format!("request rate: {e}"),
                trace_id: None,
            })?;
        Ok(Client {
            inner: Arc::new(Inner {
                settings,
                transport,
                image_ids,
                uploads: Mutex::new(LruCache::new(cap(REUPLOADABLE))),
                replaced: Mutex::new(LruCache::new(cap(16))),
                pacer: Mutex::new(own_pacer.clone()),
                own_pacer,
                latencies: Latencies::default(),
            }),
        })
    }

    /// The provider's base URL (pictures on the same origin are the
    /// provider's own, like 1688's).
    pub fn base_url(&self) -> &str {
        self.provider().base_url()
    }

    /// The public half of the credentials (app key / access key): not a
    /// secret, but show only its start.
    pub fn key(&self) -> &str {
        self.provider().key()
    }

    /// The provider this client speaks to.
    pub fn provider(&self) -> &ProviderSettings {
        &self.inner.settings.provider
    }

    /// Its name, what its key is called, its defaults.
    pub fn provider_info(&self) -> &'static ProviderInfo {
        self.provider().info()
    }

    /// What the provider can do.
    pub fn capabilities(&self) -> Capabilities {
        self.provider().capabilities()
    }

    /// Whether this provider can run a search with `params`: a keyword or a
    /// hint it does not take ([`ApiError::NotTaken`]), or words that cannot
    /// be sent ([`ApiError::InvalidRequest`]). Every query checks this
    /// before sending; call it first to refuse before uploading a picture.
    pub fn check_search(&self, params: &SearchParams) -> Result<(), ApiError> {
        self.capabilities()
            .check_search(self.provider().name(), params)
    }

    /// Uploads `image` even when its id is cached (`tusou doctor` checks the
    /// round trip). A provider that takes no upload gets the picture with
    /// every query.
    pub async fn upload_uncached(&self, image: &PreparedImage) -> Result<UploadedImage, ApiError> {
        if !self.capabilities().upload_image {
            return self.resolve_prepared(image).await;
        }
        self.upload_and_remember(image).await
    }

    /// The server's clock against this machine's, from the `Date` header of
    /// the last signed reply (any status) and the middle of its round trip:
    /// answers (server − local) in seconds, good to about a second (the
    /// header has whole seconds). No request of its own: ask after one.
    pub(crate) fn clock_offset(&self) -> Result<f64, ApiError> {
        self.inner.transport.clock_offset()
    }

    /// The time bound of one attempt of a request.
    pub fn timeout(&self) -> Duration {
        self.inner.transport.timeout
    }

    pub fn kind(&self) -> ProviderKind {
        self.inner.settings.provider.kind()
    }

    /// Turns a prepared image into what the query names: a provider that
    /// takes uploads gets it once per image content (cached on disk) and
    /// the answer is `ImageRef::Id`; otherwise `ImageRef::Base64`.
    pub async fn resolve_image(&self, image: &PreparedImage) -> Result<ImageRef, ApiError> {
        Ok(self.resolve_prepared(image).await?.image)
    }

    /// [`Client::resolve_image`], also saying the size the provider holds and
    /// what happened on the way.
    ///
    /// An upload answering an empty or `"0"` id is retried once with a
    /// smaller re-encode, as 1688 advises images of about 100 KB; the note
    /// says so.
    pub async fn resolve_prepared(&self, image: &PreparedImage) -> Result<UploadedImage, ApiError> {
        let size = (image.width, image.height);
        if !self.capabilities().upload_image {
            return Ok(UploadedImage {
                image: ImageRef::Base64(image.base64.clone()),
                size,
                notes: Vec::new(),
            });
        }
        if let Some(id) = self.inner.image_ids.get(&image.md5_hex) {
            tracing::debug!("image id cache hit");
            self.remember_upload(&id, image);
            return Ok(UploadedImage {
                image: ImageRef::Id(id),
                size,
                notes: Vec::new(),
            });
        }
        self.upload_and_remember(image).await
    }

    /// Uploads, then keeps the id (disk cache) and the picture (for a
    /// re-upload when the id expires).
    async fn upload_and_remember(&self, image: &PreparedImage) -> Result<UploadedImage, ApiError> {
        let (id, sent, notes) = self.upload(image).await?;
        self.inner.image_ids.put(&image.md5_hex, &id);
        self.remember_upload(&id, image);
        Ok(UploadedImage {
            image: ImageRef::Id(id),
            size: (sent.width, sent.height),
            notes,
        })
    }

    /// One upload, with the smaller-copy retry; answers the id, the copy
    /// that was accepted and notes for the user.
    async fn upload(
        &self,
        image: &PreparedImage,
    ) -> Result<(String, PreparedImage, Vec<String>), ApiError> {
        match self.upload_bytes(&image.base64).await {
            Ok(id) => Ok((id, image.clone(), Vec::new())),
            Err(ApiError::Upload(first)) => {
                let smaller = crate::image::shrink(image).map_err(|e| {
                    ApiError::Upload(format!("{first}; a smaller copy could not be made: {e}"))
                })?;
                let note = format!(
                    "the provider gave no image id for the picture; uploaded a smaller copy ({})",
                    smaller.summary
                );
                tracing::info!("{note}");
                let id = self.upload_bytes(&smaller.base64).await?;
                Ok((id, smaller, vec![note]))
            }
            Err(e) => Err(e),
        }
    }

    /// One upload under the retry policy: uploads are idempotent by content
    /// (the same picture gets the same id), so a transient failure is
    /// simply sent again.
    async fn upload_bytes(&self, base64: &str) -> Result<String, ApiError> {
        let inner = &self.inner;
        self.retrying(|| inner.settings.provider.upload(&inner.transport, base64))
            .await
    }

    fn remember_upload(&self, id: &str, image: &PreparedImage) {
        if let Ok(mut uploads) = self.inner.uploads.lock() {
            uploads.put(id.to_string(), image.clone());
        }
    }

    /// The id an expired one was replaced by, if any.
    fn current_ref(&self, image: &ImageRef) -> ImageRef {
        if let ImageRef::Id(id) = image
            && let Ok(mut replaced) = self.inner.replaced.lock()
            && let Some(new) = replaced.get(id)
        {
            return ImageRef::Id(new.clone());
        }
        image.clone()
    }

    /// Uploads the picture behind an expired id again (once), forgetting the
    /// stale id; answers the new id. `None` when this client never saw the
    /// picture (then the caller must prepare it again).
    async fn reupload(&self, stale: &str) -> Option<Result<(String, Vec<String>), ApiError>> {
        if !self.capabilities().upload_image {
            return None;
        }
        let image = self.inner.uploads.lock().ok()?.get(stale).cloned()?;
        self.inner.image_ids.remove(&image.md5_hex);
        Some(match self.upload(&image).await {
            Ok((id, _, mut notes)) => {
                self.inner.image_ids.put(&image.md5_hex, &id);
                self.remember_upload(&id, &image);
                if let Ok(mut replaced) = self.inner.replaced.lock() {
                    replaced.put(stale.to_string(), id.clone());
                }
                notes.insert(
                    0,
                    "the provider no longer knew the picture (its image id expired); uploaded it again"
                        .to_string(),
                );
                Ok((id, notes))
            }
            Err(e) => Err(e),
        })
    }

    /// Fetches one page (1-based) of results under the client's
    /// [`RetryPolicy`] (transient failures, undecodable replies included,
    /// are retried within its attempt and time bounds); cancel by dropping
    /// the future. A page that does not add up (empty before the last page,
    /// nothing readable in it) is a `Decode` error, not the end.
    ///
    /// When the provider answers that the `imageId` is unknown or expired,
    /// the picture is uploaded again once and the page asked for again; later
    /// pages of the same search use the new id.
    pub async fn search_page(
        &self,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError> {
        let image = self.current_ref(image);
        match self.query_page(&image, params, page).await {
            Err(e) if e.is_expired_image_id() => {
                let ImageRef::Id(stale) = &image else {
                    return Err(e);
                };
                match self.reupload(stale).await {
                    None => Err(e),
                    Some(Err(upload)) => Err(upload),
                    Some(Ok((id, notes))) => {
                        let mut result = self.query_page(&ImageRef::Id(id), params, page).await?;
                        result.notices.extend(notes);
                        Ok(result)
                    }
                }
            }
            other => other,
        }
    }

    async fn query_page(
        &self,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError> {
        let inner = &self.inner;
        self.retrying(|| {
            inner
                .settings
                .provider
                .query(&inner.transport, image, params, page)
        })
        .await
    }

    /// The detail of an offer (minimum order, price tiers, ship-from) under
    /// the client's retry policy and pacing. A provider without
    /// [`Capabilities::offer_detail`] answers [`ApiError::NoDetail`]. An id
    /// that is not digits is refused unsent.
    pub async fn offer_detail(
        &self,
        offer_id: &str,
        country: &str,
    ) -> Result<super::OfferDetail, ApiError> {
        let inner = &self.inner;
        let provider = &inner.settings.provider;
        if !provider.capabilities().offer_detail {
            return Err(ApiError::NoDetail {
                provider: provider.name(),
            });
        }
        if !super::detail::is_offer_id(offer_id) {
            return Err(ApiError::InvalidRequest {
                code: 0,
                message: "an offer detail needs a numeric offer id".into(),
                trace_id: None,
            });
        }
        self.retrying(|| provider.offer_detail(&inner.transport, offer_id, country))
            .await
    }

    /// A domestic freight estimate under the client's retry policy and
    /// pacing (the same pacer as every other provider request; the estimate
    /// only reads, so it is retried like one). A provider without
    /// [`Capabilities::freight_estimate`] answers [`ApiError::NoFreight`]
    /// and nothing is sent; a query that does not check out is refused
    /// unsent.
    pub async fn freight_estimate(
        &self,
        query: &super::FreightQuery,
    ) -> Result<super::FreightQuote, ApiError> {
        let inner = &self.inner;
        let provider = &inner.settings.provider;
        if !provider.capabilities().freight_estimate {
            return Err(ApiError::NoFreight {
                provider: provider.name(),
            });
        }
        query.check().map_err(|message| ApiError::InvalidRequest {
            code: 0,
            message,
            trace_id: None,
        })?;
        self.retrying(|| provider.freight_estimate(&inner.transport, query))
            .await
    }

    /// Runs one idempotent request under the client's retry policy, each
    /// attempt bounded by the client's timeout (clipped to what is left of
    /// the policy's total bound).
    async fn retrying<T, F, Fut>(&self, attempt: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<T, ApiError>>,
    {
        let timeout = self.inner.transport.timeout;
        let pacer = self.pacer();
        self.inner
            .settings
            .retry
            .run_paced(
                timeout,
                pacer.as_deref(),
                Some(&self.inner.latencies),
                attempt,
            )
            .await
    }

    /// From now on every provider request (this client and its clones)
    /// waits its turn at `pacer`; `None` goes back to the client's own rate
    /// (`ClientSettings::rate`).
    pub fn set_pacer(&self, pacer: Option<Arc<Pacer>>) {
        if let Ok(mut p) = self.inner.pacer.lock() {
            *p = pacer.or_else(|| self.inner.own_pacer.clone());
        }
    }

    pub fn pacer(&self) -> Option<Arc<Pacer>> {
        self.inner.pacer.lock().ok().and_then(|p| p.clone())
    }

    /// Downloads an offer picture (thumbnails), at most `max_bytes`.
    pub async fn fetch_image(&self, url: &str, max_bytes: usize) -> Result<Vec<u8>, ApiError> {
        self.download(url, max_bytes as u64, "picture").await
    }

    /// GETs an http(s) URL, reading at most `max_bytes` of body while it
    /// streams (a longer or endless body stops there with `TooLarge`);
    /// redirects are bounded by `transport::MAX_REDIRECTS`. Transient failures (5xx,
    /// 429, a body cut short, a dropped connection) are retried under the
    /// client's policy, within its time bound. `what` names the body in
    /// messages.
    pub async fn download(
        &self,
        url: &str,
        max_bytes: u64,
        what: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let parsed = reqwest::Url::parse(url.trim())
            .map_err(|e| ApiError::Network(format!("bad {what} URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(ApiError::Network(format!("{what} URL is not http(s)")));
        }
        // Not a provider request (pictures come from their CDN): not paced.
        let timeout = self.inner.transport.timeout;
        self.inner
            .settings
            .retry
            .run(timeout, || {
                self.download_once(parsed.clone(), max_bytes, what)
            })
            .await
    }

    async fn download_once(
        &self,
        url: reqwest::Url,
        max_bytes: u64,
        what: &str,
    ) -> Result<Vec<u8>, ApiError> {
        let timeout = self.inner.transport.timeout;
        let response = self
            .inner
            .transport
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| http::transport_error(e, timeout))?;
        let status = response.status();
        if !status.is_success() {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(http::parse_retry_after);
            let message = format!("{what} download failed (HTTP {})", status.as_u16());
            return Err(match status.as_u16() {
                429 => ApiError::RateLimited { retry_after },
                408 | 500..=599 => ApiError::Server {
                    status: status.as_u16(),
                    message,
                    trace_id: None,
                },
                code => ApiError::InvalidRequest {
                    code: i64::from(code),
                    message,
                    trace_id: None,
                },
            });
        }
        http::read_body(response, max_bytes, what, timeout).await
    }
}
