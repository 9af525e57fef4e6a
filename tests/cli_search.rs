//! `tusou search` as a script uses it: the real binary, the in-process demo
//! simulator, results on stdout, messages on stderr, meaningful exit codes.

use std::path::Path;
use std::process::{Command, Output};
use tusou_sim::{self as sim, SimConfig};

fn tusou(args: &[&str], dirs: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tusou"))
        .args(args)
        .env("TUSOU_CONFIG_DIR", dirs.join("config"))
        .env("TUSOU_CACHE_DIR", dirs.join("cache"))
        .env("TUSOU_DATA_DIR", dirs.join("data"))
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .output()
        .expect("binary runs")
}

fn catalog_photo(dir: &Path) -> (String, std::path::PathBuf) {
    let config = SimConfig::default();
    let id = sim::catalog_offer_ids(&config, 12)[11].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(&path, sim::catalog_image(&config, &id).expect("image")).expect("write");
    (id, path)
}

#[test]
fn json_output_is_machine_readable_and_finds_the_photo() {
    let dir = tempfile::tempdir().unwrap();
    let (id, photo) = catalog_photo(dir.path());
    let out = tusou(
        &[
            "search",
            photo.to_str().unwrap(),
            "--format",
            "json",
            "--pages",
            "2",
            "--page-size",
            "10",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    let rows = rows.as_array().expect("array");
    assert_eq!(rows.len(), 20);
    assert_eq!(rows[0]["offer_id"], id.as_str());
    assert_eq!(rows[19]["rank"], 20);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("demo"), "stderr says demo: {stderr}");
}

#[test]
fn csv_output_respects_price_range() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let out = tusou(
        &[
            "search",
            photo.to_str().unwrap(),
            "--format",
            "csv",
            "--min",
            "10",
            "--max",
            "30",
            "--sort",
            "price-asc",
            "--provider",
            "signed-header",
        ],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().unwrap().clone();
    let price_col = headers.iter().position(|h| h == "price").unwrap();
    let prices: Vec<f64> = reader
        .records()
        .map(|r| r.unwrap()[price_col].parse().unwrap())
        .collect();
    assert!(!prices.is_empty());
    assert!(
        prices.iter().all(|p| (10.0..=30.0).contains(p)),
        "{prices:?}"
    );
    assert!(prices.windows(2).all(|w| w[0] <= w[1]), "sorted ascending");
}

#[test]
fn exit_codes_tell_usage_and_input_errors_apart() {
    let dir = tempfile::tempdir().unwrap();
    let out = tusou(
        &["search", "x.jpg", "--min", "30", "--max", "10"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());

    let out = tusou(&["search", "/nonexistent/photo.jpg"], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/photo.jpg"));

    let text = dir.path().join("notes.jpg");
    std::fs::write(&text, "this is not an image").unwrap();
    let out = tusou(&["search", text.to_str().unwrap()], dir.path());
    assert_eq!(out.status.code(), Some(3));
    assert!(out.stdout.is_empty());
}

/// A config whose provider listens nowhere (a closed port on loopback), so
/// the first request fails at once: for DajiSaaS the upload, for the
/// signed-header provider (no upload) page 1.
fn unreachable_provider(dir: &Path, provider: &str) {
    let config = dir.join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    let text = match provider {
        "dajisaas" => {
            "[dajisaas]\napp_key = \"k\"\napp_secret = \"s\"\nbase_url = \"http://127.0.0.1:1\"\n"
        }
        _ => {
            "[signed_header]\naccess_key = \"k\"\nsecret_key = \"s\"\nbase_url = \"http://127.0.0.1:1\"\n"
        }
    };
    std::fs::write(
        config.join("config.toml"),
        format!("{text}[network]\nretries = 0\nconnect_timeout_secs = 2\n"),
    )
    .expect("config file");
}

#[test]
fn early_failures_keep_the_format_s_shape_and_say_the_step() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let photo = photo.to_str().unwrap();
    for (provider, step) in [
        ("dajisaas", "upload failed"),
        ("signed-header", "page 1 failed"),
    ] {
        unreachable_provider(dir.path(), provider);
        let json = tusou(&["search", photo, "--format", "json"], dir.path());
        let said = String::from_utf8_lossy(&json.stderr);
        assert_eq!(json.status.code(), Some(5), "{provider}: {said}");
        assert!(said.contains(step), "{provider}: {said}");
        let rows: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
        assert_eq!(rows, serde_json::json!([]), "{provider}");

        let csv = tusou(&["search", photo, "--format", "csv"], dir.path());
        assert_eq!(csv.status.code(), Some(5), "{provider}");
        let text = String::from_utf8_lossy(&csv.stdout);
        assert!(text.starts_with("rank,"), "{provider}: a header: {text:?}");
        assert_eq!(text.lines().count(), 1, "{provider}: {text:?}");
    }
}

#[test]
fn a_saved_search_keeps_the_picture_by_its_absolute_path() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let run = |args: &[&str], cwd: &Path| {
        Command::new(env!("CARGO_BIN_EXE_tusou"))
            .args(args)
            .current_dir(cwd)
            .env("TUSOU_CONFIG_DIR", dir.path().join("config"))
            .env("TUSOU_CACHE_DIR", dir.path().join("cache"))
            .env("TUSOU_DATA_DIR", dir.path().join("data"))
            .env_remove("TUSOU_APP_KEY")
            .env_remove("TUSOU_ACCESS_KEY")
            .env_remove("TUSOU_PROVIDER")
            .output()
            .expect("binary runs")
    };
    let out = run(
        &["search", "photo.jpg", "--save", "--format", "jsonl"],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = run(&["history", "--json"], elsewhere.path());
    let rows: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(rows[0]["source"], photo.to_str().unwrap(), "{rows}");
}

#[test]
fn a_redirected_stderr_gets_no_colour() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let out = Command::new(env!("CARGO_BIN_EXE_tusou"))
        .args(["search", photo.to_str().unwrap(), "--format", "jsonl"])
        .env("TUSOU_CONFIG_DIR", dir.path().join("config"))
        .env("TUSOU_CACHE_DIR", dir.path().join("cache"))
        .env("TUSOU_DATA_DIR", dir.path().join("data"))
        .env("TUSOU_LOG", "debug")
        .env_remove("NO_COLOR")
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .output()
        .expect("binary runs");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("DEBUG"), "log lines are there: {said:.500}");
    assert!(!said.contains('\u{1b}'), "no escape codes: {said:.500}");
}

