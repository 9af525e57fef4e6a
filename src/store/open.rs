//! Opening the database file: the connection's settings, the migration, and
//! what happens when the file will not open. A corrupt file (not a database,
//! pages that fail SQLite's quick check, a schema version no tusou wrote, or
//! tables that do not match their version) or one from a newer tusou is
//! kept aside under a timestamped name and a new one started, with a notice
//! naming both. A file that will not take writes (read-only, or in a place
//! that will not) is read with writes off; a place where even that fails
//! turns history off. Nothing here panics and nothing is deleted.

use super::error::{Fault, StoreError};
use super::schema;
use crate::fs::shown;
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Longest wait for another process's write (a search's rows are written in
/// one short transaction, so this is plenty).
const BUSY_WAIT: Duration = Duration::from_secs(3);

/// Longest the integrity check on open may take. It reads every page once
/// (about 0.1 s for 100,000 offers from the system's cache); past this the
/// file is used unchecked, and damage found later is met at the next open.
const CHECK_BUDGET: Duration = Duration::from_secs(2);

/// How an open went.
#[derive(Debug)]
pub(crate) enum Outcome {
    On {
        conn: Connection,
        notices: Vec<String>,
        /// False when the file is read with writes off.
        writable: bool,
    },
    Off {
        reason: String,
    },
}

/// Opens `path`, creating its directory and the file as needed.
pub(crate) fn open(path: &Path) -> Outcome {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return off(path, &e.to_string());
    }
    let err = match connect_patiently(path) {
        Ok(conn) => {
            return Outcome::On {
                conn,
                notices: Vec::new(),
                writable: true,
            };
        }
        Err(e) => e,
    };
    let tag = match err.fault() {
        Fault::Unwritable => return read_only(path, &err),
        Fault::Corrupt => "corrupt",
        Fault::Newer => "newer",
    };
    let aside = aside_name(path, tag);
    if let Err(e) = move_aside(path, &aside) {
        return off(path, &format!("{err}; keeping it aside failed: {e}"));
    }
    let notice = format!(
        "the history database {} could not be used ({}); it was kept as {} and a new one started",
        shown(path),
        crate::text::sanitize(&err.to_string()),
        shown(&aside)
    );
    match connect(path) {
        Ok(conn) => Outcome::On {
            conn,
            notices: vec![notice],
            writable: true,
        },
        Err(e) => off(path, &format!("{notice}, but the new one failed: {e}")),
    }
}

/// A file that would not open for writing (`why`), read with writes off if
/// it can be: the history and the shortlist are shown, nothing is saved.
/// Such a file is never moved aside, even when it cannot be used: whoever
/// made it read-only wants it left as it is.
fn read_only(path: &Path, why: &StoreError) -> Outcome {
    if !path.is_file() {
        return off(path, &why.to_string());
    }
    match connect_read_only(path) {
        Ok(conn) => Outcome::On {
            conn,
            notices: vec![format!(
                "the history database {} is read-only ({}): history and the shortlist are shown, but nothing new is saved",
                shown(path),
                crate::text::sanitize(&why.to_string())
            )],
            writable: false,
        },
        Err(e) => off(path, &format!("{why}; reading it failed too: {e}")),
    }
}

fn off(path: &Path, why: &str) -> Outcome {
    Outcome::Off {
        reason: format!(
            "history is off: {}: {}",
            shown(path),
            crate::text::sanitize(why)
        ),
    }
}

/// Waits between tries when another process holds the file at the moment
/// it is first set up (switching a new file to WAL needs it alone, and
/// SQLite answers "locked" at once rather than waiting): 1.55 s at most.
const SETUP_RETRIES_MS: [u64; 5] = [50, 100, 200, 400, 800];

/// [`connect`], tried again while the file is busy or locked.
fn connect_patiently(path: &Path) -> Result<Connection, StoreError> {
    let mut waits = SETUP_RETRIES_MS.iter();
    loop {
        match connect(path) {
            Err(e) if e.is_busy() => match waits.next() {
                Some(ms) => std::thread::sleep(std::time::Duration::from_millis(*ms)),
                None => return Err(e),
            },
            other => return other,
        }
    }
}

/// Whether the file's permissions forbid writing (chmod a-w). Read from
/// its mode, not from a failed write, so that it binds root too: whoever
/// made the file read-only meant it.
fn protected(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().readonly())
}

/// One connection with the store's settings, its schema brought up to date.
/// The file is read (is it a database, which version, are its pages
/// intact?) before anything is written to it, so a file kept aside is as
/// it was found.
pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    if protected(path) {
        return Err(StoreError::ReadOnly);
    }
    let mut conn = Connection::open(path)?;
    if conn.is_readonly(rusqlite::MAIN_DB)? {
        return Err(StoreError::ReadOnly);
    }
    conn.busy_timeout(BUSY_WAIT)?;
    let found = check(&conn)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::debug!("the history database is in {mode} mode, not WAL");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    settings(&conn)?;
    schema::migrate(&mut conn).map_err(|e| mismatch(e, found))?;
    schema::check_tables(&conn)?;
    Ok(conn)
}

/// A connection that only reads, for a file that will not take writes.
/// Only a file at this tusou's schema version can be read (an older one
/// would need its migration written).
fn connect_read_only(path: &Path) -> Result<Connection, StoreError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_WAIT)?;
    let found = check(&conn)?;
    if found < schema::latest() {
        return Err(StoreError::Missing(format!(
            "it has schema version {found}, and bringing it up to date needs writing"
        )));
    }
    settings(&conn)?;
    schema::check_tables(&conn)?;
    Ok(conn)
}

