//! Decoding an untrusted picture within size limits: refused from the
//! header when too big, or (a PNG) reduced while decoding by `reduce`. PNGs
//! are read by `png_decode` (metadata never inflated); the rest by `image`,
//! whose other formats keep their metadata (EXIF, ICC) raw, bounded by the
//! file's size.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageReader, Limits};

use super::decoded::{Decoded, ImageError};
use super::sniff::SourceFormat;

/// Decode with bomb limits set before any pixel is allocated.
pub(super) fn decode(
    bytes: &[u8],
    format: &SourceFormat,
    max_pixels: u64,
) -> Result<Decoded, ImageError> {
    let Some(image_format) = format.image_format() else {
        return Err(ImageError::Unsupported {
            format: format.name().to_owned(),
        });
    };
    let corrupt = |e: image::ImageError| map_image_error(e, format, max_pixels);
    // Refuse from the header alone where we can read it ourselves: some
    // decoders read further (e.g. PNG up to the first IDAT) before they
    // report dimensions, and a bomb may come without any pixel data.
    if let Some((w, h)) = header_dimensions(bytes, format)
        && u64::from(w) * u64::from(h) > max_pixels
    {
        // Too big to hold decoded: a PNG is reduced while it is decoded
        // (memory bounded whatever its size, up to a time-bounding limit).
        if *format == SourceFormat::Png {
            return super::reduce::decode_png_reduced(bytes, max_pixels);
        }
        return Err(ImageError::DecompressionBomb {
            detail: format!("the header claims {w}×{h} pixels"),
            max_pixels,
        });
    }

    // Read with the png crate itself: its colour profile is never inflated.
    if *format == SourceFormat::Png {
        return super::png_decode::decode_whole(bytes, max_pixels);
    }

    let mut limits = Limits::default();
    let edge_cap = u32::try_from(max_pixels).unwrap_or(u32::MAX);
    limits.max_image_width = Some(edge_cap);
    limits.max_image_height = Some(edge_cap);
    // 4 bytes per pixel covers RGBA8, which is what every decoder here yields
    // for 8-bit sources; 16-bit sources at the limit are refused as well.
    let max_alloc = max_pixels.saturating_mul(4);
    limits.max_alloc = Some(max_alloc);

    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(corrupt)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: format!("the header says {width}×{height} pixels"),
        });
    }
    if u64::from(width) * u64::from(height) > max_pixels || decoder.total_bytes() > max_alloc {
        return Err(ImageError::DecompressionBomb {
            detail: format!("the header claims {width}×{height} pixels"),
            max_pixels,
        });
    }
    // A broken EXIF block should not stop an otherwise fine picture.
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(corrupt)?;
    if *format == SourceFormat::Jpeg && !jpeg_is_complete(bytes) {
        return Err(ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: "the file ends before the image data does".to_owned(),
        });
    }
    image.apply_orientation(orientation);
    Ok(Decoded::new(image, (width, height), orientation))
}

/// [`decode`], except that a JPEG or PNG may come out smaller than stored,
/// its longest edge still at least `min_edge`: a JPEG decoded at a reduced
/// DCT scale (`jpeg`), a PNG averaged by blocks row by row while it is
/// decoded (`reduce`); faster, and memory for the reduced picture only.
/// `Decoded` keeps the stored size.
pub(super) fn decode_for_edge(
    bytes: &[u8],
    format: &SourceFormat,
    max_pixels: u64,
    min_edge: u32,
) -> Result<Decoded, ImageError> {
    // A cut-off file goes the ordinary way, which says so.
    if *format == SourceFormat::Jpeg
        && jpeg_is_complete(bytes)
        && let Some(decoded) = super::jpeg::decode_scaled(bytes, max_pixels, min_edge)?
    {
        return Ok(decoded);
    }
    if *format == SourceFormat::Png
        && let Some(decoded) = super::reduce::decode_png_for_edge(bytes, max_pixels, min_edge)
    {
        return Ok(decoded);
    }
    decode(bytes, format, max_pixels)
}

