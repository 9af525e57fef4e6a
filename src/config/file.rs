//! The shape of `config.toml` (every field optional, unknown keys refused)
//! and parsing it with errors that name the file and line.

use super::ConfigError;
use crate::secret::Secret;
use crate::text::line_of;
use serde::Deserialize;
use std::path::Path;

/// The file's shape. Every field is optional; env vars override.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FileConfig {
    pub(super) provider: Option<String>,
    pub(super) country: Option<String>,
    pub(super) page_size: Option<u32>,
    pub(super) out_member_id: Option<String>,
    #[serde(default)]
    pub(super) dajisaas: DajiSaasFile,
    #[serde(default)]
    pub(super) signed_header: SignedHeaderFile,
    #[serde(default)]
    pub(super) network: NetworkFile,
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
}
