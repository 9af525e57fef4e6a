//! `tusou batch` as a user runs it: the real binary against a simulator on
//! 127.0.0.1 (its own process state, reached with the live DajiSaaS
//! settings so image ids are cached as in real use), 50 catalog photos,
//! the sheet read back with a reader crate, a `kill -9` in the middle and
//! a resume, and the simulator's own count of requests per second.
#![allow(clippy::unwrap_used)]

mod common;

use calamine::{Reader, Xlsx, open_workbook};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};
use tusou_sim::{Faults, Latency, SimConfig, SimCredentials, SimHandle};

struct Setup {
    dir: tempfile::TempDir,
    sim: SimHandle,
    /// Serves the simulator for as long as the test runs.
    _rt: tokio::runtime::Runtime,
}

impl Setup {
    fn new(rate_limit: Option<f64>, latency_ms: u64) -> Setup {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt
            .block_on(tusou_sim::spawn(
                SimConfig {
                    rate_limit,
                    faults: Faults {
                        latency: if latency_ms > 0 {
                            Latency::Fixed(Duration::from_millis(latency_ms))
                        } else {
                            Latency::None
                        },
                        ..Faults::default()
                    },
                    ..SimConfig::default()
                },
                "127.0.0.1:0".parse().unwrap(),
            ))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        Setup { dir, sim, _rt: rt }
    }

    /// `n` distinct catalog pictures in `photos/`.
    fn photos(&self, n: usize) -> PathBuf {
        common::distinct_photos(self.dir.path(), n)
    }

