//! Configuration: `config.toml` in the config directory, overridden by
//! environment variables. Secrets are wrapped so they never print.
//!
//! Paths: `$TUSOU_CONFIG_DIR` or `$XDG_CONFIG_HOME/tusou` (`~/.config/tusou`)
//! for `config.toml` and `keymap.toml`; `$TUSOU_CACHE_DIR` or
//! `$XDG_CACHE_HOME/tusou` for the image-id cache and the log.
//!
//! This file: the resolved `Config`, its errors, and loading it. The file's
//! shape is in `file`, merging it with the environment in `resolve`, the
//! directories in `paths`.

mod batch;
mod currency;
mod file;
mod landed;
mod paths;
mod resolve;

pub(crate) use batch::{BatchConfig, check_concurrency, check_rate};
pub(crate) use paths::{config_dir, export_dir};

use crate::api::{
    ClientSettings, DajiSaasSettings, ProviderKind, ProviderSettings, RetryPolicy,
    SignedHeaderSettings,
};
use crate::fs::{ReadError, shown};
use crate::text::sanitize;
use file::parse_file;
use paths::permission_warning;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The resolved configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// DajiSaaS settings, when its credentials are configured.
    pub dajisaas: Option<DajiSaasSettings>,
    /// Signed-header provider settings, when its credentials are configured.
    pub signed_header: Option<SignedHeaderSettings>,
    /// The provider protocol asked for (`--provider` / `TUSOU_PROVIDER` /
    /// `provider =`), also used to pick the demo's protocol.
    pub provider_choice: Option<ProviderKind>,
    pub country: Option<String>,
    pub page_size: Option<u32>,
    pub out_member_id: Option<String>,
    /// Prices are also shown in this currency, at the user's own rate
    /// (`currency` + `rate`, or `TUSOU_CURRENCY` + `TUSOU_RATE`).
    pub currency: Option<crate::money::Currency>,
    /// Landed-cost settings (`[landed]`): warehouse, lanes, fees — the
    /// user's own; see [`Config::landed_settings`] for demo mode's examples.
    pub landed: crate::landed::Settings,
    /// `tusou batch`'s rate and concurrency per provider (`[batch]`).
    pub(crate) batch: BatchConfig,
    pub connect_timeout: Duration,
    pub timeout: Duration,
    pub retries: u32,
    pub config_file: Option<PathBuf>,
    pub cache_dir: Option<PathBuf>,
    /// Where the history store lives (`$TUSOU_DATA_DIR`, else the
    /// platform's data directory).
    pub data_dir: Option<PathBuf>,
    /// Demo simulator only: offers in its catalog (`TUSOU_DEMO_CATALOG_SIZE`).
    pub demo_catalog_size: Option<usize>,
    /// Demo simulator only: results a search answers at most
    /// (`TUSOU_DEMO_MAX_RESULTS`).
    pub demo_max_results: Option<usize>,
    /// Things to tell the user (e.g. a config file others can read).
    /// Sanitised: they name files.
    pub warnings: Vec<String>,
}

/// Everything here is shown to the user: file names and values come from
/// outside, so they are sanitised when displayed.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// Missing (when named with `--config`), not a regular file, over
    /// 1 MB, not UTF-8, or an I/O error.
    #[error(transparent)]
    Unreadable(#[from] ReadError),
    #[error("{}: {}", shown(.path), sanitize(.reason))]
    Invalid { path: PathBuf, reason: String },
    #[error("{}", sanitize(.0))]
    Env(String),
    /// A value out of its range, or of the wrong form. `key` says where it
    /// is (`[network] timeout_secs`, `TUSOU_DAJI_BASE_URL`); `file` is set
    /// when it came from the config file.
    #[error(
        "{}{key} = {}: {expected}",
        .file.as_deref().map(|f| format!("{}: ", shown(f))).unwrap_or_default(),
        sanitize(.value)
    )]
    Value {
        file: Option<PathBuf>,
        key: String,
        value: String,
        expected: String,
    },
}

