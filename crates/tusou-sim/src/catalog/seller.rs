//! The catalog's sellers: a fixed pool drawn from the seed, each carrying
//! many offers across the catalog, with the supplier signals 1688 sends
//! (identities, years, scores, rates, certificates) in the simulator's own
//! integer units, and their wire forms (some missing, some text-typed), as
//! `docs/research/issue25-supplier-fields.md` found them.

use serde_json::{Map, Value, json};

use super::generate::Rng;
use super::vocab::{CITIES, SYLLABLES};

/// Sellers in a catalog (about 20 offers each in the default catalog of 2400).
pub const SELLERS: u64 = 120;
const SELLER_SALT: u64 = 0x5e11_e125_u64;

/// How a seller's numbers are written on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberStyle {
    /// As documented: text, rates with a `%` (`"99.12%"`), scores `"4.5"`.
    Documented,
    /// JSON numbers: rates as fractions (`0.9912`), scores `4.5`, years `7`.
    Numbers,
    /// Text without a `%` (`"99.12"`; a rate of 1 % or less keeps its `%`,
    /// since a bare number up to 1 reads as a fraction), years as text.
    BareText,
}

/// One seller. Rates in basis points (10 000 = 100 %), scores in hundredths
/// of the 0–5 scale; `None` is a field the seller's replies leave out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimSeller {
    pub index: u64,
    /// `sellerOpenId`.
    pub open_id: String,
    /// `companyName`.
    pub company: String,
    pub factory: bool,
    /// `sellerIdentities` codes (an unknown one now and then).
    pub identities: Vec<String>,
    pub tp_years: Option<u32>,
    pub trade_score: Option<u16>,
    pub composite_service: Option<u16>,
    pub logistics: Option<u16>,
    pub dispute: Option<u16>,
    pub offer_experience: Option<u16>,
    pub consulting: Option<u16>,
    pub after_sales: Option<u16>,
    pub repeat_purchase: Option<u16>,
    pub pickup_48h_30d: Option<u16>,
    pub quality_refund_30d: Option<u16>,
    pub perfect_fulfillment_30d: Option<u16>,
    pub pickup_24h_30d: Option<u16>,
    pub quality_return_30d: Option<u16>,
    pub delayed_shipping_7d: Option<u16>,
    /// (name, code) of each certificate.
    pub certificates: Vec<(String, String)>,
    pub style: NumberStyle,
}

const TRADES: &[&str] = &["服饰", "鞋业", "箱包", "饰品", "日用品", "玩具", "家居"];

