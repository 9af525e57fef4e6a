//! The user's currency: prices in yuan converted at the user's own rate
//! (`currency` and `rate` in config.toml, or `TUSOU_CURRENCY` /
//! `TUSOU_RATE`). Nothing is fetched: the rate is what the user says.
//!
//! Formatting rule: the amount is rounded to the currency's minor unit —
//! no decimals for JPY, KRW, VND, CLP and ISK, two for every other code —
//! and written after the currency's symbol for USD (`US$`), EUR (`€`),
//! GBP (`£`), JPY (`JP¥`), KRW (`₩`), HKD (`HK$`), TWD (`NT$`), AUD (`A$`),
//! CAD (`CA$`), NZD (`NZ$`), SGD (`S$`) and INR (`₹`); any other code is
//! written after the amount (`1.76 CHF`). No thousands separators.

use crate::api::Price;

/// Highest rate accepted (CNY per one unit of the currency); above it a
/// price would round to nothing in any real currency.
pub const MAX_RATE: f64 = 10_000.0;

/// A currency to show prices in, and how many yuan (CNY) one unit of it
/// costs.
#[derive(Debug, Clone, PartialEq)]
pub struct Currency {
    /// ISO 4217-style code, three upper-case ASCII letters.
    pub code: String,
    /// CNY per one unit of `code` (e.g. 7.1 for USD).
    pub rate: f64,
}

/// Codes shown with a symbol before the amount.
const SYMBOLS: [(&str, &str); 12] = [
    ("USD", "US$"),
    ("EUR", "€"),
    ("GBP", "£"),
    ("JPY", "JP¥"),
    ("KRW", "₩"),
    ("HKD", "HK$"),
    ("TWD", "NT$"),
    ("AUD", "A$"),
    ("CAD", "CA$"),
    ("NZD", "NZ$"),
    ("SGD", "S$"),
    ("INR", "₹"),
];

/// Codes whose amounts have no decimals.
const NO_DECIMALS: [&str; 5] = ["JPY", "KRW", "VND", "CLP", "ISK"];

impl Currency {
    /// A checked currency: the code is trimmed and upper-cased (three ASCII
    /// letters), the rate finite, above 0 and below [`MAX_RATE`]. The error
    /// says what is expected.
    pub fn new(code: &str, rate: f64) -> Result<Currency, String> {
        Ok(Currency {
            code: parse_code(code)?,
            rate: check_rate(rate)?,
        })
    }

    /// The price converted, e.g. "US$1.76" for USD, "€1.62" for EUR,
    /// "1.76 CHF" for codes without a symbol here (see the module's rule).
    pub fn convert(&self, price: Price) -> String {
        let amount = self.amount(price);
        if !amount.is_finite() {
            return format!("? {}", self.code);
        }
        let number = format!("{amount:.*}", self.decimals());
        match SYMBOLS.iter().find(|(c, _)| *c == self.code) {
            Some((_, symbol)) => format!("{symbol}{number}"),
            None => format!("{number} {}", self.code),
        }
    }

    /// The price in this currency, unrounded.
    pub fn amount(&self, price: Price) -> f64 {
        price.fen() as f64 / 100.0 / self.rate
    }

    /// Decimals shown: 0 for currencies without a minor unit, else 2.
    pub fn decimals(&self) -> usize {
        if NO_DECIMALS.contains(&self.code.as_str()) {
            0
        } else {
            2
        }
    }

    /// The converted price rounded as shown, without symbol: what an export's
    /// number column holds (`"1.76"`).
    pub fn amount_text(&self, price: Price) -> String {
        let amount = self.amount(price);
        if amount.is_finite() {
            format!("{amount:.*}", self.decimals())
        } else {
            String::new()
        }
    }

    /// The export column of converted prices: `price_usd`.
    pub fn column(&self) -> String {
        format!("price_{}", self.code.to_ascii_lowercase())
    }
}

/// A currency code: three ASCII letters, upper-cased (`usd` → `USD`).
pub fn parse_code(raw: &str) -> Result<String, String> {
    let code = raw.trim();
    if code.len() == 3 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        Ok(code.to_ascii_uppercase())
    } else {
        Err("use a three-letter currency code such as \"USD\"".into())
    }
}

/// A rate: finite, above 0 and below [`MAX_RATE`] (yuan per unit).
pub fn check_rate(rate: f64) -> Result<f64, String> {
    if rate.is_finite() && rate > 0.0 && rate < MAX_RATE {
        Ok(rate)
    } else {
        Err(format!(
            "use the yuan (CNY) one unit of the currency costs: a number above 0 and below {MAX_RATE}, e.g. 7.1"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str, rate: f64) -> Currency {
        Currency::new(code, rate).unwrap()
    }

    #[test]
    fn codes_are_three_letters_upper_cased() {
        assert_eq!(parse_code(" usd ").unwrap(), "USD");
        assert_eq!(parse_code("Eur").unwrap(), "EUR");
        for bad in ["", "US", "USDT", "US1", "€€€", "U D", "ÜSD"] {
            assert!(parse_code(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn rates_are_finite_positive_and_bounded() {
        assert_eq!(check_rate(7.1), Ok(7.1));
        assert_eq!(check_rate(0.05), Ok(0.05));
        assert_eq!(check_rate(9_999.0), Ok(9_999.0));
        for bad in [0.0, -7.1, 10_000.0, 1e9, f64::NAN, f64::INFINITY] {
            assert!(check_rate(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formatting_follows_the_rule() {
        let p = Price(1250); // ¥12.50
        assert_eq!(cur("USD", 7.1).convert(p), "US$1.76");
        assert_eq!(cur("eur", 7.7).convert(p), "€1.62");
        assert_eq!(cur("GBP", 9.0).convert(p), "£1.39");
        assert_eq!(cur("JPY", 0.048).convert(p), "JP¥260");
        assert_eq!(cur("KRW", 0.0052).convert(p), "₩2404");
        assert_eq!(cur("CHF", 8.1).convert(p), "1.54 CHF");
        assert_eq!(cur("RUB", 0.09).convert(Price(0)), "0.00 RUB");
        let usd = cur("USD", 7.1);
        assert!((usd.amount(Price(710)) - 1.0).abs() < 1e-12);
        assert_eq!(usd.amount_text(Price(1250)), "1.76");
        assert_eq!(usd.column(), "price_usd");
        // A hand-made rate of 0 cannot print "inf".
        let broken = Currency {
            code: "USD".into(),
            rate: 0.0,
        };
        assert_eq!(broken.convert(p), "? USD");
        assert_eq!(broken.amount_text(p), "");
        assert!(Currency::new("USD", -1.0).is_err());
    }
}
