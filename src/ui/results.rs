//! The results list. Only the rows on screen are formatted.

use super::{Theme, compact_count, framed_pane, spinner};
use crate::api::Offer;
use crate::app::layout::header_shown;
use crate::app::state::{Failed, LandedCost, Pane, Phase, Row, RowKind, State, UnitCost};
use crate::keymap::Action;
use crate::keymap::KeyContext;
use crate::money::Currency;
use crate::store::Change;
use crate::text::{fit, sanitize, truncate, width};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

/// "120/687 · page 6/35".
pub fn progress(state: &State) -> String {
    let r = &state.results;
    format!(
        "{}/{} · page {}/{}",
        r.offers.len(),
        r.total_records,
        r.pages_loaded,
        r.total_pages
    )
}

pub fn render(buf: &mut Buffer, area: Rect, state: &State, pictures: &mut super::Pictures) {
    if area.is_empty() {
        return;
    }
    let theme = Theme::of(state);
    let r = &state.results;
    let focused = matches!(state.focus, Pane::Results);
    let mut title = vec![Span::raw(" Results ")];
    let crumbs = state.crumbs();
    if crumbs.len() > 1 || r.reopened.is_some() {
        // The way back: "photo.jpg › like “Red mug” › …", newest kept.
        let shown: Vec<&str> = crumbs
            .iter()
            .rev()
            .take(3)
            .rev()
            .map(String::as_str)
            .collect();
        let more = if crumbs.len() > 3 { "… › " } else { "" };
        title.push(Span::styled(
            format!("· {more}{} ", truncate(&shown.join(" › "), 60)),
            theme.accent(),
        ));
    }
    if state.demo && r.source.is_some() {
        title.push(Span::styled("demo ", theme.price()));
    }
    if let Some(crop) = &r.params.crop {
        title.push(Span::styled(
            format!("crop {} ", crop_label(crop)),
            theme.price(),
        ));
    }
    if r.stale {
        // Kept from the search before, until this one's first page arrives.
        title.push(Span::styled("· previous results ", theme.dim()));
    } else if r.pages_loaded > 0 {
        title.push(Span::raw(format!("· {} ", progress(state))));
        if state.grouping
            && let Some(same) = state.same.progress_text(r.offers.len())
        {
            title.push(Span::styled(format!("· {same} "), theme.dim()));
        }
    }
    if r.busy() {
        title.push(Span::styled(format!("{} ", spinner(state)), theme.accent()));
    }
    let Some(inner) = framed_pane(theme, Line::from(title), focused, area, buf) else {
        return;
    };
    if state.results_view == crate::app::state::ResultsView::Gallery {
        // Laid out as the update laid it out, in the pane as drawn.
        let grid = crate::app::layout::GalleryGrid::for_area(inner);
        super::gallery::render(buf, &grid, state, theme, pictures);
        // The status under the grid: loading, failed, the end.
        let status = status_row(state, theme);
        let y = inner.y + inner.height.saturating_sub(1);
        if !status.is_empty()
            && usize::from(grid.cell_height) * grid.rows < usize::from(inner.height)
        {
            Line::from(status).render(Rect::new(inner.x, y, inner.width, 1), buf);
        }
        return;
    }
    let w = usize::from(inner.width);
    let mut rows = usize::from(inner.height);
    let mut y = inner.y;
    if crate::app::layout::filter_line_shown(state, rows) {
        let key = state.key_hint(KeyContext::Results, Action::SellerOffers);
        let mut text = state.suppliers.shown_text();
        if state.suppliers.filter.seller.is_some() {
            text.push_str(&format!(" ({key}: every seller)"));
        }
        Line::styled(truncate(&text, w).into_owned(), theme.accent())
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
        rows -= 1;
    }
    if header_shown(state, rows) {
        header_line(w, state, theme).render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
        rows -= 1;
    }
    let shown = r.rows_from(r.offset, rows);
    let mut drawn = 0;
    for (i, row) in shown {
        let selected = i == r.cursor;
        let Some(offer) = r.offers.get(row.offer) else {
            // Out of memory: being read back from the store.
            let text = if r.offers.is_loading(row.offer) {
                "  …"
            } else {
                "  (not in memory)"
            };
            let style = if selected {
                theme.selected(focused)
            } else {
                theme.dim()
            };
            Line::styled(text, style).render(Rect::new(inner.x, y, inner.width, 1), buf);
            y += 1;
            drawn += 1;
            continue;
        };
        let lead = lead(state, &row, theme, w);
        let style = RowStyle {
            selected,
            focused,
            theme,
        };
        let unit = state.details.unit_cost(offer);
        let landed = state
            .landed
            .cost_of(&state.details, offer.offer_id.as_deref());
        let mut line = offer_line(
            offer,
            w,
            state.currency.as_ref(),
            style,
            lead,
            unit,
            landed.as_ref(),
        );
        let below = matches!(unit, Some(UnitCost::BelowMinimum(_)));
        if (r.stale || below) && !selected {
            line = line.style(theme.dim());
        }
        line.render(Rect::new(inner.x, y, inner.width, 1), buf);
        y += 1;
        drawn += 1;
    }
    if drawn < rows {
        let status = status_row(state, theme);
        Line::from(status)
            .style(Style::new())
            .render(Rect::new(inner.x, y, inner.width, 1), buf);
    }
}

