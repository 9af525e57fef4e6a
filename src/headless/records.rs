//! `tusou history` and `tusou shortlist`: what the history store holds, for
//! reading and for scripts. Every text from the store (file names, titles,
//! notes) is sanitised; dates are UTC.

use crate::api::{Offer, SearchParams};
use crate::cli::{CommonArgs, HistoryArgs, OutputFormat, ShortlistArgs};
use crate::config::Config;
use crate::startup::Exit;
use crate::store::{Opened, SearchSummary, ShortlistEntry, Store, utc_minute};
use crate::text::{fit, sanitize};
use serde::Serialize;
use std::io::{self, Write};
use std::process::ExitCode;

/// `tusou history`: recent searches, newest first.
pub fn history(args: &HistoryArgs, common: &CommonArgs) -> ExitCode {
    finish(open(common).and_then(|store| {
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
    finish(open(common).and_then(|store| {
        let entries = store
            .shortlist()
            .map_err(|e| (Exit::Failure, format!("shortlist: {e}")))?;
        let rows: Vec<ShortlistRow> = entries.iter().map(ShortlistRow::from).collect();
        let mut out = io::BufWriter::new(io::stdout().lock());
        match args.format {
            OutputFormat::Table => shortlist_table(&mut out, &rows),
            OutputFormat::Json => write_json_array(&mut out, &rows),
            OutputFormat::Jsonl => rows.iter().try_for_each(|row| {
                serde_json::to_writer(&mut out, row).map_err(io::Error::from)?;
                out.write_all(b"\n")
            }),
            OutputFormat::Csv => write_csv(&mut out, &rows),
        }
        .and_then(|()| out.flush())
        .map_err(output_error)
    }))
}

/// The run's store, or why there is none (history off: exit 1; a bad
/// configuration: exit 6). Notices about the file go to stderr.
fn open(common: &CommonArgs) -> Result<Store, (Exit, String)> {
    let config =
        Config::load(common.config.as_deref()).map_err(|e| (Exit::Config, e.to_string()))?;
    match crate::store::for_run(config.data_dir.as_deref(), config.cache_dir.as_deref()) {
        Opened::On { store, notices } => {
            for notice in notices {
                eprintln!("tusou: history: {}", sanitize(&notice));
            }
            Ok(store)
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
            filters: filters_summary(&s.params),
        }
    }
}

/// A search's filters in a few words: "¥10.00–30.00 · price ↑ · ships
/// today", or "" when it had none.
fn filters_summary(p: &SearchParams) -> String {
    let mut parts = Vec::new();
    match (p.price_start, p.price_end) {
        (Some(a), Some(b)) => parts.push(format!("¥{a}–{b}")),
        (Some(a), None) => parts.push(format!("≥ ¥{a}")),
        (None, Some(b)) => parts.push(format!("≤ ¥{b}")),
        (None, None) => {}
    }
    if let Some(sort) = p.sort {
        parts.push(sort.label().to_string());
    }
    parts.extend(p.filters.iter().map(|f| f.label().to_string()));
    if let Some(c) = p.category_id {
        parts.push(format!("category {c}"));
    }
    if p.region.is_some() {
        parts.push("part of the picture".into());
    }
    sanitize(&parts.join(" · "))
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

/// One starred offer, as every shortlist format writes it.
#[derive(Debug, Serialize)]
struct ShortlistRow {
    provider: String,
    status: &'static str,
    note: String,
    /// "2026-11-23 14:02", UTC.
    added: String,
    changed: String,
    title: String,
    title_en: String,
    /// Yuan, e.g. "16.50"; "" when unknown.
    price: String,
    /// The offer's 1688 page; "" when only a handle is known.
    link: String,
    offer_id: String,
    offer_map_id: String,
    image_url: String,
}

impl From<&ShortlistEntry> for ShortlistRow {
    fn from(e: &ShortlistEntry) -> Self {
        let o: &Offer = &e.offer;
        let opt = |s: &Option<String>| s.as_deref().map(sanitize).unwrap_or_default();
        ShortlistRow {
            provider: sanitize(&e.offer_ref.provider),
            status: e.status.label(),
            note: sanitize(&e.note),
            added: utc_minute(e.added_at),
            changed: utc_minute(e.changed_at),
            title: sanitize(&o.title),
            title_en: opt(&o.title_en),
            price: o.price.map(|p| p.to_string()).unwrap_or_default(),
            link: o.link().unwrap_or_default(),
            offer_id: opt(&o.offer_id),
            offer_map_id: opt(&o.offer_map_id),
            image_url: opt(&o.image_url),
        }
    }
}

impl ShortlistRow {
    /// Where to find the offer: its page, else its picture, else the
    /// provider's handle.
    fn whereabouts(&self) -> String {
        if !self.link.is_empty() {
            self.link.clone()
        } else if !self.image_url.is_empty() {
            format!("picture {}", self.image_url)
        } else if !self.offer_map_id.is_empty() {
            format!("offerMapId {}", self.offer_map_id)
        } else {
            "(no link)".into()
        }
    }
}

fn shortlist_table<W: Write>(out: &mut W, rows: &[ShortlistRow]) -> io::Result<()> {
    writeln!(
        out,
        "{:<14}  {:<16}  {:>9}  {}  {}  {:<18}  link",
        "status",
        "added (UTC)",
        "price ¥",
        fit("title", 36),
        fit("note", 24),
        "provider",
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<14}  {:<16}  {:>9}  {}  {}  {}  {}",
            r.status,
            r.added,
            r.price,
            fit(&r.title, 36),
            fit(&r.note, 24),
            fit(&r.provider, 18),
            r.whereabouts()
        )?;
    }
    Ok(())
}

/// CSV with a header row (also when empty). Cells a spreadsheet would run
/// as a formula (`=`, `+`, `-`, `@` first) get a leading `'`, as the
/// search export does.
fn write_csv<W: Write>(out: &mut W, rows: &[ShortlistRow]) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    writer.write_record([
        "provider",
        "status",
        "note",
        "added",
        "changed",
        "title",
        "title_en",
        "price",
        "link",
        "offer_id",
        "offer_map_id",
        "image_url",
    ])?;
    for r in rows {
        let guard = |s: &str| {
            if s.starts_with(['=', '+', '-', '@']) {
                format!("'{s}")
            } else {
                s.to_string()
            }
        };
        writer.write_record([
            r.provider.as_str(),
            r.status,
            &guard(&r.note),
            &r.added,
            &r.changed,
            &guard(&r.title),
            &guard(&r.title_en),
            &r.price,
            &r.link,
            &r.offer_id,
            &r.offer_map_id,
            &r.image_url,
        ])?;
    }
    writer.flush()
}

/// A pretty JSON array (`[]` when empty).
fn write_json_array<W: Write, T: Serialize>(out: &mut W, rows: &[T]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FilterFlag, Price, Sort, SortField, SortOrder};
    use crate::store::{OfferRef, Status};

    #[test]
    fn filters_in_a_few_words() {
        assert_eq!(filters_summary(&SearchParams::default()), "");
        let p = SearchParams {
            price_start: Some(Price(1000)),
            price_end: Some(Price(3050)),
            sort: Some(Sort::new(SortField::Price, SortOrder::Asc)),
            filters: vec![FilterFlag::ShipInToday],
            ..SearchParams::default()
        };
        assert_eq!(filters_summary(&p), "¥10.00–30.50 · price ↑ · ships today");
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
        write_csv(&mut out, &[ShortlistRow::from(&entry)]).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[1], "sample ordered");
        assert!(!row[2].contains('\u{1b}'), "{:?}", &row[2]);
        assert_eq!(&row[3], "1970-01-01 00:00");
        assert!(row[5].starts_with("'="), "{:?}", &row[5]);
        assert_eq!(&row[7], "16.50");
        assert_eq!(&row[8], "https://detail.1688.com/offer/1.html");
        let mut empty = Vec::new();
        write_csv(&mut empty, &[]).unwrap();
        assert!(
            String::from_utf8(empty)
                .unwrap()
                .starts_with("provider,status")
        );
    }
}
