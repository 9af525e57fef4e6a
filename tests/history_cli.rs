//! `tusou history` and `tusou shortlist` as scripts use them: the real
//! binary on temporary directories, searches saved against the demo
//! simulator on 127.0.0.1, the shortlist starred through the library on the
//! same database file.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tusou::api::{Offer, Price};
use tusou::store::{Opened, Status, Store};
use tusou_sim::SimConfig;

fn tusou(args: &[&str], dirs: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusou"))
        .args(args)
        .env("TUSOU_CONFIG_DIR", dirs.join("config"))
        .env("TUSOU_CACHE_DIR", dirs.join("cache"))
        .env("TUSOU_DATA_DIR", dirs.join("data"))
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .env_remove("TUSOU_TEST_DB_MAX_PAGES")
        .output()
        .expect("binary runs")
}

fn ok(out: &Output) -> &[u8] {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    &out.stdout
}

fn photo(dir: &Path) -> PathBuf {
    let config = SimConfig::default();
    let id = tusou_sim::catalog_offer_ids(&config, 5)[4].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(
        &path,
        tusou_sim::catalog_image(&config, &id).expect("image"),
    )
    .expect("write");
    path
}

fn store(dirs: &Path) -> Store {
    match Store::open(&dirs.join("data").join("tusou.db"), None) {
        Opened::On { store, .. } => store,
        Opened::Off { reason } => panic!("{reason}"),
    }
}

#[test]
fn saved_searches_are_listed_newest_first_with_their_counts() {
    let dir = tempfile::tempdir().unwrap();
    let photo = photo(dir.path());
    let photo = photo.to_str().unwrap();
    // Not saved: no history.
    ok(&tusou(&["search", photo, "--format", "jsonl"], dir.path()));
    ok(&tusou(
        &[
            "search", photo, "--save", "--format", "jsonl", "--pages", "2",
        ],
        dir.path(),
    ));
    ok(&tusou(
        &[
            "search",
            photo,
            "--save",
            "--format",
            "jsonl",
            "--page-size",
            "10",
            "--min",
            "5",
            "--sort",
            "price-asc",
            "--provider",
            "signed-header",
        ],
        dir.path(),
    ));
    let out = tusou(&["history", "--json"], dir.path());
    let rows: serde_json::Value = serde_json::from_slice(ok(&out)).expect("JSON");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (newest, oldest) = (&rows[0], &rows[1]);
    assert!(newest["id"].as_i64() > oldest["id"].as_i64());
    assert_eq!(newest["provider"], "demo-signed-header");
    assert_eq!(newest["loaded"], 10);
    assert!(newest["total"].as_u64().unwrap() >= 10);
    let filters = newest["filters"].as_str().unwrap();
    assert!(
        filters.contains("≥ ¥5.00") && filters.contains("price ↑"),
        "{filters}"
    );
    assert_eq!(oldest["provider"], "demo-dajisaas");
    assert_eq!(oldest["loaded"], 40);
    assert_eq!(oldest["source"], photo);
    assert_eq!(oldest["filters"], "");
    assert_eq!(
        newest["source_md5"], oldest["source_md5"],
        "same picture, same name"
    );
    let date = oldest["date"].as_str().unwrap();
    assert_eq!(date.len(), "2026-11-23 14:02".len(), "{date}");

    let out = tusou(&["history", "--json", "--limit", "1"], dir.path());
    let rows: serde_json::Value = serde_json::from_slice(ok(&out)).unwrap();
    assert_eq!(rows.as_array().unwrap().len(), 1);

    let out = tusou(&["history"], dir.path());
    let table = String::from_utf8(ok(&out).to_vec()).unwrap();
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len(), 3, "{table}");
    assert!(lines[0].contains("date (UTC)"), "{table}");
    assert!(lines[2].contains("40/"), "{table}");
}

