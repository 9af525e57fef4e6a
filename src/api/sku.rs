//! An offer's variants (SKUs), package sizes and weights, mixed-batch rule
//! and quote type, read tolerantly from the detail's `data` in this one
//! place (`detail.rs` calls these readers and holds the results).
//!
//! Field names are the official `product.search.queryProductDetail` ones
//! that DajiSaaS relays (high confidence for names; units: kg and cm in
//! `productShippingInfo` and `skuShippingDetails[]`, high; grams in the old
//! `skuShippingInfoList[]`, medium — the two official documents disagree,
//! so that list is a last resort and marked uncertain). Anything missing,
//! null or of another kind is absent, never zero.

use super::params::Price;
use super::read::{count, flag, id_text, money, price, scaled, small_int, text};
use serde_json::{Map, Value};

/// SKUs kept from a detail (real offers list a few dozen; some hundreds).
pub const MAX_SKUS: usize = 400;
/// Attributes kept per SKU (colour, size, … rarely more than three).
pub const MAX_SKU_ATTRIBUTES: usize = 8;
/// Heaviest plausible single piece, in grams: above (or at zero) a weight
/// is shown as implausible rather than priced.
pub const MAX_PLAUSIBLE_GRAMS: u64 = 500_000;

/// One attribute of a SKU (`skuAttributes[]`): raw server text.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SkuAttribute {
    pub name: Option<String>,
    /// `attributeNameTrans`.
    pub name_en: Option<String>,
    pub value: Option<String>,
    /// `valueTrans`.
    pub value_en: Option<String>,
    /// `skuImageUrl` (else `skuImageUrlTrans`), only when it is a URL.
    pub image: Option<String>,
}

/// One variant (`productSkuInfos[]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Sku {
    /// Decimal text whatever its JSON kind (a number here, text in the
    /// freight request and `skuShippingDetails`): matched as text.
    pub id: String,
    pub spec_id: Option<String>,
    pub price: Option<Price>,
    pub promotion_price: Option<Price>,
    /// Pieces on sale of this SKU.
    pub stock: Option<u64>,
    pub attributes: Vec<SkuAttribute>,
}

impl Sku {
    /// Its own unit price: the promotion price when lower.
    pub fn own_price(&self) -> Option<Price> {
        match (self.price, self.promotion_price) {
            (Some(p), Some(q)) => Some(p.min(q)),
            (p, q) => p.or(q),
        }
    }

    /// The SKU's own picture (`skuImageUrl` on one of its attributes).
    pub fn picture(&self) -> Option<&str> {
        self.attributes.iter().find_map(|a| a.image.as_deref())
    }

    /// The attributes' values joined, translated ones preferred ("Red / XL").
    pub fn label(&self) -> String {
        self.attributes
            .iter()
            .filter_map(|a| a.value_en.as_ref().or(a.value.as_ref()))
            .cloned()
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// Where a package's size and weight came from (`pkgSizeSource`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SizeSource {
    /// 官方测量: measured by 1688.
    Measured,
    /// 商家自填: filled in by the merchant.
    Merchant,
    /// 预测-同款放大: predicted from a same-style product.
    Predicted,
    /// Text that says none of those, kept as sent.
    Unknown(String),
}

impl SizeSource {
    /// By substring, as the values are documented only by one example and
    /// relays may translate them (medium confidence for the three values).
    pub fn parse(raw: &str) -> Option<SizeSource> {
        let t = raw.trim();
        if t.is_empty() || t.eq_ignore_ascii_case("null") {
            return None;
        }
        let l = t.to_lowercase();
        let has = |words: &[&str]| words.iter().any(|w| l.contains(w));
        Some(if has(&["预测", "同款", "predict", "estimat", "ai"]) {
            SizeSource::Predicted
        } else if has(&["商家", "自填", "merchant", "seller"]) {
            SizeSource::Merchant
        } else if has(&["官方", "测量", "official", "measured"]) {
            SizeSource::Measured
        } else {
            SizeSource::Unknown(t.to_string())
        })
    }

