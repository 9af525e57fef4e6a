//! The filters pane's state: its text fields, sort and flags, and the rows
//! they make, top to bottom.

use crate::api::{FilterFlag, FilterGroup, Sort, SortField, SortOrder};
use tui_input::Input;

/// The sorts `cycle_sort` goes through; `None` is relevance.
pub const SORTS: [Option<Sort>; 5] = [
    None,
    Some(Sort::new(SortField::Price, SortOrder::Asc)),
    Some(Sort::new(SortField::Price, SortOrder::Desc)),
    Some(Sort::new(SortField::MonthSold, SortOrder::Desc)),
    Some(Sort::new(SortField::RePurchaseRate, SortOrder::Desc)),
];

pub fn sort_label(sort: Option<Sort>) -> &'static str {
    sort.map_or("relevance", Sort::label)
}

/// The sort choice after the provider's [`SORTS`]: the results ordered here
/// by their unit cost at the quantity (the provider ranks by relevance).
pub const UNIT_COST_SORT: usize = SORTS.len();
/// The next: ordered here by their landed cost at the quantity by the lane.
pub const LANDED_COST_SORT: usize = SORTS.len() + 1;
/// Sort choices `cycle_sort` goes through: the provider's, then the local
/// ones.
pub const SORT_CHOICES: usize = SORTS.len() + 2;

/// The label of sort choice `i`.
pub fn sort_choice_label(i: usize) -> &'static str {
    match i {
        UNIT_COST_SORT => "unit cost at qty",
        LANDED_COST_SORT => "landed cost at qty",
        _ => sort_label(SORTS.get(i).copied().flatten()),
    }
}

/// The local sort a sort choice names.
pub fn local_sort(choice: usize) -> crate::app::state::LocalSort {
    use crate::app::state::LocalSort;
    match choice {
        UNIT_COST_SORT => LocalSort::UnitCost,
        LANDED_COST_SORT => LocalSort::LandedCost,
        _ => LocalSort::Provider,
    }
}

/// Rows of the filters pane, top to bottom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterRow {
    Field(FilterField),
    Sort,
    /// A heading above a group of flags; the cursor passes over it.
    Group(FilterGroup),
    /// Index into `FilterFlag::KNOWN`.
    Flag(usize),
    /// The heading of the supplier filters (local: nothing is sent).
    SupplierHeading,
    /// Only offers of sellers that say they are factories.
    FactoryOnly,
    /// Whether offers a supplier filter cannot judge are shown.
    Unknowns,
}

