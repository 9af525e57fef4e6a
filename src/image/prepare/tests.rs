//! Tests of `prepare` as a whole: what goes out, and what is refused.

use super::*;
use crate::image::decode::decode;
use crate::image::sniff::sniff;
use crate::image::test_pictures::{encode, jpeg, noisy_rgb, smooth_rgb, with_exif_orientation};
use image::{DynamicImage, ImageFormat, Rgba, RgbaImage};

fn assert_valid(p: &PreparedImage, opts: &PrepareOptions) {
    assert!(p.bytes.len() <= opts.max_bytes, "{} bytes", p.bytes.len());
    let img = image::load_from_memory(&p.bytes).expect("output decodes");
    assert_eq!((img.width(), img.height()), (p.width, p.height));
    let fmt = sniff(&p.bytes)
        .and_then(|f| f.as_wire())
        .expect("wire format");
    assert_eq!(fmt, p.format);
    assert_eq!(p.base64.as_ref(), B64.encode(&p.bytes[..]));
    assert_eq!(p.md5_hex, format!("{:x}", Md5::digest(&p.bytes[..])));
}

#[test]
fn every_supported_format_prepares_to_valid_output() {
    let opts = PrepareOptions::default();
    let img = DynamicImage::ImageRgb8(noisy_rgb(300, 200, 7));
    for fmt in [
        ImageFormat::Png,
        ImageFormat::Jpeg,
        ImageFormat::WebP,
        ImageFormat::Gif,
        ImageFormat::Bmp,
        ImageFormat::Tiff,
    ] {
        let bytes = encode(&img, fmt);
        let p = prepare(&bytes, &opts).unwrap_or_else(|e| panic!("{fmt:?}: {e}"));
        assert_valid(&p, &opts);
        assert_eq!((p.width, p.height), (300, 200), "{fmt:?}");
        assert_eq!(p.source.byte_size, bytes.len() as u64);
        assert!(p.summary.starts_with("300×200 "), "{}", p.summary);
        match fmt {
            // Small API formats go out verbatim.
            ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::WebP => {
                assert_eq!(&p.bytes[..], &bytes[..], "{fmt:?}");
                assert!(p.summary.ends_with("sent unchanged"), "{}", p.summary);
            }
            _ => {
                assert_eq!(p.format, WireFormat::Jpeg);
                assert!(p.summary.contains("→ 300×200 JPEG"), "{}", p.summary);
            }
        }
    }
}

#[test]
fn large_noisy_image_is_fitted_in_both_modes() {
    // 2500×2500 noise: ~18 MB as BMP, well over 3 MB as PNG too.
    let img = DynamicImage::ImageRgb8(noisy_rgb(2500, 2500, 3));
    let bmp = encode(&img, ImageFormat::Bmp);
    assert!(bmp.len() > MAX_UPLOAD_BYTES);

    let compact = PrepareOptions::default();
    let p = prepare(&bmp, &compact).expect("compact");
    assert_valid(&p, &compact);
    assert_eq!(p.format, WireFormat::Jpeg);
    assert!(p.width.max(p.height) <= 1000);
    assert!(
        p.summary.starts_with("2500×2500 BMP 18.8 MB → "),
        "{}",
        p.summary
    );

    let original = PrepareOptions {
        mode: PrepareMode::Original,
        max_bytes: 600_000,
        ..PrepareOptions::default()
    };
    let p = prepare(&bmp, &original).expect("original");
    assert_valid(&p, &original);
    assert_eq!(p.format, WireFormat::Jpeg);
    assert!(p.width <= 2500 && p.height <= 2500);
}

#[test]
fn big_png_over_limit_is_converted_in_original_mode() {
    let png = encode(
        &DynamicImage::ImageRgb8(noisy_rgb(1400, 1400, 11)),
        ImageFormat::Png,
    );
    let opts = PrepareOptions {
        mode: PrepareMode::Original,
        max_bytes: png.len() / 2,
        ..PrepareOptions::default()
    };
    let p = prepare(&png, &opts).expect("fits");
    assert_valid(&p, &opts);
    assert_eq!(p.format, WireFormat::Jpeg);
}

