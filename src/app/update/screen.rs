//! What the screen needs after any change: the focused pane, every cursor
//! kept on screen, and what to load for it (the next page of results, the
//! history, the shortlist). The files of `update/` build on this one; it
//! imports none of them, so their imports run one way.

use crate::app::layout::{self, filters_rows, picker_rows, results_rows};
use crate::app::msg::{Effect, StoreOp};
use crate::app::state::{Pane, Phase, State, StoreStatus};

/// Focuses `pane`; a main pane (Results, History, Shortlist) also takes the
/// main place. History and Shortlist are read from the store the first time.
pub(super) fn focus(state: &mut State, pane: Pane) -> Vec<Effect> {
    state.focus = pane;
    if pane.is_main() {
        state.main = pane;
    }
    let mut fx = Vec::new();
    match pane {
        Pane::History if !state.history.loaded => {
            fx.extend(load_history(state));
        }
        Pane::Shortlist if !state.shortlist.loaded => {
            fx.extend(load_shortlist(state));
        }
        _ => {}
    }
    scroll_into_view(state);
    fx
}

/// Reads the history list from the store (once loaded, on demand).
pub(super) fn load_history(state: &mut State) -> Vec<Effect> {
    if let StoreStatus::Off(_) = state.store {
        state.history.loaded = true;
        return Vec::new();
    }
    state.history.loaded = true;
    vec![Effect::Store(StoreOp::LoadHistory)]
}

/// Reads the shortlist from the store.
pub(super) fn load_shortlist(state: &mut State) -> Vec<Effect> {
    state.shortlist.loaded = true;
    if let StoreStatus::Off(_) = state.store {
        return Vec::new();
    }
    vec![Effect::Store(StoreOp::LoadShortlist)]
}

pub(super) fn keep_visible(cursor: usize, offset: &mut usize, rows: usize) {
    if rows == 0 {
        *offset = cursor;
        return;
    }
    if cursor < *offset {
        *offset = cursor;
    } else if cursor >= *offset + rows {
        *offset = cursor + 1 - rows;
    }
}

/// Keeps every cursor on screen (after moves, resizes, new data).
pub(super) fn scroll_into_view(state: &mut State) {
    let rows = picker_rows(state);
    keep_visible(state.picker.cursor, &mut state.picker.offset, rows);
    if let Some(grid) = layout::gallery_grid(state) {
        // Whole rows of cells: the offset is the first cell of a row.
        let r = &mut state.results;
        let columns = grid.columns.max(1);
        let mut top = r.offset / columns;
        keep_visible(r.cursor / columns, &mut top, grid.rows);
        let offset = top * columns;
        if offset != r.offset {
            r.scrolled_up = offset < r.offset;
        }
        r.offset = offset;
    } else {
        let rows = results_rows(state);
        let r = &mut state.results;
        keep_visible(r.cursor, &mut r.offset, rows);
        // At the last row, show the row under it too (end marker, spinner, error).
        let len = r.rows.len();
        let status_row = r.phase != Phase::Ready || r.end;
        if status_row && len > 0 && r.cursor + 1 == len && rows > 1 {
            r.offset = r.offset.max((len + 1).saturating_sub(rows));
        }
    }
    let rows = filters_rows(state);
    keep_visible(state.filters.cursor, &mut state.filters.offset, rows);
    let rows = layout::history_rows(state);
    keep_visible(state.history.cursor, &mut state.history.offset, rows);
    let rows = layout::shortlist_rows(state);
    keep_visible(state.shortlist.cursor, &mut state.shortlist.offset, rows);
    let rows = layout::watches_rows(state);
    keep_visible(state.watches.cursor, &mut state.watches.offset, rows);
}

/// Fetches the next page when the loaded rows do not reach one page (and
/// one screen) past the bottom of the screen. One fetch at a time, pages in
/// order, none past the last.
pub(super) fn maybe_fetch(state: &mut State) -> Option<Effect> {
    let rows = results_rows(state).max(1);
    let r = &mut state.results;
    let image = r.image.clone()?;
    if r.inflight.is_some()
        || r.awaiting_record
        || r.end
        || matches!(r.phase, Phase::Failed | Phase::Cancelled | Phase::Preparing)
    {
        return None;
    }
    if r.pages_loaded > 0 && r.pages_loaded >= r.total_pages {
        r.end = true;
        return None;
    }
    let page_size = r.params.effective_page_size() as usize;
    let top = r.offset.max(r.cursor);
    let want = top + rows + page_size.max(rows);
    if r.pages_loaded > 0 && r.rows.len() >= want {
        return None;
    }
    // However many rows grouping folds away, loading runs at most a screen
    // and a page past the offers the user has seen: those down to the last
    // row on screen, or all of them once the user moved to the end.
    let bottom = (top + rows).min(r.rows.len());
    let on_screen = r.rows.get(r.offset.min(bottom)..bottom).unwrap_or_default();
    let seen = on_screen
        .iter()
        .map(|p| *p as usize + 1)
        .max()
        .unwrap_or(0)
        .max(r.reached);
    if r.pages_loaded > 0 && r.offers.len() >= seen + page_size.max(rows) + page_size {
        return None;
    }
    let page = r.pages_loaded + 1;
    r.inflight = Some(page);
    r.phase = Phase::Loading;
    Some(Effect::FetchPage {
        generation: r.generation,
        image,
        params: r.params.clone(),
        page,
        first: first_position(r, page),
        record: r.recorded,
    })
}

/// The position page `page`'s first offer takes: after the loaded pages,
/// or 0 for a new search's first page (the rows on screen then are the
/// search before's).
pub(super) fn first_position(r: &crate::app::state::ResultsState, page: u32) -> u64 {
    if page <= 1 { 0 } else { r.offers.len() as u64 }
}
