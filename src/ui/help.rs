//! The `?` overlay, generated from the live keymap.

use super::Theme;
use crate::app::state::State;
use crate::text::{fit, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Widget};

pub fn render(buf: &mut Buffer, screen: Rect, state: &State, scroll: usize) {
    let theme = Theme::of(state);
    let w = screen
        .width
        .saturating_sub(4)
        .clamp(1, 90)
        .min(screen.width);
    let h = screen.height.saturating_sub(2).max(1).min(screen.height);
    let area = Rect::new(
        screen.x + (screen.width - w) / 2,
        screen.y + (screen.height - h) / 2,
        w,
        h,
    );
    Clear.render(area, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.border(true))
        .title(" Keys — ? or esc to close ");
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let iw = usize::from(inner.width);
    let ctx_w = 8;
    let keys_w = 16.min(iw / 3);
    let desc_w = iw.saturating_sub(ctx_w + keys_w + 2);
    let mut last_ctx = None;
    let rows = usize::from(inner.height);
    let scroll = scroll.min(state.help_entries.len().saturating_sub(1));
    for (row, e) in state
        .help_entries
        .iter()
        .skip(scroll)
        .take(rows)
        .enumerate()
    {
        let ctx = if last_ctx != Some(e.context) || row == 0 {
            e.context.name()
        } else {
            ""
        };
        last_ctx = Some(e.context);
        let line = Line::from(vec![
            Span::styled(fit(ctx, ctx_w), theme.accent()),
            Span::styled(fit(&e.keys.join(" "), keys_w), theme.price()),
            Span::raw("  "),
            Span::raw(truncate(e.description, desc_w).into_owned()),
        ]);
        line.render(
            Rect::new(inner.x, inner.y + row as u16, inner.width, 1),
            buf,
        );
    }
}
