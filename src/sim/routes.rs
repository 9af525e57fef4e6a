//! HTTP handlers: the two providers' endpoints, auth checks, parameter
//! validation, fault injection and request recording.

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine;
use futures::StreamExt;
use image::RgbImage;
use rand::Rng;
use serde_json::{Value, json};

use super::catalog::SearchQuery;
use super::faults::{FaultKind, TIMEOUT_SLEEP};
use super::similarity::Descriptor;
use super::{RecordedRequest, SimState, Uploaded, artwork};
use crate::api::models::{FilterFlag, MAX_PAGE_SIZE, Price, QueryBody, Sort, WirePage};
use crate::api::sign;

/// Largest decoded image the providers accept.
pub const MAX_IMAGE_BYTES: usize = 3 * 1024 * 1024;
/// Largest request body read; above the image cap so that an oversized image
/// gets the provider's own "too large" message rather than a bare 413.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Side of the thumbnail kept per upload, for `region` crops later.
const UPLOAD_THUMB: u32 = 48;
/// Size of the catalog pictures served at `/img/{id}.jpg`.
pub const CATALOG_IMAGE_SIDE: u32 = 600;
/// The signed-header provider's developer id, a string as in the seed.
const DEVELOP_ID: &str = "1110890638347337996";
/// Allowed clock skew of the signed-header `timestamp`.
const MAX_SKEW_MS: u64 = 600_000;

pub const MSG_BUSY: &str = "系统繁忙，请稍后再试";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Provider {
    Daji,
    Signed,
}

/// A business error: HTTP 200 with this `code` and message in the envelope.
#[derive(Debug)]
struct ApiErr {
    code: i64,
    msg: String,
}

fn bad(msg: impl Into<String>) -> ApiErr {
    ApiErr {
        code: 400,
        msg: msg.into(),
    }
}

fn denied(msg: impl Into<String>) -> ApiErr {
    ApiErr {
        code: 401,
        msg: msg.into(),
    }
}

type Outcome = Result<Value, ApiErr>;

