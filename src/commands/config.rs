//! `tusou config path | init | check`: where the configuration file is, a
//! commented template written there, and the checks `tusou doctor` makes
//! before its network steps.

use super::error::{CommandError, finish};
use super::startup::{Exit, load_config};
use crate::cli::{CommonArgs, ConfigCommand};
use crate::fs::shown;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// What `tusou config init` writes: every key `config.toml` may hold,
/// commented out, so that the file parses as it is and each line can be
/// uncommented as it is.
pub(crate) const TEMPLATE: &str = r#"# tusou configuration (see the README's "Configuration").
# Environment variables override these values. Keep this file private
# (chmod 600): it holds your credentials. Every line is commented out;
# uncomment what you need.

# provider = "dajisaas"         # or "signed-header"; default: whichever has credentials
# country = "en"                # sent as `country` (the API documents "en")
# page_size = 20                # results per page, 1–50
# out_member_id = "21000070000" # your own user id for the provider
# currency = "USD"              # also show prices in your currency (three letters)…
# rate = 7.1                    # …at your rate: yuan (CNY) per one unit

# [dajisaas]                    # upload → imageId, then query
# app_key = "your-app-key"
# app_secret = "your-app-secret"
# base_url = "https://openapi.dajisaas.com"
# debug_send_secret = false     # the provider's debug mode: sends app_secret in the clear

# [signed_header]               # one signed POST with the picture
# base_url = "https://api.example.com"
# access_key = "your-access-key"
# secret_key = "your-secret-key"
# user_id = "your-user-id"
# timestamp_unit = "ms"         # or "s"

# [network]
# connect_timeout_secs = 5      # 0.1–300
# timeout_secs = 30             # 0.1–3600, per attempt
# retries = 6                   # 0–10

# [batch]                       # `tusou batch`, every provider
# rate = 5                      # provider requests per second, 0.017–1000
# concurrency = 4               # photos searched at once, 1–64

# [batch.dajisaas]              # one provider's own limits, over [batch]
# rate = 5
# concurrency = 4

# [batch.signed_header]
# rate = 5
# concurrency = 4

# [landed]                      # landed cost (README, "Landed cost")
# lane = "air"                  # the lane used when none is named
# agent_fee_pct = 5             # % of goods + domestic freight; 0 for none
# duty_pct = 5                  # % of the customs value, 0–500
# vat_pct = 20                  # % of customs value + duty, 0–100
# domestic_per_kg = 8           # yuan per kg when the provider gives no freight estimate

# [landed.warehouse]            # your forwarder's warehouse (division codes)
# province = "440000"
# city = "440300"
# district = "440306"
# label = "my forwarder"

# [landed.de_minimis]           # no duty or VAT at or below this customs value
# amount = 150
# currency = "EUR"
# rate = 7.7                    # yuan per unit; not needed for CNY or your currency

# [landed.extras]               # yuan per piece, any names
# packaging = 0.3

# [[landed.lanes]]              # one table per lane
# name = "air"
# divisor = 6000                # volumetric: L×W×H cm ÷ this = kg
# currency = "USD"              # the fees' currency (its rate: `rate`, or yours)
# base_fee = 3                  # per shipment
# per_kg_fee = 6.5              # per chargeable kg
# min_fee = 15                  # the least a shipment costs
# rates_checked = "2026-12-01"  # when you checked these fees
"#;

pub fn run(command: &ConfigCommand, common: &CommonArgs) -> ExitCode {
    finish(match command {
        ConfigCommand::Path => path(common),
        ConfigCommand::Init => init(common),
        ConfigCommand::Check => check(common),
    })
}

/// `--config FILE`, else `config.toml` in the config directory.
fn config_path(common: &CommonArgs) -> Result<PathBuf, CommandError> {
    if let Some(path) = &common.config {
        return Ok(path.clone());
    }
    crate::config::config_dir()
        .map(|dir| dir.join("config.toml"))
        .ok_or_else(|| {
            CommandError::new(
                Exit::Config,
                "no config directory: set TUSOU_CONFIG_DIR or XDG_CONFIG_HOME (or HOME)",
            )
        })
}

