//! Messages into `update` and the effects it asks for.

pub use super::errors::{
    ExportError, HistoryError, ListingError, OpenError, PictureError, WatchError,
};
pub use super::failure::{Failure, FailureKind};
use super::state::{CropPicture, Entry, SearchSource, Thumb, ThumbKey};
use crate::api::{ImageRef, Offer, ResultPage, SearchParams};
use crate::keymap::Action;
use crate::store::{
    Change, OfferRef, SearchId, SearchSummary, ShortlistEntry, SourceHistory, Status, StoredSearch,
};
use std::path::PathBuf;
use tui_input::InputRequest;

/// Mouse input, already reduced to what the app handles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MouseMsg {
    ScrollUp {
        col: u16,
        row: u16,
    },
    ScrollDown {
        col: u16,
        row: u16,
    },
    Click {
        col: u16,
        row: u16,
    },
    /// The left button moved while held (crop mode draws a box).
    Drag {
        col: u16,
        row: u16,
    },
    Release {
        col: u16,
        row: u16,
    },
}

/// Everything that changes the state.
#[derive(Debug)]
pub enum Msg {
    /// A key bound in the keymap.
    Action(Action),
    /// The background batch moved on, or finished.
    Batch(BatchUpdate),
    /// An editing key while a text input has focus.
    Input(InputRequest),
    /// Pasted text (bracketed paste) for the active input.
    Paste(String),
    Mouse(MouseMsg),
    Resize(u16, u16),
    /// The terminal's cell size in pixels (at start, after a resize).
    CellSize(crate::image::protocol::CellSize),
    /// The spinner's clock.
    Tick,
    /// A batch of directory entries (listing generation `generation`).
    Listing {
        generation: u64,
        entries: Vec<Entry>,
        done: bool,
        error: Option<ListingError>,
    },
    /// The image was prepared and resolved for search generation `generation`.
    Resolved {
        generation: u64,
        result: Result<crate::api::ResolvedImage, Failure>,
    },
    /// The search was recorded in the history (before `Resolved`).
    Recorded {
        generation: u64,
        result: Result<Recorded, HistoryError>,
    },
    /// A page arrived (or failed) for search generation `generation`.
    Page {
        generation: u64,
        page: u32,
        result: Result<ResultPage, Failure>,
        /// When the search is recorded: the page was stored (how its offers
        /// compare with the last search of the picture, and their groups);
        /// or why storing failed (the rows are shown all the same).
        stored: Option<Result<StoredPage, HistoryError>>,
    },
    /// Pages of the results read back from the history store.
    Offers {
        generation: u64,
        /// Each page asked for: its offers with their positions, or why
        /// they could not be read.
        pages: Vec<PageRead>,
    },
    /// The history list, read from the store.
    History(Result<Vec<SearchSummary>, HistoryError>),
    /// The shortlist, read from the store (after every change to it too).
    Shortlist(Result<Vec<ShortlistEntry>, HistoryError>),
    /// The results' view remembered from the last run (`None`: nothing
    /// remembered, or the store is off).
    ResultsView(Option<crate::app::state::ResultsView>),
    /// A stored search, read back to reopen it.
    Reopened(Result<Option<StoredSearch>, HistoryError>),
    /// A write to the store finished: what to say, or why it failed.
    Stored(Result<String, HistoryError>),
    Thumb {
        key: ThumbKey,
        thumb: Thumb,
    },
    /// A picture encoded for the terminal's protocol. The event loop gives
    /// its bytes to the display and `update` sees it as
    /// [`Thumb::Encoded`]: the state holds keys, not encoded pictures.
    Encoded {
        key: ThumbKey,
        picture: crate::image::protocol::Encoded,
    },
    /// Pictures the display could not draw because it no longer has their
    /// bytes (evicted under its bound): fetch them again.
    PicturesLost(Vec<ThumbKey>),
    /// The picture for crop mode opening `generation`, decoded (or why not).
    CropLoaded {
        generation: u64,
        result: Result<CropPicture, String>,
    },
    /// The files an export wrote (CSV and JSON; the shortlist's also XLSX).
    Exported(Result<Vec<PathBuf>, ExportError>),
    /// A browser was (or could not be) started.
    Opened(Result<String, OpenError>),
    /// SIGTERM / SIGHUP: quit in order.
    Terminate,
    /// An offer's detail arrived (from the store or the provider), with its
    /// fetch time in Unix seconds, or why not.
    Detail {
        offer_id: String,
        result: Result<(Box<crate::api::OfferDetail>, i64), crate::api::ApiError>,
    },
    /// An offer's freight estimate for the question asked, or why not.
    Freight {
        query: crate::api::FreightQuery,
        result: Result<Box<crate::api::FreightQuote>, crate::api::ApiError>,
    },
    /// How many of the user's searches a seller appears in, or why not.
    SellerAppearances {
        key: crate::api::seller::SellerKey,
        result: Result<crate::app::state::SellerAppearances, String>,
    },
    /// The picture of the offer at `position` of search `generation`,
    /// signed for the same-product comparison (None: no usable picture).
    Signed {
        generation: u64,
        position: usize,
        signature: Option<Box<tusou_same::Signature>>,
    },
    /// Every picture of the batch `Effect::SignPictures` asked for is in.
    SigningDone {
        generation: u64,
    },
    /// The offers kept apart (split out of a group), from the store.
    KeptApart(Vec<String>),
    /// The watches, read from the store.
    Watches(Result<Vec<crate::store::Watch>, WatchError>),
    /// A watch's last run, read back to open: its search and the marks of
    /// what changed since the run before.
    WatchOpened(Result<Box<WatchRun>, WatchError>),
    /// A watch of the search on screen was made (or one existed).
    WatchMade(Result<WatchMade, WatchError>),
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
        /// Record it in the history (when the history is on).
        record: bool,
    },
    FetchPage {
        generation: u64,
        image: ImageRef,
        params: SearchParams,
        page: u32,
        /// The position the page's first offer takes in the results.
        first: u64,
        /// Store the page under this recorded search.
        record: Option<SearchId>,
    },
    /// Read these pages of the results back from the history store:
    /// (page, positions).
    LoadOffers {
        generation: u64,
        search: SearchId,
        pages: Vec<(usize, std::ops::Range<usize>)>,
    },
    /// Abort every in-flight search task.
    CancelSearch,
    /// Read or write the history database in the background.
    Store(StoreOp),
    /// Record search `generation` (same picture, new filters) in the history.
    RecordSearch {
        generation: u64,
        source: SearchSource,
        source_md5: String,
        thumbnail: Option<Vec<u8>>,
        params: SearchParams,
    },
    /// Decode a thumbnail; tasks for other keys are no longer wanted.
    LoadThumb(ThumbKey),
    /// Read and decode the picture for crop mode opening `generation`.
    LoadCrop {
        generation: u64,
        source: SearchSource,
    },
    /// Fetch these thumbnails ahead (nearest first, bounded); prefetches of
    /// keys not listed are no longer wanted.
    PrefetchThumbs(Vec<ThumbKey>),
    /// Put text on the clipboard with OSC 52 after the next draw.
    Copy(String),
    OpenLink(String),
    Export {
        offers: ExportOffers,
        dir: PathBuf,
        currency: Option<crate::money::Currency>,
        /// The search's crop, named in the files' names.
        crop: Option<String>,
        /// MOQ, tiers, ship-from and unit-cost columns, where details are known.
        details: Option<ExportDetails>,
        /// Same-product columns: each grouped offer's group and its spread.
        same: Option<crate::export::same::SameColumns>,
    },
    ExportShortlist {
        entries: Vec<ShortlistEntry>,
        dir: PathBuf,
        currency: Option<crate::money::Currency>,
        /// The quantity set (its unit cost) and, with a lane, the landed
        /// cost from the details and estimates the store keeps.
        at: Option<ShortlistAt>,
    },
    /// Search every picture of `dir` in the background (`tusou batch`).
    StartBatch {
        dir: PathBuf,
        params: SearchParams,
    },
    /// Fetch these offers' details (the store's copy when younger than a
    /// day, unless `fresh`), a few at a time.
    FetchDetails {
        offer_ids: Vec<String>,
        country: String,
        fresh: bool,
    },
    /// Abort every detail fetch in flight (the cursor moved on).
    CancelDetails,
    /// Estimate the seller's freight of an offer to the warehouse (the
    /// store's copy when younger than a day), a few at a time, paced with
    /// every other provider request.
    FetchFreight(crate::api::FreightQuery),
    /// Ask the history how many searches a seller appears in.
    SellerAppearances(crate::api::seller::SellerKey),
    /// Fetch these offers' pictures (position, address) in the background
    /// and sign each for the same-product comparison (`Msg::Signed`, then
    /// `Msg::SigningDone`); replaces a batch still running.
    SignPictures {
        generation: u64,
        pictures: Vec<(usize, String)>,
    },
    /// Stop signing pictures (a new search, grouping off).
    CancelSigning,
    /// Work on the watches (the Watches pane, `watch_search`).
    Watch(WatchOp),
}

