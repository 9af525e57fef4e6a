//! `update` tests for the gallery: switching to it (and remembering it),
//! moving in two dimensions, paging, loading ahead as the cursor moves,
//! the mouse, and the pictures fetched for the cells.

use super::*;
use crate::app::layout::{GalleryGrid, gallery_grid};
use crate::app::msg::{MouseMsg, StoreOp};
use crate::app::state::ResultsView;

/// A 200×60 screen with a search of `pages` pages of 20 loaded, shown
/// as a gallery.
fn gallery(pages: u32, total_pages: u32) -> (State, GalleryGrid) {
    let mut s = state();
    s.width = 200;
    s.height = 60;
    searching(&mut s);
    for n in 1..=pages {
        arrive(&mut s, n, total_pages);
    }
    act(&mut s, Action::FocusResults);
    let fx = act(&mut s, Action::ToggleGallery);
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::Store(StoreOp::SetPreference(name, value))
                if name == "results_view" && value == "gallery"
        )),
        "the choice is remembered: {fx:?}"
    );
    let grid = gallery_grid(&s).expect("a gallery");
    (s, grid)
}

#[test]
fn the_grid_fits_the_pane() {
    let (s, grid) = gallery(1, 10);
    assert_eq!(s.results_view, ResultsView::Gallery);
    assert!(grid.columns >= 5 && grid.rows >= 3, "{grid:?}");
    assert!(grid.cell_width >= 16);
    // Every cell is inside the pane, none overlapping the next.
    for slot in 0..grid.cells() {
        let cell = grid.cell(slot);
        assert_eq!(cell.intersection(grid.area), cell, "slot {slot}");
        assert_eq!(grid.slot_at(cell.x, cell.y), Some(slot));
    }
    // The list's column header is not drawn over the grid.
    assert_eq!(results_rows(&s), grid.cells());
}

#[test]
fn the_cursor_moves_in_two_dimensions() {
    let (mut s, grid) = gallery(3, 3);
    let columns = grid.columns;
    act(&mut s, Action::MoveRight);
    assert_eq!(s.results.cursor, 1);
    act(&mut s, Action::MoveDown);
    assert_eq!(s.results.cursor, 1 + columns, "down a row of pictures");
    act(&mut s, Action::MoveLeft);
    assert_eq!(s.results.cursor, columns);
    act(&mut s, Action::MoveUp);
    assert_eq!(s.results.cursor, 0);
    // At the edges the cursor stays.
    act(&mut s, Action::MoveLeft);
    act(&mut s, Action::MoveUp);
    assert_eq!(s.results.cursor, 0);
    // A page is a screen of cells; the offset stays a row's first cell.
    act(&mut s, Action::PageDown);
    assert_eq!(s.results.cursor, grid.cells());
    assert_eq!(s.results.offset % columns, 0);
    assert!(s.results.offset <= s.results.cursor);
    assert!(s.results.cursor < s.results.offset + grid.cells());
    act(&mut s, Action::PageUp);
    assert_eq!(s.results.cursor, 0);
    act(&mut s, Action::Bottom);
    assert_eq!(s.results.cursor, 59);
    assert_eq!(s.results.offset % columns, 0);
    assert!(s.results.cursor < s.results.offset + grid.cells());
    act(&mut s, Action::Top);
    assert_eq!((s.results.cursor, s.results.offset), (0, 0));
    // Back to the list: the cursor is on the same offer.
    act(&mut s, Action::MoveRight);
    act(&mut s, Action::MoveRight);
    let chosen = s.results.selected().cloned();
    act(&mut s, Action::ToggleGallery);
    assert_eq!(s.results_view, ResultsView::List);
    assert_eq!(s.results.selected().cloned(), chosen);
    // Left and right do nothing in the list.
    act(&mut s, Action::MoveRight);
    assert_eq!(s.results.cursor, 2);
}

