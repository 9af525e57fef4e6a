//! DajiSaaS's domestic freight estimate: `POST /alibaba/product/freightEstimate`
//! with a JSON body (1688's `productFreightQueryParamsNew` fields flat beside
//! `appKey` and `sign`), signed like the other calls with the SKU list as
//! compact JSON, under the same rate limit and faults. Replies with
//! 1688's `ProductFreightModel` field names: money as text, `freePostage`
//! a bool, `chargeType` text.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::response::Response;
use serde_json::{Map, Value, json};

use super::auth::check_daji;
use super::reply::{Trace, run_api};
use super::{ApiErr, Call, MAX_BODY_BYTES, Provider, bad, busy};
use crate::SimState;
use crate::catalog::SimSku;
use crate::wire::Price;

/// Code 400: destination codes missing, not 6 digits, or not nested
/// (province `PP0000`, city `PPCC00` in it, district `PPCCDD` in the city).
pub const MSG_BAD_ADDRESS: &str =
    "收货地址编码错误 toProvinceCode/toCityCode/toCountryCode are missing or do not match";
/// Code 400: a SKU line names no SKU of the offer, or has no pieces.
pub const MSG_BAD_SKU: &str =
    "skuId不存在或数量错误 logisticsSkuNumModels names an unknown skuId or no number";
const MSG_BAD_TOTAL: &str = "totalNum必须为大于0的整数 totalNum must be an integer >= 1";
const MSG_NOT_JSON: &str = "请求体不是合法的JSON对象 request body is not a JSON object";

/// One `logisticsSkuNumModels[]` line as the simulator reads it.
struct SkuNum {
    sku_id: String,
    number: u64,
}

/// Text of a scalar body value (a number as its digits); `None` for others.
fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The SKU lines: an array of `{skuId (text or number), number}`.
fn sku_lines(v: Option<&Value>) -> Result<Vec<SkuNum>, ApiErr> {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return Ok(Vec::new());
    };
    let list = v.as_array().ok_or_else(|| bad(MSG_BAD_SKU))?;
    list.iter()
        .map(|item| {
            let sku_id = item
                .get("skuId")
                .and_then(scalar)
                .ok_or_else(|| bad(MSG_BAD_SKU))?;
            let number = item
                .get("number")
                .and_then(|n| scalar(n)?.trim().parse::<u64>().ok())
                .filter(|n| *n > 0)
                .ok_or_else(|| bad(MSG_BAD_SKU))?;
            Ok(SkuNum { sku_id, number })
        })
        .collect()
}

/// How the SKU lines are signed: compact JSON, `skuId` then `number`,
/// written here from the one public client that signs this call, not
/// shared with tusou.
fn signed_lines(lines: &[SkuNum]) -> String {
    let items: Vec<String> = lines
        .iter()
        .map(|l| {
            format!(
                "{{\"skuId\":{},\"number\":{}}}",
                Value::String(l.sku_id.clone()),
                l.number
            )
        })
        .collect();
    format!("[{}]", items.join(","))
}

/// The body as `name=value` text pairs for the signature check.
fn signed_fields(map: &Map<String, Value>, lines: &[SkuNum]) -> Vec<(String, String)> {
    map.iter()
        .filter_map(|(k, v)| {
            let text = if k == "logisticsSkuNumModels" {
                Some(signed_lines(lines))
            } else {
                scalar(v)
            };
            text.map(|t| (k.clone(), t))
        })
        .collect()
}

/// Six ASCII digits.
fn six_digits(v: Option<&str>) -> Option<&str> {
    v.map(str::trim)
        .filter(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
}

fn check_address(fields: &[(String, String)]) -> Result<(), ApiErr> {
    let get = |n: &str| six_digits(fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()));
    let (Some(p), Some(c), Some(d)) = (
        get("toProvinceCode"),
        get("toCityCode"),
        get("toCountryCode"),
    ) else {
        return Err(bad(MSG_BAD_ADDRESS));
    };
    let nested = p.ends_with("0000") && c.ends_with("00") && c[..2] == p[..2] && d[..4] == c[..4];
    if nested {
        Ok(())
    } else {
        Err(bad(MSG_BAD_ADDRESS))
    }
}

