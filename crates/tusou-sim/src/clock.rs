//! The simulator's notion of "now": the real time shifted by a configurable
//! number of seconds, so a client's handling of a server whose clock
//! disagrees with its own can be tested. It drives the HTTP `Date` header,
//! envelope timestamps and the signed-header timestamp window.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// 9999-12-31T23:59:59Z, the last instant an HTTP date can name.
const LAST_HTTP_DATE_SECS: u64 = 253_402_300_799;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    offset_secs: i64,
}

impl Clock {
    /// A clock `offset_secs` ahead of real time (behind when negative).
    pub fn new(offset_secs: i64) -> Clock {
        Clock { offset_secs }
    }

    pub fn offset_secs(self) -> i64 {
        self.offset_secs
    }

    /// The shifted time of `real`, kept within 1970..=9999.
    pub fn at(self, real: SystemTime) -> SystemTime {
        let shift = Duration::from_secs(self.offset_secs.unsigned_abs());
        let shifted = if self.offset_secs >= 0 {
            real.checked_add(shift)
        } else {
            real.checked_sub(shift)
        };
        let last = UNIX_EPOCH + Duration::from_secs(LAST_HTTP_DATE_SECS);
        match shifted {
            Some(t) if t < UNIX_EPOCH => UNIX_EPOCH,
            Some(t) if t > last => last,
            Some(t) => t,
            None if self.offset_secs >= 0 => last,
            None => UNIX_EPOCH,
        }
    }

    pub fn now(self) -> SystemTime {
        self.at(SystemTime::now())
    }

    /// Milliseconds since the epoch, by this clock.
    pub fn now_ms(self) -> u64 {
        millis(self.now())
    }

    /// The `Date` header value (RFC 7231 IMF-fixdate) for now, by this clock.
    pub fn http_date(self) -> String {
        httpdate::fmt_http_date(self.now())
    }
}

fn millis(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_shifts_and_clamps() {
        let real = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(
            httpdate::fmt_http_date(Clock::default().at(real)),
            "Sun, 06 Nov 1994 08:49:37 GMT"
        );
        assert_eq!(
            httpdate::fmt_http_date(Clock::new(3600).at(real)),
            "Sun, 06 Nov 1994 09:49:37 GMT"
        );
        assert_eq!(
            httpdate::fmt_http_date(Clock::new(-86_400).at(real)),
            "Sat, 05 Nov 1994 08:49:37 GMT"
        );
        // Extremes never panic in the date formatter.
        assert_eq!(Clock::new(i64::MIN).at(real), UNIX_EPOCH);
        let _ = httpdate::fmt_http_date(Clock::new(i64::MAX).at(real));
        let _ = Clock::new(i64::MIN).http_date();
        let _ = Clock::new(i64::MAX).http_date();
    }

    #[test]
    fn now_ms_follows_the_offset() {
        let plain = Clock::default().now_ms();
        let ahead = Clock::new(700).now_ms();
        let diff = ahead.abs_diff(plain);
        assert!((699_000..=701_000).contains(&diff), "{diff}");
        assert!(ahead > plain);
    }

    #[test]
    fn http_date_parses_back() {
        let c = Clock::new(-900);
        let parsed = httpdate::parse_http_date(&c.http_date()).unwrap();
        let expected = SystemTime::now() - Duration::from_secs(900);
        let gap = expected
            .duration_since(parsed)
            .unwrap_or_else(|e| e.duration());
        assert!(gap < Duration::from_secs(3), "{gap:?}");
    }
}
