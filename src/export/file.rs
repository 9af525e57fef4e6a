//! The one way tusou puts a file on disk: never through a symlink, never
//! over anything already at the name. What the user named is refused when
//! taken ([`Naming::Refuse`]); a name tusou chose moves on to `-1`, `-2`, …
//! ([`Naming::Fresh`]). A whole file is written beside its name and linked
//! in without replacing ([`write_new`]), so a failure or a kill never leaves
//! half a file under the name.

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

/// Numbered variants tried before giving up.
const MAX_SUFFIX: u32 = 1000;

/// What to do when the name is taken (by a file, a directory, a symlink —
/// even a dangling one — a FIFO or a device).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Naming {
    /// The first free `stem-1.ext`, `stem-2.ext`, …: for names tusou made.
    Fresh,
    /// An error of kind `AlreadyExists`: for names the user gave.
    Refuse,
}

/// `path`, then `stem-1.ext`, `stem-2.ext`, … (only `path` when refusing).
fn candidates(path: &Path, naming: Naming) -> impl Iterator<Item = PathBuf> + '_ {
    let last = match naming {
        Naming::Fresh => MAX_SUFFIX,
        Naming::Refuse => 0,
    };
    (0..=last).map(move |n| {
        if n == 0 {
            path.to_path_buf()
        } else {
            numbered(path, n)
        }
    })
}

/// `dir/stem-n.ext`.
fn numbered(path: &Path, n: u32) -> PathBuf {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    let name = match path.extension() {
        Some(ext) => format!("{stem}-{n}.{}", ext.to_string_lossy()),
        None => format!("{stem}-{n}"),
    };
    path.with_file_name(name)
}

/// The error for a name that is taken.
pub(crate) fn taken(path: &Path) -> io::Error {
    io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!(
            "{} exists, and tusou never overwrites a file: name another, or move that one away",
            crate::fs::shown(path)
        ),
    )
}

/// A new, empty file at `path` (or the first fresh name): opened with
/// `O_CREAT | O_EXCL | O_NOFOLLOW`, so nothing at the name is followed,
/// truncated or replaced.
pub fn create_new(path: &Path, naming: Naming) -> io::Result<(PathBuf, File)> {
    for candidate in candidates(path, naming) {
        match open_new(&candidate) {
            Ok(file) => return Ok((candidate, file)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(taken(path))
}

fn open_new(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    options.open(path)
}

/// Files of the same name with each of `extensions` in `dir`, all created
/// new, for the first name among `stem`, `stem-1`, `stem-2`, … where every
/// one is free (those made for a name that turns out half taken are
/// removed again).
pub fn create_new_set(
    dir: &Path,
    stem: &str,
    extensions: &[&str],
) -> io::Result<Vec<(PathBuf, File)>> {
    'names: for n in 0..=MAX_SUFFIX {
        let name = if n == 0 {
            stem.to_string()
        } else {
            format!("{stem}-{n}")
        };
        let mut made: Vec<(PathBuf, File)> = Vec::with_capacity(extensions.len());
        for ext in extensions {
            let path = dir.join(format!("{name}.{ext}"));
            match open_new(&path) {
                Ok(file) => made.push((path, file)),
                Err(e) => {
                    // Ours, and still empty: give them back.
                    for (path, file) in made {
                        drop(file);
                        let _ = std::fs::remove_file(path);
                    }
                    if e.kind() == io::ErrorKind::AlreadyExists {
                        continue 'names;
                    }
                    return Err(e);
                }
            }
        }
        return Ok(made);
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{stem} and {MAX_SUFFIX} numbered variants all exist"),
    ))
}

/// Why [`write_new`] failed: making or placing the file, or the caller's
/// own writing.
#[derive(Debug)]
pub enum WriteError<E> {
    Io(io::Error),
    Write(E),
}

/// Writes a whole file at `path` (or the first fresh name) and answers
/// where: `write` fills a temporary file in the same directory, which is
/// then linked to the name only if nothing is there (`renameat2` with
/// `RENAME_NOREPLACE`, else link and unlink). A failure removes the
/// temporary file; the name is never touched.
pub fn write_new<E>(
    path: &Path,
    naming: Naming,
    write: impl FnOnce(&mut File) -> Result<(), E>,
) -> Result<PathBuf, WriteError<E>> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    // A name already taken is refused before any work is done.
    if naming == Naming::Refuse && std::fs::symlink_metadata(path).is_ok() {
        return Err(WriteError::Io(taken(path)));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tusou-").suffix(".part");
    // An ordinary new file's permissions (the umask applies), not the
    // temporary file's private 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // Dropped on any early return, which deletes the temporary file.
    let mut temp = builder.tempfile_in(dir).map_err(WriteError::Io)?;
    write(temp.as_file_mut()).map_err(WriteError::Write)?;
    temp.as_file().sync_all().map_err(WriteError::Io)?;
    let mut last = None;
    for candidate in candidates(path, naming) {
        match temp.persist_noclobber(&candidate) {
            Ok(_) => return Ok(candidate),
            Err(e) if e.error.kind() == io::ErrorKind::AlreadyExists => {
                temp = e.file;
                last = Some(candidate);
            }
            Err(e) => return Err(WriteError::Io(e.error)),
        }
    }
    Err(WriteError::Io(taken(last.as_deref().unwrap_or(path))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn names_in(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    fn hello(f: &mut File) -> io::Result<()> {
        f.write_all(b"hello")
    }

    #[test]
    fn a_taken_name_is_refused_or_numbered_and_never_written() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("s.csv"), "mine").unwrap();
        let err = write_new(&d.join("s.csv"), Naming::Refuse, hello).unwrap_err();
        assert!(
            matches!(&err, WriteError::Io(e) if e.kind() == io::ErrorKind::AlreadyExists),
            "{err:?}"
        );
        assert_eq!(std::fs::read_to_string(d.join("s.csv")).unwrap(), "mine");
        let written = write_new(&d.join("s.csv"), Naming::Fresh, hello).unwrap();
        assert_eq!(written, d.join("s-1.csv"));
        assert_eq!(std::fs::read_to_string(&written).unwrap(), "hello");
        assert_eq!(names_in(d), ["s-1.csv", "s.csv"], "no temporary file left");
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_or_fifo_at_the_name_is_never_followed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        std::os::unix::fs::symlink(&victim, d.join("s.json")).unwrap();
        std::os::unix::fs::symlink(d.join("nowhere"), d.join("dangling.json")).unwrap();
        for name in ["s.json", "dangling.json"] {
            assert!(write_new(&d.join(name), Naming::Refuse, hello).is_err());
            assert!(create_new(&d.join(name), Naming::Refuse).is_err());
        }
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(!d.join("nowhere").exists());
        let (path, _) = create_new(&d.join("s.json"), Naming::Fresh).unwrap();
        assert_eq!(path, d.join("s-1.json"));
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    }

    #[test]
    fn a_failed_write_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let result = write_new(&dir.path().join("x.csv"), Naming::Refuse, |f| {
            f.write_all(b"half")?;
            Err::<(), io::Error>(io::Error::other("stopped"))
        });
        assert!(matches!(result, Err(WriteError::Write(_))));
        assert!(names_in(dir.path()).is_empty());
    }
}
