//! Shared HTTP plumbing: reading replies (capped while they stream) into
//! envelopes or typed errors.

use super::error::{ApiError, Redactor};
use super::wire::Envelope;
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Reply codes (in the JSON `code`) that mean bad credentials or signature.
const AUTH_CODES: [i64; 4] = [401, 403, 40001, 40003];

/// Largest provider reply read. A page of 50 offers is 50–100 KB; 8 MiB
/// leaves room for any real page and stops a runaway body early.
pub(crate) const MAX_REPLY_BYTES: u64 = 8 * 1024 * 1024;
/// Of a reply with an error status only this much is read, for its message.
const MAX_ERROR_BODY: u64 = 64 * 1024;

/// Installs ring as rustls's crypto provider for the process, once, before
/// any HTTP client is built (reqwest is built without one of its own: the
/// default, aws-lc, costs 3 MB of binary and a C build). Another provider
/// installed first is kept.
pub(crate) fn install_crypto_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// Maps a transport error to our kinds, never echoing the URL (it carries
/// the DajiSaaS `sign` and app key).
pub(crate) fn transport_error(err: reqwest::Error, timeout: Duration) -> ApiError {
    if err.is_timeout() {
        return ApiError::Timeout(timeout);
    }
    let err = err.without_url();
    let mut message = err.to_string();
    let mut source = std::error::Error::source(&err);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    // A request that could not be built (a URL or header too long or
    // malformed) would fail the same way every time: never retried.
    if err.is_builder() {
        return ApiError::InvalidRequest {
            code: 0,
            message: format!("the request could not be built: {message}"),
            trace_id: None,
        };
    }
    if err.is_body() || err.is_decode() {
        return ApiError::Decode {
            reason: format!("reply body could not be read ({message})"),
            snippet: String::new(),
        };
    }
    ApiError::Network(message)
}

