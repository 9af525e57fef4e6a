//! A freight estimate for a landed cost: the store's copy when one younger
//! than a day was kept for the same question, else the provider's (paced by
//! the client, then kept). One function for the app, `search` and `batch`.

use crate::api::{ApiError, Client, FreightQuery, FreightQuote};
use crate::store::Store;

/// A kept estimate younger than this is used as it is.
pub const FRESH_SECS: i64 = 24 * 3600;

/// The estimate for `query` from `provider` (the name its offers are
/// stored under): kept, or asked for and kept.
pub async fn freight_estimate(
    client: &Client,
    store: Option<&Store>,
    provider: &str,
    query: &FreightQuery,
) -> Result<FreightQuote, ApiError> {
    // TODO(h-cli): the store's copy younger than FRESH_SECS, and keep the
    // provider's answer.
    let _ = (store, provider);
    client.freight_estimate(query).await
}
