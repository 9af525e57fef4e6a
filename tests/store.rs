//! The history store from outside: migrations, several writers at once, and
//! what happens to a corrupt, newer or unwritable database.

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

const TABLES: [&str; 6] = [
    "image_ids",
    "offers",
    "price_history",
    "results",
    "searches",
    "shortlist",
];

#[test]
fn a_new_store_starts_at_the_latest_schema_in_a_new_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("tusou").join("tusou.db");
    let (store, notices) = open(&path, None);
    assert!(notices.is_empty(), "{notices:?}");
    drop(store);
    assert_eq!(tables(&path), TABLES);
    assert_eq!(user_version(&path), 2);
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
    std::fs::write(
        &json,
        br#"{"scopes":{"https://x k":{"aa":{"image_id":"11","stored":1700000000}},
            "https://y k":{"aa":{"image_id":"22","stored":1700000001},"bb":{"image_id":"33","stored":1}}}}"#,
    )
    .unwrap();
    let (store, notices) = open(&path, Some(&json));
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert!(notices[0].contains("imported 3 image ids"), "{notices:?}");
    let ids = store.image_ids();
    assert_eq!(ids.get("https://x k", "aa").as_deref(), Some("11"));
    assert_eq!(ids.get("https://y k", "aa").as_deref(), Some("22"));
    assert_eq!(ids.get("https://y k", "bb").as_deref(), Some("33"));
    assert!(!json.exists());
    assert!(json.with_extension("json.imported").exists());
    drop((ids, store));
    assert_eq!(tables(&path), TABLES);
    assert_eq!(user_version(&path), 2);
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
    assert_eq!(user_version(&path), 2);
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

/// A read-only directory, with and without a database in it: history is
/// off and the file is left as it was. (Skipped where permissions do not
/// bind, as for root.)
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
        for d in [&empty, &full] {
            match Store::open(&d.join("tusou.db"), None) {
                Opened::Off { reason } => assert!(reason.contains("history is off"), "{reason}"),
                Opened::On { .. } => panic!("a store in read-only {}", d.display()),
            }
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
