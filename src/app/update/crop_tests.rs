//! `update` tests for crop mode: opening it, the keys and the mouse on the
//! box, the detected subjects, and the search it starts.

use super::*;
use crate::api::{PixelBox, Region, Subjects};
use crate::app::msg::MouseMsg;
use crate::app::state::{CropPicture, SearchSource};

const FILE: &str = "/photos/desk.jpg";

fn picture(w: u32, h: u32) -> CropPicture {
    CropPicture {
        width: w,
        height: h,
        preview: image::RgbImage::new(w.min(64), h.min(64)),
    }
}

fn pb(x1: u32, y1: u32, x2: u32, y2: u32) -> PixelBox {
    PixelBox { x1, y1, x2, y2 }
}

/// A search of a 4000×3000 file sent as 1000×750, page 1 in, with two
/// subjects detected (in the sent copy's pixels, x1,x2,y1,y2).
fn searched_file(s: &mut State) {
    let fx = update(
        s,
        Msg::Listing {
            generation: s.picker.generation,
            entries: vec![],
            done: true,
            error: None,
        },
    );
    drop(fx);
    new_search(s, SearchSource::File(FILE.into()));
    let generation = s.results.generation;
    let resolved = resolved_4000x3000();
    update(
        s,
        Msg::Resolved {
            generation,
            result: Ok(resolved),
        },
    );
    let mut p = page(1, 20, 5);
    p.subjects = Some(Subjects {
        current: Some((0, 1000, 0, 750)),
        detected: vec![(100, 400, 200, 700), (500, 900, 100, 600)],
    });
    update(
        s,
        Msg::Page {
            generation,
            page: 1,
            result: Ok(p),
            stored: None,
        },
    );
}

/// A 4000×3000 picture, sent as 1000×750.
fn resolved_4000x3000() -> ResolvedImage {
    let mut resolved = ResolvedImage::by_address("http://x/y.jpg");
    resolved.source_size = Some((4000, 3000));
    resolved.sent_size = Some((1000, 750));
    resolved
}

/// Opens crop on the results' picture and delivers it.
fn open_crop(s: &mut State) -> u64 {
    s.focus = Pane::Results;
    let fx = act(s, Action::Crop);
    let Some(Effect::LoadCrop { generation, source }) = fx.first().cloned() else {
        panic!("no LoadCrop in {fx:?}");
    };
    assert_eq!(source, SearchSource::File(FILE.into()));
    update(
        s,
        Msg::CropLoaded {
            generation,
            result: Ok(picture(4000, 3000)),
        },
    );
    generation
}

fn selection(s: &State) -> PixelBox {
    s.crop.as_ref().expect("crop open").selection
}

fn start_search(fx: &[Effect]) -> Option<SearchParams> {
    fx.iter().find_map(|e| match e {
        Effect::StartSearch { params, .. } => Some(params.clone()),
        _ => None,
    })
}

#[test]
fn crop_opens_on_the_searched_picture_with_its_detected_subjects_in_its_pixels() {
    let mut s = state();
    searched_file(&mut s);
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text
            .contains("2 products in the picture: press c"),
        "{:?}",
        s.message
    );
    open_crop(&mut s);
    let crop = s.crop.as_ref().unwrap();
    assert_eq!(
        crop.subjects,
        vec![pb(400, 800, 1600, 2800), pb(2000, 400, 3600, 2400)]
    );
    // The provider searched the whole picture: the box starts there.
    assert_eq!(selection(&s), pb(0, 0, 4000, 3000));
    assert_eq!(s.context(), crate::keymap::KeyContext::Crop);
}

#[test]
fn tab_cycles_the_subjects_and_enter_searches_the_box_in_the_users_pixels() {
    let mut s = state();
    searched_file(&mut s);
    open_crop(&mut s);
    act(&mut s, Action::CropNextSubject);
    assert_eq!(selection(&s), pb(400, 800, 1600, 2800));
    act(&mut s, Action::CropNextSubject);
    assert_eq!(selection(&s), pb(2000, 400, 3600, 2400));
    act(&mut s, Action::CropNextSubject);
    assert_eq!(s.crop.as_ref().unwrap().subject, Some(0));
    act(&mut s, Action::CropPrevSubject);
    assert_eq!(s.crop.as_ref().unwrap().subject, Some(1));
    let generation = s.results.generation;
    let fx = act(&mut s, Action::CropSearch);
    assert!(s.crop.is_none());
    let params = start_search(&fx).expect("a search starts");
    assert_eq!(params.crop.as_deref(), Some("2000,400,3600,2400"));
    assert_eq!(params.region, None, "made once the picture is prepared");
    assert_eq!(s.results.generation, generation + 1);
    // Resolved: the region is the box in the sent copy, provider's order.
    let resolved = resolved_4000x3000();
    let fx = update(
        &mut s,
        Msg::Resolved {
            generation: generation + 1,
            result: Ok(resolved),
        },
    );
    assert_eq!(s.results.params.region.as_deref(), Some("500,900,100,600"));
    let fetched = fx.iter().find_map(|e| match e {
        Effect::FetchPage { params, .. } => Some(params.clone()),
        _ => None,
    });
    assert_eq!(
        fetched.and_then(|p| p.region).as_deref(),
        Some("500,900,100,600")
    );
}