    /// "merchant's figure", "measured by 1688", …
    pub fn describe(&self) -> String {
        match self {
            SizeSource::Measured => "measured by 1688".into(),
            SizeSource::Merchant => "merchant's figure".into(),
            SizeSource::Predicted => "predicted from a similar product".into(),
            SizeSource::Unknown(t) => format!("source {t:?}"),
        }
    }
}

/// A package's length, width and height in millimetres.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    pub length_mm: u64,
    pub width_mm: u64,
    pub height_mm: u64,
}

/// Size and weight of one package, integer units.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PackSize {
    /// `weight`, kg → grams.
    pub weight_g: Option<u64>,
    /// `length`/`width`/`height`, cm → mm; all three or none.
    pub dims: Option<Dims>,
    pub source: Option<SizeSource>,
    /// `officialWeight`, kg → grams.
    pub official_weight_g: Option<u64>,
    /// `officialLength`/`Width`/`Height`, cm → mm.
    pub official_dims: Option<Dims>,
    /// `aiWeight`, kg → grams (per SKU only).
    pub ai_weight_g: Option<u64>,
    /// `aiWeightAccuracy` as sent (e.g. `80%`).
    pub ai_accuracy: Option<String>,
}

/// One SKU's package (`skuShippingDetails[]`, or the old `skuShippingInfoList[]`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SkuPack {
    pub sku_id: Option<String>,
    pub spec_id: Option<String>,
    pub size: PackSize,
    /// From the old list, whose weight unit the documents disagree on
    /// (grams in the newer one): use only when nothing else is known.
    pub unit_uncertain: bool,
}

/// `productShippingInfo`'s sizes: the offer's and per SKU.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Shipping {
    pub offer: PackSize,
    /// `skuShippingDetails[]` (kg).
    pub skus: Vec<SkuPack>,
    /// `skuShippingInfoList[]` (grams, unit uncertain).
    pub skus_old: Vec<SkuPack>,
}

/// `sellerMixSetting`: several SKUs may be mixed to reach the minimum order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MixRule {
    /// `generalHunpi` (or `isGeneralHunpi`); absent counts as not allowed.
    pub allowed: bool,
    /// `mixAmount`, yuan → fen; 0 is absent.
    pub min_amount: Option<Price>,
    /// `mixNumber`, pieces; 0 is absent.
    pub min_pieces: Option<u64>,
}

/// `productSaleInfo.quoteType` (new document: 0, 1, 2; an older SDK adds 3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuoteType {
    /// 0: no SKUs, priced by quantity tiers.
    ByQuantity,
    /// 1: priced per SKU.
    PerSku,
    /// 2: has SKUs, priced by quantity tiers.
    SkusByQuantity,
    /// 3: SKU-level price ranges (older SDK only).
    SkuRanges,
    Other(i64),
}

impl QuoteType {
    pub fn from_code(code: i64) -> QuoteType {
        match code {
            0 => QuoteType::ByQuantity,
            1 => QuoteType::PerSku,
            2 => QuoteType::SkusByQuantity,
            3 => QuoteType::SkuRanges,
            other => QuoteType::Other(other),
        }
    }

    /// Whether a SKU's own price is the one to pay.
    fn per_sku(self) -> bool {
        matches!(self, QuoteType::PerSku | QuoteType::SkuRanges)
    }
}

/// First present of several names.
fn field<'a>(obj: &'a Map<String, Value>, names: &[&str]) -> Option<&'a Value> {
    names
        .iter()
        .filter_map(|n| obj.get(*n))
        .find(|v| !v.is_null())
}

fn objects(v: Option<&Value>) -> impl Iterator<Item = &Map<String, Value>> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
}

fn url(v: Option<&Value>) -> Option<String> {
    text(v).filter(|u| crate::text::is_url(u))
}

