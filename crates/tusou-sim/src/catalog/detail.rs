//! An offer's detail (minimum order, price tiers, ship-from, stock), derived
//! from its id so the catalog itself (and every seed) stays as it was.

use super::generate::Rng;
use super::offer::CatalogOffer;
use super::vocab::CITIES;
use crate::wire::Price;
use crate::wire_detail::{Count, DajiDetail, DetailImages, PriceRange, SaleInfo, ShippingInfo};

/// Mixed into the offer id to seed its detail apart from its other streams.
const DETAIL_SALT: u64 = 0x6465_7461_696c_3134;
/// Minimum order quantities drawn from (1 to 5,000, small ones likelier).
const MOQS: &[u64] = &[
    1, 1, 2, 2, 3, 5, 10, 10, 20, 30, 50, 100, 200, 500, 1000, 2000, 5000,
];

/// The detail of one listing, in the simulator's units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferDetail {
    pub min_order: u64,
    /// (start quantity, price in fen, promotion price in fen), ascending by
    /// quantity; the first starts at `min_order` and costs the list price.
    pub tiers: Vec<(u64, u64, Option<u64>)>,
    pub ship_from: String,
    pub guarantee: Option<&'static str>,
    pub stock: u64,
    pub sold: u64,
    /// Quirks of real payloads: counts sent as text, shipping left out.
    pub counts_as_text: bool,
    pub no_shipping: bool,
}

impl OfferDetail {
    pub fn of(offer: &CatalogOffer) -> OfferDetail {
        let mut rng = Rng::new(offer.offer_id ^ DETAIL_SALT);
        let min_order = if offer.is_one_psale {
            1
        } else {
            *rng.pick(MOQS)
        };
        let levels = 1 + rng.below(3);
        let mut tiers = Vec::new();
        let mut quantity = min_order;
        let mut price = offer.price_fen.max(1);
        for _ in 0..levels {
            let promotion = rng
                .chance(0.2)
                .then(|| (price * (90 - rng.below(10))) / 100)
                .filter(|p| *p > 0);
            tiers.push((quantity, price, promotion));
            quantity = quantity.saturating_mul(2 + rng.below(9));
            // Each tier 4–15 % cheaper than the one before, never free.
            price = ((price * (96 - rng.below(12))) / 100).max(1);
        }
        let guarantee = if offer.ship_in_today || offer.ship_in_24_hours {
            Some("shipIn24Hours")
        } else if offer.ship_in_48_hours {
            Some("shipIn48Hours")
        } else {
            rng.chance(0.5).then_some("shipIn72Hours")
        };
        OfferDetail {
            min_order,
            tiers,
            ship_from: format!("{} {}", province(rng.below(5)), rng.pick(CITIES)),
            guarantee,
            stock: rng.below(100_000),
            sold: offer.month_sold.saturating_mul(3 + rng.below(20)),
            counts_as_text: rng.chance(0.25),
            no_shipping: rng.chance(0.1),
        }
    }

    /// The detail as DajiSaaS sends it; `images` are the picture addresses.
    pub fn to_daji(&self, offer: &CatalogOffer, images: Vec<String>) -> DajiDetail {
        let count = |n: u64| {
            if self.counts_as_text {
                Count::Text(n.to_string())
            } else {
                Count::Number(n)
            }
        };
        let yuan = |fen: u64| Price(fen).to_string();
        DajiDetail {
            offer_id: offer.offer_id,
            subject: offer.subject.clone(),
            subject_trans: offer.subject_trans.clone(),
            min_order_quantity: count(self.min_order),
            product_image: DetailImages { images },
            product_sale_info: SaleInfo {
                amount_on_sale: count(self.stock),
                quote_type: u8::from(self.tiers.len() > 1),
                price_range_list: self
                    .tiers
                    .iter()
                    .map(|&(q, p, promo)| PriceRange {
                        start_quantity: count(q),
                        price: yuan(p),
                        promotion_price: promo.map(yuan),
                    })
                    .collect(),
            },
            product_shipping_info: (!self.no_shipping).then(|| ShippingInfo {
                send_goods_address_text: self.ship_from.clone(),
                shipping_time_guarantee: self.guarantee.map(str::to_string),
            }),
            seller_open_id: format!("BBB{:016x}", offer.group ^ DETAIL_SALT),
            sold_out: self.sold,
        }
    }
}

/// A province for the ship-from text (the cities are not all in it: the
/// simulator's addresses need only look like 1688's).
fn province(i: u64) -> &'static str {
    ["浙江省", "广东省", "福建省", "江苏省", "山东省"][(i % 5) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::generate;

    #[test]
    fn details_are_stable_and_within_the_documented_ranges() {
        let offers = generate(7, 400);
        let mut moqs = std::collections::BTreeSet::new();
        for o in &offers {
            let d = OfferDetail::of(o);
            assert_eq!(d, OfferDetail::of(o), "deterministic");
            assert!((1..=5000).contains(&d.min_order));
            assert_eq!(d.tiers[0].0, d.min_order);
            assert_eq!(d.tiers[0].1, o.price_fen.max(1));
            for w in d.tiers.windows(2) {
                assert!(w[1].0 > w[0].0, "quantities ascend");
                assert!(w[1].1 <= w[0].1, "prices do not rise");
            }
            if o.is_one_psale {
                assert_eq!(d.min_order, 1);
            }
            moqs.insert(d.min_order);
        }
        assert!(moqs.contains(&1) && moqs.iter().any(|m| *m >= 1000));
    }
}
