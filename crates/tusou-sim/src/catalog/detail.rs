//! An offer's detail (minimum order, price tiers, ship-from, stock), derived
//! from its id so the catalog itself (and every seed) stays as it was.

use super::generate::Rng;
use super::offer::CatalogOffer;
use super::vocab::CITIES;
use crate::wire::Price;
use crate::wire_detail::{
    Count, DajiDetail, Decimal, DetailImages, PriceRange, SaleInfo, SellerMixSetting, ShippingInfo,
    SkuAttribute, SkuInfo, SkuShippingDetail, SkuShippingInfo, UnitInfo,
};

/// Mixed into the offer id to seed its detail apart from its other streams.
const DETAIL_SALT: u64 = 0x6465_7461_696c_3134;
/// Minimum order quantities drawn from (1 to 5,000, small ones likelier).
const MOQS: &[u64] = &[
    1, 1, 2, 2, 3, 5, 10, 10, 20, 30, 50, 100, 200, 500, 1000, 2000, 5000,
];

/// Colours and sizes SKUs are made of: (name, translation).
const COLOURS: &[(&str, &str)] = &[
    ("红色", "Red"),
    ("黑色", "Black"),
    ("白色", "White"),
    ("蓝色", "Blue"),
    ("绿色", "Green"),
];
const SIZES: &[&str] = &["S", "M", "L", "XL", "XXL"];

/// How an offer is priced (`quoteType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pricing {
    /// 0: no SKUs, quantity tiers.
    Tiers,
    /// 2: SKUs without their own price, quantity tiers.
    SkusTiered,
    /// 1: each SKU its own price; the one tier is the cheapest SKU.
    PerSku,
}

/// Where a package's figures came from (`pkgSizeSource`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackSource {
    Measured,
    Merchant,
    Predicted,
}

impl PackSource {
    fn wire(self) -> &'static str {
        match self {
            PackSource::Measured => "官方测量",
            PackSource::Merchant => "商家自填",
            PackSource::Predicted => "预测-同款放大",
        }
    }
}

/// How the weights of an offer are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightStyle {
    /// `productShippingInfo.weight` and `skuShippingDetails[]`, kg.
    Full,
    /// Only the old `skuShippingInfoList[]`, grams.
    OldGramsOnly,
    /// No weight anywhere.
    Missing,
}

/// One variant, in the simulator's units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSku {
    pub sku_id: u64,
    pub colour: usize,
    pub size: usize,
    /// Its own price (per-SKU offers only), fen.
    pub price_fen: Option<u64>,
    pub stock: u64,
    /// One piece packed, grams.
    pub weight_g: u64,
    /// Packed length, width, height in mm (whole cm × 10).
    pub dims_mm: (u64, u64, u64),
}

/// The seller's mixed-batch rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MixRule {
    pub general: bool,
    /// Whole yuan in fen; 0 = none.
    pub min_amount_fen: u64,
    /// 0 = none.
    pub min_pieces: u64,
}

