//! One error type for both providers, telling apart what a user (or a retry
//! loop) must treat differently. Messages never carry secrets.

use std::time::Duration;

/// Broad class of an API failure; the CLI maps these to exit codes and the UI
/// to hints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    Auth,
    InvalidRequest,
    RateLimited,
    Server,
    Timeout,
    Network,
    Decode,
    Upload,
    /// A body (download or reply) went past its size cap.
    TooLarge,
    Cancelled,
    /// The provider has no such request (offer detail on the signed-header one).
    Unsupported,
}

impl ErrorKind {
    /// Transient: the same request may succeed later (the retry policy and
    /// the app's retry hint both go by this).
    pub fn is_retryable(self) -> bool {
        matches!(
            self,
            ErrorKind::RateLimited
                | ErrorKind::Server
                | ErrorKind::Network
                | ErrorKind::Timeout
                | ErrorKind::Decode
        )
    }
}

#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum ApiError {
    /// Bad credentials or signature.
    #[error("authentication failed: {message}{}", trace_suffix(.trace_id))]
    Auth {
        message: String,
        trace_id: Option<String>,
    },
    /// The server refused the request's content; `message` is the server's.
    #[error("request rejected (code {code}): {message}{}", trace_suffix(.trace_id))]
    InvalidRequest {
        code: i64,
        message: String,
        trace_id: Option<String>,
    },
    #[error("rate limited by the server{}", retry_after_suffix(.retry_after))]
    RateLimited { retry_after: Option<Duration> },
    #[error("server error (status {status}): {message}{}", trace_suffix(.trace_id))]
    Server {
        status: u16,
        message: String,
        trace_id: Option<String>,
    },
    #[error("timed out after {0:.1?}")]
    Timeout(Duration),
    #[error("network error: {0}")]
    Network(String),
    /// The reply could not be understood; `snippet` is its start, redacted.
    #[error("undecodable reply ({reason}); it began: {snippet:?}")]
    Decode { reason: String, snippet: String },
    /// The upload answered success without a usable image id.
    #[error("image upload failed: {0}")]
    Upload(String),
    /// A body went past its cap while streaming; reading stopped there.
    #[error("{what} too large: stopped reading at {}", crate::text::human_bytes(*.limit))]
    TooLarge { what: String, limit: u64 },
    #[error("cancelled")]
    Cancelled,
    /// The provider offers no detail request: its offers carry no id a
    /// documented route takes.
    #[error("no detail from this provider ({provider}): {NO_DETAIL}")]
    NoDetail { provider: &'static str },
    /// The provider offers no freight estimate; nothing was sent (the
    /// caller falls back to the user's own domestic rate).
    #[error("no freight from this provider ({provider})")]
    NoFreight { provider: &'static str },
    /// The search asks for something this provider's image search does not
    /// take (a keyword, a hint); nothing was sent.
    #[error(
        "{provider} does not take a {what} in an image search: nothing was sent; remove the {what} or use a provider that takes one"
    )]
    NotTaken {
        provider: &'static str,
        what: &'static str,
    },
    /// What a request's last attempt failed with, after more than one
    /// attempt: how many were made and how long they took in all (waits
    /// included). Its kind is the last error's.
    #[error("gave up after {attempts} attempts in {:.1} s: {last}", .elapsed.as_secs_f64())]
    Retried {
        attempts: u32,
        elapsed: Duration,
        last: Box<ApiError>,
    },
}

/// A destination's address codes that cannot be sent (6-digit GB/T 2260
/// codes: province `PP0000`, city `PPCC00`, district `PPCCDD`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DestinationError {
    #[error("the {field} code {value:?} is not 6 digits (e.g. 330000 / 330100 / 330108)")]
    NotSixDigits { field: &'static str, value: String },
    #[error("the province code {0} does not end in 0000 (e.g. 330000)")]
    NotAProvince(String),
    #[error("the city code {0} does not end in 00 (e.g. 330100)")]
    NotACity(String),
    #[error("the city code {city} is not in province {province} (its first two digits differ)")]
    CityOutsideProvince { city: String, province: String },
    #[error("the district code {district} is not in city {city} (its first four digits differ)")]
    DistrictOutsideCity { district: String, city: String },
}

