//! The batch sheet as a user opens it: the XLSX read back with calamine
//! (cells, types, links, pictures), the CSV and JSONL parsed back, and
//! `write_sheet` never leaving a partial file under the user's name.

use std::collections::BTreeSet;
use std::io::Cursor;
use std::path::Path;

use calamine::{Data, Reader, Xlsx, open_workbook};
use tusou::api::{Offer, Price};
use tusou::export::file::Naming;
use tusou::export::sheet::model::{Match, PhotoOutcome, PhotoResult, SheetInput};
use tusou::export::sheet::{
    SheetError, write_csv, write_jsonl, write_photos_as, write_sheet, write_sheet_as, write_xlsx,
};
use tusou::money::Currency;

const FORMULA: &str = "=cmd|' /C calc'!A0";
const FAILED: usize = 5;
const PENDING: usize = 9;
/// Photo 2's first match has no thumbnail.
const NO_THUMB: (usize, usize) = (2, 1);
/// Photo 8's first match has bytes that are not a picture.
const BAD_THUMB: (usize, usize) = (8, 1);
/// Photo 4's first match has a formula-leading English title.
const FORMULA_TITLE: (usize, usize) = (4, 1);
/// Photo 10's second match has only a provider handle, no offer id.
const HANDLE_ONLY: (usize, usize) = (10, 2);
/// Photo 7 is named by URL.
const URL_SOURCE: usize = 7;
const TOP: usize = 3;

/// A real small JPEG, different for each `seed` (so none are merged).
fn jpeg(seed: u32) -> Vec<u8> {
    let shade = |k: u32| ((seed * k) % 256) as u8;
    let img = image::RgbImage::from_fn(8, 8, |x, y| {
        image::Rgb([
            shade(37) ^ (x as u8 * 16),
            shade(91),
            shade(13) ^ (y as u8 * 16),
        ])
    });
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .expect("a JPEG encodes");
    out.into_inner()
}

fn offer_id(photo: usize, rank: usize) -> String {
    format!("6{photo:02}{rank}0001")
}

fn offer_link(photo: usize, rank: usize) -> String {
    format!(
        "https://detail.1688.com/offer/{}.html",
        offer_id(photo, rank)
    )
}

fn a_match(photo: usize, rank: usize) -> Match {
    let key = (photo, rank);
    let mut offer = Offer {
        offer_id: Some(offer_id(photo, rank)),
        offer_map_id: Some(format!("map-{photo}-{rank}")),
        title: format!("国潮男装t恤\x1b[31m {photo}-{rank}"),
        title_en: Some(format!("Trendy tee {photo}-{rank}")),
        price: Some(Price(1650 + 100 * rank as u64)),
        month_sold: Some(100 * photo as u64 + rank as u64),
        repurchase_rate: Some(41.0),
        badges: vec!["源头工厂".into(), "\x07verified".into()],
        image_url: Some(format!("https://cbu01.alicdn.com/img/{photo}-{rank}.jpg")),
        ..Offer::default()
    };
    if key == FORMULA_TITLE {
        offer.title_en = Some(FORMULA.into());
        offer.seller = Some(tusou::api::Seller {
            company: Some("=甲厂\x1b[31m".into()),
            identities: vec![tusou::api::Identity::SuperFactory],
            tp_years: Some(9),
            trade_score: tusou::api::Score::from_hundredths(480),
            pickup_48h_30d: tusou::api::Rate::from_basis_points(9200),
            ..Default::default()
        });
    }
    if key == HANDLE_ONLY {
        offer.offer_id = None;
    }
    let thumb = if key == NO_THUMB {
        None
    } else if key == BAD_THUMB {
        Some(b"<html>not a picture</html>".to_vec())
    } else {
        Some(jpeg((photo * 10 + rank) as u32))
    };
    Match {
        rank,
        offer,
        thumb,
        detail: None,
        landed: None,
        same: None,
    }
}

/// Matches per done photo: 1, 2 or 3, so slots are partly empty.
fn match_count(photo: usize) -> usize {
    1 + photo % 3
}

