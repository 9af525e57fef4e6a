//! Request parameters, wire formats of both providers, and the normalised
//! `Offer` / `ResultPage` model the UI and the headless search use.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::str::FromStr;

// ---------------------------------------------------------------------------
// Search parameters
// ---------------------------------------------------------------------------

/// Upper bound on `pageSize` that both providers accept.
pub const MAX_PAGE_SIZE: u32 = 50;
/// Default page size when neither the user nor the config says otherwise.
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// What a sort orders by. Wire names are the provider's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SortField {
    #[serde(rename = "price")]
    Price,
    #[serde(rename = "monthSold")]
    MonthSold,
    #[serde(rename = "rePurchaseRate")]
    RePurchaseRate,
}

impl SortField {
    pub fn wire_name(self) -> &'static str {
        match self {
            SortField::Price => "price",
            SortField::MonthSold => "monthSold",
            SortField::RePurchaseRate => "rePurchaseRate",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    Asc,
    Desc,
}

impl SortOrder {
    pub fn wire_name(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// A sort, sent as a JSON string such as `{"price":"asc"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub field: SortField,
    pub order: SortOrder,
}

impl Sort {
    pub const fn new(field: SortField, order: SortOrder) -> Self {
        Sort { field, order }
    }

    /// The provider's wire form: a JSON object with one key, as a string.
    pub fn to_wire(self) -> String {
        format!(
            r#"{{"{}":"{}"}}"#,
            self.field.wire_name(),
            self.order.wire_name()
        )
    }

    /// Parses the wire form back (the simulator reads it this way).
    pub fn from_wire(s: &str) -> Option<Sort> {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(s).ok()?;
        let (key, value) = map.into_iter().next()?;
        let field = match key.as_str() {
            "price" => SortField::Price,
            "monthSold" => SortField::MonthSold,
            "rePurchaseRate" => SortField::RePurchaseRate,
            _ => return None,
        };
        let order = match value.as_str()? {
            "asc" => SortOrder::Asc,
            "desc" => SortOrder::Desc,
            _ => return None,
        };
        Some(Sort { field, order })
    }

    /// Short human label, e.g. "price ↑".
    pub fn label(self) -> &'static str {
        match (self.field, self.order) {
            (SortField::Price, SortOrder::Asc) => "price ↑",
            (SortField::Price, SortOrder::Desc) => "price ↓",
            (SortField::MonthSold, SortOrder::Asc) => "monthly sales ↑",
            (SortField::MonthSold, SortOrder::Desc) => "monthly sales ↓",
            (SortField::RePurchaseRate, SortOrder::Asc) => "repurchase rate ↑",
            (SortField::RePurchaseRate, SortOrder::Desc) => "repurchase rate ↓",
        }
    }

    /// CLI spelling: `price-asc`, `price-desc`, `sales-desc`, `repurchase-desc`…
    pub fn cli_name(self) -> String {
        let field = match self.field {
            SortField::Price => "price",
            SortField::MonthSold => "sales",
            SortField::RePurchaseRate => "repurchase",
        };
        format!("{field}-{}", self.order.wire_name())
    }
}

impl FromStr for Sort {
    type Err = String;

    /// Accepts the CLI spelling (`price-asc`, `sales-desc`, `repurchase-desc`)
    /// or the wire JSON (`{"price":"asc"}`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if let Some(sort) = Sort::from_wire(s) {
            return Ok(sort);
        }
        let (field, order) = s.rsplit_once(['-', ':']).ok_or_else(|| {
            format!("unknown sort {s:?}: use e.g. price-asc, sales-desc, repurchase-desc")
        })?;
        let field = match field.to_ascii_lowercase().as_str() {
            "price" => SortField::Price,
            "sales" | "monthsold" | "month-sold" => SortField::MonthSold,
            "repurchase" | "repurchaserate" | "repurchase-rate" => SortField::RePurchaseRate,
            _ => {
                return Err(format!(
                    "unknown sort field {field:?}: use price, sales or repurchase"
                ));
            }
        };
        let order = match order.to_ascii_lowercase().as_str() {
            "asc" => SortOrder::Asc,
            "desc" => SortOrder::Desc,
            _ => return Err(format!("unknown sort order {order:?}: use asc or desc")),
        };
        Ok(Sort { field, order })
    }
}

/// Documented `filter` flags (1688's image search, as the providers pass it
/// through); unknown ones pass through untouched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum FilterFlag {
    ShipInToday,
    ShipIn24Hours,
    ShipIn48Hours,
    GetRate24HLv1,
    GetRate24HLv2,
    GetRate24HLv3,
    GetRate48HLv1,
    GetRate48HLv2,
    GetRate48HLv3,
    IsOnePsaleFreePost,
    NoReason7DReturn,
    IsOnePsale,
    TotalEpScoreLv1,
    TotalEpScoreLv2,
    TotalEpScoreLv3,
    TotalEpScoreLv4,
    Qrr0,
    Qrr1,
    Qrr5,
    Qrr10,
    CertifiedFactory,
    Jxhy,
    Selection1688,
    IsQqyx,
    New7,
    New30,
    Other(String),
}

/// How the filters pane groups the flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FilterGroup {
    Shipping,
    Service,
    Supplier,
    New,
}

impl FilterGroup {
    pub fn label(self) -> &'static str {
        match self {
            FilterGroup::Shipping => "shipping",
            FilterGroup::Service => "service",
            FilterGroup::Supplier => "supplier",
            FilterGroup::New => "new",
        }
    }
}

