//! The edges: one file per subcommand, and the start-up every command shares.

pub mod app;
pub mod batch;
pub mod doctor;
pub mod history;
pub mod prepare;
pub(crate) mod save;
pub mod search;
pub(crate) mod startup;
