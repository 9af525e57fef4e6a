//! CSV and JSONL: the Matches sheet's rows without pictures, plus a row for
//! each photo with no match (failed, pending, none found) carrying its
//! status and reason.

use std::io::{self, Write};

use super::model::SheetInput;
use super::rows::{PreparedPhoto, Value, keys, match_columns};
use crate::text::formula_safe;

/// CSV with a header row. Cells a spreadsheet would run as a formula get a
/// leading `'`.
pub fn write_csv<W: Write>(out: W, input: &SheetInput) -> io::Result<()> {
    let columns = match_columns(input, true);
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(out);
    writer.write_record(keys(input, &columns))?;
    for photo in &input.photos {
        let prepared = PreparedPhoto::new(photo, input);
        for row in prepared.flat_rows(true) {
            let record = columns.iter().map(|&c| csv_cell(row.value(c, input)));
            writer.write_record(record)?;
        }
    }
    writer.flush()
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
pub fn write_jsonl<W: Write>(mut out: W, input: &SheetInput) -> io::Result<()> {
    let columns = match_columns(input, true);
    let keys = keys(input, &columns);
    for photo in &input.photos {
        let prepared = PreparedPhoto::new(photo, input);
        for row in prepared.flat_rows(true) {
            let object: serde_json::Map<String, serde_json::Value> = keys
                .iter()
                .zip(&columns)
                .map(|(key, &c)| (key.clone(), json_value(row.value(c, input))))
                .collect();
            serde_json::to_writer(&mut out, &object).map_err(io::Error::from)?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()
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
