//! `tusou search`: headless search for scripts. Stdout carries only results;
//! every message goes to stderr; the exit code tells what went wrong.

use crate::api::{ApiError, ErrorKind, ImageSource, Offer, ResolveError, SearchParams};
use crate::backend::{Backend, BackendMode, DemoOptions};
use crate::cli::{CommonArgs, OutputFormat, PrepareArgs, PreviewArgs, SearchArgs};
use crate::config::Config;
use crate::image::{PrepareMode, PrepareOptions};
use crate::text::{fit, sanitize};
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

/// Exit codes of `tusou search` (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Ok = 0,
    Failure = 1,
    Usage = 2,
    Input = 3,
    Auth = 4,
    Network = 5,
    Config = 6,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> ExitCode {
        ExitCode::from(e as u8)
    }
}

/// Pages `--all` fetches at most.
pub const MAX_PAGES: u32 = 100;

pub fn exit_for(error: &ApiError) -> Exit {
    match error.kind() {
        ErrorKind::Auth => Exit::Auth,
        ErrorKind::InvalidRequest | ErrorKind::Upload | ErrorKind::TooLarge => Exit::Input,
        ErrorKind::RateLimited
        | ErrorKind::Server
        | ErrorKind::Timeout
        | ErrorKind::Network
        | ErrorKind::Decode => Exit::Network,
        ErrorKind::Cancelled => Exit::Failure,
    }
}

pub fn prepare_options(common: &CommonArgs) -> PrepareOptions {
    PrepareOptions {
        mode: if common.original {
            PrepareMode::Original
        } else {
            PrepareMode::Compact
        },
        ..PrepareOptions::default()
    }
}

pub async fn run(args: SearchArgs, common: &CommonArgs) -> ExitCode {
    match search(args, common).await {
        Ok(()) => Exit::Ok.into(),
        Err((exit, message)) => {
            // Messages carry server and file text: never raw escapes.
            eprintln!("tusou: {}", sanitize(&message));
            exit.into()
        }
    }
}

async fn search(args: SearchArgs, common: &CommonArgs) -> Result<(), (Exit, String)> {
    if let (Some(min), Some(max)) = (args.min, args.max)
        && min > max
    {
        return Err((
            Exit::Usage,
            format!("--min {min} is greater than --max {max}"),
        ));
    }
    let mut config =
        Config::load(common.config.as_deref()).map_err(|e| (Exit::Config, e.to_string()))?;
    if let Some(kind) = common.provider {
        config.provider_choice = Some(kind);
    }
    for warning in &config.warnings {
        eprintln!("tusou: warning: {warning}");
    }
    let demo = DemoOptions {
        force: common.demo,
        latency: common.demo_latency_ms.map(Duration::from_millis),
    };
    let backend = Backend::start(&config, &demo).await.map_err(|e| {
        if e.downcast_ref::<crate::backend::DemoUnavailable>()
            .is_some()
        {
            (Exit::Config, format!("{e:#}"))
        } else {
            (Exit::Failure, format!("could not start: {e:#}"))
        }
    })?;
    if backend.mode == BackendMode::Demo {
        eprintln!(
            "tusou: demo mode — no credentials configured (or --demo); searching the built-in simulator"
        );
    }

    let source = ImageSource::parse(&args.image);
    let resolved = backend
        .client
        .resolve_source(&source, &prepare_options(common))
        .await
        .map_err(|e| match &e {
            ResolveError::Image(_) => (Exit::Input, e.to_string()),
            ResolveError::Api(api) => (exit_for(api), e.to_string()),
            ResolveError::Task(_) => (Exit::Failure, e.to_string()),
        })?;
    eprintln!("tusou: image: {}", sanitize(&resolved.summary));
    for note in &resolved.notes {
        eprintln!("tusou: {}", sanitize(note));
    }
    let region = match &args.region {
        Some(region) => Some(
            resolved
                .region_wire(region)
                .map_err(|e| (Exit::Usage, format!("--region: {e}")))?,
        ),
        None => None,
    };
    let image = resolved.image;

    let params = SearchParams {
        page_size: args.page_size.or(config.page_size),
        country: args.country.clone().or(config.country.clone()),
        region,
        filters: args.filters(),
        sort: args.sort,
        price_start: args.min,
        price_end: args.max,
        category_id: args.category,
        out_member_id: args.out_member_id.clone().or(config.out_member_id.clone()),
    };
    let wanted = if args.all { MAX_PAGES } else { args.pages };
    let mut offers: Vec<Offer> = Vec::new();
    for page in 1..=wanted {
        let result = backend
            .client
            .search_page(&image, &params, page)
            .await
            .map_err(|e| (exit_for(&e), e.to_string()))?;
        for notice in &result.notices {
            eprintln!("tusou: {}", sanitize(notice));
        }
        eprintln!(
            "tusou: page {}/{} — {} offers ({} in all)",
            result.current_page,
            result.total_pages,
            result.offers.len(),
            result.total_records
        );
        let last = result.is_last();
        offers.extend(result.offers);
        if last {
            break;
        }
        if page == MAX_PAGES && args.all {
            eprintln!("tusou: stopped after {MAX_PAGES} pages");
        }
    }

    write_output(&offers, args.format).or_else(|e| {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            Ok(())
        } else {
            Err((Exit::Failure, format!("could not write output: {e}")))
        }
    })
}

