//! `tusou completions SHELL`: the shell's completion script on stdout, from
//! the same clap definitions the command line is parsed with.

use super::error::{CommandError, finish};
use super::startup::Exit;
use crate::cli::{Cli, CompletionsArgs, Shell};
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &CompletionsArgs) -> ExitCode {
    finish(completions(args.shell).map(|()| Exit::Ok))
}

fn completions(shell: Shell) -> Result<(), CommandError> {
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
        Shell::Powershell => clap_complete::Shell::PowerShell,
    };
    // Into memory first: the generator panics on a failed write (a closed
    // pipe), and the script is a few tens of kilobytes.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "tusou", &mut script);
    write_stdout(&script)
}

/// `bytes` on stdout; a closed pipe is no failure.
pub(super) fn write_stdout(bytes: &[u8]) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    out.write_all(bytes)
        .and_then(|()| out.flush())
        .map_err(|e| CommandError::output(&e))
}
