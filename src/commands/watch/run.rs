//! `tusou watch run [ID…]`: runs the watches that are due (or those
//! named), one after another at the provider's rate through the client's
//! one pacer. Each run is recorded in the history as an ordinary search,
//! page by page, and compared with the watch's previous finished run: new
//! offers, offers gone, price moves past the watch's threshold, and (with
//! `--qty`, where details are fetched) minimum orders. A run that fails
//! half-way keeps the pages it fetched and leaves the watch due. A watch
//! another `watch run` holds (its lock in the store) is skipped.
//!
//! Exit: 0 nothing changed, 10 something changed, else the first failed
//! watch's code (see `cli::WATCH_RUN_EXIT_CODES`); 130 when stopped by a
//! signal (the watch being run gives its lock back and stays due).

use super::picture;
use crate::api::pace::Pacer;
use crate::api::{ApiError, Client, ImageRef, ResultPage};
use crate::cli::{CommonArgs, DigestFormat, WatchRunArgs};
use crate::commands::error::{CommandError, Exit, finish};
use crate::commands::startup::{say_demo, start_headless, stop_signal};
use crate::export::watch_digest::{DigestStyle, Outcome, WatchReport, write_digest};
use crate::store::{
    Changed, NewSearch, OfferChange, RunId, SearchId, Store, Watch, WatchId, compare_runs,
    watch_offer_key,
};
use crate::text::sanitize;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

/// How long a run's lock lasts: a process that died holding it frees the
/// watch after this.
const LOCK_SECS: u64 = 3600;

pub(super) async fn run(args: WatchRunArgs, common: &CommonArgs) -> ExitCode {
    finish(run_watches(args, common).await)
}

async fn run_watches(args: WatchRunArgs, common: &CommonArgs) -> Result<Exit, CommandError> {
    let (config, backend) = start_headless(common).await?;
    let Some(store) = backend.store.clone() else {
        return Err(CommandError::failure(
            backend
                .history_off
                .unwrap_or_else(|| "history is off".into()),
        ));
    };
    // Due watches are claimed only while still due: another run may have
    // just finished one.
    let due_only = args.ids.is_empty();
    let ids: Vec<WatchId> = if args.ids.is_empty() {
        store.due_watches(now())?
    } else {
        for &id in &args.ids {
            if store.watch(WatchId(id))?.is_none() {
                return Err(CommandError::input(format!(
                    "no watch {id} (`tusou watch list`)"
                )));
            }
        }
        args.ids.iter().map(|&id| WatchId(id)).collect()
    };
    if !ids.is_empty() {
        say_demo(&backend);
    }
    let rate = args
        .rate
        .unwrap_or(config.batch.limits(backend.client.kind()).rate);
    let pacer =
        Arc::new(Pacer::new(rate).map_err(|e| CommandError::usage(format!("--rate: {e}")))?);
    backend.client.set_pacer(Some(pacer));

    let owner = format!("{}:{}", std::process::id(), nanos());
    let ctx = Ctx {
        client: &backend.client,
        store: &store,
        provider: &backend.provider_name,
    };
    let mut reports = Vec::with_capacity(ids.len());
    let mut failed: Option<Exit> = None;
    // Ctrl-C, SIGTERM or SIGHUP stop the run where it is: the lock is
    // given back, the watch stays due, the digest says what finished.
    let mut stop = Box::pin(stop_signal());
    let mut stopped = false;
    for id in ids {
        if !store.claim_watch(id, &owner, now(), LOCK_SECS, due_only)? {
            let source = store.watch(id)?.map(|w| w.source).unwrap_or_default();
            eprintln!(
                "tusou: watch {}: another `tusou watch run` holds it (or just ran it); skipped",
                id.0
            );
            reports.push(WatchReport {
                id: id.0,
                source,
                search: None,
                outcome: Outcome::Busy,
                changes: Vec::new(),
            });
            continue;
        }
        let ran = tokio::select! {
            ran = run_one(&ctx, id) => Some(ran),
            () = &mut stop => None,
        };
        if let Err(e) = store.release_watch(id, &owner) {
            tracing::warn!("watch {}: lock not released: {e}", id.0);
        }
        match ran {
            None => {
                eprintln!(
                    "tusou: stopped; watch {} stays due (what it fetched is kept)",
                    id.0
                );
                stopped = true;
                break;
            }
            Some(Ok(report)) => reports.push(report),
            Some(Err((report, exit))) => {
                failed.get_or_insert(exit);
                reports.push(report);
            }
        }
    }

    let style = match args.format {
        DigestFormat::Table => DigestStyle::Table,
        DigestFormat::Markdown => DigestStyle::Markdown,
        DigestFormat::Json => DigestStyle::Json,
    };
    let mut digest = Vec::new();
    write_digest(style, &reports, &mut digest).map_err(|e| CommandError::output(&e))?;
    let mut out = std::io::stdout().lock();
    out.write_all(&digest)
        .and_then(|()| out.flush())
        .map_err(|e| CommandError::output(&e))?;
    drop(out);
    let changed = reports.iter().any(|r| r.counts().any());
    if changed && let Some(cmd) = &args.notify_cmd {
        super::notify::send(cmd, &digest).await;
    }
    Ok(match failed {
        _ if stopped => Exit::Stopped,
        Some(exit) => exit,
        None if changed => Exit::Changed,
        None => Exit::Ok,
    })
}