pub fn router(state: Arc<SimState>) -> Router {
    Router::new()
        .route("/alibaba/upload/image", post(daji_upload))
        .route("/alibaba/product/imageQuery", get(daji_query))
        .route("/v2/alibaba/product/image/query", post(signed_query))
        .route("/img/{file}", get(catalog_image))
        .fallback(not_found)
        // Multipart and body reads default to 2 MB; a 3 MB image is 4 MB of base64.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

fn envelope(provider: Provider, code: i64, msg: &str, data: Value) -> Value {
    match provider {
        Provider::Daji => json!({
            "code": code,
            "message": msg,
            "data": data,
            "timestamp": now_ms(),
            "traceId": random_hex(12),
        }),
        Provider::Signed => json!({
            "requestId": random_hex(32),
            "code": code,
            "developId": DEVELOP_ID,
            "msg": msg,
            "data": data,
        }),
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn outcome_body(provider: Provider, outcome: Outcome) -> Value {
    match outcome {
        Ok(data) => {
            let msg = if provider == Provider::Daji {
                "操作成功"
            } else {
                "成功"
            };
            envelope(provider, 200, msg, data)
        }
        Err(e) => envelope(provider, e.code, &e.msg, Value::Null),
    }
}

/// Values kept in the request log: images cut to 64 characters, anything
/// else to 1,024, so the log stays small.
fn record_value(name: &str, value: &str) -> String {
    let limit = if name == "image_base64" || name == "imageBase64" {
        64
    } else {
        1024
    };
    value.chars().take(limit).collect()
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// What every request leaves behind, filled in as it is handled.
struct Trace {
    started: Instant,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    fields: Vec<(String, String)>,
}

impl Trace {
    fn new(req: &Request) -> Trace {
        Trace {
            started: Instant::now(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            headers: header_pairs(req.headers()),
            fields: Vec::new(),
        }
    }

    fn set_fields(&mut self, fields: &[(String, String)]) {
        self.fields = fields
            .iter()
            .map(|(k, v)| (k.clone(), record_value(k, v)))
            .collect();
    }

    fn finish(self, state: &SimState, response: Response) -> Response {
        let status = response.status().as_u16();
        // Path only: the query string carries the sign.
        tracing::info!(
            method = %self.method,
            path = %self.path,
            status,
            latency_ms = self.started.elapsed().as_millis() as u64,
            "sim request"
        );
        state.record(RecordedRequest {
            method: self.method,
            path: self.path,
            headers: self.headers,
            fields: self.fields,
            status,
        });
        response
    }
}

/// Sleeps unless the server shuts down first.
async fn pause(state: &SimState, d: Duration) {
    if d.is_zero() {
        return;
    }
    let mut stop = state.shutdown.clone();
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stop.wait_for(|v| *v) => {}
    }
}

/// Applies latency and any injected fault around the real handling.
async fn run_api<F>(state: &SimState, provider: Provider, logic: F) -> Response
where
    F: Future<Output = Outcome>,
{
    let (fault, latency, retry_after) = state.next_fault();
    pause(state, latency).await;
    match fault {
        None => json_response(StatusCode::OK, &outcome_body(provider, logic.await)),
        Some(FaultKind::RateLimit) => {
            let body = envelope(
                provider,
                429,
                "请求过于频繁，请稍后再试 too many requests",
                Value::Null,
            );
            let mut resp = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            resp
        }
        Some(FaultKind::ServerError) => server_error(),
        Some(FaultKind::MalformedJson) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
            r#"{"code":200,"message":"操作成功",data:{totalRecords:NaN,"data":[{"subject":}]"#,
        )
            .into_response(),
        Some(FaultKind::TruncatedBody) => {
            let full = outcome_body(provider, logic.await).to_string().into_bytes();
            truncated(full)
        }
        Some(FaultKind::CodeError) => json_response(
            StatusCode::OK,
            &envelope(provider, 500, MSG_BUSY, Value::Null),
        ),
        Some(FaultKind::Timeout) => {
            pause(state, TIMEOUT_SLEEP).await;
            json_response(StatusCode::OK, &outcome_body(provider, logic.await))
        }
    }
}

fn server_error() -> Response {
    match rand::rng().random_range(0..3) {
        0 => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"status":500,"error":"Internal Server Error","message":"No message available"}"#,
        )
            .into_response(),
        1 => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        )
            .into_response(),
        _ => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/html")],
            "<html>\r\n<head><title>503 Service Temporarily Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Temporarily Unavailable</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        )
            .into_response(),
    }
}

/// Announces the full length, sends half, then fails the stream so the
/// connection drops mid-body, as a dying upstream does.
fn truncated(full: Vec<u8>) -> Response {
    let len = full.len();
    let half = Bytes::from(full).slice(..len / 2);
    // The pause lets the headers and the first half reach the client before
    // the failure tears the connection down.
    let chunks = futures::stream::unfold(Some(half), |pending| async move {
        match pending {
            Some(half) => Some((Ok(half), None)),
            None => {
                tokio::time::sleep(Duration::from_millis(100)).await;
                None
            }
        }
    })
    .chain(futures::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected truncation",
        ))
    }));
    let mut resp = Response::new(Body::from_stream(chunks));
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

async fn not_found(req: Request) -> Response {
    let _ = req;
    (StatusCode::NOT_FOUND, "404 page not found").into_response()
}

// ---------------------------------------------------------------------------
// Auth
// ---------------------------------------------------------------------------

fn first<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Present and non-empty.
fn given<'a>(fields: &'a [(String, String)], name: &str) -> Option<&'a str> {
    first(fields, name).filter(|v| !v.trim().is_empty())
}

