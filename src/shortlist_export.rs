//! temporary
use crate::store::ShortlistEntry;
use std::path::{Path, PathBuf};
pub(crate) fn export_both(
    _entries: &[ShortlistEntry],
    dir: &Path,
    stem: &str,
) -> std::io::Result<(PathBuf, PathBuf)> {
    Ok((dir.join(format!("{stem}.csv")), dir.join(format!("{stem}.json"))))
}
