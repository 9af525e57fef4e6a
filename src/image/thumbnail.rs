//! Terminal pictures made of '▀' half blocks: one cell shows two pixels,
//! the top one as foreground colour and the bottom one as background.

use std::fmt::Write as _;

use image::{DynamicImage, Rgb, RgbImage};
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::Color;
use ratatui::widgets::Widget;

use super::decode::decode;
use super::decoded::{Decoded, ImageError};
use super::prepare::PrepareOptions;
use super::resize::{downscale, fit_within, flatten_to_rgb, resized};
use super::sniff::identify;

const UPPER_HALF: &str = "▀";

/// Decode an image (same bomb limits as upload preparation) and scale it to
/// fit `max_px_w × max_px_h`, keeping aspect ratio and never enlarging.
/// Meant for a background task: it can take tens of milliseconds.
pub fn decode_for_thumbnail(
    bytes: &[u8],
    max_px_w: u32,
    max_px_h: u32,
) -> Result<RgbImage, ImageError> {
    let img = decode_any(bytes)?;
    let (w, h) = fit_within(img.width(), img.height(), max_px_w, max_px_h);
    Ok(flatten_to_rgb(resized(&img, w, h)))
}

/// [`decode_for_thumbnail`], also answering the picture's own size,
/// upright (EXIF orientation applied): what crop mode's box is measured in.
/// That is the whole file's size even when a smaller copy was decoded (a
/// PNG too big to hold is reduced while it is read), so a box drawn on the
/// preview names the same pixels as `--region` on the file.
pub fn decode_with_size(
    bytes: &[u8],
    max_px_w: u32,
    max_px_h: u32,
) -> Result<(RgbImage, (u32, u32)), ImageError> {
    let decoded = decode_picture(bytes)?;
    let size = decoded.upright_size();
    let img = decoded.image;
    let (w, h) = fit_within(img.width(), img.height(), max_px_w, max_px_h);
    Ok((flatten_to_rgb(resized(&img, w, h)), size))
}

/// Longest edge of the picture kept with each search in the history.
pub const HISTORY_THUMB_EDGE: u32 = 96;

/// A small JPEG (at most [`HISTORY_THUMB_EDGE`] on a side, a few KB) of a
/// picture, kept with its search in the history.
pub fn history_thumbnail(bytes: &[u8]) -> Result<Vec<u8>, ImageError> {
    let img = decode_for_thumbnail(bytes, HISTORY_THUMB_EDGE, HISTORY_THUMB_EDGE)?;
    super::encode::encode_jpeg(&img, 75)
}

fn decode_any(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    Ok(decode_picture(bytes)?.image)
}

fn decode_picture(bytes: &[u8]) -> Result<Decoded, ImageError> {
    let format = identify(bytes)?;
    decode(bytes, &format, PrepareOptions::default().max_pixels)
}

/// A picture as a grid of half-block cells, ready to draw.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HalfBlockImage {
    pub cols: u16,
    pub rows: u16,
    /// Row-major, `cols × rows`; (top pixel, bottom pixel).
    cells: Vec<(Rgb<u8>, Rgb<u8>)>,
}

impl HalfBlockImage {
    /// Fit `img` inside `max_cols × max_rows` cells, keeping its aspect ratio
    /// (a cell is taken as 1 pixel wide and 2 pixels tall). Small pictures
    /// are enlarged to fill the box.
    pub fn from_rgb(img: &RgbImage, max_cols: u16, max_rows: u16) -> HalfBlockImage {
        let Some((w, h)) = grid_pixels(img.width(), img.height(), max_cols, max_rows) else {
            return HalfBlockImage::default();
        };
        if (img.width(), img.height()) == (w, h) {
            return Self::from_exact(img);
        }
        let scaled = downscale(img, w, h);
        Self::from_exact(&scaled)
    }

    /// Decode and scale straight to the cell grid in a single resize.
    pub fn from_bytes(
        bytes: &[u8],
        max_cols: u16,
        max_rows: u16,
    ) -> Result<HalfBlockImage, ImageError> {
        let img = decode_any(bytes)?;
        let Some((w, h)) = grid_pixels(img.width(), img.height(), max_cols, max_rows) else {
            return Ok(HalfBlockImage::default());
        };
        Ok(Self::from_exact(&flatten_to_rgb(resized(&img, w, h))))
    }

    /// Build from an image whose height is even and size fits u16 cells.
    fn from_exact(img: &RgbImage) -> HalfBlockImage {
        let cols = u16::try_from(img.width()).unwrap_or(u16::MAX);
        let rows = u16::try_from(img.height() / 2).unwrap_or(u16::MAX);
        let mut cells = Vec::with_capacity(usize::from(cols) * usize::from(rows));
        for r in 0..u32::from(rows) {
            for c in 0..u32::from(cols) {
                let top = img
                    .get_pixel_checked(c, 2 * r)
                    .copied()
                    .unwrap_or(Rgb([0, 0, 0]));
                let bottom = img.get_pixel_checked(c, 2 * r + 1).copied().unwrap_or(top);
                cells.push((top, bottom));
            }
        }
        HalfBlockImage { cols, rows, cells }
    }

