//! Offer details: fetched when the cursor has rested on an offer for
//! [`REST_TICKS`] ticks (the tick is the loop's 100 ms clock, so no task
//! sleeps per key) or when a key asks, cancelled when the cursor moves on;
//! the extra pictures; the unit-cost order of the rows.

use crate::api::ApiError;
use crate::app::msg::Effect;
use crate::app::state::{DetailEntry, LocalSort, MAX_DETAILS, Pane, REST_TICKS, Rest, State};

/// The offer the detail pane shows from the results, with the first row on
/// screen: a change of either restarts the rest.
fn resting_on(state: &State) -> Option<(Option<String>, usize)> {
    if state.main != Pane::Results || !matches!(state.focus, Pane::Results | Pane::Detail) {
        return None;
    }
    let offer = state.results.selected()?;
    Some((offer.offer_id.clone(), state.results.offset))
}

/// After every message: a cursor that moved starts a new rest, cancels the
/// fetches in flight and shows the offer's own picture again.
pub(super) fn sync(state: &mut State) -> Vec<Effect> {
    let now = resting_on(state);
    let same = match (&state.details.rest, &now) {
        (Some(r), Some((id, offset))) => r.offer_id == *id && r.offset == *offset,
        (None, None) => true,
        _ => false,
    };
    if same {
        return Vec::new();
    }
    let selected_changed =
        state.details.rest.as_ref().map(|r| &r.offer_id) != now.as_ref().map(|n| &n.0);
    if selected_changed {
        state.details.picture = 0;
    }
    state.details.rest = now.map(|(offer_id, offset)| Rest {
        offer_id,
        offset,
        ticks: 0,
        asked: false,
    });
    let before = state.details.entries.len();
    state
        .details
        .entries
        .retain(|_, e| !matches!(e, DetailEntry::Loading));
    if state.details.entries.len() < before {
        vec![Effect::CancelDetails]
    } else {
        Vec::new()
    }
}

/// Whether the loop's tick is wanted: a rest is being counted, or a detail
/// is on its way (the pane's spinner).
pub(crate) fn wants_tick(state: &State) -> bool {
    state.details.reorder_pending
        || state.details.rest.as_ref().is_some_and(|r| !r.asked)
        || state.landed.in_flight() > 0
        || state
            .details
            .entries
            .values()
            .any(|e| matches!(e, DetailEntry::Loading))
}

/// One tick of the clock: after [`REST_TICKS`] at rest, the detail of the
/// offer under the cursor (and, with a quantity set, of the rows on screen)
/// is asked for.
pub(super) fn tick(state: &mut State) -> Vec<Effect> {
    if std::mem::take(&mut state.details.reorder_pending) {
        reorder(state);
    }
    let Some(rest) = state.details.rest.as_mut() else {
        return Vec::new();
    };
    if rest.asked {
        return Vec::new();
    }
    rest.ticks += 1;
    if rest.ticks < REST_TICKS {
        return Vec::new();
    }
    rest.asked = true;
    let mut ids: Vec<String> = rest.offer_id.iter().cloned().collect();
    if state.details.quantity.is_some() {
        ids.extend(on_screen_ids(state));
    }
    // Offers whose detail is known already need only their freight.
    let mut fx = super::landed::request(state, &ids);
    fx.extend(request(state, ids, false));
    fx
}

/// The offer ids of the rows on screen.
fn on_screen_ids(state: &State) -> Vec<String> {
    let r = &state.results;
    let rows = crate::app::layout::results_rows(state);
    r.rows_from(r.offset, rows)
        .filter_map(|(_, row)| r.offers.get(row.offer)?.offer_id.clone())
        .collect()
}

/// With a quantity just set: the rows on screen without detail are asked
/// for at once (the user asked for unit costs).
pub(super) fn fetch_on_screen(state: &mut State) -> Vec<Effect> {
    if state.details.quantity.is_none() {
        return Vec::new();
    }
    let ids = on_screen_ids(state);
    let mut fx = super::landed::request(state, &ids);
    fx.extend(request(state, ids, false));
    fx
}

