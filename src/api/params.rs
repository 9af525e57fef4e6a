//! What a search asks for: page size, sort, filter flags and their groups,
//! price bounds, and how the query names its image.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

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
    fn wire_name(self) -> &'static str {
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
    fn wire_name(self) -> &'static str {
        match self {
            SortOrder::Asc => "asc",
            SortOrder::Desc => "desc",
        }
    }
}

/// A sort, sent as a JSON string such as `{"price":"asc"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sort {
    pub field: SortField,
    pub order: SortOrder,
}

impl Sort {
    pub const fn new(field: SortField, order: SortOrder) -> Self {
        Sort { field, order }
    }

    /// The provider's wire form: a JSON object with one key, as a string.
    pub(crate) fn to_wire(self) -> String {
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
    pub(crate) fn label(self) -> &'static str {
        match (self.field, self.order) {
            (SortField::Price, SortOrder::Asc) => "price ↑",
            (SortField::Price, SortOrder::Desc) => "price ↓",
            (SortField::MonthSold, SortOrder::Asc) => "monthly sales ↑",
            (SortField::MonthSold, SortOrder::Desc) => "monthly sales ↓",
            (SortField::RePurchaseRate, SortOrder::Asc) => "repurchase rate ↑",
            (SortField::RePurchaseRate, SortOrder::Desc) => "repurchase rate ↓",
        }
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    pub(crate) fn label(self) -> &'static str {
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
    pub(crate) const KNOWN: [FilterFlag; 26] = [
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

    fn wire_name(&self) -> &str {
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
    pub(crate) fn label(&self) -> &str {
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
/// Serialised (as the store's record of a search's filters), never sent so.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SearchParams {
    pub page_size: Option<u32>,
    /// `country`: the seed says it is fixed to `en` for now.
    pub country: Option<String>,
    /// Pixel box of the subject in the image, in the provider's order and
    /// the pixels of the copy it receives (see `region`).
    pub region: Option<String>,
    /// The same box(es) in pixels of the user's picture, as the user wrote
    /// or drew them (`X1,Y1,X2,Y2;…`): part of the search's identity, shown
    /// and kept in the history; `region` is made from it once the picture
    /// is prepared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop: Option<String>,
    pub filters: Vec<FilterFlag>,
    pub sort: Option<Sort>,
    pub price_start: Option<Price>,
    pub price_end: Option<Price>,
    pub category_id: Option<i64>,
    pub out_member_id: Option<String>,
    /// Words to search within the image results (1688's `keyword`, 在结果中搜索).
    /// Check with [`check_refine_words`]; sent only where the provider's
    /// [`Capabilities::keyword_in_image_search`](crate::api::Capabilities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keyword: Option<String>,
    /// Words that steer a multimodal image search (1688's `auxiliaryText`,
    /// 多模态图搜文案). Check with [`check_refine_words`]; sent only where
    /// [`Capabilities::hint_in_image_search`](crate::api::Capabilities).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl SearchParams {
    /// The filters in a few words: "¥10.00–30.00 · price ↑ · ships
    /// today", or "" when it had none.
    pub fn summary(&self) -> String {
        let p = self;
        let mut parts = Vec::new();
        match (p.price_start, p.price_end) {
            (Some(a), Some(b)) => parts.push(format!("¥{a}–{b}")),
            (Some(a), None) => parts.push(format!("≥ ¥{a}")),
            (None, Some(b)) => parts.push(format!("≤ ¥{b}")),
            (None, None) => {}
        }
        if let Some(sort) = p.sort {
            parts.push(sort.label().to_string());
        }
        parts.extend(p.filters.iter().map(|f| f.label().to_string()));
        if let Some(c) = p.category_id {
            parts.push(format!("category {c}"));
        }
        if let Some(k) = &p.keyword {
            parts.push(format!("words \u{201c}{k}\u{201d}"));
        }
        if let Some(h) = &p.hint {
            parts.push(format!("hint \u{201c}{h}\u{201d}"));
        }
        if let Some(crop) = &p.crop {
            parts.push(format!("crop {crop}"));
        } else if p.region.is_some() {
            parts.push("part of the picture".into());
        }
        crate::text::sanitize(&parts.join(" · "))
    }

    pub(crate) fn effective_page_size(&self) -> u32 {
        self.page_size
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE)
    }

    pub(crate) fn effective_country(&self) -> &str {
        self.country.as_deref().unwrap_or("en")
    }
}

/// Longest `country` sent: a language or country code is a few letters.
const MAX_COUNTRY_LEN: usize = 16;
/// Longest `outMemberId` sent, in characters.
const MAX_OUT_MEMBER_ID_LEN: usize = 128;

/// A `country` as the provider takes it (`en`): 1 to [`MAX_COUNTRY_LEN`]
/// ASCII letters, digits, `-` or `_`. Checked where the value is read, so a
/// request never fails to be built on it.
pub fn check_country(value: &str) -> Result<(), String> {
    let ok = (1..=MAX_COUNTRY_LEN).contains(&value.len())
        && value
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a country or language code is 1 to {MAX_COUNTRY_LEN} letters, digits, '-' or '_' (e.g. en)"
        ))
    }
}

/// An `outMemberId`: 1 to [`MAX_OUT_MEMBER_ID_LEN`] characters, none of
/// them a control character.
pub fn check_out_member_id(value: &str) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.chars().count() <= MAX_OUT_MEMBER_ID_LEN
        && !value.chars().any(char::is_control);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "a member id is 1 to {MAX_OUT_MEMBER_ID_LEN} characters, with no control characters"
        ))
    }
}

/// Longest `keyword` or `auxiliaryText` sent, in characters (a search
/// box's worth; the official document sets no limit).
pub const MAX_REFINE_CHARS: usize = 100;

/// A `keyword` or hint (`auxiliaryText`) as sent: 1 to
/// [`MAX_REFINE_CHARS`] characters, not only spaces, no control
/// characters. `what` names it in the message ("keyword", "hint").
pub fn check_refine_words(what: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("the {what} is empty: give a word or leave it out"));
    }
    if value.chars().count() > MAX_REFINE_CHARS {
        return Err(format!(
            "the {what} is longer than {MAX_REFINE_CHARS} characters"
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(format!("the {what} has a control character"));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

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
    fn refine_words_are_checked_and_summarised() {
        assert_eq!(check_refine_words("keyword", "书本"), Ok(()));
        assert_eq!(check_refine_words("hint", "hot selling red"), Ok(()));
        assert!(check_refine_words("keyword", "  ").is_err());
        assert!(check_refine_words("keyword", "").is_err());
        assert!(check_refine_words("hint", "a\u{1b}[31mb").is_err());
        assert!(check_refine_words("hint", "a\nb").is_err());
        let long = "字".repeat(MAX_REFINE_CHARS + 1);
        assert!(
            check_refine_words("keyword", &long)
                .unwrap_err()
                .contains("100")
        );
        assert_eq!(
            check_refine_words("keyword", &long[..3 * MAX_REFINE_CHARS]),
            Ok(())
        );
        let p = SearchParams {
            keyword: Some("cotton".into()),
            hint: Some("hot".into()),
            ..SearchParams::default()
        };
        assert_eq!(
            p.summary(),
            "words \u{201c}cotton\u{201d} · hint \u{201c}hot\u{201d}"
        );
        let stored = serde_json::to_string(&SearchParams::default()).unwrap();
        assert!(!stored.contains("keyword"), "absent words are not stored");
        let old: SearchParams = serde_json::from_str(&stored).unwrap();
        assert_eq!(old.keyword, None);
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
}
