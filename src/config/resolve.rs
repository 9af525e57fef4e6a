//! Merging the config file with the environment (env wins) into a
//! `Config`, checking every value: ranges, base URLs, the demo knobs.

use super::file::FileConfig;
use super::paths::{cache_dir, data_dir};
use super::{Config, ConfigError, EnvLookup};
use crate::api::dajisaas::DEFAULT_BASE_URL;
use crate::api::{DajiSaasSettings, ProviderKind, ProviderSettings, SignedHeaderSettings};
use crate::secret::Secret;
use std::time::Duration;

/// Allowed ranges of the config's numbers (README, "Configuration").
const PAGE_SIZE_RANGE: (u32, u32) = (1, 50);
const TIMEOUT_SECS_RANGE: (f64, f64) = (0.1, 3600.0);
const CONNECT_TIMEOUT_SECS_RANGE: (f64, f64) = (0.1, 300.0);
const RETRIES_MAX: u32 = 10;
/// Both demo knobs: the catalog is generated in memory (about 3 KB an offer).
const DEMO_COUNT_RANGE: (usize, usize) = (1, 100_000);

impl Config {
    /// Merges the file with the environment (env wins).
    pub(super) fn resolve(file: FileConfig, env: EnvLookup<'_>) -> Result<Config, ConfigError> {
        let provider_choice = env("TUSOU_PROVIDER")
            .or(file.provider.clone())
            .map(|p| p.parse::<ProviderKind>())
            .transpose()
            .map_err(ConfigError::Env)?;

        // URLs are checked whether or not their provider is used: a bad
        // value is a config error, never a network error later.
        let daji_url = checked_url(
            env,
            "TUSOU_DAJI_BASE_URL",
            "[dajisaas] base_url",
            file.dajisaas.base_url.as_deref(),
        )?;
        let signed_url = checked_url(
            env,
            "TUSOU_BASE_URL",
            "[signed_header] base_url",
            file.signed_header.base_url.as_deref(),
        )?;
        let daji = {
            let f = &file.dajisaas;
            let app_key = env("TUSOU_APP_KEY").or(f.app_key.clone());
            let app_secret = env("TUSOU_APP_SECRET")
                .map(Secret::new)
                .or(f.app_secret.clone());
            match (app_key, app_secret) {
                (Some(k), Some(s)) if !k.trim().is_empty() && !s.is_empty() => {
                    Some(DajiSaasSettings {
                        base_url: daji_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
                        app_key: k,
                        app_secret: s,
                        debug_send_secret: f.debug_send_secret,
                    })
                }
                _ => None,
            }
        };
        let signed = {
            let f = &file.signed_header;
            let access_key = env("TUSOU_ACCESS_KEY").or(f.access_key.clone());
            let secret = env("TUSOU_SECRET_KEY")
                .map(Secret::new)
                .or(f.secret_key.clone());
            let base_url = signed_url;
            let unit = env("TUSOU_TIMESTAMP_UNIT").or(f.timestamp_unit.clone());
            let timestamp_seconds = match unit.as_deref().map(str::trim) {
                None | Some("ms") => false,
                Some("s") => true,
                Some(other) => {
                    return Err(ConfigError::Env(format!(
                        "timestamp_unit {other:?}: use \"ms\" or \"s\""
                    )));
                }
            };
            match (access_key, secret) {
                (Some(k), Some(s)) if !k.trim().is_empty() && !s.is_empty() => {
                    // Only an error when this provider would be used.
                    let wanted = ProviderSettings::would_choose(
                        SignedHeaderSettings::KIND,
                        provider_choice,
                        daji.is_some(),
                    );
                    let base_url = match base_url {
                        Some(url) => url,
                        None if wanted => {
                            return Err(ConfigError::Env(
                                "the signed-header provider needs a base URL (TUSOU_BASE_URL or [signed_header] base_url)"
                                    .into(),
                            ));
                        }
                        None => String::new(),
                    };
                    Some(SignedHeaderSettings {
                        base_url,
                        access_key: k,
                        secret_key: s,
                        user_id: env("TUSOU_USER_ID")
                            .or(f.user_id.clone())
                            .unwrap_or_default(),
                        timestamp_seconds,
                    })
                }
                _ => None,
            }
        };

        let signed = signed.filter(|s| !s.base_url.is_empty());
        let currency = super::currency::resolve(env, file.currency, file.rate)?;
        let landed = super::landed::resolve(env, &file.landed, currency.as_ref())?;
        let net = &file.network;
        Ok(Config {
            dajisaas: daji,
            signed_header: signed,
            provider_choice,
            country: bounded(
                env("TUSOU_COUNTRY").map(|v| ("TUSOU_COUNTRY", v)),
                file.country.map(|v| ("country", v)),
                crate::api::check_country,
            )?,
            page_size: file
                .page_size
                .map(|n| {
                    let (lo, hi) = PAGE_SIZE_RANGE;
                    if (lo..=hi).contains(&n) {
                        Ok(n)
                    } else {
                        Err(ConfigError::value(
                            "page_size",
                            n,
                            format!("out of range: use a whole number from {lo} to {hi}"),
                        ))
                    }
                })
                .transpose()?,
            out_member_id: bounded(
                env("TUSOU_OUT_MEMBER_ID").map(|v| ("TUSOU_OUT_MEMBER_ID", v)),
                file.out_member_id.map(|v| ("out_member_id", v)),
                crate::api::check_out_member_id,
            )?,
            currency,
            landed,
            batch: super::batch::resolve(&file.batch)?,
            connect_timeout: seconds(
                "[network] connect_timeout_secs",
                net.connect_timeout_secs,
                5.0,
                CONNECT_TIMEOUT_SECS_RANGE,
            )?,
            timeout: seconds(
                "[network] timeout_secs",
                net.timeout_secs,
                30.0,
                TIMEOUT_SECS_RANGE,
            )?,
            retries: match net.retries {
                None => crate::api::RetryPolicy::default().retries,
                Some(n) if n <= RETRIES_MAX => n,
                Some(n) => {
                    return Err(ConfigError::value(
                        "[network] retries",
                        n,
                        format!("out of range: use a whole number from 0 to {RETRIES_MAX}"),
                    ));
                }
            },
            config_file: None,
            cache_dir: cache_dir(),
            data_dir: data_dir(),
            demo_catalog_size: demo_count(env, "TUSOU_DEMO_CATALOG_SIZE")?,
            demo_max_results: demo_count(env, "TUSOU_DEMO_MAX_RESULTS")?,
            warnings: Vec::new(),
        })
    }
}

