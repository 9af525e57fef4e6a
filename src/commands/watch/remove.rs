//! `tusou watch remove ID`: the watch and its runs go; the searches its
//! runs recorded stay in the history.

use crate::cli::{CommonArgs, WatchRemoveArgs};
use crate::commands::error::{CommandError, Exit, finish};
use crate::commands::startup::open_store;
use crate::store::WatchId;
use std::process::ExitCode;

pub(super) fn run(args: &WatchRemoveArgs, common: &CommonArgs) -> ExitCode {
    finish(remove(args, common))
}

fn remove(args: &WatchRemoveArgs, common: &CommonArgs) -> Result<Exit, CommandError> {
    let (store, _) = open_store(common)?;
    if !store.remove_watch(WatchId(args.id))? {
        return Err(CommandError::input(format!(
            "no watch {} (`tusou watch list`)",
            args.id
        )));
    }
    eprintln!("tusou: watch {} removed", args.id);
    Ok(Exit::Ok)
}
