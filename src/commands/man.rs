//! `tusou man`: the manual page (roff) on stdout, from the clap definitions:
//! `tusou man > ~/.local/share/man/man1/tusou.1`.

use super::completions::write_stdout;
use super::error::{CommandError, finish};
use super::startup::Exit;
use crate::cli::Cli;
use clap::CommandFactory;
use std::process::ExitCode;

pub fn run() -> ExitCode {
    finish(man().map(|()| Exit::Ok))
}

fn man() -> Result<(), CommandError> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(|e| CommandError::failure(format!("could not write the manual page: {e}")))?;
    write_stdout(&page)
}
