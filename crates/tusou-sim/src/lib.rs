//! A strict, offline simulator of both provider APIs tusou talks to
//! (DajiSaaS and the signed-header provider), served by axum.
//!
//! * `POST /alibaba/upload/image` — DajiSaaS upload (multipart), answers an
//!   `imageId` (forgotten after [`SimConfig::id_ttl`], and on restart).
//! * `GET /alibaba/product/imageQuery` — DajiSaaS query (`sign` parameter;
//!   the picture is `imageId` or `imageUrl`).
//! * `POST /v2/alibaba/product/image/query` — signed-header query (JSON body;
//!   the picture is `imageBase64` or `imageAddress`).
//! * `GET /img/{offerId}.jpg` — the catalog picture of an offer.
//! * `GET /img/ibank/{file}.jpg` — a picture file by its alicdn-style name
//!   (`O1CN01…_!!<member>-0-cib`), as search results link it.
//! * `GET`/`POST /_sim/faults` — the active faults and the rate limit
//!   (loopback binds only).
//! * `GET`/`DELETE /_sim/stats` — the request counters ([`SimStats`]);
//!   `DELETE` answers them and starts again from zero (loopback binds only).
//!
//! Business errors are HTTP 200 with `code` 401 (credentials, signature,
//! timestamp) or 400 (invalid request), as the providers do. The catalog is
//! synthetic and deterministic from a seed; results are ranked by visual
//! similarity (outline, then colour) to the query picture. Faults (latency,
//! 429, 5xx, bad bodies, stalls) can be injected and changed at runtime.
//! A real rate limit ([`SimConfig::rate_limit`], a token bucket) answers
//! 429 with `Retry-After` when API requests come faster than it allows.
//!
//! This crate does not depend on the `tusou` client: its wire types
//! ([`wire`]) and signature checks ([`sign`]) are written from the
//! providers' documents, so a client bug cannot pass against it.

pub mod artwork;
pub mod catalog;
mod cli;
pub mod clock;
mod control;
pub mod faults;
mod limit;
pub mod region;
pub mod relist;
mod routes;
pub mod sign;
pub mod similarity;
mod state;
pub mod subjects;
pub mod text;
pub mod wire;
pub mod wire_detail;

use std::collections::VecDeque;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lru::LruCache;
use tokio::sync::{OnceCell, watch};

pub use catalog::{CatalogEdit, MAX_RESULTS};
pub use cli::{SimArgs, run_standalone, write_samples, write_scenes};
pub use clock::Clock;
pub use faults::{FaultKind, Faults, Latency};
pub use limit::SimStats;
pub use routes::{
    MSG_BAD_ADDRESS, MSG_BAD_IMAGE_URL, MSG_BAD_SKU, MSG_EXPIRED_ID, MSG_NO_IMAGE, MSG_NO_OFFER_ID,
    MSG_UNKNOWN_OFFER,
};

use state::{FaultState, SimState, Uploaded, lock};

/// Default number of synthetic offers.
pub const DEFAULT_CATALOG_SIZE: usize = 2400;
/// Default catalog seed.
pub const DEFAULT_SEED: u64 = 1688;
/// Uploaded images remembered (least recently used are forgotten first).
const MAX_UPLOADS: usize = 4_000;
/// Rendered catalog JPEGs kept in memory, at most this many…
const MAX_CACHED_IMAGES: usize = 256;
/// …and this many bytes (they re-render in a few milliseconds; the demo
/// simulator shares the app's process and its memory).
pub(crate) const MAX_CACHED_IMAGE_BYTES: usize = 2 * 1024 * 1024;
/// Requests kept for [`SimHandle::requests`].
pub(crate) const MAX_RECORDED: usize = 200;

/// Credentials the simulator accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimCredentials {
    /// DajiSaaS `appKey`.
    pub app_key: String,
    /// DajiSaaS `appSecret` (signs `sign`).
    pub app_secret: String,
    /// Signed-header `access-key`.
    pub access_key: String,
    /// Signed-header secret (signs `signature`).
    pub secret_key: String,
    /// Signed-header `user-id`.
    pub user_id: String,
}

