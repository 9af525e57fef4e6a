//! The provider's request rate, kept: a token bucket every provider
//! request (upload, query, every retry) waits on before it is sent, and a
//! pause all of them honour when the provider says "too many" (429 with
//! `Retry-After`). Picture downloads are not provider requests and are not
//! paced.

use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Highest rate accepted, requests per second.
pub const MAX_RATE: f64 = 1_000.0;
/// Lowest rate accepted: one request a minute.
pub const MIN_RATE: f64 = 1.0 / 60.0;

/// Paces requests to at most `rate` per second, evenly spaced (no burst:
/// a provider counting per second never sees more than `rate` in one).
#[derive(Debug)]
pub struct Pacer {
    rate: f64,
    limiter: DefaultDirectRateLimiter,
    /// No request starts before this (a 429's Retry-After).
    hold: Mutex<Option<Instant>>,
    /// 429s seen, for the report.
    rate_limited: AtomicU64,
    /// Requests let through.
    sent: AtomicU64,
}

impl Pacer {
    /// A pacer of `rate` requests per second; the error says the range.
    pub fn new(rate: f64) -> Result<Pacer, String> {
        if !(rate.is_finite() && (MIN_RATE..=MAX_RATE).contains(&rate)) {
            return Err(format!(
                "a rate is requests per second, from {MIN_RATE:.3} (one a minute) to {MAX_RATE}"
            ));
        }
        let period = Duration::from_secs_f64(1.0 / rate);
        let quota = Quota::with_period(period).ok_or_else(|| "a rate above 0".to_string())?;
        Ok(Pacer {
            rate,
            limiter: RateLimiter::direct(quota),
            hold: Mutex::new(None),
            rate_limited: AtomicU64::new(0),
            sent: AtomicU64::new(0),
        })
    }

    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Waits until a request may be sent: after any pause, then for its
    /// turn in the bucket. Cancel by dropping the future.
    pub async fn ready(&self) {
        loop {
            let until = self.hold.lock().ok().and_then(|h| *h);
            match until {
                Some(at) if at > Instant::now() => tokio::time::sleep_until(at.into()).await,
                _ => break,
            }
        }
        self.limiter.until_ready().await;
        self.sent.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests let through so far.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// The provider said "too many": nobody sends before `wait` has passed.
    pub fn rate_limited(&self, wait: Duration) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
        let at = Instant::now() + wait;
        if let Ok(mut hold) = self.hold.lock() {
            *hold = Some(hold.map_or(at, |h| h.max(at)));
        }
    }

    /// 429s seen so far.
    pub fn rate_limited_count(&self) -> u64 {
        self.rate_limited.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_out_of_range_are_refused() {
        for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e6, 0.001] {
            assert!(Pacer::new(bad).is_err(), "{bad}");
        }
        assert!(Pacer::new(10.0).is_ok());
        assert!(Pacer::new(MIN_RATE).is_ok());
    }

    #[tokio::test]
    async fn requests_are_spaced_and_a_429_holds_everyone() {
        let pacer = Pacer::new(20.0).unwrap();
        let start = Instant::now();
        for _ in 0..5 {
            pacer.ready().await;
        }
        // The first is free; four more at 50 ms each.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(190), "{took:?}");
        pacer.rate_limited(Duration::from_millis(300));
        let held = Instant::now();
        pacer.ready().await;
        assert!(held.elapsed() >= Duration::from_millis(290));
        assert_eq!(pacer.rate_limited_count(), 1);
        assert_eq!(pacer.sent(), 6);
    }
}
