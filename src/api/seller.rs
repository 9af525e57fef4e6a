//! Who sells an offer: the supplier signals 1688 sends on image-search
//! items (`sellerIdentities`, `tradeScore`, `companyName`,
//! `productSimpleShippingInfo` rates, `sellerDataInfo`) and in an offer's
//! detail (`sellerOpenId`, `companyName`, `sellerDataInfo` scores and
//! percents, `certificateList`), read tolerantly into exact types.
//!
//! Field names, types and the reading rules are in
//! `docs/research/issue25-supplier-fields.md`. A rate may come as `0.92`,
//! `"92%"`, `"92"` or text; it is read in one place ([`read_rate`]) into
//! basis points. A score (0–5) is read in [`read_score`] into hundredths.
//! Anything unreadable or out of range is absent, never zero.
//!
//! Text fields are raw server text: sanitise before display.

use super::read::{count, scaled, text};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Identities kept per seller (a real item lists three at most).
const MAX_IDENTITIES: usize = 16;
/// Certificates kept from a detail.
const MAX_CERTIFICATES: usize = 16;
/// Photos kept per certificate.
const MAX_CERTIFICATE_PHOTOS: usize = 4;
/// Characters kept of a company name, an open id, an identity or a
/// certificate's name or code.
const MAX_TEXT_CHARS: usize = 200;
/// Years on the platform above this are not a plausible `tpYear`.
const MAX_TP_YEARS: u64 = 60;

/// A rate (a share of orders, refunds…) in basis points: 10 000 is 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Rate(u16);

impl Rate {
    /// 100 %.
    pub const FULL: u16 = 10_000;

    /// A rate from basis points; above 10 000 (100 %) is `None`.
    pub fn from_basis_points(bp: u16) -> Option<Rate> {
        (bp <= Self::FULL).then_some(Rate(bp))
    }

    pub fn basis_points(self) -> u16 {
        self.0
    }

    /// As percent text with at most two decimals and no trailing zeros:
    /// `92`, `99.12`, `0.5`.
    pub fn percent_text(self) -> String {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }
}

impl TryFrom<u16> for Rate {
    type Error = String;
    fn try_from(bp: u16) -> Result<Self, Self::Error> {
        Rate::from_basis_points(bp).ok_or_else(|| format!("{bp} basis points is over 100 %"))
    }
}

impl From<Rate> for u16 {
    fn from(r: Rate) -> u16 {
        r.0
    }
}

/// A 1688 score on its 0–5 scale, in hundredths: 450 is 4.5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct Score(u16);

impl Score {
    /// 5.00, the top of the scale.
    pub const MAX: u16 = 500;

    pub fn from_hundredths(h: u16) -> Option<Score> {
        (h <= Self::MAX).then_some(Score(h))
    }

    pub fn hundredths(self) -> u16 {
        self.0
    }

    /// `4.5`, `5`, `3.25`.
    pub fn text(self) -> String {
        let (whole, frac) = (self.0 / 100, self.0 % 100);
        match frac {
            0 => whole.to_string(),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        }
    }
}

impl TryFrom<u16> for Score {
    type Error = String;
    fn try_from(h: u16) -> Result<Self, Self::Error> {
        Score::from_hundredths(h).ok_or_else(|| format!("score {h}/100 is over 5"))
    }
}

impl From<Score> for u16 {
    fn from(s: Score) -> u16 {
        s.0
    }
}

/// A rate as providers send it, in basis points. The one reading rule:
/// - with a `%` sign (`"92%"`, `"99.12 %"`): percent;
/// - a bare number (JSON or text) of at most 1 (`0.92`, `"1"`): a fraction
///   of one (the detail's `repeatPurchasePercent` `"0.4666"`);
/// - a bare number above 1 and at most 100 (`"92"`, `11`): percent.
///
/// Rounded half-up to the basis point. Negative, above 100 %, text that is
/// not a number, `""` and `null` are absent (the official keyword-search
/// page says an empty rate means 0; tusou keeps it unknown and lets the
/// user choose). A bare `0.5` meant as half a percent reads as 50 %: the
/// documents do not settle it (see the research notes, confidence L).
pub fn read_rate(v: Option<&Value>) -> Option<Rate> {
    let t = text(v)?;
    let (number, percent_sign) = match t.strip_suffix(['%', '％']) {
        Some(n) => (n.trim(), true),
        None => (t.as_str(), false),
    };
    let as_value = Value::String(number.to_string());
    // Hundredths of the number: 0.92 → 92, 92 → 9200.
    let hundredths = scaled(Some(&as_value), 2)?;
    let bp = if percent_sign || hundredths > 100 {
        // Percent: basis points are hundredths of a percent.
        hundredths
    } else {
        // A fraction of one: basis points are its ten-thousandths.
        scaled(Some(&as_value), 4)?
    };
    u16::try_from(bp).ok().and_then(Rate::from_basis_points)
}

