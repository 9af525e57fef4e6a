//! The workbook: "Photos", a row per input photo with its picture and the
//! first matches side by side, and "Matches", a row per match to sort and
//! filter. Pictures are embedded in their cells (Excel 2023 and later show
//! them; older readers show an empty cell).

use std::io::{Seek, Write};
use std::path::Path;

use rust_xlsxwriter::{ColNum, Format, FormatAlign, RowNum, Workbook};

use super::SheetError;
use super::model::{PhotoResult, SheetInput};
use super::rows::{
    LinkCell, MatchColumn, PhotoColumn, PreparedPhoto, Value, link_cell, match_columns_with,
    photo_columns,
};
use crate::export::xlsx::{self, Appendix, Cells, LimitError, SheetState};
#[cfg(test)]
use crate::export::xlsx::{MAX_COLUMNS, MAX_ROWS};
use crate::text::is_url;

/// Photos sheet rows: tall enough to see a thumbnail.
const PHOTO_ROW_PX: u32 = 60;
const PICTURE_COLUMN_PX: u32 = 80;
const HEADER_ROW_PX: u32 = 20;
/// Titles wrap at about this many characters.
const TITLE_WIDTH: f64 = 40.0;
/// Fitted columns stop at this width (pixels).
const AUTOFIT_MAX_PX: u32 = 320;

/// Writes the workbook to `path`, a new file ([`super::write_sheet`] for
/// any format).
pub fn write_xlsx(path: &Path, input: &SheetInput) -> Result<(), SheetError> {
    super::write_sheet_as(path, input, crate::export::file::Naming::Refuse).map(drop)
}

/// Sheet 0 and 1 of the workbook.
const PHOTOS: usize = 0;
const MATCHES: usize = 1;

/// The workbook written photo by photo: both worksheets are in
/// rust_xlsxwriter's constant-memory mode (each row goes to a temporary
/// file in `tempdir` once the next begins) and their links and pictures
/// go to temporary files of the [`Appendix`], so memory does not grow
/// with the job.
pub(crate) struct XlsxRows<'s> {
    input: &'s SheetInput,
    book: Workbook,
    appendix: Appendix,
    tempdir: std::path::PathBuf,
    formats: Formats,
    photo_columns: Vec<PhotoColumn>,
    match_columns: Vec<MatchColumn>,
    photos: SheetState,
    matches: SheetState,
    photos_written: usize,
    matches_written: usize,
}