impl FilterFlag {
    /// Every documented flag, in the order the UI lists them (by group).
    pub const KNOWN: [FilterFlag; 26] = [
        FilterFlag::ShipInToday,
        FilterFlag::ShipIn24Hours,
        FilterFlag::ShipIn48Hours,
        FilterFlag::GetRate24HLv1,
        FilterFlag::GetRate24HLv2,
        FilterFlag::GetRate24HLv3,
        FilterFlag::GetRate48HLv1,
        FilterFlag::GetRate48HLv2,
        FilterFlag::GetRate48HLv3,
        FilterFlag::IsOnePsaleFreePost,
        FilterFlag::NoReason7DReturn,
        FilterFlag::IsOnePsale,
        FilterFlag::TotalEpScoreLv1,
        FilterFlag::TotalEpScoreLv2,
        FilterFlag::TotalEpScoreLv3,
        FilterFlag::TotalEpScoreLv4,
        FilterFlag::Qrr0,
        FilterFlag::Qrr1,
        FilterFlag::Qrr5,
        FilterFlag::Qrr10,
        FilterFlag::CertifiedFactory,
        FilterFlag::Jxhy,
        FilterFlag::Selection1688,
        FilterFlag::IsQqyx,
        FilterFlag::New7,
        FilterFlag::New30,
    ];

    pub fn wire_name(&self) -> &str {
        match self {
            FilterFlag::ShipInToday => "shipInToday",
            FilterFlag::ShipIn24Hours => "shipIn24Hours",
            FilterFlag::ShipIn48Hours => "shipIn48Hours",
            FilterFlag::GetRate24HLv1 => "getRate24HLv1",
            FilterFlag::GetRate24HLv2 => "getRate24HLv2",
            FilterFlag::GetRate24HLv3 => "getRate24HLv3",
            FilterFlag::GetRate48HLv1 => "getRate48HLv1",
            FilterFlag::GetRate48HLv2 => "getRate48HLv2",
            FilterFlag::GetRate48HLv3 => "getRate48HLv3",
            FilterFlag::IsOnePsaleFreePost => "isOnePsaleFreePost",
            FilterFlag::NoReason7DReturn => "noReason7DReturn",
            FilterFlag::IsOnePsale => "isOnePsale",
            FilterFlag::TotalEpScoreLv1 => "totalEpScoreLv1",
            FilterFlag::TotalEpScoreLv2 => "totalEpScoreLv2",
            FilterFlag::TotalEpScoreLv3 => "totalEpScoreLv3",
            FilterFlag::TotalEpScoreLv4 => "totalEpScoreLv4",
            FilterFlag::Qrr0 => "qrr0",
            FilterFlag::Qrr1 => "qrr1",
            FilterFlag::Qrr5 => "qrr5",
            FilterFlag::Qrr10 => "qrr10",
            FilterFlag::CertifiedFactory => "certifiedFactory",
            FilterFlag::Jxhy => "jxhy",
            FilterFlag::Selection1688 => "1688Selection",
            FilterFlag::IsQqyx => "isQqyx",
            FilterFlag::New7 => "new7",
            FilterFlag::New30 => "new30",
            FilterFlag::Other(s) => s,
        }
    }

    /// Human label for the filter panel. The level flags are 1688's seller
    /// grades (level 1 is the best); `qrrN` is a quality-return rate of at
    /// most N %.
    pub fn label(&self) -> &str {
        match self {
            FilterFlag::ShipInToday => "ships today",
            FilterFlag::ShipIn24Hours => "ships in 24 h",
            FilterFlag::ShipIn48Hours => "ships in 48 h",
            FilterFlag::GetRate24HLv1 => "24 h pickup rate lv 1",
            FilterFlag::GetRate24HLv2 => "24 h pickup rate lv 2",
            FilterFlag::GetRate24HLv3 => "24 h pickup rate lv 3",
            FilterFlag::GetRate48HLv1 => "48 h pickup rate lv 1",
            FilterFlag::GetRate48HLv2 => "48 h pickup rate lv 2",
            FilterFlag::GetRate48HLv3 => "48 h pickup rate lv 3",
            FilterFlag::IsOnePsaleFreePost => "free shipping on one piece",
            FilterFlag::NoReason7DReturn => "7-day no-reason return",
            FilterFlag::IsOnePsale => "one-piece sale",
            FilterFlag::TotalEpScoreLv1 => "service score lv 1",
            FilterFlag::TotalEpScoreLv2 => "service score lv 2",
            FilterFlag::TotalEpScoreLv3 => "service score lv 3",
            FilterFlag::TotalEpScoreLv4 => "service score lv 4",
            FilterFlag::Qrr0 => "quality returns 0 %",
            FilterFlag::Qrr1 => "quality returns ≤ 1 %",
            FilterFlag::Qrr5 => "quality returns ≤ 5 %",
            FilterFlag::Qrr10 => "quality returns ≤ 10 %",
            FilterFlag::CertifiedFactory => "certified factory",
            FilterFlag::Jxhy => "premium supplier (jxhy)",
            FilterFlag::Selection1688 => "1688 selection",
            FilterFlag::IsQqyx => "global selection (qqyx)",
            FilterFlag::New7 => "new in 7 days",
            FilterFlag::New30 => "new in 30 days",
            FilterFlag::Other(s) => s,
        }
    }