#[test]
fn the_crop_stays_with_its_picture_through_new_filters_and_leaves_with_another_picture() {
    let mut s = state();
    searched_file(&mut s);
    open_crop(&mut s);
    act(&mut s, Action::CropNextSubject);
    act(&mut s, Action::CropSearch);
    let generation = s.results.generation;
    let resolved = resolved_4000x3000();
    update(
        &mut s,
        Msg::Resolved {
            generation,
            result: Ok(resolved),
        },
    );
    // New filters: the same picture, the same crop.
    s.focus = Pane::Filters;
    let fx = act(&mut s, Action::ApplyFilters);
    // Recorded in the history with its crop, then page 1 is fetched.
    let recorded_params = fx.iter().find_map(|e| match e {
        Effect::RecordSearch { params, .. } => Some(params.clone()),
        _ => None,
    });
    assert_eq!(
        recorded_params.and_then(|p| p.crop).as_deref(),
        Some("400,800,1600,2800")
    );
    let g = s.results.generation;
    let fx = recorded(&mut s, g);
    let fetched = fx.iter().find_map(|e| match e {
        Effect::FetchPage { params, .. } => Some(params.clone()),
        _ => None,
    });
    let p = fetched.expect("page 1 again");
    assert_eq!(p.crop.as_deref(), Some("400,800,1600,2800"));
    assert_eq!(p.region.as_deref(), Some("100,400,200,700"));
    assert_eq!(s.params.crop, None, "filters never carry a crop");
    // Another picture: no crop.
    let fx = new_search(&mut s, SearchSource::Url(URL.into()));
    assert_eq!(start_search(&fx).and_then(|p| p.crop), None);
}

#[test]
fn keys_move_and_size_the_box_by_cells_and_esc_leaves_nothing_changed() {
    let mut s = state();
    searched_file(&mut s);
    let before = s.results.params.clone();
    open_crop(&mut s);
    let view = crate::app::layout::crop_view(&s).expect("a view");
    let (sx, sy) = view.step();
    act(&mut s, Action::CropShrink);
    let b = selection(&s);
    assert!(b.width() < 4000 && b.height() < 3000);
    act(&mut s, Action::CropLeft);
    assert_eq!(selection(&s).x1, b.x1 - sx);
    act(&mut s, Action::CropDown);
    assert_eq!(selection(&s).y1, b.y1 + sy);
    act(&mut s, Action::CropWider);
    assert_eq!(selection(&s).width(), b.width() + sx);
    act(&mut s, Action::CropShorter);
    assert_eq!(selection(&s).height(), b.height() - sy);
    act(&mut s, Action::CropCentre);
    let c = selection(&s);
    assert!(((c.x1 + c.x2) / 2).abs_diff(2000) <= 1, "{c:?}");
    act(&mut s, Action::CropReset);
    assert_eq!(selection(&s), pb(0, 0, 4000, 3000));
    // Keys of other panes wait; esc leaves without a search.
    assert!(act(&mut s, Action::FocusHistory).is_empty());
    assert!(s.crop.is_some());
    let fx = act(&mut s, Action::Cancel);
    assert!(start_search(&fx).is_none());
    assert!(s.crop.is_none());
    assert_eq!(s.results.params, before);
}

#[test]
fn the_whole_picture_searches_without_a_region() {
    let mut s = state();
    searched_file(&mut s);
    open_crop(&mut s);
    let fx = act(&mut s, Action::CropSearch);
    let p = start_search(&fx).expect("search");
    assert_eq!((p.crop, p.region), (None, None));
}

