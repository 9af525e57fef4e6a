//! What the provider answered, kept a day: an offer's detail and a freight
//! estimate come from the history store when it has one younger than
//! [`FRESH_SECS`] for the same question, else from the provider (paced by
//! the client, then kept). One place for the app, `search` and `batch`.

use crate::api::{ApiError, Client, FreightQuery, FreightQuote, OfferDetail};
use crate::store::{Store, StoredFreight};

/// A kept answer younger than this is used as it is.
pub const FRESH_SECS: i64 = 24 * 3600;

/// The detail of `provider`'s offer: the store's copy when younger than
/// [`FRESH_SECS`] (unless `fresh`: a refresh asks the provider), else the
/// provider's, kept. With its fetch time (Unix seconds). A reply naming
/// another offer is given back (the caller says so) but never kept under
/// this one; a store that cannot be read or written is passed by (logged).
pub async fn offer_detail(
    client: &Client,
    store: Option<&Store>,
    provider: &str,
    offer_id: &str,
    country: &str,
    fresh: bool,
) -> Result<(OfferDetail, i64), ApiError> {
    if !fresh && let Some(store) = store {
        let (s, who, id) = (store.clone(), provider.to_string(), offer_id.to_string());
        match tokio::task::spawn_blocking(move || s.detail(&who, &id)).await {
            Ok(Ok(Some(kept))) if is_fresh_at(kept.fetched_at, now()) => {
                return Ok((kept.detail, kept.fetched_at));
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("kept detail not read: {e}"),
            Err(e) => tracing::warn!("kept detail not read: {e}"),
        }
    }
    let detail = client.offer_detail(offer_id, country).await?;
    let at = now();
    if detail.offer_id.as_deref().is_some_and(|id| id != offer_id) {
        return Ok((detail, at));
    }
    if let Some(store) = store.filter(|s| s.is_writable()) {
        let (s, who, id, d) = (
            store.clone(),
            provider.to_string(),
            offer_id.to_string(),
            detail.clone(),
        );
        match tokio::task::spawn_blocking(move || s.save_detail(&who, &id, &d)).await {
            Ok(Ok(kept_at)) => return Ok((detail, kept_at)),
            Ok(Err(e)) => tracing::warn!("detail not kept: {e}"),
            Err(e) => tracing::warn!("detail not kept: {e}"),
        }
    }
    Ok((detail, at))
}

/// The estimate for `query` from `provider` (the name its offers are
/// stored under): kept, or asked for and kept. Only an answer is kept (an
/// error is asked again next time); a store that cannot be read or written
/// is passed by (logged), never an error.
pub async fn freight_estimate(
    client: &Client,
    store: Option<&Store>,
    provider: &str,
    query: &FreightQuery,
) -> Result<FreightQuote, ApiError> {
    if let Some(store) = store {
        let (s, who, q) = (store.clone(), provider.to_string(), query.clone());
        let kept = tokio::task::spawn_blocking(move || s.freight(&who, &q)).await;
        match kept {
            Ok(Ok(Some(kept))) if is_fresh(&kept, now()) => return Ok(kept.quote),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("kept freight estimate not read: {e}"),
            Err(e) => tracing::warn!("kept freight estimate not read: {e}"),
        }
    }
    let quote = client.freight_estimate(query).await?;
    if let Some(store) = store.filter(|s| s.is_writable()) {
        let (s, who, q, a) = (
            store.clone(),
            provider.to_string(),
            query.clone(),
            quote.clone(),
        );
        match tokio::task::spawn_blocking(move || s.save_freight(&who, &q, &a)).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("freight estimate not kept: {e}"),
            Err(e) => tracing::warn!("freight estimate not kept: {e}"),
        }
    }
    Ok(quote)
}

/// Kept less than [`FRESH_SECS`] ago (one from the future — the clock was
/// set back — is not trusted).
fn is_fresh(kept: &StoredFreight, now: i64) -> bool {
    is_fresh_at(kept.fetched_at, now)
}

fn is_fresh_at(fetched_at: i64, now: i64) -> bool {
    let age = now.saturating_sub(fetched_at);
    (0..FRESH_SECS).contains(&age)
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(at: i64) -> StoredFreight {
        StoredFreight {
            quote: FreightQuote::default(),
            fetched_at: at,
        }
    }

    #[test]
    fn fresh_is_younger_than_a_day_and_not_from_the_future() {
        let now = 1_800_000_000;
        assert!(is_fresh(&kept(now), now));
        assert!(is_fresh(&kept(now - FRESH_SECS + 1), now));
        assert!(!is_fresh(&kept(now - FRESH_SECS), now));
        assert!(!is_fresh(&kept(now + 60), now));
    }

    #[tokio::test]
    async fn without_freight_from_the_provider_nothing_is_kept() {
        // A signed-header client has no freight estimate: the error is
        // answered and nothing is kept (an error is never cached).
        let store = crate::store::test_store();
        let settings = crate::api::ClientSettings::new(crate::api::ProviderSettings::SignedHeader(
            crate::api::SignedHeaderSettings {
                base_url: "http://127.0.0.1:9".into(),
                access_key: "k".into(),
                secret_key: crate::secret::Secret::new("s"),
                user_id: "u".into(),
                timestamp_seconds: false,
            },
        ));
        let client = Client::new(settings).unwrap();
        let query = FreightQuery {
            offer_id: "42".into(),
            destination: crate::api::Destination::new("440000", "440100", "440111").unwrap(),
            total: 5,
            skus: Vec::new(),
        };
        let err = freight_estimate(&client, Some(&store), "signed-header", &query)
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::NoFreight { .. }), "{err}");
        assert_eq!(store.freight("signed-header", &query).unwrap(), None);
    }
}
