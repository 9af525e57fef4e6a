//! From what the provider said to a landed cost's inputs: an offer's
//! detail (the chosen SKU's price at the quantity, its weight and size with
//! where they come from) and the freight estimate, or the user's fallback
//! rate. The one place the two halves meet, so the app, `search` and
//! `batch` price an offer the same way.

use super::breakdown::{Dims, DomesticFreight, FigureSource, Minimum, OfferInputs, Weight};
use crate::api::{
    AtQuantity, FreightOutcome, FreightQuote, OfferDetail, Price, PriceFrom, SizeSource,
};

/// Why the domestic freight is not known when no estimate was asked.
const NOT_ASKED: &str = "no freight estimate";

/// The SKU a cost is worked out for when the user chose none: the cheapest
/// in stock (its own price; first listed among equals, or when SKUs carry
/// no price of their own), so its weight and size are the ones priced.
/// `None` when the offer has no SKU in stock.
pub fn default_sku(detail: &OfferDetail) -> Option<&str> {
    detail
        .skus
        .iter()
        .enumerate()
        .filter(|(_, s)| s.stock != Some(0))
        .min_by_key(|(i, s)| (s.own_price().map_or(u64::MAX, |p| p.fen()), *i))
        .map(|(_, s)| s.id.as_str())
}

/// The inputs for `quantity` pieces of `sku` (or the offer as a whole).
/// `freight` is the estimate's reply, or why there is none (the provider
/// has no estimate, it failed, no warehouse is set); `None` when none was
/// asked yet. Nothing unknown is made zero: a missing estimate falls back
/// to the user's rate per kg (`fallback_fen_per_kg`) or stays unknown.
pub fn offer_inputs(
    detail: &OfferDetail,
    sku: Option<&str>,
    quantity: u64,
    freight: Option<Result<&FreightQuote, String>>,
    fallback_fen_per_kg: Option<u64>,
) -> OfferInputs {
    let (at, from) = detail.unit_price_for(sku, quantity);
    // Below the minimum the cost is still worked out (and flagged) at the
    // minimum's price.
    let (unit_price, at_text) = match at {
        AtQuantity::Price(p) => (Some(p), format!("at {quantity}")),
        AtQuantity::BelowMinimum(min) => (
            detail.unit_price_for(sku, min).0.price(),
            format!("at the minimum order of {min}"),
        ),
        AtQuantity::Unknown => (None, String::new()),
    };
    let unit_price_source = match (from, sku) {
        (PriceFrom::Sku, Some(id)) => format!("SKU {id}'s own price {at_text}"),
        _ => format!("the offer's tier price {at_text}"),
    }
    .trim_end()
    .to_string();
    OfferInputs {
        quantity,
        unit_price,
        unit_price_source,
        minimum: Minimum {
            min_order: detail.min_order,
            mixed_batch_reaches: mixed_batch_reaches(detail, quantity, unit_price),
        },
        weight: weight(detail, sku),
        dims: dims(detail, sku),
        domestic: domestic(freight, fallback_fen_per_kg),
    }
}

/// Whether N pieces, below the minimum order, still make an order the
/// seller takes when made of several SKUs: the seller allows mixing
/// (`generalHunpi`) and N reaches the rule's own piece count (`mixNumber`)
/// or amount (`mixAmount`), either of which may be below the minimum.
fn mixed_batch_reaches(detail: &OfferDetail, quantity: u64, unit_price: Option<Price>) -> bool {
    let Some(rule) = detail.mix.filter(|m| m.allowed) else {
        return false;
    };
    let by_pieces = rule.min_pieces.is_some_and(|n| quantity >= n);
    let by_amount = rule
        .min_amount
        .zip(unit_price)
        .is_some_and(|(min, p)| p.fen().saturating_mul(quantity) >= min.fen());
    by_pieces || by_amount
}

fn figure_source(source: Option<&SizeSource>) -> FigureSource {
    match source {
        Some(SizeSource::Measured) => FigureSource::Measured,
        Some(SizeSource::Merchant) => FigureSource::Merchant,
        Some(SizeSource::Predicted) => FigureSource::Predicted,
        Some(SizeSource::Unknown(_)) | None => FigureSource::Provider,
    }
}

