//! The simulator's replies, fetched as raw HTTP, parse in the client's own
//! wire types (`tusou::api`) and normalise as the client expects:
//! DajiSaaS offers carry a numeric offer id and a 1688 link, signed-header
//! offers carry neither. The simulator writes its replies from its own types
//! (it does not depend on the client), so this checks the two against each
//! other.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use tusou::api::{Envelope, UploadData, WirePage};
use tusou::api::{ResultPage, sign};
use tusou_sim::{SimConfig, SimCredentials, SimHandle};

fn config() -> SimConfig {
    SimConfig {
        catalog_size: 600,
        seed: 11,
        ..SimConfig::default()
    }
}

async fn start() -> SimHandle {
    tusou_sim::spawn(config(), SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
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

fn photo_base64(index: usize) -> (String, String) {
    let id = tusou_sim::catalog_offer_ids(&config(), index + 1)[index].clone();
    let jpeg = tusou_sim::catalog_image(&config(), &id).expect("catalog picture");
    (id, STANDARD.encode(jpeg))
}

async fn daji_upload(h: &SimHandle, b64: &str) -> Envelope<UploadData> {
    let c = SimCredentials::demo();
    let s = sign::dajisaas_sign(
        [
            ("appKey", Some(c.app_key.as_str())),
            ("image_base64", Some(b64)),
        ],
        &c.app_secret,
    );
    let form = reqwest::multipart::Form::new()
        .text("appKey", c.app_key.clone())
        .text("image_base64", b64.to_string())
        .text("sign", s);
    let text = http()
        .post(format!("{}/alibaba/upload/image", h.base_url()))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .text()
        .await
        .expect("body");
    serde_json::from_str(&text).expect("upload reply parses in the client's Envelope<UploadData>")
}

async fn daji_query(h: &SimHandle, params: &[(&str, &str)]) -> Envelope<WirePage> {
    let c = SimCredentials::demo();
    let mut all: Vec<(&str, &str)> = vec![("appKey", c.app_key.as_str())];
    all.extend_from_slice(params);
    let s = sign::dajisaas_sign(all.iter().map(|(k, v)| (*k, Some(*v))), &c.app_secret);
    all.push(("sign", &s));
    let text = http()
        .get(format!("{}/alibaba/product/imageQuery", h.base_url()))
        .query(&all)
        .send()
        .await
        .expect("query")
        .text()
        .await
        .expect("body");
    serde_json::from_str(&text).expect("query reply parses in the client's Envelope<WirePage>")
}

async fn signed_query(h: &SimHandle, body: &Value) -> Envelope<WirePage> {
    let c = SimCredentials::demo();
    let ts = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis()
        .to_string();
    let nonce = sign::fresh_nonce();
    let sig = sign::header_signature(&c.access_key, &ts, &nonce, &c.secret_key);
    let text = http()
        .post(format!("{}/v2/alibaba/product/image/query", h.base_url()))
        .header("access-key", &c.access_key)
        .header("nonce-str", &nonce)
        .header("timestamp", &ts)
        .header("user-id", &c.user_id)
        .header("signature", &sig)
        .json(body)
        .send()
        .await
        .expect("query")
        .text()
        .await
        .expect("body");
    serde_json::from_str(&text).expect("query reply parses in the client's Envelope<WirePage>")
}

#[tokio::test]
async fn dajisaas_replies_parse_in_the_client_types_with_offer_ids_and_links() {
    let h = start().await;
    let (id, b64) = photo_base64(4);
    let up = daji_upload(&h, &b64).await;
    assert_eq!(up.code, 200);
    assert_eq!(up.trace_id.as_deref().map(str::len), Some(12));
    assert!(up.timestamp.is_some());
    let image_id = up.data.and_then(|d| d.image_id).expect("imageId");

    let env = daji_query(&h, &[("imageId", &image_id), ("pageSize", "10")]).await;
    assert_eq!(env.code, 200, "{:?}", env.message);
    let page = ResultPage::from_wire(env.data.expect("data"), 1, 10);
    assert_eq!(page.offers.len(), 10);
    assert_eq!(page.page_size, 10);
    assert_eq!(page.current_page, 1);
    assert!(page.total_records >= 10);
    assert_eq!(page.offers[0].offer_id.as_deref(), Some(id.as_str()));
    for offer in &page.offers {
        let oid = offer
            .offer_id
            .as_deref()
            .expect("every DajiSaaS offer has an id");
        assert!(oid.bytes().all(|b| b.is_ascii_digit()), "{oid}");
        assert_eq!(
            offer.link(),
            Some(format!("https://detail.1688.com/offer/{oid}.html"))
        );
        assert!(offer.price.is_some());
        assert!(!offer.title.is_empty());
        assert!(offer.offer_map_id.is_some());
    }

    // By picture link: `imageUrl` (the parameter DajiSaaS documents).
    let url = format!("{}/img/{id}.jpg", h.base_url());
    let env = daji_query(&h, &[("imageUrl", &url)]).await;
    assert_eq!(env.code, 200, "{:?}", env.message);
    let page = ResultPage::from_wire(env.data.expect("data"), 1, 20);
    assert_eq!(page.offers[0].offer_id.as_deref(), Some(id.as_str()));

    // Errors parse too, with no data.
    let env = daji_query(&h, &[("imageAddress", &url)]).await;
    assert_eq!(env.code, 400);
    assert_eq!(env.message.as_deref(), Some(tusou_sim::MSG_NO_IMAGE));
    assert!(env.data.is_none());
    h.forget_uploads();
    let env = daji_query(&h, &[("imageId", &image_id)]).await;
    assert_eq!(env.code, 400);
    assert_eq!(env.message.as_deref(), Some(tusou_sim::MSG_EXPIRED_ID));
    h.shutdown().await;
}

#[tokio::test]
async fn signed_header_replies_parse_in_the_client_types_without_offer_ids() {
    let h = start().await;
    let (id, b64) = photo_base64(9);
    let env = signed_query(
        &h,
        &json!({"imageBase64": b64, "beginPage": 1, "pageSize": 5, "country": "en"}),
    )
    .await;
    assert_eq!(env.code, 200, "{:?}", env.message);
    assert_eq!(env.message.as_deref(), Some("成功"));
    assert_eq!(env.trace_id.as_deref().map(str::len), Some(32));
    assert_eq!(env.develop_id.as_deref(), Some("1110890638347337996"));
    let page = ResultPage::from_wire(env.data.expect("data"), 1, 5);
    assert_eq!(page.offers.len(), 5);
    assert_eq!(page.page_size, 5);
    let first = page.offers[0].image_url.as_deref().expect("image url");
    let file = tusou_sim::catalog_picture_file(&config(), &id).expect("picture file");
    assert!(first.ends_with(&format!("/img/ibank/{file}")), "{first}");
    for offer in &page.offers {
        assert_eq!(offer.offer_id, None, "signed-header items carry no offerId");
        assert_eq!(offer.link(), None);
        assert!(offer.offer_map_id.is_some());
        assert!(offer.price.is_some());
    }

    let env = signed_query(&h, &json!({"imageAddress": "https://example.com/a.jpg"})).await;
    assert_eq!(env.code, 400);
    assert!(env.data.is_none());
    h.shutdown().await;
}
