//! Results as CSV, JSON and a plain table: shared by `tusou search` and the
//! app's export action. Text is sanitised, so an export never carries the
//! server's escape sequences into a terminal or a spreadsheet. With the
//! user's currency set, each row also has the price converted
//! (`price_usd`, rounded as `crate::money` shows it, without symbol).

use crate::api::Offer;
use crate::money::Currency;
use crate::text::sanitize;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The flat row both CSV and JSON exports write, one per offer.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ExportRow {
    pub rank: usize,
    pub offer_id: String,
    pub offer_map_id: String,
    pub title: String,
    pub title_en: String,
    pub price: String,
    pub jxhy_price: String,
    pub pf_jxhy_price: String,
    pub month_sold: String,
    pub repurchase_rate: String,
    pub badges: String,
    pub link: String,
    pub image_url: String,
}

impl ExportRow {
    fn from_offer(rank: usize, offer: &Offer) -> Self {
        let opt = |s: Option<String>| s.map(|s| sanitize(&s)).unwrap_or_default();
        ExportRow {
            rank,
            offer_id: opt(offer.offer_id.clone()),
            offer_map_id: opt(offer.offer_map_id.clone()),
            title: sanitize(&offer.title),
            title_en: opt(offer.title_en.clone()),
            price: offer.price.map(|p| p.to_string()).unwrap_or_default(),
            jxhy_price: offer.jxhy_price.map(|p| p.to_string()).unwrap_or_default(),
            pf_jxhy_price: offer
                .pf_jxhy_price
                .map(|p| p.to_string())
                .unwrap_or_default(),
            month_sold: offer.month_sold.map(|n| n.to_string()).unwrap_or_default(),
            repurchase_rate: offer
                .repurchase_rate
                .map(|r| format!("{r}%"))
                .unwrap_or_default(),
            badges: offer
                .badges
                .iter()
                .map(|b| sanitize(b))
                .collect::<Vec<_>>()
                .join("|"),
            link: offer.link().unwrap_or_default(),
            image_url: opt(offer.image_url.clone()),
        }
    }
}

/// The output formats, all written row by row as offers arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Format {
    /// An aligned table for people reading a terminal.
    Table,
    /// One pretty-printed JSON array of rows.
    Json,
    /// One compact JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// What an export writes: the format, and the currency (if any) of an
/// extra converted-price column. A bare [`Format`] converts into one
/// without currency.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ExportSpec {
    pub format: Format,
    pub currency: Option<Currency>,
}

impl From<Format> for ExportSpec {
    fn from(format: Format) -> Self {
        ExportSpec {
            format,
            currency: None,
        }
    }
}

/// A JSON row with the converted price after the row's own fields.
#[derive(Serialize)]
struct ConvertedRow<'a> {
    #[serde(flatten)]
    row: &'a ExportRow,
    #[serde(flatten)]
    converted: std::collections::BTreeMap<String, String>,
}

enum Sink<W: Write> {
    Plain(W),
    /// The writer, and whether its header row is written yet.
    Csv(Box<csv::Writer<W>>, bool),
}

/// Writes offers as they arrive — page by page — numbering them across
/// pages and holding none of them: what is written is out of memory. JSON
/// is opened at once and closed by [`OfferWriter::finish`], so a run that
/// stops early (a failed page) still leaves a valid array.
pub(crate) struct OfferWriter<W: Write> {
    format: Format,
    currency: Option<Currency>,
    sink: Sink<W>,
    written: usize,
}