fn write_output(offers: &[Offer], format: OutputFormat) -> std::io::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match format {
        OutputFormat::Json => crate::export::write_json(offers, &mut out)?,
        OutputFormat::Csv => crate::export::write_csv(offers, &mut out)?,
        OutputFormat::Table => write_table(offers, &mut out)?,
    }
    out.flush()
}

/// A plain aligned table for people reading a terminal.
pub fn write_table<W: Write>(offers: &[Offer], out: &mut W) -> std::io::Result<()> {
    writeln!(
        out,
        "{:>4}  {:>9}  {:>8}  {:>5}  {}  link",
        "#",
        "price ¥",
        "sold/mo",
        "rep.",
        fit("title", 50),
    )?;
    for (i, offer) in offers.iter().enumerate() {
        let price = offer.price.map(|p| p.to_string()).unwrap_or_default();
        let sold = offer.month_sold.map(|n| n.to_string()).unwrap_or_default();
        let rate = offer
            .repurchase_rate
            .map(|r| format!("{r:.0}%"))
            .unwrap_or_default();
        let title = sanitize(offer.display_title());
        // An offerMapId is no link; say so rather than print it as one.
        let link = offer.link().unwrap_or_else(|| "(no offer link)".into());
        writeln!(
            out,
            "{:>4}  {price:>9}  {sold:>8}  {rate:>5}  {}  {link}",
            i + 1,
            fit(&title, 50)
        )?;
    }
    Ok(())
}

/// `tusou prepare`: what search would send, and optionally the bytes.
/// Messages name files from the command line: sanitised.
pub fn prepare(args: &PrepareArgs, common: &CommonArgs) -> ExitCode {
    let prepared = match crate::image::prepare_file(&args.image, &prepare_options(common)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("tusou: {}", sanitize(&e.to_string()));
            return Exit::Input.into();
        }
    };
    eprintln!("tusou: {}", sanitize(&prepared.summary));
    if let Some(out) = &args.output
        && let Err(e) = std::fs::write(out, &prepared.bytes)
    {
        eprintln!(
            "tusou: cannot write {}: {}",
            crate::image::read::shown(out),
            sanitize(&e.to_string())
        );
        return Exit::Failure.into();
    }
    println!("{}  {}", prepared.md5_hex, sanitize(&prepared.summary));
    Exit::Ok.into()
}

/// `tusou preview`: the half-block picture on stdout. The file is read like
/// every picture: a regular file only, at most 64 MB.
pub fn preview(args: &PreviewArgs) -> ExitCode {
    let bytes =
        match crate::image::read_file_capped(&args.image, crate::image::MAX_PICTURE_FILE_BYTES) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("tusou: {e}");
                return Exit::Input.into();
            }
        };
    let (cols, rows) = args.size;
    match crate::image::HalfBlockImage::from_bytes(&bytes, cols, rows) {
        Ok(picture) => {
            let mut out = std::io::stdout().lock();
            match out.write_all(picture.to_ansi().as_bytes()) {
                Ok(()) => Exit::Ok.into(),
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Exit::Ok.into(),
                Err(_) => Exit::Failure.into(),
            }
        }
        Err(e) => {
            eprintln!("tusou: {}", sanitize(&e.to_string()));
            Exit::Input.into()
        }
    }
}