fn input() -> SheetInput {
    let photos = (1..=12)
        .map(|index| {
            let outcome = match index {
                FAILED => PhotoOutcome::Failed {
                    reason: "not an\nimage".into(),
                },
                PENDING => PhotoOutcome::Pending,
                _ => PhotoOutcome::Done {
                    total: Some(1000 + index as u64),
                    matches: (1..=match_count(index))
                        .map(|r| a_match(index, r))
                        .collect(),
                },
            };
            PhotoResult {
                index,
                source: if index == URL_SOURCE {
                    format!("https://example.com/photos/{index}.jpg")
                } else {
                    format!("photos/{index}.jpg")
                },
                user_values: vec![format!("SKU-{index}"), format!("Item {index}")],
                query_thumb: (index != FAILED).then(|| jpeg(1000 + index as u32)),
                outcome,
            }
        })
        .collect();
    SheetInput {
        user_columns: vec!["SKU".into(), "name".into()],
        photos,
        top: TOP,
        currency: Some(Currency::new("USD", 7.1).expect("a valid currency")),
        quantity: None,
        lane: None,
    }
}

fn all_matches(input: &SheetInput) -> Vec<(usize, &Match)> {
    input
        .photos
        .iter()
        .flat_map(|p| match &p.outcome {
            PhotoOutcome::Done { matches, .. } => matches.iter().map(|m| (p.index, m)).collect(),
            _ => Vec::new(),
        })
        .collect()
}

fn is_picture(bytes: &Option<Vec<u8>>) -> bool {
    bytes
        .as_deref()
        .is_some_and(|b| image::load_from_memory(b).is_ok())
}

fn text(range: &calamine::Range<Data>, row: u32, col: u32) -> String {
    match range.get_value((row, col)) {
        Some(Data::String(s)) => s.clone(),
        other => panic!("({row}, {col}) is not text: {other:?}"),
    }
}

fn float(range: &calamine::Range<Data>, row: u32, col: u32) -> f64 {
    match range.get_value((row, col)) {
        Some(Data::Float(x)) => *x,
        other => panic!("({row}, {col}) is not a number: {other:?}"),
    }
}

fn column(range: &calamine::Range<Data>, header: &str) -> u32 {
    let width = range.width() as u32;
    (0..width)
        .find(|&c| matches!(range.get_value((0, c)), Some(Data::String(s)) if s == header))
        .unwrap_or_else(|| panic!("no column {header:?}"))
}

