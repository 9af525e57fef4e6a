//! PNGs read with the `png` crate itself, whole (`decode_whole`) or row by
//! row (`reduce`), with one setup: metadata that would be inflated is never
//! inflated. A PNG's colour profile (iCCP) is zlib-compressed, so a 1×1
//! picture can carry one that inflates to gigabytes; the `image` crate's
//! decoder inflates it up to its whole allocation limit (400 MB here) before
//! the first pixel. tusou does no colour management, so the profile is
//! skipped unread, as are the text chunks; the EXIF chunk (kept raw, never
//! inflated, bounded by the file) is read for the orientation only.

use std::io::Cursor;

use image::metadata::Orientation;
use image::{DynamicImage, ImageBuffer};

use super::decoded::{Decoded, ImageError};
use super::sniff::SourceFormat;

/// Memory the PNG decoder itself may allocate (row buffers, chunks), not
/// counting the picture it decodes into.
pub(super) const DECODER_LIMIT_BYTES: usize = 64 * 1024 * 1024;

pub(super) fn corrupt(e: impl std::fmt::Display) -> ImageError {
    ImageError::Corrupt {
        format: SourceFormat::Png.name().to_owned(),
        reason: e.to_string(),
    }
}

pub(super) fn map_png_error(e: png::DecodingError, max_pixels: u64) -> ImageError {
    match e {
        png::DecodingError::LimitsExceeded => ImageError::DecompressionBomb {
            detail: "the PNG decoder would need more memory than allowed".to_owned(),
            max_pixels,
        },
        other => corrupt(other),
    }
}

/// A reader past the PNG's metadata, up to its first image data: 8 bits a
/// channel, palettes and low bit depths expanded, tRNS as alpha; colour
/// profile and text chunks skipped unread.
pub(super) fn reader(
    bytes: &[u8],
    max_pixels: u64,
) -> Result<png::Reader<Cursor<&[u8]>>, ImageError> {
    let mut decoder = png::Decoder::new_with_limits(
        Cursor::new(bytes),
        png::Limits {
            bytes: DECODER_LIMIT_BYTES,
        },
    );
    decoder.set_ignore_iccp_chunk(true);
    decoder.set_ignore_text_chunk(true);
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    decoder
        .read_info()
        .map_err(|e| map_png_error(e, max_pixels))
}

/// How the picture is turned, from its EXIF chunk (none: as stored).
pub(super) fn orientation(reader: &png::Reader<Cursor<&[u8]>>) -> Orientation {
    reader
        .info()
        .exif_metadata
        .as_deref()
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms)
}

/// 8-bit samples of `color` as a picture; `None` for a colour type that
/// expansion does not produce, or a buffer of the wrong size.
pub(super) fn image_of(
    color: png::ColorType,
    width: u32,
    height: u32,
    samples: Vec<u8>,
) -> Option<DynamicImage> {
    match color {
        png::ColorType::Grayscale => {
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageLuma8)
        }
        png::ColorType::GrayscaleAlpha => {
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageLumaA8)
        }
        png::ColorType::Rgb => {
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageRgb8)
        }
        png::ColorType::Rgba => {
            ImageBuffer::from_raw(width, height, samples).map(DynamicImage::ImageRgba8)
        }
        png::ColorType::Indexed => None,
    }
}

/// The whole picture (its first frame), upright. The caller has checked
/// the header's size against `max_pixels`; it is checked again here, from
/// what the decoder read.
pub(super) fn decode_whole(bytes: &[u8], max_pixels: u64) -> Result<Decoded, ImageError> {
    let mut reader = reader(bytes, max_pixels)?;
    let (width, height) = reader.info().size();
    if width == 0 || height == 0 {
        return Err(corrupt(format!("the header says {width}×{height} pixels")));
    }
    if u64::from(width) * u64::from(height) > max_pixels {
        return Err(ImageError::DecompressionBomb {
            detail: format!("the header claims {width}×{height} pixels"),
            max_pixels,
        });
    }
    let (color, depth) = reader.output_color_type();
    if depth != png::BitDepth::Eight {
        return Err(corrupt(format!(
            "unexpected bit depth {depth:?} after expansion"
        )));
    }
    let size = reader
        .output_buffer_size()
        .filter(|&n| n as u64 <= max_pixels.saturating_mul(4))
        .ok_or_else(|| ImageError::DecompressionBomb {
            detail: format!("the header claims {width}×{height} pixels"),
            max_pixels,
        })?;
    let turn = orientation(&reader);
    let mut samples = vec![0u8; size];
    let frame = reader
        .next_frame(&mut samples)
        .map_err(|e| map_png_error(e, max_pixels))?;
    // The first frame of an animated PNG may be smaller than the canvas.
    samples.truncate(frame.buffer_size());
    let mut image = image_of(color, frame.width, frame.height, samples)
        .ok_or_else(|| corrupt(format!("unexpected colour type {color:?} after expansion")))?;
    image.apply_orientation(turn);
    Ok(Decoded::new(image, (width, height), turn))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::test_pictures::{exif_orientation_chunk, png_with_chunks, smooth_rgb};

    /// A colour profile that is not even a zlib stream: skipped, the
    /// picture decoded.
    #[test]
    fn a_colour_profile_is_skipped_unread() {
        let png = png_with_chunks(&smooth_rgb(4, 3), &[(*b"iCCP", b"bomb\0\0\x78\x01garbage")]);
        let d = decode_whole(&png, 100).expect("decodes");
        assert_eq!((d.width, d.height), (4, 3));
        assert_eq!(d.image.to_rgb8(), smooth_rgb(4, 3));
    }

    /// Stored 301×203 with EXIF "rotate 90° clockwise": upright whether
    /// decoded whole or reduced while read (which used to keep it as
    /// stored), and measured upright either way.
    #[test]
    fn an_exif_turned_png_is_upright_whole_and_reduced() {
        let exif = exif_orientation_chunk(6);
        let png = png_with_chunks(&smooth_rgb(301, 203), &[(*b"eXIf", &exif)]);
        let whole = decode_whole(&png, 1_000_000).expect("decodes");
        assert_eq!((whole.image.width(), whole.image.height()), (203, 301));
        assert_eq!((whole.width, whole.height), (301, 203));
        assert_eq!(whole.upright_size(), (203, 301));
        let reduced =
            super::super::reduce::decode_png_for_edge(&png, 1_000_000, 100).expect("reduces");
        assert_eq!((reduced.image.width(), reduced.image.height()), (67, 100));
        assert_eq!(reduced.upright_size(), (203, 301));
        // The same corner comes out on top in both: the stored bottom-left
        // (green high, red low) is the upright top-left.
        let (a, b) = (whole.image.to_rgb8(), reduced.image.to_rgb8());
        let (pa, pb) = (a.get_pixel(1, 1), b.get_pixel(0, 0));
        assert!(pa[1] > 230 && pa[0] < 15, "{pa:?}");
        assert!(pb[1] > 230 && pb[0] < 15, "{pb:?}");
    }
}
