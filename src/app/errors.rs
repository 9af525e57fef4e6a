//! The app's typed errors: one per kind of background work, carried in
//! `Msg` as they were raised. Each one's `Display` is the one-line message
//! the user reads; the view sanitises it when it draws it.

use crate::fs::ReadError;
use crate::image::ImageError;
use crate::store::StoreError;
use std::path::PathBuf;
use std::sync::Arc;

/// Why work on the history database did not happen.
#[derive(Debug, Clone, thiserror::Error)]
pub enum HistoryError {
    #[error("history is off")]
    Off,
    /// A change asked for while the history is off.
    #[error("history is off: nothing can be starred or noted")]
    OffNoChanges,
    /// The store's queue was full: the change was refused, not waited on.
    #[error("too many changes waiting for the history database; this one was not saved")]
    Queued,
    #[error("no picture kept")]
    NoPicture,
    /// Shared: one failed read answers for every page asked at once.
    #[error("{0}")]
    Store(Arc<StoreError>),
    /// The blocking task died (a panic), with the runtime's words.
    #[error("{0}")]
    Task(String),
}

impl From<StoreError> for HistoryError {
    fn from(e: StoreError) -> Self {
        HistoryError::Store(Arc::new(e))
    }
}

/// Why an export wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The rows could not be read back from the history.
    #[error("history: {0}")]
    History(#[from] StoreError),
    /// The directory or a file in it could not be written.
    #[error("{}: {source}", .dir.display())]
    Write {
        dir: PathBuf,
        source: std::io::Error,
    },
}

/// Why a directory could not be listed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", .dir.display())]
pub struct ListingError {
    pub dir: PathBuf,
    pub source: std::io::Error,
}

/// Why the browser could not be started.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct OpenError(#[from] pub std::io::Error);

/// Why a thumbnail could not be shown.
#[derive(Debug, Clone, thiserror::Error)]
pub enum PictureError {
    #[error("{0}")]
    Read(#[from] ReadError),
    #[error("{0}")]
    Download(#[from] crate::api::ApiError),
    #[error("{0}")]
    History(#[from] HistoryError),
    #[error("{0}")]
    Decode(#[from] ImageError),
    /// The terminal protocol's encoder failed (its words).
    #[error("{0}")]
    Encode(String),
    #[error("{0}")]
    Task(String),
}

/// Why a watch could not be listed, opened or made (the Watches pane).
#[derive(Debug, Clone, thiserror::Error)]
pub enum WatchError {
    #[error("{0}")]
    History(#[from] HistoryError),
    /// The picture could not be prepared or kept (its words).
    #[error("the picture: {0}")]
    Picture(String),
    /// The watch has no run with results in the history.
    #[error("watch {0} has no results to open: it has not run yet (`tusou watch run`)")]
    NeverRun(i64),
    /// The watch or its run's search is gone.
    #[error("watch {0} or its last search is no longer in the history")]
    Gone(i64),
}
