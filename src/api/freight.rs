//! Domestic freight: what a seller charges to send an order to an address
//! in mainland China (the user's forwarder), asked of a provider with
//! [`super::Capabilities::freight_estimate`] (DajiSaaS `POST
//! /alibaba/product/freightEstimate`, wrapping 1688's
//! `product.freight.estimate`; medium-to-low confidence for the wrapper).
//!
//! The request names the destination by its address codes
//! ([`Destination`]) and the pieces per SKU; the reply is read tolerantly
//! into a [`FreightQuote`]: free, a total for the pieces, or unknown —
//! never a silent zero.

use super::error::DestinationError;
use super::params::Price;
use super::read::{flag, id_text, money, scaled, small_int, text};
use serde_json::{Map, Value};

/// SKU lines sent in one estimate at most (the freight of a mixed order).
pub const MAX_FREIGHT_SKUS: usize = 50;

/// A mainland-China destination as 6-digit administrative-division codes
/// (GB/T 2260), checked to nest: province `PP0000`, city `PPCC00` in that
/// province, district `PPCCDD` in that city. 1688 calls the district
/// `toCountryCode`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Destination {
    province: String,
    city: String,
    district: String,
}

impl Destination {
    pub fn new(province: &str, city: &str, district: &str) -> Result<Self, DestinationError> {
        let code = |field: &'static str, v: &str| {
            let v = v.trim();
            if v.len() == 6 && v.bytes().all(|b| b.is_ascii_digit()) {
                Ok(v.to_string())
            } else {
                Err(DestinationError::NotSixDigits {
                    field,
                    value: crate::text::sanitize(v).chars().take(24).collect(),
                })
            }
        };
        let (province, city, district) = (
            code("province", province)?,
            code("city", city)?,
            code("district", district)?,
        );
        if !province.ends_with("0000") {
            return Err(DestinationError::NotAProvince(province));
        }
        if !city.ends_with("00") {
            return Err(DestinationError::NotACity(city));
        }
        if city[..2] != province[..2] {
            return Err(DestinationError::CityOutsideProvince { city, province });
        }
        if district[..4] != city[..4] {
            return Err(DestinationError::DistrictOutsideCity { district, city });
        }
        Ok(Destination {
            province,
            city,
            district,
        })
    }

    pub fn province(&self) -> &str {
        &self.province
    }

    pub fn city(&self) -> &str {
        &self.city
    }

    pub fn district(&self) -> &str {
        &self.district
    }
}

/// What to estimate: an offer, a destination, the pieces in all and per SKU
/// (empty for an offer without SKUs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreightQuery {
    pub offer_id: String,
    pub destination: Destination,
    pub total: u64,
    /// (SKU id as decimal text, pieces).
    pub skus: Vec<(String, u64)>,
}

impl FreightQuery {
    /// Checks what the provider would otherwise reject or what should not
    /// be sent: digits-only ids, a positive total, lines that add up to it.
    pub(crate) fn check(&self) -> Result<(), String> {
        if !super::detail::is_offer_id(&self.offer_id) {
            return Err("a freight estimate needs a numeric offer id".into());
        }
        if self.total == 0 {
            return Err("a freight estimate needs at least one piece".into());
        }
        if self.skus.len() > MAX_FREIGHT_SKUS {
            return Err(format!(
                "a freight estimate takes at most {MAX_FREIGHT_SKUS} SKUs"
            ));
        }
        if self
            .skus
            .iter()
            .any(|(id, n)| !super::detail::is_offer_id(id) || *n == 0)
        {
            return Err("each SKU line needs a numeric SKU id and at least one piece".into());
        }
        let sum = self.skus.iter().map(|l| l.1).fold(0, u64::saturating_add);
        if !self.skus.is_empty() && sum != self.total {
            return Err(format!(
                "the SKU lines add up to {sum} pieces, not the total {}",
                self.total
            ));
        }
        Ok(())
    }
}

/// How the seller's template charges (`chargeType`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChargeBy {
    Weight,
    Piece,
    Volume,
    Other(String),
}

/// The estimate's bottom line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FreightOutcome {
    /// The seller pays (`freePostage`, or `templateType` 1).
    Free { by_template: bool },
    /// `freight`: the total for `for_pieces` pieces.
    Priced { total: Price, for_pieces: u64 },
    /// Not free and no readable total: never priced as zero.
    Unknown { why: String },
}

