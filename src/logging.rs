//! Tracing setup. `TUSOU_LOG` (e.g. `debug`, `tusou=trace`) sets the filter.
//! Headless commands log to stderr; the app logs to a file so the screen
//! stays clean. Secrets never reach a log: clients redact before logging.

use std::path::Path;
use tracing_subscriber::EnvFilter;

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env("TUSOU_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

/// Logs warnings (or `TUSOU_LOG`) to stderr.
pub fn to_stderr(default: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(default))
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

/// Logs to `<dir>/tusou.log` when `TUSOU_LOG` is set; otherwise not at all.
pub(crate) fn to_file(dir: Option<&Path>) {
    if std::env::var_os("TUSOU_LOG").is_none() {
        return;
    }
    let Some(dir) = dir else { return };
    if std::fs::create_dir_all(dir).is_err() {
        return;
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("tusou.log"))
    else {
        return;
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter("info"))
        .with_writer(std::sync::Mutex::new(file))
        .with_ansi(false)
        .try_init();
}
