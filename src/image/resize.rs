//! Scaling pictures (fast block averages for big reductions) and
//! flattening alpha onto white.

use image::imageops::FilterType;
use image::{DynamicImage, RgbImage};

/// Size that fits `w×h` inside `max_w×max_h`, keeping aspect, never upscaling,
/// never zero.
pub(super) fn fit_within(w: u32, h: u32, max_w: u32, max_h: u32) -> (u32, u32) {
    if w <= max_w && h <= max_h {
        return (w.max(1), h.max(1));
    }
    let scale =
        (f64::from(max_w) / f64::from(w.max(1))).min(f64::from(max_h) / f64::from(h.max(1)));
    let nw = (f64::from(w) * scale)
        .round()
        .clamp(1.0, f64::from(max_w.max(1)));
    let nh = (f64::from(h) * scale)
        .round()
        .clamp(1.0, f64::from(max_h.max(1)));
    (nw as u32, nh as u32)
}

/// [`resized`] for an `RgbImage` (no `DynamicImage` round trip).
pub(super) fn downscale(img: &RgbImage, w: u32, h: u32) -> RgbImage {
    let (w, h) = (w.max(1), h.max(1));
    if img.dimensions() == (w, h) {
        return img.clone();
    }
    let k = (img.width() / w).min(img.height() / h);
    match box_reduce(img, k) {
        Some(r) if r.dimensions() == (w, h) => r,
        Some(r) => image::imageops::resize(&r, w, h, FilterType::Triangle),
        None => image::imageops::resize(img, w, h, FilterType::Triangle),
    }
}

/// `img` scaled to exactly `w×h` (either direction), same pixel type.
/// Big reductions average integer blocks first (fast, exact area average);
/// small steps and enlargements use Triangle.
pub(super) fn resized(img: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    reduced_then(img, w, h, |r, w, h| {
        r.resize_exact(w, h, FilterType::Triangle)
    })
}

/// [`resized`] with Lanczos3 for the last step: the upload copy, where the
/// search sees the detail (thumbnails keep Triangle, and their snapshots).
fn resized_sharp(img: &DynamicImage, w: u32, h: u32) -> DynamicImage {
    reduced_then(img, w, h, |r, w, h| {
        lanczos3(r, w, h).unwrap_or_else(|| r.resize_exact(w, h, FilterType::Lanczos3))
    })
}

fn reduced_then(
    img: &DynamicImage,
    w: u32,
    h: u32,
    resample: impl Fn(&DynamicImage, u32, u32) -> DynamicImage,
) -> DynamicImage {
    let (w, h) = (w.max(1), h.max(1));
    if (img.width(), img.height()) == (w, h) {
        return img.clone();
    }
    let k = (img.width() / w).min(img.height() / h);
    if k >= 2 {
        let reduced = match img {
            DynamicImage::ImageRgb8(i) => box_reduce(i, k).map(DynamicImage::ImageRgb8),
            DynamicImage::ImageRgba8(i) => box_reduce(i, k).map(DynamicImage::ImageRgba8),
            DynamicImage::ImageLuma8(i) => box_reduce(i, k).map(DynamicImage::ImageLuma8),
            _ => None,
        };
        return match reduced {
            Some(r) if (r.width(), r.height()) == (w, h) => r,
            Some(r) => resample(&r, w, h),
            None => img.thumbnail_exact(w, h),
        };
    }
    resample(img, w, h)
}

/// Lanczos3 by `fast_image_resize` (SIMD, separable, alpha premultiplied
/// while filtering); `None` for pixel types other than 8-bit gray/RGB/RGBA.
fn lanczos3(img: &DynamicImage, w: u32, h: u32) -> Option<DynamicImage> {
    use fast_image_resize as fr;
    let (pixel, raw) = match img {
        DynamicImage::ImageRgb8(i) => (fr::PixelType::U8x3, i.as_raw()),
        DynamicImage::ImageRgba8(i) => (fr::PixelType::U8x4, i.as_raw()),
        DynamicImage::ImageLuma8(i) => (fr::PixelType::U8, i.as_raw()),
        _ => return None,
    };
    let src = fr::images::ImageRef::new(img.width(), img.height(), raw, pixel).ok()?;
    let mut dst = fr::images::Image::new(w, h, pixel);
    let options =
        fr::ResizeOptions::new().resize_alg(fr::ResizeAlg::Convolution(fr::FilterType::Lanczos3));
    fr::Resizer::new().resize(&src, &mut dst, &options).ok()?;
    let out = dst.into_vec();
    match pixel {
        fr::PixelType::U8x3 => image::RgbImage::from_raw(w, h, out).map(DynamicImage::ImageRgb8),
        fr::PixelType::U8x4 => image::RgbaImage::from_raw(w, h, out).map(DynamicImage::ImageRgba8),
        _ => image::GrayImage::from_raw(w, h, out).map(DynamicImage::ImageLuma8),
    }
}

