//! Terminal graphics protocols (kitty, iTerm, sixel) with half blocks as
//! fallback: which one is in use, and the escape bytes that draw a picture.
//!
//! viuer 0.11 only prints to stdout: its printers and the `Printer` trait
//! are private, so it cannot render into a buffer that we write after
//! ratatui's frame. We use it for detection only (`detect`) and emit the
//! (small) kitty and iTerm escape sequences ourselves, and sixel with
//! `icy_sixel` (pure Rust, the encoder viuer's `icy_sixel` feature uses;
//! that feature also gives us viuer's sixel detection); see `drivers`.

#[cfg(test)]
use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use image::DynamicImage;

pub use super::cell::CellSize;
use super::drivers::iterm::write_iterm;
#[cfg(test)]
use super::drivers::kitty::write_kitty;
use super::drivers::sixel::sixel_for_cells;
use super::drivers::{fit_cells, png_for_cells};
#[cfg(test)]
use super::resize::{fit_within, flatten_to_rgb, resized};
#[cfg(test)]
use super::thumbnail::HalfBlockImage;

/// How pictures reach this terminal; chosen once by
/// [`detect_graphics`](super::detect::detect_graphics).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphicsProtocol {
    Kitty,
    Iterm,
    /// Chosen by [`detect_graphics`](super::detect::detect_graphics) when the terminal lists
    /// sixel in its device attributes, or by `TUSOU_GRAPHICS=sixel`.
    Sixel,
    HalfBlocks,
}

impl GraphicsProtocol {
    pub fn name(self) -> &'static str {
        match self {
            GraphicsProtocol::Kitty => "kitty",
            GraphicsProtocol::Iterm => "iterm",
            GraphicsProtocol::Sixel => "sixel",
            GraphicsProtocol::HalfBlocks => "halfblocks",
        }
    }

    /// Drawn by escape sequences after ratatui's frame (not in its buffer).
    pub(crate) fn is_graphics(self) -> bool {
        !matches!(self, GraphicsProtocol::HalfBlocks)
    }

    /// Parse a `TUSOU_GRAPHICS` value (case-insensitive).
    pub(crate) fn from_name(name: &str) -> Option<GraphicsProtocol> {
        match name.trim().to_ascii_lowercase().as_str() {
            "kitty" => Some(GraphicsProtocol::Kitty),
            "iterm" | "iterm2" => Some(GraphicsProtocol::Iterm),
            "sixel" => Some(GraphicsProtocol::Sixel),
            "halfblocks" | "halfblock" | "blocks" | "none" => Some(GraphicsProtocol::HalfBlocks),
            _ => None,
        }
    }
}

/// Where a picture goes in the box of cells it was asked for: it fills
/// `cols × rows` of the `box_cols × box_rows` box, centred (aspect kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    pub cols: u16,
    pub rows: u16,
    pub box_cols: u16,
    pub box_rows: u16,
}

impl Fit {
    /// The same picture scaled to fill as much of a `cols × rows` box as
    /// its aspect allows (kitty scales a placement to any cell box).
    pub fn scaled_into(self, cols: u16, rows: u16) -> Fit {
        if (cols, rows) == (self.box_cols, self.box_rows) || self.cols == 0 || self.rows == 0 {
            return self;
        }
        let scale =
            (f64::from(cols) / f64::from(self.cols)).min(f64::from(rows) / f64::from(self.rows));
        Fit {
            cols: (f64::from(self.cols) * scale)
                .round()
                .clamp(1.0, f64::from(cols.max(1))) as u16,
            rows: (f64::from(self.rows) * scale)
                .round()
                .clamp(1.0, f64::from(rows.max(1))) as u16,
            box_cols: cols,
            box_rows: rows,
        }
    }

    /// The picture's top-left cell when its box's top-left is `(x, y)`.
    pub fn origin(&self, x: u16, y: u16) -> (u16, u16) {
        (
            x.saturating_add(self.box_cols.saturating_sub(self.cols) / 2),
            y.saturating_add(self.box_rows.saturating_sub(self.rows) / 2),
        )
    }
}

/// A picture encoded for a graphics protocol but not placed anywhere: the
/// display adds where it goes (and, for kitty, the ids it goes under), so
/// one encoding serves every cell that shows it. The app's state holds only
/// its key; the display owns these bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    pub protocol: GraphicsProtocol,
    pub fit: Fit,
    /// kitty: the PNG's base64; iTerm: the whole OSC 1337 escape; sixel:
    /// the whole DCS string.
    pub payload: Vec<u8>,
}

impl Encoded {
    /// What it holds in memory (capacity: the bound is on what is allocated).
    pub fn byte_size(&self) -> usize {
        self.payload.capacity() + 48
    }
}

