//! Writing a batch's results: XLSX (with pictures), CSV and JSONL.
//!
//! * `rows` — the columns and cell values all formats share; outside text
//!   is sanitised there.
//! * `xlsx` — the workbook: "Photos" (a row per photo, pictures in cells)
//!   and "Matches" (a row per match, filterable).
//! * `flat` — CSV and JSONL: the "Matches" rows, plus a row for each photo
//!   without matches so no input goes missing.

mod flat;
mod rows;
mod xlsx;

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::batch::model::SheetInput;

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

/// Writes `input` to `path` in the format its extension names (xlsx, csv,
/// jsonl). The sheet is written to a temporary file beside `path` and then
/// renamed over it, so a failure never leaves half a sheet under the
/// user's name, and an existing file is replaced only by a whole one.
pub fn write_sheet(path: &Path, input: &SheetInput) -> Result<(), SheetError> {
    let format = SheetFormat::from_path(path)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tusou-sheet-").suffix(".part");
    // An ordinary new file's permissions (the umask applies), not the
    // temporary file's private 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    // Dropped on any early return, which deletes the temporary file.
    let mut temp = builder.tempfile_in(dir)?;
    match format {
        SheetFormat::Xlsx => xlsx::write_xlsx_to(temp.as_file_mut(), input)?,
        SheetFormat::Csv | SheetFormat::Jsonl => {
            let mut out = BufWriter::new(temp.as_file_mut());
            if format == SheetFormat::Csv {
                write_csv(&mut out, input)?;
            } else {
                write_jsonl(&mut out, input)?;
            }
            out.flush()?;
        }
    }
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|e| SheetError::Io(e.error))?;
    Ok(())
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
