//! The simulator's own rate limit and request counters, over loopback HTTP.
//! Signatures are computed here with MD5 from the documents' rules, as in
//! `contract.rs`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use base64::Engine;
use md5::{Digest, Md5};
use serde_json::{Value, json};
use tusou_sim::{FaultKind, Faults, SimConfig, SimCredentials, SimHandle, SimStats};

fn config(rate_limit: Option<f64>) -> SimConfig {
    SimConfig {
        catalog_size: 400,
        seed: 5,
        rate_limit,
        ..SimConfig::default()
    }
}

async fn start(rate_limit: Option<f64>) -> SimHandle {
    tusou_sim::spawn(
        config(rate_limit),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await
    .expect("simulator starts")
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

fn md5_upper(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

/// DajiSaaS `sign`: drop `sign` and empty values, sort by name, `k=v`
/// joined by `&`, `&secret=…`, MD5, upper-case hex.
fn daji_sign(params: &[(&str, &str)], secret: &str) -> String {
    let mut p: Vec<&(&str, &str)> = params
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    p.sort_by(|a, b| a.0.cmp(b.0));
    let joined: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_upper(&format!("{}&secret={secret}", joined.join("&")))
}

/// A small PNG of one colour, base64: cheap to decode, one id per shade.
fn png_b64(shade: u8) -> String {
    let img = image::RgbImage::from_pixel(32, 24, image::Rgb([shade, 90, 255 - shade]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .expect("encodes");
    base64::engine::general_purpose::STANDARD.encode(out.into_inner())
}

async fn upload(client: &reqwest::Client, base: &str, b64: &str) -> reqwest::Response {
    let c = SimCredentials::demo();
    let s = daji_sign(
        &[("appKey", &c.app_key), ("image_base64", b64)],
        &c.app_secret,
    );
    let form = reqwest::multipart::Form::new()
        .text("appKey", c.app_key.clone())
        .text("image_base64", b64.to_string())
        .text("sign", s);
    client
        .post(format!("{base}/alibaba/upload/image"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
}

async fn daji_query(
    client: &reqwest::Client,
    base: &str,
    params: &[(&str, &str)],
) -> reqwest::Response {
    let c = SimCredentials::demo();
    let mut all: Vec<(&str, &str)> = vec![("appKey", &c.app_key)];
    all.extend_from_slice(params);
    let s = daji_sign(&all, &c.app_secret);
    all.push(("sign", &s));
    client
        .get(format!("{base}/alibaba/product/imageQuery"))
        .query(&all)
        .send()
        .await
        .expect("query")
}

async fn signed_query(client: &reqwest::Client, base: &str, body: &Value) -> reqwest::Response {
    let c = SimCredentials::demo();
    let timestamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis()
        .to_string();
    let nonce = "abcdefghijklmnopqrstuvwxyz012345";
    let signature = md5_upper(&format!(
        "{}{timestamp}{nonce}{}",
        c.access_key, c.secret_key
    ));
    client
        .post(format!("{base}/v2/alibaba/product/image/query"))
        .header("access-key", &c.access_key)
        .header("nonce-str", nonce)
        .header("timestamp", &timestamp)
        .header("user-id", &c.user_id)
        .header("signature", signature)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("query")
}

async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    let resp = client.get(url).send().await.expect("get");
    assert_eq!(resp.status(), 200, "{url}");
    resp.json().await.expect("JSON")
}

async fn post_faults(client: &reqwest::Client, base: &str, body: &str) -> reqwest::Response {
    client
        .post(format!("{base}/_sim/faults"))
        .body(body.to_string())
        .send()
        .await
        .expect("post")
}

/// Fires `n` cheap API requests at once (DajiSaaS queries naming no
/// picture: HTTP 200, code 400, when let through). Answers each reply's
/// status and Retry-After, and how long the burst took.
async fn burst(h: &SimHandle, n: usize) -> (Vec<(u16, Option<u64>)>, Duration) {
    let client = http();
    let base = h.base_url();
    let started = Instant::now();
    let replies = futures::future::join_all((0..n).map(|_| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let resp = daji_query(&client, &base, &[]).await;
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok());
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("JSON");
            let expected = if status == 429 { 429 } else { 400 };
            assert_eq!(body["code"], expected, "{body}");
            (status, retry_after)
        }
    }))
    .await;
    (replies, started.elapsed())
}

/// Requests let through by a full bucket of `rate` during a burst that
/// took `elapsed`: the bucket's one second's worth, plus what refilled.
fn allowed(rate: f64, elapsed: Duration) -> usize {
    (rate.max(1.0) + rate * elapsed.as_secs_f64()).floor() as usize
}

#[tokio::test]
async fn pacing_exactly_at_the_limit_meets_no_429() {
    let h = start(Some(10.0)).await;
    let client = http();
    let base = h.base_url();
    let mut tick = tokio::time::interval(Duration::from_millis(100));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut sent = Vec::new();
    // 30 uploads, 100 ms apart, each sent without waiting for the last.
    for i in 0..30u8 {
        tick.tick().await;
        let (client, base) = (client.clone(), base.clone());
        sent.push(tokio::spawn(async move {
            let resp = upload(&client, &base, &png_b64(i.wrapping_mul(8))).await;
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("JSON");
            (status, body)
        }));
    }
    for task in sent {
        let (status, body) = task.await.expect("request task");
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["code"], 200, "{body}");
        assert!(body["data"]["imageId"].is_string(), "{body}");
    }
    let s = h.stats();
    assert_eq!(s.rate_limited, 0, "{s:?}");
    assert_eq!(s.uploads, 30, "{s:?}");
    assert!((5..=11).contains(&s.max_per_second), "{s:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn a_burst_of_40_gets_a_seconds_worth_through_and_the_rest_429_with_retry_after() {
    let h = start(Some(10.0)).await;
    let (replies, elapsed) = burst(&h, 40).await;
    let accepted = replies.iter().filter(|(s, _)| *s == 200).count();
    let refused: Vec<_> = replies.iter().filter(|(s, _)| *s == 429).collect();
    assert_eq!(accepted + refused.len(), 40, "{replies:?}");
    // Exactly 10 when the burst lands within 100 ms, as it does on loopback;
    // a slow machine may see a token or two refill meanwhile.
    assert!(
        (10..=allowed(10.0, elapsed)).contains(&accepted),
        "{accepted} accepted in {elapsed:?}"
    );
    assert!(
        refused.iter().all(|(_, ra)| ra.is_some_and(|s| s >= 1)),
        "{refused:?}"
    );
    let s = h.stats();
    assert_eq!(s.rate_limited as usize, refused.len(), "{s:?}");
    assert_eq!(s.queries, 0, "code-400 answers are not counted as queries");
    if elapsed < Duration::from_millis(900) {
        assert_eq!(s.max_per_second, 40, "{s:?}");
    }
    eprintln!("burst of 40 in {elapsed:?}: {accepted} accepted");
    h.shutdown().await;
}

#[tokio::test]
async fn fifty_uploads_are_counted() {
    // A limit of 50/s lets a burst of 50 through whole.
    let h = start(Some(50.0)).await;
    let client = http();
    let base = h.base_url();
    let replies = futures::future::join_all((0..50u8).map(|i| {
        let (client, base) = (client.clone(), base.clone());
        async move {
            let resp = upload(&client, &base, &png_b64(i.wrapping_mul(5))).await;
            resp.status().as_u16()
        }
    }))
    .await;
    assert!(replies.iter().all(|s| *s == 200), "{replies:?}");
    // A rejected upload (bad signature) is not counted.
    let c = SimCredentials::demo();
    let form = reqwest::multipart::Form::new()
        .text("appKey", c.app_key.clone())
        .text("image_base64", png_b64(1))
        .text("sign", "0".repeat(32));
    tokio::time::sleep(Duration::from_millis(100)).await;
    let body: Value = client
        .post(format!("{base}/alibaba/upload/image"))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["code"], 401, "{body}");
    let s = h.stats();
    assert_eq!(s.uploads, 50, "{s:?}");
    assert_eq!(s.rate_limited, 0, "{s:?}");
    assert!(s.max_per_second >= 1 && s.max_per_second <= 51, "{s:?}");
    h.shutdown().await;
}

#[tokio::test]
async fn the_limit_changes_at_runtime_through_the_control_route() {
    let h = start(None).await;
    let client = http();
    let base = h.base_url();
    let faults_url = format!("{base}/_sim/faults");
    assert_eq!(
        get_json(&client, &faults_url).await["rate_limit"],
        Value::Null
    );

    let resp = post_faults(&client, &base, r#"{"rate_limit":2}"#).await;
    assert_eq!(resp.status(), 200);
    let shown: Value = resp.json().await.expect("JSON");
    assert_eq!(shown["rate_limit"], 2.0);
    assert_eq!(h.rate_limit(), Some(2.0));
    let (replies, elapsed) = burst(&h, 6).await;
    let accepted = replies.iter().filter(|(s, _)| *s == 200).count();
    assert!(
        (2..=allowed(2.0, elapsed)).contains(&accepted),
        "{replies:?} in {elapsed:?}"
    );

    // Faults set without `rate_limit` leave the limit alone; bad limits
    // change nothing.
    let resp = post_faults(&client, &base, r#"{"faults":[]}"#).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(h.rate_limit(), Some(2.0));
    for bad in [
        r#"{"rate_limit":0}"#,
        r#"{"rate_limit":-1}"#,
        r#"{"rate_limit":"x"}"#,
    ] {
        let resp = post_faults(&client, &base, bad).await;
        assert_eq!(resp.status(), 400, "{bad}");
    }
    assert_eq!(h.rate_limit(), Some(2.0));

    // A new limit starts from a full bucket (one token at 0.1/s), which the
    // signed-header provider shares; its 429 is in its own envelope.
    let resp = post_faults(&client, &base, r#"{"rate_limit":0.1}"#).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(signed_query(&client, &base, &json!({})).await.status(), 200);
    let resp = signed_query(&client, &base, &json!({})).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(
        resp.headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok()),
        Some("10")
    );
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(body["code"], 429);
    assert!(
        body["requestId"].is_string(),
        "signed-header envelope: {body}"
    );

    // null lifts it.
    let resp = post_faults(&client, &base, r#"{"rate_limit":null}"#).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(h.rate_limit(), None);
    let (replies, _) = burst(&h, 20).await;
    assert!(replies.iter().all(|(s, _)| *s == 200), "{replies:?}");

    // And through the handle.
    h.set_rate_limit(Some(1.0)).expect("valid");
    assert_eq!(
        get_json(&client, &faults_url).await["rate_limit"],
        json!(1.0)
    );
    assert!(h.set_rate_limit(Some(f64::NAN)).is_err());
    assert_eq!(h.rate_limit(), Some(1.0));
    h.shutdown().await;

    // A config with a bad limit does not start.
    let bad = tusou_sim::spawn(
        config(Some(0.0)),
        SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
    )
    .await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn stats_json_has_the_six_fields_and_counts_queries_on_both_providers() {
    let h = start(None).await;
    let client = http();
    let base = h.base_url();
    let body: Value = upload(&client, &base, &png_b64(40))
        .await
        .json()
        .await
        .expect("JSON");
    let id = body["data"]["imageId"]
        .as_str()
        .expect("imageId")
        .to_string();
    let body: Value = daji_query(&client, &base, &[("imageId", &id), ("pageSize", "5")])
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["code"], 200, "{body}");
    let body: Value = signed_query(
        &client,
        &base,
        &json!({"imageBase64": png_b64(40), "pageSize": 5}),
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(body["code"], 200, "{body}");
    // A business error is answered but not counted.
    let body: Value = daji_query(&client, &base, &[])
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["code"], 400, "{body}");

    let stats_url = format!("{base}/_sim/stats");
    let shown = get_json(&client, &stats_url).await;
    let mut keys: Vec<&str> = shown
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "details",
            "freights",
            "max_per_second",
            "queries",
            "rate_limited",
            "uploads"
        ]
    );
    let parsed: SimStats = serde_json::from_value(shown).expect("SimStats");
    assert_eq!(parsed, h.stats());
    assert_eq!(
        (
            parsed.uploads,
            parsed.queries,
            parsed.rate_limited,
            parsed.details
        ),
        (1, 2, 0, 0)
    );
    assert!((1..=4).contains(&parsed.max_per_second), "{parsed:?}");

    // DELETE answers the counters as they were and zeroes them.
    let resp = client.delete(&stats_url).send().await.expect("delete");
    assert_eq!(resp.status(), 200);
    let before: SimStats = resp.json().await.expect("JSON");
    assert_eq!(before, parsed);
    assert_eq!(h.stats(), SimStats::default());
    let _ = upload(&client, &base, &png_b64(41)).await;
    assert_eq!(h.stats().uploads, 1);
    h.reset_stats();
    assert_eq!(h.stats(), SimStats::default());
    h.shutdown().await;

    // Like the fault control, not served beyond loopback.
    let wide = tusou_sim::spawn(config(None), SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))
        .await
        .expect("starts");
    let resp = client
        .get(format!("{}/_sim/stats", wide.base_url()))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 404);
    wide.shutdown().await;
}

#[tokio::test]
async fn pictures_and_control_routes_are_not_limited_nor_counted() {
    // One token, refilled after 10 s: the loop below cannot earn another.
    let h = start(Some(0.1)).await;
    let client = http();
    let base = h.base_url();
    assert_eq!(daji_query(&client, &base, &[]).await.status(), 200);
    let ids = tusou_sim::catalog_offer_ids(&config(None), 3);
    for i in 0..9 {
        let resp = client
            .get(format!("{base}/img/{}.jpg", ids[i % 3]))
            .send()
            .await
            .expect("picture");
        assert_eq!(resp.status(), 200);
        let _ = resp.bytes().await.expect("bytes");
        let _ = get_json(&client, &format!("{base}/_sim/faults")).await;
        let _ = get_json(&client, &format!("{base}/_sim/stats")).await;
    }
    let s = h.stats();
    assert_eq!((s.max_per_second, s.rate_limited), (1, 0), "{s:?}");
    // The API's one token is still spent.
    let resp = daji_query(&client, &base, &[]).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(h.stats().rate_limited, 1);

    // An injected rate-limit fault is not the limit: not counted as such.
    h.set_rate_limit(None).expect("valid");
    h.set_faults(Faults::always(FaultKind::RateLimit));
    let resp = daji_query(&client, &base, &[]).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(h.stats().rate_limited, 1);
    h.shutdown().await;
}
