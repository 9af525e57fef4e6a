//! Batch sourcing: a folder or list of photos searched at the provider's
//! rate, kept in the store so a run can be resumed, written to a sheet.
//!
//! * `inputs` — the photos a directory or list names; `job` finds or
//!   starts the job they make.
//! * `run` — searching a job's pending photos at the provider's rate.
//! * `assemble` — a job in the store as the sheet's data
//!   (`crate::export::sheet::model`), which `crate::export::sheet` writes.

pub mod assemble;
pub mod inputs;
pub mod job;
pub mod run;
mod same;