#[test]
fn original_mode_keeps_small_jpeg_bytes_identical() {
    let bytes = jpeg(&noisy_rgb(1600, 1200, 5), 95);
    let opts = PrepareOptions {
        mode: PrepareMode::Original,
        ..PrepareOptions::default()
    };
    let p = prepare(&bytes, &opts).expect("ok");
    assert_eq!(&p.bytes[..], &bytes[..]);
    assert_eq!(p.format, WireFormat::Jpeg);
    assert_valid(&p, &opts);

    // Compact would downscale the same picture.
    let c = prepare(&bytes, &PrepareOptions::default()).expect("ok");
    assert_eq!((c.width, c.height), (1000, 750));
    assert!(c.bytes.len() <= COMPACT_SOFT_MAX_BYTES);
    assert!(c.summary.contains("1600×1200 JPEG") && c.summary.contains("→ 1000×750 JPEG"));
}

#[test]
fn transparent_png_is_flattened_onto_white() {
    let rgba = RgbaImage::from_fn(1200, 600, |x, _| {
        if x < 600 {
            Rgba([0, 0, 0, 0])
        } else {
            Rgba([255, 0, 0, 255])
        }
    });
    let bytes = encode(&DynamicImage::ImageRgba8(rgba), ImageFormat::Png);
    let p = prepare(&bytes, &PrepareOptions::default()).expect("ok");
    let out = image::load_from_memory(&p.bytes)
        .expect("decodes")
        .into_rgb8();
    let left = out.get_pixel(100, 250);
    let right = out.get_pixel(900, 250);
    assert!(left.0.iter().all(|&c| c > 240), "{left:?}");
    assert!(right[0] > 200 && right[1] < 60, "{right:?}");
}

