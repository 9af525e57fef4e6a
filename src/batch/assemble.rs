//! From a job in the store to its sheet, a chunk of photos at a time: each photo's state, its
//! recorded search's first matches, the query picture's thumbnail from the
//! history, and each match's thumbnail — fetched a few at a time, kept on
//! disk so a second sheet of the same job fetches nothing, and left empty
//! when it cannot be had (a picture never fails a sheet).

use crate::api::{Client, FreightQuery, FreightQuote};
use crate::export::file::Naming;
use crate::export::landed::LandedSetup;
use crate::export::sheet::model::{Match, PhotoOutcome, PhotoResult, SheetInput};
use crate::export::sheet::{SheetError, write_photos_as};
use crate::money::Currency;
use crate::store::{ItemState, JobId, JobItem, Store, StoreError};
use futures::StreamExt;
use md5::{Digest, Md5};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Pictures downloaded at once for a sheet.
pub const THUMB_CONCURRENCY: usize = 8;
/// A match's picture is read up to this size.
const MAX_PICTURE_BYTES: usize = 8 * 1024 * 1024;
/// Thumbnails kept in the disk cache at most; older ones are removed first.
const MAX_CACHED_THUMBS: usize = 20_000;

/// Offer details fetched at once for a sheet with a quantity: enough in
/// flight to keep a rate of 10/s busy at up to ~0.7 s a reply (4 at 300 ms
/// only just could); the pacer keeps them to the rate. (At 300 ms, 4 and 8
/// measured the same, 0.90 of the rate: the pacer's own window, `rate`
/// requests per 1.1 s, is what bounds it — see BENCHMARKS.md, issue 24.)
pub const DETAIL_CONCURRENCY: usize = 8;

/// Freight estimates asked at once for a sheet with a lane (as details).
pub const FREIGHT_CONCURRENCY: usize = 8;

/// Photos assembled (store reads, details, thumbnails) and handed to the
/// writer at a time: what memory holds at once, whatever the job's size.
pub const CHUNK: usize = 64;

/// Writes the sheet of `job` as the store has it now (pending photos
/// included) to `path` (or a fresh `-N` name, per `naming`), and answers
/// where. Photos are read, given their details and thumbnails, and written
/// [`CHUNK`] at a time while the writer streams the file, so a job of
/// 10,000 photos takes no more memory than one of 100. With a `quantity`,
/// every match's detail missing from the store is fetched (paced like
/// every provider request) for its unit cost.
#[allow(clippy::too_many_arguments)]
pub async fn write_job_sheet(
    store: &Store,
    client: &Client,
    job: JobId,
    currency: Option<Currency>,
    quantity: Option<u64>,
    thumb_cache: Option<&Path>,
    path: &Path,
    naming: Naming,
) -> Result<PathBuf, SheetError> {
    write_job_sheet_landed(
        store,
        client,
        job,
        currency,
        quantity,
        None,
        thumb_cache,
        path,
        naming,
    )
    .await
}

