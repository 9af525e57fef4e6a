//! Dates of the store's Unix times, in UTC (no time-zone database needed,
//! and the same on every machine sharing a file).

/// (year, month 1–12, day 1–31) of a Unix time, in UTC: Howard Hinnant's
/// days-to-civil algorithm.
pub(super) fn civil_date(unix: i64) -> (i64, u32, u32) {
    let z = unix.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// A Unix time as "2026-11-23 14:02", in UTC.
pub fn utc_minute(unix: i64) -> String {
    let (year, month, day) = civil_date(unix);
    let minutes = unix.rem_euclid(86_400) / 60;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}",
        minutes / 60,
        minutes % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil_date(0), (1970, 1, 1));
        assert_eq!(civil_date(1_731_369_600), (2024, 11, 12));
        assert_eq!(civil_date(951_782_400), (2000, 2, 29));
        assert_eq!(civil_date(-86_400), (1969, 12, 31));
    }

    #[test]
    fn minutes_in_utc() {
        assert_eq!(utc_minute(0), "1970-01-01 00:00");
        assert_eq!(
            utc_minute(1_731_369_600 + 14 * 3600 + 2 * 60 + 59),
            "2024-11-12 14:02"
        );
        assert_eq!(utc_minute(-60), "1969-12-31 23:59");
    }
}