#[test]
fn refusals_have_specific_errors() {
    let opts = PrepareOptions::default();
    assert_eq!(prepare(&[], &opts).unwrap_err(), ImageError::Empty);
    assert!(matches!(
        prepare(b"just some notes, saved as photo.jpg\n", &opts),
        Err(ImageError::NotAnImage { .. })
    ));
    assert!(matches!(
        prepare(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", &opts),
        Err(ImageError::Unsupported { .. })
    ));

    let full = jpeg(&noisy_rgb(400, 300, 9), 90);
    let truncated = &full[..full.len() / 2];
    let err = prepare(truncated, &opts).unwrap_err();
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
    // Cut inside the header too.
    let err = prepare(&full[..40], &opts).unwrap_err();
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");

    let small = PrepareOptions {
        max_input_bytes: 100,
        ..PrepareOptions::default()
    };
    assert!(matches!(
        prepare(&full, &small),
        Err(ImageError::TooLarge { .. })
    ));
}
/// A valid PNG signature + IHDR claiming `w×h`, and nothing else.
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    v.extend_from_slice(&13u32.to_be_bytes());
    v.extend_from_slice(&ihdr);
    v.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    v
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn decompression_bomb_is_refused_quickly() {
    let start = std::time::Instant::now();
    let err = prepare(&png_header(100_000, 100_000), &PrepareOptions::default()).unwrap_err();
    assert!(
        matches!(err, ImageError::DecompressionBomb { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("100000×100000"), "{err}");
    assert!(start.elapsed() < std::time::Duration::from_secs(1));
    let gif = b"GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00;";
    assert!(matches!(
        prepare(gif, &PrepareOptions::default()),
        Err(ImageError::DecompressionBomb { .. })
    ));
    // Lower pixel limits are honoured too: refused, or for a PNG
    // reduced while decoding to within the limit.
    let tight = PrepareOptions {
        max_pixels: 10_000,
        ..PrepareOptions::default()
    };
    let ok_jpeg = jpeg(&smooth_rgb(200, 200), 90);
    assert!(matches!(
        prepare(&ok_jpeg, &tight),
        Err(ImageError::DecompressionBomb { .. })
    ));
    let ok_png = encode(
        &DynamicImage::ImageRgb8(smooth_rgb(200, 200)),
        ImageFormat::Png,
    );
    let d = decode(&ok_png, &SourceFormat::Png, tight.max_pixels).expect("reduced");
    assert_eq!((d.width, d.height), (200, 200), "the file's own size");
    assert_eq!(
        (d.image.width(), d.image.height()),
        (100, 100),
        "within the limit"
    );
    let p = prepare(&ok_png, &tight).expect("sent as it is");
    assert_eq!((p.source.width, p.source.height), (200, 200));
}

#[test]
fn garbage_after_magic_never_panics() {
    let opts = PrepareOptions::default();
    let mut seed = 12345u32;
    for magic in [
        &b"\xFF\xD8\xFF"[..],
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"RIFF\0\0\0\0WEBPVP8 ",
        b"II*\0",
        b"BM\0\0\0\0\0\0\0\0\0\0\0\0\x28\0\0\0",
    ] {
        for len in [0usize, 1, 7, 64, 600] {
            let mut v = magic.to_vec();
            for _ in 0..len {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                v.push(seed as u8);
            }
            assert!(prepare(&v, &opts).is_err(), "{magic:?} + {len}");
        }
    }
}

/// A PNG written row by row (never whole in memory): white, with a
/// black square over the middle ninth. 1 bit per pixel, so tens of
/// thousands of pixels a side encode fast and compress to little.
fn big_two_tone_png(w: u32, h: u32) -> Vec<u8> {
    use std::io::Write as _;
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::One);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().expect("header");
    let mut stream = writer.stream_writer().expect("stream");
    let stride = w.div_ceil(8) as usize;
    let white = vec![0xFFu8; stride];
    let mut middle = white.clone();
    for x in w / 3..2 * w / 3 {
        middle[(x / 8) as usize] &= !(0x80 >> (x % 8));
    }
    for y in 0..h {
        let row = if (h / 3..2 * h / 3).contains(&y) {
            &middle
        } else {
            &white
        };
        stream.write_all(row).expect("row");
    }
    stream.finish().expect("finish");
    drop(writer);
    out
}

/// 20000×20000 (400 megapixels, 1.2 GB as RGB) is converted, not
/// refused: reduced while decoding, with the picture intact.
#[test]
fn huge_png_is_reduced_while_decoding() {
    let png = big_two_tone_png(20_000, 20_000);
    assert!(png.len() < 2_000_000, "{} bytes", png.len());
    let opts = PrepareOptions::default();
    let p = prepare(&png, &opts).expect("a huge PNG is converted");
    assert_valid(&p, &opts);
    assert_eq!((p.source.width, p.source.height), (20_000, 20_000));
    assert_eq!((p.width, p.height), (1000, 1000));
    assert!(
        p.summary.starts_with("20000×20000 PNG ") && p.summary.contains("→ 1000×1000 JPEG"),
        "{}",
        p.summary
    );
    let out = image::load_from_memory(&p.bytes)
        .expect("decodes")
        .into_luma8();
    assert!(out.get_pixel(100, 100)[0] > 240, "white corner");
    assert!(out.get_pixel(500, 500)[0] < 15, "black middle");
    assert!(out.get_pixel(500, 100)[0] > 240, "white above the square");
}

/// What stays refused, and says so: other formats over the pixel limit,
/// PNGs over 1,000 megapixels, interlaced PNGs over the pixel limit.
#[test]
fn refusals_past_the_reduction_say_why() {
    let opts = PrepareOptions::default();
    let err = prepare(&png_header(40_000, 40_000), &opts).unwrap_err();
    assert!(
        err.to_string().contains("1000 megapixels a PNG may have"),
        "{err}"
    );
    // An interlaced PNG over the limit (interlace flag in IHDR).
    let mut v = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&12_000u32.to_be_bytes());
    ihdr.extend_from_slice(&12_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 1]);
    v.extend_from_slice(&13u32.to_be_bytes());
    v.extend_from_slice(&ihdr);
    v.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    let err = prepare(&v, &opts).unwrap_err();
    assert!(err.to_string().contains("interlaced"), "{err}");
    // A truncated huge PNG is damaged, not a panic.
    let png = big_two_tone_png(12_000, 9_000);
    let err = prepare(&png[..png.len() / 2], &opts).unwrap_err();
    assert!(matches!(err, ImageError::Corrupt { .. }), "{err:?}");
}

