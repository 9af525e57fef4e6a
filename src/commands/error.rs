//! Why a command failed, typed until the edge, and the one place where a
//! failure becomes its exit code and its one line on stderr.

use crate::api::{ApiError, ErrorKind, ResolveError};
use crate::config::ConfigError;
use crate::store::StoreError;
use crate::text::sanitize;
use std::process::ExitCode;

/// Exit codes of every command (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    Input = 3,
    Auth = 4,
    Network = 5,
    Config = 6,
    /// `tusou batch`: the sheet written, some photos failed.
    SomeFailed = 7,
    /// `tusou watch run`: ran, and something changed.
    Changed = 10,
    /// Stopped by Ctrl-C, SIGTERM or SIGHUP (resume later).
    Stopped = 130,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// A command's failure: the exit code, and what to say (one line; empty
/// when the command has already said it, or there is nothing to say).
#[derive(Debug)]
pub(crate) struct CommandError {
    exit: Exit,
    message: String,
    /// The subcommand named in the line (`tusou sim: …`), when it is.
    command: Option<&'static str>,
}

impl CommandError {
    pub(crate) fn new(exit: Exit, message: impl Into<String>) -> Self {
        CommandError {
            exit,
            message: message.into(),
            command: None,
        }
    }

    /// A failure already reported (doctor's lines): the exit code only.
    pub(crate) fn said(exit: Exit) -> Self {
        CommandError::new(exit, String::new())
    }

    pub(crate) fn usage(message: impl Into<String>) -> Self {
        CommandError::new(Exit::Usage, message)
    }

    pub(crate) fn input(message: impl Into<String>) -> Self {
        CommandError::new(Exit::Input, message)
    }

    pub(crate) fn failure(message: impl Into<String>) -> Self {
        CommandError::new(Exit::Failure, message)
    }

    /// The history database failed (`history database: …`, exit 1).
    pub(crate) fn database(error: &StoreError) -> Self {
        CommandError::failure(format!("history database: {error}"))
    }

    /// Output to stdout failed; a closed pipe (`| head`) is no failure: the
    /// reader has what it wanted.
    pub(crate) fn output(error: &std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            return CommandError::said(Exit::Ok);
        }
        CommandError::failure(format!("could not write output: {error}"))
    }

    /// The line names the subcommand: `tusou sim: …`.
    #[cfg_attr(not(feature = "demo"), allow(dead_code))]
    pub(crate) fn of(mut self, command: &'static str) -> Self {
        self.command = Some(command);
        self
    }

    /// `prefix: ` before the message.
    pub(crate) fn context(mut self, prefix: impl std::fmt::Display) -> Self {
        self.message = format!("{prefix}: {}", self.message);
        self
    }

    pub(crate) fn exit(&self) -> Exit {
        self.exit
    }

    pub(crate) fn message(&self) -> &str {
        &self.message
    }
}

/// The exit for a provider's failure.
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

impl From<ApiError> for CommandError {
    fn from(error: ApiError) -> Self {
        CommandError::new(exit_for(&error), error.to_string())
    }
}

impl From<ResolveError> for CommandError {
    fn from(error: ResolveError) -> Self {
        let exit = match &error {
            ResolveError::Image(_) => Exit::Input,
            ResolveError::Api(api) => exit_for(api),
            ResolveError::Task(_) => Exit::Failure,
        };
        CommandError::new(exit, error.to_string())
    }
}

impl From<ConfigError> for CommandError {
    fn from(error: ConfigError) -> Self {
        CommandError::new(Exit::Config, error.to_string())
    }
}

impl From<StoreError> for CommandError {
    fn from(error: StoreError) -> Self {
        CommandError::database(&error)
    }
}

/// The one place a command's result becomes its exit code, and a failure
/// its one line on stderr (sanitised: messages carry server and file text).
pub(crate) fn finish(result: Result<Exit, CommandError>) -> ExitCode {
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            if !error.message.is_empty() {
                let name = error.command.map(|c| format!(" {c}")).unwrap_or_default();
                eprintln!("tusou{name}: {}", sanitize(&error.message));
            }
            error.exit.into()
        }
    }
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

    #[test]
    fn a_closed_pipe_is_no_failure() {
        let pipe = CommandError::output(&std::io::ErrorKind::BrokenPipe.into());
        assert_eq!((pipe.exit(), pipe.message()), (Exit::Ok, ""));
        let full = CommandError::output(&std::io::Error::other("disk full"));
        assert_eq!(full.exit(), Exit::Failure);
    }
}
