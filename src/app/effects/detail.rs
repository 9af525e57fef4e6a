//! Fetching offer details (`kept::offer_detail`: the store's copy when
//! younger than a day, else the provider's, then kept), a few at a time,
//! every wait bounded by the client's timeout and retry policy.

use crate::api::{ApiError, Client, OfferDetail};
use crate::app::msg::Msg;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::Semaphore;
use tokio::sync::mpsc::UnboundedSender;

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
        let (detail, fetched_at) = crate::kept::offer_detail(
            &self.client,
            self.store.as_ref(),
            &self.provider,
            offer_id,
            country,
            fresh,
        )
        .await?;
        Ok((Box::new(detail), fetched_at))
    }
}
