//! The results list: the search's state, its offers (in memory near the
//! screen, see [`Offers`]), the rows they are laid out in, and the groups
//! of sellers showing one picture.

use super::{Failed, Phase, SearchSource};
use crate::api::{ImageRef, Offer, Price, SearchParams};
use crate::store::Change;
use std::collections::HashMap;

pub use super::groups::{Group, Groups};
pub use super::offers::{CACHED_PAGES, Offers};

/// One row of the results list: an offer alone, a group of offers with the
/// same picture (one product, many sellers), or a seller inside an opened
/// group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Row {
    /// The offer's position in `ResultsState::offers`.
    pub offer: usize,
    pub kind: RowKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowKind {
    Single,
    /// The group's first offer stands for it; `open` when its sellers are
    /// listed under it.
    Group {
        count: usize,
        min_price: Option<crate::api::Price>,
        open: bool,
    },
    Member,
}

/// The results list.
#[derive(Debug)]
pub struct ResultsState {
    /// Search generation; replies tagged with another one are stale.
    pub generation: u64,
    pub source: Option<SearchSource>,
    /// What the image became for the provider, once resolved.
    pub image: Option<ImageRef>,
    /// Summary of the prepared picture ("4000×3000 JPEG → …").
    pub prepared: Option<String>,
    /// How the picture reached the provider, when not from a file, and what
    /// the client had to do on the way (said once the first page is in).
    pub notes: Vec<String>,
    /// The parameters this search runs with.
    pub params: SearchParams,
    /// Every offer listed, by position; those near the screen in memory.
    pub offers: Offers,
    /// Pages 1..=pages_loaded are in `offers`.
    pub pages_loaded: u32,
    /// Offers the user has seen all of, by moving to the end of the list:
    /// automatic loading stays a bounded distance past it.
    pub reached: usize,
    pub total_records: u64,
    pub total_pages: u32,
    /// The page being fetched, if any.
    pub inflight: Option<u32>,
    pub end: bool,
    pub phase: Phase,
    pub failed: Option<Failed>,
    pub error: Option<crate::app::failure::Failure>,
    /// The rows on screen are the previous search's, kept until this
    /// search's first page arrives (or for good, if it fails).
    pub stale: bool,
    /// A retry of this page is under way ("Retrying page 3…" on screen).
    pub retrying: Option<u32>,
    /// Index into `rows`.
    pub cursor: usize,
    pub offset: usize,
    /// The gallery's last scroll went up (its pictures ahead are fetched
    /// above first).
    pub scrolled_up: bool,
    /// The rows shown, as the positions of their offers: one per offer, or
    /// grouped (see [`ResultsState::row`] for what each row is).
    pub rows: Vec<u32>,
    /// `rows` were laid out with same-picture offers grouped.
    pub grouped: bool,
    /// Groups opened, by their first offer's index.
    pub opened: std::collections::HashSet<usize>,
    /// Offers grouped by picture so far (kept up to date page by page).
    pub groups: Groups,
    /// How offers compare with the last search of the same picture, by
    /// position; offers not here are `Change::Same`.
    pub marks: HashMap<usize, Change>,
    /// Offers whose detail is asked for or known, by position: their id
    /// and price, so the unit-cost sort orders them while they are out of
    /// memory.
    pub with_detail: HashMap<usize, (String, Option<Price>)>,
    /// This search's row in the history, once recorded.
    pub recorded: Option<crate::store::SearchId>,
    /// The search in the history the rows listed were stored under (read
    /// back from there as the cursor moves).
    pub read_from: Option<crate::store::SearchId>,
    /// The picture's name in the history and its small copy, once
    /// resolved, to record a search again with other filters.
    pub history_key: Option<(String, Option<Vec<u8>>)>,
    /// The first page waits until the search is recorded, so it is stored.
    pub awaiting_record: bool,
    /// "searched 3× since 12 Nov", once recorded.
    pub seen: Option<String>,
    /// Reopened from the history (rows from the store, no request made).
    pub reopened: Option<crate::store::SearchSummary>,
    /// What the breadcrumbs call these results (raw: sanitise before display).
    pub label: String,
    /// The picture's size and the size of the copy the provider received,
    /// once resolved: to map the provider's boxes to the user's pixels.
    pub sizes: Option<((u32, u32), (u32, u32))>,
    /// The subjects the provider detected and the region it searched.
    pub subjects: Option<crate::api::Subjects>,
}

impl Default for ResultsState {
    fn default() -> Self {
        ResultsState {
            generation: 0,
            source: None,
            image: None,
            prepared: None,
            notes: Vec::new(),
            params: SearchParams::default(),
            offers: Offers::default(),
            pages_loaded: 0,
            reached: 0,
            total_records: 0,
            total_pages: 0,
            inflight: None,
            end: false,
            phase: Phase::Idle,
            failed: None,
            error: None,
            stale: false,
            retrying: None,
            cursor: 0,
            offset: 0,
            scrolled_up: false,
            rows: Vec::new(),
            grouped: false,
            opened: Default::default(),
            groups: Groups::default(),
            marks: HashMap::new(),
            with_detail: HashMap::new(),
            recorded: None,
            read_from: None,
            history_key: None,
            awaiting_record: false,
            seen: None,
            reopened: None,
            label: String::new(),
            sizes: None,
            subjects: None,
        }
    }
}

impl ResultsState {
    pub fn selected(&self) -> Option<&Offer> {
        self.offers.get(self.row(self.cursor)?.offer)
    }

    pub fn selected_row(&self) -> Option<Row> {
        self.row(self.cursor)
    }

    /// The first offer of the highlighted group, or of the group of the
    /// highlighted seller; None on an offer alone.
    pub fn selected_group(&self) -> Option<usize> {
        let row = self.selected_row()?;
        match row.kind {
            RowKind::Group { .. } => Some(row.offer),
            RowKind::Member => Some(self.groups.first_of(row.offer).unwrap_or(row.offer)),
            RowKind::Single => None,
        }
    }

    /// Row `i` of the list: its offer and whether it stands for a group.
    pub fn row(&self, i: usize) -> Option<Row> {
        let offer = *self.rows.get(i)? as usize;
        let kind = if !self.grouped {
            RowKind::Single
        } else if let Some(g) = self.groups.group(offer) {
            RowKind::Group {
                count: g.count,
                min_price: g.min_price,
                open: self.opened.contains(&offer),
            }
        } else if self.groups.first_of(offer).is_some() {
            RowKind::Member
        } else {
            RowKind::Single
        };
        Some(Row { offer, kind })
    }

    /// Rows `start..start + n` (fewer at the end), with their indices.
    pub fn rows_from(&self, start: usize, n: usize) -> impl Iterator<Item = (usize, Row)> + '_ {
        (start..start.saturating_add(n).min(self.rows.len()))
            .filter_map(|i| Some((i, self.row(i)?)))
    }

    /// The row showing the offer at `position`.
    pub fn row_of(&self, position: usize) -> Option<usize> {
        let position = u32::try_from(position).ok()?;
        self.rows.iter().position(|&p| p == position)
    }

    /// How the offer at `position` compares with the last search.
    pub fn mark(&self, position: usize) -> Change {
        self.marks.get(&position).copied().unwrap_or(Change::Same)
    }

    pub fn busy(&self) -> bool {
        matches!(self.phase, Phase::Preparing | Phase::Loading)
    }
}
