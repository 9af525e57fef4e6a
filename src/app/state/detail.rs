//! Offer details in the app: what is known per offer id, which offer the
//! cursor rests on, and the quantity the unit costs are worked out at.

use crate::api::{AtQuantity, Offer, OfferDetail, Price};
use std::collections::HashMap;

/// Ticks (100 ms each) the cursor must rest on an offer before its detail
/// is fetched: scrolling past offers fetches nothing.
pub const REST_TICKS: u32 = 3;
/// Detail requests in flight at once.
pub const DETAIL_CONCURRENCY: usize = 2;
/// Details kept in memory at most (the store keeps them all).
pub const MAX_DETAILS: usize = 4_000;

/// What is known of one offer's detail.
#[derive(Debug, Clone, PartialEq)]
pub enum DetailEntry {
    /// Asked for; the reply has not come.
    Loading,
    Loaded {
        detail: Box<OfferDetail>,
        /// Unix seconds.
        fetched_at: i64,
    },
    /// The request failed (shown; asked again on the next rest or key).
    Failed(String),
    /// The provider has no detail request.
    Unsupported,
}

/// Where the cursor rests, counted in ticks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rest {
    /// The offer under the cursor, or `None` for a row without an offer id.
    pub offer_id: Option<String>,
    /// The first row on screen, so a scroll restarts the rest too.
    pub offset: usize,
    pub ticks: u32,
    /// Its fetch was asked for (once per rest).
    pub asked: bool,
}

/// Offer details by offer id, the cursor's rest, the picture shown and the
/// quantity the filters set.
#[derive(Debug, Default)]
pub struct DetailsState {
    pub entries: HashMap<String, DetailEntry>,
    pub rest: Option<Rest>,
    /// Which of the detail's pictures the pane shows (0: the offer's own).
    pub picture: usize,
    /// "quantity" from the filters: unit costs are worked out at it.
    pub quantity: Option<u64>,
    /// Results ordered here, not by the provider (with a quantity set).
    pub sort: LocalSort,
    /// Detail requests asked for this run (tests read it).
    pub requested: u64,
    /// A cost arrived that moves rows in a local sort: laid out on the next
    /// tick, so a burst of arrivals lays out the rows once.
    pub reorder_pending: bool,
}

/// How the rows are ordered: as the provider sent them, or here by a cost
/// at the quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LocalSort {
    #[default]
    Provider,
    UnitCost,
    LandedCost,
}

/// An offer's unit cost at the quantity, as the row shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitCost {
    /// The price of the tier the quantity falls in.
    At(Price),
    /// The minimum order is above the quantity (the row is greyed).
    BelowMinimum(u64),
    /// No detail yet, or none with a tier price.
    Unknown,
}

impl DetailsState {
    pub fn loaded(&self, offer_id: &str) -> Option<&OfferDetail> {
        match self.entries.get(offer_id) {
            Some(DetailEntry::Loaded { detail, .. }) => Some(detail),
            _ => None,
        }
    }

    pub fn of_offer(&self, offer: &Offer) -> Option<&DetailEntry> {
        self.entries.get(offer.offer_id.as_deref()?)
    }

    /// The offer's unit cost at the quantity set (`None` without one).
    pub fn unit_cost(&self, offer: &Offer) -> Option<UnitCost> {
        self.unit_cost_of(offer.offer_id.as_deref(), offer.price)
    }

    /// [`DetailsState::unit_cost`] of the offer with this id and list price.
    pub fn unit_cost_of(&self, offer_id: Option<&str>, price: Option<Price>) -> Option<UnitCost> {
        let quantity = self.quantity?;
        let detail = offer_id.and_then(|id| self.loaded(id));
        Some(match detail.map(|d| d.unit_price_at(quantity)) {
            Some(AtQuantity::Price(p)) => UnitCost::At(p),
            Some(AtQuantity::BelowMinimum(m)) => UnitCost::BelowMinimum(m),
            // A detail without tiers: the list price, when it is orderable.
            Some(AtQuantity::Unknown) => price.map_or(UnitCost::Unknown, UnitCost::At),
            None => UnitCost::Unknown,
        })
    }

    /// The order the unit-cost sort puts an offer in: orderable at the
    /// quantity by cost, then those whose minimum is above it, then those
    /// without detail yet.
    pub fn sort_key(&self, offer: &Offer) -> (u8, u64) {
        self.sort_key_of(offer.offer_id.as_deref(), offer.price)
    }

    /// [`DetailsState::sort_key`] of the offer with this id and list price.
    pub fn sort_key_of(&self, offer_id: Option<&str>, price: Option<Price>) -> (u8, u64) {
        match self.unit_cost_of(offer_id, price) {
            Some(UnitCost::At(p)) => (0, p.fen()),
            Some(UnitCost::BelowMinimum(m)) => (1, m),
            _ => (2, 0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PriceTier;

    fn offer(id: &str, fen: u64) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            price: Some(Price(fen)),
            ..Offer::default()
        }
    }

    fn loaded(min: u64, tiers: &[(u64, u64)]) -> DetailEntry {
        DetailEntry::Loaded {
            detail: Box::new(OfferDetail {
                min_order: Some(min),
                tiers: tiers
                    .iter()
                    .map(|&(q, p)| PriceTier {
                        start_quantity: q,
                        price: Price(p),
                        promotion_price: None,
                    })
                    .collect(),
                ..OfferDetail::default()
            }),
            fetched_at: 0,
        }
    }

    #[test]
    fn unit_costs_and_their_order() {
        let mut d = DetailsState::default();
        let (a, b, c, e) = (
            offer("1", 500),
            offer("2", 700),
            offer("3", 300),
            offer("4", 100),
        );
        assert_eq!(d.unit_cost(&a), None, "no quantity, no unit cost");
        d.quantity = Some(500);
        d.entries
            .insert("1".into(), loaded(2, &[(2, 500), (400, 450)]));
        d.entries.insert("2".into(), loaded(1, &[(1, 700)]));
        d.entries.insert("3".into(), loaded(1000, &[(1000, 300)]));
        d.entries.insert("4".into(), DetailEntry::Loading);
        assert_eq!(d.unit_cost(&a), Some(UnitCost::At(Price(450))));
        assert_eq!(d.unit_cost(&c), Some(UnitCost::BelowMinimum(1000)));
        assert_eq!(d.unit_cost(&e), Some(UnitCost::Unknown));
        let mut all = [&e, &c, &b, &a];
        all.sort_by_key(|o| d.sort_key(o));
        let ids: Vec<&str> = all.iter().filter_map(|o| o.offer_id.as_deref()).collect();
        assert_eq!(ids, ["1", "2", "3", "4"]);
    }
}
