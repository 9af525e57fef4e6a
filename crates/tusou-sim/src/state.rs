//! The state one simulator server's handlers share: the catalog, uploads,
//! cached pictures, faults, traffic and the request log.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use image::RgbImage;
use lru::LruCache;
use tokio::sync::{OnceCell, watch};

use crate::catalog::{self, Catalog};
use crate::similarity::Descriptor;
use crate::{
    Clock, FaultKind, Faults, MAX_CACHED_IMAGE_BYTES, MAX_RECORDED, RecordedRequest,
    SimCredentials, limit, region, routes,
};

/// An uploaded picture: its descriptor, plus a thumbnail for `region` crops.
pub(crate) struct Uploaded {
    pub(crate) descriptor: Descriptor,
    /// At most [`routes::UPLOAD_THUMB`] a side, aspect kept.
    pub(crate) thumb: RgbImage,
    /// The size the provider received, which `region` boxes refer to.
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// The detected subjects (in the received picture's pixels), each with
    /// its descriptor taken from the full picture, so that searching one
    /// of them is as exact as searching a photo of it alone.
    pub(crate) subjects: Vec<(region::Region, Descriptor)>,
    pub(crate) stored_at: Instant,
}

pub(crate) struct FaultState {
    pub(crate) faults: Faults,
    /// API requests since the faults were last set.
    pub(crate) count: u64,
    /// The generator of a seeded run, restarted whenever faults are set.
    pub(crate) rng: Option<rand::rngs::StdRng>,
}

impl FaultState {
    pub(crate) fn new(faults: Faults) -> FaultState {
        use rand::SeedableRng;
        FaultState {
            rng: faults.seed.map(rand::rngs::StdRng::seed_from_u64),
            faults,
            count: 0,
        }
    }
}

/// Locks, recovering from a poisoned mutex: the guarded data stays usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// State shared by the handlers of one server.
pub(crate) struct SimState {
    pub(crate) credentials: SimCredentials,
    pub(crate) clock: Clock,
    pub(crate) id_ttl: Option<Duration>,
    pub(crate) seed: u64,
    pub(crate) catalog_size: usize,
    pub(crate) max_results: usize,
    pub(crate) base_url: String,
    pub(crate) catalog: OnceCell<Arc<Catalog>>,
    /// The catalog as edited between searches ([`crate::SimHandle::edit_catalog`]),
    /// once it was; searches, details and freight read it instead.
    pub(crate) edited: Mutex<Option<Arc<Catalog>>>,
    /// The last few queries' hits, so paging through one ranks it once.
    pub(crate) ranks: catalog::RankCache,
    pub(crate) faults: Mutex<FaultState>,
    pub(crate) uploads: Mutex<LruCache<String, Arc<Uploaded>>>,
    pub(crate) images: Mutex<LruCache<String, Bytes>>,
    pub(crate) recorded: Mutex<VecDeque<RecordedRequest>>,
    pub(crate) traffic: Mutex<limit::Traffic>,
    pub(crate) shutdown: watch::Receiver<bool>,
}

/// Catalogs are deterministic from (seed, size), so servers in one process
/// (tests start many) share them instead of rebuilding.
pub(crate) fn shared_catalog(seed: u64, size: usize) -> Arc<Catalog> {
    type Entries = Vec<(u64, usize, Arc<Catalog>)>;
    static CACHE: OnceLock<Mutex<Entries>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(Vec::new()));
    let mut entries = lock(cache);
    if let Some((_, _, c)) = entries.iter().find(|(s, n, _)| *s == seed && *n == size) {
        return Arc::clone(c);
    }
    let started = std::time::Instant::now();
    let built = Arc::new(Catalog::build(seed, size));
    tracing::debug!(
        offers = size,
        ms = started.elapsed().as_millis() as u64,
        "sim catalog built"
    );
    entries.push((seed, size, Arc::clone(&built)));
    if entries.len() > 4 {
        entries.remove(0);
    }
    built
}

impl SimState {
    /// The catalog, built on a blocking thread on first use.
    pub(crate) async fn catalog(&self) -> Option<Arc<Catalog>> {
        if let Some(edited) = lock(&self.edited).as_ref() {
            return Some(Arc::clone(edited));
        }
        let (seed, size) = (self.seed, self.catalog_size);
        self.catalog
            .get_or_try_init(|| async move {
                tokio::task::spawn_blocking(move || shared_catalog(seed, size)).await
            })
            .await
            .ok()
            .cloned()
    }

