//! Results as CSV, JSON and a plain table: shared by `tusou search` and the
//! app's export action. Text is sanitised, so an export never carries the
//! server's escape sequences into a terminal or a spreadsheet.

use crate::api::Offer;
use crate::text::sanitize;
use serde::Serialize;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// The flat row both CSV and JSON exports write, one per offer.
#[derive(Debug, Clone, Serialize)]
pub struct ExportRow {
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
    pub fn from_offer(rank: usize, offer: &Offer) -> Self {
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

fn rows(offers: &[Offer]) -> impl Iterator<Item = ExportRow> + '_ {
    offers
        .iter()
        .enumerate()
        .map(|(i, o)| ExportRow::from_offer(i + 1, o))
}

/// CSV with a header row. Cells a spreadsheet would run as a formula
/// (`=`, `+`, `-`, `@` first) are prefixed with `'`.
pub fn write_csv<W: Write>(offers: &[Offer], out: W) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    for mut row in rows(offers) {
        for cell in [&mut row.title, &mut row.title_en, &mut row.badges] {
            if cell.starts_with(['=', '+', '-', '@']) {
                cell.insert(0, '\'');
            }
        }
        writer.serialize(row).map_err(io::Error::other)?;
    }
    writer.flush()
}

/// A JSON array of rows, pretty-printed.
pub fn write_json<W: Write>(offers: &[Offer], mut out: W) -> io::Result<()> {
    let rows: Vec<ExportRow> = rows(offers).collect();
    serde_json::to_writer_pretty(&mut out, &rows).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Writes `<stem>.csv` and `<stem>.json` into `dir` and returns both paths.
///
/// Both files are created new (`create_new`: never truncating a file that
/// is there, and never following a symlink planted at the name); when
/// either name is taken, the first free `<stem>-1`, `<stem>-2`, … is used
/// for both.
pub fn export_both(offers: &[Offer], dir: &Path, stem: &str) -> io::Result<(PathBuf, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let ((csv_path, csv_file), (json_path, json_file)) = create_new_pair(dir, stem)?;
    write_csv(offers, io::BufWriter::new(csv_file))?;
    write_json(offers, io::BufWriter::new(json_file))?;
    Ok((csv_path, json_path))
}

/// Suffixes tried before giving up.
const MAX_SUFFIX: u32 = 1000;

type Created = (PathBuf, std::fs::File);

/// `<name>.csv` and `<name>.json` in `dir`, both created new, for the first
/// `name` among `stem`, `stem-1`, `stem-2`, … where both are free.
fn create_new_pair(dir: &Path, stem: &str) -> io::Result<(Created, Created)> {
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