/// [`write_job_sheet`] with a lane (`--qty N --lane NAME`): each match's
/// landed cost at the quantity too, its domestic freight kept in the store
/// and reused for a day, else asked (paced like every provider request).
/// A match whose cost cannot be worked out says what is missing.
#[allow(clippy::too_many_arguments)]
pub async fn write_job_sheet_landed(
    store: &Store,
    client: &Client,
    job: JobId,
    currency: Option<Currency>,
    quantity: Option<u64>,
    landed: Option<&LandedSetup>,
    thumb_cache: Option<&Path>,
    path: &Path,
    naming: Naming,
) -> Result<PathBuf, SheetError> {
    let landed = landed.filter(|_| quantity.is_some());
    let s = store.clone();
    let (summary, items, details) = tokio::task::spawn_blocking(move || {
        let summary = s
            .job(job)?
            .ok_or_else(|| StoreError::Missing(format!("no batch job {}", job.0)))?;
        let items = s.job_items(job)?;
        let details = s.job_has_details(job)?;
        Ok::<_, StoreError>((summary, items, details))
    })
    .await
    .unwrap_or_else(|e| Err(StoreError::Missing(format!("a store task failed: {e}"))))
    .map_err(history)?;
    let provider = summary.provider.clone();
    let country = summary.params.effective_country().to_string();
    let top = summary.top as usize;
    let spec = SheetInput {
        user_columns: summary.user_columns,
        photos: Vec::new(),
        top,
        currency,
        quantity,
        lane: landed.map(|l| l.columns.lane_label()),
    };
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<PhotoResult, SheetError>>(CHUNK);
    let writer = {
        let path = path.to_path_buf();
        tokio::task::spawn_blocking(move || {
            let photos = std::iter::from_fn(|| rx.blocking_recv());
            write_photos_as(&path, &spec, details || quantity.is_some(), photos, naming)
        })
    };
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let chunk: Vec<JobItem> = items.by_ref().take(CHUNK).collect();
        let (s, who) = (store.clone(), provider.clone());
        let photos = tokio::task::spawn_blocking(move || {
            chunk
                .into_iter()
                .map(|item| photo_result(&s, item, top, &who))
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .unwrap_or_else(|e| Err(StoreError::Missing(format!("a store task failed: {e}"))));
        let mut photos = match photos {
            Ok(photos) => photos,
            Err(e) => {
                // The writer stops at this and leaves nothing behind.
                let _ = tx.send(Err(history(e))).await;
                break;
            }
        };
        // Pictures are fetched while details and freight are asked: the
        // provider's requests then go on at its rate, without waiting for
        // the pictures between chunks.
        let thumbs = fetch_thumbnails(thumbnail_urls(&photos), client, thumb_cache);
        let provider_side = async {
            if quantity.is_some() {
                fill_details(&mut photos, client, store, &provider, &country).await;
            }
            if let (Some(landed), Some(q)) = (landed, quantity) {
                fill_landed(&mut photos, client, store, &provider, landed, q).await;
            }
        };
        let ((), thumbs) = tokio::join!(provider_side, thumbs);
        give_thumbnails(&mut photos, &thumbs);
        // The matcher compares the thumbnails just fetched: off the async threads.
        photos = tokio::task::spawn_blocking(move || {
            super::same::mark_same_product(&mut photos);
            photos
        })
        .await
        .map_err(|e| SheetError::Source(format!("a task failed: {e}")))?;
        let mut stopped = false;
        for photo in photos {
            // The writer has stopped (it failed): its error is the answer.
            if tx.send(Ok(photo)).await.is_err() {
                stopped = true;
                break;
            }
        }
        if stopped {
            break;
        }
    }
    drop(tx);
    if let Some(dir) = thumb_cache {
        let dir = dir.to_path_buf();
        let _ = tokio::task::spawn_blocking(move || prune(&dir, MAX_CACHED_THUMBS)).await;
    }
    writer
        .await
        .unwrap_or_else(|e| Err(SheetError::Source(format!("the sheet's task failed: {e}"))))
}

fn history(e: StoreError) -> SheetError {
    SheetError::Source(format!("history database: {e}"))
}

/// One photo of a job as the sheet shows it: its state, and for a searched
/// one the recorded search's first `top` offers (each with the detail the
/// store keeps) and the query picture's thumbnail.
fn photo_result(
    s: &Store,
    item: JobItem,
    top: usize,
    provider: &str,
) -> Result<PhotoResult, StoreError> {
    let (outcome, query_thumb) = match item.state {
        ItemState::Pending => (PhotoOutcome::Pending, None),
        ItemState::Failed { reason } => (PhotoOutcome::Failed { reason }, None),
        ItemState::Done { search, total } => {
            let stored = match search {
                Some(id) => s.load_search(id)?,
                None => None,
            };
            let thumb = match search {
                Some(id) => s.search_thumbnail(id)?,
                None => None,
            };
            let matches = stored
                .map(|st| st.offers.into_iter().take(top).enumerate())
                .into_iter()
                .flatten()
                .map(|(i, offer)| Match {
                    rank: i + 1,
                    detail: offer
                        .offer_id
                        .as_deref()
                        .and_then(|id| s.detail(provider, id).ok().flatten())
                        .map(|d| d.detail),
                    offer,
                    thumb: None,
                    landed: None,
                    same: None,
                })
                .collect();
            (PhotoOutcome::Done { total, matches }, thumb)
        }
    };
    Ok(PhotoResult {
        index: item.index as usize,
        source: item.source,
        user_values: item.user_values,
        query_thumb,
        outcome,
    })
}

/// Fetches the details the store does not have (each offer once), keeps
/// them, and gives them to their matches. A detail that cannot be had
/// leaves its cells empty: it never fails the sheet.
async fn fill_details(
    photos: &mut [PhotoResult],
    client: &Client,
    store: &Store,
    provider: &str,
    country: &str,
) {
    let mut ids: Vec<String> = searched_matches(photos)
        .filter(|m| m.detail.is_none())
        .filter_map(|m| m.offer.offer_id.clone())
        .collect();
    ids.sort();
    ids.dedup();
    let fetched: HashMap<String, crate::api::OfferDetail> = futures::stream::iter(ids)
        .map(|id| async move {
            let detail = client.offer_detail(&id, country).await;
            (id, detail)
        })
        .buffer_unordered(DETAIL_CONCURRENCY)
        .filter_map(|(id, detail)| async move {
            match detail {
                Ok(d) => Some((id, d)),
                Err(e) => {
                    tracing::debug!(error = %crate::text::sanitize(&e.to_string()), "batch detail");
                    None
                }
            }
        })
        .collect()
        .await;
    let (s, keep, who) = (store.clone(), fetched.clone(), provider.to_string());
    let _ = tokio::task::spawn_blocking(move || {
        for (id, detail) in &keep {
            let _ = s.save_detail(&who, id, detail);
        }
    })
    .await;
    for photo in photos.iter_mut() {
        if let PhotoOutcome::Done { matches, .. } = &mut photo.outcome {
            for m in matches.iter_mut().filter(|m| m.detail.is_none()) {
                m.detail = m
                    .offer
                    .offer_id
                    .as_deref()
                    .and_then(|id| fetched.get(id).cloned());
            }
        }
    }
}

/// The freight estimate of each match with a detail (each question once;
/// the store's copy when fresh), and from it each match's landed cost at
/// `quantity`. An estimate that cannot be had leaves the user's fallback
/// rate or an unknown cost that says so: it never fails the sheet.
async fn fill_landed(
    photos: &mut [PhotoResult],
    client: &Client,
    store: &Store,
    provider: &str,
    landed: &LandedSetup,
    quantity: u64,
) {
    type Key = (String, Vec<(String, u64)>);
    let key = |q: &FreightQuery| -> Key { (q.offer_id.clone(), q.skus.clone()) };
    let why_none = landed.why_no_freight(client);
    let query = |m: &Match| -> Option<FreightQuery> {
        landed.query(m.offer.offer_id.as_deref()?, m.detail.as_ref()?, quantity)
    };
    let mut asks: HashMap<Key, FreightQuery> = HashMap::new();
    if why_none.is_none() {
        for q in searched_matches(photos).filter_map(query) {
            asks.entry(key(&q)).or_insert(q);
        }
    }
    let answers: HashMap<Key, Result<FreightQuote, String>> = futures::stream::iter(asks)
        .map(|(k, q)| async move {
            let quote = crate::kept::freight_estimate(client, Some(store), provider, &q)
                .await
                .map_err(|e| {
                    let why = crate::text::sanitize(&e.to_string());
                    tracing::debug!(error = %why, "batch freight");
                    why
                });
            (k, quote)
        })
        .buffer_unordered(FREIGHT_CONCURRENCY)
        .collect()
        .await;
    for photo in photos.iter_mut() {
        if let PhotoOutcome::Done { matches, .. } = &mut photo.outcome {
            for m in matches.iter_mut() {
                let freight = match &why_none {
                    Some(why) => Some(Err(why.clone())),
                    None => query(m)
                        .and_then(|q| answers.get(&key(&q)))
                        .map(|a| a.as_ref().map_err(Clone::clone)),
                };
                m.landed = Some(
                    landed
                        .columns
                        .cost_with(m.detail.as_ref(), quantity, freight),
                );
            }
        }
    }
}

/// Every match of the photos searched so far.
fn searched_matches(photos: &[PhotoResult]) -> impl Iterator<Item = &Match> {
    photos
        .iter()
        .filter_map(|p| match &p.outcome {
            PhotoOutcome::Done { matches, .. } => Some(matches),
            _ => None,
        })
        .flatten()
}

/// Every match's picture address, each once.
fn thumbnail_urls(photos: &[PhotoResult]) -> Vec<String> {
    let mut urls: Vec<String> = searched_matches(photos)
        .filter_map(|m| m.offer.picture_link())
        .collect();
    urls.sort();
    urls.dedup();
    urls
}

/// Fetches each picture at `urls` into a small JPEG (those that cannot be
/// had are left out).
async fn fetch_thumbnails(
    urls: Vec<String>,
    client: &Client,
    cache: Option<&Path>,
) -> HashMap<String, Vec<u8>> {
    futures::stream::iter(urls)
        .map(|url| async move {
            let thumb = thumbnail(client, &url, cache).await;
            (url, thumb)
        })
        .buffer_unordered(THUMB_CONCURRENCY)
        .filter_map(|(url, thumb)| async move { thumb.map(|t| (url, t)) })
        .collect()
        .await
}

/// Gives each match its picture from `fetched`.
fn give_thumbnails(photos: &mut [PhotoResult], fetched: &HashMap<String, Vec<u8>>) {
    for photo in photos.iter_mut() {
        if let PhotoOutcome::Done { matches, .. } = &mut photo.outcome {
            for m in matches {
                m.thumb = m
                    .offer
                    .picture_link()
                    .and_then(|u| fetched.get(&u).cloned());
            }
        }
    }
}

/// A match's thumbnail: from the disk cache, else downloaded and reduced.
async fn thumbnail(client: &Client, url: &str, cache: Option<&Path>) -> Option<Vec<u8>> {
    let file = cache.map(|dir| dir.join(format!("{}.jpg", crate::text::hex(&Md5::digest(url)))));
    if let Some(f) = &file
        && let Ok(bytes) = crate::fs::read_file_capped(f, MAX_PICTURE_BYTES as u64)
    {
        return Some(bytes);
    }
    let bytes = match client.fetch_image(url, MAX_PICTURE_BYTES).await {
        Ok(b) => b,
        Err(e) => {
            tracing::debug!(error = %crate::text::sanitize(&e.to_string()), "batch thumbnail");
            return None;
        }
    };
    let thumb = tokio::task::spawn_blocking(move || {
        crate::image::thumbnail::history_thumbnail(&bytes).ok()
    })
    .await
    .ok()
    .flatten()?;
    if let Some(f) = file {
        let data = thumb.clone();
        let _ = tokio::task::spawn_blocking(move || save(&f, &data)).await;
    }
    Some(thumb)
}

/// Writes a cache file whole or not at all.
fn save(path: &Path, data: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension("part");
    std::fs::write(&tmp, data)?;
    std::fs::rename(&tmp, path)
}

/// Keeps the newest `keep` files of the cache.
fn prune(dir: &Path, keep: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    if files.len() <= keep {
        return;
    }
    files.sort();
    let over = files.len() - keep;
    for (_, path) in files.into_iter().take(over) {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_the_newest_files() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..5 {
            let p = dir.path().join(format!("{i}.jpg"));
            save(&p, b"x").unwrap();
            let t = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000 + i);
            std::fs::File::options()
                .write(true)
                .open(&p)
                .unwrap()
                .set_modified(t)
                .unwrap();
        }
        prune(dir.path(), 2);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["3.jpg", "4.jpg"]);
    }
}
