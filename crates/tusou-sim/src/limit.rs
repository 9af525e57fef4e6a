//! The provider's own rate limit, a token bucket as API gateways enforce it,
//! and the request counters a test reads back ([`SimStats`]).
//!
//! Only API requests (uploads and queries of either provider) take tokens
//! and are counted; pictures and `/_sim/…` control routes are not.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Arrival instants kept for [`SimStats::max_per_second`]; above this many
/// API requests within one second the figure saturates.
const MAX_TRACKED_ARRIVALS: usize = 100_000;

/// The sliding window of [`SimStats::max_per_second`].
const WINDOW: Duration = Duration::from_secs(1);

/// Slack for floating-point refill sums: a client pacing exactly at the
/// limit must find its token even when the sum lands at 0.999…
const TOKEN_EPSILON: f64 = 1e-9;

/// What the simulator counted since it started (or since
/// [`crate::SimHandle::reset_stats`]). Also served as JSON at
/// `GET /_sim/stats` on loopback binds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SimStats {
    /// DajiSaaS upload requests answered with an `imageId`.
    pub uploads: u64,
    /// Image queries, either provider, answered HTTP 200 with code 200.
    pub queries: u64,
    /// API requests refused with 429 by the rate limit ([`crate::SimConfig::rate_limit`]);
    /// injected `rate-limit` faults are not counted here.
    pub rate_limited: u64,
    /// The most API requests (accepted or not) that arrived within any
    /// sliding one-second window `(t-1s, t]`.
    pub max_per_second: u64,
    /// DajiSaaS offer details answered with code 200.
    #[serde(default)]
    pub details: u64,
    /// DajiSaaS freight estimates answered with code 200.
    #[serde(default)]
    pub freights: u64,
}

/// Checks a rate limit: requests per second, finite and above zero.
pub(crate) fn check_rate(rate: f64) -> Result<f64, String> {
    if rate.is_finite() && rate > 0.0 {
        Ok(rate)
    } else {
        Err(format!(
            "rate limit must be a finite number of requests per second above 0, not {rate}"
        ))
    }
}

/// Refills `rate` tokens a second up to `max(1, rate)`; a request takes one.
#[derive(Debug, Clone)]
pub(crate) struct TokenBucket {
    rate: f64,
    capacity: f64,
    tokens: f64,
    refilled: Instant,
}

impl TokenBucket {
    /// A full bucket. `rate` must have passed [`check_rate`].
    pub(crate) fn new(rate: f64, now: Instant) -> TokenBucket {
        let capacity = rate.max(1.0);
        TokenBucket {
            rate,
            capacity,
            tokens: capacity,
            refilled: now,
        }
    }

    pub(crate) fn rate(&self) -> f64 {
        self.rate
    }

    /// Takes a token at `now`, or answers the whole seconds (at least 1)
    /// until one will be there.
    pub(crate) fn take(&mut self, now: Instant) -> Result<(), u64> {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.rate).min(self.capacity);
        self.refilled = self.refilled.max(now);
        if self.tokens + TOKEN_EPSILON >= 1.0 {
            self.tokens = (self.tokens - 1.0).max(0.0);
            Ok(())
        } else {
            Err(whole_seconds((1.0 - self.tokens) / self.rate))
        }
    }
}

/// `secs` rounded up, at least 1 (a Retry-After of 0 invites a hot loop).
fn whole_seconds(secs: f64) -> u64 {
    let up = secs.ceil();
    if up.is_finite() && up >= 1.0 {
        // Saturating float-to-int conversion.
        up as u64
    } else {
        1
    }
}

/// The limit, the arrivals of the last second, and the counters.
#[derive(Debug)]
pub(crate) struct Traffic {
    bucket: Option<TokenBucket>,
    arrivals: VecDeque<Instant>,
    stats: SimStats,
}

impl Traffic {
    /// `rate` must have passed [`check_rate`].
    pub(crate) fn new(rate: Option<f64>, now: Instant) -> Traffic {
        Traffic {
            bucket: rate.map(|r| TokenBucket::new(r, now)),
            arrivals: VecDeque::new(),
            stats: SimStats::default(),
        }
    }

    pub(crate) fn limit(&self) -> Option<f64> {
        self.bucket.as_ref().map(TokenBucket::rate)
    }

    /// Replaces the limit with a full bucket at the new rate (`None`:
    /// unlimited). `rate` must have passed [`check_rate`].
    pub(crate) fn set_limit(&mut self, rate: Option<f64>, now: Instant) {
        self.bucket = rate.map(|r| TokenBucket::new(r, now));
    }

