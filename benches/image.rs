//! Image preparation and thumbnail benches (issue 4, figures 4 and 5).
//! `cargo bench --bench image`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group};
use std::hint::black_box;
use std::io::Cursor;
use tusou::image::prepare::encode_and_hash;
use tusou::image::{HalfBlockImage, PrepareOptions, prepare};

/// A photo-like picture: smooth gradients, a few shapes and mild noise, so
/// JPEG sizes resemble a camera's.
pub fn photo(width: u32, height: u32) -> image::RgbImage {
    image::RgbImage::from_fn(width, height, |x, y| {
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let noise = ((x.wrapping_mul(2_654_435_761) ^ y.wrapping_mul(40_503)) >> 27) as f32;
        let in_disc = (fx - 0.5).powi(2) + (fy - 0.5).powi(2) < 0.08;
        let (r, g, b) = if in_disc {
            (200.0 - 80.0 * fy, 60.0 + 40.0 * fx, 50.0)
        } else {
            (40.0 + 150.0 * fx, 90.0 + 100.0 * fy, 180.0 - 90.0 * fx)
        };
        image::Rgb([(r + noise) as u8, (g + noise) as u8, (b + noise) as u8])
    })
}

fn encode(img: &image::RgbImage, format: image::ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match format {
        image::ImageFormat::Jpeg => {
            let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92);
            enc.encode_image(img).expect("encode");
        }
        other => img.write_to(&mut out, other).expect("encode"),
    }
    out.into_inner()
}

fn preparation(c: &mut Criterion) {
    let mut group = c.benchmark_group("prepare");
    group.sample_size(10);
    let jpeg_24mp = encode(&photo(6000, 4000), image::ImageFormat::Jpeg);
    let bmp_36mb = encode(&photo(3464, 3464), image::ImageFormat::Bmp);
    let opts = PrepareOptions::default();
    group.bench_function("jpeg_24mp_compact", |b| {
        b.iter(|| prepare(black_box(&jpeg_24mp), &opts).expect("prepares"))
    });
    group.bench_function("bmp_36mb_compact", |b| {
        b.iter(|| prepare(black_box(&bmp_36mb), &opts).expect("prepares"))
    });
    group.finish();

    let mut group = c.benchmark_group("encode_and_hash");
    let three_mb: Vec<u8> = (0..3 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    group.throughput(Throughput::Bytes(three_mb.len() as u64));
    group.bench_function(BenchmarkId::new("base64_md5", "3MiB"), |b| {
        b.iter(|| encode_and_hash(black_box(&three_mb)))
    });
    // The two halves alone: MD5 is one dependent chain per block, and it
    // bounds the combined figure (see BENCHMARKS.md, figure 4).
    group.bench_function(BenchmarkId::new("md5_only", "3MiB"), |b| {
        b.iter(|| {
            use md5::Digest;
            md5::Md5::digest(black_box(&three_mb))
        })
    });
    group.bench_function(BenchmarkId::new("base64_only", "3MiB"), |b| {
        b.iter(|| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode(black_box(&three_mb))
        })
    });
    group.finish();
}

fn thumbnails(c: &mut Criterion) {
    let jpeg = encode(&photo(800, 800), image::ImageFormat::Jpeg);
    c.bench_function("thumbnail/halfblock_800px_jpeg_40x20", |b| {
        b.iter(|| HalfBlockImage::from_bytes(black_box(&jpeg), 40, 20).expect("decodes"))
    });
}

criterion_group!(benches, preparation, thumbnails);

/// With `BENCH_PICTURES_DIR` set, writes the bench inputs there as files
/// (for the side-by-side runs in bench/run.sh) instead of benchmarking.
fn main() {
    if let Some(dir) = std::env::var_os("BENCH_PICTURES_DIR") {
        let dir = std::path::Path::new(&dir);
        let files = [
            ("photo24mp.jpg", photo(6000, 4000), image::ImageFormat::Jpeg),
            ("photo36mb.bmp", photo(3464, 3464), image::ImageFormat::Bmp),
            ("photo800.jpg", photo(800, 800), image::ImageFormat::Jpeg),
        ];
        for (name, img, format) in files {
            std::fs::write(dir.join(name), encode(&img, format)).expect("write a bench picture");
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