/// A plausible weight only: an implausible one (0, or over the bound) is
/// left out, so the cost says "? no weight" rather than price it.
fn weight(detail: &OfferDetail, sku: Option<&str>) -> Option<Weight> {
    use crate::api::{Weight as Said, WeightFrom};
    let Said::Known { grams, from } = detail.weight_for(sku) else {
        return None;
    };
    let source = match &from {
        WeightFrom::Sku(s) | WeightFrom::Offer(s) => figure_source(s.as_ref()),
        WeightFrom::SkuOfficial | WeightFrom::OfferOfficial => FigureSource::Measured,
        WeightFrom::AiGuess(_) => FigureSource::Predicted,
        WeightFrom::OldList => FigureSource::Provider,
    };
    Some(Weight { grams, source })
}

/// The SKU's package size, else the offer's (the merchant's or 1688's).
fn dims(detail: &OfferDetail, sku: Option<&str>) -> Option<Dims> {
    let shipping = &detail.shipping;
    let sku_pack = sku.and_then(|id| {
        shipping
            .skus
            .iter()
            .find(|p| p.sku_id.as_deref() == Some(id))
    });
    let packs = sku_pack
        .map(|p| &p.size)
        .into_iter()
        .chain(std::iter::once(&shipping.offer));
    for pack in packs {
        if let Some(d) = pack.dims {
            return Some(Dims {
                length_mm: d.length_mm,
                width_mm: d.width_mm,
                height_mm: d.height_mm,
                source: figure_source(pack.source.as_ref()),
            });
        }
        if let Some(d) = pack.official_dims {
            return Some(Dims {
                length_mm: d.length_mm,
                width_mm: d.width_mm,
                height_mm: d.height_mm,
                source: FigureSource::Measured,
            });
        }
    }
    None
}

