//! The shortlist as files: one row per starred offer (status, note, dates,
//! title, price, link), written as CSV or JSON by `tusou shortlist` and by
//! the app's export. Every text is sanitised; dates are UTC.

use crate::api::{Offer, OfferDetail};
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
    /// From the offer's detail kept in the store; "" when none is.
    moq: String,
    tiers: String,
    ship_from: String,
    /// Who sells it and the signals known ([`super::seller::SELLER_COLUMNS`]),
    /// from the offer and its kept detail.
    #[serde(flatten)]
    seller: super::seller::SellerFields,
    /// With `--qty N` (and `--lane NAME`): `quantity`, `unit_cost`,
    /// `lane`, `landed_cost` and their currency columns.
    #[serde(flatten)]
    at_quantity: std::collections::BTreeMap<String, String>,
    /// The search item's seller, joined with the detail's when it comes.
    #[serde(skip)]
    item_seller: Option<crate::api::Seller>,
}

/// `tusou shortlist --qty N [--lane NAME]`: the columns at the quantity,
/// worked out from what the store keeps (each offer's detail and, by the
/// lane, its freight estimate to the warehouse for N pieces), as the
/// shortlist's detail columns are: nothing is fetched.
pub(crate) struct QuantityColumns {
    pub quantity: u64,
    pub landed: Option<super::landed::LandedSetup>,
}

impl QuantityColumns {
    /// The names of the columns, in order, after the row's own.
    pub(crate) fn keys(&self, currency: Option<&Currency>) -> Vec<String> {
        let mut keys = vec!["quantity".to_string(), "unit_cost".to_string()];
        if let Some(c) = currency {
            keys.push(format!("unit_cost_{}", c.code.to_ascii_lowercase()));
        }
        if self.landed.is_some() {
            keys.extend(super::landed::LandedColumns::keys(currency));
        }
        keys
    }

    /// The cells of one starred offer with its kept detail.
    fn cells(
        &self,
        entry: &ShortlistEntry,
        detail: Option<&OfferDetail>,
        currency: Option<&Currency>,
        store: &crate::store::Store,
    ) -> Vec<(String, String)> {
        let mut cells: Vec<(String, String)> =
            super::offers::detail_cells(detail, &entry.offer, Some(self.quantity), currency)
                .into_iter()
                .filter(|(k, _)| !matches!(k.as_str(), "moq" | "tiers" | "ship_from"))
                .collect();
        let Some(landed) = &self.landed else {
            return cells;
        };
        let q = self.quantity;
        let query = entry
            .offer
            .offer_id
            .as_deref()
            .zip(detail)
            .and_then(|(id, d)| landed.query(id, d, q));
        let freight: Option<Result<crate::api::FreightQuote, String>> =
            match (&landed.warehouse, query) {
                (None, _) => Some(Err(crate::landed::NO_WAREHOUSE.to_string())),
                (Some(_), Some(query)) => {
                    Some(match store.freight(&entry.offer_ref.provider, &query) {
                        Ok(Some(kept)) => Ok(kept.quote),
                        Ok(None) => Err(NO_KEPT_FREIGHT.to_string()),
                        Err(e) => {
                            tracing::warn!("freight estimate not read: {e}");
                            Err(NO_KEPT_FREIGHT.to_string())
                        }
                    })
                }
                (Some(_), None) => None,
            };
        let freight = freight.as_ref().map(|f| f.as_ref().map_err(Clone::clone));
        let cost = landed.columns.cost_with(detail, q, freight);
        cells.extend(landed.columns.cells_of(&cost, currency));
        cells
    }
}

/// Why a starred offer has no domestic freight in a shortlist export.
const NO_KEPT_FREIGHT: &str =
    "no freight estimate kept for this quantity (search with --qty and --lane to get one)";

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

    /// The row with the MOQ, tiers and ship-from of `detail`.
    pub(crate) fn with_detail(mut self, detail: Option<&OfferDetail>) -> Self {
        if let Some(d) = detail {
            self.moq = d.min_order.map(|m| m.to_string()).unwrap_or_default();
            self.tiers = sanitize(&d.tiers_line());
            self.ship_from = d.ship_from.as_deref().map(sanitize).unwrap_or_default();
            if let Some(seller) = self.seller_of_detail(d) {
                self.seller = super::seller::SellerFields::of(Some(&seller));
            }
        }
        self
    }
}

