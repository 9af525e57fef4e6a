//! The simulator against the providers' published examples, over loopback
//! HTTP. Signatures here are computed in the test itself with MD5 (not with
//! the simulator's `sign` module), from the rules in the documents.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use md5::{Digest, Md5};
use serde_json::{Value, json};
use tusou_sim::wire::{DAJI_ITEM_KEYS, SIGNED_ITEM_KEYS};
use tusou_sim::{FaultKind, SimConfig, SimCredentials, SimHandle};

/// Seed 000's `image_base64` example: a 176×68 PNG.
const SEED_PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAALAAAABECAMAAAAWak9jAAAAM1BMVEVHcEz/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QAD/QADMFfevAAAAEHRSTlMAv98g759AEGCAz3Awj1CvbIbrXAAABJFJREFUaN61mlmi4ygMRcM8GZv9r7aTflX9Amh00vyaY1+DEJLg8diby1d8MC2drZtq/Xg2Wy+H94zNmGc/a83Vjoek/RJBQLhWnxoM2ecMrz7vrWHfvuZ+PnBDoSOObn+6EYKPYMfWMtg1Az2HoQSoiPimBBUczYAaZBIO7jpGT9jsKog4jxsi2AXkjUDf5gfWLGyZcuIMa1dYcEPfp+j7r2Eej/tEviCzgRxDQF8XdmMcQ6lYSlTwMSDYWfxtZbOwwTTr7hJSwZTesS1jw31+m5QqJbJMMKnXJ405gp5QTjiR4ETp3RZ9WtZwiOnh4rIEKkF4kPgjKkgEQwtzVBPKs52OtuD/9m1XUd+tIaJA8D5hNpx4/DD9Xn8bx4pt50ZDVFawW920zWRg5LGZn1ZCRQjDEZkVbDRyl2URcWd7mzA/c1wxwYtBVMcFXMQe+P6iBBJ1mS6IaP0VdxpE8LKCAxuhZtget8k6PiDWJ++Ci1Lv9Pk1UA7g3OsJQvA8wDZ9T/DxAUEILmzgS9kwNcG/7zrVBCHYk1EOJ7gSHi99QOCCIxk0wG2gs9gQZXoCFWzUAzwzFh2u/hGBCZ6X3B8bSi7GeCTRqps2WoNtEHoCExy3/e83x/emRH6rG1cCQ1T/GYEJ7vOvuzX7qwUa6DkC9P0ZLKY1WCwfEojgKTIyUCjqT106BS8gPQELToJEYJikzSiBrIonDongQyJ4zyjX7WZv7QsEJDiPu4o7CUD+UU1AgssY/8cYw/5cS0CCg1AwEMQlPHFHCmFaAhJspIK3+iW57A1YPNQSkOAqFrwYxem1pSo9AQm2YsGzlbGLdfu+npAKNi265M7uiQqmwLks39cTQsE2ouXcjJcFWBvSE4hgct6XusyFFfb81WI8m/G4Y0EI2hUJBBfSD8H+1Je/A5M6NiV6Qia4054oglnrVELzoNXrCZkNeybIacBwLXY3/2F+3CVkgqHtse4m9j4mniy0m8ddQrZxJCYbMvsHCh3bp5uEbGuuXDZkt/kFjGhKhs6bhCz4CVxKb7fXBJER6QlZeNlBwXYVbJkT3bJ9Rk/ggk+9YPJ0CayM6AlccAR3MsokHJmGLcvUqwnLZc30+SxQFXPceG0ldacZ4cEJNszfl3VBOO5WQicFnxJCWkgJzPlL2woDQVJ4c0PhJViTiHRxuOzTOahtaykc1JsEVb20VPn98LvPr/S+Zfbx1BOU4GljDIkITAx0aOrITKjdJCjBDj/yOi1UfMpUlnB4ANET5JGBWYLrhFynseAfzifnS2bs7xKk4O0s2pScW7doYSJgN4y2G0MFIQpLkOd0supPRYzoJ9HOMZeKXrPQE6RgJypOHNo/fB8uPUEJniIgSTFU9ofvLlVPkIIFNcyuu3C0bRF6ghTMKg7K4vRex9ETpGDmDlHXXZrbfNc9ghS81Ae4Yv6zv9UWwPUEKfiRLuRNyN3hVIiblPkrhGEq3uDFVuI6zXam9xfp7jsEJ/h1GXl+oWWuL6e8/aMP59eIFn4bNm4plvC6SO6ruRp77/wFHC0Y+yJsNf0U3ClPkST+AWWTi8bFosw5AAAAAElFTkSuQmCC";

