//! The app's state: plain data, changed only by `update`, read by `ui`.

use crate::api::{Offer, SearchParams};
use crate::image::HalfBlockImage;
use crate::image::protocol::GraphicsProtocol;
use crate::keymap::{HelpEntry, KeyContext, Keymap};
use lru::LruCache;
use std::path::PathBuf;
use tui_input::Input;

mod crop;
mod detail;
mod filters;
mod groups;
mod landed;
mod memory;
mod offers;
mod results;
mod same;
mod suppliers;
mod watches;

pub use crop::{CropPicture, CropState};
pub use detail::{
    DETAIL_CONCURRENCY, DetailEntry, DetailsState, LocalSort, MAX_DETAILS, REST_TICKS, Rest,
    UnitCost,
};
pub use filters::{
    FIELDS, FilterField, FilterRow, FiltersState, LANDED_COST_SORT, SORT_CHOICES, SORTS,
    UNIT_COST_SORT, local_sort, sort_choice_label, sort_label,
};
pub use landed::{
    FreightEntry, FreightState, LandedCost, LandedState, MAX_FREIGHTS, MAX_FREIGHTS_IN_FLIGHT,
};
pub use memory::{
    Crumb, HistoryState, NoteEdit, ShortlistSort, ShortlistState, StoreStatus, TRAIL_MAX,
    source_name,
};
pub use results::{CACHED_PAGES, Group, Groups, Offers, ResultsState, Row, RowKind};
pub use same::{COMPARE_MAX, SAME_LIMIT, SIGN_BATCH, SameState};
pub use suppliers::{
    MAX_APPEARANCES, SellerAppearances, Shown, SupplierFilter, SupplierMark, SuppliersState,
    Unknowns, Verdict,
};
pub use watches::{MAX_WATCH_MARKS, WatchMark, WatchMarks, WatchesState};

/// Cap on the bytes held by decoded thumbnails (and, in the display, by
/// pictures encoded for the terminal's protocol).
pub const THUMB_CACHE_BYTES: usize = 8 * 1024 * 1024;
/// Cap on the bytes of half-block thumbnails among them: ~1.2–1.7 KB each,
/// so ~600+ rows' pictures, many screens of scrolling back, where 8 MiB
/// made the app's memory grow with the offers scrolled through (issue 26's
/// flat-memory figure).
pub const HALF_BLOCK_CACHE_BYTES: usize = 1024 * 1024;

/// A pane. `Detail` is a tab of its own only in the narrow layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Picker,
    Filters,
    Results,
    Detail,
    History,
    Shortlist,
    Watches,
}

impl Pane {
    pub fn title(self) -> &'static str {
        match self {
            Pane::Picker => "Files",
            Pane::Filters => "Filters",
            Pane::Results => "Results",
            Pane::Detail => "Detail",
            Pane::History => "History",
            Pane::Shortlist => "Shortlist",
            Pane::Watches => "Watches",
        }
    }

    pub(crate) fn context(self) -> KeyContext {
        match self {
            Pane::Picker => KeyContext::Picker,
            Pane::Filters => KeyContext::Filters,
            Pane::Results | Pane::Detail => KeyContext::Results,
            Pane::History => KeyContext::History,
            Pane::Watches => KeyContext::Watches,
            Pane::Shortlist => KeyContext::Shortlist,
        }
    }

    /// The panes that take the main (right-hand) place in the wide layout.
    pub(crate) fn is_main(self) -> bool {
        matches!(
            self,
            Pane::Results | Pane::History | Pane::Shortlist | Pane::Watches
        )
    }
}

/// One directory entry as the listing task saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub name: String,
    pub path: PathBuf,
    pub is_dir: bool,
    pub size: u64,
    /// Recognised as an image by its first bytes (or, past the sniffing cap,
    /// by its extension).
    pub is_image: bool,
    /// The format's name when sniffed ("JPEG", "PNG" …).
    pub format: Option<String>,
    /// Why its first bytes could not be read (a device, a FIFO, no
    /// permission), said when it is opened.
    pub unread: Option<crate::fs::ReadError>,
    /// Lower-case name, computed once (sorting 100 000 entries must not
    /// allocate per comparison).
    pub sort_key: String,
}

impl Entry {
    pub fn new(
        name: String,
        path: PathBuf,
        is_dir: bool,
        size: u64,
        is_image: bool,
        format: Option<String>,
    ) -> Entry {
        Entry {
            sort_key: name.to_lowercase(),
            name,
            path,
            is_dir,
            size,
            is_image,
            format,
            unread: None,
        }
    }

