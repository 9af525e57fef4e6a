//! `tusou suppliers` as files and tables: one row per seller of the
//! history, ranked by how many searches show them, then how many of their
//! offers those show, with their price level and every signal known. Every
//! text is sanitised; unknown is empty, never zero.

use super::seller::{SELLER_COLUMNS, SELLER_KINDS, SELLER_LABELS, SellerFields};
use crate::api::{Price, Score, Seller};
use crate::store::SupplierSummary;
use crate::text::{fit, formula_safe, sanitize};
use serde::Serialize;
use std::io::{self, Write};

/// One seller, as every format writes it (JSON keys in this order).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct SupplierRow {
    pub rank: usize,
    pub provider: String,
    /// `company:<name>` or `open:<open id>`, sanitised.
    pub seller_key: String,
    /// Searches of the history whose results show an offer of the seller.
    pub searches: u64,
    /// Distinct offers of the seller those results show.
    pub offers: u64,
    /// Offers with a known price, of which the two below are.
    pub priced_offers: u64,
    /// Yuan, e.g. "16.50"; "" when no price is known.
    pub lowest_price: String,
    pub median_price: String,
    #[serde(flatten)]
    pub seller: SellerFields,
    pub logistics_score: String,
    pub dispute_score: String,
    pub product_score: String,
    pub consulting_score: String,
    pub after_sales_score: String,
    /// The kind for the table: "factory", "trader" or "?".
    #[serde(skip)]
    kind: &'static str,
}

/// The columns after the seller's, in order (the detail's other scores).
const MORE_SCORES: [&str; 5] = [
    "logistics_score",
    "dispute_score",
    "product_score",
    "consulting_score",
    "after_sales_score",
];
const MORE_LABELS: [&str; 5] = [
    "logistics score",
    "dispute handling score",
    "product score",
    "consulting score",
    "after-sales score",
];
/// The columns before the seller's.
const FIRST: [&str; 8] = [
    "rank",
    "provider",
    "seller_key",
    "searches",
    "offers",
    "priced_offers",
    "lowest_price",
    "median_price",
];
const FIRST_LABELS: [&str; 8] = [
    "rank",
    "provider",
    "seller key",
    "searches",
    "offers seen",
    "offers priced",
    "lowest ¥",
    "median ¥",
];

fn score(s: Option<Score>) -> String {
    s.map(Score::text).unwrap_or_default()
}

fn yuan(fen: Option<u64>) -> String {
    fen.map(|f| Price(f).to_string()).unwrap_or_default()
}

impl SupplierRow {
    pub(crate) fn new(rank: usize, s: &SupplierSummary) -> SupplierRow {
        let seller: &Seller = &s.seller;
        SupplierRow {
            rank,
            provider: sanitize(&s.provider),
            seller_key: sanitize(&s.key),
            searches: s.searches,
            offers: s.offers,
            priced_offers: s.priced,
            lowest_price: yuan(s.lowest_fen),
            median_price: yuan(s.median_fen),
            seller: SellerFields::of(Some(seller)),
            logistics_score: score(seller.logistics),
            dispute_score: score(seller.dispute),
            product_score: score(seller.offer_experience),
            consulting_score: score(seller.consulting),
            after_sales_score: score(seller.after_sales),
            kind: match seller.is_factory() {
                Some(true) => "factory",
                Some(false) => "trader",
                None => "?",
            },
        }
    }

    /// Every cell as text, in [`columns`]' order.
    fn cells(&self) -> Vec<String> {
        let mut cells = vec![
            self.rank.to_string(),
            self.provider.clone(),
            self.seller_key.clone(),
            self.searches.to_string(),
            self.offers.to_string(),
            self.priced_offers.to_string(),
            self.lowest_price.clone(),
            self.median_price.clone(),
        ];
        cells.extend(self.seller.cells().iter().map(|c| c.to_string()));
        cells.extend([
            self.logistics_score.clone(),
            self.dispute_score.clone(),
            self.product_score.clone(),
            self.consulting_score.clone(),
            self.after_sales_score.clone(),
        ]);
        cells
    }

