//! Command line: `tusou [PATH|URL]` opens the app; `tusou search` is the
//! headless search for scripts; `tusou sim` runs the simulator standalone.

use crate::api::{FilterFlag, Price, ProviderKind, Region, Sort};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tusou",
    version,
    about = "图搜 — find 1688.com wholesale offers from a product photo"
)]
#[cfg_attr(
    feature = "demo",
    command(
        long_about = "Find 1688.com wholesale offers from a product photo.\n\n\
        With no subcommand, opens the terminal app. With no credentials configured,\n\
        tusou runs against its built-in simulator (demo mode) and says so."
    )
)]
#[cfg_attr(
    not(feature = "demo"),
    command(
        long_about = "Find 1688.com wholesale offers from a product photo.\n\n\
        With no subcommand, opens the terminal app. This build is live-only (no demo\n\
        simulator): configure credentials first, then check them with `tusou doctor`."
    )
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Directory to start the file picker in, or an image path or URL to search right away.
    pub start: Option<String>,

    #[command(flatten)]
    pub common: CommonArgs,

    /// Refuse to start when keymap.toml has a problem (instead of using the defaults).
    #[arg(long)]
    pub strict_keymap: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct CommonArgs {
    /// Provider protocol: dajisaas or signed-header (default: whichever has credentials).
    #[arg(long, global = true, env = "TUSOU_PROVIDER", value_parser = parse_provider)]
    pub provider: Option<ProviderKind>,

    /// Use the built-in simulator even when credentials are configured.
    #[arg(long, global = true)]
    pub demo: bool,

    /// Latency in milliseconds the demo simulator adds to every request.
    #[arg(long, global = true, env = "TUSOU_DEMO_LATENCY_MS", value_name = "MS")]
    pub demo_latency_ms: Option<u64>,

    /// Config file (default: ~/.config/tusou/config.toml).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Send a JPG/PNG/WEBP of at most 3 MB untouched instead of a compact copy.
    #[arg(long, global = true)]
    pub original: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Search from an image path or URL and print the results (for scripts).
    Search(SearchArgs),
    /// Run the API simulator standalone.
    #[cfg(feature = "demo")]
    Sim(tusou_sim::SimArgs),
    /// Prepare an image for upload the way search does, and say what was done.
    Prepare(PrepareArgs),
    /// Draw an image in the terminal with half blocks (what the app shows over plain SSH).
    Preview(PreviewArgs),
    /// Check the configuration and do one real round trip (upload, one query), step by step.
    Doctor,
    /// List recent searches from the history (dates in UTC).
    History(HistoryArgs),
    /// Print the shortlist: every starred offer with its note and status.
    Shortlist(ShortlistArgs),
    /// Rank the sellers of your history: how many of your searches show them, their offers,
    /// price level, factory or trader, years, scores and rates.
    Suppliers(SuppliersArgs),
    /// Search a folder (or a CSV/TXT list) of photos at the provider's rate and write a sheet.
    Batch(BatchArgs),
    /// Keep a search and run it again on a schedule: says what changed (new offers,
    /// offers gone, price drops and rises, minimum orders).
    #[command(subcommand)]
    Watch(WatchCommand),
    /// The configuration file: where it is, a commented template, a check.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print a shell completion script (e.g. `tusou completions bash`).
    Completions(CompletionsArgs),
    /// Print the manual page (roff) on stdout.
    Man,
}

#[derive(Debug, Subcommand)]
pub enum WatchCommand {
    /// Keep a search to run again: a picture (file or URL) or a search of the history.
    Add(Box<WatchAddArgs>),
    /// List the watches with their last run (dates in UTC).
    List(WatchListArgs),
    /// Remove a watch and its runs (the searches they recorded stay in the history).
    Remove(WatchRemoveArgs),
    /// Run the watches that are due (or those named) and print what changed.
    #[command(after_help = WATCH_RUN_EXIT_CODES)]
    Run(WatchRunArgs),
    /// Write a systemd user timer and service that run `tusou watch run` (a crontab line
    /// where systemd does not run).
    Install(WatchInstallArgs),
    /// Remove the systemd user timer and service `watch install` wrote.
    Uninstall,
}

