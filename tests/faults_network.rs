//! Transient network faults against the real client over loopback: the one
//! retry policy covers queries, uploads and downloads; decode errors and
//! connections torn down mid-body are retried; auth errors are not; the
//! whole request keeps to its total time bound and the final error says
//! truthfully how long and how many attempts it took.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};
use tusou::api::{
    Client, ClientSettings, DajiSaasSettings, ErrorKind, ProviderSettings, RetryPolicy,
    SearchParams, SignedHeaderSettings,
};
use tusou::image::{PrepareOptions, PreparedImage, prepare};
use tusou::secret::Secret;
use tusou_sim::{self as sim, FaultKind, Faults, SimConfig, SimCredentials, SimHandle};

async fn start_sim() -> (SimHandle, SimConfig) {
    let config = SimConfig::default();
    let handle = sim::spawn(config.clone(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("simulator starts");
    (handle, config)
}

fn daji(sim: &SimHandle) -> ProviderSettings {
    let creds = SimCredentials::demo();
    ProviderSettings::DajiSaas(DajiSaasSettings {
        base_url: sim.base_url(),
        app_key: creds.app_key,
        app_secret: Secret::new(creds.app_secret),
        debug_send_secret: false,
    })
}

fn signed(sim: &SimHandle) -> ProviderSettings {
    let creds = SimCredentials::demo();
    ProviderSettings::SignedHeader(SignedHeaderSettings {
        base_url: sim.base_url(),
        access_key: creds.access_key,
        secret_key: Secret::new(creds.secret_key),
        user_id: creds.user_id,
        timestamp_seconds: false,
    })
}

/// The default policy with short waits, so the tests stay quick.
fn quick_retries() -> RetryPolicy {
    RetryPolicy {
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::default()
    }
}

fn client(provider: ProviderSettings, retry: RetryPolicy) -> Client {
    let mut s = ClientSettings::new(provider);
    s.timeout = Duration::from_secs(10);
    s.retry = retry;
    Client::new(s).expect("client builds")
}

fn catalog_photo(config: &SimConfig, index: usize) -> PreparedImage {
    let id = sim::catalog_offer_ids(config, index + 1)[index].clone();
    let jpeg = sim::catalog_image(config, &id).expect("catalog image");
    prepare(&jpeg, &PrepareOptions::default()).expect("prepares")
}

/// Every transient fault kind except the two-minute stall.
const TRANSIENT: [FaultKind; 6] = [
    FaultKind::ServerError,
    FaultKind::MalformedJson,
    FaultKind::TruncatedBody,
    FaultKind::CodeError,
    FaultKind::RateLimit,
    FaultKind::ResetMidBody,
];

/// One search as a script runs it: a fresh upload, then five pages.
async fn five_page_search(client: &Client, photo: &PreparedImage) -> Result<usize, String> {
    let uploaded = client
        .upload_uncached(photo)
        .await
        .map_err(|e| format!("upload: {e}"))?;
    let mut offers = 0;
    for page in 1..=5 {
        let result = client
            .search_page(&uploaded.image, &SearchParams::default(), page)
            .await
            .map_err(|e| format!("page {page}: {e}"))?;
        offers += result.offers.len();
    }
    Ok(offers)
}

/// The robustness target: at 30 % injected faults (every transient kind),
/// at least 19 of 20 five-page searches succeed with the default policy
/// (waits shortened; the simulator's Retry-After is 0).
///
/// The faults are drawn from a seeded generator, so the test cannot flake.
/// Seed 1 is a hard draw: among its first 1,000 draws (a run makes about
/// 200 requests) is a run of 8 faults in a row, which fails the request
/// that meets it under any policy of fewer than 9 attempts; every other
/// run is at most 5 long, which 7 attempts ride out. So 19 is what a
/// correct client gets here, whatever the order of its requests. Unseeded, a
/// search fails about 1 time in 780 (six requests, each failing only if
/// all 7 of its attempts meet a fault: 0.3^7); `bench/faults.sh` measures
/// that with the real binary.
#[tokio::test]
async fn thirty_percent_faults_nineteen_of_twenty_searches_succeed() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 6);
    let client = client(daji(&sim), quick_retries());
    // Warm the catalog without faults.
    five_page_search(&client, &photo).await.expect("no faults");
    sim.set_faults(Faults {
        kinds: TRANSIENT.to_vec(),
        rate: 0.3,
        retry_after_secs: 0,
        seed: Some(1),
        ..Faults::default()
    });
    let mut ok = 0;
    let mut failures = Vec::new();
    for _ in 0..20 {
        match five_page_search(&client, &photo).await {
            Ok(n) => {
                assert_eq!(n, 100, "five full pages");
                ok += 1;
            }
            Err(e) => failures.push(e),
        }
    }
    eprintln!("{ok}/20 five-page searches succeeded at 30 % faults");
    for f in &failures {
        eprintln!("failed: {f}");
    }
    assert!(ok >= 19, "{ok}/20 succeeded; failures: {failures:#?}");
}

