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
/// A request answered within this long after its turn had reached the
/// provider by its answer: the pacer counts its window from the answer,
/// which covers any hold-up on the way (a busy machine, a new connection).
const ANSWER_BOUNDS_ARRIVAL: Duration = Duration::from_millis(100);
/// A request answered later, or not yet, says nothing of when it arrived
/// (the provider may have thought for 300 ms): it is taken to have arrived
/// within the longest round trip of the recent quickly answered requests
/// (a busy machine shows there), at least this long after its turn. At
/// 10/s this keeps 10 / 1.03 s = 0.97 of the rate; a provider's token
/// bucket (as API gateways count, and as the simulator does) absorbs the
/// rare request held up longer.
const WINDOW_SLACK: Duration = Duration::from_millis(30);
/// Quick round trips kept for the slack.
const QUICK_KEPT: usize = 16;

/// Paces requests to at most `rate` per second, evenly spaced (no burst),
/// and never more than `rate` (at least one) within any second at the
/// provider: a request's second starts when it is known to have arrived
/// (its answer, when that came within [`ANSWER_BOUNDS_ARRIVAL`]; else its
/// turn plus the slack: the longest recent quick round trip, at least
/// [`WINDOW_SLACK`]).
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
    /// The last `per_window` requests.
    recent: VecDeque<Sent>,
    /// The number the next [`Turn`] gets.
    next_turn: u64,
    /// The last round trips of requests answered quickly.
    quick: VecDeque<Duration>,
    /// The requests of the last second, for [`Pacer::busiest_second`].
    last_second: VecDeque<Instant>,
    busiest: u64,
    first: Option<Instant>,
    last: Option<Instant>,
    sent: u64,
}

/// One request let through: when, and when it was answered.
#[derive(Debug, Clone, Copy)]
struct Sent {
    turn: u64,
    at: Instant,
    answered: Option<Instant>,
}

impl Sent {
    /// The latest it can have reached the provider, as far as is known:
    /// its answer when quick, else its turn plus `slack`.
    fn arrived_by(&self, slack: Duration) -> Instant {
        match self.answered {
            Some(answer) if answer.saturating_duration_since(self.at) <= ANSWER_BOUNDS_ARRIVAL => {
                answer
            }
            _ => self.at + slack,
        }
    }
}

impl Schedule {
    /// How late a request answered slowly may have arrived: the longest
    /// recent quick round trip, from [`WINDOW_SLACK`] to
    /// [`ANSWER_BOUNDS_ARRIVAL`].
    fn slack(&self) -> Duration {
        self.quick
            .iter()
            .copied()
            .max()
            .unwrap_or(WINDOW_SLACK)
            .clamp(WINDOW_SLACK, ANSWER_BOUNDS_ARRIVAL)
    }
}

/// A request's turn at the [`Pacer`]: hold it while the request is on its
/// way and drop it when the answer (or the error) is in.
#[derive(Debug)]
#[must_use = "the turn is over when it is dropped: hold it until the answer"]
pub struct Turn<'a> {
    pacer: &'a Pacer,
    turn: u64,
}

