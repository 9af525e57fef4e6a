//! tusou (图搜): find 1688.com wholesale offers from a product photo.
//!
//! Layout: `api/` provider clients, signing and models; `image/` preparation and
//! thumbnails; `app/` state and update; `ui/` widgets; `keymap` key → action;
//! `tui` terminal setup and teardown. The simulator is its own crate,
//! `tusou-sim` (`crates/tusou-sim`), used for the demo behind the default
//! `demo` feature.

pub mod api;
pub mod app;
pub mod backend;
pub mod cli;
pub(crate) mod config;
pub mod doctor;
pub(crate) mod event_loop;
pub(crate) mod export;
pub mod headless;
pub mod image;
pub mod interactive;
pub mod keymap;
pub mod logging;
pub mod secret;
pub(crate) mod startup;
pub mod text;
pub(crate) mod tui;
pub mod ui;
