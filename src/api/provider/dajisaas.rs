//! DajiSaaS: `POST /alibaba/upload/image` (multipart, `sign`) returns an
//! `imageId`; `GET /alibaba/product/imageQuery` (query string, `sign`) pages
//! results for it; `GET /alibaba/product/queryProductDetail` answers an
//! offer's detail; `POST /alibaba/product/freightEstimate` (JSON body,
//! `sign`) a domestic freight estimate.

use super::sign::{dajisaas_sign, dajisaas_sku_lines};
use super::{Capabilities, DEFAULT_BATCH, Provider, ProviderInfo, ProviderKind};
use crate::api::detail::OfferDetail;
use crate::api::error::ApiError;
use crate::api::freight::{FreightQuery, FreightQuote};
use crate::api::transport::{Transport, endpoint};
use crate::api::{FilterFlag, ImageRef, ResultPage, SearchParams, UploadData};
use crate::secret::Secret;

pub(crate) const DEFAULT_BASE_URL: &str = "https://openapi.dajisaas.com";
const UPLOAD_PATH: &str = "/alibaba/upload/image";
pub(crate) const QUERY_PATH: &str = "/alibaba/product/imageQuery";
pub(crate) const DETAIL_PATH: &str = "/alibaba/product/queryProductDetail";
pub(crate) const FREIGHT_PATH: &str = "/alibaba/product/freightEstimate";

#[derive(Clone, Debug)]
pub struct DajiSaasSettings {
    pub base_url: String,
    pub app_key: String,
    pub app_secret: Secret,
    /// Sends `appSecret` in the clear beside `sign`: the provider's debug
    /// mode. Off unless explicitly configured.
    pub debug_send_secret: bool,
}

impl DajiSaasSettings {
    pub const KIND: ProviderKind = ProviderKind::DajiSaas;

    /// Settings for a simulator at `base_url` with its demo credentials.
    #[cfg(feature = "demo")]
    pub(super) fn demo(credentials: &tusou_sim::SimCredentials, base_url: &str) -> Self {
        DajiSaasSettings {
            base_url: base_url.to_string(),
            app_key: credentials.app_key.clone(),
            app_secret: Secret::new(credentials.app_secret.clone()),
            debug_send_secret: false,
        }
    }
}

impl Provider for DajiSaasSettings {
    const INFO: ProviderInfo = ProviderInfo {
        name: "dajisaas",
        aliases: &["daji"],
        key_label: "app key",
        capabilities: Capabilities {
            upload_image: true,
            query_by_image_id: true,
            query_by_image_bytes: false,
            query_by_picture_url: true,
            region: true,
            offer_detail: true,
            freight_estimate: true,
            keyword_in_image_search: true,
            hint_in_image_search: true,
        },
        // It signs no time: a clock off is only worth a warning.
        clock_skew_tolerance: None,
        batch_section: "dajisaas",
        batch_defaults: DEFAULT_BATCH,
    };

    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn key(&self) -> &str {
        &self.app_key
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.app_secret.expose().to_string()]
    }

    async fn upload(&self, transport: &Transport, base64: &str) -> Result<String, ApiError> {
        upload(transport, self, base64).await
    }

    async fn query(
        &self,
        transport: &Transport,
        image: &ImageRef,
        params: &SearchParams,
        page: u32,
    ) -> Result<ResultPage, ApiError> {
        query(transport, self, image, params, page).await
    }

    async fn offer_detail(
        &self,
        transport: &Transport,
        offer_id: &str,
        country: &str,
    ) -> Result<OfferDetail, ApiError> {
        fetch_detail(transport, self, offer_id, country).await
    }

    async fn freight_estimate(
        &self,
        transport: &Transport,
        query: &FreightQuery,
    ) -> Result<FreightQuote, ApiError> {
        let body = freight_body(self, query);
        let url = endpoint(&self.base_url, FREIGHT_PATH);
        let request = transport.http.post(url).json(&body);
        transport.send_freight(request, query.total).await
    }
}

