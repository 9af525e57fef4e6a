//! The provider's request rate, kept: every provider request (upload,
//! query, detail, every retry and hedge) waits its turn here before it is
//! sent, and all of them honour a pause when the provider says "too many"
//! (429 with `Retry-After`). Picture downloads are not provider requests
//! and are not paced.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Highest rate accepted, requests per second.
pub const MAX_RATE: f64 = 1_000.0;
/// Lowest rate accepted: one request a minute.
pub const MIN_RATE: f64 = 1.0 / 60.0;

/// The window a provider counts its rate in.
const SECOND: Duration = Duration::from_secs(1);
/// The pacer's own window is this much longer than a second, so a request
/// held up on its way (a busy machine, a new connection) by less than
/// this cannot bring `rate + 1` of them into one second at the provider.
const WINDOW_SLACK: Duration = Duration::from_millis(100);

/// Paces requests to at most `rate` per second, evenly spaced (no burst),
/// and never more than `rate` (at least one) within any window of a second
/// plus [`WINDOW_SLACK`], so a provider counting per second never sees more
/// than `rate` in one.
#[derive(Debug)]
pub struct Pacer {
    rate: f64,
    /// Spacing between two requests: `1 / rate`.
    period: Duration,
    /// Requests allowed within one window: `rate`, rounded down, at least 1.
    per_window: usize,
    schedule: Mutex<Schedule>,
    /// 429s seen, for the report.
    rate_limited: AtomicU64,
}

/// When requests were let through, and when the next may go.
#[derive(Debug, Default)]
struct Schedule {
    /// No request before this (the spacing).
    next: Option<Instant>,
    /// No request before this (a 429's Retry-After).
    hold: Option<Instant>,
    /// The last `per_window` requests' times.
    recent: VecDeque<Instant>,
    /// The requests of the last second, for [`Pacer::busiest_second`].
    last_second: VecDeque<Instant>,
    busiest: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    sent: u64,
}

impl Pacer {
    /// A pacer of `rate` requests per second; the error says the range.
    pub fn new(rate: f64) -> Result<Pacer, String> {
        if !(rate.is_finite() && (MIN_RATE..=MAX_RATE).contains(&rate)) {
            return Err(format!(
                "a rate is requests per second, from {MIN_RATE:.3} (one a minute) to {MAX_RATE}"
            ));
        }
        Ok(Pacer {
            rate,
            period: Duration::from_secs_f64(1.0 / rate),
            // In range, so a whole number from 0 to 1,000.
            per_window: (rate.floor() as usize).max(1),
            schedule: Mutex::new(Schedule::default()),
            rate_limited: AtomicU64::new(0),
        })
    }

    /// Requests per second.
    pub fn rate(&self) -> f64 {
        self.rate
    }

    /// Waits until a request may be sent: after any pause, its turn in the
    /// spacing, and room in the window. Cancel by dropping the future.
    pub async fn ready(&self) {
        loop {
            let Some(at) = self.try_take(Instant::now()) else {
                return;
            };
            tokio::time::sleep_until(at.into()).await;
        }
    }

    /// Lets a request through at `now` (answers `None`), or says when to
    /// ask again.
    fn try_take(&self, now: Instant) -> Option<Instant> {
        // A poisoned lock only means another request panicked mid-update:
        // the times in it are still times.
        let mut s = self
            .schedule
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut at = now;
        at = at.max(s.next.unwrap_or(now));
        at = at.max(s.hold.unwrap_or(now));
        if s.recent.len() >= self.per_window
            && let Some(&oldest) = s.recent.front()
        {
            at = at.max(oldest + SECOND + WINDOW_SLACK);
        }
        if at > now {
            return Some(at);
        }
        s.next = Some(now + self.period);
        s.recent.push_back(now);
        while s.recent.len() > self.per_window {
            s.recent.pop_front();
        }
        while s
            .last_second
            .front()
            .is_some_and(|&t| now.saturating_duration_since(t) >= SECOND)
        {
            s.last_second.pop_front();
        }
        s.last_second.push_back(now);
        s.busiest = s.busiest.max(s.last_second.len() as u64);
        s.first.get_or_insert(now);
        s.last = Some(now);
        s.sent += 1;
        None
    }

    fn schedule(&self) -> std::sync::MutexGuard<'_, Schedule> {
        self.schedule
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Requests let through so far.
    pub fn sent(&self) -> u64 {
        self.schedule().sent
    }

    /// The most requests let through within any one second.
    pub fn busiest_second(&self) -> u64 {
        self.schedule().busiest
    }

    /// The rate requests were let through at, from the first to the last
    /// (`None` before the second): what a provider counting them sees.
    pub fn achieved_rate(&self) -> Option<f64> {
        let s = self.schedule();
        let span = s.last?.saturating_duration_since(s.first?).as_secs_f64();
        (s.sent >= 2 && span > 0.0).then(|| (s.sent - 1) as f64 / span)
    }

    /// The provider said "too many": nobody sends before `wait` has passed.
    pub fn rate_limited(&self, wait: Duration) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
        let at = Instant::now() + wait;
        let mut s = self.schedule();
        s.hold = Some(s.hold.map_or(at, |h| h.max(at)));
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

    /// No second holds more than the rate, even for a rate that is not a
    /// whole number, and the rate achieved is not over the one asked.
    #[test]
    fn no_second_holds_more_than_the_rate() {
        for rate in [5.0, 2.5, 0.5, 40.0] {
            let pacer = Pacer::new(rate).unwrap();
            let mut now = Instant::now();
            let mut times = Vec::new();
            while times.len() < 30 {
                match pacer.try_take(now) {
                    None => times.push(now),
                    Some(at) => now = at,
                }
            }
            for (i, &t) in times.iter().enumerate() {
                let in_second = times[i..].iter().take_while(|&&u| u - t < SECOND).count();
                assert!(in_second as f64 <= rate.max(1.0), "{rate}: {in_second}");
            }
            assert!(pacer.busiest_second() as f64 <= rate.max(1.0), "{rate}");
            let achieved = pacer.achieved_rate().unwrap();
            assert!(achieved <= rate, "{rate}: {achieved}");
            // Whole requests per window of 1.1 s, and no slower.
            let floor = rate.min(rate.floor().max(1.0) / 1.1) * 0.95;
            assert!(achieved >= floor, "{rate}: {achieved}");
        }
    }
}
