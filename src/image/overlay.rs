//! kitty: crop mode's box as a picture of its own, drawn over the crop
//! picture (kitty stacks it above, z=1): outside the box dimmed, its edge
//! bright, the detected subjects dotted and numbered. Moving the box sends
//! this small picture again (mostly transparent, a few kilobytes) and
//! never the photo under it; the text layer is not involved, so nothing of
//! it needs to show through a picture.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use image::{GrayImage, Luma};

/// A box in the picture's own pixels: `(x1, y1, x2, y2)`, right and bottom
/// exclusive.
pub type Bounds = (u32, u32, u32, u32);

/// The overlay is drawn in palette indices (a byte per pixel, a quarter of
/// RGBA's, so the PNG is a few kilobytes at any size): what each means.
type Ink = Luma<u8>;
const CLEAR: Ink = Luma([0]);
/// Outside the box: black at 65 %, which leaves the picture at 35 % as the
/// half-block view dims it.
const DIM: Ink = Luma([1]);
/// The box's edge (the half-block view's colour).
const EDGE: Ink = Luma([2]);
/// A detected subject's edge.
const SUBJECT: Ink = Luma([3]);
const INK: Ink = Luma([4]);
const PAPER: Ink = Luma([5]);
/// RGB and alpha of each index.
const PALETTE: [[u8; 4]; 6] = [
    [0, 0, 0, 0],
    [0, 0, 0, 166],
    [255, 214, 0, 255],
    [0, 200, 230, 255],
    [0, 0, 0, 255],
    [255, 255, 255, 255],
];
/// Largest side of the overlay in pixels: kitty scales it to the cells it
/// is placed in, so a larger terminal costs no more memory than this.
const MAX_SIDE: u32 = 2400;

/// What crop mode shows over its picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CropFrame {
    /// The picture's own size, which the boxes are measured in.
    pub picture: (u32, u32),
    pub selection: Bounds,
    pub subjects: Vec<Bounds>,
    /// The subject the box was last set to, drawn reversed.
    pub chosen: Option<usize>,
    /// The terminal's cell in pixels (the overlay is drawn at the size of
    /// the cells it covers, so its lines are one pixel wide on screen).
    pub cell: (u16, u16),
}

impl CropFrame {
    /// The overlay for a placement of `cols × rows` cells: `None` when
    /// there is nothing to draw.
    pub fn render(&self, cols: u16, rows: u16) -> Option<GrayImage> {
        let (pw, ph) = self.picture;
        let w = u32::from(cols) * u32::from(self.cell.0.max(1));
        let h = u32::from(rows) * u32::from(self.cell.1.max(1));
        if pw == 0 || ph == 0 || w == 0 || h == 0 {
            return None;
        }
        // Bounded: a huge terminal draws a smaller overlay, scaled up.
        let shrink = w.max(h).div_ceil(MAX_SIDE).max(1);
        let (w, h) = ((w / shrink).max(1), (h / shrink).max(1));
        let to = |b: Bounds| -> Bounds {
            let sx = |v: u32| (u64::from(v.min(pw)) * u64::from(w) / u64::from(pw)) as u32;
            let sy = |v: u32| (u64::from(v.min(ph)) * u64::from(h) / u64::from(ph)) as u32;
            let (x1, y1) = (sx(b.0).min(w - 1), sy(b.1).min(h - 1));
            (x1, y1, sx(b.2).max(x1 + 1), sy(b.3).max(y1 + 1))
        };
        let line = (u32::from(self.cell.1.min(self.cell.0)) / (5 * shrink)).clamp(1, 4);
        let sel = to(self.selection);
        let mut img = GrayImage::from_pixel(w, h, DIM);
        fill(&mut img, sel, CLEAR);
        for (i, s) in self.subjects.iter().enumerate() {
            let b = to(*s);
            dotted(&mut img, b, line.max(2), SUBJECT);
            let scale = (u32::from(self.cell.1) / (8 * shrink)).max(1);
            let (ink, paper) = if self.chosen == Some(i) {
                (INK, PAPER)
            } else {
                (INK, SUBJECT)
            };
            label(&mut img, b.0 + line, b.1 + line, i + 1, scale, ink, paper);
        }
        edge(&mut img, sel, line.max(2), EDGE);
        Some(img)
    }