    /// The name to show: the company, else the key.
    fn name(&self) -> &str {
        if self.seller.company.is_empty() {
            &self.seller_key
        } else {
            &self.seller.company
        }
    }
}

/// The CSV header, in order.
pub(crate) fn columns() -> Vec<&'static str> {
    let mut c = FIRST.to_vec();
    c.extend(SELLER_COLUMNS);
    c.extend(MORE_SCORES);
    c
}

/// CSV with a header row (also when empty); cells a spreadsheet would run
/// as a formula get a leading `'`.
pub(crate) fn write_csv<W: Write>(out: &mut W, rows: &[SupplierRow]) -> io::Result<()> {
    let mut writer = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(&mut *out);
    writer.write_record(columns())?;
    for r in rows {
        let cells: Vec<String> = r
            .cells()
            .iter()
            .map(|c| formula_safe(c).into_owned())
            .collect();
        writer.write_record(&cells)?;
    }
    writer.flush()
}

/// One pretty JSON array (`[]` when empty).
pub(crate) fn write_json<W: Write>(out: &mut W, rows: &[SupplierRow]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, rows).map_err(io::Error::from)?;
    out.write_all(b"\n")
}

/// The table's columns before the name (rank, searches, offers, lowest and
/// median price, kind, years, a score, 24 h pickup, quality returns: the
/// rates search items carry, so most sellers have them) and the spaces
/// between them.
const TABLE_FIXED: usize = 3 + 6 + 6 + 8 + 8 + 7 + 3 + 5 + 5 + 7 + 9 + 2;
/// The name column's least and most width.
const NAME_MIN: usize = 10;
const NAME_MAX: usize = 60;

