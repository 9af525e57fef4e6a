//! Detail's supplier block: every signal known of the offer's seller (the
//! search item's, filled in from the detail), each with what it means, the
//! ones the filters read said "unknown" when unknown, and how many of the
//! user's searches the seller appears in.

use super::Theme;
use crate::api::Offer;
use crate::api::seller::Seller;
use crate::app::state::State;
use crate::keymap::{Action, KeyContext};
use ratatui::style::Style;

/// The block; empty when nothing is known of the seller (then
/// [`nothing_known`] says so at the pane's end).
pub(super) fn lines(state: &State, offer: &Offer, theme: Theme) -> Vec<(String, Style)> {
    let seller = seller_of(state, offer);
    if seller.is_empty() {
        return Vec::new();
    }
    let mut l = vec![(heading(state, offer, &seller), theme.accent())];
    l.extend(seller.lines().into_iter().map(|s| (s, Style::new())));
    let mut unknown = Vec::new();
    if seller.is_factory().is_none() {
        unknown.push("factory or trader");
    }
    if seller.tp_years.is_none() {
        unknown.push("years");
    }
    if seller.pickup_48h_30d.is_none() && seller.pickup_24h_30d.is_none() {
        unknown.push("48 h pickup");
    }
    if seller.quality_refunds().is_none() {
        unknown.push("quality refunds");
    }
    if !unknown.is_empty() {
        l.push((format!("unknown: {}", unknown.join(", ")), theme.dim()));
    }
    l
}

/// "supplier: nothing known", when it is so.
pub(super) fn nothing_known(state: &State, offer: &Offer, theme: Theme) -> Option<(String, Style)> {
    seller_of(state, offer)
        .is_empty()
        .then(|| ("supplier: nothing known".to_string(), theme.dim()))
}

/// The search item's seller, filled in from the detail when loaded.
fn seller_of(state: &State, offer: &Offer) -> Seller {
    let detail = offer
        .offer_id
        .as_deref()
        .and_then(|id| state.details.loaded(id));
    crate::api::detail::offer_seller(offer, detail).unwrap_or_default()
}

/// "supplier · factory · in 7 of your searches (12 offers) · S: its offers
/// here" (the key's hint where there is room).
fn heading(state: &State, offer: &Offer, seller: &Seller) -> String {
    let mut text = "supplier".to_string();
    match seller.is_factory() {
        Some(true) => text.push_str(" · factory"),
        Some(false) => text.push_str(" · trader"),
        None => {}
    }
    let key = offer.seller.as_ref().and_then(Seller::key);
    if let Some(Some(seen)) = key.as_ref().map(|k| state.suppliers.appearances.get(k)) {
        match seen {
            Some(a) if a.searches > 0 => text.push_str(&format!(
                " · in {} of your searches ({} offers)",
                a.searches, a.offers
            )),
            Some(_) => {}
            None => text.push_str(" · …"),
        }
    }
    if key.is_some() && state.width >= 100 {
        let k = state.key_hint(KeyContext::Results, Action::SellerOffers);
        text.push_str(&format!(" · {k}: its offers here"));
    }
    text
}