    /// The overlay as a PNG in base64, ready for kitty.
    pub fn encode(&self, cols: u16, rows: u16) -> Option<Vec<u8>> {
        let img = self.render(cols, rows)?;
        let mut png = Vec::new();
        let mut enc = png::Encoder::new(&mut png, img.width(), img.height());
        enc.set_color(png::ColorType::Indexed);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_palette(
            PALETTE
                .iter()
                .flat_map(|c| [c[0], c[1], c[2]])
                .collect::<Vec<u8>>(),
        );
        enc.set_trns(PALETTE.iter().map(|c| c[3]).collect::<Vec<u8>>());
        // Rows repeat: `Up` leaves them zeros, which deflate shrinks to
        // almost nothing (its fastest mode does not: it is made for photos).
        enc.set_compression(png::Compression::Balanced);
        enc.set_filter(png::Filter::Up);
        let mut writer = enc.write_header().ok()?;
        writer.write_image_data(img.as_raw()).ok()?;
        writer.finish().ok()?;
        Some(B64.encode(&png).into_bytes())
    }
}

/// Sets every pixel of `b` (clipped to the picture).
fn fill(img: &mut GrayImage, b: Bounds, c: Ink) {
    let (w, h) = img.dimensions();
    for y in b.1.min(h)..b.3.min(h) {
        for x in b.0.min(w)..b.2.min(w) {
            img.put_pixel(x, y, c);
        }
    }
}

/// The edge of `b`, `t` pixels thick, inside it.
fn edge(img: &mut GrayImage, b: Bounds, t: u32, c: Ink) {
    let (x1, y1, x2, y2) = b;
    let t = t
        .min((x2 - x1).div_ceil(2))
        .min((y2 - y1).div_ceil(2))
        .max(1);
    fill(img, (x1, y1, x2, y1 + t), c);
    fill(img, (x1, y2 - t, x2, y2), c);
    fill(img, (x1, y1, x1 + t, y2), c);
    fill(img, (x2 - t, y1, x2, y2), c);
}

/// The edge of `b` in dashes of `3t` pixels.
fn dotted(img: &mut GrayImage, b: Bounds, t: u32, c: Ink) {
    let (x1, y1, x2, y2) = b;
    let t = t.min(x2 - x1).min(y2 - y1).max(1);
    let dash = 3 * t;
    let mut x = x1;
    while x < x2 {
        let end = (x + dash).min(x2);
        fill(img, (x, y1, end, y1 + t), c);
        fill(img, (x, y2 - t, end, y2), c);
        x += 2 * dash;
    }
    let mut y = y1;
    while y < y2 {
        let end = (y + dash).min(y2);
        fill(img, (x1, y, x1 + t, end), c);
        fill(img, (x2 - t, y, x2, end), c);
        y += 2 * dash;
    }
}

/// Digits 0–9 in a 3×5 pixel font, a row per line, high bit on the left.
const DIGITS: [[u8; 5]; 10] = [
    [0b111, 0b101, 0b101, 0b101, 0b111],
    [0b010, 0b110, 0b010, 0b010, 0b111],
    [0b111, 0b001, 0b111, 0b100, 0b111],
    [0b111, 0b001, 0b111, 0b001, 0b111],
    [0b101, 0b101, 0b111, 0b001, 0b001],
    [0b111, 0b100, 0b111, 0b001, 0b111],
    [0b111, 0b100, 0b111, 0b101, 0b111],
    [0b111, 0b001, 0b010, 0b010, 0b010],
    [0b111, 0b101, 0b111, 0b101, 0b111],
    [0b111, 0b101, 0b111, 0b001, 0b111],
];

