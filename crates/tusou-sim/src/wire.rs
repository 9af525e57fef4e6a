//! The providers' wire formats as the simulator speaks them, written from
//! the two seed documents and the protocol notes, independent of the
//! client's own types.
//!
//! * DajiSaaS envelope: `code, message, data, timestamp, traceId`. Image
//!   query items: the seed's eight fields plus a numeric `offerId`,
//!   `priceInfo.consignPrice`, `isOnePsale` and `sellerIdentities`.
//! * Signed-header envelope: `requestId, code, developId, msg, data`, with
//!   `data` = `{totalRecords, totalPage, pageSize, currentPage, data[]}` and
//!   items of exactly the seed's eight fields.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Largest `pageSize` either provider accepts.
pub const MAX_PAGE_SIZE: u64 = 50;
/// `pageSize` when none is given (DajiSaaS recommends 20).
pub const DEFAULT_PAGE_SIZE: u64 = 20;

// ---------------------------------------------------------------------------
// Parameters
// ---------------------------------------------------------------------------

/// A price in fen (hundredths of a yuan).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Price(pub u64);

impl Price {
    pub fn fen(self) -> u64 {
        self.0
    }

    /// Parses the providers' decimal text: `16`, `16.5`, `16.00`. No sign,
    /// no currency symbol, at most two decimals.
    pub fn parse(s: &str) -> Option<Price> {
        let t = s.trim();
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
        if !digits(whole) || !digits(frac) || whole.is_empty() && frac.is_empty() {
            return None;
        }
        if frac.len() > 2 || whole.len() > 12 {
            return None;
        }
        let whole: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().ok()?
        };
        let frac: u64 = match frac.len() {
            0 => 0,
            1 => frac.parse::<u64>().ok()? * 10,
            _ => frac.parse().ok()?,
        };
        Some(Price(whole * 100 + frac))
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Price,
    MonthSold,
    RePurchaseRate,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortOrder {
    Asc,
    Desc,
}

/// `sort`: a JSON object as a string with one field and its order, e.g.
/// `{"price":"asc"}`; fields `price`, `monthSold`, `rePurchaseRate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub field: SortField,
    pub order: SortOrder,
}

impl Sort {
    pub fn parse(s: &str) -> Option<Sort> {
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(s).ok()?;
        if map.len() != 1 {
            return None;
        }
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
}

/// The `filter` flags the simulator acts on. Others are ignored, as the
/// real service ignores flags it does not know.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterFlag {
    CertifiedFactory,
    ShipInToday,
    ShipIn24Hours,
    ShipIn48Hours,
    Jxhy,
    IsOnePsale,
    IsOnePsaleFreePost,
    NoReason7DReturn,
    New7,
    New30,
    Selection1688,
}

impl FilterFlag {
    fn from_wire(s: &str) -> Option<FilterFlag> {
        Some(match s {
            "certifiedFactory" => FilterFlag::CertifiedFactory,
            "shipInToday" => FilterFlag::ShipInToday,
            "shipIn24Hours" => FilterFlag::ShipIn24Hours,
            "shipIn48Hours" => FilterFlag::ShipIn48Hours,
            "jxhy" => FilterFlag::Jxhy,
            "isOnePsale" => FilterFlag::IsOnePsale,
            "isOnePsaleFreePost" => FilterFlag::IsOnePsaleFreePost,
            "noReason7DReturn" => FilterFlag::NoReason7DReturn,
            "new7" => FilterFlag::New7,
            "new30" => FilterFlag::New30,
            "1688Selection" => FilterFlag::Selection1688,
            _ => return None,
        })
    }

    /// Parses the comma-separated list; unknown and empty items are dropped.
    pub fn parse_list(s: &str) -> Vec<FilterFlag> {
        let mut out = Vec::new();
        for flag in s.split(',').filter_map(|p| FilterFlag::from_wire(p.trim())) {
            if !out.contains(&flag) {
                out.push(flag);
            }
        }
        out
    }
}

/// The signed-header provider's JSON request body, typed as seed 001
/// documents it (`string | null`, `integer | null`). Unknown keys are
/// ignored; a value of the wrong JSON type is a 400.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedQueryBody {
    pub image_base64: Option<String>,
    pub begin_page: Option<i64>,
    pub page_size: Option<i64>,
    pub country: Option<String>,
    pub region: Option<String>,
    pub filter: Option<String>,
    pub sort: Option<String>,
    pub price_start: Option<String>,
    pub price_end: Option<String>,
    pub category_id: Option<i64>,
    pub image_address: Option<String>,
    pub out_member_id: Option<String>,
}

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------

/// DajiSaaS envelope (seed 000's reply).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DajiEnvelope<T> {
    pub code: i64,
    pub message: String,
    /// `null` on errors.
    pub data: Option<T>,
    /// Milliseconds since the epoch, by the simulator's clock.
    pub timestamp: u64,
    pub trace_id: String,
}

/// Signed-header envelope (seed 001's reply). `developId` is a string, as in
/// the seed's example (it does not fit a double).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedEnvelope<T> {
    pub request_id: String,
    pub code: i64,
    pub develop_id: String,
    pub msg: String,
    /// `null` on errors.
    pub data: Option<T>,
}

