//! Snapshots of crop mode.

use super::*;
use crate::api::PixelBox;
use crate::app::state::{CropPicture, CropState};

/// A 1360×535 scene (three products on a desk) in crop mode, the box on
/// the second detected subject.
fn cropping(s: &mut State) {
    let preview = image::RgbImage::from_fn(136, 54, |x, y| {
        if (7..43).contains(&x) || (50..80).contains(&x) || (93..129).contains(&x) {
            image::Rgb([200, (x * 2) as u8, (y * 4) as u8])
        } else {
            image::Rgb([52, 47, 44])
        }
    });
    let mut crop = CropState::new(
        SearchSource::File("/home/ming/photos/desk-scene.jpg".into()),
        1,
    );
    crop.picture = Some(CropPicture {
        width: 1360,
        height: 535,
        preview,
    });
    crop.subjects = vec![
        PixelBox {
            x1: 70,
            y1: 70,
            x2: 430,
            y2: 430,
        },
        PixelBox {
            x1: 500,
            y1: 135,
            x2: 800,
            y2: 435,
        },
        PixelBox {
            x1: 930,
            y1: 70,
            x2: 1290,
            y2: 430,
        },
    ];
    crop.subject = Some(1);
    crop.selection = crop.subjects[1];
    s.crop = Some(crop);
}

#[test]
fn crop_mode_80x24() {
    let mut s = base();
    resize(&mut s, 80, 24);
    cropping(&mut s);
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn crop_mode_200x60() {
    let mut s = base();
    resize(&mut s, 200, 60);
    cropping(&mut s);
    insta::assert_snapshot!(snap(&s, 200, 60));
}

#[test]
fn crop_mode_without_colour_frames_the_box() {
    let mut s = base();
    resize(&mut s, 80, 24);
    cropping(&mut s);
    s.color = false;
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn crop_mode_loading_and_failed() {
    let mut s = base();
    resize(&mut s, 80, 24);
    s.crop = Some(CropState::new(
        SearchSource::Url("https://example.com/x.jpg".into()),
        1,
    ));
    let loading = snap(&s, 80, 24);
    assert!(loading.contains("Loading the picture"), "{loading}");
    if let Some(c) = s.crop.as_mut() {
        c.error = Some("not an image: \u{1b}[31mHTML".into());
    }
    let failed = snap(&s, 80, 24);
    assert!(
        failed.contains("Cannot crop this picture: not an image"),
        "{failed}"
    );
    assert!(!failed.contains('\u{1b}'));
    assert!(failed.contains("esc to leave"));
}

#[test]
fn crop_mode_survives_tiny_terminals() {
    for (w, h) in [(1, 1), (2, 2), (3, 3), (10, 4), (20, 5), (300, 3)] {
        let mut s = base();
        resize(&mut s, w, h);
        cropping(&mut s);
        let _ = snap(&s, w, h);
    }
}
