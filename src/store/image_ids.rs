//! The image-id cache's table: the store as the client's `ImageIdStore`,
//! and the one-time import of the JSON cache earlier versions kept.

use super::{Store, StoreError, now};
use crate::api::image_cache::{ID_MAX_AGE, ImageIdStore, read_legacy};
use crate::fs::shown;
use crate::text::sanitize;
use rusqlite::{OptionalExtension, params};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Image ids kept per scope: the newest this many; older ones are pruned
/// when an id is stored. (A busy user uploads a few hundred pictures a day,
/// and ids expire after [`ID_MAX_AGE`]: this bound is for the file's size,
/// not for normal use.)
pub(super) const MAX_IDS_PER_SCOPE: u32 = 20_000;

/// The oldest `issued_at` still usable at `now`.
fn cutoff(now: i64) -> i64 {
    now.saturating_sub(i64::try_from(ID_MAX_AGE.as_secs()).unwrap_or(i64::MAX))
}

impl Store {
    /// This store as the client's image-id cache.
    pub fn image_ids(&self) -> Arc<dyn ImageIdStore> {
        Arc::new(self.clone())
    }

    /// Stores an id issued at `issued_at`, then prunes the scope: ids
    /// expired at `issued_at`, and all but the newest `cap`. One
    /// transaction.
    fn put_image_id(
        &self,
        scope: &str,
        md5: &str,
        id: &str,
        issued_at: i64,
        cap: u32,
    ) -> Result<(), StoreError> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            tx.prepare_cached(
                "INSERT INTO image_ids (scope, md5, image_id, issued_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (scope, md5) DO UPDATE
                 SET image_id = excluded.image_id, issued_at = excluded.issued_at",
            )?
            .execute(params![scope, md5, id, issued_at])?;
            tx.prepare_cached("DELETE FROM image_ids WHERE scope = ?1 AND issued_at < ?2")?
                .execute(params![scope, cutoff(issued_at)])?;
            // Only when over the cap (counting is cheap, sorting is not).
            let n: i64 = tx
                .prepare_cached("SELECT COUNT(*) FROM image_ids WHERE scope = ?1")?
                .query_row([scope], |r| r.get(0))?;
            if n > i64::from(cap) {
                tx.prepare_cached(
                    "DELETE FROM image_ids WHERE scope = ?1 AND md5 IN
                     (SELECT md5 FROM image_ids WHERE scope = ?1
                      ORDER BY issued_at DESC, md5 LIMIT -1 OFFSET ?2)",
                )?
                .execute(params![scope, cap])?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    /// The id stored for `md5` in `scope` if it was issued at or after
    /// `cutoff(now)`.
    fn get_image_id(&self, scope: &str, md5: &str, now: i64) -> Result<Option<String>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached(
                    "SELECT image_id FROM image_ids
                     WHERE scope = ?1 AND md5 = ?2 AND issued_at >= ?3",
                )?
                .query_row(params![scope, md5, cutoff(now)], |r| r.get(0))
                .optional()?)
        })
    }

    /// Imports the JSON cache at `json` if it exists (entries already in the
    /// table win), then renames it `….imported` so it is read once. Says
    /// what happened, for the user.
    pub(super) fn import_legacy_image_ids(&self, json: &Path) -> Option<String> {
        if json.symlink_metadata().is_err() {
            return None;
        }
        let imported = match read_legacy(json) {
            Ok(entries) => self.with(|conn| {
                let tx =
                    conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
                let mut n = 0;
                {
                    let mut insert = tx.prepare(
                        "INSERT OR IGNORE INTO image_ids (scope, md5, image_id, issued_at)
                         VALUES (?1, ?2, ?3, ?4)",
                    )?;
                    for e in &entries {
                        let stored = i64::try_from(e.stored).unwrap_or(i64::MAX);
                        n += insert.execute(params![e.scope, e.md5_hex, e.image_id, stored])?;
                    }
                }
                tx.commit()?;
                Ok(n)
            }),
            Err(e) => {
                tracing::warn!("the old image id cache is unreadable: {}", sanitize(&e));
                Ok(0)
            }
        };
        let n = match imported {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!("importing the old image id cache failed: {e}");
                return None;
            }
        };
        let mut done = json.as_os_str().to_owned();
        done.push(".imported");
        let done = PathBuf::from(done);
        match std::fs::rename(json, &done) {
            Ok(()) => {}
            // Another process imported it at the same time.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!("could not rename {}: {e}", shown(json));
                return None;
            }
        }
        let mut lock = json.as_os_str().to_owned();
        lock.push(".lock");
        let _ = std::fs::remove_file(PathBuf::from(lock));
        Some(format!(
            "imported {n} image ids from {} (kept as {})",
            shown(json),
            shown(&done)
        ))
    }
}

impl ImageIdStore for Store {
    /// The id, unless it has expired ([`ID_MAX_AGE`]).
    fn get(&self, scope: &str, md5_hex: &str) -> Option<String> {
        self.get_image_id(scope, md5_hex, now())
            .unwrap_or_else(|e| {
                tracing::warn!("image id cache: {e}");
                None
            })
    }

