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

/// kitty: while its picture is on the way, crop mode draws half blocks
/// sampled at the terminal's cells with the box framed; once it is
/// encoded, the picture and the box over it are left to the display.
#[test]
fn crop_mode_in_kitty_leaves_the_picture_and_its_box_to_the_display() {
    let mut s = base();
    resize(&mut s, 200, 60);
    s.graphics = crate::image::protocol::GraphicsProtocol::Kitty;
    update(
        &mut s,
        Msg::CellSize(crate::image::protocol::CellSize {
            width: 8,
            height: 17,
        }),
    );
    cropping(&mut s);
    let fx = update(&mut s, Msg::Tick);
    let key = crate::app::layout::crop_thumb(&s).expect("a kitty picture for crop");
    let view = crate::app::layout::crop_view(&s).expect("a view");
    assert_eq!((key.cols, key.rows), (view.area.width, view.area.height));
    assert_eq!(view.cell.w, 8, "laid out in the terminal's cells");
    assert!(
        fx.iter()
            .any(|e| matches!(e, crate::app::msg::Effect::LoadThumb(k) if *k == key)),
        "{fx:?}"
    );
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    let mut placed = Vec::new();
    term.draw(|f| placed = super::draw_with_pictures(f, &s))
        .unwrap();
    assert!(placed.is_empty(), "not encoded yet");
    let frame = view.cells_of(s.crop.as_ref().unwrap().selection);
    let symbol = |t: &ratatui::Terminal<ratatui::backend::TestBackend>, x, y| {
        t.backend().buffer()[(x, y)].symbol().to_string()
    };
    assert_eq!(symbol(&term, frame.x, frame.y), "┏", "the box framed");
    assert_eq!(
        symbol(&term, view.area.x, view.area.y),
        "▀",
        "half blocks meanwhile"
    );
    update(&mut s, Msg::encoded_blank(&key));
    term.draw(|f| placed = super::draw_with_pictures(f, &s))
        .unwrap();
    assert_eq!(placed, vec![(key.clone(), view.area)]);
    for (x, y) in [(view.area.x, view.area.y), (frame.x, frame.y)] {
        assert_eq!(symbol(&term, x, y), " ", "left to kitty at {x},{y}");
    }
    // The box goes over the picture as kitty's own, in the picture's pixels.
    let (under, over) = crate::ui::crop::frame_over(&s, &placed).expect("a frame over it");
    assert_eq!(*under, key);
    let crop = s.crop.as_ref().unwrap();
    let sel = crop.selection;
    assert_eq!(over.selection, (sel.x1, sel.y1, sel.x2, sel.y2));
    assert_eq!(over.subjects.len(), crop.subjects.len());
    assert_eq!(over.cell, (8, 17));
    // Moving the box changes the frame, not the picture placed.
    update(&mut s, Msg::Action(Action::CropShrink));
    term.draw(|f| placed = super::draw_with_pictures(f, &s))
        .unwrap();
    assert_eq!(placed, vec![(key, view.area)]);
    let (_, moved) = crate::ui::crop::frame_over(&s, &placed).unwrap();
    assert_ne!(moved.selection, over.selection);
    // Help over crop: nothing placed.
    update(&mut s, Msg::Action(Action::Help));
    term.draw(|f| placed = super::draw_with_pictures(f, &s))
        .unwrap();
    assert!(placed.is_empty());
}
