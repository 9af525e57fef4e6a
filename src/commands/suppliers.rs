//! `tusou suppliers`: the sellers of the history, ranked by how many of
//! the user's searches show them, then by how many of their offers those
//! searches show — where to consolidate orders. Each with factory or
//! trader, years, price level and every score and rate known. Read from
//! the store only (nothing is fetched); every text is sanitised.

use super::error::{CommandError, finish};
use super::startup::{Exit, open_store};
use crate::cli::{CommonArgs, OutputFormat, SuppliersArgs};
use crate::export::file::{Naming, WriteError, write_new};
use crate::export::suppliers::{SupplierRow, write_csv, write_json, write_table, write_xlsx};
use crate::store::{SupplierList, SupplierQuery};
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// The table's width when stdout is no terminal and `COLUMNS` is unset.
const PIPE_WIDTH: usize = 100;

/// `tusou suppliers`: the history's sellers, most searches first.
pub fn run(args: &SuppliersArgs, common: &CommonArgs) -> ExitCode {
    finish(suppliers(args, common).map(|()| Exit::Ok))
}

fn suppliers(args: &SuppliersArgs, common: &CommonArgs) -> Result<(), CommandError> {
    if let Some(path) = &args.out {
        // Before any work: a name we would refuse is refused at once.
        out_format(path)?;
    }
    let (store, _) = open_store(common)?;
    // `--provider` names a protocol: its live and its demo offers.
    let providers = common
        .provider
        .map(|p| vec![p.name().to_string(), format!("demo-{}", p.name())])
        .unwrap_or_default();
    let list = store
        .suppliers(&SupplierQuery {
            providers,
            since: args.since,
            limit: args.limit,
        })
        .map_err(|e| CommandError::failure(format!("suppliers: {e}")))?;
    say_what_is_listed(&list);
    let rows: Vec<SupplierRow> = list
        .sellers
        .iter()
        .enumerate()
        .map(|(i, s)| SupplierRow::new(i + 1, s))
        .collect();
    if let Some(path) = &args.out {
        return write_file(path, &rows);
    }
    let mut out = io::BufWriter::new(io::stdout().lock());
    match args.format {
        OutputFormat::Table => {
            if rows.is_empty() {
                Ok(())
            } else {
                write_table(&mut out, &rows, table_width())
            }
        }
        OutputFormat::Csv => write_csv(&mut out, &rows),
        OutputFormat::Json => write_json(&mut out, &rows),
        OutputFormat::Jsonl => write_jsonl(&mut out, &rows),
    }
    .and_then(|()| out.flush())
    .map_err(|e| CommandError::output(&e))
}

/// One line on stderr: how many sellers of how many, over how many
/// searches; or, for an empty history, that there is nothing yet and why.
fn say_what_is_listed(list: &SupplierList) {
    let searches = match list.searches {
        1 => "1 search".to_string(),
        n => format!("{n} searches"),
    };
    if list.searches == 0 {
        eprintln!(
            "tusou: no sellers yet: the history has no searches (search in the app, or with \
             `tusou search --save`, and their sellers are counted here)"
        );
    } else if list.total == 0 {
        eprintln!(
            "tusou: no sellers known in the {searches} of the history (their offers name no \
             company or seller id)"
        );
    } else if list.total > list.sellers.len() as u64 {
        eprintln!(
            "tusou: the {} seen most of {} sellers in {searches} (--limit for more)",
            sellers(list.sellers.len() as u64),
            list.total
        );
    } else {
        eprintln!("tusou: {} in {searches}", sellers(list.total));
    }
}

/// "1 seller", "12 sellers".
fn sellers(n: u64) -> String {
    if n == 1 {
        "1 seller".into()
    } else {
        format!("{n} sellers")
    }
}

/// The terminal's width, else `COLUMNS`, else [`PIPE_WIDTH`].
fn table_width() -> usize {
    if io::stdout().is_terminal()
        && let Ok((cols, _)) = crossterm::terminal::size()
        && cols > 0
    {
        return usize::from(cols);
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse::<usize>().ok())
        .filter(|c| *c > 0)
        .unwrap_or(PIPE_WIDTH)
}

fn write_jsonl<W: Write>(out: &mut W, rows: &[SupplierRow]) -> io::Result<()> {
    rows.iter().try_for_each(|row| {
        serde_json::to_writer(&mut *out, row).map_err(io::Error::from)?;
        out.write_all(b"\n")
    })
}

/// `--out FILE`'s format, by its extension.
fn out_format(path: &std::path::Path) -> Result<String, CommandError> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if ["xlsx", "csv", "json", "jsonl"].contains(&ext.as_str()) {
        Ok(ext)
    } else {
        Err(CommandError::usage(format!(
            "--out {}: name the file .xlsx, .csv, .json or .jsonl",
            crate::fs::shown(path)
        )))
    }
}

/// `tusou suppliers --out FILE`: never through a symlink, never over
/// anything there (refused, exit 2).
fn write_file(path: &std::path::Path, rows: &[SupplierRow]) -> Result<(), CommandError> {
    let shown = crate::fs::shown(path);
    let ext = out_format(path)?;
    let written = write_new(path, Naming::Refuse, |file| {
        let mut out = io::BufWriter::new(file);
        match ext.as_str() {
            "xlsx" => write_xlsx(&mut out, rows),
            "csv" => write_csv(&mut out, rows),
            "json" => write_json(&mut out, rows),
            _ => write_jsonl(&mut out, rows),
        }?;
        out.flush()
    });
    written.map_err(|e| match e {
        WriteError::Io(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            CommandError::usage(format!("--out {shown}: {e}"))
        }
        WriteError::Io(e) | WriteError::Write(e) => {
            CommandError::failure(format!("could not write {shown}: {e}"))
        }
    })?;
    eprintln!("tusou: wrote {shown}: {} sellers", rows.len());
    Ok(())
}
