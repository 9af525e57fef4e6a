//! The user's currency in `tusou search`: `currency`/`rate` from
//! config.toml, `TUSOU_CURRENCY`/`TUSOU_RATE` over them, a converted price
//! column in the output, and a clear error for half a setting.
#![cfg(feature = "demo")] // searches the built-in demo simulator

use std::path::Path;
use std::process::{Command, Output};
use tusou_sim::{self as sim, SimConfig};

fn tusou(args: &[&str], dirs: &Path, env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tusou"));
    cmd.args(args)
        .env("TUSOU_CONFIG_DIR", dirs.join("config"))
        .env("TUSOU_CACHE_DIR", dirs.join("cache"))
        .env("TUSOU_DATA_DIR", dirs.join("data"))
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .env_remove("TUSOU_CURRENCY")
        .env_remove("TUSOU_RATE");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("binary runs")
}

fn photo(dir: &Path) -> String {
    let config = SimConfig::default();
    let id = sim::catalog_offer_ids(&config, 5)[4].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(&path, sim::catalog_image(&config, &id).expect("image")).expect("write");
    path.to_string_lossy().into_owned()
}

fn csv_rows(out: &Output) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let headers = reader.headers().expect("header").clone();
    (headers, reader.records().map(|r| r.expect("row")).collect())
}

#[test]
fn config_currency_adds_a_converted_column_and_env_overrides_it() {
    let dir = tempfile::tempdir().unwrap();
    let photo = photo(dir.path());
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    let config = dir.path().join("config/config.toml");
    std::fs::write(&config, "currency = \"usd\"\nrate = 7.1\n").unwrap();
    let args = [
        "search",
        photo.as_str(),
        "--format",
        "csv",
        "--page-size",
        "5",
    ];

    let (headers, rows) = csv_rows(&tusou(&args, dir.path(), &[]));
    let at = |name: &str| headers.iter().position(|h| h == name).expect(name);
    let (price, usd) = (at("price"), at("price_usd"));
    assert_eq!(rows.len(), 5);
    for row in &rows {
        let yuan: f64 = row[price].parse().unwrap();
        let converted: f64 = row[usd].parse().unwrap();
        assert!((converted - yuan / 7.1).abs() <= 0.005 + 1e-9, "{row:?}");
    }

    let env = [("TUSOU_CURRENCY", "eur"), ("TUSOU_RATE", "7.7")];
    let (headers, rows) = csv_rows(&tusou(&args, dir.path(), &env));
    assert!(headers.iter().any(|h| h == "price_eur"));
    assert!(!headers.iter().any(|h| h == "price_usd"));
    assert_eq!(rows.len(), 5);

    // Half a setting is a config error naming the file, before any search.
    std::fs::write(&config, "currency = \"USD\"\n").unwrap();
    let out = tusou(&args, dir.path(), &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("config.toml") && stderr.contains("needs its rate"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}
