//! An offer's detail (DajiSaaS `GET /alibaba/product/queryProductDetail`,
//! asked in `provider/dajisaas.rs`):
//! minimum order, price tiers, ship-from, stock, sold count and pictures,
//! and (read in `sku.rs`) SKUs, package sizes and weights, the mixed-batch
//! rule and the quote type, all read tolerantly from the reply's `data` (fields missing, numbers as
//! strings, nulls), which is kept whole as raw JSON for the store.
//!
//! Text fields are raw server text: sanitise before display.

use super::params::Price;
use super::read::{count, price, text};
use super::seller::Seller;
use super::sku::{
    self, MixRule, OrderCheck, PriceFrom, QuoteType, Shipping, Sku, Weight, read_mix,
    read_quote_type, read_shipping, read_skus, read_unit,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Pictures kept from a detail (a real one lists a dozen at most).
const MAX_IMAGES: usize = 24;
/// Tiers kept from a detail (1688 shows three, rarely more).
const MAX_TIERS: usize = 16;

/// One price tier: from `start_quantity` pieces on, `price` each, or
/// `promotion_price` while a promotion runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PriceTier {
    pub start_quantity: u64,
    pub price: Price,
    pub promotion_price: Option<Price>,
}

impl PriceTier {
    /// What one piece costs in this tier: the promotion price when lower.
    pub fn effective(&self) -> Price {
        self.promotion_price
            .filter(|p| *p < self.price)
            .unwrap_or(self.price)
    }
}

/// What one piece costs at a quantity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtQuantity {
    /// The unit price of the tier that quantity falls in.
    Price(Price),
    /// The quantity is below the minimum order (which is this).
    BelowMinimum(u64),
    /// The detail has no tier price.
    Unknown,
}

impl AtQuantity {
    pub fn price(self) -> Option<Price> {
        match self {
            AtQuantity::Price(p) => Some(p),
            _ => None,
        }
    }
}

/// An offer's detail, normalised. Text is raw server text.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OfferDetail {
    pub offer_id: Option<String>,
    pub title: Option<String>,
    pub title_en: Option<String>,
    /// `minOrderQuantity`, or else the first tier's start.
    pub min_order: Option<u64>,
    /// Ascending by start quantity, one per quantity.
    pub tiers: Vec<PriceTier>,
    pub ship_from: Option<String>,
    /// As sent, e.g. `shipIn48Hours` (see [`OfferDetail::guarantee_text`]).
    pub shipping_guarantee: Option<String>,
    /// Pieces on sale (`amountOnSale`).
    pub stock: Option<u64>,
    /// Pieces sold (`soldOut`).
    pub sold: Option<u64>,
    pub images: Vec<String>,
    pub seller_open_id: Option<String>,
    /// Variants (`productSkuInfos[]`), at most [`sku::MAX_SKUS`].
    pub skus: Vec<Sku>,
    /// Package sizes and weights, the offer's and per SKU.
    pub shipping: Shipping,
    /// Whether SKUs may be mixed to reach the minimum (`sellerMixSetting`).
    pub mix: Option<MixRule>,
    /// `productSaleInfo.quoteType`.
    pub quote_type: Option<QuoteType>,
    /// `batchNumber`: pieces per lot (orders may need multiples); 0 is absent.
    pub batch: Option<u64>,
    /// The unit a price is for (`unitInfo.transUnit`, else `.unit`), e.g. "Box".
    pub unit: Option<String>,
    /// The seller block: `sellerOpenId`, `companyName`, identities,
    /// `sellerDataInfo` scores and percents, `certificateList`.
    pub seller: Option<Seller>,
    /// The reply's `data` as sent, unknown fields included (the store keeps it).
    pub raw: Value,
}