/// Encodes `img` for `protocol`, fitted (aspect kept) into a `cols × rows`
/// box of cells of `cell` pixels; `None` for half blocks or an empty box or
/// picture.
pub fn encode_picture(
    img: &DynamicImage,
    protocol: GraphicsProtocol,
    cols: u16,
    rows: u16,
    cell: CellSize,
) -> anyhow::Result<Option<Encoded>> {
    if !protocol.is_graphics() || cols == 0 || rows == 0 || img.width() == 0 || img.height() == 0 {
        return Ok(None);
    }
    let (fc, fr) = fit_cells(img.width(), img.height(), cols, rows, cell);
    let payload = match protocol {
        GraphicsProtocol::Sixel => sixel_for_cells(img, fc, fr, cell)?.into_bytes(),
        GraphicsProtocol::Kitty => B64.encode(png_for_cells(img, fc, fr, cell)?).into_bytes(),
        _ => {
            let png = png_for_cells(img, fc, fr, cell)?;
            let mut out = Vec::new();
            write_iterm(&mut out, png.len(), &B64.encode(&png), fc, fr)?;
            out
        }
    };
    let mut payload = payload;
    // Grown by doubling: up to half of it would be slack held for as long
    // as the picture is.
    payload.shrink_to_fit();
    Ok(Some(Encoded {
        protocol,
        fit: Fit {
            cols: fc,
            rows: fr,
            box_cols: cols,
            box_rows: rows,
        },
        payload,
    }))
}

