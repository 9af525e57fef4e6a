//! `tusou prepare` and `tusou preview`: the picture tools, no provider.

use crate::cli::{CommonArgs, PrepareArgs, PreviewArgs};
use crate::startup::{Exit, prepare_options};
use crate::text::sanitize;
use std::io::Write;
use std::process::ExitCode;

/// `tusou prepare`: what search would send, and optionally the bytes.
/// Messages name files from the command line: sanitised.
pub fn prepare(args: &PrepareArgs, common: &CommonArgs) -> ExitCode {
    let prepared = match crate::image::prepare_file(&args.image, &prepare_options(common)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("tusou: {}", sanitize(&e.to_string()));
            return Exit::Input.into();
        }
    };
    eprintln!("tusou: {}", sanitize(&prepared.summary));
    if let Some(out) = &args.output
        && let Err(e) = std::fs::write(out, &prepared.bytes)
    {
        eprintln!(
            "tusou: cannot write {}: {}",
            crate::fs::shown(out),
            sanitize(&e.to_string())
        );
        return Exit::Failure.into();
    }
    println!("{}  {}", prepared.md5_hex, sanitize(&prepared.summary));
    Exit::Ok.into()
}

/// `tusou preview`: the half-block picture on stdout. The file is read like
/// every picture: a regular file only, at most 64 MB.
pub fn preview(args: &PreviewArgs) -> ExitCode {
    let bytes =
        match crate::fs::read_file_capped(&args.image, crate::fs::MAX_PICTURE_FILE_BYTES) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("tusou: {e}");
                return Exit::Input.into();
            }
        };
    let (cols, rows) = args.size;
    match crate::image::HalfBlockImage::from_bytes(&bytes, cols, rows) {
        Ok(picture) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(picture.to_ansi().as_bytes()) {
                Ok(()) => Exit::Ok.into(),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok.into(),
                Err(_) => Exit::Failure.into(),
            }
        }
        Err(e) => {
            eprintln!("tusou: {}", sanitize(&e.to_string()));
            Exit::Input.into()
        }
    }
}
