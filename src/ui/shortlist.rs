//! The Shortlist pane: every starred offer with its status, price and note;
//! a line on top says the order and the filter.

use super::{Theme, store_list_pane};
use crate::app::state::{Pane, State};
use crate::keymap::{Action, KeyContext};
use crate::store::Status;
use crate::text::{fit, sanitize, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Width of the status column ("sample ordered").
const STATUS_W: usize = 15;
const PRICE_W: usize = 10;

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
    let theme = Theme::of(state);
    let s = &state.shortlist;
    let focused = state.focus == Pane::Shortlist;
    let count = if s.visible.len() == s.entries.len() {
        format!("{} starred", s.entries.len())
    } else {
        format!("{}/{} starred", s.visible.len(), s.entries.len())
    };
    let title = Line::from(format!(" Shortlist · {count} "));
    let Some(inner) = store_list_pane(state, title, focused, area, buf) else {
        return;
    };
    let w = usize::from(inner.width);
    let line_at = |i: u16| Rect::new(inner.x, inner.y + i, inner.width, 1);
    // The top line: order and filter.
    let filter = s.filter.value();
    let top = if s.filter_active || !filter.is_empty() {
        format!("/{}", sanitize(filter))
    } else {
        format!(
            "sorted by {} ({})  ·  filter {}",
            s.sort.label(),
            state.key_hint(KeyContext::Shortlist, Action::CycleSort),
            state.key_hint(KeyContext::Shortlist, Action::FilterFiles)
        )
    };
    Line::from(Span::styled(fit(&top, w), theme.dim())).render(line_at(0), buf);
    if s.entries.is_empty() {
        let text = format!(
            "Nothing starred yet: {} stars the highlighted offer in Results",
            state.key_hint(KeyContext::Results, Action::Star)
        );
        Line::from(Span::styled(fit(&text, w), theme.dim())).render(line_at(1), buf);
        return;
    }
    let rows = usize::from(inner.height).saturating_sub(1);
    for (row, (i, &e)) in s
        .visible
        .iter()
        .enumerate()
        .skip(s.offset)
        .take(rows)
        .enumerate()
    {
        let Some(entry) = s.entries.get(e) else {
            continue;
        };
        let selected = i == s.cursor;
        let base = if selected {
            theme.selected(focused)
        } else {
            Style::new()
        };
        let status_style = if selected {
            base
        } else {
            match entry.status {
                Status::ToAsk => theme.accent(),
                Status::SampleOrdered | Status::Ordered => theme.good(),
                Status::Rejected => theme.dim(),
            }
        };
        let price = match (entry.offer.price, state.currency.as_ref()) {
            (None, _) => "—".to_string(),
            (Some(p), None) => format!("¥{p}"),
            (Some(p), Some(c)) => format!("¥{p} {}", c.convert(p)),
        };
        let price_w = PRICE_W.max(width(&price) + 1);
        let title = entry
            .offer
            .title_en
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&entry.offer.title);
        let text_w = w.saturating_sub(2 + STATUS_W + price_w);
        // A note keeps two fifths of the room, so a long title cannot hide it.
        let text = if entry.note.is_empty() {
            sanitize(title)
        } else {
            let note_w = (text_w * 2 / 5).max(8);
            let title_w = text_w.saturating_sub(note_w + 3);
            format!(
                "{} — {}",
                fit(&sanitize(title), title_w),
                fit(&sanitize(&entry.note), note_w)
            )
        };
        Line::from(vec![
            Span::styled("★ ", if selected { base } else { theme.price() }),
            Span::styled(fit(entry.status.label(), STATUS_W), status_style),
            Span::styled(
                format!("{price:>price_w$}  ", price_w = price_w - 2),
                if selected { base } else { theme.price() },
            ),
            Span::styled(fit(&text, text_w), base),
        ])
        .render(line_at(row as u16 + 1), buf);
    }
}

/// Where the caret goes while the filter is typed.
pub(crate) fn cursor_position(area: Rect, state: &State) -> Option<(u16, u16)> {
    let s = &state.shortlist;
    if !s.filter_active || area.width < 3 || area.height < 3 {
        return None;
    }
    let x = area.x + 2 + s.filter.visual_cursor() as u16;
    Some((x.min(area.x + area.width - 2), area.y + 1))
}
