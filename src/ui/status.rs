//! The status bar: mode, backend, key hints from the live keymap, message.

use super::Theme;
use crate::app::state::{Pane, State};
use crate::keymap::Action;
use crate::keymap::KeyContext;
use crate::text::{sanitize, truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The mode word at the left of the status bar.
pub fn mode(state: &State) -> &'static str {
    if state.help.is_some() {
        return "HELP";
    }
    if state.note.is_some() {
        return "NOTE";
    }
    if state.crop.is_some() {
        return "CROP";
    }
    if state.text_input_active() {
        return "INPUT";
    }
    match state.focus {
        Pane::Picker => "FILES",
        Pane::Filters => "FILTERS",
        Pane::Results => "RESULTS",
        Pane::Detail => "DETAIL",
        Pane::History => "HISTORY",
        Pane::Shortlist => "SHORTLIST",
        Pane::Watches => "WATCHES",
    }
}

/// "key action" pairs for the focused context, from the keymap.
pub(crate) fn hints(state: &State) -> String {
    let ctx = state.context();
    let actions: &[(Action, &str)] = if state.help.is_some() {
        &[(Action::Help, "close")]
    } else if state.text_input_active() {
        match state.focus {
            Pane::Filters => &[(Action::ApplyFilters, "apply"), (Action::Cancel, "leave")],
            _ => &[(Action::Open, "ok"), (Action::Cancel, "cancel")],
        }
    } else {
        match ctx {
            KeyContext::Picker => &[
                (Action::Open, "open"),
                (Action::FilterFiles, "filter"),
                (Action::EnterPath, "path/URL"),
                (Action::Help, "help"),
                (Action::Quit, "quit"),
            ],
            KeyContext::Filters => &[
                (Action::ApplyFilters, "apply"),
                (Action::ToggleFlag, "toggle"),
                (Action::CycleSort, "sort"),
                (Action::Help, "help"),
            ],
            KeyContext::History => &[
                (Action::Open, "reopen"),
                (Action::Refresh, "search again"),
                (Action::DeleteEntry, "delete"),
                (Action::Help, "help"),
            ],
            KeyContext::Crop => &[
                (Action::CropSearch, "search the box"),
                (Action::Cancel, "leave"),
                (Action::Help, "help"),
            ],
            KeyContext::Watches => &[(Action::Open, "last run's results"), (Action::Help, "help")],
            KeyContext::Shortlist => &[
                (Action::EditNote, "note"),
                (Action::CycleStatus, "status"),
                (Action::Star, "unstar"),
                (Action::Export, "export"),
                (Action::Help, "help"),
            ],
            _ => &[
                (Action::Star, "star"),
                (Action::MoreLikeThis, "more like this"),
                (Action::CopyLink, "copy link"),
                (Action::OpenLink, "open"),
                (Action::Help, "help"),
            ],
        }
    };
    let mut out = Vec::new();
    for (a, label) in actions {
        if let Some(k) = state.keymap.keys_for(ctx, *a).into_iter().next() {
            out.push(format!("{k} {label}"));
        }
    }
    out.join("  ")
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
    if area.is_empty() {
        return;
    }
    let theme = Theme::of(state);
    let w = usize::from(area.width);
    let mode_text = format!(" {} ", mode(state));
    let mut spans = vec![Span::styled(
        mode_text.clone(),
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
    )];
    let mut used = width(&mode_text);
    if let Some(edit) = &state.note {
        // The note being typed takes the whole line.
        let prompt = edit.prompt();
        let room = w.saturating_sub(used + width(&prompt) + 1);
        spans.push(Span::raw(" "));
        spans.push(Span::styled(prompt, theme.accent()));
        spans.push(Span::raw(tail_fit(edit.input.value(), room)));
        Line::from(spans).render(area, buf);
        return;
    }
    let backend = if state.demo {
        " demo ".to_string()
    } else if state.backend_label.is_empty() {
        String::new()
    } else {
        format!(" {} ", sanitize(&state.backend_label))
    };
    if !backend.is_empty() && used + width(&backend) < w {
        used += width(&backend);
        spans.push(Span::styled(
            backend,
            theme.price().add_modifier(Modifier::BOLD),
        ));
    }
    if let Some(b) = &state.batch {
        let failed = if b.failed > 0 {
            format!(" · {} failed", b.failed)
        } else {
            String::new()
        };
        let text = format!(
            " batch {}/ {}/{}{failed} ",
            b.label,
            b.done + b.failed,
            b.total
        );
        if used + width(&text) + 10 < w {
            used += width(&text);
            spans.push(Span::styled(text, theme.accent()));
        }
    }
    let hints = hints(state);
    let msg_room = w.saturating_sub(used + 1);
    if let Some(m) = state.status_message() {
        let text = fit_keeping_hint(&sanitize(&m.text), msg_room);
        used += 1 + width(&text);
        spans.push(Span::raw(" "));
        spans.push(Span::styled(
            text,
            if m.error { theme.error() } else { Style::new() },
        ));
    }
    let hint_w = width(&hints);
    if hint_w > 0 && used + hint_w + 2 <= w {
        let pad = w - used - hint_w;
        spans.push(Span::raw(" ".repeat(pad)));
        spans.push(Span::styled(hints, theme.dim()));
    }
    Line::from(spans).render(area, buf);
}

/// The end of `text` that fits `room` cells (the caret is at the end).
fn tail_fit(text: &str, room: usize) -> String {
    let text = sanitize(text);
    let mut out: Vec<char> = Vec::new();
    let mut used = 0;
    for c in text.chars().rev() {
        let cw = width(c.encode_utf8(&mut [0; 4]));
        if used + cw > room {
            break;
        }
        used += cw;
        out.push(c);
    }
    out.into_iter().rev().collect()
}

/// Where the caret goes while a note is typed: after the text shown.
pub(crate) fn note_cursor(area: Rect, state: &State) -> Option<(u16, u16)> {
    let edit = state.note.as_ref()?;
    let mode_w = width(&format!(" {} ", mode(state)));
    let prompt = edit.prompt();
    let room = usize::from(area.width).saturating_sub(mode_w + width(&prompt) + 1);
    let typed = width(&tail_fit(edit.input.value(), room));
    let x = mode_w + 1 + width(&prompt) + typed;
    let x = u16::try_from(x).unwrap_or(u16::MAX);
    Some((
        area.x
            .saturating_add(x)
            .min(area.x + area.width.saturating_sub(1)),
        area.y,
    ))
}

/// Truncates a message to `room` cells; a trailing " — press … " hint is
/// kept whole and the part before it is cut instead.
fn fit_keeping_hint(text: &str, room: usize) -> String {
    if width(text) <= room {
        return text.to_string();
    }
    if let Some(at) = text.rfind(" — press ") {
        let (head, hint) = text.split_at(at);
        let hint_w = width(hint);
        if hint_w + 4 <= room {
            return format!("{}{hint}", truncate(head, room - hint_w));
        }
    }
    truncate(text, room).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_hint_survives_truncation() {
        let t = "request rejected (code 400): failed to download the image — press r to retry";
        let out = fit_keeping_hint(t, 40);
        assert!(out.ends_with(" — press r to retry"), "{out}");
        assert!(width(&out) <= 40);
        assert_eq!(fit_keeping_hint("short", 40), "short");
        assert!(width(&fit_keeping_hint(t, 5)) <= 5);
    }
}