fn path(common: &CommonArgs) -> Result<Exit, CommandError> {
    println!("{}", shown(&config_path(common)?));
    Ok(Exit::Ok)
}

fn init(common: &CommonArgs) -> Result<Exit, CommandError> {
    let path = config_path(common)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        create_private_dir(dir)
            .map_err(|e| CommandError::failure(format!("cannot create {}: {e}", shown(dir))))?;
    }
    write_new(&path, TEMPLATE.as_bytes()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CommandError::usage(format!(
                "{} already exists; not overwritten (edit it, or move it away first)",
                shown(&path)
            ))
        } else {
            CommandError::failure(format!("cannot write {}: {e}", shown(&path)))
        }
    })?;
    eprintln!(
        "tusou: wrote {} (mode 600); uncomment the lines you need, then run `tusou config check`",
        shown(&path)
    );
    Ok(Exit::Ok)
}

/// The directory, made private (0700) where it is made.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Creates `path` with `bytes`, mode 0600. Never overwrites and never
/// follows a symlink: anything at the path (a file, a dangling symlink) is
/// `AlreadyExists`.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600).custom_flags(libc::O_NOFOLLOW);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Parse and check, as `tusou doctor` does before its network steps; a bad
/// configuration is exit 6 with its one line.
fn check(common: &CommonArgs) -> Result<Exit, CommandError> {
    let config = load_config(common)?;
    for warning in &config.warnings {
        eprintln!("tusou: warning: {warning}");
    }
    match &config.config_file {
        Some(path) => println!("config: {} · ok", shown(path)),
        None => println!(
            "config: no config file at {} (environment variables only) · ok",
            shown(&config_path(common)?)
        ),
    }
    match config.provider() {
        Some(provider) => println!("provider: {} (credentials set)", provider.kind().name()),
        None => println!("provider: none configured: tusou runs its built-in demo"),
    }
    Ok(Exit::Ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key `config/file.rs` reads, by its section.
    const KEYS: &[&str] = &[
        "provider",
        "country",
        "page_size",
        "out_member_id",
        "currency",
        "rate",
        "[dajisaas]",
        "app_key",
        "app_secret",
        "base_url",
        "debug_send_secret",
        "[signed_header]",
        "access_key",
        "secret_key",
        "user_id",
        "timestamp_unit",
        "[network]",
        "connect_timeout_secs",
        "timeout_secs",
        "retries",
        "[batch]",
        "concurrency",
        "[batch.dajisaas]",
        "[batch.signed_header]",
        "[landed]",
        "lane",
        "agent_fee_pct",
        "duty_pct",
        "vat_pct",
        "domestic_per_kg",
        "[landed.warehouse]",
        "province",
        "city",
        "district",
        "label",
        "[landed.de_minimis]",
        "amount",
        "[landed.extras]",
        "[[landed.lanes]]",
        "name",
        "divisor",
        "base_fee",
        "per_kg_fee",
        "min_fee",
        "rates_checked",
    ];

    /// The template with every setting uncommented.
    fn uncommented() -> String {
        TEMPLATE
            .lines()
            .map(|line| match line.strip_prefix("# ") {
                Some(rest) if rest.starts_with('[') || rest.contains(" = ") => rest,
                _ => line,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_template_names_every_key_and_each_value_is_valid() {
        let all = uncommented();
        for key in KEYS {
            let named = all.lines().any(|l| {
                l.starts_with(key) && (key.starts_with('[') || l[key.len()..].starts_with(" ="))
            });
            assert!(named, "{key} is not in the template");
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.toml");
        std::fs::write(&path, &all).unwrap();
        let config = crate::config::Config::load(Some(&path)).unwrap();
        assert_eq!(config.page_size, Some(20));
        assert_eq!(config.retries, 6);
        assert_eq!(config.landed.lanes.len(), 1);
    }
}
