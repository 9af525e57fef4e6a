//! The results list: the search's state, its offers (in memory near the
//! screen, see [`Offers`]), the rows they are laid out in, and the groups
//! of sellers showing one picture.

use super::{Failed, Phase, SearchSource};
use crate::api::{ImageRef, Offer, Price, SearchParams};
use crate::store::Change;
use std::collections::HashMap;

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

/// Offers with the same picture (one product, many sellers), grouped as
/// pages arrive. Compact, since a search may list 100,000 offers: an offer
/// alone costs nothing here, a grouped one 8 bytes, a group 16.
#[derive(Debug, Default, Clone)]
pub struct Groups {
    /// Each grouped offer after its group's first: (position, the first's
    /// position), ascending by position.
    members: Vec<(u32, u32)>,
    /// Groups by their first offer's position: (offers in it, the cheapest
    /// price in fen, `u64::MAX` when none has a price).
    multi: HashMap<u32, (u32, u64)>,
    /// Picture keys of offers grouped here rather than by the store (pages
    /// the store does not hold): the first position showing each.
    pub keys: HashMap<String, usize>,
}

/// A group of two or more offers showing one picture.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub count: usize,
    /// The cheapest member's price.
    pub min_price: Option<Price>,
}

impl Groups {
    /// The offer at `position` (price `price`) shows the same picture as
    /// the one at `first` (price `first_price`); `first == position` when it
    /// is the first to show it.
    pub fn join(
        &mut self,
        position: usize,
        price: Option<Price>,
        first: usize,
        first_price: Option<Price>,
    ) {
        let (Ok(at), Ok(first)) = (u32::try_from(position), u32::try_from(first)) else {
            return;
        };
        if first >= at || self.first_of(position).is_some() {
            return;
        }
        let fen = |p: Option<Price>| p.map_or(u64::MAX, |p| p.fen());
        let group = self.multi.entry(first).or_insert((1, fen(first_price)));
        group.0 += 1;
        group.1 = group.1.min(fen(price));
        // Pages arrive in order: almost always a push.
        let i = self.members.partition_point(|(p, _)| *p < at);
        self.members.insert(i, (at, first));
    }

    /// The group whose first offer is at `first`.
    pub fn group(&self, first: usize) -> Option<Group> {
        let (count, fen) = *self.multi.get(&u32::try_from(first).ok()?)?;
        Some(Group {
            count: count as usize,
            min_price: (fen != u64::MAX).then_some(Price(fen)),
        })
    }

    /// The first offer of the group the offer at `position` is listed under
    /// (`None` for an offer alone or a group's first).
    pub fn first_of(&self, position: usize) -> Option<usize> {
        let at = u32::try_from(position).ok()?;
        let i = self.members.binary_search_by_key(&at, |(p, _)| *p).ok()?;
        self.members.get(i).map(|(_, f)| *f as usize)
    }

    /// The offers of the group first at `first`, ascending, the first included.
    pub fn members(&self, first: usize) -> Vec<usize> {
        let mut all = vec![first];
        all.extend(
            self.members
                .iter()
                .filter(|(_, f)| *f as usize == first)
                .map(|(p, _)| *p as usize),
        );
        all
    }

    /// Grouped offers after their group's first, ascending.
    pub fn listed_under(&self) -> impl Iterator<Item = usize> + '_ {
        self.members.iter().map(|(p, _)| *p as usize)
    }

    /// Groups of two or more.
    pub fn len(&self) -> usize {
        self.multi.len()
    }

    pub fn is_empty(&self) -> bool {
        self.multi.is_empty()
    }
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
