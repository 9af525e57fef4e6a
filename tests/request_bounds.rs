//! Defect 28.12: request fields too long to send are refused where they are
//! read, at once (usage errors exit 2, configuration errors exit 6), not
//! sent, failed to build and retried as network errors (exit 5 after 8 s).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};
use tusou_sim::SimConfig;

/// `tusou search` in demo mode with `envs` set; answers its output and time.
fn search(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (Output, Duration) {
    let photo = photo(dir);
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_tusou"))
        .arg("search")
        .arg(&photo)
        .args(args)
        .env("TUSOU_CONFIG_DIR", dir.join("config"))
        .env("TUSOU_CACHE_DIR", dir.join("cache"))
        .env("TUSOU_DATA_DIR", dir.join("data"))
        .env_remove("TUSOU_APP_KEY")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER")
        .env_remove("TUSOU_COUNTRY")
        .env_remove("TUSOU_OUT_MEMBER_ID")
        .envs(envs.iter().copied())
        .output()
        .expect("binary runs");
    (out, started.elapsed())
}

fn photo(dir: &Path) -> PathBuf {
    let config = SimConfig::default();
    let id = tusou_sim::catalog_offer_ids(&config, 2)[1].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(&path, tusou_sim::catalog_image(&config, &id).unwrap()).unwrap();
    path
}

#[test]
fn overlong_request_fields_on_the_command_line_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let long = "x".repeat(100_000);
    let boxes = vec!["1,1,2,2"; 10_000].join(";");
    for (flag, value) in [
        ("--country", long.as_str()),
        ("--out-member-id", long.as_str()),
        ("--region", boxes.as_str()),
    ] {
        let (out, took) = search(dir.path(), &[flag, value], &[]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "{flag}: {}",
            &err[..err.len().min(500)]
        );
        assert!(err.contains(flag), "{flag}: {}", &err[..err.len().min(500)]);
        assert!(took < Duration::from_secs(3), "{flag}: {took:?}");
    }
    // In bounds, they pass.
    let (out, _) = search(
        dir.path(),
        &["--country", "en", "--region", "0,0,50,50"],
        &[],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn overlong_request_fields_in_the_config_are_config_errors() {
    let dir = tempfile::tempdir().unwrap();
    let long = "y".repeat(100_000);
    for key in ["TUSOU_COUNTRY", "TUSOU_OUT_MEMBER_ID"] {
        let (out, took) = search(dir.path(), &[], &[(key, long.as_str())]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(6),
            "{key}: {}",
            &err[..err.len().min(500)]
        );
        assert!(err.contains(key), "{key}: {err}");
        // The value is named by its start and size, not echoed whole.
        assert!(err.len() < 2_000, "{key}: {} bytes of stderr", err.len());
        assert!(took < Duration::from_secs(3), "{key}: {took:?}");
    }
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config").join("config.toml"),
        format!("out_member_id = \"{long}\"\n"),
    )
    .unwrap();
    let (out, _) = search(dir.path(), &[], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(6), "{}", &err[..err.len().min(500)]);
    assert!(err.contains("out_member_id"), "{err}");
}