impl OfferDetail {
    /// Reads a detail reply's `data`. Only a JSON object is a detail; any
    /// field may be missing or of another kind (then it is absent).
    pub fn from_value(raw: Value) -> Result<OfferDetail, String> {
        let Some(data) = raw.as_object() else {
            return Err("the detail is not a JSON object".into());
        };
        let sale = data.get("productSaleInfo").and_then(Value::as_object);
        let shipping = data.get("productShippingInfo").and_then(Value::as_object);
        let mut tiers: Vec<PriceTier> = sale
            .and_then(|s| s.get("priceRangeList"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|t| {
                        let t = t.as_object()?;
                        Some(PriceTier {
                            start_quantity: count(t.get("startQuantity")).unwrap_or(1).max(1),
                            price: price(t.get("price"))?,
                            promotion_price: price(t.get("promotionPrice")),
                        })
                    })
                    .take(MAX_TIERS)
                    .collect()
            })
            .unwrap_or_default();
        tiers.sort_by_key(|t| t.start_quantity);
        tiers.dedup_by_key(|t| t.start_quantity);
        let min_order = count(data.get("minOrderQuantity"))
            .filter(|n| *n > 0)
            .or_else(|| tiers.first().map(|t| t.start_quantity));
        let images = data
            .get("productImage")
            .and_then(|p| p.get("images"))
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|v| text(Some(v)))
                    .filter(|u| crate::text::is_url(u))
                    .take(MAX_IMAGES)
                    .collect()
            })
            .unwrap_or_default();
        Ok(OfferDetail {
            offer_id: text(data.get("offerId")),
            title: text(data.get("subject")),
            title_en: text(data.get("subjectTrans")),
            min_order,
            tiers,
            ship_from: shipping.and_then(|s| text(s.get("sendGoodsAddressText"))),
            shipping_guarantee: shipping.and_then(|s| text(s.get("shippingTimeGuarantee"))),
            stock: sale.and_then(|s| count(s.get("amountOnSale"))),
            sold: count(data.get("soldOut")),
            images,
            seller_open_id: text(data.get("sellerOpenId")),
            skus: read_skus(data),
            shipping: read_shipping(shipping),
            mix: read_mix(data),
            quote_type: read_quote_type(sale),
            batch: count(data.get("batchNumber")).filter(|n| *n > 0),
            unit: read_unit(sale),
            seller: Seller::from_detail(data),
            raw,
        })
    }

    /// The unit price at `quantity`: the tier with the largest start at or
    /// below it (its promotion price when lower). Below the minimum order
    /// there is none; between the minimum and a first tier that starts
    /// later, the first tier's price applies.
    pub fn unit_price_at(&self, quantity: u64) -> AtQuantity {
        if let Some(min) = self.min_order
            && quantity < min
        {
            return AtQuantity::BelowMinimum(min);
        }
        let Some(first) = self.tiers.first() else {
            return AtQuantity::Unknown;
        };
        let tier = self
            .tiers
            .iter()
            .rev()
            .find(|t| t.start_quantity <= quantity)
            .unwrap_or(first);
        AtQuantity::Price(tier.effective())
    }

    /// The SKU of this id, if the detail lists it.
    pub fn sku(&self, sku_id: &str) -> Option<&Sku> {
        self.skus.iter().find(|s| s.id == sku_id)
    }

    /// The unit price of `sku_id` (or of the offer, `None`) at `quantity`,
    /// and where it came from: the SKU's own price when the offer is priced
    /// per SKU (`quoteType` 1 or 3), has no tiers, or has one tier equal to
    /// its cheapest SKU; else the tier at the quantity. An unknown SKU id
    /// gets the tiers. The minimum order holds either way.
    pub fn unit_price_for(&self, sku_id: Option<&str>, quantity: u64) -> (AtQuantity, PriceFrom) {
        let effective: Vec<Price> = self.tiers.iter().map(PriceTier::effective).collect();
        let chosen = sku_id.and_then(|id| self.sku(id));
        match chosen {
            Some(s) if sku::sku_price_applies(self.quote_type, &effective, &self.skus, s) => {
                let at = match (self.min_order, s.own_price()) {
                    (Some(min), _) if quantity < min => AtQuantity::BelowMinimum(min),
                    (_, Some(p)) => AtQuantity::Price(p),
                    (_, None) => AtQuantity::Unknown,
                };
                (at, PriceFrom::Sku)
            }
            _ => (self.unit_price_at(quantity), PriceFrom::Tier),
        }
    }

    /// One piece's weight for `sku_id` (or the offer's, `None`) with its
    /// source; [`Weight::Unknown`] when nothing says, never zero.
    pub fn weight_for(&self, sku_id: Option<&str>) -> Weight {
        let chosen = sku_id.and_then(|id| self.sku(id));
        sku::weight_for(&self.shipping, chosen)
    }

    /// Whether an order of (SKU id, pieces) lines reaches the minimum,
    /// honouring the mixed-batch rule (see [`sku::check_order`]).
    pub fn check_order(&self, lines: &[(Option<&str>, u64)]) -> OrderCheck {
        // The tier of the whole order (at least the minimum) prices each line.
        let total = lines.iter().map(|l| l.1).fold(0, u64::saturating_add);
        let at = total.max(self.min_order.unwrap_or(0));
        let priced: Vec<(u64, Option<Price>)> = lines
            .iter()
            .map(|&(id, n)| {
                let unit = match self.unit_price_for(id, at).0 {
                    AtQuantity::Price(p) => Some(p),
                    _ => None,
                };
                (n, unit)
            })
            .collect();
        sku::check_order(self.min_order, self.mix.as_ref(), &priced)
    }

    /// Whether `quantity` is below the minimum order.
    pub fn below_minimum(&self, quantity: u64) -> bool {
        self.min_order.is_some_and(|m| quantity < m)
    }

    /// The shipping guarantee in words (`shipIn48Hours` → "ships within 48
    /// hours"); other values as sent.
    pub fn guarantee_text(&self) -> Option<String> {
        let g = self.shipping_guarantee.as_deref()?;
        let hours = g
            .strip_prefix("shipIn")
            .and_then(|h| h.strip_suffix("Hours"))
            .and_then(|h| h.parse::<u32>().ok());
        Some(match (g, hours) {
            ("shipInToday", _) => "ships today".to_string(),
            (_, Some(h)) => format!("ships within {h} hours"),
            _ => g.to_string(),
        })
    }

    /// The tiers as one line, e.g. `2+: 5.00 · 100+: 4.50 (4.20)`.
    pub fn tiers_line(&self) -> String {
        self.tiers
            .iter()
            .map(|t| match t.promotion_price {
                Some(p) if p != t.price => format!("{}+: {} ({p})", t.start_quantity, t.price),
                _ => format!("{}+: {}", t.start_quantity, t.price),
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }
}

/// Whether `id` can name a 1688 offer (digits only): anything else is not
/// sent, so no server text ends up in a request.
pub(crate) fn is_offer_id(id: &str) -> bool {
    !id.is_empty() && id.len() <= 24 && id.bytes().all(|b| b.is_ascii_digit())
}

/// The seller of an offer, with what its detail (when known) adds: the
/// detail's fields win, the item's fill its gaps.
pub fn offer_seller(offer: &super::Offer, detail: Option<&super::OfferDetail>) -> Option<Seller> {
    match (
        detail.and_then(|d| d.seller.as_ref()),
        offer.seller.as_ref(),
    ) {
        (Some(d), Some(i)) => Some(d.merge(i)),
        (Some(d), None) => Some(d.clone()),
        (None, i) => i.cloned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn detail(min: Option<u64>, tiers: &[(u64, u64, Option<u64>)]) -> OfferDetail {
        OfferDetail {
            min_order: min,
            tiers: tiers
                .iter()
                .map(|&(q, p, promo)| PriceTier {
                    start_quantity: q,
                    price: Price(p),
                    promotion_price: promo.map(Price),
                })
                .collect(),
            ..Default::default()
        }
    }

    #[test]
    fn unit_price_at_quantity_follows_the_tiers() {
        let d = detail(
            Some(10),
            &[(10, 500, None), (100, 450, Some(420)), (1000, 400, None)],
        );
        assert_eq!(d.unit_price_at(9), AtQuantity::BelowMinimum(10));
        assert_eq!(d.unit_price_at(1), AtQuantity::BelowMinimum(10));
        assert_eq!(d.unit_price_at(10), AtQuantity::Price(Price(500)));
        assert_eq!(d.unit_price_at(99), AtQuantity::Price(Price(500)));
        // Between tiers: the lower tier's price, its promotion when lower.
        assert_eq!(d.unit_price_at(100), AtQuantity::Price(Price(420)));
        assert_eq!(d.unit_price_at(999), AtQuantity::Price(Price(420)));
        // Above the last tier: the last tier's price.
        assert_eq!(d.unit_price_at(1000), AtQuantity::Price(Price(400)));
        assert_eq!(d.unit_price_at(u64::MAX), AtQuantity::Price(Price(400)));
        assert!(d.below_minimum(9) && !d.below_minimum(10));
    }

    #[test]
    fn a_first_tier_starting_above_the_minimum_prices_the_gap() {
        let d = detail(Some(2), &[(50, 300, None)]);
        assert_eq!(d.unit_price_at(2), AtQuantity::Price(Price(300)));
        assert_eq!(d.unit_price_at(1), AtQuantity::BelowMinimum(2));
        assert_eq!(detail(Some(2), &[]).unit_price_at(5), AtQuantity::Unknown);
        // No minimum said and no tiers: nothing is below it.
        assert_eq!(detail(None, &[]).unit_price_at(0), AtQuantity::Unknown);
        // A promotion price above the price is not a promotion.
        let d = detail(None, &[(1, 300, Some(350))]);
        assert_eq!(d.unit_price_at(1), AtQuantity::Price(Price(300)));
    }

    #[test]
    fn details_are_read_tolerantly() {
        let raw = json!({
            "offerId": 612345678901u64,
            "subject": "杯子",
            "minOrderQuantity": "50",
            "productImage": {"images": ["https://a/1.jpg", 3, "javascript:x", null]},
            "productSaleInfo": {
                "amountOnSale": "1,200",
                "quoteType": 1,
                "priceRangeList": [
                    {"startQuantity": "200", "price": "4.50", "promotionPrice": null},
                    {"startQuantity": 50, "price": 5},
                    {"startQuantity": 500, "price": "free"},
                    "junk"
                ]
            },
            "productShippingInfo": {"sendGoodsAddressText": "浙江省 义乌市", "shippingTimeGuarantee": "shipIn48Hours"},
            "soldOut": 3456.0,
            "someNewField": {"kept": true}
        });
        let d = OfferDetail::from_value(raw.clone()).unwrap();
        assert_eq!(d.offer_id.as_deref(), Some("612345678901"));
        assert_eq!(d.min_order, Some(50));
        assert_eq!(d.stock, Some(1200));
        assert_eq!(d.sold, Some(3456));
        assert_eq!(
            d.tiers
                .iter()
                .map(|t| (t.start_quantity, t.price.0))
                .collect::<Vec<_>>(),
            [(50, 500), (200, 450)]
        );
        assert_eq!(d.images, ["https://a/1.jpg"]);
        assert_eq!(d.ship_from.as_deref(), Some("浙江省 义乌市"));
        assert_eq!(d.guarantee_text().as_deref(), Some("ships within 48 hours"));
        assert_eq!(d.tiers_line(), "50+: 5.00 · 200+: 4.50");
        assert_eq!(d.raw["someNewField"]["kept"], json!(true));

        // Everything missing is still a detail; a non-object is not.
        let empty = OfferDetail::from_value(json!({})).unwrap();
        assert_eq!(empty.min_order, None);
        assert_eq!(empty.unit_price_at(500), AtQuantity::Unknown);
        let odd = OfferDetail::from_value(json!({"productSaleInfo": "x", "minOrderQuantity": [1]}))
            .unwrap();
        assert!(odd.tiers.is_empty() && odd.min_order.is_none());
        assert!(OfferDetail::from_value(json!([1, 2])).is_err());
    }
}
