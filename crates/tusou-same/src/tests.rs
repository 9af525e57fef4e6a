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
    // (A texture the few-corners kind refuses, so only this kind decides.)
    assert!(!ok(i, it, cov, MAX_COLOUR_INTERIOR, MAX_TEXTURE));
    assert!(!ok(i, it, cov, 0.0, MAX_TEXTURE_INTERIOR));
    assert!(!ok(i, it - 1, cov, MAX_COLOUR_INTERIOR - 0.01, MAX_TEXTURE));
    assert!(!ok(i, it - 1, cov, 0.0, MAX_TEXTURE_INTERIOR - 0.001));
    // The score is 0.5 at a threshold and above it inside.
    assert!(verdict(MIN_INLIERS, 0, cov, 0.0, MAX_TEXTURE - 0.001).score > 0.5);
    assert!(verdict(MIN_INLIERS, 0, cov, MAX_COLOUR, 0.0).score <= 0.5);
    assert!(verdict(0, 0, 0.0, f32::MAX, f32::MAX).score < 0.5);
}

/// `img` inside a frame of `colour`, `l`, `t`, `r`, `b` pixels wide.
fn framed(img: &RgbImage, (l, t, r, b): (u32, u32, u32, u32), colour: [u8; 3]) -> RgbImage {
    let mut out = RgbImage::from_pixel(img.width() + l + r, img.height() + t + b, Rgb(colour));
    image::imageops::replace(&mut out, img, i64::from(l), i64::from(t));
    out
}

fn source(s: &Signature) -> u16 {
    u16::from_le_bytes([s.data[SOURCE_OFF], s.data[SOURCE_OFF + 1]])
}

#[test]
fn padding_and_a_frame_find_the_same_box_to_the_pixel() {
    let img = shot(240, true);
    let a = Signature::of_image(&img).expect("a");
    // Uneven white padding makes the picture larger, so it is sampled more
    // coarsely; the box must not move on the object for that.
    for (pad, colour) in [
        ((60, 13, 7, 41), [255, 255, 255]),
        ((9, 9, 9, 9), [30, 140, 60]),
    ] {
        let b = Signature::of_image(&framed(&img, pad, colour)).expect("b");
        assert_eq!(source(&a), source(&b), "{pad:?}");
        let m = compare(&a, &b);
        assert!(m.same && m.score > 0.8, "{pad:?} {m:?}");
    }
}

/// A shot with a reseller's full-width dark banner of "text" at the bottom.
fn with_banner(img: &RgbImage) -> RgbImage {
    let (w, h) = img.dimensions();
    let band = h / 10;
    let mut out = framed(img, (0, 0, 0, band), [255, 255, 255]);
    for y in h..h + band {
        for x in 0..w {
            let text = (band / 3..band * 2 / 3).contains(&(y - h)) && (x / 3 + y) % 4 == 0;
            out.put_pixel(x, y, Rgb(if text { [250, 250, 250] } else { [40, 30, 35] }));
        }
    }
    out
}

/// A shot with an opaque logo box in its top-left corner.
fn with_logo(img: &RgbImage) -> RgbImage {
    let mut out = framed(img, (0, 0, 0, 0), [255, 255, 255]);
    let s = img.width() / 6;
    for y in 2..2 + s * 2 / 3 {
        for x in 2..2 + s {
            out.put_pixel(x, y, Rgb([200, 30, 40]));
        }
    }
    out
}

#[test]
fn a_banner_and_a_corner_logo_are_cut_off_the_box() {
    let img = framed(&shot(200, false), (30, 30, 30, 30), [255, 255, 255]);
    // The sides a banner was cut from, and the corner logo's rectangle.
    let overlays = |pic: &RgbImage| {
        let f = (pic.width().max(pic.height()) / WORK) as usize;
        let small = Small::sampled(pic, f.max(1));
        let all = (0, 0, small.w, small.h);
        let t = trim(|x, y| small.at(x, y), all, STRICT, None).expect("box");
        let (b, cut) = small.strip_overlays(t);
        (cut, small.corner_logo(b).map(|(r, _)| (r, b)))
    };
    assert_eq!(overlays(&img), ([false; 4], None));
    assert_eq!(overlays(&with_banner(&img)).0, [false, false, false, true]);
    let (cut, logo) = overlays(&with_logo(&img));
    assert_eq!(cut, [false; 4]);
    let (r, b) = logo.expect("a logo");
    assert_eq!((r.0, r.1), (b.0, b.1), "top-left: {r:?} in {b:?}");
    assert!(
        r.2 < b.0 + (b.2 - b.0) / 3 && r.3 < b.1 + (b.3 - b.1) / 3,
        "{r:?}"
    );
    let a = Signature::of_image(&img).expect("a");
    let sharp = object_box(&img).expect("box").0;
    for pic in [with_banner(&img), with_logo(&img)] {
        assert_eq!(object_box(&pic).expect("box").0, sharp);
        let b = Signature::of_image(&pic).expect("b");
        assert!(compare(&a, &b).same, "{:?}", evidence(&a, &b));
    }
}

