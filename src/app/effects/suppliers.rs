//! How many of the user's searches a seller appears in: one store query
//! on a blocking thread, answered by message.

use crate::api::seller::SellerKey;
use crate::app::msg::Msg;

impl super::Runner {
    pub(super) fn seller_appearances(&mut self, key: SellerKey) {
        let tx = self.tx.clone();
        let Some(store) = self.store.clone() else {
            let _ = tx.send(Msg::SellerAppearances {
                key,
                result: Err("history is off".into()),
            });
            return;
        };
        let provider = self.provider.clone();
        tokio::spawn(async move {
            let asked = key.clone();
            let result = tokio::task::spawn_blocking(move || {
                store
                    .seller_appearances(&provider, &asked)
                    .map_err(|e| e.to_string())
            })
            .await
            .unwrap_or_else(|e| Err(e.to_string()));
            let _ = tx.send(Msg::SellerAppearances { key, result });
        });
    }
}
