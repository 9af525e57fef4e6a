//! The Watches pane: each watch (`tusou watch`) with its search, how often
//! it runs, its last run and what that run found new and cheaper; and the
//! tag a watch run's change puts on a results row.

use super::{Theme, store_list_pane};
use crate::api::Offer;
use crate::app::state::{Pane, State};
use crate::store::{RunStatus, Watch};
use crate::text::{fit, sanitize, utc_minute};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// The tag a watch run's change puts before an offer's title (`new `,
/// `-5% `), while that run's results are on screen.
pub(super) fn mark_span(state: &State, offer: &Offer, theme: Theme) -> Option<Span<'static>> {
    let mark = state
        .watches
        .marks
        .get(state.results.generation, offer.offer_id.as_deref())?;
    Some(Span::styled(format!("{} ", mark.tag()), theme.good()))
}

/// `1d`, `12h`, `90m`.
fn every_text(secs: u64) -> String {
    for (unit, n) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= n && secs.is_multiple_of(n) {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

/// The picture's name (a file's name, a URL whole) and the filters.
fn search_text(w: &Watch) -> String {
    let source = &w.source;
    let name = if crate::text::is_url(source) {
        source.clone()
    } else {
        std::path::Path::new(source)
            .file_name()
            .map_or_else(|| source.clone(), |n| n.to_string_lossy().into_owned())
    };
    let filters = w.params.summary();
    let text = if filters.is_empty() {
        name
    } else {
        format!("{name} · {filters}")
    };
    sanitize(&text)
}

/// The last run: when, how it went, its new and cheaper counts.
struct Last {
    when: String,
    result: &'static str,
    new: String,
    cheaper: String,
    reason: String,
}

fn last_of(w: &Watch) -> Last {
    let Some(r) = &w.last else {
        return Last {
            when: "—".into(),
            result: "never run",
            new: String::new(),
            cheaper: String::new(),
            reason: String::new(),
        };
    };
    let when = utc_minute(r.finished_at.unwrap_or(r.started_at));
    let (result, counts) = match r.status {
        RunStatus::Done => ("ok", true),
        RunStatus::Failed => ("failed", false),
        RunStatus::Stopped => ("stopped", false),
        RunStatus::Running => ("running", false),
    };
    Last {
        when,
        result,
        new: if counts {
            r.counts.new.to_string()
        } else {
            String::new()
        },
        cheaper: if counts {
            r.counts.cheaper.to_string()
        } else {
            String::new()
        },
        reason: r.reason.as_deref().map(sanitize).unwrap_or_default(),
    }
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
    let theme = Theme::of(state);
    let ws = &state.watches;
    let focused = state.focus == Pane::Watches;
    let n = ws.entries.len();
    let title = Line::from(format!(
        " Watches · {n} watch{} ",
        if n == 1 { "" } else { "es" }
    ));
    let Some(inner) = store_list_pane(state, title, focused, area, buf) else {
        return;
    };
    let w = usize::from(inner.width);
    let line_at = |i: u16| Rect::new(inner.x, inner.y + i, inner.width, 1);
    if ws.entries.is_empty() {
        let text = if ws.loaded {
            "No watches yet: W on a search's results watches it (or `tusou watch add`)"
        } else {
            "Reading the watches…"
        };
        Line::from(Span::styled(fit(text, w), theme.dim())).render(line_at(0), buf);
        return;
    }
    // Columns: id, search, every, last run, result, new, cheaper (and the
    // failure's reason when wide); the narrow pane keeps id, search,
    // result and the counts.
    let wide = w >= 64;
    let reason_w = if w >= 120 { 40 } else { 0 };
    let fixed = |id_w: usize| {
        id_w + 1
            + if wide { 6 + 17 } else { 0 }
            + 10
            + 5
            + 8
            + if reason_w > 0 { 1 + reason_w } else { 0 }
    };
    let id_w = ws
        .entries
        .iter()
        .map(|e| e.id.0.to_string().len() + 1)
        .max()
        .unwrap_or(2);
    let search_w = w.saturating_sub(fixed(id_w));
    let row = |id: &str,
               search: &str,
               every: &str,
               when: &str,
               result: &str,
               new: &str,
               cheaper: &str,
               reason: &str| {
        let mut s = format!("{id:>id_w$} {}", fit(search, search_w));
        if wide {
            s.push_str(&format!(" {every:>5} {when:>16}"));
        }
        s.push_str(&format!(" {result:<9} {new:>4} {cheaper:>7}"));
        if reason_w > 0 {
            s.push_str(&format!(" {}", fit(reason, reason_w)));
        }
        fit(&s, w)
    };
    let header = row(
        "#",
        "search",
        "every",
        "last run (UTC)",
        "result",
        "new",
        "cheaper",
        "why",
    );
    Line::from(Span::styled(header, theme.dim())).render(line_at(0), buf);
    let rows = usize::from(inner.height).saturating_sub(1);
    for (line, (i, e)) in ws
        .entries
        .iter()
        .enumerate()
        .skip(ws.offset)
        .take(rows)
        .enumerate()
    {
        let selected = i == ws.cursor;
        let last = last_of(e);
        let text = row(
            &format!("{}", e.id.0),
            &search_text(e),
            &every_text(e.every_secs),
            &last.when,
            last.result,
            &last.new,
            &last.cheaper,
            &last.reason,
        );
        let style = if selected {
            theme.selected(focused)
        } else {
            match last.result {
                "failed" | "stopped" => theme.error(),
                "never run" => theme.dim(),
                _ => Style::new(),
            }
        };
        Line::from(Span::styled(text, style)).render(line_at(line as u16 + 1), buf);
    }
}
