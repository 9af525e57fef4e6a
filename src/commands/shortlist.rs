//! `tusou shortlist`: every starred offer in the history store, as a table,
//! CSV, JSON or a file. Every text from the store (titles, notes) is
//! sanitised; dates are UTC.

use super::error::{CommandError, finish};
use super::startup::{Exit, open_store};
use crate::cli::{CommonArgs, OutputFormat, ShortlistArgs};
use crate::export::file::{Naming, WriteError, write_new};
use crate::export::landed::LandedSetup;
use crate::export::shortlist::{
    QuantityColumns, ShortlistRow, shortlist_table, write_csv, write_json_array,
};
use crate::text::sanitize;
use std::io::{self, Write};
use std::process::ExitCode;

/// `tusou shortlist`: every starred offer, the most recently added first.
pub fn run(args: &ShortlistArgs, common: &CommonArgs) -> ExitCode {
    finish(shortlist(args, common).map(|()| Exit::Ok))
}

fn shortlist(args: &ShortlistArgs, common: &CommonArgs) -> Result<(), CommandError> {
    let (store, config) = open_store(common)?;
    let entries = store
        .shortlist()
        .map_err(|e| CommandError::failure(format!("shortlist: {e}")))?;
    let currency = config.currency.as_ref();
    let at = quantity_columns(args, common, &config, &entries)?;
    let extra = at.as_ref().map(|a| a.keys(currency)).unwrap_or_default();
    let rows: Vec<ShortlistRow> =
        crate::export::shortlist::rows_at_quantity(&entries, currency, Some(&store), at.as_ref());
    if let Some(path) = &args.out {
        return write_shortlist_file(path, &rows, currency, &extra);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        OutputFormat::Table => shortlist_table(&mut out, &rows, currency),
        OutputFormat::Json => write_json_array(&mut out, &rows),
        OutputFormat::Jsonl => write_jsonl(&mut out, &rows),
        OutputFormat::Csv => write_csv(&mut out, &rows, currency, &extra),
    }
    .and_then(|()| out.flush())
    .map_err(|e| CommandError::output(&e))
}

