//! Rendering: reads the state, never changes it. Where each pane goes is
//! `crate::app::layout`'s to say, shared with `update`.

pub mod crop;
pub mod detail;
mod detail_cost;
pub mod filters;
mod gallery;
pub mod help;
pub mod history;
pub mod picker;
pub mod results;
pub mod shortlist;
pub mod status;
mod supplier;
pub mod watches;

use crate::app::layout::{Areas, layout};
use crate::app::state::{Pane, State};
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Widget as _};

/// Colours, or none (NO_COLOR): then bold and reverse carry the meaning.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Theme {
    pub color: bool,
}

impl Theme {
    pub(crate) fn of(state: &State) -> Theme {
        Theme { color: state.color }
    }

    fn fg(self, c: Color) -> Style {
        if self.color {
            Style::new().fg(c)
        } else {
            Style::new()
        }
    }

    pub(crate) fn selected(self, focused: bool) -> Style {
        if !self.color {
            return if focused {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
            };
        }
        if focused {
            Style::new().bg(Color::Blue).fg(Color::White)
        } else {
            Style::new().bg(Color::DarkGray)
        }
    }

    pub(crate) fn dim(self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new().add_modifier(Modifier::DIM)
        }
    }

    pub(crate) fn error(self) -> Style {
        self.fg(Color::Red).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub(crate) fn price(self) -> Style {
        self.fg(Color::Yellow)
    }

    pub(crate) fn good(self) -> Style {
        self.fg(Color::Green)
    }

    /// The characters of a name the picker's filter matched.
    pub(crate) fn matched(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub(crate) fn dir(self) -> Style {
        self.fg(Color::Blue).add_modifier(Modifier::BOLD)
    }

    pub(crate) fn border(self, focused: bool) -> Style {
        match (focused, self.color) {
            (true, true) => Style::new().fg(Color::Cyan),
            (true, false) => Style::new().add_modifier(Modifier::BOLD),
            (false, _) => Style::new(),
        }
    }
}

/// A pane's frame: focused panes get a thick, highlighted border.
fn pane_block<'a>(theme: Theme, title: Line<'a>, focused: bool) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(theme.border(focused))
        .title(title)
}

/// Draws a pane's frame and returns the area inside it, or `None` when the
/// pane is too small to hold anything.
pub(crate) fn framed_pane(
    theme: Theme,
    title: Line<'_>,
    focused: bool,
    area: Rect,
    buf: &mut Buffer,
) -> Option<Rect> {
    let block = pane_block(theme, title, focused);
    let inner = block.inner(area);
    block.render(area, buf);
    (!inner.is_empty()).then_some(inner)
}

/// The frame of a pane listing what the history database holds (History,
/// Shortlist, Watches) and, in it, why the database is off when it is;
/// the area inside when the list can be drawn.
pub(crate) fn store_list_pane(
    state: &State,
    title: Line<'_>,
    focused: bool,
    area: Rect,
    buf: &mut Buffer,
) -> Option<Rect> {
    if area.is_empty() {
        return None;
    }
    let theme = Theme::of(state);
    let inner = framed_pane(theme, title, focused, area, buf)?;
    if let crate::app::state::StoreStatus::Off(reason) = &state.store {
        let text = crate::text::fit(&crate::text::sanitize(reason), usize::from(inner.width));
        Line::from(Span::styled(text, theme.error()))
            .render(Rect::new(inner.x, inner.y, inner.width, 1), buf);
        return None;
    }
    Some(inner)
}

const SPINNER: [&str; 10] = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

pub(crate) fn spinner(state: &State) -> &'static str {
    SPINNER[state.spinner % SPINNER.len()]
}

/// Protocol pictures a frame leaves room for: each picture's key and the
/// box of cells it goes in. The frame keeps those cells blank; the event
/// loop hands the list to the display, which draws them after the frame.
pub type Pictures = Vec<(crate::app::state::ThumbKey, Rect)>;

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, state: &State) {
    let _ = draw_with_pictures(frame, state);
}