/// A search's crop in a few cells: "1200×900 at 400,300" for one box.
pub(crate) fn crop_label(crop: &str) -> String {
    match crop.parse::<crate::api::Region>() {
        Ok(region) if region.0.len() == 1 => {
            let b = region.0[0];
            format!("{}×{} at {},{}", b.width(), b.height(), b.x1, b.y1)
        }
        Ok(region) => format!("{} boxes", region.0.len()),
        Err(_) => truncate(&sanitize(crop), 30).to_string(),
    }
}

fn status_row(state: &State, theme: Theme) -> Vec<Span<'static>> {
    let r = &state.results;
    let retry = state.key_hint(KeyContext::Results, Action::Retry);
    match &r.phase {
        Phase::Idle => vec![Span::styled(
            format!(
                "Choose a picture in Files ({}) or type a path or URL ({})",
                state.key_hint(KeyContext::Picker, Action::Open),
                state.key_hint(KeyContext::Picker, Action::EnterPath)
            ),
            theme.dim(),
        )],
        Phase::Preparing => vec![Span::styled(
            format!(
                "{} preparing and uploading {}…",
                spinner(state),
                r.source
                    .as_ref()
                    .map(|s| sanitize(&s.label()))
                    .unwrap_or_default()
            ),
            theme.accent(),
        )],
        Phase::Loading => vec![Span::styled(
            format!(
                "{} loading page {}…",
                spinner(state),
                r.inflight.unwrap_or(r.pages_loaded + 1)
            ),
            theme.accent(),
        )],
        Phase::Failed => {
            let what = match &r.failed {
                Some(Failed::Page(p)) => format!("page {p} failed"),
                _ => "search failed".to_string(),
            };
            let text = match &r.error {
                Some(f) if !f.retryable() => format!("! {what}: see the status line"),
                _ => format!("! {what} — press {retry} to retry"),
            };
            vec![Span::styled(text, theme.error())]
        }
        Phase::Cancelled => vec![Span::styled(
            format!("cancelled — press {retry} to resume"),
            theme.dim(),
        )],
        Phase::Ready if r.end && r.offers.is_empty() => {
            vec![Span::styled("no offers found", theme.dim())]
        }
        Phase::Ready if r.end => vec![Span::styled("— end of results —", theme.dim())],
        Phase::Ready => Vec::new(),
    }
}

/// Widths of the columns right of the titles, by pane width.
struct Columns {
    price: usize,
    /// The price in the user's currency (0 without one, or when narrow).
    converted: usize,
    special: usize,
    sold: usize,
    rate: usize,
    badges: usize,
    /// The landed cost at the quantity by the lane (0 without both).
    landed: usize,
    /// The unit cost at the quantity (0 without a quantity)…
    unit: usize,
    /// …and in the user's currency (0 without one, or when narrow).
    unit_converted: usize,
    /// Who sells it: factory or trader, years, a score (when wide).
    supplier: usize,
}

