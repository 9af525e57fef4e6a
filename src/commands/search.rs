//! `tusou search`: headless search for scripts. Stdout carries only results;
//! every message goes to stderr; the exit code tells what went wrong.

use super::error::{CommandError, finish};
use super::save::{Recorder, Searched};
use super::startup::{Exit, prepare_options, say_demo, start_headless};
use crate::api::{ApiError, ImageSource, ResolveError, ResultPage, SearchParams};
use crate::cli::{CommonArgs, OutputFormat, SearchArgs};
use crate::export::landed::LandedSetup;
use crate::export::{ExportSpec, Format, OfferWriter};
use crate::text::sanitize;
use std::io::Write;
use std::process::ExitCode;

/// Pages `--all` fetches at most.
const MAX_PAGES: u32 = 100;

pub async fn run(args: SearchArgs, common: &CommonArgs) -> ExitCode {
    finish(search(args, common).await.map(|()| Exit::Ok))
}

async fn search(args: SearchArgs, common: &CommonArgs) -> Result<(), CommandError> {
    args.query.check().map_err(CommandError::usage)?;
    let (config, backend) = start_headless(common).await?;
    say_demo(&backend);
    // Words the provider does not take are refused before the upload.
    backend
        .client
        .check_search(&args.query.params(&config, args.page_size))
        .map_err(|e| CommandError::usage(sanitize(&e.to_string())))?;

    let format = match args.format {
        OutputFormat::Table => Format::Table,
        OutputFormat::Json => Format::Json,
        OutputFormat::Jsonl => Format::Jsonl,
        OutputFormat::Csv => Format::Csv,
    };
    let landed = landed_setup(args.lane.as_deref(), args.query.qty, &config, &backend)?;
    let details = args.query.qty.map(|quantity| crate::export::DetailColumns {
        quantity: Some(quantity),
        known: Default::default(),
        landed: landed.as_ref().map(|l| l.columns.clone()),
    });
    let spec = ExportSpec {
        format,
        currency: config.currency.clone(),
        details: details.clone(),
        same: None,
    };

    let source = ImageSource::parse(&args.image);
    let resolved = match backend
        .client
        .resolve_source(&source, &prepare_options(common))
        .await
    {
        Ok(resolved) => resolved,
        Err(error) => {
            // A script reads the format's shape whatever step failed: `[]`,
            // a CSV header (a table and JSONL stay empty).
            if matches!(format, Format::Json | Format::Csv) {
                let empty = OfferWriter::new(spec, std::io::stdout().lock())
                    .and_then(OfferWriter::finish)
                    .map(drop);
                if let Err(e) = empty {
                    return Err(CommandError::output(&e));
                }
            }
            let step = match (&error, &source) {
                (ResolveError::Image(_), _) => "cannot use the picture",
                (ResolveError::Api(_), ImageSource::File(_)) => "upload failed",
                (ResolveError::Api(_), ImageSource::Url(_)) => {
                    "the picture's download or upload failed"
                }
                (ResolveError::Task(_), _) => "preparing the picture failed",
            };
            return Err(CommandError::from(error).context(step));
        }
    };
    eprintln!("tusou: image: {}", sanitize(&resolved.summary));
    for note in &resolved.notes {
        eprintln!("tusou: {}", sanitize(note));
    }
    let region = match &args.region {
        Some(region) => Some(
            resolved
                .region_wire(region)
                .map_err(|e| CommandError::usage(format!("--region: {e}")))?,
        ),
        None => None,
    };
    let image = &resolved.image;

    let params = SearchParams {
        region,
        crop: args.region.as_ref().map(ToString::to_string),
        ..args.query.params(&config, args.page_size)
    };
    let wanted = if args.all { MAX_PAGES } else { args.pages };
    let recorded_as = recorded_source(&source, &args.image);
    let mut recorder = if args.save {
        Recorder::start(
            backend.store.as_ref(),
            backend.history_off.as_deref(),
            &Searched {
                source_md5: &resolved.source_md5,
                thumbnail: resolved.thumbnail.as_deref(),
                source: &recorded_as,
                provider: &backend.provider_name,
                params: &params,
            },
        )
    } else {
        Recorder::none()
    };
    let stdout = std::io::BufWriter::new(std::io::stdout());
    let unsupported_said = std::cell::Cell::new(false);
    let streamed = stream_pages(
        wanted,
        args.all,
        spec,
        stdout,
        |page| {
            let client = &backend.client;
            let params = &params;
            let details = details.as_ref();
            let said = &unsupported_said;
            let landed = landed.as_ref();
            let kept = Kept {
                store: backend.store.as_ref(),
                provider: &backend.provider_name,
            };
            async move {
                let result = client.search_page(image, params, page).await?;
                if let Some(details) = details {
                    fetch_details(client, kept, params, &result, details, said).await;
                    if let (Some(landed), Some(q)) = (landed, details.quantity) {
                        fetch_freight(client, kept, &result, details, landed, q).await;
                    }
                }
                Ok(result)
            }
        },
        |page, result| {
            if page == 1 {
                say_subjects(result, resolved.source_size.zip(resolved.sent_size));
            }
            recorder.page(page, result)
        },
    )
    .await;
    match streamed {
        Ok(()) => Ok(()),
        Err(Stop::Output(e)) => Err(CommandError::output(&e)),
        Err(Stop::Page {
            page,
            pages_written,
            offers_written,
            error,
        }) => {
            let place = if pages_written == 0 {
                format!("page {page} failed")
            } else {
                format!(
                    "page {page} failed after {pages_written} {} ({offers_written} offers) were written",
                    if pages_written == 1 { "page" } else { "pages" }
                )
            };
            Err(CommandError::from(error).context(place))
        }
    }
}