fn check_daji(state: &SimState, fields: &[(String, String)]) -> Result<(), ApiErr> {
    let creds = &state.credentials;
    let app_key = given(fields, "appKey").ok_or_else(|| denied("缺少appKey参数 missing appKey"))?;
    if !sign::signatures_match(app_key, &creds.app_key) {
        return Err(denied("appKey不存在或已停用 invalid appKey"));
    }
    // Debug mode: the secret itself stands in for a signature.
    if let Some(secret) = given(fields, "appSecret") {
        return if sign::signatures_match(secret, &creds.app_secret) {
            Ok(())
        } else {
            Err(denied("appSecret错误 invalid appSecret"))
        };
    }
    let sent = given(fields, "sign").ok_or_else(|| denied("缺少sign参数 missing sign"))?;
    let expected = sign::dajisaas_sign(
        fields.iter().map(|(k, v)| (k.as_str(), Some(v.as_str()))),
        &creds.app_secret,
    );
    if sign::signatures_match(&sent.to_ascii_uppercase(), &expected) {
        Ok(())
    } else {
        Err(denied("签名校验失败 sign verification failed"))
    }
}

fn check_signed_headers(state: &SimState, headers: &HeaderMap) -> Result<(), ApiErr> {
    let creds = &state.credentials;
    let get = |name: &'static str| -> Result<&str, ApiErr> {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| denied(format!("缺少请求头{name} missing header: {name}")))
    };
    let access_key = get("access-key")?;
    let timestamp = get("timestamp")?;
    let user_id = get("user-id")?;
    let signature = get("signature")?;
    // The seed marks nonce-str optional; absent, it signs as empty.
    let nonce = headers
        .get("nonce-str")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !sign::signatures_match(access_key, &creds.access_key) {
        return Err(denied("access-key无效 invalid access-key"));
    }
    if user_id != creds.user_id {
        return Err(denied(
            "user-id与access-key不匹配 user-id does not match access-key",
        ));
    }
    let ts: u64 = timestamp
        .parse()
        .map_err(|_| denied("timestamp格式错误 invalid timestamp"))?;
    // Values below 10^11 are seconds (10^11 ms is in 1973).
    let ts_ms = if ts < 100_000_000_000 {
        ts.saturating_mul(1000)
    } else {
        ts
    };
    if now_ms().abs_diff(ts_ms) > MAX_SKEW_MS {
        return Err(denied(
            "请求已过期，timestamp与服务器时间相差超过10分钟 request expired: timestamp is more than 600 s from server time",
        ));
    }
    let expected = sign::header_signature(access_key, timestamp, nonce, &creds.secret_key);
    if sign::signatures_match(&signature.to_ascii_uppercase(), &expected) {
        Ok(())
    } else {
        Err(denied("签名校验失败 signature verification failed"))
    }
}

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------

/// Decodes a base64 image and applies the provider's size and format rules.
fn decode_base64_image(raw: &str) -> Result<Vec<u8>, ApiErr> {
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    // Tolerate a data-URL prefix and line breaks, as many clients send them.
    let body = match raw.split_once(";base64,") {
        Some((prefix, rest)) if prefix.starts_with("data:") => rest,
        _ => raw,
    };
    let compact: String = body.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    if compact.is_empty() {
        return Err(bad("图片base64不能为空 image base64 is empty"));
    }
    // Reject before decoding anything absurdly large.
    if compact.len() / 4 * 3 > MAX_IMAGE_BYTES + 3 {
        return Err(bad("图片大小不能超过3MB image exceeds 3 MB"));
    }
    let bytes = LENIENT
        .decode(compact.as_bytes())
        .map_err(|_| bad("图片base64解码失败 invalid image base64"))?;
    if bytes.len() > MAX_IMAGE_BYTES {
        return Err(bad("图片大小不能超过3MB image exceeds 3 MB"));
    }
    let is_jpeg = bytes.starts_with(&[0xFF, 0xD8, 0xFF]);
    let is_png = bytes.starts_with(b"\x89PNG\r\n\x1a\n");
    let is_webp = bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP";
    if !(is_jpeg || is_png || is_webp) {
        return Err(bad(
            "图片格式不支持，仅支持JPG、PNG、WEBP unsupported image format: only JPG, PNG and WEBP are accepted",
        ));
    }
    Ok(bytes)
}

