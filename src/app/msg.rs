//! Messages into `update` and the effects it asks for.

pub use super::failure::{Failure, FailureKind};
use super::state::{Entry, SearchSource, Thumb, ThumbKey};
use crate::api::{ImageRef, Offer, ResultPage, SearchParams};
use crate::keymap::Action;
use std::path::PathBuf;
use tui_input::InputRequest;

/// Mouse input, already reduced to what the app handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseMsg {
    ScrollUp { col: u16, row: u16 },
    ScrollDown { col: u16, row: u16 },
    Click { col: u16, row: u16 },
}

/// Everything that changes the state.
#[derive(Debug)]
pub enum Msg {
    /// A key bound in the keymap.
    Action(Action),
    /// An editing key while a text input has focus.
    Input(InputRequest),
    /// Pasted text (bracketed paste) for the active input.
    Paste(String),
    Mouse(MouseMsg),
    Resize(u16, u16),
    /// The spinner's clock.
    Tick,
    /// A batch of directory entries (listing generation `generation`).
    Listing {
        generation: u64,
        entries: Vec<Entry>,
        done: bool,
        error: Option<String>,
    },
    /// The image was prepared and resolved for search generation `generation`.
    Resolved {
        generation: u64,
        result: Result<crate::api::ResolvedImage, Failure>,
    },
    /// A page arrived (or failed) for search generation `generation`.
    Page {
        generation: u64,
        page: u32,
        result: Result<ResultPage, Failure>,
    },
    Thumb {
        key: ThumbKey,
        thumb: Thumb,
    },
    Exported(Result<(PathBuf, PathBuf), String>),
    /// A browser was (or could not be) started.
    Opened(Result<String, String>),
    /// SIGTERM / SIGHUP: quit in order.
    Terminate,
}

/// Work `update` asks the runtime to do. Every reply comes back as a `Msg`.
#[derive(Debug, Clone, PartialEq)]
pub enum Effect {
    /// List `dir` in the background, in batches tagged `generation`.
    ListDir {
        generation: u64,
        dir: PathBuf,
    },
    /// Prepare (files) and resolve the image for search `generation`; aborts every
    /// task of older searches.
    StartSearch {
        generation: u64,
        source: SearchSource,
        params: SearchParams,
    },
    FetchPage {
        generation: u64,
        image: ImageRef,
        params: SearchParams,
        page: u32,
    },
    /// Abort every in-flight search task.
    CancelSearch,
    /// Decode a thumbnail; tasks for other keys are no longer wanted.
    LoadThumb(ThumbKey),
    /// Put text on the clipboard with OSC 52 after the next draw.
    Copy(String),
    OpenLink(String),
    Export {
        offers: Vec<Offer>,
        dir: PathBuf,
    },
}
