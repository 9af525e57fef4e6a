//! The one XLSX writer: a worksheet whose cells stay within Excel's limits
//! (rows, columns, cell text, hyperlinks), whose text is always a string
//! cell (a title like `=cmd|…` is never a formula), and whose pictures are
//! a nicety that never fails a workbook. The batch sheet and the shortlist
//! both write through it.

mod appendix;
mod zip_out;

use std::borrow::Cow;

pub(crate) use appendix::{Appendix, PictureCell};
use rust_xlsxwriter::{ColNum, Format, Image, RowNum, Url, Worksheet, XlsxError};

use crate::text::is_url;

/// Excel's rows and columns per worksheet.
pub(crate) const MAX_ROWS: usize = 1_048_576;
pub(crate) const MAX_COLUMNS: usize = 16_384;
/// Excel's hyperlinks per worksheet; later addresses are written as text.
const MAX_LINKS: usize = 65_530;
/// Excel's longest hyperlink address, in UTF-16 units.
const MAX_URL: usize = 2_079;
/// Excel's longest cell text, in UTF-16 code units.
pub(crate) const CELL_LIMIT: usize = 32_767;

/// `s` cut to Excel's cell limit (at a character boundary): a longer cell
/// is refused by the writer, and a cut title beats a failed sheet.
pub(crate) fn clip_to_cell(s: &str) -> Cow<'_, str> {
    // UTF-16 units are never fewer than bytes / 3, so short strings skip the count.
    if s.len() <= CELL_LIMIT || s.encode_utf16().count() <= CELL_LIMIT {
        return Cow::Borrowed(s);
    }
    let mut units = 0;
    let end = s
        .char_indices()
        .find(|(_, c)| {
            units += c.len_utf16();
            units > CELL_LIMIT
        })
        .map_or(s.len(), |(at, _)| at);
    Cow::Borrowed(&s[..end])
}

/// Why a cell is out of Excel's reach.
#[derive(Debug, thiserror::Error)]
pub enum LimitError {
    #[error("{0} columns are more than Excel's {MAX_COLUMNS}: ask for fewer matches per photo")]
    Columns(usize),
    #[error("more than Excel's {} rows: write the sheet as .csv or .jsonl", MAX_ROWS - 1)]
    Rows,
}

/// Column `col`, if Excel has it.
pub(crate) fn col_num(col: usize) -> Result<ColNum, LimitError> {
    ColNum::try_from(col)
        .ok()
        .filter(|&c| usize::from(c) < MAX_COLUMNS)
        .ok_or(LimitError::Columns(col + 1))
}

/// The sheet row of data row `i` (below the header), if Excel has it.
pub(crate) fn row_num(i: usize) -> Result<RowNum, LimitError> {
    RowNum::try_from(i + 1)
        .ok()
        .filter(|&r| (r as usize) < MAX_ROWS)
        .ok_or(LimitError::Rows)
}

/// Rows looked at to fit column widths to their text (Excel's own autofit
/// reads every cell; a streamed sheet keeps none, so it measures as it goes).
pub(crate) const FIT_ROWS: RowNum = 500;

/// What a worksheet has used up (hyperlinks), and the widths its first
/// [`FIT_ROWS`] rows ask for, kept while cells are written so that a
/// constant-memory worksheet can be fitted without keeping its cells.
#[derive(Debug, Default)]
pub(crate) struct SheetState {
    links: usize,
    /// Pixels per column, 0 for none seen.
    widths: Vec<u32>,
}

impl SheetState {
    fn measure(&mut self, row: RowNum, col: ColNum, text: &str) {
        if row >= FIT_ROWS {
            return;
        }
        let px = text.lines().map(pixel_width).max().unwrap_or(0);
        let col = usize::from(col);
        if self.widths.len() <= col {
            self.widths.resize(col + 1, 0);
        }
        self.widths[col] = self.widths[col].max(px);
    }

    /// Sets each measured column's width (plus padding, at most `max_px`),
    /// as autofit would.
    pub(crate) fn fit(&self, ws: &mut Worksheet, max_px: u32) -> Result<(), XlsxError> {
        for (col, &px) in self.widths.iter().enumerate() {
            if px > 0 {
                let col = ColNum::try_from(col).unwrap_or(ColNum::MAX);
                ws.set_column_width_pixels(col, (px + 7).min(max_px))?;
            }
        }
        Ok(())
    }
}

/// About the pixels Excel's default font gives `text` (ASCII narrower,
/// anything else 8), as rust_xlsxwriter's autofit counts.
fn pixel_width(text: &str) -> u32 {
    text.chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' => 4,
            'f' | 'r' | 't' | '(' | ')' | '[' | ']' | '-' | '/' => 5,
            'm' | 'w' | 'M' | 'W' | '@' | '%' => 11,
            c if c.is_ascii() => 7,
            _ => 8,
        })
        .sum()
}

/// One worksheet's cells, written through the rules above.
pub(crate) struct Cells<'a> {
    pub(crate) ws: &'a mut Worksheet,
    state: &'a mut SheetState,
    /// Where links and pictures go for a constant-memory worksheet (its
    /// index in the workbook); `None`: rust_xlsxwriter keeps them.
    appendix: Option<(&'a mut Appendix, usize)>,
}

