//! Peak memory of writing a batch's sheet (issue 28.5): `N` synthetic
//! photos of 5 matches each, fed to the sheet writer one at a time as
//! `batch::assemble` feeds it (a chunk at a time from the store), written
//! as XLSX (pictures included), CSV or JSONL. Prints the process's peak
//! RSS (VmHWM) after the sheet is on disk.
//!
//!   sheet_memory N FORMAT [DISTINCT_PICTURES | all]
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
        // The top row's 4-pixel blocks spell `n` in bits: no two alike.
        if y < 4 && x < 4 * 20 {
            let on = (n >> (x / 4)) & 1 == 1;
            return image::Rgb(if on { [255; 3] } else { [0; 3] });
        }
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

/// The photos' pictures: none, a pool that repeats (as the simulator's
/// catalog does), or every one different (made as it is needed).
enum Pictures {
    Pool(Vec<Vec<u8>>),
    AllDifferent,
}

fn photo(i: usize, pictures: &Pictures) -> PhotoResult {
    let picture = |k: usize| match pictures {
        Pictures::Pool(pool) => (!pool.is_empty()).then(|| pool[k % pool.len()].clone()),
        Pictures::AllDifferent => Some(thumbnail(k)),
    };
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
            landed: None,
            same: None,
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
            "usage: sheet_memory N xlsx|csv|jsonl [DISTINCT_PICTURES|all] (see bench/sheet-memory.sh)"
        );
        return;
    };
    let format = args.get(2).map_or("xlsx", String::as_str);
    let distinct = args.get(3).map_or("200", String::as_str);
    let pictures = match distinct.parse::<usize>() {
        Ok(pool) => Pictures::Pool((0..pool).map(thumbnail).collect()),
        Err(_) => Pictures::AllDifferent,
    };
    let spec = SheetInput {
        user_columns: vec!["SKU".into(), "name".into()],
        photos: Vec::new(),
        top: TOP,
        currency: None,
        quantity: None,
        lane: None,
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("sheet.{format}"));
    let started = std::time::Instant::now();
    let photos = (0..n).map(|i| Ok(photo(i, &pictures)));
    let written = write_photos_as(&path, &spec, false, photos, Naming::Refuse).unwrap();
    let seconds = started.elapsed().as_secs_f64();
    let peak = peak_rss_kib();
    let bytes = std::fs::metadata(&written).map_or(0, |m| m.len());
    // Pictures the workbook holds, counted after the peak is read (the
    // zip's directory is read whole).
    let media = if format == "xlsx" {
        let book = zip::ZipArchive::new(std::fs::File::open(&written).unwrap()).unwrap();
        book.file_names()
            .filter(|f| f.as_ref().is_ok_and(|f| f.starts_with("xl/media/")))
            .count()
    } else {
        0
    };
    println!(
        "photos={n} format={format} pictures={distinct} media={media} sheet_bytes={bytes} seconds={seconds:.2} peak_rss_kib={peak}"
    );
}
