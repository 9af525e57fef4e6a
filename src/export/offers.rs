//! Results as CSV, JSON and a plain table: shared by `tusou search` and the
//! app's export action. Text is sanitised, so an export never carries the
//! server's escape sequences into a terminal or a spreadsheet. With the
//! user's currency set, each row also has the price converted
//! (`price_usd`, rounded as `crate::money` shows it, without symbol).

use crate::api::{Offer, OfferDetail};
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
    /// The seller columns ([`super::seller::SELLER_COLUMNS`], same order):
    /// who sells the offer and the signals known, empty where unknown.
    pub seller_id: String,
    pub company: String,
    pub factory: String,
    pub identities: String,
    pub years: String,
    pub trade_score: String,
    pub service_score: String,
    pub pickup_48h_pct: String,
    pub pickup_24h_pct: String,
    pub perfect_fulfilment_pct: String,
    pub delayed_shipping_pct: String,
    pub quality_refund_pct: String,
    pub quality_return_pct: String,
    pub repeat_buyers_pct: String,
}

impl ExportRow {
    fn from_offer(rank: usize, offer: &Offer) -> Self {
        let opt = |s: Option<String>| s.map(|s| sanitize(&s)).unwrap_or_default();
        let [
            seller_id,
            company,
            factory,
            identities,
            years,
            trade_score,
            service_score,
            pickup_48h_pct,
            pickup_24h_pct,
            perfect_fulfilment_pct,
            delayed_shipping_pct,
            quality_refund_pct,
            quality_return_pct,
            repeat_buyers_pct,
        ] = super::seller::seller_cells(offer.seller.as_ref());
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
            seller_id,
            company,
            factory,
            identities,
            years,
            trade_score,
            service_score,
            pickup_48h_pct,
            pickup_24h_pct,
            perfect_fulfilment_pct,
            delayed_shipping_pct,
            quality_refund_pct,
            quality_return_pct,
            repeat_buyers_pct,
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
    /// Detail columns (MOQ, tiers, ship-from, unit cost at the quantity),
    /// when details were asked for.
    pub details: Option<DetailColumns>,
    /// Same-product columns (group and price spread), when grouped.
    pub same: Option<std::sync::Arc<super::same::SameColumns>>,
}

impl From<Format> for ExportSpec {
    fn from(format: Format) -> Self {
        ExportSpec {
            format,
            currency: None,
            details: None,
            same: None,
        }
    }
}

/// Offer details known by offer id, shared with whoever fetches them (a
/// page's details are in before its rows are written).
pub(crate) type DetailTable =
    std::sync::Arc<std::sync::Mutex<std::collections::HashMap<String, OfferDetail>>>;

/// The detail columns of an export: MOQ, tiers, ship-from, and the unit cost
/// at `quantity` (with the currency's too), each empty where unknown.
#[derive(Debug, Clone, Default)]
pub(crate) struct DetailColumns {
    pub quantity: Option<u64>,
    pub known: DetailTable,
    /// With a lane (`--lane`): the landed cost at `quantity` too.
    pub landed: Option<std::sync::Arc<super::landed::LandedColumns>>,
}

impl PartialEq for DetailColumns {
    fn eq(&self, other: &Self) -> bool {
        let same_landed = match (&self.landed, &other.landed) {
            (Some(a), Some(b)) => std::sync::Arc::ptr_eq(a, b),
            (None, None) => true,
            _ => false,
        };
        self.quantity == other.quantity
            && std::sync::Arc::ptr_eq(&self.known, &other.known)
            && same_landed
    }
}

impl DetailColumns {
    /// The cells after a row's own, as (column, value).
    fn cells(&self, offer: &Offer, currency: Option<&Currency>) -> Vec<(String, String)> {
        let known = self.known.lock().ok();
        let detail = known
            .as_ref()
            .and_then(|k| k.get(offer.offer_id.as_deref()?));
        let mut cells = detail_cells(detail, offer, self.quantity, currency);
        if let (Some(landed), Some(q)) = (&self.landed, self.quantity) {
            cells.extend(landed.cells(detail, offer, q, currency));
        }
        cells
    }
}

/// MOQ, tiers, ship-from and (with a quantity) the unit cost there, as
/// export cells; all empty without a detail.
pub(crate) fn detail_cells(
    detail: Option<&OfferDetail>,
    offer: &Offer,
    quantity: Option<u64>,
    currency: Option<&Currency>,
) -> Vec<(String, String)> {
    let text = |f: &dyn Fn(&OfferDetail) -> Option<String>| {
        detail.and_then(f).map(|s| sanitize(&s)).unwrap_or_default()
    };
    let mut cells = vec![
        (
            "moq".to_string(),
            text(&|d| d.min_order.map(|m| m.to_string())),
        ),
        (
            "tiers".to_string(),
            text(&|d| Some(d.tiers_line()).filter(|t| !t.is_empty())),
        ),
        ("ship_from".to_string(), text(&|d| d.ship_from.clone())),
    ];
    if let Some(q) = quantity {
        let unit = detail.map(|d| d.unit_price_at(q));
        let price = match unit {
            Some(crate::api::AtQuantity::Price(p)) => Some(p),
            // A detail without tiers: the list price.
            Some(crate::api::AtQuantity::Unknown) => offer.price,
            _ => None,
        };
        let below = match unit {
            Some(crate::api::AtQuantity::BelowMinimum(m)) => format!("below MOQ {m}"),
            _ => String::new(),
        };
        cells.push(("quantity".to_string(), q.to_string()));
        cells.push((
            "unit_cost".to_string(),
            price.map_or(below, |p| p.to_string()),
        ));
        if let Some(c) = currency {
            cells.push((
                format!("unit_cost_{}", c.code.to_ascii_lowercase()),
                price.map(|p| c.amount_text(p)).unwrap_or_default(),
            ));
        }
    }
    cells
}

/// A JSON row with the converted price (and detail cells) after the row's
/// own fields.
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
    details: Option<DetailColumns>,
    same: Option<std::sync::Arc<super::same::SameColumns>>,
    sink: Sink<W>,
    written: usize,
}

