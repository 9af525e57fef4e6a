//! The store's typed error, and how each SQLite failure is classed: a file
//! to keep aside and replace, or a place where history must be off.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the database has schema version {found}; this tusou knows up to {known}")]
    Newer { found: i64, known: i64 },
    #[error("the database file is read-only")]
    ReadOnly,
    /// Pages that fail SQLite's integrity check, a schema version no tusou
    /// wrote, or tables that do not match their version.
    #[error("the database is damaged: {0}")]
    Damaged(String),
    #[error("the database is in use by another thread that failed")]
    Poisoned,
    #[error("a stored offer or filter is not valid JSON: {0}")]
    Json(#[source] serde_json::Error),
    #[error("no search {0} in the history")]
    NoSearch(i64),
    #[error("the offer {0} is not on the shortlist")]
    NotStarred(String),
    #[error("{0}")]
    Missing(String),
}

/// What to do about a file that would not open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// Not a database, or a damaged one: keep it aside as `.corrupt-…`.
    Corrupt,
    /// Written by a newer tusou: keep it aside as `.newer-…`.
    Newer,
    /// The place or the disk will not take writes (read-only, full, gone):
    /// history is off for this run; the file is left alone.
    Unwritable,
}

impl StoreError {
    /// Another connection holds the file (SQLITE_BUSY / SQLITE_LOCKED).
    pub(crate) fn is_busy(&self) -> bool {
        use rusqlite::ErrorCode;
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(e.code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
        )
    }

    /// The disk would not take the write (full, failing, read-only): not
    /// something about the rows written.
    pub(crate) fn is_disk_refusal(&self) -> bool {
        use rusqlite::ErrorCode;
        matches!(
            self,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
                if matches!(
                    e.code,
                    ErrorCode::DiskFull | ErrorCode::SystemIoFailure | ErrorCode::ReadOnly
                )
        )
    }

    pub(crate) fn fault(&self) -> Fault {
        use rusqlite::ErrorCode;
        match self {
            StoreError::Newer { .. } => Fault::Newer,
            StoreError::Damaged(_) => Fault::Corrupt,
            StoreError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => match e.code {
                ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt => Fault::Corrupt,
                _ => Fault::Unwritable,
            },
            _ => Fault::Unwritable,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sqlite(code: i32) -> StoreError {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(code),
            None,
        ))
    }

    #[test]
    fn busy_and_locked_are_waited_out_and_the_rest_classed() {
        assert!(sqlite(rusqlite::ffi::SQLITE_BUSY).is_busy());
        assert!(sqlite(rusqlite::ffi::SQLITE_LOCKED).is_busy());
        assert!(!sqlite(rusqlite::ffi::SQLITE_READONLY).is_busy());
        assert_eq!(sqlite(rusqlite::ffi::SQLITE_NOTADB).fault(), Fault::Corrupt);
        assert_eq!(
            sqlite(rusqlite::ffi::SQLITE_FULL).fault(),
            Fault::Unwritable
        );
        assert!(!StoreError::ReadOnly.is_busy());
        assert!(sqlite(rusqlite::ffi::SQLITE_FULL).is_disk_refusal());
        assert!(!sqlite(rusqlite::ffi::SQLITE_CONSTRAINT).is_disk_refusal());
        assert_eq!(StoreError::Damaged("x".into()).fault(), Fault::Corrupt);
        assert_eq!(
            sqlite(rusqlite::ffi::SQLITE_CORRUPT).fault(),
            Fault::Corrupt
        );
    }
}
