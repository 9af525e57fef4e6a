//! The landed-cost columns of an export (`search`, `batch` and
//! `shortlist` with `--qty N --lane NAME`): the lane, and each offer's
//! landed cost per piece at N for its cheapest SKU in stock, worked out
//! from its detail and freight estimate by `landed` (unknown says what is
//! missing, never a zero). Also what those commands share to get the
//! estimates: the question for an offer, and why none can be asked.

use crate::api::{Client, Destination, FreightQuery, FreightQuote, Offer, OfferDetail};
use crate::landed::{
    Fees, LandedError, Lane, Origin, Settings, Total, default_sku, landed_cost, offer_inputs,
};
use crate::money::Currency;
use crate::text::sanitize;
use std::collections::HashMap;
use std::sync::Mutex;

/// Freight estimates kept at most (one per offer of a run: a run writes at
/// most 100 pages).
const MAX_FREIGHTS: usize = 20_000;

/// What a landed cost needs beside the detail: the lane, the fees, the
/// user's fallback domestic rate, and the freight estimates by offer id
/// (or why an offer has none).
#[derive(Debug)]
pub struct LandedColumns {
    pub lane: Lane,
    pub fees: Fees,
    pub fallback_fen_per_kg: Option<u64>,
    freights: Mutex<HashMap<String, Result<FreightQuote, String>>>,
    /// The SKU the user chose by offer id (the app); else the cheapest in
    /// stock.
    skus: HashMap<String, String>,
}

/// An offer's landed cost per piece, for a cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LandedCost {
    /// Per piece, in yuan.
    Known(crate::api::Price),
    /// What is missing (`no detail`, `no weight`, …): never a zero.
    Unknown(String),
}

impl LandedCost {
    /// Yuan a piece (`15.94`), or `? what is missing`.
    pub fn yuan_text(&self) -> String {
        match self {
            LandedCost::Known(p) => p.to_string(),
            LandedCost::Unknown(why) => format!("? {}", sanitize(why)),
        }
    }

    /// In `currency` (`US$2.24`), or `? what is missing`.
    pub fn currency_text(&self, currency: &Currency) -> String {
        match self {
            LandedCost::Known(p) => currency.convert(*p),
            LandedCost::Unknown(_) => self.yuan_text(),
        }
    }
}

impl LandedColumns {
    pub fn new(lane: Lane, fees: Fees, fallback_fen_per_kg: Option<u64>) -> LandedColumns {
        LandedColumns {
            lane,
            fees,
            fallback_fen_per_kg,
            freights: Mutex::new(HashMap::new()),
            skus: HashMap::new(),
        }
    }

    /// The SKUs the user chose, by offer id (a SKU the detail no longer
    /// lists falls back to the cheapest in stock).
    pub fn with_skus(mut self, skus: HashMap<String, String>) -> LandedColumns {
        self.skus = skus;
        self
    }

    /// The lane's name, marked when it is an example (demo mode).
    pub fn lane_label(&self) -> String {
        sanitize(&match self.lane.origin {
            Origin::Example => format!("{} (example)", self.lane.name),
            Origin::Yours => self.lane.name.clone(),
        })
    }

    /// Keeps an offer's freight estimate, or why there is none (bounded:
    /// past it, the offer's domestic freight falls back like one without).
    pub fn keep_freight(&self, offer_id: &str, freight: Result<FreightQuote, String>) {
        if let Ok(mut known) = self.freights.lock()
            && (known.len() < MAX_FREIGHTS || known.contains_key(offer_id))
        {
            known.insert(offer_id.to_string(), freight);
        }
    }

    /// The landed cost of an offer with `detail` (none: unknown) at
    /// `quantity`, given its freight estimate or why there is none (`None`:
    /// not asked, the user's fallback rate or unknown).
    pub fn cost_with(
        &self,
        detail: Option<&OfferDetail>,
        quantity: u64,
        freight: Option<Result<&FreightQuote, String>>,
    ) -> LandedCost {
        self.cost_for(detail, None, quantity, freight)
    }

