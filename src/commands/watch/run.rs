//! `tusou watch run [ID…]`: runs the watches that are due (or those
//! named), a few at once (the provider's batch concurrency) at the
//! provider's rate through the client's one pacer. Each run is recorded in the history as an ordinary search,
//! page by page, and compared with the watch's previous finished run: new
//! offers, offers gone, price moves past the watch's threshold, and (with
//! `--qty`, where details are fetched) minimum orders. A run that fails
//! half-way keeps the pages it fetched and leaves the watch due. A watch
//! another `watch run` holds (its lock in the store, refreshed while its
//! run goes on) is skipped; one made for another provider is skipped with
//! its reason. With `--qty` and `--lane` the digest says each changed
//! offer's landed cost.
//!
//! Exit: 0 nothing changed, 10 something changed, else the first failed
//! watch's code (see `cli::WATCH_RUN_EXIT_CODES`); 130 when stopped by a
//! signal (the watches being run are marked stopped, give their locks back
//! and stay due).

use super::picture;
use crate::api::pace::Pacer;
use crate::api::{ApiError, Client, ImageRef, ResultPage};
use crate::cli::{CommonArgs, DigestFormat, WatchRunArgs};
use crate::commands::error::{CommandError, Exit, finish};
use crate::commands::startup::{say_demo, start_headless, stop_signal};
use crate::export::watch_digest::{DigestStyle, Landed, Outcome, WatchReport, write_digest};
use crate::store::{
    Changed, NewSearch, OfferChange, RunId, RunStatus, SearchId, Store, Watch, WatchId,
    compare_runs, watch_offer_key,
};
use crate::text::sanitize;
use futures::StreamExt;
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
    let landed = config.landed_settings(backend.mode == crate::backend::BackendMode::Demo);
    let ctx = Ctx {
        client: &backend.client,
        store: &store,
        provider: &backend.provider_name,
        landed: &landed,
    };
    // Several watches at once (the provider's batch concurrency), every
    // request through the one pacer: the pacer, not a run's round trips,
    // sets the pace. The digest keeps the order the watches were named in.
    let limits = config.batch.limits(backend.client.kind());
    let concurrency = usize::try_from(limits.concurrency.max(1)).unwrap_or(1);
    let in_flight = std::sync::Mutex::new(std::collections::HashSet::new());
    let mut runs = futures::stream::iter(ids.into_iter().enumerate())
        .map(|(at, id)| {
            let (ctx, store, owner, in_flight) = (&ctx, &store, &owner, &in_flight);
            async move {
                (
                    at,
                    claim_and_run(ctx, store, id, owner, due_only, in_flight).await,
                )
            }
        })
        .buffer_unordered(concurrency);
    let mut done: Vec<(usize, WatchReport)> = Vec::new();
    let mut failed: Option<(usize, Exit)> = None;
    // Ctrl-C, SIGTERM or SIGHUP stop the run where it is: the runs being
    // made are marked stopped, their locks given back, their watches stay
    // due; the digest says what finished.
    let mut stop = Box::pin(stop_signal());
    let mut stopped = false;
    loop {
        tokio::select! {
            next = runs.next() => match next {
                None => break,
                Some((at, Ok(report))) => done.push((at, report)),
                Some((at, Err(e))) => {
                    let (report, exit) = *e;
                    if failed.as_ref().is_none_or(|(first, _)| at < *first) {
                        failed = Some((at, exit));
                    }
                    done.push((at, report));
                }
            },
            () = &mut stop => {
                stopped = true;
                break;
            }
        }
    }
    drop(runs);
    if stopped {
        let left: Vec<WatchId> = in_flight
            .lock()
            .map(|mut s| s.drain().collect())
            .unwrap_or_default();
        for id in left {
            mark_stopped(&store, id);
            if let Err(e) = store.release_watch(id, &owner) {
                tracing::warn!("watch {}: lock not released: {e}", id.0);
            }
            eprintln!(
                "tusou: stopped; watch {} stays due (what it fetched is kept)",
                id.0
            );
        }
    }
    done.sort_by_key(|(at, _)| *at);
    let reports: Vec<WatchReport> = done.into_iter().map(|(_, r)| r).collect();
    let failed = failed.map(|(_, exit)| exit);

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

/// What one watch's turn answers: its report, or its failure's report
/// and the exit code it calls for.
type Turn = Result<WatchReport, Box<(WatchReport, Exit)>>;

