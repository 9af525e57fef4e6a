//! The detail / preview pane: the selected offer (or the highlighted
//! picture in the picker) in full, with its picture.

use super::{Theme, framed_pane, spinner};
use crate::app::layout::picture_rect;
use crate::app::state::{Pane, State, Subject, Thumb};
use crate::text::human_bytes;
use crate::text::sanitize;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget, Wrap};

pub fn render(buf: &mut Buffer, area: Rect, state: &State, pictures: &mut super::Pictures) {
    if area.is_empty() {
        return;
    }
    let theme = Theme::of(state);
    let focused = state.focus == Pane::Detail;
    let subject = state.subject();
    let title = match subject {
        Subject::File(_) => " Preview ",
        Subject::Search(_) => " Search ",
        _ => " Detail ",
    };
    let Some(inner) = framed_pane(theme, Line::from(title), focused, area, buf) else {
        return;
    };
    let pic = picture_rect(area);
    let text_area = if pic.is_empty() || matches!(subject, Subject::None) {
        inner
    } else {
        let x = pic.x + pic.width + 1;
        Rect::new(
            x,
            inner.y,
            (inner.x + inner.width).saturating_sub(x),
            inner.height,
        )
    };
    if !pic.is_empty() && !matches!(subject, Subject::None) {
        render_picture(buf, pic, state, theme, pictures);
    }
    let bold = ratatui::style::Style::new().add_modifier(ratatui::style::Modifier::BOLD);
    let plain = ratatui::style::Style::new();
    let items: Vec<(String, ratatui::style::Style)> = match subject {
        Subject::None => vec![("Nothing selected".into(), theme.dim())],
        Subject::File(e) => {
            let mut facts = human_bytes(e.size);
            if let Some(f) = &e.format {
                facts = format!("{f} · {facts}");
            }
            vec![
                (sanitize(&e.name), bold),
                (facts, plain),
                (
                    format!(
                        "{}: search with this picture",
                        state.key_hint(
                            crate::keymap::KeyContext::Picker,
                            crate::keymap::Action::Open
                        )
                    ),
                    theme.dim(),
                ),
            ]
        }
        Subject::Search(e) => {
            let key = |a| state.key_hint(crate::keymap::KeyContext::History, a);
            let count = match e.total {
                Some(t) => format!("{} of {t} offers kept", e.loaded),
                None => format!("{} offers kept", e.loaded),
            };
            let filters = e.params.summary();
            let mut l = vec![
                (sanitize(&e.source), bold),
                (
                    format!(
                        "{} UTC · {}",
                        crate::text::date_time(e.searched_at),
                        sanitize(&e.provider)
                    ),
                    plain,
                ),
                (count, plain),
            ];
            if !filters.is_empty() {
                l.push((format!("filters: {filters}"), plain));
            }
            l.push((
                format!(
                    "{} reopen (no request) · {} search again · {} delete",
                    key(crate::keymap::Action::Open),
                    key(crate::keymap::Action::Refresh),
                    key(crate::keymap::Action::DeleteEntry)
                ),
                theme.dim(),
            ));
            l
        }
        Subject::Offer(o) => {
            let mut l = Vec::new();
            let offer_ref = crate::store::Store::offer_ref(&state.provider, o);
            let starred = match state.main {
                Pane::Shortlist => state.shortlist.selected(),
                _ => state.shortlist.entry(&offer_ref),
            };
            if let Some(entry) = starred {
                let mut line = format!("★ {}", entry.status.label());
                if !entry.note.is_empty() {
                    line.push_str(&format!(" · {}", sanitize(&entry.note)));
                }
                l.push((line, theme.price()));
            }
            if state.landed.cost_page {
                // The row shows the title; the page is for the figures.
                l.extend(super::detail_cost::lines(
                    state,
                    o,
                    theme,
                    usize::from(text_area.width),
                ));
                return render_lines(buf, text_area, l);
            }
            if let Some(en) = o.title_en.as_deref().filter(|t| !t.trim().is_empty()) {
                l.push((sanitize(en), bold));
            }
            let has_detail = o.offer_id.is_some();
            if !has_detail {
                l.push((sanitize(&o.title), plain));
            }
            let mut price = o
                .price
                .map_or_else(|| "price —".into(), |p| format!("¥{p}"));
            if let Some((c, p)) = state.currency.as_ref().zip(o.price) {
                price.push_str(&format!(" ≈ {}", c.convert(p)));
            }
            if let Some(sp) = o.special_price() {
                price.push_str(&format!("  special ¥{sp}"));
            }
            if let Some(p) = o.jxhy_price {
                price.push_str(&format!("  jxhy ¥{p}"));
            }
            if let Some(p) = o.pf_jxhy_price {
                price.push_str(&format!("  pf ¥{p}"));
            }
            l.push((price, theme.price()));
            // What a buyer reads first after the price: MOQ and tiers (the
            // original title follows them).
            if has_detail {
                l.extend(detail_lines(state, o, theme));
                // Who sells it, before what is on the row already.
                l.extend(super::supplier::lines(state, o, theme));
                l.push((sanitize(&o.title), plain));
            }
            let mut facts = Vec::new();
            if let Some(n) = o.month_sold {
                facts.push(format!("{n} sold/month"));
            }
            if let Some(r) = o.repurchase_rate {
                facts.push(format!("repurchase {r:.0}%"));
            }
            if let Some(c) = o.category_id {
                facts.push(format!("category {c}"));
            }
            if !facts.is_empty() {
                l.push((facts.join(" · "), plain));
            }
            if !o.badges.is_empty() {
                let b: Vec<String> = o.badges.iter().map(|b| sanitize(b)).collect();
                l.push((b.join(" · "), theme.good()));
            }
            match o.link() {
                Some(link) => l.push((link, theme.accent())),
                None => {
                    l.push((crate::api::NO_OFFER_LINK.to_string(), theme.dim()));
                    if let Some(url) = o.picture_link() {
                        l.push((format!("picture {}", sanitize(&url)), theme.accent()));
                    }
                }
            }
            if let Some(m) = &o.offer_map_id {
                l.push((format!("offerMapId {}", sanitize(m)), theme.dim()));
            }
            l.extend(super::supplier::nothing_known(state, o, theme));
            if !has_detail {
                l.extend(super::supplier::lines(state, o, theme));
                l.extend(detail_lines(state, o, theme));
            }
            l
        }
    };
    render_lines(buf, text_area, items);
}