/// `--qty N` (and `--lane NAME`): the columns at the quantity. The lanes
/// are the config's `[landed]` ones; demo mode's examples fill what it
/// leaves out when `--demo` is given or every starred offer is a demo one
/// (as `search` and `batch` in demo mode have them).
fn quantity_columns(
    args: &ShortlistArgs,
    common: &CommonArgs,
    config: &crate::config::Config,
    entries: &[crate::store::ShortlistEntry],
) -> Result<Option<QuantityColumns>, CommandError> {
    let Some(quantity) = args.qty else {
        return Ok(None);
    };
    let landed = match &args.lane {
        None => None,
        Some(name) => {
            let demo = common.demo
                || (!entries.is_empty()
                    && entries
                        .iter()
                        .all(|e| e.offer_ref.provider.starts_with("demo-")));
            let settings = config.landed_settings(demo);
            let setup = LandedSetup::new(&settings, name)
                .map_err(|e| CommandError::usage(format!("--lane: {e}")))?;
            eprintln!(
                "tusou: landed cost by lane {} (from the kept details and freight estimates)",
                sanitize(&setup.columns.lane.summary())
            );
            Some(setup)
        }
    };
    Ok(Some(QuantityColumns { quantity, landed }))
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
    extra: &[String],
) -> Result<(), CommandError> {
    let shown = crate::fs::shown(path);
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if !["xlsx", "csv", "json", "jsonl"].contains(&ext.as_str()) {
        return Err(CommandError::usage(format!(
            "--out {shown}: name the file .xlsx, .csv, .json or .jsonl"
        )));
    }
    // The user named the file: never through a symlink, never over
    // anything there (refused, exit 2).
    let written = write_new(path, Naming::Refuse, |file| {
        let mut out = io::BufWriter::new(file);
        match ext.as_str() {
            "xlsx" => crate::export::shortlist::write_xlsx(&mut out, rows, currency, extra),
            "csv" => write_csv(&mut out, rows, currency, extra),
            "json" => write_json_array(&mut out, rows),
            _ => write_jsonl(&mut out, rows),
        }?;
        out.flush()
    });
    written.map_err(|e| match e {
        WriteError::Io(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            CommandError::usage(format!("--out {shown}: {e}"))
        }
        WriteError::Io(e) | WriteError::Write(e) => {
            CommandError::failure(format!("could not write {shown}: {e}"))
        }
    })?;
    eprintln!("tusou: wrote {shown}: {} starred offers", rows.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Offer, Price};
    use crate::store::ShortlistEntry;
    use crate::store::{OfferRef, Status};

    #[test]
    fn the_detail_kept_in_the_store_fills_moq_tiers_and_ship_from() {
        let store = crate::store::test_store();
        let offer = Offer {
            offer_id: Some("42".into()),
            title: "杯子".into(),
            price: Some(Price(500)),
            seller: Some(crate::api::Seller {
                company: Some("甲厂".into()),
                tp_years: Some(6),
                ..crate::api::Seller::default()
            }),
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
            "productShippingInfo": {"sendGoodsAddressText": "=义乌"},
            "sellerOpenId": "BBBx",
            "sellerDataInfo": {"collect30DayWithin48HPercent": "92%"}
        }))
        .unwrap();
        store.save_detail("dajisaas", "42", &detail).unwrap();
        let entries = store.shortlist().unwrap();
        let rows = crate::export::shortlist::rows_at_quantity(&entries, None, Some(&store), None);
        let mut out = Vec::new();
        write_csv(&mut out, &rows, None, &[]).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let headers = reader.headers().unwrap().clone();
        let at = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let of = |id: &str| records.iter().find(|r| &r[at("offer_id")] == id).unwrap();
        assert_eq!(&of("42")[at("moq")], "50");
        assert_eq!(&of("42")[at("tiers")], "50+: 5.00");
        assert_eq!(&of("42")[at("ship_from")], "'=义乌");
        assert_eq!(&of("43")[at("moq")], "");
        // The seller: the detail's open id and rate over the item's company
        // and years; the other offer's item seller alone.
        assert_eq!(&of("42")[at("seller_id")], "BBBx");
        assert_eq!(&of("42")[at("company")], "甲厂");
        assert_eq!(&of("42")[at("years")], "6");
        assert_eq!(&of("42")[at("pickup_48h_pct")], "92");
        assert_eq!(&of("43")[at("seller_id")], "");
        assert_eq!(&of("43")[at("company")], "甲厂");
        let json = serde_json::to_value(&rows).unwrap();
        let first = json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["offer_id"] == "42")
            .unwrap();
        assert_eq!(first["pickup_48h_pct"], "92");
        let mut book = std::io::Cursor::new(Vec::new());
        crate::export::shortlist::write_xlsx(&mut book, &rows, None, &[]).unwrap();
        assert!(!book.into_inner().is_empty());
    }

    /// `--qty 500 --lane air`: the landed cost from the kept detail and
    /// freight estimate (the README's worked example, ¥15.94), what is
    /// missing for an offer without them, never a zero; nothing fetched.
    #[test]
    fn a_lane_gives_the_landed_cost_from_what_the_store_keeps() {
        let store = crate::store::test_store();
        let provider = "demo-dajisaas";
        let offer = |id: &str| Offer {
            offer_id: Some(id.into()),
            title: "杯子".into(),
            price: Some(Price(320)),
            ..Offer::default()
        };
        for id in ["7", "8", "9"] {
            store.star(provider, &offer(id)).unwrap();
        }
        let detail = |weighed: bool| {
            let mut raw = serde_json::json!({
                "productSaleInfo": {"priceRangeList": [{"startQuantity": 1, "price": "3.20"}]},
            });
            if weighed {
                raw["productShippingInfo"] =
                    serde_json::json!({"weight": 0.18, "length": 15, "width": 10, "height": 8});
            }
            crate::api::OfferDetail::from_value(raw).unwrap()
        };
        // 7: detail, weight and a kept estimate; 8: a detail without a
        // weight; 9: nothing kept.
        store.save_detail(provider, "7", &detail(true)).unwrap();
        store.save_detail(provider, "8", &detail(false)).unwrap();
        let settings = crate::landed::Settings::default().with_demo_examples();
        let setup = LandedSetup::new(&settings, "air").unwrap();
        let query = setup.query("7", &detail(true), 500).unwrap();
        let quote = crate::api::FreightQuote::from_value(serde_json::json!({"freight": "25"}), 500)
            .unwrap();
        store.save_freight(provider, &query, &quote).unwrap();

        let at = QuantityColumns {
            quantity: 500,
            landed: Some(setup),
        };
        let extra = at.keys(None);
        assert_eq!(extra, ["quantity", "unit_cost", "lane", "landed_cost"]);
        let entries = store.shortlist().unwrap();
        let rows =
            crate::export::shortlist::rows_at_quantity(&entries, None, Some(&store), Some(&at));
        let mut out = Vec::new();
        write_csv(&mut out, &rows, None, &extra).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let headers = reader.headers().unwrap().clone();
        let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
        let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
        let of = |id: &str| records.iter().find(|r| &r[col("offer_id")] == id).unwrap();
        assert_eq!(&of("7")[col("landed_cost")], "15.94");
        assert_eq!(&of("7")[col("unit_cost")], "3.20");
        assert_eq!(&of("7")[col("lane")], "air (example)");
        assert!(
            of("8")[col("landed_cost")].starts_with("? "),
            "{:?}",
            of("8")
        );
        assert_eq!(&of("9")[col("landed_cost")], "? no detail");
        // JSON carries the same cells.
        let json = serde_json::to_value(&rows).unwrap();
        let seven = json
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["offer_id"] == "7")
            .unwrap();
        assert_eq!(seven["landed_cost"], "15.94");
        // The XLSX has the columns too.
        let mut book = std::io::Cursor::new(Vec::new());
        crate::export::shortlist::write_xlsx(&mut book, &rows, None, &extra).unwrap();
        assert!(!book.into_inner().is_empty());
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
        write_csv(&mut out, &[ShortlistRow::from(&entry)], None, &[]).unwrap();
        let mut reader = csv::Reader::from_reader(&out[..]);
        let row = reader.records().next().unwrap().unwrap();
        assert_eq!(&row[1], "sample ordered");
        assert!(!row[2].contains('\u{1b}'), "{:?}", &row[2]);
        assert_eq!(&row[3], "1970-01-01 00:00");
        assert!(row[5].starts_with("'="), "{:?}", &row[5]);
        assert_eq!(&row[7], "16.50");
        assert_eq!(&row[8], "https://detail.1688.com/offer/1.html");
        let mut empty = Vec::new();
        write_csv(&mut empty, &[], None, &[]).unwrap();
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
        write_csv(&mut out, &rows, Some(&usd), &[]).unwrap();
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
