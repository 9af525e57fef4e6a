//! Batch sourcing: a folder or list of photos searched at the provider's
//! rate, kept in the store so a run can be resumed, written to a sheet.
//!
//! * `inputs` — the photos a directory or list names; `job` finds or
//!   starts the job they make.
//! * `run` — searching a job's pending photos at the provider's rate.
//! * `model` — what a finished (or partly finished) job is, as the sheet
//!   writers read it; `assemble` builds it from the store.
//! * `sheet` — the XLSX, CSV and JSONL writers.

pub mod assemble;
pub mod inputs;
pub mod job;
pub mod model;
pub mod run;
pub mod sheet;
