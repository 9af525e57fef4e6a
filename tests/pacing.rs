//! Defect 28.7: every provider request from every command goes through the
//! one pacer, and no one-second window at the provider holds more requests
//! than the rate. The real binary against a simulator on 127.0.0.1 that
//! counts the API requests arriving in any sliding second.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tusou_sim::{SimConfig, SimCredentials, SimHandle};

struct Setup {
    dir: tempfile::TempDir,
    sim: SimHandle,
    /// Serves the simulator for as long as the test runs.
    _rt: tokio::runtime::Runtime,
}

impl Setup {
    fn new(config: SimConfig) -> Setup {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt
            .block_on(tusou_sim::spawn(config, "127.0.0.1:0".parse().unwrap()))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("config")).unwrap();
        Setup { dir, sim, _rt: rt }
    }

    /// `n` distinct catalog pictures in `photos/`.
    fn photos(&self, n: usize) -> PathBuf {
        common::distinct_photos(self.dir.path(), n)
    }

    fn run(&self, args: &[&str]) -> Output {
        let d = self.dir.path();
        let creds = SimCredentials::demo();
        Command::new(env!("CARGO_BIN_EXE_tusou"))
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
            .env_remove("TUSOU_RATE")
            .output()
            .expect("the binary runs")
    }

    fn config(&self, text: &str) {
        std::fs::write(self.dir.path().join("config").join("config.toml"), text).unwrap();
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The percentage in "… at a rate of 5/s (NN %) …".
fn reported_percent(stderr: &str) -> Option<f64> {
    let line = stderr.lines().find(|l| l.contains(" at a rate of "))?;
    let open = line.find('(')?;
    let close = line[open..].find(" %)")? + open;
    line[open + 1..close].trim().parse().ok()
}

/// `tusou batch --rate 5`: no second holds more than 5 requests at the
/// provider, and the rate it reports is not over 100 %.
#[test]
fn batch_keeps_to_its_rate_in_every_second_and_says_so_truthfully() {
    let s = Setup::new(SimConfig::default());
    let photos = s.photos(8);
    let out = s.dir.path().join("sheet.jsonl");
    let result = s.run(&[
        "batch",
        photos.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--rate",
        "5",
        "--concurrency",
        "4",
    ]);
    let err = stderr(&result);
    assert!(result.status.success(), "{err}");
    let stats = s.sim.stats();
    eprintln!(
        "batch at 5/s: {stats:?}; tusou said: {:?}",
        err.lines().find(|l| l.contains(" at a rate of "))
    );
    assert!(stats.uploads + stats.queries >= 16, "{stats:?}");
    assert!(stats.max_per_second <= 5, "{stats:?}\n{err}");
    let percent = reported_percent(&err).unwrap_or_else(|| panic!("no rate reported: {err}"));
    assert!(percent <= 100.0, "{err}");
}

/// `tusou search --all --qty` fetches every offer's detail, and those go
/// through the pacer too, at the provider's rate from the config.
#[test]
fn search_all_qty_keeps_to_the_providers_rate() {
    let s = Setup::new(SimConfig {
        max_results: 40,
        ..SimConfig::default()
    });
    s.config("[batch]\nrate = 10\n");
    let photo = photo(s.dir.path());
    let result = s.run(&[
        "search",
        photo.to_str().unwrap(),
        "--all",
        "--page-size",
        "20",
        "--qty",
        "10",
        "--format",
        "jsonl",
    ]);
    let err = stderr(&result);
    assert!(result.status.success(), "{err}");
    let stats = s.sim.stats();
    eprintln!("search --all --qty at 10/s: {stats:?}");
    assert!(stats.details >= 30, "the details were fetched: {stats:?}");
    assert!(stats.max_per_second <= 10, "{stats:?}\n{err}");
}

fn photo(dir: &Path) -> PathBuf {
    let config = SimConfig::default();
    let id = tusou_sim::catalog_offer_ids(&config, 3)[2].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(&path, tusou_sim::catalog_image(&config, &id).unwrap()).unwrap();
    path
}