#[test]
fn prepare_file_reports_missing_path() {
    let path = Path::new("/definitely/not/here/photo.jpg");
    let err = prepare_file(path, &PrepareOptions::default()).unwrap_err();
    assert!(
        matches!(&err, ImageError::Read(r) if r.is_not_found()),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("/definitely/not/here/photo.jpg"),
        "{err}"
    );
}

#[test]
fn prepare_file_reads_a_real_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("pic.png");
    let png = encode(
        &DynamicImage::ImageRgb8(smooth_rgb(64, 48)),
        ImageFormat::Png,
    );
    std::fs::write(&path, &png).expect("write");
    let p = prepare_file(&path, &PrepareOptions::default()).expect("ok");
    assert_eq!(&p.bytes[..], &png[..]);
    assert_eq!(p.format, WireFormat::Png);
}

#[test]
fn shrink_makes_a_small_jpeg() {
    let bytes = jpeg(&noisy_rgb(1000, 800, 21), 92);
    let opts = PrepareOptions {
        mode: PrepareMode::Original,
        ..PrepareOptions::default()
    };
    let p = prepare(&bytes, &opts).expect("ok");
    let s = shrink(&p).expect("shrinks");
    assert_valid(&s, &opts);
    assert!(s.width.max(s.height) <= SHRINK_MAX_EDGE);
    assert!(s.bytes.len() <= SHRINK_TARGET_BYTES, "{}", s.bytes.len());
    assert!(s.summary.contains("(shrunk)"), "{}", s.summary);
}

#[test]
fn encode_and_hash_matches_independent_computation() {
    for len in [0usize, 1, 2, 3, 4, 12287, 12288, 12289, 300_000, 1_000_001] {
        let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
        let (b64, md5) = encode_and_hash(&data);
        assert_eq!(b64, B64.encode(&data), "len {len}");
        assert_eq!(md5, format!("{:x}", Md5::digest(&data)), "len {len}");
    }
    assert_eq!(encode_and_hash(b"").1, "d41d8cd98f00b204e9800998ecf8427e");
}

#[test]
fn debug_does_not_dump_bytes() {
    let png = encode(
        &DynamicImage::ImageRgb8(smooth_rgb(64, 48)),
        ImageFormat::Png,
    );
    let p = prepare(&png, &PrepareOptions::default()).expect("ok");
    let dbg = format!("{p:?}");
    assert!(!dbg.contains(&p.base64[..20]), "{dbg}");
    assert!(dbg.len() < 600);
}
/// Rough speed check: `cargo test --release --lib image::prepare -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_prepare_and_hash() {
    let big = jpeg(&noisy_rgb(6000, 4000, 1), 90);
    let t = std::time::Instant::now();
    let p = prepare(&big, &PrepareOptions::default()).expect("ok");
    println!(
        "24 MP JPEG ({} MB) → {} in {:?}",
        big.len() / 1_000_000,
        p.summary,
        t.elapsed()
    );

    let buf: Vec<u8> = (0..3 * 1024 * 1024).map(|i| (i * 7 % 256) as u8).collect();
    let t = std::time::Instant::now();
    let n = 20;
    for _ in 0..n {
        std::hint::black_box(encode_and_hash(std::hint::black_box(&buf)));
    }
    let per = t.elapsed() / n;
    println!(
        "base64+md5 of 3 MiB: {per:?} ({:.2} GB/s)",
        buf.len() as f64 / per.as_secs_f64() / 1e9
    );
}

