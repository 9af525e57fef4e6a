//! Effects run as tokio tasks that report back with `Msg`s. Nothing here
//! blocks the UI task: file-system work and decoding run in `spawn_blocking`.
//! One file per concern (one kind of job each); `run` only dispatches.

mod batch;
mod crop;
mod detail;
mod export;
mod freight;
mod links;
mod listing;
mod same;
mod search;
mod store;
mod suppliers;
mod thumbs;
mod watches;

pub use batch::BatchSetup;
pub(crate) use links::has_local_display;

use super::msg::{Effect, Msg};
use super::state::ThumbKey;
use crate::api::Client;
use crate::image::PrepareOptions;
use lru::LruCache;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use thumbs::{DECODE_CONCURRENCY, PREFETCH_CONCURRENCY, THUMB_CONCURRENCY};
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;
use tokio::task::AbortHandle;

/// Runs effects; owns the handles of what is in flight.
pub(crate) struct Runner {
    tx: UnboundedSender<Msg>,
    client: Client,
    prepare: PrepareOptions,
    search_tasks: Vec<AbortHandle>,
    listing_cancel: Option<Arc<AtomicBool>>,
    thumb_tasks: HashMap<ThumbKey, AbortHandle>,
    thumb_permits: Arc<Semaphore>,
    /// Pictures of the rows around the cursor, fetched ahead.
    prefetch_tasks: HashMap<ThumbKey, AbortHandle>,
    prefetch_permits: Arc<Semaphore>,
    decode_permits: Arc<Semaphore>,
    /// The terminal's cell in pixels: what protocol pictures are sized for.
    cell_size: crate::image::protocol::CellSize,
    /// Downloaded offer pictures, so a resize does not download again.
    downloads: Arc<Mutex<LruCache<String, Arc<Vec<u8>>>>>,
    /// Bytes to write to the terminal after the next draw (OSC 52).
    pending: Vec<u8>,
    /// The history database, when on.
    store: Option<crate::store::Store>,
    /// The name searches and offers are stored under.
    provider: String,
    /// Store operations, run in order by one task.
    store_ops: tokio::sync::mpsc::Sender<crate::app::msg::StoreOp>,
    batch: BatchSetup,
    /// The background batch, aborted when the app leaves.
    batch_task: Option<AbortHandle>,
    /// Crop mode's picture being loaded.
    crop_task: Option<AbortHandle>,
    /// Offer-detail fetches in flight, and how many may run at once.
    detail_tasks: Vec<AbortHandle>,
    detail_permits: Arc<Semaphore>,
    /// The same-product pictures being signed.
    signing_task: Option<AbortHandle>,
}

impl Drop for Runner {
    fn drop(&mut self) {
        if let Some(task) = self.batch_task.take() {
            task.abort();
        }
    }
}

impl Runner {
    pub(crate) fn new(
        tx: UnboundedSender<Msg>,
        client: Client,
        prepare: PrepareOptions,
        store: Option<crate::store::Store>,
        provider: String,
        batch: BatchSetup,
    ) -> Runner {
        Runner {
            batch,
            batch_task: None,
            crop_task: None,
            store_ops: store::start(store.clone(), tx.clone()),
            store,
            provider,
            tx,
            client,
            prepare,
            search_tasks: Vec::new(),
            listing_cancel: None,
            thumb_tasks: HashMap::new(),
            thumb_permits: Arc::new(Semaphore::new(THUMB_CONCURRENCY)),
            prefetch_tasks: HashMap::new(),
            prefetch_permits: Arc::new(Semaphore::new(PREFETCH_CONCURRENCY)),
            decode_permits: Arc::new(Semaphore::new(DECODE_CONCURRENCY)),
            cell_size: crate::image::protocol::CellSize::default(),
            downloads: Arc::new(Mutex::new(LruCache::new(
                NonZeroUsize::new(16).unwrap_or(NonZeroUsize::MIN),
            ))),
            pending: Vec::new(),
            detail_tasks: Vec::new(),
            detail_permits: Arc::new(Semaphore::new(crate::app::state::DETAIL_CONCURRENCY)),
            signing_task: None,
        }
    }

    /// The terminal's cell size changed (at start, on a resize): pictures
    /// encoded from now on are sized for it.
    pub(crate) fn set_cell_size(&mut self, cell: crate::image::protocol::CellSize) {
        self.cell_size = cell;
    }

    /// Terminal bytes to write after the frame; empties the queue.
    pub(crate) fn take_pending(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.pending)
    }

    /// Aborts everything in flight (quit).
    pub(crate) fn shutdown(&mut self) {
        self.cancel_search();
        self.cancel_details();
        self.cancel_signing();
        for (_, h) in self.thumb_tasks.drain().chain(self.prefetch_tasks.drain()) {
            h.abort();
        }
        if let Some(c) = self.listing_cancel.take() {
            c.store(true, Ordering::Relaxed);
        }
    }

    pub(crate) fn run(&mut self, effect: Effect) {
        self.search_tasks.retain(|h| !h.is_finished());
        self.thumb_tasks.retain(|_, h| !h.is_finished());
        self.prefetch_tasks.retain(|_, h| !h.is_finished());
        match effect {
            Effect::ListDir { generation, dir } => self.list_dir(generation, dir),
            Effect::StartSearch {
                generation,
                source,
                params,
                record,
            } => self.start_search(generation, source, params, record),
            Effect::FetchPage {
                generation,
                image,
                params,
                page,
                first,
                record,
            } => self.fetch_page(generation, image, params, page, first, record),
            Effect::CancelSearch => self.cancel_search(),
            Effect::LoadOffers {
                generation,
                search,
                pages,
            } => self.load_offers(generation, search, pages),
            Effect::RecordSearch {
                generation,
                source,
                source_md5,
                thumbnail,
                params,
            } => self.record_search(generation, source, source_md5, thumbnail, params),
            Effect::Store(op) => self.queue_store_op(op),
            Effect::ExportShortlist {
                entries,
                dir,
                currency,
                at,
            } => self.export_shortlist(entries, dir, currency, at),
            Effect::StartBatch { dir, params } => self.start_batch(dir, params),
            Effect::LoadThumb(key) => self.load_thumb(key),
            Effect::LoadCrop { generation, source } => self.load_crop(generation, source),
            Effect::FetchDetails {
                offer_ids,
                country,
                fresh,
            } => self.fetch_details(offer_ids, country, fresh),
            Effect::CancelDetails => self.cancel_details(),
            Effect::FetchFreight(query) => self.fetch_freight(query),
            Effect::SellerAppearances(key) => self.seller_appearances(key),
            Effect::SignPictures {
                generation,
                pictures,
            } => self.sign_pictures(generation, pictures),
            Effect::CancelSigning => self.cancel_signing(),
            Effect::PrefetchThumbs(keys) => self.prefetch_thumbs(keys),
            Effect::Copy(text) => self.copy(&text),
            Effect::OpenLink(link) => self.open_link(link),
            Effect::Export {
                offers,
                dir,
                currency,
                crop,
                details,
                same,
            } => self.export(offers, dir, currency, crop, details, same),
            Effect::Watch(op) => self.watch_op(op),
        }
    }
}
