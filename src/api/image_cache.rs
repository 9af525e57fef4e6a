//! The cache of DajiSaaS `imageId`s keyed by the MD5 of the prepared image
//! bytes, so the same photo is never uploaded twice. Where the ids persist
//! is behind [`ImageIdStore`] (the history store is one, shared by every
//! tusou process); without one they are kept in memory for the run. A store
//! that fails is logged and skipped, never fatal: the cache is an
//! optimisation.
//!
//! Earlier versions kept a JSON file (`image-ids.json` in the cache
//! directory); [`read_legacy`] reads it once, to import it into the store.

use lru::LruCache;
use serde::Deserialize;
use std::collections::HashMap;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Ids kept in memory for the run (besides the store).
const IN_MEMORY: NonZeroUsize = NonZeroUsize::new(512).expect("nonzero");
/// Largest JSON cache file read (5,000 entries take about 0.5 MB).
const MAX_FILE_BYTES: u64 = 16_000_000;

/// How long an image id is used after it was issued. The providers do not
/// say how long an uploaded picture's id stays valid (nothing public was
/// found; see the shared protocol notes), and an expired one costs a failed
/// query before the upload is repeated, while a new upload costs one
/// request. A day is short enough that ids are fresh and long enough that
/// a day's work on a photo uploads it once.
pub const ID_MAX_AGE: Duration = Duration::from_secs(24 * 60 * 60);

/// The JSON cache file of earlier versions, in the cache directory.
pub const LEGACY_FILE: &str = "image-ids.json";

/// Where image ids persist. `scope` separates accounts and servers.
/// Failures are the implementation's to log: a miss is always safe.
pub trait ImageIdStore: Send + Sync + std::fmt::Debug {
    fn get(&self, scope: &str, md5_hex: &str) -> Option<String>;
    fn put(&self, scope: &str, md5_hex: &str, image_id: &str);
    fn remove(&self, scope: &str, md5_hex: &str);
}

#[derive(Debug)]
pub struct ImageIdCache {
    store: Option<Arc<dyn ImageIdStore>>,
    scope: String,
    /// md5 → (id, when it was stored).
    memory: Mutex<LruCache<String, (String, Instant)>>,
}

impl ImageIdCache {
    /// The cache over `store`; `None` keeps it in memory only. `scope`
    /// separates accounts and servers sharing one store.
    pub fn open(store: Option<Arc<dyn ImageIdStore>>, scope: impl Into<String>) -> Self {
        ImageIdCache {
            store,
            scope: scope.into(),
            memory: Mutex::new(LruCache::new(IN_MEMORY)),
        }
    }

    pub fn get(&self, md5_hex: &str) -> Option<String> {
        if let Some(id) = self
            .store
            .as_ref()
            .and_then(|s| s.get(&self.scope, md5_hex))
        {
            return Some(id);
        }
        let mut memory = self.memory.lock().ok()?;
        match memory.get(md5_hex) {
            Some((id, at)) if at.elapsed() <= ID_MAX_AGE => Some(id.clone()),
            Some(_) => {
                memory.pop(md5_hex);
                None
            }
            None => None,
        }
    }

    /// Remembers an id, in memory and in the store.
    pub fn put(&self, md5_hex: &str, image_id: &str) {
        if let Ok(mut memory) = self.memory.lock() {
            memory.put(md5_hex.to_string(), (image_id.to_string(), Instant::now()));
        }
        if let Some(store) = &self.store {
            store.put(&self.scope, md5_hex, image_id);
        }
    }

    /// Forgets an id the server no longer knows (in the store too).
    pub fn remove(&self, md5_hex: &str) {
        if let Ok(mut memory) = self.memory.lock() {
            memory.pop(md5_hex);
        }
        if let Some(store) = &self.store {
            store.remove(&self.scope, md5_hex);
        }
    }
}

#[derive(Debug, Default, Deserialize)]
struct CacheFile {
    /// scope (base URL + app key) → md5 → entry
    #[serde(default)]
    scopes: HashMap<String, HashMap<String, Entry>>,
}

#[derive(Debug, Deserialize)]
struct Entry {
    image_id: String,
    /// Unix seconds when stored.
    stored: u64,
}

/// One id from the JSON cache.
#[derive(Debug)]
pub(crate) struct LegacyEntry {
    pub(crate) scope: String,
    pub(crate) md5_hex: String,
    pub(crate) image_id: String,
    pub(crate) stored: u64,
}

/// The entries of the JSON cache at `path`, or why it cannot be read.
pub(crate) fn read_legacy(path: &Path) -> Result<Vec<LegacyEntry>, String> {
    let bytes = crate::fs::read_file_capped(path, MAX_FILE_BYTES).map_err(|e| e.to_string())?;
    let file: CacheFile = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    Ok(file
        .scopes
        .into_iter()
        .flat_map(|(scope, ids)| {
            ids.into_iter().map(move |(md5_hex, e)| LegacyEntry {
                scope: scope.clone(),
                md5_hex,
                image_id: e.image_id,
                stored: e.stored,
            })
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default)]
    struct Failing;
    impl ImageIdStore for Failing {
        fn get(&self, _: &str, _: &str) -> Option<String> {
            None
        }
        fn put(&self, _: &str, _: &str, _: &str) {}
        fn remove(&self, _: &str, _: &str) {}
    }

    #[test]
    fn a_failing_store_still_keeps_ids_in_memory() {
        let cache = ImageIdCache::open(Some(Arc::new(Failing)), "s");
        cache.put("x", "1");
        assert_eq!(cache.get("x").as_deref(), Some("1"), "kept in memory");
        cache.remove("x");
        assert_eq!(cache.get("x"), None);
    }

    #[test]
    fn the_json_cache_reads_by_scope() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(LEGACY_FILE);
        std::fs::write(
            &path,
            br#"{"scopes":{"a":{"m":{"image_id":"1","stored":5}},"b":{}}}"#,
        )
        .unwrap();
        let entries = read_legacy(&path).unwrap();
        assert_eq!(entries.len(), 1);
        assert_eq!(
            (entries[0].scope.as_str(), entries[0].md5_hex.as_str()),
            ("a", "m")
        );
        assert_eq!((entries[0].image_id.as_str(), entries[0].stored), ("1", 5));
        std::fs::write(&path, b"{not json").unwrap();
        assert!(read_legacy(&path).is_err());
    }
}