/// Decodes image bytes with limits, off the async threads.
async fn decode_image(bytes: Vec<u8>) -> Result<RgbImage, ApiErr> {
    let decoded = tokio::task::spawn_blocking(move || {
        let mut reader = image::ImageReader::new(Cursor::new(bytes)).with_guessed_format()?;
        let mut limits = image::Limits::default();
        limits.max_image_width = Some(12_000);
        limits.max_image_height = Some(12_000);
        limits.max_alloc = Some(256 * 1024 * 1024);
        reader.limits(limits);
        Ok::<_, anyhow::Error>(reader.decode()?.to_rgb8())
    })
    .await;
    match decoded {
        Ok(Ok(img)) if img.width() > 0 && img.height() > 0 => Ok(img),
        _ => Err(bad("图片解析失败 image could not be decoded")),
    }
}

/// Parses `region` ("x1,y1,x2,y2" in pixels) against an image of the given
/// size; answers the box clipped to the image, or None when absent.
fn parse_region(region: Option<&str>, w: u32, h: u32) -> Result<Option<[u32; 4]>, ApiErr> {
    let Some(region) = region.map(str::trim).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let invalid = || {
        bad(
            "region参数错误，格式为x1,y1,x2,y2 invalid region: expected x1,y1,x2,y2 inside the image",
        )
    };
    let nums: Vec<u32> = region
        .split(',')
        .map(|p| p.trim().parse::<u32>())
        .collect::<Result<_, _>>()
        .map_err(|_| invalid())?;
    let [x1, y1, x2, y2] = nums[..] else {
        return Err(invalid());
    };
    let (x2, y2) = (x2.min(w), y2.min(h));
    if x1 >= x2 || y1 >= y2 {
        return Err(invalid());
    }
    Ok(Some([x1, y1, x2, y2]))
}

fn crop(img: &RgbImage, [x1, y1, x2, y2]: [u32; 4]) -> RgbImage {
    image::imageops::crop_imm(img, x1, y1, x2 - x1, y2 - y1).to_image()
}

/// The catalog offer named by a simulator image URL on any host and port.
fn offer_id_from_address(address: &str) -> Option<u64> {
    let rest = address
        .strip_prefix("http://")
        .or_else(|| address.strip_prefix("https://"))?;
    let path = &rest[rest.find('/')?..];
    let path = path.split(['?', '#']).next()?;
    let id = path.strip_prefix("/img/")?.strip_suffix(".jpg")?;
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    id.parse().ok()
}

// ---------------------------------------------------------------------------
// Query parameters, shared by both providers
// ---------------------------------------------------------------------------

/// Where the query's picture comes from.
enum Source {
    UploadId(String),
    Base64(String),
    Address(String),
}

/// Query parameters as text, before validation.
#[derive(Default)]
struct RawParams {
    begin_page: Option<String>,
    page_size: Option<String>,
    price_start: Option<String>,
    price_end: Option<String>,
    sort: Option<String>,
    filter: Option<String>,
    category_id: Option<String>,
    region: Option<String>,
}

struct Params {
    begin_page: u64,
    page_size: u64,
    price_start: Option<Price>,
    price_end: Option<Price>,
    sort: Option<Sort>,
    filters: Vec<FilterFlag>,
    category_id: Option<u64>,
    region: Option<String>,
}

fn nonempty(v: Option<String>) -> Option<String> {
    v.filter(|s| !s.trim().is_empty())
}