/// A row per starred offer with the details the store keeps (nothing is
/// fetched), and the columns at a quantity (`--qty`, `--lane`) when asked.
pub(crate) fn rows_at_quantity(
    entries: &[ShortlistEntry],
    currency: Option<&Currency>,
    store: Option<&crate::store::Store>,
    at: Option<&QuantityColumns>,
) -> Vec<ShortlistRow> {
    entries
        .iter()
        .map(|e| {
            let kept = store.zip(e.offer.offer_id.as_deref()).and_then(|(s, id)| {
                s.detail(&e.offer_ref.provider, id)
                    .inspect_err(|err| tracing::warn!("detail of {id} not read: {err}"))
                    .ok()
                    .flatten()
            });
            let detail = kept.as_ref().map(|k| &k.detail);
            let mut row = ShortlistRow::new(e, currency).with_detail(detail);
            if let (Some(at), Some(store)) = (at, store) {
                row.at_quantity = at.cells(e, detail, currency, store).into_iter().collect();
            }
            row
        })
        .collect()
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
            moq: String::new(),
            tiers: String::new(),
            ship_from: String::new(),
            seller: super::seller::SellerFields::of(o.seller.as_ref()),
            item_seller: o.seller.clone(),
            at_quantity: Default::default(),
        }
    }
}

impl ShortlistRow {
    /// The detail's seller over the item's (the detail's fields win).
    fn seller_of_detail(&self, d: &OfferDetail) -> Option<crate::api::Seller> {
        let item = Offer {
            seller: self.item_seller.clone(),
            ..Offer::default()
        };
        super::seller::offer_seller(&item, Some(d))
    }

    /// A column at the quantity (`unit_cost`, `landed_cost`, …); "" when
    /// the row has none.
    pub(crate) fn extra(&self, key: &str) -> &str {
        self.at_quantity.get(key).map_or("", String::as_str)
    }

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
    extra: &[String],
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
    header.extend(["moq", "tiers", "ship_from"]);
    header.extend(super::seller::SELLER_COLUMNS);
    header.extend(extra.iter().map(String::as_str));
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
        let ship_from = guard(&r.ship_from);
        record.extend([r.moq.as_str(), &r.tiers, &ship_from]);
        let seller: Vec<String> = r.seller.cells().iter().map(|c| guard(c)).collect();
        record.extend(seller.iter().map(String::as_str));
        let extra: Vec<String> = extra.iter().map(|k| guard(r.extra(k))).collect();
        record.extend(extra.iter().map(String::as_str));
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
        let costs: String = r
            .at_quantity
            .iter()
            .filter(|(k, v)| {
                !v.is_empty() && (k.starts_with("unit_cost") || k.starts_with("landed_cost"))
            })
            .map(|(k, v)| format!("  {k}={v}"))
            .collect();
        if !costs.is_empty() {
            writeln!(out, "{:<14}{costs}", "")?;
        }
    }
    Ok(())
}

/// Writes `dir/stem.csv`, `dir/stem.json` and `dir/stem.xlsx` (new files,
/// as the results export makes them: when any is taken, all three get
/// `-1`, `-2`, …); returns the three paths.
pub(crate) fn export_both(
    entries: &[ShortlistEntry],
    dir: &Path,
    stem: &str,
    currency: Option<&Currency>,
    store: Option<&crate::store::Store>,
    at: Option<&QuantityColumns>,
) -> io::Result<Vec<PathBuf>> {
    let rows = rows_at_quantity(entries, currency, store, at);
    let extra = at.map(|a| a.keys(currency)).unwrap_or_default();
    std::fs::create_dir_all(dir)?;
    let files = super::file::create_new_set(dir, stem, &["csv", "json", "xlsx"])?;
    let mut paths = Vec::with_capacity(files.len());
    for (path, file) in files {
        let mut out = io::BufWriter::new(file);
        match path.extension().and_then(|e| e.to_str()) {
            Some("csv") => write_csv(&mut out, &rows, currency, &extra)?,
            Some("json") => write_json_array(&mut out, &rows)?,
            _ => write_xlsx(&mut out, &rows, currency, &extra)?,
        }
        out.flush()?;
        paths.push(path);
    }
    Ok(paths)
}

