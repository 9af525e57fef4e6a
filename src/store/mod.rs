//! The history store: one SQLite file (`tusou.db` in the data directory),
//! shared safely by several tusou processes, holding searches, offers seen,
//! their results (each offer with its seller's key), the shortlist, price
//! history, the image-id cache and watches (searches run again on a
//! schedule).
//!
//! `open` never panics and never deletes: see `open.rs` for what happens to
//! a corrupt or newer file and when history is off.

mod batch;
mod details;
mod error;
mod freight;
mod image_ids;
mod kept_apart;
mod offers;
mod open;
mod preferences;
mod schema;
mod searches;
mod sellers;
mod shortlist;
mod watches;
mod window;

pub use batch::{ItemState, JobId, JobItem, JobSummary, NewJob};
pub use details::StoredDetail;
pub use error::StoreError;
pub use freight::StoredFreight;
pub use kept_apart::KEPT_APART_MAX;
pub use offers::{Change, GroupFirst};
pub use searches::{NewSearch, SearchId, SearchSummary, SourceHistory, StoredSearch, search_key};
pub use sellers::{
    MAX_SUPPLIERS, SellerAppearances, SupplierList, SupplierQuery, SupplierSummary, seller_key_text,
};
pub use shortlist::{OfferRef, ShortlistEntry, Status};
pub use watches::{
    Changed, MAX_WATCH_PICTURE, NewWatch, OfferChange, RunCounts, RunId, RunStatus, RunSummary,
    STOPPED_REASON, Watch, WatchId, compare as compare_runs, count as count_changes,
    key_of as watch_offer_key, past_threshold,
};

use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The database's file name in the data directory.
pub const DB_FILE: &str = "tusou.db";

/// An open store. Cheap to clone: the clones share one connection.
#[derive(Debug, Clone)]
pub struct Store {
    conn: Arc<Mutex<Connection>>,
    /// False when the file is read with writes off (every write then fails
    /// as read-only).
    writable: bool,
}

/// What opening the store gave.
#[derive(Debug)]
pub enum Opened {
    /// The store, and what the user should be told (a file kept aside, an
    /// old cache imported).
    On { store: Store, notices: Vec<String> },
    /// History is off for this run; the reason says why (read-only or full
    /// disk, no directory). Searching works without it.
    Off { reason: String },
}

impl Opened {
    pub fn store(self) -> Option<Store> {
        match self {
            Opened::On { store, .. } => Some(store),
            Opened::Off { .. } => None,
        }
    }
}

impl Store {
    /// Opens (or creates) the store at `path`. `legacy_image_ids` is the
    /// JSON image-id cache of earlier versions: if it exists, its entries
    /// are imported and it is renamed `….imported`.
    pub fn open(path: &Path, legacy_image_ids: Option<&Path>) -> Opened {
        match open::open(path) {
            open::Outcome::Off { reason } => Opened::Off { reason },
            open::Outcome::On {
                conn,
                mut notices,
                writable,
            } => {
                let store = Store {
                    conn: Arc::new(Mutex::new(conn)),
                    writable,
                };
                if let Some(json) = legacy_image_ids.filter(|_| writable) {
                    notices.extend(store.import_legacy_image_ids(json));
                }
                Opened::On { store, notices }
            }
        }
    }

    /// Whether this store saves anything: false for a file read with
    /// writes off (its notice said so), whose every write fails.
    pub fn is_writable(&self) -> bool {
        self.writable
    }

    /// Runs `f` on the connection.
    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.conn.lock().map_err(|_| StoreError::Poisoned)?;
        f(&mut conn)
    }
}

/// Test hook: a page limit set on the run's connection, so that writes
/// fail as on a full disk (SQLITE_FULL). Not for users.
const MAX_PAGES_ENV: &str = "TUSOU_TEST_DB_MAX_PAGES";

/// The store for this run, at `data_dir/tusou.db`, importing the old image-id
/// cache from `cache_dir`: [`Opened::Off`] (with why) when there is no data
/// directory or the file cannot be used.
pub(crate) fn for_run(data_dir: Option<&Path>, cache_dir: Option<&Path>) -> Opened {
    let Some(dir) = data_dir else {
        return Opened::Off {
            reason: "history is off: no data directory (set TUSOU_DATA_DIR)".into(),
        };
    };
    let legacy: Option<PathBuf> = cache_dir.map(|d| d.join(crate::api::image_cache::LEGACY_FILE));
    let opened = Store::open(&dir.join(DB_FILE), legacy.as_deref());
    if let Opened::On { store, .. } = &opened
        && let Some(pages) = std::env::var(MAX_PAGES_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
        && let Err(e) = store.with(|c| {
            c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
            Ok(())
        })
    {
        tracing::warn!("{MAX_PAGES_ENV}: {e}");
    }
    opened
}

/// Seconds since the Unix epoch (0 if the clock is before it).
fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A fresh store in memory, for tests.
#[cfg(test)]
pub(crate) fn test_store() -> Store {
    let mut conn = Connection::open_in_memory().expect("open in memory");
    conn.pragma_update(None, "foreign_keys", true)
        .expect("foreign keys");
    schema::migrate(&mut conn).expect("migrate");
    Store {
        conn: Arc::new(Mutex::new(conn)),
        writable: true,
    }
}