    /// Applies an edit to the catalog (edits one after another build on
    /// each other), forgetting ranked queries; answers the offer id it
    /// concerns.
    pub(crate) async fn edit_catalog(&self, edit: &catalog::CatalogEdit) -> Result<u64, String> {
        let current = self
            .catalog()
            .await
            .ok_or_else(|| "the catalog could not be built".to_string())?;
        let (next, id) = current.edited(edit)?;
        *lock(&self.edited) = Some(Arc::new(next));
        self.ranks.clear();
        Ok(id)
    }

    /// Counts an API request and draws its fault, latency and Retry-After.
    pub(crate) fn next_fault(&self) -> (Option<FaultKind>, Duration, u64) {
        let mut f = lock(&self.faults);
        f.count += 1;
        let f = &mut *f;
        let fault = match f.rng.as_mut() {
            Some(rng) => f.faults.pick_with(f.count, rng),
            None => f.faults.pick(f.count),
        };
        (fault, f.faults.latency.sample(), f.faults.retry_after_secs)
    }

    /// Notes an API request arriving now and takes a rate-limit token for
    /// it; `Err` carries the Retry-After seconds of a refusal.
    pub(crate) fn admit(&self) -> Result<(), u64> {
        let mut traffic = lock(&self.traffic);
        // Read under the lock, so arrivals are noted in order.
        traffic.arrive(Instant::now())
    }

    /// Counts an API request answered with success.
    pub(crate) fn count_success(&self, call: routes::Call) {
        let mut traffic = lock(&self.traffic);
        match call {
            routes::Call::Upload => traffic.count_upload(),
            routes::Call::Query => traffic.count_query(),
            routes::Call::Detail => traffic.count_detail(),
            routes::Call::Freight => traffic.count_freight(),
        }
    }

    pub(crate) fn rate_limit(&self) -> Option<f64> {
        lock(&self.traffic).limit()
    }

    pub(crate) fn latency(&self) -> Duration {
        lock(&self.faults).faults.latency.sample()
    }

    pub(crate) fn record(&self, r: RecordedRequest) {
        let mut rec = lock(&self.recorded);
        if rec.len() >= MAX_RECORDED {
            rec.pop_front();
        }
        rec.push_back(r);
    }

    /// The upload behind an id, unless it is unknown or has expired.
    pub(crate) fn upload(&self, id: &str) -> Option<Arc<Uploaded>> {
        let mut uploads = lock(&self.uploads);
        let up = uploads.get(id).cloned()?;
        if self.id_ttl.is_some_and(|ttl| up.stored_at.elapsed() >= ttl) {
            uploads.pop(id);
            return None;
        }
        Some(up)
    }

    /// Stores (or refreshes) an upload under its id.
    pub(crate) fn remember_upload(&self, id: String, up: Uploaded) {
        let mut uploads = lock(&self.uploads);
        uploads.put(id, Arc::new(up));
        // Drop expired ids from the cold end so they do not pile up.
        if let Some(ttl) = self.id_ttl {
            while uploads
                .peek_lru()
                .is_some_and(|(_, u)| u.stored_at.elapsed() >= ttl)
            {
                uploads.pop_lru();
            }
        }
    }

    /// The JPEG of an offer's picture or of a picture file, rendered once
    /// and cached by file (listings sharing a file share the entry).
    pub(crate) async fn image_jpeg(&self, which: routes::PictureRef) -> Option<Bytes> {
        let catalog = self.catalog().await?;
        let offer = match which {
            routes::PictureRef::Offer(id) => catalog.get(id)?,
            routes::PictureRef::File(file) => catalog.by_picture_file(&file)?,
        };
        let picture = offer.picture.clone();
        if let Some(b) = lock(&self.images).get(&picture.file) {
            return Some(b.clone());
        }
        let art = offer.art;
        let file = picture.file.clone();
        let jpeg = tokio::task::spawn_blocking(move || picture.jpeg(&art))
            .await
            .ok()
            .filter(|j| !j.is_empty())?;
        let bytes = Bytes::from(jpeg);
        let mut images = lock(&self.images);
        images.put(file, bytes.clone());
        let mut held: usize = images.iter().map(|(_, b)| b.len()).sum();
        while held > MAX_CACHED_IMAGE_BYTES && images.len() > 1 {
            match images.pop_lru() {
                Some((_, b)) => held -= b.len(),
                None => break,
            }
        }
        Some(bytes)
    }
}
