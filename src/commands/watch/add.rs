//! `tusou watch add`: keeps a search to run again — a picture (file or
//! URL) with the search filters, or a search of the history — with its
//! schedule and price threshold. Prints the new watch's id on stdout.

use super::picture;
use crate::cli::{CommonArgs, WatchAddArgs};
use crate::commands::error::{CommandError, Exit, finish};
use crate::commands::startup::{prepare_options, say_demo, start_headless};
use crate::store::{NewWatch, SearchId};
use crate::text::sanitize;
use std::process::ExitCode;

pub(super) async fn run(args: WatchAddArgs, common: &CommonArgs) -> ExitCode {
    finish(add(args, common).await)
}

async fn add(args: WatchAddArgs, common: &CommonArgs) -> Result<Exit, CommandError> {
    args.query.check().map_err(CommandError::usage)?;
    let (config, backend) = start_headless(common).await?;
    say_demo(&backend);
    let Some(store) = backend.store.clone() else {
        return Err(CommandError::failure(
            backend
                .history_off
                .unwrap_or_else(|| "history is off".into()),
        ));
    };
    if args.lane.is_some() {
        crate::commands::search::landed_setup(
            args.lane.as_deref(),
            args.query.qty,
            &config,
            &backend,
        )?;
    }
    let (source, params) = match (args.history, &args.image) {
        (Some(id), _) => {
            let found = store
                .load_search(SearchId(id))?
                .ok_or_else(|| CommandError::input(format!("no search {id} in the history")))?;
            (found.summary.source, found.summary.params)
        }
        (None, Some(image)) => (
            recorded_source(image),
            args.query.params(&config, args.page_size),
        ),
        (None, None) => return Err(CommandError::usage("name a picture or --history ID")),
    };
    backend
        .client
        .check_search(&params)
        .map_err(|e| CommandError::usage(sanitize(&e.to_string())))?;
    let kept = picture::keep(&backend.client, &source, &prepare_options(common)).await?;
    let id = store.add_watch(&NewWatch {
        source: &source,
        picture: kept.bytes.as_deref(),
        picture_md5: &kept.md5,
        thumbnail: kept.thumbnail.as_deref(),
        provider: &backend.provider_name,
        params: &params,
        pages: args.pages,
        qty: args.query.qty,
        lane: args.lane.as_deref(),
        every_secs: args.every,
        drop_bps: args.drop,
    })?;
    eprintln!(
        "tusou: watch {} added: {} every {}, price changes from {}; due now (`tusou watch run`)",
        id.0,
        sanitize(&source),
        every_text(args.every),
        bps_text(args.drop)
    );
    println!("{}", id.0);
    Ok(Exit::Ok)
}

/// A file by its absolute path (the watch runs from any directory); a URL
/// as given.
fn recorded_source(arg: &str) -> String {
    match crate::api::ImageSource::parse(arg) {
        crate::api::ImageSource::File(path) => std::path::absolute(&path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| arg.to_string()),
        crate::api::ImageSource::Url(_) => arg.trim().to_string(),
    }
}

/// `86400` → `1d`, `5400` → `90m`.
pub(super) fn every_text(secs: u64) -> String {
    for (unit, n) in [("w", 7 * 86_400), ("d", 86_400), ("h", 3600), ("m", 60)] {
        if secs >= n && secs.is_multiple_of(n) {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

/// `500` → `5%`, `50` → `0.5%`.
pub(super) fn bps_text(bps: u32) -> String {
    if bps.is_multiple_of(100) {
        format!("{}%", bps / 100)
    } else {
        format!("{}%", f64::from(bps) / 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schedules_and_thresholds_read_back_short() {
        assert_eq!(every_text(86_400), "1d");
        assert_eq!(every_text(5_400), "90m");
        assert_eq!(every_text(1_209_600), "2w");
        assert_eq!(every_text(61), "61s");
        assert_eq!(bps_text(500), "5%");
        assert_eq!(bps_text(50), "0.5%");
        assert_eq!(bps_text(0), "0%");
    }
}
