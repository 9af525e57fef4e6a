//! The Watches pane: the list of watches (`tusou watch`), Enter to open a
//! watch's last run's results with its new and cheaper offers marked, and
//! `watch_search` to make a watch of the search on screen.

use crate::app::msg::{Effect, WatchError, WatchMade, WatchOp, WatchRequest, WatchRun};
use crate::app::state::{Pane, State, StoreStatus, WatchMarks};
use crate::store::{Watch, WatchId};
use crate::text::sanitize;

/// Reads the watches from the store (each time the pane is shown: a
/// `tusou watch run` elsewhere may have run them).
pub(super) fn load(state: &mut State) -> Vec<Effect> {
    state.watches.loaded = true;
    if let StoreStatus::Off(_) = state.store {
        return Vec::new();
    }
    vec![Effect::Watch(WatchOp::Load)]
}

/// `focus_watches`: the pane, its list read again.
pub(super) fn show(state: &mut State) -> Vec<Effect> {
    let mut fx = super::screen::focus(state, Pane::Watches);
    fx.extend(load(state));
    fx
}

pub(super) fn loaded(state: &mut State, result: Result<Vec<Watch>, WatchError>) -> Vec<Effect> {
    match result {
        Ok(entries) => {
            let w = &mut state.watches;
            let keep = w.selected().map(|e| e.id);
            w.entries = entries;
            w.cursor = keep
                .and_then(|id| w.entries.iter().position(|e| e.id == id))
                .unwrap_or_else(|| w.cursor.min(w.entries.len().saturating_sub(1)));
            super::screen::scroll_into_view(state);
        }
        Err(e) => state.set_error(format!("watches: {e}")),
    }
    Vec::new()
}

/// Enter: the highlighted watch's last run, read back.
pub(super) fn open(state: &mut State) -> Vec<Effect> {
    let Some(w) = state.watches.selected() else {
        state.set_info("No watch yet: W on a search's results makes one");
        return Vec::new();
    };
    if w.last.as_ref().and_then(|l| l.search).is_none() {
        state.set_info(format!(
            "Watch {} has not run yet: `tusou watch run` runs it",
            w.id.0
        ));
        return Vec::new();
    }
    let id = w.id;
    state.set_info(format!("Opening watch {}'s last run…", id.0));
    vec![Effect::Watch(WatchOp::Open(WatchId(id.0)))]
}

/// The last run is back: reopened as History reopens a search, its new and
/// cheaper offers marked on its rows.
pub(super) fn opened(state: &mut State, result: Result<Box<WatchRun>, WatchError>) -> Vec<Effect> {
    let run = match result {
        Ok(run) => *run,
        Err(e) => {
            state.set_error(format!("watches: {e}"));
            return Vec::new();
        }
    };
    let WatchRun {
        watch,
        search,
        marks,
    } = run;
    let fx = super::history::reopened(state, Ok(Some(search)));
    let new = marks
        .iter()
        .filter(|(_, m)| *m == crate::app::state::WatchMark::New)
        .count();
    let cheaper = marks.len() - new;
    state.watches.marks = WatchMarks::new(state.results.generation, marks);
    state.results.label = format!("watch {watch}: {}", state.results.label);
    state.set_info(format!(
        "Watch {watch}'s last run: {new} new and {cheaper} cheaper offers marked (no request made)"
    ));
    fx
}

/// Marks belong to the results they were made for: another search on
/// screen clears them.
pub(super) fn sync_marks(state: &mut State) {
    let marks = &mut state.watches.marks;
    if marks.generation != state.results.generation && !marks.is_empty() {
        marks.clear();
    }
}

/// `watch_search`: a watch of the search on screen, as `tusou watch add`
/// makes it (every day, price moves from 5 %), with the filters' quantity
/// and lane.
pub(super) fn watch_search(state: &mut State) -> Vec<Effect> {
    if let StoreStatus::Off(reason) = &state.store {
        let reason = sanitize(reason);
        state.set_error(format!("No watch: the history is off ({reason})"));
        return Vec::new();
    }
    let Some(source) = state.results.source.clone() else {
        state.set_info("No search on screen to watch: search with a picture first");
        return Vec::new();
    };
    let qty = state.details.quantity;
    let lane = qty.and(state.landed.lane.as_ref().map(|l| l.name.clone()));
    state.set_info("Making a watch of this search…");
    vec![Effect::Watch(WatchOp::Make(Box::new(WatchRequest {
        source,
        params: state.results.params.clone(),
        qty,
        lane,
    })))]
}

pub(super) fn made(state: &mut State, result: Result<WatchMade, WatchError>) -> Vec<Effect> {
    match result {
        Ok(WatchMade { id, existed: true }) => state.set_info(format!(
            "This search is watched already: watch {id} (6 shows the watches)"
        )),
        Ok(WatchMade { id, existed: false }) => state.set_info(format!(
            "Watch {id} made: every day, price moves from 5% — `tusou watch run` runs it"
        )),
        Err(e) => state.set_error(format!("No watch made: {e}")),
    }
    Vec::new()
}
