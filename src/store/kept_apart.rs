//! Offers the user split out of a same-product group: they stay apart in
//! every later search (a wrong group, once split, stays split).

use rusqlite::params;

use super::{OfferRef, Store, StoreError, now};

/// Offers kept apart at most; the oldest go first past it (the app holds
/// them all in memory).
pub const KEPT_APART_MAX: usize = 10_000;

impl Store {
    /// Keeps these offers apart from now on; the oldest beyond
    /// [`KEPT_APART_MAX`] are forgotten.
    pub fn keep_apart(&self, offers: &[OfferRef]) -> Result<(), StoreError> {
        let at = now();
        self.with(|conn| {
            let tx = conn.transaction()?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO kept_apart (provider, offer_key, at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (provider, offer_key) DO UPDATE SET at = excluded.at",
                )?;
                for o in offers {
                    insert.execute(params![o.provider, o.key, at])?;
                }
                tx.execute(
                    "DELETE FROM kept_apart WHERE (provider, offer_key) IN (
                         SELECT provider, offer_key FROM kept_apart
                         ORDER BY at DESC LIMIT -1 OFFSET ?1)",
                    [KEPT_APART_MAX as i64],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The keys of the offers of `provider` kept apart, newest first.
    pub fn kept_apart(&self, provider: &str) -> Result<Vec<String>, StoreError> {
        self.with(|conn| {
            let mut q = conn.prepare_cached(
                "SELECT offer_key FROM kept_apart WHERE provider = ?1 ORDER BY at DESC LIMIT ?2",
            )?;
            let keys = q
                .query_map(params![provider, KEPT_APART_MAX as i64], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()?;
            Ok(keys)
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::store::OfferRef;

    fn offer(key: &str) -> OfferRef {
        OfferRef {
            provider: "dajisaas".into(),
            key: key.into(),
        }
    }

    #[test]
    fn offers_kept_apart_are_remembered_per_provider() {
        let store = crate::store::test_store();
        assert!(store.kept_apart("dajisaas").unwrap().is_empty());
        store.keep_apart(&[offer("id:1"), offer("id:2")]).unwrap();
        store.keep_apart(&[offer("id:2")]).unwrap();
        let mut kept = store.kept_apart("dajisaas").unwrap();
        kept.sort();
        assert_eq!(kept, vec!["id:1", "id:2"]);
        assert!(store.kept_apart("other").unwrap().is_empty());
    }
}