/// The seller's freight template (thresholds are the simulator's own: the
/// real reply exposes none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FreightTemplate {
    /// `templateType` 1: the seller pays.
    pub seller_pays: bool,
    /// Charged per kg (else per piece).
    pub by_weight: bool,
    pub first_fee_fen: u64,
    pub next_fee_fen: u64,
    /// Free from this order value on (fen), when set.
    pub free_over_fen: Option<u64>,
    /// Free from this many pieces on, when set.
    pub free_over_pieces: Option<u64>,
    /// When free, `freight` is left out (else sent as `"0"`).
    pub omit_freight_when_free: bool,
}

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
    pub pricing: Pricing,
    /// Empty for [`Pricing::Tiers`].
    pub skus: Vec<SimSku>,
    /// The offer's own package (the first SKU's, or its own with no SKUs).
    pub weight_g: u64,
    pub dims_mm: (u64, u64, u64),
    pub source: Option<PackSource>,
    pub weight_style: WeightStyle,
    pub mix: Option<MixRule>,
    pub batch: Option<u64>,
    pub freight: FreightTemplate,
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
        let mut d = OfferDetail {
            min_order,
            tiers,
            ship_from: format!("{} {}", province(rng.below(5)), rng.pick(CITIES)),
            guarantee,
            stock: rng.below(100_000),
            sold: offer.month_sold.saturating_mul(3 + rng.below(20)),
            counts_as_text: rng.chance(0.25),
            no_shipping: rng.chance(0.1),
            pricing: Pricing::Tiers,
            skus: Vec::new(),
            weight_g: 0,
            dims_mm: (0, 0, 0),
            source: None,
            weight_style: WeightStyle::Missing,
            mix: None,
            batch: None,
            freight: FreightTemplate {
                seller_pays: false,
                by_weight: false,
                first_fee_fen: 0,
                next_fee_fen: 0,
                free_over_fen: None,
                free_over_pieces: None,
                omit_freight_when_free: false,
            },
        };
        // Drawn after everything older, so the rest of each detail is as it was.
        d.add_variants(offer, &mut rng);
        d
    }

    /// SKUs, package, mix rule and freight template (issue 24).
    fn add_variants(&mut self, offer: &CatalogOffer, rng: &mut Rng) {
        let min_order = self.min_order;
        let mut tiers = std::mem::take(&mut self.tiers);
        let pricing = match rng.below(10) {
            0..=3 => Pricing::Tiers,
            4..=6 => Pricing::SkusTiered,
            _ => Pricing::PerSku,
        };
        let weight_g = 50 + rng.below(2950);
        let dims_mm = (
            (5 + rng.below(40)) * 10,
            (3 + rng.below(30)) * 10,
            (1 + rng.below(20)) * 10,
        );
        let mut skus = Vec::new();
        if pricing != Pricing::Tiers {
            let n = 2 + rng.below(5);
            for i in 0..n {
                let price_fen = (pricing == Pricing::PerSku)
                    .then(|| (tiers[0].1 * (90 + rng.below(30))) / 100)
                    .map(|p| p.max(1));
                skus.push(SimSku {
                    sku_id: offer.offer_id.wrapping_mul(100).wrapping_add(i) % 10_000_000_000_000
                        + 1_000_000_000_000,
                    colour: (i as usize) % COLOURS.len(),
                    size: (i as usize / COLOURS.len() + rng.below(3) as usize) % SIZES.len(),
                    price_fen,
                    stock: rng.below(5_000),
                    weight_g: (weight_g * (80 + rng.below(50)) / 100).max(1),
                    dims_mm,
                });
            }
        }
        if pricing == Pricing::PerSku {
            // The one range a per-SKU reply carries: the cheapest SKU at the minimum.
            let cheapest = skus
                .iter()
                .filter_map(|s| s.price_fen)
                .min()
                .unwrap_or(tiers[0].1);
            tiers = vec![(min_order, cheapest, None)];
        }
        let source = match rng.below(4) {
            0 => Some(PackSource::Measured),
            1 => Some(PackSource::Merchant),
            2 => Some(PackSource::Predicted),
            _ => None,
        };
        let weight_style = match rng.below(20) {
            0..=2 => WeightStyle::Missing,
            3..=4 if !skus.is_empty() => WeightStyle::OldGramsOnly,
            _ => WeightStyle::Full,
        };
        let mix = (!skus.is_empty() && rng.chance(0.7)).then(|| MixRule {
            general: rng.chance(0.8),
            min_amount_fen: *rng.pick(&[0, 5_000, 10_000, 30_000]),
            min_pieces: *rng.pick(&[0, 2, 3, 10]),
        });
        let batch = rng.chance(0.1).then(|| *rng.pick(&[10, 50, 200]));
        let freight = FreightTemplate {
            seller_pays: rng.chance(0.15),
            by_weight: weight_style == WeightStyle::Full && rng.chance(0.7),
            first_fee_fen: 300 + rng.below(12) * 100,
            next_fee_fen: 100 + rng.below(8) * 100,
            free_over_fen: rng.chance(0.3).then(|| *rng.pick(&[9_900, 19_900, 50_000])),
            free_over_pieces: rng.chance(0.2).then(|| *rng.pick(&[100, 500, 1000])),
            omit_freight_when_free: rng.chance(0.5),
        };
        self.tiers = tiers;
        self.pricing = pricing;
        self.skus = skus;
        self.weight_g = weight_g;
        self.dims_mm = dims_mm;
        self.source = source;
        self.weight_style = weight_style;
        self.mix = mix;
        self.batch = batch;
        self.freight = freight;
    }

    /// The SKU of this id.
    pub fn sku(&self, sku_id: &str) -> Option<&SimSku> {
        self.skus.iter().find(|s| s.sku_id.to_string() == sku_id)
    }

    /// One piece's unit price (fen) for `sku` at `total` pieces: the SKU's
    /// own for per-SKU offers, else the tier at the total.
    pub fn unit_price_fen(&self, sku: Option<&SimSku>, total: u64) -> u64 {
        if let Some(p) = sku.and_then(|s| s.price_fen) {
            return p;
        }
        let tier = self
            .tiers
            .iter()
            .rev()
            .find(|t| t.0 <= total)
            .or(self.tiers.first());
        tier.map_or(0, |&(_, p, promo)| promo.filter(|q| *q < p).unwrap_or(p))
    }

    /// The freight for (SKU, pieces) lines (an empty SKU for an offer without
    /// SKUs): `None` when free, else the fee in fen — integers only:
    /// units = whole kg rounded up (per-kg templates) or pieces; fee = first
    /// fee + (units − 1) × next fee.
    pub fn freight_fen(&self, lines: &[(Option<&SimSku>, u64)]) -> Option<u64> {
        let t = &self.freight;
        let pieces: u64 = lines.iter().map(|l| l.1).sum();
        let value: u64 = lines
            .iter()
            .map(|&(s, n)| self.unit_price_fen(s, pieces).saturating_mul(n))
            .sum();
        if t.seller_pays
            || t.free_over_fen.is_some_and(|f| value >= f)
            || t.free_over_pieces.is_some_and(|f| pieces >= f)
        {
            return None;
        }
        let units = if t.by_weight {
            let grams: u64 = lines
                .iter()
                .map(|&(s, n)| s.map_or(self.weight_g, |s| s.weight_g).saturating_mul(n))
                .sum();
            grams.div_ceil(1000).max(1)
        } else {
            pieces.max(1)
        };
        Some(t.first_fee_fen + (units - 1) * t.next_fee_fen)
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
        // Kg / cm with the decimals needed, as a number or (with the text
        // quirk) as text.
        let dec = |v: u64, per: u64| {
            let text = if per == 1000 {
                format!("{}.{:03}", v / 1000, v % 1000)
            } else {
                format!("{}.{}", v / 10, v % 10)
            };
            if self.counts_as_text {
                Decimal::Text(text)
            } else {
                Decimal::Number(text.parse().unwrap_or(0.0))
            }
        };
        let full = self.weight_style == WeightStyle::Full;
        let source = self.source.map(|s| s.wire().to_string());
        let sku_shipping_details = if full {
            self.skus
                .iter()
                .map(|s| SkuShippingDetail {
                    sku_id: s.sku_id.to_string(),
                    weight: dec(s.weight_g, 1000),
                    length: dec(s.dims_mm.0, 10),
                    width: dec(s.dims_mm.1, 10),
                    height: dec(s.dims_mm.2, 10),
                    pkg_size_source: source.clone(),
                })
                .collect()
        } else {
            Vec::new()
        };
        let sku_shipping_info_list = if self.weight_style == WeightStyle::OldGramsOnly {
            self.skus
                .iter()
                .map(|s| SkuShippingInfo {
                    sku_id: s.sku_id,
                    spec_id: spec_id(s.sku_id),
                    weight: s.weight_g,
                })
                .collect()
        } else {
            Vec::new()
        };
        let product_sku_infos = self
            .skus
            .iter()
            .map(|s| {
                let (colour, colour_en) = COLOURS[s.colour % COLOURS.len()];
                let size = SIZES[s.size % SIZES.len()];
                SkuInfo {
                    sku_id: s.sku_id,
                    spec_id: spec_id(s.sku_id),
                    price: s.price_fen.map(yuan),
                    amount_on_sale: count(s.stock),
                    sku_attributes: vec![
                        SkuAttribute {
                            attribute_id: 3216,
                            attribute_name: "颜色".into(),
                            attribute_name_trans: "Colour".into(),
                            value: colour.into(),
                            value_trans: colour_en.into(),
                            // Each colour one of the offer's pictures, as
                            // sellers picture each variant.
                            sku_image_url: images
                                .get(s.colour % images.len().max(1))
                                .or(images.first())
                                .cloned(),
                        },
                        SkuAttribute {
                            attribute_id: 450,
                            attribute_name: "尺码".into(),
                            attribute_name_trans: "Size".into(),
                            value: size.into(),
                            value_trans: size.into(),
                            sku_image_url: None,
                        },
                    ],
                }
            })
            .collect();
        let quote_type = match self.pricing {
            Pricing::Tiers => 0,
            Pricing::PerSku => 1,
            Pricing::SkusTiered => 2,
        };
        DajiDetail {
            offer_id: offer.offer_id,
            subject: offer.subject.clone(),
            subject_trans: offer.subject_trans.clone(),
            min_order_quantity: count(self.min_order),
            product_image: DetailImages { images },
            product_sale_info: SaleInfo {
                amount_on_sale: count(self.stock),
                quote_type: count(quote_type),
                price_range_list: self
                    .tiers
                    .iter()
                    .map(|&(q, p, promo)| PriceRange {
                        start_quantity: count(q),
                        price: yuan(p),
                        promotion_price: promo.map(yuan),
                    })
                    .collect(),
                unit_info: Some(UnitInfo {
                    unit: "件".into(),
                    trans_unit: "Piece".into(),
                }),
            },
            product_shipping_info: (!self.no_shipping).then(|| ShippingInfo {
                send_goods_address_text: self.ship_from.clone(),
                shipping_time_guarantee: self.guarantee.map(str::to_string),
                weight: full.then(|| dec(self.weight_g, 1000)),
                length: full.then(|| dec(self.dims_mm.0, 10)),
                width: full.then(|| dec(self.dims_mm.1, 10)),
                height: full.then(|| dec(self.dims_mm.2, 10)),
                pkg_size_source: source.clone().filter(|_| full),
                sku_shipping_details,
                sku_shipping_info_list,
            }),
            seller_open_id: offer.seller.open_id.clone(),
            sold_out: self.sold,
            product_sku_infos,
            seller_mix_setting: self.mix.map(|m| SellerMixSetting {
                general_hunpi: m.general,
                mix_amount: count(m.min_amount_fen / 100),
                mix_number: count(m.min_pieces),
            }),
            batch_number: self.batch,
            company_name: offer.seller.company.clone(),
            offer_identities: offer.seller.detail_identities(),
            seller_data_info: offer.seller.detail_data_info(),
            certificate_list: offer.seller.certificate_list(),
        }
    }
}