    /// The filters pane's group; `None` for flags passed through unknown.
    pub fn group(&self) -> Option<FilterGroup> {
        use FilterFlag::*;
        Some(match self {
            ShipInToday | ShipIn24Hours | ShipIn48Hours | GetRate24HLv1 | GetRate24HLv2
            | GetRate24HLv3 | GetRate48HLv1 | GetRate48HLv2 | GetRate48HLv3
            | IsOnePsaleFreePost => FilterGroup::Shipping,
            NoReason7DReturn | IsOnePsale | TotalEpScoreLv1 | TotalEpScoreLv2 | TotalEpScoreLv3
            | TotalEpScoreLv4 | Qrr0 | Qrr1 | Qrr5 | Qrr10 => FilterGroup::Service,
            CertifiedFactory | Jxhy | Selection1688 | IsQqyx => FilterGroup::Supplier,
            New7 | New30 => FilterGroup::New,
            Other(_) => return None,
        })
    }

    pub fn parse(s: &str) -> FilterFlag {
        let s = s.trim();
        FilterFlag::KNOWN
            .iter()
            .find(|f| f.wire_name().eq_ignore_ascii_case(s))
            .cloned()
            .unwrap_or_else(|| FilterFlag::Other(s.to_string()))
    }

    /// Parses the comma-separated wire list, dropping empty items.
    pub fn parse_list(s: &str) -> Vec<FilterFlag> {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(FilterFlag::parse)
            .collect()
    }

    /// Joins flags into the comma-separated wire list; `None` when empty.
    pub fn join(flags: &[FilterFlag]) -> Option<String> {
        if flags.is_empty() {
            return None;
        }
        Some(
            flags
                .iter()
                .map(FilterFlag::wire_name)
                .collect::<Vec<_>>()
                .join(","),
        )
    }
}

/// A wholesale price in fen (hundredths of a yuan), parsed from the
/// provider's decimal strings so it can be compared and range-checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct Price(pub u64);

impl Price {
    pub fn from_fen(fen: u64) -> Self {
        Price(fen)
    }

    pub fn fen(self) -> u64 {
        self.0
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl FromStr for Price {
    type Err = String;

    /// Accepts `16`, `16.0`, `16.00`, `¥16.5`; rejects negatives, more than two
    /// decimals, and anything that is not a number.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().trim_start_matches(['¥', '￥']).trim();
        if t.is_empty() {
            return Err("empty price".into());
        }
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if !digits(whole) || !digits(frac) || (whole.is_empty() && frac.is_empty()) {
            return Err(format!("{s:?} is not a number"));
        }
        if frac.len() > 2 {
            return Err(format!("{s:?} has more than two decimals"));
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| format!("{s:?} is too large"))?
        };
        let frac_fen: u64 = match frac.len() {
            0 => 0,
            1 => u64::from(frac.as_bytes()[0] - b'0') * 10,
            _ => frac.parse().map_err(|_| format!("{s:?} is not a number"))?,
        };
        whole
            .checked_mul(100)
            .and_then(|f| f.checked_add(frac_fen))
            .map(Price)
            .ok_or_else(|| format!("{s:?} is too large"))
    }
}

impl From<Price> for String {
    fn from(p: Price) -> String {
        p.to_string()
    }
}

impl TryFrom<String> for Price {
    type Error = String;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

/// Everything a search asks for besides the image and the page number.
/// The UI keeps one of these across searches; the CLI builds one from flags.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchParams {
    pub page_size: Option<u32>,
    /// `country`: the seed says it is fixed to `en` for now.
    pub country: Option<String>,
    /// Pixel box of the subject in the image, passed through as given.
    pub region: Option<String>,
    pub filters: Vec<FilterFlag>,
    pub sort: Option<Sort>,
    pub price_start: Option<Price>,
    pub price_end: Option<Price>,
    pub category_id: Option<i64>,
    pub out_member_id: Option<String>,
}

impl SearchParams {
    pub fn effective_page_size(&self) -> u32 {
        self.page_size
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE)
    }

    pub fn effective_country(&self) -> &str {
        self.country.as_deref().unwrap_or("en")
    }
}

/// How the query names its image.
#[derive(Clone, PartialEq, Eq)]
pub enum ImageRef {
    /// An id from a prior upload (DajiSaaS).
    Id(String),
    /// The prepared image itself, base64 (signed-header provider, every page).
    Base64(std::sync::Arc<str>),
    /// A public image URL.
    Address(String),
}

impl fmt::Debug for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageRef::Id(id) => write!(f, "ImageRef::Id({id})"),
            ImageRef::Base64(b) => write!(f, "ImageRef::Base64({} chars)", b.len()),
            ImageRef::Address(a) => write!(f, "ImageRef::Address({a})"),
        }
    }
}

// ---------------------------------------------------------------------------
// Wire formats
// ---------------------------------------------------------------------------

/// Accepts a JSON string, number or null as an optional string (real payloads
/// disagree with the schema: `developId` is a string, prices may be null).
pub fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s),
        Some(serde_json::Value::Number(n)) => Some(n.to_string()),
        Some(serde_json::Value::Bool(b)) => Some(b.to_string()),
        Some(other) => Some(other.to_string()),
    })
}