/// `n` written at `(x, y)` in `ink` on a `paper` tag, `scale` pixels per
/// font pixel (a subject's number, as the half-block view writes it).
fn label(img: &mut GrayImage, x: u32, y: u32, n: usize, scale: u32, ink: Ink, paper: Ink) {
    let digits: Vec<usize> = n
        .to_string()
        .bytes()
        .map(|b| usize::from(b.saturating_sub(b'0')).min(9))
        .collect();
    let s = scale;
    let width = (digits.len() as u32) * 4 * s + s;
    fill(img, (x, y, x + width, y + 7 * s), paper);
    for (i, d) in digits.iter().enumerate() {
        let left = x + s + (i as u32) * 4 * s;
        for (row, bits) in DIGITS[*d].iter().enumerate() {
            for col in 0..3u32 {
                if bits & (0b100 >> col) != 0 {
                    let (px, py) = (left + col * s, y + s + row as u32 * s);
                    fill(img, (px, py, px + s, py + s), ink);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> CropFrame {
        CropFrame {
            picture: (1000, 500),
            selection: (250, 100, 750, 400),
            subjects: vec![(100, 50, 300, 250)],
            chosen: None,
            cell: (10, 20),
        }
    }

    #[test]
    fn inside_the_box_is_clear_outside_dimmed_and_the_edge_bright() {
        // 20×5 cells of 10×20 pixels: 200×100, half the picture's scale.
        let img = frame().render(20, 5).unwrap();
        assert_eq!(img.dimensions(), (200, 100));
        assert_eq!(*img.get_pixel(100, 50), CLEAR, "the box's middle");
        assert_eq!(*img.get_pixel(190, 90), DIM, "outside");
        assert_eq!(*img.get_pixel(50, 50), EDGE, "the box's left edge");
        assert_eq!(*img.get_pixel(149, 50), EDGE, "its right edge");
        assert_eq!(*img.get_pixel(100, 20), EDGE, "its top edge");
        assert_eq!(*img.get_pixel(100, 79), EDGE, "its bottom edge");
        assert_eq!(*img.get_pixel(100, 78), EDGE, "two pixels thick");
        assert_eq!(*img.get_pixel(100, 77), CLEAR);
        // The subject's number on its tag at its top-left corner.
        assert_eq!(*img.get_pixel(23, 13), SUBJECT);
        assert_eq!(*img.get_pixel(26, 14), INK, "the 1's stroke");
    }

    #[test]
    fn the_chosen_subject_is_tagged_apart() {
        let mut f = frame();
        f.chosen = Some(0);
        let img = f.render(20, 5).unwrap();
        assert_eq!(*img.get_pixel(23, 13), PAPER);
    }

    #[test]
    fn nothing_to_draw_for_an_empty_picture_or_placement() {
        let mut f = frame();
        assert!(f.render(0, 5).is_none());
        f.picture = (0, 10);
        assert!(f.render(20, 5).is_none());
    }

    #[test]
    fn a_huge_placement_is_drawn_smaller_and_boxes_at_the_edges_stay_inside() {
        let mut f = frame();
        f.selection = (0, 0, 1000, 500);
        f.subjects = vec![(999, 499, 1000, 500), (0, 0, 1, 1)];
        let img = f.render(1000, 400).unwrap();
        assert!(img.width() <= MAX_SIDE && img.height() <= MAX_SIDE);
        assert_eq!(*img.get_pixel(0, 0), EDGE);
        assert!(f.encode(1000, 400).is_some());
    }

    /// Mostly transparent: a few kilobytes even at a large size, so moving
    /// the box costs far less than sending the picture.
    #[test]
    fn the_overlay_is_small_on_the_wire() {
        let b64 = frame().encode(150, 45).unwrap();
        assert!(b64.len() < 8_000, "{} bytes", b64.len());
    }
}
