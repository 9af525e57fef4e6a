//! What the app remembers across searches and runs: the history list, the
//! shortlist, the note being edited, and the breadcrumbs of "more like this".

use super::ResultsState;
use crate::store::{OfferRef, SearchSummary, ShortlistEntry, Status};
use tui_input::Input;

/// A history entry's picture, short: the file's name, or the URL.
pub fn source_name(summary: &SearchSummary) -> String {
    let s = summary.source.as_str();
    if crate::text::is_url(s) {
        return s.to_string();
    }
    std::path::Path::new(s)
        .file_name()
        .map_or_else(|| s.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Breadcrumbs kept at most; the oldest goes first.
pub const TRAIL_MAX: usize = 16;

/// Whether the history database is on for this run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StoreStatus {
    #[default]
    On,
    /// History is off; the reason is said once and in the History pane.
    Off(String),
}

/// The History pane: recent searches, newest first.
#[derive(Debug, Default)]
pub struct HistoryState {
    pub entries: Vec<SearchSummary>,
    pub cursor: usize,
    pub offset: usize,
    /// The list was read at least once.
    pub loaded: bool,
}

impl HistoryState {
    pub fn selected(&self) -> Option<&SearchSummary> {
        self.entries.get(self.cursor)
    }
}

/// How the shortlist is ordered.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ShortlistSort {
    /// Most recently starred first.
    #[default]
    Added,
    /// Cheapest first (no price last).
    Price,
    /// By status, in the order a buyer works through them.
    Status,
    /// Most recently changed (note or status) first.
    Changed,
}

impl ShortlistSort {
    pub fn label(self) -> &'static str {
        match self {
            ShortlistSort::Added => "newest",
            ShortlistSort::Price => "price",
            ShortlistSort::Status => "status",
            ShortlistSort::Changed => "changed",
        }
    }

    pub fn next(self) -> ShortlistSort {
        match self {
            ShortlistSort::Added => ShortlistSort::Price,
            ShortlistSort::Price => ShortlistSort::Status,
            ShortlistSort::Status => ShortlistSort::Changed,
            ShortlistSort::Changed => ShortlistSort::Added,
        }
    }
}

/// The Shortlist pane: every starred offer, across searches.
#[derive(Debug, Default)]
pub struct ShortlistState {
    pub entries: Vec<ShortlistEntry>,
    /// Indices into `entries`: the rows shown, filtered and sorted.
    pub visible: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
    pub sort: ShortlistSort,
    /// The fuzzy filter (title, note, status); `filter_active` while typing.
    pub filter: Input,
    pub filter_active: bool,
    pub loaded: bool,
}

impl ShortlistState {
    pub fn selected(&self) -> Option<&ShortlistEntry> {
        self.visible
            .get(self.cursor)
            .and_then(|&i| self.entries.get(i))
    }

    pub fn entry(&self, r: &OfferRef) -> Option<&ShortlistEntry> {
        self.entries.iter().find(|e| &e.offer_ref == r)
    }

    pub fn status_of(&self, r: &OfferRef) -> Option<Status> {
        self.entry(r).map(|e| e.status)
    }
}

/// A note being typed for a starred offer (shown in the status line).
#[derive(Debug)]
pub struct NoteEdit {
    pub offer: OfferRef,
    /// The offer's title, for the prompt (raw: sanitise before display).
    pub title: String,
    pub input: Input,
}

impl NoteEdit {
    /// The prompt of the note line: "Note for “Red mug”: ".
    pub fn prompt(&self) -> String {
        let title = crate::text::sanitize(&self.title);
        format!("Note for “{}”: ", crate::text::truncate(&title, 24))
    }
}

/// Results set aside by "more like this" or a reopened search, to go back to
/// without a request.
#[derive(Debug)]
pub struct Crumb {
    pub results: ResultsState,
}
