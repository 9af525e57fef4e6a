//! On-disk cache of DajiSaaS `imageId`s keyed by the MD5 of the prepared image
//! bytes, so the same photo is never uploaded twice. It survives restarts; a
//! corrupt or unreadable file is ignored (and rewritten), never fatal.
//!
//! Several processes may share the file (two `tusou search` runs, the app):
//! every change is a read-merge-write under an exclusive lock on a side file
//! (`image-ids.json.lock`), and the new contents replace the old with a
//! rename from a temp file in the same directory, so a reader never sees half
//! a file and no writer loses another's entries. Waiting for the lock is
//! bounded; a cache that cannot be written is logged and skipped.

use crate::image::read::shown;
use crate::text::sanitize;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Entries kept at most; the oldest go first.
const MAX_ENTRIES: usize = 5_000;
/// Largest cache file read (5,000 entries take about 0.5 MB).
const MAX_FILE_BYTES: u64 = 16_000_000;
/// Longest wait for another process's write to finish.
const LOCK_WAIT: Duration = Duration::from_secs(3);

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    /// scope (base URL + app key) → md5 → entry
    #[serde(default)]
    scopes: HashMap<String, HashMap<String, Entry>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    image_id: String,
    /// Unix seconds when stored, to evict the oldest.
    stored: u64,
}

#[derive(Debug)]
pub struct ImageIdCache {
    path: Option<PathBuf>,
    scope: String,
    data: Mutex<CacheFile>,
}

impl ImageIdCache {
    /// Opens (or starts) the cache at `path`; `None` keeps it in memory only.
    /// `scope` separates accounts and servers sharing one file.
    pub fn open(path: Option<PathBuf>, scope: impl Into<String>) -> Self {
        let data = path.as_deref().map(read_cache).unwrap_or_default();
        ImageIdCache {
            path,
            scope: scope.into(),
            data: Mutex::new(data),
        }
    }

    pub fn get(&self, md5_hex: &str) -> Option<String> {
        let data = self.data.lock().ok()?;
        data.scopes
            .get(&self.scope)?
            .get(md5_hex)
            .map(|e| e.image_id.clone())
    }

    /// Remembers an id and writes it to the file, merged with whatever other
    /// processes stored meanwhile. A write failure is logged, not returned:
    /// the cache is an optimisation.
    pub fn put(&self, md5_hex: &str, image_id: &str) {
        let stored = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let entry = Entry {
            image_id: image_id.to_string(),
            stored,
        };
        self.change(|data| {
            let scope = data.scopes.entry(self.scope.clone()).or_default();
            scope.insert(md5_hex.to_string(), entry.clone());
            evict_oldest(scope);
        });
    }

    /// Forgets an id the server no longer knows (in the file too).
    pub fn remove(&self, md5_hex: &str) {
        self.change(|data| {
            if let Some(scope) = data.scopes.get_mut(&self.scope) {
                scope.remove(md5_hex);
            }
        });
    }

    /// Applies `edit` to memory and, under the file lock, to the file's
    /// current contents; memory then holds the merged result.
    fn change(&self, edit: impl Fn(&mut CacheFile)) {
        let Ok(mut data) = self.data.lock() else {
            return;
        };
        edit(&mut data);
        let Some(path) = &self.path else {
            return;
        };
        match update_file(path, &edit) {
            Ok(merged) => *data = merged,
            Err(e) => tracing::warn!(
                "could not write image id cache {}: {}",
                shown(path),
                sanitize(&e.to_string())
            ),
        }
    }
}

fn evict_oldest(scope: &mut HashMap<String, Entry>) {
    if scope.len() <= MAX_ENTRIES {
        return;
    }
    let mut by_age: Vec<(String, u64)> = scope.iter().map(|(k, e)| (k.clone(), e.stored)).collect();
    by_age.sort_by_key(|(_, t)| *t);
    let excess = scope.len() - MAX_ENTRIES;
    for (key, _) in by_age.into_iter().take(excess) {
        scope.remove(&key);
    }
}