/// The freight request's JSON body: 1688's `productFreightQueryParamsNew`
/// fields flat beside `appKey` and `sign` (three public DajiSaaS clients
/// agree; medium confidence), `offerId` and the counts as JSON numbers as
/// those clients send them, the codes as text. The `sign` covers every
/// field as text, the SKU lines as [`dajisaas_sku_lines`] renders them.
fn freight_body(settings: &DajiSaasSettings, query: &FreightQuery) -> serde_json::Value {
    let lines = dajisaas_sku_lines(&query.skus);
    let total = query.total.to_string();
    let dest = &query.destination;
    let signed = [
        ("appKey", settings.app_key.as_str()),
        ("offerId", query.offer_id.as_str()),
        ("toProvinceCode", dest.province()),
        ("toCityCode", dest.city()),
        ("toCountryCode", dest.district()),
        ("totalNum", total.as_str()),
        ("logisticsSkuNumModels", lines.as_str()),
    ];
    let sign = dajisaas_sign(
        signed.iter().map(|(k, v)| (*k, Some(*v))),
        settings.app_secret.expose(),
    );
    // The lines parse back from the signed text, so the body is what was signed.
    let sku_models = serde_json::from_str::<serde_json::Value>(&lines)
        .unwrap_or_else(|_| serde_json::Value::Array(Vec::new()));
    // Offer ids are digits (checked before sending); beyond u64 they stay text.
    let offer_id = query.offer_id.parse::<u64>().map_or_else(
        |_| serde_json::json!(query.offer_id),
        |n| serde_json::json!(n),
    );
    let mut body = serde_json::json!({
        "appKey": settings.app_key,
        "offerId": offer_id,
        "toProvinceCode": dest.province(),
        "toCityCode": dest.city(),
        "toCountryCode": dest.district(),
        "totalNum": query.total,
        "logisticsSkuNumModels": sku_models,
        "sign": sign,
    });
    if settings.debug_send_secret
        && let Some(map) = body.as_object_mut()
    {
        map.insert(
            "appSecret".into(),
            settings.app_secret.expose().to_string().into(),
        );
    }
    body
}

/// Uploads base64 image bytes; answers the id, or `ApiError::Upload` for the
/// known failure of an empty or `"0"` id.
async fn upload(
    transport: &Transport,
    settings: &DajiSaasSettings,
    image_base64: &str,
) -> Result<String, ApiError> {
    let secret = settings.app_secret.expose();
    let sign = dajisaas_sign(
        [
            ("appKey", Some(settings.app_key.as_str())),
            ("image_base64", Some(image_base64)),
        ],
        secret,
    );
    let mut form = reqwest::multipart::Form::new()
        .text("appKey", settings.app_key.clone())
        .text("sign", sign)
        .text("image_base64", image_base64.to_string());
    if settings.debug_send_secret {
        form = form.text("appSecret", secret.to_string());
    }
    let url = endpoint(&settings.base_url, UPLOAD_PATH);
    let request = transport.http.post(url).multipart(form);
    let data: UploadData = transport.send(request).await?;
    match data.image_id.as_deref().map(str::trim) {
        Some(id) if !id.is_empty() && id != "0" => Ok(id.to_string()),
        _ => Err(ApiError::Upload(
            "the server returned no image id (1688 rejects some images; a smaller copy may pass)"
                .into(),
        )),
    }
}

