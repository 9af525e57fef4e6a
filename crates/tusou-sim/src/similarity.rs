//! Compact image descriptors and their distance, so that results look like a
//! real image search: what the thing is (its outline) first, then its
//! colours.
//!
//! * Colour: an 8×8 grid of mean colours in an opponent colour space
//!   (layout) plus a 4×4×4 colour histogram (palette), from the picture
//!   box-downscaled to 16×16.
//! * Shape: the object's silhouette — pixels that stand out from the
//!   backdrop (estimated row by row from the picture's left and right
//!   edges) — sampled on an 8×8 grid over its own bounding box, plus the
//!   box's aspect ratio, from the picture downscaled to at most 48 pixels a
//!   side. Normalising to the bounding box makes it blind to where the
//!   object sits and how large it is, so two photos of one product type
//!   agree whatever the framing.

use image::{Rgb, RgbImage, imageops};

/// Side of the image the colour part is computed from.
pub const COLOUR_SIDE: u32 = 16;
/// Longest side of the image the silhouette is computed from; the catalog
/// renders its descriptor pictures at this size.
pub const SHAPE_SIDE: u32 = 48;
const GRID: usize = 8;
const BINS: usize = 4;
const SIL: usize = 8;

/// How much a unit of shape distance weighs against colour distance.
pub const SHAPE_WEIGHT: f32 = 1.0;
/// Shape differences below this are noise (two photos of one object
/// differ this much), so colour alone decides between such pictures.
pub const SHAPE_TOLERANCE: f32 = 0.1;
/// Colour distance below which two pictures are near-duplicates.
const NEAR_DUPLICATE: f32 = 0.008;

/// The object's outline: silhouette coverage per cell of its bounding box,
/// and the box's aspect ratio.
#[derive(Debug, Clone, PartialEq)]
struct Outline {
    cells: [f32; SIL * SIL],
    /// ln(width / height) of the bounding box.
    aspect: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Descriptor {
    grid: [[f32; 3]; GRID * GRID],
    hist: [f32; BINS * BINS * BINS],
    /// `None` when nothing stands out from the backdrop.
    outline: Option<Outline>,
}

/// Opponent colour space: lightness plus two chroma axes, so a change of hue
/// costs about as much as a change of brightness (plain RGB under-weights it).
fn opponent(rgb: [u8; 3]) -> [f32; 3] {
    let [r, g, b] = rgb.map(|v| f32::from(v) / 255.0);
    [(r + g + b) / 3.0, (r - g) * 0.8, ((r + g) * 0.5 - b) * 0.8]
}

/// Exact k×k box average (for the catalog's own renders, whose side is a
/// multiple of the colour side).
fn box_down(img: &RgbImage, k: u32) -> RgbImage {
    let norm = 1.0 / (k * k) as f32;
    RgbImage::from_fn(img.width() / k, img.height() / k, |x, y| {
        let mut acc = [0.0f32; 3];
        for dy in 0..k {
            for dx in 0..k {
                let p = img.get_pixel(x * k + dx, y * k + dy).0;
                for (a, v) in acc.iter_mut().zip(p) {
                    *a += f32::from(v);
                }
            }
        }
        Rgb(acc.map(|v| (v * norm).round().clamp(0.0, 255.0) as u8))
    })
}

impl Descriptor {
    /// From any non-empty image.
    pub fn of_image(img: &RgbImage) -> Descriptor {
        let (w, h) = img.dimensions();
        let colour = if (w, h) == (COLOUR_SIDE, COLOUR_SIDE) {
            img.clone()
        } else if w == h && w % COLOUR_SIDE == 0 && w <= SHAPE_SIDE {
            box_down(img, w / COLOUR_SIDE)
        } else {
            imageops::thumbnail(img, COLOUR_SIDE, COLOUR_SIDE)
        };
        let (grid, hist) = colour_part(&colour);
        let longest = w.max(h).max(1);
        let outline = if longest <= SHAPE_SIDE {
            outline_of(img)
        } else {
            let scale = |v: u32| {
                ((u64::from(v) * u64::from(SHAPE_SIDE) + u64::from(longest) / 2)
                    / u64::from(longest))
                .max(1) as u32
            };
            outline_of(&imageops::thumbnail(img, scale(w), scale(h)))
        };
        Descriptor {
            grid,
            hist,
            outline,
        }
    }