impl SimSeller {
    /// Seller `index` of the catalog drawn from `seed`.
    pub fn of(seed: u64, index: u64) -> SimSeller {
        let mut rng = Rng::new(seed ^ SELLER_SALT ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15));
        let factory = rng.chance(0.4);
        let n = SYLLABLES.len() as u64;
        // Two syllables from the index: no two sellers share a name.
        let company = format!(
            "{}{}{}{}{}",
            rng.pick(CITIES),
            SYLLABLES[(index % n) as usize],
            SYLLABLES[((index / n) % n) as usize],
            rng.pick(TRADES),
            if factory {
                "制品厂"
            } else {
                "贸易有限公司"
            }
        );
        let mut identities = Vec::new();
        if factory {
            identities.push(if rng.chance(0.5) {
                "super_factory"
            } else {
                "certified_factory"
            });
        }
        if rng.chance(0.6) {
            identities.push("tp_member");
        }
        if rng.chance(0.2) {
            identities.push("powerful_merchants");
        }
        if rng.chance(0.05) {
            identities.push("yx_select");
        }
        let maybe = |rng: &mut Rng, lo: u64, hi: u64, step: u64| -> Option<u16> {
            (!rng.chance(0.1)).then(|| (lo + rng.below((hi - lo) / step + 1) * step) as u16)
        };
        let tp_years =
            (!rng.chance(0.1)).then(|| 1 + rng.below(if factory { 15 } else { 8 }) as u32);
        let trade_score = maybe(&mut rng, 300, 500, 10);
        let composite_service = maybe(&mut rng, 300, 500, 50);
        let logistics = maybe(&mut rng, 300, 500, 50);
        let dispute = maybe(&mut rng, 300, 500, 50);
        let offer_experience = maybe(&mut rng, 300, 500, 50);
        let consulting = maybe(&mut rng, 300, 500, 50);
        let after_sales = maybe(&mut rng, 300, 500, 50);
        let repeat_purchase = maybe(&mut rng, 500, 6000, 1);
        let pickup_48h_30d = maybe(&mut rng, 7000, 10_000, 1);
        let quality_refund_30d = maybe(&mut rng, 0, 500, 1);
        let perfect_fulfillment_30d = maybe(&mut rng, 8500, 10_000, 1);
        let pickup_24h_30d = maybe(&mut rng, 6000, 10_000, 1);
        let quality_return_30d = maybe(&mut rng, 0, 500, 1);
        let delayed_shipping_7d = maybe(&mut rng, 0, 1500, 1);
        let certificates = if factory && rng.chance(0.5) {
            vec![(
                "外观专利证书".to_string(),
                format!(
                    "ZL 20{:02} 3 {:07}.{}",
                    15 + rng.below(10),
                    rng.below(10_000_000),
                    rng.below(10)
                ),
            )]
        } else {
            Vec::new()
        };
        let style = match rng.below(10) {
            0..=6 => NumberStyle::Documented,
            7 | 8 => NumberStyle::Numbers,
            _ => NumberStyle::BareText,
        };
        SimSeller {
            index,
            open_id: format!(
                "BBBs{:012x}",
                (seed ^ SELLER_SALT).wrapping_add(index) & 0xffff_ffff_ffff
            ),
            company,
            factory,
            identities: identities.into_iter().map(str::to_string).collect(),
            tp_years,
            trade_score,
            composite_service,
            logistics,
            dispute,
            offer_experience,
            consulting,
            after_sales,
            repeat_purchase,
            pickup_48h_30d,
            quality_refund_30d,
            perfect_fulfillment_30d,
            pickup_24h_30d,
            quality_return_30d,
            delayed_shipping_7d,
            certificates,
            style,
        }
    }

    /// Which seller lists the offer `offer_id` (its own stream, so the
    /// offers' other draws stay as they were).
    pub fn index_for(seed: u64, offer_id: u64) -> u64 {
        Rng::new(seed ^ SELLER_SALT ^ offer_id.rotate_left(17)).below(SELLERS)
    }

    fn rate(&self, bp: Option<u16>) -> Value {
        let Some(bp) = bp else { return Value::Null };
        let percent = format!("{}.{:02}", bp / 100, bp % 100);
        match self.style {
            NumberStyle::Documented => Value::String(format!("{percent}%")),
            NumberStyle::Numbers => json!(f64::from(bp) / 10_000.0),
            NumberStyle::BareText if bp > 100 => Value::String(percent),
            NumberStyle::BareText => Value::String(format!("{percent}%")),
        }
    }

    /// A detail percent: documented as a fraction in text (`"0.4666"`).
    fn fraction(&self, bp: Option<u16>) -> Value {
        let Some(bp) = bp else { return Value::Null };
        match self.style {
            NumberStyle::Numbers => json!(f64::from(bp) / 10_000.0),
            _ => Value::String(format!("{}.{:04}", bp / 10_000, bp % 10_000)),
        }
    }

    fn score(&self, h: Option<u16>) -> Value {
        let Some(h) = h else { return Value::Null };
        match self.style {
            NumberStyle::Numbers => json!(f64::from(h) / 100.0),
            _ => Value::String(format!("{}.{:02}", h / 100, h % 100)),
        }
    }

    fn years(&self) -> Value {
        match (self.tp_years, self.style) {
            (None, _) => Value::Null,
            (Some(y), NumberStyle::BareText) => Value::String(y.to_string()),
            (Some(y), _) => json!(y),
        }
    }

    /// Puts `v` under `key` unless it is null (a field left out).
    fn put(map: &mut Map<String, Value>, key: &str, v: Value) {
        if !v.is_null() {
            map.insert(key.to_string(), v);
        }
    }

    /// `tradeScore` of a search item (null when unknown).
    pub fn trade_score_wire(&self) -> Value {
        self.score(self.trade_score)
    }

    /// A search item's `sellerDataInfo`: `tpYear` and the service score.
    pub fn item_data_info(&self) -> Value {
        let mut m = Map::new();
        Self::put(&mut m, "tpYear", self.years());
        Self::put(
            &mut m,
            "compositeServiceScore",
            self.score(self.composite_service),
        );
        Value::Object(m)
    }

    /// A search item's `productSimpleShippingInfo` rates (the guarantee is
    /// the offer's, added by the caller).
    pub fn item_shipping_info(&self, guarantee: Option<&str>) -> Value {
        let mut m = Map::new();
        if let Some(g) = guarantee {
            m.insert("shippingTimeGuarantee".into(), Value::String(g.into()));
        }
        Self::put(
            &mut m,
            "perfectFulfillmentRate30d",
            self.rate(self.perfect_fulfillment_30d),
        );
        Self::put(
            &mut m,
            "pickupWithin24hRate30d",
            self.rate(self.pickup_24h_30d),
        );
        Self::put(
            &mut m,
            "qualityReturnRate30d",
            self.rate(self.quality_return_30d),
        );
        Self::put(
            &mut m,
            "delayedShippingRate7d",
            self.rate(self.delayed_shipping_7d),
        );
        Value::Object(m)
    }

    /// The detail's `sellerDataInfo`: the scores and the percents (as
    /// fractions, like the official example).
    pub fn detail_data_info(&self) -> Value {
        let mut m = Map::new();
        Self::put(
            &mut m,
            "compositeServiceScore",
            self.score(self.composite_service),
        );
        Self::put(
            &mut m,
            "logisticsExperienceScore",
            self.score(self.logistics),
        );
        Self::put(&mut m, "disputeComplaintScore", self.score(self.dispute));
        Self::put(
            &mut m,
            "offerExperienceScore",
            self.score(self.offer_experience),
        );
        Self::put(
            &mut m,
            "consultingExperienceScore",
            self.score(self.consulting),
        );
        Self::put(
            &mut m,
            "afterSalesExperienceScore",
            self.score(self.after_sales),
        );
        Self::put(
            &mut m,
            "repeatPurchasePercent",
            self.fraction(self.repeat_purchase),
        );
        // Sent as null when unknown, as one public client saw it.
        m.insert(
            "collect30DayWithin48HPercent".into(),
            self.fraction(self.pickup_48h_30d),
        );
        Self::put(
            &mut m,
            "qualityRefundWithin30Day",
            self.fraction(self.quality_refund_30d),
        );
        Value::Object(m)
    }

    /// The detail's `offerIdentities`: the names in Chinese, as the
    /// official table's example writes them; unknown codes as they are.
    pub fn detail_identities(&self) -> Vec<String> {
        self.identities
            .iter()
            .map(|code| {
                match code.as_str() {
                    "super_factory" => "超级工厂",
                    "powerful_merchants" => "实力商家",
                    "tp_member" => "诚信通",
                    "certified_factory" => "认证工厂",
                    other => other,
                }
                .to_string()
            })
            .collect()
    }

    /// The detail's `certificateList`.
    pub fn certificate_list(&self) -> Vec<Value> {
        self.certificates
            .iter()
            .map(|(name, code)| {
                json!({
                    "certificateName": name,
                    "certificateCode": code,
                    "certificatePhotoList": ["https://cbu01.alicdn.com/img/ibank/cert.jpg"],
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sellers_are_deterministic_distinct_and_in_range() {
        let all: Vec<SimSeller> = (0..SELLERS).map(|i| SimSeller::of(7, i)).collect();
        assert_eq!(
            all,
            (0..SELLERS)
                .map(|i| SimSeller::of(7, i))
                .collect::<Vec<_>>()
        );
        let names: std::collections::HashSet<_> = all.iter().map(|s| &s.company).collect();
        assert_eq!(names.len(), all.len(), "company names are distinct");
        let ids: std::collections::HashSet<_> = all.iter().map(|s| &s.open_id).collect();
        assert_eq!(ids.len(), all.len());
        for s in &all {
            for h in [
                s.trade_score,
                s.composite_service,
                s.logistics,
                s.after_sales,
            ]
            .into_iter()
            .flatten()
            {
                assert!((300..=500).contains(&h));
            }
            for bp in [
                s.repeat_purchase,
                s.pickup_48h_30d,
                s.perfect_fulfillment_30d,
                s.delayed_shipping_7d,
            ]
            .into_iter()
            .flatten()
            {
                assert!(bp <= 10_000);
            }
            assert_eq!(
                s.factory,
                s.identities.iter().any(|i| i.contains("factory"))
            );
        }
        // Every style and some missing fields occur.
        for style in [
            NumberStyle::Documented,
            NumberStyle::Numbers,
            NumberStyle::BareText,
        ] {
            assert!(all.iter().any(|s| s.style == style), "{style:?}");
        }
        assert!(all.iter().any(|s| s.tp_years.is_none()));
        assert!(all.iter().any(|s| s.pickup_48h_30d.is_none()));
        assert!(all.iter().any(|s| s.factory) && all.iter().any(|s| !s.factory));
    }

    #[test]
    fn wire_forms_follow_the_style() {
        let mut s = SimSeller::of(1, 0);
        s.perfect_fulfillment_30d = Some(9912);
        s.quality_return_30d = Some(50);
        s.tp_years = Some(7);
        s.style = NumberStyle::Documented;
        let ship = s.item_shipping_info(Some("shipIn48Hours"));
        assert_eq!(ship["perfectFulfillmentRate30d"], "99.12%");
        assert_eq!(ship["shippingTimeGuarantee"], "shipIn48Hours");
        assert_eq!(s.item_data_info()["tpYear"], 7);
        s.style = NumberStyle::Numbers;
        assert_eq!(
            s.item_shipping_info(None)["perfectFulfillmentRate30d"],
            0.9912
        );
        s.style = NumberStyle::BareText;
        let ship = s.item_shipping_info(None);
        assert_eq!(ship["perfectFulfillmentRate30d"], "99.12");
        assert_eq!(
            ship["qualityReturnRate30d"], "0.50%",
            "1 % or less keeps its sign"
        );
        assert_eq!(s.item_data_info()["tpYear"], "7");
        s.pickup_48h_30d = None;
        assert_eq!(
            s.detail_data_info()["collect30DayWithin48HPercent"],
            Value::Null
        );
        s.tp_years = None;
        assert!(s.item_data_info().get("tpYear").is_none());
    }

    #[test]
    fn sellers_carry_several_offers() {
        let offers = super::super::generate(crate::DEFAULT_SEED, 600);
        let mut per: std::collections::HashMap<u64, usize> = Default::default();
        for o in &offers {
            *per.entry(o.seller.index).or_default() += 1;
            assert_eq!(o.company_name, o.seller.company);
        }
        assert!(per.values().filter(|n| **n >= 3).count() > 50, "{per:?}");
    }
}
