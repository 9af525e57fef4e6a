//! `tusou watch`: searches kept in the history and run again on a
//! schedule, each run compared with the one before it. One file per
//! subcommand: `add`, `list`, `remove`, `run`, `install` (and
//! uninstall), `notify` (`run --notify-cmd`); `picture` keeps and reads
//! back the prepared copy a watch searches with.

mod add;
mod install;
mod list;
mod notify;
mod picture;
mod remove;
mod run;

use crate::cli::{CommonArgs, WatchCommand};
use std::process::ExitCode;

pub async fn run(command: WatchCommand, common: &CommonArgs) -> ExitCode {
    match command {
        WatchCommand::Add(args) => add::run(*args, common).await,
        WatchCommand::List(args) => list::run(&args, common),
        WatchCommand::Remove(args) => remove::run(&args, common),
        WatchCommand::Run(args) => run::run(args, common).await,
        WatchCommand::Install(args) => install::run(&args, common),
        WatchCommand::Uninstall => install::run_uninstall(common),
    }
}