/// Accepts a number, a numeric string or null as an optional u64.
pub fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
        Some(serde_json::Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

/// Accepts true/false, 0/1, "true"/"false" or null as a bool (null = false).
pub fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    let v = Option::<serde_json::Value>::deserialize(d)?;
    Ok(match v {
        Some(serde_json::Value::Bool(b)) => b,
        Some(serde_json::Value::Number(n)) => n.as_i64().is_some_and(|n| n != 0),
        Some(serde_json::Value::String(s)) => matches!(s.as_str(), "true" | "1" | "Y" | "y"),
        _ => false,
    })
}

/// The response envelope of both providers, read tolerantly: DajiSaaS says
/// `message`/`traceId`/`timestamp`, the signed-header provider says
/// `msg`/`requestId`/`developId`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Envelope<T> {
    #[serde(deserialize_with = "lenient_i64")]
    pub code: i64,
    #[serde(default, alias = "msg", deserialize_with = "lenient_string")]
    pub message: Option<String>,
    /// A JSON object (or null): serde's derived structs would also take an
    /// array, field by field, which turned `"data":[1,2,3]` into a page.
    #[serde(
        default = "Option::default",
        deserialize_with = "object_or_null",
        bound(deserialize = "T: Deserialize<'de>")
    )]
    pub data: Option<T>,
    #[serde(default, alias = "requestId", deserialize_with = "lenient_string")]
    pub trace_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_string", skip_serializing)]
    pub develop_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64", skip_serializing)]
    pub timestamp: Option<u64>,
}

/// `T` from a JSON object only, or `None` for null / absent.
fn object_or_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Visit<T>(std::marker::PhantomData<T>);
    impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for Visit<T> {
        type Value = Option<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a JSON object or null")
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_map(self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Some)
        }
    }
    d.deserialize_option(Visit(std::marker::PhantomData))
}

/// A count in a page's totals: a number, a numeric string, or null/empty
/// (absent). Anything else (text, a negative or fractional number, an
/// object) means the reply is not the documented shape.
fn page_count<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    use serde::de::Error;
    let v = Option::<serde_json::Value>::deserialize(d)?;
    let bad = |v: &dyn fmt::Display| D::Error::custom(format!("{v} is not a count"));
    match v {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::Number(n)) => n
            .as_u64()
            .or_else(|| {
                n.as_f64()
                    .filter(|f| *f >= 0.0 && f.fract() == 0.0 && *f < 9.0e15)
                    .map(|f| f as u64)
            })
            .map(Some)
            .ok_or_else(|| bad(&n)),
        Some(serde_json::Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(serde_json::Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| bad(&format!("{:?}", crate::text::truncate(&s, 40)))),
        Some(other) => Err(bad(&crate::text::truncate(&other.to_string(), 40))),
    }
}

fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    use serde::de::Error;
    let v = serde_json::Value::deserialize(d)?;
    match v {
        serde_json::Value::Number(n) => n
            .as_i64()
            .ok_or_else(|| D::Error::custom("code is not an integer")),
        serde_json::Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| D::Error::custom("code is not an integer")),
        _ => Err(D::Error::custom("code is missing or not an integer")),
    }
}

/// `data` of a DajiSaaS upload reply.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadData {
    #[serde(default, deserialize_with = "lenient_string")]
    pub image_id: Option<String>,
}

/// `data` of an image query reply: one page. Its totals must be counts
/// (numbers or numeric strings, null for absent) and its list a list (null
/// for empty); otherwise the reply is not a page.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePage {
    #[serde(default, deserialize_with = "page_count")]
    pub total_records: Option<u64>,
    #[serde(default, deserialize_with = "page_count")]
    pub total_page: Option<u64>,
    #[serde(default, deserialize_with = "page_count")]
    pub page_size: Option<u64>,
    #[serde(default, deserialize_with = "page_count")]
    pub current_page: Option<u64>,
    #[serde(default)]
    pub data: WireOffers,
}

/// The offers of a page, read one by one: an item that is not an offer
/// (not an object, or a field of the wrong kind) is set aside with the
/// reason instead of failing the whole page.
#[derive(Debug, Clone, Default)]
pub struct WireOffers {
    pub offers: Vec<WireOffer>,
    /// (0-based position in the list, why it could not be read).
    pub malformed: Vec<(usize, String)>,
}

impl Serialize for WireOffers {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.offers.serialize(s)
    }
}

impl<'de> Deserialize<'de> for WireOffers {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = WireOffers;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of offers or null")
            }
            fn visit_none<E: serde::de::Error>(self) -> Result<WireOffers, E> {
                Ok(WireOffers::default())
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<WireOffers, E> {
                Ok(WireOffers::default())
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<WireOffers, D2::Error> {
                d.deserialize_seq(self)
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<WireOffers, A::Error> {
                let mut out = WireOffers::default();
                let mut index = 0;
                while let Some(item) = seq.next_element::<serde_json::Value>()? {
                    match WireOffer::from_value(item) {
                        Ok(offer) => out.offers.push(offer),
                        Err(reason) => out.malformed.push((index, reason)),
                    }
                    index += 1;
                }
                Ok(out)
            }
        }
        d.deserialize_option(Visit)
    }
}

/// `priceInfo` of an offer.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WirePriceInfo {
    #[serde(default, deserialize_with = "lenient_string")]
    pub price: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub jxhy_price: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub pf_jxhy_price: Option<String>,
    /// Some payloads carry a consign (dropshipping) price too.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub consign_price: Option<String>,
}