impl<'s> XlsxRows<'s> {
    /// The workbook's two sheets with their headers. `details`: the
    /// Matches sheet has the detail columns (see [`super::rows::match_columns_with`]).
    pub(crate) fn new(
        input: &'s SheetInput,
        details: bool,
        tempdir: Option<&Path>,
    ) -> Result<XlsxRows<'s>, SheetError> {
        let photo_columns = photo_columns(input);
        col_num(photo_columns.len().saturating_sub(1))?;
        let match_columns = match_columns_with(input, false, details);
        col_num(match_columns.len().saturating_sub(1))?;
        let tempdir = tempdir.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let mut book = Workbook::new();
        book.set_tempdir(&tempdir)?;
        // Every row tall enough for its pictures: one setting, where a
        // height per row would be kept for every row until the end.
        book.add_worksheet_with_constant_memory()?
            .set_name("Photos")?
            .set_default_row_height_pixels(PHOTO_ROW_PX)
            .set_row_height_pixels(0, HEADER_ROW_PX)?;
        book.add_worksheet_with_constant_memory()?
            .set_name("Matches")?;
        let mut rows = XlsxRows {
            input,
            book,
            appendix: Appendix::new(&tempdir, 2)?,
            tempdir,
            formats: Formats::new(input),
            photo_columns,
            match_columns,
            photos: SheetState::default(),
            matches: SheetState::default(),
            photos_written: 0,
            matches_written: 0,
        };
        let labels: Vec<String> = rows.photo_columns.iter().map(|c| c.header(input)).collect();
        rows.sheet(PHOTOS)?.header(&labels)?;
        let labels: Vec<String> = rows.match_columns.iter().map(|c| c.label(input)).collect();
        rows.sheet(MATCHES)?.header(&labels)?;
        Ok(rows)
    }

    fn sheet(&mut self, index: usize) -> Result<Sheet<'_>, SheetError> {
        let state = if index == PHOTOS {
            &mut self.photos
        } else {
            &mut self.matches
        };
        Ok(Sheet {
            cells: Cells::streamed(
                self.book.worksheet_from_index(index)?,
                state,
                &mut self.appendix,
                index,
            ),
            formats: &self.formats,
        })
    }

    /// The photo's row on Photos and its matches' rows on Matches.
    pub(crate) fn push(&mut self, photo: &PhotoResult) -> Result<(), SheetError> {
        let input = self.input;
        let prepared = PreparedPhoto::new(photo, input);
        let row = row_num(self.photos_written)?;
        let columns = std::mem::take(&mut self.photo_columns);
        let written = (|| {
            let mut sheet = self.sheet(PHOTOS)?;
            for (c, &column) in columns.iter().enumerate() {
                photo_cell(&mut sheet, row, col_num(c)?, column, &prepared)?;
            }
            Ok::<(), SheetError>(())
        })();
        self.photo_columns = columns;
        written?;
        self.photos_written += 1;
        let columns = std::mem::take(&mut self.match_columns);
        let written = (|| {
            for flat in prepared.flat_rows(false) {
                let row = row_num(self.matches_written)?;
                let mut sheet = self.sheet(MATCHES)?;
                for (c, &column) in columns.iter().enumerate() {
                    sheet.value(row, col_num(c)?, flat.value(column, input))?;
                }
                self.matches_written += 1;
            }
            Ok::<(), SheetError>(())
        })();
        self.match_columns = columns;
        written
    }

    /// Freezes, filters and fits the sheets, and writes the workbook.
    pub(crate) fn finish<W: Write + Seek + Send>(mut self, out: W) -> Result<(), SheetError> {
        let ws = self.book.worksheet_from_index(PHOTOS)?;
        ws.set_freeze_panes(1, 2)?;
        self.photos.fit(ws, AUTOFIT_MAX_PX)?;
        // Fixed widths where fitting would guess wrong: pictures have no
        // text, titles wrap.
        for (c, column) in self.photo_columns.iter().enumerate() {
            let col = col_num(c)?;
            match column {
                PhotoColumn::Photo | PhotoColumn::Picture(_) => {
                    ws.set_column_width_pixels(col, PICTURE_COLUMN_PX)?;
                }
                PhotoColumn::Title(_) => {
                    ws.set_column_width(col, TITLE_WIDTH)?;
                }
                _ => {}
            }
        }
        let last_col = col_num(self.match_columns.len().saturating_sub(1))?;
        let last_row = RowNum::try_from(self.matches_written).unwrap_or(RowNum::MAX);
        let ws = self.book.worksheet_from_index(MATCHES)?;
        ws.autofilter(0, 0, last_row, last_col)?;
        ws.set_freeze_panes(1, 0)?;
        self.matches.fit(ws, AUTOFIT_MAX_PX)?;
        for (c, column) in self.match_columns.iter().enumerate() {
            if matches!(column, MatchColumn::Title | MatchColumn::TitleEn) {
                ws.set_column_width(col_num(c)?, TITLE_WIDTH)?;
            }
        }
        // The workbook without its links and pictures, then joined with
        // them into `out`.
        let mut book = tempfile::tempfile_in(&self.tempdir)?;
        self.book.save_to_writer(&mut book)?;
        book.seek(std::io::SeekFrom::Start(0))?;
        self.appendix.finish(std::io::BufReader::new(book), out)?;
        Ok(())
    }
}

/// The cell formats, made once per workbook.
struct Formats {
    header: Format,
    text: Format,
    title: Format,
    count: Format,
    yuan: Format,
    /// The user's currency, with its decimals.
    converted: Format,
    whole: Format,
    percent: Format,
}

impl Formats {
    fn new(input: &SheetInput) -> Formats {
        // Centred vertically so text sits beside the 60 px pictures.
        let cell = Format::new().set_align(FormatAlign::VerticalCenter);
        let decimals = input.currency.as_ref().map_or(2, |c| c.decimals());
        let converted = if decimals == 0 { "0" } else { "0.00" };
        Formats {
            header: Format::new()
                .set_bold()
                .set_align(FormatAlign::VerticalCenter),
            text: cell.clone(),
            title: cell.clone().set_text_wrap(),
            count: cell.clone().set_num_format("0"),
            yuan: cell.clone().set_num_format("0.00"),
            converted: cell.clone().set_num_format(converted),
            whole: cell.clone().set_num_format("0"),
            percent: cell.set_num_format("0%"),
        }
    }
}

/// One worksheet's cells, with this workbook's formats.
struct Sheet<'a> {
    cells: Cells<'a>,
    formats: &'a Formats,
}

impl Sheet<'_> {
    fn text(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
        format: &Format,
    ) -> Result<(), SheetError> {
        Ok(self.cells.text(row, col, text, format)?)
    }

    fn link(&mut self, row: RowNum, col: ColNum, address: &str) -> Result<(), SheetError> {
        Ok(self.cells.link(row, col, address, &self.formats.text)?)
    }

    fn number(
        &mut self,
        row: RowNum,
        col: ColNum,
        n: f64,
        format: &Format,
    ) -> Result<(), SheetError> {
        Ok(self.cells.number(row, col, n, format)?)
    }

    fn picture(
        &mut self,
        row: RowNum,
        col: ColNum,
        bytes: Option<&[u8]>,
        alt: String,
    ) -> Result<(), SheetError> {
        Ok(self
            .cells
            .picture(row, col, bytes, alt, (PICTURE_COLUMN_PX, PHOTO_ROW_PX))?)
    }

    fn value(&mut self, row: RowNum, col: ColNum, value: Value) -> Result<(), SheetError> {
        let f = self.formats;
        match value {
            Value::Text(text) => self.text(row, col, &text, &f.text),
            Value::Link(address) => self.link(row, col, &address),
            Value::Count(n) => self.number(row, col, n as f64, &f.count),
            Value::Decimal(x, 0) => self.number(row, col, x, &f.whole),
            Value::Decimal(x, _) => self.number(row, col, x, &f.yuan),
            Value::Percent(p) => self.number(row, col, p / 100.0, &f.percent),
            Value::Empty => Ok(()),
        }
    }

    fn header(&mut self, labels: &[String]) -> Result<(), SheetError> {
        col_num(labels.len().saturating_sub(1))?;
        Ok(self.cells.header(labels, &self.formats.header)?)
    }
}