    /// Directories first, then by name (case-insensitive).
    pub fn order(&self, other: &Entry) -> std::cmp::Ordering {
        other
            .is_dir
            .cmp(&self.is_dir)
            .then_with(|| self.sort_key.cmp(&other.sort_key))
            .then_with(|| self.name.cmp(&other.name))
    }

    pub(crate) fn hidden(&self) -> bool {
        self.name.starts_with('.')
    }
}

/// The file picker.
#[derive(Debug, Default)]
pub struct PickerState {
    pub dir: PathBuf,
    pub entries: Vec<Entry>,
    /// Indices into `entries`: shown rows, sorted (directories first).
    pub visible: Vec<usize>,
    pub cursor: usize,
    pub offset: usize,
    /// Listing generation: batches of an older listing are dropped.
    pub generation: u64,
    pub loading: bool,
    pub error: Option<String>,
    pub show_hidden: bool,
    /// The fuzzy filter; `filter_active` while it has the keyboard.
    pub filter: Input,
    pub filter_active: bool,
    /// The path / URL line (`enter_path`), when open.
    pub path_input: Option<Input>,
    /// Name to put the cursor on once the listing shows it.
    pub select_name: Option<String>,
    pub home: Option<PathBuf>,
}

impl PickerState {
    pub fn selected(&self) -> Option<&Entry> {
        self.visible
            .get(self.cursor)
            .and_then(|&i| self.entries.get(i))
    }

    pub(crate) fn text_input_active(&self) -> bool {
        self.filter_active || self.path_input.is_some()
    }
}

/// What a search was started from.
pub use crate::api::ImageSource as SearchSource;

/// Where the current search stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Phase {
    /// No search yet.
    Idle,
    /// Reading/encoding the picture and uploading it.
    Preparing,
    /// Fetching a page (`Results::inflight` says which).
    Loading,
    /// Nothing in flight.
    Ready,
    /// The last request failed; `Results::failed` says what to retry.
    Failed,
    /// The user cancelled.
    Cancelled,
}

/// What `retry` re-issues.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failed {
    /// Preparing or resolving the image.
    Search,
    /// Fetching this page.
    Page(u32),
}

/// Where a thumbnail comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ThumbSource {
    File(PathBuf),
    Url(String),
    /// The small picture kept with a search in the history.
    Stored(crate::store::SearchId),
}

/// A thumbnail at one size (not at a place: the display places one
/// picture wherever it appears).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ThumbKey {
    pub source: ThumbSource,
    pub cols: u16,
    pub rows: u16,
    pub protocol: GraphicsProtocol,
}

impl ThumbKey {
    /// A number naming this picture in the debug log (its hash: no server
    /// text reaches the log).
    pub fn log_tag(&self) -> u64 {
        use std::hash::{Hash as _, Hasher as _};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.hash(&mut h);
        h.finish()
    }
}

/// A decoded thumbnail, ready to draw.
#[derive(Debug, Clone)]
pub enum Thumb {
    Half(HalfBlockImage),
    /// Encoded for the terminal's graphics protocol: the display holds the
    /// bytes (this many) and draws them after the frame.
    Encoded {
        bytes: usize,
    },
    Failed(crate::app::errors::PictureError),
}

impl Thumb {
    pub(crate) fn byte_size(&self) -> usize {
        match self {
            Thumb::Half(h) => h.byte_size(),
            // The display's copy: bounding it here bounds both.
            Thumb::Encoded { bytes } => bytes + 32,
            Thumb::Failed(e) => e.to_string().len() + 32,
        }
    }
}

/// Decoded thumbnails, least recently used dropped first, bounded by bytes.
#[derive(Debug)]
pub struct ThumbCache {
    map: LruCache<ThumbKey, Thumb>,
    bytes: usize,
    /// Bytes of the half-block pictures in `bytes`.
    half_bytes: usize,
    pub max_bytes: usize,
}

impl ThumbCache {
    pub fn new(max_bytes: usize) -> Self {
        ThumbCache {
            map: LruCache::unbounded(),
            bytes: 0,
            half_bytes: 0,
            max_bytes,
        }
    }

    pub fn get(&self, key: &ThumbKey) -> Option<&Thumb> {
        self.map.peek(key)
    }

    pub fn contains(&self, key: &ThumbKey) -> bool {
        self.map.contains(key)
    }

    /// Marks `key` as recently used.
    pub fn touch(&mut self, key: &ThumbKey) {
        let _ = self.map.get(key);
    }

    /// Forgets `key` (its picture must be fetched again).
    pub fn remove(&mut self, key: &ThumbKey) {
        if let Some(old) = self.map.pop(key) {
            self.forget(&old);
        }
    }