impl Columns {
    fn for_width(w: usize, currency: Option<&Currency>, quantity: bool, landed: bool) -> Columns {
        // Narrow, the landed cost (what the buyer pays) wins over the unit.
        let unit = quantity && !(landed && w < 56);
        Columns {
            landed: match (landed, w >= 90) {
                (false, _) => 0,
                (true, false) => 11,
                (true, true) => 13,
            },
            unit: if unit { 10 } else { 0 },
            unit_converted: if unit && currency.is_some() && w >= 70 + if landed { 11 } else { 0 } {
                10
            } else {
                0
            },
            price: 9,
            converted: if currency.is_some() && w >= 50 { 10 } else { 0 },
            special: if w >= 60 { 8 } else { 0 },
            sold: if w >= 34 { 8 } else { 0 },
            rate: if w >= 40 { 5 } else { 0 },
            badges: if w >= 90 { 16 } else { 0 },
            supplier: match w {
                0..40 => 0,
                40..56 => 8,
                56..100 => 12,
                _ => 16,
            },
        }
    }

    fn fixed(&self) -> usize {
        self.price
            + self.converted
            + self.landed
            + self.unit
            + self.unit_converted
            + self.special
            + self.sold
            + self.rate
            + self.badges
            + self.supplier
    }
}

/// The column names, aligned with `offer_line`; stays on top while scrolling.
fn header_line(w: usize, state: &State, theme: Theme) -> Line<'static> {
    let currency = state.currency.as_ref();
    let quantity = state.details.quantity;
    let landed = quantity.is_some() && state.landed.lane.is_some();
    let c = Columns::for_width(w, currency, quantity.is_some(), landed);
    let mut text = fit("offer", w.saturating_sub(c.fixed()));
    let right = |name: &str, width: usize| {
        if width == 0 {
            String::new()
        } else {
            format!("{:>width$}", truncate(name, width - 1), width = width)
        }
    };
    text.push_str(&right("price ¥", c.price));
    text.push_str(&right(
        currency.map_or("", |c| c.code.as_str()),
        c.converted,
    ));
    let landed_name = match (c.unit, quantity) {
        (0, Some(q)) => format!("landed@{q}"),
        _ => format!("landed {}", currency.map_or("¥", |c| c.code.as_str())),
    };
    text.push_str(&right(&landed_name, c.landed));
    let at = quantity.map_or_else(String::new, |q| format!("@{q} ¥"));
    text.push_str(&right(&at, c.unit));
    text.push_str(&right(
        &format!("@ {}", currency.map_or("", |c| c.code.as_str())),
        c.unit_converted,
    ));
    text.push_str(&right("special", c.special));
    text.push_str(&right("sold/mo", c.sold));
    text.push_str(&right("rep.", c.rate));
    if c.supplier > 0 {
        let name = if c.supplier < 12 {
            "seller"
        } else {
            "supplier"
        };
        text.push_str(&format!(" {}", fit(name, c.supplier - 1)));
    }
    if c.badges > 0 {
        text.push_str(&format!(" {}", fit("badges", c.badges - 1)));
    }
    Line::from(Span::styled(
        text,
        theme
            .dim()
            .add_modifier(ratatui::style::Modifier::UNDERLINED),
    ))
}

/// What goes before an offer's title: ★ when starred, "new" or a price
/// move since the last search of the picture, and "×N from ¥x" for a
/// group of sellers (▸ closed, ▾ open; └ for a seller inside).
fn lead(state: &State, row: &Row, theme: Theme, width: usize) -> Vec<Span<'static>> {
    let r = &state.results;
    let mut spans = Vec::new();
    let Some(offer) = r.offers.get(row.offer) else {
        return spans;
    };
    let offer_ref = crate::store::Store::offer_ref(&state.provider, offer);
    if state.shortlist.entry(&offer_ref).is_some() {
        spans.push(Span::styled("★ ", theme.price()));
    }
    match r.mark(row.offer) {
        Change::New => spans.push(Span::styled("new ", theme.good())),
        Change::PriceUp { .. } => spans.push(Span::styled("↑ ", theme.error())),
        Change::PriceDown { .. } => spans.push(Span::styled("↓ ", theme.good())),
        Change::Same => {}
    }
    spans.extend(super::watches::mark_span(state, offer, theme));
    match row.kind {
        RowKind::Group { count, open, .. } => {
            let arrow = if open { "▾" } else { "▸" };
            let group = r.groups.group(row.offer);
            // Narrow, the title keeps room: "▸×3 ¥14.50–16.37".
            let text = if width < WIDE_GROUP_ROW {
                let range = group.map_or_else(String::new, |g| range_text(&g));
                format!("{arrow}×{count}{range} ")
            } else {
                let spread = group.map_or_else(String::new, |g| spread_text(&g));
                format!("{arrow}×{count} sellers{spread} ")
            };
            spans.push(Span::styled(text, theme.accent()));
        }
        RowKind::Member => spans.insert(0, Span::styled("  └ ", theme.dim())),
        RowKind::Single => {}
    }
    spans
}