#[test]
fn xlsx_holds_every_photo_match_link_and_picture() {
    let input = input();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("batch.xlsx");
    write_xlsx(&path, &input).unwrap();

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    assert_eq!(book.sheet_names(), ["Photos", "Matches"]);

    // Photos: a header and a row per photo, failed and pending included.
    let photos = book.worksheet_range("Photos").unwrap();
    assert_eq!(photos.start(), Some((0, 0)));
    assert_eq!(photos.height(), 1 + 12);
    let headers: Vec<String> = (0..15).map(|c| text(&photos, 0, c)).collect();
    assert_eq!(
        headers,
        [
            "#",
            "photo",
            "source",
            "SKU",
            "name",
            "status",
            "found",
            "1 picture",
            "1 title",
            "1 price ¥",
            "1 price USD",
            "1 sold/mo",
            "1 repurchase",
            "1 badges",
            "1 link"
        ]
    );
    assert_eq!(photos.width(), 7 + TOP * 8);
    assert_eq!(text(&photos, 0, (7 + TOP * 8 - 1) as u32), "3 link");

    let row = |index: usize| index as u32;
    assert_eq!(float(&photos, row(3), 0), 3.0);
    assert_eq!(text(&photos, row(3), 3), "SKU-3");
    assert_eq!(text(&photos, row(3), 5), "ok");
    assert_eq!(float(&photos, row(3), 6), 1003.0);
    assert_eq!(text(&photos, row(FAILED), 5), "failed: not an image");
    assert_eq!(text(&photos, row(PENDING), 5), "pending");
    assert_eq!(photos.get_value((row(FAILED), 8)), Some(&Data::Empty));

    // The formula-leading title is a string cell, sanitised, both languages.
    let title = column(&photos, "1 title");
    assert_eq!(
        text(&photos, row(FORMULA_TITLE.0), title),
        format!("{FORMULA}\n国潮男装t恤 4-1")
    );
    // Prices are numbers: yuan, and dollars at 7.1 rounded to cents.
    assert_eq!(float(&photos, row(3), column(&photos, "1 price ¥")), 17.5);
    assert_eq!(float(&photos, row(3), column(&photos, "1 price USD")), 2.46);
    assert_eq!(float(&photos, row(4), column(&photos, "2 price ¥")), 18.5);
    assert_eq!(float(&photos, row(3), column(&photos, "1 sold/mo")), 301.0);
    assert_eq!(
        float(&photos, row(3), column(&photos, "1 repurchase")),
        0.41
    );
    assert_eq!(
        text(&photos, row(3), column(&photos, "1 badges")),
        "源头工厂, verified"
    );
    // Photo 3 has one match: the second slot is empty.
    assert_eq!(
        photos.get_value((row(3), column(&photos, "2 title"))),
        Some(&Data::Empty)
    );
    // No offer id: the handle, as text.
    assert_eq!(
        text(&photos, row(HANDLE_ONLY.0), column(&photos, "2 link")),
        "offerMapId map-10-2"
    );
    assert_eq!(
        text(&photos, row(3), column(&photos, "1 link")),
        offer_link(3, 1)
    );

    // Matches: a row per match of a searched photo, none for the others.
    let matches = book.worksheet_range("Matches").unwrap();
    let every = all_matches(&input);
    assert_eq!(matches.height(), 1 + every.len());
    let flat_headers: Vec<String> = (0..matches.width() as u32)
        .map(|c| text(&matches, 0, c))
        .collect();
    assert_eq!(
        flat_headers,
        [
            "photo #",
            "source",
            "SKU",
            "name",
            "rank",
            "title_en",
            "title",
            "price ¥",
            "price USD",
            "sold/mo",
            "repurchase %",
            "badges",
            "link",
            "offer_id",
            "offer_map_id",
            "image_url",
            "seller id",
            "company",
            "factory",
            "identities",
            "years on 1688",
            "trade score",
            "service score",
            "48 h pickup %",
            "24 h pickup %",
            "perfect fulfilment %",
            "delayed shipping %",
            "quality refunds %",
            "quality returns %",
            "repeat buyers %",
            "same product group",
            "same product"
        ]
    );
    let photo_numbers: BTreeSet<u64> = (1..matches.height() as u32)
        .map(|r| float(&matches, r, 0) as u64)
        .collect();
    assert!(!photo_numbers.contains(&(FAILED as u64)));
    assert!(!photo_numbers.contains(&(PENDING as u64)));
    let formula_row = (1..matches.height() as u32)
        .find(|&r| float(&matches, r, 0) == 4.0 && float(&matches, r, 4) == 1.0)
        .unwrap();
    assert_eq!(text(&matches, formula_row, 5), FORMULA);
    assert_eq!(text(&matches, formula_row, 6), "国潮男装t恤 4-1");
    assert_eq!(float(&matches, formula_row, 7), 17.5);
    assert_eq!(float(&matches, formula_row, 8), 2.46);
    assert_eq!(float(&matches, formula_row, 10), 0.41);
    // The seller's cells: text as text, never a formula; years, scores
    // and rates as numbers; unknown empty.
    assert_eq!(
        text(&matches, formula_row, column(&matches, "company")),
        "=甲厂"
    );
    assert_eq!(
        text(&matches, formula_row, column(&matches, "factory")),
        "yes"
    );
    assert_eq!(
        float(&matches, formula_row, column(&matches, "years on 1688")),
        9.0
    );
    assert_eq!(
        float(&matches, formula_row, column(&matches, "trade score")),
        4.8
    );
    assert_eq!(
        float(&matches, formula_row, column(&matches, "48 h pickup %")),
        0.92
    );
    assert_eq!(
        matches.get_value((formula_row, column(&matches, "service score"))),
        Some(&Data::Empty)
    );

    // Nothing anywhere was written as a formula.
    for sheet in ["Photos", "Matches"] {
        let formulas = book.worksheet_formula(sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "{sheet} has formulas"
        );
    }

    // Links: offer pages (first `TOP` per photo on Photos, all on Matches)
    // and the URL-named photo; the handle-only offer has none.
    let targets = |book: &mut Xlsx<_>, sheet: &str| -> BTreeSet<String> {
        book.hyperlinks_by_sheet_name(sheet)
            .unwrap()
            .into_iter()
            .filter_map(|h| h.target)
            .collect()
    };
    let offer_links: BTreeSet<String> = every
        .iter()
        .filter(|(p, m)| (*p, m.rank) != HANDLE_ONLY)
        .map(|(p, m)| offer_link(*p, m.rank))
        .collect();
    let mut on_photos = offer_links.clone();
    on_photos.insert(format!("https://example.com/photos/{URL_SOURCE}.jpg"));
    assert_eq!(targets(&mut book, "Photos"), on_photos);
    assert_eq!(targets(&mut book, "Matches"), offer_links);

    // Pictures: every real thumbnail, in its cell, byte for byte; none for
    // a missing thumbnail or for bytes that are not a picture.
    let mut expected: BTreeSet<(u32, u32, Vec<u8>)> = BTreeSet::new();
    for photo in &input.photos {
        if is_picture(&photo.query_thumb) {
            expected.insert((row(photo.index), 1, photo.query_thumb.clone().unwrap()));
        }
    }
    for (photo, m) in &every {
        if is_picture(&m.thumb) {
            let col = column(&photos, &format!("{} picture", m.rank));
            expected.insert((row(*photo), col, m.thumb.clone().unwrap()));
        }
    }
    let pictures: BTreeSet<(u32, u32, Vec<u8>)> = book
        .pictures_with_metadata()
        .into_iter()
        .filter(|p| p.sheet_name == "Photos")
        .map(|p| (p.row, p.col, p.data))
        .collect();
    let total_thumbs = input.photos.len() - 1 + every.len() - 2;
    assert_eq!(expected.len(), total_thumbs);
    assert_eq!(pictures.len(), expected.len());
    assert_eq!(pictures, expected);
}

