//! `[batch]`: the provider's request rate and how many photos are searched
//! at once, for `tusou batch` — one setting for every provider, and one per
//! provider over it (`[batch.dajisaas]`, `[batch.signed_header]`).

use super::ConfigError;
use crate::api::ProviderKind;
use crate::api::pace::{MAX_RATE, MIN_RATE};
use serde::Deserialize;

/// Built-in defaults: well under what an API gateway usually allows; the
/// providers publish no limit.
pub(crate) const DEFAULT_RATE: f64 = 5.0;
pub(crate) const DEFAULT_CONCURRENCY: u32 = 4;
/// Photos searched at once, at most.
pub(crate) const MAX_CONCURRENCY: u32 = 64;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct BatchFile {
    rate: Option<f64>,
    concurrency: Option<u32>,
    #[serde(default)]
    dajisaas: LimitsFile,
    #[serde(default)]
    signed_header: LimitsFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LimitsFile {
    rate: Option<f64>,
    concurrency: Option<u32>,
}

/// A provider's batch limits, resolved.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BatchLimits {
    /// Provider requests per second.
    pub(crate) rate: f64,
    /// Photos searched at once.
    pub(crate) concurrency: u32,
}

/// Both providers' limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BatchConfig {
    pub(crate) dajisaas: BatchLimits,
    pub(crate) signed_header: BatchLimits,
}

impl Default for BatchConfig {
    fn default() -> Self {
        let limits = BatchLimits {
            rate: DEFAULT_RATE,
            concurrency: DEFAULT_CONCURRENCY,
        };
        BatchConfig {
            dajisaas: limits,
            signed_header: limits,
        }
    }
}

impl BatchConfig {
    pub(crate) fn limits(&self, kind: ProviderKind) -> BatchLimits {
        match kind {
            ProviderKind::DajiSaas => self.dajisaas,
            ProviderKind::SignedHeader => self.signed_header,
        }
    }
}

/// A rate in range, or the error naming its key.
pub(crate) fn check_rate(key: &str, rate: f64) -> Result<f64, ConfigError> {
    if rate.is_finite() && (MIN_RATE..=MAX_RATE).contains(&rate) {
        Ok(rate)
    } else {
        Err(ConfigError::value(
            key,
            rate,
            format!(
                "out of range: use requests per second from {MIN_RATE:.3} (one a minute) to {MAX_RATE}"
            ),
        ))
    }
}

/// A concurrency in range, or the error naming its key.
pub(crate) fn check_concurrency(key: &str, n: u32) -> Result<u32, ConfigError> {
    if (1..=MAX_CONCURRENCY).contains(&n) {
        Ok(n)
    } else {
        Err(ConfigError::value(
            key,
            n,
            format!("out of range: use a whole number from 1 to {MAX_CONCURRENCY}"),
        ))
    }
}

pub(super) fn resolve(file: &BatchFile) -> Result<BatchConfig, ConfigError> {
    let all = BatchLimits {
        rate: match file.rate {
            Some(r) => check_rate("[batch] rate", r)?,
            None => DEFAULT_RATE,
        },
        concurrency: match file.concurrency {
            Some(n) => check_concurrency("[batch] concurrency", n)?,
            None => DEFAULT_CONCURRENCY,
        },
    };
    let over = |name: &str, f: &LimitsFile| -> Result<BatchLimits, ConfigError> {
        Ok(BatchLimits {
            rate: match f.rate {
                Some(r) => check_rate(&format!("[batch.{name}] rate"), r)?,
                None => all.rate,
            },
            concurrency: match f.concurrency {
                Some(n) => check_concurrency(&format!("[batch.{name}] concurrency"), n)?,
                None => all.concurrency,
            },
        })
    };
    Ok(BatchConfig {
        dajisaas: over("dajisaas", &file.dajisaas)?,
        signed_header: over("signed_header", &file.signed_header)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(toml_text: &str) -> Result<BatchConfig, String> {
        let file: BatchFile = toml::from_str(toml_text).map_err(|e| e.to_string())?;
        resolve(&file).map_err(|e| e.to_string())
    }

    #[test]
    fn a_provider_s_own_limits_go_over_the_common_ones() {
        let c = parse("rate = 8\nconcurrency = 6\n[dajisaas]\nrate = 10\n").unwrap();
        assert_eq!(c.limits(ProviderKind::DajiSaas).rate, 10.0);
        assert_eq!(c.limits(ProviderKind::DajiSaas).concurrency, 6);
        assert_eq!(c.limits(ProviderKind::SignedHeader).rate, 8.0);
        assert_eq!(parse("").unwrap(), BatchConfig::default());
        let err = parse("[signed_header]\nconcurrency = 0\n").unwrap_err();
        assert!(err.contains("[batch.signed_header] concurrency"), "{err}");
        assert!(parse("rate = 0\n").unwrap_err().contains("[batch] rate"));
        assert!(parse("speed = 3\n").is_err());
    }
}