    fn put(&self, scope: &str, md5_hex: &str, image_id: &str) {
        if let Err(e) = self.put_image_id(scope, md5_hex, image_id, now(), MAX_IDS_PER_SCOPE) {
            tracing::warn!("could not store an image id: {e}");
        }
    }

    fn remove(&self, scope: &str, md5_hex: &str) {
        let removed = self.with(|conn| {
            conn.prepare_cached("DELETE FROM image_ids WHERE scope = ?1 AND md5 = ?2")?
                .execute(params![scope, md5_hex])?;
            Ok(())
        });
        if let Err(e) = removed {
            tracing::warn!("could not forget an image id: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store(dir: &Path, legacy: Option<&Path>) -> (Store, Vec<String>) {
        match Store::open(&dir.join("tusou.db"), legacy) {
            super::super::Opened::On { store, notices } => (store, notices),
            super::super::Opened::Off { reason } => panic!("{reason}"),
        }
    }

    #[test]
    fn ids_survive_a_reopen_and_scopes_stay_apart() {
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = store(dir.path(), None);
        a.put("s", "md5x", "123");
        a.put("s", "md5x", "124");
        drop(a);
        let (b, _) = store(dir.path(), None);
        assert_eq!(b.get("s", "md5x").as_deref(), Some("124"));
        assert_eq!(b.get("t", "md5x"), None);
        b.remove("s", "md5x");
        assert_eq!(b.get("s", "md5x"), None);
    }

    #[test]
    fn ids_expire_by_the_time_they_were_issued() {
        let st = crate::store::test_store();
        let age = i64::try_from(ID_MAX_AGE.as_secs()).unwrap();
        let t = 1_800_000_000;
        st.put_image_id("s", "old", "1", t - age - 1, MAX_IDS_PER_SCOPE)
            .unwrap();
        st.put_image_id("s", "edge", "2", t - age, MAX_IDS_PER_SCOPE)
            .unwrap();
        assert_eq!(st.get_image_id("s", "old", t).unwrap(), None, "expired");
        assert_eq!(
            st.get_image_id("s", "edge", t).unwrap().as_deref(),
            Some("2")
        );
        assert_eq!(st.get_image_id("s", "edge", t + 1).unwrap(), None);
        // Storing a new id drops the scope's expired ones.
        st.put_image_id("s", "new", "3", t + 1, MAX_IDS_PER_SCOPE)
            .unwrap();
        let left: Vec<String> = st
            .with(|c| {
                let mut q = c.prepare("SELECT md5 FROM image_ids ORDER BY md5")?;
                let rows = q.query_map([], |r| r.get(0))?;
                Ok(rows.collect::<Result<_, _>>()?)
            })
            .unwrap();
        assert_eq!(left, ["new"]);
    }

    #[test]
    fn a_scope_keeps_only_its_newest_ids() {
        let st = crate::store::test_store();
        let t = 1_800_000_000;
        for i in 0..30 {
            st.put_image_id("s", &format!("m{i:02}"), "x", t + i, 10)
                .unwrap();
        }
        st.put_image_id("other", "m", "y", t, 10).unwrap();
        let count = |scope: &str| -> i64 {
            st.with(|c| {
                Ok(c.query_row(
                    "SELECT COUNT(*) FROM image_ids WHERE scope = ?1",
                    [scope],
                    |r| r.get(0),
                )?)
            })
            .unwrap()
        };
        assert_eq!((count("s"), count("other")), (10, 1));
        let now = t + 30;
        assert!(
            st.get_image_id("s", "m19", now).unwrap().is_none(),
            "pruned"
        );
        assert!(st.get_image_id("s", "m20", now).unwrap().is_some());
        assert!(st.get_image_id("s", "m29", now).unwrap().is_some());
    }

    #[test]
    fn the_json_cache_is_imported_once_and_renamed() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("image-ids.json");
        let recent = now() - 60;
        std::fs::write(
            &json,
            format!(
                r#"{{"scopes":{{"s":{{"m1":{{"image_id":"1","stored":10}},"m2":{{"image_id":"2","stored":{recent}}}}}}}}}"#
            ),
        )
        .unwrap();
        let (st, notices) = store(dir.path(), Some(&json));
        assert!(notices[0].contains("imported 2 image ids"), "{notices:?}");
        assert_eq!(st.get("s", "m2").as_deref(), Some("2"));
        assert_eq!(st.get("s", "m1"), None, "imported, but expired long ago");
        assert!(!json.exists());
        assert!(dir.path().join("image-ids.json.imported").exists());
        drop(st);
        let (_, again) = store(dir.path(), Some(&json));
        assert!(again.is_empty(), "{again:?}");
    }

    #[test]
    fn a_corrupt_json_cache_is_set_aside_too() {
        let dir = tempfile::tempdir().unwrap();
        let json = dir.path().join("image-ids.json");
        std::fs::write(&json, b"{not json").unwrap();
        let (_, notices) = store(dir.path(), Some(&json));
        assert!(notices[0].contains("imported 0"), "{notices:?}");
        assert!(!json.exists());
    }
}