#[test]
fn pages_load_ahead_as_the_cursor_moves_down_the_grid() {
    let (mut s, grid) = gallery(2, 10);
    // Moving down row by row asks for each next page once, before the
    // cursor reaches the last loaded cell, and the selection crosses pages.
    let mut asked = Vec::new();
    for _ in 0..12 {
        let fx = act(&mut s, Action::MoveDown);
        asked.extend(fetches(&fx));
        if let Some(p) = s.results.inflight {
            arrive(&mut s, p, 10);
        }
        assert!(s.results.cursor < s.results.rows.len());
    }
    assert!(!asked.is_empty());
    let mut sorted = asked.clone();
    sorted.dedup();
    assert_eq!(asked, sorted, "each page asked for once");
    assert_eq!(s.results.cursor, 12 * grid.columns);
    let page = s.results.cursor / 20 + 1;
    assert!(page >= 3, "the selection is on page {page}");
    assert_eq!(
        s.results.selected().and_then(|o| o.offer_id.clone()),
        Some(format!("{}", 600_000 + s.results.cursor))
    );
}

#[test]
fn a_click_selects_a_cell_and_the_wheel_scrolls_rows() {
    let (mut s, grid) = gallery(3, 3);
    let cell = grid.cell(grid.columns + 2);
    update(
        &mut s,
        Msg::Mouse(MouseMsg::Click {
            col: cell.x + 1,
            row: cell.y + 1,
        }),
    );
    assert_eq!(s.results.cursor, grid.columns + 2);
    update(
        &mut s,
        Msg::Mouse(MouseMsg::ScrollDown {
            col: cell.x,
            row: cell.y,
        }),
    );
    assert_eq!(s.results.cursor, 2 * grid.columns + 2);
    update(
        &mut s,
        Msg::Mouse(MouseMsg::ScrollUp {
            col: cell.x,
            row: cell.y,
        }),
    );
    assert_eq!(s.results.cursor, grid.columns + 2);
}

#[test]
fn the_cells_pictures_are_fetched_on_screen_first_then_the_next_screen() {
    let (mut s, grid) = gallery(3, 3);
    let fx = update(&mut s, Msg::Tick);
    let _ = fx;
    let window = s.thumb_prefetch.clone();
    let first_cells: Vec<ThumbSource> = (0..grid.cells().min(60))
        .map(|i| ThumbSource::Url(format!("http://img/{i}.jpg")))
        .collect();
    let sources: Vec<ThumbSource> = window.iter().map(|k| k.source.clone()).collect();
    assert_eq!(&sources[..first_cells.len()], &first_cells[..]);
    assert!(
        window
            .iter()
            .all(|k| k.protocol == GraphicsProtocol::HalfBlocks
                && k.cols + 1 == grid.cell_width
                && k.rows == grid.picture_rows)
    );
    // The next screen's pictures follow the screen's.
    assert_eq!(
        sources.get(first_cells.len()),
        Some(&ThumbSource::Url(format!(
            "http://img/{}.jpg",
            grid.cells()
        )))
    );
    // A cell's picture arriving is drawn (a frame); the next screen's
    // pictures, fetched ahead, are not.
    use crate::app::update::thumbs::changes_nothing_on_screen;
    let failed = || Thumb::Failed(crate::app::errors::PictureError::Encode("test".into()));
    let ahead = window[first_cells.len()].clone();
    let on_screen = |key: &ThumbKey| Msg::Thumb {
        key: key.clone(),
        thumb: failed(),
    };
    assert!(!changes_nothing_on_screen(&s, &on_screen(&window[1])));
    assert!(changes_nothing_on_screen(&s, &on_screen(&ahead)));
    // A picture that arrives is kept for its cell.
    let key = window[0].clone();
    update(
        &mut s,
        Msg::Thumb {
            key: key.clone(),
            thumb: Thumb::Failed(crate::app::errors::PictureError::Encode("test".into())),
        },
    );
    assert!(s.thumbs.contains(&key));
}