/// Work on the watches, in the store (and the picture, to make one).
#[derive(Debug, Clone, PartialEq)]
pub enum WatchOp {
    /// Read the list.
    Load,
    /// Read a watch's last run back, with its changes.
    Open(crate::store::WatchId),
    /// Make a watch of a search, as `tusou watch add` does.
    Make(Box<WatchRequest>),
}

/// The search a watch is made of.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchRequest {
    pub source: crate::api::ImageSource,
    pub params: SearchParams,
    pub qty: Option<u64>,
    pub lane: Option<String>,
}

/// A watch's last run, read back.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchRun {
    pub watch: i64,
    pub search: StoredSearch,
    /// The run's new and cheaper offers, by offer id.
    pub marks: Vec<(String, crate::app::state::WatchMark)>,
}

/// A watch made from the app.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WatchMade {
    pub id: i64,
    /// The same search was watched already: this is that watch.
    pub existed: bool,
}

/// The details an export's rows carry, by offer id, and the quantity its
/// unit costs are at.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ExportDetails {
    pub quantity: Option<u64>,
    pub known: std::collections::HashMap<String, crate::api::OfferDetail>,
    /// With a lane: the landed-cost columns, as the screen works them out.
    pub landed: Option<ExportLanded>,
}

/// A shortlist export's columns at the quantity: the lane (with the
/// user's fees, fallback rate and warehouse) when one is set.
#[derive(Debug, Clone, PartialEq)]
pub struct ShortlistAt {
    pub quantity: u64,
    pub lane: Option<crate::landed::Lane>,
    pub settings: crate::landed::Settings,
}