/// The settings every connection has.
fn settings(conn: &Connection) -> Result<(), StoreError> {
    conn.pragma_update(None, "foreign_keys", true)?;
    // SQLite's page cache (2 MiB by default) fills as the history grows;
    // 256 KiB holds the index pages a page read or write walks, and the
    // system's file cache holds the rest. Negative: KiB, not pages.
    conn.pragma_update(None, "cache_size", -256)?;
    Ok(())
}

/// What is read before anything is written: the file is a database, of a
/// schema version this tusou can use, with intact pages. Answers the
/// version.
fn check(conn: &Connection) -> Result<i64, StoreError> {
    conn.query_row("SELECT count(*) FROM sqlite_schema", [], |r| {
        r.get::<_, i64>(0)
    })?;
    let found = schema::version(conn)?;
    if found > schema::latest() {
        return Err(StoreError::Newer {
            found,
            known: schema::latest(),
        });
    }
    if found < 0 {
        return Err(StoreError::Damaged(format!(
            "schema version {found}, which no tusou writes"
        )));
    }
    quick_check(conn, CHECK_BUDGET)?;
    Ok(found)
}

/// SQLite's `quick_check` (every page's structure, not index contents),
/// stopped after `budget`: a file too big to check in time is used as it
/// is. Damage shows as [`StoreError::Damaged`] with SQLite's first finding.
fn quick_check(conn: &Connection, budget: Duration) -> Result<(), StoreError> {
    let started = Instant::now();
    let interrupt = conn.get_interrupt_handle();
    let (done, wait) = std::sync::mpsc::channel::<()>();
    // The one way to bound a statement without rusqlite's hooks: a timer
    // that interrupts it, told to stop as soon as the check ends.
    let timer = std::thread::Builder::new()
        .name("store-check".into())
        .spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = wait.recv_timeout(budget) {
                interrupt.interrupt();
            }
        });
    let result = conn.query_row("PRAGMA quick_check(1)", [], |r| r.get::<_, String>(0));
    let _ = done.send(());
    if let Ok(timer) = timer {
        let _ = timer.join();
    }
    tracing::debug!("history database quick_check: {:?}", started.elapsed());
    match result {
        Ok(found) if found == "ok" => Ok(()),
        Ok(found) => Err(StoreError::Damaged(found)),
        Err(rusqlite::Error::SqliteFailure(e, _))
            if e.code == rusqlite::ErrorCode::OperationInterrupted =>
        {
            tracing::debug!("history database quick_check stopped after {budget:?}");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// A migration that fails on the file's own tables (a column already there,
/// a table missing) says the tables do not match the version the file
/// claims: damaged, not unwritable.
fn mismatch(e: StoreError, found: i64) -> StoreError {
    match &e {
        StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _))
            if f.code == rusqlite::ErrorCode::Unknown =>
        {
            StoreError::Damaged(format!(
                "its tables do not match its schema version {found} ({e})"
            ))
        }
        _ => e,
    }
}

/// `tusou.db.<tag>-YYYYmmdd-HHMMSS` beside `path` (local time), with a
/// counter if that name is taken.
fn aside_name(path: &Path, tag: &str) -> PathBuf {
    let stamp = Connection::open_in_memory()
        .and_then(|c| {
            c.query_row(
                "SELECT strftime('%Y%m%d-%H%M%S', 'now', 'localtime')",
                [],
                |r| r.get::<_, String>(0),
            )
        })
        .unwrap_or_else(|_| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs().to_string())
                .unwrap_or_default()
        });
    let base = with_suffix(path, &format!(".{tag}-{stamp}"));
    let mut name = base.clone();
    let mut n = 1;
    while name.symlink_metadata().is_ok() {
        name = with_suffix(&base, &format!(".{n}"));
        n += 1;
    }
    name
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// Renames the file and its WAL and shared-memory companions, which belong
/// to it, so the kept copy opens as it was.
fn move_aside(path: &Path, aside: &Path) -> std::io::Result<()> {
    std::fs::rename(path, aside)?;
    for companion in ["-wal", "-shm"] {
        let from = with_suffix(path, companion);
        if from.symlink_metadata().is_ok() {
            std::fs::rename(&from, with_suffix(aside, companion))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn settings_are_wal_foreign_keys_and_a_busy_wait() {
        let dir = tempfile::tempdir().unwrap();
        let conn = connect(&dir.path().join("tusou.db")).unwrap();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let busy: i64 = conn
            .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
            .unwrap();
        assert_eq!(busy, 3000);
    }

    #[test]
    fn garbage_is_kept_aside_byte_for_byte() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tusou.db");
        let garbage = vec![0x5au8; 8192];
        std::fs::write(&path, &garbage).unwrap();
        let Outcome::On { notices, .. } = open(&path) else {
            panic!("should start a new database");
        };
        let kept: Vec<String> = names(dir.path())
            .into_iter()
            .filter(|n| n.starts_with("tusou.db.corrupt-"))
            .collect();
        assert_eq!(kept.len(), 1, "{:?}", names(dir.path()));
        assert_eq!(std::fs::read(dir.path().join(&kept[0])).unwrap(), garbage);
        assert!(notices[0].contains(&kept[0]), "{notices:?}");
    }

    #[test]
    fn aside_names_do_not_collide() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tusou.db");
        let first = aside_name(&path, "corrupt");
        std::fs::write(&first, b"x").unwrap();
        let second = aside_name(&path, "corrupt");
        assert_ne!(first, second);
        assert!(second.to_string_lossy().contains(".corrupt-"));
    }
}
