//! The endpoint handlers: DajiSaaS upload and query, signed-header query,
//! catalog pictures, 404s, and the runtime fault control.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRequest, Multipart, Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::auth::{check_daji, check_signed_headers, first, given};
use super::images::{decode_base64_image, decode_image, picture_file};
use super::params::{Origin, RawParams, Source, nonempty};
use super::reply::{Trace, json_response, pause, run_api};
use super::search::{described_subjects, search};
use super::{
    ApiErr, Call, MAX_BODY_BYTES, MSG_NO_IMAGE, MSG_NO_IMAGE_SIGNED, Provider, UPLOAD_THUMB, bad,
    busy,
};
use crate::control::{self, FaultsUpdate};
use crate::similarity::Descriptor;
use crate::text::clean;
use crate::wire::{SignedQueryBody, UploadData};
use crate::{SimState, Uploaded, lock};

pub(super) async fn not_found(req: Request) -> Response {
    let _ = req;
    (StatusCode::NOT_FOUND, "404 page not found").into_response()
}

async fn read_multipart(req: Request) -> Result<Vec<(String, String)>, ApiErr> {
    let malformed =
        || bad("请求格式错误，需要multipart/form-data malformed multipart/form-data body");
    let mut mp = Multipart::from_request(req, &())
        .await
        .map_err(|_| malformed())?;
    let mut fields = Vec::new();
    loop {
        match mp.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let value = field.text().await.map_err(|_| malformed())?;
                fields.push((name, value));
            }
            Ok(None) => return Ok(fields),
            Err(_) => return Err(malformed()),
        }
    }
}

fn origin_of(req: &Request) -> Origin {
    Origin {
        host: req
            .headers()
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .map(|h| h.trim().to_string()),
    }
}

pub(super) async fn daji_upload(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let admitted = state.admit();
    let parsed = read_multipart(req).await;
    if let Ok(fields) = &parsed {
        trace.set_fields(fields);
    }
    let resp = run_api(&state, Provider::Daji, Call::Upload, admitted, async {
        let fields = parsed?;
        check_daji(&state, &fields)?;
        let raw = first(&fields, "image_base64")
            .ok_or_else(|| bad("image_base64不能为空 image_base64 is required"))?;
        let bytes = decode_base64_image(raw)?;
        let id = image_id(&bytes);
        let img = decode_image(bytes).await?;
        let upload = tokio::task::spawn_blocking(move || {
            let (w, h) = img.dimensions();
            let longest = w.max(h).max(1);
            let thumb = if longest <= UPLOAD_THUMB {
                img.clone()
            } else {
                let s = |v: u32| {
                    ((u64::from(v) * u64::from(UPLOAD_THUMB)) / u64::from(longest)).max(1) as u32
                };
                image::imageops::thumbnail(&img, s(w), s(h))
            };
            Uploaded {
                descriptor: Descriptor::of_image(&img),
                subjects: described_subjects(&img),
                thumb,
                width: w,
                height: h,
                stored_at: Instant::now(),
            }
        })
        .await
        .map_err(|_| bad("图片解析失败 image could not be decoded"))?;
        state.remember_upload(id.clone(), upload);
        serde_json::to_value(UploadData { image_id: id }).map_err(|_| busy())
    })
    .await;
    trace.finish(&state, resp)
}

/// A 19-digit numeric id derived from the image bytes: same picture, same id.
fn image_id(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    let digest = Md5::digest(bytes);
    let mut first8 = [0u8; 8];
    first8.copy_from_slice(&digest[..8]);
    let n = u64::from_le_bytes(first8) % 9_000_000_000_000_000_000;
    (1_000_000_000_000_000_000 + n).to_string()
}

pub(super) async fn daji_query(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let admitted = state.admit();
    let origin = origin_of(&req);
    let parsed = Query::<Vec<(String, String)>>::try_from_uri(req.uri())
        .map(|Query(q)| q)
        .map_err(|_| bad("参数格式错误 malformed query string"));
    if let Ok(fields) = &parsed {
        trace.set_fields(fields);
    }
    let resp = run_api(&state, Provider::Daji, Call::Query, admitted, async {
        let fields = parsed?;
        check_daji(&state, &fields)?;
        let get = |n: &str| given(&fields, n).map(str::to_string);
        // The picture is `imageId` or `imageUrl` (an `imageAddress` here is
        // just an unknown parameter); `imageId` wins when both are given.
        let source = match (get("imageId"), get("imageUrl")) {
            (Some(id), _) => Source::UploadId(id.trim().to_string()),
            (None, Some(url)) => Source::Link(url),
            (None, None) => return Err(bad(MSG_NO_IMAGE)),
        };
        let params = RawParams {
            begin_page: get("beginPage"),
            page_size: get("pageSize"),
            price_start: get("priceStart"),
            price_end: get("priceEnd"),
            sort: get("sort"),
            filter: get("filter"),
            category_id: get("categoryId"),
            region: get("region"),
            keyword: get("keyword"),
            auxiliary_text: get("auxiliaryText"),
        }
        .validate()?;
        search(&state, Provider::Daji, &origin, source, params).await
    })
    .await;
    trace.finish(&state, resp)
}

