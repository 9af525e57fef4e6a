//! Pictures made up for the image tests (no files, no rand dependency).

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, Rgb, RgbImage};

use super::encode::encode_jpeg;

/// Deterministic noise (xorshift) so tests don't need a rand dependency.
pub(crate) fn noisy_rgb(w: u32, h: u32, seed: u32) -> RgbImage {
    let mut s = seed.max(1);
    RgbImage::from_fn(w, h, |x, y| {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        let n = (s & 0x3F) as u8;
        Rgb([
            ((x * 255 / w.max(1)) as u8).wrapping_add(n),
            ((y * 255 / h.max(1)) as u8).wrapping_add(n / 2),
            n.wrapping_mul(3),
        ])
    })
}

pub(crate) fn smooth_rgb(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w) as u8, (y * 255 / h) as u8, 128])
    })
}

pub(crate) fn encode(img: &DynamicImage, fmt: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, fmt).expect("test encode");
    out.into_inner()
}

pub(crate) fn jpeg(img: &RgbImage, q: u8) -> Vec<u8> {
    encode_jpeg(img, q).expect("test encode")
}

/// `jpeg` with an EXIF block (APP1, big-endian TIFF) holding `orientation`
/// (6: shown rotated 90° clockwise), as a phone writes it.
pub(crate) fn with_exif_orientation(jpeg: &[u8], orientation: u8) -> Vec<u8> {
    let mut exif = b"Exif\0\0MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0".to_vec();
    exif.extend_from_slice(&[orientation, 0, 0, 0, 0, 0, 0]);
    let mut out = jpeg[..2].to_vec();
    out.extend_from_slice(&[0xFF, 0xE1]);
    out.extend_from_slice(&(exif.len() as u16 + 2).to_be_bytes());
    out.extend_from_slice(&exif);
    out.extend_from_slice(&jpeg[2..]);
    out
}

/// `img` as a PNG with extra chunks (type, data) written before its pixels.
pub(crate) fn png_with_chunks(img: &RgbImage, chunks: &[([u8; 4], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, img.width(), img.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    let mut writer = enc.write_header().expect("header");
    for (kind, data) in chunks {
        writer
            .write_chunk(png::chunk::ChunkType(*kind), data)
            .expect("chunk");
    }
    writer.write_image_data(img.as_raw()).expect("pixels");
    writer.finish().expect("finish");
    out
}

/// A PNG eXIf chunk (a bare big-endian TIFF block) holding `orientation`.
pub(crate) fn exif_orientation_chunk(orientation: u8) -> Vec<u8> {
    let mut exif = b"MM\0\x2a\0\0\0\x08\0\x01\x01\x12\0\x03\0\0\0\x01\0".to_vec();
    exif.extend_from_slice(&[orientation, 0, 0, 0, 0, 0, 0]);
    exif
}
