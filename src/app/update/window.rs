//! The offers kept in memory follow the screen: the pages of the rows a
//! screen above and below it are read back from the history store as the
//! cursor moves, and pages far from it dropped (see `state::Offers`).

use crate::app::layout::results_rows;
use crate::app::msg::Effect;
use crate::app::state::{CACHED_PAGES, State};
use std::collections::BTreeSet;

/// Keeps the pages around the screen in memory: drops the far ones and
/// asks the store for the near ones missing.
pub(super) fn sync(state: &mut State) -> Option<Effect> {
    let screen = results_rows(state).max(1);
    let r = &mut state.results;
    if r.offers.is_empty() {
        return None;
    }
    let from = r.offset.min(r.cursor).saturating_sub(screen);
    let to = r.offset.max(r.cursor).saturating_add(2 * screen);
    // A slice, not a walk from the top: this runs after every message.
    let near = r.rows.get(from..to.min(r.rows.len())).unwrap_or(&[]);
    let wanted: BTreeSet<usize> = near
        .iter()
        .filter_map(|&p| r.offers.page_of(p as usize))
        .collect();
    r.offers.evict(&wanted, CACHED_PAGES.max(wanted.len()));
    let search = r.read_from?;
    let missing = r.offers.missing(&wanted);
    if missing.is_empty() {
        return None;
    }
    r.offers.mark_loading(&missing);
    Some(Effect::LoadOffers {
        generation: r.generation,
        search,
        pages: missing
            .into_iter()
            .map(|p| (p, r.offers.page_range(p)))
            .collect(),
    })
}

/// Pages read back from the store.
pub(super) fn loaded(state: &mut State, generation: u64, pages: Vec<crate::app::msg::PageRead>) {
    let r = &mut state.results;
    if generation != r.generation {
        return;
    }
    let mut failed = None;
    for (page, result) in pages {
        match result {
            Ok(offers) => r.offers.loaded(page, offers),
            Err(e) => {
                r.offers.load_failed(&[page]);
                failed = Some(e);
            }
        }
    }
    super::detail::note_positions(state);
    if let Some(e) = failed {
        state.set_error(format!("history: rows could not be read back: {e}"));
    }
}
