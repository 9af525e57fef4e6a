//! CSV and JSONL: the Matches sheet's rows without pictures, plus a row for
//! each photo with no match (failed, pending, none found) carrying its
//! status and reason.

use std::io::{self, Write};

use super::model::{PhotoResult, SheetInput};
use super::rows::{MatchColumn, PreparedPhoto, Value, any_detail, keys, match_columns_with};
use crate::text::formula_safe;

/// CSV with a header row. Cells a spreadsheet would run as a formula get a
/// leading `'`.
pub fn write_csv<W: Write>(out: W, input: &SheetInput) -> io::Result<()> {
    let mut rows = CsvRows::new(out, input, any_detail(input))?;
    for photo in &input.photos {
        rows.push(photo)?;
    }
    rows.finish()
}

/// CSV written photo by photo: nothing is kept but the columns.
pub(crate) struct CsvRows<'s, W: Write> {
    writer: csv::Writer<W>,
    input: &'s SheetInput,
    columns: Vec<MatchColumn>,
}

impl<'s, W: Write> CsvRows<'s, W> {
    /// The header row; `details`: whether the detail columns are there.
    pub(crate) fn new(out: W, input: &'s SheetInput, details: bool) -> io::Result<Self> {
        let columns = match_columns_with(input, true, details);
        let mut writer = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        writer.write_record(keys(input, &columns))?;
        Ok(CsvRows {
            writer,
            input,
            columns,
        })
    }

    pub(crate) fn push(&mut self, photo: &PhotoResult) -> io::Result<()> {
        let prepared = PreparedPhoto::new(photo, self.input);
        for row in prepared.flat_rows(true) {
            let record = self
                .columns
                .iter()
                .map(|&c| csv_cell(row.value(c, self.input)));
            self.writer.write_record(record)?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

fn csv_cell(value: Value) -> String {
    match value {
        Value::Text(text) | Value::Link(text) => formula_safe(&text).into_owned(),
        Value::Count(n) => n.to_string(),
        Value::Decimal(x, decimals) => format!("{x:.decimals$}"),
        Value::Percent(x) => x.to_string(),
        Value::Empty => String::new(),
    }
}

/// One JSON object per line, keyed like the CSV header; numbers are
/// numbers and a missing value is `null`.
pub fn write_jsonl<W: Write>(out: W, input: &SheetInput) -> io::Result<()> {
    let mut rows = JsonlRows::new(out, input, any_detail(input));
    for photo in &input.photos {
        rows.push(photo)?;
    }
    rows.finish()
}

/// JSONL written photo by photo: nothing is kept but the columns.
pub(crate) struct JsonlRows<'s, W: Write> {
    out: W,
    input: &'s SheetInput,
    columns: Vec<MatchColumn>,
    keys: Vec<String>,
}

impl<'s, W: Write> JsonlRows<'s, W> {
    pub(crate) fn new(out: W, input: &'s SheetInput, details: bool) -> Self {
        let columns = match_columns_with(input, true, details);
        let keys = keys(input, &columns);
        JsonlRows {
            out,
            input,
            columns,
            keys,
        }
    }

    pub(crate) fn push(&mut self, photo: &PhotoResult) -> io::Result<()> {
        let prepared = PreparedPhoto::new(photo, self.input);
        for row in prepared.flat_rows(true) {
            let object: serde_json::Map<String, serde_json::Value> = self
                .keys
                .iter()
                .zip(&self.columns)
                .map(|(key, &c)| (key.clone(), json_value(row.value(c, self.input))))
                .collect();
            serde_json::to_writer(&mut self.out, &object).map_err(io::Error::from)?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn json_value(value: Value) -> serde_json::Value {
    match value {
        Value::Text(text) | Value::Link(text) => serde_json::Value::String(text),
        Value::Count(n) => n.into(),
        // A non-finite number has no JSON form: null, as for a missing one.
        Value::Decimal(x, _) | Value::Percent(x) => serde_json::Number::from_f64(x)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::Empty => serde_json::Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_guard_formulas_and_keep_numbers_plain() {
        assert_eq!(csv_cell(Value::Text("=cmd".into())), "'=cmd");
        assert_eq!(csv_cell(Value::Decimal(16.5, 2)), "16.50");
        assert_eq!(csv_cell(Value::Decimal(250.0, 0)), "250");
        assert_eq!(csv_cell(Value::Percent(41.5)), "41.5");
        assert_eq!(csv_cell(Value::Empty), "");
    }

    #[test]
    fn json_values_are_typed() {
        assert_eq!(json_value(Value::Count(3)), serde_json::json!(3));
        assert_eq!(json_value(Value::Decimal(2.32, 2)), serde_json::json!(2.32));
        assert_eq!(
            json_value(Value::Decimal(f64::NAN, 2)),
            serde_json::Value::Null
        );
        assert_eq!(json_value(Value::Empty), serde_json::Value::Null);
        assert_eq!(
            json_value(Value::Text("=x".into())),
            serde_json::json!("=x")
        );
    }
}