/// One offer as the providers send it. The eight documented fields, plus the
/// optional extras real payloads (and the simulator) carry; unknown fields are
/// ignored.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireOffer {
    #[serde(default, deserialize_with = "lenient_string")]
    pub image_url: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub subject: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub subject_trans: Option<String>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub offer_map_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_bool")]
    pub is_jxhy: bool,
    #[serde(default, deserialize_with = "object_or_null")]
    pub price_info: Option<WirePriceInfo>,
    #[serde(default, deserialize_with = "lenient_string")]
    pub repurchase_rate: Option<String>,
    #[serde(default, deserialize_with = "lenient_u64")]
    pub month_sold: Option<u64>,
    // Extras, absent from the seed's example but present in real payloads.
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub offer_id: Option<String>,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub is_one_psale: bool,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub is_one_psale_free_post: bool,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub certified_factory: bool,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub no_reason_7d_return: bool,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub ship_in_today: bool,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub ship_in_24_hours: bool,
    #[serde(
        default,
        deserialize_with = "lenient_bool",
        skip_serializing_if = "is_false"
    )]
    pub ship_in_48_hours: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_identities: Option<Vec<String>>,
    #[serde(
        default,
        deserialize_with = "lenient_u64",
        skip_serializing_if = "Option::is_none"
    )]
    pub category_id: Option<u64>,
    #[serde(
        default,
        deserialize_with = "lenient_string",
        skip_serializing_if = "Option::is_none"
    )]
    pub company_name: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl WireOffer {
    /// One item of a page's list, if it is an offer: a JSON object with
    /// fields of the documented kinds (numbers as strings and nulls are
    /// fine) that names the offer somehow (an id, a map id or a title).
    /// Otherwise, why not (short; raw server text: sanitise to show).
    pub fn from_value(item: serde_json::Value) -> Result<WireOffer, String> {
        if !item.is_object() {
            let kind = match &item {
                serde_json::Value::Null => "null",
                serde_json::Value::Bool(_) => "a boolean",
                serde_json::Value::Number(_) => "a number",
                serde_json::Value::String(_) => "a string",
                serde_json::Value::Array(_) => "a list",
                serde_json::Value::Object(_) => "an object",
            };
            return Err(format!("{kind}, not an offer"));
        }
        let offer = WireOffer::deserialize(item)
            .map_err(|e| crate::text::sanitize(&crate::text::truncate(&e.to_string(), 120)))?;
        let named = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.trim().is_empty());
        if !(named(&offer.offer_id) || named(&offer.offer_map_id) || named(&offer.subject)) {
            return Err("an offer with no id and no title".into());
        }
        Ok(offer)
    }
}

/// The signed-header provider's JSON request body. Unset fields are omitted.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct QueryBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_base64: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub begin_page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_start: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_end: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_member_id: Option<String>,
}

// ---------------------------------------------------------------------------
// Normalised model
// ---------------------------------------------------------------------------

/// One offer, normalised from either provider. Text fields are raw server
/// text: sanitise before display (`crate::text::sanitize`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Offer {
    /// Numeric 1688 offer id, where the payload carries one.
    pub offer_id: Option<String>,
    /// The provider's opaque offer handle.
    pub offer_map_id: Option<String>,
    /// Original (Chinese) title.
    pub title: String,
    /// Translated title.
    pub title_en: Option<String>,
    pub price: Option<Price>,
    /// Premium-supplier (精选货源) price, when different offers apply.
    pub jxhy_price: Option<Price>,
    /// Wholesale premium-supplier price.
    pub pf_jxhy_price: Option<Price>,
    pub month_sold: Option<u64>,
    /// Repurchase rate in percent, e.g. 41.0 for "41%".
    pub repurchase_rate: Option<f32>,
    pub badges: Vec<String>,
    pub image_url: Option<String>,
    pub category_id: Option<u64>,
}

impl Offer {
    /// The offer's 1688 page, where an offer id is known.
    pub fn link(&self) -> Option<String> {
        self.offer_id
            .as_deref()
            .filter(|id| !id.is_empty() && id.chars().all(|c| c.is_ascii_digit()))
            .map(|id| format!("https://detail.1688.com/offer/{id}.html"))
    }

    /// The offer's picture URL, when it is an http(s) address.
    pub fn picture_link(&self) -> Option<String> {
        self.image_url
            .as_deref()
            .map(str::trim)
            .filter(|u| {
                let lower = u.to_ascii_lowercase();
                lower.starts_with("https://") || lower.starts_with("http://")
            })
            .map(str::to_string)
    }

    /// What the link actions use: the offer's page, or else its picture.
    pub fn best_link(&self) -> Option<OfferLink> {
        self.link()
            .map(OfferLink::Offer)
            .or_else(|| self.picture_link().map(OfferLink::Picture))
    }

    /// The lowest special price different from the list price, if any.
    pub fn special_price(&self) -> Option<Price> {
        [self.jxhy_price, self.pf_jxhy_price]
            .into_iter()
            .flatten()
            .filter(|p| Some(*p) != self.price)
            .min()
    }

    /// Title for list rows: the translation when present, else the original.
    pub fn display_title(&self) -> &str {
        self.title_en
            .as_deref()
            .filter(|t| !t.trim().is_empty())
            .unwrap_or(&self.title)
    }
}

/// A link for an offer: its 1688 page where a numeric offer id is known,
/// else its picture (the signed-header provider gives only `offerMapId`,
/// which no public document maps to a page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferLink {
    Offer(String),
    Picture(String),
}