    /// (top, bottom) colours of a cell, if it exists.
    pub fn cell(&self, col: u16, row: u16) -> Option<(Rgb<u8>, Rgb<u8>)> {
        if col >= self.cols || row >= self.rows {
            return None;
        }
        self.cells
            .get(usize::from(row) * usize::from(self.cols) + usize::from(col))
            .copied()
    }

    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Approximate heap + inline size, for bounding a cache.
    pub(crate) fn byte_size(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.cells.capacity() * std::mem::size_of::<(Rgb<u8>, Rgb<u8>)>()
    }

    /// 24-bit SGR text, one line per row (headless previews and benchmarks).
    pub(crate) fn to_ansi(&self) -> String {
        let mut out = String::with_capacity(self.cells.len() * 40);
        for row in 0..self.rows {
            self.write_row(&mut out, row);
            out.push('\n');
        }
        out
    }

    /// One row of cells as SGR text, ending with an attribute reset.
    pub(crate) fn write_row(&self, out: &mut String, row: u16) {
        for col in 0..self.cols {
            if let Some((t, b)) = self.cell(col, row) {
                // Writing to a String cannot fail.
                let _ = write!(
                    out,
                    "\x1b[38;2;{};{};{};48;2;{};{};{}m{UPPER_HALF}",
                    t[0], t[1], t[2], b[0], b[1], b[2]
                );
            }
        }
        out.push_str("\x1b[0m");
    }
}

/// Pixel size of the grid for a `w×h` picture in `max_cols × max_rows`
/// cells: aspect kept, enlarging allowed, height even. None if nothing fits.
fn grid_pixels(w: u32, h: u32, max_cols: u16, max_rows: u16) -> Option<(u32, u32)> {
    if w == 0 || h == 0 || max_cols == 0 || max_rows == 0 {
        return None;
    }
    let (box_w, box_h) = (u32::from(max_cols), 2 * u32::from(max_rows));
    let scale = (f64::from(box_w) / f64::from(w)).min(f64::from(box_h) / f64::from(h));
    let pw = (f64::from(w) * scale).round().clamp(1.0, f64::from(box_w)) as u32;
    let ph = (f64::from(h) * scale).round().clamp(1.0, f64::from(box_h)) as u32;
    // Round up to whole cells; box_h is even so this stays inside the box.
    Some((pw, ph.div_ceil(2) * 2))
}

