//! Pictures too big to hold decoded, reduced while they are decoded.
//!
//! A 20000×20000 PNG is 1.6 GB as RGBA: more than tusou will allocate for a
//! picture (see `PrepareOptions::max_pixels`). A non-interlaced PNG can be
//! decoded one row at a time, so its rows are averaged into `k×k` blocks as
//! they arrive: memory is one row of column sums plus the reduced picture
//! (at most [`REDUCED_MAX_EDGE`] on its longest edge), whatever the size of
//! the original. Other formats (and interlaced PNGs, whose rows arrive out of
//! order) are decoded whole, within the pixel limit.

use super::decoded::{Decoded, ImageError};
use super::png_decode::{corrupt, image_of, map_png_error, orientation};

/// Longest edge of a picture reduced while decoding: as large as anything
/// `prepare` sends (its Original mode caps the edge at 4096 too).
const REDUCED_MAX_EDGE: u32 = 4096;

/// Largest PNG (in pixels) reduced while decoding: 1,000 megapixels, e.g.
/// 31,000×31,000. Bigger ones are refused (they would take many seconds to
/// decode even row by row).
const MAX_STREAMED_PIXELS: u64 = 1_000_000_000;

/// Rows collected before they are averaged down.
const STRIP_BYTES: usize = 16 * 1024 * 1024;

/// Decodes a non-interlaced PNG row by row, averaging `k×k` blocks, so the
/// result's longest edge is at most [`REDUCED_MAX_EDGE`]. `Decoded` carries
/// the original dimensions. `max_pixels` is only named in refusals.
pub(super) fn decode_png_reduced(bytes: &[u8], max_pixels: u64) -> Result<Decoded, ImageError> {
    reduce_png(bytes, max_pixels, STRIP_BYTES, None)
}

/// A PNG bound for at most `min_edge` pixels a side, reduced while it is
/// decoded (by whole blocks, its longest edge still at least `min_edge`):
/// memory is the reduced picture, not the whole one. `None` when it is not
/// worth it or not possible (small, interlaced, over the pixel limit, or
/// anything the decoder refuses): decode it the ordinary way then.
pub(super) fn decode_png_for_edge(bytes: &[u8], max_pixels: u64, min_edge: u32) -> Option<Decoded> {
    let (w, h, interlaced) = ihdr(bytes)?;
    let k = w.max(h) / min_edge.max(1);
    if interlaced || k < 2 || u64::from(w) * u64::from(h) > max_pixels {
        return None;
    }
    reduce_png(bytes, max_pixels, STRIP_BYTES, Some(k)).ok()
}