impl SimCredentials {
    /// Fixed demo credentials, safe to publish: they only open the simulator.
    ///
    /// | provider | field | value |
    /// |---|---|---|
    /// | DajiSaaS | appKey | `tusou-demo-app-key` |
    /// | DajiSaaS | appSecret | `tusou-demo-app-secret` |
    /// | signed-header | access-key | `7475736f7564656d6f6163636573736b` |
    /// | signed-header | secret | `tusou-demo-secret-key` |
    /// | signed-header | user-id | `2100007341207` |
    pub fn demo() -> Self {
        SimCredentials {
            app_key: "tusou-demo-app-key".into(),
            app_secret: "tusou-demo-app-secret".into(),
            access_key: "7475736f7564656d6f6163636573736b".into(),
            secret_key: "tusou-demo-secret-key".into(),
            user_id: "2100007341207".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimConfig {
    pub credentials: SimCredentials,
    pub catalog_size: usize,
    /// Hits a search answers at most (the real API stops at about 2,000).
    pub max_results: usize,
    pub seed: u64,
    pub faults: Faults,
    /// How long an upload's `imageId` is remembered; `None` = until the
    /// simulator stops (or the id is pushed out by newer uploads).
    pub id_ttl: Option<Duration>,
    /// Seconds the simulator's clock runs ahead of real time (behind when
    /// negative): its `Date` header, envelope timestamps and the
    /// signed-header timestamp window follow it.
    pub clock_offset_secs: i64,
    /// The provider's rate limit in API requests per second (uploads and
    /// queries of both providers; not pictures): a token bucket refilled at
    /// this rate holding up to `max(1, rate)` tokens (a second's worth), one
    /// per request. A request finding none is answered HTTP 429 with
    /// `Retry-After` (whole seconds until a token, at least 1). `None`:
    /// unlimited. Must be finite and above 0.
    pub rate_limit: Option<f64>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            credentials: SimCredentials::demo(),
            catalog_size: DEFAULT_CATALOG_SIZE,
            max_results: MAX_RESULTS,
            seed: DEFAULT_SEED,
            faults: Faults::default(),
            id_ttl: None,
            clock_offset_secs: 0,
            rate_limit: None,
        }
    }
}

/// One request as the simulator saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedRequest {
    pub method: String,
    /// Path only, without the query string.
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// Query parameters, form fields (`image_base64` cut to 64 characters) or
    /// top-level JSON body keys with their values (`imageBase64` likewise).
    pub fields: Vec<(String, String)>,
    pub status: u16,
}