/// Seed 001's example request body, byte for byte.
const SEED_BODY: &str = "{\n\"imageBase64\": \"xxxx\",\n\"beginPage\": 1,\n\"pageSize\": 5,\n\"country\": \"en\",\n\"imageAddress\": \"https://cbu01.alicdn.com/img/ibank/O1CN01Gf8JoQ20i0lN5N8v2_!!2207943566882-0-cib.jpg\",\n\"outMemberId\": \"21000070000\"\n}";

/// Seed 001's example reply, byte for byte (for its shape).
const SEED_REPLY: &str = include_str!("fixtures/query_seed.json");

fn md5_upper(s: &str) -> String {
    Md5::digest(s.as_bytes())
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect()
}

fn config() -> SimConfig {
    SimConfig {
        catalog_size: 400,
        seed: 3,
        ..SimConfig::default()
    }
}

async fn start(config: SimConfig) -> SimHandle {
    tusou_sim::spawn(config, SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
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

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64
}

/// DajiSaaS `sign`, by the document: drop `sign` and empty values, sort by
/// name, `k=v` joined by `&`, `&secret=…`, MD5, upper-case hex.
fn daji_sign(params: &[(&str, &str)], secret: &str) -> String {
    let mut p: Vec<&(&str, &str)> = params
        .iter()
        .filter(|(k, v)| *k != "sign" && !v.is_empty())
        .collect();
    p.sort_by(|a, b| a.0.cmp(b.0));
    let joined: Vec<String> = p.iter().map(|(k, v)| format!("{k}={v}")).collect();
    md5_upper(&format!("{}&secret={secret}", joined.join("&")))
}

async fn upload(h: &SimHandle, b64: &str) -> Value {
    let c = SimCredentials::demo();
    let s = daji_sign(
        &[("appKey", &c.app_key), ("image_base64", b64)],
        &c.app_secret,
    );
    let form = reqwest::multipart::Form::new()
        .text("appKey", c.app_key.clone())
        .text("image_base64", b64.to_string())
        .text("sign", s);
    http()
        .post(format!("{}/alibaba/upload/image", h.base_url()))
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("JSON")
}

async fn daji_query(h: &SimHandle, params: &[(&str, &str)]) -> reqwest::Response {
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
}

async fn daji(h: &SimHandle, params: &[(&str, &str)]) -> Value {
    daji_query(h, params).await.json().await.expect("JSON")
}

async fn signed_raw(h: &SimHandle, body: &str, timestamp: &str) -> reqwest::Response {
    let c = SimCredentials::demo();
    let nonce = "abcdefghijklmnopqrstuvwxyz012345";
    let signature = md5_upper(&format!(
        "{}{timestamp}{nonce}{}",
        c.access_key, c.secret_key
    ));
    http()
        .post(format!("{}/v2/alibaba/product/image/query", h.base_url()))
        .header("access-key", &c.access_key)
        .header("nonce-str", nonce)
        .header("timestamp", timestamp)
        .header("user-id", &c.user_id)
        .header("signature", signature)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("query")
}

async fn signed(h: &SimHandle, body: &Value) -> Value {
    signed_raw(h, &body.to_string(), &now_ms().to_string())
        .await
        .json()
        .await
        .expect("JSON")
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
    k.sort();
    k
}

fn sorted(k: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// The offer that uploaded the picture file a result's
/// `/img/ibank/{file}` address names.
fn offer_of_picture(url: &str) -> String {
    let file = url
        .rsplit_once("/img/ibank/")
        .map(|(_, f)| f)
        .expect("simulator picture url");
    let c = config();
    tusou_sim::catalog::generate(c.seed, c.catalog_size)
        .into_iter()
        .find(|o| o.picture.file_name() == file)
        .map(|o| o.offer_id.to_string())
        .expect("a catalog picture")
}

#[tokio::test]
async fn seed_001_example_body_is_accepted_and_answers_in_the_seed_shape() {
    let h = start(config()).await;
    // Byte for byte: signature and body are accepted; the placeholder
    // "xxxx" (which wins over imageAddress) is no picture.
    let body: Value = signed_raw(&h, SEED_BODY, &now_ms().to_string())
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["code"], 400, "{body}");
    assert!(
        body["msg"].as_str().unwrap_or("").contains("WEBP"),
        "{body}"
    );
    assert_eq!(
        keys(&body),
        sorted(&["requestId", "code", "developId", "msg", "data"])
    );

    // The seed's body with a real picture in place of the placeholder.
    let id = tusou_sim::catalog_offer_ids(&config(), 3)[2].clone();
    let jpeg = tusou_sim::catalog_image(&config(), &id).expect("picture");
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(jpeg);
    let with_picture = SEED_BODY.replace("\"xxxx\"", &format!("\"{b64}\""));
    let body: Value = signed_raw(&h, &with_picture, &now_ms().to_string())
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["code"], 200, "{}", body["msg"]);
    let seed: Value = serde_json::from_str(SEED_REPLY).expect("seed reply");
    assert_eq!(keys(&body), keys(&seed));
    assert_eq!(keys(&body["data"]), keys(&seed["data"]));
    assert_eq!(body["data"]["pageSize"], 5);
    assert_eq!(body["data"]["currentPage"], 1);
    assert!(body["developId"].is_string());
    let rows = body["data"]["data"].as_array().expect("rows");
    assert_eq!(rows.len(), 5);
    for row in rows {
        assert_eq!(
            keys(row),
            keys(&seed["data"]["data"][0]),
            "exactly the seed's fields"
        );
        assert_eq!(keys(row), sorted(&SIGNED_ITEM_KEYS));
        assert_eq!(
            keys(&row["priceInfo"]),
            keys(&seed["data"]["data"][0]["priceInfo"])
        );
        assert!(row["monthSold"].is_u64());
        assert!(row["isJxhy"].is_boolean());
    }
    assert_eq!(
        offer_of_picture(rows[0]["imageUrl"].as_str().unwrap_or("")),
        id
    );

    // The seed's body without imageBase64: its alicdn imageAddress is used.
    let address_only = SEED_BODY.replace("\"imageBase64\": \"xxxx\",\n", "");
    let body: Value = signed_raw(&h, &address_only, &now_ms().to_string())
        .await
        .json()
        .await
        .expect("JSON");
    assert_eq!(body["code"], 200, "{}", body["msg"]);
    assert_eq!(body["data"]["data"].as_array().map(Vec::len), Some(5));
    h.shutdown().await;
}