/// What an export's landed-cost columns need from the app: the lane, the
/// fees, the user's fallback rate, each offer's freight estimate (or why
/// it has none) and the SKU the user chose.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportLanded {
    pub lane: crate::landed::Lane,
    pub fees: crate::landed::Fees,
    pub fallback_fen_per_kg: Option<u64>,
    pub freights: std::collections::HashMap<String, Result<crate::api::FreightQuote, String>>,
    pub skus: std::collections::HashMap<String, String>,
}

/// How the background batch is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchUpdate {
    Progress {
        total: u64,
        done: u64,
        failed: u64,
    },
    /// What to tell the user: the sheet written and the counts, or why not.
    Finished(Result<String, String>),
}

/// A page of the results read back from the store: its index, and its
/// offers with their positions or why they could not be read.
pub type PageRead = (usize, Result<Vec<(u64, Offer)>, HistoryError>);

/// The results to export: read back from the store, with the pages only
/// memory holds laid over them.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportOffers {
    pub search: Option<SearchId>,
    /// Offers listed: positions `0..len`.
    pub len: usize,
    /// (first position, offers) of each page the store does not hold.
    pub in_memory: Vec<(usize, Vec<Offer>)>,
}

/// A page as the store recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredPage {
    /// Per offer, how it compares with the last search of the picture.
    pub changes: Vec<Change>,
    /// Per offer, the first offer of the search showing its picture.
    pub firsts: Vec<crate::store::GroupFirst>,
}

/// A search recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub id: SearchId,
    /// How often the picture was searched, this time included.
    pub seen: SourceHistory,
}

/// Work on the history database.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreOp {
    LoadHistory,
    LoadShortlist,
    Reopen(SearchId),
    DeleteSearch(SearchId),
    /// Star (idempotent), under the ref's provider.
    Star(OfferRef, Box<Offer>),
    Unstar(OfferRef),
    /// Star if need be, and set the note.
    SetNote(OfferRef, Box<Offer>, String),
    /// Star if need be, and set the status.
    SetStatus(OfferRef, Box<Offer>, Status),
    /// Remember a choice for the next start (name, value).
    SetPreference(String, String),
    /// Keep these offers apart from every same-product group, for good.
    KeepApart(Vec<OfferRef>),
    /// Read the offers kept apart with this provider (`Msg::KeptApart`).
    LoadKeptApart(String),
    /// Read the remembered choices back (at start).
    LoadPreferences,
}

#[cfg(test)]
impl Msg {
    /// A blank picture encoded for `key`, as a thumbnail task would send it
    /// (tests of what the state and the view do with one).
    pub(crate) fn encoded_blank(key: &ThumbKey) -> Msg {
        let img = image::DynamicImage::ImageRgb8(image::RgbImage::new(30, 30));
        let picture = crate::image::protocol::encode_picture(
            &img,
            key.protocol,
            key.cols,
            key.rows,
            Default::default(),
        )
        .expect("encodes")
        .expect("a protocol picture");
        Msg::Encoded {
            key: key.clone(),
            picture,
        }
    }
}
