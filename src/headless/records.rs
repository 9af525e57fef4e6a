//! `tusou history` and `tusou shortlist`: what the history store holds, for
//! reading and for scripts. Every text from the store (file names, titles,
//! notes) is sanitised; dates are UTC.

use crate::cli::{CommonArgs, HistoryArgs, OutputFormat, ShortlistArgs};
use crate::config::Config;
use crate::export::shortlist::{ShortlistRow, shortlist_table, write_csv, write_json_array};
use crate::startup::Exit;
use crate::store::{Opened, SearchSummary, Store};
use crate::text::utc_minute;
use crate::text::{fit, sanitize};
use serde::Serialize;
use std::io::{self, Write};
use std::process::ExitCode;

/// `tusou history`: recent searches, newest first.
pub fn history(args: &HistoryArgs, common: &CommonArgs) -> ExitCode {
    finish(open(common).and_then(|(store, _)| {
        let searches = store
            .recent_searches(args.limit)
            .map_err(|e| (Exit::Failure, format!("history: {e}")))?;
        let rows: Vec<HistoryRow> = searches.iter().map(HistoryRow::from).collect();
        let mut out = io::BufWriter::new(io::stdout().lock());
        if args.json {
            write_json_array(&mut out, &rows)
        } else {
            history_table(&mut out, &rows)
        }
        .and_then(|()| out.flush())
        .map_err(output_error)
    }))
}

/// `tusou shortlist`: every starred offer, the most recently added first.
pub fn shortlist(args: &ShortlistArgs, common: &CommonArgs) -> ExitCode {
    finish(open(common).and_then(|(store, config)| {
        let entries = store
            .shortlist()
            .map_err(|e| (Exit::Failure, format!("shortlist: {e}")))?;
        let currency = config.currency.as_ref();
        let rows: Vec<ShortlistRow> =
            crate::export::shortlist::rows_with_details(&entries, currency, Some(&store));
        if let Some(path) = &args.out {
            return write_shortlist_file(path, &rows, currency);
        }
        let mut out = io::BufWriter::new(io::stdout().lock());
        match args.format {
            OutputFormat::Table => shortlist_table(&mut out, &rows, currency),
            OutputFormat::Json => write_json_array(&mut out, &rows),
            OutputFormat::Jsonl => write_jsonl(&mut out, &rows),
            OutputFormat::Csv => write_csv(&mut out, &rows, currency),
        }
        .and_then(|()| out.flush())
        .map_err(output_error)
    }))
}

fn write_jsonl<W: Write>(out: &mut W, rows: &[ShortlistRow]) -> io::Result<()> {
    rows.iter().try_for_each(|row| {
        serde_json::to_writer(&mut *out, row).map_err(io::Error::from)?;
        out.write_all(b"\n")
    })
}

/// `tusou shortlist --out FILE`: the format by the file's extension.
fn write_shortlist_file(
    path: &std::path::Path,
    rows: &[ShortlistRow],
    currency: Option<&crate::money::Currency>,
) -> Result<(), (Exit, String)> {
    let shown = crate::fs::shown(path);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !["xlsx", "csv", "json", "jsonl"].contains(&ext.as_str()) {
        return Err((
            Exit::Usage,
            format!("--out {shown}: name the file .xlsx, .csv, .json or .jsonl"),
        ));
    }
    // The user named the file: never through a symlink, never over
    // anything there (refused, exit 2).
    use crate::export::file::{Naming, WriteError, write_new};
    let written = write_new(path, Naming::Refuse, |file| {
        let mut out = io::BufWriter::new(file);
        match ext.as_str() {
            "xlsx" => crate::export::shortlist::write_xlsx(&mut out, rows, currency),
            "csv" => write_csv(&mut out, rows, currency),
            "json" => write_json_array(&mut out, rows),
            _ => write_jsonl(&mut out, rows),
        }?;
        out.flush()
    });
    written.map_err(|e| match e {
        WriteError::Io(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            (Exit::Usage, format!("--out {shown}: {e}"))
        }
        WriteError::Io(e) | WriteError::Write(e) => {
            (Exit::Failure, format!("could not write {shown}: {e}"))
        }
    })?;
    eprintln!("tusou: wrote {shown}: {} starred offers", rows.len());
    Ok(())
}

/// The run's store and configuration, or why there is no store (history
/// off: exit 1; a bad configuration: exit 6). Notices about the file go to
/// stderr.
fn open(common: &CommonArgs) -> Result<(Store, Config), (Exit, String)> {
    let config =
        Config::load(common.config.as_deref()).map_err(|e| (Exit::Config, e.to_string()))?;
    match crate::store::for_run(config.data_dir.as_deref(), config.cache_dir.as_deref()) {
        Opened::On { store, notices } => {
            for notice in notices {
                eprintln!("tusou: history: {}", sanitize(&notice));
            }
            Ok((store, config))
        }
        Opened::Off { reason } => Err((Exit::Failure, reason)),
    }
}

