//! Start-up decisions shared by `tusou`, `tusou search` and `tusou doctor`:
//! the exit codes, the image preparation and demo the command line asks
//! for, and what a failure to start the search backend means.

use crate::api::{ApiError, ErrorKind};
use crate::backend::{DemoOptions, DemoUnavailable};
use crate::cli::CommonArgs;
use crate::image::{PrepareMode, PrepareOptions};
use std::process::ExitCode;
use std::time::Duration;

/// Exit codes of every command (documented in the README for `tusou search`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    Input = 3,
    Auth = 4,
    Network = 5,
    Config = 6,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

pub(crate) fn exit_for(error: &ApiError) -> Exit {
    // A provider's reply over its cap is the provider's failing, like an
    // undecodable one; a picture over its cap is the user's input.
    if let ApiError::TooLarge { what, .. } = error.last()
        && what == crate::api::error::REPLY
    {
        return Exit::Network;
    }
    match error.kind() {
        ErrorKind::Auth => Exit::Auth,
        ErrorKind::InvalidRequest
        | ErrorKind::Upload
        | ErrorKind::TooLarge
        | ErrorKind::Unsupported => Exit::Input,
        ErrorKind::RateLimited
        | ErrorKind::Server
        | ErrorKind::Timeout
        | ErrorKind::Network
        | ErrorKind::Decode => Exit::Network,
        ErrorKind::Cancelled => Exit::Failure,
    }
}

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
pub(crate) fn demo_options(common: &CommonArgs) -> DemoOptions {
    DemoOptions {
        force: common.demo,
        latency: common.demo_latency_ms.map(Duration::from_millis),
    }
}

/// The exit for a search backend that could not start: a demo this build
/// cannot give is a configuration problem, anything else a failure.
pub(crate) fn start_failure(error: &anyhow::Error) -> Exit {
    if error.downcast_ref::<DemoUnavailable>().is_some() {
        Exit::Config
    } else {
        Exit::Failure
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

#[cfg(test)]
mod tests {
    use super::*;

    fn server_error() -> ApiError {
        ApiError::Server {
            status: 503,
            message: "busy".into(),
            trace_id: None,
        }
    }

    #[test]
    fn a_reply_too_large_is_the_network_s_a_picture_the_input_s() {
        let too_large = |what: &str| ApiError::TooLarge {
            what: what.into(),
            limit: 1,
        };
        assert_eq!(
            exit_for(&too_large(crate::api::error::REPLY)),
            Exit::Network
        );
        assert_eq!(exit_for(&too_large("picture")), Exit::Input);
        let retried = ApiError::gave_up(3, std::time::Duration::from_secs(1), server_error());
        assert_eq!(exit_for(&retried), Exit::Network);
    }
}
