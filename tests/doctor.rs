//! `tusou doctor`, the real binary against the simulator over loopback.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::Output;
use tusou_sim::{self as sim, SimConfig, SimCredentials, SimHandle};

async fn start(config: SimConfig) -> SimHandle {
    sim::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("simulator starts")
}

/// Runs `tusou doctor` with `env` (and nothing from the caller's config).
async fn doctor(env: Vec<(&'static str, String)>) -> (Output, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tusou"));
        cmd.arg("doctor")
            .env("TUSOU_CONFIG_DIR", dir.path().join("config"))
            .env("TUSOU_CACHE_DIR", dir.path().join("cache"))
            .env("TUSOU_DATA_DIR", dir.path().join("data"));
        for name in [
            "TUSOU_APP_KEY",
            "TUSOU_APP_SECRET",
            "TUSOU_DAJI_BASE_URL",
            "TUSOU_ACCESS_KEY",
            "TUSOU_SECRET_KEY",
            "TUSOU_USER_ID",
            "TUSOU_BASE_URL",
            "TUSOU_PROVIDER",
        ] {
            cmd.env_remove(name);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("binary runs")
    })
    .await
    .expect("joined");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out, text)
}

fn daji_env(sim: &SimHandle, secret: &str) -> Vec<(&'static str, String)> {
    let c = SimCredentials::demo();
    vec![
        ("TUSOU_PROVIDER", "dajisaas".into()),
        ("TUSOU_DAJI_BASE_URL", sim.base_url()),
        ("TUSOU_APP_KEY", c.app_key.clone()),
        ("TUSOU_APP_SECRET", secret.into()),
    ]
}

fn signed_env(sim: &SimHandle) -> Vec<(&'static str, String)> {
    let c = SimCredentials::demo();
    vec![
        ("TUSOU_PROVIDER", "signed-header".into()),
        ("TUSOU_BASE_URL", sim.base_url()),
        ("TUSOU_ACCESS_KEY", c.access_key.clone()),
        ("TUSOU_SECRET_KEY", c.secret_key.clone()),
        ("TUSOU_USER_ID", c.user_id.clone()),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn every_step_is_ok_against_the_simulator_and_no_secret_is_shown() {
    let sim = start(SimConfig::default()).await;
    let c = SimCredentials::demo();
    let (out, text) = doctor(daji_env(&sim, &c.app_secret)).await;
    assert_eq!(out.status.code(), Some(0), "{text}");
    for needle in [
        "provider  dajisaas",
        "upload    ok",
        "query     ok",
        "clock     in step",
        "all steps ok",
    ] {
        assert!(text.contains(needle), "{needle:?} in {text}");
    }
    let shown: String = c.app_key.chars().take(4).collect();
    assert!(text.contains(&format!("{shown}…")), "{text}");
    assert!(!text.contains(&c.app_key), "whole key shown: {text}");
    assert!(!text.contains(&c.app_secret), "secret shown: {text}");
    let uploads = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/alibaba/upload/image")
        .count();
    assert_eq!(uploads, 1, "a real upload");

    let (out, text) = doctor(signed_env(&sim)).await;
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("upload    not needed"), "{text}");
    assert!(!text.contains(&c.secret_key), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_fails_the_signed_step_with_the_providers_message_and_exit_4() {
    let sim = start(SimConfig::default()).await;
    let (out, text) = doctor(daji_env(&sim, "not-the-secret")).await;
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(
        text.contains("upload    FAILED · authentication failed"),
        "{text}"
    );
    // The simulator's own words for a bad signature reach the user.
    let requests = sim.requests();
    let upload = requests.last().expect("the upload was sent");
    assert_eq!(upload.status, 200);
    assert!(text.contains("sign"), "{text}");
    assert!(!text.contains("not-the-secret"), "{text}");
    assert!(!text.contains("query     ok"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_clock_twenty_minutes_off_is_reported_before_the_query_fails() {
    let sim = start(SimConfig {
        clock_offset_secs: 1200,
        ..SimConfig::default()
    })
    .await;
    let (out, text) = doctor(signed_env(&sim)).await;
    let clock = text
        .lines()
        .find(|l| l.trim_start().starts_with("clock"))
        .unwrap_or_default()
        .to_string();
    let seconds: f64 = clock
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or(0.0);
    assert!((1195.0..=1205.0).contains(&seconds), "{clock}");
    assert!(clock.contains("behind the server"), "{clock}");
    assert!(clock.contains("more than 600 s"), "{clock}");
    // The signed query then fails as the provider says, with exit 4.
    assert_eq!(out.status.code(), Some(4), "{text}");
    assert!(text.contains("query     FAILED"), "{text}");
    assert!(text.contains("set this machine's clock"), "{text}");
    assert!(!text.contains("check the key and secret"), "{text}");
}

/// Defect 28.10: the clock is read from the signed replies doctor already
/// gets; it sends no unsigned `GET /` of its own (a request in no
/// provider's contract). The server here answers 404 to everything, with
/// hyper's own `Date`, and counts the requests for `/`.
#[tokio::test(flavor = "multi_thread")]
async fn the_clock_check_sends_no_request_outside_the_contract() {
    use axum::http::{StatusCode, Uri};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let root = Arc::new(AtomicUsize::new(0));
    let other = Arc::new(AtomicUsize::new(0));
    let app = {
        let (root, other) = (Arc::clone(&root), Arc::clone(&other));
        axum::Router::new().fallback(move |uri: Uri| {
            let hit = if uri.path() == "/" { &root } else { &other };
            hit.fetch_add(1, Ordering::SeqCst);
            async { (StatusCode::NOT_FOUND, "404 page not found") }
        })
    };
    let listener = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("listener binds");
    let base_url = format!("http://{}", listener.local_addr().expect("bound address"));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let c = SimCredentials::demo();
    let (_, text) = doctor(vec![
        ("TUSOU_PROVIDER", "signed-header".into()),
        ("TUSOU_BASE_URL", base_url),
        ("TUSOU_ACCESS_KEY", c.access_key.clone()),
        ("TUSOU_SECRET_KEY", c.secret_key.clone()),
        ("TUSOU_USER_ID", c.user_id.clone()),
    ])
    .await;
    assert_eq!(root.load(Ordering::SeqCst), 0, "an unsigned GET /: {text}");
    assert!(
        other.load(Ordering::SeqCst) >= 1,
        "the signed query: {text}"
    );
    assert!(text.contains("clock     in step"), "{text}");
}
