//! The exact quantities the arithmetic works in: shares in basis points,
//! exchange rates in millionths of a yuan, amounts in a currency's minor
//! units, weights in grams, sizes in millimetres — and the one rounding rule.

use super::LandedError;
use crate::money::Currency;
use std::fmt;

/// Millionths of a yuan in one yuan: the precision of an exact rate.
pub(super) const MICRO: u128 = 1_000_000;
/// Basis points in 100 %.
const BASIS_POINTS: u128 = 10_000;

/// `numerator / denominator` rounded half up; `None` when the denominator
/// is 0 (never from checked inputs).
pub(super) fn div_round(numerator: u128, denominator: u128) -> Option<u128> {
    if denominator == 0 {
        return None;
    }
    numerator
        .checked_add(denominator / 2)
        .map(|n| n / denominator)
}

/// A decimal number from the config file as an integer count of
/// `10^-decimals`: 12.5 with 2 decimals is 1250. Refused when negative, not
/// finite, too large, or with more decimals than that (a float is only
/// trusted to the sixth digit, so 7.1 is exactly 710).
pub(super) fn fixed(value: f64, decimals: u32) -> Option<u64> {
    let scale = 10f64.powi(i32::try_from(decimals).ok()?);
    let scaled = value * scale;
    // Below 2^53 every whole number is exact in an f64.
    if !scaled.is_finite() || !(0.0..=9.0e15).contains(&scaled) {
        return None;
    }
    let whole = scaled.round();
    ((scaled - whole).abs() <= 1e-6 * whole.max(1.0)).then_some(whole as u64)
}

/// A share such as a fee, duty or VAT rate, in hundredths of a percent
/// (basis points): 5 % is 500, 12.5 % is 1250.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Percent(u32);

impl Percent {
    /// A share of `percent` %, from 0 to `max` %, at most two decimals.
    pub fn new(percent: f64, max: u32) -> Result<Percent, LandedError> {
        fixed(percent, 2)
            .and_then(|bp| u32::try_from(bp).ok())
            .filter(|bp| *bp <= max.saturating_mul(100))
            .map(Percent)
            .ok_or(LandedError::Percent { max })
    }

    /// The share in basis points.
    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// This share of `fen`, rounded half up to the fen.
    pub(super) fn of(self, fen: u128) -> Option<u128> {
        div_round(fen.checked_mul(u128::from(self.0))?, BASIS_POINTS)
    }
}

impl fmt::Display for Percent {
    /// `5 %`, `12.5 %`, `0.25 %`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / 100;
        match self.0 % 100 {
            0 => write!(f, "{whole} %"),
            frac if frac % 10 == 0 => write!(f, "{whole}.{} %", frac / 10),
            frac => write!(f, "{whole}.{frac:02} %"),
        }
    }
}

/// Yuan (CNY) per one unit of a currency, exactly: in millionths of a yuan.
/// Built from a [`Currency`]'s rate (an f64, the money module's convention)
/// rounded to six decimals — every rate a user types is recovered exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExactRate {
    micro_yuan: u64,
}

impl ExactRate {
    /// One yuan per yuan.
    pub const YUAN: ExactRate = ExactRate {
        micro_yuan: 1_000_000,
    };

    /// The currency's rate to six decimals; `None` for a rate that rounds to
    /// nothing (a checked `Currency` never has one).
    pub fn of(currency: &Currency) -> Option<ExactRate> {
        fixed(currency.rate, 6)
            .filter(|m| *m > 0)
            .map(|micro_yuan| ExactRate { micro_yuan })
    }

    pub fn micro_yuan(self) -> u64 {
        self.micro_yuan
    }
}

/// `10^decimals` of a currency: minor units in one unit.
pub(super) fn minor_per_unit(currency: &Currency) -> u128 {
    10u128.pow(u32::try_from(currency.decimals()).unwrap_or(2))
}

/// Minor units of `currency` as fen, unrounded: `(numerator, denominator)`.
/// fen = minor × micro-yuan × 100 / (10^decimals × 10^6).
pub(super) fn minor_to_fen_ratio(
    minor: u128,
    currency: &Currency,
    rate: ExactRate,
) -> Option<(u128, u128)> {
    let numerator = minor
        .checked_mul(u128::from(rate.micro_yuan))?
        .checked_mul(100)?;
    Some((numerator, minor_per_unit(currency).checked_mul(MICRO)?))
}

/// An amount of `currency` in minor units, written with its code:
/// `6.50 USD`, `1200 JPY`, `¥12.00` for yuan.
pub(super) fn minor_text(minor: u64, currency: &Currency) -> String {
    let per = minor_per_unit(currency);
    let decimals = currency.decimals();
    let whole = u128::from(minor) / per;
    let frac = u128::from(minor) % per;
    let number = if decimals == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{frac:0decimals$}")
    };
    if currency.code == "CNY" {
        format!("¥{number}")
    } else {
        format!("{number} {}", currency.code)
    }
}

/// Yuan written from fen: `¥12.00`.
pub(super) fn yuan_text(fen: u128) -> String {
    format!("¥{}.{:02}", fen / 100, fen % 100)
}

/// Grams written as kilograms without trailing zeros: 420 → `0.42 kg`.
pub(super) fn kg_text(grams: u128) -> String {
    let text = format!("{}.{:03}", grams / 1000, grams % 1000);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text} kg")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_from_the_config_s_floats() {
        assert_eq!(fixed(12.5, 2), Some(1250));
        assert_eq!(fixed(7.1, 6), Some(7_100_000));
        assert_eq!(fixed(0.0, 2), Some(0));
        assert_eq!(fixed(1.234, 2), None);
        assert_eq!(fixed(-1.0, 2), None);
        assert_eq!(fixed(f64::NAN, 2), None);
        assert_eq!(fixed(1e20, 2), None);
    }

    #[test]
    fn percents_and_their_text() {
        assert_eq!(Percent::new(5.0, 100).map(Percent::basis_points), Ok(500));
        assert_eq!(Percent::new(12.5, 100).unwrap().to_string(), "12.5 %");
        assert_eq!(Percent::new(0.25, 100).unwrap().to_string(), "0.25 %");
        assert_eq!(Percent::new(20.0, 100).unwrap().to_string(), "20 %");
        assert!(Percent::new(101.0, 100).is_err());
        assert!(Percent::new(1.005, 100).is_err());
        // 5 % of ¥0.30 is 1.5 fen: half up.
        assert_eq!(Percent::new(5.0, 100).unwrap().of(30), Some(2));
    }

    #[test]
    fn texts() {
        assert_eq!(kg_text(420), "0.42 kg");
        assert_eq!(kg_text(2000), "2 kg");
        assert_eq!(yuan_text(1205), "¥12.05");
        let usd = Currency::new("USD", 7.1).unwrap();
        assert_eq!(minor_text(650, &usd), "6.50 USD");
        let jpy = Currency::new("JPY", 0.048).unwrap();
        assert_eq!(minor_text(1200, &jpy), "1200 JPY");
        assert_eq!(
            ExactRate::of(&usd).map(ExactRate::micro_yuan),
            Some(7_100_000)
        );
    }
}