#[derive(Debug, Args)]
pub struct WatchInstallArgs {
    /// Print the units instead of writing them.
    #[arg(long)]
    pub print: bool,
    /// How often the timer wakes the watches (a systemd calendar: hourly, daily, *:0/30…);
    /// each watch still runs only when its own --every says it is due.
    #[arg(long, value_name = "CALENDAR", default_value = "hourly", value_parser = parse_calendar)]
    pub every: String,
    /// Passed to `watch run --notify-cmd`.
    #[arg(long, value_name = "CMD")]
    pub notify_cmd: Option<String>,
}

/// A systemd calendar expression: one line of plain characters.
fn parse_calendar(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty()
        || t.len() > 100
        || !t
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || " *:/-.,~".contains(c))
    {
        return Err(format!(
            "{s:?}: a systemd calendar such as hourly, daily or *:0/30"
        ));
    }
    Ok(t.to_string())
}

/// `tusou watch run`'s exit codes (also in the README).
pub const WATCH_RUN_EXIT_CODES: &str = "Exit codes:\n  \
    0   ran (or nothing was due) and nothing changed\n  \
    10  something changed (the digest says what)\n  \
    1   a failure (the history database, output)\n  \
    2   usage\n  \
    3   a watch's picture or request was refused\n  \
    4   credentials refused\n  \
    5   the provider failed or could not be reached (the watch stays due)\n  \
    6   configuration\n  \
    130 stopped by Ctrl-C, SIGTERM or SIGHUP (the watch being run stays due)\n\
    A failed watch's code wins over 10; the others still ran.";

#[derive(Debug, Args)]
pub struct WatchAddArgs {
    /// Image file path or http(s) image URL.
    #[arg(required_unless_present = "history", conflicts_with = "history")]
    pub image: Option<String>,

    /// Watch a search of the history (`tusou history`): its picture and filters.
    #[arg(long, value_name = "ID")]
    pub history: Option<i64>,

    #[command(flatten)]
    pub query: QueryArgs,

    /// With --qty: the freight lane of the landed cost (kept with the watch).
    #[arg(long, value_name = "NAME", requires = "qty")]
    pub lane: Option<String>,

    /// Results per page (1–50).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub page_size: Option<u32>,

    /// Pages fetched per run (1–20).
    #[arg(long, value_name = "N", default_value_t = 1,
          value_parser = clap::value_parser!(u32).range(1..=20))]
    pub pages: u32,

    /// How often it is due: a number and s, m, h, d or w (e.g. 12h, 1d, 1w).
    #[arg(long, value_name = "EVERY", default_value = "1d", value_parser = parse_every)]
    pub every: u64,

    /// Report a price change only from this much of the old price (e.g. 5%, 0.5%, 0).
    #[arg(long, value_name = "PERCENT", default_value = "5%", value_parser = parse_drop)]
    pub drop: u32,
}

#[derive(Debug, Args)]
pub struct WatchListArgs {
    /// Output format (on stdout).
    #[arg(long, value_enum, default_value_t)]
    pub format: ListFormat,
}

#[derive(Debug, Args)]
pub struct WatchRemoveArgs {
    /// The watch's id (`tusou watch list`).
    pub id: i64,
}

#[derive(Debug, Args)]
pub struct WatchRunArgs {
    /// Run these watches whether due or not (default: every watch that is due).
    #[arg(value_name = "ID")]
    pub ids: Vec<i64>,

    /// The digest's format (on stdout).
    #[arg(long, value_enum, default_value_t)]
    pub format: DigestFormat,

    /// Provider requests per second, never exceeded (default: [batch] rate in config.toml, else 5).
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,

    /// When something changed, pipe the digest to this command's stdin (run by `sh -c`, with
    /// only PATH in its environment; killed after 60 s), e.g. 'mail -s tusou me@example.com'.
    #[arg(long, value_name = "CMD")]
    pub notify_cmd: Option<String>,
}

