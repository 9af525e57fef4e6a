//! Screen geometry: where each pane goes, how many list rows fit, where the
//! detail picture sits. Pure functions of the terminal size and the state;
//! `update` (paging, mouse hits) and `ui` (drawing) both read it.

use crate::app::state::{Pane, ResultsView, State};
use ratatui::layout::{Constraint, Layout, Rect};

/// Below this size one pane is shown at a time, with tabs.
const MIN_WIDE_WIDTH: u16 = 60;
const MIN_WIDE_HEIGHT: u16 = 16;

/// Where everything goes. Panes not shown have an empty rect.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Areas {
    pub tabs: Rect,
    pub picker: Rect,
    pub filters: Rect,
    pub results: Rect,
    pub detail: Rect,
    pub history: Rect,
    pub shortlist: Rect,
    pub status: Rect,
    pub watches: Rect,
    pub narrow: bool,
}

impl Areas {
    pub(crate) fn pane(&self, pane: Pane) -> Rect {
        match pane {
            Pane::Picker => self.picker,
            Pane::Filters => self.filters,
            Pane::Results => self.results,
            Pane::Detail => self.detail,
            Pane::History => self.history,
            Pane::Shortlist => self.shortlist,
            Pane::Watches => self.watches,
        }
    }

    /// The pane under a screen cell.
    pub(crate) fn pane_at(&self, col: u16, row: u16) -> Option<Pane> {
        let p = ratatui::layout::Position::new(col, row);
        ALL_PANES
            .into_iter()
            .find(|&pane| self.pane(pane).contains(p))
    }
}

const ALL_PANES: [Pane; 7] = [
    Pane::Picker,
    Pane::Filters,
    Pane::Results,
    Pane::Detail,
    Pane::History,
    Pane::Shortlist,
    Pane::Watches,
];

/// The panes in tab order for a layout: every pane as a tab when narrow;
/// in the wide layout the main place holds one of Results, History and
/// Shortlist, and tab moves through the panes on screen.
pub(crate) fn pane_order(narrow: bool, main: Pane) -> Vec<Pane> {
    if narrow {
        ALL_PANES.to_vec()
    } else {
        vec![Pane::Picker, Pane::Filters, main]
    }
}

/// The tab line of the narrow layout: each pane's title when all fit in
/// `width`; else the focused pane's title and the others' first letters.
pub(crate) fn tabs(width: u16, focus: Pane, main: Pane) -> Vec<(Pane, String)> {
    let order = pane_order(true, main);
    let full: Vec<(Pane, String)> = order
        .iter()
        .map(|p| (*p, format!(" {} ", p.title())))
        .collect();
    let total: usize = full.iter().map(|(_, t)| t.chars().count() + 1).sum();
    if total <= usize::from(width) {
        return full;
    }
    full.into_iter()
        .map(|(p, t)| {
            if p == focus {
                (p, t)
            } else {
                (p, format!(" {} ", p.title().chars().next().unwrap_or(' ')))
            }
        })
        .collect()
}

pub(crate) fn is_narrow(width: u16, height: u16) -> bool {
    width < MIN_WIDE_WIDTH || height < MIN_WIDE_HEIGHT
}

/// Splits the screen. Works at any size (zero-sized rects when tiny).
/// `tall_detail`: the detail pane takes more of the right side (its cost
/// page is open).
pub(crate) fn layout(area: Rect, focus: Pane, main: Pane, tall_detail: bool) -> Areas {
    let narrow = is_narrow(area.width, area.height);
    let [body, status] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    if narrow {
        let [tabs, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(body);
        let mut areas = Areas {
            tabs,
            status,
            narrow,
            ..Areas::default()
        };
        match focus {
            Pane::Picker => areas.picker = body,
            Pane::Filters => areas.filters = body,
            Pane::Results => areas.results = body,
            Pane::Detail => areas.detail = body,
            Pane::History => areas.history = body,
            Pane::Shortlist => areas.shortlist = body,
            Pane::Watches => areas.watches = body,
        }
        return areas;
    }
    let left_w = (area.width * 2 / 5).clamp(24, 44);
    let [left, right] =
        Layout::horizontal([Constraint::Length(left_w), Constraint::Min(0)]).areas(body);
    let filters_h = (left.height / 2).min(FILTERS_FULL_HEIGHT);
    let [picker, filters] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(filters_h)]).areas(left);
    let detail_h = if tall_detail {
        (right.height * 3 / 5).clamp(5, 26)
    } else {
        (right.height * 2 / 5).clamp(5, 14)
    };
    let [top, detail] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(detail_h)]).areas(right);
    let mut areas = Areas {
        tabs: Rect::default(),
        picker,
        filters,
        detail,
        status,
        narrow,
        ..Areas::default()
    };
    match main {
        Pane::History => areas.history = top,
        Pane::Shortlist => areas.shortlist = top,
        Pane::Watches => areas.watches = top,
        _ => areas.results = top,
    }
    areas
}