/// The query's parameters in wire form, signed.
fn query_params(
    settings: &DajiSaasSettings,
    image: &ImageRef,
    params: &SearchParams,
    page: u32,
) -> Result<Vec<(&'static str, String)>, ApiError> {
    let mut pairs: Vec<(&'static str, String)> = vec![("appKey", settings.app_key.clone())];
    match image {
        ImageRef::Id(id) => pairs.push(("imageId", id.clone())),
        // DajiSaaS names the picture's address `imageUrl` (1688 pictures only).
        ImageRef::Address(url) => pairs.push(("imageUrl", url.clone())),
        ImageRef::Base64(_) => {
            return Err(ApiError::InvalidRequest {
                code: 0,
                message: "DajiSaaS queries need an uploaded imageId or an image URL".into(),
                trace_id: None,
            });
        }
    }
    pairs.push(("beginPage", page.to_string()));
    pairs.push(("pageSize", params.effective_page_size().to_string()));
    pairs.push(("country", params.effective_country().to_string()));
    // 1688's `keyword` and `auxiliaryText`, passed through under the same
    // names (official imageQuery table; research notes, issue 25).
    let optional: [(&'static str, Option<String>); 9] = [
        ("priceStart", params.price_start.map(|p| p.to_string())),
        ("priceEnd", params.price_end.map(|p| p.to_string())),
        ("sort", params.sort.map(|s| s.to_wire())),
        ("filter", FilterFlag::join(&params.filters)),
        ("categoryId", params.category_id.map(|c| c.to_string())),
        ("region", params.region.clone()),
        ("outMemberId", params.out_member_id.clone()),
        ("keyword", params.keyword.clone()),
        ("auxiliaryText", params.hint.clone()),
    ];
    pairs.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    let sign = dajisaas_sign(
        pairs.iter().map(|(k, v)| (*k, Some(v.as_str()))),
        settings.app_secret.expose(),
    );
    pairs.push(("sign", sign));
    Ok(pairs)
}

async fn query(
    transport: &Transport,
    settings: &DajiSaasSettings,
    image: &ImageRef,
    params: &SearchParams,
    page: u32,
) -> Result<ResultPage, ApiError> {
    let pairs = query_params(settings, image, params, page)?;
    let url = endpoint(&settings.base_url, QUERY_PATH);
    let request = transport.http.get(url).query(&pairs);
    transport
        .send_query(request, page, params.effective_page_size())
        .await
}

/// The detail request's parameters, signed like the image query.
fn detail_params(
    settings: &DajiSaasSettings,
    offer_id: &str,
    country: &str,
) -> Vec<(&'static str, String)> {
    let mut pairs: Vec<(&'static str, String)> = vec![
        ("appKey", settings.app_key.clone()),
        ("offerId", offer_id.to_string()),
        ("country", country.to_string()),
    ];
    let sign = dajisaas_sign(
        pairs.iter().map(|(k, v)| (*k, Some(v.as_str()))),
        settings.app_secret.expose(),
    );
    pairs.push(("sign", sign));
    if settings.debug_send_secret {
        pairs.push(("appSecret", settings.app_secret.expose().to_string()));
    }
    pairs
}

async fn fetch_detail(
    transport: &Transport,
    settings: &DajiSaasSettings,
    offer_id: &str,
    country: &str,
) -> Result<OfferDetail, ApiError> {
    let pairs = detail_params(settings, offer_id, country);
    let url = endpoint(&settings.base_url, DETAIL_PATH);
    let request = transport.http.get(url).query(&pairs);
    transport.send_detail(request).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Price, Sort, SortField, SortOrder};

    #[test]
    fn query_params_are_signed_over_present_values() {
        let settings = DajiSaasSettings {
            base_url: "http://x".into(),
            app_key: "k1".into(),
            app_secret: Secret::new("s3cret"),
            debug_send_secret: false,
        };
        let params = SearchParams {
            price_end: Some(Price(2000)),
            sort: Some(Sort::new(SortField::Price, SortOrder::Asc)),
            ..Default::default()
        };
        let pairs = query_params(&settings, &ImageRef::Id("123".into()), &params, 2).unwrap();
        let names: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            names,
            [
                "appKey",
                "imageId",
                "beginPage",
                "pageSize",
                "country",
                "priceEnd",
                "sort",
                "sign"
            ]
        );
        let sign = &pairs.last().unwrap().1;
        let expected = crate::api::sign::md5_upper_hex(
            br#"appKey=k1&beginPage=2&country=en&imageId=123&pageSize=20&priceEnd=20.00&sort={"price":"asc"}&secret=s3cret"#,
        );
        assert_eq!(sign, &expected);
        assert!(pairs.iter().all(|(_, v)| !v.contains("s3cret")));
    }

    #[test]
    fn keyword_and_hint_are_sent_as_keyword_and_auxiliary_text_and_signed() {
        let settings = DajiSaasSettings {
            base_url: "http://x".into(),
            app_key: "k1".into(),
            app_secret: Secret::new("s3cret"),
            debug_send_secret: false,
        };
        let params = SearchParams {
            keyword: Some("书本".into()),
            hint: Some("hot".into()),
            ..Default::default()
        };
        let pairs = query_params(&settings, &ImageRef::Id("123".into()), &params, 1).unwrap();
        let get = |k: &str| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("keyword"), Some("书本"));
        assert_eq!(get("auxiliaryText"), Some("hot"));
        let expected = crate::api::sign::md5_upper_hex(
            "appKey=k1&auxiliaryText=hot&beginPage=1&country=en&imageId=123&keyword=书本&pageSize=20&secret=s3cret"
                .as_bytes(),
        );
        assert_eq!(get("sign"), Some(expected.as_str()));
    }

    #[test]
    fn a_picture_address_is_sent_as_image_url() {
        let settings = DajiSaasSettings {
            base_url: "http://x".into(),
            app_key: "k1".into(),
            app_secret: Secret::new("s3cret"),
            debug_send_secret: false,
        };
        let url = "https://cbu01.alicdn.com/img/ibank/a.jpg";
        let pairs = query_params(
            &settings,
            &ImageRef::Address(url.into()),
            &SearchParams::default(),
            1,
        )
        .unwrap();
        assert!(pairs.contains(&("imageUrl", url.to_string())));
        assert!(pairs.iter().all(|(k, _)| *k != "imageAddress"));
    }

    #[test]
    fn the_freight_body_is_signed_with_the_sku_lines_as_compact_json() {
        let settings = DajiSaasSettings {
            base_url: "http://x".into(),
            app_key: "k1".into(),
            app_secret: Secret::new("s3cret"),
            debug_send_secret: false,
        };
        let query = FreightQuery {
            offer_id: "612345678901".into(),
            destination: crate::api::Destination::new("330000", "330100", "330108").unwrap(),
            total: 500,
            skus: vec![("4878065068300".into(), 500)],
        };
        let body = freight_body(&settings, &query);
        // The canonical string holds every field, sorted by name.
        let canonical = r#"appKey=k1&logisticsSkuNumModels=[{"skuId":"4878065068300","number":500}]&offerId=612345678901&toCityCode=330100&toCountryCode=330108&toProvinceCode=330000&totalNum=500&secret=s3cret"#;
        assert_eq!(
            body["sign"],
            crate::api::sign::md5_upper_hex(canonical.as_bytes()).as_str()
        );
        assert_eq!(body["offerId"], 612345678901u64);
        assert_eq!(body["totalNum"], 500);
        assert_eq!(body["toCountryCode"], "330108");
        assert_eq!(body["logisticsSkuNumModels"][0]["skuId"], "4878065068300");
        assert!(!body.to_string().contains("s3cret"));
        // No SKUs: an empty list, signed as `[]`.
        let bare = freight_body(
            &settings,
            &FreightQuery {
                skus: Vec::new(),
                ..query
            },
        );
        assert_eq!(bare["logisticsSkuNumModels"], serde_json::json!([]));
        let canonical = canonical.replace(r#"[{"skuId":"4878065068300","number":500}]"#, "[]");
        assert_eq!(
            bare["sign"],
            crate::api::sign::md5_upper_hex(canonical.as_bytes()).as_str()
        );
    }

    #[test]
    fn the_request_is_signed_over_its_parameters() {
        let settings = DajiSaasSettings {
            base_url: "http://x".into(),
            app_key: "k1".into(),
            app_secret: Secret::new("s3cret"),
            debug_send_secret: false,
        };
        let pairs = detail_params(&settings, "612345678901", "en");
        let expected = crate::api::sign::md5_upper_hex(
            b"appKey=k1&country=en&offerId=612345678901&secret=s3cret",
        );
        assert_eq!(
            pairs.last().map(|(_, v)| v.as_str()),
            Some(expected.as_str())
        );
        assert!(pairs.iter().all(|(_, v)| !v.contains("s3cret")));
        assert!(crate::api::detail::is_offer_id("612345678901"));
        let is_offer_id = crate::api::detail::is_offer_id;
        assert!(!is_offer_id("") && !is_offer_id("12a") && !is_offer_id("1 2"));
    }
}
