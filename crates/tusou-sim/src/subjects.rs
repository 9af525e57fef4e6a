//! Subjects in a picture, as 1688's image search reports them in
//! `picRegionInfo`: a detector that finds the things standing out from the
//! backdrop, and scene pictures (several catalog products photographed
//! together on a desk) for a demo of searching one of them.
//!
//! The detector is deliberately plain: the backdrop is the colour of the
//! picture's border, anything far enough from it is foreground, and each
//! connected blob (after joining near neighbours) is a subject. It works
//! on any picture a client sends, not only on the simulator's own.

use image::{Rgb, RgbImage, imageops};

use crate::artwork::{self, Art};
use crate::region::Region;

/// Side of the picture the detector works on (longest side).
const DETECT_SIDE: u32 = 96;
/// Colour distance (largest channel difference) that counts as foreground.
const FOREGROUND: i32 = 40;
/// A blob smaller than this share of the picture is noise.
const MIN_AREA: f32 = 0.01;
/// Most subjects reported.
pub const MAX_SUBJECTS: usize = 5;

/// The subjects of `img`, largest first, in `img`'s pixels. Empty when
/// nothing stands out, or when the one thing that does is the whole
/// picture.
pub fn detect(img: &RgbImage) -> Vec<Region> {
    let (w, h) = img.dimensions();
    if w < 4 || h < 4 {
        return Vec::new();
    }
    let longest = w.max(h);
    let (sw, sh) = if longest > DETECT_SIDE {
        let s = |v: u32| ((u64::from(v) * u64::from(DETECT_SIDE)) / u64::from(longest)).max(4);
        (s(w) as u32, s(h) as u32)
    } else {
        (w, h)
    };
    let small = imageops::thumbnail(img, sw, sh);
    let backdrop = border_median(&small);
    let far = |p: &Rgb<u8>| {
        p.0.iter()
            .zip(backdrop.0)
            .map(|(&a, b)| (i32::from(a) - i32::from(b)).abs())
            .max()
            .unwrap_or(0)
            > FOREGROUND
    };
    let (sw_us, sh_us) = (sw as usize, sh as usize);
    let mut mask: Vec<bool> = small.pixels().map(far).collect();
    // Join the parts of one thing (a pair of earbuds, a strap) into one blob.
    mask = dilate(&mask, sw_us, sh_us);
    let mut label = vec![0u32; mask.len()];
    let mut boxes: Vec<(usize, [usize; 4])> = Vec::new();
    let mut stack = Vec::new();
    for start in 0..mask.len() {
        if !mask[start] || label[start] != 0 {
            continue;
        }
        let id = boxes.len() as u32 + 1;
        let (mut area, mut bb) = (0usize, [usize::MAX, usize::MAX, 0, 0]);
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            let (x, y) = (i % sw_us, i / sw_us);
            area += 1;
            bb = [
                bb[0].min(x),
                bb[1].min(y),
                bb[2].max(x + 1),
                bb[3].max(y + 1),
            ];
            let xs = x.saturating_sub(1)..=(x + 1).min(sw_us - 1);
            for ny in y.saturating_sub(1)..=(y + 1).min(sh_us - 1) {
                for nx in xs.clone() {
                    let j = ny * sw_us + nx;
                    if mask[j] && label[j] == 0 {
                        label[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
        boxes.push((area, bb));
    }
    let total = (sw_us * sh_us) as f32;
    boxes.retain(|(area, _)| *area as f32 / total >= MIN_AREA);
    boxes.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    boxes.truncate(MAX_SUBJECTS);
    let to_full = |v: usize, small: u32, full: u32, up: bool| -> u32 {
        let num = v as u64 * u64::from(full);
        let q = if up {
            num.div_ceil(u64::from(small))
        } else {
            num / u64::from(small)
        };
        (q as u32).min(full)
    };
    let found: Vec<Region> = boxes
        .into_iter()
        .map(|(_, [x1, y1, x2, y2])| {
            // Back to full size with one small pixel of slack each side
            // (the dilation), then tightened on the full picture.
            let loose = Region {
                x1: to_full(x1, sw, w, false),
                x2: to_full(x2, sw, w, true),
                y1: to_full(y1, sh, h, false),
                y2: to_full(y2, sh, h, true),
            };
            tighten(img, loose, backdrop)
        })
        .filter(|r| r.width() > 0 && r.height() > 0)
        .collect();
    if let [only] = found.as_slice()
        && only.width() * 20 >= w * 19
        && only.height() * 20 >= h * 19
    {
        return Vec::new();
    }
    found
}

/// The smallest box inside `r` holding every pixel of `img` far from
/// the backdrop (`r` itself when none is).
fn tighten(img: &RgbImage, r: Region, backdrop: Rgb<u8>) -> Region {
    let far = |x: u32, y: u32| {
        img.get_pixel(x, y)
            .0
            .iter()
            .zip(backdrop.0)
            .any(|(&a, b)| (i32::from(a) - i32::from(b)).abs() > FOREGROUND)
    };
    let (mut x1, mut y1, mut x2, mut y2) = (u32::MAX, u32::MAX, 0, 0);
    for y in r.y1..r.y2 {
        for x in r.x1..r.x2 {
            if far(x, y) {
                x1 = x1.min(x);
                y1 = y1.min(y);
                x2 = x2.max(x + 1);
                y2 = y2.max(y + 1);
            }
        }
    }
    if x1 >= x2 || y1 >= y2 {
        return r;
    }
    Region { x1, x2, y1, y2 }
}

/// The median colour of the picture's outermost pixels.
fn border_median(img: &RgbImage) -> Rgb<u8> {
    let (w, h) = img.dimensions();
    let mut ring: Vec<[u8; 3]> = Vec::with_capacity(2 * (w + h) as usize);
    for x in 0..w {
        ring.push(img.get_pixel(x, 0).0);
        ring.push(img.get_pixel(x, h - 1).0);
    }
    for y in 1..h.saturating_sub(1) {
        ring.push(img.get_pixel(0, y).0);
        ring.push(img.get_pixel(w - 1, y).0);
    }
    let mut out = [0u8; 3];
    for (c, slot) in out.iter_mut().enumerate() {
        let mut v: Vec<u8> = ring.iter().map(|p| p[c]).collect();
        v.sort_unstable();
        *slot = v[v.len() / 2];
    }
    Rgb(out)
}

/// One step of 3×3 dilation.
fn dilate(mask: &[bool], w: usize, h: usize) -> Vec<bool> {
    let mut out = vec![false; mask.len()];
    for y in 0..h {
        for x in 0..w {
            if !mask[y * w + x] {
                continue;
            }
            for ny in y.saturating_sub(1)..=(y + 1).min(h - 1) {
                for nx in x.saturating_sub(1)..=(x + 1).min(w - 1) {
                    out[ny * w + nx] = true;
                }
            }
        }
    }
    out
}

/// `picRegionInfo` as 1688 writes it: `x1,x2,y1,y2` boxes joined by `;`.
pub fn wire_boxes(boxes: &[Region]) -> String {
    boxes
        .iter()
        .map(|r| format!("{},{},{},{}", r.x1, r.x2, r.y1, r.y2))
        .collect::<Vec<_>>()
        .join(";")
}

/// The desk the scene's products stand on: dark, so every catalog
/// backdrop (plain or pastel) stands out from it.
const DESK: [u8; 3] = [52, 47, 44];
/// Side of one product's photo in a scene, and the space around it.
const TILE: u32 = 360;
const GAP: u32 = 70;

/// Where each product of a scene of `n` goes: (x, y, side), left to
/// right, alternately a little higher and lower, the middle one smaller.
pub fn scene_layout(n: u32) -> (u32, u32, Vec<(u32, u32, u32)>) {
    let n = n.clamp(1, 3);
    let width = n * TILE + (n + 1) * GAP;
    let height = TILE + 2 * GAP + GAP / 2;
    let mut x = GAP;
    let places = (0..n)
        .map(|i| {
            let side = if i == 1 { TILE - 60 } else { TILE };
            let y = GAP + if i % 2 == 0 { 0 } else { GAP / 2 + 30 };
            let place = (x, y, side);
            x += side + GAP + if i == 1 { 60 } else { 0 };
            place
        })
        .collect();
    (width, height, places)
}

/// Several products' pictures standing on a desk: what a user photographs
/// when the product is one thing among others. 1 to 3 products.
pub fn render_scene(arts: &[Art]) -> RgbImage {
    let arts = &arts[..arts.len().min(3)];
    let (w, h, places) = scene_layout(arts.len() as u32);
    let mut img = RgbImage::from_fn(w, h, |x, y| {
        // A little wood grain, so the desk is not a flat colour.
        let g = ((x.wrapping_mul(7) ^ y.wrapping_mul(13)) % 9) as u8;
        Rgb(DESK.map(|c| c.saturating_add(g)))
    });
    for (art, &(x, y, side)) in arts.iter().zip(&places) {
        let tile = artwork::render(art, side);
        imageops::replace(&mut img, &tile, i64::from(x), i64::from(y));
    }
    img
}

/// The scene as JPEG bytes.
pub fn render_scene_jpeg(arts: &[Art]) -> Vec<u8> {
    let img = render_scene(arts);
    let mut out = Vec::with_capacity(128 * 1024);
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if enc.encode_image(&img).is_err() {
        return Vec::new();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::generate;

    fn arts(n: usize) -> Vec<Art> {
        generate(1688, 40)
            .into_iter()
            .take(n)
            .map(|o| o.art)
            .collect()
    }

    #[test]
    fn each_product_of_a_scene_is_found_where_it_stands() {
        for n in 1..=3 {
            let scene = render_scene(&arts(n));
            let (_, _, places) = scene_layout(n as u32);
            let mut found = detect(&scene);
            assert_eq!(found.len(), n, "{n} products: {found:?}");
            found.sort_by_key(|r| r.x1);
            for (r, &(x, y, side)) in found.iter().zip(&places) {
                let tol = scene.width() / DETECT_SIDE * 3;
                assert!(
                    r.x1.abs_diff(x) <= tol && r.y1.abs_diff(y) <= tol,
                    "{r:?} vs {x},{y}"
                );
                assert!(r.x2.abs_diff(x + side) <= tol && r.y2.abs_diff(y + side) <= tol);
            }
        }
    }

    #[test]
    fn a_catalog_photo_has_its_product_as_the_subject() {
        for art in arts(12) {
            let img = artwork::render(&art, 600);
            let found = detect(&img);
            assert!(found.len() <= MAX_SUBJECTS);
            if let Some(first) = found.first() {
                assert!(first.width() < 600 || first.height() < 600);
            }
        }
    }

    #[test]
    fn nothing_stands_out_of_a_flat_or_tiny_picture() {
        assert!(detect(&RgbImage::from_pixel(300, 200, Rgb([200, 10, 10]))).is_empty());
        assert!(detect(&RgbImage::new(2, 2)).is_empty());
        assert!(detect(&RgbImage::new(4, 900)).len() <= MAX_SUBJECTS);
    }

    #[test]
    fn wire_order_is_xmin_xmax_ymin_ymax() {
        let r = Region {
            x1: 1,
            x2: 2,
            y1: 3,
            y2: 4,
        };
        assert_eq!(wire_boxes(&[r, r]), "1,2,3,4;1,2,3,4");
    }
}
