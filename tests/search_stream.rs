//! `tusou search` streams: rows go out as pages arrive, a failure keeps
//! what was written (JSON stays a closed array) and says which page failed,
//! memory does not grow with the number of results, and a closed pipe ends
//! the run quietly. The real binary, in live mode, against a stub provider
//! on loopback whose pages the test controls.

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;
use tusou_sim::{self as sim, SimConfig};

/// How a page of the stub answers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PageReply {
    Offers,
    /// HTTP 503 every time.
    Unavailable,
    /// Empty, with totals of zero (as if the search had vanished).
    ZeroTotals,
}

#[derive(Clone)]
struct Stub {
    pages: u32,
    page_size: u32,
    title_len: usize,
    special: Arc<HashMap<u32, PageReply>>,
    /// Page 2 waits for this (or a few seconds) before it is answered.
    hold_page_2: Option<Arc<Mutex<mpsc::Receiver<()>>>>,
    /// Set when page 2 was let go by the signal rather than by the wait's end.
    released_by_signal: Arc<AtomicBool>,
}

async fn upload() -> &'static str {
    r#"{"code":200,"message":"操作成功","data":{"imageId":"1164408192156408878"},"traceId":"t"}"#
}

async fn query(State(stub): State<Stub>, Query(q): Query<HashMap<String, String>>) -> Response {
    let page: u32 = q.get("beginPage").and_then(|p| p.parse().ok()).unwrap_or(1);
    if page == 2
        && let Some(rx) = stub.hold_page_2.clone()
    {
        let released = tokio::task::spawn_blocking(move || {
            rx.lock()
                .map(|rx| rx.recv_timeout(Duration::from_secs(10)).is_ok())
                .unwrap_or(false)
        })
        .await
        .unwrap_or(false);
        stub.released_by_signal.store(released, Ordering::SeqCst);
    }
    let reply = stub
        .special
        .get(&page)
        .copied()
        .unwrap_or(PageReply::Offers);
    let (records, total_pages, rows) = match reply {
        PageReply::Unavailable => {
            return (StatusCode::SERVICE_UNAVAILABLE, "<html>503</html>").into_response();
        }
        PageReply::ZeroTotals => (0, 0, 0),
        PageReply::Offers if page > stub.pages => (stub.pages * stub.page_size, stub.pages, 0),
        PageReply::Offers => (stub.pages * stub.page_size, stub.pages, stub.page_size),
    };
    let filler = "x".repeat(stub.title_len);
    let items: Vec<String> = (0..rows)
        .map(|i| {
            let id = 600_000_000_000u64 + u64::from(page * 1000 + i);
            format!(
                r#"{{"offerId":"{id}","subject":"offer {page}-{i} {filler}","priceInfo":{{"price":"9.90"}},"monthSold":3}}"#
            )
        })
        .collect();
    format!(
        r#"{{"code":200,"message":"ok","data":{{"totalRecords":{records},"totalPage":{total_pages},"pageSize":{},"currentPage":{page},"data":[{}]}}}}"#,
        stub.page_size,
        items.join(",")
    )
    .into_response()
}

/// Runs the stub on its own thread and runtime; answers its base URL.
fn start(stub: Stub) -> String {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Runtime::new() else {
            return;
        };
        rt.block_on(async move {
            let app = Router::new()
                .route("/alibaba/upload/image", post(upload))
                .route("/alibaba/product/imageQuery", get(query))
                .with_state(stub);
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let _ = tx.send(listener.local_addr().expect("addr"));
            axum::serve(listener, app).await.ok();
        });
    });
    format!("http://{}", rx.recv().expect("stub starts"))
}

fn stub(pages: u32, page_size: u32) -> Stub {
    Stub {
        pages,
        page_size,
        title_len: 10,
        special: Arc::new(HashMap::new()),
        hold_page_2: None,
        released_by_signal: Arc::new(AtomicBool::new(false)),
    }
}

fn photo(dir: &Path) -> PathBuf {
    let config = SimConfig::default();
    let id = sim::catalog_offer_ids(&config, 1)[0].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(&path, sim::catalog_image(&config, &id).expect("image")).expect("write");
    path
}

/// `tusou search PHOTO ARGS…` against `base`, one retry with short waits
/// would be the config's business: `[network] retries = 1`.
fn command(dir: &Path, base: &str, args: &[&str]) -> Command {
    let config = dir.join("config");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::write(config.join("config.toml"), "[network]\nretries = 1\n").expect("config");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_tusou"));
    cmd.arg("search")
        .arg(photo(dir))
        .args(args)
        .env("TUSOU_CONFIG_DIR", &config)
        .env("TUSOU_CACHE_DIR", dir.join("cache"))
        .env("TUSOU_DATA_DIR", dir.join("data"))
        .env("TUSOU_DAJI_BASE_URL", base)
        .env("TUSOU_APP_KEY", "stub-key")
        .env("TUSOU_APP_SECRET", "stub-secret")
        .env_remove("TUSOU_ACCESS_KEY")
        .env_remove("TUSOU_PROVIDER");
    cmd
}

