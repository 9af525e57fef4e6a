//! The shortlist: starred offers with a note and a status, across searches.
//! Starring is one write (one transaction); the offer is stored first if the
//! store has not seen it yet.

use super::offers::{fen, offer_key};
use super::sellers::offer_seller_key;
use super::{Store, StoreError, now};
use crate::api::Offer;
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// Where a starred offer stands. Serialised as its label (`"to ask"`,
/// `"sample ordered"`, …), the value the database keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Status {
    #[serde(rename = "to ask")]
    ToAsk,
    #[serde(rename = "sample ordered")]
    SampleOrdered,
    #[serde(rename = "rejected")]
    Rejected,
    #[serde(rename = "ordered")]
    Ordered,
}

impl Status {
    /// Every status, in the order [`Status::next`] cycles through.
    pub const ALL: [Status; 4] = [
        Status::ToAsk,
        Status::SampleOrdered,
        Status::Rejected,
        Status::Ordered,
    ];

    /// The label shown and stored: "to ask", "sample ordered", "rejected",
    /// "ordered".
    pub fn label(self) -> &'static str {
        match self {
            Status::ToAsk => "to ask",
            Status::SampleOrdered => "sample ordered",
            Status::Rejected => "rejected",
            Status::Ordered => "ordered",
        }
    }

    /// The next status in [`Status::ALL`], after the last the first.
    pub fn next(self) -> Status {
        let i = Status::ALL.iter().position(|s| *s == self).unwrap_or(0);
        Status::ALL[(i + 1) % Status::ALL.len()]
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl FromStr for Status {
    type Err = String;

    /// Accepts the labels (any case; `_` or `-` for the space).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace(['_', '-'], " ");
        Status::ALL
            .into_iter()
            .find(|st| st.label() == wanted)
            .ok_or_else(|| {
                format!("unknown status {s:?}: use to ask, sample ordered, rejected or ordered")
            })
    }
}

/// An offer's identity in the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct OfferRef {
    pub provider: String,
    pub key: String,
}

impl fmt::Display for OfferRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.provider, self.key)
    }
}

/// One starred offer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShortlistEntry {
    pub offer_ref: OfferRef,
    /// As last seen (raw server text: sanitise before display).
    pub offer: Offer,
    /// The user's note (raw: sanitise before display).
    pub note: String,
    pub status: Status,
    /// Unix seconds.
    pub added_at: i64,
    /// Unix seconds of the last change of note or status.
    pub changed_at: i64,
}

impl Store {
    /// The ref an offer is stored under (the key `record_page` uses).
    pub fn offer_ref(provider: &str, offer: &Offer) -> OfferRef {
        // An `Offer` always serialises (serde_json writes a non-finite
        // float as null); the JSON is only the key of last resort.
        let json = serde_json::to_string(offer).unwrap_or_default();
        OfferRef {
            provider: provider.to_string(),
            key: offer_key(offer, &json),
        }
    }

