//! Fetching offer details: the store's copy when young enough, else the
//! provider (then kept in the store), a few at a time, every wait bounded
//! by the client's timeout and retry policy.

use crate::api::{ApiError, Client, OfferDetail};
use crate::app::msg::Msg;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;

/// A kept detail younger than this is used as it is.
const FRESH_SECS: i64 = 24 * 3600;

impl super::Runner {
    pub(super) fn cancel_details(&mut self) {
        for h in self.detail_tasks.drain(..) {
            h.abort();
        }
    }

    pub(super) fn fetch_details(&mut self, offer_ids: Vec<String>, country: String, fresh: bool) {
        self.detail_tasks.retain(|h| !h.is_finished());
        for offer_id in offer_ids {
            let job = DetailJob {
                tx: self.tx.clone(),
                client: self.client.clone(),
                store: self.store.clone(),
                provider: self.provider.clone(),
                permits: self.detail_permits.clone(),
            };
            let task = tokio::spawn(job.run(offer_id, country.clone(), fresh));
            self.detail_tasks.push(task.abort_handle());
        }
    }
}

/// What one detail fetch needs.
pub(super) struct DetailJob {
    pub(super) tx: UnboundedSender<Msg>,
    pub(super) client: Client,
    pub(super) store: Option<Store>,
    pub(super) provider: String,
    pub(super) permits: Arc<Semaphore>,
}

impl DetailJob {
    pub(super) async fn run(self, offer_id: String, country: String, fresh: bool) {
        let Ok(_permit) = self.permits.clone().acquire_owned().await else {
            return;
        };
        let result = self.fetch(&offer_id, &country, fresh).await;
        let _ = self.tx.send(Msg::Detail { offer_id, result });
    }

    async fn fetch(
        &self,
        offer_id: &str,
        country: &str,
        fresh: bool,
    ) -> Result<(Box<OfferDetail>, i64), ApiError> {
        if !fresh && let Some(kept) = self.kept(offer_id).await {
            return Ok(kept);
        }
        let detail = self.client.offer_detail(offer_id, country).await?;
        if detail.offer_id.as_deref().is_some_and(|id| id != offer_id) {
            // Not kept under the offer asked; `update` says so.
            return Ok((Box::new(detail), now()));
        }
        let fetched_at = match self.store.clone() {
            Some(store) => {
                let (provider, id, d) =
                    (self.provider.clone(), offer_id.to_string(), detail.clone());
                tokio::task::spawn_blocking(move || store.save_detail(&provider, &id, &d))
                    .await
                    .ok()
                    .and_then(|r| {
                        r.inspect_err(|e| tracing::warn!("detail not kept: {e}"))
                            .ok()
                    })
            }
            None => None,
        };
        Ok((Box::new(detail), fetched_at.unwrap_or_else(now)))
    }

    /// The store's copy, when there is one younger than [`FRESH_SECS`].
    async fn kept(&self, offer_id: &str) -> Option<(Box<OfferDetail>, i64)> {
        let store = self.store.clone()?;
        let (provider, id) = (self.provider.clone(), offer_id.to_string());
        let kept = tokio::task::spawn_blocking(move || store.detail(&provider, &id))
            .await
            .ok()?
            .ok()??;
        (now() - kept.fetched_at < FRESH_SECS).then(|| (Box::new(kept.detail), kept.fetched_at))
    }
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}
