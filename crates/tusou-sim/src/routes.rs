//! HTTP handlers: the two providers' endpoints, auth checks, parameter
//! validation, fault injection, request recording, the `Date` header by the
//! simulator's clock, and the runtime fault control.

use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
use serde::Serialize;
use serde_json::Value;

use crate::catalog::{Catalog, SearchQuery};
use crate::control::{self, FaultsUpdate};
use crate::faults::{FaultKind, TIMEOUT_SLEEP};
use crate::region::{self, Region};
use crate::sign;
use crate::similarity::Descriptor;
use crate::text::clean;
use crate::wire::{
    DEFAULT_PAGE_SIZE, DajiEnvelope, FilterFlag, MAX_PAGE_SIZE, Page, Price, SignedEnvelope,
    SignedQueryBody, Sort, UploadData,
};
use crate::{RecordedRequest, SimState, Uploaded, artwork, lock};

/// Largest decoded image the providers accept.
pub const MAX_IMAGE_BYTES: usize = 3 * 1024 * 1024;
/// Largest request body read; above the image cap so that an oversized image
/// gets the provider's own "too large" message rather than a bare 413.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Longest side of the thumbnail kept per upload, for `region` crops later.
pub(crate) const UPLOAD_THUMB: u32 = 64;
/// Size of the catalog pictures served at `/img/{id}.jpg`.
pub const CATALOG_IMAGE_SIDE: u32 = 600;
/// The signed-header provider's developer id, a string as in the seed.
const DEVELOP_ID: &str = "1110890638347337996";
/// Allowed clock skew of the signed-header `timestamp`.
const MAX_SKEW_MS: u64 = 600_000;

pub const MSG_BUSY: &str = "系统繁忙，请稍后再试";
/// Code 400: a query by an `imageId` the simulator does not know (never
/// uploaded, expired, or forgotten on restart). Clients match on this text.
pub const MSG_EXPIRED_ID: &str = "imageId不存在或已过期 imageId does not exist or has expired";
/// Code 400: a DajiSaaS query names no picture.
pub const MSG_NO_IMAGE: &str = "imageId和imageUrl不能同时为空 imageId or imageUrl is required";
/// Code 400: a DajiSaaS `imageUrl` that is not a 1688 picture link.
pub const MSG_BAD_IMAGE_URL: &str = "imageUrl仅支持1688图片链接 imageUrl must be a 1688 image link";
/// Code 400: a signed-header `imageAddress` that is not a 1688 picture link.
pub const MSG_BAD_IMAGE_ADDRESS: &str =
    "imageAddress仅支持1688图片链接 imageAddress must be a 1688 image link";
const MSG_NO_IMAGE_SIGNED: &str =
    "imageBase64和imageAddress不能同时为空 imageBase64 or imageAddress is required";
const MSG_DOWNLOAD_FAILED: &str = "图片下载失败 failed to download image";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
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

fn busy() -> ApiErr {
    ApiErr {
        code: 500,
        msg: MSG_BUSY.to_string(),
    }
}

type Outcome = Result<Value, ApiErr>;

pub(crate) fn router(state: Arc<SimState>, control: bool) -> Router {
    let mut router = Router::new()
        .route("/alibaba/upload/image", post(daji_upload))
        .route("/alibaba/product/imageQuery", get(daji_query))
        .route("/v2/alibaba/product/image/query", post(signed_query))
        .route("/img/{file}", get(catalog_image));
    if control {
        router = router.route("/_sim/faults", get(get_faults).post(set_faults));
    }
    router
        .fallback(not_found)
        // Multipart and body reads default to 2 MB; a 3 MB image is 4 MB of base64.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&state),
            add_date,
        ))
        .with_state(state)
}

/// Every reply carries the simulator's own `Date` (by its possibly shifted
/// clock); hyper then adds none of its own.
async fn add_date(State(state): State<Arc<SimState>>, mut response: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&state.clock.http_date()) {
        response.headers_mut().insert(header::DATE, v);
    }
    response
}

fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

fn envelope(state: &SimState, provider: Provider, code: i64, msg: &str, data: Value) -> Value {
    let data = (!data.is_null()).then_some(data);
    let built = match provider {
        Provider::Daji => serde_json::to_value(DajiEnvelope {
            code,
            message: msg.to_string(),
            data,
            timestamp: state.clock.now_ms(),
            trace_id: random_hex(12),
        }),
        Provider::Signed => serde_json::to_value(SignedEnvelope {
            request_id: random_hex(32),
            code,
            develop_id: DEVELOP_ID.to_string(),
            msg: msg.to_string(),
            data,
        }),
    };
    built.unwrap_or(Value::Null)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json;charset=UTF-8")],
        body.to_string(),
    )
        .into_response()
}

fn outcome_body(state: &SimState, provider: Provider, outcome: Outcome) -> Value {
    match outcome {
        Ok(data) => {
            let msg = if provider == Provider::Daji {
                "操作成功"
            } else {
                "成功"
            };
            envelope(state, provider, 200, msg, data)
        }
        Err(e) => envelope(state, provider, e.code, &e.msg, Value::Null),
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
        // Path only (the query string carries the sign), sanitised and cut:
        // it is text from the request.
        tracing::info!(
            method = %clean(&self.method, 16),
            path = %clean(&self.path, 200),
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
        None => json_response(StatusCode::OK, &outcome_body(state, provider, logic.await)),
        Some(FaultKind::RateLimit) => {
            let body = envelope(
                state,
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
            let full = outcome_body(state, provider, logic.await)
                .to_string()
                .into_bytes();
            truncated(full)
        }
        Some(FaultKind::ResetMidBody) => {
            let full = outcome_body(state, provider, logic.await)
                .to_string()
                .into_bytes();
            reset_mid_body(full)
        }
        Some(FaultKind::CodeError) => json_response(
            StatusCode::OK,
            &envelope(state, provider, 500, MSG_BUSY, Value::Null),
        ),
        Some(FaultKind::Timeout) => {
            pause(state, TIMEOUT_SLEEP).await;
            json_response(StatusCode::OK, &outcome_body(state, provider, logic.await))
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

/// Sends the first third of the body chunked (no length announced), then
/// fails the stream: the connection is torn down with no terminating chunk,
/// so the client sees the reply end mid-body without knowing its size.
fn reset_mid_body(full: Vec<u8>) -> Response {
    let len = full.len();
    let part = Bytes::from(full).slice(..len / 3);
    let chunks = futures::stream::unfold(Some(part), |pending| async move {
        match pending {
            Some(part) => Some((Ok(part), None)),
            None => {
                tokio::time::sleep(Duration::from_millis(20)).await;
                None
            }
        }
    })
    .chain(futures::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected connection reset",
        ))
    }));
    let mut resp = Response::new(Body::from_stream(chunks));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
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
    if !sign::constant_time_eq(app_key, &creds.app_key) {
        return Err(denied("appKey不存在或已停用 invalid appKey"));
    }
    // Debug mode: the secret itself stands in for a signature.
    if let Some(secret) = given(fields, "appSecret") {
        return if sign::constant_time_eq(secret, &creds.app_secret) {
            Ok(())
        } else {
            Err(denied("appSecret错误 invalid appSecret"))
        };
    }
    let sent = given(fields, "sign").ok_or_else(|| denied("缺少sign参数 missing sign"))?;
    let expected = sign::daji_sign(
        fields.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        &creds.app_secret,
    );
    if sign::constant_time_eq(&sent.to_ascii_uppercase(), &expected) {
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
    if !sign::constant_time_eq(access_key, &creds.access_key) {
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
    if state.clock.now_ms().abs_diff(ts_ms) > MAX_SKEW_MS {
        return Err(denied(
            "请求已过期，timestamp与服务器时间相差超过600秒 request expired: timestamp is more than 600 s from server time",
        ));
    }
    let expected = sign::header_signature(access_key, timestamp, nonce, &creds.secret_key);
    if sign::constant_time_eq(&signature.to_ascii_uppercase(), &expected) {
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

/// Crops `img` to `r`, given in pixels of a `full_w`×`full_h` original of
/// which `img` is a (possibly smaller) copy.
fn crop_scaled(img: &RgbImage, r: Region, full_w: u32, full_h: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let sx = |x: u32| (u64::from(x) * u64::from(w) / u64::from(full_w.max(1))) as u32;
    let sy = |y: u32| (u64::from(y) * u64::from(h) / u64::from(full_h.max(1))) as u32;
    let (x1, y1) = (
        sx(r.x1).min(w.saturating_sub(1)),
        sy(r.y1).min(h.saturating_sub(1)),
    );
    let x2 = sx(r.x2).clamp(x1 + 1, w.max(x1 + 1));
    let y2 = sy(r.y2).clamp(y1 + 1, h.max(y1 + 1));
    image::imageops::crop_imm(img, x1, y1, x2 - x1, y2 - y1).to_image()
}

/// What a picture link names, by the 1688-only rule.
#[derive(Debug, PartialEq, Eq)]
enum Link {
    /// The simulator's own `/img/{offerId}.jpg` (its stand-in for alicdn).
    Own(u64),
    /// A picture on `*.alicdn.com` or `*.1688.com`.
    Alibaba,
}

fn is_alibaba_host(host: &str) -> bool {
    ["alicdn.com", "1688.com"]
        .iter()
        .any(|d| host == *d || host.strip_suffix(d).is_some_and(|h| h.ends_with('.')))
}

/// Classifies a picture link: `Some` for a 1688 picture link (host
/// `*.alicdn.com` or `*.1688.com`, or this simulator's own `/img/{id}.jpg`
/// at one of the `own` authorities), `None` for anything else.
fn classify_link(url: &str, own: &[&str]) -> Option<Link> {
    let url = url.trim();
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host_ok = |h: &str| {
        !h.is_empty()
            && h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) if !h.starts_with('[') => (h, Some(p)),
        _ => (authority, None),
    };
    if port.is_some_and(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let host = host.to_ascii_lowercase();
    if host_ok(&host) && is_alibaba_host(&host) {
        return Some(Link::Alibaba);
    }
    if scheme == "http" && own.iter().any(|o| o.eq_ignore_ascii_case(authority)) {
        let path = tail.split(['?', '#']).next().unwrap_or("");
        let id = path.strip_prefix("/img/")?.strip_suffix(".jpg")?;
        if id.is_empty() || id.len() > 19 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        return id.parse().ok().map(Link::Own);
    }
    None
}

/// Whether an alicdn/1688 link's path names a picture file (allowing a
/// size suffix such as `_300x300.jpg`).
fn looks_like_picture(url: &str) -> bool {
    let path = url
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    [".jpg", ".jpeg", ".png", ".webp"]
        .iter()
        .any(|ext| path.ends_with(ext))
}

/// The catalog offer whose picture stands in for an alicdn/1688 picture
/// the simulator cannot download: the same link always gives the same one.
fn stand_in_offer(catalog: &Catalog, url: &str) -> Option<u64> {
    use md5::{Digest, Md5};
    let digest = Md5::digest(url.trim().as_bytes());
    let mut first8 = [0u8; 8];
    first8.copy_from_slice(&digest[..8]);
    let n = catalog.offers.len() as u64;
    let i = u64::from_le_bytes(first8) % n.max(1);
    catalog.offers.get(i as usize).map(|o| o.offer_id)
}

// ---------------------------------------------------------------------------
// Query parameters, shared by both providers
// ---------------------------------------------------------------------------

/// Where the query's picture comes from.
enum Source {
    UploadId(String),
    Base64(String),
    /// `imageUrl` (DajiSaaS) or `imageAddress` (signed-header).
    Link(String),
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
            None => DEFAULT_PAGE_SIZE,
            Some(s) => s
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|p| (1..=MAX_PAGE_SIZE).contains(p))
                .ok_or_else(|| bad("pageSize取值范围为1-50 pageSize must be between 1 and 50"))?,
        };
        let price = |v: Option<String>, name: &str| -> Result<Option<Price>, ApiErr> {
            nonempty(v)
                .map(|s| {
                    Price::parse(&s).ok_or_else(|| {
                        bad(format!("{name}价格格式错误 {name} is not a valid price"))
                    })
                })
                .transpose()
        };
        let price_start = price(self.price_start, "priceStart")?;
        let price_end = price(self.price_end, "priceEnd")?;
        let sort = nonempty(self.sort)
            .map(|s| {
                Sort::parse(&s).ok_or_else(|| {
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

/// Validates `region` against a picture of `w`×`h`; answers its first box.
fn first_box(region: Option<&str>, w: u32, h: u32) -> Result<Option<Region>, ApiErr> {
    let boxes = region::parse(region, w, h).map_err(bad)?;
    Ok(boxes.and_then(|b| b.first().copied()))
}

/// Where the request came from, for recognising the simulator's own
/// picture links.
struct Origin {
    /// `Host` of the request (the authority the client used).
    host: Option<String>,
}

/// Resolves the source to a descriptor (cropping to the first `region` box
/// if given), then searches and builds the page in the provider's shape.
async fn search(
    state: &SimState,
    provider: Provider,
    origin: &Origin,
    source: Source,
    params: Params,
) -> Outcome {
    let catalog = state.catalog().await.ok_or_else(busy)?;
    let region = params.region.as_deref();
    let descriptor: Descriptor = match source {
        Source::UploadId(id) => {
            let up = state.upload(&id).ok_or_else(|| bad(MSG_EXPIRED_ID))?;
            match first_box(region, up.width, up.height)? {
                None => up.descriptor.clone(),
                Some(r) => Descriptor::of_image(&crop_scaled(&up.thumb, r, up.width, up.height)),
            }
        }
        Source::Base64(b64) => {
            let bytes = decode_base64_image(&b64)?;
            let img = decode_image(bytes).await?;
            let r = first_box(region, img.width(), img.height())?;
            tokio::task::spawn_blocking(move || match r {
                None => Descriptor::of_image(&img),
                Some(r) => Descriptor::of_image(&crop_scaled(&img, r, img.width(), img.height())),
            })
            .await
            .map_err(|_| busy())?
        }
        Source::Link(url) => {
            let base_authority = state
                .base_url
                .strip_prefix("http://")
                .unwrap_or(&state.base_url);
            let mut own = vec![base_authority];
            if let Some(h) = origin.host.as_deref() {
                own.push(h);
            }
            let not_1688 = || {
                bad(if provider == Provider::Daji {
                    MSG_BAD_IMAGE_URL
                } else {
                    MSG_BAD_IMAGE_ADDRESS
                })
            };
            let failed = || bad(MSG_DOWNLOAD_FAILED);
            let offer_id = match classify_link(&url, &own).ok_or_else(not_1688)? {
                Link::Own(id) => id,
                Link::Alibaba if looks_like_picture(&url) => {
                    stand_in_offer(&catalog, &url).ok_or_else(failed)?
                }
                Link::Alibaba => return Err(failed()),
            };
            let offer = catalog.get(offer_id).ok_or_else(failed)?;
            match first_box(region, CATALOG_IMAGE_SIDE, CATALOG_IMAGE_SIDE)? {
                None => catalog.descriptor(offer_id).cloned().ok_or_else(failed)?,
                Some(r) => {
                    let art = offer.art;
                    tokio::task::spawn_blocking(move || {
                        let img = artwork::render(&art, CATALOG_IMAGE_SIDE);
                        Descriptor::of_image(&crop_scaled(
                            &img,
                            r,
                            CATALOG_IMAGE_SIDE,
                            CATALOG_IMAGE_SIDE,
                        ))
                    })
                    .await
                    .map_err(|_| failed())?
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
        filters: params.filters.clone(),
        sort: params.sort,
        category_id: params.category_id,
    };
    let (total, rows) = catalog.search_capped(&query, state.max_results);
    fn page<T: Serialize>(total: u64, p: &Params, data: Vec<T>) -> Result<Value, ApiErr> {
        serde_json::to_value(Page {
            total_records: total,
            total_page: total.div_ceil(p.page_size),
            page_size: p.page_size,
            current_page: p.begin_page,
            data,
        })
        .map_err(|_| busy())
    }
    match provider {
        Provider::Daji => page(
            total,
            &params,
            rows.iter()
                .map(|o| o.to_daji_item(&state.base_url))
                .collect(),
        ),
        Provider::Signed => page(
            total,
            &params,
            rows.iter()
                .map(|o| o.to_signed_item(&state.base_url))
                .collect(),
        ),
    }
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

fn origin_of(req: &Request) -> Origin {
    Origin {
        host: req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(|h| h.trim().to_string()),
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
        let upload = tokio::task::spawn_blocking(move || {
            let (w, h) = img.dimensions();
            let longest = w.max(h).max(1);
            let thumb = if longest <= UPLOAD_THUMB {
                img.clone()
            } else {
                let s = |v: u32| {
                    ((u64::from(v) * u64::from(UPLOAD_THUMB)) / u64::from(longest)).max(1) as u32
                };
                image::imageops::thumbnail(&img, s(w), s(h))
            };
            Uploaded {
                descriptor: Descriptor::of_image(&img),
                thumb,
                width: w,
                height: h,
                stored_at: Instant::now(),
            }
        })
        .await
        .map_err(|_| bad("图片解析失败 image could not be decoded"))?;
        state.remember_upload(id.clone(), upload);
        serde_json::to_value(UploadData { image_id: id }).map_err(|_| busy())
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
    let origin = origin_of(&req);
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
        // The picture is `imageId` or `imageUrl` (an `imageAddress` here is
        // just an unknown parameter); `imageId` wins when both are given.
        let source = match (get("imageId"), get("imageUrl")) {
            (Some(id), _) => Source::UploadId(id.trim().to_string()),
            (None, Some(url)) => Source::Link(url),
            (None, None) => return Err(bad(MSG_NO_IMAGE)),
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
        search(&state, Provider::Daji, &origin, source, params).await
    })
    .await;
    trace.finish(&state, resp)
}

async fn signed_query(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let origin = origin_of(&req);
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
        let body: SignedQueryBody = serde_json::from_value(Value::Object(map)).map_err(|e| {
            bad(format!(
                "参数类型错误 invalid parameter type: {}",
                clean(&e.to_string(), 160)
            ))
        })?;
        let source = match (nonempty(body.image_base64), nonempty(body.image_address)) {
            (Some(b64), _) => Source::Base64(b64),
            (None, Some(address)) => Source::Link(address),
            (None, None) => return Err(bad(MSG_NO_IMAGE_SIGNED)),
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
        search(&state, Provider::Signed, &origin, source, params).await
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
        .filter(|id| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()))
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

// ---------------------------------------------------------------------------
// Runtime fault control (loopback only)
// ---------------------------------------------------------------------------

fn control_reply(state: &SimState) -> Response {
    let f = lock(&state.faults);
    json_response(StatusCode::OK, &control::faults_json(&f.faults, f.count))
}

async fn get_faults(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let trace = Trace::new(&req);
    let resp = control_reply(&state);
    trace.finish(&state, resp)
}

async fn set_faults(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let trace = Trace::new(&req);
    let error = |msg: String| {
        json_response(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "error": msg }),
        )
    };
    let resp = match axum::body::to_bytes(req.into_body(), control::MAX_CONTROL_BODY).await {
        Err(_) => error("body too large".into()),
        Ok(bytes) => match serde_json::from_slice::<FaultsUpdate>(&bytes) {
            Err(e) => error(clean(&e.to_string(), 200)),
            Ok(update) => match update.into_faults() {
                Err(e) => error(e),
                Ok(faults) => {
                    tracing::info!(kinds = ?faults.kinds, rate = faults.rate, "sim faults set");
                    *lock(&state.faults) = crate::FaultState::new(faults);
                    control_reply(&state)
                }
            },
        },
    };
    trace.finish(&state, resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picture_links_follow_the_1688_rule() {
        let own = ["127.0.0.1:8688"];
        for ok in [
            "https://cbu01.alicdn.com/img/ibank/O1CN01Gf8JoQ20i0lN5N8v2_!!2207943566882-0-cib.jpg",
            "http://img.alicdn.com/a.jpg",
            "https://ALICDN.com/a.png",
            "https://cbu01.1688.com:443/x.jpg",
        ] {
            assert_eq!(classify_link(ok, &own), Some(Link::Alibaba), "{ok}");
        }
        assert_eq!(
            classify_link("http://127.0.0.1:8688/img/512345678901.jpg?x=1", &own),
            Some(Link::Own(512345678901))
        );
        for no in [
            "https://example.com/img/5.jpg",
            "http://images.example:1234/img/5.jpg",
            "http://127.0.0.1:9999/img/5.jpg",
            "https://127.0.0.1:8688/img/5.jpg",
            "http://127.0.0.1:8688/other/5.jpg",
            "http://127.0.0.1:8688/img/.jpg",
            "http://127.0.0.1:8688/img/99999999999999999999999.jpg",
            "ftp://cbu01.alicdn.com/a.jpg",
            "https://evilalicdn.com/a.jpg",
            "https://alicdn.com.evil.org/a.jpg",
            "https://user@cbu01.alicdn.com/a.jpg",
            "https://cbu01.alicdn.com:x/a.jpg",
            "cbu01.alicdn.com/a.jpg",
            "",
        ] {
            assert_eq!(classify_link(no, &own), None, "{no}");
        }
        assert!(looks_like_picture(
            "https://cbu01.alicdn.com/a_300x300.jpg?x"
        ));
        assert!(!looks_like_picture("https://detail.1688.com/offer/1.html"));
    }

    #[test]
    fn base64_rules() {
        use base64::engine::general_purpose::STANDARD;
        let png = STANDARD.encode(b"\x89PNG\r\n\x1a\nrest");
        assert!(decode_base64_image(&png).is_ok());
        assert!(decode_base64_image(&format!("data:image/png;base64,{png}")).is_ok());
        assert_eq!(decode_base64_image("!!!").err().map(|e| e.code), Some(400));
        let gif = STANDARD.encode(b"GIF89a.....");
        assert!(
            decode_base64_image(&gif)
                .err()
                .is_some_and(|e| e.msg.contains("JPG"))
        );
        let huge = STANDARD.encode(vec![0xFFu8; MAX_IMAGE_BYTES + 10]);
        assert!(
            decode_base64_image(&huge)
                .err()
                .is_some_and(|e| e.msg.contains("3MB"))
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

    #[test]
    fn crops_map_onto_smaller_copies() {
        let img = RgbImage::new(60, 30);
        let r = Region {
            x1: 300,
            x2: 600,
            y1: 0,
            y2: 100,
        };
        let c = crop_scaled(&img, r, 600, 300);
        assert_eq!(c.dimensions(), (30, 10));
        // A box thinner than one thumbnail pixel still crops one pixel.
        let thin = Region {
            x1: 599,
            x2: 600,
            y1: 299,
            y2: 300,
        };
        assert_eq!(crop_scaled(&img, thin, 600, 300).dimensions(), (1, 1));
    }
}
