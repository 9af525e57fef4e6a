//! Deterministic product pictures: a silhouette of the product type in the
//! offer's colours on a plain or pastel background, with a pattern and a
//! little grain. One shading routine serves both the full JPEG and the small
//! render the catalog's descriptors come from, so the two agree.

use image::{Rgb, RgbImage};

/// The silhouettes the simulator can draw, one per product family.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    TShirt,
    Dress,
    Sneaker,
    PhoneCase,
    Flask,
    Backpack,
    Cap,
    Sock,
    Earbuds,
    Plush,
    StorageBox,
    YogaMat,
}

/// Pattern printed on the product's main body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    Plain,
    Stripes,
    Dots,
    Checks,
    Diagonal,
}

impl Pattern {
    pub const ALL: [Pattern; 5] = [
        Pattern::Plain,
        Pattern::Stripes,
        Pattern::Dots,
        Pattern::Checks,
        Pattern::Diagonal,
    ];

    /// Fraction of the body the pattern colours; the small render uses it to
    /// shade with the pattern's mean instead of aliasing its fine detail.
    fn coverage(self) -> f32 {
        match self {
            Pattern::Plain => 0.0,
            Pattern::Stripes | Pattern::Checks | Pattern::Diagonal => 0.5,
            Pattern::Dots => 0.2,
        }
    }
}

/// Everything needed to draw one offer's picture.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Art {
    pub shape: Shape,
    pub pattern: Pattern,
    pub body: [u8; 3],
    pub accent: [u8; 3],
    pub background: [u8; 3],
    /// Object scale and offset, so two offers of a type differ in layout too.
    pub scale: f32,
    pub dx: f32,
    pub dy: f32,
    /// Grain seed.
    pub grain: u64,
}

/// Which part of the silhouette a point falls in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Body,
    Accent,
    Detail,
}

fn rect(x: f32, y: f32, x0: f32, y0: f32, x1: f32, y1: f32) -> bool {
    x >= x0 && x <= x1 && y >= y0 && y <= y1
}

fn ellipse(x: f32, y: f32, cx: f32, cy: f32, rx: f32, ry: f32) -> bool {
    let (u, v) = ((x - cx) / rx, (y - cy) / ry);
    u * u + v * v <= 1.0
}

fn rrect(x: f32, y: f32, x0: f32, y0: f32, x1: f32, y1: f32, r: f32) -> bool {
    if !rect(x, y, x0, y0, x1, y1) {
        return false;
    }
    let cx = x.clamp(x0 + r, x1 - r);
    let cy = y.clamp(y0 + r, y1 - r);
    let (u, v) = (x - cx, y - cy);
    u * u + v * v <= r * r
}