pub(super) async fn daji_freight(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let admitted = state.admit();
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES).await;
    let parsed: Result<(Map<String, Value>, Vec<SkuNum>), ApiErr> = match body {
        Err(_) => Err(bad("请求体过大 request body too large")),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => {
                sku_lines(map.get("logisticsSkuNumModels")).map(|lines| (map, lines))
            }
            _ => Err(bad(MSG_NOT_JSON)),
        },
    };
    let fields = parsed
        .as_ref()
        .map(|(map, lines)| signed_fields(map, lines))
        .unwrap_or_default();
    trace.set_fields(&fields);
    let resp = run_api(&state, Provider::Daji, Call::Freight, admitted, async {
        let (_, lines) = parsed?;
        check_daji(&state, &fields)?;
        let given = |n: &str| fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.trim());
        let offer_id: u64 = given("offerId")
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| bad(super::MSG_NO_OFFER_ID))?;
        check_address(&fields)?;
        let total: u64 = given("totalNum")
            .and_then(|v| v.parse().ok())
            .filter(|n| *n > 0)
            .ok_or_else(|| bad(MSG_BAD_TOTAL))?;
        estimate(&state, offer_id, total, &lines).await
    })
    .await;
    trace.finish(&state, resp)
}

fn yuan(fen: u64) -> String {
    Price(fen).to_string()
}

async fn estimate(
    state: &SimState,
    offer_id: u64,
    total: u64,
    lines: &[SkuNum],
) -> Result<Value, ApiErr> {
    let catalog = state.catalog().await.ok_or_else(busy)?;
    let offer = catalog
        .get(offer_id)
        .ok_or_else(|| bad(super::MSG_UNKNOWN_OFFER))?;
    let detail = catalog.detail(offer);
    let priced: Vec<(Option<&SimSku>, u64)> = if lines.is_empty() {
        vec![(None, total)]
    } else {
        lines
            .iter()
            .map(|l| {
                detail
                    .sku(l.sku_id.trim())
                    .map(|s| (Some(s), l.number))
                    .ok_or_else(|| bad(MSG_BAD_SKU))
            })
            .collect::<Result<_, _>>()?
    };
    let t = detail.freight;
    let fee = detail.freight_fen(&priced);
    let mut model = json!({
        "offerId": offer_id,
        "templateId": offer_id % 1_000_000,
        "templateType": if t.seller_pays { 1 } else { 2 },
        "templateName": if t.seller_pays { "卖家承担运费" } else { "中通快递" },
        "subTemplateType": 0,
        "subTemplateName": "快递",
        "firstFee": yuan(t.first_fee_fen),
        "firstUnit": "1",
        "nextFee": yuan(t.next_fee_fen),
        "nextUnit": "1",
        "discount": "1",
        "chargeType": if t.by_weight { "0" } else { "1" },
        "freePostage": fee.is_none(),
        "singleProductWeight": detail.weight_g as f64 / 1000.0,
        "sizeValueType": if lines.is_empty() { 1 } else { 2 },
        "productFreightSkuInfoModels": priced
            .iter()
            .filter_map(|(s, _)| s.map(|s| json!({
                "skuId": s.sku_id.to_string(),
                "singleSkuWeight": s.weight_g as f64 / 1000.0,
            })))
            .collect::<Vec<_>>(),
    });
    if let Some(map) = model.as_object_mut() {
        match fee {
            Some(fen) => {
                map.insert("freight".into(), yuan(fen).into());
            }
            None if !t.omit_freight_when_free => {
                map.insert("freight".into(), "0".into());
            }
            None => {}
        }
    }
    Ok(model)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_signed_as_compact_json_in_document_order() {
        let lines = sku_lines(Some(&json!([{"number": 3, "skuId": 12}]))).unwrap();
        assert_eq!(signed_lines(&lines), r#"[{"skuId":"12","number":3}]"#);
        assert_eq!(signed_lines(&[]), "[]");
        assert!(sku_lines(Some(&json!([{"skuId": "1", "number": 0}]))).is_err());
        assert!(sku_lines(Some(&json!("x"))).is_err());
        assert!(sku_lines(None).unwrap().is_empty());
    }

    #[test]
    fn addresses_must_nest() {
        let f = |p: &str, c: &str, d: &str| {
            vec![
                ("toProvinceCode".to_string(), p.to_string()),
                ("toCityCode".to_string(), c.to_string()),
                ("toCountryCode".to_string(), d.to_string()),
            ]
        };
        assert!(check_address(&f("330000", "330100", "330108")).is_ok());
        assert!(check_address(&f("330000", "330100", "330708")).is_err());
        assert!(check_address(&f("330000", "440100", "440111")).is_err());
        assert!(check_address(&f("330100", "330100", "330108")).is_err());
        assert!(check_address(&f("33000", "330100", "330108")).is_err());
        assert!(check_address(&f("330000", "330100", "")).is_err());
    }
}