/// The CSV/JSONL keys, in order.
const KEYS: [&str; 34] = [
    "photo",
    "source",
    "SKU",
    "name",
    "status",
    "reason",
    "rank",
    "title_en",
    "title",
    "price",
    "price_usd",
    "month_sold",
    "repurchase_rate",
    "badges",
    "link",
    "offer_id",
    "offer_map_id",
    "image_url",
    "seller_id",
    "company",
    "factory",
    "identities",
    "years",
    "trade_score",
    "service_score",
    "pickup_48h_pct",
    "pickup_24h_pct",
    "perfect_fulfilment_pct",
    "delayed_shipping_pct",
    "quality_refund_pct",
    "quality_return_pct",
    "repeat_buyers_pct",
    "same_product_group",
    "same_product",
];

#[test]
fn csv_has_every_match_and_every_photo_without_one() {
    let input = input();
    let mut out = Vec::new();
    write_csv(&mut out, &input).unwrap();
    let mut reader = csv::Reader::from_reader(out.as_slice());
    let headers: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(headers, KEYS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), all_matches(&input).len() + 2);

    let at = |r: &csv::StringRecord, key: &str| {
        r.get(KEYS.iter().position(|k| *k == key).unwrap())
            .unwrap()
            .to_string()
    };
    let failed = rows.iter().find(|r| at(r, "photo") == "5").unwrap();
    assert_eq!(at(failed, "status"), "failed");
    assert_eq!(at(failed, "reason"), "not an image");
    assert_eq!(at(failed, "rank"), "");
    assert_eq!(at(failed, "SKU"), "SKU-5");
    let pending = rows.iter().find(|r| at(r, "photo") == "9").unwrap();
    assert_eq!(at(pending, "status"), "pending");

    let formula = rows
        .iter()
        .find(|r| at(r, "photo") == "4" && at(r, "rank") == "1")
        .unwrap();
    assert_eq!(at(formula, "title_en"), format!("'{FORMULA}"));
    assert_eq!(at(formula, "title"), "国潮男装t恤 4-1");
    assert_eq!(at(formula, "price"), "17.50");
    assert_eq!(at(formula, "price_usd"), "2.46");
    assert_eq!(at(formula, "repurchase_rate"), "41");
    assert_eq!(at(formula, "link"), offer_link(4, 1));
    assert_eq!(at(formula, "status"), "ok");
    assert_eq!(at(formula, "company"), "'=甲厂", "guarded, sanitised");
    assert_eq!(at(formula, "factory"), "yes");
    assert_eq!(at(formula, "years"), "9");
    assert_eq!(at(formula, "trade_score"), "4.80");
    assert_eq!(at(formula, "pickup_48h_pct"), "92");
    assert_eq!(at(formula, "service_score"), "");
    let handle = rows
        .iter()
        .find(|r| at(r, "photo") == "10" && at(r, "rank") == "2")
        .unwrap();
    assert_eq!(at(handle, "link"), "");
    assert_eq!(at(handle, "offer_map_id"), "map-10-2");
}