#[test]
fn the_remembered_view_is_applied_at_start() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 2);
    update(&mut s, Msg::ResultsView(Some(ResultsView::Gallery)));
    assert_eq!(s.results_view, ResultsView::Gallery);
    update(&mut s, Msg::ResultsView(None));
    assert_eq!(
        s.results_view,
        ResultsView::Gallery,
        "nothing remembered: as it is"
    );
    // The start asks the store for it.
    let mut s = state();
    let fx = init(
        &mut s,
        Start::Dir(PathBuf::from("/tmp")),
        PathBuf::from("/tmp"),
    );
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Store(StoreOp::LoadPreferences)))
    );
}

/// In kitty, a cell's picture is encoded for the display, the state keeps
/// only its key and size, and a picture whose bytes the display lost is
/// fetched again.
#[test]
fn protocol_pictures_are_keys_in_the_state_and_lost_ones_are_fetched_again() {
    let (mut s, grid) = gallery(3, 3);
    s.graphics = GraphicsProtocol::Kitty;
    let fx = update(&mut s, Msg::Tick);
    let asked: Vec<ThumbKey> = fx
        .iter()
        .find_map(|e| match e {
            Effect::PrefetchThumbs(keys) => Some(keys.clone()),
            _ => None,
        })
        .expect("the kitty pictures are asked for");
    assert!(asked.iter().all(|k| k.protocol == GraphicsProtocol::Kitty));
    let key = asked[0].clone();
    let msg = Msg::encoded_blank(&key);
    let Msg::Encoded { picture, .. } = &msg else {
        unreachable!()
    };
    let bytes = picture.byte_size();
    update(&mut s, msg);
    assert!(matches!(s.thumbs.get(&key), Some(Thumb::Encoded { bytes: b }) if *b == bytes));
    assert_eq!(key.cols + 1, grid.cell_width);
    // Detail shows the selected cell's picture (enlarged by kitty): the
    // same key, nothing more to fetch or send as the cursor moves.
    let selected = s.results.selected().and_then(|o| o.thumbnail_url());
    assert_eq!(
        s.wanted_thumb.as_ref().map(|k| (&k.source, k.cols)),
        selected
            .map(ThumbSource::Url)
            .as_ref()
            .map(|u| (u, key.cols))
    );
    // The display lost it: it is asked for again.
    let fx = update(&mut s, Msg::PicturesLost(vec![key.clone()]));
    assert!(!s.thumbs.contains(&key));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::PrefetchThumbs(keys) if keys.contains(&key))),
        "{fx:?}"
    );
}

/// Paging up fetches the screen above before the one below, nearest row
/// first; paging down again turns it back.
#[test]
fn the_screen_ahead_is_the_one_in_the_direction_of_the_scroll() {
    let (mut s, grid) = gallery(5, 5);
    let cells = grid.cells();
    let url = |k: &ThumbKey| match &k.source {
        ThumbSource::Url(u) => u.clone(),
        other => panic!("{other:?}"),
    };
    act(&mut s, Action::PageDown);
    act(&mut s, Action::PageDown);
    let down_offset = s.results.offset;
    assert!(down_offset >= cells, "{down_offset}");
    assert!(!s.results.scrolled_up);
    let after_screen = url(&s.thumb_prefetch[cells]);
    assert_eq!(
        after_screen,
        format!("http://img/{}.jpg", down_offset + cells)
    );
    act(&mut s, Action::PageUp);
    assert!(s.results.scrolled_up);
    let offset = s.results.offset;
    assert!(offset < down_offset);
    assert!(offset > 0, "a screen above to fetch");
    // The cell just above the screen comes right after the screen's.
    assert_eq!(
        url(&s.thumb_prefetch[cells]),
        format!("http://img/{}.jpg", offset - 1)
    );
    act(&mut s, Action::PageDown);
    assert!(!s.results.scrolled_up);
}