    /// Notes an API request arriving at `now` (not earlier than the last
    /// arrival) and takes a token for it; `Err` carries the Retry-After
    /// seconds of a refusal.
    pub(crate) fn arrive(&mut self, now: Instant) -> Result<(), u64> {
        while self
            .arrivals
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= WINDOW)
        {
            self.arrivals.pop_front();
        }
        if self.arrivals.len() >= MAX_TRACKED_ARRIVALS {
            self.arrivals.pop_front();
        }
        self.arrivals.push_back(now);
        let in_window = u64::try_from(self.arrivals.len()).unwrap_or(u64::MAX);
        self.stats.max_per_second = self.stats.max_per_second.max(in_window);
        match self.bucket.as_mut() {
            None => Ok(()),
            Some(bucket) => bucket.take(now).inspect_err(|_| {
                self.stats.rate_limited += 1;
            }),
        }
    }

    pub(crate) fn count_upload(&mut self) {
        self.stats.uploads += 1;
    }

    pub(crate) fn count_query(&mut self) {
        self.stats.queries += 1;
    }

    pub(crate) fn count_detail(&mut self) {
        self.stats.details += 1;
    }

    pub(crate) fn count_freight(&mut self) {
        self.stats.freights += 1;
    }

    pub(crate) fn stats(&self) -> SimStats {
        self.stats
    }

    /// Zeroes the counters and forgets past arrivals; the limit and its
    /// bucket stay as they are.
    pub(crate) fn reset_stats(&mut self) {
        self.stats = SimStats::default();
        self.arrivals.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_burst_gets_one_seconds_worth_then_retry_after() {
        let t0 = Instant::now();
        let mut t = Traffic::new(Some(10.0), t0);
        let answers: Vec<_> = (0..40).map(|_| t.arrive(t0)).collect();
        assert_eq!(answers.iter().filter(|a| a.is_ok()).count(), 10);
        assert!(answers[10..].iter().all(|a| *a == Err(1)), "{answers:?}");
        let s = t.stats();
        assert_eq!(s.rate_limited, 30);
        assert_eq!(s.max_per_second, 40);
        // One token back after 100 ms, not two.
        assert!(t.arrive(t0 + ms(100)).is_ok());
        assert!(t.arrive(t0 + ms(100)).is_err());
    }

    #[test]
    fn pacing_at_the_limit_is_never_refused_even_after_a_drain() {
        let t0 = Instant::now();
        let mut t = Traffic::new(Some(10.0), t0);
        // Drain the bucket, then pace exactly at the rate for 30 s.
        for _ in 0..10 {
            assert!(t.arrive(t0).is_ok());
        }
        for i in 1..=300u64 {
            assert_eq!(t.arrive(t0 + ms(100 * i)), Ok(()), "request {i}");
        }
        assert_eq!(t.stats().rate_limited, 0);
        // 10 at t0 plus the one at t0+100 ms … t0+900 ms: the window
        // (t-1s, t] at t0+900 ms holds 19; later windows hold 10.
        assert_eq!(t.stats().max_per_second, 19);
    }

    #[test]
    fn the_window_is_half_open() {
        let t0 = Instant::now();
        let mut t = Traffic::new(None, t0);
        for i in 0..=10u64 {
            assert!(t.arrive(t0 + ms(100 * i)).is_ok());
        }
        // Arrivals at 0, 100, …, 1000 ms: the one at 0 falls out at 1000.
        assert_eq!(t.stats().max_per_second, 10);
        assert_eq!(t.stats().rate_limited, 0, "no limit, no refusals");
        t.reset_stats();
        assert_eq!(t.stats(), SimStats::default());
        assert!(t.arrive(t0 + ms(1001)).is_ok());
        assert_eq!(t.stats().max_per_second, 1);
    }

    #[test]
    fn slow_limits_round_retry_after_up() {
        let t0 = Instant::now();
        let mut t = Traffic::new(Some(0.25), t0);
        assert!(t.arrive(t0).is_ok(), "capacity is at least one token");
        assert_eq!(t.arrive(t0), Err(4));
        assert_eq!(t.arrive(t0 + ms(1500)), Err(3), "2.5 s left");
        assert!(t.arrive(t0 + ms(4000)).is_ok());
        let mut fast = TokenBucket::new(1000.0, t0);
        for _ in 0..1000 {
            assert!(fast.take(t0).is_ok());
        }
        assert_eq!(fast.take(t0), Err(1), "1 ms rounds up to 1 s");
    }

    #[test]
    fn changing_the_limit_refills_and_none_lifts_it() {
        let t0 = Instant::now();
        let mut t = Traffic::new(Some(1.0), t0);
        assert!(t.arrive(t0).is_ok());
        assert!(t.arrive(t0).is_err());
        t.set_limit(Some(3.0), t0);
        assert_eq!(t.limit(), Some(3.0));
        assert_eq!((0..5).filter(|_| t.arrive(t0).is_ok()).count(), 3);
        t.set_limit(None, t0);
        assert!((0..100).all(|_| t.arrive(t0).is_ok()));
        assert_eq!(t.stats().rate_limited, 3);
    }

    #[test]
    fn rates_are_checked() {
        assert_eq!(check_rate(2.5), Ok(2.5));
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(check_rate(bad).is_err(), "{bad}");
        }
    }
}