/// A score on the 0–5 scale (`"4.5"`, `5`, `"5.0"`) in hundredths; above 5,
/// negative or not a number is absent.
pub fn read_score(v: Option<&Value>) -> Option<Score> {
    let h = scaled(v, 2)?;
    u16::try_from(h).ok().and_then(Score::from_hundredths)
}

/// Years on the platform (`tpYear`, an Integer): a whole count up to
/// [`MAX_TP_YEARS`], number or text.
pub fn read_tp_years(v: Option<&Value>) -> Option<u32> {
    count(v)
        .filter(|y| *y <= MAX_TP_YEARS)
        .and_then(|y| u32::try_from(y).ok())
}

/// A seller identity (`sellerIdentities[]`, the detail's `offerIdentities`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Identity {
    /// `super_factory` (超级工厂).
    SuperFactory,
    /// `certified_factory` / `verified_factory` (认证工厂 / 源头工厂).
    Factory,
    /// `powerful_merchants` (实力商家).
    PowerMerchant,
    /// `tp_member` (诚信通会员).
    TpMember,
    /// Any other code, kept as sent (raw server text: sanitise to show).
    Other(String),
}

impl Identity {
    /// Reads one identity: a code (`tp_member`), a code with its Chinese
    /// name (`tp_member-诚信通会员`, as the official table writes them), or
    /// the Chinese name alone (the detail's `超级工厂`). Empty is `None`.
    pub fn parse(raw: &str) -> Option<Identity> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        let code = raw
            .split_once('-')
            .filter(|(code, _)| {
                !code.is_empty() && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            })
            .map_or(raw, |(code, _)| code);
        Some(match code.to_ascii_lowercase().as_str() {
            "super_factory" | "超级工厂" => Identity::SuperFactory,
            "certified_factory" | "verified_factory" | "认证工厂" | "源头工厂" => {
                Identity::Factory
            }
            "powerful_merchants" | "powerful_merchant" | "实力商家" => Identity::PowerMerchant,
            "tp_member" | "诚信通" | "诚信通会员" => Identity::TpMember,
            _ => Identity::Other(raw.chars().take(MAX_TEXT_CHARS).collect()),
        })
    }

    /// A short English label; an unknown code as sent (sanitise to show).
    pub fn label(&self) -> &str {
        match self {
            Identity::SuperFactory => "super factory",
            Identity::Factory => "factory",
            Identity::PowerMerchant => "power merchant",
            Identity::TpMember => "TP member",
            Identity::Other(s) => s,
        }
    }

    /// Whether it says the seller makes the goods.
    pub fn is_factory(&self) -> bool {
        matches!(self, Identity::SuperFactory | Identity::Factory)
    }
}

/// Identities from a list of strings, or from one string of several joined
/// by `,`, `，`, `;` or spaces. Duplicates are dropped, unknown codes kept.
pub fn read_identities(v: Option<&Value>) -> Vec<Identity> {
    let mut out: Vec<Identity> = Vec::new();
    let mut add = |s: &str| {
        for part in s.split([',', '，', ';', '；', ' ']) {
            if out.len() >= MAX_IDENTITIES {
                return;
            }
            if let Some(id) = Identity::parse(part)
                && !out.contains(&id)
            {
                out.push(id);
            }
        }
    };
    match v {
        Some(Value::Array(list)) => {
            for item in list.iter().take(MAX_IDENTITIES * 2) {
                if let Some(s) = text(Some(item)) {
                    add(&s);
                }
            }
        }
        Some(Value::String(s)) => add(s),
        _ => {}
    }
    out
}

/// One `certificateList[]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Certificate {
    /// `certificateName`, e.g. 外观专利证书.
    pub name: Option<String>,
    /// `certificateCode`, e.g. a patent number.
    pub code: Option<String>,
    /// `certificatePhotoList[]`: http(s) addresses only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
}

fn short_text(v: Option<&Value>) -> Option<String> {
    text(v).map(|s| s.chars().take(MAX_TEXT_CHARS).collect())
}

