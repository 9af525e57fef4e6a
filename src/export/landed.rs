//! The landed-cost columns of an export (`search --qty N --lane NAME`):
//! the lane, and each offer's landed cost per piece at N for its cheapest
//! SKU in stock, worked out from its detail and freight estimate by
//! `landed` (unknown says what is missing, never a zero).

use crate::api::{FreightQuote, Offer, OfferDetail};
use crate::landed::{Fees, Lane, Origin, Total, default_sku, landed_cost, offer_inputs};
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
pub(crate) struct LandedColumns {
    pub lane: Lane,
    pub fees: Fees,
    pub fallback_fen_per_kg: Option<u64>,
    freights: Mutex<HashMap<String, Result<FreightQuote, String>>>,
}

impl LandedColumns {
    pub(crate) fn new(lane: Lane, fees: Fees, fallback_fen_per_kg: Option<u64>) -> LandedColumns {
        LandedColumns {
            lane,
            fees,
            fallback_fen_per_kg,
            freights: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps an offer's freight estimate, or why there is none (bounded:
    /// past it, the offer's domestic freight falls back like one without).
    pub(crate) fn keep_freight(&self, offer_id: &str, freight: Result<FreightQuote, String>) {
        if let Ok(mut known) = self.freights.lock()
            && (known.len() < MAX_FREIGHTS || known.contains_key(offer_id))
        {
            known.insert(offer_id.to_string(), freight);
        }
    }

    /// `lane`, `landed_cost` (yuan a piece, or `? what is missing`) and,
    /// with a currency, the same in it.
    pub(crate) fn cells(
        &self,
        detail: Option<&OfferDetail>,
        offer: &Offer,
        quantity: u64,
        currency: Option<&Currency>,
    ) -> Vec<(String, String)> {
        let lane = match self.lane.origin {
            Origin::Example => format!("{} (example)", self.lane.name),
            Origin::Yours => self.lane.name.clone(),
        };
        let total = detail.map(|d| {
            let freights = self.freights.lock().ok();
            let freight = offer
                .offer_id
                .as_deref()
                .and_then(|id| freights.as_ref()?.get(id))
                .map(|f| f.as_ref().map_err(Clone::clone));
            let sku = default_sku(d);
            let inputs = offer_inputs(d, sku, quantity, freight, self.fallback_fen_per_kg);
            landed_cost(&inputs, &self.lane, &self.fees).map(|b| b.total)
        });
        let text = |c: Option<&Currency>| match &total {
            None => "? no detail".to_string(),
            Some(Ok(Total::Known { per_piece, .. })) if c.is_none() => per_piece.to_string(),
            Some(Ok(t)) => t.text(c),
            Some(Err(e)) => format!("? {e}"),
        };
        let mut cells = vec![
            ("lane".to_string(), sanitize(&lane)),
            ("landed_cost".to_string(), sanitize(&text(None))),
        ];
        if let Some(c) = currency {
            cells.push((
                format!("landed_cost_{}", c.code.to_ascii_lowercase()),
                sanitize(&text(Some(c))),
            ));
        }
        cells
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
}