impl<'a> Cells<'a> {
    pub(crate) fn new(ws: &'a mut Worksheet, state: &'a mut SheetState) -> Cells<'a> {
        Cells {
            ws,
            state,
            appendix: None,
        }
    }

    /// Cells whose links and pictures are spilled to `appendix` as
    /// worksheet `sheet` (see [`Appendix`]).
    pub(crate) fn streamed(
        ws: &'a mut Worksheet,
        state: &'a mut SheetState,
        appendix: &'a mut Appendix,
        sheet: usize,
    ) -> Cells<'a> {
        Cells {
            ws,
            state,
            appendix: Some((appendix, sheet)),
        }
    }

    /// Always a string cell, cut to Excel's limit; nothing for "".
    pub(crate) fn text(
        &mut self,
        row: RowNum,
        col: ColNum,
        text: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if !text.is_empty() {
            let text = clip_to_cell(text);
            self.state.measure(row, col, &text);
            self.ws.write_string_with_format(row, col, text, format)?;
        }
        Ok(())
    }

    /// A hyperlink for an http(s) address Excel can hold; anything else,
    /// or past Excel's hyperlink limit, as text in `format`.
    pub(crate) fn link(
        &mut self,
        row: RowNum,
        col: ColNum,
        address: &str,
        format: &Format,
    ) -> Result<(), XlsxError> {
        let address = address.trim();
        let linkable = is_url(address)
            && address.encode_utf16().count() <= MAX_URL
            && self.state.links < MAX_LINKS;
        if !linkable {
            return self.text(row, col, address, format);
        }
        match &mut self.appendix {
            Some((appendix, sheet)) => {
                appendix.link(*sheet, row, col, address)?;
                self.ws.write_string_with_format(
                    row,
                    col,
                    address,
                    &format.clone().set_hyperlink(),
                )?;
            }
            None => {
                let url = Url::new(address).set_text(address);
                if self.ws.write_url(row, col, url).is_err() {
                    return self.text(row, col, address, format);
                }
            }
        }
        self.state.links += 1;
        self.state.measure(row, col, address);
        Ok(())
    }

    /// A number cell; nothing for NaN or infinity.
    pub(crate) fn number(
        &mut self,
        row: RowNum,
        col: ColNum,
        n: f64,
        format: &Format,
    ) -> Result<(), XlsxError> {
        if n.is_finite() {
            self.state.measure(row, col, &n.to_string());
            self.ws.write_number_with_format(row, col, n, format)?;
        }
        Ok(())
    }

    /// The picture over the cell (`cell_px` wide and high), fitted to it;
    /// nothing when there are no bytes or they are not a picture the
    /// workbook can hold (a thumbnail is a nicety).
    pub(crate) fn picture(
        &mut self,
        row: RowNum,
        col: ColNum,
        bytes: Option<&[u8]>,
        alt: String,
        cell_px: (u32, u32),
    ) -> Result<(), XlsxError> {
        let Some(bytes) = bytes else {
            return Ok(());
        };
        if let Some((appendix, sheet)) = &mut self.appendix {
            let cell = PictureCell {
                row,
                col,
                width_px: cell_px.0,
                height_px: cell_px.1,
            };
            appendix.picture(*sheet, cell, bytes, &alt)?;
            return Ok(());
        }
        let Ok(image) = Image::new_from_buffer(bytes) else {
            return Ok(());
        };
        // Placed over the cell (every spreadsheet shows these), not the
        // newer picture-in-cell that older readers show as empty.
        self.ws
            .insert_image_fit_to_cell(row, col, &image.set_alt_text(alt), true)?;
        Ok(())
    }

    /// Row 0: the labels in `format` (room left for a filter's button).
    pub(crate) fn header<S: AsRef<str>>(
        &mut self,
        labels: &[S],
        format: &Format,
    ) -> Result<(), XlsxError> {
        for (col, label) in labels.iter().enumerate() {
            let col = col_num(col).map_err(|e| XlsxError::ParameterError(e.to_string()))?;
            self.text(0, col, label.as_ref(), format)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clip_keeps_short_text_and_cuts_long_text_at_the_limit() {
        assert_eq!(clip_to_cell("abc"), "abc");
        let exact = "a".repeat(CELL_LIMIT);
        assert_eq!(clip_to_cell(&exact).len(), CELL_LIMIT);
        let long = "国".repeat(CELL_LIMIT + 10);
        let clipped = clip_to_cell(&long);
        assert_eq!(clipped.encode_utf16().count(), CELL_LIMIT);
        assert!(long.starts_with(&*clipped));
    }

    #[test]
    fn clip_never_splits_a_surrogate_pair() {
        // 😀 is two UTF-16 units: the limit falls in the middle of one.
        let long = "😀".repeat(CELL_LIMIT / 2 + 1);
        let clipped = clip_to_cell(&long);
        assert_eq!(clipped.encode_utf16().count(), CELL_LIMIT - 1);
        assert!(clipped.ends_with('😀'));
    }
}