/// What every run shares.
struct Ctx<'a> {
    client: &'a Client,
    store: &'a Store,
    provider: &'a str,
}

/// One watch's run, holding its lock: the report, or the report of its
/// failure and the exit code it calls for.
async fn run_one(ctx: &Ctx<'_>, id: WatchId) -> Result<WatchReport, (WatchReport, Exit)> {
    let mut report = WatchReport {
        id: id.0,
        source: String::new(),
        search: None,
        outcome: Outcome::Failed {
            reason: String::new(),
        },
        changes: Vec::new(),
    };
    let watch = match ctx.store.watch(id) {
        Ok(Some(w)) => w,
        Ok(None) => return Ok(report_gone(report)),
        Err(e) => return Err(fail(report, None, &CommandError::from(e))),
    };
    report.source = watch.source.clone();
    // The picture first: a run that cannot send it records no empty search.
    let image = match picture::image_of(ctx.client, &watch.source, watch.picture.clone()).await {
        Ok(image) => image,
        Err(e) => {
            let run = ctx.store.start_run(id, None).ok();
            return Err(fail(report, run.map(|r| (ctx.store, r)), &e));
        }
    };
    let search = match ctx.store.record_search(&NewSearch {
        source_md5: &watch.picture_md5,
        thumbnail: watch.thumbnail.as_deref(),
        source: &watch.source,
        provider: ctx.provider,
        params: &watch.params,
    }) {
        Ok(s) => s,
        Err(e) => return Err(fail(report, None, &CommandError::from(e))),
    };
    report.search = Some(search.0);
    let run = match ctx.store.start_run(id, Some(search)) {
        Ok(r) => r,
        Err(e) => return Err(fail(report, None, &CommandError::from(e))),
    };
    match fetch(ctx, &watch, &image, search, run).await {
        Ok(report_of) => Ok(WatchReport {
            source: watch.source,
            ..report_of
        }),
        Err(e) => Err(fail(report, Some((ctx.store, run)), &e)),
    }
}

/// A watch removed while the run started: nothing to do.
fn report_gone(mut report: WatchReport) -> WatchReport {
    report.outcome = Outcome::Failed {
        reason: "removed".into(),
    };
    report
}

/// Notes a failed run (the watch stays due) and says it on stderr.
fn fail(
    mut report: WatchReport,
    run: Option<(&Store, RunId)>,
    error: &CommandError,
) -> (WatchReport, Exit) {
    let reason = error.message().to_string();
    eprintln!("tusou: watch {}: {}", report.id, sanitize(&reason));
    if let Some((store, run)) = run
        && let Err(e) = store.fail_run(run, &reason)
    {
        tracing::warn!("watch {}: run not marked failed: {e}", report.id);
    }
    report.outcome = Outcome::Failed { reason };
    (report, error.exit())
}