impl FilterRow {
    /// A heading: the cursor passes over it.
    pub fn is_heading(self) -> bool {
        matches!(self, FilterRow::Group(_) | FilterRow::SupplierHeading)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterField {
    MinPrice,
    MaxPrice,
    Category,
    PageSize,
    /// The quantity unit costs are worked out at (local: not sent).
    Quantity,
    /// The freight lane landed costs are worked out by (local: not sent).
    Lane,
    /// Words that narrow the image search (the provider's `keyword`).
    Words,
    /// Supplier filters (local): at least this many years on 1688…
    MinYears,
    /// …48-hour pickup at least this percent…
    MinPickup,
    /// …quality refunds at most this percent.
    MaxRefunds,
}

/// The filters' text fields.
pub const FIELDS: usize = 10;

impl FilterField {
    pub const ALL: [FilterField; FIELDS] = [
        FilterField::MinPrice,
        FilterField::MaxPrice,
        FilterField::Category,
        FilterField::PageSize,
        FilterField::Quantity,
        FilterField::Lane,
        FilterField::Words,
        FilterField::MinYears,
        FilterField::MinPickup,
        FilterField::MaxRefunds,
    ];

    pub(crate) fn label(self) -> &'static str {
        match self {
            FilterField::MinPrice => "min price",
            FilterField::MaxPrice => "max price",
            FilterField::Category => "category",
            FilterField::PageSize => "page size",
            FilterField::Quantity => "quantity",
            FilterField::Lane => "lane",
            FilterField::Words => "words",
            FilterField::MinYears => "years ≥",
            FilterField::MinPickup => "48h pick≥%",
            FilterField::MaxRefunds => "refunds≤%",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// The filters pane: text fields, sort and flags. Values persist across
/// searches; `params` is the last valid set (what searches use).
#[derive(Debug)]
pub struct FiltersState {
    pub fields: [Input; FIELDS],
    pub errors: [Option<String>; FIELDS],
    /// The lanes the user set (config.toml; demo mode's examples): what the
    /// lane field accepts.
    pub lanes: Vec<String>,
    pub sort: usize,
    pub flags: Vec<bool>,
    /// The supplier filters' toggles (the text ones are fields).
    pub factory_only: bool,
    pub unknowns: crate::app::state::Unknowns,
    pub cursor: usize,
    pub offset: usize,
}

impl FiltersState {
    /// The pane showing `params`, cursor at the top.
    pub fn from_params(params: &crate::api::SearchParams) -> FiltersState {
        let mut fields: [Input; FIELDS] = Default::default();
        if let Some(p) = params.price_start {
            fields[0] = Input::new(p.to_string());
        }
        if let Some(p) = params.price_end {
            fields[1] = Input::new(p.to_string());
        }
        if let Some(c) = params.category_id {
            fields[2] = Input::new(c.to_string());
        }
        fields[3] = Input::new(params.effective_page_size().to_string());
        if let Some(w) = params.keyword.as_deref() {
            fields[FilterField::Words.index()] = Input::new(w.to_string());
        }
        let sort = SORTS.iter().position(|s| *s == params.sort).unwrap_or(0);
        let flags = FilterFlag::KNOWN
            .iter()
            .map(|f| params.filters.contains(f))
            .collect();
        FiltersState {
            fields,
            errors: Default::default(),
            lanes: Vec::new(),
            sort,
            flags,
            factory_only: false,
            unknowns: Default::default(),
            cursor: 0,
            offset: 0,
        }
    }

    pub fn rows() -> usize {
        FIXED_FILTER_ROWS + flag_rows().count()
    }

    pub fn row(index: usize) -> FilterRow {
        match index {
            0 => FilterRow::Field(FilterField::MinPrice),
            1 => FilterRow::Field(FilterField::MaxPrice),
            2 => FilterRow::Sort,
            3 => FilterRow::Field(FilterField::Category),
            4 => FilterRow::Field(FilterField::PageSize),
            5 => FilterRow::Field(FilterField::Quantity),
            6 => FilterRow::Field(FilterField::Lane),
            7 => FilterRow::Field(FilterField::Words),
            8 => FilterRow::SupplierHeading,
            9 => FilterRow::FactoryOnly,
            10 => FilterRow::Field(FilterField::MinYears),
            11 => FilterRow::Field(FilterField::MinPickup),
            12 => FilterRow::Field(FilterField::MaxRefunds),
            13 => FilterRow::Unknowns,
            n => flag_rows()
                .nth(n - FIXED_FILTER_ROWS)
                .unwrap_or(FilterRow::Flag(FilterFlag::KNOWN.len().saturating_sub(1))),
        }
    }

    pub(crate) fn current_row(&self) -> FilterRow {
        Self::row(self.cursor)
    }

    /// The field under the cursor, if the cursor is on a text field.
    pub(crate) fn current_field(&self) -> Option<FilterField> {
        match self.current_row() {
            FilterRow::Field(f) => Some(f),
            _ => None,
        }
    }

    pub(crate) fn has_errors(&self) -> bool {
        self.errors.iter().any(Option::is_some)
    }
}

/// Rows above the flags: min, max, sort, category, page size, quantity,
/// lane, words, then the supplier filters under their heading.
const FIXED_FILTER_ROWS: usize = 14;

/// The flag rows: each group's heading, then its flags.
fn flag_rows() -> impl Iterator<Item = FilterRow> {
    let mut last = None;
    FilterFlag::KNOWN
        .iter()
        .enumerate()
        .flat_map(move |(i, flag)| {
            let group = flag.group();
            let heading = (group != last).then_some(group).flatten();
            last = group;
            heading
                .map(FilterRow::Group)
                .into_iter()
                .chain(std::iter::once(FilterRow::Flag(i)))
        })
}