/// `certificateList`: a list of objects; entries with neither a name nor a
/// code are left out.
pub fn read_certificates(v: Option<&Value>) -> Vec<Certificate> {
    let Some(list) = v.and_then(Value::as_array) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(Value::as_object)
        .filter_map(|c| {
            let name = short_text(c.get("certificateName"));
            let code = short_text(c.get("certificateCode"));
            if name.is_none() && code.is_none() {
                return None;
            }
            let photos = c
                .get("certificatePhotoList")
                .and_then(Value::as_array)
                .map(|ps| {
                    ps.iter()
                        .filter_map(|p| text(Some(p)))
                        .filter(|u| crate::text::is_url(u))
                        .take(MAX_CERTIFICATE_PHOTOS)
                        .collect()
                })
                .unwrap_or_default();
            Some(Certificate { name, code, photos })
        })
        .take(MAX_CERTIFICATES)
        .collect()
}

/// Everything known about an offer's seller, from a search item or a
/// detail (each fills what it carries; [`Seller::merge`] joins the two).
/// Every field may be absent: absent means unknown, never zero.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Seller {
    /// `sellerOpenId` (detail): the seller's encrypted id, stable across offers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_id: Option<String>,
    /// `companyName` (search items and detail): the shop's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    /// `sellerIdentities` (items) / `offerIdentities` (detail).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub identities: Vec<Identity>,
    /// `sellerDataInfo.tpYear`: years as a 诚信通 (TrustPass) member.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tp_years: Option<u32>,
    /// `tradeScore`: the offer's trade rating, 0–5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trade_score: Option<Score>,
    /// `sellerDataInfo.compositeServiceScore` (综合服务分), 0–5.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub composite_service: Option<Score>,
    /// `logisticsExperienceScore` (物流体验分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logistics: Option<Score>,
    /// `disputeComplaintScore` (纠纷投诉处理分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dispute: Option<Score>,
    /// `offerExperienceScore` (商品体验分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offer_experience: Option<Score>,
    /// `consultingExperienceScore` (咨询体验分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consulting: Option<Score>,
    /// `afterSalesExperienceScore` (售后/退换体验分).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_sales: Option<Score>,
    /// `repeatPurchasePercent` (卖家回头率).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repeat_purchase: Option<Rate>,
    /// `collect30DayWithin48HPercent`: orders picked up by the carrier
    /// within 48 h, last 30 days (最近30天48H揽收率).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_48h_30d: Option<Rate>,
    /// `qualityRefundWithin30Day`: quality refunds, last 30 days.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality_refund_30d: Option<Rate>,
    /// `productSimpleShippingInfo.perfectFulfillmentRate30d` (完美履约率).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub perfect_fulfillment_30d: Option<Rate>,
    /// `productSimpleShippingInfo.pickupWithin24hRate30d` (24h揽收率).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pickup_24h_30d: Option<Rate>,
    /// `productSimpleShippingInfo.qualityReturnRate30d` (品质退货率).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality_return_30d: Option<Rate>,
    /// `productSimpleShippingInfo.delayedShippingRate7d` (延迟发货率).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delayed_shipping_7d: Option<Rate>,
    /// `certificateList` (detail).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub certificates: Vec<Certificate>,
}

impl Seller {
    /// Reads the seller signals of one search item (a JSON object); `None`
    /// when it carries none.
    pub fn from_item(item: &Map<String, Value>) -> Option<Seller> {
        let mut s = Seller {
            company: short_text(item.get("companyName")),
            identities: read_identities(item.get("sellerIdentities")),
            trade_score: read_score(item.get("tradeScore")),
            ..Seller::default()
        };
        s.read_data_info(item.get("sellerDataInfo"));
        if let Some(ship) = item
            .get("productSimpleShippingInfo")
            .and_then(Value::as_object)
        {
            s.perfect_fulfillment_30d = read_rate(ship.get("perfectFulfillmentRate30d"));
            s.pickup_24h_30d = read_rate(ship.get("pickupWithin24hRate30d"));
            s.quality_return_30d = read_rate(ship.get("qualityReturnRate30d"));
            s.delayed_shipping_7d = read_rate(ship.get("delayedShippingRate7d"));
        }
        (!s.is_empty()).then_some(s)
    }

