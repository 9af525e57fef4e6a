//! The providers' reply and request shapes, read tolerantly and checked:
//! the envelope, an upload's data, a page of offers (bad items set aside),
//! and the signed-header provider's query body.

use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;

/// Accepts a JSON string, number or null as an optional string (real payloads
/// disagree with the schema: `developId` is a string, prices may be null).
fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
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
fn lenient_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
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
fn lenient_bool<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
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
    /// Detected subjects (1688's `picRegionInfo`), in whatever shape the
    /// provider passes them through; read by `Subjects::from_json`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pic_region_info: Option<serde_json::Value>,
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
    /// A list of codes as documented, or whatever was sent: read by
    /// `seller::read_identities` (a wrong kind never sets the item aside).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_identities: Option<serde_json::Value>,
    /// `tradeScore`, `sellerDataInfo`, `productSimpleShippingInfo`: the
    /// supplier signals, kept as sent and read by `seller::Seller::from_item`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trade_score: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seller_data_info: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub product_simple_shipping_info: Option<serde_json::Value>,
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
pub(crate) struct QueryBody {
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

#[cfg(test)]
mod tests {
    use super::*;

    const UPLOAD_SEED: &str = r#"{"code":200,"message":"操作成功","data":{"imageId":"1164408192156408878"},"timestamp":1724224057972,"traceId":"6b9849c1a5b0"}"#;

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
    fn error_envelope_without_data() {
        let env: Envelope<WirePage> =
            serde_json::from_str(r#"{"code":401,"msg":"签名错误","requestId":"abc"}"#).unwrap();
        assert_eq!(env.code, 401);
        assert!(env.data.is_none());
        assert_eq!(env.message.as_deref(), Some("签名错误"));
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
