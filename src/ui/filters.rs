//! The filters pane: price range, sort, category, page size, flags.

use super::{Theme, framed_pane};
use crate::api::FilterFlag;
use crate::app::state::{FilterField, FilterRow, FiltersState, Pane, State, sort_choice_label};
use crate::text::{fit, sanitize, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

const LABEL_W: usize = 10;
const VALUE_W: usize = 9;

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
    if area.is_empty() {
        return;
    }
    let theme = Theme::of(state);
    let f = &state.filters;
    let focused = state.focus == Pane::Filters;
    let mut title = vec![Span::raw(" Filters ")];
    if f.has_errors() {
        title.push(Span::styled("(invalid) ", theme.error()));
    }
    let Some(inner) = framed_pane(theme, Line::from(title), focused, area, buf) else {
        return;
    };
    let w = usize::from(inner.width);
    let rows = usize::from(inner.height);
    for (row, index) in (f.offset..FiltersState::rows()).take(rows).enumerate() {
        let selected = index == f.cursor;
        let y = inner.y + row as u16;
        let mut spans: Vec<Span> = Vec::new();
        match FiltersState::row(index) {
            FilterRow::Field(field) => {
                let label = fit(field.label(), LABEL_W);
                let value = f.fields[field.index()].value();
                let value = if value.is_empty() && !(selected && focused) {
                    "—".to_string()
                } else {
                    value.to_string()
                };
                let label_style = if selected {
                    theme.selected(focused)
                } else {
                    ratatui::style::Style::new()
                };
                spans.push(Span::styled(label, label_style));
                spans.push(Span::raw(" "));
                let scroll = f.fields[field.index()].visual_scroll(VALUE_W);
                let shown: String = value.chars().skip(scroll).collect();
                spans.push(Span::styled(fit(&shown, VALUE_W), theme.accent()));
                let room = w.saturating_sub(LABEL_W + VALUE_W + 2);
                if let Some(e) = &f.errors[field.index()] {
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(
                        truncate(&format!("✗ {e}"), room).into_owned(),
                        theme.error(),
                    ));
                } else if field == FilterField::Lane && f.fields[field.index()].value().is_empty() {
                    // Which lanes there are, or how to have one.
                    let hint = if f.lanes.is_empty() {
                        "none set: [[landed.lanes]] in config.toml".to_string()
                    } else {
                        sanitize(&f.lanes.join(" · "))
                    };
                    spans.push(Span::raw(" "));
                    spans.push(Span::styled(
                        truncate(&hint, room).into_owned(),
                        theme.dim(),
                    ));
                }
            }
            FilterRow::Sort => {
                let style = if selected {
                    theme.selected(focused)
                } else {
                    ratatui::style::Style::new()
                };
                spans.push(Span::styled(fit("sort", LABEL_W), style));
                spans.push(Span::raw(" "));
                spans.push(Span::styled(sort_choice_label(f.sort), theme.accent()));
            }
            FilterRow::Group(group) => {
                let text = format!("─ {} ", group.label());
                let fill = "─".repeat(w.saturating_sub(crate::text::width(&text)));
                spans.push(Span::styled(format!("{text}{fill}"), theme.dim()));
            }
            FilterRow::SupplierHeading => {
                let text = "─ supplier (here, not sent) ";
                let fill = "─".repeat(w.saturating_sub(crate::text::width(text)));
                spans.push(Span::styled(format!("{text}{fill}"), theme.dim()));
            }
            FilterRow::Unknowns => {
                let style = if selected {
                    theme.selected(focused)
                } else {
                    ratatui::style::Style::new()
                };
                spans.push(Span::styled(fit("unknown", LABEL_W), style));
                spans.push(Span::raw(" "));
                spans.push(Span::styled(
                    fit(
                        &format!("{} (space: change)", f.unknowns.label()),
                        w.saturating_sub(LABEL_W + 1),
                    ),
                    theme.accent(),
                ));
            }
            FilterRow::Flag(_) | FilterRow::FactoryOnly => {
                let (on, label) = match FiltersState::row(index) {
                    FilterRow::Flag(i) => (
                        f.flags.get(i).copied().unwrap_or(false),
                        FilterFlag::KNOWN.get(i).map_or("?", |fl| fl.label()),
                    ),
                    _ => (f.factory_only, "factory only"),
                };
                let text = format!("[{}] {label}", if on { "x" } else { " " });
                let style = if selected {
                    theme.selected(focused)
                } else if on {
                    theme.good()
                } else {
                    ratatui::style::Style::new()
                };
                spans.push(Span::styled(fit(&text, w), style));
            }
        }
        let line = Line::from(spans);
        line.render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
}

/// The caret in the text field under the cursor.
pub(crate) fn cursor_position(area: Rect, state: &State) -> Option<(u16, u16)> {
    let f = &state.filters;
    let field = f.current_field()?;
    if area.width < 3 || area.height < 3 || f.cursor < f.offset {
        return None;
    }
    let row = f.cursor - f.offset;
    if row >= usize::from(area.height - 2) {
        return None;
    }
    let input = &f.fields[field.index()];
    let col = input
        .visual_cursor()
        .saturating_sub(input.visual_scroll(VALUE_W));
    let x = area.x + 1 + (LABEL_W + 1 + col) as u16;
    let y = area.y + 1 + row as u16;
    (x < area.x + area.width - 1).then_some((x, y))
}
