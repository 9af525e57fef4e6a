//! Fault injection: latency and failure kinds a real provider shows, to
//! exercise the client's retries, timeouts and decoding.

use std::time::Duration;

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Added delay before an API reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Latency {
    #[default]
    None,
    Fixed(Duration),
    Random {
        min: Duration,
        max: Duration,
    },
}

impl Latency {
    /// One draw of the delay.
    pub fn sample(&self) -> Duration {
        match *self {
            Latency::None => Duration::ZERO,
            Latency::Fixed(d) => d,
            Latency::Random { min, max } => {
                if max <= min {
                    min
                } else {
                    let ms = rand::rng().random_range(min.as_millis()..=max.as_millis());
                    Duration::from_millis(u64::try_from(ms).unwrap_or(u64::MAX))
                }
            }
        }
    }
}

/// Names are kebab-case on the command line and in `/_sim/faults`
/// (`rate-limit`, `server-error`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, clap::ValueEnum, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// HTTP 429 with `Retry-After`.
    RateLimit,
    /// HTTP 500, 502 or 503 with a small HTML or JSON body.
    ServerError,
    /// HTTP 200 with a body that is not JSON.
    MalformedJson,
    /// HTTP 200 whose body stops half-way (the connection drops).
    TruncatedBody,
    /// HTTP 200 with a chunked body (no `Content-Length`) of which only the
    /// first part arrives before the connection is torn down, as when a
    /// proxy or server resets the connection mid-reply.
    ResetMidBody,
    /// HTTP 200 with body `code: 500`, "系统繁忙，请稍后再试".
    CodeError,
    /// No reply for [`TIMEOUT_SLEEP`], far longer than any client timeout.
    Timeout,
}

/// How long a `Timeout` fault stalls.
pub const TIMEOUT_SLEEP: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, PartialEq)]
pub struct Faults {
    pub latency: Latency,
    pub kinds: Vec<FaultKind>,
    /// Probability that a request gets one of `kinds`.
    pub rate: f64,
    /// If set, only the first N API requests can fault (for retry tests).
    pub first_n: Option<u32>,
    pub retry_after_secs: u64,
    /// Draw the faults from a generator seeded with this (each time the
    /// faults are set), so a run with the same requests in the same order
    /// meets the same faults; `None` draws from the thread's generator.
    pub seed: Option<u64>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            latency: Latency::None,
            kinds: Vec::new(),
            rate: 0.0,
            first_n: None,
            retry_after_secs: 1,
            seed: None,
        }
    }
}

impl Faults {
    /// No faults, no latency.
    pub fn none() -> Self {
        Faults::default()
    }

    /// Every request (or the first `first_n`) gets `kind`.
    pub fn always(kind: FaultKind) -> Self {
        Faults {
            kinds: vec![kind],
            rate: 1.0,
            ..Faults::default()
        }
    }

    /// Decides the fault for the API request numbered `n` (1-based, counted
    /// since the faults were last set).
    pub fn pick(&self, n: u64) -> Option<FaultKind> {
        self.pick_with(n, &mut rand::rng())
    }

    /// [`Faults::pick`] with draws from `rng`.
    pub fn pick_with(&self, n: u64, rng: &mut impl Rng) -> Option<FaultKind> {
        if self.kinds.is_empty() || self.rate <= 0.0 {
            return None;
        }
        if self.first_n.is_some_and(|limit| n > u64::from(limit)) {
            return None;
        }
        if self.rate < 1.0 && !rng.random_bool(self.rate.clamp(0.0, 1.0)) {
            return None;
        }
        Some(self.kinds[rng.random_range(0..self.kinds.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_n_limits_faults() {
        let f = Faults {
            first_n: Some(2),
            ..Faults::always(FaultKind::ServerError)
        };
        assert_eq!(f.pick(1), Some(FaultKind::ServerError));
        assert_eq!(f.pick(2), Some(FaultKind::ServerError));
        assert_eq!(f.pick(3), None);
        assert_eq!(Faults::none().pick(1), None);
    }

    #[test]
    fn seeded_draws_repeat() {
        use rand::SeedableRng;
        let f = Faults {
            kinds: vec![FaultKind::ServerError, FaultKind::RateLimit],
            rate: 0.3,
            seed: Some(7),
            ..Faults::default()
        };
        let draw = || {
            let mut rng = rand::rngs::StdRng::seed_from_u64(7);
            (1..=200)
                .map(|n| f.pick_with(n, &mut rng))
                .collect::<Vec<_>>()
        };
        let a = draw();
        assert_eq!(a, draw());
        let faulted = a.iter().filter(|k| k.is_some()).count();
        assert!((30..=90).contains(&faulted), "{faulted} of 200 at 0.3");
    }

    #[test]
    fn latency_samples_stay_in_range() {
        let l = Latency::Random {
            min: Duration::from_millis(10),
            max: Duration::from_millis(20),
        };
        for _ in 0..100 {
            let d = l.sample();
            assert!(d >= Duration::from_millis(10) && d <= Duration::from_millis(20));
        }
    }
}
