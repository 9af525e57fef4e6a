//! `tusou batch`: a folder or list of photos searched at the provider's
//! rate into a sheet, the job kept in the history database so that Ctrl-C,
//! a crash or `kill -9` loses nothing and the same command (or `--resume`)
//! goes on where it stopped.
//!
//! Exit codes: 0 every photo searched and the sheet written; 7 the sheet
//! written but some photos failed (listed on stderr and in the sheet);
//! 130 stopped by Ctrl-C / SIGTERM (resume later); 4 credentials refused
//! (the job is kept); 3 the input cannot be read; 2 usage; 6 configuration;
//! 1 anything else (no history database, the sheet could not be written).

use super::error::{CommandError, finish};
use super::startup::{Exit, headless_backend, headless_config, prepare_options, say_demo};
use crate::api::pace::Pacer;
use crate::backend::SearchBackend;
use crate::batch::assemble::write_job_sheet_landed;
use crate::batch::inputs::collect;
use crate::batch::job;
use crate::batch::run::{Event, RunError, RunOptions, run_job};
use crate::cli::{BatchArgs, CommonArgs};
use crate::config::{Config, check_concurrency, check_rate};
use crate::export::file::Naming;
use crate::export::sheet::check_target;
use crate::store::{JobId, JobSummary, Store};
use crate::text::{sanitize, utc_minute};
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Exit code when the sheet is written but some photos failed.
pub const EXIT_SOME_FAILED: u8 = Exit::SomeFailed as u8;
/// Jobs `--list` shows.
const LISTED_JOBS: u32 = 50;
/// A plain progress line at most this often (stderr not a terminal).
const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub async fn run(args: BatchArgs, common: &CommonArgs) -> ExitCode {
    finish(batch(args, common).await)
}

