//! Tracing setup. `TUSOU_LOG` (e.g. `debug`, `tusou=trace`) sets the filter.
//! Headless commands log to stderr; the app logs to a file so the screen
//! stays clean. Secrets never reach a log: clients redact before logging.

use std::path::Path;
use tracing_subscriber::EnvFilter;

fn filter(default: &str) -> EnvFilter {
    EnvFilter::try_from_env("TUSOU_LOG").unwrap_or_else(|_| EnvFilter::new(default))
}

/// Logs warnings (or `TUSOU_LOG`) to stderr, coloured only on a terminal
/// and without `NO_COLOR`: a redirected stderr gets plain lines.
pub fn to_stderr(default: &str) {
    use std::io::IsTerminal;
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter(default))
        .with_writer(std::io::stderr)
        .with_target(false)
        .with_ansi(colour(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        ))
        .try_init();
}

/// Colour on a terminal, unless `NO_COLOR` is set to anything but empty
/// (no-color.org).
fn colour(terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
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

#[cfg(test)]
mod tests {
    use super::colour;
    use std::ffi::OsStr;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(colour(true, None));
        assert!(colour(true, Some(OsStr::new(""))));
        assert!(!colour(true, Some(OsStr::new("1"))));
        assert!(!colour(false, None));
    }
}