/// `productSkuInfos[]` (or `skuInfos[]`), at most [`MAX_SKUS`]; a SKU without
/// a readable id is dropped (it could not be chosen or sent).
pub(crate) fn read_skus(data: &Map<String, Value>) -> Vec<Sku> {
    objects(field(
        data,
        &["productSkuInfos", "skuInfos", "productSkuInfoList"],
    ))
    .filter_map(|s| {
        let attributes = objects(field(s, &["skuAttributes", "attributes"]))
            .map(|a| SkuAttribute {
                name: text(a.get("attributeName")),
                name_en: text(a.get("attributeNameTrans")),
                value: text(field(a, &["value", "attributeValue"])),
                value_en: text(a.get("valueTrans")),
                image: url(a.get("skuImageUrl")).or_else(|| url(a.get("skuImageUrlTrans"))),
            })
            .take(MAX_SKU_ATTRIBUTES)
            .collect();
        let fenxiao = s.get("fenxiaoPriceInfo").and_then(Value::as_object);
        Some(Sku {
            id: id_text(field(s, &["skuId", "skuID"]))?,
            spec_id: text(field(s, &["specId", "specID"])),
            price: price(s.get("price"))
                .or_else(|| fenxiao.and_then(|f| price(f.get("offerPrice")))),
            promotion_price: price(s.get("promotionPrice")),
            stock: count(field(s, &["amountOnSale", "stock", "canBookCount"])),
            attributes,
        })
    })
    .take(MAX_SKUS)
    .collect()
}

/// Length, width, height (cm → mm) under `prefix` (`""` or `"official"`):
/// all three or none.
fn dims(obj: &Map<String, Value>, official: bool) -> Option<Dims> {
    let get = |name: &str| {
        let key = if official {
            format!("official{name}")
        } else {
            name.to_ascii_lowercase()
        };
        scaled(obj.get(&key), 1).filter(|mm| *mm > 0)
    };
    Some(Dims {
        length_mm: get("Length")?,
        width_mm: get("Width")?,
        height_mm: get("Height")?,
    })
}

/// A package's sizes; `weight_places` 3 for kg → g, 0 for grams as sent.
fn pack(obj: &Map<String, Value>, weight_places: u32) -> PackSize {
    PackSize {
        weight_g: scaled(field(obj, &["weight", "unitWeight"]), weight_places),
        dims: dims(obj, false),
        source: text(obj.get("pkgSizeSource")).and_then(|t| SizeSource::parse(&t)),
        official_weight_g: scaled(obj.get("officialWeight"), 3),
        official_dims: dims(obj, true),
        ai_weight_g: scaled(obj.get("aiWeight"), 3),
        ai_accuracy: text(obj.get("aiWeightAccuracy")),
    }
}

/// `productShippingInfo`'s sizes (absent object → all absent).
pub(crate) fn read_shipping(shipping: Option<&Map<String, Value>>) -> Shipping {
    let Some(s) = shipping else {
        return Shipping::default();
    };
    let list = |name: &str, places: u32, uncertain: bool| -> Vec<SkuPack> {
        objects(s.get(name))
            .map(|p| SkuPack {
                sku_id: id_text(field(p, &["skuId", "skuID"])),
                spec_id: text(field(p, &["specId", "specID"])),
                size: pack(p, places),
                unit_uncertain: uncertain,
            })
            .take(MAX_SKUS)
            .collect()
    };
    Shipping {
        offer: pack(s, 3),
        skus: list("skuShippingDetails", 3, false),
        skus_old: list("skuShippingInfoList", 0, true),
    }
}

/// `sellerMixSetting`, when it is an object.
pub(crate) fn read_mix(data: &Map<String, Value>) -> Option<MixRule> {
    let m = data.get("sellerMixSetting")?.as_object()?;
    Some(MixRule {
        allowed: flag(field(m, &["generalHunpi", "isGeneralHunpi"])).unwrap_or(false),
        min_amount: money(m.get("mixAmount")).filter(|p| p.0 > 0),
        min_pieces: count(m.get("mixNumber")).filter(|n| *n > 0),
    })
}

/// `productSaleInfo.quoteType`.
pub(crate) fn read_quote_type(sale: Option<&Map<String, Value>>) -> Option<QuoteType> {
    small_int(sale?.get("quoteType")).map(QuoteType::from_code)
}

/// `productSaleInfo.unitInfo.transUnit` or `.unit` (or a bare `unit`).
pub(crate) fn read_unit(sale: Option<&Map<String, Value>>) -> Option<String> {
    let sale = sale?;
    let info = sale.get("unitInfo").and_then(Value::as_object);
    info.and_then(|i| text(i.get("transUnit")).or_else(|| text(i.get("unit"))))
        .or_else(|| text(sale.get("unit")))
}

