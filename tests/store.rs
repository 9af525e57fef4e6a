//! The history store from outside: migrations, several writers at once, and
//! what happens to a corrupt, newer, unwritable or full database — through
//! the library, and through `tusou search --save` run as real processes
//! against the demo simulator (all on 127.0.0.1, in temporary directories).

use std::path::{Path, PathBuf};
use tusou::api::{Offer, Price, SearchParams};
use tusou::store::{Change, NewSearch, Opened, Store};

fn open(path: &Path, legacy: Option<&Path>) -> (Store, Vec<String>) {
    match Store::open(path, legacy) {
        Opened::On { store, notices } => (store, notices),
        Opened::Off { reason } => panic!("history off: {reason}"),
    }
}

fn user_version(path: &Path) -> i64 {
    rusqlite::Connection::open(path)
        .expect("query")
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .expect("query")
}

fn tables(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).expect("open");
    let mut st = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("prepare");
    st.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("query")
}

fn kept(dir: &Path, prefix: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .expect("query")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().expect("name").to_string_lossy();
            name.starts_with(prefix) && !name.ends_with("-wal") && !name.ends_with("-shm")
        })
        .collect()
}

/// The schema version this tusou writes.
const LATEST: i64 = 11;

const TABLES: [&str; 15] = [
    "batch_items",
    "batch_jobs",
    "details",
    "freights",
    "image_ids",
    "kept_apart",
    "offers",
    "preferences",
    "price_history",
    "results",
    "searches",
    "shortlist",
    "watch_moqs",
    "watch_runs",
    "watches",
];

#[test]
fn a_new_store_starts_at_the_latest_schema_in_a_new_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("tusou").join("tusou.db");
    let (store, notices) = open(&path, None);
    assert!(notices.is_empty(), "{notices:?}");
    drop(store);
    assert_eq!(tables(&path), TABLES);
    assert_eq!(user_version(&path), LATEST);
}

/// A v0 database (an empty SQLite file) and the JSON cache of earlier
/// versions: the schema is built, the ids imported, the JSON renamed.
#[test]
fn v0_with_an_old_json_cache_is_migrated_and_imported() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("PRAGMA user_version = 0; VACUUM;")
        .unwrap();
    let json = dir.path().join("cache").join("image-ids.json");
    std::fs::create_dir_all(json.parent().unwrap()).unwrap();
    // Issued a minute ago (ids expire a day after they were issued), and
    // one long ago: imported, but never used.
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        - 60;
    std::fs::write(
        &json,
        format!(
            r#"{{"scopes":{{"https://x k":{{"aa":{{"image_id":"11","stored":{t}}}}},
            "https://y k":{{"aa":{{"image_id":"22","stored":{t}}},"bb":{{"image_id":"33","stored":{t}}},
            "cc":{{"image_id":"44","stored":1}}}}}}}}"#
        ),
    )
    .unwrap();
    let (store, notices) = open(&path, Some(&json));
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("imported 4 image ids"), "{notices:?}");
    let ids = store.image_ids();
    assert_eq!(ids.get("https://y k", "cc"), None, "expired");
    assert_eq!(ids.get("https://x k", "aa").as_deref(), Some("11"));
    assert_eq!(ids.get("https://y k", "aa").as_deref(), Some("22"));
    assert_eq!(ids.get("https://y k", "bb").as_deref(), Some("33"));
    assert!(!json.exists());
    assert!(json.with_extension("json.imported").exists());
    drop((ids, store));
    assert_eq!(tables(&path), TABLES);
    assert_eq!(user_version(&path), LATEST);
    // Opening again imports nothing and keeps the ids.
    let (store, notices) = open(&path, Some(&json));
    assert!(notices.is_empty(), "{notices:?}");
    assert_eq!(
        store.image_ids().get("https://y k", "bb").as_deref(),
        Some("33")
    );
}

/// Four writers, each with its own connection, opening a new file and
/// writing at the same time: every entry is there afterwards.
#[test]
fn four_writers_at_once_lose_nothing() {
    const WRITERS: usize = 4;
    const EACH: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    let barrier = std::sync::Barrier::new(WRITERS);
    std::thread::scope(|s| {
        for i in 0..WRITERS {
            let (path, barrier) = (&path, &barrier);
            s.spawn(move || {
                barrier.wait();
                let (store, _) = open(path, None);
                let ids = store.image_ids();
                for j in 0..EACH {
                    ids.put("scope", &format!("md5-{i}-{j}"), &format!("{i}{j:04}"));
                }
            });
        }
    });
    let (store, _) = open(&path, None);
    let ids = store.image_ids();
    let missing: Vec<String> = (0..WRITERS)
        .flat_map(|i| (0..EACH).map(move |j| format!("md5-{i}-{j}")))
        .filter(|k| ids.get("scope", k).is_none())
        .collect();
    assert!(missing.is_empty(), "{} lost: {missing:?}", missing.len());
}

