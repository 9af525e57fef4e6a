//! The similarity at its decision boundary; small pictures, so the tests
//! stay quick in debug builds.

use super::*;
use image::Rgb;

/// A product shot: a body with a printed pattern on white, `n`×`n`.
fn shot(n: u32, stripes: bool) -> RgbImage {
    let f = n as f32;
    RgbImage::from_fn(n, n, |x, y| {
        let (u, v) = (x as f32 / f, y as f32 / f);
        let body = (0.25..0.75).contains(&u) && (0.2..0.85).contains(&v)
            || (0.1..0.9).contains(&u) && (0.2..0.4).contains(&v);
        let handle = (0.4..0.6).contains(&u) && (0.08..0.2).contains(&v);
        if handle {
            Rgb([40, 40, 40])
        } else if body {
            let on = if stripes {
                ((v * 20.0) as u32).is_multiple_of(2)
            } else {
                ((u * 12.0) as u32 + (v * 12.0) as u32).is_multiple_of(2)
            };
            if on {
                Rgb([200, 60, 60])
            } else {
                Rgb([120, 30, 160])
            }
        } else {
            Rgb([255, 255, 255])
        }
    })
}

#[test]
fn identical_pictures_are_the_same_with_score_one() {
    let s = Signature::of_image(&shot(120, true)).expect("signature");
    let m = compare(&s, &s);
    assert!(m.same);
    assert!((m.score - 1.0).abs() < 1e-6, "{m:?}");
    assert!(might_match(&s, &s));
}

#[test]
fn blank_and_tiny_pictures_have_no_signature() {
    assert!(Signature::of_image(&RgbImage::from_pixel(200, 150, Rgb([255, 255, 255]))).is_none());
    assert!(Signature::of_image(&RgbImage::from_pixel(200, 150, Rgb([30, 90, 200]))).is_none());
    assert!(Signature::of_image(&RgbImage::new(5, 5)).is_none());
}

#[test]
fn heap_bytes_stay_under_the_cap() {
    for n in [100u32, 240, 400] {
        let s = Signature::of_image(&shot(n, false)).expect("signature");
        assert!(s.heap_bytes() <= SIGNATURE_MAX_BYTES, "{}", s.heap_bytes());
    }
}

#[test]
fn compare_is_symmetric_and_tells_a_print_apart() {
    let a = Signature::of_image(&shot(120, true)).expect("a");
    let b = Signature::of_image(&shot(120, false)).expect("b");
    assert_eq!(compare(&a, &b), compare(&b, &a));
    assert!(!compare(&a, &b).same, "{:?}", evidence(&a, &b));
    // Padding and a resize keep the product the same.
    let padded = {
        let mut out = RgbImage::from_pixel(150, 140, Rgb([255, 255, 255]));
        image::imageops::replace(&mut out, &shot(120, true), 20, 6);
        out
    };
    let p = Signature::of_image(&padded).expect("padded");
    assert_eq!(compare(&a, &p), compare(&p, &a));
    assert!(compare(&a, &p).same, "{:?}", evidence(&a, &p));
}

#[test]
fn each_threshold_just_inside_and_just_outside() {
    // Firm geometry: enough inliers, a few of them inside the object.
    let ok = |i, it, cov, col, tex| verdict_interior(i, it, cov, col, tex).same;
    let (i, it, cov, col, tex) = (FIRM_INLIERS, MIN_INTERIOR, 0.9, 1.0, 0.02);
    assert!(ok(i, it, cov, col, tex));
    // Inliers.
    assert!(ok(MIN_INLIERS, it, cov, col, tex));
    assert!(!ok(MIN_INLIERS - 1, it, cov, col, tex));
    // Coverage.
    assert!(ok(i, it, MIN_COVERAGE, col, tex));
    assert!(!ok(i, it, MIN_COVERAGE - 0.01, col, tex));
    // Colour: firm geometry, then weak geometry (never either alone).
    assert!(ok(i, it, cov, MAX_COLOUR - 0.01, tex));
    assert!(!ok(i, it, cov, MAX_COLOUR, tex));
    assert!(ok(FIRM_INLIERS - 1, it, cov, MAX_COLOUR_WEAK - 0.01, tex));
    assert!(!ok(FIRM_INLIERS - 1, it, cov, MAX_COLOUR_WEAK, tex));
    // Texture: inliers only on the outline (a look-alike's shared silhouette).
    assert!(ok(
        i,
        MIN_INTERIOR - 1,
        cov,
        col,
        MAX_TEXTURE_OUTLINE - 0.001
    ));
    assert!(!ok(i, MIN_INTERIOR - 1, cov, col, MAX_TEXTURE_OUTLINE));
    assert!(!ok(
        STRONG_INLIERS + 4,
        MIN_INTERIOR - 1,
        cov,
        col,
        MAX_TEXTURE_OUTLINE
    ));
    // A few inside.
    assert!(i < STRONG_INLIERS && it < STRONG_INTERIOR);
    assert!(ok(i, it, cov, col, MAX_TEXTURE - 0.001));
    assert!(!ok(i, it, cov, col, MAX_TEXTURE));
    // Many in all, a few inside.
    assert!(ok(STRONG_INLIERS, it, cov, col, MAX_TEXTURE_STRONG - 0.001));
    assert!(!ok(STRONG_INLIERS, it, cov, col, MAX_TEXTURE_STRONG));
    assert!(!ok(STRONG_INLIERS - 1, it, cov, col, MAX_TEXTURE + 0.01));
    // Many inside.
    assert!(ok(
        STRONG_INTERIOR,
        STRONG_INTERIOR,
        cov,
        col,
        MAX_TEXTURE_INTERIOR - 0.001
    ));
    assert!(!ok(
        STRONG_INTERIOR,
        STRONG_INTERIOR,
        cov,
        col,
        MAX_TEXTURE_INTERIOR
    ));
    assert!(!ok(
        STRONG_INTERIOR,
        STRONG_INTERIOR - 1,
        cov,
        col,
        MAX_TEXTURE + 0.01
    ));
    // The score is 0.5 at a threshold and above it inside.
    assert!(verdict_interior(i, it, cov, col, MAX_TEXTURE - 0.001).score > 0.5);
    assert!(verdict_interior(i, it, cov, MAX_COLOUR, tex).score <= 0.5);
    assert!(verdict(0, 0.0, f32::MAX, f32::MAX).score < 0.5);
}
