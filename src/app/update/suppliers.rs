//! Supplier filters on the loaded offers, listing one seller's offers, and
//! asking the store how many of the user's searches a seller appears in.

use crate::api::seller::SellerKey;
use crate::app::msg::Effect;
use crate::app::state::{Pane, SellerAppearances, State, StoreStatus};

/// Notes the supplier signals of a page's offers, the first at `start`.
pub(super) fn note_page(state: &mut State, start: usize, offers: &[crate::api::Offer]) {
    if start == 0 {
        state.suppliers.clear();
    }
    state.suppliers.note_page(start, offers);
}

pub(crate) fn shown_text(state: &State) -> String {
    state.suppliers.shown_text()
}

/// `seller_offers`: only the selected offer's seller's offers, or all
/// sellers again.
pub(super) fn seller_offers(state: &mut State) -> Vec<Effect> {
    if state.suppliers.filter.seller.take().is_some() {
        relayout(state);
        let text = if state.suppliers.filter.is_on() {
            format!("Every seller again · {}", shown_text(state))
        } else {
            format!("Every seller again: {} rows", state.results.rows.len())
        };
        state.set_info(text);
        return super::screen::maybe_fetch(state).into_iter().collect();
    }
    let Some(offer) = state.results.selected() else {
        return Vec::new();
    };
    let Some(seller) = offer.seller.as_ref() else {
        state.set_error("This offer's seller is not known: nothing to list");
        return Vec::new();
    };
    let Some(id) = seller.key().and_then(|k| state.suppliers.id_of(&k)) else {
        state.set_error("This offer's seller is not known: nothing to list");
        return Vec::new();
    };
    let name = seller
        .company
        .clone()
        .unwrap_or_else(|| "this seller".to_string());
    state.suppliers.filter.seller = Some((id, name));
    relayout(state);
    let key = state.key_hint(
        crate::keymap::KeyContext::Results,
        crate::keymap::Action::SellerOffers,
    );
    state.set_info(format!("{} ({key}: every seller)", shown_text(state)));
    Vec::new()
}

fn relayout(state: &mut State) {
    super::rows::rebuild(state);
    super::screen::scroll_into_view(state);
}

/// The seller shown in Detail: the selected offer's, in Results.
fn shown_seller(state: &State) -> Option<SellerKey> {
    if !matches!(state.main, Pane::Results) {
        return None;
    }
    state.results.selected()?.seller.as_ref()?.key()
}

/// After every message: asks the store, once per seller, how many of the
/// user's searches the seller in Detail appears in.
pub(super) fn sync(state: &mut State) -> Option<Effect> {
    if !matches!(state.store, StoreStatus::On) {
        return None;
    }
    let key = shown_seller(state)?;
    if state.suppliers.appearances.contains_key(&key) {
        return None;
    }
    state.suppliers.remember(key.clone(), None);
    Some(Effect::SellerAppearances(key))
}

/// The store's answer.
pub(super) fn appearances(
    state: &mut State,
    key: SellerKey,
    result: Result<SellerAppearances, String>,
) {
    match result {
        Ok(found) => state.suppliers.remember(key, Some(found)),
        Err(e) => {
            // Not asked again for this seller in this run; Detail shows no
            // count. Not said on the status line: it would cover what the
            // user did last for a figure they did not ask for.
            state.suppliers.remember(key, None);
            tracing::warn!(error = %crate::text::sanitize(&e), "a seller's searches not counted");
        }
    }
}