/// Decode errors (malformed, truncated) and a connection torn down mid-body
/// are transient: the query is asked again and succeeds.
#[tokio::test]
async fn decode_errors_and_resets_mid_body_are_retried() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 2);
    for provider in [daji(&sim), signed(&sim)] {
        let client = client(provider, quick_retries());
        let image = client.resolve_image(&photo).await.expect("resolve");
        for fault in [
            FaultKind::MalformedJson,
            FaultKind::TruncatedBody,
            FaultKind::ResetMidBody,
        ] {
            sim.set_faults(Faults {
                first_n: Some(2),
                ..Faults::always(fault)
            });
            let page = client
                .search_page(&image, &SearchParams::default(), 1)
                .await
                .unwrap_or_else(|e| panic!("{fault:?}: the third attempt succeeds: {e}"));
            assert_eq!(page.offers.len(), 20, "{fault:?}");
        }
        sim.set_faults(Faults::none());
    }
}

/// Uploads are idempotent by content (same picture, same id), so they get
/// the same policy as queries.
#[tokio::test]
async fn uploads_are_retried() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 3);
    let client = client(daji(&sim), quick_retries());
    for fault in [
        FaultKind::ServerError,
        FaultKind::TruncatedBody,
        FaultKind::ResetMidBody,
        FaultKind::RateLimit,
    ] {
        sim.set_faults(Faults {
            first_n: Some(2),
            retry_after_secs: 0,
            ..Faults::always(fault)
        });
        client
            .upload_uncached(&photo)
            .await
            .unwrap_or_else(|e| panic!("{fault:?}: the third upload succeeds: {e}"));
        let uploads = sim
            .requests()
            .iter()
            .rev()
            .take(3)
            .filter(|r| r.path == "/alibaba/upload/image")
            .count();
        assert_eq!(uploads, 3, "{fault:?}: two failures, then success");
    }
}

/// Thumbnails and pictures downloaded by URL are retried on 5xx and on a
/// reply cut short, not on 404.
#[tokio::test]
async fn downloads_are_retried_on_transient_failures_only() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let n = count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            tokio::spawn(async move {
                let mut head = vec![0u8; 4096];
                let _ = sock.read(&mut head).await;
                let missing = String::from_utf8_lossy(&head).contains("/missing");
                let reply: Vec<u8> = if missing {
                    b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                        .to_vec()
                } else {
                    match n % 3 {
                        // A 503, then a body announced as 100 bytes of which 10 come.
                        0 => b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
                        1 => b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n0123456789".to_vec(),
                        _ => b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nConnection: close\r\n\r\nJPEG".to_vec(),
                    }
                };
                let _ = sock.write_all(&reply).await;
            });
        }
    });
    let (sim, _) = start_sim().await;
    let client = client(daji(&sim), quick_retries());
    let body = client
        .fetch_image(&format!("http://{addr}/a.jpg"), 1024)
        .await
        .expect("third attempt succeeds");
    assert_eq!(body, b"JPEG");
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), 3);
    let err = client
        .fetch_image(&format!("http://{addr}/missing.jpg"), 1024)
        .await
        .expect_err("404");
    assert!(!err.is_retryable(), "{err}");
    assert_eq!(
        served.load(std::sync::atomic::Ordering::SeqCst),
        4,
        "404 not retried"
    );
}

/// Bad credentials are final: one request, no retries.
#[tokio::test]
async fn auth_errors_are_not_retried() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 4);
    let creds = SimCredentials::demo();
    let wrong = ProviderSettings::DajiSaas(DajiSaasSettings {
        base_url: sim.base_url(),
        app_key: creds.app_key,
        app_secret: Secret::new("not-the-secret"),
        debug_send_secret: false,
    });
    let client = client(wrong, quick_retries());
    let before = sim.requests().len();
    let err = client.upload_uncached(&photo).await.expect_err("refused");
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert_eq!(sim.requests().len(), before + 1, "exactly one request");
}