/// The silhouette test, in the unit square (y grows downwards).
fn part(shape: Shape, x: f32, y: f32) -> Option<Part> {
    use Part::*;
    match shape {
        Shape::TShirt => {
            if ellipse(x, y, 0.5, 0.27, 0.08, 0.05) {
                None
            } else if ellipse(x, y, 0.5, 0.5, 0.07, 0.07) {
                Some(Accent)
            } else if rect(x, y, 0.32, 0.25, 0.68, 0.86)
                || (rect(x, y, 0.14, 0.25, 0.32, 0.48) && y - 0.25 > (0.32 - x) * 0.6)
                || (rect(x, y, 0.68, 0.25, 0.86, 0.48) && y - 0.25 > (x - 0.68) * 0.6)
            {
                Some(Body)
            } else {
                None
            }
        }
        Shape::Dress => {
            if rect(x, y, 0.4, 0.42, 0.6, 0.46) {
                Some(Accent)
            } else if rect(x, y, 0.4, 0.2, 0.6, 0.45)
                || ((0.45..=0.9).contains(&y) && (x - 0.5).abs() <= 0.1 + (y - 0.45) * 0.55)
            {
                Some(Body)
            } else if rect(x, y, 0.42, 0.1, 0.45, 0.2) || rect(x, y, 0.55, 0.1, 0.58, 0.2) {
                Some(Detail)
            } else {
                None
            }
        }
        Shape::Sneaker => {
            if rrect(x, y, 0.12, 0.62, 0.88, 0.71, 0.03) {
                Some(Accent)
            } else if (ellipse(x, y, 0.42, 0.62, 0.28, 0.22) && y < 0.62 && x > 0.16)
                || (ellipse(x, y, 0.7, 0.62, 0.18, 0.1) && y < 0.66)
            {
                if rect(x, y, 0.45, 0.45, 0.6, 0.5) || rect(x, y, 0.47, 0.52, 0.62, 0.56) {
                    Some(Detail)
                } else {
                    Some(Body)
                }
            } else {
                None
            }
        }
        Shape::PhoneCase => {
            if ellipse(x, y, 0.41, 0.2, 0.03, 0.03) || ellipse(x, y, 0.41, 0.27, 0.03, 0.03) {
                Some(Detail)
            } else if rrect(x, y, 0.36, 0.15, 0.5, 0.32, 0.03) {
                Some(Accent)
            } else if rrect(x, y, 0.32, 0.1, 0.68, 0.9, 0.06) {
                Some(Body)
            } else {
                None
            }
        }
        Shape::Flask => {
            if rrect(x, y, 0.4, 0.12, 0.6, 0.25, 0.02) {
                Some(Accent)
            } else if rect(x, y, 0.38, 0.27, 0.62, 0.3) {
                Some(Detail)
            } else if rrect(x, y, 0.37, 0.25, 0.63, 0.9, 0.05) {
                Some(Body)
            } else {
                None
            }
        }
        Shape::Backpack => {
            let ring = ellipse(x, y, 0.5, 0.22, 0.1, 0.08) && !ellipse(x, y, 0.5, 0.22, 0.06, 0.05);
            if ring {
                Some(Detail)
            } else if rrect(x, y, 0.35, 0.56, 0.65, 0.82, 0.05) {
                Some(Accent)
            } else if rrect(x, y, 0.27, 0.22, 0.73, 0.88, 0.1) {
                Some(Body)
            } else {
                None
            }
        }
        Shape::Cap => {
            if ellipse(x, y, 0.5, 0.385, 0.03, 0.02) {
                Some(Detail)
            } else if ellipse(x, y, 0.5, 0.62, 0.27, 0.26) && y <= 0.62 {
                Some(Body)
            } else if ellipse(x, y, 0.68, 0.63, 0.25, 0.05) {
                Some(Accent)
            } else {
                None
            }
        }
        Shape::Sock => {
            if rect(x, y, 0.38, 0.1, 0.58, 0.19) || ellipse(x, y, 0.76, 0.6, 0.06, 0.07) {
                Some(Accent)
            } else if rect(x, y, 0.38, 0.1, 0.58, 0.58) || rrect(x, y, 0.38, 0.48, 0.82, 0.68, 0.09)
            {
                Some(Body)
            } else {
                None
            }
        }
        Shape::Earbuds => {
            if ellipse(x, y, 0.38, 0.26, 0.08, 0.08)
                || ellipse(x, y, 0.62, 0.26, 0.08, 0.08)
                || rect(x, y, 0.36, 0.26, 0.4, 0.42)
                || rect(x, y, 0.6, 0.26, 0.64, 0.42)
            {
                Some(Accent)
            } else if rect(x, y, 0.3, 0.6, 0.7, 0.615) {
                Some(Detail)
            } else if rrect(x, y, 0.28, 0.45, 0.72, 0.82, 0.13) {
                Some(Body)
            } else {
                None
            }
        }
        Shape::Plush => {
            if ellipse(x, y, 0.44, 0.38, 0.025, 0.025) || ellipse(x, y, 0.56, 0.38, 0.025, 0.025) {
                Some(Detail)
            } else if ellipse(x, y, 0.5, 0.47, 0.07, 0.05) || ellipse(x, y, 0.5, 0.76, 0.12, 0.09) {
                Some(Accent)
            } else if ellipse(x, y, 0.5, 0.42, 0.19, 0.17)
                || ellipse(x, y, 0.34, 0.26, 0.07, 0.07)
                || ellipse(x, y, 0.66, 0.26, 0.07, 0.07)
                || ellipse(x, y, 0.5, 0.75, 0.22, 0.17)
            {
                Some(Body)
            } else {
                None
            }
        }
        Shape::StorageBox => {
            if rrect(x, y, 0.42, 0.5, 0.58, 0.55, 0.02) {
                Some(Detail)
            } else if rect(x, y, 0.18, 0.3, 0.82, 0.41) {
                Some(Accent)
            } else if rect(x, y, 0.21, 0.41, 0.79, 0.84) {
                Some(Body)
            } else {
                None
            }
        }
        Shape::YogaMat => {
            if ellipse(x, y, 0.76, 0.52, 0.07, 0.13) {
                // The rolled end shows the mat's spiral.
                let (u, v) = ((x - 0.76) / 0.07, (y - 0.52) / 0.13);
                let r = (u * u + v * v).sqrt();
                if ((r * 4.0).fract()) < 0.3 {
                    Some(Detail)
                } else {
                    Some(Accent)
                }
            } else if rect(x, y, 0.42, 0.39, 0.46, 0.65) {
                Some(Detail)
            } else if rect(x, y, 0.18, 0.39, 0.76, 0.65) {
                Some(Body)
            } else {
                None
            }
        }
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [f32; 3] {
    let f = |i: usize| f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t;
    [f(0), f(1), f(2)]
}

fn to_f(c: [u8; 3]) -> [f32; 3] {
    c.map(f32::from)
}

fn darken(c: [u8; 3], k: f32) -> [f32; 3] {
    c.map(|v| f32::from(v) * k)
}

/// Colour at unit-square point (x, y). `smooth` replaces the pattern by its
/// mean colour and skips the grain, for the small descriptor render.
fn shade(art: &Art, x: f32, y: f32, smooth: bool) -> [f32; 3] {
    let ox = (x - 0.5 - art.dx) / art.scale + 0.5;
    let oy = (y - 0.5 - art.dy) / art.scale + 0.5;
    match part(art.shape, ox, oy) {
        Some(Part::Body) => {
            let lit = 1.04 - 0.12 * ox; // light from the left
            let base = if smooth {
                mix(art.body, art.accent, art.pattern.coverage() * 0.5)
            } else {
                let on = match art.pattern {
                    Pattern::Plain => false,
                    Pattern::Stripes => (oy * 20.0).fract() < 0.5,
                    Pattern::Dots => {
                        let (u, v) = ((ox * 18.0).fract() - 0.5, (oy * 18.0).fract() - 0.5);
                        u * u + v * v < 0.064
                    }
                    Pattern::Checks => {
                        ((ox * 12.0).floor() as i32 + (oy * 12.0).floor() as i32) % 2 == 0
                    }
                    Pattern::Diagonal => ((ox + oy) * 14.0).fract() < 0.5,
                };
                if on {
                    mix(art.body, art.accent, 0.5)
                } else {
                    to_f(art.body)
                }
            };
            base.map(|v| v * lit)
        }
        Some(Part::Accent) => to_f(art.accent),
        Some(Part::Detail) => darken(art.body, 0.35),
        None => {
            // Soft floor shadow under the object, then a vertical gradient.
            let grad = 1.02 - 0.06 * y;
            let shadow = if ellipse(ox, oy, 0.5, 0.92, 0.36, 0.035) {
                0.86
            } else {
                1.0
            };
            darken(art.background, grad * shadow)
        }
    }
}

fn grain(seed: u64, px: u32, py: u32) -> f32 {
    let mut h = seed ^ (u64::from(px) << 32 | u64::from(py));
    h = h.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    h ^= h >> 29;
    h = h.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    h ^= h >> 32;
    ((h & 0xff) as f32 / 255.0 - 0.5) * 10.0
}

fn to_u8(c: [f32; 3]) -> Rgb<u8> {
    Rgb(c.map(|v| v.round().clamp(0.0, 255.0) as u8))
}

/// The full picture, `size`×`size`, with pattern and grain.
pub fn render(art: &Art, size: u32) -> RgbImage {
    let inv = 1.0 / size as f32;
    RgbImage::from_fn(size, size, |px, py| {
        let x = (px as f32 + 0.5) * inv;
        let y = (py as f32 + 0.5) * inv;
        let g = grain(art.grain, px, py);
        to_u8(shade(art, x, y, false).map(|v| v + g))
    })
}

/// The picture with its pattern but without grain, `size`×`size`: what the
/// catalog downscales for its descriptors, so they see what a photo shows.
pub fn render_clean(art: &Art, size: u32) -> RgbImage {
    let inv = 1.0 / size as f32;
    RgbImage::from_fn(size, size, |px, py| {
        let x = (px as f32 + 0.5) * inv;
        let y = (py as f32 + 0.5) * inv;
        to_u8(shade(art, x, y, false))
    })
}

/// A small render where each pixel is the mean of `ss`×`ss` samples of the
/// smooth shading: close to what box-downscaling the full picture gives.
pub fn render_small(art: &Art, size: u32, ss: u32) -> RgbImage {
    let step = 1.0 / (size * ss) as f32;
    let norm = 1.0 / (ss * ss) as f32;
    RgbImage::from_fn(size, size, |px, py| {
        let mut acc = [0.0f32; 3];
        for sy in 0..ss {
            for sx in 0..ss {
                let x = ((px * ss + sx) as f32 + 0.5) * step;
                let y = ((py * ss + sy) as f32 + 0.5) * step;
                let c = shade(art, x, y, true);
                for (a, v) in acc.iter_mut().zip(c) {
                    *a += v;
                }
            }
        }
        to_u8(acc.map(|v| v * norm))
    })
}

/// The picture as JPEG bytes.
pub fn render_jpeg(art: &Art, size: u32) -> Vec<u8> {
    render_jpeg_with(art, size, JPEG_QUALITY)
}

/// Quality of a catalog picture's first upload.
pub const JPEG_QUALITY: u8 = 88;

/// The picture as JPEG bytes at `quality` (a re-upload is often smaller
/// and more compressed than the first).
pub fn render_jpeg_with(art: &Art, size: u32, quality: u8) -> Vec<u8> {
    let img = render(art, size);
    let mut out = Vec::with_capacity(64 * 1024);
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
    // Encoding an in-memory RGB buffer cannot fail short of a bug; an empty
    // reply is the harmless fallback.
    if enc.encode_image(&img).is_err() {
        return Vec::new();
    }
    out
}
