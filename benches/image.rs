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
    // bounds the combined figure (see BENCHMARKS.md, figure 4). One thread
    // since 13.6, so base64_md5/md5_only is the same idle or busy (0.95 both).
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

/// Issue 23: what one key costs in crop mode, per way of drawing the box,
/// at 200×60 with 9×18-pixel cells (the photo fitted in 124×51 cells, about
/// 1116×918 pixels): kitty encodes only the box's own picture; burning the
/// box into the photo would encode the photo again at every key (sixel,
/// iTerm). `cargo bench --bench image -- crop_key`
fn crop_key(c: &mut Criterion) {
    use tusou::image::overlay::CropFrame;
    use tusou::image::protocol::{CellSize, GraphicsProtocol, encode_picture};
    let (cols, rows) = (124u16, 51u16);
    let cell = CellSize {
        width: 9,
        height: 18,
    };
    let photo = image::DynamicImage::ImageRgb8(noisy_photo(600, 600));
    let mut x1 = 100;
    let mut group = c.benchmark_group("crop_key");
    group.sample_size(20);
    group.bench_function("kitty_box_over_the_photo", |b| {
        b.iter(|| {
            x1 = if x1 >= 300 { 100 } else { x1 + 4 };
            let frame = CropFrame {
                picture: (600, 600),
                selection: (x1, 120, x1 + 250, 480),
                subjects: vec![(50, 50, 250, 250), (300, 300, 550, 560)],
                chosen: None,
                cell: (cell.width, cell.height),
            };
            black_box(frame.encode(cols, rows))
        })
    });
    for (name, protocol) in [
        ("sixel_box_burned_in", GraphicsProtocol::Sixel),
        ("iterm_box_burned_in", GraphicsProtocol::Iterm),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut burned = photo.to_rgb8();
                for x in 100..350 {
                    burned.put_pixel(x, 120, image::Rgb([255, 214, 0]));
                }
                let burned = image::DynamicImage::ImageRgb8(burned);
                black_box(encode_picture(&burned, protocol, cols, rows, cell).expect("encodes"))
            })
        });
    }
    group.finish();
}

criterion_group!(benches, preparation, thumbnails, crop_key);

/// `photo` with strong per-pixel noise (xorshift), so a PNG of it is as
/// big as one of a real photo (the smooth `photo` deflates to almost nothing).
fn noisy_photo(width: u32, height: u32) -> image::RgbImage {
    let mut img = photo(width, height);
    let mut s = 0x2545_f491u32;
    for p in img.pixels_mut() {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        for (i, c) in p.0.iter_mut().enumerate() {
            let n = ((s >> (8 * i)) & 0x1f) as u8;
            *c = c.saturating_add(n).saturating_sub(16);
        }
    }
    img
}

/// A JPEG as a phone writes it: stored landscape with an EXIF orientation
/// of 6 (shown rotated 90° clockwise, i.e. portrait).
fn phone_jpeg(img: &image::RgbImage) -> Vec<u8> {
    let plain = encode(img, image::ImageFormat::Jpeg);
    let exif: &[u8] = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0\x06\0\0\0\0\0\0";
    let mut out = plain[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(exif.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(exif);
    out.extend_from_slice(&plain[2..]);
    out
}

/// PSNR (dB, over R, G and B) of each picture in `outputs` against the
/// reference made from `source` the slow way: decoded whole (`image`, EXIF
/// orientation applied), then one Lanczos3 resample to the output's size.
fn psnr_against_full_decode(source: &std::path::Path, outputs: &[std::path::PathBuf]) {
    use fast_image_resize as fr;
    use image::ImageDecoder;
    let bytes = std::fs::read(source).expect("read the source");
    let reader = image::ImageReader::new(Cursor::new(&bytes))
        .with_guessed_format()
        .expect("guess");
    let mut decoder = reader.into_decoder().expect("decoder");
    let orientation = decoder.orientation().expect("orientation");
    let mut full = image::DynamicImage::from_decoder(decoder).expect("decode the source");
    full.apply_orientation(orientation);
    let full = full.into_rgb8();
    for out in outputs {
        let got = image::open(out).expect("decode an output").into_rgb8();
        let (w, h) = got.dimensions();
        let src = fr::images::ImageRef::new(
            full.width(),
            full.height(),
            full.as_raw(),
            fr::PixelType::U8x3,
        )
        .expect("source");
        let mut reference = fr::images::Image::new(w, h, fr::PixelType::U8x3);
        let alg = fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3);
        fr::Resizer::new()
            .resize(
                &src,
                &mut reference,
                &fr::ResizeOptions::new().resize_alg(alg),
            )
            .expect("resize");
        let mse = reference
            .buffer()
            .iter()
            .zip(got.as_raw())
            .map(|(&a, &b)| (f64::from(a) - f64::from(b)).powi(2))
            .sum::<f64>()
            / (f64::from(w) * f64::from(h) * 3.0);
        let psnr = 10.0 * (255.0f64 * 255.0 / mse.max(1e-9)).log10();
        println!("PSNR {} {psnr:.2} {w}x{h}", out.display());
    }
}

/// With `BENCH_PICTURES_DIR` set, writes the bench inputs there as files
/// (for the side-by-side runs in bench/run.sh) instead of benchmarking.
/// With `BENCH_PSNR=SOURCE:OUT[:OUT…]`, prints the PSNR of each output
/// against a full-decode-then-resize reference of SOURCE.
fn main() {
    if let Some(list) = std::env::var_os("BENCH_PSNR") {
        let paths: Vec<_> = std::env::split_paths(&list).collect();
        let (source, outputs) = paths.split_first().expect("BENCH_PSNR=SOURCE:OUT…");
        psnr_against_full_decode(source, outputs);
        return;
    }
    if let Some(dir) = std::env::var_os("BENCH_PICTURES_DIR") {
        let dir = std::path::Path::new(&dir);
        let files = [
            (
                "photo24mp.jpg",
                encode(&photo(6000, 4000), image::ImageFormat::Jpeg),
            ),
            ("phone12mp_exif.jpg", phone_jpeg(&photo(4032, 3024))),
            (
                "photo12mp.png",
                encode(&noisy_photo(4000, 3000), image::ImageFormat::Png),
            ),
            (
                "photo36mb.bmp",
                encode(&photo(3464, 3464), image::ImageFormat::Bmp),
            ),
            (
                "photo800.jpg",
                encode(&photo(800, 800), image::ImageFormat::Jpeg),
            ),
        ];
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).expect("write a bench picture");
        }
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
