//! The edges: one file per subcommand, each a `run` that `main.rs` calls.
//! They share one start-up path (`startup`: the configuration, then the
//! search backend) and one way to end (`error::finish`: a typed
//! [`error::CommandError`] becomes the exit code and one line on stderr).
//! `anyhow` stops here; typed errors live below.

pub mod app;
pub mod batch;
pub mod completions;
pub mod config;
pub mod doctor;
pub(crate) mod error;
pub mod history;
pub mod man;
pub mod prepare;
pub mod preview;
/// `tusou search --save`: the search's pages recorded in the history.
pub(crate) mod save;
pub mod search;
pub mod shortlist;
#[cfg(feature = "demo")]
pub mod sim;
pub(crate) mod startup;
pub mod suppliers;
pub mod watch;