/// `watch list`'s formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum ListFormat {
    #[default]
    Table,
    Json,
}

/// `watch run`'s digest formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DigestFormat {
    /// Aligned lines, for reading.
    #[default]
    Table,
    /// Markdown (a heading per watch, a table of changes).
    Markdown,
    /// One JSON object: each watch run with its changes.
    Json,
}

/// `--every`: a number and a unit (s, m, h, d, w), in seconds; at least a minute.
pub(crate) fn parse_every(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: u64 = n
        .parse()
        .map_err(|_| format!("{s:?}: write a number and s, m, h, d or w, e.g. 1d"))?;
    let unit = match unit.trim() {
        "s" => 1,
        "m" | "min" => 60,
        "h" => 3600,
        "" | "d" => 86_400,
        "w" => 7 * 86_400,
        other => return Err(format!("{other:?}: the unit is s, m, h, d or w")),
    };
    let secs = n
        .checked_mul(unit)
        .filter(|v| *v <= 366 * 86_400)
        .ok_or_else(|| format!("{s:?}: at most a year"))?;
    if secs < 60 {
        return Err(format!("{s:?}: at least a minute"));
    }
    Ok(secs)
}

/// `--drop`: a percentage (the `%` optional), as basis points, 0–100 %.
pub(crate) fn parse_drop(s: &str) -> Result<u32, String> {
    let t = s.trim().trim_end_matches('%').trim();
    let pct: f64 = t
        .parse()
        .map_err(|_| format!("{s:?}: write a percentage, e.g. 5%"))?;
    if !(0.0..=100.0).contains(&pct) {
        return Err(format!("{s:?}: from 0% to 100%"));
    }
    Ok((pct * 100.0).round() as u32)
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the config file's path (it may not exist yet).
    Path,
    /// Write a commented template there (mode 0600); never overwrites.
    Init,
    /// Read and check the configuration, as `tusou doctor` does before its network steps.
    Check,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete in.
    #[arg(value_enum)]
    pub shell: Shell,
}

/// The shells `tusou completions` writes for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

#[derive(Debug, Args)]
pub struct BatchArgs {
    /// A directory of pictures, or a .csv / .txt list of paths and image URLs (a CSV's
    /// other columns, e.g. SKU and name, are kept in the sheet).
    #[arg(required_unless_present_any = ["resume", "list"])]
    pub input: Option<PathBuf>,

    /// Also the pictures in the directory's subdirectories.
    #[arg(short, long)]
    pub recursive: bool,

    #[command(flatten)]
    pub query: QueryArgs,

    /// With --qty: each match's landed cost per piece by this freight lane
    /// (`[[landed.lanes]]` in config.toml; demo mode has the example lanes
    /// `air` and `sea`).
    #[arg(long, value_name = "NAME")]
    pub lane: Option<String>,

    /// Matches kept per photo (1–50).
    #[arg(long, value_name = "N", default_value_t = 5,
          value_parser = clap::value_parser!(u32).range(1..=50))]
    pub top: u32,

    /// The sheet: .xlsx (with pictures), .csv or .jsonl
    /// (default: tusou-batch-<date>.xlsx in the export directory).
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// Provider requests per second, never exceeded (default: [batch] rate in config.toml, else 5).
    #[arg(long, value_name = "R")]
    pub rate: Option<f64>,

    /// Photos searched at once (default: [batch] concurrency in config.toml, else 4).
    #[arg(long, value_name = "C")]
    pub concurrency: Option<u32>,

    /// Go on with a stopped job: the newest unfinished one, or job ID.
    /// (Running the same command again does the same.)
    #[arg(long, value_name = "ID", num_args = 0..=1, default_missing_value = "0",
          conflicts_with = "list")]
    pub resume: Option<i64>,

    /// Try the photos that failed again (with --resume or the same command).
    #[arg(long)]
    pub retry_failed: bool,

    /// List batch jobs, newest first.
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// One JSON array of objects instead of a table.
    #[arg(long)]
    pub json: bool,
    /// How many searches, newest first.
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: u32,
}