/// Rows of the filters pane plus its border.
const FILTERS_FULL_HEIGHT: u16 = 18;

/// Layout for the state's screen size.
pub(crate) fn areas_of(state: &State) -> Areas {
    layout(
        Rect::new(0, 0, state.width, state.height),
        state.focus,
        state.main,
        state.landed.cost_page,
    )
}

/// Rows available for list items inside a bordered pane.
pub(crate) fn inner_rows(rect: Rect) -> usize {
    usize::from(rect.height.saturating_sub(2))
}

/// Where the picture goes inside the detail pane (left part of the inner
/// area). Empty when the pane is too small for a picture and text.
pub(crate) fn picture_rect(area: Rect) -> Rect {
    if area.width < 24 || area.height < 4 {
        return Rect::default();
    }
    let inner = Rect::new(area.x + 1, area.y + 1, area.width - 2, area.height - 2);
    // Cells are about twice as tall as wide: a square picture of h rows is 2h
    // columns wide.
    let w = (inner.height.saturating_mul(2)).min(inner.width * 2 / 5);
    Rect::new(inner.x, inner.y, w, inner.height)
}

/// True when the picker shows an input line at its bottom.
pub(crate) fn picker_has_input_line(state: &State) -> bool {
    let p = &state.picker;
    p.path_input.is_some() || p.filter_active || !p.filter.value().is_empty()
}

/// Crop mode's places: the whole screen above the status line, the
/// picture inside its border, and the lines under the picture that say
/// what the box is and which keys do what.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct CropAreas {
    pub outer: Rect,
    pub picture: Rect,
    pub info: Rect,
}

pub(crate) fn crop_areas(state: &State) -> CropAreas {
    let outer = Rect::new(0, 0, state.width, state.height.saturating_sub(1));
    if outer.width < 3 || outer.height < 3 {
        return CropAreas {
            outer,
            ..CropAreas::default()
        };
    }
    let inner = Rect::new(1, 1, outer.width - 2, outer.height - 2);
    let info_h = match inner.height {
        16.. => 3,
        8.. => 2,
        _ => 1,
    }
    .min(inner.height);
    let [picture, info] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(info_h)]).areas(inner);
    CropAreas {
        outer,
        picture,
        info,
    }
}

/// Where the picture being cropped is drawn, and how cells map to its
/// pixels (half blocks: every terminal shows them, and the box is drawn
/// in the same cells).
pub(crate) fn crop_view(state: &State) -> Option<crate::app::crop::View> {
    let picture = state.crop.as_ref()?.picture.as_ref()?;
    crate::app::crop::fit(picture.size(), crop_areas(state).picture, crop_cell(state))
}

/// What a crop view's cell holds: kitty draws the picture itself, so a
/// cell is the terminal's cell in pixels; half blocks are two pixels.
pub(crate) fn crop_cell(state: &State) -> crate::app::crop::CellPixels {
    if state.graphics == crate::image::protocol::GraphicsProtocol::Kitty {
        crate::app::crop::CellPixels {
            w: u32::from(state.cell_size.width.max(1)),
            h: u32::from(state.cell_size.height.max(1)),
        }
    } else {
        crate::app::crop::CellPixels::HALF_BLOCKS
    }
}