/// Reads a body while it streams, stopping with `TooLarge` as soon as it
/// goes past `limit` (an announced length over it is refused unread).
/// `what` names the body in messages ("reply", "picture").
pub(crate) async fn read_body(
    mut response: reqwest::Response,
    limit: u64,
    what: &str,
    timeout: Duration,
) -> Result<Vec<u8>, ApiError> {
    let too_large = || ApiError::TooLarge {
        what: what.to_string(),
        limit,
    };
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit) {
        return Err(too_large());
    }
    let mut body = Vec::with_capacity(announced.map_or(8 * 1024, |n| n as usize));
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| transport_error(e, timeout))?
    {
        if (body.len() + chunk.len()) as u64 > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The start of a body, for an error message: at most `limit` bytes, and
/// whatever arrived if reading fails.
async fn read_head(mut response: reqwest::Response, limit: u64) -> Vec<u8> {
    let mut body = Vec::new();
    while let Ok(Some(chunk)) = response.chunk().await {
        let room = (limit as usize).saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() as u64 >= limit {
            break;
        }
    }
    body
}

/// Reads a reply's status and body: an error status becomes its typed error
/// (with the start of the body as message), a success answers the body,
/// read up to [`MAX_REPLY_BYTES`].
pub(crate) async fn read_reply(
    response: reqwest::Response,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<Vec<u8>, ApiError> {
    let status = response.status();
    if status.is_success() {
        return read_body(response, MAX_REPLY_BYTES, super::error::REPLY, timeout).await;
    }
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = read_head(response, MAX_ERROR_BODY).await;
    Err(status_error(
        status.as_u16(),
        retry_after,
        &body_text(&body),
        redactor,
    ))
}

/// The typed error for an HTTP error status.
fn status_error(
    status: u16,
    retry_after: Option<Duration>,
    text: &str,
    redactor: &Redactor,
) -> ApiError {
    let message = redactor.redact(text);
    match status {
        429 => ApiError::RateLimited { retry_after },
        401 | 403 => ApiError::Auth {
            message,
            trace_id: None,
        },
        // A request timeout or a server error may well pass next time.
        408 | 500..=599 => ApiError::Server {
            status,
            message,
            trace_id: None,
        },
        _ => ApiError::InvalidRequest {
            code: i64::from(status),
            message,
            trace_id: None,
        },
    }
}

/// Parses a successful reply's body: the envelope, its `code`, its `data`.
/// A body that is not the documented shape is a `Decode` error.
pub(crate) fn parse_envelope<T: DeserializeOwned>(
    body: &[u8],
    redactor: &Redactor,
) -> Result<T, ApiError> {
    let envelope: Envelope<T> = serde_json::from_slice(body).map_err(|e| {
        let reason = if e.is_eof() {
            "reply was cut short".to_string()
        } else {
            format!("not the expected JSON: {e}")
        };
        ApiError::decode(reason, body, redactor)
    })?;
    envelope_result(envelope, redactor, body)
}

fn envelope_result<T>(
    envelope: Envelope<T>,
    redactor: &Redactor,
    body: &[u8],
) -> Result<T, ApiError> {
    let message = redactor.redact(envelope.message.as_deref().unwrap_or("(no message)"));
    let trace_id = envelope.trace_id;
    match envelope.code {
        200 => envelope
            .data
            .ok_or_else(|| ApiError::decode("code 200 but no data", body, redactor)),
        429 => Err(ApiError::RateLimited { retry_after: None }),
        code if AUTH_CODES.contains(&code) => Err(ApiError::Auth { message, trace_id }),
        code if (500..600).contains(&code) => Err(ApiError::Server {
            status: u16::try_from(code).unwrap_or(500),
            message,
            trace_id,
        }),
        code => Err(ApiError::InvalidRequest {
            code,
            message,
            trace_id,
        }),
    }
}

/// The start of a non-JSON body, for a server error message.
fn body_text(body: &[u8]) -> String {
    let head = &body[..body.len().min(super::error::SNIPPET_BYTES)];
    crate::text::sanitize(String::from_utf8_lossy(head).trim())
}

/// `Retry-After` as delta-seconds (HTTP dates are rare from these APIs and
/// are treated as absent).
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::WirePage;

    fn parse(json: &str) -> Result<WirePage, ApiError> {
        let env: Envelope<WirePage> = serde_json::from_str(json).unwrap();
        envelope_result(env, &Redactor::default(), json.as_bytes())
    }

    #[test]
    fn envelope_codes_map_to_kinds() {
        use crate::api::ErrorKind::*;
        let kind = |json: &str| parse(json).unwrap_err().kind();
        assert_eq!(kind(r#"{"code":401,"msg":"签名错误"}"#), Auth);
        assert_eq!(kind(r#"{"code":400,"message":"bad page"}"#), InvalidRequest);
        assert_eq!(kind(r#"{"code":500,"message":"系统繁忙"}"#), Server);
        assert_eq!(kind(r#"{"code":429}"#), RateLimited);
        assert_eq!(kind(r#"{"code":200}"#), Decode);
        assert!(parse(r#"{"code":200,"data":{"data":[]}}"#).is_ok());
    }

    #[test]
    fn a_reply_not_of_the_documented_shape_is_a_decode_error() {
        let kind = |json: &str| {
            parse_envelope::<WirePage>(json.as_bytes(), &Redactor::default())
                .map(|_| ())
                .map_err(|e| e.kind())
        };
        use crate::api::ErrorKind::Decode;
        // Serde's derived structs take an array field by field: not here.
        assert_eq!(kind(r#"{"code":200,"data":[1,2,3]}"#), Err(Decode));
        assert_eq!(kind(r#"{"code":200,"data":"page"}"#), Err(Decode));
        assert_eq!(kind(r#"{"code":200,"data":{"data":{"a":1}}}"#), Err(Decode));
        assert_eq!(
            kind(r#"{"code":200,"data":{"totalRecords":"many"}}"#),
            Err(Decode)
        );
        assert_eq!(kind(r#"{"code":200,"data":{"totalPage":-1}}"#), Err(Decode));
        assert_eq!(kind(r#"{"code":200,"data":{"data":[]},"#), Err(Decode));
        // Real variations: counts as strings, nulls.
        assert_eq!(
            kind(r#"{"code":"200","data":{"totalRecords":"40","totalPage":null,"data":null}}"#),
            Ok(())
        );
        assert!(ApiError::decode("x", b"", &Redactor::default()).is_retryable());
    }

    #[test]
    fn status_errors_are_typed() {
        let r = Redactor::new(["topsecret"]);
        use crate::api::ErrorKind::*;
        let kind = |status| status_error(status, None, "body topsecret", &r).kind();
        assert_eq!(kind(429), RateLimited);
        assert_eq!(kind(401), Auth);
        assert_eq!(kind(403), Auth);
        assert_eq!(kind(408), Server);
        assert_eq!(kind(502), Server);
        assert_eq!(kind(404), InvalidRequest);
        assert!(
            !status_error(500, None, "topsecret", &r)
                .to_string()
                .contains("topsecret")
        );
    }

    /// A request that cannot be built is final, whatever reqwest says
    /// (here a header value with a line break).
    #[test]
    fn a_request_that_cannot_be_built_is_not_retryable() {
        super::install_crypto_provider();
        let built = reqwest::Client::new()
            .get("http://127.0.0.1:1/x")
            .header("x-bad", "a\nb")
            .build();
        let Err(err) = built else {
            panic!("a header with a line break builds")
        };
        assert!(err.is_builder(), "{err}");
        let err = transport_error(err, Duration::from_secs(1));
        assert_eq!(err.kind(), crate::api::ErrorKind::InvalidRequest, "{err}");
        assert!(!err.is_retryable(), "{err}");
        assert!(err.to_string().contains("could not be built"), "{err}");
    }

    #[test]
    fn error_carries_server_message_and_trace() {
        let err = parse(r#"{"code":400,"msg":"pageSize 超出范围","requestId":"r1"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "request rejected (code 400): pageSize 超出范围 [trace r1]"
        );
    }
}
