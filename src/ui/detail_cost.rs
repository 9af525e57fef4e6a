//! The detail pane's landed cost: a one-line summary under the unit cost,
//! and the cost page (`toggle_cost`): the breakdown, each figure with its
//! source, and the offer's SKUs with the one the cost is for.

use super::{Theme, spinner};
use crate::api::{Offer, OfferDetail};
use crate::app::state::{DetailEntry, LandedCost, State};
use crate::keymap::{Action, KeyContext};
use crate::landed::{Amount, Breakdown, Item, MinimumStatus, Total, WeightBasis};
use crate::text::sanitize;
use ratatui::style::Style;

type Lines = Vec<(String, Style)>;

/// "landed @500 by air (example): ¥15.94/pc ($ breakdown)", when a
/// quantity and a lane are set.
pub(super) fn summary(state: &State, o: &Offer, theme: Theme) -> Option<(String, Style)> {
    let cost = state
        .landed
        .cost_of(&state.details, o.offer_id.as_deref())?;
    let quantity = state.details.quantity?;
    let key = state.key_hint(KeyContext::Results, Action::ToggleCost);
    let head = format!("landed @{quantity} by {}", lane_name(state));
    Some(match cost {
        LandedCost::Waiting => (
            format!("{head}: {} freight estimate…", spinner(state)),
            theme.accent(),
        ),
        LandedCost::Done(Ok(b)) => match &b.total {
            Total::Known { per_piece, .. } => (
                format!("{head}: {}/pc ({key}: breakdown)", money(*per_piece, state)),
                theme.good(),
            ),
            Total::Unknown(_) => (
                format!("{head}: {} ({key}: why)", b.total.text(None)),
                theme.dim(),
            ),
        },
        LandedCost::Done(Err(e)) => (format!("{head}: ? {e}"), theme.dim()),
    })
}

/// The cost page: the breakdown (or where it stands), then the SKUs; each
/// figure and SKU on one row of `width` (cut, so all fit the pane).
pub(super) fn lines(state: &State, o: &Offer, theme: Theme, width: usize) -> Lines {
    let plain = Style::new();
    let mut l = Lines::new();
    let detail = match o
        .offer_id
        .as_deref()
        .map(|id| state.details.entries.get(id))
    {
        Some(Some(DetailEntry::Loaded { detail, .. })) => detail,
        Some(Some(DetailEntry::Loading)) => {
            l.push((format!("{} detail…", spinner(state)), theme.accent()));
            return l;
        }
        _ => {
            let key = state.key_hint(KeyContext::Results, Action::FetchDetail);
            l.push((
                format!("no detail yet: rest here or press {key}"),
                theme.dim(),
            ));
            return l;
        }
    };
    match state.landed.cost_of(&state.details, o.offer_id.as_deref()) {
        None => l.push((
            format!(
                "landed cost: set a quantity and a lane in Filters ({})",
                state.key_hint(KeyContext::Global, Action::FocusFilters)
            ),
            theme.dim(),
        )),
        Some(LandedCost::Waiting) => l.push((
            format!("{} freight estimate…", spinner(state)),
            theme.accent(),
        )),
        Some(LandedCost::Done(Err(e))) => l.push((format!("landed cost: ? {e}"), theme.error())),
        Some(LandedCost::Done(Ok(b))) => l.extend(breakdown(state, &b, theme, width)),
    }
    l.extend(
        skus(state, o, detail, theme)
            .into_iter()
            .map(|(text, style)| (crate::text::truncate(&text, width).to_string(), style)),
    );
    if detail.skus.is_empty() {
        l.push(("no SKUs: one price for all".into(), plain));
    }
    l
}

fn lane_name(state: &State) -> String {
    state.landed.lane.as_ref().map_or_else(String::new, |lane| {
        let name = sanitize(&lane.name);
        match lane.origin {
            crate::landed::Origin::Example => format!("{name} (example)"),
            crate::landed::Origin::Yours => name,
        }
    })
}

/// Yuan, and the user's currency beside it.
fn money(p: crate::api::Price, state: &State) -> String {
    match &state.currency {
        Some(c) => format!("¥{p} ≈ {}", c.convert(p)),
        None => format!("¥{p}"),
    }
}

fn grams(g: u64) -> String {
    if g >= 1000 {
        format!("{:.2} kg", g as f64 / 1000.0)
    } else {
        format!("{g} g")
    }
}