#[test]
fn a_mouse_drag_draws_the_box_both_cells_included() {
    let mut s = state();
    searched_file(&mut s);
    open_crop(&mut s);
    let view = crate::app::layout::crop_view(&s).expect("view");
    let (x, y) = (view.area.x, view.area.y);
    update(
        &mut s,
        Msg::Mouse(MouseMsg::Click {
            col: x + 2,
            row: y + 1,
        }),
    );
    update(
        &mut s,
        Msg::Mouse(MouseMsg::Drag {
            col: x + 9,
            row: y + 6,
        }),
    );
    update(
        &mut s,
        Msg::Mouse(MouseMsg::Release {
            col: x + 11,
            row: y + 8,
        }),
    );
    assert_eq!(
        selection(&s),
        view.drag_box((x + 2, y + 1), (x + 11, y + 8))
    );
    assert!(s.crop.as_ref().unwrap().drag.is_none());
    // A drag after release moves nothing.
    let b = selection(&s);
    update(&mut s, Msg::Mouse(MouseMsg::Drag { col: x, row: y }));
    assert_eq!(selection(&s), b);
}

#[test]
fn crop_from_files_without_a_search_has_no_subjects_and_says_how_to_get_them() {
    let mut s = state();
    s.picker.entries = vec![crate::app::state::Entry::new(
        "desk.jpg".into(),
        FILE.into(),
        false,
        10,
        true,
        Some("JPEG".into()),
    )];
    s.picker.visible = vec![0];
    s.focus = Pane::Picker;
    let fx = act(&mut s, Action::Crop);
    assert!(matches!(fx.first(), Some(Effect::LoadCrop { .. })));
    let generation = s.crop_generation;
    // A late reply for an earlier opening is dropped.
    update(
        &mut s,
        Msg::CropLoaded {
            generation: generation - 1,
            result: Ok(picture(10, 10)),
        },
    );
    assert!(s.crop.as_ref().unwrap().picture.is_none());
    update(
        &mut s,
        Msg::CropLoaded {
            generation,
            result: Ok(picture(640, 480)),
        },
    );
    act(&mut s, Action::CropNextSubject);
    assert!(
        s.message
            .as_ref()
            .unwrap()
            .text
            .contains("search this picture first")
    );
    // A picture that cannot be read: said in crop mode, esc leaves.
    let mut t = state();
    t.picker = std::mem::take(&mut s.picker);
    t.focus = Pane::Picker;
    act(&mut t, Action::Crop);
    let g = t.crop_generation;
    update(
        &mut t,
        Msg::CropLoaded {
            generation: g,
            result: Err("not an image".into()),
        },
    );
    assert_eq!(
        t.crop.as_ref().unwrap().error.as_deref(),
        Some("not an image")
    );
    assert!(act(&mut t, Action::CropSearch).is_empty());
    act(&mut t, Action::Cancel);
    assert!(t.crop.is_none());
}

#[test]
fn a_crop_outside_the_prepared_picture_fails_with_a_clear_message() {
    let mut s = state();
    let fx = new_search_cropped_for_test(&mut s, "0,0,5000,100");
    assert!(start_search(&fx).is_some());
    let resolved = resolved_4000x3000();
    let g = s.results.generation;
    let fx = update(
        &mut s,
        Msg::Resolved {
            generation: g,
            result: Ok(resolved),
        },
    );
    assert!(fetches(&fx).is_empty());
    let m = s.message.as_ref().unwrap();
    assert!(m.error && m.text.contains("outside the picture"), "{m:?}");
    let _ = Region(vec![]);
}

fn new_search_cropped_for_test(s: &mut State, crop: &str) -> Vec<Effect> {
    super::search::new_search_cropped(s, SearchSource::File(FILE.into()), Some(crop.into()))
}

#[test]
fn by_address_the_subjects_are_already_in_the_pictures_pixels() {
    let mut s = state();
    searching(&mut s);
    let mut p = page(1, 20, 5);
    p.subjects = Some(Subjects {
        current: None,
        detected: vec![(10, 300, 20, 400)],
    });
    let generation = s.results.generation;
    update(
        &mut s,
        Msg::Page {
            generation,
            page: 1,
            result: Ok(p),
            stored: None,
        },
    );
    s.focus = Pane::Results;
    act(&mut s, Action::Crop);
    let g = s.crop_generation;
    update(
        &mut s,
        Msg::CropLoaded {
            generation: g,
            result: Ok(picture(800, 800)),
        },
    );
    assert_eq!(
        s.crop.as_ref().unwrap().subjects,
        vec![pb(10, 20, 300, 400)]
    );
}
