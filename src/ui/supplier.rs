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

pub(super) fn lines(state: &State, offer: &Offer, theme: Theme) -> Vec<(String, Style)> {
    let detail = offer
        .offer_id
        .as_deref()
        .and_then(|id| state.details.loaded(id));
    let seller = crate::api::seller::offer_seller(offer, detail).unwrap_or_default();
    if seller.is_empty() {
        return vec![("supplier: nothing known".to_string(), theme.dim())];
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

/// "supplier · factory · in 7 of your searches (S: its offers here)".
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
                " · in {} of your searches, {} of its offers seen",
                a.searches, a.offers
            )),
            Some(_) => {}
            None => text.push_str(" · …"),
        }
    }
    if key.is_some() {
        let k = state.key_hint(KeyContext::Results, Action::SellerOffers);
        text.push_str(&format!(" ({k}: its offers here)"));
    }
    text
}