fn breakdown(state: &State, b: &Breakdown, theme: Theme, width: usize) -> Lines {
    let cut = |text: String| crate::text::truncate(&text, width).to_string();
    let plain = Style::new();
    let mut l = Lines::new();
    let head = format!("landed @{} by {}", b.quantity, lane_name(state));
    match &b.total {
        Total::Known { per_piece, lot } => l.push((
            format!("{head}: {}/pc, ¥{lot} the lot", money(*per_piece, state)),
            theme.good(),
        )),
        Total::Unknown(missing) => l.push((
            format!(
                "{head}: ? missing {}",
                missing
                    .iter()
                    .map(|m| sanitize(m))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            theme.error(),
        )),
    }
    match b.minimum {
        MinimumStatus::Below { min } => l.push((
            format!("below the minimum order of {min}: priced at it, the seller may refuse"),
            theme.error(),
        )),
        MinimumStatus::MixedBatch { min } => l.push((
            format!("below the minimum order of {min}, but mixing SKUs reaches it"),
            theme.accent(),
        )),
        MinimumStatus::Met | MinimumStatus::Unknown => {}
    }
    for line in &b.lines {
        let amount = match &line.per_piece {
            Amount::Known(p) => format!("¥{p}"),
            Amount::Unknown(why) => format!("? {}", sanitize(why)),
        };
        let label = match &line.item {
            Item::Domestic => "domestic",
            Item::International => "intl freight",
            other => other.label(),
        };
        l.push((
            cut(format!(
                "{:<12}{:>9}  {}",
                sanitize(label),
                amount,
                sanitize(&line.source)
            )),
            plain,
        ));
    }
    match &b.chargeable {
        Ok(c) => {
            let basis = match (c.basis, c.volumetric_g) {
                (WeightBasis::Volumetric, Some(v)) => {
                    format!("volumetric {} > actual {}", grams(v), grams(c.actual_g))
                }
                (WeightBasis::Actual, Some(v)) => {
                    format!("actual {} ≥ volumetric {}", grams(c.actual_g), grams(v))
                }
                _ => format!("actual {}, no size known", grams(c.actual_g)),
            };
            l.push((
                cut(format!(
                    "chargeable {}/pc, {} the lot ({basis}; {})",
                    grams(c.per_piece_g),
                    grams(c.lot_g),
                    sanitize(&c.source)
                )),
                theme.dim(),
            ));
        }
        Err(why) => l.push((
            format!("chargeable weight: ? {}", sanitize(why)),
            theme.dim(),
        )),
    }
    if b.uses_examples {
        l.push((
            "example lane or fees (demo): set yours in config.toml [landed]".into(),
            theme.dim(),
        ));
    }
    l
}

/// The offer's SKUs: attributes, own price, stock; ▸ the one costed.
fn skus(state: &State, o: &Offer, detail: &OfferDetail, theme: Theme) -> Lines {
    let mut l = Lines::new();
    if detail.skus.is_empty() {
        return l;
    }
    let id = o.offer_id.as_deref().unwrap_or_default();
    let chosen = state.landed.sku_of(id, detail);
    let keys = format!(
        "{}/{}",
        state.key_hint(KeyContext::Results, Action::NextSku),
        state.key_hint(KeyContext::Results, Action::PrevSku)
    );
    let mix = match detail.mix {
        Some(m) if m.allowed => {
            let mut rule = Vec::new();
            if let Some(n) = m.min_pieces {
                rule.push(format!("≥ {n} pcs"));
            }
            if let Some(a) = m.min_amount {
                rule.push(format!("≥ ¥{a}"));
            }
            if rule.is_empty() {
                " · SKUs may be mixed to reach the minimum".to_string()
            } else {
                format!(" · mixed SKUs reach the minimum at {}", rule.join(" or "))
            }
        }
        Some(_) => " · no mixing: each SKU must reach the minimum".to_string(),
        None => String::new(),
    };
    l.push((
        format!("{} SKUs ({keys}: choose){mix}", detail.skus.len()),
        theme.dim(),
    ));
    for sku in &detail.skus {
        // A mark that is not a space: the pane's wrap trims leading spaces.
        let mark = if Some(sku.id.as_str()) == chosen {
            "▸ "
        } else {
            "· "
        };
        let label = sku.label();
        let name = if label.is_empty() {
            format!("SKU {}", sku.id)
        } else {
            label
        };
        let price = sku
            .own_price()
            .map_or_else(|| "tier price".to_string(), |p| format!("¥{p}"));
        let stock = match sku.stock {
            Some(0) => "out of stock".to_string(),
            Some(n) => format!("stock {n}"),
            None => String::new(),
        };
        let picture = if sku.picture().is_some() {
            " · picture"
        } else {
            ""
        };
        let style = if Some(sku.id.as_str()) == chosen {
            theme.accent()
        } else if sku.stock == Some(0) {
            theme.dim()
        } else {
            Style::new()
        };
        l.push((
            sanitize(&format!("{mark}{name} · {price} · {stock}{picture}"))
                .trim_end_matches(" · ")
                .to_string(),
            style,
        ));
    }
    l
}
