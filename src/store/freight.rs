//! Freight estimates as the provider sent them (the reply's model, raw
//! JSON), by provider and the whole question — offer, destination codes,
//! pieces in all and per SKU — with their fetch time: an estimate is asked
//! once and reused while fresh (`crate::landed::freight_estimate` decides
//! how fresh). The table is bounded: rows older than [`KEEP_SECS`] and the
//! oldest beyond [`MAX_FREIGHTS`] go when one is kept.

use super::{Store, StoreError, now};
use crate::api::{FreightQuery, FreightQuote};
use rusqlite::{OptionalExtension, params};

/// Estimates older than this are deleted when another is kept.
pub(crate) const KEEP_SECS: i64 = 7 * 24 * 3600;
/// Estimates kept at most; the oldest go first.
pub(crate) const MAX_FREIGHTS: i64 = 20_000;

/// An estimate read back from the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredFreight {
    pub quote: FreightQuote,
    /// Unix seconds.
    pub fetched_at: i64,
}

/// The key an estimate is kept under: the offer, the destination's three
/// codes, the total and the SKU lines in SKU order (the same lines in
/// another order are the same question).
fn freight_key(query: &FreightQuery) -> String {
    let mut skus: Vec<String> = query
        .skus
        .iter()
        .map(|(sku, n)| format!("{}:{n}", sku.trim()))
        .collect();
    skus.sort();
    let d = &query.destination;
    format!(
        "{}|{}/{}/{}|{}|{}",
        query.offer_id.trim(),
        d.province(),
        d.city(),
        d.district(),
        query.total,
        skus.join(",")
    )
}

impl Store {
    /// Keeps `quote` (its raw model) as `provider`'s answer to `query`,
    /// replacing an older one; the fetch time is now. Old rows and those
    /// beyond the bound go in the same transaction.
    pub fn save_freight(
        &self,
        provider: &str,
        query: &FreightQuery,
        quote: &FreightQuote,
    ) -> Result<i64, StoreError> {
        let raw = serde_json::to_string(&quote.raw).map_err(StoreError::Json)?;
        let at = now();
        self.with(|c| {
            let tx = c.transaction()?;
            tx.execute(
                "INSERT INTO freights (provider, query_key, raw, fetched_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (provider, query_key) DO UPDATE SET raw = excluded.raw,
                     fetched_at = excluded.fetched_at",
                params![provider, freight_key(query), raw, at],
            )?;
            prune(&tx, at, MAX_FREIGHTS)?;
            tx.commit()?;
            Ok(at)
        })
    }

