//! `tusou history`: recent searches in the history store, for reading and
//! for scripts. Every text from the store (file names, filters) is
//! sanitised; dates are UTC.

use super::error::{CommandError, finish};
use super::startup::{Exit, open_store};
use crate::cli::{CommonArgs, HistoryArgs};
use crate::export::shortlist::write_json_array;
use crate::store::SearchSummary;
use crate::text::utc_minute;
use crate::text::{fit, sanitize};
use serde::Serialize;
use std::io::{self, Write};
use std::process::ExitCode;

/// `tusou history`: recent searches, newest first.
pub fn run(args: &HistoryArgs, common: &CommonArgs) -> ExitCode {
    finish(history(args, common).map(|()| Exit::Ok))
}

fn history(args: &HistoryArgs, common: &CommonArgs) -> Result<(), CommandError> {
    let (store, _) = open_store(common)?;
    let searches = store
        .recent_searches(args.limit)
        .map_err(|e| CommandError::failure(format!("history: {e}")))?;
    let rows: Vec<HistoryRow> = searches.iter().map(HistoryRow::from).collect();
    let mut out = io::BufWriter::new(io::stdout().lock());
    if args.json {
        write_json_array(&mut out, &rows)
    } else {
        history_table(&mut out, &rows)
    }
    .and_then(|()| out.flush())
    .map_err(|e| CommandError::output(&e))
}

/// One search, as `history --json` writes it.
#[derive(Debug, Serialize)]
struct HistoryRow {
    id: i64,
    /// "2026-11-23 14:02", UTC.
    date: String,
    /// Unix seconds.
    searched_at: i64,
    provider: String,
    source: String,
    source_md5: String,
    loaded: u64,
    total: Option<u64>,
    filters: String,
}

impl From<&SearchSummary> for HistoryRow {
    fn from(s: &SearchSummary) -> Self {
        HistoryRow {
            id: s.id.0,
            date: utc_minute(s.searched_at),
            searched_at: s.searched_at,
            provider: sanitize(&s.provider),
            source: sanitize(&s.source),
            source_md5: sanitize(&s.source_md5),
            loaded: s.loaded,
            total: s.total,
            filters: s.params.summary(),
        }
    }
}

fn history_table<W: Write>(out: &mut W, rows: &[HistoryRow]) -> io::Result<()> {
    writeln!(
        out,
        "{:>5}  {:<16}  {:<18}  {:>11}  {}  source",
        "id",
        "date (UTC)",
        "provider",
        "results",
        fit("filters", 30),
    )?;
    for r in rows {
        let total = r.total.map_or_else(|| "?".into(), |t| t.to_string());
        writeln!(
            out,
            "{:>5}  {:<16}  {}  {:>11}  {}  {}",
            r.id,
            r.date,
            fit(&r.provider, 18),
            format!("{}/{total}", r.loaded),
            fit(&r.filters, 30),
            r.source
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::api::{FilterFlag, Price, SearchParams, Sort, SortField, SortOrder};

    #[test]
    fn filters_in_a_few_words() {
        assert_eq!(SearchParams::default().summary(), "");
        let p = SearchParams {
            price_start: Some(Price(1000)),
            price_end: Some(Price(3050)),
            sort: Some(Sort::new(SortField::Price, SortOrder::Asc)),
            filters: vec![FilterFlag::ShipInToday],
            ..SearchParams::default()
        };
        assert_eq!(
            crate::api::SearchParams::summary(&p),
            "¥10.00–30.50 · price ↑ · ships today"
        );
    }
}
