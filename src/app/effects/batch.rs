//! The batch the picker's `B` starts: the same job, pacing, store and sheet
//! as `tusou batch DIR`, run as a task that reports progress by message.
//! Quitting the app drops the task; the job stays in the store, and the
//! same command (`tusou batch DIR`) or `B` again goes on with it.

use crate::api::pace::Pacer;
use crate::api::{Client, SearchParams};
use crate::app::msg::{BatchUpdate, Msg};
use crate::batch::run::{Event, RunOptions, run_job};
use crate::batch::{assemble, inputs, job};
use crate::image::PrepareOptions;
use crate::money::Currency;
use crate::store::{JobId, Store};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc::UnboundedSender;

/// Matches kept per photo for a batch started from the app.
const TOP: u32 = 5;

/// What a batch from the app runs with (the configuration's).
#[derive(Debug, Clone)]
pub struct BatchSetup {
    /// Provider requests per second, and photos at once.
    pub rate: f64,
    pub concurrency: u32,
    pub export_dir: PathBuf,
    /// Where match pictures are kept between sheets.
    pub thumb_cache: Option<PathBuf>,
    pub currency: Option<Currency>,
}

impl Default for BatchSetup {
    fn default() -> Self {
        BatchSetup {
            rate: 5.0,
            concurrency: 4,
            export_dir: PathBuf::from("."),
            thumb_cache: None,
            currency: None,
        }
    }
}

/// Everything the task needs, owned.
pub(super) struct BatchTask {
    pub(super) tx: UnboundedSender<Msg>,
    pub(super) client: Client,
    pub(super) store: Store,
    pub(super) provider: String,
    pub(super) prepare: PrepareOptions,
    pub(super) setup: BatchSetup,
}

impl BatchTask {
    pub(super) async fn run(self, dir: PathBuf, params: SearchParams) {
        let tx = self.tx.clone();
        let result = self.go(dir, params).await;
        let _ = tx.send(Msg::Batch(BatchUpdate::Finished(result)));
    }

    async fn go(self, dir: PathBuf, mut params: SearchParams) -> Result<String, String> {
        params.page_size = Some(TOP);
        params.region = None;
        let found = {
            let dir = dir.clone();
            tokio::task::spawn_blocking(move || inputs::collect(&dir, false))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?
        };
        let identity = job::identity(&found, false, &self.provider, &params, TOP);
        let out = job::default_out(&self.setup.export_dir);
        let (store, provider) = (self.store.clone(), self.provider.clone());
        let p = params.clone();
        let (job, _) = tokio::task::spawn_blocking(move || {
            job::find_or_create(&store, &found, &identity, &provider, &p, TOP, &out)
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;

        let pacer = Pacer::new(self.setup.rate).map_err(|e| format!("[batch] rate: {e}"))?;
        // The app's own searches share the provider's limit while it runs.
        self.client.set_pacer(Some(Arc::new(pacer)));
        let result = self
            .search(job.id, job.total, job.done, job.failed, params)
            .await;
        self.client.set_pacer(None);
        result?;

        let summary = self.store.job(job.id).ok().flatten();
        let out = PathBuf::from(&job.out);
        let out = assemble::write_job_sheet(
            &self.store,
            &self.client,
            job.id,
            self.setup.currency.clone(),
            None,
            self.setup.thumb_cache.as_deref(),
            &out,
            crate::export::file::Naming::Fresh,
        )
        .await
        .map_err(|e| format!("{}: {e}", crate::fs::shown(&out)))?;
        let (done, failed) = summary.map_or((0, 0), |s| (s.done, s.failed));
        let _ = self.store.finish_job(job.id);
        Ok(format!(
            "Batch done: {done} photos searched, {failed} failed; sheet {} (their searches are in History)",
            crate::fs::shown(&out)
        ))
    }

    async fn search(
        &self,
        job: JobId,
        total: u64,
        done: u64,
        failed: u64,
        params: SearchParams,
    ) -> Result<(), String> {
        let opts = RunOptions {
            params,
            concurrency: self.setup.concurrency.max(1) as usize,
            prepare: self.prepare.clone(),
            provider: self.provider.clone(),
        };
        let (done, failed) = (AtomicU64::new(done), AtomicU64::new(failed));
        let progress = |event: Event| {
            match event {
                Event::Done { .. } => done.fetch_add(1, Ordering::Relaxed),
                Event::Failed { .. } => failed.fetch_add(1, Ordering::Relaxed),
                Event::Again { .. } => 0,
            };
            let _ = self.tx.send(Msg::Batch(BatchUpdate::Progress {
                total,
                done: done.load(Ordering::Relaxed),
                failed: failed.load(Ordering::Relaxed),
            }));
        };
        let _ = self.tx.send(Msg::Batch(BatchUpdate::Progress {
            total,
            done: done.load(Ordering::Relaxed),
            failed: failed.load(Ordering::Relaxed),
        }));
        // Never stopped from here: quitting the app drops this task.
        let (_keep, stop) = tokio::sync::watch::channel(false);
        run_job(&self.client, &self.store, job, &opts, &progress, stop)
            .await
            .map_err(|e| e.to_string())
    }
}

impl super::Runner {
    /// Runs only with the history on: the job lives in the store.
    pub(super) fn start_batch(&mut self, dir: PathBuf, params: SearchParams) {
        let Some(store) = self.store.clone() else {
            return;
        };
        let task = BatchTask {
            tx: self.tx.clone(),
            client: self.client.clone(),
            store,
            provider: self.provider.clone(),
            prepare: self.prepare.clone(),
            setup: self.batch.clone(),
        };
        self.batch_task = Some(tokio::spawn(task.run(dir, params)).abort_handle());
    }
}