impl<W: Write> OfferWriter<W> {
    /// Starts the output: the table's header line, or JSON's `[`. (CSV's
    /// header goes out with the first row, or at the end when there is none.)
    pub(crate) fn new(spec: impl Into<ExportSpec>, mut out: W) -> io::Result<Self> {
        let ExportSpec {
            format,
            currency,
            details,
            same,
        } = spec.into();
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
                    "{:>4}  {:>9}  {converted}{:>8}  {:>5}  {}  {}  link",
                    "#",
                    "price ¥",
                    "sold/mo",
                    "rep.",
                    crate::text::fit("seller", SELLER_WIDTH),
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
            details,
            same,
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
            let mut extra = extra_cells(self.currency.as_ref(), self.details.as_ref(), offer);
            if let Some(same) = &self.same {
                extra.extend(same.cells(rank));
            }
            match &mut self.sink {
                Sink::Csv(writer, header_written) => {
                    let mut row = ExportRow::from_offer(rank, offer);
                    for cell in [
                        &mut row.title,
                        &mut row.title_en,
                        &mut row.badges,
                        &mut row.seller_id,
                        &mut row.company,
                        &mut row.identities,
                    ] {
                        if cell.starts_with(['=', '+', '-', '@']) {
                            cell.insert(0, '\'');
                        }
                    }
                    if !*header_written {
                        let mut header = csv_header(&row)?;
                        for (column, _) in &extra {
                            header.push_field(column);
                        }
                        writer.write_record(&header).map_err(csv_io)?;
                        *header_written = true;
                    }
                    // Server text in the detail cells is guarded like the titles.
                    let values: Vec<String> = extra
                        .iter()
                        .map(|(_, v)| {
                            if v.starts_with(['=', '+', '-', '@']) {
                                format!("'{v}")
                            } else {
                                v.clone()
                            }
                        })
                        .collect();
                    writer.serialize((&row, values)).map_err(csv_io)?;
                }
                Sink::Plain(out) => match self.format {
                    Format::Table => table_row(out, rank, offer, self.currency.as_ref(), &extra)?,
                    Format::Jsonl => {
                        json_row(&mut *out, &ExportRow::from_offer(rank, offer), extra)?;
                        out.write_all(b"\n")?;
                    }
                    // Each row as `serde_json::to_writer_pretty` writes an
                    // element of an array: indented by two spaces.
                    _ => {
                        let row = ExportRow::from_offer(rank, offer);
                        let text = if extra.is_empty() {
                            serde_json::to_string_pretty(&row)
                        } else {
                            serde_json::to_string_pretty(&ConvertedRow {
                                row: &row,
                                converted: extra.into_iter().collect(),
                            })
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
            Sink::Csv(mut writer, header_written) => {
                // No rows (a search that failed early): the header alone,
                // so a script still reads a CSV with its columns.
                if !header_written {
                    let offer = Offer::default();
                    let mut header = csv_header(&ExportRow::from_offer(1, &offer))?;
                    for (column, _) in
                        extra_cells(self.currency.as_ref(), self.details.as_ref(), &offer)
                    {
                        header.push_field(&column);
                    }
                    writer.write_record(&header).map_err(csv_io)?;
                }
                writer.into_inner().map_err(|e| e.into_error())
            }
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

/// The columns after an offer's own: the converted price, the detail's.
fn extra_cells(
    currency: Option<&Currency>,
    details: Option<&DetailColumns>,
    offer: &Offer,
) -> Vec<(String, String)> {
    let mut extra: Vec<(String, String)> = currency
        .map(|c| {
            let amount = offer.price.map(|p| c.amount_text(p)).unwrap_or_default();
            (c.column(), amount)
        })
        .into_iter()
        .collect();
    if let Some(d) = details {
        extra.extend(d.cells(offer, currency));
    }
    extra
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
fn json_row<W: Write>(out: W, row: &ExportRow, extra: Vec<(String, String)>) -> io::Result<()> {
    if extra.is_empty() {
        serde_json::to_writer(out, row)
    } else {
        serde_json::to_writer(
            out,
            &ConvertedRow {
                row,
                converted: extra.into_iter().collect(),
            },
        )
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
    extra: &[(String, String)],
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
    // Detail cells (MOQ, unit cost) go last, as `name=value`.
    let details: String = extra
        .iter()
        .filter(|(k, v)| {
            !v.is_empty()
                && (k == "moq" || k.starts_with("unit_cost") || k.starts_with("landed_cost"))
        })
        .map(|(k, v)| format!("  {k}={v}"))
        .collect();
    let seller = offer
        .seller
        .as_ref()
        .map(|s| s.compact(true))
        .unwrap_or_default();
    writeln!(
        out,
        "{rank:>4}  {price:>9}  {converted}{sold:>8}  {rate:>5}  {}  {}  {link}{details}",
        crate::text::fit(&seller, SELLER_WIDTH),
        crate::text::fit(&title, 50)
    )
}

/// The table's seller column: `factory 9y 4.8`.
const SELLER_WIDTH: usize = 16;

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
#[cfg(test)]
pub(crate) fn export_both_with(
    offers: &[Offer],
    dir: &Path,
    stem: &str,
    currency: Option<&Currency>,
) -> io::Result<(PathBuf, PathBuf)> {
    export_both_detailed(offers, dir, stem, currency, None, None)
}

/// [`export_both_with`], with detail columns (MOQ, tiers, ship-from, unit
/// cost at the quantity) when `details` is given.
pub(crate) fn export_both_detailed(
    offers: &[Offer],
    dir: &Path,
    stem: &str,
    currency: Option<&Currency>,
    details: Option<DetailColumns>,
    same: Option<super::same::SameColumns>,
) -> io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let same = same.filter(|s| !s.is_empty()).map(std::sync::Arc::new);
    let mut files = super::file::create_new_set(dir, stem, &["csv", "json"])?.into_iter();
    let (Some((csv_path, csv_file)), Some((json_path, json_file))) = (files.next(), files.next())
    else {
        return Err(io::Error::other("export files not made"));
    };
    let spec = |format| ExportSpec {
        format,
        currency: currency.cloned(),
        details: details.clone(),
        same: same.clone(),
    };
    write_all(spec(Format::Csv), offers, io::BufWriter::new(csv_file))?;
    write_all(spec(Format::Json), offers, io::BufWriter::new(json_file))?;
    Ok((csv_path, json_path))
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

    /// Every format carries the seller columns, after the offer's own, with
    /// server text sanitised and formula-safe; unknown is empty.
    #[test]
    fn the_seller_columns_follow_the_offer_s_own_in_every_format() {
        use crate::api::{Identity, Rate, Score, Seller};
        let sold = Offer {
            seller: Some(Seller {
                company: Some("=甲\u{1b}[31m厂".into()),
                identities: vec![Identity::SuperFactory],
                tp_years: Some(9),
                trade_score: Score::from_hundredths(480),
                pickup_48h_30d: Rate::from_basis_points(9200),
                quality_refund_30d: Rate::from_basis_points(123),
                ..Seller::default()
            }),
            ..offer()
        };
        let mut out = Vec::new();
        write_csv(&[sold.clone(), offer()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\x1b'));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        let after = headers.iter().position(|h| h == "image_url").unwrap() + 1;
        assert_eq!(headers[after..], super::super::seller::SELLER_COLUMNS);
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let at = |r: usize, name: &str| {
            rows[r][headers.iter().position(|h| h == name).unwrap()].to_string()
        };
        assert_eq!(at(0, "company"), "'=甲厂");
        assert_eq!(at(0, "factory"), "yes");
        assert_eq!(at(0, "years"), "9");
        assert_eq!(at(0, "trade_score"), "4.8");
        assert_eq!(at(0, "pickup_48h_pct"), "92");
        assert_eq!(at(0, "quality_refund_pct"), "1.23");
        assert_eq!(at(0, "seller_id"), "");
        assert_eq!(at(1, "company"), "");
        assert_eq!(at(1, "factory"), "");
        for format in [Format::Json, Format::Jsonl] {
            let mut out = Vec::new();
            write_all(format, std::slice::from_ref(&sold), &mut out).unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let row = if format == Format::Json { &v[0] } else { &v };
            assert_eq!(row["factory"], "yes", "{format:?}");
            assert_eq!(row["pickup_48h_pct"], "92", "{format:?}");
            assert_eq!(row["company"], "=甲厂", "{format:?}");
        }
        let mut table = Vec::new();
        write_all(Format::Table, &[sold], &mut table).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(table.lines().next().unwrap().contains("seller"), "{table}");
        assert!(table.contains("factory 9y 4.8"), "{table}");
    }

    fn usd() -> ExportSpec {
        ExportSpec {
            format: Format::Csv,
            currency: Some(Currency::new("USD", 7.1).unwrap()),
            details: None,
            same: None,
        }
    }

    #[test]
    fn detail_columns_carry_moq_tiers_ship_from_and_the_unit_cost() {
        let detail = OfferDetail::from_value(serde_json::json!({
            "minOrderQuantity": 50,
            "productSaleInfo": {"priceRangeList": [
                {"startQuantity": 50, "price": "5.00"},
                {"startQuantity": 500, "price": "4.50", "promotionPrice": "4.20"}
            ]},
            "productShippingInfo": {"sendGoodsAddressText": "=义乌\u{1b}[2J"}
        }))
        .unwrap();
        let known = DetailTable::default();
        known.lock().unwrap().insert("612345678901".into(), detail);
        let spec = |quantity| ExportSpec {
            format: Format::Csv,
            currency: Some(Currency::new("USD", 7.0).unwrap()),
            details: Some(DetailColumns {
                quantity: Some(quantity),
                known: known.clone(),
                landed: None,
            }),
            same: None,
        };
        let without = Offer {
            offer_id: Some("1".into()),
            ..offer()
        };
        let mut out = Vec::new();
        write_all(spec(500), &[offer(), without.clone()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\x1b'));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers = reader.headers().unwrap().clone();
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!(&rows[0][at("moq")], "50");
        assert_eq!(&rows[0][at("tiers")], "50+: 5.00 · 500+: 4.50 (4.20)");
        assert_eq!(&rows[0][at("quantity")], "500");
        assert_eq!(&rows[0][at("unit_cost")], "4.20");
        assert_eq!(&rows[0][at("unit_cost_usd")], "0.60");
        // Unknown details leave the cells empty.
        assert_eq!(&rows[1][at("moq")], "");
        assert_eq!(&rows[1][at("unit_cost")], "");
        // Below the minimum order, the cell says so.
        let mut out = Vec::new();
        write_all(spec(10), &[offer()], &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("below MOQ 50"));
        assert!(
            rows[0][at("ship_from")].starts_with("'="),
            "formula guarded"
        );
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
        // 13 offer columns, 14 seller columns, then the converted price.
        assert_eq!(headers.len(), 28);
        assert_eq!(&headers[0], "rank");
        assert_eq!(&headers[27], "price_usd");
        let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        assert_eq!((&rows[0][5], &rows[0][27]), ("16.00", "2.25"));
        assert_eq!(&rows[1][27], "");
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