/// `--qty N --lane NAME`: each row's landed cost per piece by the lane (the
/// demo's example `air`), worked out from its detail and freight estimate,
/// or what is missing — never a zero. The lane must exist, and needs
/// `--qty`.
#[test]
fn a_lane_adds_each_offers_landed_cost_or_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let photo = photo.to_str().unwrap();
    let out = tusou(
        &[
            "search", photo, "--format", "csv", "--qty", "500", "--lane", "air",
        ],
        dir.path(),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("landed cost by lane air"), "{stderr}");
    let mut rows = csv::Reader::from_reader(out.stdout.as_slice());
    let header = rows.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (lane, landed, unit) = (col("lane"), col("landed_cost"), col("unit_cost"));
    let rows: Vec<csv::StringRecord> = rows.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 20);
    let mut known = 0;
    for r in &rows {
        assert_eq!(&r[lane], "air (example)");
        match r[landed].parse::<f64>() {
            // Freight, fees and duty only add to the goods.
            Ok(cost) => {
                known += 1;
                let goods: f64 = r[unit].parse().expect("a unit cost");
                assert!(cost > goods, "{cost} ≤ {goods}");
            }
            Err(_) => assert!(r[landed].starts_with("? "), "{:?}", &r[landed]),
        }
    }
    assert!(known >= 10, "{known} of 20 known");

    let out = tusou(&["search", photo, "--lane", "air"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--lane needs --qty"));
    let out = tusou(
        &["search", photo, "--qty", "5", "--lane", "boat"],
        dir.path(),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("air") && stderr.contains("sea"), "{stderr}");
}

/// The freight estimates kept in the history file (`TUSOU_DATA_DIR`).
fn kept_freights(dirs: &Path) -> Vec<(String, i64)> {
    let conn = rusqlite::Connection::open(dirs.join("data").join("tusou.db")).expect("db opens");
    let mut st = conn
        .prepare("SELECT query_key, fetched_at FROM freights ORDER BY query_key")
        .expect("freights table");
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .expect("rows")
        .map(Result::unwrap)
        .collect()
}

#[test]
fn freight_estimates_are_kept_and_reused_for_a_day() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let args = [
        "search",
        photo.to_str().unwrap(),
        "--format",
        "jsonl",
        "--qty",
        "500",
        "--lane",
        "air",
    ];
    let out = tusou(&args, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = kept_freights(dir.path());
    assert!(
        (10..=20).contains(&first.len()),
        "one estimate per offer with a detail: {first:?}"
    );
    assert!(first.iter().all(|(k, _)| k.contains("|500|")), "{first:?}");

    // Within a day they are used as kept; one a day old is asked again.
    let conn = rusqlite::Connection::open(dir.path().join("data").join("tusou.db")).unwrap();
    conn.execute("UPDATE freights SET fetched_at = fetched_at - 3600", [])
        .unwrap();
    let stale = &first[0].0;
    conn.execute(
        "UPDATE freights SET fetched_at = fetched_at - 86400 WHERE query_key = ?1",
        [stale],
    )
    .unwrap();
    drop(conn);
    let before = kept_freights(dir.path());
    let out = tusou(&args, dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = kept_freights(dir.path());
    assert_eq!(after.len(), before.len());
    for ((key, was), (_, now)) in before.iter().zip(&after) {
        if key == stale {
            assert!(now > was, "the stale one is asked again: {key}");
        } else {
            assert_eq!(now, was, "reused, not asked: {key}");
        }
    }
}

/// `--keyword` searches within the picture's results: an offer whose
/// title holds the word comes first (the simulator ranks by its titles).
/// Empty words and a provider that takes none are refused before anything
/// is sent.
#[test]
fn a_keyword_brings_the_offers_whose_titles_hold_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let (_, photo) = catalog_photo(dir.path());
    let photo = photo.to_str().unwrap();
    let titles = |out: &Output| -> Vec<String> {
        let mut rows = csv::Reader::from_reader(out.stdout.as_slice());
        let header = rows.headers().unwrap().clone();
        let (zh, en) = (
            header.iter().position(|h| h == "title").expect("title"),
            header
                .iter()
                .position(|h| h == "title_en")
                .expect("title_en"),
        );
        rows.records()
            .map(|r| {
                let r = r.unwrap();
                format!("{} {}", &r[zh], &r[en]).to_lowercase()
            })
            .collect()
    };
    let plain = tusou(&["search", photo, "--format", "csv"], dir.path());
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let before = titles(&plain);
    // A word of a later title that the first one lacks.
    let word = before
        .iter()
        .skip(1)
        .flat_map(|t| t.split(|c: char| !c.is_ascii_alphabetic()))
        .find(|w| w.len() >= 4 && !before[0].contains(*w))
        .expect("a word the first title lacks")
        .to_string();
    let out = tusou(
        &["search", photo, "--format", "csv", "--keyword", &word],
        dir.path(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let after = titles(&out);
    assert!(after[0].contains(&word), "{word}: {after:#?}");

    let empty = tusou(&["search", photo, "--keyword", "  "], dir.path());
    assert_eq!(empty.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&empty.stderr).contains("keyword is empty"));
    let refused = tusou(
        &[
            "search",
            photo,
            "--provider",
            "signed-header",
            "--hint",
            "star mug",
        ],
        dir.path(),
    );
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("nothing was sent"), "{said}");
}