/// Where a unit price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceFrom {
    /// The chosen SKU's own price.
    Sku,
    /// The quantity tier.
    Tier,
}

/// Whether the SKU's own price applies rather than the tiers (given as
/// their effective prices): per-SKU quote types (1, 3), no tiers at all, or
/// tiers that collapse to one entry equal to the cheapest SKU (a real
/// per-SKU reply's "from" price). `quoteType` otherwise only breaks ties.
pub(crate) fn sku_price_applies(
    quote: Option<QuoteType>,
    tiers: &[Price],
    skus: &[Sku],
    sku: &Sku,
) -> bool {
    if sku.own_price().is_none() {
        return false;
    }
    if quote.is_some_and(QuoteType::per_sku) || tiers.is_empty() {
        return true;
    }
    let cheapest = skus.iter().filter_map(Sku::own_price).min();
    tiers.len() == 1 && cheapest.is_some_and(|c| tiers[0] == c)
}

/// Where a weight came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WeightFrom {
    /// The SKU's own package (`skuShippingDetails[].weight`).
    Sku(Option<SizeSource>),
    /// The SKU's package as 1688 measured it (`officialWeight`).
    SkuOfficial,
    /// The offer's package (`productShippingInfo.weight`).
    Offer(Option<SizeSource>),
    /// The offer's package as 1688 measured it.
    OfferOfficial,
    /// 1688's AI guess for the SKU, with its stated accuracy.
    AiGuess(Option<String>),
    /// The old per-SKU list, read as grams (its unit is uncertain).
    OldList,
}

impl WeightFrom {
    pub fn describe(&self) -> String {
        let with = |what: &str, s: &Option<SizeSource>| match s {
            Some(s) => format!("{what}, {}", s.describe()),
            None => format!("{what}, source not given"),
        };
        match self {
            WeightFrom::Sku(s) => with("SKU's package", s),
            WeightFrom::SkuOfficial => "SKU's package, measured by 1688".into(),
            WeightFrom::Offer(s) => with("offer's package", s),
            WeightFrom::OfferOfficial => "offer's package, measured by 1688".into(),
            WeightFrom::AiGuess(Some(a)) => format!("1688's AI guess, accuracy {a}"),
            WeightFrom::AiGuess(None) => "1688's AI guess".into(),
            WeightFrom::OldList => "old SKU list, unit uncertain (read as grams)".into(),
        }
    }
}

/// A piece's weight: known with its source, implausible, or unknown —
/// unknown is a value, never zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weight {
    Known {
        grams: u64,
        from: WeightFrom,
    },
    /// Zero or above [`MAX_PLAUSIBLE_GRAMS`]: shown, never priced.
    Implausible {
        grams: u64,
        from: WeightFrom,
    },
    Unknown,
}

impl Weight {
    pub fn grams(&self) -> Option<u64> {
        match self {
            Weight::Known { grams, .. } => Some(*grams),
            _ => None,
        }
    }
}

/// The weight of one piece of `sku` (or of the offer, with no SKU): the
/// SKU's package, its official measure, the offer's package, the offer's
/// official measure, the SKU's AI guess, the old list in grams; else unknown.
pub(crate) fn weight_for(shipping: &Shipping, sku: Option<&Sku>) -> Weight {
    let matches = |p: &&SkuPack| {
        sku.is_some_and(|s| {
            p.sku_id.as_deref() == Some(s.id.as_str())
                || (p.sku_id.is_none() && p.spec_id.is_some() && p.spec_id == s.spec_id)
        })
    };
    let new = shipping.skus.iter().find(matches);
    let old = shipping.skus_old.iter().find(matches);
    let candidates = [
        new.and_then(|p| {
            p.size
                .weight_g
                .map(|g| (g, WeightFrom::Sku(p.size.source.clone())))
        }),
        new.and_then(|p| {
            p.size
                .official_weight_g
                .map(|g| (g, WeightFrom::SkuOfficial))
        }),
        shipping
            .offer
            .weight_g
            .map(|g| (g, WeightFrom::Offer(shipping.offer.source.clone()))),
        shipping
            .offer
            .official_weight_g
            .map(|g| (g, WeightFrom::OfferOfficial)),
        new.and_then(|p| {
            p.size
                .ai_weight_g
                .map(|g| (g, WeightFrom::AiGuess(p.size.ai_accuracy.clone())))
        }),
        old.and_then(|p| p.size.weight_g.map(|g| (g, WeightFrom::OldList))),
    ];
    match candidates.into_iter().flatten().next() {
        None => Weight::Unknown,
        Some((grams, from)) if grams == 0 || grams > MAX_PLAUSIBLE_GRAMS => {
            Weight::Implausible { grams, from }
        }
        Some((grams, from)) => Weight::Known { grams, from },
    }
}

