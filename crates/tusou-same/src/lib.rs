//! Same product, many sellers: a compact [`Signature`] of a picture, made
//! once per thumbnail, and [`compare`] for a pair. A cheap [`might_match`]
//! shortlists candidates; [`compare`] verifies a pair.
//!
//! PLACEHOLDER: the real matcher (keypoints aligned by RANSAC, colour
//! compared inside the object) replaces this; the API stays.

use image::RgbImage;

/// Largest [`Signature::heap_bytes`]: the app keeps one per grouped offer.
pub const SIGNATURE_MAX_BYTES: usize = 1024;

/// What a picture shows, small enough to keep one per offer.
#[derive(Debug, Clone, PartialEq)]
pub struct Signature {
    tiny: Vec<u8>,
}

/// The verdict on a pair.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Match {
    /// Both pictures show the same product.
    pub same: bool,
    /// 0 (nothing alike) to 1 (the same picture).
    pub score: f32,
}

impl Signature {
    /// The signature of a decoded picture of any size; None when the
    /// picture shows nothing to match on (blank, or too small).
    pub fn of_image(img: &RgbImage) -> Option<Signature> {
        if img.width() < 8 || img.height() < 8 {
            return None;
        }
        let small = image::imageops::resize(img, 8, 8, image::imageops::FilterType::Triangle);
        Some(Signature {
            tiny: small.into_raw(),
        })
    }

    /// Bytes kept on the heap; at most [`SIGNATURE_MAX_BYTES`].
    pub fn heap_bytes(&self) -> usize {
        self.tiny.capacity()
    }
}

/// Cheap test: false means the pair is surely not the same product.
pub fn might_match(a: &Signature, b: &Signature) -> bool {
    distance(a, b) < 40.0
}

/// The verdict on a pair; symmetric.
pub fn compare(a: &Signature, b: &Signature) -> Match {
    let d = distance(a, b);
    Match {
        same: d < 12.0,
        score: (1.0 - d / 255.0).clamp(0.0, 1.0),
    }
}

fn distance(a: &Signature, b: &Signature) -> f32 {
    let n = a.tiny.len().min(b.tiny.len()).max(1);
    let sum: u32 = a
        .tiny
        .iter()
        .zip(&b.tiny)
        .map(|(x, y)| u32::from(x.abs_diff(*y)))
        .sum();
    sum as f32 / n as f32
}