/// What the history records as the picture: a file by its absolute path,
/// so that the search reopens from any directory; a URL as given.
fn recorded_source(source: &ImageSource, arg: &str) -> String {
    match source {
        ImageSource::File(path) => std::path::absolute(path)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|_| arg.to_string()),
        ImageSource::Url(_) => arg.to_string(),
    }
}

/// Detail requests of one page in flight at once.
const DETAIL_CONCURRENCY: usize = 4;

/// Fetches the details of a page's offers (a few at a time; those the
/// store kept less than a day ago from it) into `details`, so its rows
/// carry MOQ, tiers and the unit cost. A detail that
/// fails is said on stderr and left empty; a provider without details is
/// said once.
async fn fetch_details(
    client: &crate::api::Client,
    kept: Kept<'_>,
    params: &SearchParams,
    page: &ResultPage,
    details: &crate::export::DetailColumns,
    unsupported_said: &std::cell::Cell<bool>,
) {
    use futures::StreamExt;
    let country = params.effective_country();
    let ids: Vec<&str> = page
        .offers
        .iter()
        .filter_map(|o| o.offer_id.as_deref())
        .collect();
    if ids.is_empty() || unsupported_said.get() {
        if !page.offers.is_empty() && !unsupported_said.replace(true) {
            eprintln!(
                "tusou: --qty: no detail from this provider: {}",
                crate::api::error::NO_DETAIL
            );
        }
        return;
    }
    let mut fetched = futures::stream::iter(ids)
        .map(|id| async move {
            let got =
                crate::kept::offer_detail(client, kept.store, kept.provider, id, country, false)
                    .await;
            (id, got)
        })
        .buffered(DETAIL_CONCURRENCY);
    while let Some((id, result)) = fetched.next().await {
        match result {
            Ok((detail, _)) => {
                if let Ok(mut known) = details.known.lock() {
                    known.insert(id.to_string(), detail);
                }
            }
            Err(ApiError::NoDetail { .. }) => {
                if !unsupported_said.replace(true) {
                    eprintln!(
                        "tusou: --qty: no detail from this provider: {}",
                        crate::api::error::NO_DETAIL
                    );
                }
                return;
            }
            Err(e) => eprintln!("tusou: detail of offer {id}: {}", sanitize(&e.to_string())),
        }
    }
}

/// The lane `--lane` names (with `--qty`), from the config's `[landed]`
/// settings (demo mode's examples where the user set none); said once on
/// stderr. `search` and `batch` alike.
pub(super) fn landed_setup(
    lane: Option<&str>,
    qty: Option<u64>,
    config: &crate::config::Config,
    backend: &crate::backend::SearchBackend,
) -> Result<Option<LandedSetup>, CommandError> {
    let Some(name) = lane else {
        return Ok(None);
    };
    if qty.is_none() {
        return Err(CommandError::usage(
            "--lane needs --qty N: a landed cost is worked out at your quantity",
        ));
    }
    let demo = backend.mode == crate::backend::BackendMode::Demo;
    let settings = config.landed_settings(demo);
    let setup = LandedSetup::new(&settings, name)
        .map_err(|e| CommandError::usage(format!("--lane: {e}")))?;
    eprintln!(
        "tusou: landed cost by lane {}",
        sanitize(&setup.columns.lane.summary())
    );
    Ok(Some(setup))
}

