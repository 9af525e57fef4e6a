//! Batch sourcing: a folder or list of photos searched at the provider's
//! rate, kept in the store so a run can be resumed, written to a sheet.
//!
//! * `model` — what a finished (or partly finished) job is, as the sheet
//!   writers read it.
//! * `sheet` — the XLSX, CSV and JSONL writers.

pub mod model;
pub mod sheet;