/// Rows at least this wide say a group's spread in full.
const WIDE_GROUP_ROW: usize = 120;

/// " ¥12.50–19.00" (" ¥12.50" for one price; nothing without prices).
fn range_text(g: &crate::app::state::Group) -> String {
    match (g.min_price, g.max_price) {
        (Some(lo), Some(hi)) if lo != hi => format!(" ¥{lo}–{hi}"),
        (Some(lo), _) => format!(" ¥{lo}"),
        _ => String::new(),
    }
}

/// " · ¥12.50–19.00 · median ¥14.20" (" · ¥12.50" when all are one price;
/// nothing when none has a price).
pub(crate) fn spread_text(g: &crate::app::state::Group) -> String {
    match (g.min_price, g.max_price, g.median) {
        (Some(lo), Some(hi), _) if lo == hi => format!(" · ¥{lo}"),
        (Some(lo), Some(hi), Some(mid)) => format!(" · ¥{lo}–{hi} · median ¥{mid}"),
        (Some(lo), _, _) => format!(" · from ¥{lo}"),
        _ => String::new(),
    }
}

/// How a row is drawn: highlighted or not, in a focused pane or not.
#[derive(Clone, Copy)]
struct RowStyle {
    selected: bool,
    focused: bool,
    theme: Theme,
}