impl RawParams {
    fn validate(self) -> Result<Params, ApiErr> {
        let begin_page = match nonempty(self.begin_page) {
            None => 1,
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&p| p >= 1)
                .ok_or_else(|| {
                    bad("beginPage必须为大于0的整数 beginPage must be an integer >= 1")
                })?,
        };
        let page_size = match nonempty(self.page_size) {
            None => 20,
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=u64::from(MAX_PAGE_SIZE)).contains(p))
                .ok_or_else(|| bad("pageSize取值范围为1-50 pageSize must be between 1 and 50"))?,
        };
        let price = |v: Option<String>, name: &str| -> Result<Option<Price>, ApiErr> {
            nonempty(v)
                .map(|s| {
                    s.parse::<Price>()
                        .map_err(|_| bad(format!("{name}价格格式错误 {name} is not a valid price")))
                })
                .transpose()
        };
        let price_start = price(self.price_start, "priceStart")?;
        let price_end = price(self.price_end, "priceEnd")?;
        let sort = nonempty(self.sort)
            .map(|s| {
                Sort::from_wire(&s).ok_or_else(|| {
                    bad(r#"sort参数格式错误 invalid sort: expected e.g. {"price":"asc"}"#)
                })
            })
            .transpose()?;
        let filters = self
            .filter
            .as_deref()
            .map(FilterFlag::parse_list)
            .unwrap_or_default();
        let category_id = nonempty(self.category_id)
            .map(|s| {
                s.trim()
                    .parse::<u64>()
                    .map_err(|_| bad("categoryId格式错误 categoryId must be a number"))
            })
            .transpose()?;
        Ok(Params {
            begin_page,
            page_size,
            price_start,
            price_end,
            sort,
            filters,
            category_id,
            region: nonempty(self.region),
        })
    }
}

/// Resolves the source to a descriptor (cropping to `region` if given), then
/// searches and builds the page object.
async fn search(state: &SimState, source: Source, params: Params) -> Outcome {
    let catalog = state.catalog().await.ok_or_else(|| ApiErr {
        code: 500,
        msg: MSG_BUSY.to_string(),
    })?;
    let region = params.region.as_deref();
    let descriptor: Descriptor = match source {
        Source::UploadId(id) => {
            let up = state
                .upload(&id)
                .ok_or_else(|| bad("imageId不存在或已过期 unknown or expired imageId"))?;
            match parse_region(region, up.width, up.height)? {
                None => up.descriptor.clone(),
                Some([x1, y1, x2, y2]) => {
                    // Map the box from original pixels onto the thumbnail.
                    let sx = |x: u32| {
                        (u64::from(x) * u64::from(UPLOAD_THUMB) / u64::from(up.width)) as u32
                    };
                    let sy = |y: u32| {
                        (u64::from(y) * u64::from(UPLOAD_THUMB) / u64::from(up.height)) as u32
                    };
                    let (a, b) = (sx(x1), sy(y1));
                    let (c, d) = (sx(x2).max(a + 1), sy(y2).max(b + 1));
                    Descriptor::of_image(&crop(
                        &up.thumb,
                        [a, b, c.min(UPLOAD_THUMB), d.min(UPLOAD_THUMB)],
                    ))
                }
            }
        }
        Source::Base64(b64) => {
            let bytes = decode_base64_image(&b64)?;
            let img = decode_image(bytes).await?;
            match parse_region(region, img.width(), img.height())? {
                None => Descriptor::of_image(&img),
                Some(r) => Descriptor::of_image(&crop(&img, r)),
            }
        }
        Source::Address(address) => {
            let failed = || bad("图片下载失败 failed to download image");
            let offer = offer_id_from_address(&address)
                .and_then(|id| catalog.get(id))
                .ok_or_else(failed)?;
            match parse_region(region, CATALOG_IMAGE_SIDE, CATALOG_IMAGE_SIDE)? {
                None => catalog
                    .descriptor(offer.offer_id)
                    .cloned()
                    .ok_or_else(failed)?,
                Some(r) => {
                    let art = offer.art;
                    let img = tokio::task::spawn_blocking(move || {
                        artwork::render(&art, CATALOG_IMAGE_SIDE)
                    })
                    .await
                    .map_err(|_| failed())?;
                    Descriptor::of_image(&crop(&img, r))
                }
            }
        }
    };
    let query = SearchQuery {
        descriptor: &descriptor,
        begin_page: params.begin_page,
        page_size: params.page_size,
        price_start: params.price_start,
        price_end: params.price_end,
        filters: params.filters,
        sort: params.sort,
        category_id: params.category_id,
    };
    let (total, rows) = catalog.search_capped(&query, state.max_results);
    let page = WirePage {
        total_records: Some(total),
        total_page: Some(total.div_ceil(params.page_size)),
        page_size: Some(params.page_size),
        current_page: Some(params.begin_page),
        data: rows.iter().map(|o| o.to_wire(&state.base_url)).collect(),
    };
    serde_json::to_value(page).map_err(|_| ApiErr {
        code: 500,
        msg: MSG_BUSY.to_string(),
    })
}