fn domestic(
    freight: Option<Result<&FreightQuote, String>>,
    fallback_fen_per_kg: Option<u64>,
) -> DomesticFreight {
    let (estimate, why) = match freight {
        None => (None, NOT_ASKED.to_string()),
        Some(Err(why)) => (None, why),
        Some(Ok(quote)) => match &quote.outcome {
            Some(FreightOutcome::Free { by_template }) => (
                Some(DomesticFreight::Free {
                    source: if *by_template {
                        "the seller pays (its freight template), provider's estimate".to_string()
                    } else {
                        "free shipping, provider's estimate".to_string()
                    },
                }),
                String::new(),
            ),
            Some(FreightOutcome::Priced { total, for_pieces }) => (
                Some(DomesticFreight::Quote {
                    total_fen: total.fen(),
                    for_qty: *for_pieces,
                    source: "provider's estimate".to_string(),
                }),
                String::new(),
            ),
            Some(FreightOutcome::Unknown { why }) => (None, why.clone()),
            None => (None, "the estimate said nothing of the freight".to_string()),
        },
    };
    DomesticFreight::or_fallback(estimate, fallback_fen_per_kg, &why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Price;
    use serde_json::json;

    fn detail(data: serde_json::Value) -> OfferDetail {
        OfferDetail::from_value(data).expect("a detail")
    }

    fn per_sku_offer() -> OfferDetail {
        detail(json!({
            "offerId": 7,
            "minOrderQuantity": "10",
            "productSaleInfo": {
                "quoteType": "1",
                "priceRangeList": [{"startQuantity": "10", "price": "13.90"}]
            },
            "productSkuInfos": [
                {"skuId": 111, "price": "14.90", "amountOnSale": 5},
                {"skuId": "222", "price": "13.90"}
            ],
            "productShippingInfo": {
                "weight": "0.5", "length": 20, "width": 10, "height": "5",
                "pkgSizeSource": "商家自填",
                "skuShippingDetails": [
                    {"skuId": "111", "weight": 0.42, "pkgSizeSource": "官方测量"}
                ]
            }
        }))
    }

    #[test]
    fn the_chosen_skus_price_weight_and_size_with_their_sources() {
        let d = per_sku_offer();
        let i = offer_inputs(&d, Some("111"), 500, None, None);
        assert_eq!(i.unit_price, Some(Price(1490)));
        assert_eq!(i.unit_price_source, "SKU 111's own price at 500");
        assert_eq!(
            i.weight,
            Some(Weight {
                grams: 420,
                source: FigureSource::Measured
            })
        );
        // The SKU has no size of its own: the offer's, the merchant's.
        let dims = i.dims.expect("a size");
        assert_eq!(
            (dims.length_mm, dims.width_mm, dims.height_mm),
            (200, 100, 50)
        );
        assert_eq!(dims.source, FigureSource::Merchant);
        assert_eq!(i.minimum.min_order, Some(10));
    }

    #[test]
    fn the_default_sku_is_the_cheapest_in_stock() {
        let d = per_sku_offer();
        assert_eq!(default_sku(&d), Some("222"));
        let sold_out = detail(json!({"productSkuInfos": [
            {"skuId": 1, "price": "1.00", "amountOnSale": 0},
            {"skuId": 2},
            {"skuId": 3}
        ]}));
        assert_eq!(
            default_sku(&sold_out),
            Some("2"),
            "no price: the first in stock"
        );
        assert_eq!(default_sku(&detail(json!({}))), None);
    }

    #[test]
    fn below_the_minimum_the_minimums_price_is_used() {
        let d = per_sku_offer();
        let i = offer_inputs(&d, Some("222"), 3, None, None);
        assert_eq!(i.unit_price, Some(Price(1390)));
        assert!(
            i.unit_price_source.contains("minimum order of 10"),
            "{}",
            i.unit_price_source
        );
    }

    #[test]
    fn below_the_minimum_a_mixed_batch_counts_only_as_the_seller_allows() {
        let with_mix = |mix: serde_json::Value| {
            detail(json!({
                "minOrderQuantity": 100,
                "productSaleInfo": {"priceRangeList": [{"startQuantity": 100, "price": "2.00"}]},
                "sellerMixSetting": mix
            }))
        };
        let reaches = |d: &OfferDetail, n| offer_inputs(d, None, n, None, None).minimum;
        // Pieces: 30 reach a mix of 30 although the minimum is 100.
        let pieces = with_mix(json!({"generalHunpi": true, "mixNumber": 30}));
        assert!(reaches(&pieces, 30).mixed_batch_reaches);
        assert!(!reaches(&pieces, 29).mixed_batch_reaches);
        // Amount: 25 pieces at the minimum's ¥2.00 are ¥50.
        let amount = with_mix(json!({"generalHunpi": "true", "mixAmount": "50"}));
        assert!(reaches(&amount, 25).mixed_batch_reaches);
        assert!(!reaches(&amount, 24).mixed_batch_reaches);
        // Not allowed: the rule's numbers do not count.
        let refused = with_mix(json!({"generalHunpi": false, "mixNumber": 1}));
        assert!(!reaches(&refused, 50).mixed_batch_reaches);
    }

    #[test]
    fn no_weight_stays_unknown_and_an_implausible_one_is_not_priced() {
        let none = detail(
            json!({"productSaleInfo": {"priceRangeList": [{"startQuantity": 1, "price": 2}]}}),
        );
        assert_eq!(offer_inputs(&none, None, 10, None, None).weight, None);
        let zero = detail(json!({"productShippingInfo": {"weight": "0"}}));
        assert_eq!(offer_inputs(&zero, None, 10, None, None).weight, None);
    }

    #[test]
    fn freight_free_priced_unknown_and_the_users_fallback() {
        let d = per_sku_offer();
        let quote = |outcome| FreightQuote {
            outcome,
            ..FreightQuote::default()
        };
        let free = quote(Some(FreightOutcome::Free { by_template: true }));
        assert!(matches!(
            offer_inputs(&d, None, 10, Some(Ok(&free)), None).domestic,
            DomesticFreight::Free { .. }
        ));
        let priced = quote(Some(FreightOutcome::Priced {
            total: Price(1200),
            for_pieces: 500,
        }));
        assert_eq!(
            offer_inputs(&d, None, 500, Some(Ok(&priced)), Some(800)).domestic,
            DomesticFreight::Quote {
                total_fen: 1200,
                for_qty: 500,
                source: "provider's estimate".to_string()
            }
        );
        // Unknown: the user's rate when set, else unknown with the reason.
        let unknown = quote(Some(FreightOutcome::Unknown {
            why: "no total in the reply".into(),
        }));
        assert_eq!(
            offer_inputs(&d, None, 10, Some(Ok(&unknown)), Some(800)).domestic,
            DomesticFreight::UserRate { fen_per_kg: 800 }
        );
        assert_eq!(
            offer_inputs(
                &d,
                None,
                10,
                Some(Err("no freight from this provider".into())),
                None
            )
            .domestic,
            DomesticFreight::Unknown {
                why: "no freight from this provider".into()
            }
        );
        assert_eq!(
            offer_inputs(&d, None, 10, None, None).domestic,
            DomesticFreight::Unknown {
                why: NOT_ASKED.into()
            }
        );
    }
}