#[derive(Debug, Args)]
pub struct ShortlistArgs {
    /// Output format (on stdout).
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Write to FILE instead, in the format its name says: .xlsx, .csv, .json or .jsonl.
    #[arg(long, short, value_name = "FILE", conflicts_with = "format")]
    pub out: Option<PathBuf>,
    /// Your quantity: the unit cost at N pieces, from each offer's detail kept
    /// in the history (nothing is fetched).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub qty: Option<u64>,
    /// With --qty: the landed cost per piece by this freight lane, from the
    /// kept detail and freight estimate (`[[landed.lanes]]` in config.toml;
    /// the example lanes `air` and `sea` for demo offers).
    #[arg(long, value_name = "NAME", requires = "qty")]
    pub lane: Option<String>,
}

#[derive(Debug, Args)]
pub struct SuppliersArgs {
    /// Output format (on stdout).
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// Write to FILE instead, in the format its name says: .xlsx, .csv, .json or .jsonl.
    #[arg(long, short, value_name = "FILE", conflicts_with = "format")]
    pub out: Option<PathBuf>,
    /// How many sellers, those in the most searches first (at most 10000).
    #[arg(long, value_name = "N", default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub limit: u32,
    /// Count only searches made on or after this day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", value_parser = parse_since)]
    pub since: Option<i64>,
}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// Image file to prepare.
    pub image: PathBuf,
    /// Write the prepared bytes here (default: only report).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct PreviewArgs {
    /// Image file to draw.
    pub image: PathBuf,
    /// Size in cells, COLSxROWS.
    #[arg(long, default_value = "40x20", value_parser = parse_cells)]
    pub size: (u16, u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum OutputFormat {
    /// An aligned table, for reading.
    #[default]
    Table,
    /// One JSON array of rows (closed even when a page fails).
    Json,
    /// One JSON object per line.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Image file path or http(s) image URL.
    pub image: String,

    #[command(flatten)]
    pub query: QueryArgs,

    /// Search only this part of the picture: X1,Y1,X2,Y2 (two corners) or WxH+X+Y
    /// (size and top-left corner), in pixels of YOUR picture; several boxes joined by ';'.
    /// tusou checks it lies inside the picture and scales it to the copy it sends.
    #[arg(long, value_name = "BOX", value_parser = parse_region)]
    pub region: Option<Region>,

    /// Results per page (1–50).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=50))]
    pub page_size: Option<u32>,

    /// Pages to fetch.
    #[arg(long, value_name = "N", default_value_t = 1, conflicts_with = "all",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub pages: u32,

    /// Fetch every page (up to 100).
    #[arg(long)]
    pub all: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,

    /// With --qty: each offer's landed cost per piece by this freight lane
    /// (`[[landed.lanes]]` in config.toml; demo mode has the example lanes
    /// `air` and `sea`).
    #[arg(long, value_name = "NAME")]
    pub lane: Option<String>,

    /// Record the search and the pages fetched in the history (`tusou history`).
    /// A history that cannot be written is reported, never fatal.
    #[arg(long)]
    pub save: bool,
}

/// What a search asks for besides the picture: price range, sort,
/// category, filter flags, and the request fields (`tusou search` and
/// `tusou batch` alike).
#[derive(Debug, Args, Clone, Default)]
pub struct QueryArgs {
    /// Minimum wholesale price (yuan).
    #[arg(long, value_name = "PRICE", value_parser = parse_price)]
    pub min: Option<Price>,

    /// Maximum wholesale price (yuan).
    #[arg(long, value_name = "PRICE", value_parser = parse_price)]
    pub max: Option<Price>,

    /// Sort: price-asc, price-desc, sales-desc, sales-asc, repurchase-desc, repurchase-asc.
    #[arg(long, value_parser = parse_sort)]
    pub sort: Option<Sort>,

    /// 1688 category id.
    #[arg(long, value_name = "ID")]
    pub category: Option<i64>,

    /// Filter flags, comma-separated. Shipping: shipInToday, shipIn24Hours, shipIn48Hours,
    /// getRate24HLv1..3, getRate48HLv1..3, isOnePsaleFreePost. Service: noReason7DReturn,
    /// isOnePsale, totalEpScoreLv1..4, qrr0, qrr1, qrr5, qrr10. Supplier: certifiedFactory,
    /// jxhy, 1688Selection, isQqyx. New: new7, new30. Others are passed through.
    #[arg(long, value_name = "FLAGS")]
    pub filter: Option<String>,

    /// `country` sent to the provider (the API documents "en").
    #[arg(long, value_parser = parse_country)]
    pub country: Option<String>,

    /// Your own user id for the provider (`outMemberId`).
    #[arg(long, value_name = "ID", value_parser = parse_out_member_id)]
    pub out_member_id: Option<String>,

    /// Search within the picture's results by these words (`keyword`;
    /// DajiSaaS only: the other provider refuses it before sending).
    #[arg(long, value_name = "WORDS", value_parser = parse_keyword)]
    pub keyword: Option<String>,

    /// Words that steer the image search towards what you mean
    /// (`auxiliaryText`, e.g. "ceramic mug with a star"; DajiSaaS only).
    #[arg(long, value_name = "WORDS", value_parser = parse_hint)]
    pub hint: Option<String>,

    /// Your quantity: each offer's detail is fetched (DajiSaaS only) and the
    /// output gains MOQ, tiers, ship-from and the unit cost at N pieces.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000_000))]
    pub qty: Option<u64>,
}

impl QueryArgs {
    /// `--min` above `--max` is a usage error, said plainly.
    pub fn check(&self) -> Result<(), String> {
        match (self.min, self.max) {
            (Some(min), Some(max)) if min > max => {
                Err(format!("--min {min} is greater than --max {max}"))
            }
            _ => Ok(()),
        }
    }

    /// The filters as a search's parameters (the config's request fields
    /// under the command line's).
    pub(crate) fn params(
        &self,
        config: &crate::config::Config,
        page_size: Option<u32>,
    ) -> crate::api::SearchParams {
        crate::api::SearchParams {
            page_size: page_size.or(config.page_size),
            country: self.country.clone().or(config.country.clone()),
            region: None,
            crop: None,
            filters: self.filters(),
            sort: self.sort,
            price_start: self.min,
            price_end: self.max,
            category_id: self.category,
            out_member_id: self.out_member_id.clone().or(config.out_member_id.clone()),
            keyword: self.keyword.clone(),
            hint: self.hint.clone(),
        }
    }

    pub fn filters(&self) -> Vec<FilterFlag> {
        self.filter
            .as_deref()
            .map(FilterFlag::parse_list)
            .unwrap_or_default()
    }
}

fn parse_cells(s: &str) -> Result<(u16, u16), String> {
    let (c, r) = s
        .split_once(['x', 'X'])
        .ok_or_else(|| format!("{s:?}: use COLSxROWS, e.g. 40x20"))?;
    let n = |v: &str| {
        v.trim()
            .parse::<u16>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or_else(|| format!("{v:?} is not a size from 1 to 1000"))
    };
    Ok((n(c)?, n(r)?))
}

fn parse_price(s: &str) -> Result<Price, String> {
    s.parse()
}

/// Boxes in one `--region`, at most (the providers answer no more).
const MAX_REGION_BOXES: usize = crate::api::region::MAX_REPLY_BOXES;

fn parse_region(s: &str) -> Result<Region, String> {
    // Counted before parsing, so a huge value is refused at once.
    let boxes = s.split(';').filter(|p| !p.trim().is_empty()).count();
    if boxes > MAX_REGION_BOXES {
        return Err(format!(
            "{boxes} boxes: a region has at most {MAX_REGION_BOXES}"
        ));
    }
    s.parse()
}

fn parse_country(s: &str) -> Result<String, String> {
    crate::api::check_country(s).map(|()| s.to_string())
}

fn parse_out_member_id(s: &str) -> Result<String, String> {
    crate::api::check_out_member_id(s).map(|()| s.to_string())
}

fn parse_keyword(s: &str) -> Result<String, String> {
    crate::api::check_refine_words("keyword", s).map(|()| s.to_string())
}

fn parse_hint(s: &str) -> Result<String, String> {
    crate::api::check_refine_words("hint", s).map(|()| s.to_string())
}

/// A day, `YYYY-MM-DD`, as the Unix second its UTC midnight starts.
fn parse_since(s: &str) -> Result<i64, String> {
    let day: jiff::civil::Date = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a day: write it YYYY-MM-DD"))?;
    day.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .map(|z| z.timestamp().as_second())
        .map_err(|e| format!("{s:?}: {e}"))
}

fn parse_sort(s: &str) -> Result<Sort, String> {
    s.parse()
}

fn parse_provider(s: &str) -> Result<ProviderKind, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn watch_every_and_drop_parse() {
        assert_eq!(parse_every("1d"), Ok(86_400));
        assert_eq!(parse_every("12h"), Ok(43_200));
        assert_eq!(parse_every("90m"), Ok(5_400));
        assert_eq!(parse_every("2w"), Ok(1_209_600));
        assert_eq!(parse_every("3"), Ok(259_200));
        for bad in ["10s", "0d", "1y", "d", "", "400d", "99999999999999999999w"] {
            assert!(parse_every(bad).is_err(), "{bad}");
        }
        assert_eq!(parse_drop("5%"), Ok(500));
        assert_eq!(parse_drop("0.5"), Ok(50));
        assert_eq!(parse_drop("0"), Ok(0));
        for bad in ["-1%", "101%", "five", "NaN"] {
            assert!(parse_drop(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn since_is_a_day_at_utc_midnight() {
        assert_eq!(parse_since("2026-01-01"), Ok(1_767_225_600));
        assert_eq!(parse_since(" 1970-01-02 "), Ok(86_400));
        for bad in ["2026-13-01", "yesterday", "2026-1-1x", ""] {
            assert!(parse_since(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn search_flags_parse() {
        let cli = Cli::try_parse_from([
            "tusou",
            "search",
            "a.jpg",
            "--min",
            "5",
            "--max",
            "20.5",
            "--sort",
            "price-asc",
            "--format",
            "csv",
            "--pages",
            "2",
            "--filter",
            "jxhy,new7",
        ])
        .unwrap();
        let Some(Command::Search(args)) = cli.command else {
            panic!("not search")
        };
        assert_eq!(args.query.min, Some(Price(500)));
        assert_eq!(args.query.max, Some(Price(2050)));
        assert_eq!(args.format, OutputFormat::Csv);
        assert_eq!(
            args.query.filters(),
            vec![FilterFlag::Jxhy, FilterFlag::New7]
        );
        assert!(Cli::try_parse_from(["tusou", "search", "a.jpg", "--min", "abc"]).is_err());
        assert!(Cli::try_parse_from(["tusou", "search", "a.jpg", "--page-size", "51"]).is_err());
        assert!(!args.save);
    }

    #[test]
    fn history_and_shortlist_flags_parse() {
        let cli = Cli::try_parse_from(["tusou", "history", "--json", "--limit", "3"]).unwrap();
        let Some(Command::History(args)) = cli.command else {
            panic!("not history")
        };
        assert!(args.json);
        assert_eq!(args.limit, 3);
        assert!(Cli::try_parse_from(["tusou", "history", "--limit", "0"]).is_err());
        let cli = Cli::try_parse_from(["tusou", "shortlist", "--format", "jsonl"]).unwrap();
        let Some(Command::Shortlist(args)) = cli.command else {
            panic!("not shortlist")
        };
        assert_eq!(args.format, OutputFormat::Jsonl);
        let cli = Cli::try_parse_from(["tusou", "search", "a.jpg", "--save"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Search(a)) if a.save));
    }
}