/// A freight estimate, read tolerantly; the fee parts are kept to explain
/// it ("¥2.90 first kg, ¥2.00 each further kg"), never preferred over the
/// total.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FreightQuote {
    pub outcome: Option<FreightOutcome>,
    pub first_fee: Option<Price>,
    /// As sent (`"1"` = the first 1 kg or piece).
    pub first_unit: Option<String>,
    pub next_fee: Option<Price>,
    pub next_unit: Option<String>,
    pub charge_by: Option<ChargeBy>,
    /// 1 seller pays, 2 user template, 3 official template.
    pub template_type: Option<i64>,
    /// 0 express, 1 freight, 2 cash on delivery, 3 official.
    pub sub_template_type: Option<i64>,
    pub template_name: Option<String>,
    /// `singleProductWeight`, kg → grams.
    pub piece_weight_g: Option<u64>,
    /// `productFreightSkuInfoModels[]`: (SKU id, `singleSkuWeight` kg → grams).
    pub sku_weights: Vec<(String, u64)>,
    /// The reply's model as sent.
    pub raw: Value,
}

impl FreightQuote {
    /// The bottom line; [`FreightOutcome::Unknown`] when the reply gave none.
    pub fn outcome(&self) -> FreightOutcome {
        self.outcome.clone().unwrap_or(FreightOutcome::Unknown {
            why: "the estimate gave no freight".into(),
        })
    }

    /// Cash on delivery: the freight is paid to the courier on arrival.
    pub fn cash_on_delivery(&self) -> bool {
        self.sub_template_type == Some(2)
    }