/// Freight estimates at a time.
const FREIGHT_CONCURRENCY: usize = 4;

/// Where details and freight estimates are kept between runs: the run's
/// store (none when history is off) and the provider name offers are
/// stored under.
#[derive(Clone, Copy)]
struct Kept<'a> {
    store: Option<&'a crate::store::Store>,
    provider: &'a str,
}

/// The domestic freight of a page's offers that have a detail, to the
/// warehouse for `quantity` pieces — kept in the store and reused for a
/// day, else asked (paced with every other request) — or why there is
/// none: the provider has no estimate, or no warehouse is set (then the
/// user's `domestic_per_kg`, or unknown).
async fn fetch_freight(
    client: &crate::api::Client,
    kept: Kept<'_>,
    page: &ResultPage,
    details: &crate::export::DetailColumns,
    landed: &LandedSetup,
    quantity: u64,
) {
    use futures::StreamExt;
    // Each offer with a detail, and the question for its SKU.
    let asks: Vec<(String, Option<crate::api::FreightQuery>)> = {
        let Ok(known) = details.known.lock() else {
            return;
        };
        page.offers
            .iter()
            .filter_map(|o| {
                let id = o.offer_id.clone()?;
                let detail = known.get(&id)?;
                let query = landed.query(&id, detail, quantity);
                Some((id, query))
            })
            .collect()
    };
    if let Some(why) = landed.why_no_freight(client) {
        for (id, _) in &asks {
            landed.columns.keep_freight(id, Err(why.clone()));
        }
        return;
    }
    let mut fetched = futures::stream::iter(asks.into_iter().filter_map(|(id, q)| Some((id, q?))))
        .map(|(offer_id, query)| async move {
            let quote =
                crate::kept::freight_estimate(client, kept.store, kept.provider, &query).await;
            (offer_id, quote)
        })
        .buffered(FREIGHT_CONCURRENCY);
    while let Some((id, result)) = fetched.next().await {
        let kept = result.map_err(|e| {
            let why = sanitize(&e.to_string());
            eprintln!("tusou: freight of offer {id}: {why}");
            why
        });
        landed.columns.keep_freight(&id, kept);
    }
}

/// Why streaming stopped before the last page.
#[derive(Debug)]
enum Stop {
    /// Stdout failed (a closed pipe among others).
    Output(std::io::Error),
    /// A page could not be fetched; what came before it was written.
    Page {
        page: u32,
        pages_written: u32,
        offers_written: usize,
        error: ApiError,
    },
}

/// Fetches pages 1..=`wanted` with `fetch` and writes each one's offers as
/// it arrives (flushed per page), so memory holds one page at a time and a
/// reader sees rows as soon as they exist; `written` is told of each page
/// once it is out. Progress and notices go to stderr. On a failed page the
/// output is still finished (JSON closed) before the failure is returned.
/// The products the provider found in the picture, on stderr, each as the
/// `--region` that searches it (in the user's pixels), when more than one.
fn say_subjects(page: &ResultPage, sizes: Option<((u32, u32), (u32, u32))>) {
    let (Some(subjects), Some((source, sent))) = (&page.subjects, sizes) else {
        return;
    };
    let boxes = subjects.detected_in(sent, source);
    if boxes.len() < 2 {
        return;
    }
    eprintln!(
        "tusou: {} products detected in the picture; search one with --region:",
        boxes.len()
    );
    for (i, b) in boxes.iter().enumerate() {
        eprintln!(
            "tusou:   {}. --region {b}   ({}×{} px at {},{})",
            i + 1,
            b.width(),
            b.height(),
            b.x1,
            b.y1
        );
    }
}

