//! A problem found in a keymap file, displayed sanitised with its place.

use crate::text::sanitize;
use std::fmt;
use std::path::{Path, PathBuf};

/// Something wrong in a keymap file. Displayed as
/// `path:line: key "x": message` (line and key omitted when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapProblem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

/// File names and keys come from outside (the file system, the file's
/// contents): sanitised, so a problem can go to stderr or the status bar.
impl fmt::Display for KeymapProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", sanitize(&display_path(&self.file)))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "key {:?}: ", sanitize(key))?;
        }
        f.write_str(&sanitize(&self.message))
    }
}

impl std::error::Error for KeymapProblem {}

/// `~/…` for paths under the home directory, for shorter messages.
fn display_path(path: &Path) -> String {
    if let Some(home) = dirs::home_dir()
        && let Ok(rest) = path.strip_prefix(&home)
        && home.parent().is_some()
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}