/// Parses "gave up after N attempts in S s" out of a message.
fn gave_up(message: &str) -> Option<(u32, f64)> {
    let rest = &message[message.find("gave up after ")? + "gave up after ".len()..];
    let (n, rest) = rest.split_once(" attempts in ")?;
    let (secs, _) = rest.split_once(" s")?;
    Some((n.parse().ok()?, secs.parse().ok()?))
}

/// A server that never answers: each attempt's timeout is clipped to what
/// is left of the total bound (by default twice the timeout), and the error
/// says how many attempts were made in how long, which is the truth.
#[tokio::test]
async fn the_total_time_bound_is_kept_and_stated() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 5);
    let mut s = ClientSettings::new(signed(&sim));
    s.timeout = Duration::from_millis(400);
    s.retry = quick_retries();
    let client = Client::new(s).expect("client");
    let image = client.resolve_image(&photo).await.expect("resolve");
    sim.set_faults(Faults::always(FaultKind::Timeout));
    let started = Instant::now();
    let err = client
        .search_page(&image, &SearchParams::default(), 1)
        .await
        .expect_err("stalls");
    let took = started.elapsed();
    sim.set_faults(Faults::none());
    let message = err.to_string();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{message}");
    let (attempts, secs) = gave_up(&message).unwrap_or_else(|| panic!("{message}"));
    assert!(attempts >= 2, "{message}");
    // Twice the 0.4 s timeout, give or take a loaded machine's scheduling
    // (without the bound: 7 attempts of 0.4 s and the waits, over 3 s).
    assert!(secs <= 1.2, "{message}");
    assert!(
        (took.as_secs_f64() - secs).abs() < 0.3,
        "{message} vs {took:?}"
    );
    assert!(took < Duration::from_millis(1500), "{took:?}");
}

/// Defect 28.6: at 30 % hung replies, with the DEFAULT client settings (a
/// 30 s timeout, a 60 s total bound), at least 19 of 20 five-page searches
/// succeed. An attempt with no reply after a few times the usual latency is
/// hedged (another is started beside it), so a hang costs about a second,
/// not the 30 s timeout that let only two attempts fit in the bound. The
/// searches run at once, so the test takes seconds.
#[tokio::test]
async fn thirty_percent_hangs_nineteen_of_twenty_searches_succeed() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 7);
    let client = Client::new(ClientSettings::new(daji(&sim))).expect("client builds");
    // The latencies a hang is told from: one search without faults.
    five_page_search(&client, &photo).await.expect("no faults");
    sim.set_faults(Faults {
        kinds: vec![FaultKind::Timeout],
        rate: 0.3,
        seed: Some(28),
        ..Faults::default()
    });
    let started = Instant::now();
    let searches = (0..20).map(|_| five_page_search(&client, &photo));
    let results = futures::future::join_all(searches).await;
    let took = started.elapsed();
    sim.set_faults(Faults::none());
    let ok = results.iter().filter(|r| r.is_ok()).count();
    eprintln!("{ok}/20 five-page searches succeeded at 30 % hangs in {took:.1?}");
    for r in &results {
        match r {
            Ok(n) => assert_eq!(*n, 100, "five full pages"),
            Err(e) => eprintln!("failed: {e}"),
        }
    }
    assert!(ok >= 19, "{ok}/20 succeeded");
    // About 40 of the 120 requests hung: some search waited for a hedge.
    assert!(took >= Duration::from_secs(1), "{took:?}");
    assert!(took < Duration::from_secs(40), "{took:?}");
}

/// Defect 28.12: a request that cannot be built (here a 100 KB `country`
/// makes a URL no HTTP library takes) fails at once, unsent and unretried,
/// as a rejected request rather than a network error.
#[tokio::test]
async fn a_request_that_cannot_be_built_is_not_retried() {
    let (sim, config) = start_sim().await;
    let photo = catalog_photo(&config, 8);
    let client = client(daji(&sim), quick_retries());
    let image = client.resolve_image(&photo).await.expect("upload");
    let before = sim.requests().len();
    let params = SearchParams {
        country: Some("x".repeat(100_000)),
        ..SearchParams::default()
    };
    let started = Instant::now();
    let err = client
        .search_page(&image, &params, 1)
        .await
        .expect_err("cannot be built");
    let message = err.to_string();
    assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{message}");
    assert!(!err.is_retryable(), "{message}");
    assert!(gave_up(&message).is_none(), "one attempt: {message}");
    assert_eq!(sim.requests().len(), before, "nothing was sent");
    assert!(started.elapsed() < Duration::from_secs(1));
}
