//! Moving around: cursors, paging, scrolling into view, focus, pane order,
//! the help overlay's scroll and resizes.

use super::screen::{focus, maybe_fetch, scroll_into_view};
use crate::app::layout::{self, picker_rows, results_rows};
use crate::app::msg::Effect;
use crate::app::state::{FiltersState, Pane, State};
use crate::keymap::Action;

/// The terminal's new size; the narrow layout has a Detail tab, the wide one not.
pub(super) fn resize(state: &mut State, width: u16, height: u16) -> Vec<Effect> {
    state.width = width;
    state.height = height;
    if !layout::is_narrow(width, height) && state.focus == Pane::Detail {
        state.focus = state.main;
    }
    scroll_into_view(state);
    maybe_fetch(state).into_iter().collect()
}

/// Keys while the help overlay is open: they scroll it or close it.
pub(super) fn scroll_help(state: &mut State, scroll: usize, a: Action) {
    let max = state.help_entries.len().saturating_sub(1);
    let page = usize::from(state.height.saturating_sub(4)).max(1);
    state.help = match a {
        Action::Help | Action::Cancel => None,
        Action::MoveUp => Some(scroll.saturating_sub(1)),
        Action::MoveDown => Some((scroll + 1).min(max)),
        Action::PageUp => Some(scroll.saturating_sub(page)),
        Action::PageDown => Some((scroll + page).min(max)),
        Action::Top => Some(0),
        Action::Bottom => Some(max),
        _ => Some(scroll),
    };
}

/// The next (or previous) pane in tab order.
pub(super) fn cycle_pane(state: &mut State, forward: bool) -> Vec<Effect> {
    let order = layout::pane_order(layout::is_narrow(state.width, state.height), state.main);
    let cur = order.iter().position(|p| *p == state.focus).unwrap_or(0);
    let n = order.len();
    let next = if forward {
        (cur + 1) % n
    } else {
        (cur + n - 1) % n
    };
    focus(state, order[next])
}

/// Up (`-1`) or down (`1`) a row: in the gallery, a row of pictures.
pub(super) fn move_vertical(state: &mut State, direction: isize) -> Vec<Effect> {
    let step = match layout::gallery_grid(state) {
        Some(grid) if matches!(state.focus, Pane::Results | Pane::Detail) => grid.columns,
        _ => 1,
    };
    move_cursor(state, direction * step as isize)
}

/// Left (`-1`) or right (`1`) a picture in the gallery; nothing elsewhere.
pub(super) fn move_sideways(state: &mut State, direction: isize) -> Vec<Effect> {
    if layout::gallery_grid(state).is_none() || !matches!(state.focus, Pane::Results | Pane::Detail)
    {
        return Vec::new();
    }
    move_cursor(state, direction)
}

/// One screen of the focused list up (`-1`) or down (`1`).
pub(super) fn page(state: &mut State, direction: isize) -> Vec<Effect> {
    let rows = page_rows(state);
    move_cursor(state, direction * rows as isize)
}

fn page_rows(state: &State) -> usize {
    let areas = layout::areas_of(state);
    let rows = match state.focus {
        Pane::Picker => picker_rows(state),
        Pane::Filters => layout::inner_rows(areas.filters),
        Pane::Results | Pane::Detail => results_rows(state),
        Pane::History => layout::history_rows(state),
        Pane::Shortlist => layout::shortlist_rows(state),
        Pane::Watches => layout::watches_rows(state),
    };
    rows.max(1)
}

pub(super) fn move_cursor(state: &mut State, delta: isize) -> Vec<Effect> {
    match state.focus {
        Pane::Picker => {
            let len = state.picker.visible.len();
            state.picker.cursor = step(state.picker.cursor, delta, len);
        }
        Pane::Filters => {
            let rows = FiltersState::rows();
            let mut cursor = step(state.filters.cursor, delta, rows);
            // Headings are not stops: go on past one, or back at the edge.
            if FiltersState::row(cursor).is_heading() {
                let dir = if delta < 0 { -1 } else { 1 };
                let past = step(cursor, dir, rows);
                cursor = if past == cursor {
                    step(cursor, -dir, rows)
                } else {
                    past
                };
            }
            state.filters.cursor = cursor;
        }
        Pane::Results | Pane::Detail => {
            let r = &mut state.results;
            let len = r.rows.len();
            r.cursor = step(r.cursor, delta, len);
            if delta > 0 && r.cursor + 1 == len {
                // At the end of the list: every offer loaded has been seen.
                r.reached = r.offers.len();
            }
        }
        Pane::History => {
            let len = state.history.entries.len();
            state.history.cursor = step(state.history.cursor, delta, len);
        }
        Pane::Shortlist => {
            let len = state.shortlist.visible.len();
            state.shortlist.cursor = step(state.shortlist.cursor, delta, len);
        }
        Pane::Watches => {
            let len = state.watches.entries.len();
            state.watches.cursor = step(state.watches.cursor, delta, len);
        }
    }
    scroll_into_view(state);
    maybe_fetch(state).into_iter().collect()
}

fn step(cur: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let next = (cur as isize).saturating_add(delta);
    next.clamp(0, len as isize - 1) as usize
}
