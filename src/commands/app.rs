//! `tusou` with no subcommand: load config and keymap, start the backend,
//! and hand over to the app. Everything that can fail before the terminal
//! is taken over fails here, with a plain message on stderr.

use super::startup::{Exit, demo_options, prepare_options, start_failure};
use crate::api::SearchParams;
use crate::app::AppOptions;
use crate::backend::SearchBackend;
use crate::cli::CommonArgs;
use crate::config::{self, Config};
use crate::keymap::{self, Keymap};
use crate::text::sanitize;
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
    // Everything printed here names files or echoes values from outside:
    // the errors' Display sanitises them.
    let mut config = match Config::load(common.config.as_deref()) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("tusou: {e}");
            return Exit::Config.into();
        }
    };
    crate::logging::to_file(config.cache_dir.as_deref());
    if let Some(kind) = common.provider {
        config.provider_choice = Some(kind);
    }

    let keymap_path = keymap::user_keymap_path();
    let (keymap, keymap_problems) = if strict_keymap {
        match Keymap::load_strict(keymap_path.as_deref()) {
            Ok(k) => (k, Vec::new()),
            Err(problems) => {
                for p in &problems {
                    eprintln!("tusou: keymap: {p}");
                }
                eprintln!("tusou: refusing to start (--strict-keymap)");
                return Exit::Config.into();
            }
        }
    } else {
        Keymap::load(keymap_path.as_deref())
    };
    // After the config and keymap checks (so `tusou --strict-keymap` checks
    // a keymap from a script), before anything touches the terminal.
    if !has_terminal() {
        eprintln!("tusou: {NEEDS_A_TERMINAL}");
        return Exit::Usage.into();
    }

    let backend = match SearchBackend::start(&config, &demo_options(&common)).await {
        Ok(b) => b,
        Err(e) => {
            let exit = start_failure(&e);
            if exit == Exit::Config {
                eprintln!("tusou: {}", sanitize(&format!("{e:#}")));
            } else {
                eprintln!("tusou: could not start: {}", sanitize(&format!("{e:#}")));
            }
            return exit.into();
        }
    };

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
    match crate::event_loop::run(backend, options).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tusou: {}", sanitize(&format!("{e:#}")));
            Exit::Failure.into()
        }
    }
}