async fn stream_pages<W, F, Fut>(
    wanted: u32,
    all: bool,
    format: impl Into<ExportSpec>,
    out: W,
    mut fetch: F,
    mut written: impl FnMut(u32, &ResultPage),
) -> Result<(), Stop>
where
    W: Write,
    F: FnMut(u32) -> Fut,
    Fut: std::future::Future<Output = Result<ResultPage, ApiError>>,
{
    let mut writer = OfferWriter::new(format, out).map_err(Stop::Output)?;
    let mut announced: Option<u32> = None;
    let mut failed = None;
    for page in 1..=wanted {
        let result = match fetch(page).await {
            Ok(result) => result,
            Err(error) => {
                failed = Some(Stop::Page {
                    page,
                    pages_written: page - 1,
                    offers_written: writer.written(),
                    error,
                });
                break;
            }
        };
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
        writer.write(&result.offers).map_err(Stop::Output)?;
        writer.flush().map_err(Stop::Output)?;
        written(page, &result);
        let first_total = *announced.get_or_insert(result.total_pages);
        if result.is_last() {
            if page < first_total && page < wanted {
                eprintln!(
                    "tusou: the provider now says there are {} pages (page 1 said {first_total}); stopping at page {page}",
                    result.total_pages
                );
            }
            break;
        }
        if page == MAX_PAGES && all {
            eprintln!("tusou: stopped after {MAX_PAGES} pages");
        }
    }
    let finished = writer.finish().map(drop).map_err(Stop::Output);
    match failed {
        Some(stop) => Err(stop),
        None => finished,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Offer, Price};
    use crate::commands::error::exit_for;

    fn page(n: u32, total_pages: u32) -> ResultPage {
        ResultPage {
            offers: (0..20)
                .map(|i| Offer {
                    offer_id: Some(format!("{}", 600_000 + n * 100 + i)),
                    title: format!("offer {n}-{i}"),
                    price: Some(Price(990)),
                    ..Offer::default()
                })
                .collect(),
            total_records: u64::from(total_pages) * 20,
            total_pages,
            page_size: 20,
            current_page: n,
            notices: Vec::new(),
            subjects: None,
        }
    }

    fn server_error() -> ApiError {
        ApiError::Server {
            status: 503,
            message: "busy".into(),
            trace_id: None,
        }
    }

    #[tokio::test]
    async fn a_failed_page_leaves_the_json_before_it_closed() {
        let mut out = Vec::new();
        let mut asked = Vec::new();
        let stop = stream_pages(
            5,
            false,
            Format::Json,
            &mut out,
            |n| {
                asked.push(n);
                async move {
                    if n == 3 {
                        Err(server_error())
                    } else {
                        Ok(page(n, 10))
                    }
                }
            },
            |_, _| {},
        )
        .await
        .unwrap_err();
        assert_eq!(asked, [1, 2, 3], "nothing is fetched after a failure");
        let Stop::Page {
            page,
            pages_written,
            offers_written,
            error,
        } = stop
        else {
            panic!("{stop:?}")
        };
        assert_eq!((page, pages_written, offers_written), (3, 2, 40));
        assert_eq!(exit_for(&error), Exit::Network);
        let rows: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(rows.as_array().unwrap().len(), 40);
    }

    /// A writer whose reader has gone, after `room` bytes.
    struct ClosedPipe {
        room: usize,
    }

    impl Write for ClosedPipe {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.room == 0 {
                return Err(std::io::ErrorKind::BrokenPipe.into());
            }
            let n = buf.len().min(self.room);
            self.room -= n;
            Ok(n)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn a_closed_pipe_stops_the_fetching() {
        let mut asked = 0;
        let stop = stream_pages(
            100,
            true,
            Format::Jsonl,
            ClosedPipe { room: 100 },
            |n| {
                asked += 1;
                async move { Ok(page(n, 100)) }
            },
            |_, _| {},
        )
        .await
        .unwrap_err();
        assert!(matches!(&stop, Stop::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe));
        assert_eq!(asked, 1);
    }

    #[tokio::test]
    async fn the_last_page_ends_the_stream() {
        let mut out = Vec::new();
        let mut asked = 0;
        let mut recorded = Vec::new();
        stream_pages(
            100,
            true,
            Format::Csv,
            &mut out,
            |n| {
                asked += 1;
                async move { Ok(page(n, 3)) }
            },
            |p, _| recorded.push(p),
        )
        .await
        .unwrap();
        assert_eq!(asked, 3);
        assert_eq!(recorded, [1, 2, 3]);
        assert_eq!(csv::Reader::from_reader(&out[..]).records().count(), 60);
    }
}
