//! Re-listings: what a reseller does to a factory photo before uploading it
//! again (issue 26), in the simulator's own code, so the picture matcher
//! (`tusou-same`) is measured against transforms it did not write.
//!
//! Every transform is seeded and deterministic. [`relist`] applies one to a
//! picture; [`catalog_arts`] draws catalog products and [`lookalike`] a
//! distinct product that looks alike (same shape, colours, layout and
//! background; another print), the pairs a matcher must keep apart.

use image::{Rgb, RgbImage, imageops};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::artwork::{Art, Pattern, Shape};

/// One thing a reseller does to a photo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transform {
    /// Re-encoded as JPEG at quality 40–90.
    Jpeg,
    /// Resized down to a longer side of 120–220 px.
    Resize,
    /// Cropped by 5–15 % of the width and of the height, split unevenly
    /// between the sides.
    Crop,
    /// White padding of 4–25 % on each side (uneven).
    Pad,
    /// A coloured border of 2–7 % of the size.
    Border,
    /// A watermark, logo or text overlay.
    Overlay,
    /// A small colour or brightness shift.
    Colour,
}

impl Transform {
    pub const ALL: [Transform; 7] = [
        Transform::Jpeg,
        Transform::Resize,
        Transform::Crop,
        Transform::Pad,
        Transform::Border,
        Transform::Overlay,
        Transform::Colour,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Transform::Jpeg => "jpeg q40-90",
            Transform::Resize => "resize 120-220px",
            Transform::Crop => "crop 5-15%",
            Transform::Pad => "pad white",
            Transform::Border => "border colour",
            Transform::Overlay => "overlay/watermark",
            Transform::Colour => "colour shift",
        }
    }
}

fn rng(seed: u64, salt: u64) -> StdRng {
    StdRng::seed_from_u64(seed ^ salt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
}

/// `img` as a reseller re-uploads it after `t`; every re-upload but the
/// JPEG one is saved again at quality 80–92, as resellers' tools do.
pub fn relist(img: &RgbImage, t: Transform, seed: u64) -> RgbImage {
    let mut r = rng(seed, t as u64 + 1);
    let out = match t {
        Transform::Jpeg => return jpeg(img, r.random_range(40..=90)),
        Transform::Resize => {
            let long = r.random_range(120..=220u32);
            let (w, h) = img.dimensions();
            let k = long as f32 / w.max(h) as f32;
            let nw = ((w as f32 * k).round() as u32).max(1);
            let nh = ((h as f32 * k).round() as u32).max(1);
            imageops::resize(img, nw, nh, imageops::FilterType::Triangle)
        }
        Transform::Crop => crop(img, &mut r),
        Transform::Pad => pad(img, &mut r),
        Transform::Border => border(img, &mut r),
        Transform::Overlay => overlay(img, &mut r),
        Transform::Colour => colour(img, &mut r),
    };
    let q = r.random_range(80..=92);
    jpeg(&out, q)
}

/// Encoded as JPEG at `quality` and decoded again.
pub fn jpeg(img: &RgbImage, quality: u8) -> RgbImage {
    let mut out = Vec::with_capacity(32 * 1024);
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    if enc.encode_image(img).is_err() {
        return img.clone();
    }
    match image::load_from_memory_with_format(&out, image::ImageFormat::Jpeg) {
        Ok(d) => d.to_rgb8(),
        Err(_) => img.clone(),
    }
}

fn crop(img: &RgbImage, r: &mut StdRng) -> RgbImage {
    let (w, h) = img.dimensions();
    let fx = r.random_range(0.05..=0.15f32);
    let fy = r.random_range(0.05..=0.15f32);
    let cut_w = (w as f32 * fx).round() as u32;
    let cut_h = (h as f32 * fy).round() as u32;
    let left = (cut_w as f32 * r.random_range(0.0..=1.0f32)).round() as u32;
    let top = (cut_h as f32 * r.random_range(0.0..=1.0f32)).round() as u32;
    imageops::crop_imm(img, left, top, w - cut_w, h - cut_h).to_image()
}

fn frame(img: &RgbImage, l: u32, t: u32, rt: u32, b: u32, c: Rgb<u8>) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out = RgbImage::from_pixel(w + l + rt, h + t + b, c);
    imageops::replace(&mut out, img, i64::from(l), i64::from(t));
    out
}