#[test]
fn a_corrupt_file_is_kept_aside_with_a_notice() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    std::fs::write(&path, b"this is not a database, but it is someone's file").unwrap();
    let (store, notices) = open(&path, None);
    let aside = kept(dir.path(), "tusou.db.corrupt-");
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(
        std::fs::read(&aside[0]).unwrap(),
        b"this is not a database, but it is someone's file"
    );
    assert_eq!(notices.len(), 1, "{notices:?}");
    let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(notices[0].contains(&name), "{notices:?}");
    assert!(
        notices[0].contains("tusou.db "),
        "names the new file: {notices:?}"
    );
    // The new one works.
    store.image_ids().put("s", "m", "1");
    assert_eq!(store.image_ids().get("s", "m").as_deref(), Some("1"));
}

#[test]
fn a_newer_schema_is_kept_aside_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute_batch("CREATE TABLE future (x); PRAGMA user_version = 99;")
        .unwrap();
    let before = std::fs::read(&path).unwrap();
    let (_store, notices) = open(&path, None);
    let aside = kept(dir.path(), "tusou.db.newer-");
    assert_eq!(aside.len(), 1, "{aside:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), before, "untouched");
    assert_eq!(user_version(&aside[0]), 99);
    assert!(notices[0].contains("schema version 99"), "{notices:?}");
    assert_eq!(user_version(&path), LATEST);
}

/// Deterministic bytes (xorshift), as `dd if=/dev/urandom` would write.
fn random_bytes(n: usize, seed: u32) -> Vec<u8> {
    let mut s = seed.max(1);
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 17;
            s ^= s << 5;
            (s >> 24) as u8
        })
        .collect()
}

/// A closed store at `path` with `searches` searches of 40 offers each and
/// one offer on the shortlist; its page size.
fn filled(path: &Path, searches: u64) -> u64 {
    let (store, _) = open(path, None);
    for s in 0..searches {
        let offers: Vec<_> = (0..40).map(|i| offer(s * 100 + i, 100 + i)).collect();
        record(&store, &format!("md5-{s}"), &offers);
    }
    store.star("dajisaas", &offer(1, 101)).expect("star");
    drop(store);
    rusqlite::Connection::open(path)
        .expect("open the store file")
        .query_row("PRAGMA page_size", [], |r| r.get::<_, i64>(0))
        .expect("page size") as u64
}

/// Writes random bytes over whole pages (1-based), as `dd conv=notrunc`.
fn damage_pages(path: &Path, pages: &[u64], page_size: u64) {
    use std::io::{Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open the store file");
    for (i, page) in pages.iter().enumerate() {
        f.seek(SeekFrom::Start((page - 1) * page_size))
            .expect("seek");
        f.write_all(&random_bytes(page_size as usize, 7 + i as u32))
            .expect("damage a page");
    }
}

/// After `dd` of random bytes over a few pages inside the file (not the
/// first), the file still opens as a database, and every write failed
/// "malformed" for good. Now the integrity check on open finds it: kept
/// aside byte for byte, a new one started, and said so.
#[test]
fn damaged_pages_are_found_on_open_and_the_file_kept_aside() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    let page_size = filled(&path, 60);
    let pages = std::fs::metadata(&path).unwrap().len() / page_size;
    assert!(pages > 40, "{pages} pages");
    damage_pages(&path, &[pages / 4, pages / 2, pages - 3], page_size);
    let damaged = std::fs::read(&path).unwrap();
    let (store, notices) = open(&path, None);
    let aside = kept(dir.path(), "tusou.db.corrupt-");
    assert_eq!(aside.len(), 1, "{aside:?} {notices:?}");
    assert_eq!(std::fs::read(&aside[0]).unwrap(), damaged);
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("damaged"), "{notices:?}");
    let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
    assert!(notices[0].contains(&name), "{notices:?}");
    // The new one saves and lists.
    let id = record(&store, "aa", &[offer(1, 100)]);
    assert_eq!(store.recent_searches(10).unwrap()[0].id, id);
}

/// Page 1 (the header and the schema) damaged: kept aside likewise, whether
/// the header went too or only the schema after it.
#[test]
fn a_damaged_first_page_is_kept_aside() {
    for keep_header in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tusou.db");
        let page_size = filled(&path, 5);
        let mut bytes = std::fs::read(&path).unwrap();
        let from = if keep_header { 100 } else { 0 };
        bytes[from..page_size as usize]
            .copy_from_slice(&random_bytes(page_size as usize - from, 3));
        std::fs::write(&path, &bytes).unwrap();
        let (store, notices) = open(&path, None);
        let aside = kept(dir.path(), "tusou.db.corrupt-");
        assert_eq!(aside.len(), 1, "header kept {keep_header}: {notices:?}");
        assert_eq!(std::fs::read(&aside[0]).unwrap(), bytes);
        record(&store, "aa", &[offer(1, 100)]);
    }
}

