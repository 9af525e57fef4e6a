//! "More like this" and the breadcrumbs: searching with an offer's picture
//! sets the results aside, and `back` brings them back without a request.

use super::search::new_search;
use crate::app::msg::Effect;
use crate::app::state::{Crumb, Failed, Pane, Phase, ResultsState, SearchSource, State, TRAIL_MAX};
use crate::text::{sanitize, truncate};

/// Sets the current results aside (a breadcrumb). Work in flight for them
/// stops; going back shows them as cancelled, ready to resume.
pub(super) fn push_crumb(state: &mut State) {
    let generation = state.results.generation;
    let mut old = std::mem::take(&mut state.results);
    state.results.generation = generation;
    if old.source.is_none() && old.reopened.is_none() {
        return;
    }
    // Set aside, its rows are read back from the store when shown again.
    old.offers.release();
    if old.busy() {
        old.failed = match (&old.phase, old.inflight) {
            (Phase::Loading, Some(page)) => Some(Failed::Page(page)),
            (Phase::Loading, None) => None,
            _ => Some(Failed::Search),
        };
        old.phase = if old.failed.is_some() {
            Phase::Cancelled
        } else {
            Phase::Ready
        };
        old.inflight = None;
        old.awaiting_record = false;
    }
    if state.trail.len() >= TRAIL_MAX {
        state.trail.remove(0);
    }
    state.trail.push(Crumb { results: old });
}

pub(super) fn more_like_this(state: &mut State) -> Vec<Effect> {
    let Some(offer) = state.selected_offer() else {
        state.set_error("No offer selected");
        return Vec::new();
    };
    let Some(url) = offer.picture_link() else {
        state.set_error("This offer has no picture to search with");
        return Vec::new();
    };
    let title = offer
        .title_en
        .as_deref()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or(&offer.title);
    let label = format!("like “{}”", truncate(&sanitize(title), 24));
    push_crumb(state);
    let mut fx = vec![Effect::CancelSearch];
    fx.extend(new_search(state, SearchSource::Url(url)));
    state.results.label = label;
    fx
}

/// Back to the results before: as they were, no request made.
pub(super) fn back(state: &mut State) -> Vec<Effect> {
    let Some(crumb) = state.trail.pop() else {
        state.set_info("No earlier results to go back to");
        return Vec::new();
    };
    let mut restored: ResultsState = crumb.results;
    // Replies still on their way belong to the results being left.
    restored.generation = state.results.generation + 1;
    state.results = restored;
    super::screen::focus(state, Pane::Results);
    let r = &state.results;
    state.set_info(format!(
        "Back to {} ({} offers, no request)",
        sanitize(&r.label),
        r.offers.len()
    ));
    let mut fx = vec![Effect::CancelSearch];
    fx.extend(super::screen::maybe_fetch(state));
    fx
}