/// kitty: the picture crop mode draws, at the view's cells.
pub(crate) fn crop_thumb(state: &State) -> Option<crate::app::state::ThumbKey> {
    if state.graphics != crate::image::protocol::GraphicsProtocol::Kitty {
        return None;
    }
    let crop = state.crop.as_ref()?;
    let view = crop_view(state)?;
    let source = match &crop.source {
        crate::app::state::SearchSource::File(p) => crate::app::state::ThumbSource::File(p.clone()),
        crate::app::state::SearchSource::Url(u) => crate::app::state::ThumbSource::Url(u.clone()),
    };
    Some(crate::app::state::ThumbKey {
        source,
        cols: view.area.width,
        rows: view.area.height,
        protocol: state.graphics,
    })
}

/// Rows for entries inside the picker pane.
pub(crate) fn picker_list_rows(rect: Rect, state: &State) -> usize {
    let rows = inner_rows(rect);
    if picker_has_input_line(state) {
        rows.saturating_sub(1)
    } else {
        rows
    }
}

/// Is the results' column header drawn, for a list `inner_rows` tall? Over
/// rows, when there is room for rows under it. `update` asks the same, so
/// paging and clicks agree with the screen.
pub(crate) fn header_shown(state: &State, inner_rows: usize) -> bool {
    state.results_view == ResultsView::List && !state.results.rows.is_empty() && inner_rows >= 3
}

/// Is the supplier filters' line ("312 of 2000 shown: factory") drawn
/// above the list, `inner_rows` tall? While a filter is on.
pub(crate) fn filter_line_shown(state: &State, inner_rows: usize) -> bool {
    state.results_view == ResultsView::List && state.suppliers.filter.is_on() && inner_rows > 1
}

/// Lines above the list's rows: the filters' line and the column header.
pub(crate) fn lines_above_rows(state: &State, inner_rows: usize) -> usize {
    let filter = usize::from(filter_line_shown(state, inner_rows));
    filter + usize::from(header_shown(state, inner_rows - filter))
}

/// The whole screen as a rect.
fn screen(state: &State) -> Rect {
    Rect::new(0, 0, state.width, state.height)
}

/// The rect a main pane has (or would have, when shown).
fn main_rect(state: &State, pane: Pane) -> Rect {
    layout(screen(state), pane, pane, state.landed.cost_page).pane(pane)
}

/// Visible rows of the results list; in the gallery, the cells on screen.
pub(crate) fn results_rows(state: &State) -> usize {
    if let Some(grid) = gallery_grid(state) {
        return grid.cells();
    }
    let rows = inner_rows(main_rect(state, Pane::Results));
    rows - lines_above_rows(state, rows)
}

/// The narrowest gallery cell: a 15-column picture, a gap, and room for
/// "¥1234.56 · 12k".
const GALLERY_MIN_CELL_WIDTH: u16 = 16;
/// The narrowest cell in a narrow pane (a 12-column picture).
const GALLERY_NARROW_CELL_WIDTH: u16 = 13;
/// Under the picture: the price line and the marks line.
const GALLERY_TEXT_ROWS: u16 = 2;

/// The results as a grid of pictures: where each cell is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GalleryGrid {
    /// Inside the results pane's frame.
    pub area: Rect,
    pub columns: usize,
    /// Rows of cells on screen.
    pub rows: usize,
    pub cell_width: u16,
    pub cell_height: u16,
    /// The picture's rows at the top of a cell (its width is the cell's
    /// less the gap).
    pub picture_rows: u16,
}

impl GalleryGrid {
    /// The grid for the inside of the results pane; the last line is left
    /// for the status ("loading page 3…", "— end of results —").
    pub(crate) fn for_area(area: Rect) -> GalleryGrid {
        let mut columns = (area.width / GALLERY_MIN_CELL_WIDTH).max(1);
        // A narrow pane shows three smaller pictures rather than two.
        if columns < 3 && area.width >= 3 * GALLERY_NARROW_CELL_WIDTH {
            columns = 3;
        }
        let cell_width = (area.width / columns).max(1);
        // Cells are about twice as tall as wide: a square picture of w
        // columns has w / 2 rows.
        let picture_cols = cell_width.saturating_sub(1).max(1);
        let room = area.height.saturating_sub(1 + GALLERY_TEXT_ROWS).max(1);
        let picture_rows = (picture_cols / 2).clamp(1, room);
        let cell_height = picture_rows + GALLERY_TEXT_ROWS;
        let rows = (area.height.saturating_sub(1) / cell_height).max(1);
        GalleryGrid {
            area,
            columns: usize::from(columns),
            rows: usize::from(rows),
            cell_width,
            cell_height,
            picture_rows,
        }
    }

