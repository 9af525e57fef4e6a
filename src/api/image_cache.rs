//! On-disk cache of DajiSaaS `imageId`s keyed by the MD5 of the prepared image
//! bytes, so the same photo is never uploaded twice. It survives restarts; a
//! corrupt or unreadable file is ignored (and rewritten), never fatal.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Entries kept at most; the oldest go first.
const MAX_ENTRIES: usize = 5_000;

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
        let data = path
            .as_deref()
            .and_then(|p| std::fs::read(p).ok())
            .and_then(|bytes| match serde_json::from_slice::<CacheFile>(&bytes) {
                Ok(file) => Some(file),
                Err(e) => {
                    tracing::warn!("ignoring corrupt image id cache: {e}");
                    None
                }
            })
            .unwrap_or_default();
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

    /// Remembers an id and writes the file (atomically, via a temp file).
    /// A write failure is logged, not returned: the cache is an optimisation.
    pub fn put(&self, md5_hex: &str, image_id: &str) {
        let Ok(mut data) = self.data.lock() else {
            return;
        };
        let stored = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let scope = data.scopes.entry(self.scope.clone()).or_default();
        scope.insert(
            md5_hex.to_string(),
            Entry {
                image_id: image_id.to_string(),
                stored,
            },
        );
        if scope.len() > MAX_ENTRIES {
            let mut by_age: Vec<(String, u64)> =
                scope.iter().map(|(k, e)| (k.clone(), e.stored)).collect();
            by_age.sort_by_key(|(_, t)| *t);
            for (key, _) in by_age.into_iter().take(scope.len() - MAX_ENTRIES) {
                scope.remove(&key);
            }
        }
        if let Some(path) = &self.path
            && let Err(e) = write_atomically(path, &data)
        {
            tracing::warn!("could not write image id cache {}: {e}", path.display());
        }
    }

    /// Forgets an id the server no longer knows.
    pub fn remove(&self, md5_hex: &str) {
        if let Ok(mut data) = self.data.lock()
            && let Some(scope) = data.scopes.get_mut(&self.scope)
        {
            scope.remove(md5_hex);
        }
    }
}

fn write_atomically(path: &Path, data: &CacheFile) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(
        &tmp,
        serde_json::to_vec(data).map_err(std::io::Error::other)?,
    )?;
    std::fs::rename(&tmp, path)
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
}