fn limit(e: LimitError) -> SheetError {
    SheetError::Xlsx(e.to_string())
}

fn col_num(col: usize) -> Result<ColNum, SheetError> {
    xlsx::col_num(col).map_err(limit)
}

/// The sheet row of data row `i` (below the header).
fn row_num(i: usize) -> Result<RowNum, SheetError> {
    xlsx::row_num(i).map_err(limit)
}

fn photo_cell(
    sheet: &mut Sheet<'_>,
    row: RowNum,
    col: ColNum,
    column: PhotoColumn,
    photo: &PreparedPhoto<'_>,
) -> Result<(), SheetError> {
    let f = sheet.formats;
    let index = photo.photo.index;
    let hit = |k: usize| k.checked_sub(1).and_then(|i| photo.matches.get(i));
    match column {
        PhotoColumn::Index => sheet.number(row, col, index as f64, &f.count),
        PhotoColumn::Photo => sheet.picture(
            row,
            col,
            photo.photo.query_thumb.as_deref(),
            format!("photo {index}"),
        ),
        PhotoColumn::Source => {
            let source = crate::text::sanitize(&photo.photo.source);
            if is_url(&source) {
                sheet.link(row, col, &source)
            } else {
                sheet.text(row, col, &source, &f.text)
            }
        }
        PhotoColumn::User(i) => {
            let value = photo.user_values.get(i).map_or("", String::as_str);
            sheet.text(row, col, value, &f.text)
        }
        PhotoColumn::Status => sheet.text(row, col, &photo.status.label(), &f.text),
        PhotoColumn::Found => match photo.total {
            Some(total) => sheet.number(row, col, total as f64, &f.count),
            None => Ok(()),
        },
        PhotoColumn::Picture(k) => match hit(k) {
            Some((m, _)) => sheet.picture(
                row,
                col,
                m.thumb.as_deref(),
                format!("photo {index}, match {k}"),
            ),
            None => Ok(()),
        },
        PhotoColumn::Title(k) => match hit(k) {
            Some((_, cells)) => sheet.text(row, col, &cells.both_titles(), &f.title),
            None => Ok(()),
        },
        PhotoColumn::Price(k) => match hit(k).and_then(|(_, c)| c.price) {
            Some(price) => sheet.number(row, col, price, &f.yuan),
            None => Ok(()),
        },
        PhotoColumn::Converted(k) => match hit(k).and_then(|(_, c)| c.converted) {
            Some(amount) => sheet.number(row, col, amount, &f.converted),
            None => Ok(()),
        },
        PhotoColumn::Sold(k) => match hit(k).and_then(|(_, c)| c.month_sold) {
            Some(sold) => sheet.number(row, col, sold as f64, &f.count),
            None => Ok(()),
        },
        PhotoColumn::Repurchase(k) => match hit(k).and_then(|(_, c)| c.repurchase) {
            Some(rate) => sheet.number(row, col, rate / 100.0, &f.percent),
            None => Ok(()),
        },
        PhotoColumn::Badges(k) => match hit(k) {
            Some((_, cells)) => sheet.text(row, col, &cells.badges, &f.text),
            None => Ok(()),
        },
        PhotoColumn::Link(k) => match hit(k).map(|(m, _)| link_cell(&m.offer)) {
            Some(LinkCell::Url(address)) => sheet.link(row, col, &address),
            Some(LinkCell::Text(text)) => sheet.text(row, col, &text, &f.text),
            Some(LinkCell::Empty) | None => Ok(()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_and_columns_stop_at_excels_limits() {
        assert_eq!(col_num(0).ok(), Some(0));
        assert_eq!(col_num(MAX_COLUMNS - 1).ok(), Some(16_383));
        assert!(matches!(col_num(MAX_COLUMNS), Err(SheetError::Xlsx(_))));
        assert_eq!(row_num(0).ok(), Some(1), "below the header");
        assert_eq!(row_num(MAX_ROWS - 2).ok(), Some(1_048_575));
        assert!(matches!(row_num(MAX_ROWS - 1), Err(SheetError::Xlsx(_))));
    }
}