async fn batch(args: BatchArgs, common: &CommonArgs) -> Result<Exit, CommandError> {
    args.query.check().map_err(CommandError::usage)?;
    // Before the first request: a sheet that cannot be written must not
    // cost the user a batch of searches.
    if let (Some(out), false) = (&args.out, args.list) {
        check_target(out, Naming::Refuse).map_err(|e| bad_out(out, &e))?;
    }
    let config = headless_config(common)?;
    let rate = args
        .rate
        .map(|r| check_rate("--rate", r))
        .transpose()
        .map_err(|e| CommandError::usage(e.to_string()))?;
    let concurrency = args
        .concurrency
        .map(|n| check_concurrency("--concurrency", n))
        .transpose()
        .map_err(|e| CommandError::usage(e.to_string()))?;
    let backend = headless_backend(&config, common).await?;
    // Words the provider does not take are refused before any upload.
    backend
        .client
        .check_search(&args.query.params(&config, None))
        .map_err(|e| CommandError::usage(crate::text::sanitize(&e.to_string())))?;
    let Some(store) = backend.store.clone() else {
        let why = backend.history_off.clone().unwrap_or_default();
        return Err(CommandError::failure(format!(
            "batch keeps its job in the history database, and {why}"
        )));
    };
    if args.list {
        return list(&store);
    }
    say_demo(&backend);
    let landed =
        super::search::landed_setup(args.lane.as_deref(), args.query.qty, &config, &backend)?;

    let job = find_or_create(&args, &config, &store, &backend)?;
    if args.retry_failed {
        let n = store
            .retry_failed_items(job.id)
            .map_err(|e| CommandError::failure(format!("history: {e}")))?;
        if n > 0 {
            eprintln!("tusou: trying {n} failed photos again");
        }
    }
    let job = refreshed(&store, job.id)?;
    // A name tusou chose (or a resumed job's) moves on to `-1`, `-2`, … if
    // taken; the one the user names now is never replaced.
    let naming = match args.out {
        Some(_) => Naming::Refuse,
        None => Naming::Fresh,
    };
    let out = PathBuf::from(&job.out);
    check_target(&out, naming).map_err(|e| bad_out(&out, &e))?;

    let limits = config.batch.limits(backend.client.kind());
    let rate = rate.unwrap_or(limits.rate);
    let concurrency = concurrency.unwrap_or(limits.concurrency);
    let pacer =
        Arc::new(Pacer::new(rate).map_err(|e| CommandError::usage(format!("--rate: {e}")))?);
    backend.client.set_pacer(Some(pacer.clone()));

    let mut code = Exit::Ok;
    let run_started = Instant::now();
    if job.pending() > 0 {
        eprintln!(
            "tusou: batch job {}: {} photos, {} to search, {} done, {} failed · {rate} requests/s, {concurrency} at once",
            job.id.0,
            job.total,
            job.pending(),
            job.done,
            job.failed
        );
        let opts = RunOptions {
            params: job.params.clone(),
            concurrency: concurrency as usize,
            prepare: prepare_options(common),
            provider: backend.provider_name.clone(),
        };
        let progress = Progress::new(&job);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let signals = tokio::spawn(async move {
            super::startup::stop_signal().await;
            let _ = stop_tx.send(true);
        });
        let on_event = |e: Event| progress.event(e);
        let started = Instant::now();
        let result = run_job(&backend.client, &store, job.id, &opts, &on_event, stop_rx).await;
        let took = started.elapsed().as_secs_f64().max(1e-3);
        signals.abort();
        progress.finish();
        eprintln!("tusou: {}", pace_report(&pacer, took));
        match result {
            Ok(()) => {}
            Err(RunError::Stopped) => {
                let now = refreshed(&store, job.id)?;
                eprintln!(
                    "tusou: stopped: {} of {} photos done, {} failed, {} to go; run the same command or `tusou batch --resume {}` to go on",
                    now.done,
                    now.total,
                    now.failed,
                    now.pending(),
                    job.id.0
                );
                return Ok(Exit::Stopped);
            }
            Err(RunError::Auth(e)) => {
                return Err(CommandError::new(
                    Exit::Auth,
                    format!(
                        "the provider refused the credentials: {e}; the job is kept: fix them (`tusou doctor`), then `tusou batch --resume {}`",
                        job.id.0
                    ),
                ));
            }
            Err(RunError::Store(e)) => {
                return Err(CommandError::database(&e));
            }
        }
        if pacer.rate_limited_count() > 0 {
            eprintln!(
                "tusou: the provider said \"too many requests\" {} times; tusou waited as it asked (consider a lower --rate)",
                pacer.rate_limited_count()
            );
        }
    }
    let job = refreshed(&store, job.id)?;
    let thumbs = config.cache_dir.as_ref().map(|d| d.join("batch-thumbs"));
    if args.query.qty.is_some() && !backend.client.capabilities().offer_detail {
        eprintln!(
            "tusou: --qty: no detail from this provider: {}",
            crate::api::error::NO_DETAIL
        );
    }
    let written = write_job_sheet_landed(
        &store,
        &backend.client,
        job.id,
        config.currency.clone(),
        args.query.qty,
        landed.as_ref(),
        thumbs.as_deref(),
        &out,
        naming,
    )
    .await;
    if args.query.qty.is_some() {
        // The sheet's details and freight estimates are provider requests
        // too, under the same pacer: the rate over the whole run.
        let took = run_started.elapsed().as_secs_f64().max(1e-3);
        let what = if landed.is_some() {
            "searches, details and freight"
        } else {
            "searches and details"
        };
        eprintln!("tusou: {what}: {}", pace_report(&pacer, took));
    }
    let out = match written {
        Ok(path) => path,
        Err(e) => {
            return Err(CommandError::failure(format!(
                "could not write {}: {e}; the results are kept: `tusou batch --resume {}` writes it again",
                crate::fs::shown(&out),
                job.id.0
            )));
        }
    };
    // Only now, with the sheet on disk, is the job finished.
    if out.as_os_str() != job.out.as_str() {
        let _ = store.set_job_out(job.id, &out.to_string_lossy());
    }
    if job.pending() == 0 {
        let _ = store.finish_job(job.id);
    }
    eprintln!(
        "tusou: wrote {}: {} photos, {} searched, {} failed",
        crate::fs::shown(&out),
        job.total,
        job.done,
        job.failed
    );
    if job.failed > 0 {
        let items = store.job_items(job.id).unwrap_or_default();
        for item in items {
            if let crate::store::ItemState::Failed { reason } = item.state {
                eprintln!(
                    "tusou:   #{} {}: {}",
                    item.index,
                    sanitize(&item.source),
                    sanitize(&reason)
                );
            }
        }
        code = Exit::SomeFailed;
    }
    Ok(code)
}