/// A workbook of one sheet, "Shortlist": a row per starred offer, the
/// header frozen and filterable, prices as numbers, links clickable. Every
/// text is written as text (never a formula), through the one XLSX writer.
pub(crate) fn write_xlsx<W: Write + io::Seek + Send>(
    out: W,
    rows: &[ShortlistRow],
    currency: Option<&Currency>,
    extra: &[String],
) -> io::Result<()> {
    use super::xlsx::{Cells, SheetState, col_num, row_num};
    use rust_xlsxwriter::{Format, Workbook, Worksheet};
    let xlsx = |e: rust_xlsxwriter::XlsxError| io::Error::other(e.to_string());
    let limit = |e: super::xlsx::LimitError| io::Error::other(e.to_string());
    let mut ws = Worksheet::new();
    ws.set_name("Shortlist").map_err(xlsx)?;
    let mut state = SheetState::default();
    let mut sheet = Cells::new(&mut ws, &mut state);
    let bold = Format::new().set_bold();
    let yuan = Format::new().set_num_format("0.00");
    let plain = Format::new();
    let column = currency.map(Currency::column);
    let mut header = vec![
        "status",
        "note",
        "added (UTC)",
        "changed (UTC)",
        "title",
        "title (original)",
        "price ¥",
    ];
    header.extend(column.as_deref());
    header.extend(["link", "offer id", "offerMapId", "picture", "provider"]);
    header.extend(["MOQ", "price tiers", "ships from"]);
    header.extend(super::seller::SELLER_LABELS);
    header.extend(extra.iter().map(String::as_str));
    let widths = |name: &str| match name {
        "note" => 40.0,
        "title" | "title (original)" => 45.0,
        "link" | "picture" => 50.0,
        "added (UTC)" | "changed (UTC)" => 17.0,
        _ => 14.0,
    };
    sheet.header(&header, &bold).map_err(xlsx)?;
    for (c, name) in header.iter().enumerate() {
        sheet
            .ws
            .set_column_width(col_num(c).map_err(limit)?, widths(name))
            .map_err(xlsx)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = row_num(i).map_err(limit)?;
        let mut c = 0u16;
        let mut text = |sheet: &mut Cells<'_>, s: &str| {
            let r = sheet.text(row, c, s, &plain);
            c += 1;
            r.map_err(xlsx)
        };
        for s in [
            r.status,
            &r.note,
            &r.added,
            &r.changed,
            &r.title_en,
            &r.title,
        ] {
            text(&mut sheet, s)?;
        }
        let number = |sheet: &mut Cells<'_>, c: u16, s: &str| match s.parse::<f64>() {
            Ok(n) => sheet.number(row, c, n, &yuan).map_err(xlsx),
            Err(_) => Ok(()),
        };
        number(&mut sheet, c, &r.price)?;
        c += 1;
        if let Some(name) = &column {
            number(
                &mut sheet,
                c,
                r.converted.get(name).map_or("", String::as_str),
            )?;
            c += 1;
        }
        for s in [&r.link, &r.offer_id, &r.offer_map_id, &r.image_url] {
            sheet.link(row, c, s, &plain).map_err(xlsx)?;
            c += 1;
        }
        for s in [&r.provider, &r.moq, &r.tiers, &r.ship_from] {
            sheet.text(row, c, s, &plain).map_err(xlsx)?;
            c += 1;
        }
        for (value, kind) in r
            .seller
            .cells()
            .into_iter()
            .zip(super::seller::SELLER_KINDS)
        {
            super::seller::write_xlsx_cell(&mut sheet, row, c, value, kind, &plain)
                .map_err(xlsx)?;
            c += 1;
        }
        // Costs as numbers (a currency's as text, with its sign), what is
        // missing as text.
        for key in extra {
            let value = r.extra(key);
            let money = matches!(key.as_str(), "unit_cost" | "landed_cost");
            match value.parse::<f64>() {
                Ok(n) if money => sheet.number(row, c, n, &yuan).map_err(xlsx)?,
                _ => sheet.text(row, c, value, &plain).map_err(xlsx)?,
            }
            c += 1;
        }
    }
    let last_col = col_num(header.len().saturating_sub(1)).map_err(limit)?;
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.ws.set_freeze_panes(1, 0).map_err(xlsx)?;
    sheet
        .ws
        .autofilter(0, 0, last_row, last_col)
        .map_err(xlsx)?;
    let mut book = Workbook::new();
    book.push_worksheet(ws);
    book.save_to_writer(out).map_err(xlsx)
}