    /// Reads the seller block of a detail's `data`; `None` when it has none.
    pub fn from_detail(data: &Map<String, Value>) -> Option<Seller> {
        let identities = match read_identities(data.get("sellerIdentities")) {
            v if v.is_empty() => read_identities(data.get("offerIdentities")),
            v => v,
        };
        let mut s = Seller {
            open_id: short_text(data.get("sellerOpenId")),
            company: short_text(data.get("companyName")),
            identities,
            trade_score: read_score(data.get("tradeScore")),
            certificates: read_certificates(data.get("certificateList")),
            ..Seller::default()
        };
        s.read_data_info(data.get("sellerDataInfo"));
        (!s.is_empty()).then_some(s)
    }

    /// `sellerDataInfo`, on items (tpYear and the scores) and in the detail
    /// (the scores and percents).
    fn read_data_info(&mut self, v: Option<&Value>) {
        let Some(d) = v.and_then(Value::as_object) else {
            return;
        };
        self.tp_years = read_tp_years(d.get("tpYear"));
        self.composite_service = read_score(d.get("compositeServiceScore"));
        self.logistics = read_score(d.get("logisticsExperienceScore"));
        self.dispute = read_score(d.get("disputeComplaintScore"));
        self.offer_experience = read_score(d.get("offerExperienceScore"));
        self.consulting = read_score(d.get("consultingExperienceScore"));
        self.after_sales = read_score(d.get("afterSalesExperienceScore"));
        self.repeat_purchase = read_rate(d.get("repeatPurchasePercent"));
        self.pickup_48h_30d = read_rate(d.get("collect30DayWithin48HPercent"));
        self.quality_refund_30d = read_rate(d.get("qualityRefundWithin30Day"));
    }

    /// True when nothing at all is known.
    pub fn is_empty(&self) -> bool {
        self == &Seller::default()
    }

    /// What identifies the seller across offers and searches: the open id
    /// where known, else the company name (search items carry no open id).
    /// Trimmed; `None` when neither is known.
    pub fn key(&self) -> Option<SellerKey> {
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        clean(&self.open_id)
            .map(SellerKey::OpenId)
            .or_else(|| clean(&self.company).map(SellerKey::Company))
    }

    /// Whether the seller says it is a factory: `None` when it sent no
    /// identities at all (unknown), else whether any is a factory's.
    pub fn is_factory(&self) -> Option<bool> {
        (!self.identities.is_empty()).then(|| self.identities.iter().any(Identity::is_factory))
    }

    /// One line per known signal, meaning included ("48 h pickup 92 % over
    /// 30 days"), in a fixed order; unknown signals are left out (the
    /// caller says "unknown" where it must). Raw server text (the company,
    /// unknown identities, certificates) is sanitised here.
    pub fn lines(&self) -> Vec<String> {
        let clean = |s: &str| crate::text::sanitize(s);
        let mut out = Vec::new();
        if let Some(c) = &self.company {
            out.push(format!("company {}", clean(c)));
        }
        if !self.identities.is_empty() {
            let names: Vec<String> = self.identities.iter().map(|i| clean(i.label())).collect();
            out.push(names.join(" · "));
        }
        if let Some(y) = self.tp_years {
            out.push(format!(
                "{y} {} on 1688 (TrustPass)",
                if y == 1 { "year" } else { "years" }
            ));
        }
        let scores = [
            ("trade score", self.trade_score),
            ("service score", self.composite_service),
            ("logistics score", self.logistics),
            ("dispute handling score", self.dispute),
            ("product score", self.offer_experience),
            ("consulting score", self.consulting),
            ("after-sales score", self.after_sales),
        ];
        for (what, score) in scores {
            if let Some(s) = score {
                out.push(format!("{what} {} of 5", s.text()));
            }
        }
        let rates = [
            ("48 h pickup", self.pickup_48h_30d, "over 30 days"),
            ("24 h pickup", self.pickup_24h_30d, "over 30 days"),
            (
                "perfect fulfilment",
                self.perfect_fulfillment_30d,
                "over 30 days",
            ),
            ("delayed shipping", self.delayed_shipping_7d, "over 7 days"),
            ("quality refunds", self.quality_refund_30d, "over 30 days"),
            ("quality returns", self.quality_return_30d, "over 30 days"),
            ("repeat buyers", self.repeat_purchase, ""),
        ];
        for (what, rate, period) in rates {
            if let Some(r) = rate {
                let line = format!("{what} {} % {period}", r.percent_text());
                out.push(line.trim_end().to_string());
            }
        }
        for c in &self.certificates {
            let name = c.name.as_deref().map(clean).unwrap_or_default();
            let code = c.code.as_deref().map(clean).unwrap_or_default();
            out.push(format!("certificate {name} {code}").trim_end().to_string());
        }
        out
    }