#[test]
fn the_shortlist_exports_as_csv_json_jsonl_and_a_table() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing starred yet: a header only, an empty array.
    let out = tusou(&["shortlist", "--format", "json"], dir.path());
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(ok(&out)).unwrap(),
        serde_json::json!([])
    );
    let st = store(dir.path());
    let shoe = Offer {
        offer_id: Some("610947572360".into()),
        title: "运动鞋\u{1b}[2J".into(),
        price: Some(Price(2350)),
        ..Offer::default()
    };
    let handle_only = Offer {
        offer_map_id: Some("wmNAp5Cy0001".into()),
        title: "=cmd".into(),
        image_url: Some("https://cbu01.alicdn.com/img/O1CN01x.jpg".into()),
        ..Offer::default()
    };
    let a = st.star("dajisaas", &shoe).unwrap();
    st.set_note(&a, "ask for MOQ\u{7}").unwrap();
    st.set_status(&a, Status::SampleOrdered).unwrap();
    st.star("demo-signed-header", &handle_only).unwrap();
    drop(st);

    let out = tusou(&["shortlist", "--format", "csv"], dir.path());
    let mut reader = csv::Reader::from_reader(ok(&out));
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2);
    // Newest first.
    assert_eq!(&rows[0][col("provider")], "demo-signed-header");
    assert_eq!(&rows[0][col("title")], "'=cmd");
    assert_eq!(&rows[0][col("offer_map_id")], "wmNAp5Cy0001");
    assert_eq!(&rows[0][col("status")], "to ask");
    assert_eq!(&rows[1][col("status")], "sample ordered");
    assert_eq!(&rows[1][col("price")], "23.50");
    assert_eq!(
        &rows[1][col("link")],
        "https://detail.1688.com/offer/610947572360.html"
    );
    assert!(rows[1][col("note")].starts_with("ask for MOQ"));

    let out = tusou(&["shortlist", "--format", "json"], dir.path());
    let json: serde_json::Value = serde_json::from_slice(ok(&out)).unwrap();
    assert_eq!(json[1]["note"].as_str().unwrap().trim(), "ask for MOQ");
    assert_eq!(json[1]["status"], "sample ordered");

    let out = tusou(&["shortlist", "--format", "jsonl"], dir.path());
    let lines: Vec<serde_json::Value> = String::from_utf8(ok(&out).to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["provider"], "demo-signed-header");

    let out = tusou(&["shortlist"], dir.path());
    let table = String::from_utf8(ok(&out).to_vec()).unwrap();
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table:?}"
    );
    assert!(
        table.contains("picture https://cbu01.alicdn.com/img/O1CN01x.jpg"),
        "{table}"
    );
    assert_eq!(table.lines().count(), 3);

    // A workbook, by the file's name; a formula-leading title stays text.
    let xlsx = dir.path().join("shortlist.xlsx");
    let out = tusou(&["shortlist", "--out", xlsx.to_str().unwrap()], dir.path());
    ok(&out);
    use calamine::{Data, Reader, Xlsx, open_workbook};
    let mut book: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let range = book.worksheet_range("Shortlist").unwrap();
    let rows: Vec<Vec<Data>> = range.rows().map(<[Data]>::to_vec).collect();
    assert_eq!(rows.len(), 3, "header + 2");
    let col = |name: &str| rows[0].iter().position(|c| *c == name).unwrap();
    assert_eq!(rows[1][col("title")], Data::Empty);
    assert_eq!(
        rows[1][col("title (original)")],
        Data::String("=cmd".into())
    );
    assert_eq!(rows[2][col("price ¥")], Data::Float(23.5));
    assert_eq!(
        rows[2][col("status")],
        Data::String("sample ordered".into())
    );
    assert_eq!(
        rows[2][col("link")].to_string(),
        "https://detail.1688.com/offer/610947572360.html"
    );
    let formulas = book.worksheet_formula("Shortlist").unwrap();
    assert!(formulas.used_cells().all(|(_, _, f)| f.is_empty()));
    let bad = tusou(&["shortlist", "--out", "x.txt"], dir.path());
    assert_eq!(
        bad.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[test]
fn history_off_is_a_failure_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    // The data directory's place is taken by a file.
    std::fs::write(dir.path().join("data"), b"x").unwrap();
    for args in [&["history"][..], &["shortlist", "--format", "csv"][..]] {
        let out = tusou(args, dir.path());
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        assert!(out.stdout.is_empty());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("history is off"), "{err}");
    }
}

/// Issue 28.1: `tusou shortlist --out FILE` never writes through a symlink
/// (it used to replace the link's target) nor over an existing file: the
/// user named it, so it is refused (exit 2) and both stay as they were.
#[test]
fn shortlist_out_never_follows_a_symlink_or_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let link = d.join("s.json");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::write(&link, "taken").unwrap();
    let taken = d.join("s.csv");
    std::fs::write(&taken, "mine").unwrap();
    for out in [&link, &taken] {
        let result = tusou(&["shortlist", "--out", out.to_str().unwrap()], d);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{}",
            String::from_utf8_lossy(&result.stderr)
        );
        assert!(String::from_utf8_lossy(&result.stderr).contains("never overwrites"));
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "mine");
    // A free name is written, and nothing else is left beside it.
    let fresh = d.join("fresh.xlsx");
    ok(&tusou(&["shortlist", "--out", fresh.to_str().unwrap()], d));
    assert!(std::fs::read(&fresh).unwrap().starts_with(b"PK"));
    let mut names: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') || n.ends_with(".part"))
        .collect();
    names.sort();
    assert!(names.is_empty(), "{names:?}");
}
