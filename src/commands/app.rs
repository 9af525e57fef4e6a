//! `tusou` with no subcommand: load config and keymap, start the backend,
//! and hand over to the app. Everything that can fail before the terminal
//! is taken over fails here, with a plain message on stderr.

use super::error::{CommandError, finish};
use super::startup::{Exit, load_config, prepare_options, start_backend};
use crate::api::SearchParams;
use crate::app::AppOptions;
use crate::cli::CommonArgs;
use crate::config;
use crate::keymap::{self, Keymap};
use std::process::ExitCode;

/// What `tusou` with no terminal says (exit 2).
const NEEDS_A_TERMINAL: &str = "tusou needs a terminal (stdin and stdout must both be one); \
     in scripts and pipes use `tusou search IMAGE` (see `tusou search --help`)";

/// Whether the app can take the terminal over: stdin and stdout are both
/// terminals (`tusou | cat`, `tusou > file`, cron and CI have none).
fn has_terminal() -> bool {
    use std::io::IsTerminal;
    std::io::stdin().is_terminal() && std::io::stdout().is_terminal()
}

pub async fn run(start: Option<String>, common: CommonArgs, strict_keymap: bool) -> ExitCode {
    finish(app(start, common, strict_keymap).await)
}

async fn app(
    start: Option<String>,
    common: CommonArgs,
    strict_keymap: bool,
) -> Result<Exit, CommandError> {
    // Everything said here names files or echoes values from outside:
    // `finish` sanitises it.
    let config = load_config(&common)?;
    crate::logging::to_file(config.cache_dir.as_deref());

    let keymap_path = keymap::user_keymap_path();
    let (keymap, keymap_problems) = if strict_keymap {
        match Keymap::load_strict(keymap_path.as_deref()) {
            Ok(k) => (k, Vec::new()),
            Err(problems) => {
                for p in &problems {
                    eprintln!("tusou: keymap: {p}");
                }
                return Err(CommandError::new(
                    Exit::Config,
                    "refusing to start (--strict-keymap)",
                ));
            }
        }
    } else {
        Keymap::load(keymap_path.as_deref())
    };
    // After the config and keymap checks (so `tusou --strict-keymap` checks
    // a keymap from a script), before anything touches the terminal.
    if !has_terminal() {
        return Err(CommandError::usage(NEEDS_A_TERMINAL));
    }

    let backend = start_backend(&config, &common).await?;

    let options = AppOptions {
        start,
        keymap,
        keymap_problems,
        notices: config
            .warnings
            .iter()
            .cloned()
            .chain(backend.store_notices.iter().cloned())
            .chain(backend.history_off.iter().cloned())
            .collect(),
        prepare: prepare_options(&common),
        export_dir: config::export_dir(),
        page_size: config.page_size.unwrap_or(crate::api::DEFAULT_PAGE_SIZE),
        params: SearchParams {
            page_size: config.page_size,
            country: config.country.clone(),
            out_member_id: config.out_member_id.clone(),
            ..SearchParams::default()
        },
        currency: config.currency.clone(),
        landed: config.landed_settings(backend.mode == crate::backend::BackendMode::Demo),
        batch: {
            let limits = config.batch.limits(backend.client.kind());
            crate::app::BatchSetup {
                rate: limits.rate,
                concurrency: limits.concurrency,
                export_dir: config::export_dir(),
                thumb_cache: config.cache_dir.as_ref().map(|d| d.join("batch-thumbs")),
                currency: config.currency.clone(),
            }
        },
    };
    crate::event_loop::run(backend, options)
        .await
        .map_err(|e| CommandError::failure(format!("{e:#}")))?;
    Ok(Exit::Ok)
}
