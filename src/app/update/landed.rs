//! Landed costs: asking each offer's freight estimate once its detail is
//! known (for the SKU and quantity the cost is worked out at), keeping the
//! replies, choosing an offer's SKU, and the detail pane's cost page.

use crate::api::{ApiError, FreightQuery, FreightQuote};
use crate::app::msg::Effect;
use crate::app::state::{
    DetailEntry, FreightEntry, FreightState, LocalSort, MAX_FREIGHTS, MAX_FREIGHTS_IN_FLIGHT, State,
};
use crate::text::sanitize;

/// Whether landed costs are on: a quantity and a lane are set.
pub(super) fn on(state: &State) -> bool {
    state.details.quantity.is_some() && state.landed.lane.is_some()
}

/// Asks the freight estimates the landed costs of these offers need: each
/// with a detail, for its SKU at the quantity, not asked for that before.
/// Nothing without a warehouse (the cost says so), or once the provider
/// said it has no estimate.
pub(super) fn request(state: &mut State, offer_ids: &[String]) -> Vec<Effect> {
    let Some(quantity) = state.details.quantity else {
        return Vec::new();
    };
    if state.landed.lane.is_none() || state.landed.no_estimates.is_some() {
        return Vec::new();
    }
    let Some(warehouse) = state.landed.settings.warehouse.as_ref() else {
        return Vec::new();
    };
    let destination = warehouse.destination.clone();
    let mut room = MAX_FREIGHTS_IN_FLIGHT.saturating_sub(state.landed.in_flight());
    let mut fx = Vec::new();
    for id in offer_ids {
        if room == 0 {
            break;
        }
        let Some(DetailEntry::Loaded { detail, .. }) = state.details.entries.get(id) else {
            continue;
        };
        let sku = state.landed.sku_of(id, detail).map(str::to_string);
        let asked = state
            .landed
            .freights
            .get(id)
            .is_some_and(|e| e.quantity == quantity && e.sku == sku);
        if asked || !crate::api::detail::is_offer_id(id) {
            continue;
        }
        if state.landed.freights.len() >= MAX_FREIGHTS {
            // Keep what is in flight; the store keeps the rest a day.
            state
                .landed
                .freights
                .retain(|_, e| e.state == FreightState::Loading);
        }
        state.landed.freights.insert(
            id.clone(),
            FreightEntry {
                sku: sku.clone(),
                quantity,
                state: FreightState::Loading,
            },
        );
        state.landed.requested += 1;
        room -= 1;
        fx.push(Effect::FetchFreight(FreightQuery {
            offer_id: id.clone(),
            destination: destination.clone(),
            total: quantity,
            skus: sku.map(|s| vec![(s, quantity)]).unwrap_or_default(),
        }));
    }
    fx
}

/// An estimate arrived, or failed: kept when it still answers the
/// question the offer's cost asks (same SKU and quantity).
pub(super) fn arrived(
    state: &mut State,
    query: FreightQuery,
    result: Result<Box<FreightQuote>, ApiError>,
) -> Vec<Effect> {
    let sku = query.skus.first().map(|(s, _)| s.clone());
    let Some(entry) = state.landed.freights.get_mut(&query.offer_id) else {
        return Vec::new();
    };
    if entry.quantity != query.total || entry.sku != sku {
        return Vec::new();
    }
    let none_here = matches!(result, Err(ApiError::NoFreight { .. }));
    entry.state = match result {
        Ok(quote) => FreightState::Known(quote),
        Err(e) => FreightState::Failed(sanitize(&e.to_string())),
    };
    if none_here {
        // No offer of this provider has an estimate: every cost changes.
        if let FreightState::Failed(why) = &entry.state {
            state.landed.no_estimates = Some(why.clone());
        }
        state.landed.sort_keys.clear();
    } else {
        state.landed.changed(&query.offer_id);
    }
    if state.details.sort == LocalSort::LandedCost && on(state) {
        state.details.reorder_pending = true;
    }
    Vec::new()
}

/// The keys: the selected offer's next or previous SKU (by the detail's
/// order); its cost, freight and place in the landed-cost order follow.
pub(super) fn choose_sku(state: &mut State, step: isize) -> Vec<Effect> {
    let Some(id) = state.selected_offer().and_then(|o| o.offer_id.clone()) else {
        state.set_info("no SKUs: this offer has no detail");
        return Vec::new();
    };
    let Some(detail) = state.details.loaded(&id) else {
        state.set_info("no SKUs yet: the offer's detail is not loaded");
        return Vec::new();
    };
    let count = detail.skus.len();
    if count == 0 {
        state.set_info("this offer has no SKUs: one price for all");
        return Vec::new();
    }
    let current = state
        .landed
        .sku_of(&id, detail)
        .and_then(|s| detail.skus.iter().position(|k| k.id == s))
        .unwrap_or(0);
    let next = (current as isize + step).rem_euclid(count as isize) as usize;
    let Some(sku) = detail.skus.get(next) else {
        return Vec::new();
    };
    let mut said = format!("SKU {}/{count}", next + 1);
    let label = sku.label();
    if !label.is_empty() {
        said.push_str(&format!(": {}", sanitize(&label)));
    }
    if let Some(p) = sku.own_price() {
        said.push_str(&format!(" · ¥{p}"));
    }
    match sku.stock {
        Some(0) => said.push_str(" · out of stock"),
        Some(n) => said.push_str(&format!(" · stock {n}")),
        None => {}
    }
    let sku_id = sku.id.clone();
    state.landed.skus.insert(id.clone(), sku_id);
    state.landed.changed(&id);
    state.set_info(said);
    let fx = request(state, &[id]);
    if state.details.sort != LocalSort::Provider && state.details.quantity.is_some() {
        // Its place in the order moves on the next tick, as for arrivals.
        state.details.reorder_pending = true;
    }
    fx
}

/// The key: the detail pane shows the landed-cost breakdown and the SKUs,
/// or the offer's detail again.
pub(super) fn toggle_cost_page(state: &mut State) -> Vec<Effect> {
    state.landed.cost_page = !state.landed.cost_page;
    // The detail pane grows or shrinks: the results keep their cursor in view.
    super::screen::scroll_into_view(state);
    let text = match (state.landed.cost_page, on(state)) {
        (false, _) => "Detail: the offer".to_string(),
        (true, true) => "Detail: landed cost and SKUs".to_string(),
        (true, false) => format!(
            "Detail: SKUs — set a quantity and a lane in Filters ({}) for landed costs",
            state.key_hint(
                crate::keymap::KeyContext::Global,
                crate::keymap::Action::FocusFilters
            )
        ),
    };
    state.set_info(text);
    Vec::new()
}

/// A refresh of the selected offer asks its freight again too.
pub(super) fn forget(state: &mut State, offer_id: &str) {
    state.landed.freights.remove(offer_id);
    state.landed.changed(offer_id);
}
