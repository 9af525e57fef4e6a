//! The search backend the app and `tusou search` run against: a live
//! provider from the configuration, or — with no credentials — the built-in
//! simulator started in-process ("demo").

use crate::api::Client;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendMode {
    /// The in-process simulator; every screen that shows results says "demo".
    Demo,
    Live,
}

/// A ready client plus what the UI should say about it. Keeps the in-process
/// simulator (if any) alive for as long as it lives.
pub struct Backend {
    pub client: Client,
    pub mode: BackendMode,
    /// Short label for the status bar, e.g. "demo · built-in simulator" or
    /// "live · dajisaas".
    pub label: String,
}
