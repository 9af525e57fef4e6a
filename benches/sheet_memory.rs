//! Peak memory of writing a batch's sheet (issue 28.5): `N` synthetic
//! photos of 5 matches each, fed to the sheet writer one at a time as
//! `batch::assemble` feeds it (a chunk at a time from the store), written
//! as XLSX (pictures included), CSV or JSONL. Prints the process's peak
//! RSS (VmHWM) after the sheet is on disk.
//!
//!   sheet_memory N FORMAT [DISTINCT_PICTURES]
//!
//! Run by `bench/sheet-memory.sh`, which compares 100 with 10,000 photos.
//! CI only compiles it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use tusou::api::{Offer, Price};
use tusou::export::file::Naming;
use tusou::export::sheet::model::{Match, PhotoOutcome, PhotoResult, SheetInput};
use tusou::export::sheet::write_photos_as;

const TOP: usize = 5;

/// A small JPEG, different for each `n` (as the store's 60 px thumbnails).
fn thumbnail(n: usize) -> Vec<u8> {
    let img = image::RgbImage::from_fn(60, 60, |x, y| {
        image::Rgb([
            (n * 37 % 256) as u8,
            ((x as usize * 4 + n) % 256) as u8,
            ((y as usize * 4 + n / 7) % 256) as u8,
        ])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(img)
        .write_to(&mut out, image::ImageFormat::Jpeg)
        .unwrap();
    out.into_inner()
}

fn photo(i: usize, pictures: &[Vec<u8>]) -> PhotoResult {
    let picture = |k: usize| (!pictures.is_empty()).then(|| pictures[k % pictures.len()].clone());
    let matches = (0..TOP)
        .map(|k| Match {
            rank: k + 1,
            offer: Offer {
                offer_id: Some(format!("{}", 600_000_000_000u64 + (i * TOP + k) as u64)),
                title: format!("国潮男装 t恤 短袖 纯棉 款式 {i}-{k}"),
                title_en: Some(format!("Men's cotton T-shirt, short sleeve, style {i}-{k}")),
                price: Some(Price(1000 + (i * 7 + k) as u64 % 5000)),
                month_sold: Some((i * 13 + k) as u64 % 100_000),
                repurchase_rate: Some(12.5),
                badges: vec!["精选".into(), "factory".into()],
                image_url: Some(format!("https://cbu01.alicdn.com/img/O1CN01{i}x{k}.jpg")),
                ..Offer::default()
            },
            thumb: picture(i * TOP + k + 1),
            detail: None,
        })
        .collect();
    PhotoResult {
        index: i + 1,
        source: format!("/photos/catalog/photo-{i:05}.jpg"),
        user_values: vec![format!("SKU-{i:05}"), format!("name {i}")],
        query_thumb: picture(i),
        outcome: PhotoOutcome::Done {
            total: Some(1_000 + i as u64),
            matches,
        },
    }
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // `cargo bench` passes --bench: nothing to measure then.
    let Some(n) = args.get(1).and_then(|a| a.parse::<usize>().ok()) else {
        println!(
            "usage: sheet_memory N xlsx|csv|jsonl [DISTINCT_PICTURES] (see bench/sheet-memory.sh)"
        );
        return;
    };
    let format = args.get(2).map_or("xlsx", String::as_str);
    let distinct = args.get(3).and_then(|a| a.parse().ok()).unwrap_or(200usize);
    let pictures: Vec<Vec<u8>> = (0..distinct).map(thumbnail).collect();
    let spec = SheetInput {
        user_columns: vec!["SKU".into(), "name".into()],
        photos: Vec::new(),
        top: TOP,
        currency: None,
        quantity: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("sheet.{format}"));
    let started = std::time::Instant::now();
    let photos = (0..n).map(|i| Ok(photo(i, &pictures)));
    let written = write_photos_as(&path, &spec, false, photos, Naming::Refuse).unwrap();
    let bytes = std::fs::metadata(&written).map_or(0, |m| m.len());
    println!(
        "photos={n} format={format} pictures={distinct} sheet_bytes={bytes} seconds={:.2} peak_rss_kib={}",
        started.elapsed().as_secs_f64(),
        peak_rss_kib()
    );
}
