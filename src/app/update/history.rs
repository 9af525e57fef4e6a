//! The History pane: reading the list, reopening a search from the store
//! (rows and pictures' URLs, no request), searching it again with the
//! provider, deleting an entry.

use super::trail::push_crumb;
use crate::api::ImageSource;
use crate::app::msg::{Effect, StoreOp};
use crate::app::state::{FiltersState, Pane, Phase, ResultsState, State, source_name};
use crate::store::{SearchSummary, StoredSearch};
use crate::text::sanitize;

/// Reads the history list (again), unless the history is off.
pub(super) fn loaded(
    state: &mut State,
    result: Result<Vec<SearchSummary>, crate::app::msg::HistoryError>,
) -> Vec<Effect> {
    match result {
        Ok(entries) => {
            let h = &mut state.history;
            let keep = h.selected().map(|s| s.id);
            h.entries = entries;
            h.cursor = keep
                .and_then(|id| h.entries.iter().position(|e| e.id == id))
                .unwrap_or_else(|| h.cursor.min(h.entries.len().saturating_sub(1)));
            super::screen::scroll_into_view(state);
        }
        Err(e) => state.set_error(format!("history: {e}")),
    }
    Vec::new()
}

pub(super) fn reopen(state: &mut State) -> Vec<Effect> {
    let Some(entry) = state.history.selected() else {
        state.set_info("No search in the history yet");
        return Vec::new();
    };
    let id = entry.id;
    state.set_info(format!("Reopening {}…", sanitize(&source_name(entry))));
    vec![Effect::Store(StoreOp::Reopen(id))]
}

/// A stored search is back: its rows replace the results (the ones before
/// are a breadcrumb away), as they were when it ran.
pub(super) fn reopened(
    state: &mut State,
    result: Result<Option<StoredSearch>, crate::app::msg::HistoryError>,
) -> Vec<Effect> {
    let stored = match result {
        Ok(Some(s)) => s,
        Ok(None) => {
            state.set_error("That search is no longer in the history");
            return super::screen::load_history(state);
        }
        Err(e) => {
            state.set_error(format!("history: {e}"));
            return Vec::new();
        }
    };
    push_crumb(state);
    let summary = stored.summary;
    let n = stored.offers.len();
    let page_size = summary.params.effective_page_size().max(1);
    let r = &mut state.results;
    *r = ResultsState {
        generation: r.generation + 1,
        source: Some(ImageSource::parse(&summary.source)),
        params: summary.params.clone(),
        pages_loaded: (n as u32).div_ceil(page_size),
        total_records: summary.total.unwrap_or(n as u64).max(n as u64),
        end: true,
        phase: Phase::Ready,
        label: format!("history: {}", source_name(&summary)),
        ..ResultsState::default()
    };
    r.total_pages = r.pages_loaded;
    let when = crate::text::date_time(summary.searched_at);
    let refresh = state.key_hint(
        crate::keymap::KeyContext::Results,
        crate::keymap::Action::Retry,
    );
    state.set_info(format!(
        "Reopened from the history: {} offers of {when}, no request made — press {refresh} to search it again",
        n
    ));
    // Grouped here (the store groups pages as they are recorded); then the
    // pages far from the screen are dropped, to be read back by position
    // when every position can be.
    state.same.restart();
    super::same::note_page(state, 0, &stored.offers);
    super::rows::group_page(state, 0, &stored.offers, None);
    super::suppliers::note_page(state, 0, &stored.offers);
    let r = &mut state.results;
    r.groups.keys.clear();
    r.read_from = stored.readable.then_some(summary.id);
    r.offers =
        crate::app::state::Offers::from_offers(stored.offers, page_size as usize, stored.readable);
    r.reopened = Some(summary);
    super::detail::note_positions(state);
    super::rows::rebuild(state);
    let mut fx = super::screen::focus(state, Pane::Results);
    fx.extend(super::same::next_batch(state));
    fx
}

/// `retry`: the failed page or search again; with nothing failed, results
/// reopened from the history are searched again with the provider.
pub(super) fn retry(state: &mut State) -> Vec<Effect> {
    if state.results.failed.is_none() && state.results.reopened.is_some() {
        return refresh_results(state);
    }
    super::search::retry(state)
}

/// `refresh` in the History pane: search the highlighted entry again.
pub(super) fn refresh(state: &mut State) -> Vec<Effect> {
    if state.focus != Pane::History {
        return retry(state);
    }
    match state.history.selected().cloned() {
        Some(summary) => search_again(state, &summary),
        None => {
            state.set_info("No search in the history yet");
            Vec::new()
        }
    }
}

/// Results reopened from the history, searched again with the provider.
fn refresh_results(state: &mut State) -> Vec<Effect> {
    match state.results.reopened.clone() {
        Some(summary) => search_again(state, &summary),
        None => Vec::new(),
    }
}

/// The stored search's picture and filters, searched with the provider now
/// (a new entry in the history; the filters pane shows its filters).
fn search_again(state: &mut State, summary: &SearchSummary) -> Vec<Effect> {
    let mut filters = FiltersState::from_params(&summary.params);
    filters.cursor = state.filters.cursor;
    filters.offset = state.filters.offset;
    state.filters = filters;
    // The filters apply from now on; the crop was this picture's only.
    state.params = super::search::without_crop(summary.params.clone());
    let mut fx = vec![Effect::CancelSearch];
    fx.extend(super::search::new_search_cropped(
        state,
        ImageSource::parse(&summary.source),
        summary.params.crop.clone(),
    ));
    fx
}

pub(super) fn delete(state: &mut State) -> Vec<Effect> {
    if state.focus != Pane::History {
        return Vec::new();
    }
    let Some(entry) = state.history.selected() else {
        return Vec::new();
    };
    vec![Effect::Store(StoreOp::DeleteSearch(entry.id))]
}
