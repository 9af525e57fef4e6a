//! The file picker: listing directories, the hidden-file and fuzzy
//! filters, the path line, and opening what is under the cursor.

use super::screen::scroll_into_view;
use super::search::new_search;
use crate::app::fuzzy::FuzzyFilter;
use crate::app::msg::Effect;
use crate::app::state::{Entry, Pane, PickerState, SearchSource, State};
use crate::image::looks_like_image;
use crate::keymap::Action;
use crate::text::is_url;
use std::path::{Path, PathBuf};
use tui_input::Input;

/// The path line takes enter and esc, the filter line esc (and ends on
/// enter). `Some` when the key was used up here.
pub(super) fn input_line_key(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    if state.focus == Pane::Picker && state.picker.path_input.is_some() {
        match a {
            Action::Open | Action::Search | Action::ApplyFilters => {
                return Some(submit_path(state));
            }
            Action::Cancel => {
                state.picker.path_input = None;
                return Some(Vec::new());
            }
            _ => {}
        }
    }
    if state.focus == Pane::Picker && state.picker.filter_active {
        match a {
            Action::Cancel => {
                state.picker.filter_active = false;
                state.picker.filter.reset();
                rebuild_visible(&mut state.picker);
                return Some(Vec::new());
            }
            Action::Open | Action::Search => state.picker.filter_active = false,
            _ => {}
        }
    }
    None
}

pub(super) fn parent_dir(state: &mut State) -> Vec<Effect> {
    let cur = state.picker.dir.clone();
    match cur.parent() {
        Some(parent) => {
            let name = cur.file_name().map(|n| n.to_string_lossy().into_owned());
            vec![list_dir(state, parent.to_path_buf(), name)]
        }
        None => Vec::new(),
    }
}

pub(super) fn home_dir(state: &mut State) -> Vec<Effect> {
    match state.picker.home.clone() {
        Some(home) => vec![list_dir(state, home, None)],
        None => {
            state.set_error("No home directory is known");
            Vec::new()
        }
    }
}

pub(super) fn toggle_hidden(state: &mut State) -> Vec<Effect> {
    state.picker.show_hidden = !state.picker.show_hidden;
    rebuild_visible(&mut state.picker);
    state.set_info(if state.picker.show_hidden {
        "Showing hidden files"
    } else {
        "Hiding hidden files"
    });
    Vec::new()
}

pub(super) fn filter_files(state: &mut State) -> Vec<Effect> {
    state.focus = Pane::Picker;
    state.picker.filter_active = true;
    Vec::new()
}

/// Opens the path line, filled with the current directory.
pub(super) fn enter_path(state: &mut State) -> Vec<Effect> {
    state.focus = Pane::Picker;
    let dir = format!("{}/", state.picker.dir.display());
    let dir = if dir == "//" { "/".to_string() } else { dir };
    state.picker.path_input = Some(Input::new(dir));
    Vec::new()
}

/// Starts listing `dir`; `select` is put under the cursor when it shows up.
pub(super) fn list_dir(state: &mut State, dir: PathBuf, select: Option<String>) -> Effect {
    let p = &mut state.picker;
    p.generation += 1;
    p.dir = dir.clone();
    p.entries.clear();
    p.visible.clear();
    p.cursor = 0;
    p.offset = 0;
    p.loading = true;
    p.error = None;
    p.select_name = select;
    p.filter_active = false;
    p.filter.reset();
    Effect::ListDir {
        generation: p.generation,
        dir,
    }
}

pub(super) fn listing(
    state: &mut State,
    generation: u64,
    entries: Vec<Entry>,
    done: bool,
    error: Option<crate::app::msg::ListingError>,
) {
    if generation != state.picker.generation {
        return;
    }
    let p = &mut state.picker;
    let first_new = p.entries.len();
    p.entries.extend(entries);
    if done {
        p.loading = false;
    }
    if let Some(e) = error {
        p.error = Some(e.to_string());
    }
    merge_visible(p, first_new);
    if let Some(name) = p.select_name.clone()
        && let Some(pos) = p
            .visible
            .iter()
            .position(|&i| p.entries.get(i).is_some_and(|e| e.name == name))
    {
        p.cursor = pos;
        p.select_name = None;
    }
    if done {
        p.select_name = None;
    }
    scroll_into_view(state);
}

/// The rank of an entry for the current filter: `None` when not shown
/// (hidden, or not matching), else its match score (0 with no filter).
fn rank(show_hidden: bool, filter: Option<&mut FuzzyFilter>, e: &Entry) -> Option<u16> {
    if !show_hidden && e.hidden() {
        return None;
    }
    filter.map_or(Some(0), |f| f.score(&e.name))
}

/// Best match first; among equal matches (or with no filter) directories
/// first, then by name.
fn ranked_order(entries: &[Entry], a: (u16, usize), b: (u16, usize)) -> std::cmp::Ordering {
    b.0.cmp(&a.0)
        .then_with(|| entries[a.1].order(&entries[b.1]))
}