#[tokio::test]
async fn seed_000_png_uploads_and_its_id_queries_in_the_seed_shape() {
    let h = start(config()).await;
    let up = upload(&h, SEED_PNG).await;
    assert_eq!(up["code"], 200, "{up}");
    assert_eq!(
        keys(&up),
        sorted(&["code", "message", "data", "timestamp", "traceId"])
    );
    assert_eq!(keys(&up["data"]), sorted(&["imageId"]));
    let image_id = up["data"]["imageId"]
        .as_str()
        .expect("imageId string")
        .to_string();
    assert!(up["timestamp"].is_u64());

    let body = daji(
        &h,
        &[
            ("imageId", &image_id),
            ("pageSize", "20"),
            ("country", "en"),
        ],
    )
    .await;
    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(body["message"], "操作成功");
    assert_eq!(
        keys(&body),
        sorted(&["code", "message", "data", "timestamp", "traceId"])
    );
    let rows = body["data"]["data"].as_array().expect("rows");
    assert_eq!(rows.len(), 20);
    for row in rows {
        assert_eq!(keys(row), sorted(&DAJI_ITEM_KEYS));
        assert!(row["offerId"].is_u64(), "offerId is a JSON number");
        assert!(row["isOnePsale"].is_boolean());
        assert!(row["sellerIdentities"].is_array());
        assert!(row["priceInfo"]["consignPrice"].is_string());
        assert_eq!(keys(&row["priceInfo"]).len(), 4);
    }
    // A region on the seed's 176×68 picture, in x1,x2,y1,y2 order.
    let body = daji(&h, &[("imageId", &image_id), ("region", "0,100,0,68")]).await;
    assert_eq!(body["code"], 200, "{body}");
    // Read as x1,y1,x2,y2 it would be wider than the picture is tall.
    let body = daji(&h, &[("imageId", &image_id), ("region", "0,0,100,68")]).await;
    assert_eq!(body["code"], 400);
    let body = daji(&h, &[("imageId", &image_id), ("region", "0,177,0,68")]).await;
    assert_eq!(body["code"], 400);
    assert!(
        body["message"].as_str().unwrap_or("").contains("176x68"),
        "{body}"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn dajisaas_picture_link_is_image_url_and_1688_only() {
    let h = start(config()).await;
    let id = tusou_sim::catalog_offer_ids(&config(), 1)[0].clone();
    let own = format!("{}/img/{id}.jpg", h.base_url());
    let body = daji(&h, &[("imageUrl", &own)]).await;
    assert_eq!(body["code"], 200, "{body}");
    assert_eq!(
        body["data"]["data"][0]["offerId"]
            .as_u64()
            .map(|n| n.to_string()),
        Some(id.clone())
    );
    // imageAddress is not a DajiSaaS parameter.
    let body = daji(&h, &[("imageAddress", &own)]).await;
    assert_eq!(body["code"], 400);
    assert_eq!(body["message"], tusou_sim::MSG_NO_IMAGE);
    assert_eq!(
        body["message"],
        "imageId和imageUrl不能同时为空 imageId or imageUrl is required"
    );
    for link in [
        "https://example.com/a.jpg",
        "http://10.0.0.1/img/1.jpg",
        "file:///etc/passwd",
    ] {
        let body = daji(&h, &[("imageUrl", link)]).await;
        assert_eq!(body["code"], 400, "{link}");
        assert_eq!(
            body["message"],
            "imageUrl仅支持1688图片链接 imageUrl must be a 1688 image link"
        );
    }
    let body = daji(
        &h,
        &[("imageUrl", "https://cbu01.alicdn.com/img/ibank/a.jpg")],
    )
    .await;
    assert_eq!(body["code"], 200, "{body}");
    // imageId wins over imageUrl.
    let body = daji(
        &h,
        &[("imageId", "1234567890123456789"), ("imageUrl", &own)],
    )
    .await;
    assert_eq!(body["code"], 400);
    assert_eq!(
        body["message"],
        "imageId不存在或已过期 imageId does not exist or has expired"
    );
    h.shutdown().await;
}

#[tokio::test]
async fn image_ids_expire_after_the_ttl_and_can_be_forgotten() {
    let h = start(SimConfig {
        id_ttl: Some(Duration::from_millis(700)),
        ..config()
    })
    .await;
    let up = upload(&h, SEED_PNG).await;
    let id = up["data"]["imageId"].as_str().expect("id").to_string();
    assert_eq!(daji(&h, &[("imageId", &id)]).await["code"], 200);
    tokio::time::sleep(Duration::from_millis(900)).await;
    let body = daji(&h, &[("imageId", &id)]).await;
    assert_eq!(body["code"], 400);
    assert_eq!(body["message"], tusou_sim::MSG_EXPIRED_ID);
    // A new upload brings it back; forget_uploads drops it at once.
    let again = upload(&h, SEED_PNG).await;
    assert_eq!(again["data"]["imageId"], id.as_str());
    assert_eq!(daji(&h, &[("imageId", &id)]).await["code"], 200);
    h.forget_uploads();
    assert_eq!(
        daji(&h, &[("imageId", &id)]).await["message"],
        tusou_sim::MSG_EXPIRED_ID
    );
    h.shutdown().await;
}

fn date_of(resp: &reqwest::Response) -> SystemTime {
    let dates: Vec<_> = resp.headers().get_all("date").iter().collect();
    assert_eq!(dates.len(), 1, "exactly one Date header");
    httpdate::parse_http_date(dates[0].to_str().expect("ascii")).expect("RFC 7231 date")
}

fn secs_apart(a: SystemTime, b: SystemTime) -> i64 {
    let s = |t: SystemTime| {
        t.duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0)
    };
    s(a) - s(b)
}

#[tokio::test]
async fn clock_offset_moves_date_timestamps_and_the_600_s_window() {
    let h = start(SimConfig {
        clock_offset_secs: 3600,
        ..config()
    })
    .await;
    // Date on every kind of reply: API, picture, 404.
    let resp = daji_query(&h, &[]).await;
    let shift = secs_apart(date_of(&resp), SystemTime::now());
    assert!((3595..=3605).contains(&shift), "{shift}");
    let body: Value = resp.json().await.expect("JSON");
    let ts_shift = body["timestamp"].as_u64().unwrap_or(0) as i64 / 1000 - now_ms() as i64 / 1000;
    assert!((3595..=3605).contains(&ts_shift), "{ts_shift}");
    let id = tusou_sim::catalog_offer_ids(&config(), 1)[0].clone();
    let img = http()
        .get(format!("{}/img/{id}.jpg", h.base_url()))
        .send()
        .await
        .expect("picture");
    assert!((3595..=3605).contains(&secs_apart(date_of(&img), SystemTime::now())));
    let missing = http()
        .get(format!("{}/nowhere", h.base_url()))
        .send()
        .await
        .expect("404");
    assert_eq!(missing.status(), 404);
    assert!((3595..=3605).contains(&secs_apart(date_of(&missing), SystemTime::now())));

    // The client's real-time timestamp is an hour off the server's clock.
    let body = signed(
        &h,
        &json!({"imageAddress": "https://cbu01.alicdn.com/a.jpg"}),
    )
    .await;
    assert_eq!(body["code"], 401);
    assert!(
        body["msg"]
            .as_str()
            .unwrap_or("")
            .contains("600 s from server time"),
        "{body}"
    );
    // A timestamp by the server's clock passes.
    let server_now = (now_ms() + 3_600_000).to_string();
    let body: Value = signed_raw(
        &h,
        r#"{"imageAddress":"https://cbu01.alicdn.com/a.jpg"}"#,
        &server_now,
    )
    .await
    .json()
    .await
    .expect("JSON");
    assert_eq!(body["code"], 200, "{body}");
    h.shutdown().await;

    // Without the knob, Date is the real time.
    let h = start(config()).await;
    let resp = daji_query(&h, &[]).await;
    assert!(secs_apart(date_of(&resp), SystemTime::now()).abs() <= 5);
    h.shutdown().await;
}

#[tokio::test]
async fn signed_header_items_have_exactly_the_seed_fields_and_filters_still_apply() {
    let h = start(config()).await;
    let id = tusou_sim::catalog_offer_ids(&config(), 2)[1].clone();
    let own = format!("{}/img/{id}.jpg", h.base_url());
    let body = signed(&h, &json!({"imageAddress": own, "pageSize": 50})).await;
    assert_eq!(body["code"], 200, "{body}");
    let all = body["data"]["totalRecords"].as_u64().expect("total");
    for row in body["data"]["data"].as_array().expect("rows") {
        assert_eq!(keys(row), sorted(&SIGNED_ITEM_KEYS));
    }
    // certifiedFactory is not on the wire, yet filters on the catalog's flag.
    let body = signed(
        &h,
        &json!({"imageAddress": own, "pageSize": 50, "filter": "certifiedFactory,someUnknownFlag"}),
    )
    .await;
    assert_eq!(body["code"], 200, "{body}");
    let few = body["data"]["totalRecords"].as_u64().expect("total");
    assert!(few > 0 && few < all / 2, "{few} of {all}");
    // A region in x1,x2,y1,y2 order on the 600×600 picture.
    let body = signed(
        &h,
        &json!({"imageAddress": own, "region": "100,500,50,550;0,10,0,10"}),
    )
    .await;
    assert_eq!(body["code"], 200, "{body}");
    for bad in [
        "100,50,50,550",
        "0,600,0,0",
        "0,601,0,600",
        "a,b,c,d",
        "1,2,3",
    ] {
        let body = signed(&h, &json!({"imageAddress": own, "region": bad})).await;
        assert_eq!(body["code"], 400, "{bad}: {body}");
        assert!(
            body["msg"].as_str().unwrap_or("").contains("region"),
            "{body}"
        );
    }
    // Wrong JSON types are a 400 (the seed types pageSize as integer).
    let body = signed(&h, &json!({"imageAddress": own, "pageSize": "5"})).await;
    assert_eq!(body["code"], 400);
    h.shutdown().await;
}

#[tokio::test]
async fn faults_can_be_changed_at_runtime_over_http_on_loopback() {
    let h = start(config()).await;
    let url = format!("{}/_sim/faults", h.base_url());
    let shown: Value = http()
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("JSON");
    assert_eq!(shown["faults"], json!([]));
    let resp = http()
        .post(&url)
        .body(r#"{"faults":["server-error"],"rate":1.0,"first":1,"latency_ms":10}"#)
        .send()
        .await
        .expect("post");
    assert_eq!(resp.status(), 200);
    let shown: Value = resp.json().await.expect("JSON");
    assert_eq!(shown["faults"], json!(["server-error"]));
    assert_eq!(h.faults().kinds, vec![FaultKind::ServerError]);
    assert!(daji_query(&h, &[]).await.status().is_server_error());
    assert_eq!(daji_query(&h, &[]).await.status(), 200, "first: 1");
    let shown: Value = http()
        .get(&url)
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("JSON");
    assert_eq!(shown["requests_since_set"], 2);
    for bad in [r#"{"faults":["nope"]}"#, r#"{"rate":7}"#, "not json"] {
        let resp = http().post(&url).body(bad).send().await.expect("post");
        assert_eq!(resp.status(), 400, "{bad}");
    }
    assert_eq!(
        h.faults().kinds,
        vec![FaultKind::ServerError],
        "bad updates change nothing"
    );
    h.shutdown().await;

    // Not served when bound beyond loopback.
    let wide = tusou_sim::spawn(config(), SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))
        .await
        .expect("starts");
    let resp = http()
        .get(format!("{}/_sim/faults", wide.base_url()))
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 404);
    wide.shutdown().await;
}