fn reduce_png(
    bytes: &[u8],
    max_pixels: u64,
    strip_bytes: usize,
    block: Option<u32>,
) -> Result<Decoded, ImageError> {
    // Refuse from the IHDR alone (the decoder reads on to the first IDAT
    // before it reports anything, and a bomb may have none).
    if let Some((w, h, interlaced)) = ihdr(bytes) {
        refuse_unreducible(w, h, interlaced, max_pixels)?;
    }
    // 8 bits per channel; palettes and low bit depths expanded; tRNS → alpha.
    let mut reader = super::png_decode::reader(bytes, max_pixels)?;
    let turn = orientation(&reader);
    let (width, height, interlaced) = {
        let info = reader.info();
        (info.width, info.height, info.interlaced)
    };
    let pixels = u64::from(width) * u64::from(height);
    refuse_unreducible(width, height, interlaced, max_pixels)?;
    let (color, depth) = reader.output_color_type();
    if depth != png::BitDepth::Eight {
        return Err(corrupt(format!(
            "unexpected bit depth {depth:?} after expansion"
        )));
    }
    let channels = color.samples();

    // One block size for both axes keeps the aspect ratio: the smallest
    // that brings the longest edge to REDUCED_MAX_EDGE and the result under
    // `max_pixels`. A block never exceeds the picture (a 1×200M strip gets
    // 1-pixel-wide blocks).
    let by_edge = width.max(height).div_ceil(REDUCED_MAX_EDGE);
    let by_pixels = (pixels as f64 / max_pixels.max(1) as f64).sqrt().ceil() as u32;
    let k = block.unwrap_or(by_edge.max(by_pixels)).max(2);
    let (bx, by) = (k.min(width), k.min(height));
    let (nw, nh) = (width / bx, height / by);
    let used_width = (nw * bx) as usize * channels;
    let out_stride = nw as usize * channels;

    // Rows of the current block are collected in a strip (at most
    // STRIP_BYTES; a block of very wide rows takes several strips) and
    // averaged down by `image`'s box filter, which is exact for the whole
    // blocks used here.
    let strip_rows = (strip_bytes / used_width.max(1)).clamp(1, by as usize);
    let mut strip: Vec<u8> = Vec::with_capacity(strip_rows * used_width);
    let mut rows_in_strip = 0usize;
    // Row-weighted sums of strip averages, for blocks of several strips.
    let mut sums = vec![0u64; out_stride];
    let mut rows_in_sums = 0u64;
    let mut out = vec![0u8; out_stride * nh as usize];
    let mut y = 0u32;
    while let Some(row) = reader
        .next_row()
        .map_err(|e| map_png_error(e, max_pixels))?
    {
        let out_row = (y / by) as usize;
        y += 1;
        if out_row >= nh as usize {
            continue; // the last few rows that make no whole block
        }
        let Some(data) = row.data().get(..used_width) else {
            return Err(corrupt("a row is shorter than the header says"));
        };
        strip.extend_from_slice(data);
        rows_in_strip += 1;
        let block_done = y.is_multiple_of(by);
        if !block_done && rows_in_strip < strip_rows {
            continue;
        }
        let rows = u32::try_from(rows_in_strip).unwrap_or(u32::MAX);
        let (average, back) = strip_average(color, strip, nw * bx, rows, nw)
            .ok_or_else(|| corrupt(format!("unexpected colour type {color:?} after expansion")))?;
        strip = back;
        strip.clear();
        let dst = &mut out[out_row * out_stride..(out_row + 1) * out_stride];
        if block_done && rows_in_sums == 0 {
            // The whole block was one strip (the usual case).
            dst.copy_from_slice(&average[..out_stride.min(average.len())]);
        } else {
            for (sum, &a) in sums.iter_mut().zip(&average) {
                *sum += u64::from(a) * rows_in_strip as u64;
            }
            rows_in_sums += rows_in_strip as u64;
            if block_done {
                for (o, sum) in dst.iter_mut().zip(&mut sums) {
                    // The mean of u8 averages: at most 255.
                    *o = ((*sum + rows_in_sums / 2) / rows_in_sums).min(255) as u8;
                    *sum = 0;
                }
                rows_in_sums = 0;
            }
        }
        rows_in_strip = 0;
    }
    if y < height {
        return Err(corrupt("the file ends before the image data does"));
    }
    let mut image = image_of(color, nw, nh, out)
        .ok_or_else(|| corrupt(format!("unexpected colour type {color:?} after expansion")))?;
    // Upright, as every other decode: the user's picture is the one they see.
    image.apply_orientation(turn);
    Ok(Decoded::new(image, (width, height), turn))
}

/// Width, height and the interlace flag from a PNG's IHDR chunk.
fn ihdr(b: &[u8]) -> Option<(u32, u32, bool)> {
    if b.get(12..16) != Some(b"IHDR") {
        return None;
    }
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    Some((be32(16)?, be32(20)?, *b.get(28)? != 0))
}

/// What cannot be reduced while decoding, and why.
fn refuse_unreducible(
    width: u32,
    height: u32,
    interlaced: bool,
    max_pixels: u64,
) -> Result<(), ImageError> {
    if width == 0 || height == 0 {
        return Err(corrupt(format!("the header says {width}×{height} pixels")));
    }
    if u64::from(width) * u64::from(height) > MAX_STREAMED_PIXELS {
        return Err(ImageError::DecompressionBomb {
            detail: format!(
                "the header claims {width}×{height} pixels, more than the {} megapixels a PNG may have",
                MAX_STREAMED_PIXELS / 1_000_000
            ),
            max_pixels,
        });
    }
    if interlaced {
        return Err(ImageError::DecompressionBomb {
            detail: format!(
                "the header claims {width}×{height} pixels, and an interlaced PNG cannot be \
                 reduced while decoding (save it non-interlaced)"
            ),
            max_pixels,
        });
    }
    Ok(())
}

