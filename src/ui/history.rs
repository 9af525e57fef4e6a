//! The History pane: past searches, newest first, with their filters and
//! how many offers each brought; the highlighted one's picture is in Detail.

use super::{Theme, store_list_pane};
use crate::app::state::{Pane, State, source_name};
use crate::text::{day_month, fit, sanitize};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
    let theme = Theme::of(state);
    let h = &state.history;
    let focused = state.focus == Pane::History;
    let n = h.entries.len();
    let title = Line::from(format!(
        " History · {n} search{} ",
        if n == 1 { "" } else { "es" }
    ));
    let Some(inner) = store_list_pane(state, title, focused, area, buf) else {
        return;
    };
    let w = usize::from(inner.width);
    let line_at = |i: u16| Rect::new(inner.x, inner.y + i, inner.width, 1);
    if h.entries.is_empty() {
        let text = if h.loaded {
            "No searches yet: every search is kept here"
        } else {
            "Reading the history…"
        };
        Line::from(Span::styled(text, theme.dim())).render(line_at(0), buf);
        return;
    }
    let rows = usize::from(inner.height);
    for (row, (i, e)) in h
        .entries
        .iter()
        .enumerate()
        .skip(h.offset)
        .take(rows)
        .enumerate()
    {
        let selected = i == h.cursor;
        let style = if selected {
            theme.selected(focused)
        } else {
            Style::new()
        };
        let count = match e.total {
            Some(t) => format!("{}/{t}", e.loaded),
            None => e.loaded.to_string(),
        };
        // The year is in Detail; the list keeps room for the name.
        let secs = e.searched_at.rem_euclid(86_400);
        let when = format!(
            "{:>6} {:02}:{:02}",
            day_month(e.searched_at),
            secs / 3600,
            secs % 3600 / 60
        );
        let filters = e.params.summary();
        let right = if w >= 70 {
            format!(" {count:>8}  {}", sanitize(&e.provider))
        } else {
            format!(" {count:>8}")
        };
        let name_w = w.saturating_sub(when.chars().count() + 2 + right.chars().count());
        let mut name = sanitize(&source_name(e));
        if !filters.is_empty() {
            name = format!("{name} · {filters}");
        }
        Line::from(vec![
            Span::styled(
                format!("{when}  "),
                if selected { style } else { theme.dim() },
            ),
            Span::styled(fit(&name, name_w), style),
            Span::styled(right, if selected { style } else { theme.dim() }),
        ])
        .render(line_at(row as u16), buf);
    }
}