impl<W: Write> OfferWriter<W> {
    /// Starts the output: the table's header line, or JSON's `[`. (CSV's
    /// header goes out with the first row, as before: no rows, no header.)
    pub(crate) fn new(spec: impl Into<ExportSpec>, mut out: W) -> io::Result<Self> {
        let ExportSpec { format, currency } = spec.into();
        let sink = match format {
            Format::Csv => Sink::Csv(
                Box::new(
                    csv::WriterBuilder::new()
                        .has_headers(false)
                        .from_writer(out),
                ),
                false,
            ),
            Format::Table => {
                let converted = currency
                    .as_ref()
                    .map(|c| format!("{:>10}  ", format!("price {}", c.code)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{:>4}  {:>9}  {converted}{:>8}  {:>5}  {}  link",
                    "#",
                    "price ¥",
                    "sold/mo",
                    "rep.",
                    crate::text::fit("title", 50),
                )?;
                Sink::Plain(out)
            }
            Format::Json => {
                out.write_all(b"[")?;
                Sink::Plain(out)
            }
            Format::Jsonl => Sink::Plain(out),
        };
        Ok(OfferWriter {
            format,
            currency,
            sink,
            written: 0,
        })
    }

    /// Offers written so far.
    pub(crate) fn written(&self) -> usize {
        self.written
    }

    /// Writes `offers` after those already written.
    pub(crate) fn write(&mut self, offers: &[Offer]) -> io::Result<()> {
        for offer in offers {
            let rank = self.written + 1;
            let converted = self.currency.as_ref().map(|c| {
                let amount = offer.price.map(|p| c.amount_text(p)).unwrap_or_default();
                (c.column(), amount)
            });
            match &mut self.sink {
                Sink::Csv(writer, header_written) => {
                    let mut row = ExportRow::from_offer(rank, offer);
                    for cell in [&mut row.title, &mut row.title_en, &mut row.badges] {
                        if cell.starts_with(['=', '+', '-', '@']) {
                            cell.insert(0, '\'');
                        }
                    }
                    if !*header_written {
                        let mut header = csv_header(&row)?;
                        if let Some((column, _)) = &converted {
                            header.push_field(column);
                        }
                        writer.write_record(&header).map_err(csv_io)?;
                        *header_written = true;
                    }
                    match &converted {
                        Some((_, amount)) => writer.serialize((&row, amount)),
                        None => writer.serialize(&row),
                    }
                    .map_err(csv_io)?;
                }
                Sink::Plain(out) => match self.format {
                    Format::Table => table_row(out, rank, offer, self.currency.as_ref())?,
                    Format::Jsonl => {
                        json_row(&mut *out, &ExportRow::from_offer(rank, offer), converted)?;
                        out.write_all(b"\n")?;
                    }
                    // Each row as `serde_json::to_writer_pretty` writes an
                    // element of an array: indented by two spaces.
                    _ => {
                        let row = ExportRow::from_offer(rank, offer);
                        let text = match converted {
                            Some(pair) => serde_json::to_string_pretty(&ConvertedRow {
                                row: &row,
                                converted: [pair].into(),
                            }),
                            None => serde_json::to_string_pretty(&row),
                        }
                        .map_err(io::Error::from)?;
                        out.write_all(if rank == 1 { b"\n  " } else { b",\n  " })?;
                        out.write_all(text.replace('\n', "\n  ").as_bytes())?;
                    }
                },
            }
            self.written = rank;
        }
        Ok(())
    }

    /// Pushes what is written so far out to the underlying writer.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        match &mut self.sink {
            Sink::Csv(writer, _) => writer.flush(),
            Sink::Plain(out) => out.flush(),
        }
    }

    /// Ends the output (closes JSON's array), flushes, and hands the writer
    /// back.
    pub(crate) fn finish(self) -> io::Result<W> {
        match self.sink {
            Sink::Csv(writer, _) => writer.into_inner().map_err(|e| e.into_error()),
            Sink::Plain(mut out) => {
                if self.format == Format::Json {
                    out.write_all(if self.written == 0 { b"]\n" } else { b"\n]\n" })?;
                }
                out.flush()?;
                Ok(out)
            }
        }
    }
}

/// A CSV error as an I/O error, keeping the kind of an I/O failure (so a
/// closed pipe is still `BrokenPipe`).
fn csv_io(e: csv::Error) -> io::Error {
    if !e.is_io_error() {
        return io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        _ => io::Error::other("CSV output failed"),
    }
}

/// The CSV header of a row's fields (their serde names, in order).
fn csv_header(row: &ExportRow) -> io::Result<csv::StringRecord> {
    let mut probe = csv::Writer::from_writer(Vec::new());
    probe.serialize(row).map_err(csv_io)?;
    let bytes = probe.into_inner().map_err(|e| e.into_error())?;
    csv::Reader::from_reader(bytes.as_slice())
        .headers()
        .cloned()
        .map_err(csv_io)
}

