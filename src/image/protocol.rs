//! Terminal graphics protocols (kitty, iTerm, sixel) with half blocks as fallback.
//!
//! viuer 0.11 only prints to stdout: its printers and the `Printer` trait
//! are private, so it cannot render into a buffer that we write after
//! ratatui's frame. We use it for detection only and emit the (small)
//! kitty and iTerm escape sequences ourselves, and sixel with `icy_sixel`
//! (pure Rust, the encoder viuer's `icy_sixel` feature uses; that feature
//! also gives us viuer's sixel detection).

use std::io::{IsTerminal, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use image::{DynamicImage, ImageEncoder};

use super::prepare::{fit_within, flatten_to_rgb, resized};
use super::thumbnail::HalfBlockImage;

/// Assumed pixel size of one terminal cell when sizing what we send; the
/// terminal scales the picture to the cell box anyway, this only bounds bytes.
const CELL_PX_W: u32 = 10;
const CELL_PX_H: u32 = 20;
/// Kitty wants base64 payloads in chunks of at most 4096 bytes.
const KITTY_CHUNK: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphicsProtocol {
    Kitty,
    Iterm,
    /// Never produced by [`detect`] in this build; encodes as half blocks.
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

    /// Parse a `TUSOU_GRAPHICS` value (case-insensitive).
    /// Drawn by escape sequences after ratatui's frame (not in its buffer).
    pub fn is_graphics(self) -> bool {
        !matches!(self, GraphicsProtocol::HalfBlocks)
    }

    /// The picture lives in the terminal's cells (iTerm, sixel), so it must be
    /// painted over to go away; kitty has its own delete command.
    pub fn occupies_cells(self) -> bool {
        matches!(self, GraphicsProtocol::Iterm | GraphicsProtocol::Sixel)
    }

    pub fn from_name(name: &str) -> Option<GraphicsProtocol> {
        match name.trim().to_ascii_lowercase().as_str() {
            "kitty" => Some(GraphicsProtocol::Kitty),
            "iterm" | "iterm2" => Some(GraphicsProtocol::Iterm),
            "sixel" => Some(GraphicsProtocol::Sixel),
            "halfblocks" | "halfblock" | "blocks" | "none" => Some(GraphicsProtocol::HalfBlocks),
            _ => None,
        }
    }
}

/// Pick the protocol for this terminal. Call ONCE, before the event loop:
/// the kitty check writes a query and reads the reply from stdin.
pub fn detect() -> GraphicsProtocol {
    let tty = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    match detect_from_env(|k| std::env::var(k).ok(), tty) {
        Some(p) => p,
        None if viuer::get_kitty_support() != viuer::KittySupport::None => GraphicsProtocol::Kitty,
        // Device attributes (DA1) list sixel as attribute 4.
        None if viuer::is_sixel_supported() => GraphicsProtocol::Sixel,
        None => GraphicsProtocol::HalfBlocks,
    }
}

/// The decision that needs no terminal query; `None` means "ask the terminal".
fn detect_from_env(env: impl Fn(&str) -> Option<String>, tty: bool) -> Option<GraphicsProtocol> {
    if let Some(p) = env("TUSOU_GRAPHICS")
        .as_deref()
        .and_then(GraphicsProtocol::from_name)
    {
        return Some(p);
    }
    let term = env("TERM").unwrap_or_default();
    if env("CI").is_some() || !tty || term == "dumb" || term.is_empty() {
        return Some(GraphicsProtocol::HalfBlocks);
    }
    // tmux swallows graphics unless passthrough is set up; don't gamble.
    if env("TMUX").is_some() || term.starts_with("screen") {
        return Some(GraphicsProtocol::HalfBlocks);
    }
    let program = env("TERM_PROGRAM").unwrap_or_default();
    if term == "xterm-kitty"
        || term == "xterm-ghostty"
        || program == "ghostty"
        || env("KITTY_WINDOW_ID").is_some()
    {
        return Some(GraphicsProtocol::Kitty);
    }
    // viuer's iTerm check only reads environment variables.
    if is_iterm_env(&env) {
        return Some(GraphicsProtocol::Iterm);
    }
    None
}

/// Same rules as viuer's `is_iterm_supported`, but over our `env` so it is
/// testable (viuer caches its answer from the real environment).
fn is_iterm_env(env: &impl Fn(&str) -> Option<String>) -> bool {
    const NAMES: [&str; 5] = ["iTerm", "WezTerm", "mintty", "rio", "WarpTerminal"];
    let matches = |v: Option<String>| v.is_some_and(|v| NAMES.iter().any(|n| v.contains(n)));
    matches(env("TERM_PROGRAM"))
        || matches(env("LC_TERMINAL"))
        || env("KONSOLE_VERSION").is_some_and(|v| !v.is_empty())
}

/// Escape bytes that draw `img` fitted (aspect kept, centred) into the
/// `cols × rows` cell box at cell `(x, y)` (0-based). The cursor is saved
/// and restored, so write them right after ratatui's frame.
pub fn encode_protocol(
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
        GraphicsProtocol::Kitty | GraphicsProtocol::Iterm => {
            let (fc, fr) = fit_cells(img.width(), img.height(), cols, rows);
            let png = png_for_cells(img, fc, fr)?;
            let b64 = B64.encode(&png);
            let (cx, cy) = (
                x.saturating_add((cols - fc) / 2),
                y.saturating_add((rows - fr) / 2),
            );
            // Save cursor, move (CUP is 1-based).
            write!(
                out,
                "\x1b7\x1b[{};{}H",
                u32::from(cy) + 1,
                u32::from(cx) + 1
            )?;
            if protocol == GraphicsProtocol::Kitty {
                write_kitty(&mut out, &b64, fc, fr)?;
            } else {
                write!(
                    out,
                    "\x1b]1337;File=inline=1;size={};width={fc};height={fr};preserveAspectRatio=1:{b64}\x07",
                    png.len()
                )?;
            }
            out.extend_from_slice(b"\x1b8");
        }
        GraphicsProtocol::Sixel => {
            let (fc, fr) = fit_cells(img.width(), img.height(), cols, rows);
            let sixel = sixel_for_cells(img, fc, fr)?;
            let (cx, cy) = (
                x.saturating_add((cols - fc) / 2),
                y.saturating_add((rows - fr) / 2),
            );
            write!(
                out,
                "\x1b7\x1b[{};{}H",
                u32::from(cy) + 1,
                u32::from(cx) + 1
            )?;
            out.extend_from_slice(sixel.as_bytes());
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

/// Erase every kitty image placement (when the picture's area goes away).
pub fn kitty_delete_all() -> &'static [u8] {
    b"\x1b_Ga=d\x1b\\"
}

/// Kitty transmit+display (a=T) of a PNG (f=100), chunked. q=2 silences
/// replies that would otherwise arrive on stdin as bogus key presses; C=1
/// keeps the cursor still.
fn write_kitty(out: &mut Vec<u8>, b64: &str, cols: u16, rows: u16) -> std::io::Result<()> {
    let chunks: Vec<&[u8]> = b64.as_bytes().chunks(KITTY_CHUNK).collect();
    let last = chunks.len().saturating_sub(1);
    for (i, chunk) in chunks.iter().enumerate() {
        let more = u8::from(i < last);
        if i == 0 {
            write!(
                out,
                "\x1b_Gf=100,a=T,t=d,q=2,C=1,c={cols},r={rows},m={more};"
            )?;
        } else {
            write!(out, "\x1b_Gm={more};")?;
        }
        out.extend_from_slice(chunk);
        out.extend_from_slice(b"\x1b\\");
    }
    Ok(())
}

/// Largest box of whole cells inside `cols × rows` with the picture's aspect,
/// taking a cell as twice as tall as wide.
fn fit_cells(w: u32, h: u32, cols: u16, rows: u16) -> (u16, u16) {
    let (bw, bh) = (f64::from(cols), 2.0 * f64::from(rows));
    let scale = (bw / f64::from(w.max(1))).min(bh / f64::from(h.max(1)));
    let fc = (f64::from(w) * scale).round().clamp(1.0, bw) as u16;
    let fr = ((f64::from(h) * scale / 2.0).round()).clamp(1.0, f64::from(rows)) as u16;
    (fc, fr)
}

/// Sixel of the picture, sized to the cell box (a whole number of 6-pixel
/// sixel bands, so nothing spills below the box).
fn sixel_for_cells(img: &DynamicImage, cols: u16, rows: u16) -> anyhow::Result<String> {
    let max_w = u32::from(cols) * CELL_PX_W;
    let max_h = (u32::from(rows) * CELL_PX_H) / 6 * 6;
    let (w, h) = fit_within(img.width(), img.height(), max_w, max_h.max(6));
    let rgba = resized(img, w, h).into_rgba8();
    let (w, h) = (i32::try_from(w)?, i32::try_from(h)?);
    icy_sixel::sixel_string(
        rgba.as_raw(),
        w,
        h,
        icy_sixel::PixelFormat::RGBA8888,
        icy_sixel::DiffusionMethod::Auto,
        icy_sixel::MethodForLargest::Auto,
        icy_sixel::MethodForRep::Auto,
        icy_sixel::Quality::AUTO,
    )
    .map_err(|e| anyhow::anyhow!("sixel encoding failed: {e}"))
}

/// PNG of the picture, no larger than the cell box needs (keeps escapes small).
fn png_for_cells(img: &DynamicImage, cols: u16, rows: u16) -> anyhow::Result<Vec<u8>> {
    let max_w = u32::from(cols) * CELL_PX_W;
    let max_h = u32::from(rows) * CELL_PX_H;
    let (w, h) = fit_within(img.width(), img.height(), max_w, max_h);
    let small = resized(img, w, h);
    // PNG takes 8-bit RGB(A); convert anything else.
    let small = if small.color().has_alpha() {
        DynamicImage::ImageRgba8(small.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(small.into_rgb8())
    };
    let mut png = Vec::new();
    image::codecs::png::PngEncoder::new_with_quality(
        &mut png,
        image::codecs::png::CompressionType::Fast,
        image::codecs::png::FilterType::Adaptive,
    )
    .write_image(
        small.as_bytes(),
        small.width(),
        small.height(),
        small.color().into(),
    )?;
    Ok(png)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{Rgb, RgbImage};

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| pairs.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone())
    }

    #[test]
    fn detection_rules() {
        use GraphicsProtocol::*;
        let d = |pairs: &[(&str, &str)], tty| detect_from_env(env_of(pairs), tty);
        assert_eq!(
            d(&[("TUSOU_GRAPHICS", "kitty"), ("CI", "1")], false),
            Some(Kitty)
        );
        assert_eq!(d(&[("TUSOU_GRAPHICS", "ITERM")], true), Some(Iterm));
        assert_eq!(d(&[("TUSOU_GRAPHICS", "sixel")], true), Some(Sixel));
        assert_eq!(
            d(
                &[("TUSOU_GRAPHICS", "halfblocks"), ("TERM", "xterm-kitty")],
                true
            ),
            Some(HalfBlocks)
        );
        assert_eq!(
            d(&[("TERM", "xterm-kitty"), ("CI", "true")], true),
            Some(HalfBlocks)
        );
        assert_eq!(d(&[("TERM", "xterm-kitty")], false), Some(HalfBlocks));
        assert_eq!(d(&[("TERM", "dumb")], true), Some(HalfBlocks));
        assert_eq!(d(&[("TERM", "xterm-kitty")], true), Some(Kitty));
        assert_eq!(
            d(
                &[("TERM", "xterm-256color"), ("TERM_PROGRAM", "iTerm.app")],
                true
            ),
            Some(Iterm)
        );
        assert_eq!(
            d(&[("TERM", "xterm-256color"), ("TMUX", "/tmp/x")], true),
            Some(HalfBlocks)
        );
        // Unknown terminal: ask it.
        assert_eq!(d(&[("TERM", "xterm-256color")], true), None);
    }

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
        assert_eq!(kitty_delete_all(), b"\x1b_Ga=d\x1b\\");
    }
}