#[test]
fn jsonl_is_one_typed_object_per_row() {
    let input = input();
    let mut out = Vec::new();
    write_jsonl(&mut out, &input).unwrap();
    let text = String::from_utf8(out).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), all_matches(&input).len() + 2);
    for row in &rows {
        let keys: Vec<&str> = row
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut expected = KEYS.to_vec();
        expected.sort_unstable();
        let mut keys = keys;
        keys.sort_unstable();
        assert_eq!(keys, expected);
    }
    let failed = rows.iter().find(|r| r["photo"] == 5).unwrap();
    assert_eq!(failed["status"], "failed");
    assert_eq!(failed["reason"], "not an image");
    assert!(failed["rank"].is_null());
    assert!(failed["price"].is_null());
    let formula = rows
        .iter()
        .find(|r| r["photo"] == 4 && r["rank"] == 1)
        .unwrap();
    // JSON is not opened as a spreadsheet: the title as it is, no guard.
    assert_eq!(formula["title_en"], FORMULA);
    assert_eq!(formula["price"], 17.5);
    assert_eq!(formula["price_usd"], 2.46);
    assert_eq!(formula["month_sold"], 401);
    assert_eq!(formula["repurchase_rate"], 41.0);
    assert!(formula["reason"].is_null());
    assert_eq!(formula["company"], "=甲厂");
    assert_eq!(formula["factory"], "yes");
    assert_eq!(formula["years"], 9);
    assert_eq!(formula["trade_score"], 4.8);
    assert_eq!(formula["pickup_48h_pct"], 92.0);
    assert!(formula["service_score"].is_null());
    let handle = rows
        .iter()
        .find(|r| r["photo"] == 10 && r["rank"] == 2)
        .unwrap();
    assert!(handle["link"].is_null());
    assert!(handle["offer_id"].is_null());
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("the folder lists")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

#[test]
fn write_sheet_picks_the_format_by_extension() {
    let input = input();
    let dir = tempfile::tempdir().unwrap();
    for name in ["b.XLSX", "b.csv", "b.jsonl"] {
        write_sheet(&dir.path().join(name), &input).unwrap();
    }
    let xlsx = std::fs::read(dir.path().join("b.XLSX")).unwrap();
    assert!(xlsx.starts_with(b"PK"), "a zip");
    let csv = std::fs::read_to_string(dir.path().join("b.csv")).unwrap();
    assert!(csv.starts_with("photo,source,SKU,name,status"));
    let jsonl = std::fs::read_to_string(dir.path().join("b.jsonl")).unwrap();
    assert!(jsonl.starts_with('{'));
    assert_eq!(names_in(dir.path()), ["b.XLSX", "b.csv", "b.jsonl"]);

    let err = write_sheet(&dir.path().join("b.txt"), &input).unwrap_err();
    assert!(matches!(err, SheetError::UnknownFormat(_)), "{err:?}");
    let message = err.to_string();
    for ext in ["xlsx", "csv", "jsonl"] {
        assert!(message.contains(ext), "{message}");
    }
    assert!(!dir.path().join("b.txt").exists());
}

/// Issue 28.1: a sheet never replaces what is at its name (it used to be
/// renamed over it). The name the user gave is refused; a fresh name is
/// taken only when asked for.
#[test]
fn write_sheet_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet.csv");
    std::fs::write(&path, "an older, longer sheet ".repeat(10_000)).unwrap();
    let err = write_sheet(&path, &input()).unwrap_err();
    assert!(
        matches!(&err, SheetError::Io(e) if e.kind() == std::io::ErrorKind::AlreadyExists),
        "{err:?}"
    );
    assert!(err.to_string().contains("never overwrites"), "{err}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap()
            .starts_with("an older")
    );
    let fresh = write_sheet_as(&path, &input(), Naming::Fresh).unwrap();
    assert_eq!(fresh, dir.path().join("sheet-1.csv"));
    assert!(
        std::fs::read_to_string(&fresh)
            .unwrap()
            .starts_with("photo,")
    );
    assert_eq!(names_in(dir.path()), ["sheet-1.csv", "sheet.csv"]);
    #[cfg(unix)]
    {
        // A symlink at the name is not followed: its target stays as it was.
        let victim = dir.path().join("victim.txt");
        std::fs::write(&victim, "precious").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(write_sheet(&link, &input()).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert!(link.is_symlink());
    }
}

