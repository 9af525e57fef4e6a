//! Building replies: the provider envelopes, the request log, and injected
//! faults (latency, 429, 5xx, bad or cut-off bodies) around the real handling.

use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use rand::Rng;
use serde_json::Value;

use super::{Call, DEVELOP_ID, MSG_BUSY, Outcome, Provider};
use crate::faults::{FaultKind, TIMEOUT_SLEEP};
use crate::text::clean;
use crate::wire::{DajiEnvelope, SignedEnvelope};
use crate::{RecordedRequest, SimState};

fn random_hex(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(b"0123456789abcdef"[rng.random_range(0..16)]))
        .collect()
}

pub(super) fn envelope(
    state: &SimState,
    provider: Provider,
    code: i64,
    msg: &str,
    data: Value,
) -> Value {
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

pub(super) fn json_response(status: StatusCode, body: &Value) -> Response {
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
pub(super) struct Trace {
    started: Instant,
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    fields: Vec<(String, String)>,
}

impl Trace {
    pub(super) fn new(req: &Request) -> Trace {
        Trace {
            started: Instant::now(),
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            headers: header_pairs(req.headers()),
            fields: Vec::new(),
        }
    }

    pub(super) fn set_fields(&mut self, fields: &[(String, String)]) {
        self.fields = fields
            .iter()
            .map(|(k, v)| (k.clone(), record_value(k, v)))
            .collect();
    }

    pub(super) fn finish(self, state: &SimState, response: Response) -> Response {
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
pub(super) async fn pause(state: &SimState, d: Duration) {
    if d.is_zero() {
        return;
    }
    let mut stop = state.shutdown.clone();
    tokio::select! {
        _ = tokio::time::sleep(d) => {}
        _ = stop.wait_for(|v| *v) => {}
    }
}

/// HTTP 429 with `Retry-After`, as the provider's gateway answers.
fn too_many_requests(state: &SimState, provider: Provider, retry_after_secs: u64) -> Response {
    let body = envelope(
        state,
        provider,
        429,
        "请求过于频繁，请稍后再试 too many requests",
        Value::Null,
    );
    let mut resp = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
    resp
}

/// The full reply to a handled request, counted when it succeeded.
fn answer(state: &SimState, provider: Provider, call: Call, outcome: Outcome) -> Response {
    if outcome.is_ok() {
        state.count_success(call);
    }
    json_response(StatusCode::OK, &outcome_body(state, provider, outcome))
}

/// Applies the rate limit (`admitted`, from [`SimState::admit`] when the
/// request arrived), then latency and any injected fault around the real
/// handling. A request refused by the limit is answered at once, without
/// latency, and does not count towards the faults' `first`, as a gateway
/// turns it away before the service sees it.
pub(super) async fn run_api<F>(
    state: &SimState,
    provider: Provider,
    call: Call,
    admitted: Result<(), u64>,
    logic: F,
) -> Response
where
    F: Future<Output = Outcome>,
{
    if let Err(retry_after) = admitted {
        return too_many_requests(state, provider, retry_after);
    }
    let (fault, latency, retry_after) = state.next_fault();
    pause(state, latency).await;
    match fault {
        None => answer(state, provider, call, logic.await),
        Some(FaultKind::RateLimit) => too_many_requests(state, provider, retry_after),
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
            answer(state, provider, call, logic.await)
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
    let body = part_then_reset(half, Duration::from_millis(100), "injected truncation");
    let mut resp = Response::new(body);
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    resp
}

/// A body that sends `part`, pauses, then fails with a connection reset.
fn part_then_reset(part: Bytes, pause: Duration, reason: &'static str) -> Body {
    let chunks = futures::stream::unfold(Some(part), move |pending| async move {
        match pending {
            Some(part) => Some((Ok(part), None)),
            None => {
                tokio::time::sleep(pause).await;
                None
            }
        }
    })
    .chain(futures::stream::once(async move {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            reason,
        ))
    }));
    Body::from_stream(chunks)
}

/// Sends the first third of the body chunked (no length announced), then
/// fails the stream: the connection is torn down with no terminating chunk,
/// so the client sees the reply end mid-body without knowing its size.
fn reset_mid_body(full: Vec<u8>) -> Response {
    let len = full.len();
    let part = Bytes::from(full).slice(..len / 3);
    let mut resp = Response::new(part_then_reset(
        part,
        Duration::from_millis(20),
        "injected connection reset",
    ));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    resp
}