/// The `nw × 1` box-filtered average of a `w × rows` strip of `color`
/// pixels, and the strip's buffer back (to reuse). `None` for a colour
/// type that expansion does not produce.
///
/// Through `DynamicImage` on purpose: its methods are compiled (optimised)
/// in the `image` crate, where a generic call would be compiled here.
fn strip_average(
    color: png::ColorType,
    strip: Vec<u8>,
    w: u32,
    rows: u32,
    nw: u32,
) -> Option<(Vec<u8>, Vec<u8>)> {
    let image = image_of(color, w, rows, strip)?;
    let average = image.thumbnail_exact(nw, 1).into_bytes();
    Some((average, image.into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An RGBA PNG with a different value in every channel of every pixel.
    fn rgba_png(w: u32, h: u32) -> (Vec<u8>, image::RgbaImage) {
        let img = image::RgbaImage::from_fn(w, h, |x, y| {
            image::Rgba([
                (x * 7 + y) as u8,
                (y * 5) as u8,
                (x ^ y) as u8,
                (200 + (x + y) % 50) as u8,
            ])
        });
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png)
            .expect("encode");
        (out.into_inner(), img)
    }

    /// The block average computed the obvious way.
    fn block_mean(img: &image::RgbaImage, k: u32, bx: u32, by: u32, c: usize) -> u8 {
        let mut sum = 0u32;
        for y in by * k..(by + 1) * k {
            for x in bx * k..(bx + 1) * k {
                sum += u32::from(img.get_pixel(x, y)[c]);
            }
        }
        ((sum + k * k / 2) / (k * k)) as u8
    }

    #[test]
    fn reduction_is_the_block_average_whatever_the_strips() {
        let (png, img) = rgba_png(301, 203);
        // 301×203 over a 10,000-pixel limit: k = 3 → 100×67 (edge pixels
        // that make no whole block are dropped).
        for strip_bytes in [1, 2 * 301 * 4, STRIP_BYTES] {
            let d = reduce_png(&png, 10_000, strip_bytes, None).expect("reduces");
            assert_eq!((d.width, d.height), (301, 203));
            let out = d.image.as_rgba8().expect("rgba");
            assert_eq!(out.dimensions(), (100, 67));
            for (bx, by) in [(0, 0), (99, 66), (37, 12)] {
                for c in 0..4 {
                    let want = i32::from(block_mean(&img, 3, bx, by, c));
                    let got = i32::from(out.get_pixel(bx, by)[c]);
                    // Averages of strip averages may round once more.
                    assert!(
                        (want - got).abs() <= 1,
                        "{strip_bytes}: ({bx},{by})[{c}] {got} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn reduced_for_an_edge_by_whole_blocks_only_when_worth_it() {
        let (png, img) = rgba_png(301, 203);
        // 301 / 100 → blocks of 3: 100×67, each the block's average.
        let d = decode_png_for_edge(&png, 1_000_000, 100).expect("reduces");
        assert_eq!((d.width, d.height), (301, 203));
        let out = d.image.as_rgba8().expect("rgba");
        assert_eq!(out.dimensions(), (100, 67));
        let want = i32::from(block_mean(&img, 3, 50, 20, 1));
        assert!((i32::from(out.get_pixel(50, 20)[1]) - want).abs() <= 1);
        // Less than a 2× reduction, over the pixel limit, or broken: not here.
        assert!(decode_png_for_edge(&png, 1_000_000, 200).is_none());
        assert!(decode_png_for_edge(&png, 10_000, 100).is_none());
        assert!(decode_png_for_edge(&png[..png.len() / 2], 1_000_000, 100).is_none());
    }
}