    /// Colour distance: layout plus palette; 0 for identical colours.
    pub fn colour_distance(&self, other: &Descriptor) -> f32 {
        let grid: f32 = self
            .grid
            .iter()
            .zip(&other.grid)
            .map(|(a, b)| {
                let d = [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
                d[0] * d[0] + d[1] * d[1] + d[2] * d[2]
            })
            .sum::<f32>()
            / (GRID * GRID) as f32;
        let hist: f32 = self
            .hist
            .iter()
            .zip(&other.hist)
            .map(|(a, b)| (a - b).abs())
            .sum();
        grid + 0.02 * hist
    }

    /// Shape distance: mean silhouette difference plus aspect difference;
    /// 0 for identical outlines, 1 when only one picture has an object.
    pub fn shape_distance(&self, other: &Descriptor) -> f32 {
        match (&self.outline, &other.outline) {
            (Some(a), Some(b)) => {
                let cells: f32 = a
                    .cells
                    .iter()
                    .zip(&b.cells)
                    .map(|(x, y)| (x - y).abs())
                    .sum::<f32>()
                    / (SIL * SIL) as f32;
                cells + 0.25 * (a.aspect - b.aspect).abs()
            }
            (None, None) => 0.0,
            _ => 1.0,
        }
    }

    /// Smaller is more alike; 0 for identical descriptors.
    pub fn distance(&self, other: &Descriptor) -> f32 {
        let colour = self.colour_distance(other);
        let shape = (self.shape_distance(other) - SHAPE_TOLERANCE).max(0.0);
        // Nearly identical colour layouts (the layout grid is itself a tiny
        // picture) are the same picture whatever a low-contrast outline
        // says, so shape counts less the closer the colours are.
        let trust = (colour / NEAR_DUPLICATE).min(1.0);
        colour + SHAPE_WEIGHT * shape * trust
    }

    /// Whether an object was found against the backdrop.
    pub fn has_outline(&self) -> bool {
        self.outline.is_some()
    }
}

type ColourPart = ([[f32; 3]; GRID * GRID], [f32; BINS * BINS * BINS]);

/// From an image that is already 16×16.
fn colour_part(img: &RgbImage) -> ColourPart {
    let mut grid = [[0.0f32; 3]; GRID * GRID];
    let mut hist = [0.0f32; BINS * BINS * BINS];
    let cell = (COLOUR_SIDE as usize) / GRID;
    let per_cell = 1.0 / (cell * cell) as f32;
    let per_pixel = 1.0 / (COLOUR_SIDE * COLOUR_SIDE) as f32;
    for (x, y, px) in img.enumerate_pixels() {
        let (x, y) = (x as usize, y as usize);
        let o = opponent(px.0);
        if let Some(g) = grid.get_mut((y / cell) * GRID + x / cell) {
            for (a, v) in g.iter_mut().zip(o) {
                *a += v * per_cell;
            }
        }
        let bin = |v: u8| usize::from(v) * BINS / 256;
        let [r, gg, b] = px.0;
        hist[(bin(r) * BINS + bin(gg)) * BINS + bin(b)] += per_pixel;
    }
    (grid, hist)
}

fn spread(a: [u8; 3], b: [u8; 3]) -> u8 {
    (0..3).map(|i| a[i].abs_diff(b[i])).max().unwrap_or(0)
}

fn mean(px: &[[u8; 3]]) -> [u8; 3] {
    let n = px.len().max(1) as u32;
    let mut acc = [0u32; 3];
    for p in px {
        for (a, v) in acc.iter_mut().zip(p) {
            *a += u32::from(*v);
        }
    }
    acc.map(|v| (v / n) as u8)
}

/// Per-channel median of the picture's two-pixel frame.
fn frame_median(img: &RgbImage) -> [u8; 3] {
    let (w, h) = img.dimensions();
    let mut ch: [Vec<u8>; 3] = [Vec::new(), Vec::new(), Vec::new()];
    for (x, y, p) in img.enumerate_pixels() {
        if x < 2 || y < 2 || x + 2 >= w || y + 2 >= h {
            for (c, v) in ch.iter_mut().zip(p.0) {
                c.push(v);
            }
        }
    }
    ch.map(|mut c| {
        c.sort_unstable();
        c.get(c.len() / 2).copied().unwrap_or(0)
    })
}

/// How surely a pixel belongs to the object rather than the backdrop `bg`
/// of its row, 0..=1. A floor shadow or the backdrop's gradient only scales
/// the backdrop's colour (by about 0.86 for a shadow), so the pixel is
/// compared with the nearest scaled backdrop: a different hue or
/// saturation counts, and so does a large change of brightness; a shadow's
/// does not. Soft rather than a hard threshold, so parts whose colour is
/// near the backdrop's do not flip in and out between two photos.
fn membership(p: [u8; 3], bg: [u8; 3]) -> f32 {
    let p = p.map(f32::from);
    let b = bg.map(f32::from);
    let bb: f32 = b.iter().map(|v| v * v).sum();
    if bb < 30.0 * 30.0 * 3.0 {
        // A near-black backdrop: plain difference.
        let d = (0..3).map(|i| (p[i] - b[i]).abs()).fold(0.0, f32::max);
        return ((d - 28.0) / 20.0).clamp(0.0, 1.0);
    }
    let k = (0..3).map(|i| p[i] * b[i]).sum::<f32>() / bb;
    let residual = (0..3).map(|i| (p[i] - k * b[i]).abs()).fold(0.0, f32::max);
    let hue = ((residual - 14.0) / 14.0).clamp(0.0, 1.0);
    let darker = ((0.80 - k) / 0.08).clamp(0.0, 1.0);
    let lighter = ((k - 1.07) / 0.05).clamp(0.0, 1.0);
    hue.max(darker).max(lighter)
}

fn outline_of(img: &RgbImage) -> Option<Outline> {
    let (w, h) = img.dimensions();
    if w < 6 || h < 6 {
        return None;
    }
    let fallback = frame_median(img);
    let (wu, hu) = (w as usize, h as usize);
    let mut mask = vec![0.0f32; wu * hu];
    let mut rows = vec![0.0f32; hu];
    let mut cols = vec![0.0f32; wu];
    for y in 0..h {
        // The backdrop of this row: its edge pixels when they agree (a
        // backdrop may have a vertical gradient), else the frame's median.
        let edge = [0, 1, w - 2, w - 1].map(|x| img.get_pixel(x, y).0);
        let agree = edge
            .iter()
            .all(|a| edge.iter().all(|b| spread(*a, *b) <= 24));
        let bg = if agree { mean(&edge) } else { fallback };
        for x in 0..w {
            let m = membership(img.get_pixel(x, y).0, bg);
            mask[y as usize * wu + x as usize] = m;
            rows[y as usize] += m;
            cols[x as usize] += m;
        }
    }
    // The bounding box of the object's bulk: rows and columns holding at
    // least a pixel and a half of it, so a sliver (a button, a tip) that a
    // downscale may keep or lose does not move the box.
    const BULK: f32 = 1.5;
    let span = |v: &[f32]| {
        let first = v.iter().position(|s| *s >= BULK)?;
        let last = v.iter().rposition(|s| *s >= BULK)?;
        Some((first as u32, last as u32))
    };
    let ((x0, x1), (y0, y1)) = (span(&cols)?, span(&rows)?);
    if rows.iter().sum::<f32>() < 6.0 {
        return None;
    }
    let (bw, bh) = ((x1 - x0 + 1) as f32, (y1 - y0 + 1) as f32);
    let mut cells = [0.0f32; SIL * SIL];
    const SUB: usize = 3;
    for (i, cell) in cells.iter_mut().enumerate() {
        let (cx, cy) = (i % SIL, i / SIL);
        let mut on = 0.0;
        for sy in 0..SUB {
            for sx in 0..SUB {
                let u = (cx as f32 + (sx as f32 + 0.5) / SUB as f32) / SIL as f32;
                let v = (cy as f32 + (sy as f32 + 0.5) / SUB as f32) / SIL as f32;
                let px = (x0 as usize + (u * bw) as usize).min(wu - 1);
                let py = (y0 as usize + (v * bh) as usize).min(hu - 1);
                on += mask[py * wu + px];
            }
        }
        *cell = on / (SUB * SUB) as f32;
    }
    Some(Outline {
        cells,
        aspect: (bw / bh).ln(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_images_have_zero_distance_and_colours_matter() {
        let red = RgbImage::from_pixel(40, 30, Rgb([200, 20, 20]));
        let blue = RgbImage::from_pixel(40, 30, Rgb([20, 20, 200]));
        let a = Descriptor::of_image(&red);
        assert_eq!(a.distance(&a), 0.0);
        assert!(a.distance(&Descriptor::of_image(&blue)) > 0.05);
        // A flat picture has no object in it.
        assert!(!a.has_outline());
    }

    fn draw(w: u32, h: u32, fg: [u8; 3], inside: impl Fn(f32, f32) -> bool) -> RgbImage {
        RgbImage::from_fn(w, h, |x, y| {
            let (u, v) = ((x as f32 + 0.5) / w as f32, (y as f32 + 0.5) / h as f32);
            if inside(u, v) {
                Rgb(fg)
            } else {
                Rgb([245, 245, 245])
            }
        })
    }

    #[test]
    fn outline_ignores_position_and_size_but_sees_shape() {
        let disc = |cx: f32, cy: f32, r: f32| {
            move |u: f32, v: f32| (u - cx).powi(2) + (v - cy).powi(2) <= r * r
        };
        let small_left = Descriptor::of_image(&draw(200, 200, [200, 30, 30], disc(0.3, 0.4, 0.15)));
        let big_right = Descriptor::of_image(&draw(200, 200, [200, 30, 30], disc(0.6, 0.55, 0.3)));
        let bar = Descriptor::of_image(&draw(200, 200, [200, 30, 30], |u, v| {
            (0.1..0.9).contains(&u) && (0.45..0.55).contains(&v)
        }));
        let same = small_left.shape_distance(&big_right);
        let other = small_left.shape_distance(&bar);
        assert!(same < 0.08, "{same}");
        assert!(other > 0.3, "{other}");
        // Same colours, other shape: the shape term decides.
        assert!(small_left.distance(&big_right) < small_left.distance(&bar));
    }

    #[test]
    fn outline_survives_a_backdrop_gradient_and_shadow() {
        let img = RgbImage::from_fn(48, 48, |x, y| {
            let grad = 250.0 - 15.0 * y as f32 / 48.0;
            let (u, v) = (x as f32 / 48.0, y as f32 / 48.0);
            if (0.4..0.6).contains(&u) && (0.2..0.8).contains(&v) {
                Rgb([40, 90, 200])
            } else if (0.25..0.75).contains(&u) && (0.82..0.88).contains(&v) {
                // Floor shadow: 14 % darker.
                let s = (grad * 0.86) as u8;
                Rgb([s, s, s])
            } else {
                let g = grad as u8;
                Rgb([g, g, g])
            }
        });
        let d = Descriptor::of_image(&img);
        let o = d.outline.as_ref().unwrap();
        // A tall box (the bottle), not the wide shadow.
        assert!(o.aspect < -0.9, "{}", o.aspect);
    }

    #[test]
    fn tiny_or_odd_images_do_not_panic() {
        for (w, h) in [(1, 1), (1, 300), (300, 1), (5, 5), (7, 3000)] {
            let img = RgbImage::from_fn(w, h, |x, y| Rgb([(x * 7) as u8, (y * 3) as u8, 9]));
            let d = Descriptor::of_image(&img);
            assert!(d.distance(&d) == 0.0);
        }
    }
}
