//! Writing a batch's results: XLSX (with pictures), CSV and JSONL.
//!
//! * `model` — a job's results as plain data, what every format reads.
//! * `rows` — the columns and cell values all formats share; outside text
//!   is sanitised there.
//! * `xlsx` — the workbook: "Photos" (a row per photo, pictures in cells)
//!   and "Matches" (a row per match, filterable).
//! * `flat` — CSV and JSONL: the "Matches" rows, plus a row for each photo
//!   without matches so no input goes missing.

mod flat;
pub mod model;
mod rows;
mod xlsx;

use std::borrow::Borrow;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::file::{Naming, WriteError, write_new};
pub use model::{Match, PhotoOutcome, PhotoResult, SameOf, SheetInput};

pub use flat::{write_csv, write_jsonl};
pub use xlsx::write_xlsx;

/// Why a sheet could not be written.
#[derive(Debug, thiserror::Error)]
pub enum SheetError {
    #[error("could not write the sheet: {0}")]
    Io(#[from] std::io::Error),
    #[error("could not make the workbook: {0}")]
    Xlsx(String),
    #[error("unknown sheet format {0:?}: name the file .xlsx, .csv or .jsonl")]
    UnknownFormat(String),
    /// The folder the sheet would go in is not there (or not a folder).
    #[error("there is no folder {0}")]
    NoFolder(String),
    /// A photo's results could not be read while the sheet was written.
    #[error("{0}")]
    Source(String),
}

impl From<rust_xlsxwriter::XlsxError> for SheetError {
    fn from(e: rust_xlsxwriter::XlsxError) -> Self {
        match e {
            rust_xlsxwriter::XlsxError::IoError(io) => SheetError::Io(io),
            other => SheetError::Xlsx(other.to_string()),
        }
    }
}

/// The formats a sheet can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetFormat {
    Xlsx,
    Csv,
    Jsonl,
}

impl SheetFormat {
    /// By the file's extension, case-insensitive.
    pub fn from_path(path: &Path) -> Result<SheetFormat, SheetError> {
        let extension = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match extension.as_str() {
            "xlsx" => Ok(SheetFormat::Xlsx),
            "csv" => Ok(SheetFormat::Csv),
            "jsonl" => Ok(SheetFormat::Jsonl),
            _ => Err(SheetError::UnknownFormat(extension)),
        }
    }
}

/// Whether a sheet can go to `path`, checked before any work is done (a
/// batch spends the user's quota before it writes): a known format, an
/// existing folder, and — for a name the user gave — nothing at the name
/// (a file, a directory, a symlink, a FIFO, a device such as /dev/null).
pub fn check_target(path: &Path, naming: Naming) -> Result<SheetFormat, SheetError> {
    let format = SheetFormat::from_path(path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(SheetError::NoFolder(crate::fs::shown(dir)));
    }
    if naming == Naming::Refuse && std::fs::symlink_metadata(path).is_ok() {
        return Err(SheetError::Io(super::file::taken(path)));
    }
    Ok(format)
}

/// Writes `input` to `path` in the format its extension names (xlsx, csv,
/// jsonl), refusing a name that is taken: [`write_sheet_as`] with
/// [`Naming::Refuse`].
pub fn write_sheet(path: &Path, input: &SheetInput) -> Result<(), SheetError> {
    write_sheet_as(path, input, Naming::Refuse).map(drop)
}

/// Writes `input` to `path` (or, with [`Naming::Fresh`], the first free
/// `-N` name) and answers where. The sheet goes through
/// [`crate::export::file::write_new`]: written whole beside the name, then
/// linked in only where nothing is, so a failure never leaves half a sheet
/// and nothing already there (a file, a symlink, a FIFO) is ever replaced.
pub fn write_sheet_as(
    path: &Path,
    input: &SheetInput,
    naming: Naming,
) -> Result<PathBuf, SheetError> {
    let photos = input.photos.iter().map(Ok);
    write_photos_as(path, input, rows::any_detail(input), photos, naming)
}

/// Writes a sheet photo by photo, as [`write_sheet_as`] does, holding one
/// photo at a time: `spec` gives the columns (its own `photos` are not
/// read), `details` whether the detail columns are there, `photos` the
/// rows in order. A photo that cannot be had (`Err`) stops the sheet, and
/// nothing is left under the name.
pub fn write_photos_as<P: Borrow<PhotoResult>>(
    path: &Path,
    spec: &SheetInput,
    details: bool,
    photos: impl IntoIterator<Item = Result<P, SheetError>>,
    naming: Naming,
) -> Result<PathBuf, SheetError> {
    let format = SheetFormat::from_path(path)?;
    let tempdir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let written = write_new(path, naming, |file| match format {
        SheetFormat::Xlsx => {
            let mut rows = xlsx::XlsxRows::new(spec, details, Some(tempdir))?;
            for photo in photos {
                rows.push(photo?.borrow())?;
            }
            rows.finish(file)
        }
        SheetFormat::Csv => {
            let mut rows = flat::CsvRows::new(BufWriter::new(file), spec, details)?;
            for photo in photos {
                rows.push(photo?.borrow())?;
            }
            Ok(rows.finish()?)
        }
        SheetFormat::Jsonl => {
            let mut rows = flat::JsonlRows::new(BufWriter::new(file), spec, details);
            for photo in photos {
                rows.push(photo?.borrow())?;
            }
            Ok(rows.finish()?)
        }
    });
    written.map_err(|e| match e {
        WriteError::Io(e) => SheetError::Io(e),
        WriteError::Write(e) => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_by_extension_ignores_case() {
        let format = |p: &str| SheetFormat::from_path(Path::new(p));
        assert_eq!(format("a.xlsx").ok(), Some(SheetFormat::Xlsx));
        assert_eq!(format("dir/a.CSV").ok(), Some(SheetFormat::Csv));
        assert_eq!(format("a.JsonL").ok(), Some(SheetFormat::Jsonl));
        let err = format("a.txt").map(drop).unwrap_err().to_string();
        assert!(
            err.contains(".xlsx") && err.contains(".csv") && err.contains(".jsonl"),
            "{err}"
        );
        assert!(matches!(format("noext"), Err(SheetError::UnknownFormat(_))));
    }
}