/// Adds entries `first_new..` to the shown rows: sorts only the new ones and
/// merges, so a listing arriving in batches costs O(n) per batch.
fn merge_visible(p: &mut PickerState, first_new: usize) {
    let keep = p.visible.get(p.cursor).copied();
    let mut filter = FuzzyFilter::new(p.filter.value());
    let show_hidden = p.show_hidden;
    let entries = &p.entries;
    let mut fresh: Vec<(u16, usize)> = (first_new..entries.len())
        .filter_map(|i| rank(show_hidden, filter.as_mut(), &entries[i]).map(|s| (s, i)))
        .collect();
    if fresh.is_empty() {
        return;
    }
    fresh.sort_unstable_by(|&a, &b| ranked_order(entries, a, b));
    // The shown rows' scores again, to merge by the same order.
    let old: Vec<(u16, usize)> = std::mem::take(&mut p.visible)
        .into_iter()
        .map(|i| {
            let score = filter
                .as_mut()
                .map_or(0, |f| f.score(&entries[i].name).unwrap_or(0));
            (score, i)
        })
        .collect();
    let mut merged = Vec::with_capacity(old.len() + fresh.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < fresh.len() {
        if ranked_order(entries, old[i], fresh[j]) != std::cmp::Ordering::Greater {
            merged.push(old[i].1);
            i += 1;
        } else {
            merged.push(fresh[j].1);
            j += 1;
        }
    }
    merged.extend(old[i..].iter().map(|&(_, e)| e));
    merged.extend(fresh[j..].iter().map(|&(_, e)| e));
    // A cursor on the first row stays there as names sorting before it
    // arrive: a long listing opens at its top, not where the first batch
    // happened to end.
    p.cursor = keep
        .filter(|_| p.cursor > 0)
        .and_then(|k| merged.iter().position(|&x| x == k))
        .unwrap_or(0);
    p.visible = merged;
}

/// Recomputes the shown rows: hidden files, the fuzzy filter, order.
/// Keeps the cursor on the same entry when it is still shown.
pub(super) fn rebuild_visible(p: &mut PickerState) {
    let keep = p.visible.get(p.cursor).copied();
    let mut filter = FuzzyFilter::new(p.filter.value());
    let entries = &p.entries;
    let mut ranked: Vec<(u16, usize)> = (0..entries.len())
        .filter_map(|i| rank(p.show_hidden, filter.as_mut(), &entries[i]).map(|s| (s, i)))
        .collect();
    ranked.sort_unstable_by(|&a, &b| ranked_order(entries, a, b));
    let visible: Vec<usize> = ranked.into_iter().map(|(_, i)| i).collect();
    p.cursor = keep
        .and_then(|k| visible.iter().position(|&i| i == k))
        .unwrap_or_else(|| p.cursor.min(visible.len().saturating_sub(1)));
    p.visible = visible;
}
pub(super) fn open_entry(state: &mut State, search_only: bool) -> Vec<Effect> {
    let Some(entry) = state.picker.selected().cloned() else {
        return Vec::new();
    };
    if entry.is_dir {
        if search_only {
            state.set_error(format!("{} is a directory", entry.name));
            return Vec::new();
        }
        return vec![list_dir(state, entry.path, None)];
    }
    if !entry.is_image {
        // Why the listing could not read it (permission, device…), as the
        // search would say, rather than a guess from its name.
        state.set_error(match &entry.unread {
            Some(why) => format!("{} is not a recognised image: {why}", entry.name),
            None => format!(
                "{} is not a recognised image (JPEG, PNG, WebP, GIF, BMP…)",
                entry.name
            ),
        });
        return Vec::new();
    }
    new_search(state, SearchSource::File(entry.path))
}

fn submit_path(state: &mut State) -> Vec<Effect> {
    let Some(line) = state.picker.path_input.take() else {
        return Vec::new();
    };
    let text = line.value().trim().to_string();
    if text.is_empty() {
        return Vec::new();
    }
    if is_url(&text) {
        return new_search(state, SearchSource::Url(text));
    }
    let path = expand_home(&text, state.picker.home.as_deref());
    let path = if path.is_relative() {
        state.picker.dir.join(path)
    } else {
        path
    };
    // Whether it is a directory is decided by the name (a trailing slash)
    // or the listing; no file-system call here.
    if text.ends_with('/') {
        return vec![list_dir(state, path, None)];
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if looks_like_image(&text) {
        let mut fx = vec![list_dir(state, dir, name)];
        fx.extend(new_search(state, SearchSource::File(path)));
        fx
    } else {
        // Treat it as a directory; the listing reports it if it is not one.
        vec![list_dir(state, path, None)]
    }
}

fn expand_home(text: &str, home: Option<&Path>) -> PathBuf {
    match (text.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(text),
    }
}