impl Drop for Turn<'_> {
    fn drop(&mut self) {
        let now = Instant::now();
        let mut s = self.pacer.schedule();
        if let Some(sent) = s.recent.iter_mut().find(|sent| sent.turn == self.turn) {
            sent.answered = Some(now);
            let trip = now.saturating_duration_since(sent.at);
            if trip <= ANSWER_BOUNDS_ARRIVAL {
                if s.quick.len() >= QUICK_KEPT {
                    s.quick.pop_front();
                }
                s.quick.push_back(trip);
            }
        }
    }
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
    pub async fn ready(&self) -> Turn<'_> {
        loop {
            match self.try_take(Instant::now()) {
                Ok(turn) => return Turn { pacer: self, turn },
                // The window's oldest request is a second old by then, so
                // whether it was answered quickly is known when we wake.
                Err(at) => tokio::time::sleep_until(at.into()).await,
            }
        }
    }

    /// Lets a request through at `now` (answers its turn), or says when to
    /// ask again.
    fn try_take(&self, now: Instant) -> Result<u64, Instant> {
        let mut s = self.schedule();
        let mut at = now;
        at = at.max(s.next.unwrap_or(now));
        at = at.max(s.hold.unwrap_or(now));
        if s.recent.len() >= self.per_window
            && let Some(oldest) = s.recent.front()
        {
            at = at.max(oldest.arrived_by(s.slack()) + SECOND);
        }
        if at > now {
            return Err(at);
        }
        s.next = Some(now + self.period);
        let turn = s.next_turn;
        s.next_turn += 1;
        s.recent.push_back(Sent {
            turn,
            at: now,
            answered: None,
        });
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
        Ok(turn)
    }

    fn schedule(&self) -> std::sync::MutexGuard<'_, Schedule> {
        // A poisoned lock only means another request panicked mid-update:
        // the times in it are still times.
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
            let _turn = pacer.ready().await;
        }
        // The first is free; four more at 50 ms each.
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(190), "{took:?}");
        pacer.rate_limited(Duration::from_millis(300));
        let held = Instant::now();
        let _turn = pacer.ready().await;
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
                    Ok(_) => times.push(now),
                    Err(at) => now = at,
                }
            }
            for (i, &t) in times.iter().enumerate() {
                let in_second = times[i..].iter().take_while(|&&u| u - t < SECOND).count();
                assert!(in_second as f64 <= rate.max(1.0), "{rate}: {in_second}");
            }
            assert!(pacer.busiest_second() as f64 <= rate.max(1.0), "{rate}");
            let achieved = pacer.achieved_rate().unwrap();
            assert!(achieved <= rate, "{rate}: {achieved}");
            // Whole requests per window of 1.03 s, and no slower.
            let floor = rate.min(rate.floor().max(1.0) / 1.03) * 0.95;
            assert!(achieved >= floor, "{rate}: {achieved}");
        }
    }

    /// A request answered quickly starts its second at its answer, so one
    /// held up on its way (here 80 ms) cannot bring `rate + 1` into a
    /// second at the provider; one answered slowly starts it at its turn
    /// plus the slack.
    #[test]
    fn a_quick_answer_starts_the_window_and_a_slow_one_the_slack() {
        let pacer = Pacer::new(2.0).unwrap();
        let start = Instant::now();
        let first = pacer.try_take(start).unwrap();
        let second = pacer.try_take(start + Duration::from_millis(500)).unwrap();
        {
            let s = &mut *pacer.schedule();
            s.recent[0].answered = Some(start + Duration::from_millis(80));
            s.recent[1].answered = Some(start + Duration::from_millis(500 + 300));
        }
        assert_ne!(first, second);
        // The third waits a second from the first's answer…
        let third = pacer.try_take(start + Duration::from_millis(1_000));
        assert_eq!(third, Err(start + Duration::from_millis(1_080)));
        assert!(pacer.try_take(start + Duration::from_millis(1_080)).is_ok());
        // …and the second's window starts at its turn plus the slack: the
        // first's quick answer was never recorded as a round trip here, so
        // the least slack.
        let s = pacer.schedule();
        assert_eq!(
            s.recent[0].arrived_by(s.slack()),
            start + Duration::from_millis(530)
        );
    }

    /// A busy machine's quick round trips widen the slack of slow answers,
    /// up to the bound.
    #[tokio::test]
    async fn quick_round_trips_set_the_slack_of_slow_answers() {
        let pacer = Pacer::new(1_000.0).unwrap();
        assert_eq!(pacer.schedule().slack(), WINDOW_SLACK);
        let turn = pacer.ready().await;
        tokio::time::sleep(Duration::from_millis(60)).await;
        drop(turn);
        let slack = pacer.schedule().slack();
        assert!(slack >= Duration::from_millis(60), "{slack:?}");
        assert!(slack <= ANSWER_BOUNDS_ARRIVAL);
    }

    #[tokio::test]
    async fn a_turn_dropped_is_an_answer() {
        let pacer = Pacer::new(5.0).unwrap();
        let turn = pacer.ready().await;
        assert!(pacer.schedule().recent[0].answered.is_none());
        drop(turn);
        assert!(pacer.schedule().recent[0].answered.is_some());
    }
}