/// One offer: price (and in the user's currency), special price, sales,
/// repurchase, titles, badges.
fn offer_line(
    offer: &Offer,
    w: usize,
    currency: Option<&Currency>,
    style: RowStyle,
    lead: Vec<Span<'static>>,
    unit: Option<UnitCost>,
    landed: Option<&LandedCost>,
) -> Line<'static> {
    let RowStyle {
        selected,
        focused,
        theme,
    } = style;
    let price = offer
        .price
        .map_or_else(|| "—".to_string(), |p| format!("¥{p}"));
    let converted = currency
        .zip(offer.price)
        .map_or_else(String::new, |(c, p)| c.convert(p));
    let special = offer.special_price().map(|p| format!("↓{p}"));
    let sold = offer.month_sold.map_or_else(String::new, compact_count);
    let rate = offer
        .repurchase_rate
        .map_or_else(String::new, |r| format!("{r:.0}%"));
    let title_en = offer
        .title_en
        .as_deref()
        .map(sanitize)
        .filter(|t| !t.trim().is_empty());
    let title = sanitize(&offer.title);
    let badges: Vec<String> = offer.badges.iter().map(|b| sanitize(b)).collect();

    // Columns from the right; the titles get what is left.
    let c = Columns::for_width(w, currency, unit.is_some(), landed.is_some());
    let (price_w, special_w, sold_w, rate_w, badge_w) =
        (c.price, c.special, c.sold, c.rate, c.badges);
    let title_w = w.saturating_sub(c.fixed());
    let base = if selected {
        theme.selected(focused)
    } else {
        Style::new()
    };
    let lead_w: usize = lead.iter().map(|s| width(&s.content)).sum();
    let lead_w = lead_w.min(title_w);
    let title_w = title_w - lead_w;
    let mut spans = Vec::new();
    // The lead gets at most the titles' room: a narrow pane cuts it, never
    // the columns right of it.
    let mut room = lead_w;
    for s in lead {
        if room == 0 {
            break;
        }
        let cut = truncate(&s.content, room).into_owned();
        room = room.saturating_sub(width(&cut));
        let s = Span::styled(cut, s.style);
        spans.push(if selected { s.style(base) } else { s });
    }
    let titles = match &title_en {
        Some(en) => {
            let en_w = width(en);
            if en_w + 3 + 6 <= title_w {
                format!("{en} · {title}")
            } else {
                en.clone()
            }
        }
        None => title.clone(),
    };
    spans.push(Span::styled(fit(&titles, title_w), base));
    spans.push(Span::styled(
        format!("{:>width$}", truncate(&price, price_w - 1), width = price_w),
        if selected { base } else { theme.price() },
    ));
    if c.converted > 0 {
        spans.push(Span::styled(
            format!(
                "{:>width$}",
                truncate(&converted, c.converted - 1),
                width = c.converted
            ),
            if selected { base } else { theme.price() },
        ));
    }
    if c.landed > 0 {
        // Below the minimum order the quantity cannot be bought: said as
        // the unit column says it, the cost is in the breakdown.
        let below = |b: &crate::landed::Breakdown| match b.minimum {
            crate::landed::MinimumStatus::Below { min } => Some(min),
            _ => None,
        };
        let text = match landed {
            Some(LandedCost::Done(Ok(b))) => match below(b) {
                Some(min) => format!("min {}", compact_count(min)),
                None => b.total.text(currency),
            },
            Some(LandedCost::Done(Err(e))) => format!("? {e}"),
            _ => "…".to_string(),
        };
        let known = matches!(landed, Some(LandedCost::Done(Ok(b)))
            if b.total.per_piece().is_some() && below(b).is_none());
        spans.push(Span::styled(
            format!(
                "{:>width$}",
                truncate(&text, c.landed - 1),
                width = c.landed
            ),
            match (selected, known) {
                (true, _) => base,
                (false, true) => theme.good(),
                (false, false) => theme.dim(),
            },
        ));
    }
    if c.unit > 0 {
        let (text, converted) = match unit {
            Some(UnitCost::At(p)) => (
                format!("¥{p}"),
                currency.map_or_else(String::new, |cur| cur.convert(p)),
            ),
            Some(UnitCost::BelowMinimum(m)) => (format!("min {}", compact_count(m)), String::new()),
            _ => ("…".to_string(), String::new()),
        };
        spans.push(Span::styled(
            format!("{:>width$}", truncate(&text, c.unit - 1), width = c.unit),
            if selected { base } else { theme.accent() },
        ));
        if c.unit_converted > 0 {
            spans.push(Span::styled(
                format!(
                    "{:>width$}",
                    truncate(&converted, c.unit_converted - 1),
                    width = c.unit_converted
                ),
                if selected { base } else { theme.accent() },
            ));
        }
    }
    if special_w > 0 {
        let s = special.unwrap_or_default();
        spans.push(Span::styled(
            format!("{:>width$}", truncate(&s, special_w - 1), width = special_w),
            if selected { base } else { theme.good() },
        ));
    }
    if sold_w > 0 {
        spans.push(Span::styled(
            format!("{:>width$}", truncate(&sold, sold_w - 1), width = sold_w),
            base,
        ));
    }
    if rate_w > 0 {
        spans.push(Span::styled(
            format!("{:>width$}", truncate(&rate, rate_w - 1), width = rate_w),
            base,
        ));
    }
    if c.supplier > 0 {
        let s = offer.seller.as_ref().map_or_else(
            || "—".to_string(),
            |s| match c.supplier {
                16.. => s.compact(true),
                12.. => s.compact(false),
                _ => s.compact_short(),
            },
        );
        // A seller known by name only: its kind, years and scores unknown.
        let s = if s.is_empty() { "?".to_string() } else { s };
        let factory = offer.seller.as_ref().and_then(|s| s.is_factory()) == Some(true);
        spans.push(Span::styled(
            format!(" {}", fit(&s, c.supplier - 1)),
            match (selected, factory) {
                (true, _) => base,
                (false, true) => theme.good(),
                (false, false) => Style::new(),
            },
        ));
    }
    if badge_w > 0 {
        let b = badges.join(",");
        spans.push(Span::styled(
            format!(" {}", fit(&b, badge_w - 1)),
            if selected { base } else { theme.dim() },
        ));
    }
    Line::from(spans)
}
