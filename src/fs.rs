//! Reading files named from outside — pictures, the config, the keymap —
//! without trusting them: only regular files are opened (a FIFO, a device
//! or a socket would block or never end), the open itself cannot block
//! (`O_NONBLOCK`, then the type is checked again on the open file, so a
//! FIFO swapped in after the first check is still refused), and reading
//! stops at a cap whatever size the file system reports (`/proc` files and
//! growing files report a size that means nothing).

use crate::text::sanitize;
use std::fs::{File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Largest picture file read (64 MB): the app, `tusou search`, `prepare`,
/// `preview` and the picker's previews stop here and say so.
pub const MAX_PICTURE_FILE_BYTES: u64 = 64_000_000;

/// Largest config or keymap file read (1 MB).
pub const MAX_TEXT_FILE_BYTES: u64 = 1_000_000;

/// Why a file could not be read. Paths are sanitised when displayed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read {}: {reason}", shown(.path))]
    Io {
        path: PathBuf,
        kind: io::ErrorKind,
        reason: String,
    },
    #[error("cannot read {}: it is {what}, not a regular file", shown(.path))]
    NotRegular { path: PathBuf, what: &'static str },
    #[error(
        "{} is larger than {} (the limit for this file); stopped reading there",
        shown(.path),
        crate::text::human_bytes(*.max)
    )]
    TooLarge { path: PathBuf, max: u64 },
}

impl ReadError {
    /// The file (or a directory on its path) does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, ReadError::Io { kind, .. } if *kind == io::ErrorKind::NotFound)
    }

    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::NotRegular { path, .. }
            | ReadError::TooLarge { path, .. } => path,
        }
    }
}

/// A path as shown to the user: control characters and escapes removed.
pub fn shown(path: &Path) -> String {
    sanitize(&path.display().to_string())
}

fn io_error(path: &Path, e: &io::Error) -> ReadError {
    ReadError::Io {
        path: path.to_path_buf(),
        kind: e.kind(),
        reason: sanitize(&e.to_string()),
    }
}

/// What a non-regular file is, for messages.
fn kind_of(meta: &Metadata) -> Option<&'static str> {
    let ft = meta.file_type();
    if ft.is_file() {
        return None;
    }
    if ft.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if ft.is_char_device() {
            return Some("a character device");
        }
        if ft.is_block_device() {
            return Some("a block device");
        }
        if ft.is_socket() {
            return Some("a socket");
        }
    }
    Some("a special file")
}

/// Whether `meta` (from `std::fs::metadata`, which follows symlinks and
/// never opens the file) describes a regular file; `Err` says what it is.
fn check_regular(path: &Path, meta: &Metadata) -> Result<(), ReadError> {
    match kind_of(meta) {
        None => Ok(()),
        Some(what) => Err(ReadError::NotRegular {
            path: path.to_path_buf(),
            what,
        }),
    }
}

/// Opens `path` for reading only if it is a regular file, without ever
/// blocking in `open` (see the module docs). Returns the file and its
/// metadata as seen through the open descriptor.
fn open_regular(path: &Path) -> Result<(File, Metadata), ReadError> {
    let before = std::fs::metadata(path).map_err(|e| io_error(path, &e))?;
    check_regular(path, &before)?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking: opening a FIFO swapped in since the check above
        // returns at once instead of waiting for a writer. No effect on
        // reads from a regular file. NOCTTY: never adopt a terminal.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(|e| io_error(path, &e))?;
    let meta = file.metadata().map_err(|e| io_error(path, &e))?;
    check_regular(path, &meta)?;
    Ok((file, meta))
}

/// Reads a whole regular file of at most `cap` bytes. Stops reading at
/// `cap + 1` bytes whatever the file reports as its length.
pub fn read_file_capped(path: &Path, cap: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open_regular(path)?;
    if meta.len() > cap {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            max: cap,
        });
    }
    // The reported length is a hint for the buffer, never a promise.
    let hint = usize::try_from(meta.len().min(cap)).unwrap_or(0);
    let mut out = Vec::with_capacity(hint.saturating_add(1));
    file.take(cap.saturating_add(1))
        .read_to_end(&mut out)
        .map_err(|e| io_error(path, &e))?;
    if out.len() as u64 > cap {
        return Err(ReadError::TooLarge {
            path: path.to_path_buf(),
            max: cap,
        });
    }
    Ok(out)
}

/// [`read_file_capped`] for text (config, keymap): UTF-8 required.
pub fn read_text_capped(path: &Path, cap: u64) -> Result<String, ReadError> {
    let bytes = read_file_capped(path, cap)?;
    String::from_utf8(bytes).map_err(|_| ReadError::Io {
        path: path.to_path_buf(),
        kind: io::ErrorKind::InvalidData,
        reason: "it is not UTF-8 text".to_owned(),
    })
}

/// Up to `n` first bytes of a regular file (content sniffing). Never
/// blocks in `open`; a short file gives fewer bytes.
pub(crate) fn read_head(path: &Path, n: usize) -> Result<Vec<u8>, ReadError> {
    let (file, _) = open_regular(path)?;
    let mut out = Vec::with_capacity(n);
    file.take(n as u64)
        .read_to_end(&mut out)
        .map_err(|e| io_error(path, &e))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_and_stops_at_the_cap() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("a.bin");
        std::fs::write(&p, b"0123456789").expect("write");
        assert_eq!(read_file_capped(&p, 10).expect("fits"), b"0123456789");
        let err = read_file_capped(&p, 9).expect_err("over");
        assert!(matches!(err, ReadError::TooLarge { max: 9, .. }), "{err:?}");
        assert_eq!(read_head(&p, 4).expect("head"), b"0123");
        assert_eq!(read_head(&p, 40).expect("head").len(), 10);
    }

    #[test]
    fn missing_files_and_directories_are_typed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = read_file_capped(&dir.path().join("nope"), 10).expect_err("missing");
        assert!(err.is_not_found(), "{err:?}");
        let err = read_file_capped(dir.path(), 10).expect_err("dir");
        assert!(
            matches!(
                err,
                ReadError::NotRegular {
                    what: "a directory",
                    ..
                }
            ),
            "{err:?}"
        );
    }

    /// A device reports length 0 and never ends: refused before reading.
    #[cfg(unix)]
    #[test]
    fn devices_are_refused_through_a_symlink() {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("z.jpg");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        let err = read_file_capped(&link, MAX_PICTURE_FILE_BYTES).expect_err("device");
        assert!(
            matches!(
                err,
                ReadError::NotRegular {
                    what: "a character device",
                    ..
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn fifos_are_refused_without_blocking() {
        let dir = tempfile::tempdir().expect("tempdir");
        let fifo = dir.path().join("x.jpg");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
        let err = read_file_capped(&fifo, 10).expect_err("fifo");
        assert!(err.to_string().contains("FIFO"), "{err}");
        assert!(read_head(&fifo, 32).is_err());
    }

    #[test]
    fn paths_with_escapes_are_shown_sanitised() {
        let p = PathBuf::from("/nowhere/\x1b]52;c;ZXZpbA==\x07\x1b[2Jx.jpg");
        let err = read_file_capped(&p, 10).expect_err("missing");
        let text = err.to_string();
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
        assert!(text.contains("x.jpg"), "{text}");
    }
}
