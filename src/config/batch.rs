//! `[batch]`: the provider's request rate and how many photos are searched
//! at once, for `tusou batch` — one setting for every provider, and one per
//! provider over it (`[batch.dajisaas]`, `[batch.signed_header]`).

use super::ConfigError;
use crate::api::ProviderKind;
use crate::api::pace::{MAX_RATE, MIN_RATE};
use serde::Deserialize;
use std::collections::BTreeMap;

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

impl BatchFile {
    /// A provider's own section under `[batch]`, by its name there.
    fn section(&self, name: &str) -> Option<&LimitsFile> {
        match name {
            "dajisaas" => Some(&self.dajisaas),
            "signed_header" => Some(&self.signed_header),
            _ => None,
        }
    }
}

/// Every provider's limits, by the provider's name.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BatchConfig {
    per_provider: BTreeMap<&'static str, BatchLimits>,
}

impl Default for BatchConfig {
    fn default() -> Self {
        let per_provider = ProviderKind::ALL
            .into_iter()
            .map(|kind| (kind.name(), built_in(kind)))
            .collect();
        BatchConfig { per_provider }
    }
}

/// A provider's limits when the config says nothing.
fn built_in(kind: ProviderKind) -> BatchLimits {
    let defaults = kind.info().batch_defaults;
    BatchLimits {
        rate: defaults.rate,
        concurrency: defaults.concurrency,
    }
}

impl BatchConfig {
    pub(crate) fn limits(&self, kind: ProviderKind) -> BatchLimits {
        self.per_provider
            .get(kind.name())
            .copied()
            .unwrap_or_else(|| built_in(kind))
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

/// A provider's own section goes over `[batch]`, which goes over the
/// provider's built-in limits.
pub(super) fn resolve(file: &BatchFile) -> Result<BatchConfig, ConfigError> {
    let rate = file
        .rate
        .map(|r| check_rate("[batch] rate", r))
        .transpose()?;
    let concurrency = file
        .concurrency
        .map(|n| check_concurrency("[batch] concurrency", n))
        .transpose()?;
    let mut per_provider = BTreeMap::new();
    for kind in ProviderKind::ALL {
        let name = kind.info().batch_section;
        let own = file.section(name);
        let built_in = built_in(kind);
        let limits = BatchLimits {
            rate: match own.and_then(|f| f.rate) {
                Some(r) => check_rate(&format!("[batch.{name}] rate"), r)?,
                None => rate.unwrap_or(built_in.rate),
            },
            concurrency: match own.and_then(|f| f.concurrency) {
                Some(n) => check_concurrency(&format!("[batch.{name}] concurrency"), n)?,
                None => concurrency.unwrap_or(built_in.concurrency),
            },
        };
        per_provider.insert(kind.name(), limits);
    }
    Ok(BatchConfig { per_provider })
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