    pub(crate) fn cells(&self) -> usize {
        self.columns * self.rows
    }

    /// Cell `slot` (0 at the top left, row by row) on screen.
    pub(crate) fn cell(&self, slot: usize) -> Rect {
        let (row, col) = (slot / self.columns.max(1), slot % self.columns.max(1));
        let x = self.area.x + self.cell_width * col as u16;
        let y = self.area.y + self.cell_height * row as u16;
        Rect::new(x, y, self.cell_width, self.cell_height).intersection(self.area)
    }

    /// Where cell `slot`'s picture goes.
    pub(crate) fn picture(&self, slot: usize) -> Rect {
        let cell = self.cell(slot);
        Rect::new(
            cell.x,
            cell.y,
            cell.width.saturating_sub(1).max(1),
            self.picture_rows.min(cell.height),
        )
    }

    /// The slot at a screen position, if a cell is there.
    pub(crate) fn slot_at(&self, col: u16, row: u16) -> Option<usize> {
        if !self.area.contains(ratatui::layout::Position::new(col, row)) {
            return None;
        }
        let c = usize::from((col - self.area.x) / self.cell_width.max(1));
        let r = usize::from((row - self.area.y) / self.cell_height.max(1));
        (c < self.columns && r < self.rows).then_some(r * self.columns + c)
    }
}

/// The thumbnail a gallery cell shows for `offer`: at the grid's picture
/// size, in the terminal's pictures (`protocol`).
pub(crate) fn gallery_thumb(
    offer: &crate::api::Offer,
    grid: &GalleryGrid,
    protocol: crate::image::protocol::GraphicsProtocol,
) -> Option<crate::app::state::ThumbKey> {
    let picture = grid.picture(0);
    Some(crate::app::state::ThumbKey {
        source: crate::app::state::ThumbSource::Url(offer.thumbnail_url()?),
        cols: picture.width,
        rows: picture.height,
        protocol,
    })
}

/// The gallery's grid, when the results are shown as one.
pub(crate) fn gallery_grid(state: &State) -> Option<GalleryGrid> {
    if state.results_view != ResultsView::Gallery {
        return None;
    }
    let pane = main_rect(state, Pane::Results);
    if pane.width < 4 || pane.height < 4 {
        return None;
    }
    let inner = Rect::new(pane.x + 1, pane.y + 1, pane.width - 2, pane.height - 2);
    Some(GalleryGrid::for_area(inner))
}

/// Visible rows of the picker list.
pub(crate) fn picker_rows(state: &State) -> usize {
    let rect = layout(
        screen(state),
        Pane::Picker,
        state.main,
        state.landed.cost_page,
    )
    .picker;
    picker_list_rows(rect, state)
}

/// Visible rows of the filters list.
pub(crate) fn filters_rows(state: &State) -> usize {
    inner_rows(
        layout(
            screen(state),
            Pane::Filters,
            state.main,
            state.landed.cost_page,
        )
        .filters,
    )
}

/// Visible rows of the history list.
pub(crate) fn history_rows(state: &State) -> usize {
    inner_rows(main_rect(state, Pane::History))
}

/// Visible rows of the watches' list (one line under the border is its
/// header).
pub(crate) fn watches_rows(state: &State) -> usize {
    inner_rows(main_rect(state, Pane::Watches)).saturating_sub(1)
}

/// Visible rows of the shortlist (one line under the border is its header).
pub(crate) fn shortlist_rows(state: &State) -> usize {
    inner_rows(main_rect(state, Pane::Shortlist)).saturating_sub(1)
}
