//! The one retry policy every idempotent request goes through (queries,
//! uploads, picture downloads): bounded attempts, backoff with jitter, and a
//! total time bound.

use super::error::ApiError;
use super::pace::Pacer;
use std::future::Future;
use std::time::{Duration, Instant};

/// The one retry policy of every idempotent request (queries, uploads —
/// idempotent by content —, picture downloads): bounded attempts,
/// exponential backoff with jitter, `Retry-After` honoured up to a cap, and
/// a total time bound across attempts and waits, each attempt's timeout
/// clipped to what is left of it.
///
/// Retried: rate limits, server errors, timeouts, connection errors and
/// replies that could not be decoded (cut short, malformed, wrong shape).
/// Not retried: authentication, rejected requests, bodies over their cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub retries: u32,
    /// The first backoff; each further one doubles, up to `max_delay`. The
    /// wait is drawn between half and all of that ceiling (jitter).
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// A `Retry-After` longer than this is not waited out: the error goes
    /// back to the caller, who can tell the user.
    pub max_retry_after: Duration,
    /// Bound on one request across all its attempts and the waits between
    /// them; `None` means [`DEFAULT_TOTAL_FACTOR`] × the per-attempt timeout.
    pub total: Option<Duration>,
}

/// The total bound of a request, by default: this many per-attempt timeouts.
const DEFAULT_TOTAL_FACTOR: u32 = 2;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retries: 6,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(4),
            max_retry_after: Duration::from_secs(10),
            total: None,
        }
    }
}

impl RetryPolicy {
    /// One attempt only (still bounded by the timeout).
    pub fn none() -> Self {
        RetryPolicy {
            retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// The bound across all attempts of a request whose attempts time out
    /// after `timeout`.
    fn total_for(&self, timeout: Duration) -> Duration {
        self.total
            .unwrap_or_else(|| timeout.saturating_mul(DEFAULT_TOTAL_FACTOR))
    }

    /// The wait before retry number `attempt` (0-based), or `None` to give
    /// up (retries used up, an error not worth retrying, or a Retry-After
    /// over the cap). Time left is [`RetryPolicy::run`]'s business.
    fn delay_for(&self, attempt: u32, error: &ApiError) -> Option<Duration> {
        if attempt >= self.retries || !error.is_retryable() {
            return None;
        }
        let ceiling = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt))
            .min(self.max_delay);
        let backoff = ceiling.mul_f64(rand::random_range(0.5..=1.0));
        match error.last() {
            ApiError::RateLimited {
                retry_after: Some(wait),
            } => (*wait <= self.max_retry_after).then(|| (*wait).max(backoff)),
            _ => Some(backoff),
        }
    }