/// A number of seconds in `range` (the default when absent). NaN, infinities
/// and huge values are refused here; a `Duration` cannot hold them.
/// A request field from the environment (first) or the file, checked by
/// `check`; the error names its key and shows only the value's start.
fn bounded(
    from_env: Option<(&str, String)>,
    from_file: Option<(&str, String)>,
    check: fn(&str) -> Result<(), String>,
) -> Result<Option<String>, ConfigError> {
    let Some((key, value)) = from_env.or(from_file) else {
        return Ok(None);
    };
    check(&value).map_err(|why| {
        let start: String = value.chars().take(24).collect();
        let shown = if start.len() < value.len() {
            format!("{start:?}… ({} bytes)", value.len())
        } else {
            format!("{value:?}")
        };
        ConfigError::value(key, shown, why)
    })?;
    Ok(Some(value))
}

fn seconds(
    key: &str,
    value: Option<f64>,
    default: f64,
    (lo, hi): (f64, f64),
) -> Result<Duration, ConfigError> {
    match value {
        None => Ok(Duration::from_secs_f64(default)),
        Some(v) if v.is_finite() && (lo..=hi).contains(&v) => Ok(Duration::from_secs_f64(v)),
        Some(v) => Err(ConfigError::value(
            key,
            v,
            format!("out of range: use a number of seconds from {lo} to {hi}"),
        )),
    }
}

