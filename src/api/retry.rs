//! The one retry policy every idempotent request goes through (queries,
//! uploads, picture downloads): bounded attempts, backoff with jitter, and a
//! total time bound.

use super::error::ApiError;
use super::pace::{Pacer, Turn};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Mutex, PoisonError};
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
        self.run_paced(timeout, None, None, attempt).await
    }

    /// [`RetryPolicy::run`], each attempt first waiting its turn at `pacer`
    /// (time spent waiting there with no attempt in flight is not counted
    /// against the bounds: it is the rate the user chose, not the provider
    /// failing), and a 429 telling the pacer to hold every request for its
    /// `Retry-After`.
    ///
    /// With `latencies`, an attempt that has had no reply after
    /// [`Latencies::hedge_after`] (learned from the replies this client has
    /// seen) is *hedged*: another attempt is started beside it, and the
    /// first reply of any wins. A hung request then costs a second or two,
    /// not a whole timeout, and a slow one is not thrown away (it keeps
    /// running up to its timeout). Hedges count as attempts, are paced, and
    /// keep to the same total bound; only idempotent requests come here.
    pub(crate) async fn run_paced<T, F, Fut>(
        &self,
        timeout: Duration,
        pacer: Option<&Pacer>,
        latencies: Option<&Latencies>,
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
        let most = self.retries.saturating_add(1);
        let mut made = 0u32;
        let mut in_flight = FuturesUnordered::new();
        let mut last_error: Option<ApiError> = None;
        // The next attempt: a retry after an error (the first one now), or
        // a hedge when the attempts in flight are slow to answer.
        let mut retry_at = Some(Instant::now());
        let mut hedge_at: Option<Instant> = None;
        loop {
            let due = if made < most {
                retry_at.into_iter().chain(hedge_at).min()
            } else {
                None
            };
            if due.is_some_and(|at| at <= Instant::now()) {
                retry_at = None;
                hedge_at = None;
                // Alone, an attempt waits its turn here, off the clock;
                // beside others, it waits in its own future, on it.
                let alone = in_flight.is_empty();
                let mut turn = None;
                if alone && let Some(pacer) = pacer {
                    let waited = Instant::now();
                    turn = Some(pacer.ready().await);
                    paced += waited.elapsed();
                }
                let deadline = started + total + paced;
                if made > 0 && deadline.saturating_duration_since(Instant::now()) < least {
                    if alone {
                        let last = last_error.unwrap_or(ApiError::Timeout(timeout));
                        return Err(ApiError::gave_up(made, elapsed(paced), last));
                    }
                    continue;
                }
                made += 1;
                let pacer = if alone { None } else { pacer };
                in_flight.push(one_attempt(attempt(), pacer, turn, timeout, deadline));
                if let Some(latencies) = latencies {
                    hedge_at = Some(Instant::now() + latencies.hedge_after(timeout));
                }
                continue;
            }
            if in_flight.is_empty() {
                match due {
                    Some(at) => {
                        tokio::time::sleep_until(at.into()).await;
                        continue;
                    }
                    None => {
                        let last = last_error.unwrap_or(ApiError::Timeout(timeout));
                        return Err(ApiError::gave_up(made, elapsed(paced), last));
                    }
                }
            }
            let wake = async {
                match due {
                    Some(at) => tokio::time::sleep_until(at.into()).await,
                    None => std::future::pending().await,
                }
            };
            let (result, took) = tokio::select! {
                Some(done) = in_flight.next() => done,
                () = wake => continue,
            };
            let error = match result {
                Ok(value) => {
                    if let Some(latencies) = latencies {
                        latencies.record(took);
                    }
                    return Ok(value);
                }
                Err(e) if !e.is_retryable() => {
                    return Err(ApiError::gave_up(made, elapsed(paced), e));
                }
                Err(e) => e,
            };
            if in_flight.is_empty() {
                // Nothing left to hedge; a retry waits its backoff.
                hedge_at = None;
            }
            let left = (started + total + paced).saturating_duration_since(Instant::now());
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
                    let at = Instant::now() + wait;
                    retry_at = Some(retry_at.map_or(at, |r| r.min(at)));
                }
                _ if in_flight.is_empty() => {
                    return Err(ApiError::gave_up(made, elapsed(paced), error));
                }
                // Others are still in flight: they may yet answer.
                _ => {}
            }
            last_error = Some(error);
        }
    }
}