/// Escape bytes that draw `img` fitted (aspect kept, centred) into the
/// `cols × rows` cell box at cell `(x, y)` (0-based). The cursor is saved
/// and restored. The app places [`Encoded`] pictures through the display;
/// this one-shot form pins the escapes' shape in tests.
#[cfg(test)]
pub(crate) fn encode_protocol(
    img: &DynamicImage,
    protocol: GraphicsProtocol,
    x: u16,
    y: u16,
    cols: u16,
    rows: u16,
) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    if cols == 0 || rows == 0 || img.width() == 0 || img.height() == 0 {
        return Ok(out);
    }
    match protocol {
        GraphicsProtocol::Kitty | GraphicsProtocol::Iterm | GraphicsProtocol::Sixel => {
            let Some(e) = encode_picture(img, protocol, cols, rows, CellSize::default())? else {
                return Ok(out);
            };
            let (cx, cy) = e.fit.origin(x, y);
            // Save cursor, move (CUP is 1-based).
            write!(
                out,
                "\x1b7\x1b[{};{}H",
                u32::from(cy) + 1,
                u32::from(cx) + 1
            )?;
            if protocol == GraphicsProtocol::Kitty {
                write_kitty(&mut out, &e.payload, e.fit.cols, e.fit.rows)?;
            } else {
                out.extend_from_slice(&e.payload);
            }
            out.extend_from_slice(b"\x1b8");
        }
        GraphicsProtocol::HalfBlocks => {
            // Shrink before converting so a big source is not copied whole.
            let (w, h) = fit_within(
                img.width(),
                img.height(),
                u32::from(cols),
                2 * u32::from(rows),
            );
            let rgb = flatten_to_rgb(resized(img, w, h));
            let hb = HalfBlockImage::from_rgb(&rgb, cols, rows);
            let cx = x.saturating_add((cols - hb.cols.min(cols)) / 2);
            let cy = y.saturating_add((rows - hb.rows.min(rows)) / 2);
            out.extend_from_slice(b"\x1b7");
            let mut line = String::new();
            for r in 0..hb.rows {
                line.clear();
                hb.write_row(&mut line, r);
                write!(
                    out,
                    "\x1b[{};{}H",
                    u32::from(cy) + u32::from(r) + 1,
                    u32::from(cx) + 1
                )?;
                out.extend_from_slice(line.as_bytes());
            }
            out.extend_from_slice(b"\x1b8");
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::drivers::kitty::{KITTY_CHUNK, delete_all as kitty_delete_all};
    use image::{Rgb, RgbImage};

    fn picture() -> DynamicImage {
        DynamicImage::ImageRgb8(RgbImage::from_fn(200, 100, |x, _| Rgb([x as u8, 0, 0])))
    }

    #[test]
    fn kitty_escape_is_chunked_png() {
        let out = encode_protocol(&picture(), GraphicsProtocol::Kitty, 4, 2, 20, 10).expect("ok");
        let s = String::from_utf8(out).expect("ascii");
        // 200×100 in a 20×10 box of 1:2 cells → 20×5 cells, centred vertically.
        assert!(
            s.starts_with("\x1b7\x1b[5;5H\x1b_Gf=100,a=T,t=d,q=2,C=1,c=20,r=5,m="),
            "{s:.80}"
        );
        assert!(s.ends_with("\x1b\\\x1b8"));
        // Every chunk's payload fits the protocol's 4096 limit, and the last says m=0.
        let payloads: Vec<&str> = s
            .split("\x1b_G")
            .skip(1)
            .map(|c| c.split_once(';').map_or("", |(_, p)| p))
            .collect();
        assert!(payloads.iter().all(|p| {
            p.trim_end_matches("\x1b\\\x1b8")
                .trim_end_matches("\x1b\\")
                .len()
                <= KITTY_CHUNK
        }));
        assert!(
            s.rsplit("\x1b_G")
                .next()
                .is_some_and(|c| c.contains("m=0;"))
        );
        // The payload is the base64 of a real PNG.
        let b64: String = payloads
            .iter()
            .map(|p| p.trim_end_matches("\x1b8").trim_end_matches("\x1b\\"))
            .collect();
        let png = B64.decode(b64).expect("base64");
        assert!(png.starts_with(b"\x89PNG"));
        assert!(image::load_from_memory(&png).is_ok());
    }

    #[test]
    fn big_kitty_image_uses_many_chunks() {
        let noisy = DynamicImage::ImageRgb8(RgbImage::from_fn(400, 400, |x, y| {
            Rgb([((x * 7) ^ (y * 13)) as u8, (x * y) as u8, (x + y) as u8])
        }));
        let s = String::from_utf8(
            encode_protocol(&noisy, GraphicsProtocol::Kitty, 0, 0, 40, 20).expect("ok"),
        )
        .expect("ascii");
        assert!(s.matches("\x1b_Gm=1;").count() >= 1);
        assert_eq!(s.matches("m=0;").count(), 1);
    }

    #[test]
    fn iterm_escape_has_size_and_payload() {
        let out = encode_protocol(&picture(), GraphicsProtocol::Iterm, 0, 0, 20, 10).expect("ok");
        let s = String::from_utf8(out).expect("ascii");
        assert!(
            s.starts_with("\x1b7\x1b[3;1H\x1b]1337;File=inline=1;size="),
            "{s:.80}"
        );
        assert!(s.contains(";width=20;height=5;preserveAspectRatio=1:iVBOR"));
        assert!(s.ends_with("\x07\x1b8"));
    }

    #[test]
    fn sixel_escape_is_positioned_and_terminated() {
        let out = encode_protocol(&picture(), GraphicsProtocol::Sixel, 2, 1, 20, 10).expect("ok");
        let s = String::from_utf8(out).expect("ascii");
        // 20×10 box, 2:1 picture → 20×5 cells, centred vertically: row 1+2.
        assert!(s.starts_with("\x1b7\x1b[4;3H\x1bP"), "{s:.40}");
        assert!(s.ends_with("\x1b\\\x1b8"), "{:?}", &s[s.len() - 8..]);
        assert!(s.contains('#'), "a colour register is defined");
    }

    #[test]
    fn half_blocks_are_positioned_rows() {
        let p = GraphicsProtocol::HalfBlocks;
        let s = String::from_utf8(encode_protocol(&picture(), p, 1, 1, 20, 10).expect("ok"))
            .expect("utf8");
        assert_eq!(s.matches('▀').count(), 20 * 5);
        assert!(
            s.contains("\x1b[4;2H") && s.contains("\x1b[8;2H"),
            "{s:.60}"
        );
    }

    #[test]
    fn pictures_are_sized_for_the_terminals_cells() {
        assert_eq!(
            CellSize::from_window(200, 60, 1800, 1080),
            CellSize {
                width: 9,
                height: 18
            }
        );
        // No pixels reported (most ptys), or nonsense: the default.
        assert_eq!(CellSize::from_window(200, 60, 0, 0), CellSize::default());
        assert_eq!(CellSize::from_window(0, 0, 800, 600), CellSize::default());
        assert_eq!(
            CellSize::from_window(10, 10, 10000, 10000),
            CellSize::default()
        );
        // Narrow tall cells (7×17): a square picture in a 20×10 box is
        // 20 cells wide and 8 tall (20·7 = 140 px ≈ 8·17).
        let square = picture().crop_imm(0, 0, 100, 100);
        let tall = CellSize {
            width: 7,
            height: 17,
        };
        let e = encode_picture(&square, GraphicsProtocol::Kitty, 20, 10, tall)
            .unwrap()
            .unwrap();
        assert_eq!((e.fit.cols, e.fit.rows), (20, 8));
        let png = B64.decode(&e.payload).unwrap();
        let small = image::load_from_memory(&png).unwrap();
        assert!(
            small.width() <= 140 && small.height() <= 136,
            "{}×{}",
            small.width(),
            small.height()
        );
    }

    #[test]
    fn degenerate_boxes_give_nothing() {
        for (c, r) in [(0, 0), (0, 5), (5, 0)] {
            let out = encode_protocol(&picture(), GraphicsProtocol::Kitty, 0, 0, c, r).expect("ok");
            assert!(out.is_empty());
        }
        let out = encode_protocol(
            &picture(),
            GraphicsProtocol::Kitty,
            u16::MAX,
            u16::MAX,
            1,
            1,
        )
        .expect("ok");
        assert!(!out.is_empty());
        assert_eq!(kitty_delete_all(), b"\x1b_Ga=d,q=2\x1b\\");
    }
}