    /// Whether at least `min` of orders were picked up within 48 hours
    /// over 30 days: the detail's figure where known; else the items'
    /// 24-hour figure when it already reaches `min` (what left within 24 h
    /// left within 48 h); else unknown (`None`).
    pub fn pickup_48h_at_least(&self, min: Rate) -> Option<bool> {
        match (self.pickup_48h_30d, self.pickup_24h_30d) {
            (Some(r), _) => Some(r >= min),
            (None, Some(r)) if r >= min => Some(true),
            _ => None,
        }
    }

    /// The share of orders refunded or returned for quality over 30 days:
    /// the detail's refunds where known, else the items' returns.
    pub fn quality_refunds(&self) -> Option<Rate> {
        self.quality_refund_30d.or(self.quality_return_30d)
    }

    /// The results column and the tables' seller column: "factory 5y 4.5",
    /// "trader 2y", "6y": kind, years on 1688 and one service figure (the
    /// trade score, else the service score; with `with_score`), each left
    /// out when unknown (empty when all are). ASCII only (a star is two
    /// cells in some CJK terminals): no server text.
    pub fn compact(&self, with_score: bool) -> String {
        self.compact_as(with_score, false)
    }

    /// [`Seller::compact`] for a narrow column: "fac 5y", "trd 2y".
    pub fn compact_short(&self) -> String {
        self.compact_as(false, true)
    }

    fn compact_as(&self, with_score: bool, short: bool) -> String {
        let mut parts: Vec<String> = match (self.is_factory(), short) {
            (Some(true), false) => vec!["factory".into()],
            (Some(false), false) => vec!["trader".into()],
            (Some(true), true) => vec!["fac".into()],
            (Some(false), true) => vec!["trd".into()],
            (None, _) => Vec::new(),
        };
        if let Some(y) = self.tp_years {
            parts.push(format!("{y}y"));
        }
        if let Some(s) = self.trade_score.or(self.composite_service)
            && with_score
        {
            parts.push(s.text());
        }
        parts.join(" ")
    }

    /// This seller with the gaps filled from `other` (a search item's
    /// signals joined with the detail's): fields known here win.
    pub fn merge(&self, other: &Seller) -> Seller {
        fn or<T: Clone>(a: &Option<T>, b: &Option<T>) -> Option<T> {
            a.clone().or_else(|| b.clone())
        }
        fn or_vec<T: Clone>(a: &[T], b: &[T]) -> Vec<T> {
            if a.is_empty() { b.to_vec() } else { a.to_vec() }
        }
        Seller {
            open_id: or(&self.open_id, &other.open_id),
            company: or(&self.company, &other.company),
            identities: or_vec(&self.identities, &other.identities),
            tp_years: or(&self.tp_years, &other.tp_years),
            trade_score: or(&self.trade_score, &other.trade_score),
            composite_service: or(&self.composite_service, &other.composite_service),
            logistics: or(&self.logistics, &other.logistics),
            dispute: or(&self.dispute, &other.dispute),
            offer_experience: or(&self.offer_experience, &other.offer_experience),
            consulting: or(&self.consulting, &other.consulting),
            after_sales: or(&self.after_sales, &other.after_sales),
            repeat_purchase: or(&self.repeat_purchase, &other.repeat_purchase),
            pickup_48h_30d: or(&self.pickup_48h_30d, &other.pickup_48h_30d),
            quality_refund_30d: or(&self.quality_refund_30d, &other.quality_refund_30d),
            perfect_fulfillment_30d: or(
                &self.perfect_fulfillment_30d,
                &other.perfect_fulfillment_30d,
            ),
            pickup_24h_30d: or(&self.pickup_24h_30d, &other.pickup_24h_30d),
            quality_return_30d: or(&self.quality_return_30d, &other.quality_return_30d),
            delayed_shipping_7d: or(&self.delayed_shipping_7d, &other.delayed_shipping_7d),
            certificates: or_vec(&self.certificates, &other.certificates),
        }
    }
}