    /// [`Self::cost_with`] for the SKU the user chose for `offer_id`.
    fn cost_for(
        &self,
        detail: Option<&OfferDetail>,
        offer_id: Option<&str>,
        quantity: u64,
        freight: Option<Result<&FreightQuote, String>>,
    ) -> LandedCost {
        let Some(d) = detail else {
            return LandedCost::Unknown("no detail".into());
        };
        let chosen = offer_id
            .and_then(|id| self.skus.get(id))
            .filter(|sku| d.skus.iter().any(|s| &s.id == *sku))
            .map(String::as_str);
        let inputs = offer_inputs(
            d,
            chosen.or_else(|| default_sku(d)),
            quantity,
            freight,
            self.fallback_fen_per_kg,
        );
        match landed_cost(&inputs, &self.lane, &self.fees).map(|b| b.total) {
            Ok(Total::Known { per_piece, .. }) => LandedCost::Known(per_piece),
            Ok(Total::Unknown(missing)) => LandedCost::Unknown(
                missing
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "not known".into()),
            ),
            Err(e) => LandedCost::Unknown(e.to_string()),
        }
    }

    /// [`Self::cost_with`] the estimate kept for the offer.
    pub fn cost(&self, detail: Option<&OfferDetail>, offer: &Offer, quantity: u64) -> LandedCost {
        let freights = self.freights.lock().ok();
        let freight = offer
            .offer_id
            .as_deref()
            .and_then(|id| freights.as_ref()?.get(id))
            .map(|f| f.as_ref().map_err(Clone::clone));
        self.cost_for(detail, offer.offer_id.as_deref(), quantity, freight)
    }

    /// The names of the cells [`Self::cells`] gives.
    pub fn keys(currency: Option<&Currency>) -> Vec<String> {
        let mut keys = vec!["lane".to_string(), "landed_cost".to_string()];
        if let Some(c) = currency {
            keys.push(format!("landed_cost_{}", c.code.to_ascii_lowercase()));
        }
        keys
    }

    /// `lane`, `landed_cost` (yuan a piece, or `? what is missing`) and,
    /// with a currency, the same in it.
    pub fn cells(
        &self,
        detail: Option<&OfferDetail>,
        offer: &Offer,
        quantity: u64,
        currency: Option<&Currency>,
    ) -> Vec<(String, String)> {
        self.cells_of(&self.cost(detail, offer, quantity), currency)
    }

    /// The cells of a cost worked out already.
    pub fn cells_of(
        &self,
        cost: &LandedCost,
        currency: Option<&Currency>,
    ) -> Vec<(String, String)> {
        let mut values = vec![self.lane_label(), cost.yuan_text()];
        if let Some(c) = currency {
            values.push(sanitize(&cost.currency_text(c)));
        }
        Self::keys(currency).into_iter().zip(values).collect()
    }
}

/// `--lane NAME` with `--qty`: the lane's columns and where the sellers
/// ship to, from the user's `[landed]` settings.
#[derive(Debug)]
pub struct LandedSetup {
    pub columns: std::sync::Arc<LandedColumns>,
    pub warehouse: Option<Destination>,
}

impl LandedSetup {
    /// The lane `name` of `settings`; the error says which lanes there are
    /// (or how to set one).
    pub fn new(settings: &Settings, name: &str) -> Result<LandedSetup, LandedError> {
        let lane = settings.lane(Some(name))?.clone();
        Ok(LandedSetup {
            columns: std::sync::Arc::new(LandedColumns::new(
                lane,
                settings.fees.clone(),
                settings.domestic_fen_per_kg,
            )),
            warehouse: settings.warehouse.as_ref().map(|w| w.destination.clone()),
        })
    }

    /// Why no estimate can be asked of this client: the provider has none,
    /// or no warehouse is set (then the user's `domestic_per_kg`, or
    /// unknown); `None` when one can.
    pub fn why_no_freight(&self, client: &Client) -> Option<String> {
        if !client.provider().capabilities().freight_estimate {
            Some(
                crate::api::ApiError::NoFreight {
                    provider: client.provider().name(),
                }
                .to_string(),
            )
        } else if self.warehouse.is_none() {
            Some(crate::landed::NO_WAREHOUSE.to_string())
        } else {
            None
        }
    }

