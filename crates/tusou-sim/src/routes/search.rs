//! Answering a validated query: resolving the picture, searching the
//! catalog, and building the page in the provider's shape.

use serde::Serialize;
use serde_json::Value;

use super::images::{
    Link, classify_link, crop_scaled, decode_base64_image, decode_image, looks_like_picture,
    stand_in_offer,
};
use super::params::{Origin, Params, Source, first_box};
use super::{
    ApiErr, CATALOG_IMAGE_SIDE, MSG_BAD_IMAGE_ADDRESS, MSG_BAD_IMAGE_URL, MSG_DOWNLOAD_FAILED,
    MSG_EXPIRED_ID, Outcome, Provider, bad, busy,
};
use crate::catalog::SearchQuery;
use crate::similarity::Descriptor;
use crate::wire::Page;
use crate::{SimState, artwork};

/// Resolves the source to a descriptor (cropping to the first `region` box
/// if given), then searches and builds the page in the provider's shape.
pub(super) async fn search(
    state: &SimState,
    provider: Provider,
    origin: &Origin,
    source: Source,
    params: Params,
) -> Outcome {
    let catalog = state.catalog().await.ok_or_else(busy)?;
    let region = params.region.as_deref();
    let mut prefer = None;
    let descriptor: Descriptor = match source {
        Source::UploadId(id) => {
            let up = state.upload(&id).ok_or_else(|| bad(MSG_EXPIRED_ID))?;
            match first_box(region, up.width, up.height)? {
                None => up.descriptor.clone(),
                Some(r) => Descriptor::of_image(&crop_scaled(&up.thumb, r, up.width, up.height)),
            }
        }
        Source::Base64(b64) => {
            let bytes = decode_base64_image(&b64)?;
            let img = decode_image(bytes).await?;
            let r = first_box(region, img.width(), img.height())?;
            tokio::task::spawn_blocking(move || match r {
                None => Descriptor::of_image(&img),
                Some(r) => Descriptor::of_image(&crop_scaled(&img, r, img.width(), img.height())),
            })
            .await
            .map_err(|_| busy())?
        }
        Source::Link(url) => {
            let base_authority = state
                .base_url
                .strip_prefix("http://")
                .unwrap_or(&state.base_url);
            let mut own = vec![base_authority];
            if let Some(h) = origin.host.as_deref() {
                own.push(h);
            }
            let not_1688 = || {
                bad(if provider == Provider::Daji {
                    MSG_BAD_IMAGE_URL
                } else {
                    MSG_BAD_IMAGE_ADDRESS
                })
            };
            let failed = || bad(MSG_DOWNLOAD_FAILED);
            let offer_id = match classify_link(&url, &own).ok_or_else(not_1688)? {
                Link::Own(id) => id,
                Link::OwnFile(file) => catalog.by_picture_file(&file).ok_or_else(failed)?.offer_id,
                Link::Alibaba if looks_like_picture(&url) => {
                    stand_in_offer(&catalog, &url).ok_or_else(failed)?
                }
                Link::Alibaba => return Err(failed()),
            };
            let offer = catalog.get(offer_id).ok_or_else(failed)?;
            prefer = Some(offer_id);
            match first_box(region, CATALOG_IMAGE_SIDE, CATALOG_IMAGE_SIDE)? {
                None => catalog.descriptor(offer_id).cloned().ok_or_else(failed)?,
                Some(r) => {
                    let art = offer.art;
                    tokio::task::spawn_blocking(move || {
                        let img = artwork::render(&art, CATALOG_IMAGE_SIDE);
                        Descriptor::of_image(&crop_scaled(
                            &img,
                            r,
                            CATALOG_IMAGE_SIDE,
                            CATALOG_IMAGE_SIDE,
                        ))
                    })
                    .await
                    .map_err(|_| failed())?
                }
            }
        }
    };
    let query = SearchQuery {
        descriptor: &descriptor,
        begin_page: params.begin_page,
        page_size: params.page_size,
        price_start: params.price_start,
        price_end: params.price_end,
        filters: params.filters.clone(),
        sort: params.sort,
        category_id: params.category_id,
        prefer,
    };
    let (total, rows) = catalog.search_capped(&query, state.max_results);
    fn page<T: Serialize>(total: u64, p: &Params, data: Vec<T>) -> Result<Value, ApiErr> {
        serde_json::to_value(Page {
            total_records: total,
            total_page: total.div_ceil(p.page_size),
            page_size: p.page_size,
            current_page: p.begin_page,
            data,
        })
        .map_err(|_| busy())
    }
    match provider {
        Provider::Daji => page(
            total,
            &params,
            rows.iter()
                .map(|o| o.to_daji_item(&state.base_url))
                .collect(),
        ),
        Provider::Signed => page(
            total,
            &params,
            rows.iter()
                .map(|o| o.to_signed_item(&state.base_url))
                .collect(),
        ),
    }
}
