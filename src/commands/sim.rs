//! `tusou sim`: the providers' simulator, standalone (demo builds only).

use super::error::{CommandError, finish};
use super::startup::Exit;
use std::process::ExitCode;

pub async fn run(args: tusou_sim::SimArgs) -> ExitCode {
    let result = tusou_sim::run_standalone(args)
        .await
        .map(|()| Exit::Ok)
        .map_err(|e| CommandError::failure(format!("{e:#}")).of("sim"));
    finish(result)
}
