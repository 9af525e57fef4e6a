//! One encoder per graphics protocol (`kitty`, `iterm`, `sixel`), tmux's
//! passthrough wrapper (`tmux`), and what the encoders share: sizing a
//! picture to a box of terminal cells.

pub(super) mod iterm;
pub(super) mod kitty;
pub(super) mod sixel;
pub(super) mod tmux;

use image::{DynamicImage, ImageEncoder};

use super::resize::{fit_within, resized};

/// Assumed pixel size of one terminal cell when sizing what we send; the
/// terminal scales the picture to the cell box anyway, this only bounds bytes.
const CELL_PX_W: u32 = 10;
const CELL_PX_H: u32 = 20;

/// Largest box of whole cells inside `cols × rows` with the picture's aspect,
/// taking a cell as twice as tall as wide.
pub(super) fn fit_cells(w: u32, h: u32, cols: u16, rows: u16) -> (u16, u16) {
    let (bw, bh) = (f64::from(cols), 2.0 * f64::from(rows));
    let scale = (bw / f64::from(w.max(1))).min(bh / f64::from(h.max(1)));
    let fc = (f64::from(w) * scale).round().clamp(1.0, bw) as u16;
    let fr = ((f64::from(h) * scale / 2.0).round()).clamp(1.0, f64::from(rows)) as u16;
    (fc, fr)
}

/// PNG of the picture, no larger than the cell box needs (keeps escapes small).
pub(super) fn png_for_cells(img: &DynamicImage, cols: u16, rows: u16) -> anyhow::Result<Vec<u8>> {
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