    /// Reads the reply's `data`: the freight model itself, or nested under
    /// `result` / `result.result` as the official gateway sends it.
    /// `pieces` is the `totalNum` that was asked. Only an object is an
    /// estimate.
    pub fn from_value(raw: Value, pieces: u64) -> Result<FreightQuote, String> {
        let Some(outer) = raw.as_object() else {
            return Err("the freight estimate is not a JSON object".into());
        };
        let nested = |m: &Map<String, Value>| m.get("result").and_then(Value::as_object).cloned();
        let model = nested(outer)
            .map(|r| nested(&r).unwrap_or(r))
            .unwrap_or_else(|| outer.clone());
        let m = &model;
        let template_type = small_int(m.get("templateType"));
        let free = flag(m.get("freePostage")).or_else(|| flag(m.get("isFreePostage")));
        let total = ["freight", "totalFreight", "postFee", "fee"]
            .iter()
            .find_map(|k| money(m.get(*k)));
        let outcome = if free == Some(true) {
            FreightOutcome::Free { by_template: false }
        } else if template_type == Some(1) {
            FreightOutcome::Free { by_template: true }
        } else {
            match total {
                Some(total) => FreightOutcome::Priced {
                    total,
                    for_pieces: pieces,
                },
                None => FreightOutcome::Unknown {
                    why: match text(m.get("freight")) {
                        Some(t) => format!(
                            "the freight {:?} is not an amount",
                            crate::text::sanitize(&t)
                                .chars()
                                .take(24)
                                .collect::<String>()
                        ),
                        None => "the estimate gave no freight".into(),
                    },
                },
            }
        };
        let charge_by = text(m.get("chargeType")).map(|t| match t.as_str() {
            "0" => ChargeBy::Weight,
            "1" => ChargeBy::Piece,
            "2" => ChargeBy::Volume,
            _ => ChargeBy::Other(t),
        });
        let sku_weights = m
            .get("productFreightSkuInfoModels")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_object)
            .filter_map(|s| {
                Some((
                    id_text(s.get("skuId"))?,
                    scaled(s.get("singleSkuWeight"), 3)?,
                ))
            })
            .take(super::sku::MAX_SKUS)
            .collect();
        Ok(FreightQuote {
            outcome: Some(outcome),
            first_fee: money(m.get("firstFee")),
            first_unit: text(m.get("firstUnit")),
            next_fee: money(m.get("nextFee")),
            next_unit: text(m.get("nextUnit")),
            charge_by,
            template_type,
            sub_template_type: small_int(m.get("subTemplateType")),
            template_name: text(m.get("templateName")),
            piece_weight_g: scaled(m.get("singleProductWeight"), 3),
            sku_weights,
            raw: Value::Object(model),
        })
    }

    /// The fee parts in words, e.g. "¥2.90 first 1 kg, ¥2.00 each further 1 kg".
    pub fn fees_line(&self) -> Option<String> {
        let unit = match self.charge_by {
            Some(ChargeBy::Weight) => "kg",
            Some(ChargeBy::Piece) => "pc",
            _ => "unit",
        };
        let first = self.first_fee?;
        let n = |u: &Option<String>| u.clone().unwrap_or_else(|| "1".into());
        let mut line = format!("¥{first} first {} {unit}", n(&self.first_unit));
        if let Some(next) = self.next_fee {
            line.push_str(&format!(
                ", ¥{next} each further {} {unit}",
                n(&self.next_unit)
            ));
        }
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn destinations_must_nest() {
        let d = Destination::new("330000", " 330100", "330108").unwrap();
        assert_eq!(
            (d.province(), d.city(), d.district()),
            ("330000", "330100", "330108")
        );
        // Shanghai: a municipality's city level is PP0100.
        assert!(Destination::new("310000", "310100", "310115").is_ok());
        let err = |p, c, d| Destination::new(p, c, d).unwrap_err();
        assert!(matches!(
            err("33000", "330100", "330108"),
            DestinationError::NotSixDigits {
                field: "province",
                ..
            }
        ));
        assert!(matches!(
            err("330000", "3301OO", "330108"),
            DestinationError::NotSixDigits { field: "city", .. }
        ));
        assert!(matches!(
            err("330100", "330100", "330108"),
            DestinationError::NotAProvince(_)
        ));
        assert!(matches!(
            err("330000", "330108", "330108"),
            DestinationError::NotACity(_)
        ));
        assert!(matches!(
            err("330000", "440100", "440111"),
            DestinationError::CityOutsideProvince { .. }
        ));
        let e = err("330000", "330100", "330708");
        assert!(matches!(e, DestinationError::DistrictOutsideCity { .. }));
        assert!(e.to_string().contains("330708"), "{e}");
    }

    fn query(skus: Vec<(&str, u64)>, total: u64) -> FreightQuery {
        FreightQuery {
            offer_id: "612345678901".into(),
            destination: Destination::new("440000", "440100", "440111").unwrap(),
            total,
            skus: skus.into_iter().map(|(s, n)| (s.to_string(), n)).collect(),
        }
    }

    #[test]
    fn queries_are_checked_before_sending() {
        assert!(query(vec![], 3).check().is_ok());
        assert!(query(vec![("11", 2), ("12", 1)], 3).check().is_ok());
        assert!(query(vec![("11", 2)], 3).check().is_err());
        assert!(query(vec![], 0).check().is_err());
        assert!(query(vec![("1&x", 3)], 3).check().is_err());
        let mut q = query(vec![], 1);
        q.offer_id = "abc".into();
        assert!(q.check().is_err());
    }

    fn read(v: Value) -> FreightQuote {
        FreightQuote::from_value(v, 10).unwrap()
    }

    #[test]
    fn freight_replies_are_read_tolerantly() {
        let q = read(json!({
            "offerId": 612345678901u64, "freight": "12.3", "freePostage": false,
            "firstFee": "2.9", "firstUnit": "1", "nextFee": 2, "nextUnit": "1",
            "chargeType": "0", "templateType": 2, "subTemplateType": "0",
            "templateName": "中通", "singleProductWeight": "0.15",
            "productFreightSkuInfoModels": [{"skuId": "11", "singleSkuWeight": 0.2}, "x"]
        }));
        assert_eq!(
            q.outcome(),
            FreightOutcome::Priced {
                total: Price(1230),
                for_pieces: 10
            }
        );
        assert_eq!(q.first_fee, Some(Price(290)));
        assert_eq!(q.next_fee, Some(Price(200)));
        assert_eq!(q.charge_by, Some(ChargeBy::Weight));
        assert_eq!(q.piece_weight_g, Some(150));
        assert_eq!(q.sku_weights, [("11".to_string(), 200)]);
        assert_eq!(
            q.fees_line().as_deref(),
            Some("¥2.90 first 1 kg, ¥2.00 each further 1 kg")
        );
        assert!(!q.cash_on_delivery());

        // Free: by the flag (bool, text or 1), or by the seller-pays template.
        for free in [json!(true), json!("true"), json!(1)] {
            let q = read(json!({"freePostage": free, "freight": "0"}));
            assert_eq!(q.outcome(), FreightOutcome::Free { by_template: false });
        }
        let q = read(json!({"templateType": "1"}));
        assert_eq!(q.outcome(), FreightOutcome::Free { by_template: true });
        // A number total, nested under result.result.
        let q = read(json!({"result": {"success": true, "result": {"freight": 8}}}));
        assert_eq!(
            q.outcome(),
            FreightOutcome::Priced {
                total: Price(800),
                for_pieces: 10
            }
        );
        // Missing or unreadable and not free: unknown, never zero.
        for v in [
            json!({}),
            json!({"freight": null}),
            json!({"freight": "about 5"}),
            json!({"freight": "-3"}),
            json!({"freePostage": "x"}),
        ] {
            let q = read(v.clone());
            assert!(
                matches!(q.outcome(), FreightOutcome::Unknown { .. }),
                "{v}: {:?}",
                q.outcome()
            );
        }
        assert!(
            matches!(read(json!({"freight": "about 5"})).outcome(), FreightOutcome::Unknown { why } if why.contains("not an amount"))
        );
        let q = read(json!({"subTemplateType": 2, "chargeType": 7}));
        assert!(q.cash_on_delivery());
        assert_eq!(q.charge_by, Some(ChargeBy::Other("7".into())));
        assert_eq!(q.fees_line(), None);
        assert!(FreightQuote::from_value(json!("x"), 1).is_err());
        assert_eq!(
            FreightQuote::default().outcome(),
            FreightOutcome::Unknown {
                why: "the estimate gave no freight".into()
            }
        );
    }
}
