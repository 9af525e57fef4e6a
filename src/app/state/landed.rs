//! Landed costs in the app: the user's lanes and fees, the lane the
//! filters chose, each offer's freight estimate (for the SKU and quantity
//! it was asked for) and the SKU the user chose per offer. The arithmetic
//! is `landed`'s, shared with `search` and `batch`.

use super::detail::{DetailEntry, DetailsState};
use crate::api::{FreightQuote, OfferDetail};
use crate::landed::{Breakdown, Lane, Settings, Total, default_sku, landed_cost, offer_inputs};
use std::collections::HashMap;

/// Freight estimates kept in memory at most (the store keeps them a day).
pub const MAX_FREIGHTS: usize = 4_000;
/// Freight requests in flight at most; the rest are asked on a later rest.
pub const MAX_FREIGHTS_IN_FLIGHT: usize = 32;

/// Where one offer's freight estimate stands.
#[derive(Debug, Clone, PartialEq)]
pub enum FreightState {
    Loading,
    Known(Box<FreightQuote>),
    /// Why there is none (the provider has no estimate, or it failed).
    Failed(String),
}

/// An offer's freight estimate and the question it answers: another SKU or
/// quantity asks again.
#[derive(Debug, Clone, PartialEq)]
pub struct FreightEntry {
    pub sku: Option<String>,
    pub quantity: u64,
    pub state: FreightState,
}

/// An offer's landed cost as a row or the detail shows it.
#[derive(Debug, Clone, PartialEq)]
pub enum LandedCost {
    /// Its detail or freight estimate is on its way (or not asked yet).
    Waiting,
    /// Worked out: the breakdown, or why it cannot be.
    Done(Result<Box<Breakdown>, String>),
}

impl LandedCost {
    /// The order the landed-cost sort puts an offer in: known costs that
    /// reach the minimum order, then known costs below it, then the rest.
    pub fn sort_key(&self) -> (u8, u64) {
        match self {
            LandedCost::Done(Ok(b)) => match (&b.total, b.minimum) {
                (Total::Known { per_piece, .. }, crate::landed::MinimumStatus::Below { .. }) => {
                    (1, per_piece.fen())
                }
                (Total::Known { per_piece, .. }, _) => (0, per_piece.fen()),
                (Total::Unknown(_), _) => (2, 0),
            },
            _ => (2, 0),
        }
    }
}

#[derive(Debug, Default)]
pub struct LandedState {
    /// Warehouse, lanes and fees (config.toml; demo mode's examples).
    pub settings: Settings,
    /// The lane the filters chose: landed costs are shown with a quantity.
    pub lane: Option<Lane>,
    /// Freight estimates by offer id.
    pub freights: HashMap<String, FreightEntry>,
    /// The SKU the user chose by offer id (else the cheapest in stock).
    pub skus: HashMap<String, String>,
    /// The detail pane shows the landed-cost breakdown and the SKUs.
    pub cost_page: bool,
    /// Freight estimates asked for this run (tests and benches read it).
    pub requested: u64,
    /// The provider said it has no freight estimate: why (then the
    /// user's rate per kg, or unknown).
    pub no_estimates: Option<String>,
    /// The landed-cost sort's key of each offer with a detail, worked out
    /// once per change of its inputs (a breakdown costs microseconds, and
    /// every arrival lays out thousands of rows).
    pub sort_keys: HashMap<String, (u8, u64)>,
}

impl LandedState {
    /// Starts with the user's settings and the lane they default to.
    pub fn new(settings: Settings) -> LandedState {
        LandedState {
            lane: settings.lane(None).ok().cloned(),
            settings,
            ..LandedState::default()
        }
    }

    /// The SKU an offer's cost is worked out for: the user's choice while
    /// the detail still lists it, else the cheapest in stock.
    pub fn sku_of<'a>(&'a self, offer_id: &str, detail: &'a OfferDetail) -> Option<&'a str> {
        self.skus
            .get(offer_id)
            .filter(|id| detail.skus.iter().any(|s| &s.id == *id))
            .map(String::as_str)
            .or_else(|| default_sku(detail))
    }

