//! `tusou watch list`: each watch with what it searches, its schedule and
//! its last run, as a table or one JSON array (dates in UTC).

use super::add::{bps_text, every_text};
use crate::cli::{CommonArgs, ListFormat, WatchListArgs};
use crate::commands::error::{CommandError, Exit, finish};
use crate::commands::startup::open_store;
use crate::store::{RunStatus, Watch};
use crate::text::{sanitize, truncate, utc_minute};
use std::io::Write;
use std::process::ExitCode;

pub(super) fn run(args: &WatchListArgs, common: &CommonArgs) -> ExitCode {
    finish(list(args, common))
}

fn list(args: &WatchListArgs, common: &CommonArgs) -> Result<Exit, CommandError> {
    let (store, _) = open_store(common)?;
    let watches = store.watches()?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        ListFormat::Json => {
            let rows: Vec<_> = watches.iter().map(json).collect();
            serde_json::to_writer_pretty(&mut out, &rows)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        ListFormat::Table => table(&watches, &mut out),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| CommandError::output(&e))?;
    if watches.is_empty() {
        eprintln!("tusou: no watches yet (`tusou watch add PICTURE`)");
    }
    Ok(Exit::Ok)
}

fn last_text(w: &Watch) -> String {
    match &w.last {
        None => "never run".into(),
        Some(r) => match r.status {
            RunStatus::Running => format!("running since {}", utc_minute(r.started_at)),
            RunStatus::Failed => format!("failed {}", utc_minute(r.started_at)),
            RunStatus::Stopped => format!("stopped {}", utc_minute(r.started_at)),
            RunStatus::Done => format!(
                "{}: {} new, {} gone, {} cheaper, {} dearer, {} MOQ",
                utc_minute(r.finished_at.unwrap_or(r.started_at)),
                r.counts.new,
                r.counts.gone,
                r.counts.cheaper,
                r.counts.dearer,
                r.counts.moq_changed
            ),
        },
    }
}

fn table(watches: &[Watch], out: &mut impl Write) -> std::io::Result<()> {
    if watches.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "{:>4}  {:<30}  {:>5}  {:>5}  {:<16}  LAST RUN",
        "ID", "PICTURE", "EVERY", "DROP", "NEXT DUE"
    )?;
    for w in watches {
        let source = sanitize(&w.source);
        let name = std::path::Path::new(&source)
            .file_name()
            .filter(|_| !source.starts_with("http"))
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| source.clone());
        writeln!(
            out,
            "{:>4}  {:<30}  {:>5}  {:>5}  {:<16}  {}",
            w.id.0,
            truncate(&name, 30),
            every_text(w.every_secs),
            bps_text(w.drop_bps),
            utc_minute(w.next_due),
            last_text(w)
        )?;
    }
    Ok(())
}

fn json(w: &Watch) -> serde_json::Value {
    serde_json::json!({
        "id": w.id.0,
        "source": sanitize(&w.source),
        "picture_kept": w.has_picture,
        "provider": sanitize(&w.provider),
        "params": w.params,
        "pages": w.pages,
        "qty": w.qty,
        "lane": w.lane.as_deref().map(sanitize),
        "every_secs": w.every_secs,
        "drop_bps": w.drop_bps,
        "created_at": w.created_at,
        "last_run_at": w.last_run_at,
        "next_due": w.next_due,
        "last_run": w.last.as_ref().map(|r| serde_json::json!({
            "status": r.status,
            "search_id": r.search.map(|s| s.0),
            "started_at": r.started_at,
            "finished_at": r.finished_at,
            "reason": r.reason.as_deref().map(sanitize),
            "counts": r.counts,
        })),
    })
}
