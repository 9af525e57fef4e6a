//! Offer details as the provider sent them (raw JSON, unknown fields kept),
//! by provider and offer id, with their fetch time: the app asks the store
//! before the provider, and a detail older than the caller's bound is
//! fetched again.

use super::{Store, StoreError, now};
use crate::api::OfferDetail;
use rusqlite::{OptionalExtension, params};

/// The key a detail is kept under: the offers table's for an offer id.
fn detail_key(offer_id: &str) -> String {
    format!("id:{}", offer_id.trim())
}

/// A detail read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredDetail {
    pub detail: OfferDetail,
    /// Unix seconds.
    pub fetched_at: i64,
}

impl Store {
    /// Keeps `detail` (its raw JSON) for `provider`'s offer, replacing an
    /// older one; the fetch time is now.
    pub fn save_detail(
        &self,
        provider: &str,
        offer_id: &str,
        detail: &OfferDetail,
    ) -> Result<i64, StoreError> {
        let raw = serde_json::to_string(&detail.raw).map_err(StoreError::Json)?;
        let at = now();
        self.with(|c| {
            c.execute(
                "INSERT INTO details (provider, offer_key, raw, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (provider, offer_key) DO UPDATE SET raw = excluded.raw,
                     fetched_at = excluded.fetched_at",
                params![provider, detail_key(offer_id), raw, at],
            )?;
            Ok(at)
        })
    }

    /// The detail kept for `provider`'s offer, if any. A row whose JSON no
    /// longer reads as a detail is treated as absent (it will be fetched
    /// again and replaced).
    pub fn detail(
        &self,
        provider: &str,
        offer_id: &str,
    ) -> Result<Option<StoredDetail>, StoreError> {
        let row: Option<(String, i64)> = self.with(|c| {
            Ok(c.query_row(
                "SELECT raw, fetched_at FROM details WHERE provider = ?1 AND offer_key = ?2",
                params![provider, detail_key(offer_id)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        Ok(row.and_then(|(raw, fetched_at)| {
            let value = serde_json::from_str(&raw).ok()?;
            let detail = OfferDetail::from_value(value).ok()?;
            Some(StoredDetail { detail, fetched_at })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_store;
    use serde_json::json;

    #[test]
    fn a_detail_is_kept_raw_and_replaced_by_a_newer_one() {
        let store = test_store();
        assert_eq!(store.detail("dajisaas", "42").unwrap(), None);
        let raw = json!({"offerId": 42, "minOrderQuantity": "3", "futureField": [1, 2]});
        let detail = OfferDetail::from_value(raw.clone()).unwrap();
        let at = store.save_detail("dajisaas", "42", &detail).unwrap();
        let kept = store.detail("dajisaas", "42").unwrap().unwrap();
        assert_eq!(kept.fetched_at, at);
        assert_eq!(kept.detail.min_order, Some(3));
        assert_eq!(kept.detail.raw, raw, "unknown fields kept");
        // Another provider's offer of the same id is another detail.
        assert_eq!(store.detail("signed-header", "42").unwrap(), None);

        let newer = OfferDetail::from_value(json!({"minOrderQuantity": 10})).unwrap();
        store.save_detail("dajisaas", "42", &newer).unwrap();
        let kept = store.detail("dajisaas", "42").unwrap().unwrap();
        assert_eq!(kept.detail.min_order, Some(10));
    }

    #[test]
    fn a_row_that_no_longer_reads_is_absent() {
        let store = test_store();
        store
            .with(|c| {
                c.execute(
                    "INSERT INTO details VALUES ('dajisaas', 'id:7', '[1,2]', 1)",
                    [],
                )?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.detail("dajisaas", "7").unwrap(), None);
    }
}
