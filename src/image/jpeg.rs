//! JPEGs decoded at a reduced DCT scale, straight to near the size wanted.
//!
//! libjpeg(-turbo)'s inverse DCT can produce an `N/8`-sized block from the
//! coefficients of each 8×8 block, so a 6000×4000 photo bound for a 1000 px
//! upload is decoded at 2/8 (1500×1000): a sixteenth of the pixels to
//! compute, convert and hold, and one resample after. The entropy decoding
//! is the same; the rest shrinks with the scale. This is what `vipsthumbnail`
//! does ("shrink on load").

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::metadata::Orientation;
use image::{DynamicImage, RgbImage};
use mozjpeg::{ColorSpace, Decompress, Marker};

use super::decoded::{Decoded, ImageError};

/// The smallest scale `n/8` (n in 1..=8) at which the longest edge is still
/// at least `min_edge` (libjpeg rounds scaled sizes up), or 8 (full size).
fn scale_numerator(long_edge: u32, min_edge: u32) -> u8 {
    let long = u64::from(long_edge);
    let want = u64::from(min_edge) * 8;
    (1..8u8).find(|&n| long * u64::from(n) >= want).unwrap_or(8)
}

/// The picture decoded upright (EXIF orientation applied) with its longest
/// edge at least `min_edge` (or whole, if it is smaller), or `None` when this
/// decoder will not take it (CMYK, arithmetic coding, anything libjpeg
/// refuses): the caller then decodes it the ordinary way, which also says
/// what is wrong with a broken file. `Decoded` carries the stored size.
pub(super) fn decode_scaled(
    bytes: &[u8],
    max_pixels: u64,
    min_edge: u32,
) -> Result<Option<Decoded>, ImageError> {
    // libjpeg reports errors by unwinding (the crate's error manager); a
    // failure here only means "not this way".
    match catch_unwind(AssertUnwindSafe(|| {
        decode_inner(bytes, max_pixels, min_edge)
    })) {
        Ok(Ok(done)) => done.map(Some),
        Ok(Err(_)) | Err(_) => Ok(None),
    }
}

/// Outer `Err`: libjpeg gave up (fall back). Inner `Err`: refused (bomb).
fn decode_inner(
    bytes: &[u8],
    max_pixels: u64,
    min_edge: u32,
) -> std::io::Result<Result<Decoded, ImageError>> {
    let mut d = Decompress::with_markers(&[Marker::APP(1)]).from_mem(bytes)?;
    let (width, height) = (d.width() as u64, d.height() as u64);
    if width * height > max_pixels {
        return Ok(Err(ImageError::DecompressionBomb {
            detail: format!("the header claims {width}×{height} pixels"),
            max_pixels,
        }));
    }
    if matches!(
        d.color_space(),
        ColorSpace::JCS_CMYK | ColorSpace::JCS_YCCK | ColorSpace::JCS_UNKNOWN
    ) {
        return Err(std::io::ErrorKind::Unsupported.into());
    }
    let orientation = d
        .markers()
        .filter(|m| m.marker == Marker::APP(1))
        .find_map(|m| m.data.strip_prefix(b"Exif\0\0"))
        .and_then(Orientation::from_exif_chunk)
        .unwrap_or(Orientation::NoTransforms);
    // Both edges fit in u32: libjpeg refuses more than 65,500.
    let (width, height) = (width as u32, height as u32);
    d.scale(scale_numerator(width.max(height), min_edge));
    let mut started = d.rgb()?;
    let (w, h) = (started.width() as u32, started.height() as u32);
    let pixels: Vec<u8> = started.read_scanlines()?;
    started.finish()?;
    let Some(rgb) = RgbImage::from_raw(w, h, pixels) else {
        return Err(std::io::ErrorKind::InvalidData.into());
    };
    let mut image = DynamicImage::ImageRgb8(rgb);
    image.apply_orientation(orientation);
    Ok(Ok(Decoded::new(image, (width, height), orientation)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::test_pictures::{jpeg, smooth_rgb, with_exif_orientation};

    #[test]
    fn scale_is_the_smallest_that_keeps_the_edge() {
        assert_eq!(scale_numerator(6000, 1000), 2); // 1500
        assert_eq!(scale_numerator(4032, 1000), 2); // 1008
        assert_eq!(scale_numerator(8000, 1000), 1); // 1000 exactly
        assert_eq!(scale_numerator(3000, 1000), 3); // 1125
        assert_eq!(scale_numerator(1200, 1000), 7); // 1050
        assert_eq!(scale_numerator(999, 1000), 8);
        assert_eq!(scale_numerator(6000, 4096), 6); // 4500
    }

    #[test]
    fn decodes_at_a_reduced_size_close_to_the_full_decode() {
        let src = smooth_rgb(1600, 1200);
        let bytes = jpeg(&src, 92);
        let d = decode_scaled(&bytes, 100_000_000, 400)
            .expect("no refusal")
            .expect("libjpeg takes it");
        assert_eq!((d.width, d.height), (1600, 1200));
        // 2/8 of 1600×1200.
        let img = d.image.as_rgb8().expect("rgb");
        assert_eq!(img.dimensions(), (400, 300));
        // A 4×4 block average of the source at the same place.
        let (x, y) = (250u32, 130u32);
        for c in 0..3 {
            let mut sum = 0u32;
            for dy in 0..4 {
                for dx in 0..4 {
                    sum += u32::from(src.get_pixel(x * 4 + dx, y * 4 + dy)[c]);
                }
            }
            let want = (sum / 16) as i32;
            let got = i32::from(img.get_pixel(x, y)[c]);
            assert!((want - got).abs() <= 4, "channel {c}: {got} vs {want}");
        }
    }

    #[test]
    fn exif_orientation_is_applied() {
        let with_exif = with_exif_orientation(&jpeg(&smooth_rgb(320, 200), 90), 6);
        let d = decode_scaled(&with_exif, 100_000_000, 100)
            .expect("no refusal")
            .expect("libjpeg takes it");
        assert_eq!((d.width, d.height), (320, 200));
        // Stored landscape, shown portrait; 3/8 scale → 120×75, rotated.
        assert_eq!((d.image.width(), d.image.height()), (75, 120));
    }

    #[test]
    fn refuses_bombs_and_passes_on_what_it_cannot_read() {
        let bytes = jpeg(&smooth_rgb(320, 200), 90);
        assert!(matches!(
            decode_scaled(&bytes, 1000, 100),
            Err(ImageError::DecompressionBomb { .. })
        ));
        assert!(matches!(
            decode_scaled(b"\xFF\xD8garbage", 1000, 100),
            Ok(None)
        ));
        assert!(matches!(decode_scaled(&bytes[..40], 1000, 100), Ok(None)));
    }
}