/// The pane's text, wrapped to its width and cut at its height.
fn render_lines(buf: &mut Buffer, area: Rect, items: Vec<(String, ratatui::style::Style)>) {
    let w = usize::from(area.width);
    let lines: Vec<Line> = items
        .into_iter()
        .flat_map(|(text, style)| {
            super::wrap(&text, w)
                .into_iter()
                .map(move |l| Line::from(Span::styled(l, style)))
        })
        .take(usize::from(area.height))
        .collect();
    Paragraph::new(lines).render(area, buf);
}

/// The offer's detail: minimum order, the tier table, the unit cost at the
/// quantity, ship-from, stock, sold, pictures; or where it stands.
fn detail_lines(
    state: &State,
    o: &crate::api::Offer,
    theme: Theme,
) -> Vec<(String, ratatui::style::Style)> {
    use crate::app::state::{DetailEntry, UnitCost};
    let plain = ratatui::style::Style::new();
    let no_detail = || {
        vec![(
            format!(
                "no detail from this provider: {}",
                crate::api::error::NO_DETAIL
            ),
            theme.dim(),
        )]
    };
    if o.offer_id.is_none() {
        return no_detail();
    }
    let key = state.key_hint(
        crate::keymap::KeyContext::Results,
        crate::keymap::Action::FetchDetail,
    );
    let detail = match state.details.of_offer(o) {
        None => return vec![(format!("detail: rest here or press {key}"), theme.dim())],
        Some(DetailEntry::Loading) => {
            return vec![(format!("{} detail…", spinner(state)), theme.accent())];
        }
        Some(DetailEntry::Failed(e)) => {
            return vec![(
                format!("detail failed: {e} ({key} to retry)"),
                theme.error(),
            )];
        }
        Some(DetailEntry::Unsupported) => return no_detail(),
        Some(DetailEntry::Loaded { detail, fetched_at }) => (detail, *fetched_at),
    };
    let (d, fetched_at) = detail;
    let mut l = Vec::new();
    l.push((
        d.min_order
            .map_or_else(|| "MOQ —".to_string(), |m| format!("MOQ {m}")),
        theme.price(),
    ));
    let convert = |p: crate::api::Price| {
        state
            .currency
            .as_ref()
            .map_or_else(String::new, |c| format!(" ≈ {}", c.convert(p)))
    };
    for t in &d.tiers {
        let mut line = format!(
            "  ≥{:<6} ¥{}{}",
            t.start_quantity,
            t.price,
            convert(t.price)
        );
        if let Some(p) = t.promotion_price.filter(|p| *p != t.price) {
            line.push_str(&format!("  promo ¥{p}"));
        }
        l.push((line, plain));
    }
    if d.tiers.is_empty() {
        l.push(("  no price tiers".to_string(), theme.dim()));
    }
    if let (Some(q), Some(cost)) = (state.details.quantity, state.details.unit_cost(o)) {
        match cost {
            UnitCost::At(p) => {
                let total = crate::api::Price(p.fen().saturating_mul(q));
                l.push((
                    format!("at {q}: ¥{p}/unit{} · ¥{total} in all", convert(p)),
                    theme.good(),
                ));
            }
            UnitCost::BelowMinimum(m) => {
                l.push((
                    format!("at {q}: below the minimum order of {m}"),
                    theme.error(),
                ));
            }
            UnitCost::Unknown => {}
        }
    }
    if let Some(line) = super::detail_cost::summary(state, o, theme) {
        l.push(line);
    }
    let mut facts = Vec::new();
    if let Some(s) = d.stock {
        facts.push(format!("stock {s}"));
    }
    if let Some(s) = d.sold {
        facts.push(format!("sold {s}"));
    }
    if !facts.is_empty() {
        l.push((facts.join(" · "), plain));
    }
    let mut ship = Vec::new();
    if let Some(from) = &d.ship_from {
        ship.push(format!("ships from {}", sanitize(from)));
    }
    if let Some(g) = d.guarantee_text() {
        ship.push(sanitize(&g));
    }
    if !ship.is_empty() {
        l.push((ship.join(" · "), plain));
    }
    if d.images.len() > 1 {
        let next = state.key_hint(
            crate::keymap::KeyContext::Results,
            crate::keymap::Action::NextPicture,
        );
        l.push((
            format!(
                "picture {}/{} ({next}: next)",
                state.details.picture % d.images.len() + 1,
                d.images.len()
            ),
            theme.dim(),
        ));
    }
    l.push((
        format!("detail of {} UTC", crate::text::date_time(fetched_at)),
        theme.dim(),
    ));
    l
}