#[test]
fn a_phone_jpeg_comes_out_upright_and_fitted() {
    // Stored 2400×1600 (R grows to the right, G downwards), EXIF 6: shown
    // portrait. The copy is decoded at a reduced scale, then resampled.
    let bytes = with_exif_orientation(&jpeg(&smooth_rgb(2400, 1600), 90), 6);
    let p = prepare(&bytes, &PrepareOptions::default()).expect("prepares");
    assert_eq!((p.source.width, p.source.height), (2400, 1600));
    assert_eq!((p.width, p.height), (667, 1000));
    let out = image::load_from_memory(&p.bytes)
        .expect("decodes")
        .into_rgb8();
    assert_eq!(out.dimensions(), (667, 1000));
    // Turned clockwise: the stored bottom-left corner is now top-left.
    let top_left = out.get_pixel(2, 2);
    let top_right = out.get_pixel(664, 2);
    assert!(top_left[0] < 20 && top_left[1] > 235, "{top_left:?}");
    assert!(top_right[0] < 20 && top_right[1] < 20, "{top_right:?}");
}

/// A small phone JPEG turned by its EXIF (stored 300×200, shown 200×300)
/// used to go out unchanged, its pixels as stored, while a crop box is
/// drawn on it upright: one coordinate system, the upright picture. It is
/// sent turned, in both modes, and measured upright.
#[test]
fn a_small_turned_jpeg_is_sent_upright_in_both_modes() {
    let bytes = with_exif_orientation(&jpeg(&smooth_rgb(300, 200), 90), 6);
    assert!(bytes.len() < 250_000);
    for mode in [PrepareMode::Compact, PrepareMode::Original] {
        let opts = PrepareOptions {
            mode,
            ..PrepareOptions::default()
        };
        let p = prepare(&bytes, &opts).expect("prepares");
        assert_valid(&p, &opts);
        assert_eq!((p.width, p.height), (200, 300), "{mode:?}");
        assert_eq!((p.source.width, p.source.height), (300, 200), "{mode:?}");
        assert_eq!(p.source.upright, (200, 300), "{mode:?}");
        assert!(p.summary.ends_with("(turned upright)"), "{}", p.summary);
        // Turned clockwise: the stored bottom-left corner is now top-left.
        let out = image::load_from_memory(&p.bytes)
            .expect("decodes")
            .into_rgb8();
        let top_left = out.get_pixel(2, 2);
        assert!(top_left[0] < 20 && top_left[1] > 235, "{top_left:?}");
    }
    // Unturned, the same picture still goes out untouched.
    let plain = jpeg(&smooth_rgb(300, 200), 90);
    let p = prepare(&plain, &PrepareOptions::default()).expect("prepares");
    assert_eq!(&p.bytes[..], &plain[..]);
    assert_eq!(p.source.upright, (300, 200));
}

/// Crop mode measures its box in the file's pixels, upright. A PNG too big
/// to hold decoded (over 100 megapixels) is reduced while it is read; its
/// size is still the file's, not the reduced copy's (which made a box
/// drawn on it name another area of the file).
#[test]
fn crop_size_of_a_png_too_big_to_hold_is_the_file_s() {
    let png = big_two_tone_png(10_001, 10_001);
    let (preview, size) = crate::image::decode_with_size(&png, 512, 512).expect("decodes");
    assert_eq!(size, (10_001, 10_001));
    assert!(preview.width() <= 512 && preview.height() <= 512);
}
