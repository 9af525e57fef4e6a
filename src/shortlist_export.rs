//! The shortlist as files: one row per starred offer (status, note, dates,
//! title, price, link), written as CSV or JSON by `tusou shortlist` and by
//! the app's export. Every text is sanitised; dates are UTC.

use crate::api::Offer;
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
/// search export does.
pub(crate) fn write_csv<W: Write>(out: &mut W, rows: &[ShortlistRow]) -> io::Result<()> {
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
        let guard = |s: &str| formula_safe(s).into_owned();
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
pub(crate) fn write_json_array<W: Write, T: Serialize>(out: &mut W, rows: &[T]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// An aligned table, for reading.
pub(crate) fn shortlist_table<W: Write>(out: &mut W, rows: &[ShortlistRow]) -> io::Result<()> {
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

/// Writes `dir/stem.csv` and `dir/stem.json`; returns both paths.
pub(crate) fn export_both(
    entries: &[ShortlistEntry],
    dir: &Path,
    stem: &str,
) -> io::Result<(PathBuf, PathBuf)> {
    let rows: Vec<ShortlistRow> = entries.iter().map(ShortlistRow::from).collect();
    let csv = dir.join(format!("{stem}.csv"));
    let json = dir.join(format!("{stem}.json"));
    let mut out = io::BufWriter::new(std::fs::File::create(&csv)?);
    write_csv(&mut out, &rows)?;
    out.flush()?;
    let mut out = io::BufWriter::new(std::fs::File::create(&json)?);
    write_json_array(&mut out, &rows)?;
    out.flush()?;
    Ok((csv, json))
}