/// Says why an offer has no page link (shown in the detail pane and status).
pub const NO_OFFER_LINK: &str = "no offer link: this provider sends only an opaque offerMapId, \
     which no public document maps to a 1688 page";

/// Readable names for the seller identities DajiSaaS items carry; others
/// are shown as sent.
fn seller_identity_label(identity: &str) -> &str {
    match identity.trim() {
        "super_factory" => "super factory",
        "powerful_merchants" => "power merchant",
        "tp_member" => "TP member",
        "certified_factory" | "verified_factory" => "factory",
        other => other,
    }
}

/// Parses "41%", "41", "0.41%" or "41.5 %" into percent.
pub fn parse_percent(s: &str) -> Option<f32> {
    let t = s.trim().trim_end_matches('%').trim();
    let v: f32 = t.parse().ok()?;
    v.is_finite().then_some(v).filter(|v| *v >= 0.0)
}

impl From<WireOffer> for Offer {
    fn from(w: WireOffer) -> Self {
        let price_info = w.price_info.unwrap_or_default();
        let parse_price = |s: Option<String>| s.and_then(|s| s.parse::<Price>().ok());
        let mut badges = Vec::new();
        let mut badge = |on: bool, name: &str| {
            if on {
                badges.push(name.to_string());
            }
        };
        badge(w.is_jxhy, "精选");
        badge(w.certified_factory, "factory");
        badge(w.ship_in_today, "ships today");
        badge(w.ship_in_24_hours && !w.ship_in_today, "24h");
        badge(
            w.ship_in_48_hours && !w.ship_in_24_hours && !w.ship_in_today,
            "48h",
        );
        badge(w.is_one_psale_free_post, "1pc free ship");
        badge(w.is_one_psale && !w.is_one_psale_free_post, "1pc");
        badge(w.no_reason_7d_return, "7d return");
        for identity in w.seller_identities.unwrap_or_default() {
            let name = seller_identity_label(&identity);
            if !name.trim().is_empty() && !badges.iter().any(|b| b == name) {
                badges.push(name.to_string());
            }
        }
        Offer {
            offer_id: w.offer_id.filter(|s| !s.is_empty()),
            offer_map_id: w.offer_map_id.filter(|s| !s.is_empty()),
            title: w.subject.unwrap_or_default(),
            title_en: w.subject_trans.filter(|s| !s.is_empty()),
            price: parse_price(price_info.price),
            jxhy_price: parse_price(price_info.jxhy_price),
            pf_jxhy_price: parse_price(price_info.pf_jxhy_price),
            month_sold: w.month_sold,
            repurchase_rate: w.repurchase_rate.as_deref().and_then(parse_percent),
            badges,
            image_url: w.image_url.filter(|s| !s.is_empty()),
            category_id: w.category_id,
        }
    }
}

/// One page of results, normalised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ResultPage {
    pub offers: Vec<Offer>,
    pub total_records: u64,
    pub total_pages: u32,
    pub page_size: u32,
    pub current_page: u32,
    /// Things the client did on the way that the user should hear about
    /// (e.g. an expired image id uploaded again). Not part of the reply.
    #[serde(skip)]
    pub notices: Vec<String>,
}

impl ResultPage {
    /// Normalises a page. Items that could not be read as offers are left
    /// out, and a notice says how many and why (the first reason).
    pub fn from_wire(page: WirePage, requested_page: u32, requested_size: u32) -> Self {
        let page_size = page
            .page_size
            .and_then(|n| u32::try_from(n).ok())
            .filter(|n| *n > 0)
            .unwrap_or(requested_size);
        let total_records = page.total_records.unwrap_or(0);
        let total_pages = page
            .total_page
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or_else(|| {
                u32::try_from(total_records.div_ceil(u64::from(page_size.max(1))))
                    .unwrap_or(u32::MAX)
            });
        let current_page = page
            .current_page
            .and_then(|n| u32::try_from(n).ok())
            .unwrap_or(requested_page);
        let WireOffers { offers, malformed } = page.data;
        let mut notices = Vec::new();
        if let Some((index, reason)) = malformed.first() {
            let n = malformed.len();
            notices.push(format!(
                "page {current_page}: skipped {n} of {} {} that did not match the documented shape (item {}: {reason})",
                n + offers.len(),
                if n + offers.len() == 1 { "item" } else { "items" },
                index + 1,
            ));
        }
        ResultPage {
            offers: offers.into_iter().map(Offer::from).collect(),
            total_records,
            total_pages,
            page_size,
            current_page,
            notices,
        }
    }

    /// [`ResultPage::from_wire`], refusing a page that does not add up:
    /// - a list in which no item could be read as an offer;
    /// - an empty page where its totals say offers remain, or with totals
    ///   of zero past page 1 (the search had results to get this far).
    ///
    /// An empty page 1 with no results, or an empty page past the last, is
    /// the ordinary end. The error is the reason, for a `Decode` error.
    pub fn from_wire_checked(
        page: WirePage,
        requested_page: u32,
        requested_size: u32,
    ) -> Result<Self, String> {
        let unread = page.data.malformed.len();
        let first = page.data.malformed.first().map(|(_, r)| r.clone());
        let result = ResultPage::from_wire(page, requested_page, requested_size);
        if !result.offers.is_empty() {
            return Ok(result);
        }
        if unread > 0 {
            return Err(format!(
                "none of the {unread} items on page {requested_page} is an offer of the documented shape ({})",
                first.unwrap_or_default()
            ));
        }
        let (pages, records) = (result.total_pages, result.total_records);
        if requested_page == 1 && records == 0 {
            return Ok(result);
        }
        if pages >= 1 && requested_page > pages {
            return Ok(result);
        }
        Err(if pages == 0 || records == 0 {
            format!(
                "page {requested_page} came back empty with totals of zero, though the search had results to reach page {requested_page}"
            )
        } else {
            format!(
                "page {requested_page} came back empty although its reply says there are {pages} pages ({records} offers)"
            )
        })
    }