impl RecordedRequest {
    /// First value of a field, if present.
    pub fn field(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// First value of a header (names are lower-case), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A running simulator. Dropping it stops the server.
pub struct SimHandle {
    addr: SocketAddr,
    base_url: String,
    state: Arc<SimState>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl SimHandle {
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT` (the loopback address when bound to any).
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// Replaces the faults; `first_n` counts from this call.
    pub fn set_faults(&self, faults: Faults) {
        *lock(&self.state.faults) = FaultState::new(faults);
    }

    /// The active faults.
    pub fn faults(&self) -> Faults {
        lock(&self.state.faults).faults.clone()
    }

    /// The rate limit in API requests per second (`None`: unlimited).
    pub fn rate_limit(&self) -> Option<f64> {
        self.state.rate_limit()
    }

    /// Replaces the rate limit, starting from a full bucket; `None` lifts
    /// it. Fails, changing nothing, unless the rate is finite and above 0.
    pub fn set_rate_limit(&self, rate: Option<f64>) -> anyhow::Result<()> {
        let rate = rate
            .map(limit::check_rate)
            .transpose()
            .map_err(anyhow::Error::msg)?;
        lock(&self.state.traffic).set_limit(rate, Instant::now());
        Ok(())
    }

    /// The request counters so far.
    pub fn stats(&self) -> SimStats {
        lock(&self.state.traffic).stats()
    }

    /// Zeroes the request counters (the rate limit is left as it is).
    pub fn reset_stats(&self) {
        lock(&self.state.traffic).reset_stats();
    }

    /// The last ~200 requests, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.state.recorded).iter().cloned().collect()
    }

    /// Forgets every uploaded image id at once, as a provider restart or
    /// expiry would: queries by those ids then answer code 400
    /// [`MSG_EXPIRED_ID`].
    pub fn forget_uploads(&self) {
        lock(&self.state.uploads).clear();
    }

    /// Changes the catalog from now on, as sellers change a live
    /// marketplace between two searches: a new listing, a price moved, a
    /// listing taken down, a minimum order changed ([`CatalogEdit`]).
    /// Edits build on each other and last until the simulator stops; other
    /// simulators (even of the same seed) are unaffected. Answers the offer
    /// id concerned (the new listing's for a relisting); fails, changing
    /// nothing, for an offer not in the catalog or a zero price or
    /// minimum order.
    pub async fn edit_catalog(&self, edit: CatalogEdit) -> anyhow::Result<String> {
        self.state
            .edit_catalog(&edit)
            .await
            .map(|id| id.to_string())
            .map_err(anyhow::Error::msg)
    }

    /// The simulator's clock (real time shifted by the configured offset).
    pub fn clock(&self) -> Clock {
        self.state.clock
    }

    /// Stops accepting, ends stalled replies, and waits (up to 5 s) for
    /// in-flight requests.
    pub async fn shutdown(mut self) {
        self.stop.send_replace(true);
        if let Some(task) = self.task.take() {
            let abort = task.abort_handle();
            if tokio::time::timeout(Duration::from_secs(5), task)
                .await
                .is_err()
            {
                abort.abort();
            }
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.stop.send_replace(true);
    }
}

/// Binds `addr` (tests pass `127.0.0.1:0`) and serves in the background on
/// the current tokio runtime. Returns at once; the catalog builds on a
/// blocking thread and the first query waits for it if needed.
///
/// Fails if `config.rate_limit` is not finite and above 0.
pub async fn spawn(config: SimConfig, addr: SocketAddr) -> anyhow::Result<SimHandle> {
    let rate_limit = config
        .rate_limit
        .map(limit::check_rate)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let host = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    let base_url = format!("http://{}", SocketAddr::new(host, local.port()));
    let (stop, stopped) = watch::channel(false);
    let capacity = |n: usize| NonZeroUsize::new(n).unwrap_or(NonZeroUsize::MIN);
    let state = Arc::new(SimState {
        credentials: config.credentials,
        clock: Clock::new(config.clock_offset_secs),
        id_ttl: config.id_ttl,
        seed: config.seed,
        catalog_size: config.catalog_size.max(1),
        max_results: config.max_results.max(1),
        base_url: base_url.clone(),
        catalog: OnceCell::new(),
        edited: Mutex::new(None),
        ranks: catalog::RankCache::new(),
        faults: Mutex::new(FaultState::new(config.faults)),
        uploads: Mutex::new(LruCache::new(capacity(MAX_UPLOADS))),
        images: Mutex::new(LruCache::new(capacity(MAX_CACHED_IMAGES))),
        recorded: Mutex::new(VecDeque::new()),
        traffic: Mutex::new(limit::Traffic::new(rate_limit, Instant::now())),
        shutdown: stopped.clone(),
    });
    let warm = Arc::clone(&state);
    tokio::spawn(async move {
        let _ = warm.catalog().await;
    });
    // Runtime fault control changes what every client of this server sees,
    // so it is only offered where only this machine can reach it.
    let control = local.ip().is_loopback();
    let app = routes::router(Arc::clone(&state), control);
    let mut until = stopped;
    let task = tokio::spawn(async move {
        let served = axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = until.wait_for(|v| *v).await;
            })
            .await;
        if let Err(e) = served {
            tracing::warn!(error = %e, "simulator stopped with an error");
        }
    });
    Ok(SimHandle {
        addr: local,
        base_url,
        state,
        stop,
        task: Some(task),
    })
}

/// The JPEG served at `/img/{offer_id}.jpg` (and at the offer's
/// `/img/ibank/` address) by a simulator with this config, without HTTP. `None` for ids not in the catalog.
pub fn catalog_image(config: &SimConfig, offer_id: &str) -> Option<Vec<u8>> {
    let offer = catalog_offer(config, offer_id)?;
    let jpeg = offer.picture.jpeg(&offer.art);
    (!jpeg.is_empty()).then_some(jpeg)
}

/// A scene photo of up to 3 catalog offers' pictures on a desk, left to
/// right in the order given (see [`subjects::render_scene`]). `None` when
/// an id is not in the catalog.
pub fn scene_image(config: &SimConfig, offer_ids: &[String]) -> Option<Vec<u8>> {
    let offers = catalog::generate(config.seed, config.catalog_size.max(1));
    let arts = offer_ids
        .iter()
        .map(|id| {
            let id: u64 = id.trim().parse().ok()?;
            offers.iter().find(|o| o.offer_id == id).map(|o| o.art)
        })
        .collect::<Option<Vec<_>>>()?;
    let jpeg = subjects::render_scene_jpeg(&arts);
    (!jpeg.is_empty()).then_some(jpeg)
}

/// The file name of an offer's picture, as the last segment of the
/// `imageUrl` a simulator with this config answers for it
/// (`O1CN01…_!!<member>-0-cib.jpg`). `None` for ids not in the catalog.
pub fn catalog_picture_file(config: &SimConfig, offer_id: &str) -> Option<String> {
    Some(catalog_offer(config, offer_id)?.picture.file_name())
}

fn catalog_offer(config: &SimConfig, offer_id: &str) -> Option<catalog::CatalogOffer> {
    let id: u64 = offer_id.trim().parse().ok()?;
    let offers = catalog::generate(config.seed, config.catalog_size.max(1));
    offers.into_iter().find(|o| o.offer_id == id)
}

/// The seller of an offer as this config's simulator serves it (rates in
/// basis points, scores in hundredths, `None` for fields left out), for
/// tests to compare with what a client read. `None` for ids not in the
/// catalog.
pub fn catalog_seller(config: &SimConfig, offer_id: &str) -> Option<catalog::SimSeller> {
    Some((*catalog_offer(config, offer_id)?.seller).clone())
}

/// The first `n` offer ids of the catalog this config describes.
pub fn catalog_offer_ids(config: &SimConfig, n: usize) -> Vec<String> {
    // Generation is sequential, so the first n of a catalog are the whole of
    // a catalog of n.
    catalog::generate(config.seed, n.min(config.catalog_size.max(1)))
        .into_iter()
        .map(|o| o.offer_id.to_string())
        .collect()
}

/// An offer's detail as this config's simulator serves it: minimum order and
/// tiers as (start quantity, price in fen, promotion price in fen), for
/// tests to compare with what a client read. `None` for ids not in the
/// catalog.
pub fn catalog_detail(config: &SimConfig, offer_id: &str) -> Option<catalog::OfferDetail> {
    Some(catalog::OfferDetail::of(&catalog_offer(config, offer_id)?))
}