/// The run itself: the pages, recorded one by one; the details for MOQ
/// (with a quantity); the comparison; the run finished.
async fn fetch(
    ctx: &Ctx<'_>,
    watch: &Watch,
    image: &ImageRef,
    search: SearchId,
    run: RunId,
) -> Result<WatchReport, CommandError> {
    for page in 1..=watch.pages {
        let result: ResultPage = ctx
            .client
            .search_page(image, &watch.params, page)
            .await
            .map_err(|e| page_failed(page, e))?;
        for notice in &result.notices {
            eprintln!("tusou: watch {}: {}", watch.id.0, sanitize(notice));
        }
        ctx.store
            .record_page(search, page, &result.offers, Some(result.total_records))
            .map_err(|e| CommandError::from(e).context(format!("page {page} not recorded")))?;
        if result.is_last() {
            break;
        }
    }
    let after = ctx.store.search_offers(search)?;
    let before = ctx.store.last_done_search(watch.id, run)?;
    let first = before.is_none();
    let mut changes = match before {
        Some(before) => compare_runs(&ctx.store.search_offers(before)?, &after, watch.drop_bps),
        None => Vec::new(),
    };
    if watch.qty.is_some() {
        changes.extend(moq_changes(ctx, watch, &after).await?);
    }
    let counts = crate::store::count_changes(&changes);
    ctx.store.finish_run(watch.id, run, &counts)?;
    Ok(WatchReport {
        id: watch.id.0,
        source: watch.source.clone(),
        search: Some(search.0),
        outcome: if first {
            Outcome::Baseline {
                offers: after.len(),
            }
        } else {
            Outcome::Compared {
                offers: after.len(),
            }
        },
        changes,
    })
}

fn page_failed(page: u32, error: ApiError) -> CommandError {
    let place = if page == 1 {
        "page 1 failed".to_string()
    } else {
        format!("page {page} failed after {} recorded", page - 1)
    };
    CommandError::from(error).context(place)
}

/// Details kept fresh for this run's offers, each minimum order compared
/// with the one the watch last knew. A provider without details, or an
/// offer whose detail fails, is passed by (said on stderr).
async fn moq_changes(
    ctx: &Ctx<'_>,
    watch: &Watch,
    offers: &[crate::api::Offer],
) -> Result<Vec<Changed>, CommandError> {
    if !ctx.client.capabilities().offer_detail {
        eprintln!(
            "tusou: watch {}: no detail from this provider, so minimum orders are not compared",
            watch.id.0
        );
        return Ok(Vec::new());
    }
    let country = watch.params.effective_country();
    let mut moqs = Vec::new();
    let mut by_key = std::collections::HashMap::new();
    for offer in offers {
        let Some(id) = offer.offer_id.as_deref() else {
            continue;
        };
        let key = watch_offer_key(offer);
        if by_key.contains_key(&key) {
            continue;
        }
        match crate::kept::offer_detail(
            ctx.client,
            Some(ctx.store),
            ctx.provider,
            id,
            country,
            true,
        )
        .await
        {
            Ok((detail, _)) => {
                if let Some(moq) = detail.min_order {
                    moqs.push((key.clone(), moq));
                }
            }
            Err(e) => eprintln!(
                "tusou: watch {}: detail of offer {}: {}",
                watch.id.0,
                sanitize(id),
                sanitize(&e.to_string())
            ),
        }
        by_key.insert(key, offer);
    }
    let changed = ctx.store.swap_moqs(watch.id, &moqs)?;
    Ok(changed
        .into_iter()
        .filter_map(|(key, was, now)| {
            by_key.get(&key).map(|o| Changed {
                change: OfferChange::MoqChanged { was, now },
                offer: (*o).clone(),
            })
        })
        .collect())
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}