/// A SKU's 32-hex spec id, derived from its id.
fn spec_id(sku_id: u64) -> String {
    format!("{:016x}{:016x}", sku_id, sku_id ^ DETAIL_SALT)
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
            if d.pricing != Pricing::PerSku {
                assert_eq!(d.tiers[0].1, o.price_fen.max(1));
            } else {
                assert_eq!(d.tiers.len(), 1);
                let cheapest = d.skus.iter().filter_map(|s| s.price_fen).min();
                assert_eq!(Some(d.tiers[0].1), cheapest);
            }
            assert_eq!(d.skus.is_empty(), d.pricing == Pricing::Tiers);
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
        let all: Vec<OfferDetail> = offers.iter().map(OfferDetail::of).collect();
        let share = |f: &dyn Fn(&OfferDetail) -> bool| {
            all.iter().filter(|d| f(d)).count() as f64 / all.len() as f64
        };
        let missing = share(&|d| d.weight_style == WeightStyle::Missing);
        let old = share(&|d| d.weight_style == WeightStyle::OldGramsOnly);
        assert!((0.08..0.25).contains(&missing), "{missing}");
        assert!((0.04..0.18).contains(&old), "{old}");
        for p in [Pricing::Tiers, Pricing::SkusTiered, Pricing::PerSku] {
            assert!(share(&|d| d.pricing == p) > 0.15, "{p:?}");
        }
    }

    #[test]
    fn freight_is_integer_first_and_next_fees() {
        let offers = generate(7, 200);
        let d = offers
            .iter()
            .map(OfferDetail::of)
            .find(|d| {
                d.freight.by_weight
                    && !d.freight.seller_pays
                    && d.freight.free_over_fen.is_none()
                    && d.freight.free_over_pieces.is_none()
                    && d.skus.is_empty()
            })
            .expect("a per-kg offer");
        let t = d.freight;
        let fee = d.freight_fen(&[(None, 1)]);
        let kg = d.weight_g.div_ceil(1000).max(1);
        assert_eq!(fee, Some(t.first_fee_fen + (kg - 1) * t.next_fee_fen));
        let fee = d.freight_fen(&[(None, 10)]);
        let kg = (d.weight_g * 10).div_ceil(1000).max(1);
        assert_eq!(fee, Some(t.first_fee_fen + (kg - 1) * t.next_fee_fen));
        let free = offers
            .iter()
            .map(OfferDetail::of)
            .find(|d| d.freight.seller_pays)
            .expect("a seller-pays offer");
        assert_eq!(free.freight_fen(&[(None, 3)]), None);
    }
}