/// A schema version set by hand to 1 (on a file whose tables are the
/// latest) or to −5: the migration failed on every open and history was off
/// for good. Either is a damaged file: kept aside, untouched, a new one
/// started.
#[test]
fn a_schema_version_that_does_not_match_is_kept_aside() {
    for version in [1, -5] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tusou.db");
        filled(&path, 3);
        rusqlite::Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", version)
            .unwrap();
        let before = std::fs::read(&path).unwrap();
        let (store, notices) = open(&path, None);
        let aside = kept(dir.path(), "tusou.db.corrupt-");
        assert_eq!(aside.len(), 1, "v{version}: {notices:?}");
        assert_eq!(std::fs::read(&aside[0]).unwrap(), before, "v{version}");
        assert_eq!(user_version(&aside[0]), version);
        assert!(notices[0].contains("damaged"), "v{version}: {notices:?}");
        assert_eq!(user_version(&path), LATEST);
        record(&store, "aa", &[offer(1, 100)]);
        assert_eq!(store.recent_searches(10).unwrap().len(), 1);
    }
}

/// A database file made read-only (chmod 0444) is read with writes off:
/// the history and the shortlist are there, a write fails, the file is
/// neither changed nor moved. The mode is read by tusou itself, so this
/// holds for root too (for whom permissions do not stop a write; CI runs
/// as root).
#[cfg(unix)]
#[test]
fn a_read_only_file_is_read_with_writes_off() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    filled(&path, 3);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let (store, notices) = open(&path, None);
    assert!(!store.is_writable());
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("read-only"), "{notices:?}");
    assert_eq!(store.recent_searches(10).unwrap().len(), 3);
    assert_eq!(store.shortlist().unwrap().len(), 1);
    let search = store.recent_searches(1).unwrap().remove(0);
    assert_eq!(
        store.load_search(search.id).unwrap().unwrap().offers.len(),
        40
    );
    assert!(
        store
            .record_search(&NewSearch {
                source_md5: "bb",
                thumbnail: None,
                source: "x.jpg",
                provider: "dajisaas",
                params: &SearchParams::default(),
            })
            .is_err()
    );
    assert!(store.star("dajisaas", &offer(9, 9)).is_err());
    drop(store);
    assert_eq!(std::fs::read(&path).unwrap(), before, "unchanged");
    assert!(kept(dir.path(), "tusou.db.").is_empty());
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
}

/// A read-only file that is damaged, or from an older tusou (it would need
/// writing to be brought up to date): history is off, and the file is left
/// where it is.
#[cfg(unix)]
#[test]
fn a_read_only_file_that_cannot_be_read_is_left_alone() {
    use std::os::unix::fs::PermissionsExt;
    for case in ["damaged", "older"] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tusou.db");
        let page_size = filled(&path, 60);
        if case == "damaged" {
            let pages = std::fs::metadata(&path).unwrap().len() / page_size;
            damage_pages(&path, &[pages / 4, pages / 2, pages - 3], page_size);
        } else {
            rusqlite::Connection::open(&path)
                .unwrap()
                .execute_batch("PRAGMA user_version = 5;")
                .unwrap();
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        match Store::open(&path, None) {
            Opened::Off { reason } => {
                assert!(reason.contains("history is off"), "{case}: {reason}")
            }
            Opened::On { notices, .. } => panic!("{case}: a store from it: {notices:?}"),
        }
        assert!(kept(dir.path(), "tusou.db.").is_empty(), "{case}");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }
}

/// What the integrity check on open costs on a big history: 2,500 searches
/// of 40 offers (100,000 offers, each with a title, an English title and a
/// picture address, as a provider sends them), from the system's cache.
/// `cargo test --release --test store -- --ignored --nocapture quick_check_cost`
#[test]
#[ignore]
fn quick_check_cost_on_a_big_history() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    let (store, _) = open(&path, None);
    for s in 0..2_500u64 {
        let offers: Vec<Offer> = (0..40)
            .map(|i| {
                let id = s * 40 + i;
                Offer {
                    title_en: Some(format!("Women's summer sandals, flat, size 35-41, style {id}")),
                    image_url: Some(format!(
                        "https://cbu01.alicdn.com/img/ibank/O1CN01{id:012}_!!2200000000000-0-cib.jpg"
                    )),
                    month_sold: Some(id % 997),
                    badges: vec!["实力商家".into(), "48小时发货".into()],
                    title: format!("2024夏季新款女士平底凉鞋 时尚百搭 款式{id}"),
                    ..offer(id, 1000 + id % 500)
                }
            })
            .collect();
        record(&store, &format!("md5-{s}"), &offers);
    }
    drop(store);
    let bytes = std::fs::metadata(&path).unwrap().len();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let mut best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        let r: String = conn
            .query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(r, "ok");
        best = best.min(t.elapsed());
    }
    drop(conn);
    let mut open_best = std::time::Duration::MAX;
    for _ in 0..5 {
        let t = std::time::Instant::now();
        drop(open(&path, None));
        open_best = open_best.min(t.elapsed());
    }
    println!(
        "100,000 offers, {:.1} MB: quick_check {:?}, Store::open {:?} (best of 5)",
        bytes as f64 / 1e6,
        best,
        open_best
    );
}