/// Marks the ids not known yet (or failed, when `again`) as loading and
/// asks for them.
fn request(state: &mut State, ids: Vec<String>, again: bool) -> Vec<Effect> {
    let mut wanted = Vec::new();
    for id in ids {
        if !crate::api::detail::is_offer_id(&id) || wanted.contains(&id) {
            continue;
        }
        let ask = match state.details.entries.get(&id) {
            None => true,
            Some(DetailEntry::Failed(_)) => again,
            Some(_) => false,
        };
        if ask {
            wanted.push(id);
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    for id in &wanted {
        state
            .details
            .entries
            .insert(id.clone(), DetailEntry::Loading);
    }
    state.details.requested += wanted.len() as u64;
    note_positions(state);
    vec![Effect::FetchDetails {
        offer_ids: wanted,
        country: state.params.effective_country().to_string(),
        fresh: again,
    }]
}

/// The key: the selected offer's detail now, from the provider even when a
/// copy is kept (a refresh).
pub(super) fn fetch_now(state: &mut State) -> Vec<Effect> {
    let Some(offer) = state.selected_offer() else {
        return Vec::new();
    };
    let Some(id) = offer.offer_id.clone() else {
        state.set_info(format!(
            "no detail from this provider: {}",
            crate::api::error::NO_DETAIL
        ));
        return Vec::new();
    };
    if matches!(state.details.entries.get(&id), Some(DetailEntry::Loading)) {
        return Vec::new();
    }
    state.details.entries.remove(&id);
    super::landed::forget(state, &id);
    state.set_info("Fetching the offer's detail…");
    request(state, vec![id], true)
}

/// A detail arrived (or failed). Kept even if the cursor moved on: it is
/// the offer's, whatever is on screen. A failure of a fetch that was
/// cancelled meanwhile is dropped.
pub(super) fn arrived(
    state: &mut State,
    offer_id: String,
    result: Result<(Box<crate::api::OfferDetail>, i64), ApiError>,
) -> Vec<Effect> {
    let was_loading = matches!(
        state.details.entries.get(&offer_id),
        Some(DetailEntry::Loading)
    );
    let entry = match result {
        // A reply naming another offer is never shown as this one's.
        Ok((detail, _)) if detail.offer_id.as_deref().is_some_and(|id| id != offer_id) => {
            if !was_loading {
                return Vec::new();
            }
            DetailEntry::Failed(format!(
                "the provider answered for offer {}, not this one",
                crate::text::sanitize(detail.offer_id.as_deref().unwrap_or_default())
            ))
        }
        Ok((detail, fetched_at)) => DetailEntry::Loaded { detail, fetched_at },
        Err(ApiError::NoDetail { .. }) => DetailEntry::Unsupported,
        Err(_) if !was_loading => return Vec::new(),
        Err(e) => DetailEntry::Failed(crate::text::sanitize(&e.to_string())),
    };
    if state.details.entries.len() >= MAX_DETAILS {
        // Keep what is in flight; the store still has the rest.
        state
            .details
            .entries
            .retain(|_, e| matches!(e, DetailEntry::Loading));
    }
    let loaded = matches!(entry, DetailEntry::Loaded { .. });
    state.details.entries.insert(offer_id.clone(), entry);
    state.landed.changed(&offer_id);
    if state.details.sort != LocalSort::Provider && state.details.quantity.is_some() {
        state.details.reorder_pending = true;
    }
    if loaded {
        super::landed::request(state, &[offer_id])
    } else {
        Vec::new()
    }
}

/// Notes the positions of the offers in memory whose detail is asked for
/// or known, so the unit-cost sort still orders them once they are out of
/// memory. Bounded: details are kept for `MAX_DETAILS` offers at most.
pub(super) fn note_positions(state: &mut State) {
    let r = &mut state.results;
    if state.details.entries.is_empty() {
        return;
    }
    for (position, offer) in r.offers.iter() {
        if r.with_detail.contains_key(&position) {
            continue;
        }
        if let Some(id) = offer.offer_id.as_deref()
            && state.details.entries.contains_key(id)
        {
            r.with_detail
                .insert(position, (id.to_string(), offer.price));
        }
    }
}

/// Lays the rows out again (the unit- or landed-cost order), the cursor
/// kept on its offer.
pub(super) fn reorder(state: &mut State) {
    state.details.reorder_pending = false;
    super::rows::rebuild(state);
    super::screen::scroll_into_view(state);
    // The cursor's offer did not change; its rest goes on.
    if let Some(rest) = state.details.rest.as_mut() {
        rest.offset = state.results.offset;
    }
}

/// The key: the detail's next picture (back to the offer's own after the
/// last).
pub(super) fn next_picture(state: &mut State) -> Vec<Effect> {
    let count = state
        .selected_offer()
        .and_then(|o| state.details.loaded(o.offer_id.as_deref()?))
        .map_or(0, |d| d.images.len());
    if count < 2 {
        state.set_info("no other pictures (the detail has none, or is not loaded)");
        return Vec::new();
    }
    state.details.picture = (state.details.picture + 1) % count;
    state.set_info(format!("picture {}/{count}", state.details.picture + 1));
    Vec::new()
}

/// The picture the detail pane shows for `offer`: the detail's current
/// one when cycling, else the offer's own.
pub(crate) fn picture_url(state: &State, offer: &crate::api::Offer) -> Option<String> {
    let picked = state.details.picture;
    if picked > 0
        && let Some(url) = offer
            .offer_id
            .as_deref()
            .and_then(|id| state.details.loaded(id))
            .and_then(|d| d.images.get(picked))
    {
        return Some(crate::api::small_picture_url(url).unwrap_or_else(|| url.clone()));
    }
    // On the cost page, the chosen SKU's own picture.
    if state.landed.cost_page
        && let Some(id) = offer.offer_id.as_deref()
        && let Some(detail) = state.details.loaded(id)
        && let Some(sku) = state.landed.sku_of(id, detail)
        && let Some(url) = detail
            .skus
            .iter()
            .find(|s| s.id == sku)
            .and_then(|s| s.picture())
        && crate::text::is_url(url)
    {
        return Some(crate::api::small_picture_url(url).unwrap_or_else(|| url.to_string()));
    }
    // The offer's own picture as the results pane prefetches it.
    offer.thumbnail_url()
}