/// Draws the whole screen; answers where the protocol pictures go.
pub fn draw_with_pictures(frame: &mut Frame<'_>, state: &State) -> Pictures {
    let mut pictures = Pictures::new();
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return pictures;
    }
    let areas = layout(area, state.focus, state.main, state.landed.cost_page);
    let buf = frame.buffer_mut();
    if areas.narrow {
        draw_tabs(buf, areas.tabs, state);
    }
    picker::render(buf, areas.picker, state);
    filters::render(buf, areas.filters, state);
    results::render(buf, areas.results, state, &mut pictures);
    history::render(buf, areas.history, state);
    shortlist::render(buf, areas.shortlist, state);
    watches::render(buf, areas.watches, state);
    detail::render(buf, areas.detail, state, &mut pictures);
    status::render(buf, areas.status, state);
    if state.crop.is_some() {
        // Drawn over the panes: no picture of theirs shows through.
        pictures.clear();
    }
    crop::render(buf, state, &mut pictures);
    if let Some(scroll) = state.help {
        help::render(buf, area, state, scroll);
        pictures.clear();
    }
    // The caret of the active text input.
    if let Some((x, y)) = cursor_position(state, &areas)
        && area.contains(ratatui::layout::Position::new(x, y))
    {
        frame.set_cursor_position((x, y));
    }
    pictures
}

fn cursor_position(state: &State, areas: &Areas) -> Option<(u16, u16)> {
    if state.help.is_some() || state.crop.is_some() {
        return None;
    }
    if state.note.is_some() {
        return status::note_cursor(areas.status, state);
    }
    match state.focus {
        Pane::Picker => picker::cursor_position(areas.picker, state),
        Pane::Filters => filters::cursor_position(areas.filters, state),
        Pane::Shortlist => shortlist::cursor_position(areas.shortlist, state),
        _ => None,
    }
}

fn draw_tabs(buf: &mut ratatui::buffer::Buffer, area: Rect, state: &State) {
    let theme = Theme::of(state);
    let mut spans = Vec::new();
    let tabs = crate::app::layout::tabs(area.width, state.focus, state.main);
    for (i, (pane, label)) in tabs.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled("│", theme.dim()));
        }
        let style = if pane == state.focus {
            theme.selected(true)
        } else {
            Style::new()
        };
        spans.push(Span::styled(label, style));
    }
    ratatui::widgets::Widget::render(Line::from(spans), area, buf);
}

/// Renders the state into a string, one line per row (tests, snapshots).
#[cfg(test)]
pub(crate) fn render_to_string(state: &State, width: u16, height: u16) -> String {
    let backend = ratatui::backend::TestBackend::new(width, height);
    let mut terminal = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
    if terminal.draw(|f| draw(f, state)).is_err() {
        return String::new();
    }
    buffer_to_string(terminal.backend().buffer())
}

#[cfg(test)]
fn buffer_to_string(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut skip = 0usize;
        for x in 0..buf.area.width {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let sym = buf[(x, y)].symbol();
            line.push_str(sym);
            skip = crate::text::width(sym).saturating_sub(1);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// 97822 → "97.8k", 1200000 → "1.2M".
pub(crate) fn compact_count(n: u64) -> String {
    match n {
        0..=9_999 => n.to_string(),
        10_000..=999_999 => format!("{:.1}k", n as f64 / 1000.0),
        _ => format!("{:.1}M", n as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests;

/// Wraps `text` to lines of at most `max` cells: at spaces between words,
/// anywhere between wide (CJK) characters, and inside words too long for a
/// line. Counts display width, so CJK never overflows.
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    use unicode_width::UnicodeWidthChar;
    let mut lines = Vec::new();
    if max == 0 {
        return lines;
    }
    let mut line = String::new();
    let mut line_w = 0;
    // Tokens: runs of narrow non-space chars, single wide chars, spaces.
    let mut tokens: Vec<(String, usize)> = Vec::new();
    let mut word = String::new();
    let mut word_w = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if c == ' ' || w > 1 {
            if !word.is_empty() {
                tokens.push((std::mem::take(&mut word), word_w));
                word_w = 0;
            }
            tokens.push((c.to_string(), w));
        } else {
            word.push(c);
            word_w += w;
        }
    }
    if !word.is_empty() {
        tokens.push((word, word_w));
    }
    for (tok, w) in tokens {
        if tok == " " {
            if line_w > 0 && line_w < max {
                line.push(' ');
                line_w += 1;
            }
            continue;
        }
        if line_w + w > max && line_w > 0 {
            lines.push(line.trim_end().to_string());
            line.clear();
            line_w = 0;
        }
        if w > max {
            // A word longer than a line: cut it by cells.
            for c in tok.chars() {
                let cw = c.width().unwrap_or(0);
                if cw > max {
                    continue;
                }
                if line_w + cw > max && line_w > 0 {
                    lines.push(std::mem::take(&mut line));
                    line_w = 0;
                }
                line.push(c);
                line_w += cw;
            }
        } else {
            line.push_str(&tok);
            line_w += w;
        }
    }
    if !line.trim_end().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}