fn pad(img: &RgbImage, r: &mut StdRng) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut side = |n: u32| (n as f32 * r.random_range(0.04..=0.25f32)).round() as u32;
    let (l, rt, t, b) = (side(w), side(w), side(h), side(h));
    let white = Rgb([255, 255, 255]);
    frame(img, l, t, rt, b, white)
}

fn border(img: &RgbImage, r: &mut StdRng) -> RgbImage {
    let (w, h) = img.dimensions();
    let k = r.random_range(0.02..=0.07f32);
    let n = ((w.max(h) as f32) * k).round().max(2.0) as u32;
    let c = Rgb([
        r.random_range(0..=255u8),
        r.random_range(0..=255u8),
        r.random_range(0..=255u8),
    ]);
    // A frame drawn over the picture's edge (most shop tools) or around it.
    if r.random_bool(0.5) {
        frame(img, n, n, n, n, c)
    } else {
        let mut out = img.clone();
        for (x, y, p) in out.enumerate_pixels_mut() {
            if x < n || y < n || x + n >= w || y + n >= h {
                *p = c;
            }
        }
        out
    }
}

/// Blends `c` over the pixel at (x, y) with opacity `a`.
fn blend(img: &mut RgbImage, x: i64, y: i64, c: [u8; 3], a: f32) {
    if x < 0 || y < 0 || x >= i64::from(img.width()) || y >= i64::from(img.height()) {
        return;
    }
    let p = img.get_pixel_mut(x as u32, y as u32);
    for (v, cv) in p.0.iter_mut().zip(c) {
        *v = (f32::from(*v) * (1.0 - a) + f32::from(cv) * a).round() as u8;
    }
}

/// A line of made-up glyphs (5×7 cells) at (x0, y0), `cell` px per dot.
fn text(
    img: &mut RgbImage,
    r: &mut StdRng,
    x0: i64,
    y0: i64,
    chars: u32,
    cell: i64,
    (c, a): ([u8; 3], f32),
) {
    for i in 0..i64::from(chars) {
        let bits: u64 = r.random();
        for gy in 0..7i64 {
            for gx in 0..5i64 {
                if bits >> (gy * 5 + gx) & 1 == 0 {
                    continue;
                }
                for dy in 0..cell {
                    for dx in 0..cell {
                        let x = x0 + (i * 6 + gx) * cell + dx;
                        blend(img, x, y0 + gy * cell + dy, c, a);
                    }
                }
            }
        }
    }
}

fn overlay(img: &RgbImage, r: &mut StdRng) -> RgbImage {
    let mut out = img.clone();
    let (w, h) = img.dimensions();
    let (wi, hi) = (i64::from(w), i64::from(h));
    let s = i64::from(w.min(h));
    match r.random_range(0..3) {
        0 => {
            // A translucent watermark line across the middle.
            let cell = (s / 60).max(1);
            let chars = ((w as i64) / (6 * cell) * 2 / 3).clamp(3, 14) as u32;
            let x0 = (wi - i64::from(chars) * 6 * cell) / 2;
            let y0 = hi / 2 + r.random_range(-hi / 6..=hi / 6);
            let grey = r.random_range(120..=230u8);
            let a = r.random_range(0.25..=0.5f32);
            text(&mut out, r, x0, y0, chars, cell, ([grey, grey, grey], a));
        }
        1 => {
            // An opaque shop logo in a corner: a coloured box with letters.
            let bw = s * r.random_range(12..=20) / 100;
            let bh = bw * 2 / 3;
            let x0 = if r.random_bool(0.5) { 2 } else { wi - bw - 2 };
            let y0 = if r.random_bool(0.5) { 2 } else { hi - bh - 2 };
            let c = [r.random(), r.random(), r.random()];
            for y in y0..y0 + bh {
                for x in x0..x0 + bw {
                    blend(&mut out, x, y, c, 1.0);
                }
            }
            let cell = (bh / 10).max(1);
            text(
                &mut out,
                r,
                x0 + cell,
                y0 + bh / 3,
                3,
                cell,
                ([255, 255, 255], 1.0),
            );
        }
        _ => {
            // A text banner along the bottom.
            let bh = hi * r.random_range(7..=11) / 100;
            let c = [
                r.random_range(0..=80u8),
                r.random_range(0..=80u8),
                r.random_range(0..=80u8),
            ];
            for y in hi - bh..hi {
                for x in 0..wi {
                    blend(&mut out, x, y, c, 0.85);
                }
            }
            let cell = (bh / 9).max(1);
            let chars = ((wi - 8) / (6 * cell)).clamp(1, 20) as u32;
            text(
                &mut out,
                r,
                4,
                hi - bh + cell,
                chars,
                cell,
                ([255, 255, 255], 1.0),
            );
        }
    }
    out
}