fn render_picture(
    buf: &mut Buffer,
    pic: Rect,
    state: &State,
    theme: Theme,
    pictures: &mut super::Pictures,
) {
    let thumb = state
        .wanted_thumb
        .as_ref()
        .and_then(|k| Some((k, state.thumbs.get(k)?)));
    match thumb {
        Some((_, Thumb::Half(h))) => h.render(pic, buf),
        // Drawn by the display after the frame; the cells stay blank.
        Some((key, Thumb::Encoded { .. })) => pictures.push((key.clone(), pic)),
        Some((_, Thumb::Failed(e))) => {
            Paragraph::new(Line::from(Span::styled(
                format!("no picture: {}", sanitize(&e.to_string())),
                theme.dim(),
            )))
            .wrap(Wrap { trim: true })
            .render(pic, buf);
        }
        None => {
            let has_picture = match state.subject() {
                Subject::Offer(o) => o.image_url.is_some(),
                Subject::File(_) => true,
                Subject::Search(e) => e.has_thumbnail,
                Subject::None => false,
            };
            let text = if has_picture {
                format!("{} picture…", spinner(state))
            } else {
                "no picture".to_string()
            };
            Paragraph::new(Line::from(Span::styled(text, theme.dim())))
                .wrap(Wrap { trim: true })
                .render(pic, buf);
        }
    }
}
