//! `tusou preview`: a picture as half blocks on stdout; no provider.

use super::error::{CommandError, finish};
use super::startup::Exit;
use crate::cli::PreviewArgs;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &PreviewArgs) -> ExitCode {
    finish(preview(args).map(|()| Exit::Ok))
}

/// The file is read like every picture: a regular file only, at most 64 MB.
fn preview(args: &PreviewArgs) -> Result<(), CommandError> {
    let bytes = crate::fs::read_file_capped(&args.image, crate::fs::MAX_PICTURE_FILE_BYTES)
        .map_err(|e| CommandError::input(e.to_string()))?;
    let (cols, rows) = args.size;
    let picture = crate::image::HalfBlockImage::from_bytes(&bytes, cols, rows)
        .map_err(|e| CommandError::input(e.to_string()))?;
    let mut out = std::io::stdout().lock();
    match out.write_all(picture.to_ansi().as_bytes()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        // As before: a failed write to stdout exits 1 without a line.
        Err(_) => Err(CommandError::said(Exit::Failure)),
    }
}