/// A data directory that cannot be created (its parent is a file): history
/// is off, with a reason, and nothing panics.
#[test]
fn an_uncreatable_directory_turns_history_off() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    match Store::open(&file.join("tusou").join("tusou.db"), None) {
        Opened::Off { reason } => assert!(reason.starts_with("history is off"), "{reason}"),
        Opened::On { .. } => panic!("a store under a file"),
    }
    // The database's name taken by a directory: off too, and left alone.
    let taken = dir.path().join("tusou.db");
    std::fs::create_dir(&taken).unwrap();
    assert!(matches!(Store::open(&taken, None), Opened::Off { .. }));
    assert!(taken.is_dir());
}

/// A read-only directory, with and without a database in it: without,
/// history is off; with (the file read-only too), the file is read with
/// writes off; either way it is left as it was. (Skipped where permissions
/// do not bind, as for root.)
#[cfg(unix)]
#[test]
fn a_read_only_directory_turns_history_off() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    let full = dir.path().join("full");
    std::fs::create_dir(&empty).unwrap();
    std::fs::create_dir(&full).unwrap();
    drop(open(&full.join("tusou.db"), None));
    for d in [&empty, &full] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o555)).unwrap();
    }
    std::fs::set_permissions(
        full.join("tusou.db"),
        std::fs::Permissions::from_mode(0o444),
    )
    .unwrap();
    let binds = std::fs::write(empty.join("probe"), b"").is_err();
    if binds {
        match Store::open(&empty.join("tusou.db"), None) {
            Opened::Off { reason } => assert!(reason.contains("history is off"), "{reason}"),
            Opened::On { .. } => panic!("a store in read-only {}", empty.display()),
        }
        // A read-only file in it is read with writes off (28.4).
        match Store::open(&full.join("tusou.db"), None) {
            Opened::Off { reason } => panic!("the read-only file is not read: {reason}"),
            Opened::On { store, .. } => assert!(!store.is_writable()),
        }
        assert!(kept(&full, "tusou.db.").is_empty());
    } else {
        eprintln!("permissions do not bind here (root?): read-only case skipped");
    }
    for d in [&empty, &full] {
        std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
}

fn offer(id: u64, fen: u64) -> Offer {
    Offer {
        offer_id: Some(id.to_string()),
        title: format!("offer {id}"),
        price: Some(Price(fen)),
        ..Offer::default()
    }
}

fn record(store: &Store, md5: &str, offers: &[Offer]) -> tusou::store::SearchId {
    let id = store
        .record_search(&NewSearch {
            source_md5: md5,
            thumbnail: None,
            source: "shoe.jpg",
            provider: "dajisaas",
            params: &SearchParams::default(),
        })
        .expect("record search");
    store
        .record_page(id, 1, offers, Some(offers.len() as u64))
        .expect("record page");
    id
}

/// Two processes' stores on one file: what one records the other reads,
/// and searches of the same picture from both are compared.
#[test]
fn searches_recorded_by_one_store_are_read_by_another() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    let (a, _) = open(&path, None);
    let (b, _) = open(&path, None);
    let first = record(&a, "aa", &[offer(1, 100), offer(2, 200)]);
    assert_eq!(
        b.search_offers(first).unwrap(),
        [offer(1, 100), offer(2, 200)]
    );
    let second = record(&b, "aa", &[offer(2, 150), offer(3, 1)]);
    assert_eq!(
        a.changes_since_last(second).unwrap(),
        [Change::PriceDown { was_fen: 200 }, Change::New]
    );
    assert_eq!(a.source_history("aa").unwrap().times, 2);
    assert!(b.delete_search(first).unwrap());
    let recent = a.recent_searches(10).unwrap();
    assert_eq!(recent.len(), 1);
    assert_eq!(recent[0].id, second);
}

