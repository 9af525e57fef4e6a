//! tusou (图搜): find 1688.com wholesale offers from a product photo.
//!
//! The rooms, and one search from key press to pixels, are described in
//! ARCHITECTURE.md. In short: `api/` provider clients; `image/` pictures
//! (preparation, thumbnails, the terminal's graphics); `app/` the model
//! (state, messages, the pure `update`, effects); `ui/` the view;
//! `event_loop` ties them to the terminal; `keymap/` keys → named actions.
//! The simulator is its own crate, `tusou-sim` (`crates/tusou-sim`), used
//! for the demo behind the default `demo` feature.

// Only the command edge (`commands/`) writes to stdout and stderr; below it,
// text reaches the user through the terminal, a file or a log.
#![warn(clippy::print_stdout, clippy::print_stderr)]

pub mod api;
pub mod app;
pub mod backend;
pub mod batch;
pub mod cli;
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub mod commands;
pub(crate) mod config;
pub(crate) mod event_loop;
pub mod export;
pub mod fs;
pub mod image;
pub mod kept;
pub mod keymap;
pub mod landed;
pub mod logging;
pub mod money;
pub mod secret;
pub mod store;
pub mod text;
pub(crate) mod tui;
pub mod ui;