    /// True when no page comes after this one.
    pub fn is_last(&self) -> bool {
        self.current_page >= self.total_pages || self.offers.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPLOAD_SEED: &str = r#"{"code":200,"message":"操作成功","data":{"imageId":"1164408192156408878"},"timestamp":1724224057972,"traceId":"6b9849c1a5b0"}"#;

    /// The signed-header seed's example reply, byte for byte.
    pub(crate) const QUERY_SEED: &str = include_str!("fixtures/query_seed.json");

    #[test]
    fn upload_seed_parses() {
        let env: Envelope<UploadData> = serde_json::from_str(UPLOAD_SEED).unwrap();
        assert_eq!(env.code, 200);
        assert_eq!(env.message.as_deref(), Some("操作成功"));
        assert_eq!(env.trace_id.as_deref(), Some("6b9849c1a5b0"));
        assert_eq!(env.timestamp, Some(1724224057972));
        assert_eq!(
            env.data.unwrap().image_id.as_deref(),
            Some("1164408192156408878")
        );
    }

    #[test]
    fn query_seed_parses_and_normalises() {
        let env: Envelope<WirePage> = serde_json::from_str(QUERY_SEED).unwrap();
        assert_eq!(env.code, 200);
        assert_eq!(env.message.as_deref(), Some("成功"));
        assert_eq!(
            env.trace_id.as_deref(),
            Some("09f06e9131854474b8ded98d94df98ae")
        );
        assert_eq!(env.develop_id.as_deref(), Some("1110890638347337996"));
        let page = ResultPage::from_wire(env.data.unwrap(), 1, 5);
        assert_eq!(page.total_records, 687);
        assert_eq!(page.total_pages, 137);
        assert_eq!(page.page_size, 5);
        assert_eq!(page.current_page, 1);
        assert_eq!(page.offers.len(), 5);
        let first = &page.offers[0];
        assert_eq!(
            first.title,
            "国潮男装t恤230g重磅短袖男女纯棉体恤宽松圆领团服打底衫衣服潮"
        );
        assert!(
            first
                .title_en
                .as_deref()
                .unwrap()
                .starts_with("T-shirt men's")
        );
        assert_eq!(first.price, Some(Price(1600)));
        assert_eq!(first.jxhy_price, None);
        assert_eq!(first.month_sold, Some(97822));
        assert_eq!(first.repurchase_rate, Some(5.0));
        assert_eq!(
            first.offer_map_id.as_deref(),
            Some("wmNAp5CyEQ2fatKAZGGMWQ")
        );
        assert_eq!(first.badges, vec!["精选".to_string()]);
        assert_eq!(first.link(), None, "the seed carries no numeric offer id");
        let second = &page.offers[1];
        assert_eq!(second.jxhy_price, Some(Price(586)));
        assert_eq!(second.special_price(), None, "same as the list price");
        assert!(!page.is_last());
    }

    #[test]
    fn error_envelope_without_data() {
        let env: Envelope<WirePage> =
            serde_json::from_str(r#"{"code":401,"msg":"签名错误","requestId":"abc"}"#).unwrap();
        assert_eq!(env.code, 401);
        assert!(env.data.is_none());
        assert_eq!(env.message.as_deref(), Some("签名错误"));
    }

    #[test]
    fn tolerant_offer_fields() {
        let json = r#"{"subject":"x","priceInfo":{"price":12.5,"jxhyPrice":null},"monthSold":"42","repurchaseRate":null,"isJxhy":null,"offerId":123456}"#;
        let offer: Offer = serde_json::from_str::<WireOffer>(json).unwrap().into();
        assert_eq!(offer.price, Some(Price(1250)));
        assert_eq!(offer.month_sold, Some(42));
        assert_eq!(offer.repurchase_rate, None);
        assert_eq!(
            offer.link().as_deref(),
            Some("https://detail.1688.com/offer/123456.html")
        );
    }

    #[test]
    fn price_parsing() {
        assert_eq!("16".parse::<Price>(), Ok(Price(1600)));
        assert_eq!("16.5".parse::<Price>(), Ok(Price(1650)));
        assert_eq!(" ¥5.86 ".parse::<Price>(), Ok(Price(586)));
        assert_eq!(".5".parse::<Price>(), Ok(Price(50)));
        assert!("abc".parse::<Price>().is_err());
        assert!("-1".parse::<Price>().is_err());
        assert!("1.234".parse::<Price>().is_err());
        assert!("".parse::<Price>().is_err());
        assert!("99999999999999999999".parse::<Price>().is_err());
        assert_eq!(Price(586).to_string(), "5.86");
    }

    #[test]
    fn sort_wire_and_cli_forms() {
        let s = Sort::new(SortField::Price, SortOrder::Asc);
        assert_eq!(s.to_wire(), r#"{"price":"asc"}"#);
        assert_eq!(Sort::from_wire(&s.to_wire()), Some(s));
        assert_eq!(
            "sales-desc".parse::<Sort>().unwrap().to_wire(),
            r#"{"monthSold":"desc"}"#
        );
        assert_eq!(
            "repurchase-desc".parse::<Sort>().unwrap().to_wire(),
            r#"{"rePurchaseRate":"desc"}"#
        );
        assert!("weight-asc".parse::<Sort>().is_err());
    }

    #[test]
    fn filter_flags_round_trip_and_pass_unknown_through() {
        let flags = FilterFlag::parse_list("certifiedFactory, 1688Selection,,someNewFlag");
        assert_eq!(
            flags,
            vec![
                FilterFlag::CertifiedFactory,
                FilterFlag::Selection1688,
                FilterFlag::Other("someNewFlag".into())
            ]
        );
        assert_eq!(
            FilterFlag::join(&flags).as_deref(),
            Some("certifiedFactory,1688Selection,someNewFlag")
        );
        assert_eq!(FilterFlag::join(&[]), None);
    }

    #[test]
    fn query_body_omits_unset_fields() {
        let body = QueryBody {
            image_address: Some("http://x/y.jpg".into()),
            begin_page: Some(1),
            ..Default::default()
        };
        assert_eq!(
            serde_json::to_string(&body).unwrap(),
            r#"{"imageAddress":"http://x/y.jpg","beginPage":1}"#
        );
    }

    fn wire(json: &str) -> WirePage {
        let env: Envelope<WirePage> = serde_json::from_str(json).unwrap();
        env.data.unwrap()
    }

    #[test]
    fn a_malformed_offer_is_skipped_and_counted_not_the_page() {
        let page = wire(
            r#"{"code":200,"data":{"totalRecords":60,"totalPage":3,"currentPage":2,"data":[
                {"offerId":1,"subject":"a","priceInfo":{"price":"1.50"}},
                "garbage",
                {"offerId":"2","subject":"b","priceInfo":[1,2]},
                {"monthSold":5},
                {"offerId":3,"subject":null,"priceInfo":null,"monthSold":"7","isJxhy":"1"}
            ]}}"#,
        );
        let result = ResultPage::from_wire_checked(page, 2, 20).unwrap();
        let ids: Vec<_> = result.offers.iter().map(|o| o.offer_id.clone()).collect();
        assert_eq!(ids, [Some("1".into()), Some("3".into())]);
        assert_eq!(result.offers[1].month_sold, Some(7));
        assert_eq!(result.notices.len(), 1, "{:?}", result.notices);
        let notice = &result.notices[0];
        assert!(
            notice.starts_with("page 2: skipped 3 of 5 items"),
            "{notice}"
        );
        assert!(
            notice.contains("item 2: a string, not an offer"),
            "{notice}"
        );
    }

