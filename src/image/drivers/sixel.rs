//! Sixel graphics: the picture encoded by `icy_sixel` (pure Rust). Like
//! iTerm's, it lives in the cells and goes away by painting them over.

use image::DynamicImage;

use crate::image::cell::CellSize;
use crate::image::resize::{fit_within, resized};

/// Sixel of the picture, sized to the cell box (a whole number of 6-pixel
/// sixel bands, so nothing spills below the box).
pub(in crate::image) fn sixel_for_cells(
    img: &DynamicImage,
    cols: u16,
    rows: u16,
    cell: CellSize,
) -> anyhow::Result<String> {
    let max_w = u32::from(cols) * u32::from(cell.width);
    let max_h = (u32::from(rows) * u32::from(cell.height)) / 6 * 6;
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
