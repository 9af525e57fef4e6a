//! Shared HTTP plumbing: turning replies into envelopes or typed errors, and
//! the bounded retry loop for read-only queries.

use super::error::{ApiError, Redactor};
use super::models::Envelope;
use serde::de::DeserializeOwned;
use std::future::Future;
use std::time::Duration;

/// Reply codes (in the JSON `code`) that mean bad credentials or signature.
const AUTH_CODES: [i64; 4] = [401, 403, 40001, 40003];

/// Maps a transport error to our kinds, never echoing the URL (it carries
/// the DajiSaaS `sign` and app key).
pub fn transport_error(err: reqwest::Error, timeout: Duration) -> ApiError {
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
    if err.is_body() || err.is_decode() {
        return ApiError::Decode {
            reason: format!("reply body could not be read ({message})"),
            snippet: String::new(),
        };
    }
    ApiError::Network(message)
}

/// Reads a reply: HTTP status first, then the JSON envelope and its `code`.
pub async fn read_envelope<T: DeserializeOwned>(
    response: reqwest::Response,
    timeout: Duration,
    redactor: &Redactor,
) -> Result<T, ApiError> {
    let status = response.status();
    let retry_after = response
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    let body = response
        .bytes()
        .await
        .map_err(|e| transport_error(e, timeout))?;
    if status.as_u16() == 429 {
        return Err(ApiError::RateLimited { retry_after });
    }
    if status.is_server_error() {
        return Err(ApiError::Server {
            status: status.as_u16(),
            message: redactor.redact(&body_text(&body)),
            trace_id: None,
        });
    }
    if status.as_u16() == 401 || status.as_u16() == 403 {
        return Err(ApiError::Auth {
            message: redactor.redact(&body_text(&body)),
            trace_id: None,
        });
    }
    if !status.is_success() {
        return Err(ApiError::InvalidRequest {
            code: i64::from(status.as_u16()),
            message: redactor.redact(&body_text(&body)),
            trace_id: None,
        });
    }
    let envelope: Envelope<T> = serde_json::from_slice(&body).map_err(|e| {
        let reason = if e.is_eof() {
            "reply was cut short".to_string()
        } else {
            format!("not the expected JSON: {e}")
        };
        ApiError::decode(reason, &body, redactor)
    })?;
    envelope_result(envelope, redactor, &body)
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
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

/// Bounded retry with exponential backoff and full jitter.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited out: the error goes
    /// back to the caller, who can tell the user.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
        }
    }
}

impl RetryPolicy {
    pub fn none() -> Self {
        RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The wait before retry number `attempt` (0-based), or `None` to give up.
    pub fn delay_for(&self, attempt: u32, error: &ApiError) -> Option<Duration> {
        if attempt >= self.retries || !error.is_retryable() {
            return None;
        }
        if let ApiError::RateLimited {
            retry_after: Some(wait),
        } = error
        {
            return (*wait <= self.max_retry_after).then_some(*wait);
        }
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay);
        let jitter = rand::random_range(0.5..=1.0);
        Some(ceiling.mul_f64(jitter))
    }

    /// Runs `attempt` until it succeeds or the policy gives up. Cancel by
    /// dropping the future: every wait is an async sleep.
    pub async fn run<T, F, Fut>(&self, mut attempt: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let mut n = 0;
        loop {
            match attempt().await {
                Ok(v) => return Ok(v),
                Err(e) => match self.delay_for(n, &e) {
                    Some(wait) => {
                        tracing::debug!(attempt = n + 1, ?wait, error = %e, "retrying");
                        tokio::time::sleep(wait).await;
                        n += 1;
                    }
                    None => return Err(e),
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::models::WirePage;

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
    fn error_carries_server_message_and_trace() {
        let err = parse(r#"{"code":400,"msg":"pageSize 超出范围","requestId":"r1"}"#).unwrap_err();
        assert_eq!(
            err.to_string(),
            "request rejected (code 400): pageSize 超出范围 [trace r1]"
        );
    }

    #[test]
    fn retry_policy_is_bounded_and_honours_retry_after() {
        let policy = RetryPolicy::default();
        let server = ApiError::Server {
            status: 503,
            message: String::new(),
            trace_id: None,
        };
        for attempt in 0..3 {
            let d = policy.delay_for(attempt, &server).unwrap();
            assert!(d <= policy.max_delay);
        }
        assert!(policy.delay_for(3, &server).is_none());
        let limited = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(policy.delay_for(0, &limited), Some(Duration::from_secs(2)));
        let long = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(60)),
        };
        assert_eq!(policy.delay_for(0, &long), None);
        let auth = ApiError::Auth {
            message: String::new(),
            trace_id: None,
        };
        assert_eq!(policy.delay_for(0, &auth), None);
    }

    #[tokio::test]
    async fn run_retries_then_succeeds() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(1),
            ..RetryPolicy::default()
        };
        let mut calls = 0;
        let result = policy
            .run(|| {
                calls += 1;
                let n = calls;
                async move {
                    if n < 3 {
                        Err(ApiError::Network("reset".into()))
                    } else {
                        Ok(n)
                    }
                }
            })
            .await;
        assert_eq!(result, Ok(3));
    }
}