/// One attempt: its `turn`, or one taken at `pacer` (a hedge's), then
/// `request`, bounded by `timeout` and by `deadline`; the turn ends with
/// the answer. Answers how long the request took.
async fn one_attempt<'p, T>(
    request: impl Future<Output = Result<T, ApiError>>,
    pacer: Option<&'p Pacer>,
    mut turn: Option<Turn<'p>>,
    timeout: Duration,
    deadline: Instant,
) -> (Result<T, ApiError>, Duration) {
    if turn.is_none()
        && let Some(pacer) = pacer
    {
        turn = Some(pacer.ready().await);
    }
    let began = Instant::now();
    let budget = timeout.min(deadline.saturating_duration_since(began));
    let result = match tokio::time::timeout(budget, request).await {
        Ok(result) => result,
        Err(_) => Err(ApiError::Timeout(budget)),
    };
    drop(turn);
    (result, began.elapsed())
}

/// How long a client's successful requests took lately, to tell a hung
/// request from a slow one: one with no reply after several times the
/// usual is hedged ([`RetryPolicy::run_paced`]). Shared by a client's
/// requests of every kind, so the slowest kind sets the pace.
#[derive(Debug, Default)]
pub(crate) struct Latencies {
    recent: Mutex<VecDeque<Duration>>,
}

/// Latencies kept.
const LATENCIES_KEPT: usize = 32;
/// Fewer than this and nothing is known yet.
const LATENCIES_NEEDED: usize = 4;
/// A hedge waits this many times the usual slow reply (the 90th percentile).
const HEDGE_FACTOR: u32 = 4;
/// …but never less than this: a reply is not late before a second.
const HEDGE_FLOOR: Duration = Duration::from_secs(1);

impl Latencies {
    /// Notes a successful attempt's time.
    pub(crate) fn record(&self, took: Duration) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.len() >= LATENCIES_KEPT {
            recent.pop_front();
        }
        recent.push_back(took);
    }

    /// How long an attempt may go unanswered before another is started
    /// beside it: [`HEDGE_FACTOR`] × the 90th percentile of the recent
    /// replies, from [`HEDGE_FLOOR`] to half of `timeout`; a quarter of
    /// `timeout` until a few replies have been seen.
    pub(crate) fn hedge_after(&self, timeout: Duration) -> Duration {
        let mut seen: Vec<Duration> = self
            .recent
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .copied()
            .collect();
        if seen.len() < LATENCIES_NEEDED {
            return (timeout / 4).max(HEDGE_FLOOR.min(timeout / 2));
        }
        seen.sort_unstable();
        let slow = seen[(seen.len() * 9 / 10).min(seen.len() - 1)];
        slow.saturating_mul(HEDGE_FACTOR)
            .max(HEDGE_FLOOR)
            .min(timeout / 2)
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

    /// An attempt that hangs is hedged: a second starts beside it after
    /// the learned wait, answers, and wins, long before the timeout.
    #[tokio::test]
    async fn a_hung_attempt_is_hedged_and_the_first_answer_wins() {
        let latencies = Latencies::default();
        let mut calls = 0u32;
        let started = Instant::now();
        let result = RetryPolicy::default()
            .run_paced(Duration::from_secs(4), None, Some(&latencies), || {
                calls += 1;
                let n = calls;
                async move {
                    if n == 1 {
                        std::future::pending::<()>().await;
                    }
                    Ok::<u32, ApiError>(n)
                }
            })
            .await;
        assert_eq!(result, Ok(2));
        // Nothing learned yet: a quarter of the timeout.
        let took = started.elapsed();
        assert!(
            took >= Duration::from_millis(990) && took < Duration::from_secs(3),
            "{took:?}"
        );
        for _ in 0..LATENCIES_NEEDED {
            latencies.record(Duration::from_millis(5));
        }
        assert_eq!(latencies.hedge_after(Duration::from_secs(30)), HEDGE_FLOOR);
        latencies.record(Duration::from_secs(20));
        latencies.record(Duration::from_secs(20));
        assert_eq!(
            latencies.hedge_after(Duration::from_secs(30)),
            Duration::from_secs(15)
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