// ---------------------------------------------------------------------------
// Handlers
// ---------------------------------------------------------------------------

async fn read_multipart(req: Request) -> Result<Vec<(String, String)>, ApiErr> {
    let malformed =
        || bad("请求格式错误，需要multipart/form-data malformed multipart/form-data body");
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| malformed())?;
    let mut fields = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let value = field.text().await.map_err(|_| malformed())?;
                fields.push((name, value));
            }
            Ok(None) => return Ok(fields),
            Err(_) => return Err(malformed()),
        }
    }
}

async fn daji_upload(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let parsed = read_multipart(req).await;
    if let Ok(fields) = &parsed {
        trace.set_fields(fields);
    }
    let resp = run_api(&state, Provider::Daji, async {
        let fields = parsed?;
        check_daji(&state, &fields)?;
        let raw = first(&fields, "image_base64")
            .ok_or_else(|| bad("image_base64不能为空 image_base64 is required"))?;
        let bytes = decode_base64_image(raw)?;
        let id = image_id(&bytes);
        let img = decode_image(bytes).await?;
        let upload = tokio::task::spawn_blocking(move || Uploaded {
            descriptor: Descriptor::of_image(&img),
            thumb: image::imageops::thumbnail(&img, UPLOAD_THUMB, UPLOAD_THUMB),
            width: img.width(),
            height: img.height(),
        })
        .await
        .map_err(|_| bad("图片解析失败 image could not be decoded"))?;
        state.remember_upload(id.clone(), upload);
        Ok(json!({ "imageId": id }))
    })
    .await;
    trace.finish(&state, resp)
}

/// A 19-digit numeric id derived from the image bytes: same picture, same id.
fn image_id(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(bytes);
    let mut first8 = [0u8; 8];
    first8.copy_from_slice(&digest[..8]);
    let n = u64::from_le_bytes(first8) % 9_000_000_000_000_000_000;
    (1_000_000_000_000_000_000 + n).to_string()
}

async fn daji_query(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let parsed = Query::<Vec<(String, String)>>::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .map_err(|_| bad("参数格式错误 malformed query string"));
    if let Ok(fields) = &parsed {
        trace.set_fields(fields);
    }
    let resp = run_api(&state, Provider::Daji, async {
        let fields = parsed?;
        check_daji(&state, &fields)?;
        let get = |n: &str| given(&fields, n).map(str::to_string);
        let source = match (get("imageId"), get("imageAddress")) {
            (Some(id), _) => Source::UploadId(id.trim().to_string()),
            (None, Some(address)) => Source::Address(address),
            (None, None) => {
                return Err(bad(
                    "imageId和imageAddress不能同时为空 imageId or imageAddress is required",
                ));
            }
        };
        let params = RawParams {
            begin_page: get("beginPage"),
            page_size: get("pageSize"),
            price_start: get("priceStart"),
            price_end: get("priceEnd"),
            sort: get("sort"),
            filter: get("filter"),
            category_id: get("categoryId"),
            region: get("region"),
        }
        .validate()?;
        search(&state, source, params).await
    })
    .await;
    trace.finish(&state, resp)
}