fn finish(result: Result<(), (Exit, String)>) -> ExitCode {
    match result {
        Ok(()) => Exit::Ok.into(),
        Err((exit, message)) => {
            if !message.is_empty() {
                eprintln!("tusou: {}", sanitize(&message));
            }
            exit.into()
        }
    }
}

/// A closed pipe (`| head`) is no failure: the reader has what it wanted.
fn output_error(e: io::Error) -> (Exit, String) {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return (Exit::Ok, String::new());
    }
    (Exit::Failure, format!("could not write output: {e}"))
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
    use super::*;
    use crate::api::{FilterFlag, Offer, Price, SearchParams, Sort, SortField, SortOrder};
    use crate::store::ShortlistEntry;
    use crate::store::{OfferRef, Status};

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

    #[test]
    fn the_detail_kept_in_the_store_fills_moq_tiers_and_ship_from() {
        let store = crate::store::test_store();
        let offer = Offer {
            offer_id: Some("42".into()),
            title: "杯子".into(),
            price: Some(Price(500)),
            ..Offer::default()
        };
        store.star("dajisaas", &offer).unwrap();
        let other = Offer {
            offer_id: Some("43".into()),
            ..offer.clone()
        };
        store.star("dajisaas", &other).unwrap();
        let detail = crate::api::OfferDetail::from_value(serde_json::json!({
            "minOrderQuantity": 50,
            "productSaleInfo": {"priceRangeList": [{"startQuantity": 50, "price": "5.00"}]},
            "productShippingInfo": {"sendGoodsAddressText": "=义乌"}
        }))
        .unwrap();
        store.save_detail("dajisaas", "42", &detail).unwrap();
        let entries = store.shortlist().unwrap();
        let rows = crate::export::shortlist::rows_with_details(&entries, None, Some(&store));
        let mut out = Vec::new();
        write_csv(&mut out, &rows, None).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let headers = reader.headers().unwrap().clone();
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let of = |id: &str| records.iter().find(|r| &r[at("offer_id")] == id).unwrap();
        assert_eq!(&of("42")[at("moq")], "50");
        assert_eq!(&of("42")[at("tiers")], "50+: 5.00");
        assert_eq!(&of("42")[at("ship_from")], "'=义乌");
        assert_eq!(&of("43")[at("moq")], "");
    }

    #[test]
    fn csv_guards_formulas_and_sanitises_notes() {
        let entry = ShortlistEntry {
            offer_ref: OfferRef {
                provider: "dajisaas".into(),
                key: "id:1".into(),
            },
            offer: Offer {
                offer_id: Some("1".into()),
                title: "=HYPERLINK(\"x\")".into(),
                price: Some(Price(1650)),
                ..Offer::default()
            },
            note: "ask \u{1b}[31mMOQ".into(),
            status: Status::SampleOrdered,
            added_at: 0,
            changed_at: 60,
        };
        let mut out = Vec::new();
        write_csv(&mut out, &[ShortlistRow::from(&entry)], None).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[1], "sample ordered");
        assert!(!row[2].contains('\u{1b}'), "{:?}", &row[2]);
        assert_eq!(&row[3], "1970-01-01 00:00");
        assert!(row[5].starts_with("'="), "{:?}", &row[5]);
        assert_eq!(&row[7], "16.50");
        assert_eq!(&row[8], "https://detail.1688.com/offer/1.html");
        let mut empty = Vec::new();
        write_csv(&mut empty, &[], None).unwrap();
        assert!(
            String::from_utf8(empty)
                .unwrap()
                .starts_with("provider,status")
        );
    }

    #[test]
    fn a_currency_adds_the_converted_price_after_yuan() {
        let entry = ShortlistEntry {
            offer_ref: crate::store::Store::offer_ref("dajisaas", &Offer::default()),
            offer: Offer {
                offer_id: Some("1".into()),
                price: Some(Price(1650)),
                ..Offer::default()
            },
            note: String::new(),
            status: Status::ToAsk,
            added_at: 0,
            changed_at: 0,
        };
        let usd = crate::money::Currency::new("USD", 7.1).unwrap();
        let rows = [ShortlistRow::new(&entry, Some(&usd))];
        let mut out = Vec::new();
        write_csv(&mut out, &rows, Some(&usd)).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let header = reader.headers().unwrap().clone();
        assert_eq!((&header[7], &header[8]), ("price", "price_usd"));
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!((&row[7], &row[8]), ("16.50", "2.32"));
        let json = serde_json::to_value(&rows[0]).unwrap();
        assert_eq!(json["price_usd"], "2.32");
        let mut table = Vec::new();
        shortlist_table(&mut table, &rows, Some(&usd)).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(
            table.lines().next().unwrap().contains("price USD"),
            "{table}"
        );
        assert!(table.lines().nth(1).unwrap().contains("2.32"), "{table}");
    }
}
