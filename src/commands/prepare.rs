//! `tusou prepare`: what search would send for a picture (its MD5 and
//! size), and optionally the bytes; no provider.

use super::error::{CommandError, finish};
use super::startup::{Exit, prepare_options};
use crate::cli::{CommonArgs, PrepareArgs};
use crate::text::sanitize;
use std::process::ExitCode;

pub fn run(args: &PrepareArgs, common: &CommonArgs) -> ExitCode {
    finish(prepare(args, common).map(|()| Exit::Ok))
}

/// Messages name files from the command line: sanitised (by `finish`).
fn prepare(args: &PrepareArgs, common: &CommonArgs) -> Result<(), CommandError> {
    let prepared = crate::image::prepare_file(&args.image, &prepare_options(common))
        .map_err(|e| CommandError::input(e.to_string()))?;
    eprintln!("tusou: {}", sanitize(&prepared.summary));
    if let Some(out) = &args.output {
        std::fs::write(out, &prepared.bytes).map_err(|e| {
            CommandError::failure(format!("cannot write {}: {e}", crate::fs::shown(out)))
        })?;
    }
    println!("{}  {}", prepared.md5_hex, sanitize(&prepared.summary));
    Ok(())
}
