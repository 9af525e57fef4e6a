//! The shortlist: starring offers (from the results, the history's reopened
//! searches or the shortlist itself), their notes and statuses, and the
//! Shortlist pane's filter, sort and export. Changes show at once and are
//! written to the store in order; the store's answer replaces the list.

use crate::api::Offer;
use crate::app::fuzzy::FuzzyFilter;
use crate::app::msg::{Effect, StoreOp};
use crate::app::state::{NoteEdit, Pane, ShortlistSort, ShortlistState, State, StoreStatus};
use crate::keymap::Action;
use crate::store::{OfferRef, ShortlistEntry, Status, Store};
use tui_input::Input;

pub(super) fn loaded(
    state: &mut State,
    result: Result<Vec<ShortlistEntry>, crate::app::msg::HistoryError>,
) -> Vec<Effect> {
    match result {
        Ok(entries) => {
            state.shortlist.entries = entries;
            state.shortlist.loaded = true;
            rebuild_visible(&mut state.shortlist);
            super::screen::scroll_into_view(state);
        }
        Err(e) => state.set_error(format!("shortlist: {e}")),
    }
    Vec::new()
}

/// The rows shown: entries matching the filter (title, translation, note,
/// status), in the chosen order; the cursor stays on its offer.
pub(super) fn rebuild_visible(s: &mut ShortlistState) {
    let keep = s.selected().map(|e| e.offer_ref.clone());
    let mut filter = FuzzyFilter::new(s.filter.value());
    let mut visible: Vec<usize> = (0..s.entries.len())
        .filter(|&i| match filter.as_mut() {
            None => true,
            Some(f) => {
                let e = &s.entries[i];
                let text = format!(
                    "{} {} {} {}",
                    e.offer.title_en.as_deref().unwrap_or(""),
                    e.offer.title,
                    e.note,
                    e.status.label()
                );
                f.score(&text).is_some()
            }
        })
        .collect();
    let entries = &s.entries;
    match s.sort {
        // The store lists them newest first.
        ShortlistSort::Added => {}
        ShortlistSort::Price => {
            visible.sort_by_key(|&i| entries[i].offer.price.map_or((1, 0), |p| (0, p.fen())))
        }
        ShortlistSort::Status => visible.sort_by_key(|&i| {
            Status::ALL
                .iter()
                .position(|st| *st == entries[i].status)
                .unwrap_or(usize::MAX)
        }),
        ShortlistSort::Changed => {
            visible.sort_by_key(|&i| std::cmp::Reverse(entries[i].changed_at));
        }
    }
    s.visible = visible;
    s.cursor = keep
        .and_then(|k| {
            s.visible
                .iter()
                .position(|&i| s.entries.get(i).is_some_and(|e| e.offer_ref == k))
        })
        .unwrap_or_else(|| s.cursor.min(s.visible.len().saturating_sub(1)));
}

/// The highlighted offer and the ref it is (or would be) stored under.
fn target(state: &State) -> Option<(OfferRef, Offer)> {
    if state.focus == Pane::Shortlist
        || (state.focus == Pane::Detail && state.main == Pane::Shortlist)
    {
        let e = state.shortlist.selected()?;
        return Some((e.offer_ref.clone(), e.offer.clone()));
    }
    let offer = state.results.selected()?;
    Some((Store::offer_ref(&state.provider, offer), offer.clone()))
}

fn history_off(state: &mut State) -> bool {
    if let StoreStatus::Off(reason) = &state.store {
        let text = format!("{reason} — nothing can be starred");
        state.set_error(text);
        return true;
    }
    false
}

/// A newly starred offer as shown until the store's list replaces it (the
/// store sets its times).
fn shown_starred(offer_ref: OfferRef, offer: Offer, note: String) -> ShortlistEntry {
    ShortlistEntry {
        offer_ref,
        offer,
        note,
        status: Status::ToAsk,
        added_at: 0,
        changed_at: 0,
    }
}

/// Stars the highlighted offer, or unstars it when it is starred.
pub(super) fn star(state: &mut State) -> Vec<Effect> {
    if history_off(state) {
        return Vec::new();
    }
    let Some((r, offer)) = target(state) else {
        state.set_error("No offer selected");
        return Vec::new();
    };
    let s = &mut state.shortlist;
    if let Some(pos) = s.entries.iter().position(|e| e.offer_ref == r) {
        s.entries.remove(pos);
        rebuild_visible(s);
        super::screen::scroll_into_view(state);
        return vec![Effect::Store(StoreOp::Unstar(r))];
    }
    s.entries
        .insert(0, shown_starred(r.clone(), offer.clone(), String::new()));
    rebuild_visible(s);
    vec![Effect::Store(StoreOp::Star(r, Box::new(offer)))]
}

