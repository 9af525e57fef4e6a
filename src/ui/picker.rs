//! The file picker pane.

use super::{Theme, framed_pane, spinner};
use crate::app::fuzzy::FuzzyFilter;
use crate::app::layout::{picker_has_input_line, picker_list_rows};
use crate::app::state::{Pane, State};
use crate::text::human_bytes;
use crate::text::{fit, sanitize, truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
    if area.is_empty() {
        return;
    }
    let theme = Theme::of(state);
    let p = &state.picker;
    let focused = state.focus == Pane::Picker;
    let dir = p.dir.display().to_string();
    let mut title = vec![Span::raw(" Files ")];
    if p.loading {
        title.push(Span::styled(format!("{} ", spinner(state)), theme.accent()));
    }
    let room = usize::from(area.width).saturating_sub(width(" Files ") + 6);
    title.push(Span::styled(tail(&dir, room), theme.dim()));
    title.push(Span::raw(" "));
    let Some(inner) = framed_pane(theme, Line::from(title), focused, area, buf) else {
        return;
    };
    let rows = picker_list_rows(area, state);
    let w = usize::from(inner.width);
    if p.visible.is_empty() && rows > 0 {
        let text = if let Some(e) = &p.error {
            Span::styled(truncate(&sanitize(e), w).into_owned(), theme.error())
        } else if p.loading {
            Span::styled("listing…", theme.dim())
        } else if !p.filter.value().is_empty() {
            Span::styled("no match", theme.dim())
        } else {
            Span::styled("(empty directory)", theme.dim())
        };
        Line::from(text).render(Rect { height: 1, ..inner }, buf);
    }
    // The filter's matched characters are highlighted in each name.
    let mut filter = FuzzyFilter::new(p.filter.value());
    for (row, &idx) in p.visible.iter().skip(p.offset).take(rows).enumerate() {
        let Some(e) = p.entries.get(idx) else {
            continue;
        };
        let y = inner.y + row as u16;
        let selected = p.offset + row == p.cursor;
        let name = sanitize(&e.name);
        let hits = filter
            .as_mut()
            .map(|f| f.matched_chars(&name))
            .unwrap_or_default();
        let line = if e.is_dir {
            let style = if selected {
                theme.selected(focused)
            } else {
                theme.dir()
            };
            let text = fit(&format!("{name}/"), w);
            Line::from(highlighted(&text, &name, &hits, style, theme))
        } else {
            let size = human_bytes(e.size);
            let name_w = w.saturating_sub(width(&size) + 1);
            let mut style = if e.is_image {
                ratatui::style::Style::new()
            } else {
                theme.dim()
            };
            if selected {
                style = theme.selected(focused);
            }
            if name_w >= 4 {
                let mut spans = highlighted(&fit(&name, name_w), &name, &hits, style, theme);
                spans.push(Span::styled(format!(" {size}"), style));
                Line::from(spans)
            } else {
                Line::from(highlighted(&fit(&name, w), &name, &hits, style, theme))
            }
        };
        line.render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
    if picker_has_input_line(state) && inner.height > 0 {
        let y = inner.y + inner.height - 1;
        let (prefix, value, scroll) = input_view(state, w);
        let style = if focused && p.text_input_active() {
            theme.accent()
        } else {
            theme.dim()
        };
        let text: String = value.chars().skip(scroll).collect();
        Line::from(vec![
            Span::styled(prefix, style),
            Span::raw(truncate(&text, w.saturating_sub(2)).into_owned()),
        ])
        .render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
}

/// (prefix, value, visual scroll) of the input line.
fn input_view(state: &State, w: usize) -> (&'static str, String, usize) {
    let p = &state.picker;
    let room = w.saturating_sub(3);
    if let Some(line) = &p.path_input {
        (": ", line.value().to_string(), line.visual_scroll(room))
    } else {
        (
            "/ ",
            p.filter.value().to_string(),
            p.filter.visual_scroll(room),
        )
    }
}

/// The caret while an input line is active.
pub(crate) fn cursor_position(area: Rect, state: &State) -> Option<(u16, u16)> {
    let p = &state.picker;
    if !p.text_input_active() || area.width < 4 || area.height < 3 {
        return None;
    }
    let inner_w = usize::from(area.width - 2);
    let room = inner_w.saturating_sub(3);
    let input = p.path_input.as_ref().unwrap_or(&p.filter);
    let col = input
        .visual_cursor()
        .saturating_sub(input.visual_scroll(room));
    let x = area.x + 1 + 2 + u16::try_from(col).unwrap_or(0);
    let y = area.y + area.height - 2;
    (x < area.x + area.width - 1).then_some((x, y))
}

/// The end of `s` in at most `max` cells, with a leading `…` when cut.
fn tail(s: &str, max: usize) -> String {
    if width(s) <= max {
        return s.to_string();
    }
    if max == 0 {
        return String::new();
    }
    let mut out: Vec<char> = Vec::new();
    let mut used = 1;
    for c in s.chars().rev() {
        let cw = width(c.encode_utf8(&mut [0; 4]));
        if used + cw > max {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.push('…');
    out.into_iter().rev().collect()
}

/// `shown` (the name as fitted to its cell room) in spans: the characters of
/// `name` at `hits` in the match style, the rest in `style`. A character
/// the fitting replaced (the `…` of a cut name) is never highlighted.
fn highlighted(
    shown: &str,
    name: &str,
    hits: &[usize],
    style: Style,
    theme: Theme,
) -> Vec<Span<'static>> {
    if hits.is_empty() {
        return vec![Span::styled(shown.to_string(), style)];
    }
    let hit_style = style.patch(theme.matched());
    let mut name_chars = name.chars();
    let mut spans: Vec<Span<'static>> = Vec::new();
    let mut run = String::new();
    let mut run_hit = false;
    let mut same = true;
    for (i, c) in shown.chars().enumerate() {
        same = same && name_chars.next() == Some(c);
        let hit = same && hits.binary_search(&i).is_ok();
        if hit != run_hit && !run.is_empty() {
            let s = if run_hit { hit_style } else { style };
            spans.push(Span::styled(std::mem::take(&mut run), s));
        }
        run_hit = hit;
        run.push(c);
    }
    if !run.is_empty() {
        spans.push(Span::styled(run, if run_hit { hit_style } else { style }));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matched_characters_get_the_match_style_and_a_cut_never_does() {
        let theme = Theme { color: true };
        let plain = Style::new();
        let hit = plain.patch(theme.matched());
        let spans = highlighted("zeta.png  ", "zeta.png", &[0, 5, 7], plain, theme);
        let parts: Vec<(&str, Style)> = spans.iter().map(|s| (&*s.content, s.style)).collect();
        assert_eq!(
            parts,
            vec![
                ("z", hit),
                ("eta.", plain),
                ("p", hit),
                ("n", plain),
                ("g", hit),
                ("  ", plain)
            ]
        );
        // "zeta.png" cut to "zeta…": the matched 'p' is gone, the `…` stays plain.
        let spans = highlighted("zeta…", "zeta.png", &[0, 4, 5], plain, theme);
        let parts: Vec<(&str, Style)> = spans.iter().map(|s| (&*s.content, s.style)).collect();
        assert_eq!(parts, vec![("z", hit), ("eta…", plain)]);
    }
}
