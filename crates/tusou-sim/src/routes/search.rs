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
use crate::region::Region;
use crate::similarity::Descriptor;
use crate::subjects::{detect, wire_boxes};
use crate::wire::{Page, PicRegionInfo};
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
    // The descriptor searched, the received picture's size and its subjects.
    let (descriptor, size, subjects): (Descriptor, (u32, u32), Vec<Region>) = match source {
        Source::UploadId(id) => {
            let up = state.upload(&id).ok_or_else(|| bad(MSG_EXPIRED_ID))?;
            let boxes = up.subjects.iter().map(|(r, _)| *r).collect();
            let d = match first_box(region, up.width, up.height)? {
                None => up.descriptor.clone(),
                Some(r) => match up.subjects.iter().find(|(s, _)| same_box(s, &r)) {
                    Some((_, d)) => d.clone(),
                    None => Descriptor::of_image(&crop_scaled(&up.thumb, r, up.width, up.height)),
                },
            };
            (d, (up.width, up.height), boxes)
        }
        Source::Base64(b64) => {
            let bytes = decode_base64_image(&b64)?;
            let img = decode_image(bytes).await?;
            let r = first_box(region, img.width(), img.height())?;
            tokio::task::spawn_blocking(move || {
                let subjects = detect(&img);
                let d = match r {
                    None => Descriptor::of_image(&img),
                    Some(r) => {
                        // A box drawn from a detected subject searches
                        // exactly that subject.
                        let r = subjects
                            .iter()
                            .copied()
                            .find(|s| same_box(s, &r))
                            .unwrap_or(r);
                        Descriptor::of_image(&crop_scaled(&img, r, img.width(), img.height()))
                    }
                };
                (d, img.dimensions(), subjects)
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
            let side = CATALOG_IMAGE_SIDE;
            let r = first_box(region, side, side)?;
            let art = offer.art;
            let whole = catalog.descriptor(offer_id).cloned().ok_or_else(failed)?;
            tokio::task::spawn_blocking(move || {
                let img = artwork::render(&art, side);
                let d = match r {
                    None => whole,
                    Some(r) => Descriptor::of_image(&crop_scaled(&img, r, side, side)),
                };
                (d, (side, side), detect(&img))
            })
            .await
            .map_err(|_| failed())?
        }
    };
    let info = region_info(region, size, &subjects);
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
        words: params.words.clone(),
    };
    let (total, rows) = catalog.search_cached(&query, state.max_results, &state.ranks);
    fn page<T: Serialize>(
        total: u64,
        p: &Params,
        data: Vec<T>,
        info: Option<PicRegionInfo>,
    ) -> Result<Value, ApiErr> {
        serde_json::to_value(Page {
            total_records: total,
            total_page: total.div_ceil(p.page_size),
            page_size: p.page_size,
            current_page: p.begin_page,
            data,
            pic_region_info: info,
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
            Some(info),
        ),
        Provider::Signed => page(
            total,
            &params,
            rows.iter()
                .map(|o| o.to_signed_item(&state.base_url))
                .collect(),
            // The seed fixes this provider's page to exactly its fields.
            None,
        ),
    }
}

/// The subjects of an uploaded picture, each with its own descriptor.
pub(super) fn described_subjects(img: &image::RgbImage) -> Vec<(Region, Descriptor)> {
    let (w, h) = img.dimensions();
    detect(img)
        .into_iter()
        .map(|r| (r, Descriptor::of_image(&crop_scaled(img, r, w, h))))
        .collect()
}

/// A box the client scaled from a detected one (there and back through
/// the user's pixels) lands within a few pixels of it.
fn same_box(a: &Region, b: &Region) -> bool {
    let tol = |len: u32| (len / 50).max(3);
    let (tx, ty) = (tol(a.width()), tol(a.height()));
    a.x1.abs_diff(b.x1) <= tx
        && a.x2.abs_diff(b.x2) <= tx
        && a.y1.abs_diff(b.y1) <= ty
        && a.y2.abs_diff(b.y2) <= ty
}

/// `picRegionInfo` for a search of a `size` picture.
fn region_info(region: Option<&str>, size: (u32, u32), subjects: &[Region]) -> PicRegionInfo {
    let current = region
        .and_then(|r| r.split(';').next())
        .map(|r| r.split(',').map(str::trim).collect::<Vec<_>>().join(","))
        .unwrap_or_else(|| format!("0,{},0,{}", size.0, size.1));
    PicRegionInfo {
        current_region: current,
        yolo_crop_region: wire_boxes(subjects),
    }
}