/// One compact JSON row, with the converted price last when there is one.
fn json_row<W: Write>(
    out: W,
    row: &ExportRow,
    converted: Option<(String, String)>,
) -> io::Result<()> {
    match converted {
        Some(pair) => serde_json::to_writer(
            out,
            &ConvertedRow {
                row,
                converted: [pair].into(),
            },
        ),
        None => serde_json::to_writer(out, row),
    }
    .map_err(io::Error::from)
}

/// One table row: rank, price (and converted), monthly sales, repurchase
/// rate, title, link.
fn table_row<W: Write>(
    out: &mut W,
    rank: usize,
    offer: &Offer,
    currency: Option<&Currency>,
) -> io::Result<()> {
    let price = offer.price.map(|p| p.to_string()).unwrap_or_default();
    let converted = currency
        .map(|c| {
            let amount = offer.price.map(|p| c.convert(p)).unwrap_or_default();
            format!("{amount:>10}  ")
        })
        .unwrap_or_default();
    let sold = offer.month_sold.map(|n| n.to_string()).unwrap_or_default();
    let rate = offer
        .repurchase_rate
        .map(|r| format!("{r:.0}%"))
        .unwrap_or_default();
    let title = sanitize(offer.display_title());
    // An offerMapId is no link; say so rather than print it as one.
    let link = offer.link().unwrap_or_else(|| "(no offer link)".into());
    writeln!(
        out,
        "{rank:>4}  {price:>9}  {converted}{sold:>8}  {rate:>5}  {}  {link}",
        crate::text::fit(&title, 50)
    )
}

fn write_all<W: Write>(spec: impl Into<ExportSpec>, offers: &[Offer], out: W) -> io::Result<()> {
    let mut writer = OfferWriter::new(spec, out)?;
    writer.write(offers)?;
    writer.finish().map(drop)
}

/// CSV with a header row. Cells a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) are prefixed with `'`.
#[cfg(test)]
fn write_csv<W: Write>(offers: &[Offer], out: W) -> io::Result<()> {
    write_all(Format::Csv, offers, out)
}

/// A JSON array of rows, pretty-printed.
#[cfg(test)]
fn write_json<W: Write>(offers: &[Offer], out: W) -> io::Result<()> {
    write_all(Format::Json, offers, out)
}

/// [`export_both_with`] without a converted price.
#[cfg(test)]
fn export_both(offers: &[Offer], dir: &Path, stem: &str) -> io::Result<(PathBuf, PathBuf)> {
    export_both_with(offers, dir, stem, None)
}

/// Writes `<stem>.csv` and `<stem>.json` into `dir` and returns both paths;
/// with `currency`, both carry its converted price (`price_usd`).
///
/// Both files are created new (`create_new`: never truncating a file that
/// is there, and never following a symlink planted at the name); when
/// either name is taken, the first free `<stem>-1`, `<stem>-2`, … is used
/// for both.
pub(crate) fn export_both_with(
    offers: &[Offer],
    dir: &Path,
    stem: &str,
    currency: Option<&Currency>,
) -> io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let ((csv_path, csv_file), (json_path, json_file)) = create_new_pair(dir, stem)?;
    let spec = |format| ExportSpec {
        format,
        currency: currency.cloned(),
    };
    write_all(spec(Format::Csv), offers, io::BufWriter::new(csv_file))?;
    write_all(spec(Format::Json), offers, io::BufWriter::new(json_file))?;
    Ok((csv_path, json_path))
}

/// Suffixes tried before giving up.
const MAX_SUFFIX: u32 = 1000;

type Created = (PathBuf, std::fs::File);

