//! The HTTP router of both providers' endpoints, the `Date` header by the
//! simulator's clock, and what the rooms share: limits, the providers'
//! messages, and business errors.
//!
//! Rooms: `handlers` (the endpoints), `auth` (credentials and signatures),
//! `params` (query parameters), `images` (pictures and links), `search`
//! (answering a query), `reply` (envelopes, the request log, faults).

mod auth;
mod detail;
mod freight;
mod handlers;
mod images;
mod params;
mod reply;
mod search;

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::Value;

use crate::SimState;
pub use detail::{MSG_NO_OFFER_ID, MSG_UNKNOWN_OFFER};
pub use freight::{MSG_BAD_ADDRESS, MSG_BAD_SKU};
pub(crate) use handlers::PictureRef;
use handlers::{
    catalog_image, catalog_picture, daji_query, daji_upload, get_faults, get_stats, not_found,
    reset_stats, set_faults, signed_query,
};

/// Largest decoded image the providers accept.
pub(crate) const MAX_IMAGE_BYTES: usize = 3 * 1024 * 1024;
/// Largest request body read; above the image cap so that an oversized image
/// gets the provider's own "too large" message rather than a bare 413.
const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;
/// Longest side of the thumbnail kept per upload, for `region` crops later.
pub(crate) const UPLOAD_THUMB: u32 = 64;
/// Size of the catalog pictures served at `/img/{id}.jpg` (and of first
/// uploads at `/img/ibank/{file}.jpg`; re-uploads are smaller).
pub(crate) const CATALOG_IMAGE_SIDE: u32 = 600;
/// The signed-header provider's developer id, a string as in the seed.
const DEVELOP_ID: &str = "1110890638347337996";
/// Allowed clock skew of the signed-header `timestamp`.
const MAX_SKEW_MS: u64 = 600_000;

pub(crate) const MSG_BUSY: &str = "系统繁忙，请稍后再试";
/// Code 400: a query by an `imageId` the simulator does not know (never
/// uploaded, expired, or forgotten on restart). Clients match on this text.
pub const MSG_EXPIRED_ID: &str = "imageId不存在或已过期 imageId does not exist or has expired";
/// Code 400: a DajiSaaS query names no picture.
pub const MSG_NO_IMAGE: &str = "imageId和imageUrl不能同时为空 imageId or imageUrl is required";
/// Code 400: a DajiSaaS `imageUrl` that is not a 1688 picture link.
pub const MSG_BAD_IMAGE_URL: &str = "imageUrl仅支持1688图片链接 imageUrl must be a 1688 image link";
/// Code 400: a signed-header `imageAddress` that is not a 1688 picture link.
pub(crate) const MSG_BAD_IMAGE_ADDRESS: &str =
    "imageAddress仅支持1688图片链接 imageAddress must be a 1688 image link";
const MSG_NO_IMAGE_SIGNED: &str =
    "imageBase64和imageAddress不能同时为空 imageBase64 or imageAddress is required";
const MSG_DOWNLOAD_FAILED: &str = "图片下载失败 failed to download image";

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Provider {
    Daji,
    Signed,
}

/// Which counter of [`crate::SimStats`] a successful API request adds to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Call {
    Upload,
    Query,
    Detail,
    Freight,
}

/// A business error: HTTP 200 with this `code` and message in the envelope.
#[derive(Debug)]
struct ApiErr {
    code: i64,
    msg: String,
}

fn bad(msg: impl Into<String>) -> ApiErr {
    ApiErr {
        code: 400,
        msg: msg.into(),
    }
}

fn denied(msg: impl Into<String>) -> ApiErr {
    ApiErr {
        code: 401,
        msg: msg.into(),
    }
}

fn busy() -> ApiErr {
    ApiErr {
        code: 500,
        msg: MSG_BUSY.to_string(),
    }
}

type Outcome = Result<Value, ApiErr>;

pub(crate) fn router(state: Arc<SimState>, control: bool) -> Router {
    let mut router = Router::new()
        .route("/alibaba/upload/image", post(daji_upload))
        .route("/alibaba/product/imageQuery", get(daji_query))
        .route("/v2/alibaba/product/image/query", post(signed_query))
        .route(
            "/alibaba/product/queryProductDetail",
            get(detail::daji_detail),
        )
        .route(
            "/alibaba/product/freightEstimate",
            post(freight::daji_freight),
        )
        .route("/img/{file}", get(catalog_image))
        .route("/img/ibank/{file}", get(catalog_picture));
    if control {
        router = router
            .route("/_sim/faults", get(get_faults).post(set_faults))
            .route("/_sim/stats", get(get_stats).delete(reset_stats));
    }
    router
        .fallback(not_found)
        // Multipart and body reads default to 2 MB; a 3 MB image is 4 MB of base64.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&state),
            add_date,
        ))
        .with_state(state)
}

/// Every reply carries the simulator's own `Date` (by its possibly shifted
/// clock); hyper then adds none of its own.
async fn add_date(State(state): State<Arc<SimState>>, mut response: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&state.clock.http_date()) {
        response.headers_mut().insert(header::DATE, v);
    }
    response
}