/// `data` of a DajiSaaS upload reply.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UploadData {
    pub image_id: String,
}

/// One page of an image query.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    pub total_records: u64,
    pub total_page: u64,
    pub page_size: u64,
    pub current_page: u64,
    pub data: Vec<T>,
    /// The subjects found in the picture and the region searched, as
    /// 1688's image search reports them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pic_region_info: Option<PicRegionInfo>,
}

/// `picRegionInfo`: boxes `x1,x2,y1,y2` (xmin, xmax, ymin, ymax) in pixels
/// of the searched picture, several joined by `;`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PicRegionInfo {
    /// The region the search used: the first `region` box, else the whole
    /// picture.
    pub current_region: String,
    /// The detected subjects, largest first (empty when none stands out).
    pub yolo_crop_region: String,
}

/// `priceInfo` of a signed-header item: exactly the seed's three fields.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedPriceInfo {
    pub price: String,
    pub jxhy_price: Option<String>,
    pub pf_jxhy_price: Option<String>,
}

/// A signed-header item: exactly the seed's eight fields.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedItem {
    pub image_url: String,
    pub subject: String,
    pub subject_trans: String,
    pub offer_map_id: String,
    pub is_jxhy: bool,
    pub price_info: SignedPriceInfo,
    pub repurchase_rate: String,
    pub month_sold: u64,
}

/// `priceInfo` of a DajiSaaS item: the seed's three plus `consignPrice`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DajiPriceInfo {
    pub price: String,
    pub jxhy_price: Option<String>,
    pub pf_jxhy_price: Option<String>,
    /// Dropshipping (代发) price.
    pub consign_price: String,
}

/// A DajiSaaS image-query item: the seed's eight fields plus `offerId` (a
/// JSON number), `isOnePsale`, `sellerIdentities` and the supplier signals
/// of the official imageQuery table (`companyName`, `tradeScore`,
/// `sellerDataInfo`, `productSimpleShippingInfo`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DajiItem {
    pub image_url: String,
    pub subject: String,
    pub subject_trans: String,
    pub offer_map_id: String,
    pub is_jxhy: bool,
    pub price_info: DajiPriceInfo,
    pub repurchase_rate: String,
    pub month_sold: u64,
    pub offer_id: u64,
    pub is_one_psale: bool,
    /// e.g. `super_factory`, `tp_member`, `powerful_merchants`.
    pub seller_identities: Vec<String>,
    /// The seller's shop name.
    pub company_name: String,
    /// `"4.8"`, `4.8` or null (the official table types it String).
    pub trade_score: serde_json::Value,
    /// `{tpYear, compositeServiceScore}`, fields left out when unknown.
    pub seller_data_info: serde_json::Value,
    /// `{shippingTimeGuarantee, perfectFulfillmentRate30d,
    /// pickupWithin24hRate30d, qualityReturnRate30d, delayedShippingRate7d}`.
    pub product_simple_shipping_info: serde_json::Value,
}

/// The item keys of each provider, in order (tests compare replies with these).
pub const SIGNED_ITEM_KEYS: [&str; 8] = [
    "imageUrl",
    "subject",
    "subjectTrans",
    "offerMapId",
    "isJxhy",
    "priceInfo",
    "repurchaseRate",
    "monthSold",
];