/// Four writers recording pages at once lose nothing.
#[test]
fn four_stores_recording_at_once_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tusou.db");
    drop(open(&path, None));
    let ids: Vec<_> = std::thread::scope(|scope| {
        let writers: Vec<_> = (0..4u64)
            .map(|w| {
                let path = &path;
                scope.spawn(move || {
                    let (store, _) = open(path, None);
                    (0..10u64)
                        .map(|s| {
                            let offers: Vec<_> =
                                (0..50).map(|i| offer(w * 1000 + i, s * 10 + i)).collect();
                            record(&store, &format!("{w}-{s}"), &offers)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        writers
            .into_iter()
            .flat_map(|w| w.join().expect("writer"))
            .collect()
    });
    let (store, _) = open(&path, None);
    assert_eq!(store.recent_searches(100).unwrap().len(), 40);
    for id in ids {
        assert_eq!(store.search_offers(id).unwrap().len(), 50);
    }
}

/// Each older schema version, as that version created it, is brought to
/// the latest with its rows kept.
#[test]
fn every_older_version_migrates_to_the_latest() {
    let v1 = "
        CREATE TABLE searches (id INTEGER PRIMARY KEY, source_md5 TEXT NOT NULL, thumbnail BLOB,
            source TEXT NOT NULL, provider TEXT NOT NULL, filters TEXT NOT NULL DEFAULT '{}',
            searched_at INTEGER NOT NULL, total INTEGER, loaded INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX searches_by_source ON searches (source_md5, searched_at);
        CREATE INDEX searches_by_time ON searches (searched_at);
        CREATE TABLE offers (id INTEGER PRIMARY KEY, provider TEXT NOT NULL, offer_key TEXT NOT NULL,
            offer TEXT NOT NULL, first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,
            last_price_fen INTEGER, UNIQUE (provider, offer_key));
        CREATE TABLE results (search_id INTEGER NOT NULL REFERENCES searches (id) ON DELETE CASCADE,
            offer_id INTEGER NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
            page INTEGER NOT NULL, rank INTEGER NOT NULL, PRIMARY KEY (search_id, rank)) WITHOUT ROWID;
        CREATE INDEX results_by_offer ON results (offer_id);
        CREATE TABLE shortlist (offer_id INTEGER PRIMARY KEY REFERENCES offers (id) ON DELETE CASCADE,
            note TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT 'to ask'
            CHECK (status IN ('to ask', 'sample ordered', 'rejected', 'ordered')),
            added_at INTEGER NOT NULL, changed_at INTEGER NOT NULL);
        CREATE TABLE price_history (offer_id INTEGER NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
            seen_at INTEGER NOT NULL, price_fen INTEGER NOT NULL, PRIMARY KEY (offer_id, seen_at)) WITHOUT ROWID;
        CREATE TABLE image_ids (scope TEXT NOT NULL, md5 TEXT NOT NULL, image_id TEXT NOT NULL,
            issued_at INTEGER NOT NULL, PRIMARY KEY (scope, md5)) WITHOUT ROWID;
        INSERT INTO searches (source_md5, source, provider, searched_at, loaded)
            VALUES ('aa', 'shoe.jpg', 'dajisaas', 1700000000, 1);
        INSERT INTO results (search_id, offer_id, page, rank) VALUES (1, 1, 1, 0);
        INSERT INTO shortlist (offer_id, note, added_at, changed_at) VALUES (1, 'ask MOQ', 1, 1);
        PRAGMA user_version = 1;";
    let v2 = "ALTER TABLE results ADD COLUMN price_fen INTEGER;
        UPDATE results SET price_fen = 120; PRAGMA user_version = 2;";
    let v3 = "CREATE INDEX image_ids_by_age ON image_ids (scope, issued_at);
        ALTER TABLE shortlist ADD COLUMN seq INTEGER NOT NULL DEFAULT 0; PRAGMA user_version = 3;";
    let v4 = "CREATE TABLE batch_jobs (id INTEGER PRIMARY KEY, identity TEXT NOT NULL, input TEXT NOT NULL,
            provider TEXT NOT NULL, filters TEXT NOT NULL, top INTEGER NOT NULL, out TEXT NOT NULL,
            user_columns TEXT NOT NULL DEFAULT '[]', created_at INTEGER NOT NULL, finished_at INTEGER);
        CREATE INDEX batch_jobs_by_identity ON batch_jobs (identity, finished_at);
        CREATE TABLE batch_items (job_id INTEGER NOT NULL REFERENCES batch_jobs (id) ON DELETE CASCADE,
            idx INTEGER NOT NULL, source TEXT NOT NULL, user_values TEXT NOT NULL DEFAULT '[]',
            state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
            reason TEXT, search_id INTEGER REFERENCES searches (id) ON DELETE SET NULL,
            total INTEGER, attempts INTEGER NOT NULL DEFAULT 0, updated_at INTEGER,
            PRIMARY KEY (job_id, idx)) WITHOUT ROWID;
        PRAGMA user_version = 4;";
    let v5 =
        "CREATE TABLE details (provider TEXT NOT NULL, offer_key TEXT NOT NULL, raw TEXT NOT NULL,
            fetched_at INTEGER NOT NULL, PRIMARY KEY (provider, offer_key)) WITHOUT ROWID;
        PRAGMA user_version = 5;";
    let v6 = "ALTER TABLE results ADD COLUMN position INTEGER;
        ALTER TABLE results ADD COLUMN picture_key TEXT;
        UPDATE results SET position = rank;
        CREATE INDEX results_by_position ON results (search_id, position);
        CREATE INDEX results_by_picture ON results (search_id, picture_key, position);
        PRAGMA user_version = 6;";
    let v7 = "CREATE TABLE preferences (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        PRAGMA user_version = 7;";
    let v8 =
        "CREATE TABLE freights (provider TEXT NOT NULL, query_key TEXT NOT NULL, raw TEXT NOT NULL,
            fetched_at INTEGER NOT NULL, PRIMARY KEY (provider, query_key)) WITHOUT ROWID;
        CREATE INDEX freights_by_age ON freights (fetched_at);
        PRAGMA user_version = 8;";
    let v9 = "ALTER TABLE offers ADD COLUMN seller_key TEXT;
        CREATE INDEX offers_by_seller ON offers (provider, seller_key) WHERE seller_key IS NOT NULL;
        PRAGMA user_version = 9;";
    for (version, sql) in [
        (1, v1.to_string()),
        (2, format!("{v1}{v2}")),
        (3, format!("{v1}{v2}{v3}")),
        (4, format!("{v1}{v2}{v3}{v4}")),
        (5, format!("{v1}{v2}{v3}{v4}{v5}")),
        (6, format!("{v1}{v2}{v3}{v4}{v5}{v6}")),
        (7, format!("{v1}{v2}{v3}{v4}{v5}{v6}{v7}")),
        (8, format!("{v1}{v2}{v3}{v4}{v5}{v6}{v7}{v8}")),
        (9, format!("{v1}{v2}{v3}{v4}{v5}{v6}{v7}{v8}{v9}")),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tusou.db");
        let conn = rusqlite::Connection::open(&path).unwrap();
        // The offer goes in after the rows naming it.
        conn.pragma_update(None, "foreign_keys", false).unwrap();
        conn.execute_batch(&sql).unwrap();
        conn.execute(
            "INSERT INTO offers (provider, offer_key, offer, first_seen, last_seen, last_price_fen)
             VALUES ('dajisaas', 'id:1', ?1, 1, 1, 150)",
            [serde_json::to_string(&sold_by(offer(1, 150), "甲厂")).unwrap()],
        )
        .unwrap();
        if version >= 9 {
            // As v9 wrote it: the seller's key beside the offer.
            conn.execute("UPDATE offers SET seller_key = 'company:甲厂'", [])
                .unwrap();
        }
        drop(conn);
        assert_eq!(user_version(&path), version);
        let (store, notices) = open(&path, None);
        assert!(notices.is_empty(), "v{version}: {notices:?}");
        assert_eq!(user_version(&path), LATEST);
        let search = store.recent_searches(1).unwrap().remove(0);
        let loaded = store.load_search(search.id).unwrap().unwrap();
        let price = if version == 1 { 150 } else { 120 };
        // v4: the batch tables are there and empty.
        assert!(store.jobs(10).unwrap().is_empty(), "v{version}");
        assert_eq!(loaded.offers[0].price, Some(Price(price)), "v{version}");
        // v6: the old rows are numbered, and read back by position.
        assert!(loaded.readable, "v{version}");
        let at = store.offers_at(search.id, 0..1).unwrap();
        assert_eq!(at.len(), 1, "v{version}");
        assert_eq!(at[0].1.price, Some(Price(price)), "v{version}");
        // v5: details are kept and read back.
        assert_eq!(store.detail("dajisaas", "1").unwrap(), None, "v{version}");
        let detail =
            tusou::api::OfferDetail::from_value(serde_json::json!({"minOrderQuantity": 20}))
                .unwrap();
        store.save_detail("dajisaas", "1", &detail).unwrap();
        let kept = store.detail("dajisaas", "1").unwrap().unwrap();
        assert_eq!(kept.detail.min_order, Some(20), "v{version}");
        let list = store.shortlist().unwrap();
        assert_eq!(list[0].note, "ask MOQ", "v{version}");
        // v8: freight estimates are kept and read back.
        let query = tusou::api::FreightQuery {
            offer_id: "1".into(),
            destination: tusou::api::Destination::new("440000", "440100", "440111").unwrap(),
            total: 500,
            skus: Vec::new(),
        };
        assert_eq!(
            store.freight("dajisaas", &query).unwrap(),
            None,
            "v{version}"
        );
        let quote = tusou::api::FreightQuote::from_value(serde_json::json!({"freight": "25"}), 500)
            .unwrap();
        store.save_freight("dajisaas", &query, &quote).unwrap();
        let kept = store.freight("dajisaas", &query).unwrap().unwrap();
        assert_eq!(kept.quote.outcome(), quote.outcome(), "v{version}");
        // v9: the offer's seller is known from its stored JSON, and so is
        // how often it appears; the offer reads back with its seller.
        let company = tusou::api::SellerKey::Company("甲厂".into());
        assert_eq!(
            store.seller_appearances("dajisaas", &company).unwrap(),
            tusou::store::SellerAppearances {
                searches: 1,
                offers: 1
            },
            "v{version}"
        );
        assert_eq!(
            loaded.offers[0]
                .seller
                .as_ref()
                .and_then(|s| s.company.as_deref()),
            Some("甲厂"),
            "v{version}"
        );
        let suppliers = store
            .suppliers(&tusou::store::SupplierQuery {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(suppliers.sellers.len(), 1, "v{version}");
        assert_eq!(suppliers.sellers[0].key, "company:甲厂", "v{version}");
        // v10: watches are kept, listed and run; the search a run
        // recorded is the one before the next.
        let params = tusou::api::SearchParams::default();
        let watch = store
            .add_watch(&tusou::store::NewWatch {
                source: "shoe.jpg",
                picture: Some(b"jpeg"),
                picture_md5: "aa",
                thumbnail: None,
                provider: "dajisaas",
                params: &params,
                pages: 1,
                qty: None,
                lane: None,
                every_secs: 3600,
                drop_bps: 500,
            })
            .unwrap();
        assert_eq!(store.watches().unwrap().len(), 1, "v{version}");
        let run = store.start_run(watch, Some(search.id)).unwrap();
        store
            .finish_run(watch, run, &tusou::store::RunCounts::default())
            .unwrap();
        let next = store.start_run(watch, None).unwrap();
        assert_eq!(
            store.last_done_search(watch, next).unwrap(),
            Some(search.id),
            "v{version}"
        );
        // v11: offers split out of a group stay apart.
        let apart = tusou::store::OfferRef {
            provider: "dajisaas".into(),
            key: "id:1".into(),
        };
        store.keep_apart(&[apart]).unwrap();
        assert_eq!(
            store.kept_apart("dajisaas").unwrap(),
            ["id:1"],
            "v{version}"
        );
    }
}

fn sold_by(offer: Offer, company: &str) -> Offer {
    Offer {
        seller: Some(tusou::api::Seller {
            company: Some(company.into()),
            ..Default::default()
        }),
        ..offer
    }
}

mod processes {
    use super::*;
    use std::process::{Command, Output};
    use tusou_sim::SimConfig;

    /// `tusou` with its directories under `dirs` (the data directory as
    /// given), no credentials: the demo simulator on 127.0.0.1.
    pub(super) fn tusou(args: &[&str], dirs: &Path, data: &Path, env: &[(&str, &str)]) -> Output {
        command(args, dirs, data, env)
            .output()
            .expect("binary runs")
    }

    pub(super) fn command(
        args: &[&str],
        dirs: &Path,
        data: &Path,
        env: &[(&str, &str)],
    ) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tusou"));
        cmd.args(args)
            .env("TUSOU_CONFIG_DIR", dirs.join("config"))
            .env("TUSOU_CACHE_DIR", dirs.join("cache"))
            .env("TUSOU_DATA_DIR", data)
            .env_remove("TUSOU_APP_KEY")
            .env_remove("TUSOU_ACCESS_KEY")
            .env_remove("TUSOU_PROVIDER")
            .env_remove("TUSOU_TEST_DB_MAX_PAGES");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd
    }

    pub(super) fn photo(dir: &Path) -> PathBuf {
        let config = SimConfig::default();
        let id = tusou_sim::catalog_offer_ids(&config, 3)[2].clone();
        let path = dir.join("photo.jpg");
        std::fs::write(
            &path,
            tusou_sim::catalog_image(&config, &id).expect("image"),
        )
        .expect("write");
        path
    }

    pub(super) fn save_args(photo: &Path) -> Vec<String> {
        [
            "search",
            photo.to_str().expect("utf-8 path"),
            "--save",
            "--demo",
            "--pages",
            "2",
            "--page-size",
            "20",
            "--format",
            "jsonl",
        ]
        .map(String::from)
        .to_vec()
    }

    fn stderr(out: &Output) -> String {
        String::from_utf8_lossy(&out.stderr).into_owned()
    }

    fn rows(out: &Output) -> usize {
        String::from_utf8_lossy(&out.stdout).lines().count()
    }

    /// Four `tusou search --save` processes started at once on a new data
    /// directory (so they also race to create and migrate the file): every
    /// search and every result is there afterwards.
    #[test]
    fn four_processes_saving_at_once_lose_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let children: Vec<_> = (0..4)
            .map(|_| {
                command(&args, dir.path(), &data, &[])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("spawn")
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().expect("wait");
            assert!(out.status.success(), "{}", stderr(&out));
            assert_eq!(rows(&out), 40);
            assert!(!stderr(&out).contains("history:"), "{}", stderr(&out));
        }
        let (store, _) = open(&data.join("tusou.db"), None);
        let searches = store.recent_searches(10).unwrap();
        assert_eq!(searches.len(), 4);
        for s in &searches {
            assert_eq!(s.provider, "demo-dajisaas");
            assert_eq!(s.loaded, 40, "{s:?}");
            assert_eq!(store.load_search(s.id).unwrap().unwrap().offers.len(), 40);
        }
        assert_eq!(
            store.source_history(&searches[0].source_md5).unwrap().times,
            4
        );
    }

    /// A data directory that cannot exist (its parent is a file; unlike
    /// permissions this binds for root too): the search prints its results
    /// and says history is off; `tusou history` fails with exit 1.
    #[test]
    fn an_unwritable_data_directory_still_searches() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a-file");
        std::fs::write(&file, b"x").unwrap();
        let data = file.join("data");
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tusou(&args, dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(rows(&out), 40);
        let err = stderr(&out);
        assert_eq!(err.matches("tusou: history:").count(), 1, "{err}");
        assert!(err.contains("tusou: history: off ("), "{err}");
        let out = tusou(&["history"], dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(1));
        assert!(stderr(&out).contains("history is off"), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
    }

    /// A full disk, simulated by a page limit on the run's connection: the
    /// search prints every result, says the history could not be saved,
    /// and succeeds; nothing half-written is left.
    #[test]
    fn a_full_disk_still_prints_the_results() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join("tusou.db");
        drop(open(&path, None));
        let pages: i64 = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let limit = pages.to_string();
        let out = tusou(
            &args,
            dir.path(),
            &data,
            &[("TUSOU_TEST_DB_MAX_PAGES", &limit)],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(rows(&out), 40);
        let err = stderr(&out);
        assert_eq!(err.matches("tusou: history:").count(), 1, "{err}");
        assert!(err.contains("could not save this search"), "{err}");
        assert!(err.contains("full"), "{err}");
        let (store, _) = open(&path, None);
        for s in store.recent_searches(10).unwrap() {
            assert_eq!(s.loaded, 0, "no page half-written: {s:?}");
        }
    }

    /// A full disk when the first page is written: the search is not
    /// listed in the history (it said "not kept"), rather than listed with
    /// nothing in it.
    #[test]
    fn a_full_disk_leaves_no_half_recorded_search_listed() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let path = data.join("tusou.db");
        drop(open(&path, None));
        let pages: i64 = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let limit = pages.to_string();
        let out = tusou(
            &args,
            dir.path(),
            &data,
            &[("TUSOU_TEST_DB_MAX_PAGES", &limit)],
        );
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stderr(&out).contains("not kept"), "{}", stderr(&out));
        let (store, _) = open(&path, None);
        assert_eq!(store.recent_searches(10).unwrap(), []);
    }

    /// Pages damaged by `dd`: `tusou history` used to fail (exit 1, "malformed")
    /// on every run. The file is kept aside, said so, and history works; the
    /// next `--save` is kept.
    #[test]
    fn history_after_dd_keeps_the_file_aside_and_works() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let path = data.join("tusou.db");
        let page_size = filled(&path, 60);
        let pages = std::fs::metadata(&path).unwrap().len() / page_size;
        damage_pages(&path, &[pages / 4, pages / 2, pages - 3], page_size);
        let out = tusou(&["history"], dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let aside = kept(&data, "tusou.db.corrupt-");
        assert_eq!(aside.len(), 1, "{aside:?}");
        let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(stderr(&out).contains(&name), "{}", stderr(&out));
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tusou(&args, dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(!stderr(&out).contains("history:"), "{}", stderr(&out));
        let (store, _) = open(&path, None);
        assert_eq!(store.recent_searches(10).unwrap()[0].loaded, 40);
    }

    /// A read-only database file: `tusou history` and `tusou shortlist`
    /// read it (exit 0); `--save` prints its results and says they are not
    /// kept; the file is unchanged.
    #[cfg(unix)]
    #[test]
    fn a_read_only_file_is_listed_by_history_and_shortlist() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let path = data.join("tusou.db");
        filled(&path, 3);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444)).unwrap();
        let before = std::fs::read(&path).unwrap();
        let out = tusou(&["history"], dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("shoe.jpg"));
        assert!(stderr(&out).contains("read-only"), "{}", stderr(&out));
        let out = tusou(&["shortlist"], dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(String::from_utf8_lossy(&out.stdout).contains("offer 1"));
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tusou(&args, dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert_eq!(rows(&out), 40);
        assert!(stderr(&out).contains("not kept"), "{}", stderr(&out));
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(kept(&data, "tusou.db.").is_empty());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    /// A corrupt file met by `tusou search --save`: kept aside, said so on
    /// stderr, and the search saved in a new file.
    #[test]
    fn a_corrupt_file_is_kept_aside_and_the_search_saved() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        std::fs::write(data.join("tusou.db"), vec![0x42u8; 5000]).unwrap();
        let photo = photo(dir.path());
        let args = save_args(&photo);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = tusou(&args, dir.path(), &data, &[]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let err = stderr(&out);
        let aside = kept(&data, "tusou.db.corrupt-");
        assert_eq!(aside.len(), 1, "{aside:?}");
        let name = aside[0].file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            err.contains("tusou: history: ") && err.contains(&name),
            "{err}"
        );
        assert_eq!(std::fs::read(&aside[0]).unwrap(), vec![0x42u8; 5000]);
        let (store, _) = open(&data.join("tusou.db"), None);
        assert_eq!(store.recent_searches(10).unwrap()[0].loaded, 40);
    }
}