    /// The estimate kept for `query` from `provider`, whatever its age. A
    /// row that no longer reads as an estimate is treated as absent (it
    /// will be asked again and replaced).
    pub fn freight(
        &self,
        provider: &str,
        query: &FreightQuery,
    ) -> Result<Option<StoredFreight>, StoreError> {
        let row: Option<(String, i64)> = self.with(|c| {
            Ok(c.query_row(
                "SELECT raw, fetched_at FROM freights WHERE provider = ?1 AND query_key = ?2",
                params![provider, freight_key(query)],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
        })?;
        Ok(row.and_then(|(raw, fetched_at)| {
            let value = serde_json::from_str(&raw).ok()?;
            let quote = FreightQuote::from_value(value, query.total).ok()?;
            Some(StoredFreight { quote, fetched_at })
        }))
    }
}

/// Deletes estimates older than [`KEEP_SECS`] before `now`, then the
/// oldest beyond `max`.
fn prune(c: &rusqlite::Connection, now: i64, max: i64) -> Result<(), StoreError> {
    c.execute(
        "DELETE FROM freights WHERE fetched_at < ?1",
        [now.saturating_sub(KEEP_SECS)],
    )?;
    c.execute(
        "DELETE FROM freights WHERE (provider, query_key) IN (
             SELECT provider, query_key FROM freights
             ORDER BY fetched_at DESC LIMIT -1 OFFSET ?1)",
        [max],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Destination, FreightOutcome, Price};
    use crate::store::test_store;
    use serde_json::json;

    fn query(offer: &str, total: u64, skus: &[(&str, u64)]) -> FreightQuery {
        FreightQuery {
            offer_id: offer.into(),
            destination: Destination::new("440000", "440100", "440111").unwrap(),
            total,
            skus: skus.iter().map(|(s, n)| (s.to_string(), *n)).collect(),
        }
    }

    fn quote(freight: &str) -> FreightQuote {
        FreightQuote::from_value(json!({"freight": freight, "futureField": 1}), 1).unwrap()
    }

    #[test]
    fn an_estimate_is_kept_raw_under_the_whole_question() {
        let store = test_store();
        let q = query("42", 10, &[("1", 4), ("2", 6)]);
        assert_eq!(store.freight("dajisaas", &q).unwrap(), None);
        let at = store.save_freight("dajisaas", &q, &quote("12.5")).unwrap();
        let kept = store.freight("dajisaas", &q).unwrap().unwrap();
        assert_eq!(kept.fetched_at, at);
        // Read back for the query's pieces.
        assert_eq!(
            kept.quote.outcome(),
            FreightOutcome::Priced {
                total: Price(1250),
                for_pieces: 10
            }
        );
        assert_eq!(kept.quote.raw["futureField"], 1, "unknown fields kept");
        // The same lines in another order are the same question.
        let swapped = query("42", 10, &[("2", 6), ("1", 4)]);
        assert!(store.freight("dajisaas", &swapped).unwrap().is_some());
        // Any other part changed is another question.
        let mut elsewhere = q.clone();
        elsewhere.destination = Destination::new("330000", "330100", "330108").unwrap();
        for other in [
            query("43", 10, &[("1", 4), ("2", 6)]),
            query("42", 11, &[("1", 5), ("2", 6)]),
            query("42", 10, &[("1", 10)]),
            query("42", 10, &[]),
            elsewhere,
        ] {
            assert_eq!(
                store.freight("dajisaas", &other).unwrap(),
                None,
                "{other:?}"
            );
        }
        assert_eq!(store.freight("signed-header", &q).unwrap(), None);
        // A newer answer replaces the older.
        store.save_freight("dajisaas", &q, &quote("3")).unwrap();
        let kept = store.freight("dajisaas", &q).unwrap().unwrap();
        assert!(matches!(
            kept.quote.outcome(),
            FreightOutcome::Priced {
                total: Price(300),
                ..
            }
        ));
    }

    fn rows(store: &Store) -> i64 {
        store
            .with(|c| Ok(c.query_row("SELECT COUNT(*) FROM freights", [], |r| r.get(0))?))
            .unwrap()
    }

    #[test]
    fn old_rows_and_those_beyond_the_bound_go() {
        let store = test_store();
        let old = query("1", 5, &[]);
        store.save_freight("dajisaas", &old, &quote("1")).unwrap();
        store
            .with(|c| {
                c.execute(
                    "UPDATE freights SET fetched_at = fetched_at - ?1",
                    [KEEP_SECS + 1],
                )?;
                Ok(())
            })
            .unwrap();
        store
            .save_freight("dajisaas", &query("2", 5, &[]), &quote("1"))
            .unwrap();
        assert_eq!(store.freight("dajisaas", &old).unwrap(), None, "too old");
        assert_eq!(rows(&store), 1);

        // The bound: the oldest beyond it go.
        for i in 3..8 {
            store
                .save_freight("dajisaas", &query(&i.to_string(), 5, &[]), &quote("1"))
                .unwrap();
            store
                .with(|c| {
                    c.execute("UPDATE freights SET fetched_at = fetched_at - 1", [])?;
                    Ok(())
                })
                .unwrap();
        }
        store
            .with(|c| {
                let now = now();
                prune(c, now, 3)?;
                Ok(())
            })
            .unwrap();
        assert_eq!(rows(&store), 3);
        for kept in ["5", "6", "7"] {
            assert!(
                store
                    .freight("dajisaas", &query(kept, 5, &[]))
                    .unwrap()
                    .is_some(),
                "{kept}: the newest stay"
            );
        }
    }

    #[test]
    fn a_row_that_no_longer_reads_is_absent() {
        let store = test_store();
        let q = query("7", 5, &[]);
        store
            .with(|c| {
                c.execute(
                    "INSERT INTO freights VALUES ('dajisaas', ?1, '[1,2]', 1)",
                    [freight_key(&q)],
                )?;
                Ok(())
            })
            .unwrap();
        assert_eq!(store.freight("dajisaas", &q).unwrap(), None);
    }
}
