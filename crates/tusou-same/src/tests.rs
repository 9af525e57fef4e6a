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
    let ok = |i, it, cov, col, tex| verdict(i, it, cov, col, tex).same;
    let cov = 0.9;
    // A few inliers, none inside the object: colour and texture agree closely.
    let (i, it) = (MIN_INLIERS, 0);
    assert!(ok(i, it, cov, MAX_COLOUR - 0.01, MAX_TEXTURE - 0.001));
    assert!(!ok(i - 1, it, cov, 0.0, 0.0));
    assert!(!ok(i, it, cov, MAX_COLOUR, 0.0));
    assert!(!ok(i, it, cov, 0.0, MAX_TEXTURE));
    // Coverage, whatever the geometry.
    assert!(ok(i, it, MIN_COVERAGE, 0.0, 0.0));
    assert!(!ok(i, it, MIN_COVERAGE - 0.01, 0.0, 0.0));
    assert!(!ok(
        STRONG_INLIERS,
        STRONG_INLIERS,
        MIN_COVERAGE - 0.01,
        0.0,
        0.0
    ));
    // Many inliers, maybe only on the outline a look-alike shares.
    let (i, it) = (STRONG_INLIERS, 0);
    assert!(ok(
        i,
        it,
        cov,
        MAX_COLOUR_STRONG - 0.01,
        MAX_TEXTURE_STRONG - 0.001
    ));
    assert!(!ok(i, it, cov, MAX_COLOUR_STRONG, 0.0));
    assert!(!ok(i, it, cov, 0.0, MAX_TEXTURE_STRONG));
    assert!(!ok(i - 1, it, cov, MAX_COLOUR_STRONG - 0.01, 0.0));
    assert!(!ok(i - 1, it, cov, 0.0, MAX_TEXTURE_STRONG - 0.001));
    // Corners inside the object: the print itself is aligned.
    let (i, it) = (MIN_INTERIOR, MIN_INTERIOR);
    assert!(ok(
        i,
        it,
        cov,
        MAX_COLOUR_INTERIOR - 0.01,
        MAX_TEXTURE_INTERIOR - 0.001
    ));
    assert!(!ok(i, it, cov, MAX_COLOUR_INTERIOR, 0.0));
    assert!(!ok(i, it, cov, 0.0, MAX_TEXTURE_INTERIOR));
    assert!(!ok(i, it - 1, cov, MAX_COLOUR_INTERIOR - 0.01, 0.0));
    assert!(!ok(i, it - 1, cov, 0.0, MAX_TEXTURE_INTERIOR - 0.001));
    // The score is 0.5 at a threshold and above it inside.
    assert!(verdict(MIN_INLIERS, 0, cov, 0.0, MAX_TEXTURE - 0.001).score > 0.5);
    assert!(verdict(MIN_INLIERS, 0, cov, MAX_COLOUR, 0.0).score <= 0.5);
    assert!(verdict(0, 0, 0.0, f32::MAX, f32::MAX).score < 0.5);
}