    /// The estimate for this SKU and quantity, or why there is none;
    /// `None` while it is asked (or not asked yet).
    pub fn freight_of(
        &self,
        offer_id: &str,
        sku: Option<&str>,
        quantity: u64,
    ) -> Option<Result<&FreightQuote, String>> {
        if self.settings.warehouse.is_none() {
            return Some(Err(crate::landed::NO_WAREHOUSE.to_string()));
        }
        if let Some(why) = &self.no_estimates {
            return Some(Err(why.clone()));
        }
        let entry = self
            .freights
            .get(offer_id)
            .filter(|e| e.quantity == quantity && e.sku.as_deref() == sku)?;
        match &entry.state {
            FreightState::Loading => None,
            FreightState::Known(q) => Some(Ok(q)),
            FreightState::Failed(why) => Some(Err(why.clone())),
        }
    }

    /// The landed cost of the offer with this id at the quantity set, by
    /// the lane chosen; `None` without both.
    pub fn cost_of(&self, details: &DetailsState, offer_id: Option<&str>) -> Option<LandedCost> {
        let quantity = details.quantity?;
        let lane = self.lane.as_ref()?;
        let Some(id) = offer_id else {
            return Some(LandedCost::Done(Err("no detail".into())));
        };
        let detail = match details.entries.get(id) {
            Some(DetailEntry::Loaded { detail, .. }) => detail,
            None | Some(DetailEntry::Loading) => return Some(LandedCost::Waiting),
            Some(DetailEntry::Failed(_) | DetailEntry::Unsupported) => {
                return Some(LandedCost::Done(Err("no detail".into())));
            }
        };
        let sku = self.sku_of(id, detail);
        let freight = self.freight_of(id, sku, quantity);
        if freight.is_none() {
            // The estimate is on its way: the cost is not final yet.
            return Some(LandedCost::Waiting);
        }
        let inputs = offer_inputs(
            detail,
            sku,
            quantity,
            freight,
            self.settings.domestic_fen_per_kg,
        );
        let cost = landed_cost(&inputs, lane, &self.settings.fees)
            .map(Box::new)
            .map_err(|e| e.to_string());
        Some(LandedCost::Done(cost))
    }

    /// The landed-cost sort's key of an offer (see [`LandedCost::sort_key`]):
    /// the one kept for it, else worked out.
    pub fn sort_key_of(&self, details: &DetailsState, offer_id: Option<&str>) -> (u8, u64) {
        if let Some(key) = offer_id.and_then(|id| self.sort_keys.get(id)) {
            return *key;
        }
        self.cost_of(details, offer_id)
            .map_or((2, 0), |c| c.sort_key())
    }

    /// The key kept for an offer; one without (no detail yet, or none) is
    /// among the unknown. Call [`LandedState::refresh_sort_keys`] first.
    pub fn kept_sort_key(&self, offer_id: Option<&str>) -> (u8, u64) {
        offer_id
            .and_then(|id| self.sort_keys.get(id))
            .copied()
            .unwrap_or((2, 0))
    }

    /// Works out and keeps the sort keys of the offers with a detail that
    /// have none kept (after [`LandedState::changed`] or a new detail).
    pub fn refresh_sort_keys(&mut self, details: &DetailsState) {
        if self.sort_keys.len() > 2 * super::MAX_DETAILS {
            self.sort_keys.clear();
        }
        let missing: Vec<&String> = details
            .entries
            .iter()
            .filter(|(id, e)| {
                matches!(e, DetailEntry::Loaded { .. }) && !self.sort_keys.contains_key(*id)
            })
            .map(|(id, _)| id)
            .collect();
        let keys: Vec<(String, (u8, u64))> = missing
            .into_iter()
            .map(|id| (id.clone(), self.sort_key_of(details, Some(id))))
            .collect();
        self.sort_keys.extend(keys);
    }

    /// An offer's inputs changed (its detail, estimate or SKU): its key is
    /// worked out again.
    pub fn changed(&mut self, offer_id: &str) {
        self.sort_keys.remove(offer_id);
    }

    /// Freight estimates in flight.
    pub fn in_flight(&self) -> usize {
        self.freights
            .values()
            .filter(|e| e.state == FreightState::Loading)
            .count()
    }
}
