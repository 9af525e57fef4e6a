//! JPEG encoding fitted to a byte budget: the best quality that fits, and
//! smaller sizes when even the lowest quality is too big.

use std::panic::{AssertUnwindSafe, catch_unwind};

use image::RgbImage;

use super::decoded::ImageError;
use super::resize::downscale;

/// Never search below this quality; shrink the picture instead.
const MIN_QUALITY: u8 = 50;
/// Smallest edge the fitting loop will go down to before giving up.
pub(super) const MIN_EDGE: u32 = 16;

/// Baseline JPEG, 4:2:0, by libjpeg-turbo's encoder (mozjpeg's with its
/// trellis and progressive passes off): twice as fast as `image`'s encoder,
/// and smaller at the same quality setting.
pub(super) fn encode_jpeg(img: &RgbImage, quality: u8) -> Result<Vec<u8>, ImageError> {
    let (w, h) = img.dimensions();
    let encode = || -> std::io::Result<Vec<u8>> {
        let mut c = mozjpeg::Compress::new(mozjpeg::ColorSpace::JCS_RGB);
        c.set_fastest_defaults();
        c.set_size(w as usize, h as usize);
        c.set_quality(f32::from(quality));
        let mut started = c.start_compress(Vec::with_capacity((w as usize * h as usize) / 4))?;
        started.write_scanlines(img.as_raw())?;
        started.finish()
    };
    // libjpeg reports errors by unwinding (the crate's error manager).
    match catch_unwind(AssertUnwindSafe(encode)) {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(e)) => Err(ImageError::Encode(e.to_string())),
        Err(payload) => Err(ImageError::Encode(
            payload
                .downcast_ref::<String>()
                .cloned()
                .unwrap_or_else(|| "the JPEG encoder failed".to_owned()),
        )),
    }
}

/// JPEG of `img` in at most `max_bytes`, keeping as much detail as fits:
/// best quality in [MIN_QUALITY, quality] by binary search, then smaller
/// sizes when even the lowest quality is too big.
pub(super) fn fit_jpeg(
    img: RgbImage,
    max_bytes: usize,
    quality: u8,
) -> Result<(Vec<u8>, u32, u32), ImageError> {
    let mut img = img;
    for _round in 0..12 {
        let (w, h) = img.dimensions();
        let first = encode_jpeg(&img, quality)?;
        if first.len() <= max_bytes {
            return Ok((first, w, h));
        }
        let floor = encode_jpeg(&img, MIN_QUALITY)?;
        if floor.len() <= max_bytes {
            // Invariant: `lo` fits, `hi` does not.
            let (mut lo, mut hi, mut best) = (MIN_QUALITY, quality, floor);
            while hi - lo > 3 {
                let mid = lo + (hi - lo) / 2;
                let out = encode_jpeg(&img, mid)?;
                if out.len() <= max_bytes {
                    (lo, best) = (mid, out);
                } else {
                    hi = mid;
                }
            }
            return Ok((best, w, h));
        }
        // Bytes scale roughly with pixel count: shrink by the overshoot, with
        // a margin, but at least 10% per round so the loop ends.
        let ratio = max_bytes as f64 / floor.len() as f64;
        let factor = (ratio.sqrt() * 0.95).clamp(0.3, 0.9);
        let nw = (f64::from(w) * factor).round() as u32;
        let nh = (f64::from(h) * factor).round() as u32;
        if nw < MIN_EDGE || nh < MIN_EDGE {
            break;
        }
        img = downscale(&img, nw, nh);
    }
    Err(ImageError::CannotFit { max_bytes })
}