/// How a seller is told apart from others.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SellerKey {
    /// `sellerOpenId`.
    OpenId(String),
    /// `companyName`, where no open id is known.
    Company(String),
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pickup_within_48_hours_is_known_from_the_detail_or_a_24_hour_figure_reaching_it() {
        let at = |bp| Rate::from_basis_points(bp).unwrap();
        let mut s = Seller::default();
        assert_eq!(s.pickup_48h_at_least(at(9_000)), None);
        s.pickup_24h_30d = Some(at(9_500));
        assert_eq!(s.pickup_48h_at_least(at(9_000)), Some(true));
        // 24 h below the bar says nothing of 48 h.
        assert_eq!(s.pickup_48h_at_least(at(9_600)), None);
        s.pickup_48h_30d = Some(at(8_000));
        assert_eq!(s.pickup_48h_at_least(at(9_000)), Some(false));
        assert_eq!(s.pickup_48h_at_least(at(8_000)), Some(true));
    }

    #[test]
    fn the_compact_column_says_kind_years_and_one_score_and_leaves_out_the_unknown() {
        let mut s = Seller::default();
        assert_eq!(s.compact(true), "");
        s.identities = vec![Identity::TpMember];
        s.tp_years = Some(2);
        assert_eq!(s.compact(true), "trader 2y");
        s.identities.push(Identity::SuperFactory);
        s.trade_score = Score::from_hundredths(450);
        assert_eq!(s.compact(true), "factory 2y 4.5");
        assert_eq!(s.compact(false), "factory 2y");
        assert_eq!(s.compact_short(), "fac 2y");
        s.quality_return_30d = Rate::from_basis_points(120);
        assert_eq!(s.quality_refunds(), Rate::from_basis_points(120));
        s.quality_refund_30d = Rate::from_basis_points(80);
        assert_eq!(s.quality_refunds(), Rate::from_basis_points(80));
    }

    fn rate(v: Value) -> Option<u16> {
        read_rate(Some(&v)).map(Rate::basis_points)
    }

    #[test]
    fn rates_in_every_form_read_to_basis_points() {
        assert_eq!(rate(json!("92%")), Some(9200));
        assert_eq!(rate(json!("99.12%")), Some(9912));
        assert_eq!(rate(json!(" 0.12 % ")), Some(12));
        assert_eq!(rate(json!("100%")), Some(10_000));
        assert_eq!(rate(json!(0.92)), Some(9200));
        assert_eq!(rate(json!("0.4666")), Some(4666));
        assert_eq!(rate(json!("1")), Some(10_000), "a bare 1 is the fraction 1");
        assert_eq!(rate(json!(1)), Some(10_000));
        assert_eq!(rate(json!("92")), Some(9200));
        assert_eq!(rate(json!(11)), Some(1100));
        assert_eq!(rate(json!("0")), Some(0));
        assert_eq!(rate(json!("0.00%")), Some(0));
        assert_eq!(rate(json!("12.345%")), Some(1235), "rounded half-up");
    }

    #[test]
    fn rates_out_of_range_or_not_numbers_are_absent() {
        for bad in [
            json!("101%"),
            json!(150),
            json!("-5%"),
            json!(-0.2),
            json!("n/a"),
            json!("92 percent"),
            json!(""),
            json!("%"),
            json!(null),
            json!(true),
            json!([92]),
            json!({"v": 92}),
            json!("1e2"),
        ] {
            assert_eq!(rate(bad.clone()), None, "{bad}");
        }
        assert_eq!(read_rate(None), None);
    }

    #[test]
    fn rate_text_drops_trailing_zeros() {
        assert_eq!(Rate(9200).percent_text(), "92");
        assert_eq!(Rate(9912).percent_text(), "99.12");
        assert_eq!(Rate(50).percent_text(), "0.5");
        assert_eq!(Rate(10_000).percent_text(), "100");
        assert_eq!(Rate::from_basis_points(10_001), None);
    }

    #[test]
    fn scores_read_on_the_five_scale() {
        let s = |v: Value| read_score(Some(&v)).map(Score::hundredths);
        assert_eq!(s(json!("4.5")), Some(450));
        assert_eq!(s(json!(5)), Some(500));
        assert_eq!(s(json!("5.0")), Some(500));
        assert_eq!(s(json!(3.25)), Some(325));
        assert_eq!(s(json!("0")), Some(0));
        for bad in [
            json!("5.1"),
            json!(98),
            json!("-1"),
            json!("good"),
            json!(null),
        ] {
            assert_eq!(s(bad.clone()), None, "{bad}");
        }
        assert_eq!(Score(450).text(), "4.5");
        assert_eq!(Score(500).text(), "5");
    }

    #[test]
    fn tp_years_take_numbers_and_numeric_text() {
        let y = |v: Value| read_tp_years(Some(&v));
        assert_eq!(y(json!(7)), Some(7));
        assert_eq!(y(json!("12")), Some(12));
        assert_eq!(y(json!("3年")), None);
        assert_eq!(y(json!(-1)), None);
        assert_eq!(y(json!(400)), None);
        assert_eq!(y(json!(null)), None);
    }

    #[test]
    fn identities_are_read_in_each_shape_and_unknown_ones_kept() {
        let ids = |v: Value| read_identities(Some(&v));
        assert_eq!(
            ids(json!(["super_factory", "tp_member", "powerful_merchants"])),
            vec![
                Identity::SuperFactory,
                Identity::TpMember,
                Identity::PowerMerchant
            ]
        );
        assert_eq!(
            ids(json!(["tp_member-诚信通会员", "yx-严选", "tp_member"])),
            vec![Identity::TpMember, Identity::Other("yx-严选".into())]
        );
        assert_eq!(
            ids(json!("超级工厂,实力商家，诚信通")),
            vec![
                Identity::SuperFactory,
                Identity::PowerMerchant,
                Identity::TpMember
            ]
        );
        assert_eq!(
            ids(json!(["new_badge\u{1b}[31m", 7, null])),
            vec![
                Identity::Other("new_badge\u{1b}[31m".into()),
                Identity::Other("7".into())
            ],
            "kept as sent; sanitised where shown"
        );
        assert!(ids(json!({"a": 1})).is_empty());
        assert!(ids(json!(null)).is_empty());
        let many: Vec<String> = (0..100).map(|i| format!("x{i}")).collect();
        assert_eq!(ids(json!(many)).len(), MAX_IDENTITIES);
    }

    #[test]
    fn an_item_with_every_signal() {
        let item = json!({
            "companyName": "义乌市某某饰品厂",
            "sellerIdentities": ["super_factory", "tp_member"],
            "tradeScore": "4.8",
            "sellerDataInfo": {"tpYear": 9, "compositeServiceScore": "4.5", "repeatPurchasePercent": "0.31"},
            "productSimpleShippingInfo": {
                "shippingTimeGuarantee": "shipIn48Hours",
                "perfectFulfillmentRate30d": "99.12%",
                "pickupWithin24hRate30d": "100%",
                "qualityReturnRate30d": 0.0123,
                "delayedShippingRate7d": "12.34"
            }
        });
        let s = Seller::from_item(item.as_object().unwrap()).unwrap();
        assert_eq!(s.company.as_deref(), Some("义乌市某某饰品厂"));
        assert_eq!(s.is_factory(), Some(true));
        assert_eq!(s.trade_score, Score::from_hundredths(480));
        assert_eq!(s.tp_years, Some(9));
        assert_eq!(s.composite_service, Score::from_hundredths(450));
        assert_eq!(s.repeat_purchase, Rate::from_basis_points(3100));
        assert_eq!(s.perfect_fulfillment_30d, Rate::from_basis_points(9912));
        assert_eq!(s.pickup_24h_30d, Rate::from_basis_points(10_000));
        assert_eq!(s.quality_return_30d, Rate::from_basis_points(123));
        assert_eq!(s.delayed_shipping_7d, Rate::from_basis_points(1234));
        assert_eq!(s.key(), Some(SellerKey::Company("义乌市某某饰品厂".into())));
    }

    #[test]
    fn an_item_with_wrong_kinds_keeps_what_it_can() {
        let item = json!({
            "companyName": 42,
            "sellerIdentities": "tp_member",
            "tradeScore": {"x": 1},
            "sellerDataInfo": "gold",
            "productSimpleShippingInfo": [1, 2]
        });
        let s = Seller::from_item(item.as_object().unwrap()).unwrap();
        assert_eq!(s.company.as_deref(), Some("42"));
        assert_eq!(s.identities, vec![Identity::TpMember]);
        assert_eq!(s.is_factory(), Some(false));
        assert_eq!(s.trade_score, None);
        assert_eq!(s.tp_years, None);
        assert_eq!(s.pickup_24h_30d, None);
        assert_eq!(
            Seller::from_item(json!({"subject": "x"}).as_object().unwrap()),
            None
        );
        assert_eq!(
            Seller::default().is_factory(),
            None,
            "no identities: unknown"
        );
    }

    #[test]
    fn a_detail_seller_block() {
        let data = json!({
            "sellerOpenId": "BBBabc",
            "companyName": "杭州宜路发发电子商务有限公司",
            "offerIdentities": ["超级工厂", "诚信通"],
            "sellerDataInfo": {
                "tradeMedalLevel": "5",
                "compositeServiceScore": "3.5",
                "logisticsExperienceScore": 4.5,
                "disputeComplaintScore": "3.0",
                "offerExperienceScore": "4.0",
                "consultingExperienceScore": "5.0",
                "repeatPurchasePercent": "0.4666",
                "afterSalesExperienceScore": "3.0",
                "collect30DayWithin48HPercent": null,
                "qualityRefundWithin30Day": "2%"
            },
            "certificateList": [
                {"certificateCode": "ZL 2018 3 0658542.7", "certificateName": "外观专利证书",
                 "certificatePhotoList": ["https://cbu01.alicdn.com/img/ibank/test.jpg", "javascript:x"]},
                {"certificatePhotoList": []},
                "junk"
            ]
        });
        let s = Seller::from_detail(data.as_object().unwrap()).unwrap();
        assert_eq!(s.key(), Some(SellerKey::OpenId("BBBabc".into())));
        assert_eq!(
            s.identities,
            vec![Identity::SuperFactory, Identity::TpMember]
        );
        assert_eq!(s.composite_service, Score::from_hundredths(350));
        assert_eq!(s.logistics, Score::from_hundredths(450));
        assert_eq!(s.dispute, Score::from_hundredths(300));
        assert_eq!(s.offer_experience, Score::from_hundredths(400));
        assert_eq!(s.consulting, Score::from_hundredths(500));
        assert_eq!(s.after_sales, Score::from_hundredths(300));
        assert_eq!(s.repeat_purchase, Rate::from_basis_points(4666));
        assert_eq!(s.pickup_48h_30d, None, "null is unknown, not 0");
        assert_eq!(s.quality_refund_30d, Rate::from_basis_points(200));
        assert_eq!(s.certificates.len(), 1);
        assert_eq!(
            s.certificates[0].photos,
            vec!["https://cbu01.alicdn.com/img/ibank/test.jpg".to_string()]
        );
        let item = Seller {
            company: Some("other".into()),
            tp_years: Some(4),
            ..Seller::default()
        };
        let joined = s.merge(&item);
        assert_eq!(joined.company, s.company, "known fields win");
        assert_eq!(joined.tp_years, Some(4), "gaps are filled");
    }

    #[test]
    fn lines_say_what_each_signal_means_and_sanitise_server_text() {
        let s = Seller {
            company: Some("甲\u{1b}[31m厂".into()),
            identities: vec![Identity::SuperFactory, Identity::Other("x\u{7}".into())],
            tp_years: Some(1),
            composite_service: Score::from_hundredths(450),
            pickup_48h_30d: Rate::from_basis_points(9200),
            repeat_purchase: Rate::from_basis_points(4666),
            ..Seller::default()
        };
        let lines = s.lines();
        assert!(
            lines.iter().all(|l| !l.chars().any(char::is_control)),
            "{lines:?}"
        );
        assert!(lines.contains(&"1 year on 1688 (TrustPass)".to_string()));
        assert!(lines.contains(&"service score 4.5 of 5".to_string()));
        assert!(lines.contains(&"48 h pickup 92 % over 30 days".to_string()));
        assert!(lines.contains(&"repeat buyers 46.66 %".to_string()));
        assert!(lines[1].starts_with("super factory · "));
        assert!(Seller::default().lines().is_empty());
    }

    #[test]
    fn sellers_round_trip_through_json_and_refuse_bad_stored_values() {
        let s = Seller {
            open_id: Some("x".into()),
            repeat_purchase: Rate::from_basis_points(4666),
            trade_score: Score::from_hundredths(480),
            identities: vec![Identity::Other("odd".into()), Identity::TpMember],
            ..Seller::default()
        };
        let text = serde_json::to_string(&s).unwrap();
        assert_eq!(serde_json::from_str::<Seller>(&text).unwrap(), s);
        assert_eq!(
            serde_json::from_str::<Seller>("{}").unwrap(),
            Seller::default()
        );
        assert!(serde_json::from_str::<Seller>(r#"{"repeat_purchase": 20000}"#).is_err());
    }
}