/// `<name>.csv` and `<name>.json` in `dir`, both created new, for the first
/// `name` among `stem`, `stem-1`, `stem-2`, … where both are free.
pub(crate) fn create_new_pair(dir: &Path, stem: &str) -> io::Result<(Created, Created)> {
    for n in 0..=MAX_SUFFIX {
        let name = if n == 0 {
            stem.to_string()
        } else {
            format!("{stem}-{n}")
        };
        let csv_path = dir.join(format!("{name}.csv"));
        let csv = match create_new(&csv_path) {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        };
        let json_path = dir.join(format!("{name}.json"));
        match create_new(&json_path) {
            Ok(json) => return Ok(((csv_path, csv), (json_path, json))),
            Err(e) => {
                // Ours, and still empty: take it back.
                drop(csv);
                let _ = std::fs::remove_file(&csv_path);
                if e.kind() != io::ErrorKind::AlreadyExists {
                    return Err(e);
                }
            }
        }
    }
    Err(io::Error::new(
        io::ErrorKind::AlreadyExists,
        format!("{stem}.csv and {MAX_SUFFIX} numbered variants all exist"),
    ))
}

/// A new file; fails if anything (a file, a symlink, even a dangling one)
/// is at `path`.
fn create_new(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Price;

    fn offer() -> Offer {
        Offer {
            offer_id: Some("612345678901".into()),
            title: "国潮\x1b[31m男装".into(),
            title_en: Some("=HYPERLINK(\"x\")".into()),
            price: Some(Price(1600)),
            month_sold: Some(97822),
            repurchase_rate: Some(5.0),
            badges: vec!["精选".into(), "factory".into()],
            ..Default::default()
        }
    }

    #[test]
    fn csv_is_sanitised_and_formula_safe() {
        let mut out = Vec::new();
        write_csv(&[offer()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(&headers[0], "rank");
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[3], "国潮男装");
        assert!(row[4].starts_with("'="));
        assert_eq!(&row[5], "16.00");
        assert_eq!(&row[11], "https://detail.1688.com/offer/612345678901.html");
        assert!(!text.contains('\x1b'));
    }

    fn usd() -> ExportSpec {
        ExportSpec {
            format: Format::Csv,
            currency: Some(Currency::new("USD", 7.1).unwrap()),
        }
    }

    #[test]
    fn a_currency_adds_a_converted_price_column() {
        let mut out = Vec::new();
        let no_price = Offer {
            price: None,
            ..offer()
        };
        write_all(usd(), &[offer(), no_price.clone()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        assert_eq!(headers.len(), 14);
        assert_eq!(&headers[0], "rank");
        assert_eq!(&headers[13], "price_usd");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!((&rows[0][5], &rows[0][13]), ("16.00", "2.25"));
        assert_eq!(&rows[1][13], "");
        assert!(rows[0][4].starts_with("'="), "still formula-safe");
        // Without a currency the columns are as they were.
        let mut plain = Vec::new();
        write_csv(&[offer()], &mut plain).unwrap();
        let plain = String::from_utf8(plain).unwrap();
        assert_eq!(
            plain.lines().next(),
            text.lines().next().map(|h| &h[..h.len() - 10])
        );
        // JSON and JSONL carry it as a field after the others; the table as
        // a column with the symbol.
        for format in [Format::Json, Format::Jsonl] {
            let mut out = Vec::new();
            let spec = ExportSpec { format, ..usd() };
            write_all(spec, &[offer()], &mut out).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let row = if format == Format::Json { &v[0] } else { &v };
            assert_eq!(row["price_usd"], "2.25");
            assert_eq!(row["price"], "16.00");
        }
        let mut table = Vec::new();
        write_all(
            ExportSpec {
                format: Format::Table,
                ..usd()
            },
            &[offer()],
            &mut table,
        )
        .unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(
            table.lines().next().unwrap().contains("price USD"),
            "{table}"
        );
        assert!(table.lines().nth(1).unwrap().contains("US$2.25"), "{table}");
        // The app's export pair too.
        let dir = tempfile::tempdir().unwrap();
        let (csv_path, json_path) =
            export_both_with(&[offer()], dir.path(), "x", usd().currency.as_ref()).unwrap();
        assert!(
            std::fs::read_to_string(csv_path)
                .unwrap()
                .contains(",price_usd\n")
        );
        assert!(
            std::fs::read_to_string(json_path)
                .unwrap()
                .contains("\"price_usd\": \"2.25\"")
        );
    }

    #[test]
    fn json_round_trips() {
        let mut out = Vec::new();
        write_json(&[offer(), offer()], &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
        assert_eq!(v[1]["rank"], 2);
        assert_eq!(v[0]["badges"], "精选|factory");
    }

    #[test]
    fn json_is_what_serde_pretty_prints_and_is_closed_when_empty() {
        let offers = [offer(), offer()];
        let mut streamed = Vec::new();
        let mut w = OfferWriter::new(Format::Json, &mut streamed).unwrap();
        w.write(&offers[..1]).unwrap();
        w.write(&offers[1..]).unwrap();
        w.finish().unwrap();
        let rows: Vec<ExportRow> = offers
            .iter()
            .enumerate()
            .map(|(i, o)| ExportRow::from_offer(i + 1, o))
            .collect();
        let mut expected = serde_json::to_vec_pretty(&rows).unwrap();
        expected.push(b'\n');
        assert_eq!(
            String::from_utf8(streamed).unwrap(),
            String::from_utf8(expected).unwrap()
        );
        let mut empty = Vec::new();
        write_json(&[], &mut empty).unwrap();
        assert_eq!(empty, b"[]\n");
    }

    #[test]
    fn a_json_stream_stopped_early_is_still_an_array() {
        let mut out = Vec::new();
        let mut w = OfferWriter::new(Format::Json, &mut out).unwrap();
        w.write(&[offer()]).unwrap();
        // A later page fails: the caller finishes what it has.
        w.finish().unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
    }

    #[test]
    fn jsonl_and_table_number_rows_across_pages() {
        let mut out = Vec::new();
        let mut w = OfferWriter::new(Format::Jsonl, &mut out).unwrap();
        w.write(&[offer()]).unwrap();
        w.write(&[offer(), offer()]).unwrap();
        assert_eq!(w.written(), 3);
        w.finish().unwrap();
        let ranks: Vec<u64> = String::from_utf8(out)
            .unwrap()
            .lines()
            .map(|l| {
                serde_json::from_str::<serde_json::Value>(l).unwrap()["rank"]
                    .as_u64()
                    .unwrap()
            })
            .collect();
        assert_eq!(ranks, [1, 2, 3]);
        let mut table = Vec::new();
        let mut w = OfferWriter::new(Format::Table, &mut table).unwrap();
        w.write(&[offer()]).unwrap();
        w.write(&[offer()]).unwrap();
        w.finish().unwrap();
        let text = String::from_utf8(table).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[2].trim_start().starts_with("2 "), "{text}");
        assert!(!text.contains('\x1b'));
    }

    #[test]
    fn export_never_overwrites_and_never_follows_symlinks() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // Someone's file at the first name, and a symlink at the second
        // name's JSON pointing at a file that must stay untouched.
        std::fs::write(d.join("t.csv"), "mine").unwrap();
        let victim = d.join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&victim, d.join("t-1.json")).unwrap();
        #[cfg(not(unix))]
        std::fs::write(d.join("t-1.json"), "taken").unwrap();

        let (csv, json) = export_both(&[offer()], d, "t").unwrap();
        assert_eq!(csv, d.join("t-2.csv"));
        assert_eq!(json, d.join("t-2.json"));
        assert_eq!(std::fs::read_to_string(d.join("t.csv")).unwrap(), "mine");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(
            !d.join("t-1.csv").exists(),
            "the half-taken name is given back"
        );
        assert!(!d.join("t.json").exists());

        // A symlink planted at the very first name is not followed either.
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(&victim, d.join("u.json")).unwrap();
            let (csv, json) = export_both(&[offer()], d, "u").unwrap();
            assert_eq!((csv, json), (d.join("u-1.csv"), d.join("u-1.json")));
            assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
            assert!(!d.join("u.csv").exists());
        }

        // Again: a fresh pair each time.
        let (csv2, json2) = export_both(&[offer()], d, "t").unwrap();
        assert_eq!((csv2, json2), (d.join("t-3.csv"), d.join("t-3.json")));
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(d.join("t-3.json")).unwrap()).unwrap();
        assert_eq!(v.as_array().map(Vec::len), Some(1));
    }
}
