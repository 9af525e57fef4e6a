//! DajiSaaS's offer detail: `GET /alibaba/product/queryProductDetail?offerId&country`,
//! signed like the image query, with the same rate limit and faults.

use std::sync::Arc;

use axum::extract::{Query, Request, State};
use axum::response::Response;

use super::auth::{check_daji, given};
use super::reply::{Trace, run_api};
use super::{ApiErr, Call, Provider, bad, busy};
use crate::SimState;

/// Code 400: no `offerId`, or not a number.
pub const MSG_NO_OFFER_ID: &str =
    "offerId不能为空且必须为数字 offerId is required and must be numeric";
/// Code 400: an offer id the catalog does not hold (1688: offline or removed).
pub const MSG_UNKNOWN_OFFER: &str = "商品不存在或已下架 offer does not exist or is offline";
/// Pictures in a detail besides the offer's own.
const EXTRA_PICTURES: usize = 3;

pub(super) async fn daji_detail(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let admitted = state.admit();
    let parsed = Query::<Vec<(String, String)>>::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .map_err(|_| bad("参数格式错误 malformed query string"));
    if let Ok(fields) = &parsed {
        trace.set_fields(fields);
    }
    let resp = run_api(&state, Provider::Daji, Call::Detail, admitted, async {
        let fields = parsed?;
        check_daji(&state, &fields)?;
        let offer_id: u64 = given(&fields, "offerId")
            .and_then(|v| v.trim().parse().ok())
            .ok_or_else(|| bad(MSG_NO_OFFER_ID))?;
        detail(&state, offer_id).await
    })
    .await;
    trace.finish(&state, resp)
}

async fn detail(state: &SimState, offer_id: u64) -> Result<serde_json::Value, ApiErr> {
    let catalog = state.catalog().await.ok_or_else(busy)?;
    let offer = catalog
        .get(offer_id)
        .ok_or_else(|| bad(MSG_UNKNOWN_OFFER))?;
    let mut images = vec![offer.image_url(&state.base_url)];
    images.extend(
        catalog
            .same_product(offer, EXTRA_PICTURES)
            .into_iter()
            .map(|o| o.image_url(&state.base_url))
            .filter(|u| !images.contains(u))
            .collect::<Vec<_>>(),
    );
    let wire = catalog.detail(offer).to_daji(offer, images);
    serde_json::to_value(wire).map_err(|_| busy())
}