    pub fn insert(&mut self, key: ThumbKey, thumb: Thumb) {
        self.bytes += thumb.byte_size();
        if let Thumb::Half(_) = thumb {
            self.half_bytes += thumb.byte_size();
        }
        if let Some((_, old)) = self.map.push(key, thumb) {
            self.forget(&old);
        }
        let half_max = HALF_BLOCK_CACHE_BYTES.min(self.max_bytes);
        while (self.bytes > self.max_bytes || self.half_bytes > half_max) && self.map.len() > 1 {
            match self.map.pop_lru() {
                Some((_, old)) => self.forget(&old),
                None => break,
            }
        }
    }

    fn forget(&mut self, old: &Thumb) {
        self.bytes = self.bytes.saturating_sub(old.byte_size());
        if let Thumb::Half(_) = old {
            self.half_bytes = self.half_bytes.saturating_sub(old.byte_size());
        }
    }

    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// A message in the status line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub text: String,
    pub error: bool,
}

/// Everything the screen shows.
#[derive(Debug)]
pub struct State {
    pub focus: Pane,
    pub picker: PickerState,
    pub filters: FiltersState,
    pub results: ResultsState,
    /// Parameters from the last valid `apply_filters` (or the config).
    pub params: SearchParams,
    pub thumbs: ThumbCache,
    /// The thumbnail the screen wants now (drawn when cached).
    pub wanted_thumb: Option<ThumbKey>,
    /// The rows' pictures fetched ahead, around the cursor.
    pub thumb_prefetch: Vec<ThumbKey>,
    pub keymap: Keymap,
    pub help_entries: Vec<HelpEntry>,
    pub help: Option<usize>,
    pub message: Option<Message>,
    /// Startup problems (keymap): shown until the first key, unless an
    /// error replaces them.
    pub notice: Option<Message>,
    pub backend_label: String,
    pub demo: bool,
    pub graphics: GraphicsProtocol,
    /// The terminal's cell in pixels (kitty's crop view is laid out in it).
    pub cell_size: crate::image::protocol::CellSize,
    pub color: bool,
    /// A local display exists, so `open_link` can start a browser.
    pub can_open: bool,
    pub export_dir: PathBuf,
    pub width: u16,
    pub height: u16,
    pub spinner: usize,
    pub quit: bool,
    /// Which of Results, History and Shortlist holds the main place.
    pub main: Pane,
    pub history: HistoryState,
    pub shortlist: ShortlistState,
    /// The Watches pane, and the marks of a watch run's changes.
    pub watches: WatchesState,
    pub note: Option<NoteEdit>,
    /// Results to go back to, newest last.
    pub trail: Vec<Crumb>,
    pub store: StoreStatus,
    /// The name offers are stored under (provider, or demo provider).
    pub provider: String,
    /// Offers with the same picture shown as one row.
    pub grouping: bool,
    /// The results as a list of rows or a gallery of pictures.
    pub results_view: ResultsView,
    /// Prices are also shown (and exported) in this currency.
    pub currency: Option<crate::money::Currency>,
    /// The batch running in the background, if any.
    pub batch: Option<BatchStatus>,
    /// Crop mode, over everything else while open.
    pub crop: Option<CropState>,
    /// Crop openings so far (a reply for an older one is dropped).
    pub crop_generation: u64,
    /// Offer details, the cursor's rest and the quantity.
    pub details: DetailsState,
    /// Landed costs: the user's lanes, the lane chosen, freight estimates
    /// and chosen SKUs.
    pub landed: LandedState,
    pub suppliers: SuppliersState,
    /// Same product told by the pictures (issue 26).
    pub same: SameState,
}

/// How the results are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResultsView {
    /// A row per offer (or group), with its columns.
    #[default]
    List,
    /// A grid of the offers' pictures, each with its price under it.
    Gallery,
}

impl ResultsView {
    /// The name the store remembers the view under.
    pub const PREFERENCE: &'static str = "results_view";

    /// As the store remembers it.
    pub fn name(self) -> &'static str {
        match self {
            ResultsView::List => "list",
            ResultsView::Gallery => "gallery",
        }
    }

    pub fn from_name(name: &str) -> Option<ResultsView> {
        match name {
            "list" => Some(ResultsView::List),
            "gallery" => Some(ResultsView::Gallery),
            _ => None,
        }
    }
}

/// A background batch, as the status bar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStatus {
    /// The directory's name.
    pub label: String,
    pub total: u64,
    pub done: u64,
    pub failed: u64,
}

