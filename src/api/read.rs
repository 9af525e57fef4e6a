//! Tolerant readers of provider JSON values, shared by the detail, SKU and
//! freight readers: numbers may come as text, `null`, or another kind
//! entirely, and anything that is not what is wanted is absent (`None`),
//! never zero.

use super::params::Price;
use serde_json::Value;

/// A number or numeric text (`"1,000"` too) as a count; anything else is absent.
pub(crate) fn count(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| *f >= 0.0 && f.is_finite())
                .map(|f| f as u64)
        }),
        Value::String(s) => {
            let t: String = s.trim().chars().filter(|c| *c != ',').collect();
            t.parse::<u64>().ok().or_else(|| {
                t.parse::<f64>()
                    .ok()
                    .filter(|f| *f >= 0.0 && f.is_finite())
                    .map(|f| f as u64)
            })
        }
        _ => None,
    }
}

/// A string, or a number as text; empty is absent.
pub(crate) fn text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    (!s.is_empty()).then_some(s)
}

/// Yuan (number or text, `¥` allowed) as a [`Price`] in fen.
pub(crate) fn price(v: Option<&Value>) -> Option<Price> {
    text(v)?.parse().ok()
}

/// Yuan as a price, rounded half-up to the fen when it has more decimals
/// (`mixAmount`, freight fees); negative or not a number is absent.
pub(crate) fn money(v: Option<&Value>) -> Option<Price> {
    scaled(v, 2).map(Price)
}

/// An id (`skuId`, `offerId`) as decimal text whatever its JSON kind: a
/// whole number or digits. Never through a float (19-digit ids would lose
/// digits), so a number with a fraction is absent.
pub(crate) fn id_text(v: Option<&Value>) -> Option<String> {
    let s = match v? {
        Value::Number(n) => n.as_u64()?.to_string(),
        Value::String(s) => s.trim().to_string(),
        _ => return None,
    };
    (!s.is_empty() && s.len() <= 24 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// A yes/no: `true`/`false`, `1`/`0`, `"true"`/`"false"`, `"1"`/`"0"`,
/// `"Y"`/`"N"`; anything else is absent.
pub(crate) fn flag(v: Option<&Value>) -> Option<bool> {
    match v? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64()? {
            1 => Some(true),
            0 => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "y" | "yes" => Some(true),
            "false" | "0" | "n" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A small whole number (`quoteType`, `chargeType`, `templateType`), number
/// or text.
pub(crate) fn small_int(v: Option<&Value>) -> Option<i64> {
    match v? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// A non-negative decimal (number or text) times 10^`places`, rounded
/// half-up: kg → g is `places` 3, yuan → fen 2, cm → mm 1. Exact on the
/// text (no float arithmetic); text with a unit (`"0.2kg"`), an exponent,
/// a sign or nothing is absent.
pub(crate) fn scaled(v: Option<&Value>, places: u32) -> Option<u64> {
    let t = text(v)?;
    let t = t.trim_start_matches(['¥', '￥']).replace(',', "");
    let (whole, frac) = t.split_once('.').unwrap_or((&t, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(frac) || (whole.is_empty() && frac.is_empty()) {
        return None;
    }
    let places = places as usize;
    let mut kept: String = frac.chars().take(places).collect();
    while kept.len() < places {
        kept.push('0');
    }
    let round_up = frac.as_bytes().get(places).is_some_and(|d| *d >= b'5');
    let whole: u64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let frac: u64 = if kept.is_empty() {
        0
    } else {
        kept.parse().ok()?
    };
    whole
        .checked_mul(10u64.checked_pow(places as u32)?)?
        .checked_add(frac)?
        .checked_add(u64::from(round_up))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn s(v: Value, places: u32) -> Option<u64> {
        scaled(Some(&v), places)
    }

    #[test]
    fn decimals_scale_exactly_and_round_half_up() {
        assert_eq!(s(json!("0.42"), 3), Some(420));
        assert_eq!(s(json!(0.42), 3), Some(420));
        assert_eq!(s(json!("1.68"), 3), Some(1680));
        assert_eq!(s(json!(2), 3), Some(2000));
        assert_eq!(s(json!("0.0005"), 3), Some(1));
        assert_eq!(s(json!("0.0004"), 3), Some(0));
        assert_eq!(s(json!("12.345"), 2), Some(1235));
        assert_eq!(s(json!("¥1,200.5"), 2), Some(120_050));
        assert_eq!(s(json!(".5"), 1), Some(5));
        for bad in [
            json!("0.2kg"),
            json!("-1"),
            json!(-1),
            json!(""),
            json!("."),
            json!(null),
            json!([1]),
            json!("1e3"),
            json!(true),
        ] {
            assert_eq!(s(bad.clone(), 3), None, "{bad}");
        }
        assert_eq!(scaled(None, 3), None);
    }

    #[test]
    fn ids_stay_decimal_text() {
        let id = |v: Value| id_text(Some(&v));
        assert_eq!(
            id(json!(4878065068300u64)).as_deref(),
            Some("4878065068300")
        );
        assert_eq!(
            id(json!(" 4878065068300 ")).as_deref(),
            Some("4878065068300")
        );
        assert_eq!(
            id(json!("1234567890123456789")).as_deref(),
            Some("1234567890123456789")
        );
        assert_eq!(id(json!(1.5)), None);
        assert_eq!(id(json!("12a")), None);
        assert_eq!(id(json!(null)), None);
        assert_eq!(id(json!(-3)), None);
    }

    #[test]
    fn flags_and_small_ints_accept_text() {
        let f = |v: Value| flag(Some(&v));
        assert_eq!(f(json!(true)), Some(true));
        assert_eq!(f(json!("true")), Some(true));
        assert_eq!(f(json!(1)), Some(true));
        assert_eq!(f(json!("0")), Some(false));
        assert_eq!(f(json!("N")), Some(false));
        assert_eq!(f(json!("maybe")), None);
        assert_eq!(f(json!(2)), None);
        assert_eq!(f(json!(null)), None);
        assert_eq!(small_int(Some(&json!("1"))), Some(1));
        assert_eq!(small_int(Some(&json!(3))), Some(3));
        assert_eq!(small_int(Some(&json!("x"))), None);
        assert_eq!(money(Some(&json!("100"))), Some(Price(10_000)));
        assert_eq!(money(Some(&json!("2.9"))), Some(Price(290)));
    }
}