pub(super) async fn signed_query(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let mut trace = Trace::new(&req);
    let admitted = state.admit();
    let origin = origin_of(&req);
    let headers = req.headers().clone();
    let body = axum::body::to_bytes(req.into_body(), MAX_BODY_BYTES).await;
    let parsed: Result<serde_json::Map<String, Value>, ApiErr> = match body {
        Err(_) => Err(bad("请求体过大 request body too large")),
        Ok(bytes) => match serde_json::from_slice::<Value>(&bytes) {
            Ok(Value::Object(map)) => Ok(map),
            _ => Err(bad(
                "请求体不是合法的JSON对象 request body is not a JSON object",
            )),
        },
    };
    if let Ok(map) = &parsed {
        let fields: Vec<(String, String)> = map
            .iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect();
        trace.set_fields(&fields);
    }
    let resp = run_api(&state, Provider::Signed, Call::Query, admitted, async {
        let map = parsed?;
        check_signed_headers(&state, &headers)?;
        let body: SignedQueryBody = serde_json::from_value(Value::Object(map)).map_err(|e| {
            bad(format!(
                "参数类型错误 invalid parameter type: {}",
                clean(&e.to_string(), 160)
            ))
        })?;
        let source = match (nonempty(body.image_base64), nonempty(body.image_address)) {
            (Some(b64), _) => Source::Base64(b64),
            (None, Some(address)) => Source::Link(address),
            (None, None) => return Err(bad(MSG_NO_IMAGE_SIGNED)),
        };
        let params = RawParams {
            begin_page: body.begin_page.map(|v| v.to_string()),
            page_size: body.page_size.map(|v| v.to_string()),
            price_start: body.price_start,
            price_end: body.price_end,
            sort: body.sort,
            filter: body.filter,
            category_id: body.category_id.map(|v| v.to_string()),
            region: body.region,
            // Not in the seed's body: the signed-header provider takes neither.
            keyword: None,
            auxiliary_text: None,
        }
        .validate()?;
        search(&state, Provider::Signed, &origin, source, params).await
    })
    .await;
    trace.finish(&state, resp)
}

pub(super) async fn catalog_image(
    State(state): State<Arc<SimState>>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let offer_id = file
        .strip_suffix(".jpg")
        .filter(|id| !id.is_empty() && id.len() <= 19 && id.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|id| id.parse::<u64>().ok());
    serve_picture(&state, req, offer_id.map(PictureRef::Offer)).await
}

/// `/img/ibank/{file}.jpg` (alicdn's shape). With a size suffix
/// (`….jpg_300x300.jpg`) the picture is scaled to fit that box, as alicdn
/// serves its small copies.
pub(super) async fn catalog_picture(
    State(state): State<Arc<SimState>>,
    Path(file): Path<String>,
    req: Request,
) -> Response {
    let fit = size_suffix(&file);
    let file = picture_file(&file).map(|f| PictureRef::File(f.to_string()));
    match fit {
        None => serve_picture(&state, req, file).await,
        Some(edge) => {
            let trace = Trace::new(&req);
            pause(&state, state.latency() / 3).await;
            let bytes = match file {
                Some(which) => state.image_jpeg(which).await,
                None => None,
            };
            let small = match bytes {
                Some(b) => tokio::task::spawn_blocking(move || fit_jpeg(&b, edge))
                    .await
                    .ok()
                    .flatten(),
                None => None,
            };
            trace.finish(&state, picture_response(small))
        }
    }
}

/// The box of an alicdn size suffix, `….jpg_300x300.jpg` → 300 (the
/// longer side; 16 to 2,000).
fn size_suffix(segment: &str) -> Option<u32> {
    let (_, tail) = segment.split_once(".jpg_")?;
    let (w, h) = tail.strip_suffix(".jpg")?.split_once('x')?;
    let edge = w.parse::<u32>().ok()?.max(h.parse::<u32>().ok()?);
    (16..=2000).contains(&edge).then_some(edge)
}

/// A JPEG scaled to fit `edge`×`edge` (never enlarged), quality 90.
fn fit_jpeg(jpeg: &[u8], edge: u32) -> Option<Vec<u8>> {
    let img = image::load_from_memory_with_format(jpeg, image::ImageFormat::Jpeg).ok()?;
    if img.width().max(img.height()) <= edge {
        return Some(jpeg.to_vec());
    }
    let small = img.thumbnail(edge, edge).into_rgb8();
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&small)
        .ok()?;
    Some(out)
}