impl Widget for &HalfBlockImage {
    /// Centred in `area`, clipped to it and to the buffer.
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() || self.is_empty() {
            return;
        }
        let draw_w = self.cols.min(area.width);
        let draw_h = self.rows.min(area.height);
        let x0 = area.x.saturating_add((area.width - draw_w) / 2);
        let y0 = area.y.saturating_add((area.height - draw_h) / 2);
        // When the picture is bigger than the area, show its middle.
        let skip_c = (self.cols - draw_w) / 2;
        let skip_r = (self.rows - draw_h) / 2;
        for r in 0..draw_h {
            for c in 0..draw_w {
                let Some((top, bottom)) = self.cell(c + skip_c, r + skip_r) else {
                    continue;
                };
                let pos = Position::new(x0.saturating_add(c), y0.saturating_add(r));
                if let Some(cell) = buf.cell_mut(pos) {
                    cell.set_symbol(UPPER_HALF)
                        .set_fg(Color::Rgb(top[0], top[1], top[2]))
                        .set_bg(Color::Rgb(bottom[0], bottom[1], bottom[2]));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn encode(img: &RgbImage, fmt: image::ImageFormat) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        DynamicImage::ImageRgb8(img.clone())
            .write_to(&mut out, fmt)
            .expect("test encode");
        out.into_inner()
    }

    fn two_colour(w: u32, h: u32) -> RgbImage {
        // Top half red, bottom half blue.
        RgbImage::from_fn(w, h, |_, y| {
            if y < h / 2 {
                Rgb([255, 0, 0])
            } else {
                Rgb([0, 0, 255])
            }
        })
    }

    #[test]
    fn keeps_aspect_and_bounds() {
        let wide = RgbImage::new(400, 100);
        let hb = HalfBlockImage::from_rgb(&wide, 40, 20);
        assert_eq!((hb.cols, hb.rows), (40, 5));
        let tall = RgbImage::new(100, 400);
        let hb = HalfBlockImage::from_rgb(&tall, 40, 20);
        assert_eq!((hb.cols, hb.rows), (10, 20));
        let square = RgbImage::new(800, 800);
        let hb = HalfBlockImage::from_rgb(&square, 40, 20);
        assert_eq!((hb.cols, hb.rows), (40, 20));
        let tiny = RgbImage::new(3, 3);
        let hb = HalfBlockImage::from_rgb(&tiny, 40, 20);
        assert!(hb.cols <= 40 && hb.rows <= 20 && hb.cols >= 39);
        for (cols, rows) in [(0, 5), (5, 0), (0, 0)] {
            assert!(HalfBlockImage::from_rgb(&square, cols, rows).is_empty());
        }
        let sliver = RgbImage::new(10_000, 1);
        let hb = HalfBlockImage::from_rgb(&sliver, 40, 20);
        assert_eq!((hb.cols, hb.rows), (40, 1));
    }

    #[test]
    fn colours_land_in_fg_and_bg() {
        // 1 column × 2 pixels: exactly one cell.
        let img = two_colour(1, 2);
        let hb = HalfBlockImage::from_rgb(&img, 1, 1);
        assert_eq!(hb.cell(0, 0), Some((Rgb([255, 0, 0]), Rgb([0, 0, 255]))));

        let mut buf = Buffer::empty(Rect::new(0, 0, 3, 3));
        (&hb).render(buf.area, &mut buf);
        let cell = &buf[(1, 1)];
        assert_eq!(cell.symbol(), UPPER_HALF);
        assert_eq!(cell.fg, Color::Rgb(255, 0, 0));
        assert_eq!(cell.bg, Color::Rgb(0, 0, 255));
        assert_eq!(buf[(0, 0)].symbol(), " ");
    }

    #[test]
    fn renders_into_any_area_without_panicking() {
        let hb = HalfBlockImage::from_rgb(&two_colour(64, 64), 20, 10);
        for (w, h) in [(0, 0), (1, 1), (3, 2), (20, 10), (80, 40)] {
            let mut buf = Buffer::empty(Rect::new(0, 0, w, h));
            (&hb).render(buf.area, &mut buf);
            // Areas outside or partly outside the buffer, too.
            (&hb).render(Rect::new(w.saturating_sub(1), h, 30, 30), &mut buf);
            (&hb).render(Rect::new(u16::MAX - 2, u16::MAX - 2, 10, 10), &mut buf);
        }
        let mut buf = Buffer::empty(Rect::new(5, 5, 4, 4));
        (&hb).render(Rect::new(0, 0, 100, 100), &mut buf);
        (&HalfBlockImage::default()).render(Rect::new(0, 0, 4, 4), &mut buf);
    }

    #[test]
    fn from_bytes_decodes_and_fits() {
        let jpg = encode(&two_colour(800, 800), image::ImageFormat::Jpeg);
        let hb = HalfBlockImage::from_bytes(&jpg, 40, 20).expect("decodes");
        assert_eq!((hb.cols, hb.rows), (40, 20));
        let (top, _) = hb.cell(20, 0).expect("cell");
        let (_, bottom) = hb.cell(20, 19).expect("cell");
        assert!(top[0] > 200 && top[2] < 60, "{top:?}");
        assert!(bottom[2] > 200 && bottom[0] < 60, "{bottom:?}");
        assert!(hb.byte_size() >= 40 * 20 * 6);
        let ansi = hb.to_ansi();
        assert_eq!(ansi.lines().count(), 20);
        assert!(ansi.starts_with("\x1b[38;2;"));

        assert!(matches!(
            HalfBlockImage::from_bytes(b"plain text", 40, 20),
            Err(ImageError::NotAnImage { .. })
        ));
        assert!(matches!(
            HalfBlockImage::from_bytes(&[], 40, 20),
            Err(ImageError::Empty)
        ));
    }

    #[test]
    fn decode_for_thumbnail_fits_without_enlarging() {
        let png = encode(&two_colour(300, 150), image::ImageFormat::Png);
        let img = decode_for_thumbnail(&png, 100, 100).expect("ok");
        assert_eq!(img.dimensions(), (100, 50));
        let img = decode_for_thumbnail(&png, 1000, 1000).expect("ok");
        assert_eq!(img.dimensions(), (300, 150));
        let jpg = encode(&two_colour(300, 150), image::ImageFormat::Jpeg);
        assert!(matches!(
            decode_for_thumbnail(&jpg[..jpg.len() / 3], 100, 100),
            Err(ImageError::Corrupt { .. })
        ));
    }

    /// `cargo test --release --lib image::thumbnail -- --ignored --nocapture`
    #[test]
    #[ignore]
    fn bench_half_blocks_from_800px_jpeg() {
        let img = RgbImage::from_fn(800, 800, |x, y| Rgb([x as u8, y as u8, (x ^ y) as u8]));
        let jpg = encode(&img, image::ImageFormat::Jpeg);
        let n = 50;
        let t = std::time::Instant::now();
        for _ in 0..n {
            std::hint::black_box(HalfBlockImage::from_bytes(&jpg, 40, 20).expect("ok"));
        }
        println!(
            "800×800 JPEG → 40×20 half blocks: {:?} each",
            t.elapsed() / n
        );
    }
}
