//! DajiSaaS: `POST /alibaba/upload/image` (multipart, `sign`) returns an
//! `imageId`; `GET /alibaba/product/imageQuery` (query string, `sign`) pages
//! results for it.

use super::error::ApiError;
use super::sign::dajisaas_sign;
use super::transport::{Transport, endpoint};
use super::{ImageRef, ResultPage, SearchParams, UploadData};
use crate::secret::Secret;

pub(crate) const DEFAULT_BASE_URL: &str = "https://openapi.dajisaas.com";
const UPLOAD_PATH: &str = "/alibaba/upload/image";
pub(crate) const QUERY_PATH: &str = "/alibaba/product/imageQuery";

#[derive(Clone, Debug)]
pub struct DajiSaasSettings {
    pub base_url: String,
    pub app_key: String,
    pub app_secret: Secret,
    /// Sends `appSecret` in the clear beside `sign`: the provider's debug
    /// mode. Off unless explicitly configured.
    pub debug_send_secret: bool,
}

/// Uploads base64 image bytes; answers the id, or `ApiError::Upload` for the
/// known failure of an empty or `"0"` id.
pub(crate) async fn upload(
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
    let optional: [(&'static str, Option<String>); 7] = [
        ("priceStart", params.price_start.map(|p| p.to_string())),
        ("priceEnd", params.price_end.map(|p| p.to_string())),
        ("sort", params.sort.map(|s| s.to_wire())),
        ("filter", super::FilterFlag::join(&params.filters)),
        ("categoryId", params.category_id.map(|c| c.to_string())),
        ("region", params.region.clone()),
        ("outMemberId", params.out_member_id.clone()),
    ];
    pairs.extend(optional.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
    let sign = dajisaas_sign(
        pairs.iter().map(|(k, v)| (*k, Some(v.as_str()))),
        settings.app_secret.expose(),
    );
    pairs.push(("sign", sign));
    Ok(pairs)
}

pub(crate) async fn query(
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
}