/// The cache file's contents; empty when missing, unreadable or corrupt.
fn read_cache(path: &Path) -> CacheFile {
    match crate::image::read_file_capped(path, MAX_FILE_BYTES) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!("ignoring corrupt image id cache: {e}");
            CacheFile::default()
        }),
        Err(e) if e.is_not_found() => CacheFile::default(),
        Err(e) => {
            tracing::warn!("ignoring image id cache: {e}");
            CacheFile::default()
        }
    }
}

/// Read-merge-write under the lock: the file's current contents, `edit`
/// applied, written to a temp file and renamed over the cache.
fn update_file(path: &Path, edit: &dyn Fn(&mut CacheFile)) -> std::io::Result<CacheFile> {
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(dir) = dir {
        std::fs::create_dir_all(dir)?;
    }
    let _lock = lock(path)?;
    let mut data = read_cache(path);
    edit(&mut data);
    write_atomically(path, &data)?;
    Ok(data)
}

/// Holds the exclusive lock on `<cache>.lock` until dropped (closing the
/// file releases it, also when the process dies).
struct LockGuard(std::fs::File);

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = self.0.unlock();
    }
}

fn lock(path: &Path) -> std::io::Result<LockGuard> {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(PathBuf::from(name))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(LockGuard(file)),
            Err(std::fs::TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::TimedOut,
                    format!(
                        "another process has held its lock for over {} s",
                        LOCK_WAIT.as_secs()
                    ),
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(e),
        }
    }
}

/// Writes `data` to a temp file beside `path` and renames it over `path`.
fn write_atomically(path: &Path, data: &CacheFile) -> std::io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut name = path.as_os_str().to_owned();
    name.push(format!(
        ".{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let tmp = PathBuf::from(name);
    let bytes = serde_json::to_vec(data).map_err(std::io::Error::other)?;
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| {
            std::io::Write::write_all(&mut f, &bytes)?;
            f.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn survives_restart_and_separates_scopes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image-ids.json");
        let cache = ImageIdCache::open(Some(path.clone()), "a");
        cache.put("md5x", "123");
        let reopened = ImageIdCache::open(Some(path.clone()), "a");
        assert_eq!(reopened.get("md5x").as_deref(), Some("123"));
        let other = ImageIdCache::open(Some(path), "b");
        assert_eq!(other.get("md5x"), None);
    }

    #[test]
    fn corrupt_file_is_ignored_and_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image-ids.json");
        std::fs::write(&path, b"{not json").unwrap();
        let cache = ImageIdCache::open(Some(path.clone()), "a");
        assert_eq!(cache.get("x"), None);
        cache.put("x", "9");
        assert_eq!(
            ImageIdCache::open(Some(path), "a").get("x").as_deref(),
            Some("9")
        );
    }

    #[test]
    fn removal_reaches_the_file_and_merges_keep_other_writers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("image-ids.json");
        let a = ImageIdCache::open(Some(path.clone()), "s");
        let b = ImageIdCache::open(Some(path.clone()), "s");
        a.put("one", "1");
        b.put("two", "2"); // b never saw "one": it must not drop it
        let c = ImageIdCache::open(Some(path.clone()), "s");
        assert_eq!(c.get("one").as_deref(), Some("1"));
        assert_eq!(c.get("two").as_deref(), Some("2"));
        a.remove("two");
        let d = ImageIdCache::open(Some(path), "s");
        assert_eq!(d.get("two"), None);
        assert_eq!(d.get("one").as_deref(), Some("1"));
    }

    #[test]
    fn unwritable_cache_is_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        // The cache "file" is a directory: reads and writes fail, gets miss.
        let path = dir.path().join("image-ids.json");
        std::fs::create_dir(&path).unwrap();
        let cache = ImageIdCache::open(Some(path), "s");
        cache.put("x", "1");
        assert_eq!(cache.get("x").as_deref(), Some("1"), "kept in memory");
    }
}