fn run(dir: &Path, base: &str, args: &[&str]) -> Output {
    command(dir, base, args).output().expect("binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn a_failure_on_page_4_keeps_the_pages_before_it_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = stub(10, 20);
    s.special = Arc::new(HashMap::from([(4, PageReply::Unavailable)]));
    let base = start(s);
    let args = |format| vec!["--pages", "5", "--page-size", "20", "--format", format];
    for format in ["json", "jsonl", "csv", "table"] {
        let out = run(dir.path(), &base, &args(format));
        let stderr = text(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(5),
            "{format}: network exit; {stderr}"
        );
        assert!(
            stderr.contains("page 4 failed after 3 pages (60 offers) were written: "),
            "{format}: {stderr}"
        );
        assert!(
            stderr.contains("503"),
            "{format}: the cause is said: {stderr}"
        );
        let stdout = text(&out.stdout);
        let rows = match format {
            "json" => {
                let v: serde_json::Value =
                    serde_json::from_str(&stdout).expect("a closed JSON array");
                let rows = v.as_array().expect("array").len();
                assert_eq!(v[59]["rank"], 60);
                rows
            }
            "jsonl" => {
                for line in stdout.lines() {
                    serde_json::from_str::<serde_json::Value>(line).expect("one object a line");
                }
                stdout.lines().count()
            }
            "csv" => csv::Reader::from_reader(stdout.as_bytes())
                .records()
                .count(),
            _ => stdout.lines().count() - 1,
        };
        assert_eq!(rows, 60, "{format}: {stdout}");
    }
}

#[test]
fn a_page_with_totals_of_zero_mid_stream_is_a_failure_not_the_end() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = stub(10, 20);
    s.special = Arc::new(HashMap::from([(3, PageReply::ZeroTotals)]));
    let base = start(s);
    let out = run(dir.path(), &base, &["--pages", "5", "--format", "jsonl"]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{stderr}");
    assert!(
        stderr.contains("page 3 failed after 2 pages (40 offers) were written"),
        "{stderr}"
    );
    assert!(stderr.contains("came back empty"), "{stderr}");
    assert_eq!(text(&out.stdout).lines().count(), 40);
}

#[test]
fn rows_go_out_as_pages_arrive() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (release, held) = mpsc::channel();
    let mut s = stub(3, 20);
    s.hold_page_2 = Some(Arc::new(Mutex::new(held)));
    let released = s.released_by_signal.clone();
    let base = start(s);
    let mut child = command(dir.path(), &base, &["--pages", "3", "--format", "csv"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // Page 2 is held until page 1's rows are seen here (or 10 s pass).
    let header = lines.next().and_then(Result::ok).unwrap_or_default();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    let _ = release.send(());
    let rest = lines.count();
    let status = child.wait().expect("wait");
    assert!(status.success());
    assert!(header.starts_with("rank,"), "{header}");
    assert!(first.starts_with("1,"), "{first}");
    assert_eq!(rest, 59);
    assert!(
        released.load(Ordering::SeqCst),
        "page 1's rows were out before page 2 was answered"
    );
}

#[test]
fn a_closed_pipe_ends_the_run_quietly_with_success() {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = start(stub(100, 50));
    let mut child = command(
        dir.path(),
        &base,
        &["--all", "--page-size", "50", "--format", "jsonl"],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("spawn");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut first = String::new();
    stdout.read_line(&mut first).expect("a line");
    drop(stdout); // as `| head -1` does
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("stderr");
    let status = child.wait().expect("wait");
    assert!(first.starts_with("{\"rank\":1,"), "{first}");
    assert!(status.success(), "{status:?}: {stderr}");
    let lower = stderr.to_lowercase();
    assert!(
        !lower.contains("pipe") && !lower.contains("error") && !lower.contains("fail"),
        "{stderr}"
    );
    // It stopped early rather than fetching all 100 pages.
    assert!(!stderr.contains("page 100/100"), "{stderr}");
}

/// Peak RSS of a running child, polled from /proc until it exits (VmHWM is
/// the kernel's high-water mark, so a poll misses at most the last few
/// milliseconds before exit). Answers (peak KiB, stdout bytes, exit code).
fn run_measured(mut child: Child) -> (u64, usize, Option<i32>) {
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut sink = vec![0u8; 1 << 16];
        let mut n = 0;
        while let Ok(k) = stdout.read(&mut sink) {
            if k == 0 {
                break;
            }
            n += k;
        }
        n
    });
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(kib) = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak = peak.max(kib);
        }
        if let Ok(Some(status)) = child.try_wait() {
            let bytes = reader.join().unwrap_or(0);
            return (peak, bytes, status.code());
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// 100 pages of 50 offers with 10 KB titles (50 MB of results) need no
/// more memory than one page: nothing holds all the offers.
#[test]
fn peak_rss_does_not_grow_with_the_number_of_results() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut s = stub(100, 50);
    s.title_len = 10_000;
    let base = start(s);
    let measure = |pages: &[&str]| {
        let mut args = vec!["--page-size", "50", "--format", "json"];
        args.extend_from_slice(pages);
        let child = command(dir.path(), &base, &args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        run_measured(child)
    };
    let (small, small_bytes, code) = measure(&["--pages", "1"]);
    assert_eq!(code, Some(0));
    let (large, large_bytes, code) = measure(&["--all"]);
    assert_eq!(code, Some(0));
    let mib = |kib: u64| kib as f64 / 1024.0;
    eprintln!(
        "peak RSS: 1 page ({:.1} MB out) {:.1} MiB; 100 pages ({:.1} MB out) {:.1} MiB",
        small_bytes as f64 / 1e6,
        mib(small),
        large_bytes as f64 / 1e6,
        mib(large)
    );
    assert!(large_bytes > 50 * small_bytes, "the large run wrote it all");
    assert!(
        mib(large.saturating_sub(small)) < 16.0,
        "100 pages peaked at {:.1} MiB, 1 page at {:.1} MiB",
        mib(large),
        mib(small)
    );
}