/// The job the arguments name: `--resume [ID]`, else the unfinished job of
/// the same command, else a new one.
fn find_or_create(
    args: &BatchArgs,
    config: &Config,
    store: &Store,
    backend: &SearchBackend,
) -> Result<JobSummary, CommandError> {
    let db = |e: crate::store::StoreError| CommandError::database(&e);
    if let Some(id) = args.resume {
        let job = if id == 0 {
            store
                .jobs(LISTED_JOBS)
                .map_err(db)?
                .into_iter()
                .find(|j| j.finished_at.is_none())
                .ok_or_else(|| CommandError::usage("no unfinished batch job to resume"))?
        } else {
            store.job(JobId(id)).map_err(db)?.ok_or_else(|| {
                CommandError::usage(format!("no batch job {id} (see tusou batch --list)"))
            })?
        };
        if job.provider != backend.provider_name {
            return Err(CommandError::usage(format!(
                "job {} searches {}, and this run is set up for {}: use --provider (or --demo) as then",
                job.id.0, job.provider, backend.provider_name
            )));
        }
        eprintln!(
            "tusou: resuming batch job {} ({})",
            job.id.0,
            sanitize(&job.input)
        );
        return with_out(store, job, args.out.as_deref());
    }
    let Some(input) = &args.input else {
        return Err(CommandError::usage("name a directory or a list of photos"));
    };
    let inputs = collect(input, args.recursive).map_err(|e| CommandError::input(e.to_string()))?;
    let params = args.query.params(config, Some(args.top));
    let provider = &backend.provider_name;
    let identity = job::identity(&inputs, args.recursive, provider, &params, args.top);
    let out = match &args.out {
        Some(out) => std::path::absolute(out).unwrap_or_else(|_| out.clone()),
        None => job::default_out(&crate::config::export_dir()),
    };
    let (job, found) =
        job::find_or_create(store, &inputs, &identity, provider, &params, args.top, &out)
            .map_err(db)?;
    if found {
        eprintln!(
            "tusou: going on with batch job {} from {} ({} of {} done)",
            job.id.0,
            utc_minute(job.created_at),
            job.done,
            job.total
        );
    }
    with_out(store, job, args.out.as_deref())
}

/// The job, writing its sheet to `out` when this run names one (a resumed
/// job's earlier `--out` gives way to the new one).
fn with_out(
    store: &Store,
    job: JobSummary,
    out: Option<&std::path::Path>,
) -> Result<JobSummary, CommandError> {
    let Some(out) = out else {
        return Ok(job);
    };
    let out = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
    let out = out.to_string_lossy();
    if out == job.out {
        return Ok(job);
    }
    store.set_job_out(job.id, &out)?;
    refreshed(store, job.id)
}

/// `--out` (or a resumed job's sheet) cannot be written: a usage error.
fn bad_out(out: &std::path::Path, e: &crate::export::sheet::SheetError) -> CommandError {
    CommandError::usage(format!("--out {}: {e}", crate::fs::shown(out)))
}