async fn signed_query(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES).await;
    let parsed: Result<serde_json::Map<String, Value>, ApiErr> = match body {
        Err(_) => Err(bad("请求体过大 request body too large")),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(bad(
                "请求体不是合法的JSON对象 request body is not a JSON object",
            )),
        },
    };
    if let Ok(map) = &parsed {
        let fields: Vec<(String, String)> = map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect();
        trace.set_fields(&fields);
    }
    let resp = run_api(&state, Provider::Signed, async {
        let map = parsed?;
        check_signed_headers(&state, &headers)?;
        let body: QueryBody = serde_json::from_value(Value::Object(map))
            .map_err(|e| bad(format!("参数类型错误 invalid parameter type: {e}")))?;
        let source = match (nonempty(body.image_base64), nonempty(body.image_address)) {
            (Some(b64), _) => Source::Base64(b64),
            (None, Some(address)) => Source::Address(address),
            (None, None) => {
                return Err(bad(
                    "imageBase64和imageAddress不能同时为空 imageBase64 or imageAddress is required",
                ));
            }
        };
        let params = RawParams {
            begin_page: body.begin_page.map(|v| v.to_string()),
            page_size: body.page_size.map(|v| v.to_string()),
            price_start: body.price_start,
            price_end: body.price_end,
            sort: body.sort,
            filter: body.filter,
            category_id: body.category_id.map(|v| v.to_string()),
            region: body.region,
        }
        .validate()?;
        search(&state, source, params).await
    })
    .await;
    trace.finish(&state, resp)
}

async fn catalog_image(
    State(state): State<Arc<SimState>>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let trace = Trace::new(&req);
    // Images are CDN-fast: a third of the API latency.
    let latency = state.latency() / 3;
    pause(&state, latency).await;
    let offer_id = file
        .strip_suffix(".jpg")
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse::<u64>().ok());
    let resp = match offer_id {
        None => not_found_image(),
        Some(id) => match state.image_jpeg(id).await {
            Some(bytes) => (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "image/jpeg"),
                    (header::CACHE_CONTROL, "public, max-age=86400"),
                ],
                bytes,
            )
                .into_response(),
            None => not_found_image(),
        },
    };
    trace.finish(&state, resp)
}

fn not_found_image() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain")],
        "404 Not Found",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_parsing_accepts_any_host_and_rejects_others() {
        assert_eq!(
            offer_id_from_address("http://127.0.0.1:9/img/512345678901.jpg"),
            Some(512345678901)
        );
        assert_eq!(
            offer_id_from_address("https://example.com/img/5.jpg?x=1"),
            Some(5)
        );
        assert_eq!(
            offer_id_from_address("https://cbu01.alicdn.com/a.jpg"),
            None
        );
        assert_eq!(offer_id_from_address("ftp://x/img/5.jpg"), None);
        assert_eq!(offer_id_from_address("http://x/img/.jpg"), None);
    }

    #[test]
    fn region_validation() {
        assert!(parse_region(None, 10, 10).unwrap().is_none());
        assert_eq!(
            parse_region(Some("1,2,8,9"), 10, 10).unwrap(),
            Some([1, 2, 8, 9])
        );
        assert_eq!(
            parse_region(Some("0,0,50,50"), 10, 10).unwrap(),
            Some([0, 0, 10, 10])
        );
        for bad in ["1,2,3", "a,b,c,d", "5,5,5,9", "20,20,30,30", "-1,0,5,5"] {
            assert!(parse_region(Some(bad), 10, 10).is_err(), "{bad}");
        }
    }

    #[test]
    fn base64_rules() {
        use base64::engine::general_purpose::STANDARD;
        let png = STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
        assert!(decode_base64_image(&png).is_ok());
        assert!(decode_base64_image(&format!("data:image/png;base64,{png}")).is_ok());
        assert_eq!(decode_base64_image("!!!").err().map(|e| e.code), Some(400));
        let gif = STANDARD.encode(b"GIF89a.....");
        assert!(decode_base64_image(&gif).err().unwrap().msg.contains("JPG"));
        let huge = STANDARD.encode(vec![0xFFu8; MAX_IMAGE_BYTES + 10]);
        assert!(
            decode_base64_image(&huge)
                .err()
                .unwrap()
                .msg
                .contains("3MB")
        );
    }

    #[test]
    fn image_ids_are_19_digits_and_deterministic() {
        let a = image_id(b"abc");
        assert_eq!(a.len(), 19);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(a, image_id(b"abc"));
        assert_ne!(a, image_id(b"abd"));
    }
}