/// Why the signed-header provider's offers have no detail.
pub const NO_DETAIL: &str =
    "its offers carry only an offerMapId, and no documented route gives their detail";

fn trace_suffix(trace: &Option<String>) -> String {
    trace
        .as_deref()
        .map(|t| format!(" [trace {t}]"))
        .unwrap_or_default()
}

fn retry_after_suffix(d: &Option<Duration>) -> String {
    d.map(|d| format!("; retry after {}s", d.as_secs().max(1)))
        .unwrap_or_default()
}

impl ApiError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApiError::Auth { .. } => ErrorKind::Auth,
            ApiError::InvalidRequest { .. } => ErrorKind::InvalidRequest,
            ApiError::RateLimited { .. } => ErrorKind::RateLimited,
            ApiError::Server { .. } => ErrorKind::Server,
            ApiError::Timeout(_) => ErrorKind::Timeout,
            ApiError::Network(_) => ErrorKind::Network,
            ApiError::Decode { .. } => ErrorKind::Decode,
            ApiError::Upload(_) => ErrorKind::Upload,
            ApiError::TooLarge { .. } => ErrorKind::TooLarge,
            ApiError::Cancelled => ErrorKind::Cancelled,
            ApiError::NoDetail { .. } | ApiError::NoFreight { .. } | ApiError::NotTaken { .. } => {
                ErrorKind::Unsupported
            }
            ApiError::Retried { last, .. } => last.kind(),
        }
    }

    /// The error itself, or the last attempt's after retries.
    pub fn last(&self) -> &ApiError {
        match self {
            ApiError::Retried { last, .. } => last.last(),
            other => other,
        }
    }

    /// The error a request ends with after `attempts` attempts in `elapsed`:
    /// the last one, said with the count and time when there were several.
    pub fn gave_up(attempts: u32, elapsed: Duration, last: ApiError) -> ApiError {
        if attempts <= 1 {
            return last;
        }
        ApiError::Retried {
            attempts,
            elapsed,
            last: Box::new(last),
        }
    }

    /// Worth retrying an idempotent request after this? Transient failures
    /// are: rate limits, server errors, timeouts, connection errors, and
    /// replies that could not be decoded (cut short, malformed, not the
    /// documented shape). Credentials, rejected requests and bodies over
    /// their cap are not.
    pub fn is_retryable(&self) -> bool {
        self.kind().is_retryable()
    }

    /// Does the provider say the query's `imageId` is unknown or has expired?
    /// Providers word it differently, so this looks at the message: it names
    /// the image id and says it is gone.
    pub(crate) fn is_expired_image_id(&self) -> bool {
        let ApiError::InvalidRequest { message, .. } = self.last() else {
            return false;
        };
        let m = message.to_lowercase();
        let names_id = m.contains("imageid") || m.contains("image id") || m.contains("图片id");
        let gone = [
            "expire",
            "not exist",
            "not found",
            "unknown",
            "invalid",
            "过期",
            "不存在",
            "失效",
            "无效",
        ]
        .iter()
        .any(|w| m.contains(w));
        names_id && gone
    }

    /// Builds a `Decode` error from the raw body: keeps the first 200 bytes
    /// (on a char boundary) with secrets replaced.
    pub fn decode(reason: impl Into<String>, body: &[u8], redactor: &Redactor) -> Self {
        let head = &body[..body.len().min(SNIPPET_BYTES)];
        let text = String::from_utf8_lossy(head);
        ApiError::Decode {
            reason: redactor.redact(&reason.into()),
            snippet: redactor.redact(&text),
        }
    }
}