/// `img` with a soft floor shadow (the background, 14 % darker) under the
/// object, wider than it, and `cut` rows cut off the bottom.
fn with_shadow(img: &RgbImage, cut: u32) -> RgbImage {
    let (w, h) = img.dimensions();
    let mut out = img.clone();
    for (x, y, p) in out.enumerate_pixels_mut() {
        let (u, v) = (x as f32 / w as f32 - 0.5, y as f32 / h as f32 - 0.92);
        if (u / 0.45).powi(2) + (v / 0.04).powi(2) <= 1.0 {
            *p = Rgb(p.0.map(|c| (f32::from(c) * 0.86) as u8));
        }
    }
    image::imageops::crop_imm(&out, 0, 0, w, h - cut).to_image()
}

#[test]
fn a_soft_shadow_is_left_out_of_the_box_wherever_it_is_cut() {
    let img = shot(240, true);
    let (x0, y0, x1, y1) = object_box(&img).expect("box").0;
    for cut in [0, 10, 20] {
        let (a0, b0, a1, b1) = object_box(&with_shadow(&img, cut)).expect("box").0;
        assert!(
            x0.abs_diff(a0) <= 1
                && y0.abs_diff(b0) <= 1
                && x1.abs_diff(a1) <= 1
                && y1.abs_diff(b1) <= 1,
            "cut {cut}: {:?} against {:?}",
            (a0, b0, a1, b1),
            (x0, y0, x1, y1)
        );
    }
    // The shadow is no reason to trim a plain part of the object: the top
    // bar of the shot is one colour once the box is as wide as it.
    let plain = RgbImage::from_fn(200, 200, |x, y| {
        let bar = (40..160).contains(&x) && (40..70).contains(&y);
        let body = (60..140).contains(&x) && (70..150).contains(&y);
        let dot = (90..110).contains(&x) && (100..120).contains(&y);
        Rgb(if dot {
            [20, 20, 20]
        } else if bar {
            [90, 140, 130]
        } else if body {
            [200, 40, 160]
        } else {
            [230, 215, 245]
        })
    });
    let boxed = object_box(&with_shadow(&plain, 0)).expect("box").0;
    assert_eq!(boxed, (40, 40, 160, 150));
}

#[test]
fn a_photo_with_no_plain_background_keeps_its_edges() {
    // Texture everywhere: nothing is background, nothing is cut.
    let img = RgbImage::from_fn(160, 120, |x, y| {
        let v = ((x * 7 + y * 13) % 50) as u8 * 4;
        Rgb([v, 255 - v, (x * 2 % 256) as u8])
    });
    let small = Small::sampled(&img, 1);
    let all = (0, 0, small.w, small.h);
    let t = trim(|x, y| small.at(x, y), all, STRICT, None).expect("box");
    assert_eq!(t, all);
    assert_eq!(small.strip_overlays(t), (all, [false; 4]));
}

#[test]
fn texture_may_shift_more_when_a_canvas_was_blurred() {
    let mut sharp = Signature::of_image(&shot(240, true)).expect("sharp");
    let mut blurred = sharp.clone();
    sharp.data[SOURCE_OFF..SOURCE_OFF + 2].copy_from_slice(&240u16.to_le_bytes());
    blurred.data[SOURCE_OFF..SOURCE_OFF + 2].copy_from_slice(&60u16.to_le_bytes());
    assert_eq!(texture_shift(&sharp, &sharp), TEX_SHIFT_SHARP);
    assert_eq!(texture_shift(&sharp, &blurred), TEX_SHIFT);
    assert_eq!(texture_shift(&blurred, &sharp), TEX_SHIFT);
}

#[test]
fn a_logo_beside_the_object_is_painted_over_however_far_the_object_reaches() {
    // An L-shaped product along the top and the left, striped, and a shop
    // logo in the bottom-right corner: no whole row or column keeps the
    // logo apart, an L of plain lines does.
    let product = |logo: bool| {
        RgbImage::from_fn(240, 240, |x, y| {
            let arm = (20..220).contains(&x) && (20..100).contains(&y)
                || (20..100).contains(&x) && (20..220).contains(&y);
            if logo && (190..232).contains(&x) && (195..232).contains(&y) {
                Rgb([30, 160, 70])
            } else if arm {
                Rgb(if (x / 6 + y / 6) % 2 == 0 {
                    [200, 60, 60]
                } else {
                    [60, 60, 200]
                })
            } else {
                Rgb([255, 255, 255])
            }
        })
    };
    let (plain, marked) = (product(false), product(true));
    assert_eq!(object_box(&plain).expect("box").0, (20, 20, 220, 220));
    let (boxed, patch) = object_box(&marked).expect("box");
    assert_eq!(boxed, (20, 20, 220, 220));
    let (r, bg) = patch.expect("the logo");
    assert_eq!(bg, [255.0; 3]);
    assert!(
        r.0 <= 190 && r.1 <= 195 && r.2 >= 232 && r.3 >= 232,
        "{r:?}"
    );
    assert!(
        r.0 >= 100 && r.1 >= 100,
        "the product is not painted: {r:?}"
    );
    let (a, b) = (
        Signature::of_image(&plain).expect("a"),
        Signature::of_image(&marked).expect("b"),
    );
    let m = compare(&a, &b);
    assert!(m.same && m.score > 0.8, "{m:?} {:?}", evidence(&a, &b));
}
