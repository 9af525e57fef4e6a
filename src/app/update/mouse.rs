//! The mouse: wheel scrolling and clicks on panes, rows and tabs.

use super::action;
use super::navigation::move_cursor;
use super::screen::{maybe_fetch, scroll_into_view};
use crate::app::layout;
use crate::app::msg::{Effect, MouseMsg};
use crate::app::state::{FiltersState, Pane, State};
use crate::keymap::Action;

pub(super) fn mouse(state: &mut State, m: MouseMsg) -> Vec<Effect> {
    if state.crop.is_some() && state.help.is_none() {
        return super::crop::mouse(state, m);
    }
    let areas = layout::areas_of(state);
    if state.help.is_some() {
        return match m {
            MouseMsg::ScrollUp { .. } => action(state, Action::MoveUp),
            MouseMsg::ScrollDown { .. } => action(state, Action::MoveDown),
            MouseMsg::Click { .. } | MouseMsg::Drag { .. } | MouseMsg::Release { .. } => Vec::new(),
        };
    }
    let (col, row) = match m {
        MouseMsg::ScrollUp { col, row }
        | MouseMsg::ScrollDown { col, row }
        | MouseMsg::Click { col, row } => (col, row),
        MouseMsg::Drag { .. } | MouseMsg::Release { .. } => return Vec::new(),
    };
    if areas.narrow
        && areas
            .tabs
            .contains(ratatui::layout::Position::new(col, row))
    {
        if let MouseMsg::Click { .. } = m {
            // Tabs are " Name " separated by one cell.
            let mut x = areas.tabs.x;
            for (pane, label) in layout::tabs(areas.tabs.width, state.focus, state.main) {
                let w = crate::text::width(&label) as u16;
                if col >= x && col < x + w {
                    return super::screen::focus(state, pane);
                }
                x += w + 1;
            }
        }
        return Vec::new();
    }
    let Some(pane) = areas.pane_at(col, row) else {
        return Vec::new();
    };
    let saved = state.focus;
    let target = if pane == Pane::Detail && !areas.narrow {
        state.main
    } else {
        pane
    };
    match m {
        MouseMsg::ScrollUp { .. } | MouseMsg::ScrollDown { .. } => {
            // Three rows of the list; a row of pictures in the gallery.
            let step = match layout::gallery_grid(state) {
                Some(grid) if target == Pane::Results => grid.columns as isize,
                _ => 3,
            };
            let delta = if matches!(m, MouseMsg::ScrollUp { .. }) {
                -step
            } else {
                step
            };
            state.focus = target;
            let fx = move_cursor(state, delta);
            state.focus = saved;
            fx
        }
        MouseMsg::Drag { .. } | MouseMsg::Release { .. } => Vec::new(),
        MouseMsg::Click { .. } => {
            state.focus = target;
            let rect = areas.pane(pane);
            if let Some(grid) = layout::gallery_grid(state).filter(|_| pane == Pane::Results) {
                if let Some(i) = grid.slot_at(col, row).map(|s| state.results.offset + s)
                    && i < state.results.rows.len()
                {
                    state.results.cursor = i;
                }
                scroll_into_view(state);
                return maybe_fetch(state).into_iter().collect();
            }
            if row <= rect.y || row + 1 >= rect.y + rect.height || pane == Pane::Detail {
                return Vec::new();
            }
            let line = usize::from(row - rect.y - 1);
            match target {
                Pane::Picker => {
                    let i = state.picker.offset + line;
                    if i < state.picker.visible.len() {
                        state.picker.cursor = i;
                    }
                }
                Pane::Filters => {
                    let i = state.filters.offset + line;
                    if i < FiltersState::rows() && !FiltersState::row(i).is_heading() {
                        state.filters.cursor = i;
                    }
                }
                Pane::Results | Pane::Detail => {
                    // The filters' line and the column header are not rows.
                    let above = layout::lines_above_rows(state, layout::inner_rows(rect));
                    let line = line.checked_sub(above);
                    if let Some(i) = line.map(|l| state.results.offset + l)
                        && i < state.results.rows.len()
                    {
                        state.results.cursor = i;
                    }
                }
                Pane::History => {
                    let i = state.history.offset + line;
                    if i < state.history.entries.len() {
                        state.history.cursor = i;
                    }
                }
                Pane::Watches => {
                    // Under the header line.
                    if let Some(i) = line.checked_sub(1).map(|l| state.watches.offset + l)
                        && i < state.watches.entries.len()
                    {
                        state.watches.cursor = i;
                    }
                }
                Pane::Shortlist => {
                    // Under the sort/filter line.
                    if let Some(i) = line.checked_sub(1).map(|l| state.shortlist.offset + l)
                        && i < state.shortlist.visible.len()
                    {
                        state.shortlist.cursor = i;
                    }
                }
            }
            scroll_into_view(state);
            maybe_fetch(state).into_iter().collect()
        }
    }
}