    fn command(&self, args: &[&str]) -> Command {
        let d = self.dir.path();
        let creds = SimCredentials::demo();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tusou"));
        cmd.arg("batch")
            .args(args)
            .env("TUSOU_CONFIG_DIR", d.join("config"))
            .env("TUSOU_CACHE_DIR", d.join("cache"))
            .env("TUSOU_DATA_DIR", d.join("data"))
            .env("TUSOU_EXPORT_DIR", d.join("out"))
            .env("TUSOU_DAJI_BASE_URL", self.sim.base_url())
            .env("TUSOU_APP_KEY", creds.app_key)
            .env("TUSOU_APP_SECRET", creds.app_secret)
            .env("TUSOU_PROVIDER", "dajisaas")
            .env_remove("TUSOU_ACCESS_KEY")
            .env_remove("TUSOU_TEST_DB_MAX_PAGES")
            .env_remove("TUSOU_CURRENCY")
            .env_remove("TUSOU_RATE");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the binary runs")
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Rows of a sheet, as strings ("" for empty cells).
fn rows(path: &Path, sheet: &str) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = open_workbook(path).expect("the sheet opens");
    let range = book.worksheet_range(sheet).expect("the sheet is there");
    range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect()
}

/// Pictures embedded in the workbook (its `xl/media/` entries).
fn pictures(path: &Path) -> usize {
    let book: Xlsx<_> = open_workbook(path).expect("the sheet opens");
    book.pictures().map_or(0, |p| p.len())
}

#[test]
fn fifty_photos_become_a_sheet_with_pictures_and_links() {
    let s = Setup::new(None, 0);
    let photos = s.photos(50);
    let out = s.dir.path().join("sheet.xlsx");
    let result = s.run(&[
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--top",
        "3",
        "--rate",
        "200",
        "--concurrency",
        "8",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let photos_sheet = rows(&out, "Photos");
    assert_eq!(photos_sheet.len(), 1 + 50, "header + one row per photo");
    let header = &photos_sheet[0];
    let link_col = header
        .iter()
        .position(|h| h == "1 link")
        .expect("a link column");
    for row in &photos_sheet[1..] {
        assert!(
            row[link_col].starts_with("https://detail.1688.com/offer/"),
            "{row:?}"
        );
    }
    let matches = rows(&out, "Matches");
    assert_eq!(matches.len(), 1 + 50 * 3, "every match flat");
    // Query pictures and match pictures, embedded.
    assert!(pictures(&out) >= 50 + 50, "{} pictures", pictures(&out));
    // Each photo's search is in the history.
    let listed = s.run(&["--list"]);
    let text = String::from_utf8_lossy(&listed.stdout);
    assert!(text.contains("finished"), "{text}");
    assert_eq!(s.sim.stats().uploads, 50, "one upload per photo");
}

#[test]
fn killed_midway_the_same_command_goes_on_without_searching_twice() {
    let s = Setup::new(Some(20.0), 150);
    let photos = s.photos(50);
    let out = s.dir.path().join("sheet.csv");
    let args = [
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--rate",
        "20",
        "--concurrency",
        "2",
    ];
    let mut child = s
        .command(&args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.sim.stats().queries < 20 {
        assert!(
            Instant::now() < deadline,
            "no progress: {:?}",
            s.sim.stats()
        );
        assert!(child.try_wait().unwrap().is_none(), "finished too soon");
        std::thread::sleep(Duration::from_millis(2));
    }
    child.kill().unwrap(); // SIGKILL: no chance to tidy up
    child.wait().unwrap();
    let at_kill = s.sim.stats();
    assert!(at_kill.queries < 50, "{at_kill:?}");
    assert!(!out.exists(), "no sheet before the job is done");

    let again = s.run(&args);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(
        stderr(&again).contains("going on with batch job"),
        "{}",
        stderr(&again)
    );
    let stats = s.sim.stats();
    // A photo whose upload reached the provider just before the SIGKILL, but
    // whose image id never reached the store, is uploaded again: at most the
    // photos in flight (the concurrency, 2). Every photo recorded is not.
    assert!(
        (50..=50 + 2).contains(&stats.uploads),
        "no recorded upload repeated: {stats:?}"
    );
    assert!(
        stats.queries <= 50 + 2,
        "at most the photos in flight at the kill are queried again: {stats:?}"
    );
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let mut seen = std::collections::BTreeSet::new();
    for r in reader.records() {
        let r = r.unwrap();
        seen.insert(r[0].to_string());
    }
    assert_eq!(seen.len(), 50, "all 50 photos in the sheet");
}

#[test]
fn the_rate_is_never_exceeded_and_failures_are_listed() {
    let s = Setup::new(Some(10.0), 0);
    let photos = s.photos(12);
    std::fs::write(photos.join("broken.jpg"), b"not a picture at all").unwrap();
    let out = s.dir.path().join("sheet.jsonl");
    let started = Instant::now();
    let result = s.run(&[
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--rate",
        "10",
        "--concurrency",
        "6",
    ]);
    let took = started.elapsed();
    assert_eq!(
        result.status.code(),
        Some(tusou::commands::batch::EXIT_SOME_FAILED as i32),
        "{}",
        stderr(&result)
    );
    assert!(
        stderr(&result).contains("broken.jpg"),
        "{}",
        stderr(&result)
    );
    let stats = s.sim.stats();
    assert_eq!(stats.rate_limited, 0, "{stats:?}");
    assert!(stats.max_per_second <= 11, "{stats:?}");
    // 24 requests (12 uploads + 12 queries) at 10/s take at least 2.3 s.
    assert!(took >= Duration::from_millis(2_300), "{took:?}");
    let lines = std::fs::read_to_string(&out).unwrap();
    let failed: Vec<&str> = lines.lines().filter(|l| l.contains("failed")).collect();
    assert_eq!(failed.len(), 1, "{lines}");
}

/// `--qty`: every match's detail is fetched once (each offer once), its
/// MOQ, tiers and ship-from are in the sheet, and the unit cost at the
/// quantity is the tier price the detail gives (or why not).
#[test]
fn qty_puts_moq_tiers_and_the_unit_cost_in_the_sheet() {
    let s = Setup::new(None, 0);
    let photos = s.photos(4);
    let out = s.dir.path().join("sheet.csv");
    let result = s.run(&[
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--top",
        "3",
        "--qty",
        "500",
        "--rate",
        "200",
    ]);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let (moq, tiers, ship, unit) = (col("moq"), col("tiers"), col("ship_from"), col("unit_cost"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4 * 3);
    for row in &rows {
        let min: u64 = row[moq]
            .parse()
            .unwrap_or_else(|_| panic!("moq in {row:?}"));
        assert!(!row[tiers].is_empty(), "{row:?}");
        if min > 500 {
            assert_eq!(&row[unit], format!("below MOQ {min}"), "{row:?}");
        } else {
            let cost: f64 = row[unit].parse().unwrap_or_else(|_| panic!("{row:?}"));
            assert!(cost > 0.0, "{row:?}");
        }
    }
    // The simulator leaves the shipping part out of some details.
    assert!(rows.iter().any(|r| !r[ship].is_empty()));
    let distinct: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r.get(col("offer_id")).unwrap())
        .collect();
    assert_eq!(
        s.sim.stats().details,
        distinct.len() as u64,
        "each offer's detail once"
    );
    // A second sheet of the same job reads the details from the store.
    let again = s.run(&[
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--top",
        "3",
        "--qty",
        "500",
        "--rate",
        "200",
    ]);
    assert!(again.status.code().is_some());
    assert_eq!(
        s.sim.stats().details,
        distinct.len() as u64,
        "{}",
        stderr(&again)
    );
}

/// A live-mode config with one lane and a warehouse (the simulator's
/// freight estimates), the fees set, no fallback domestic rate.
const LANDED_CONFIG: &str = r#"
[landed]
agent_fee_pct = 5
duty_pct = 5
vat_pct = 20

[landed.warehouse]
province = "330000"
city = "330700"
district = "330782"

[landed.de_minimis]
amount = 150
currency = "EUR"
rate = 7.7

[[landed.lanes]]
name = "air"
divisor = 6000
currency = "USD"
rate = 7.1
base_fee = 3.00
per_kg_fee = 6.50
min_fee = 15.00
rates_checked = "2026-12-01"
"#;

/// Issue 24: `--qty N --lane NAME` puts each match's landed cost in the
/// sheet: a number above the unit cost for a match with its detail,
/// weight and freight, `? what is missing` for the others (never a
/// zero); each freight question asked once, and a second sheet of the job
/// within a day asks none.
#[test]
fn a_lane_puts_each_matchs_landed_cost_in_the_sheet() {
    let s = Setup::new(None, 0);
    let photos = s.photos(4);
    let config = s.dir.path().join("config");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("config.toml"), LANDED_CONFIG).unwrap();
    let out = s.dir.path().join("sheet.csv");
    let args = [
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--top",
        "3",
        "--qty",
        "500",
        "--lane",
        "air",
        "--rate",
        "200",
    ];
    let result = s.run(&args);
    assert_eq!(result.status.code(), Some(0), "{}", stderr(&result));
    assert!(
        stderr(&result).contains("landed cost by lane air"),
        "{}",
        stderr(&result)
    );
    let mut reader = csv::Reader::from_path(&out).unwrap();
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no {name} column in {header:?}"))
    };
    let (lane, landed, unit) = (col("lane"), col("landed_cost"), col("unit_cost"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4 * 3);
    let (mut known, mut unknown) = (0, 0);
    for row in &rows {
        assert_eq!(&row[lane], "air", "{row:?}");
        match row[landed].parse::<f64>() {
            Ok(cost) => {
                known += 1;
                // Freight, fees and duty only add to the goods.
                let goods: f64 = row[unit].parse().unwrap_or_else(|_| panic!("{row:?}"));
                assert!(cost > goods, "{cost} ≤ {goods}: {row:?}");
            }
            Err(_) => {
                unknown += 1;
                assert!(row[landed].starts_with("? "), "{row:?}");
            }
        }
    }
    assert!(known >= 4, "{known} known, {unknown} unknown");
    let asked = s.sim.stats().freights;
    assert!(
        asked > 0 && asked <= rows.len() as u64,
        "{asked} freight estimates for {} matches",
        rows.len()
    );

    // A second sheet of the same job: the estimates are kept for a day.
    std::fs::remove_file(&out).unwrap();
    let again = s.run(&args);
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert_eq!(s.sim.stats().freights, asked, "{}", stderr(&again));
    let second = std::fs::read_to_string(&out).unwrap();
    let first: Vec<String> = rows.iter().map(|r| r[landed].to_string()).collect();
    let mut reader = csv::Reader::from_reader(second.as_bytes());
    let again: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[landed].to_string())
        .collect();
    assert_eq!(again, first, "the same costs from the kept estimates");

    // --lane without --qty is a usage error.
    let no_qty = s.run(&[photos.to_str().unwrap(), "--lane", "air"]);
    assert_eq!(no_qty.status.code(), Some(2), "{}", stderr(&no_qty));
}

/// Issue 28.2: `--out` is checked before the first request. An unknown
/// format, a missing folder, a directory or a device used to cost a whole
/// batch of searches before "unknown sheet format".
#[test]
fn an_out_that_cannot_be_written_is_refused_before_any_request() {
    let s = Setup::new(None, 0);
    let photos = s.photos(3);
    let d = s.dir.path();
    std::fs::create_dir(d.join("folder.csv")).unwrap();
    let outs = [
        d.join("x.pdf"),
        d.join("nodir/x.xlsx"),
        d.join("folder.csv"),
        PathBuf::from("/dev/null"),
    ];
    for out in &outs {
        let result = s.run(&[photos.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{out:?}: {}",
            stderr(&result)
        );
        assert!(stderr(&result).contains("--out"), "{}", stderr(&result));
        let stats = s.sim.stats();
        assert_eq!((stats.uploads, stats.queries), (0, 0), "{out:?}: {stats:?}");
    }
    assert!(d.join("folder.csv").is_dir());
}

/// Issue 28.1: a sheet the user names is never written over what is
/// there, nor through a symlink (it used to replace both).
#[test]
fn batch_never_overwrites_a_file_or_follows_a_symlink() {
    let s = Setup::new(None, 0);
    let photos = s.photos(3);
    let d = s.dir.path();
    let taken = d.join("taken.csv");
    std::fs::write(&taken, "mine").unwrap();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let link = d.join("link.jsonl");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    #[cfg(not(unix))]
    std::fs::write(&link, "taken").unwrap();
    for out in [&taken, &link] {
        let result = s.run(&[photos.to_str().unwrap(), "--out", out.to_str().unwrap()]);
        assert_eq!(
            result.status.code(),
            Some(2),
            "{out:?}: {}",
            stderr(&result)
        );
        assert!(
            stderr(&result).contains("never overwrites"),
            "{}",
            stderr(&result)
        );
    }
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "mine");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(s.sim.stats().queries, 0);
}

/// Issue 28.3: a job is finished only when its sheet is on disk. The sheet
/// cannot be written (its folder went away during the run): the job stays
/// unfinished, and `--resume --out OTHER` writes the sheet there without
/// searching any photo again. (It used to be marked finished with no sheet,
/// and `--resume` found no unfinished job.)
#[test]
fn a_job_whose_sheet_was_not_written_is_resumed_without_searching_again() {
    let s = Setup::new(Some(20.0), 100);
    let photos = s.photos(4);
    let d = s.dir.path();
    let gone = d.join("gone");
    std::fs::create_dir(&gone).unwrap();
    let first = gone.join("sheet.csv");
    let child = s
        .command(&[
            photos.to_str().unwrap(),
            "--out",
            first.to_str().unwrap(),
            "--concurrency",
            "1",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while s.sim.stats().uploads < 1 {
        assert!(Instant::now() < deadline, "no progress");
        std::thread::sleep(Duration::from_millis(1));
    }
    std::fs::remove_dir(&gone).unwrap();
    let result = child.wait_with_output().unwrap();
    assert_eq!(result.status.code(), Some(1), "{}", stderr(&result));
    assert!(stderr(&result).contains("--resume"), "{}", stderr(&result));
    let searched = s.sim.stats();
    assert_eq!(searched.queries, 4, "{searched:?}");

    let listed = s.run(&["--list"]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(listed.contains("unfinished"), "{listed}");

    let second = d.join("sheet.csv");
    let resumed = s.run(&["--resume", "--out", second.to_str().unwrap()]);
    assert_eq!(resumed.status.code(), Some(0), "{}", stderr(&resumed));
    let lines = std::fs::read_to_string(&second).unwrap();
    assert!(lines.lines().count() > 4, "{lines}");
    assert_eq!(s.sim.stats().queries, 4, "nothing searched again");
    let listed = s.run(&["--list"]);
    let listed = String::from_utf8_lossy(&listed.stdout).into_owned();
    assert!(
        listed.contains("finished") && !listed.contains("unfinished"),
        "{listed}"
    );
    assert!(listed.contains("sheet.csv"), "{listed}");
}