impl ConfigError {
    fn value(
        key: impl Into<String>,
        value: impl fmt::Display,
        expected: impl Into<String>,
    ) -> Self {
        ConfigError::Value {
            file: None,
            key: key.into(),
            value: value.to_string(),
            expected: expected.into(),
        }
    }
}

/// An environment lookup, injectable for tests.
type EnvLookup<'a> = &'a dyn Fn(&str) -> Option<String>;

fn real_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

impl Config {
    /// Loads `path` (or the default `config.toml`, if it exists) and the
    /// process environment.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let default_path = config_dir().map(|d| d.join("config.toml"));
        let (file_path, must_exist) = match path {
            Some(p) => (Some(p.to_path_buf()), true),
            None => (default_path, false),
        };
        let mut warnings = Vec::new();
        let file = match &file_path {
            Some(p) if must_exist || p.exists() => {
                if let Some(w) = permission_warning(p) {
                    warnings.push(w);
                }
                // Capped, regular files only: a FIFO or /dev/zero named as
                // the config cannot hang or exhaust memory.
                let text = crate::fs::read_text_capped(p, crate::fs::MAX_TEXT_FILE_BYTES)?;
                Some(parse_file(&text, p)?)
            }
            _ => None,
        };
        let present_path = file.as_ref().and(file_path);
        let mut config = match Config::resolve(file.unwrap_or_default(), &real_env) {
            Ok(c) => c,
            // Say which file a bad value is in.
            Err(ConfigError::Value {
                file: None,
                key,
                value,
                expected,
            }) if !key.starts_with("TUSOU_") => {
                return Err(ConfigError::Value {
                    file: present_path,
                    key,
                    value,
                    expected,
                });
            }
            Err(e) => return Err(e),
        };
        config.config_file = present_path;
        config.warnings.extend(warnings);
        Ok(config)
    }

    /// The provider to use: the chosen one if its credentials are configured,
    /// else (with no choice) whichever has credentials, DajiSaaS first.
    /// `None` means no credentials: run the demo.
    pub fn provider(&self) -> Option<ProviderSettings> {
        ProviderSettings::choose(
            self.dajisaas.clone(),
            self.signed_header.clone(),
            self.provider_choice,
        )
    }

    /// The landed-cost settings in use: in demo mode the examples fill what
    /// the user did not set; live mode has only the user's.
    pub fn landed_settings(&self, demo: bool) -> crate::landed::Settings {
        if demo {
            self.landed.clone().with_demo_examples()
        } else {
            self.landed.clone()
        }
    }

    /// Client settings for `provider` with this config's network knobs.
    pub(crate) fn client_settings(&self, provider: ProviderSettings) -> ClientSettings {
        // Every command's provider requests keep to the provider's rate.
        let rate = Some(self.batch.limits(provider.kind()).rate);
        ClientSettings {
            provider,
            connect_timeout: self.connect_timeout,
            timeout: self.timeout,
            retry: RetryPolicy {
                retries: self.retries,
                ..RetryPolicy::default()
            },
            image_ids: None,
            rate,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_are_sanitised_and_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let sub = dir.path().join("c\x1b]52;c;ZXZpbA==\x07");
        std::fs::create_dir(&sub).unwrap();
        let p = sub.join("config.toml");
        std::fs::write(&p, "[network]\nretries = 99\n").unwrap();
        let err = Config::load(Some(&p)).unwrap_err().to_string();
        assert!(!err.contains('\x1b') && !err.contains('\x07'), "{err:?}");
        assert!(err.contains("config.toml: [network] retries = 99"), "{err}");
        // A FIFO or a device as the config file is refused, not read.
        #[cfg(unix)]
        {
            let link = dir.path().join("dev.toml");
            std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
            let err = Config::load(Some(&link)).unwrap_err().to_string();
            assert!(err.contains("not a regular file"), "{err}");
        }
    }
}