/// A picture as the CDN serves it, or its not-found reply.
fn picture_response<B: IntoResponse>(jpeg: Option<B>) -> Response {
    match jpeg {
        Some(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "image/jpeg"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            bytes,
        )
            .into_response(),
        None => not_found_image(),
    }
}

/// What a picture address names.
pub(crate) enum PictureRef {
    /// An offer's picture, by offer id.
    Offer(u64),
    /// A picture file, by name without extension.
    File(String),
}

async fn serve_picture(state: &SimState, req: Request, which: Option<PictureRef>) -> Response {
    let trace = Trace::new(&req);
    // Images are CDN-fast: a third of the API latency.
    let latency = state.latency() / 3;
    pause(state, latency).await;
    let bytes = match which {
        Some(which) => state.image_jpeg(which).await,
        None => None,
    };
    trace.finish(state, picture_response(bytes))
}

fn not_found_image() -> Response {
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain")],
        "404 Not Found",
    )
        .into_response()
}

// Runtime fault control (loopback only).

fn control_reply(state: &SimState) -> Response {
    let rate_limit = state.rate_limit();
    let f = lock(&state.faults);
    json_response(
        StatusCode::OK,
        &control::faults_json(&f.faults, f.count, rate_limit),
    )
}

pub(super) async fn get_faults(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let trace = Trace::new(&req);
    let resp = control_reply(&state);
    trace.finish(&state, resp)
}

pub(super) async fn set_faults(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let trace = Trace::new(&req);
    let error = |msg: String| {
        json_response(
            StatusCode::BAD_REQUEST,
            &serde_json::json!({ "error": msg }),
        )
    };
    let resp = match axum::body::to_bytes(req.into_body(), control::MAX_CONTROL_BODY).await {
        Err(_) => error("body too large".into()),
        Ok(bytes) => match serde_json::from_slice::<FaultsUpdate>(&bytes) {
            Err(e) => error(clean(&e.to_string(), 200)),
            Ok(update) => match update.into_parts() {
                Err(e) => error(e),
                Ok((faults, rate_limit)) => {
                    tracing::info!(kinds = ?faults.kinds, rate = faults.rate, "sim faults set");
                    *lock(&state.faults) = crate::FaultState::new(faults);
                    if let Some(limit) = rate_limit {
                        tracing::info!(rate_limit = ?limit, "sim rate limit set");
                        lock(&state.traffic).set_limit(limit, Instant::now());
                    }
                    control_reply(&state)
                }
            },
        },
    };
    trace.finish(&state, resp)
}

pub(super) async fn get_stats(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let trace = Trace::new(&req);
    let stats = lock(&state.traffic).stats();
    let resp = json_response(StatusCode::OK, &serde_json::json!(stats));
    trace.finish(&state, resp)
}

/// Answers the counters as they were and starts them again from zero.
pub(super) async fn reset_stats(State(state): State<Arc<SimState>>, req: Request) -> Response {
    let trace = Trace::new(&req);
    let stats = {
        let mut traffic = lock(&state.traffic);
        let stats = traffic.stats();
        traffic.reset_stats();
        stats
    };
    let resp = json_response(StatusCode::OK, &serde_json::json!(stats));
    trace.finish(&state, resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_ids_are_19_digits_and_deterministic() {
        let a = image_id(b"abc");
        assert_eq!(a.len(), 19);
        assert!(a.bytes().all(|b| b.is_ascii_digit()));
        assert_eq!(a, image_id(b"abc"));
        assert_ne!(a, image_id(b"abd"));
    }

    #[test]
    fn size_suffixes_name_a_box() {
        assert_eq!(size_suffix("O1CN01a_!!2-0-cib.jpg_300x300.jpg"), Some(300));
        assert_eq!(size_suffix("O1CN01a_!!2-0-cib.jpg_220x180.jpg"), Some(220));
        assert_eq!(size_suffix("O1CN01a_!!2-0-cib.jpg"), None);
        assert_eq!(size_suffix("a.jpg_9x9.jpg"), None);
        assert_eq!(size_suffix("a.jpg_axb.jpg"), None);
        let big = image::RgbImage::from_fn(800, 600, |x, y| image::Rgb([x as u8, y as u8, 7]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
            .encode_image(&big)
            .unwrap();
        let small = fit_jpeg(&jpeg, 300).unwrap();
        let img = image::load_from_memory(&small).unwrap();
        assert_eq!((img.width(), img.height()), (300, 225));
        assert!(small.len() < jpeg.len());
    }
}