    /// Stars an offer: stores it if the store has not seen it, and adds it
    /// to the shortlist ("to ask") unless it is there already, in one
    /// transaction. Starring again changes nothing.
    pub fn star(&self, provider: &str, offer: &Offer) -> Result<OfferRef, StoreError> {
        let json = serde_json::to_string(offer).map_err(StoreError::Json)?;
        let r = OfferRef {
            provider: provider.to_string(),
            key: offer_key(offer, &json),
        };
        let at = now();
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen, last_price_fen, seller_key)
                 VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?6) ON CONFLICT (provider, offer_key) DO NOTHING",
            )?
            .execute(params![
                r.provider,
                r.key,
                json,
                at,
                fen(offer),
                offer_seller_key(offer)
            ])?;
            tx.prepare_cached(
                "INSERT INTO shortlist (offer_id, added_at, changed_at, seq)
                 SELECT o.id, ?3, ?3, (SELECT COALESCE(MAX(seq), 0) + 1 FROM shortlist)
                 FROM offers o WHERE o.provider = ?1 AND o.offer_key = ?2
                 ON CONFLICT (offer_id) DO NOTHING",
            )?
            .execute(params![r.provider, r.key, at])?;
            tx.commit()?;
            Ok(())
        })?;
        Ok(r)
    }

    /// Takes an offer off the shortlist (the offer itself stays known);
    /// `Ok(false)` if it was not on it.
    pub fn unstar(&self, r: &OfferRef) -> Result<bool, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached(
                    "DELETE FROM shortlist WHERE offer_id =
                     (SELECT id FROM offers WHERE provider = ?1 AND offer_key = ?2)",
                )?
                .execute(params![r.provider, r.key])?
                > 0)
        })
    }

    /// Sets a starred offer's note; [`StoreError::NotStarred`] if it is not
    /// on the shortlist.
    pub fn set_note(&self, r: &OfferRef, note: &str) -> Result<(), StoreError> {
        self.change(r, "note", note)
    }

    /// Sets a starred offer's status; [`StoreError::NotStarred`] if it is
    /// not on the shortlist.
    pub fn set_status(&self, r: &OfferRef, status: Status) -> Result<(), StoreError> {
        self.change(r, "status", status.label())
    }

    /// Sets one column (a name from the two callers above, never input).
    fn change(&self, r: &OfferRef, column: &str, value: &str) -> Result<(), StoreError> {
        let sql = format!(
            "UPDATE shortlist SET {column} = ?3, changed_at = ?4 WHERE offer_id =
             (SELECT id FROM offers WHERE provider = ?1 AND offer_key = ?2)"
        );
        let changed = self.with(|conn| {
            Ok(conn
                .prepare_cached(&sql)?
                .execute(params![r.provider, r.key, value, now()])?)
        })?;
        if changed == 0 {
            return Err(StoreError::NotStarred(r.to_string()));
        }
        Ok(())
    }

    /// Every starred offer, the most recently added first.
    pub fn shortlist(&self) -> Result<Vec<ShortlistEntry>, StoreError> {
        type Row = (String, String, String, String, String, i64, i64);
        let rows: Vec<Row> = self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT o.provider, o.offer_key, o.offer, s.note, s.status, s.added_at, s.changed_at
                 FROM shortlist s JOIN offers o ON o.id = s.offer_id
                 ORDER BY s.added_at DESC, s.seq DESC, s.offer_id DESC",
            )?;
            let rows = st.query_map([], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                    r.get(6)?,
                ))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })?;
        rows.into_iter()
            .map(
                |(provider, key, json, note, status, added_at, changed_at)| {
                    Ok(ShortlistEntry {
                        offer_ref: OfferRef { provider, key },
                        offer: serde_json::from_str(&json).map_err(StoreError::Json)?,
                        note,
                        // The CHECK constraint keeps other values out.
                        status: status.parse().unwrap_or(Status::ToAsk),
                        added_at,
                        changed_at,
                    })
                },
            )
            .collect()
    }

    /// Whether this offer is on the shortlist.
    pub fn is_starred(&self, r: &OfferRef) -> Result<bool, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT 1 FROM shortlist s JOIN offers o ON o.id = s.offer_id
                     WHERE o.provider = ?1 AND o.offer_key = ?2",
                )?
                .query_row(params![r.provider, r.key], |_| Ok(()))
                .optional()?
                .is_some())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Price, SearchParams};
    use crate::store::searches::NewSearch;
    use crate::store::test_store;

    fn offer(id: &str, fen: u64) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            title: format!("offer {id}"),
            price: Some(Price(fen)),
            ..Offer::default()
        }
    }

    #[test]
    fn statuses_cycle_and_parse_their_labels() {
        assert_eq!(Status::ToAsk.next(), Status::SampleOrdered);
        assert_eq!(Status::Ordered.next(), Status::ToAsk);
        for s in Status::ALL {
            assert_eq!(s.label().parse::<Status>(), Ok(s));
            assert_eq!(
                serde_json::to_value(s).unwrap(),
                serde_json::json!(s.label())
            );
        }
        assert_eq!("sample_ordered".parse(), Ok(Status::SampleOrdered));
        assert!("maybe".parse::<Status>().is_err());
    }

    #[test]
    fn starring_is_idempotent_and_keeps_a_known_offer_as_recorded() {
        let store = test_store();
        let id = store
            .record_search(&NewSearch {
                source_md5: "aa",
                thumbnail: None,
                source: "shoe.jpg",
                provider: "dajisaas",
                params: &SearchParams::default(),
            })
            .unwrap();
        store.record_page(id, 1, &[offer("1", 100)], None).unwrap();
        let r = store.star("dajisaas", &offer("1", 999)).unwrap();
        assert_eq!(r, Store::offer_ref("dajisaas", &offer("1", 5)));
        assert_eq!(r.key, "id:1");
        store.set_note(&r, "ask MOQ").unwrap();
        assert_eq!(store.star("dajisaas", &offer("1", 999)).unwrap(), r);
        let list = store.shortlist().unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].note, "ask MOQ", "starring again keeps the note");
        assert_eq!(list[0].status, Status::ToAsk);
        assert_eq!(list[0].offer.price, Some(Price(100)), "the recorded offer");
        let offers: i64 = store
            .with(|c| Ok(c.query_row("SELECT COUNT(*) FROM offers", [], |r| r.get(0))?))
            .unwrap();
        assert_eq!(offers, 1);
    }

    #[test]
    fn newest_first_notes_statuses_and_unstarring() {
        let store = test_store();
        let a = store.star("dajisaas", &offer("1", 1)).unwrap();
        let b = store.star("dajisaas", &offer("2", 2)).unwrap();
        let c = store.star("demo-dajisaas", &offer("1", 1)).unwrap();
        assert_ne!(a, c, "providers stay apart");
        let order: Vec<OfferRef> = store
            .shortlist()
            .unwrap()
            .into_iter()
            .map(|e| e.offer_ref)
            .collect();
        assert_eq!(order, [c.clone(), b.clone(), a.clone()]);
        store.set_status(&b, Status::Rejected).unwrap();
        store.set_note(&b, "too thin").unwrap();
        let entry = store.shortlist().unwrap().remove(1);
        assert_eq!(
            (entry.status, entry.note.as_str()),
            (Status::Rejected, "too thin")
        );
        assert!(store.is_starred(&b).unwrap());
        assert!(store.unstar(&b).unwrap());
        assert!(!store.unstar(&b).unwrap());
        assert!(!store.is_starred(&b).unwrap());
        let err = store.set_note(&b, "x").unwrap_err();
        assert!(matches!(err, StoreError::NotStarred(_)), "{err}");
        let never = OfferRef {
            provider: "dajisaas".into(),
            key: "id:404".into(),
        };
        assert!(matches!(
            store.set_status(&never, Status::Ordered),
            Err(StoreError::NotStarred(_))
        ));
        assert_eq!(store.shortlist().unwrap().len(), 2);
    }
}
