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