    #[test]
    fn a_page_of_nothing_but_garbage_is_an_error() {
        let page = wire(r#"{"code":200,"data":{"totalRecords":60,"data":[1,2,3]}}"#);
        let err = ResultPage::from_wire_checked(page, 1, 20).unwrap_err();
        assert!(err.contains("none of the 3 items on page 1"), "{err}");
    }

    #[test]
    fn an_empty_page_ends_the_list_only_where_the_totals_say_so() {
        let check = |json: &str, page: u32| ResultPage::from_wire_checked(wire(json), page, 20);
        // No results at all, on page 1: the ordinary empty search.
        assert!(check(r#"{"code":200,"data":{"totalRecords":0,"data":[]}}"#, 1).is_ok());
        assert!(check(r#"{"code":200,"data":{"data":null}}"#, 1).is_ok());
        // Past the last page: the end.
        assert!(
            check(
                r#"{"code":200,"data":{"totalRecords":60,"totalPage":3,"data":[]}}"#,
                4
            )
            .is_ok()
        );
        // Empty although the totals say there is more: an error.
        let err = check(
            r#"{"code":200,"data":{"totalRecords":60,"totalPage":3,"data":[]}}"#,
            2,
        )
        .unwrap_err();
        assert!(err.contains("page 2 came back empty although"), "{err}");
        assert!(check(r#"{"code":200,"data":{"totalRecords":60,"data":[]}}"#, 1).is_err());
        // totalPage 0 mid-stream: an error, not the end.
        let err = check(
            r#"{"code":200,"data":{"totalRecords":0,"totalPage":0,"data":[]}}"#,
            4,
        )
        .unwrap_err();
        assert!(
            err.contains("page 4 came back empty with totals of zero"),
            "{err}"
        );
    }

    #[test]
    fn page_counts_must_be_counts() {
        let parse = |json: &str| serde_json::from_str::<Envelope<WirePage>>(json).map(|_| ());
        assert!(parse(r#"{"code":200,"data":{"totalRecords":"12","pageSize":20.0}}"#).is_ok());
        assert!(parse(r#"{"code":200,"data":{"totalRecords":"","currentPage":null}}"#).is_ok());
        assert!(parse(r#"{"code":200,"data":{"totalRecords":"lots"}}"#).is_err());
        assert!(parse(r#"{"code":200,"data":{"totalPage":2.5}}"#).is_err());
        assert!(parse(r#"{"code":200,"data":{"pageSize":true}}"#).is_err());
        assert!(parse(r#"{"code":200,"data":{"totalRecords":{"n":1}}}"#).is_err());
    }
}
