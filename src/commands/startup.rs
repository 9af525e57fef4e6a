//! The one start-up path every command takes: the configuration (with
//! `--provider` over it), then the search backend (a provider, or the demo),
//! and the options the command line gives them. Also the exit codes.

use super::error::CommandError;
use crate::backend::{DemoOptions, DemoUnavailable, SearchBackend};
use crate::cli::CommonArgs;
use crate::config::Config;
use crate::image::{PrepareMode, PrepareOptions};
use crate::store::{Opened, Store};
use crate::text::sanitize;
use std::time::Duration;

pub(crate) use super::error::Exit;

pub(crate) fn prepare_options(common: &CommonArgs) -> PrepareOptions {
    PrepareOptions {
        mode: if common.original {
            PrepareMode::Original
        } else {
            PrepareMode::Compact
        },
        ..PrepareOptions::default()
    }
}

/// The demo the command line asks for (`--demo`, `--demo-latency-ms`).
fn demo_options(common: &CommonArgs) -> DemoOptions {
    DemoOptions {
        force: common.demo,
        latency: common.demo_latency_ms.map(Duration::from_millis),
    }
}

/// The configuration (`--config` or the default file, and the environment)
/// with `--provider` over it. Its warnings are for the command to say.
pub(crate) fn load_config(common: &CommonArgs) -> Result<Config, CommandError> {
    let mut config = Config::load(common.config.as_deref())?;
    if let Some(kind) = common.provider {
        config.provider_choice = Some(kind);
    }
    Ok(config)
}

/// The search backend could not start.
#[derive(Debug, thiserror::Error)]
#[error("{0:#}")]
pub(crate) struct StartError(anyhow::Error);

impl From<StartError> for CommandError {
    /// A demo this build cannot give is a configuration problem (exit 6),
    /// anything else a failure to start (exit 1).
    fn from(StartError(error): StartError) -> Self {
        if error.downcast_ref::<DemoUnavailable>().is_some() {
            CommandError::new(Exit::Config, format!("{error:#}"))
        } else {
            CommandError::failure(format!("could not start: {error:#}"))
        }
    }
}

/// The search backend the configuration and the command line ask for.
pub(crate) async fn start_backend(
    config: &Config,
    common: &CommonArgs,
) -> Result<SearchBackend, StartError> {
    SearchBackend::start(config, &demo_options(common))
        .await
        .map_err(StartError)
}

/// A headless command's start: the configuration (its warnings said on
/// stderr) and the backend (the store's notices said on stderr).
pub(crate) async fn start_headless(
    common: &CommonArgs,
) -> Result<(Config, SearchBackend), CommandError> {
    let config = headless_config(common)?;
    let backend = headless_backend(&config, common).await?;
    Ok((config, backend))
}

/// The first half of [`start_headless`]: the configuration, its warnings
/// on stderr (already sanitised: they name files).
pub(crate) fn headless_config(common: &CommonArgs) -> Result<Config, CommandError> {
    let config = load_config(common)?;
    for warning in &config.warnings {
        eprintln!("tusou: warning: {warning}");
    }
    Ok(config)
}

/// The second half of [`start_headless`]: the backend, the store's notices
/// on stderr.
pub(crate) async fn headless_backend(
    config: &Config,
    common: &CommonArgs,
) -> Result<SearchBackend, CommandError> {
    let backend = start_backend(config, common).await?;
    for notice in &backend.store_notices {
        eprintln!("tusou: history: {}", sanitize(notice));
    }
    Ok(backend)
}

/// What a search in demo mode says first.
pub(crate) fn say_demo(backend: &SearchBackend) {
    if backend.mode == crate::backend::BackendMode::Demo {
        eprintln!(
            "tusou: demo mode — no credentials configured (or --demo); searching the built-in simulator"
        );
    }
}

/// The history store for a command that only reads or writes it (`tusou
/// history`, `tusou shortlist`), with the configuration; no store (history
/// off) is a failure (exit 1). Notices about the file go to stderr.
pub(crate) fn open_store(common: &CommonArgs) -> Result<(Store, Config), CommandError> {
    let config = load_config(common)?;
    match crate::store::for_run(config.data_dir.as_deref(), config.cache_dir.as_deref()) {
        Opened::On { store, notices } => {
            for notice in notices {
                eprintln!("tusou: history: {}", sanitize(&notice));
            }
            Ok((store, config))
        }
        Opened::Off { reason } => Err(CommandError::failure(reason)),
    }
}

/// Waits for SIGINT (Ctrl-C), SIGTERM or SIGHUP: a headless command's cue
/// to stop where it is, cleanly. The handlers are installed at the call.
pub(crate) async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut signals: Vec<_> = [
        SignalKind::interrupt(),
        SignalKind::terminate(),
        SignalKind::hangup(),
    ]
    .into_iter()
    .filter_map(|kind| signal(kind).ok())
    .collect();
    if signals.is_empty() {
        return std::future::pending().await;
    }
    futures::future::select_all(signals.iter_mut().map(|s| Box::pin(s.recv()))).await;
}
