//! `currency` and `rate` (config.toml) with `TUSOU_CURRENCY` and
//! `TUSOU_RATE` over them: both or neither.

use super::{ConfigError, EnvLookup};
use crate::money::{Currency, check_rate, parse_code};

/// The file's values (already checked while parsing) with the environment
/// over them, each checked, then paired.
pub(super) fn resolve(
    env: EnvLookup<'_>,
    file_code: Option<String>,
    file_rate: Option<f64>,
) -> Result<Option<Currency>, ConfigError> {
    let code = match env("TUSOU_CURRENCY") {
        Some(raw) => Some((
            "TUSOU_CURRENCY",
            parse_code(&raw)
                .map_err(|e| ConfigError::value("TUSOU_CURRENCY", format!("{raw:?}"), e))?,
        )),
        None => file_code.map(|c| ("currency", c)),
    };
    let rate = match env("TUSOU_RATE") {
        Some(raw) => {
            let bad = |e: String| ConfigError::value("TUSOU_RATE", format!("{raw:?}"), e);
            // Not a number: checked as NaN, for the same message.
            let n = raw.trim().parse::<f64>().unwrap_or(f64::NAN);
            Some(("TUSOU_RATE", check_rate(n).map_err(bad)?))
        }
        None => file_rate.map(|r| ("rate", r)),
    };
    match (code, rate) {
        (None, None) => Ok(None),
        (Some((_, code)), Some((_, rate))) => Ok(Some(Currency { code, rate })),
        (Some((key, code)), None) => Err(ConfigError::value(
            key,
            format!("{code:?}"),
            format!(
                "needs its rate too: the yuan (CNY) one {code} costs, as rate = 7.1 in config.toml or TUSOU_RATE"
            ),
        )),
        (None, Some((key, rate))) => Err(ConfigError::value(
            key,
            rate,
            "needs its currency too: currency = \"USD\" in config.toml or TUSOU_CURRENCY",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::super::file::FileConfig;
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    fn resolved(file: &str, env: &[(&str, &str)]) -> Result<Option<Currency>, String> {
        let file: FileConfig = toml::from_str(file).map_err(|e| e.to_string())?;
        Config::resolve(file, &env_of(env))
            .map(|c| c.currency)
            .map_err(|e| e.to_string())
    }

    fn usd(rate: f64) -> Option<Currency> {
        Some(Currency {
            code: "USD".into(),
            rate,
        })
    }

    #[test]
    fn file_then_environment_both_or_neither() {
        assert_eq!(resolved("", &[]), Ok(None));
        assert_eq!(
            resolved("currency = \"usd\"\nrate = 7.1\n", &[]),
            Ok(usd(7.1))
        );
        assert_eq!(
            resolved(
                "currency = \"EUR\"\nrate = 7.7\n",
                &[("TUSOU_CURRENCY", "usd"), ("TUSOU_RATE", " 7.2 ")]
            ),
            Ok(usd(7.2))
        );
        // One from each place is a pair too.
        assert_eq!(
            resolved("rate = 7\n", &[("TUSOU_CURRENCY", "USD")]),
            Ok(usd(7.0))
        );
        for (file, env, starts, says) in [
            (
                "currency = \"USD\"\n",
                &[][..],
                "currency = \"USD\"",
                "needs its rate",
            ),
            ("rate = 7.1\n", &[][..], "rate = 7.1", "needs its currency"),
            (
                "",
                &[("TUSOU_CURRENCY", "USD")][..],
                "TUSOU_CURRENCY",
                "needs its rate",
            ),
            (
                "",
                &[("TUSOU_RATE", "7.1")][..],
                "TUSOU_RATE",
                "needs its currency",
            ),
            (
                "",
                &[("TUSOU_CURRENCY", "dollars"), ("TUSOU_RATE", "7.1")][..],
                "TUSOU_CURRENCY",
                "three-letter",
            ),
            (
                "",
                &[("TUSOU_CURRENCY", "USD"), ("TUSOU_RATE", "seven")][..],
                "TUSOU_RATE",
                "above 0",
            ),
            (
                "",
                &[("TUSOU_CURRENCY", "USD"), ("TUSOU_RATE", "inf")][..],
                "TUSOU_RATE",
                "above 0",
            ),
            (
                "",
                &[("TUSOU_CURRENCY", "USD"), ("TUSOU_RATE", "1e6")][..],
                "TUSOU_RATE",
                "below 10000",
            ),
        ] {
            let err = resolved(file, env).unwrap_err();
            assert!(
                err.starts_with(starts) && err.contains(says),
                "{file:?} {env:?}: {err}"
            );
        }
    }

    #[test]
    fn a_lone_currency_in_the_file_names_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("config.toml");
        std::fs::write(&p, "currency = \"USD\"\n").unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(
            err.contains("config.toml: currency = \"USD\": needs its rate"),
            "{err}"
        );
        std::fs::write(&p, "currency = \"USD\"\nrate = 0\n").unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(
            err.contains("config.toml") && err.contains("line 2"),
            "{err}"
        );
    }
}