#[test]
fn a_failed_write_leaves_no_file_and_keeps_the_old_one() {
    let dir = tempfile::tempdir().unwrap();
    let input = input();

    // The name is a directory: nothing replaces it, nothing is left over.
    let taken = dir.path().join("taken.xlsx");
    std::fs::create_dir(&taken).unwrap();
    assert!(write_sheet(&taken, &input).is_err());
    assert!(taken.is_dir());

    // A folder that is not there.
    let nowhere = dir.path().join("missing/sheet.csv");
    assert!(matches!(
        write_sheet(&nowhere, &input),
        Err(SheetError::Io(_))
    ));
    assert!(!nowhere.exists());

    // A workbook Excel cannot hold (more columns than its 16,384) fails
    // after the temporary file was made: the old sheet stays as it was.
    let old = dir.path().join("old.xlsx");
    std::fs::write(&old, "the previous sheet").unwrap();
    let too_wide = SheetInput {
        top: 3000,
        ..input.clone()
    };
    let err = write_sheet_as(&old, &too_wide, Naming::Fresh).unwrap_err();
    assert!(matches!(err, SheetError::Xlsx(_)), "{err:?}");
    assert_eq!(std::fs::read_to_string(&old).unwrap(), "the previous sheet");

    assert_eq!(names_in(dir.path()), ["old.xlsx", "taken.xlsx"]);
}

#[cfg(unix)]
#[test]
fn a_read_only_folder_gets_no_file() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
    let result = write_sheet(&locked.join("sheet.jsonl"), &input());
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    // Root may write anyway; then the sheet is whole. Otherwise nothing.
    match result {
        Err(SheetError::Io(_)) => assert!(names_in(&locked).is_empty()),
        Ok(()) => assert_eq!(names_in(&locked), ["sheet.jsonl"]),
        Err(other) => panic!("{other:?}"),
    }
}

#[test]
fn overlong_text_is_cut_not_an_error() {
    let long_title = "长".repeat(40_000);
    let long_url = format!("https://example.com/{}", "a".repeat(3_000));
    let mut input = input();
    input.photos.truncate(1);
    input.photos[0].source = long_url.clone();
    if let PhotoOutcome::Done { matches, .. } = &mut input.photos[0].outcome {
        matches[0].offer.title = long_title;
        matches[0].offer.title_en = None;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("long.xlsx");
    write_sheet(&path, &input).unwrap();

    let mut book: Xlsx<_> = open_workbook(&path).unwrap();
    let photos = book.worksheet_range("Photos").unwrap();
    let title = text(&photos, 1, column(&photos, "1 title"));
    assert_eq!(title.chars().count(), 32_767);
    // Too long for a hyperlink: the address as text instead.
    assert_eq!(text(&photos, 1, 2), long_url);
    let links = book.hyperlinks_by_sheet_name("Photos").unwrap();
    assert!(
        links
            .iter()
            .all(|l| l.target.as_deref() != Some(long_url.as_str()))
    );
}

/// Issue 28.5: a sheet is written photo by photo; the writer never holds
/// more than the photo it is writing, in every format (peak memory figures:
/// `bash bench/sheet-memory.sh`).
#[test]
fn a_sheet_holds_one_photo_at_a_time() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static ALIVE: AtomicUsize = AtomicUsize::new(0);
    static MOST: AtomicUsize = AtomicUsize::new(0);
    struct Counted(PhotoResult);
    impl std::borrow::Borrow<PhotoResult> for Counted {
        fn borrow(&self) -> &PhotoResult {
            &self.0
        }
    }
    impl Drop for Counted {
        fn drop(&mut self) {
            ALIVE.fetch_sub(1, Ordering::SeqCst);
        }
    }
    let input = input();
    let dir = tempfile::tempdir().unwrap();
    for name in ["s.xlsx", "s.csv", "s.jsonl"] {
        let photos = input.photos.clone().into_iter().map(|p| {
            let alive = ALIVE.fetch_add(1, Ordering::SeqCst) + 1;
            MOST.fetch_max(alive, Ordering::SeqCst);
            Ok(Counted(p))
        });
        let spec = SheetInput {
            photos: Vec::new(),
            ..input.clone()
        };
        let path = dir.path().join(name);
        write_photos_as(&path, &spec, false, photos, Naming::Refuse).unwrap();
        assert_eq!(MOST.load(Ordering::SeqCst), 1, "{name}");
        assert_eq!(ALIVE.load(Ordering::SeqCst), 0);
    }
    // The streamed CSV is the one written from the whole input.
    let mut whole = Vec::new();
    write_csv(&mut whole, &input).unwrap();
    assert_eq!(std::fs::read(dir.path().join("s.csv")).unwrap(), whole);
}