/// Average `k×k` blocks of an 8-bit image: an exact area-average for integer
/// factors, and much faster than the general resamplers on camera-sized
/// pictures. Up to `k-1` pixels at the right/bottom edge are dropped (far
/// below what the following resize can show). Large inputs use two threads.
fn box_reduce<P>(
    img: &image::ImageBuffer<P, Vec<u8>>,
    k: u32,
) -> Option<image::ImageBuffer<P, Vec<u8>>>
where
    P: image::Pixel<Subpixel = u8>,
{
    let ch = usize::from(P::CHANNEL_COUNT);
    if k < 2 {
        return None;
    }
    let (nw, nh) = (img.width() / k, img.height() / k);
    if nw == 0 || nh == 0 {
        return None;
    }
    let k_us = k as usize;
    let src_stride = img.width() as usize * ch;
    let dst_stride = nw as usize * ch;
    let src = img.as_raw();
    let mut out = vec![0u8; dst_stride * nh as usize];
    let area = k * k;

    // Fills output rows starting at `first_row`; `dst` holds whole rows.
    // Sum k source rows column-wise first (a flat loop the compiler
    // vectorises), then add up k pixels across on the 1/k-sized result.
    let work = |first_row: usize, dst: &mut [u8]| {
        let mut cols = vec![0u32; src_stride];
        for (i, out_row) in dst.chunks_exact_mut(dst_stride).enumerate() {
            cols.iter_mut().for_each(|a| *a = 0);
            let y0 = (first_row + i) * k_us;
            for y in y0..y0 + k_us {
                let Some(row) = src.get(y * src_stride..(y + 1) * src_stride) else {
                    continue;
                };
                for (a, &v) in cols.iter_mut().zip(row) {
                    *a += u32::from(v);
                }
            }
            for (out_px, block) in out_row
                .chunks_exact_mut(ch)
                .zip(cols.chunks_exact(k_us * ch))
            {
                for (c, o) in out_px.iter_mut().enumerate() {
                    let sum: u32 = block.iter().skip(c).step_by(ch).sum();
                    // Rounded mean of u8 values: always ≤ 255.
                    *o = ((sum + area / 2) / area) as u8;
                }
            }
        }
    };

    const PARALLEL_FROM_PIXELS: usize = 4_000_000;
    if src.len() / ch >= PARALLEL_FROM_PIXELS && nh >= 2 {
        let half_rows = nh as usize / 2;
        let (top, bottom) = out.split_at_mut(half_rows * dst_stride);
        std::thread::scope(|s| {
            s.spawn(|| work(0, top));
            work(half_rows, bottom);
        });
    } else {
        work(0, &mut out);
    }
    image::ImageBuffer::from_raw(nw, nh, out)
}

/// RGB8 with any alpha flattened onto white (JPEG has no alpha, and a
/// product photo's transparent background is meant to be blank).
pub(super) fn flatten_to_rgb(img: DynamicImage) -> RgbImage {
    if img.color().has_alpha() {
        flatten_on_white(&img.into_rgba8())
    } else {
        img.into_rgb8()
    }
}

/// RGB8, alpha flattened onto white, longest edge at most `max_edge`.
pub(super) fn to_rgb_fitted(img: DynamicImage, max_edge: u32) -> RgbImage {
    let (w, h) = fit_within(img.width(), img.height(), max_edge, max_edge);
    if (w, h) == (img.width(), img.height()) {
        flatten_to_rgb(img)
    } else {
        // Resize first: fewer pixels to convert and blend.
        flatten_to_rgb(resized_sharp(&img, w, h))
    }
}

fn flatten_on_white(rgba: &image::RgbaImage) -> RgbImage {
    let mut out = RgbImage::new(rgba.width(), rgba.height());
    for (o, p) in out.pixels_mut().zip(rgba.pixels()) {
        let a = u32::from(p[3]);
        for c in 0..3 {
            // Blend with rounding; the result is ≤ 255 so the cast is exact.
            o[c] = ((u32::from(p[c]) * a + 255 * (255 - a) + 127) / 255) as u8;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::test_pictures::smooth_rgb;

    #[test]
    fn box_reduce_averages_blocks() {
        // 5×4 grey ramp, k=2 → 2×2 (the fifth column is dropped).
        let img = image::GrayImage::from_fn(5, 4, |x, y| image::Luma([(x * 10 + y * 50) as u8]));
        let r = box_reduce(&img, 2).expect("reduces");
        assert_eq!(r.dimensions(), (2, 2));
        // Block (0,0): 0,10,50,60 → 30; block (1,1): 120,130,170,180 → 150.
        assert_eq!(r.get_pixel(0, 0)[0], 30);
        assert_eq!(r.get_pixel(1, 1)[0], 150);
        assert!(box_reduce(&img, 1).is_none());
        assert!(box_reduce(&img, 9).is_none());
        // Through `resized`, any target size comes out exact.
        let big = DynamicImage::ImageRgb8(smooth_rgb(6000, 4000));
        let r = resized(&big, 1000, 667);
        assert_eq!((r.width(), r.height()), (1000, 667));
        let px = r.as_rgb8().expect("rgb").get_pixel(500, 333);
        assert!((i32::from(px[0]) - 127).abs() < 4, "{px:?}");
    }

    #[test]
    fn fit_within_never_upscales_or_zeroes() {
        assert_eq!(fit_within(4000, 3000, 1000, 1000), (1000, 750));
        assert_eq!(fit_within(10, 5, 1000, 1000), (10, 5));
        assert_eq!(fit_within(100_000, 1, 1000, 1000), (1000, 1));
        assert_eq!(fit_within(5, 5, 0, 0), (1, 1));
    }
}