/// A provider base URL from `var` (wins) or the file's `key`: an absolute
/// `http` or `https` URL with a host.
fn checked_url(
    env: EnvLookup<'_>,
    var: &str,
    key: &str,
    from_file: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    let (name, url) = match (env(var), from_file) {
        (Some(v), _) => (var, v),
        (None, Some(f)) => (key, f.to_string()),
        (None, None) => return Ok(None),
    };
    let trimmed = url.trim();
    match reqwest::Url::parse(trimmed) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host_str().is_some() => {
            Ok(Some(trimmed.to_string()))
        }
        Ok(u) => Err(ConfigError::value(
            name,
            format!("{url:?}"),
            format!(
                "not usable: the {} scheme; use an http:// or https:// URL such as {DEFAULT_BASE_URL}",
                u.scheme()
            ),
        )),
        Err(e) => Err(ConfigError::value(
            name,
            format!("{url:?}"),
            format!("not a URL ({e}); use an http:// or https:// URL such as {DEFAULT_BASE_URL}"),
        )),
    }
}

/// A demo knob: absent, or a whole number in [`DEMO_COUNT_RANGE`].
fn demo_count(env: EnvLookup<'_>, var: &str) -> Result<Option<usize>, ConfigError> {
    let Some(raw) = env(var) else {
        return Ok(None);
    };
    let (lo, hi) = DEMO_COUNT_RANGE;
    match raw.trim().parse::<usize>() {
        Ok(n) if (lo..=hi).contains(&n) => Ok(Some(n)),
        _ => Err(ConfigError::value(
            var,
            format!("{raw:?}"),
            format!("use a whole number from {lo} to {hi}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k: &str| map.get(k).cloned()
    }

    #[test]
    fn no_credentials_means_demo() {
        let c = Config::resolve(FileConfig::default(), &env_of(&[])).unwrap();
        assert!(c.provider().is_none());
    }

    #[test]
    fn env_overrides_file_and_picks_provider() {
        let file: FileConfig =
            toml::from_str("[dajisaas]\napp_key = \"file-key\"\napp_secret = \"file-secret\"\n")
                .unwrap();
        let c = Config::resolve(file, &env_of(&[("TUSOU_APP_KEY", "env-key")])).unwrap();
        match c.provider() {
            Some(ProviderSettings::DajiSaas(s)) => {
                assert_eq!(s.app_key, "env-key");
                assert_eq!(s.app_secret.expose(), "file-secret");
                assert_eq!(s.base_url, DEFAULT_BASE_URL);
                assert!(!s.debug_send_secret);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn signed_header_needs_base_url() {
        let env = env_of(&[("TUSOU_ACCESS_KEY", "ak"), ("TUSOU_SECRET_KEY", "sk12")]);
        assert!(Config::resolve(FileConfig::default(), &env).is_err());
        let env = env_of(&[
            ("TUSOU_ACCESS_KEY", "ak"),
            ("TUSOU_SECRET_KEY", "sk12"),
            ("TUSOU_BASE_URL", "http://127.0.0.1:1"),
            ("TUSOU_TIMESTAMP_UNIT", "s"),
        ]);
        let c = Config::resolve(FileConfig::default(), &env).unwrap();
        assert!(matches!(
            c.provider(),
            Some(ProviderSettings::SignedHeader(SignedHeaderSettings {
                timestamp_seconds: true,
                ..
            }))
        ));
    }

    #[test]
    fn choice_picks_between_two_configured_providers() {
        let env = env_of(&[
            ("TUSOU_APP_KEY", "k"),
            ("TUSOU_APP_SECRET", "s123"),
            ("TUSOU_ACCESS_KEY", "ak"),
            ("TUSOU_SECRET_KEY", "sk12"),
            ("TUSOU_BASE_URL", "http://127.0.0.1:1"),
        ]);
        let mut c = Config::resolve(FileConfig::default(), &env).unwrap();
        assert_eq!(c.provider().map(|p| p.kind()), Some(ProviderKind::DajiSaas));
        c.provider_choice = Some(ProviderKind::SignedHeader);
        assert_eq!(
            c.provider().map(|p| p.kind()),
            Some(ProviderKind::SignedHeader)
        );
    }

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("hunter22");
        assert_eq!(format!("{s} {s:?}"), "*** Secret(***)");
        let file: FileConfig =
            toml::from_str("[dajisaas]\napp_key = \"k\"\napp_secret = \"hunter22\"\n").unwrap();
        let c = Config::resolve(file, &env_of(&[])).unwrap();
        assert!(!format!("{c:?}").contains("hunter22"));
    }

    fn file(text: &str) -> FileConfig {
        toml::from_str(text).unwrap()
    }

    #[test]
    fn numbers_out_of_range_name_the_key_and_the_range() {
        for (text, key, range) in [
            (
                "[network]\ntimeout_secs = 1e20\n",
                "[network] timeout_secs",
                "from 0.1 to 3600",
            ),
            (
                "[network]\ntimeout_secs = inf\n",
                "[network] timeout_secs",
                "from 0.1 to 3600",
            ),
            (
                "[network]\ntimeout_secs = nan\n",
                "[network] timeout_secs",
                "from 0.1 to 3600",
            ),
            (
                "[network]\ntimeout_secs = 0\n",
                "[network] timeout_secs",
                "from 0.1 to 3600",
            ),
            (
                "[network]\nconnect_timeout_secs = 301\n",
                "[network] connect_timeout_secs",
                "from 0.1 to 300",
            ),
            (
                "[network]\nretries = 11\n",
                "[network] retries",
                "from 0 to 10",
            ),
            ("page_size = 0\n", "page_size", "from 1 to 50"),
            ("page_size = 51\n", "page_size", "from 1 to 50"),
        ] {
            let err = Config::resolve(file(text), &env_of(&[])).unwrap_err();
            let msg = err.to_string();
            assert!(
                msg.starts_with(key) && msg.contains(range),
                "{text:?}: {msg}"
            );
        }
        let ok = "page_size = 50\n[network]\ntimeout_secs = 3600\nconnect_timeout_secs = 0.1\nretries = 0\n";
        let c = Config::resolve(file(ok), &env_of(&[])).unwrap();
        assert_eq!(c.timeout, Duration::from_secs(3600));
        assert_eq!((c.retries, c.page_size), (0, Some(50)));
        // Integers are fine where seconds are asked for.
        let c = Config::resolve(file("[network]\ntimeout_secs = 12\n"), &env_of(&[])).unwrap();
        assert_eq!(c.timeout, Duration::from_secs(12));
    }

    #[test]
    fn base_urls_must_be_http_urls() {
        for bad in ["not a url", "ftp://x.example/", "localhost:8688", "http://"] {
            let text = format!("[dajisaas]\nbase_url = {bad:?}\n");
            let err = Config::resolve(file(&text), &env_of(&[])).unwrap_err();
            assert!(
                err.to_string().starts_with("[dajisaas] base_url = "),
                "{err}"
            );
            let pairs = [("TUSOU_BASE_URL", bad)];
            let env = env_of(&pairs);
            let err = Config::resolve(FileConfig::default(), &env).unwrap_err();
            assert!(err.to_string().starts_with("TUSOU_BASE_URL = "), "{err}");
        }
        let pairs = [("TUSOU_DAJI_BASE_URL", " http://127.0.0.1:8688 ")];
        let env = env_of(&pairs);
        assert!(Config::resolve(FileConfig::default(), &env).is_ok());
    }

    #[test]
    fn demo_knobs_are_bounded() {
        for (name, value) in [
            ("TUSOU_DEMO_CATALOG_SIZE", "99999999999"),
            ("TUSOU_DEMO_CATALOG_SIZE", "0"),
            ("TUSOU_DEMO_MAX_RESULTS", "-3"),
            ("TUSOU_DEMO_MAX_RESULTS", "many"),
        ] {
            let err = Config::resolve(FileConfig::default(), &env_of(&[(name, value)]))
                .unwrap_err()
                .to_string();
            assert!(
                err.starts_with(name) && err.contains("from 1 to 100000"),
                "{err}"
            );
        }
        let c = Config::resolve(
            FileConfig::default(),
            &env_of(&[("TUSOU_DEMO_CATALOG_SIZE", "12000")]),
        )
        .unwrap();
        assert_eq!(c.demo_catalog_size, Some(12_000));
    }
}