fn colour(img: &RgbImage, r: &mut StdRng) -> RgbImage {
    let bright = r.random_range(-18.0..=18.0f32);
    let gains = [
        r.random_range(0.92..=1.08f32),
        r.random_range(0.92..=1.08f32),
        r.random_range(0.92..=1.08f32),
    ];
    let contrast = r.random_range(0.9..=1.1f32);
    let mut out = img.clone();
    for p in out.pixels_mut() {
        for (v, g) in p.0.iter_mut().zip(gains) {
            let x = (f32::from(*v) - 128.0) * contrast + 128.0;
            *v = (x * g + bright).round().clamp(0.0, 255.0) as u8;
        }
    }
    out
}

const SHAPES: [Shape; 12] = [
    Shape::TShirt,
    Shape::Dress,
    Shape::Sneaker,
    Shape::PhoneCase,
    Shape::Flask,
    Shape::Backpack,
    Shape::Cap,
    Shape::Sock,
    Shape::Earbuds,
    Shape::Plush,
    Shape::StorageBox,
    Shape::YogaMat,
];

/// `n` catalog products, deterministic from `seed`: every shape, pattern
/// and a spread of colours on white, off-white and pastel backgrounds.
pub fn catalog_arts(n: usize, seed: u64) -> Vec<Art> {
    let mut r = rng(seed, 0xA27);
    (0..n)
        .map(|i| {
            let background = match r.random_range(0..4) {
                0 | 1 => [255, 255, 255],
                2 => [245, 243, 238],
                _ => [
                    r.random_range(200..=250),
                    r.random_range(200..=250),
                    r.random_range(200..=250),
                ],
            };
            let body: [u8; 3] = [
                r.random_range(20..=230),
                r.random_range(20..=230),
                r.random_range(20..=230),
            ];
            // The print must show: an accent far from the body colour (a
            // print a buyer cannot see is no different product).
            let accent = loop {
                let c: [u8; 3] = [r.random(), r.random(), r.random()];
                let d: u32 = (0..3).map(|k| u32::from(c[k].abs_diff(body[k]))).sum();
                if d >= 150 {
                    break c;
                }
            };
            Art {
                shape: SHAPES[i % SHAPES.len()],
                pattern: Pattern::ALL[(i / SHAPES.len() + i) % Pattern::ALL.len()],
                body,
                accent,
                background,
                scale: r.random_range(0.85..=1.15),
                dx: r.random_range(-0.05..=0.05),
                dy: r.random_range(-0.05..=0.05),
                grain: r.random(),
            }
        })
        .collect()
}

/// A distinct product that looks like `art`: the same shape, colours,
/// layout and background, another print (pattern), its own grain.
pub fn lookalike(art: &Art, seed: u64) -> Art {
    let mut r = rng(seed, 0x100C);
    let others: Vec<Pattern> = Pattern::ALL
        .into_iter()
        .filter(|p| *p != art.pattern)
        .collect();
    Art {
        pattern: others[r.random_range(0..others.len())],
        grain: r.random(),
        ..*art
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artwork::render;

    #[test]
    fn relist_is_deterministic_and_changes_the_picture() {
        let art = catalog_arts(3, 7)[1];
        let img = render(&art, 96);
        for t in Transform::ALL {
            let a = relist(&img, t, 5);
            assert_eq!(a, relist(&img, t, 5), "{t:?}");
            assert_ne!(a, img, "{t:?}");
        }
        let l = lookalike(&art, 1);
        assert_ne!(l.pattern, art.pattern);
        assert_eq!((l.shape, l.body, l.scale), (art.shape, art.body, art.scale));
    }
}