/// Claims the watch and runs it holding its lock, given back after; a
/// watch another run holds is reported busy. While it runs its id is in
/// `in_flight` (a stop marks those stopped).
async fn claim_and_run(
    ctx: &Ctx<'_>,
    store: &Store,
    id: WatchId,
    owner: &str,
    due_only: bool,
    in_flight: &std::sync::Mutex<std::collections::HashSet<WatchId>>,
) -> Turn {
    let claimed = match store.claim_watch(id, owner, now(), LOCK_SECS, due_only) {
        Ok(c) => c,
        Err(e) => {
            let report = WatchReport::unrun(id.0);
            return Err(Box::new(fail(report, None, &CommandError::from(e))));
        }
    };
    if !claimed {
        let source = store
            .watch(id)
            .ok()
            .flatten()
            .map(|w| w.source)
            .unwrap_or_default();
        eprintln!(
            "tusou: watch {}: another `tusou watch run` holds it (or just ran it); skipped",
            id.0
        );
        return Ok(WatchReport {
            id: id.0,
            source,
            search: None,
            outcome: Outcome::Busy,
            changes: Vec::new(),
            landed: None,
        });
    }
    if let Ok(mut s) = in_flight.lock() {
        s.insert(id);
    }
    let ran = holding_lock(store, id, owner, LOCK_SECS, run_one(ctx, id)).await;
    if let Ok(mut s) = in_flight.lock() {
        s.remove(&id);
    }
    if let Err(e) = store.release_watch(id, owner) {
        tracing::warn!("watch {}: lock not released: {e}", id.0);
    }
    ran.map_err(Box::new)
}

/// Runs `work` while keeping `owner`'s lock on the watch: refreshed every
/// third of its lifetime, so a run longer than `ttl_secs` (a slow provider,
/// many pages, many details) is not taken by another `watch run` at once.
async fn holding_lock<T>(
    store: &Store,
    id: WatchId,
    owner: &str,
    ttl_secs: u64,
    work: impl std::future::Future<Output = T>,
) -> T {
    let period = std::time::Duration::from_millis((ttl_secs * 1000 / 3).max(100));
    let mut refresh = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    refresh.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(work);
    loop {
        tokio::select! {
            out = &mut work => return out,
            _ = refresh.tick() => {
                let until = now().saturating_add(i64::try_from(ttl_secs).unwrap_or(i64::MAX));
                match store.refresh_watch_lock(id, owner, until) {
                    Ok(true) => {}
                    Ok(false) => tracing::warn!("watch {}: its lock was taken", id.0),
                    Err(e) => tracing::warn!("watch {}: lock not refreshed: {e}", id.0),
                }
            }
        }
    }
}

/// The watch's run in progress (the latest, still `running`), marked
/// stopped: the run was stopped by a signal.
fn mark_stopped(store: &Store, id: WatchId) {
    let running = match store.watch(id) {
        Ok(w) => w
            .and_then(|w| w.last)
            .filter(|r| r.status == RunStatus::Running),
        Err(e) => {
            tracing::warn!("watch {}: run not marked stopped: {e}", id.0);
            None
        }
    };
    if let Some(run) = running
        && let Err(e) = store.stop_run(run.id)
    {
        tracing::warn!("watch {}: run not marked stopped: {e}", id.0);
    }
}

/// What every run shares.
struct Ctx<'a> {
    client: &'a Client,
    store: &'a Store,
    provider: &'a str,
    /// Lanes, warehouse and fees (`[landed]`; demo mode's examples).
    landed: &'a crate::landed::Settings,
}

/// One watch's run, holding its lock: the report, or the report of its
/// failure and the exit code it calls for.
async fn run_one(ctx: &Ctx<'_>, id: WatchId) -> Result<WatchReport, (WatchReport, Exit)> {
    let mut report = WatchReport::unrun(id.0);
    let watch = match ctx.store.watch(id) {
        Ok(Some(w)) => w,
        Ok(None) => return Ok(report_gone(report)),
        Err(e) => return Err(fail(report, None, &CommandError::from(e))),
    };
    report.source = watch.source.clone();
    if watch.provider != ctx.provider {
        // Another provider's offers and image ids: comparing them with
        // this one's would report everything new and gone.
        let reason = format!(
            "made for provider {}, and this run uses {}: skipped (run it with --provider {})",
            sanitize(&watch.provider),
            sanitize(ctx.provider),
            sanitize(&watch.provider)
        );
        eprintln!("tusou: watch {}: {reason}", id.0);
        report.outcome = Outcome::Skipped { reason };
        return Ok(report);
    }
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
    let mut details = std::collections::HashMap::new();
    if watch.qty.is_some() {
        let (moved, fetched) = moq_changes(ctx, watch, &after).await?;
        changes.extend(moved);
        details = fetched;
    }
    let landed = match (watch.qty, watch.lane.as_deref()) {
        (Some(qty), Some(lane)) if !changes.is_empty() => {
            let country = watch.params.effective_country();
            Some(landed_costs(ctx, (watch.id, country), lane, qty, &changes, &details).await)
        }
        _ => None,
    };
    drop(details);
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
        landed,
    })
}