fn refreshed(store: &Store, id: JobId) -> Result<JobSummary, CommandError> {
    store
        .job(id)?
        .ok_or_else(|| CommandError::failure(format!("batch job {} is gone", id.0)))
}

/// `tusou batch --list`: jobs, newest first (stdout).
fn list(store: &Store) -> Result<Exit, CommandError> {
    use std::io::Write;
    let jobs = store.jobs(LISTED_JOBS)?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "{:>5}  {:<16}  {:<10}  {:>6}  {:>6}  {:>6}  {:>6}  input → sheet",
        "job", "created (UTC)", "state", "photos", "done", "failed", "to go"
    );
    for j in jobs {
        let state = if j.finished_at.is_some() {
            "finished"
        } else {
            "unfinished"
        };
        let _ = writeln!(
            out,
            "{:>5}  {:<16}  {:<10}  {:>6}  {:>6}  {:>6}  {:>6}  {} → {}",
            j.id.0,
            utc_minute(j.created_at),
            state,
            j.total,
            j.done,
            j.failed,
            j.pending(),
            sanitize(&j.input),
            sanitize(&j.out)
        );
    }
    Ok(Exit::Ok)
}

/// Progress on stderr: a bar when it is a terminal, else a plain line
/// every few seconds (and one per failure).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    started: Instant,
    total: u64,
    done: AtomicU64,
    failed: AtomicU64,
    done_before: u64,
    last_line: Mutex<Instant>,
}

impl Progress {
    fn new(job: &JobSummary) -> Progress {
        let finished = job.done + job.failed;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(job.total);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{bar:30} {pos}/{len} photos · {msg} · ETA {eta}",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_position(finished);
            bar
        });
        Progress {
            bar,
            started: Instant::now(),
            total: job.total,
            done: AtomicU64::new(job.done),
            failed: AtomicU64::new(job.failed),
            done_before: finished,
            last_line: Mutex::new(Instant::now()),
        }
    }

    fn event(&self, e: Event) {
        match &e {
            Event::Done { .. } => {
                self.done.fetch_add(1, Ordering::Relaxed);
            }
            Event::Failed {
                index,
                source,
                reason,
            } => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                let line = format!("tusou: #{index} {}: {}", sanitize(source), sanitize(reason));
                match &self.bar {
                    Some(bar) => bar.println(line),
                    None => eprintln!("{line}"),
                }
            }
            Event::Again { index, reason } => {
                tracing::info!(index, reason = %sanitize(reason), "photo tried again later");
            }
        }
        let (done, failed) = (
            self.done.load(Ordering::Relaxed),
            self.failed.load(Ordering::Relaxed),
        );
        let finished = done + failed;
        let secs = self.started.elapsed().as_secs_f64().max(1e-3);
        let per_sec = finished.saturating_sub(self.done_before) as f64 / secs;
        let msg = format!("{per_sec:.1} photos/s · {failed} failed");
        match &self.bar {
            Some(bar) => {
                bar.set_position(finished);
                bar.set_message(msg);
            }
            None => {
                let Ok(mut last) = self.last_line.lock() else {
                    return;
                };
                if last.elapsed() >= PLAIN_EVERY || finished == self.total {
                    *last = Instant::now();
                    eprintln!("tusou: batch: {finished}/{} photos · {msg}", self.total);
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// What the pacer let through, as the provider saw it: the rate from the
/// first request to the last (not over the whole run, which starts with
/// preparing pictures) and the busiest second.
fn pace_report(pacer: &Pacer, took: f64) -> String {
    let sent = pacer.sent();
    let rate = pacer.rate();
    match pacer.achieved_rate() {
        Some(achieved) => format!(
            "{sent} provider requests in {took:.1} s: {achieved:.2}/s at a rate of {rate}/s ({:.0} %), at most {} in any one second",
            100.0 * achieved / rate,
            pacer.busiest_second()
        ),
        None => format!("{sent} provider requests in {took:.1} s at a rate of {rate}/s"),
    }
}