    /// Runs `attempt` until it succeeds or the policy gives up. Each
    /// attempt may take `timeout`, clipped to what is left of the total
    /// bound; a wait that would not leave room for another attempt is not
    /// started. The error after more than one attempt says how many were
    /// made in how long ([`ApiError::Retried`]). Cancel by dropping the
    /// future: every wait is an async sleep.
    pub async fn run<T, F, Fut>(&self, timeout: Duration, attempt: F) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        self.run_paced(timeout, None, attempt).await
    }

    /// [`RetryPolicy::run`], each attempt first waiting its turn at `pacer`
    /// (time spent waiting there is not counted against the bounds: it is
    /// the rate the user chose, not the provider failing), and a 429 telling
    /// the pacer to hold every request for its `Retry-After`.
    pub(crate) async fn run_paced<T, F, Fut>(
        &self,
        timeout: Duration,
        pacer: Option<&Pacer>,
        mut attempt: F,
    ) -> Result<T, ApiError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, ApiError>>,
    {
        let started = Instant::now();
        let mut paced = Duration::ZERO;
        let elapsed = |paced: Duration| started.elapsed().saturating_sub(paced);
        let total = self.total_for(timeout);
        // Too little time left for an attempt to be worth starting.
        let least = (timeout / 10).min(Duration::from_secs(1));
        let mut made = 0u32;
        loop {
            if let Some(pacer) = pacer {
                let waited = Instant::now();
                pacer.ready().await;
                paced += waited.elapsed();
            }
            let budget = timeout.min(total.saturating_sub(elapsed(paced)));
            made += 1;
            let error = match tokio::time::timeout(budget, attempt()).await {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) => e,
                Err(_) => ApiError::Timeout(budget),
            };
            let left = total.saturating_sub(elapsed(paced));
            let delay = self.delay_for(made - 1, &error);
            if let (Some(pacer), ApiError::RateLimited { retry_after }) = (pacer, error.last()) {
                pacer.rate_limited(retry_after.or(delay).unwrap_or(self.base_delay));
            }
            match delay {
                Some(wait) if wait.saturating_add(least) <= left => {
                    tracing::debug!(
                        attempt = made,
                        ?wait,
                        error = %crate::text::sanitize(&error.to_string()),
                        "retrying"
                    );
                    tokio::time::sleep(wait).await;
                }
                _ => return Err(ApiError::gave_up(made, elapsed(paced), error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_policy_is_bounded_and_honours_retry_after() {
        let policy = RetryPolicy::default();
        let server = ApiError::Server {
            status: 503,
            message: String::new(),
            trace_id: None,
        };
        for attempt in 0..policy.retries {
            let d = policy.delay_for(attempt, &server).unwrap();
            assert!(d <= policy.max_delay);
            // Exponential, with jitter between half and all of the ceiling.
            let ceiling = (policy.base_delay * 2u32.pow(attempt)).min(policy.max_delay);
            assert!(d >= ceiling / 2 && d <= ceiling, "{attempt}: {d:?}");
        }
        assert!(policy.delay_for(policy.retries, &server).is_none());
        let limited = ApiError::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(policy.delay_for(0, &limited), Some(Duration::from_secs(2)));
        // Retry-After 0 still backs off.
        let now = ApiError::RateLimited {
            retry_after: Some(Duration::ZERO),
        };
        assert!(
            policy
                .delay_for(0, &now)
                .is_some_and(|d| d >= policy.base_delay / 2)
        );
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
            .run(Duration::from_secs(1), || {
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

    #[tokio::test]
    async fn run_gives_up_within_the_total_bound_and_says_so() {
        let policy = RetryPolicy {
            retries: 100,
            base_delay: Duration::from_millis(20),
            max_delay: Duration::from_millis(20),
            total: Some(Duration::from_millis(300)),
            ..RetryPolicy::default()
        };
        let mut calls = 0u32;
        let started = std::time::Instant::now();
        let err = policy
            .run(Duration::from_millis(100), || {
                calls += 1;
                // Never answers: each attempt ends at its (clipped) timeout.
                std::future::pending::<Result<(), ApiError>>()
            })
            .await
            .unwrap_err();
        let took = started.elapsed();
        let ApiError::Retried {
            attempts,
            elapsed,
            last,
        } = &err
        else {
            panic!("{err:?}")
        };
        assert_eq!(*attempts, calls);
        assert!(*attempts >= 3, "{err}");
        assert!(
            *elapsed <= took && took < Duration::from_millis(600),
            "{took:?}"
        );
        assert!(matches!(**last, ApiError::Timeout(t) if t <= Duration::from_millis(100)));
        assert_eq!(err.kind(), crate::api::ErrorKind::Timeout);
        assert!(
            err.to_string()
                .starts_with(&format!("gave up after {calls} attempts in 0."))
        );
    }

    #[tokio::test]
    async fn run_does_not_retry_what_is_final_nor_wrap_one_attempt() {
        let mut calls = 0;
        let err = RetryPolicy::default()
            .run(Duration::from_secs(1), || {
                calls += 1;
                async {
                    Err::<(), _>(ApiError::Auth {
                        message: "bad".into(),
                        trace_id: None,
                    })
                }
            })
            .await
            .unwrap_err();
        assert_eq!(calls, 1);
        assert!(matches!(err, ApiError::Auth { .. }), "{err:?}");
    }

    #[tokio::test]
    async fn a_retry_after_past_the_cap_or_the_time_left_is_not_waited() {
        let policy = RetryPolicy {
            total: Some(Duration::from_millis(500)),
            ..RetryPolicy::default()
        };
        let mut calls = 0;
        let started = std::time::Instant::now();
        let err = policy
            .run(Duration::from_millis(400), || {
                calls += 1;
                async {
                    Err::<(), _>(ApiError::RateLimited {
                        retry_after: Some(Duration::from_secs(2)),
                    })
                }
            })
            .await
            .unwrap_err();
        assert_eq!(calls, 1);
        assert!(started.elapsed() < Duration::from_millis(400));
        assert_eq!(
            err,
            ApiError::RateLimited {
                retry_after: Some(Duration::from_secs(2))
            }
        );
    }
}