impl State {
    pub fn new(keymap: Keymap, params: SearchParams) -> State {
        State {
            focus: Pane::Picker,
            picker: PickerState::default(),
            filters: FiltersState::from_params(&params),
            results: ResultsState::default(),
            params,
            thumbs: ThumbCache::new(THUMB_CACHE_BYTES),
            wanted_thumb: None,
            thumb_prefetch: Vec::new(),
            help_entries: keymap.help_entries(),
            keymap,
            help: None,
            message: None,
            notice: None,
            backend_label: String::new(),
            demo: false,
            graphics: GraphicsProtocol::HalfBlocks,
            cell_size: crate::image::protocol::CellSize::default(),
            color: true,
            can_open: false,
            export_dir: PathBuf::from("."),
            width: 80,
            height: 24,
            spinner: 0,
            quit: false,
            main: Pane::Results,
            history: HistoryState::default(),
            shortlist: ShortlistState::default(),
            watches: WatchesState::default(),
            note: None,
            trail: Vec::new(),
            store: StoreStatus::On,
            provider: String::new(),
            grouping: true,
            results_view: ResultsView::List,
            currency: None,
            batch: None,
            crop: None,
            crop_generation: 0,
            details: DetailsState::default(),
            landed: LandedState::default(),
            suppliers: SuppliersState::default(),
            same: SameState::default(),
        }
    }

    /// The key context for the focused pane.
    pub(crate) fn context(&self) -> KeyContext {
        if self.crop.is_some() && self.help.is_none() {
            return KeyContext::Crop;
        }
        self.focus.context()
    }

    /// True while a text input has the keyboard: printable keys go to it.
    pub(crate) fn text_input_active(&self) -> bool {
        if self.help.is_some() {
            return false;
        }
        if self.note.is_some() {
            return true;
        }
        if self.crop.is_some() {
            return false;
        }
        match self.focus {
            Pane::Picker => self.picker.text_input_active(),
            Pane::Filters => self.filters.current_field().is_some(),
            Pane::Shortlist => self.shortlist.filter_active,
            _ => false,
        }
    }

    /// Something is loading: the spinner turns.
    pub fn busy(&self) -> bool {
        self.results.busy() || self.picker.loading
    }

    /// What the status line shows: an error, else the startup notice,
    /// else the last message.
    pub(crate) fn status_message(&self) -> Option<&Message> {
        match (&self.message, &self.notice) {
            (Some(m), _) if m.error => Some(m),
            (_, Some(n)) => Some(n),
            (m, None) => m.as_ref(),
        }
    }

    pub(crate) fn set_info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: false,
        });
    }

    pub(crate) fn set_error(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            text: text.into(),
            error: true,
        });
    }

    /// The breadcrumbs, oldest first, ending with the results on screen
    /// (sanitised).
    pub fn crumbs(&self) -> Vec<String> {
        self.trail
            .iter()
            .map(|c| crate::text::sanitize(&c.results.label))
            .chain(std::iter::once(crate::text::sanitize(&self.results.label)))
            .collect()
    }

    /// First key for `action`, for hints ("r" / "f5"); the action name if unbound.
    pub(crate) fn key_hint(&self, ctx: KeyContext, action: crate::keymap::Action) -> String {
        self.keymap
            .keys_for(ctx, action)
            .into_iter()
            .next()
            .unwrap_or_else(|| action.name().to_string())
    }
}

impl State {
    /// The offer the offer actions (copy, open, star, more like this) act
    /// on: the shortlist's when it holds the main place and has the focus
    /// (or the detail tab does), else the results'.
    pub fn selected_offer(&self) -> Option<&Offer> {
        let on_shortlist = self.focus == Pane::Shortlist
            || (self.focus == Pane::Detail && self.main == Pane::Shortlist);
        if on_shortlist {
            self.shortlist.selected().map(|e| &e.offer)
        } else {
            self.results.selected()
        }
    }
}

/// What the detail pane shows.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    File(&'a Entry),
    Offer(&'a Offer),
    Search(&'a crate::store::SearchSummary),
    None,
}

impl State {
    /// The picker's highlighted image while the picker has focus (or no
    /// result is selected); else the selected offer.
    pub fn subject(&self) -> Subject<'_> {
        let file = self.picker.selected().filter(|e| e.is_image && !e.is_dir);
        if self.focus == Pane::Picker
            && let Some(e) = file
        {
            return Subject::File(e);
        }
        match self.main {
            Pane::History => {
                return self
                    .history
                    .selected()
                    .map_or(Subject::None, Subject::Search);
            }
            Pane::Shortlist => {
                return self
                    .shortlist
                    .selected()
                    .map_or(Subject::None, |e| Subject::Offer(&e.offer));
            }
            _ => {}
        }
        if let Some(o) = self.results.selected() {
            return Subject::Offer(o);
        }
        match file {
            Some(e) => Subject::File(e),
            None => Subject::None,
        }
    }
}
