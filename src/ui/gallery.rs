//! The results as a gallery: a grid of the offers' pictures, each with its
//! price and marks under it. Cells are the list's rows, left to right;
//! only the cells on screen are drawn. A picture not in memory yet is a
//! placeholder of the picture's size, so nothing moves when it arrives.

use super::Theme;
use crate::app::layout::{GalleryGrid, gallery_thumb};
use crate::app::state::{Pane, RowKind, State, Thumb, UnitCost};
use crate::store::Change;
use crate::text::{sanitize, truncate};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// Draws the cells of `grid` from the results' offset; the protocol
/// pictures go in `pictures`, for the display.
pub(super) fn render(
    buf: &mut Buffer,
    grid: &GalleryGrid,
    state: &State,
    theme: Theme,
    pictures: &mut super::Pictures,
) {
    let r = &state.results;
    let focused = matches!(state.focus, Pane::Results);
    for (slot, (i, row)) in r.rows_from(r.offset, grid.cells()).enumerate() {
        let selected = i == r.cursor;
        let picture = grid.picture(slot);
        let cell = grid.cell(slot);
        let text_y = picture.y + picture.height;
        let text = |line: u16| Rect::new(cell.x, text_y + line, picture.width, 1);
        let Some(offer) = r.offers.get(row.offer) else {
            // Out of memory: being read back from the store.
            placeholder(buf, picture, theme, "…");
            Line::styled(if selected { "▶ …" } else { "  …" }, theme.dim())
                .render(text(0).intersection(cell), buf);
            continue;
        };
        let key = gallery_thumb(offer, grid, state.graphics);
        match key.as_ref().and_then(|k| Some((k, state.thumbs.get(k)?))) {
            Some((_, Thumb::Half(h))) => h.render(picture, buf),
            // Drawn by the display after the frame; the cells stay blank.
            Some((k, Thumb::Encoded { .. })) => pictures.push((k.clone(), picture)),
            Some((_, Thumb::Failed(_))) => placeholder(buf, picture, theme, "no picture"),
            None if offer.image_url.is_some() => placeholder(buf, picture, theme, "…"),
            None => placeholder(buf, picture, theme, "no picture"),
        }
        let base = if selected {
            theme.selected(focused)
        } else {
            Style::new()
        };
        let dim = r.stale
            || matches!(
                state.details.unit_cost(offer),
                Some(UnitCost::BelowMinimum(_))
            );
        let price_line = price_line(state, offer, selected, theme, base);
        let marks = marks_line(state, offer, row.offer, row.kind, theme, selected, base);
        let (mut first, mut second) = (Line::from(price_line), Line::from(marks));
        if dim && !selected {
            first = first.style(theme.dim());
            second = second.style(theme.dim());
        }
        first.render(text(0).intersection(cell), buf);
        second.render(text(1).intersection(cell), buf);
    }
}

/// "▶ ¥12.50" (or the unit cost at the user's quantity, "@100 ¥11.80", or
/// with a lane the landed cost, "@100 ¥15.94 landed").
fn price_line(
    state: &State,
    offer: &crate::api::Offer,
    selected: bool,
    theme: Theme,
    base: Style,
) -> Vec<Span<'static>> {
    let cursor = if selected { "▶" } else { " " };
    let mut spans = vec![Span::styled(cursor, base)];
    let price = offer
        .price
        .map_or_else(|| "—".to_string(), |p| format!("¥{p}"));
    let style = if selected { base } else { theme.price() };
    // With a lane, what the buyer pays delivered ("landed" under it).
    if let (Some(q), Some(landed)) = (state.details.quantity, landed_text(state, offer)) {
        let style = if selected { base } else { theme.good() };
        spans.push(Span::styled(format!("@{q} {landed}"), style));
        return spans;
    }
    match (state.details.quantity, state.details.unit_cost(offer)) {
        (Some(q), Some(UnitCost::At(p))) => {
            spans.push(Span::styled(format!("@{q} ¥{p}"), style));
        }
        (Some(_), Some(UnitCost::BelowMinimum(m))) => {
            spans.push(Span::styled(format!("{price} min {m}"), style));
        }
        _ => spans.push(Span::styled(price, style)),
    }
    spans
}

/// The offer's landed cost at the quantity by the lane, when known and the
/// quantity reaches its minimum order.
fn landed_text(state: &State, offer: &crate::api::Offer) -> Option<String> {
    let cost = state
        .landed
        .cost_of(&state.details, offer.offer_id.as_deref())?;
    let crate::app::state::LandedCost::Done(Ok(b)) = cost else {
        return None;
    };
    if b.total.per_piece().is_none()
        || matches!(b.minimum, crate::landed::MinimumStatus::Below { .. })
    {
        return None;
    }
    Some(b.total.text(state.currency.as_ref()))
}

/// Monthly sales and the marks: ★ starred, ×N sellers of one picture, new
/// or cheaper since the last search.
fn marks_line(
    state: &State,
    offer: &crate::api::Offer,
    position: usize,
    kind: RowKind,
    theme: Theme,
    selected: bool,
    base: Style,
) -> Vec<Span<'static>> {
    let pick = |s: Style| if selected { base } else { s };
    let mut spans = vec![Span::styled(" ", base)];
    if landed_text(state, offer).is_some() {
        spans.push(Span::styled("landed ", pick(theme.good())));
    }
    let offer_ref = crate::store::Store::offer_ref(&state.provider, offer);
    if state.shortlist.entry(&offer_ref).is_some() {
        spans.push(Span::styled("★ ", pick(theme.price())));
    }
    match state.results.mark(position) {
        Change::New => spans.push(Span::styled("new ", pick(theme.good()))),
        Change::PriceUp { .. } => spans.push(Span::styled("↑ ", pick(theme.error()))),
        Change::PriceDown { .. } => spans.push(Span::styled("↓ ", pick(theme.good()))),
        Change::Same => {}
    }
    match kind {
        RowKind::Group { count, .. } => {
            spans.push(Span::styled(format!("×{count} "), pick(theme.accent())));
        }
        RowKind::Member => spans.push(Span::styled("└ ", pick(theme.dim()))),
        RowKind::Single => {}
    }
    if let Some(sold) = offer.month_sold {
        spans.push(Span::styled(
            format!("{} sold", super::compact_count(sold)),
            pick(theme.dim()),
        ));
    } else if spans.len() == 1 {
        let title = sanitize(&offer.title);
        spans.push(Span::styled(
            truncate(&title, 40).into_owned(),
            pick(theme.dim()),
        ));
    }
    spans
}

/// A picture's place, kept while it loads (or when there is none): a dim
/// frame of the picture's size with a word in it.
fn placeholder(buf: &mut Buffer, area: Rect, theme: Theme, word: &str) {
    if area.is_empty() {
        return;
    }
    let style = theme.dim();
    for y in area.y..area.y + area.height {
        for x in area.x..area.x + area.width {
            if let Some(c) = buf.cell_mut((x, y)) {
                c.set_symbol("·").set_style(style);
            }
        }
    }
    let mid = Rect::new(area.x, area.y + area.height / 2, area.width, 1);
    Line::styled(truncate(word, usize::from(area.width)).into_owned(), style)
        .centered()
        .render(mid, buf);
}
