//! Paging through one large query over HTTP, timed (ignored: it builds a
//! 110,000-offer catalog). Run with
//! `cargo test -p tusou-sim --test paging_bench -- --ignored --nocapture`.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use base64::Engine;
use md5::{Digest, Md5};
use serde_json::Value;
use tusou_sim::{SimConfig, SimCredentials, SimHandle};

const CATALOG: usize = 110_000;
const PAGES: u64 = 200;

fn md5_upper(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn daji_sign(params: &[(&str, &str)], secret: &str) -> String {
    let mut p: Vec<&(&str, &str)> = params
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    p.sort_by(|a, b| a.0.cmp(b.0));
    let joined: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_upper(&format!("{}&secret={secret}", joined.join("&")))
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client")
}

async fn upload(h: &SimHandle, b64: &str) -> String {
    let c = SimCredentials::demo();
    let s = daji_sign(
        &[("appKey", &c.app_key), ("image_base64", b64)],
        &c.app_secret,
    );
    let form = reqwest::multipart::Form::new()
        .text("appKey", c.app_key.clone())
        .text("image_base64", b64.to_string())
        .text("sign", s);
    let up: Value = http()
        .post(format!("{}/alibaba/upload/image", h.base_url()))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("JSON");
    up["data"]["imageId"].as_str().expect("imageId").to_string()
}

async fn daji(h: &SimHandle, params: &[(&str, &str)]) -> Value {
    let c = SimCredentials::demo();
    let mut all: Vec<(&str, &str)> = vec![("appKey", &c.app_key)];
    all.extend_from_slice(params);
    let s = daji_sign(&all, &c.app_secret);
    all.push(("sign", &s));
    http()
        .get(format!("{}/alibaba/product/imageQuery", h.base_url()))
        .query(&all)
        .send()
        .await
        .expect("query")
        .json()
        .await
        .expect("JSON")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "builds a 110,000-offer catalog; a timing, not a check"]
async fn paging_a_large_query() {
    let config = SimConfig {
        catalog_size: CATALOG,
        max_results: 100_000,
        seed: 1688,
        ..SimConfig::default()
    };
    let ids = tusou_sim::catalog_offer_ids(&config, 10);
    let jpeg = tusou_sim::catalog_image(&config, &ids[3]).expect("picture");
    let b64 = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let h = tusou_sim::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .expect("simulator starts");
    let id = upload(&h, &b64).await;
    // Waits for the catalog with another query (another sort).
    let started = Instant::now();
    let warm = daji(&h, &[("imageId", &id), ("sort", r#"{"price":"asc"}"#)]).await;
    assert_eq!(warm["code"], 200, "{warm}");
    eprintln!("catalog ready after {:?}", started.elapsed());

    let started = Instant::now();
    let mut first = Duration::ZERO;
    let mut seen = std::collections::HashSet::new();
    let mut order = Vec::new();
    for page in 1..=PAGES {
        let p = page.to_string();
        let t = Instant::now();
        let body = daji(
            &h,
            &[("imageId", &id), ("beginPage", &p), ("pageSize", "50")],
        )
        .await;
        if page == 1 {
            first = t.elapsed();
        }
        assert_eq!(body["code"], 200, "{body}");
        assert_eq!(body["data"]["totalRecords"], 100_000);
        for row in body["data"]["data"].as_array().expect("rows") {
            let id = row["offerId"].as_u64().expect("id");
            assert!(seen.insert(id));
            order.push(id);
        }
    }
    let all = started.elapsed();
    assert_eq!(seen.len() as u64, PAGES * 50);
    // To compare two builds' answers: every page's offers, in order.
    if let Some(path) = std::env::var_os("PAGING_DUMP") {
        std::fs::write(path, format!("{order:?}\n")).expect("dump written");
    }
    eprintln!(
        "{PAGES} pages of 50 from a {CATALOG}-offer catalog: {:?} in all, {:.1} ms a page \
         (first page {:?}, later pages {:.1} ms each)",
        all,
        all.as_secs_f64() * 1000.0 / PAGES as f64,
        first,
        (all - first).as_secs_f64() * 1000.0 / (PAGES - 1) as f64,
    );
    h.shutdown().await;
}