/// DajiSaaS item keys: the signed-header eight plus the documented extras.
pub const DAJI_ITEM_KEYS: [&str; 15] = [
    "imageUrl",
    "subject",
    "subjectTrans",
    "offerMapId",
    "isJxhy",
    "priceInfo",
    "repurchaseRate",
    "monthSold",
    "offerId",
    "isOnePsale",
    "sellerIdentities",
    "companyName",
    "tradeScore",
    "sellerDataInfo",
    "productSimpleShippingInfo",
];

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn keys(v: &Value) -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    }

    fn sorted(k: &[&str]) -> Vec<String> {
        let mut k: Vec<String> = k.iter().map(|s| s.to_string()).collect();
        k.sort();
        k
    }

    #[test]
    fn price_text() {
        assert_eq!(Price::parse("16"), Some(Price(1600)));
        assert_eq!(Price::parse("16.5"), Some(Price(1650)));
        assert_eq!(Price::parse(" 5.86 "), Some(Price(586)));
        assert_eq!(Price::parse(".5"), Some(Price(50)));
        for bad in ["", ".", "-1", "1.234", "abc", "¥5", "1e3", "9999999999999"] {
            assert_eq!(Price::parse(bad), None, "{bad}");
        }
        assert_eq!(Price(586).to_string(), "5.86");
        assert_eq!(Price(1600).to_string(), "16.00");
    }

    #[test]
    fn sort_json() {
        assert_eq!(
            Sort::parse(r#"{"price":"asc"}"#),
            Some(Sort {
                field: SortField::Price,
                order: SortOrder::Asc
            })
        );
        assert_eq!(
            Sort::parse(r#"{"rePurchaseRate":"desc"}"#).map(|s| s.field),
            Some(SortField::RePurchaseRate)
        );
        assert_eq!(
            Sort::parse(r#"{"monthSold":"desc"}"#).map(|s| s.field),
            Some(SortField::MonthSold)
        );
        for bad in [
            "price-asc",
            "{}",
            r#"{"weight":"asc"}"#,
            r#"{"price":"up"}"#,
            r#"{"price":"asc","monthSold":"desc"}"#,
            r#"["price"]"#,
        ] {
            assert_eq!(Sort::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn filters_ignore_unknown_flags() {
        assert_eq!(
            FilterFlag::parse_list("certifiedFactory, 1688Selection,,someNewFlag,JPFL,new7,new7"),
            vec![
                FilterFlag::CertifiedFactory,
                FilterFlag::Selection1688,
                FilterFlag::New7
            ]
        );
        assert!(FilterFlag::parse_list("").is_empty());
    }

    #[test]
    fn signed_body_is_typed_like_the_seed() {
        // Seed 001's example body, byte for byte.
        let seed = "{\n\"imageBase64\": \"xxxx\",\n\"beginPage\": 1,\n\"pageSize\": 5,\n\"country\": \"en\",\n\"imageAddress\": \"https://cbu01.alicdn.com/img/ibank/O1CN01Gf8JoQ20i0lN5N8v2_!!2207943566882-0-cib.jpg\",\n\"outMemberId\": \"21000070000\"\n}";
        let b: SignedQueryBody = serde_json::from_str(seed).unwrap();
        assert_eq!(b.image_base64.as_deref(), Some("xxxx"));
        assert_eq!(b.begin_page, Some(1));
        assert_eq!(b.page_size, Some(5));
        assert_eq!(b.out_member_id.as_deref(), Some("21000070000"));
        // Nulls are fine; wrong JSON types are not.
        assert!(
            serde_json::from_str::<SignedQueryBody>(r#"{"beginPage":null,"sort":null}"#).is_ok()
        );
        assert!(serde_json::from_str::<SignedQueryBody>(r#"{"beginPage":"1"}"#).is_err());
        assert!(serde_json::from_str::<SignedQueryBody>(r#"{"priceStart":10}"#).is_err());
        assert!(serde_json::from_str::<SignedQueryBody>(r#"{"somethingElse":1}"#).is_ok());
    }

    #[test]
    fn item_shapes_per_provider() {
        let signed = SignedItem {
            image_url: "u".into(),
            subject: "s".into(),
            subject_trans: "t".into(),
            offer_map_id: "m".into(),
            is_jxhy: false,
            price_info: SignedPriceInfo {
                price: "16.00".into(),
                jxhy_price: None,
                pf_jxhy_price: None,
            },
            repurchase_rate: "5%".into(),
            month_sold: 3,
        };
        let v = serde_json::to_value(&signed).unwrap();
        assert_eq!(keys(&v), sorted(&SIGNED_ITEM_KEYS));
        assert_eq!(
            v["priceInfo"],
            json!({"price":"16.00","jxhyPrice":null,"pfJxhyPrice":null})
        );
        let daji = DajiItem {
            image_url: "u".into(),
            subject: "s".into(),
            subject_trans: "t".into(),
            offer_map_id: "m".into(),
            is_jxhy: true,
            price_info: DajiPriceInfo {
                price: "16.00".into(),
                jxhy_price: Some("15.00".into()),
                pf_jxhy_price: None,
                consign_price: "17.00".into(),
            },
            repurchase_rate: "5%".into(),
            month_sold: 3,
            offer_id: 612345678901,
            is_one_psale: true,
            seller_identities: vec!["super_factory".into()],
            company_name: "c".into(),
            trade_score: json!("4.8"),
            seller_data_info: json!({"tpYear": 3}),
            product_simple_shipping_info: json!({}),
        };
        let v = serde_json::to_value(&daji).unwrap();
        assert_eq!(keys(&v), sorted(&DAJI_ITEM_KEYS));
        assert!(v["offerId"].is_u64(), "offerId is a JSON number");
        assert_eq!(keys(&v["priceInfo"]).len(), 4);
    }

    #[test]
    fn envelopes_match_the_seeds() {
        let d = DajiEnvelope {
            code: 200,
            message: "操作成功".into(),
            data: Some(UploadData {
                image_id: "1164408192156408878".into(),
            }),
            timestamp: 1724224057972,
            trace_id: "6b9849c1a5b0".into(),
        };
        // Seed 000's example reply, as the simulator writes it.
        assert_eq!(
            serde_json::to_string(&d).unwrap(),
            r#"{"code":200,"message":"操作成功","data":{"imageId":"1164408192156408878"},"timestamp":1724224057972,"traceId":"6b9849c1a5b0"}"#
        );
        let s: SignedEnvelope<Page<SignedItem>> = SignedEnvelope {
            request_id: "09f06e9131854474b8ded98d94df98ae".into(),
            code: 401,
            develop_id: "1110890638347337996".into(),
            msg: "x".into(),
            data: None,
        };
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(
            keys(&v),
            sorted(&["requestId", "code", "developId", "msg", "data"])
        );
        assert!(v["data"].is_null());
    }
}
