//! The shape of `config.toml` (every field optional, unknown keys refused)
//! and parsing it with errors that name the file and line.

use super::ConfigError;
use crate::secret::Secret;
use crate::text::line_of;
use serde::{Deserialize, Deserializer, de::Error as _};
use std::path::Path;

/// The file's shape. Every field is optional; env vars override.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) provider: Option<String>,
    pub(super) country: Option<String>,
    pub(super) page_size: Option<u32>,
    pub(super) out_member_id: Option<String>,
    /// Show prices converted into this currency too (with `rate`).
    #[serde(default, deserialize_with = "currency_code")]
    pub(super) currency: Option<String>,
    /// Yuan (CNY) per one unit of `currency`.
    #[serde(default, deserialize_with = "currency_rate")]
    pub(super) rate: Option<f64>,
    #[serde(default)]
    pub(super) dajisaas: DajiSaasFile,
    #[serde(default)]
    pub(super) signed_header: SignedHeaderFile,
    #[serde(default)]
    pub(super) network: NetworkFile,
    #[serde(default)]
    pub(super) batch: super::batch::BatchFile,
    #[serde(default)]
    pub(super) landed: super::landed::LandedFile,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct DajiSaasFile {
    pub(super) base_url: Option<String>,
    pub(super) app_key: Option<String>,
    pub(super) app_secret: Option<Secret>,
    /// The provider's debug mode: send `appSecret` in the clear. Never on by
    /// default.
    #[serde(default)]
    pub(super) debug_send_secret: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct SignedHeaderFile {
    pub(super) base_url: Option<String>,
    pub(super) access_key: Option<String>,
    pub(super) secret_key: Option<Secret>,
    pub(super) user_id: Option<String>,
    /// "ms" (default, as in the seed) or "s".
    pub(super) timestamp_unit: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct NetworkFile {
    pub(super) connect_timeout_secs: Option<f64>,
    pub(super) timeout_secs: Option<f64>,
    pub(super) retries: Option<u32>,
}

/// `currency`, checked while parsing so that a bad one names its line.
fn currency_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let raw = String::deserialize(d)?;
    crate::money::parse_code(&raw)
        .map(Some)
        .map_err(|e| D::Error::custom(format!("currency = {raw:?}: {e}")))
}

/// `rate`, checked while parsing so that a bad one names its line.
fn currency_rate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    let raw = f64::deserialize(d)?;
    crate::money::check_rate(raw)
        .map(Some)
        .map_err(|e| D::Error::custom(format!("rate = {raw}: {e}")))
}

pub(super) fn parse_file(text: &str, path: &Path) -> Result<FileConfig, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let reason = e.message().to_string();
        ConfigError::Invalid {
            path: path.to_path_buf(),
            reason: match line {
                Some(l) => format!("line {l}: {reason}"),
                None => reason,
            },
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_file_names_the_line() {
        let err = parse_file("provider = \"x\"\nbogus = 1\n", Path::new("/c.toml")).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("/c.toml") && msg.contains("line 2"), "{msg}");
    }

    #[test]
    fn a_secret_of_the_wrong_type_is_not_echoed() {
        for text in [
            "[dajisaas]\napp_secret = 9876543210\n",
            "[dajisaas]\napp_secret = 98765.4321\n",
            "[signed_header]\nsecret_key = [9876543210]\n",
        ] {
            let err = parse_file(text, Path::new("/c.toml"))
                .unwrap_err()
                .to_string();
            assert!(!err.contains("98765"), "{text:?}: {err}");
            assert!(err.contains("line 2"), "{text:?}: {err}");
        }
    }

    #[test]
    fn currency_and_rate_are_checked_with_their_line() {
        let ok = parse_file("currency = \" usd\"\nrate = 7\n", Path::new("/c.toml")).unwrap();
        assert_eq!((ok.currency.as_deref(), ok.rate), (Some("USD"), Some(7.0)));
        for (text, line, says) in [
            ("currency = \"US\"\n", "line 1", "three-letter"),
            ("currency = \"USD\"\nrate = 0\n", "line 2", "above 0"),
            ("\nrate = -7.1\n", "line 2", "above 0"),
            ("rate = 10000\n", "line 1", "below 10000"),
            ("rate = nan\n", "line 1", "above 0"),
            ("rate = \"7.1\"\n", "line 1", "expected f64"),
        ] {
            let err = parse_file(text, Path::new("/c.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("/c.toml") && err.contains(line) && err.contains(says),
                "{text:?}: {err}"
            );
        }
    }
}