/// Dimensions read straight from the header for formats where that is
/// trivial; `None` means "ask the decoder".
fn header_dimensions(b: &[u8], format: &SourceFormat) -> Option<(u32, u32)> {
    let be32 = |i: usize| Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?));
    let le16 = |i: usize| {
        Some(u32::from(u16::from_le_bytes(
            b.get(i..i + 2)?.try_into().ok()?,
        )))
    };
    let le24 = |i: usize| {
        let s = b.get(i..i + 3)?;
        Some(u32::from(s[0]) | u32::from(s[1]) << 8 | u32::from(s[2]) << 16)
    };
    let le_i32 = |i: usize| Some(i32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?));
    match format {
        SourceFormat::Png if b.get(12..16) == Some(b"IHDR") => Some((be32(16)?, be32(20)?)),
        SourceFormat::Gif => Some((le16(6)?, le16(8)?)),
        SourceFormat::Bmp if le_i32(14)? >= 40 => {
            Some((le_i32(18)?.unsigned_abs(), le_i32(22)?.unsigned_abs()))
        }
        SourceFormat::Webp if b.get(12..16) == Some(b"VP8X") => {
            Some((le24(24)? + 1, le24(27)? + 1))
        }
        _ => None,
    }
}

/// Whether a JPEG's marker structure reaches its end-of-image marker.
///
/// zune-jpeg (non-strict) pads a cut-off file with grey instead of failing,
/// so we walk the segments ourselves. A plain search for FF D9 is not enough:
/// an embedded EXIF thumbnail has its own, early in the file.
fn jpeg_is_complete(b: &[u8]) -> bool {
    let byte = |i: usize| b.get(i).copied();
    let mut i = 2; // after SOI
    loop {
        // Expect a marker here, allowing 0xFF fill bytes.
        if byte(i) != Some(0xFF) {
            return false;
        }
        while byte(i) == Some(0xFF) {
            i += 1;
        }
        let Some(marker) = byte(i) else {
            return false;
        };
        i += 1;
        match marker {
            0xD9 => return true,
            // Standalone markers, no length.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let (Some(hi), Some(lo)) = (byte(i), byte(i + 1)) else {
            return false;
        };
        i += usize::from(u16::from_be_bytes([hi, lo]));
        if marker == 0xDA {
            // Entropy-coded data: runs to the next FF not followed by 00
            // (a stuffed byte) or a restart marker.
            loop {
                // memchr: this scan reads most of the file.
                let Some(off) = b.get(i..).and_then(|rest| memchr::memchr(0xFF, rest)) else {
                    return false;
                };
                i += off;
                match byte(i + 1) {
                    None => return false,
                    Some(0x00 | 0xD0..=0xD7) => i += 2,
                    Some(_) => break,
                }
            }
        }
    }
}

fn map_image_error(e: image::ImageError, format: &SourceFormat, max_pixels: u64) -> ImageError {
    use image::ImageError as E;
    match e {
        E::Limits(l) => ImageError::DecompressionBomb {
            detail: l.to_string(),
            max_pixels,
        },
        E::Unsupported(u) => ImageError::Unsupported {
            format: format!("this kind of {format} ({u})"),
        },
        E::Decoding(d) => ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: d.to_string(),
        },
        E::IoError(io) => ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: io.to_string(),
        },
        other => ImageError::Corrupt {
            format: format.name().to_owned(),
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::prepare::{PrepareOptions, prepare};
    use crate::image::test_pictures::{jpeg, noisy_rgb};

    #[test]
    fn truncated_jpeg_with_exif_thumbnail_is_still_caught() {
        let full = jpeg(&noisy_rgb(300, 200, 4), 90);
        // APP1 holding a fake thumbnail whose FF D9 precedes the main image.
        let payload = b"Exif\0\0\xFF\xD8\xFF\xD9";
        let mut with_app1 = full[..2].to_vec();
        with_app1.extend_from_slice(&[0xFF, 0xE1]);
        with_app1.extend_from_slice(&(payload.len() as u16 + 2).to_be_bytes());
        with_app1.extend_from_slice(payload);
        with_app1.extend_from_slice(&full[2..]);
        assert!(jpeg_is_complete(&with_app1));
        let opts = PrepareOptions::default();
        assert!(prepare(&with_app1, &opts).is_ok());
        let cut = &with_app1[..with_app1.len() * 2 / 3];
        assert!(!jpeg_is_complete(cut));
        assert!(matches!(
            prepare(cut, &opts),
            Err(ImageError::Corrupt { .. })
        ));
        // Trailing bytes after EOI (camera extras) are fine.
        let mut trailing = full.clone();
        trailing.extend_from_slice(b"\0\0extra");
        assert!(jpeg_is_complete(&trailing));
    }
}