/// Opens the note line for the highlighted offer (starring it on save).
pub(super) fn edit_note(state: &mut State) -> Vec<Effect> {
    if history_off(state) {
        return Vec::new();
    }
    let Some((r, offer)) = target(state) else {
        state.set_error("No offer selected");
        return Vec::new();
    };
    let note = state
        .shortlist
        .entry(&r)
        .map(|e| e.note.clone())
        .unwrap_or_default();
    let title = offer
        .title_en
        .clone()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| offer.title.clone());
    state.note = Some(NoteEdit {
        offer: r,
        title,
        input: Input::new(note),
    });
    Vec::new()
}

/// Longest note kept, in characters.
const NOTE_MAX: usize = 2_000;

fn save_note(state: &mut State) -> Vec<Effect> {
    let Some(edit) = state.note.take() else {
        return Vec::new();
    };
    let note: String = edit.input.value().trim().chars().take(NOTE_MAX).collect();
    let offer = match state.shortlist.entry(&edit.offer) {
        Some(e) => e.offer.clone(),
        None => match target(state) {
            Some((r, o)) if r == edit.offer => o,
            _ => {
                state.set_error("The offer is no longer highlighted; the note was not saved");
                return Vec::new();
            }
        },
    };
    let s = &mut state.shortlist;
    match s.entries.iter_mut().find(|e| e.offer_ref == edit.offer) {
        Some(e) => e.note = note.clone(),
        None => s.entries.insert(
            0,
            shown_starred(edit.offer.clone(), offer.clone(), note.clone()),
        ),
    }
    rebuild_visible(s);
    vec![Effect::Store(StoreOp::SetNote(
        edit.offer,
        Box::new(offer),
        note,
    ))]
}

/// Cycles the highlighted offer's status (starring it first if need be).
pub(super) fn cycle_status(state: &mut State) -> Vec<Effect> {
    if history_off(state) {
        return Vec::new();
    }
    let Some((r, offer)) = target(state) else {
        state.set_error("No offer selected");
        return Vec::new();
    };
    let s = &mut state.shortlist;
    let status = match s.entries.iter_mut().find(|e| e.offer_ref == r) {
        Some(e) => {
            e.status = e.status.next();
            e.status
        }
        None => {
            s.entries
                .insert(0, shown_starred(r.clone(), offer.clone(), String::new()));
            Status::ToAsk
        }
    };
    rebuild_visible(s);
    vec![Effect::Store(StoreOp::SetStatus(
        r,
        Box::new(offer),
        status,
    ))]
}

/// Keys while the note line or the shortlist's filter has the keyboard.
pub(super) fn input_line_key(state: &mut State, a: Action) -> Option<Vec<Effect>> {
    if state.note.is_some() {
        return Some(match a {
            Action::Open | Action::OpenLink | Action::ApplyFilters | Action::Search => {
                save_note(state)
            }
            Action::Cancel => {
                state.note = None;
                state.set_info("Note left as it was");
                Vec::new()
            }
            _ => Vec::new(),
        });
    }
    if state.focus == Pane::Shortlist && state.shortlist.filter_active {
        match a {
            Action::Cancel => {
                state.shortlist.filter_active = false;
                state.shortlist.filter.reset();
                rebuild_visible(&mut state.shortlist);
                return Some(Vec::new());
            }
            Action::Open | Action::OpenLink => {
                state.shortlist.filter_active = false;
                return Some(Vec::new());
            }
            _ => {}
        }
    }
    None
}

pub(super) fn start_filter(state: &mut State) -> Vec<Effect> {
    state.shortlist.filter_active = true;
    Vec::new()
}

pub(super) fn cycle_sort(state: &mut State) -> Vec<Effect> {
    let s = &mut state.shortlist;
    s.sort = s.sort.next();
    rebuild_visible(s);
    let label = s.sort.label();
    state.set_info(format!("Shortlist sorted by {label}"));
    Vec::new()
}

/// Exports the rows shown (filter and order as on screen), notes and status
/// included.
pub(super) fn export(state: &mut State) -> Vec<Effect> {
    let s = &state.shortlist;
    let entries: Vec<ShortlistEntry> = s
        .visible
        .iter()
        .filter_map(|&i| s.entries.get(i).cloned())
        .collect();
    if entries.is_empty() {
        state.set_error("Nothing starred to export");
        return Vec::new();
    }
    state.set_info(format!("Exporting {} starred offers…", entries.len()));
    let at = state
        .details
        .quantity
        .map(|quantity| crate::app::msg::ShortlistAt {
            quantity,
            lane: state.landed.lane.clone(),
            settings: state.landed.settings.clone(),
        });
    vec![Effect::ExportShortlist {
        entries,
        dir: state.export_dir.clone(),
        currency: state.currency.clone(),
        at,
    }]
}