/// What [`ApiError::TooLarge`] names when a provider's reply (rather than a
/// picture) went past its cap: the provider's fault, not the user's input.
pub(crate) const REPLY: &str = "reply";

/// How much of an undecodable reply is kept for diagnostics.
pub(crate) const SNIPPET_BYTES: usize = 200;

/// Replaces every configured secret in text with `***`, so that error
/// messages, logs and the screen never show one.
#[derive(Clone, Default)]
pub struct Redactor {
    secrets: Vec<String>,
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Redactor({} secrets)", self.secrets.len())
    }
}

impl Redactor {
    /// Secrets shorter than 4 characters are ignored: redacting them would
    /// mangle ordinary text and they protect nothing.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let mut secrets: Vec<String> = secrets
            .into_iter()
            .map(Into::into)
            .filter(|s| s.len() >= 4)
            .collect();
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        Redactor { secrets }
    }

    pub(crate) fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for secret in &self.secrets {
            if out.contains(secret.as_str()) {
                out = out.replace(secret.as_str(), "***");
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_error_keeps_redacted_head() {
        let redactor = Redactor::new(["topsecret"]);
        let body = format!("<html>topsecret {}", "x".repeat(500));
        let err = ApiError::decode("expected JSON", body.as_bytes(), &redactor);
        let ApiError::Decode { snippet, .. } = &err else {
            panic!("wrong variant")
        };
        assert!(!snippet.contains("topsecret"));
        assert!(snippet.contains("***"));
        assert!(snippet.len() <= SNIPPET_BYTES);
        assert!(!err.to_string().contains("topsecret"));
    }

    #[test]
    fn decode_snippet_cuts_inside_multibyte_char_safely() {
        let body = "图".repeat(100); // 300 bytes; 200 cuts a char in half
        let err = ApiError::decode("x", body.as_bytes(), &Redactor::default());
        assert!(matches!(err, ApiError::Decode { .. }));
    }

    #[test]
    fn expired_image_ids_are_recognised_in_both_languages() {
        let rejected = |message: &str| ApiError::InvalidRequest {
            code: 400,
            message: message.into(),
            trace_id: None,
        };
        for m in [
            "imageId不存在或已过期 imageId does not exist or has expired",
            "图片ID已失效",
            "Invalid imageId",
            "image id expired",
        ] {
            assert!(rejected(m).is_expired_image_id(), "{m}");
        }
        for m in [
            "pageSize too large",
            "imageId和imageUrl不能同时为空 imageId or imageUrl is required",
        ] {
            assert!(!rejected(m).is_expired_image_id(), "{m}");
        }
        assert!(!ApiError::Network("imageId expired".into()).is_expired_image_id());
    }

    #[test]
    fn no_freight_is_unsupported_and_says_so() {
        let e = ApiError::NoFreight {
            provider: "signed-header",
        };
        assert_eq!(e.kind(), ErrorKind::Unsupported);
        assert!(e.to_string().starts_with("no freight from this provider"));
        assert!(!e.is_retryable());
    }

    #[test]
    fn retryable_kinds() {
        assert!(ApiError::RateLimited { retry_after: None }.is_retryable());
        assert!(ApiError::Timeout(Duration::from_secs(1)).is_retryable());
        assert!(
            !ApiError::Auth {
                message: "bad".into(),
                trace_id: None
            }
            .is_retryable()
        );
    }

    #[test]
    fn messages_name_trace_and_retry_after() {
        let e = ApiError::InvalidRequest {
            code: 400,
            message: "pageSize too large".into(),
            trace_id: Some("t1".into()),
        };
        assert_eq!(
            e.to_string(),
            "request rejected (code 400): pageSize too large [trace t1]"
        );
        let e = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(3)),
        };
        assert_eq!(e.to_string(), "rate limited by the server; retry after 3s");
    }
}
