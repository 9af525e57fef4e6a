//! The gallery: the results as a grid of pictures. The cells are the
//! list's rows laid out left to right, so the cursor, paging, Detail and
//! every results action work on the selected cell as on a row.

use super::screen::{maybe_fetch, scroll_into_view};
use crate::app::msg::{Effect, StoreOp};
use crate::app::state::{ResultsView, State, StoreStatus};

/// Switches the results between the list and the gallery, and remembers
/// the choice for the next start.
pub(super) fn toggle(state: &mut State) -> Vec<Effect> {
    state.results_view = match state.results_view {
        ResultsView::List => ResultsView::Gallery,
        ResultsView::Gallery => ResultsView::List,
    };
    scroll_into_view(state);
    let mut fx: Vec<Effect> = maybe_fetch(state).into_iter().collect();
    if let StoreStatus::On = state.store {
        fx.push(Effect::Store(StoreOp::SetPreference(
            ResultsView::PREFERENCE.to_string(),
            state.results_view.name().to_string(),
        )));
    }
    fx
}

/// The view remembered from the last run, applied at start.
pub(super) fn remembered(state: &mut State, view: Option<ResultsView>) -> Vec<Effect> {
    let Some(view) = view else {
        return Vec::new();
    };
    state.results_view = view;
    scroll_into_view(state);
    maybe_fetch(state).into_iter().collect()
}
