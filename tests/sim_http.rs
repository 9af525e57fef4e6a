//! The simulator over real loopback HTTP, signed by hand with the client's
//! `api::sign` (so the client's signing and the simulator's independent
//! verification are checked against each other).
#![allow(clippy::unwrap_used)] // test helpers: a failure should be loud

use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tusou::api::sign;
use tusou_sim::{self as sim, FaultKind, Faults, SimConfig, SimCredentials, SimHandle};

/// A small catalog keeps debug-build tests quick.
fn config() -> SimConfig {
    SimConfig {
        catalog_size: 400,
        seed: 7,
        ..SimConfig::default()
    }
}

async fn start() -> SimHandle {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    sim::spawn(config(), addr).await.unwrap()
}

fn creds() -> SimCredentials {
    SimCredentials::demo()
}

fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

/// A catalog picture re-encoded as the client prepares uploads.
fn client_jpeg(offer_id: &str) -> Vec<u8> {
    let jpeg = sim::catalog_image(&config(), offer_id).unwrap();
    let img = image::load_from_memory(&jpeg).unwrap();
    let img = img.resize(450, 450, image::imageops::FilterType::Triangle);
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .encode_image(&img.to_rgb8())
        .unwrap();
    out
}

async fn upload(h: &SimHandle, b64: &str, secret: &str) -> Value {
    let key = creds().app_key;
    let s = sign::dajisaas_sign(
        [("appKey", Some(key.as_str())), ("image_base64", Some(b64))],
        secret,
    );
    let form = reqwest::multipart::Form::new()
        .text("appKey", key)
        .text("image_base64", b64.to_string())
        .text("sign", s);
    http()
        .post(format!("{}/alibaba/upload/image", h.base_url()))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn daji_query(h: &SimHandle, params: &[(&str, &str)]) -> reqwest::Response {
    let c = creds();
    let mut all: Vec<(&str, &str)> = vec![("appKey", c.app_key.as_str()), ("country", "en")];
    all.extend_from_slice(params);
    let s = sign::dajisaas_sign(all.iter().map(|(k, v)| (*k, Some(*v))), &c.app_secret);
    all.push(("sign", &s));
    http()
        .get(format!("{}/alibaba/product/imageQuery", h.base_url()))
        .query(&all)
        .send()
        .await
        .unwrap()
}

fn signed_headers(secret: &str, timestamp: &str) -> reqwest::header::HeaderMap {
    let c = creds();
    let nonce = sign::fresh_nonce();
    let sig = sign::header_signature(&c.access_key, timestamp, &nonce, secret);
    let mut h = reqwest::header::HeaderMap::new();
    h.insert("access-key", c.access_key.parse().unwrap());
    h.insert("nonce-str", nonce.parse().unwrap());
    h.insert("timestamp", timestamp.parse().unwrap());
    h.insert("user-id", c.user_id.parse().unwrap());
    h.insert("signature", sig.parse().unwrap());
    h
}

async fn v2(h: &SimHandle, body: &Value) -> reqwest::Response {
    v2_with(
        h,
        body,
        signed_headers(&creds().secret_key, &now_ms().to_string()),
    )
    .await
}

async fn v2_with(
    h: &SimHandle,
    body: &Value,
    headers: reqwest::header::HeaderMap,
) -> reqwest::Response {
    http()
        .post(format!("{}/v2/alibaba/product/image/query", h.base_url()))
        .headers(headers)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// The offer of the first row: DajiSaaS rows carry a numeric `offerId`;
/// signed-header rows carry none, so it is the first listing of the
/// picture file its `/img/ibank/{file}` address names.
fn first_offer_id(body: &Value) -> String {
    let row = &body["data"]["data"][0];
    if let Some(id) = row.get("offerId") {
        return id.as_u64().expect("offerId is a JSON number").to_string();
    }
    let url = row["imageUrl"].as_str().unwrap();
    let file = url.rsplit_once("/img/ibank/").unwrap().1;
    let c = config();
    sim::catalog::generate(c.seed, c.catalog_size)
        .into_iter()
        .find(|o| o.picture.file_name() == file)
        .unwrap()
        .offer_id
        .to_string()
}

#[tokio::test]
async fn upload_then_query_by_image_id_finds_the_offer() {
    let h = start().await;
    let id = &sim::catalog_offer_ids(&config(), 12)[11];
    let b64 = STANDARD.encode(client_jpeg(id));
    let up = upload(&h, &b64, &creds().app_secret).await;
    assert_eq!(up["code"], 200, "{up}");
    assert_eq!(up["message"], "操作成功");
    assert_eq!(up["traceId"].as_str().unwrap().len(), 12);
    let image_id = up["data"]["imageId"].as_str().unwrap();
    assert_eq!(image_id.len(), 19);
    assert!(image_id.bytes().all(|b| b.is_ascii_digit()));
    // Same picture, same id.
    let again = upload(&h, &b64, &creds().app_secret).await;
    assert_eq!(again["data"]["imageId"], image_id);

    let resp = daji_query(
        &h,
        &[
            ("imageId", image_id),
            ("beginPage", "1"),
            ("pageSize", "10"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(first_offer_id(&body), id.as_str());
    assert!(body["data"]["data"][0]["offerId"].is_u64());
    assert_eq!(body["data"]["data"].as_array().unwrap().len(), 10);
    assert_eq!(body["data"]["pageSize"], 10);
    assert_eq!(body["data"]["currentPage"], 1);
    let offer = &body["data"]["data"][0];
    for key in [
        "imageUrl",
        "subject",
        "subjectTrans",
        "offerMapId",
        "isJxhy",
        "priceInfo",
        "repurchaseRate",
        "monthSold",
    ] {
        assert!(offer.get(key).is_some(), "missing {key}");
    }
    assert_eq!(offer["offerMapId"].as_str().unwrap().len(), 22);

    // The image URL serves the catalog JPEG.
    let url = offer["imageUrl"].as_str().unwrap();
    assert!(url.starts_with(&h.base_url()));
    let img = http().get(url).send().await.unwrap();
    assert_eq!(img.status(), 200);
    let bytes = img.bytes().await.unwrap();
    assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF]);
    assert_eq!(
        bytes.as_ref(),
        sim::catalog_image(&config(), id).unwrap().as_slice()
    );

    // The log keeps fields with the image cut short.
    let reqs = h.requests();
    let up_req = reqs
        .iter()
        .find(|r| r.path == "/alibaba/upload/image")
        .unwrap();
    assert_eq!(up_req.field("image_base64").unwrap().len(), 64);
    assert_eq!(up_req.status, 200);
    h.shutdown().await;
}

#[tokio::test]
async fn debug_app_secret_and_bad_credentials() {
    let h = start().await;
    let b64 = STANDARD.encode(client_jpeg(&sim::catalog_offer_ids(&config(), 1)[0]));
    let bad = upload(&h, &b64, "wrong-secret").await;
    assert_eq!(bad["code"], 401);
    assert!(bad["message"].as_str().unwrap().contains("sign"));
    assert!(bad["data"].is_null());

    // Debug mode: the secret instead of a sign.
    let form = reqwest::multipart::Form::new()
        .text("appKey", creds().app_key)
        .text("appSecret", creds().app_secret)
        .text("image_base64", b64.clone());
    let ok: Value = http()
        .post(format!("{}/alibaba/upload/image", h.base_url()))
        .multipart(form)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["code"], 200, "{ok}");

    // Tampered query: signed, then a parameter changed.
    let c = creds();
    let s = sign::dajisaas_sign(
        [("appKey", Some(c.app_key.as_str())), ("imageId", Some("1"))],
        &c.app_secret,
    );
    let body: Value = http()
        .get(format!("{}/alibaba/product/imageQuery", h.base_url()))
        .query(&[
            ("appKey", c.app_key.as_str()),
            ("imageId", "2"),
            ("sign", &s),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 401);

    // Wrong signed-header secret.
    let resp = v2_with(
        &h,
        &json!({"imageAddress": "http://x/img/1.jpg"}),
        signed_headers("nope", &now_ms().to_string()),
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 401);
    assert!(body["requestId"].as_str().unwrap().len() == 32);
    assert_eq!(body["developId"], "1110890638347337996");
    assert!(body["data"].is_null());
    h.shutdown().await;
}

#[tokio::test]
async fn image_format_and_size_rules() {
    let h = start().await;
    let secret = creds().app_secret;
    let gif = STANDARD.encode(b"GIF89a\x01\x00\x01\x00\x00\x00\x00;");
    let body = upload(&h, &gif, &secret).await;
    assert_eq!(body["code"], 400);
    assert!(body["message"].as_str().unwrap().contains("WEBP"));
    let body = upload(&h, "%%%not base64%%%", &secret).await;
    assert_eq!(body["code"], 400);
    let big = STANDARD.encode(vec![0xFFu8; 3 * 1024 * 1024 + 1]);
    let body = upload(&h, &big, &secret).await;
    assert_eq!(body["code"], 400);
    assert!(body["message"].as_str().unwrap().contains("3MB"));
    // Garbage multipart.
    let resp = http()
        .post(format!("{}/alibaba/upload/image", h.base_url()))
        .header("content-type", "multipart/form-data; boundary=xyz")
        .body("--xyz\r\nthis is not a part")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 400);
    h.shutdown().await;
}

#[tokio::test]
async fn v2_by_base64_and_by_address() {
    let h = start().await;
    let ids = sim::catalog_offer_ids(&config(), 30);
    let b64 = STANDARD.encode(client_jpeg(&ids[20]));
    let resp = v2(
        &h,
        &json!({"imageBase64": b64, "beginPage": 1, "pageSize": 5, "country": "en"}),
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(body["msg"], "成功");
    assert_eq!(body["developId"], "1110890638347337996");
    assert_eq!(first_offer_id(&body), ids[20]);

    // The simulator's own picture address works (its stand-in for alicdn)…
    let addr = format!("{}/img/{}.jpg", h.base_url(), ids[7]);
    let body: Value = v2(&h, &json!({"imageAddress": addr, "pageSize": 3}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(first_offer_id(&body), ids[7]);
    // …another host naming a simulator picture is not a 1688 link.
    let elsewhere = format!("http://images.example:1234/img/{}.jpg", ids[7]);
    let body: Value = v2(&h, &json!({"imageAddress": elsewhere}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 400);
    assert!(
        body["msg"]
            .as_str()
            .unwrap()
            .contains("must be a 1688 image link")
    );

    // A 1688 picture link is accepted; a 1688 page that is no picture fails
    // to download.
    let body: Value = v2(
        &h,
        &json!({"imageAddress": "https://cbu01.alicdn.com/x.jpg"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["code"], 200, "{body}");
    let body: Value = v2(
        &h,
        &json!({"imageAddress": "https://detail.1688.com/offer/1.html"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["code"], 400);
    assert!(body["msg"].as_str().unwrap().contains("图片下载失败"));

    // Region crop (x1,x2,y1,y2): valid box works, nonsense is rejected.
    let body: Value = v2(
        &h,
        &json!({"imageAddress": addr, "region": "100,500,100,500"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["code"], 200);
    let body: Value = v2(&h, &json!({"imageAddress": addr, "region": "9,9,1"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 400);

    // Seconds are accepted as a timestamp.
    let secs = (now_ms() / 1000).to_string();
    let resp = v2_with(
        &h,
        &json!({"imageAddress": addr}),
        signed_headers(&creds().secret_key, &secs),
    )
    .await;
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], 200);
    h.shutdown().await;
}

#[tokio::test]
async fn stale_timestamp_and_missing_header_are_rejected() {
    let h = start().await;
    let stale = (now_ms() - 11 * 60 * 1000).to_string();
    let body: Value = v2_with(
        &h,
        &json!({"imageAddress": "http://x/img/1.jpg"}),
        signed_headers(&creds().secret_key, &stale),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["code"], 401);
    let mut headers = signed_headers(&creds().secret_key, &now_ms().to_string());
    headers.remove("signature");
    let body: Value = v2_with(&h, &json!({}), headers).await.json().await.unwrap();
    assert_eq!(body["code"], 401);
    assert!(body["msg"].as_str().unwrap().contains("signature"));
    h.shutdown().await;
}

#[tokio::test]
async fn paging_price_range_sort_and_bad_values() {
    let h = start().await;
    let addr = format!(
        "{}/img/{}.jpg",
        h.base_url(),
        sim::catalog_offer_ids(&config(), 1)[0]
    );
    let body: Value = v2(
        &h,
        &json!({"imageAddress": addr, "pageSize": 50, "priceStart": "10", "priceEnd": "40.5", "sort": "{\"price\":\"desc\"}"}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(body["code"], 200, "{body}");
    let rows = body["data"]["data"].as_array().unwrap();
    assert!(!rows.is_empty());
    let prices: Vec<f64> = rows
        .iter()
        .map(|r| r["priceInfo"]["price"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(
        prices.iter().all(|p| (10.0..=40.5).contains(p)),
        "{prices:?}"
    );
    assert!(prices.windows(2).all(|w| w[0] >= w[1]));
    let total = body["data"]["totalRecords"].as_u64().unwrap();
    let pages = body["data"]["totalPage"].as_u64().unwrap();
    assert_eq!(pages, total.div_ceil(50));

    let past = (pages + 1).to_string();
    let resp = daji_query(
        &h,
        &[
            ("imageUrl", &addr),
            ("beginPage", &past),
            ("pageSize", "50"),
            ("priceStart", "10"),
            ("priceEnd", "40.5"),
        ],
    )
    .await;
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(body["data"]["data"].as_array().unwrap().len(), 0);
    assert_eq!(body["data"]["currentPage"].as_u64(), Some(pages + 1));

    for bad in [
        vec![("pageSize", "0")],
        vec![("pageSize", "51")],
        vec![("beginPage", "0")],
        vec![("beginPage", "99999999999999999999999")],
        vec![("priceStart", "cheap")],
        vec![("sort", "{\"weight\":\"asc\"}")],
    ] {
        let mut params = vec![("imageUrl", addr.as_str())];
        params.extend(bad.iter().copied());
        let body: Value = daji_query(&h, &params).await.json().await.unwrap();
        assert_eq!(body["code"], 400, "{bad:?}: {body}");
    }
    // Unknown imageId, garbage JSON, wrong JSON types.
    let body: Value = daji_query(&h, &[("imageId", "1234567890123456789")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 400);
    assert_eq!(body["message"], sim::MSG_EXPIRED_ID);
    let resp = http()
        .post(format!("{}/v2/alibaba/product/image/query", h.base_url()))
        .headers(signed_headers(&creds().secret_key, &now_ms().to_string()))
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], 400);
    let body: Value = v2(&h, &json!({"imageAddress": addr, "beginPage": -3}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(body["code"], 400);

    let resp = http()
        .get(format!("{}/img/123.jpg", h.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    h.shutdown().await;
}

#[tokio::test]
async fn every_fault_kind_is_observable() {
    let h = start().await;
    let addr = format!(
        "{}/img/{}.jpg",
        h.base_url(),
        sim::catalog_offer_ids(&config(), 1)[0]
    );
    let query = json!({"imageAddress": addr});

    h.set_faults(Faults {
        retry_after_secs: 7,
        ..Faults::always(FaultKind::RateLimit)
    });
    let resp = v2(&h, &query).await;
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(resp.json::<Value>().await.unwrap()["code"], 429);

    h.set_faults(Faults::always(FaultKind::ServerError));
    let resp = daji_query(&h, &[("imageUrl", &addr)]).await;
    assert!([500, 502, 503].contains(&resp.status().as_u16()));

    h.set_faults(Faults::always(FaultKind::MalformedJson));
    let resp = v2(&h, &query).await;
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err());

    h.set_faults(Faults::always(FaultKind::TruncatedBody));
    let resp = v2(&h, &query).await;
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err(), "the body must end early");

    h.set_faults(Faults::always(FaultKind::CodeError));
    let body: Value = v2(&h, &query).await.json().await.unwrap();
    assert_eq!(body["code"], 500);
    assert_eq!(body["msg"], "系统繁忙，请稍后再试");

    h.set_faults(Faults::always(FaultKind::Timeout));
    let _ = rustls::crypto::ring::default_provider().install_default();
    let quick = reqwest::Client::builder()
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    let err = quick
        .post(format!("{}/v2/alibaba/product/image/query", h.base_url()))
        .headers(signed_headers(&creds().secret_key, &now_ms().to_string()))
        .json(&query)
        .send()
        .await
        .unwrap_err();
    assert!(err.is_timeout());

    // first_n: only the first request faults, so a retry succeeds.
    h.set_faults(Faults {
        first_n: Some(1),
        ..Faults::always(FaultKind::ServerError)
    });
    assert!(v2(&h, &query).await.status().is_server_error());
    assert_eq!(
        v2(&h, &query).await.json::<Value>().await.unwrap()["code"],
        200
    );

    // Shutdown is prompt even with a stalled request outstanding.
    h.set_faults(Faults::always(FaultKind::Timeout));
    let url = format!("{}/v2/alibaba/product/image/query", h.base_url());
    let stalled = tokio::spawn(async move {
        let _ = http().post(url).json(&json!({})).send().await;
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    tokio::time::timeout(Duration::from_secs(6), h.shutdown())
        .await
        .unwrap();
    stalled.abort();
}
