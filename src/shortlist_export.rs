//! The shortlist as files: one row per starred offer (status, note, dates,
//! title, price, link), written as CSV or JSON by `tusou shortlist` and by
//! the app's export. Every text is sanitised; dates are UTC.

use crate::api::Offer;
use crate::money::Currency;
use crate::store::ShortlistEntry;
use crate::text::{fit, formula_safe, sanitize, utc_minute};
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// One starred offer, as every shortlist format writes it.
#[derive(Debug, Serialize)]
pub(crate) struct ShortlistRow {
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
    /// With the user's currency: `price_usd` → "2.32" ("" when unknown).
    #[serde(flatten)]
    converted: std::collections::BTreeMap<String, String>,
    /// The offer's 1688 page; "" when only a handle is known.
    link: String,
    offer_id: String,
    offer_map_id: String,
    image_url: String,
}

impl ShortlistRow {
    /// The row of `e`, with its price also in `currency` when one is set.
    pub(crate) fn new(e: &ShortlistEntry, currency: Option<&Currency>) -> Self {
        let mut row = ShortlistRow::from(e);
        if let Some(c) = currency {
            let amount = e.offer.price.map(|p| c.amount_text(p)).unwrap_or_default();
            row.converted.insert(c.column(), amount);
        }
        row
    }
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
            converted: Default::default(),
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
    pub(crate) fn whereabouts(&self) -> String {
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

/// CSV with a header row (also when empty). Cells a spreadsheet would run
/// as a formula (`=`, `+`, `-`, `@` first) get a leading `'`, as the
/// search export does. With `currency`, its column follows `price`.
pub(crate) fn write_csv<W: Write>(
    out: &mut W,
    rows: &[ShortlistRow],
    currency: Option<&Currency>,
) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    let column = currency.map(Currency::column);
    let mut header = vec![
        "provider", "status", "note", "added", "changed", "title", "title_en", "price",
    ];
    header.extend(column.as_deref());
    header.extend(["link", "offer_id", "offer_map_id", "image_url"]);
    writer.write_record(&header)?;
    for r in rows {
        let guard = |s: &str| formula_safe(s).into_owned();
        let (note, title, title_en) = (guard(&r.note), guard(&r.title), guard(&r.title_en));
        let mut record = vec![
            r.provider.as_str(),
            r.status,
            &note,
            &r.added,
            &r.changed,
            &title,
            &title_en,
            &r.price,
        ];
        if let Some(column) = &column {
            record.push(r.converted.get(column).map_or("", String::as_str));
        }
        record.extend([r.link.as_str(), &r.offer_id, &r.offer_map_id, &r.image_url]);
        writer.write_record(&record)?;
    }
    writer.flush()
}

/// A pretty JSON array (`[]` when empty).
pub(crate) fn write_json_array<W: Write, T: Serialize>(out: &mut W, rows: &[T]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// An aligned table, for reading.
pub(crate) fn shortlist_table<W: Write>(
    out: &mut W,
    rows: &[ShortlistRow],
    currency: Option<&Currency>,
) -> io::Result<()> {
    let column = currency.map(|c| (c.column(), format!("{:>10}  ", format!("price {}", c.code))));
    let converted = |r: &ShortlistRow| match &column {
        Some((name, _)) => format!("{:>10}  ", r.converted.get(name).map_or("", String::as_str)),
        None => String::new(),
    };
    writeln!(
        out,
        "{:<14}  {:<16}  {:>9}  {}{}  {}  {:<18}  link",
        "status",
        "added (UTC)",
        "price ¥",
        column.as_ref().map_or("", |(_, h)| h.as_str()),
        fit("title", 36),
        fit("note", 24),
        "provider",
    )?;
    for r in rows {
        writeln!(
            out,
            "{:<14}  {:<16}  {:>9}  {}{}  {}  {}  {}",
            r.status,
            r.added,
            r.price,
            converted(r),
            fit(&r.title, 36),
            fit(&r.note, 24),
            fit(&r.provider, 18),
            r.whereabouts()
        )?;
    }
    Ok(())
}

/// Writes `dir/stem.csv` and `dir/stem.json` (new files, as the results
/// export makes them: a taken name gets `-1`, `-2`, …); returns both paths.
pub(crate) fn export_both(
    entries: &[ShortlistEntry],
    dir: &Path,
    stem: &str,
    currency: Option<&Currency>,
) -> io::Result<(PathBuf, PathBuf)> {
    let rows: Vec<ShortlistRow> = entries
        .iter()
        .map(|e| ShortlistRow::new(e, currency))
        .collect();
    std::fs::create_dir_all(dir)?;
    let ((csv, csv_file), (json, json_file)) = crate::export::create_new_pair(dir, stem)?;
    let mut out = io::BufWriter::new(csv_file);
    write_csv(&mut out, &rows, currency)?;
    out.flush()?;
    let mut out = io::BufWriter::new(json_file);
    write_json_array(&mut out, &rows)?;
    out.flush()?;
    Ok((csv, json))
}
