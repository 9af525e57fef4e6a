//! Everything tusou writes for people and scripts: the writers of each
//! output, and the one way a file is put on disk.
//!
//! * `offers` — search results as a table, CSV, JSON or JSONL, streamed
//!   page by page (`tusou search` and the app's export); `landed` — their
//!   landed-cost columns.
//! * `shortlist` — the shortlist as a table, CSV, JSON(L) or XLSX
//!   (`tusou shortlist` and the app).
//! * `sheet` — a batch job's sheet: XLSX with pictures, CSV, JSONL
//!   (`tusou batch` and the app).
//! * `seller` — the seller columns every export above shares (who sells
//!   the offer, factory or trader, years, scores and rates).
//! * `suppliers` — `tusou suppliers`: the sellers of the history as a
//!   table, CSV, JSON or XLSX.
//! * `watch_digest` — `tusou watch run`'s digest of what changed, as
//!   lines, Markdown or JSON.
//! * `xlsx` — the one XLSX writer: cells within Excel's limits, text never
//!   a formula, links where Excel can hold them.
//! * `file` — the one file writer: never follows a symlink, never
//!   overwrites (a fresh `-N` name, or a refusal for a name the user gave).

pub mod file;
pub mod landed;
pub(crate) mod offers;
pub mod same;
pub(crate) mod seller;
pub mod sheet;
pub(crate) mod shortlist;
pub(crate) mod suppliers;
pub(crate) mod watch_digest;
pub mod xlsx;

pub(crate) use offers::{DetailColumns, ExportSpec, Format, OfferWriter, export_both_detailed};
