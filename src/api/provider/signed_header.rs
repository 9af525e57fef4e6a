//! The signed-header provider: `POST /v2/alibaba/product/image/query` with a
//! JSON body carrying the image (base64 or URL) on every page, and headers
//! `access-key`, `nonce-str`, `timestamp`, `user-id`, `signature`.

use super::sign::{fresh_nonce, header_signature};
use super::{Capabilities, DEFAULT_BATCH, Provider, ProviderInfo, ProviderKind};
use crate::api::error::ApiError;
use crate::api::transport::{Transport, endpoint};
use crate::api::wire::QueryBody;
use crate::api::{FilterFlag, ImageRef, ResultPage, SearchParams};
use crate::secret::Secret;
use std::time::Duration;

pub(crate) const QUERY_PATH: &str = "/v2/alibaba/product/image/query";

#[derive(Clone, Debug)]
pub struct SignedHeaderSettings {
    pub base_url: String,
    pub access_key: String,
    pub secret_key: Secret,
    pub user_id: String,
    /// The seed's example sends milliseconds; some deployments want seconds.
    pub timestamp_seconds: bool,
}

impl SignedHeaderSettings {
    pub const KIND: ProviderKind = ProviderKind::SignedHeader;

    /// Settings for a simulator at `base_url` with its demo credentials.
    #[cfg(feature = "demo")]
    pub(super) fn demo(credentials: &tusou_sim::SimCredentials, base_url: &str) -> Self {
        SignedHeaderSettings {
            base_url: base_url.to_string(),
            access_key: credentials.access_key.clone(),
            secret_key: Secret::new(credentials.secret_key.clone()),
            user_id: credentials.user_id.clone(),
            timestamp_seconds: false,
        }
    }
}

impl Provider for SignedHeaderSettings {
    const INFO: ProviderInfo = ProviderInfo {
        name: "signed-header",
        aliases: &["signed_header", "header", "v2"],
        key_label: "access key",
        capabilities: Capabilities {
            upload_image: false,
            query_by_image_id: false,
            query_by_image_bytes: true,
            query_by_picture_url: true,
            region: true,
            offer_detail: false,
            freight_estimate: false,
            keyword_in_image_search: false,
            hint_in_image_search: false,
        },
        // It refuses timestamps further than this from its clock.
        clock_skew_tolerance: Some(Duration::from_secs(600)),
        batch_section: "signed_header",
        batch_defaults: DEFAULT_BATCH,
    };

    fn base_url(&self) -> &str {
        &self.base_url
    }

    fn key(&self) -> &str {
        &self.access_key
    }

    fn secrets(&self) -> Vec<String> {
        vec![self.secret_key.expose().to_string()]
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
}

fn query_body(image: &ImageRef, params: &SearchParams, page: u32) -> QueryBody {
    let (image_base64, image_address) = match image {
        ImageRef::Base64(b) => (Some(b.to_string()), None),
        ImageRef::Address(a) => (None, Some(a.clone())),
        // An id from the other provider means nothing here; never produced
        // by this client's resolve_image.
        ImageRef::Id(_) => (None, None),
    };
    QueryBody {
        image_base64,
        image_address,
        begin_page: Some(page),
        page_size: Some(params.effective_page_size()),
        country: Some(params.effective_country().to_string()),
        region: params.region.clone(),
        filter: FilterFlag::join(&params.filters),
        sort: params.sort.map(|s| s.to_wire()),
        price_start: params.price_start.map(|p| p.to_string()),
        price_end: params.price_end.map(|p| p.to_string()),
        category_id: params.category_id,
        out_member_id: params.out_member_id.clone(),
    }
}

/// The five auth headers for one request, with a fresh nonce and timestamp.
fn auth_headers(settings: &SignedHeaderSettings) -> [(&'static str, String); 5] {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let timestamp = if settings.timestamp_seconds {
        now.as_secs().to_string()
    } else {
        now.as_millis().to_string()
    };
    let nonce = fresh_nonce();
    let signature = header_signature(
        &settings.access_key,
        &timestamp,
        &nonce,
        settings.secret_key.expose(),
    );
    [
        ("access-key", settings.access_key.clone()),
        ("nonce-str", nonce),
        ("timestamp", timestamp),
        ("user-id", settings.user_id.clone()),
        ("signature", signature),
    ]
}

async fn query(
    transport: &Transport,
    settings: &SignedHeaderSettings,
    image: &ImageRef,
    params: &SearchParams,
    page: u32,
) -> Result<ResultPage, ApiError> {
    if let ImageRef::Id(_) = image {
        return Err(ApiError::InvalidRequest {
            code: 0,
            message: "this provider needs the image itself or an image URL, not an imageId".into(),
            trace_id: None,
        });
    }
    let url = endpoint(&settings.base_url, QUERY_PATH);
    let body = query_body(image, params, page);
    let mut request = transport.http.post(url).json(&body);
    for (name, value) in auth_headers(settings) {
        request = request.header(name, value);
    }
    transport
        .send_query(request, page, params.effective_page_size())
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_sign_key_timestamp_nonce_secret() {
        let settings = SignedHeaderSettings {
            base_url: "http://x".into(),
            access_key: "ak".into(),
            secret_key: Secret::new("sk-secret"),
            user_id: "u1".into(),
            timestamp_seconds: false,
        };
        let headers = auth_headers(&settings);
        let get = |n: &str| headers.iter().find(|(k, _)| *k == n).unwrap().1.clone();
        let expected = header_signature("ak", &get("timestamp"), &get("nonce-str"), "sk-secret");
        assert_eq!(get("signature"), expected);
        assert_eq!(get("timestamp").len(), 13, "milliseconds");
        assert_eq!(get("nonce-str").len(), 32);
        assert!(headers.iter().all(|(_, v)| !v.contains("sk-secret")));
        let seconds = SignedHeaderSettings {
            timestamp_seconds: true,
            ..settings
        };
        assert_eq!(auth_headers(&seconds)[2].1.len(), 10);
    }

    #[test]
    fn body_carries_every_seed_field_when_set() {
        let params = SearchParams {
            region: Some("10,10,200,200".into()),
            filters: vec![FilterFlag::Jxhy],
            category_id: Some(1037),
            out_member_id: Some("21000070000".into()),
            price_start: Some(crate::api::Price(100)),
            ..Default::default()
        };
        let body = query_body(&ImageRef::Address("http://i/x.jpg".into()), &params, 3);
        let json = serde_json::to_value(&body).unwrap();
        assert_eq!(json["imageAddress"], "http://i/x.jpg");
        assert_eq!(json["beginPage"], 3);
        assert_eq!(json["country"], "en");
        assert_eq!(json["filter"], "jxhy");
        assert_eq!(json["priceStart"], "1.00");
        assert_eq!(json["categoryId"], 1037);
        assert!(json.get("imageBase64").is_none());
        assert!(json.get("sort").is_none());
    }
}
