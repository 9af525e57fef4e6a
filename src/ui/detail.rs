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

pub fn render(buf: &mut Buffer, area: Rect, state: &State) {
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
        render_picture(buf, pic, state, theme);
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
            if let Some(en) = o.title_en.as_deref().filter(|t| !t.trim().is_empty()) {
                l.push((sanitize(en), bold));
            }
            l.push((sanitize(&o.title), plain));
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
            l
        }
    };
    let w = usize::from(text_area.width);
    let lines: Vec<Line> = items
        .into_iter()
        .flat_map(|(text, style)| {
            super::wrap(&text, w)
                .into_iter()
                .map(move |l| Line::from(Span::styled(l, style)))
        })
        .take(usize::from(text_area.height))
        .collect();
    Paragraph::new(lines).render(text_area, buf);
}

fn render_picture(buf: &mut Buffer, pic: Rect, state: &State, theme: Theme) {
    let thumb = state
        .wanted_thumb
        .as_ref()
        .and_then(|k| state.thumbs.get(k));
    match thumb {
        Some(Thumb::Half(h)) => h.render(pic, buf),
        // Drawn with escape codes after the frame; the cells stay blank.
        Some(Thumb::Protocol(_)) => {}
        Some(Thumb::Failed(e)) => {
            Paragraph::new(Line::from(Span::styled(
                format!("no picture: {}", sanitize(e)),
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
