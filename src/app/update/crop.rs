//! Crop mode: opening it on a picture, the keys and the mouse that move and
//! size the box, and searching with it. The arithmetic is `app::crop`'s.

use super::search::new_search_cropped;
use crate::api::{PixelBox, Region};
use crate::app::crop::{self, describe, whole};
use crate::app::layout;
use crate::app::msg::{Effect, MouseMsg};
use crate::app::state::{CropPicture, CropState, Pane, SearchSource, State};
use crate::keymap::Action;

/// `crop` in Files (the highlighted picture) or Results (the search's
/// picture).
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    let source = if state.focus == Pane::Picker {
        match state.picker.selected() {
            Some(e) if e.is_image && !e.is_dir => SearchSource::File(e.path.clone()),
            _ => {
                state.set_info("Crop: highlight a picture first");
                return Vec::new();
            }
        }
    } else {
        match state.results.source.clone() {
            Some(s) => s,
            None => {
                state.set_info("Crop: choose a picture in Files first");
                return Vec::new();
            }
        }
    };
    state.crop_generation += 1;
    let mut crop = CropState::new(source.clone(), state.crop_generation);
    // What the provider said about this picture, when it is the one searched.
    let r = &state.results;
    if r.source.as_ref() == Some(&source) {
        crop.searched = r.pages_loaded > 0 && !r.stale;
        if let Some(subjects) = r.subjects.as_ref() {
            // By address the provider fetched the picture itself: its
            // boxes are already in the picture's pixels.
            (crop.subjects, crop.initial) = match r.sizes {
                Some((picture, sent)) => (
                    subjects.detected_in(sent, picture),
                    subjects.current_in(sent, picture),
                ),
                None => (subjects.detected_boxes(), subjects.current_box()),
            };
        }
        if let Some(region) = r
            .params
            .crop
            .as_deref()
            .and_then(|c| c.parse::<Region>().ok())
        {
            crop.initial = region.0.first().copied();
        }
    }
    state.crop = Some(crop);
    vec![Effect::LoadCrop {
        generation: state.crop_generation,
        source,
    }]
}

/// The picture is in (or could not be read).
pub(super) fn loaded(state: &mut State, generation: u64, result: Result<CropPicture, String>) {
    let Some(crop) = state.crop.as_mut().filter(|c| c.generation == generation) else {
        return;
    };
    match result {
        Ok(picture) => {
            let size = picture.size();
            crop.selection = crop::clamp(crop.initial.unwrap_or(whole(size)), size);
            crop.subjects = crop
                .subjects
                .iter()
                .map(|b| crop::clamp(*b, size))
                .collect();
            crop.subjects.dedup();
            crop.subject = crop.subjects.iter().position(|b| *b == crop.selection);
            crop.picture = Some(picture);
        }
        Err(e) => crop.error = Some(e),
    }
}

/// Every key while crop mode is open comes here.
pub(super) fn key(state: &mut State, a: Action) -> Vec<Effect> {
    match a {
        Action::Cancel => {
            state.crop = None;
            state.set_info("Crop left: nothing changed");
            return Vec::new();
        }
        Action::Help => {
            state.help = Some(0);
            return Vec::new();
        }
        Action::CropSearch => return search(state),
        _ => {}
    }
    let Some(view) = layout::crop_view(state) else {
        return Vec::new();
    };
    let Some(crop) = state.crop.as_mut() else {
        return Vec::new();
    };
    let size = view.picture;
    let (sx, sy) = view.step();
    let (sx, sy) = (i64::from(sx), i64::from(sy));
    let b = crop.selection;
    let next = match a {
        Action::CropLeft => crop::moved(b, -sx, 0, size),
        Action::CropRight => crop::moved(b, sx, 0, size),
        Action::CropUp => crop::moved(b, 0, -sy, size),
        Action::CropDown => crop::moved(b, 0, sy, size),
        Action::CropNarrower => crop::resized(b, -sx, 0, size),
        Action::CropWider => crop::resized(b, sx, 0, size),
        Action::CropShorter => crop::resized(b, 0, -sy, size),
        Action::CropTaller => crop::resized(b, 0, sy, size),
        Action::CropGrow => crop::scaled(b, 5, 4, size),
        Action::CropShrink => crop::scaled(b, 4, 5, size),
        Action::CropCentre => crop::centred(b, size),
        Action::CropReset => whole(size),
        Action::CropNextSubject | Action::CropPrevSubject => {
            let n = crop.subjects.len();
            if n == 0 {
                let searched = crop.searched;
                state.set_info(if searched {
                    "The provider named no subjects in this picture: draw the box with the keys or the mouse"
                } else {
                    "No detected subjects yet: the provider names them with a search's results — search this picture first"
                });
                return Vec::new();
            }
            let i = match (crop.subject, a == Action::CropNextSubject) {
                (None, true) => 0,
                (None, false) => n - 1,
                (Some(i), true) => (i + 1) % n,
                (Some(i), false) => (i + n - 1) % n,
            };
            crop.subject = Some(i);
            crop.selection = crop.subjects[i];
            return Vec::new();
        }
        // Other keys (pane focus, paging) wait until crop mode is left.
        _ => return Vec::new(),
    };
    set_selection(crop, next);
    Vec::new()
}

fn set_selection(crop: &mut CropState, b: PixelBox) {
    crop.selection = b;
    crop.subject = crop.subjects.iter().position(|s| *s == b);
}

/// Enter: search the picture with the box (the whole picture: no region).
fn search(state: &mut State) -> Vec<Effect> {
    let Some(crop) = state.crop.take() else {
        return Vec::new();
    };
    let Some(picture) = crop.picture.as_ref() else {
        state.crop = Some(crop);
        return Vec::new();
    };
    let size = picture.size();
    let b = crop::clamp(crop.selection, size);
    let region = (b != whole(size)).then(|| Region(vec![b]).to_string());
    let fx = new_search_cropped(state, crop.source, region);
    if b != whole(size) {
        let label = state
            .results
            .source
            .as_ref()
            .map(SearchSource::label)
            .unwrap_or_default();
        state.set_info(format!("Searching {}: {}…", label, describe(b)));
    }
    fx
}

/// The mouse draws the box: press at one corner, drag, release; the
/// wheel grows and shrinks it.
pub(super) fn mouse(state: &mut State, m: MouseMsg) -> Vec<Effect> {
    let Some(view) = layout::crop_view(state) else {
        return Vec::new();
    };
    let Some(crop) = state.crop.as_mut() else {
        return Vec::new();
    };
    match m {
        MouseMsg::Click { col, row } if view.contains(col, row) => {
            crop.drag = Some((col, row));
            set_selection(crop, view.drag_box((col, row), (col, row)));
        }
        MouseMsg::Drag { col, row } | MouseMsg::Release { col, row } => {
            if let Some(anchor) = crop.drag {
                set_selection(crop, view.drag_box(anchor, (col, row)));
            }
            if matches!(m, MouseMsg::Release { .. }) {
                crop.drag = None;
            }
        }
        MouseMsg::ScrollUp { .. } => {
            let b = crop::scaled(crop.selection, 5, 4, view.picture);
            set_selection(crop, b);
        }
        MouseMsg::ScrollDown { .. } => {
            let b = crop::scaled(crop.selection, 4, 5, view.picture);
            set_selection(crop, b);
        }
        MouseMsg::Click { .. } => {}
    }
    Vec::new()
}