/// An aligned table for a terminal `width` cells wide: the name column
/// takes what the fixed ones leave (within bounds).
pub(crate) fn write_table<W: Write>(
    out: &mut W,
    rows: &[SupplierRow],
    width: usize,
) -> io::Result<()> {
    let name = width.saturating_sub(TABLE_FIXED).clamp(NAME_MIN, NAME_MAX);
    writeln!(
        out,
        "{:>3} {:>6} {:>6} {:>8} {:>8} {:<7} {:>3} {:>5} {:>5} {:>7}  {}",
        "#",
        "search",
        "offers",
        "lowest ¥",
        "median ¥",
        "kind",
        "yrs",
        "score",
        "24h%",
        "return%",
        fit("company (seller)", name).trim_end(),
    )?;
    for r in rows {
        let score = if r.seller.trade_score.is_empty() {
            &r.seller.service_score
        } else {
            &r.seller.trade_score
        };
        let line = format!(
            "{:>3} {:>6} {:>6} {:>8} {:>8} {:<7} {:>3} {:>5} {:>5} {:>7}  {}",
            r.rank,
            r.searches,
            r.offers,
            r.lowest_price,
            r.median_price,
            r.kind,
            r.seller.years,
            score,
            r.seller.pickup_24h_pct,
            r.seller.quality_return_pct,
            fit(r.name(), name),
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// A workbook of one sheet, "Suppliers": a row per seller, the header
/// frozen and filterable, counts, prices, scores and rates as numbers.
/// Through the one XLSX writer (text never a formula).
pub(crate) fn write_xlsx<W: Write + io::Seek + Send>(
    out: W,
    rows: &[SupplierRow],
) -> io::Result<()> {
    use super::seller::{SellerCellKind, write_xlsx_cell};
    use super::xlsx::{Cells, SheetState, col_num, row_num};
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let xlsx = |e: rust_xlsxwriter::XlsxError| io::Error::other(e.to_string());
    let limit = |e: super::xlsx::LimitError| io::Error::other(e.to_string());
    let mut ws = Worksheet::new();
    ws.set_name("Suppliers").map_err(xlsx)?;
    let mut state = SheetState::default();
    let mut sheet = Cells::new(&mut ws, &mut state);
    let bold = Format::new().set_bold();
    let plain = Format::new();
    let yuan = Format::new().set_num_format("0.00");
    let mut header = FIRST_LABELS.to_vec();
    header.extend(SELLER_LABELS);
    header.extend(MORE_LABELS);
    sheet.header(&header, &bold).map_err(xlsx)?;
    let mut kinds: Vec<SellerCellKind> = vec![
        SellerCellKind::Count,
        SellerCellKind::Text,
        SellerCellKind::Text,
        SellerCellKind::Count,
        SellerCellKind::Count,
        SellerCellKind::Count,
        SellerCellKind::Number,
        SellerCellKind::Number,
    ];
    kinds.extend(SELLER_KINDS);
    kinds.extend([SellerCellKind::Number; 5]);
    for (i, r) in rows.iter().enumerate() {
        let row = row_num(i).map_err(limit)?;
        for (c, (value, kind)) in r.cells().iter().zip(&kinds).enumerate() {
            let col = col_num(c).map_err(limit)?;
            let format = if matches!(c, 6 | 7) { &yuan } else { &plain };
            write_xlsx_cell(&mut sheet, row, col, value, *kind, format).map_err(xlsx)?;
        }
    }
    let last_col = col_num(header.len().saturating_sub(1)).map_err(limit)?;
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.ws.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet
        .ws
        .autofilter(0, 0, last_row, last_col)
        .map_err(xlsx)?;
    state.fit(&mut ws, 400).map_err(xlsx)?;
    let mut book = Workbook::new();
    book.push_worksheet(ws);
    book.save_to_writer(out).map_err(xlsx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Identity, Rate};

    fn summary() -> SupplierSummary {
        SupplierSummary {
            provider: "dajisaas".into(),
            key: "company:=甲\u{1b}[2J厂".into(),
            searches: 7,
            offers: 12,
            priced: 10,
            lowest_fen: Some(150),
            median_fen: Some(1234),
            seller: Seller {
                company: Some("=甲\u{1b}[2J厂".into()),
                identities: vec![Identity::Factory],
                tp_years: Some(9),
                trade_score: Score::from_hundredths(480),
                logistics: Score::from_hundredths(450),
                pickup_48h_30d: Rate::from_basis_points(9200),
                quality_refund_30d: Rate::from_basis_points(123),
                ..Seller::default()
            },
        }
    }

    #[test]
    fn every_format_has_the_counts_prices_and_signals() {
        let rows = [SupplierRow::new(1, &summary())];
        let mut csv_out = Vec::new();
        write_csv(&mut csv_out, &rows).unwrap();
        let text = String::from_utf8(csv_out).unwrap();
        assert!(!text.contains('\u{1b}'));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(headers, columns());
        let row = reader.records().next().unwrap().unwrap();
        let at = |name: &str| row[headers.iter().position(|h| h == name).unwrap()].to_string();
        assert_eq!(at("searches"), "7");
        assert_eq!(at("offers"), "12");
        assert_eq!(at("lowest_price"), "1.50");
        assert_eq!(at("median_price"), "12.34");
        assert_eq!(at("company"), "'=甲厂");
        assert_eq!(at("factory"), "yes");
        assert_eq!(at("pickup_48h_pct"), "92");
        assert_eq!(at("logistics_score"), "4.5");
        assert_eq!(at("service_score"), "");

        let mut json = Vec::new();
        write_json(&mut json, &rows).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v[0]["searches"], 7);
        assert_eq!(v[0]["quality_refund_pct"], "1.23");
        assert!(v[0].get("kind").is_none());

        let mut table = Vec::new();
        write_table(&mut table, &rows, 80).unwrap();
        let table = String::from_utf8(table).unwrap();
        assert!(
            table.lines().all(|l| crate::text::width(l) <= 80),
            "{table}"
        );
        assert!(table.contains("factory"), "{table}");
        assert!(!table.contains('\u{1b}'));
        let mut wide = Vec::new();
        write_table(&mut wide, &rows, 200).unwrap();
        assert!(String::from_utf8(wide).unwrap().contains("=甲厂"));

        let mut book = std::io::Cursor::new(Vec::new());
        write_xlsx(&mut book, &rows).unwrap();
        assert!(!book.into_inner().is_empty());
        let mut empty = Vec::new();
        write_json(&mut empty, &[]).unwrap();
        assert_eq!(empty, b"[]\n");
    }
}
