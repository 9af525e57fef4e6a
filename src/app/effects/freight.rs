//! Freight estimates for landed costs: the store's copy younger than a day
//! for the same question, else the provider's (paced by the client like
//! every request, then kept). They share the detail fetches' permits, so
//! the provider sees no more requests at once than before. Not cancelled
//! when the cursor moves: an estimate asked is one the user will want, and
//! asking again would cost the provider a second request.

use crate::app::msg::Msg;

impl super::Runner {
    pub(super) fn fetch_freight(&mut self, query: crate::api::FreightQuery) {
        let tx = self.tx.clone();
        let client = self.client.clone();
        let store = self.store.clone();
        let provider = self.provider.clone();
        let permits = self.detail_permits.clone();
        tokio::spawn(async move {
            let Ok(_permit) = permits.acquire_owned().await else {
                return;
            };
            let result = crate::kept::freight_estimate(&client, store.as_ref(), &provider, &query)
                .await
                .map(Box::new);
            let _ = tx.send(Msg::Freight { query, result });
        });
    }
}