/// Whether an order reaches the minimum.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderCheck {
    /// No minimum is known: nothing to reach.
    NoMinimum,
    /// Every line reaches the minimum on its own.
    EachLine,
    /// Mixed SKUs reach the mixed-batch piece count (`mixNumber`, or the
    /// minimum order when the rule gives none).
    MixedPieces,
    /// Mixed SKUs reach the mixed-batch amount (`mixAmount`).
    MixedAmount,
    /// Short: `pieces` of `needed` (the mixed total, or the shortest line's).
    Below {
        pieces: u64,
        needed: u64,
        mixed: bool,
    },
}

impl OrderCheck {
    pub fn meets(self) -> bool {
        !matches!(self, OrderCheck::Below { .. })
    }
}

/// Checks an order of `lines` (pieces, unit price when known) against the
/// minimum. Without the mixed-batch rule each line must reach the minimum
/// on its own; with it (`generalHunpi`) the lines count together, and the
/// order passes on pieces (`mixNumber`, else the minimum order) OR on
/// amount (`mixAmount`) — the "or" is 1688 shop practice, not stated in the
/// API document (low–medium confidence). An amount with an unknown unit
/// price is not counted towards `mixAmount`.
pub(crate) fn check_order(
    min_order: Option<u64>,
    mix: Option<&MixRule>,
    lines: &[(u64, Option<Price>)],
) -> OrderCheck {
    let total: u64 = lines.iter().map(|l| l.0).fold(0, u64::saturating_add);
    let mixing = lines.len() > 1 && mix.is_some_and(|m| m.allowed);
    if !mixing {
        let Some(min) = min_order else {
            return OrderCheck::NoMinimum;
        };
        let shortest = lines.iter().map(|l| l.0).min().unwrap_or(0);
        return if shortest >= min {
            OrderCheck::EachLine
        } else {
            OrderCheck::Below {
                pieces: shortest,
                needed: min,
                mixed: false,
            }
        };
    }
    let rule = mix.copied().unwrap_or_default();
    let needed = rule.min_pieces.or(min_order);
    if let Some(min_amount) = rule.min_amount {
        let priced = lines
            .iter()
            .try_fold(0u64, |sum, (n, p)| {
                Some(sum.saturating_add(n.saturating_mul((*p)?.0)))
            })
            .unwrap_or(0);
        if priced >= min_amount.0 {
            return OrderCheck::MixedAmount;
        }
    }
    match needed {
        None if rule.min_amount.is_none() => OrderCheck::NoMinimum,
        Some(n) if total >= n => OrderCheck::MixedPieces,
        n => OrderCheck::Below {
            pieces: total,
            needed: n.unwrap_or(0),
            mixed: true,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn skus_are_read_with_ids_as_text_and_caps() {
        let data = obj(json!({"productSkuInfos": [
            {"skuId": 4878065068300u64, "specId": "2b36920d", "price": "14.9",
             "promotionPrice": 13.5, "amountOnSale": "1,030",
             "skuAttributes": [
                {"attributeName": "颜色", "attributeNameTrans": "Colour", "value": "红",
                 "valueTrans": "Red", "skuImageUrl": "https://cbu01.alicdn.com/a.jpg"},
                {"attributeName": "尺码", "value": 42, "skuImageUrl": "javascript:x"},
                "junk"
             ]},
            {"skuId": "4878065068301", "price": null, "amountOnSale": [1], "skuAttributes": null},
            {"skuId": 1.5, "price": "1"},
            {"price": "2"},
            "junk"
        ]}));
        let skus = read_skus(&data);
        assert_eq!(skus.len(), 2);
        let a = &skus[0];
        assert_eq!(a.id, "4878065068300");
        assert_eq!(a.spec_id.as_deref(), Some("2b36920d"));
        assert_eq!(
            (a.price, a.promotion_price),
            (Some(Price(1490)), Some(Price(1350)))
        );
        assert_eq!(a.own_price(), Some(Price(1350)));
        assert_eq!(a.stock, Some(1030));
        assert_eq!(a.attributes.len(), 2);
        assert_eq!(a.attributes[0].name_en.as_deref(), Some("Colour"));
        assert_eq!(
            a.attributes[0].image.as_deref(),
            Some("https://cbu01.alicdn.com/a.jpg")
        );
        assert_eq!(a.attributes[1].value.as_deref(), Some("42"));
        assert_eq!(a.attributes[1].image, None);
        assert_eq!(a.label(), "Red / 42");
        let b = &skus[1];
        assert_eq!((b.price, b.stock, b.attributes.len()), (None, None, 0));
        assert_eq!(b.own_price(), None);

        let many: Vec<Value> = (0..MAX_SKUS + 10)
            .map(|i| json!({"skuId": i, "skuAttributes": vec![json!({"value": "v"}); 20]}))
            .collect();
        let skus = read_skus(&obj(json!({ "productSkuInfos": many })));
        assert_eq!(skus.len(), MAX_SKUS);
        assert_eq!(skus[0].attributes.len(), MAX_SKU_ATTRIBUTES);
        assert!(read_skus(&obj(json!({"productSkuInfos": "x"}))).is_empty());
        assert!(read_skus(&obj(json!({}))).is_empty());
        // The older name is read too.
        assert_eq!(
            read_skus(&obj(json!({"skuInfos": [{"skuId": "7"}]})))[0].id,
            "7"
        );
    }

    #[test]
    fn shipping_is_read_in_integer_units() {
        let s = obj(json!({
            "weight": "0.42", "length": 20, "width": "10.5", "height": 3,
            "pkgSizeSource": "商家自填",
            "officialWeight": null,
            "skuShippingDetails": [
                {"skuId": "11", "weight": 0.15, "length": 1, "width": 2, "height": null,
                 "pkgSizeSource": "官方测量", "aiWeight": "0.2", "aiWeightAccuracy": "80%"},
                {"skuId": 12, "weight": "heavy"}
            ],
            "skuShippingInfoList": [{"skuId": 13, "weight": 150}]
        }));
        let sh = read_shipping(Some(&s));
        assert_eq!(sh.offer.weight_g, Some(420));
        assert_eq!(
            sh.offer.dims,
            Some(Dims {
                length_mm: 200,
                width_mm: 105,
                height_mm: 30
            })
        );
        assert_eq!(sh.offer.source, Some(SizeSource::Merchant));
        assert_eq!(sh.offer.official_weight_g, None);
        assert_eq!(sh.skus.len(), 2);
        assert_eq!(sh.skus[0].sku_id.as_deref(), Some("11"));
        assert_eq!(sh.skus[0].size.weight_g, Some(150));
        assert_eq!(sh.skus[0].size.dims, None, "all three or none");
        assert_eq!(sh.skus[0].size.source, Some(SizeSource::Measured));
        assert_eq!(sh.skus[0].size.ai_weight_g, Some(200));
        assert_eq!(sh.skus[1].size.weight_g, None);
        assert_eq!(sh.skus_old[0].size.weight_g, Some(150), "grams as sent");
        assert!(sh.skus_old[0].unit_uncertain);
        assert_eq!(read_shipping(None), Shipping::default());
    }

    #[test]
    fn size_sources_are_read_by_substring() {
        assert_eq!(
            SizeSource::parse("预测-同款放大"),
            Some(SizeSource::Predicted)
        );
        assert_eq!(SizeSource::parse("商家自填"), Some(SizeSource::Merchant));
        assert_eq!(SizeSource::parse("官方测量"), Some(SizeSource::Measured));
        assert_eq!(
            SizeSource::parse("Merchant filled"),
            Some(SizeSource::Merchant)
        );
        assert_eq!(
            SizeSource::parse("其他"),
            Some(SizeSource::Unknown("其他".into()))
        );
        assert_eq!(SizeSource::parse(" "), None);
        assert_eq!(SizeSource::parse("null"), None);
    }

    #[test]
    fn mix_rules_and_quote_types_are_read_tolerantly() {
        let m = read_mix(&obj(json!({"sellerMixSetting":
            {"generalHunpi": true, "mixAmount": "100", "mixNumber": "2"}})));
        assert_eq!(
            m,
            Some(MixRule {
                allowed: true,
                min_amount: Some(Price(10_000)),
                min_pieces: Some(2)
            })
        );
        let m = read_mix(&obj(json!({"sellerMixSetting":
            {"isGeneralHunpi": "true", "mixAmount": 0, "mixNumber": null}})));
        assert_eq!(
            m,
            Some(MixRule {
                allowed: true,
                min_amount: None,
                min_pieces: None
            })
        );
        let m = read_mix(&obj(json!({"sellerMixSetting": {"generalHunpi": "x"}})));
        assert_eq!(m.map(|m| m.allowed), Some(false));
        assert_eq!(read_mix(&obj(json!({"sellerMixSetting": 3}))), None);
        assert_eq!(read_mix(&obj(json!({}))), None);

        let q = |v: Value| read_quote_type(Some(&obj(json!({ "quoteType": v }))));
        assert_eq!(q(json!("1")), Some(QuoteType::PerSku));
        assert_eq!(q(json!(0)), Some(QuoteType::ByQuantity));
        assert_eq!(q(json!(2)), Some(QuoteType::SkusByQuantity));
        assert_eq!(q(json!(3)), Some(QuoteType::SkuRanges));
        assert_eq!(q(json!(9)), Some(QuoteType::Other(9)));
        assert_eq!(q(json!(null)), None);
        let unit = obj(json!({"unitInfo": {"unit": "盒", "transUnit": "Box"}}));
        assert_eq!(read_unit(Some(&unit)).as_deref(), Some("Box"));
        assert_eq!(
            read_unit(Some(&obj(json!({"unitInfo": {"unit": "盒"}})))).as_deref(),
            Some("盒")
        );
        assert_eq!(read_unit(None), None);
    }

    fn sku(id: &str, fen: Option<u64>) -> Sku {
        Sku {
            id: id.into(),
            price: fen.map(Price),
            ..Sku::default()
        }
    }

    #[test]
    fn the_sku_price_applies_only_when_the_offer_prices_per_sku() {
        let skus = [sku("1", Some(1490)), sku("2", Some(1390)), sku("3", None)];
        let tiers = [Price(1390)];
        // quoteType 1: the SKU's own price.
        assert!(sku_price_applies(
            Some(QuoteType::PerSku),
            &tiers,
            &skus,
            &skus[0]
        ));
        // No quote type, but the one tier is the cheapest SKU: a "from" price.
        assert!(sku_price_applies(None, &tiers, &skus, &skus[0]));
        // Tiered by quantity with several tiers: the tiers.
        let tiered = [Price(1500), Price(1200)];
        assert!(!sku_price_applies(
            Some(QuoteType::SkusByQuantity),
            &tiered,
            &skus,
            &skus[0]
        ));
        // No tiers at all: the SKU's price.
        assert!(sku_price_applies(
            Some(QuoteType::ByQuantity),
            &[],
            &skus,
            &skus[0]
        ));
        // A SKU without a price never applies.
        assert!(!sku_price_applies(
            Some(QuoteType::PerSku),
            &tiers,
            &skus,
            &skus[2]
        ));
    }

    #[test]
    fn the_weight_chain_says_where_a_weight_came_from() {
        let s = read_shipping(Some(&obj(json!({
            "weight": 0.5, "pkgSizeSource": "预测-同款放大", "officialWeight": 0.45,
            "skuShippingDetails": [
                {"skuId": "1", "weight": "0.2", "pkgSizeSource": "官方测量"},
                {"skuId": "2", "aiWeight": 0.3, "aiWeightAccuracy": "80%"},
                {"skuId": "4", "weight": 0},
                {"skuId": "5", "weight": 900}
            ],
            "skuShippingInfoList": [{"skuId": 3, "weight": 120}]
        }))));
        let w = |id: &str| weight_for(&s, Some(&sku(id, None)));
        assert_eq!(
            w("1"),
            Weight::Known {
                grams: 200,
                from: WeightFrom::Sku(Some(SizeSource::Measured))
            }
        );
        // The offer's weight before the AI guess and the old list.
        assert_eq!(
            w("2"),
            Weight::Known {
                grams: 500,
                from: WeightFrom::Offer(Some(SizeSource::Predicted))
            }
        );
        assert_eq!(w("4").grams(), None);
        assert!(matches!(w("4"), Weight::Implausible { grams: 0, .. }));
        assert!(matches!(w("5"), Weight::Implausible { grams: 900_000, .. }));
        // Without an offer weight: the official, then the AI guess, then the old list.
        let bare = read_shipping(Some(&obj(json!({
            "skuShippingDetails": [{"skuId": "2", "aiWeight": 0.3, "aiWeightAccuracy": "80%"}],
            "skuShippingInfoList": [{"skuId": 3, "weight": 120}]
        }))));
        assert_eq!(
            weight_for(&bare, Some(&sku("2", None))),
            Weight::Known {
                grams: 300,
                from: WeightFrom::AiGuess(Some("80%".into()))
            }
        );
        let old = weight_for(&bare, Some(&sku("3", None)));
        assert_eq!(
            old,
            Weight::Known {
                grams: 120,
                from: WeightFrom::OldList
            }
        );
        assert!(WeightFrom::OldList.describe().contains("uncertain"));
        assert_eq!(weight_for(&bare, None), Weight::Unknown);
        assert_eq!(weight_for(&Shipping::default(), None), Weight::Unknown);
        let official = read_shipping(Some(&obj(json!({"officialWeight": "0.45"}))));
        assert_eq!(
            weight_for(&official, None),
            Weight::Known {
                grams: 450,
                from: WeightFrom::OfferOfficial
            }
        );
    }

    #[test]
    fn mixed_batches_reach_the_minimum_together() {
        let mix = MixRule {
            allowed: true,
            min_amount: Some(Price(10_000)),
            min_pieces: Some(10),
        };
        let p = Some(Price(100));
        // One line: the minimum order, mix or not.
        assert_eq!(
            check_order(Some(50), Some(&mix), &[(50, p)]),
            OrderCheck::EachLine
        );
        assert_eq!(
            check_order(Some(50), Some(&mix), &[(49, p)]),
            OrderCheck::Below {
                pieces: 49,
                needed: 50,
                mixed: false
            }
        );
        // Mixed: 6 + 4 pieces reach mixNumber 10.
        assert_eq!(
            check_order(Some(50), Some(&mix), &[(6, p), (4, p)]),
            OrderCheck::MixedPieces
        );
        // Mixed: 3 + 3 pieces at ¥20 = ¥120 reach mixAmount ¥100.
        let dear = Some(Price(2000));
        assert_eq!(
            check_order(Some(50), Some(&mix), &[(3, dear), (3, dear)]),
            OrderCheck::MixedAmount
        );
        // An unknown price does not count towards the amount.
        assert_eq!(
            check_order(Some(50), Some(&mix), &[(3, dear), (3, None)]),
            OrderCheck::Below {
                pieces: 6,
                needed: 10,
                mixed: true
            }
        );
        // Mixing not allowed: every line on its own.
        let no = MixRule {
            allowed: false,
            ..mix
        };
        assert_eq!(
            check_order(Some(5), Some(&no), &[(6, p), (4, p)]),
            OrderCheck::Below {
                pieces: 4,
                needed: 5,
                mixed: false
            }
        );
        // Mixing allowed with no mixNumber: the minimum order, together.
        let bare = MixRule {
            allowed: true,
            min_amount: None,
            min_pieces: None,
        };
        assert_eq!(
            check_order(Some(10), Some(&bare), &[(6, p), (4, p)]),
            OrderCheck::MixedPieces
        );
        assert_eq!(
            check_order(None, Some(&bare), &[(1, p), (1, p)]),
            OrderCheck::NoMinimum
        );
        assert_eq!(check_order(None, None, &[(1, p)]), OrderCheck::NoMinimum);
        assert!(
            !OrderCheck::Below {
                pieces: 1,
                needed: 2,
                mixed: true
            }
            .meets()
        );
    }
}