    /// The question for an offer with `detail`: `quantity` pieces of the SKU
    /// its cost is worked out for, to the warehouse (none set: `None`).
    pub fn query(
        &self,
        offer_id: &str,
        detail: &OfferDetail,
        quantity: u64,
    ) -> Option<FreightQuery> {
        let destination = self.warehouse.clone()?;
        let sku = default_sku(detail).map(str::to_string);
        Some(FreightQuery {
            offer_id: offer_id.to_string(),
            destination,
            total: quantity,
            skus: sku.map(|s| vec![(s, quantity)]).unwrap_or_default(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{FreightOutcome, Price};
    use serde_json::json;

    fn offer() -> Offer {
        Offer {
            offer_id: Some("7".into()),
            ..Offer::default()
        }
    }

    fn columns() -> LandedColumns {
        let settings = crate::landed::Settings::default().with_demo_examples();
        let lane = settings
            .lane(Some("air"))
            .expect("the example lane")
            .clone();
        LandedColumns::new(lane, settings.fees.clone(), None)
    }

    /// The README's worked example: 500 at ¥3.20, 180 g, 150×100×80 mm,
    /// ¥25.00 domestic for 500, the example `air` lane: ¥15.94 a piece.
    #[test]
    fn the_landed_cost_of_an_offer_with_its_detail_and_freight() {
        let c = columns();
        let detail = OfferDetail::from_value(json!({
            "offerId": 7,
            "productSaleInfo": {"priceRangeList": [{"startQuantity": 1, "price": "3.20"}]},
            "productShippingInfo": {"weight": 0.18, "length": 15, "width": 10, "height": 8}
        }))
        .unwrap();
        c.keep_freight(
            "7",
            Ok(FreightQuote {
                outcome: Some(FreightOutcome::Priced {
                    total: Price(2500),
                    for_pieces: 500,
                }),
                ..FreightQuote::default()
            }),
        );
        let usd = Currency {
            code: "USD".into(),
            rate: 7.1,
        };
        let cells = c.cells(Some(&detail), &offer(), 500, Some(&usd));
        assert_eq!(cells[0], ("lane".into(), "air (example)".into()));
        assert_eq!(cells[1], ("landed_cost".into(), "15.94".into()));
        assert_eq!(cells[2].0, "landed_cost_usd");
        assert!(cells[2].1.starts_with("US$2.2"), "{cells:?}");
    }

    #[test]
    fn unknowns_say_what_is_missing() {
        let c = columns();
        let cells = c.cells(None, &offer(), 500, None);
        assert_eq!(cells[1].1, "? no detail");
        // A detail without a weight, freight unknown: never a zero.
        let detail = OfferDetail::from_value(json!({
            "productSaleInfo": {"priceRangeList": [{"startQuantity": 1, "price": "3.20"}]}
        }))
        .unwrap();
        c.keep_freight("7", Err("no freight from this provider".into()));
        let text = &c.cells(Some(&detail), &offer(), 500, None)[1].1;
        assert!(text.starts_with("? "), "{text}");
    }

    #[test]
    fn the_sku_the_user_chose_is_the_one_priced() {
        let detail = OfferDetail::from_value(json!({
            "offerId": 7,
            "productSaleInfo": {"quoteType": 1,
                "priceRangeList": [{"startQuantity": 1, "price": "3.20"}]},
            "productSkuInfos": [
                {"skuId": 71, "price": "3.20", "amountOnSale": 900},
                {"skuId": 72, "price": "4.20", "amountOnSale": 900}
            ],
            "productShippingInfo": {"weight": 0.18, "length": 15, "width": 10, "height": 8}
        }))
        .unwrap();
        let free = || {
            Ok(FreightQuote {
                outcome: Some(FreightOutcome::Free { by_template: false }),
                ..FreightQuote::default()
            })
        };
        let cheapest = columns();
        cheapest.keep_freight("7", free());
        let chosen = columns().with_skus([("7".to_string(), "72".to_string())].into());
        chosen.keep_freight("7", free());
        let cost = |c: &LandedColumns| match c.cost(Some(&detail), &offer(), 500) {
            LandedCost::Known(p) => p.fen(),
            other => panic!("{other:?}"),
        };
        // ¥1.00 more a piece, and the agent fee, duty and VAT on it.
        assert!(
            cost(&chosen) > cost(&cheapest) + 100,
            "{} {}",
            cost(&chosen),
            cost(&cheapest)
        );
        // A SKU the detail no longer lists: the cheapest in stock.
        let gone = columns().with_skus([("7".to_string(), "99".to_string())].into());
        gone.keep_freight("7", free());
        assert_eq!(cost(&gone), cost(&cheapest));
    }
}