/// The landed cost of each changed offer (gone ones too, by their last
/// detail) at the watch's quantity by its lane, as `tusou search --qty
/// --lane` works it out: the run's fresh detail (else the one kept), the
/// freight estimate kept for a day (else asked, paced with the rest), or
/// what is missing. A lane no longer in the config is said per change.
async fn landed_costs(
    ctx: &Ctx<'_>,
    (watch, country): (WatchId, &str),
    lane: &str,
    qty: u64,
    changes: &[Changed],
    details: &std::collections::HashMap<String, crate::api::OfferDetail>,
) -> Landed {
    let setup = match crate::export::landed::LandedSetup::new(ctx.landed, lane) {
        Ok(s) => s,
        Err(e) => {
            let why = format!("? lane {}: {e}", sanitize(lane));
            eprintln!("tusou: watch {}: {why}", watch.0);
            return Landed {
                lane: lane.to_string(),
                qty,
                costs: vec![why; changes.len()],
            };
        }
    };
    let no_freight = setup.why_no_freight(ctx.client);
    let mut costs = Vec::with_capacity(changes.len());
    for ch in changes {
        let Some(id) = ch.offer.offer_id.as_deref() else {
            costs.push("? no offer id".to_string());
            continue;
        };
        let detail = match details.get(id) {
            Some(d) => Some(d.clone()),
            None => crate::kept::offer_detail(
                ctx.client,
                Some(ctx.store),
                ctx.provider,
                id,
                country,
                false,
            )
            .await
            .ok()
            .map(|(d, _)| d),
        };
        let freight = match (&no_freight, &detail) {
            (Some(why), _) => Some(Err(why.clone())),
            (None, Some(d)) => match setup.query(id, d, qty) {
                Some(q) => Some(
                    crate::kept::freight_estimate(ctx.client, Some(ctx.store), ctx.provider, &q)
                        .await
                        .map_err(|e| sanitize(&e.to_string())),
                ),
                None => None,
            },
            (None, None) => None,
        };
        let cost = setup.columns.cost_with(
            detail.as_ref(),
            qty,
            freight.as_ref().map(|f| f.as_ref().map_err(Clone::clone)),
        );
        costs.push(cost.yuan_text());
    }
    Landed {
        lane: setup.columns.lane_label(),
        qty,
        costs,
    }
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
) -> Result<MoqChanges, CommandError> {
    let mut details = std::collections::HashMap::new();
    if !ctx.client.capabilities().offer_detail {
        eprintln!(
            "tusou: watch {}: no detail from this provider, so minimum orders are not compared",
            watch.id.0
        );
        return Ok((Vec::new(), details));
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
                if watch.lane.is_some() {
                    // Kept for the changed offers' landed costs (at most
                    // the watch's pages of offers).
                    details.insert(id.to_string(), detail);
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
    let moved = changed
        .into_iter()
        .filter_map(|(key, was, now)| {
            by_key.get(&key).map(|o| Changed {
                change: OfferChange::MoqChanged { was, now },
                offer: (*o).clone(),
            })
        })
        .collect();
    Ok((moved, details))
}

/// MOQ changes, and the details fetched for them by offer id.
type MoqChanges = (
    Vec<Changed>,
    std::collections::HashMap<String, crate::api::OfferDetail>,
);

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::SearchParams;
    use crate::store::{NewWatch, test_store};

    /// A run twice as long as its lock's lifetime keeps the lock: another
    /// claim in the middle and at the end is refused.
    #[tokio::test]
    async fn a_run_longer_than_its_lock_keeps_it() {
        let store = test_store();
        let params = SearchParams::default();
        let id = store
            .add_watch(&NewWatch {
                source: "/p.jpg",
                picture: None,
                picture_md5: "m",
                thumbnail: None,
                provider: "demo",
                params: &params,
                pages: 1,
                qty: None,
                lane: None,
                every_secs: 60,
                drop_bps: 0,
            })
            .unwrap();
        assert!(store.claim_watch(id, "a", now(), 1, false).unwrap());
        let probe = async {
            for _ in 0..5 {
                tokio::time::sleep(std::time::Duration::from_millis(600)).await;
                assert!(
                    !store.claim_watch(id, "b", now(), 1, false).unwrap(),
                    "the lock lapsed while its run went on"
                );
            }
            "done"
        };
        assert_eq!(holding_lock(&store, id, "a", 1, probe).await, "done");
        // Once the run ends and the lifetime passes, the lock is free again.
        tokio::time::sleep(std::time::Duration::from_millis(2100)).await;
        assert!(store.claim_watch(id, "b", now(), 1, false).unwrap());
    }
}
