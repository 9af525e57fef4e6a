//! Thumbnails: which picture the detail pane wants now, and asking for it
//! once; and the pictures of the rows around the cursor, fetched before
//! they are wanted.

use crate::app::layout;
use crate::app::msg::Effect;
use crate::app::state::{Pane, State, Subject, Thumb, ThumbKey, ThumbSource};

/// A decoded thumbnail arrived.
pub(super) fn store(state: &mut State, key: ThumbKey, thumb: Thumb) {
    state.thumbs.insert(key, thumb);
}

/// The display lost these pictures' bytes: forget them, so that the
/// windows ask for them again.
pub(super) fn lost(state: &mut State, keys: &[ThumbKey]) {
    for key in keys {
        state.thumbs.remove(key);
    }
    if state
        .wanted_thumb
        .as_ref()
        .is_some_and(|k| keys.contains(k))
    {
        state.wanted_thumb = None;
    }
    if keys.iter().any(|k| state.thumb_prefetch.contains(k)) {
        state.thumb_prefetch.clear();
    }
}

/// Whether `msg` is a picture fetched ahead for a row that is not the one
/// the detail pane shows: storing it changes nothing on screen (the frame
/// and the graphics protocol read only the wanted picture), so the loop
/// need not draw a frame for it. The rows around the cursor arrive by the
/// dozen while the user moves, and each needless frame would hold the UI
/// thread when a key comes. Asked before `update`; the loop also draws if
/// the wanted picture was in the cache before and is not after (evicted).
/// In the gallery, the pictures of the cells on screen are drawn too.
pub(crate) fn changes_nothing_on_screen(state: &State, msg: &crate::app::Msg) -> bool {
    match msg {
        crate::app::Msg::Thumb { key, .. } | crate::app::Msg::Encoded { key, .. } => {
            state.wanted_thumb.as_ref() != Some(key) && !on_a_gallery_cell(state, key)
        }
        _ => false,
    }
}

/// Whether `key` is the picture of a gallery cell on screen.
fn on_a_gallery_cell(state: &State, key: &ThumbKey) -> bool {
    gallery_cells_on_screen(state).is_some_and(|mut cells| cells.any(|k| k.as_ref() == Some(key)))
}

/// In the gallery: whether every cell on screen has its picture (or knows
/// it has none). `false` outside the gallery.
pub(crate) fn gallery_screen_complete(state: &State) -> bool {
    gallery_cells_on_screen(state)
        .is_some_and(|mut cells| cells.all(|k| k.is_none_or(|k| state.thumbs.contains(&k))))
}

/// In the gallery: the picture of each cell on screen (`None`: its offer
/// has none, or is not loaded); `None` outside the gallery.
fn gallery_cells_on_screen(state: &State) -> Option<impl Iterator<Item = Option<ThumbKey>> + '_> {
    let grid = layout::gallery_grid(state)?;
    let r = &state.results;
    Some(r.rows_from(r.offset, grid.cells()).map(move |(_, row)| {
        r.offers
            .get(row.offer)
            .and_then(|o| layout::gallery_thumb(o, &grid, state.graphics))
    }))
}

/// Whether the detail pane's picture is in the cache (drawn rather than
/// its spinner).
pub(crate) fn wanted_shown(state: &State) -> bool {
    state
        .wanted_thumb
        .as_ref()
        .is_some_and(|k| state.thumbs.contains(k))
}

/// The thumbnail the detail pane wants now, at its size.
fn wanted_thumb(state: &State) -> Option<ThumbKey> {
    if state.help.is_some() {
        return None;
    }
    if state.crop.is_some() {
        return layout::crop_thumb(state);
    }
    let areas = layout::areas_of(state);
    if areas.detail.is_empty() {
        return None;
    }
    let rect = layout::picture_rect(areas.detail);
    if rect.width < 2 || rect.height < 1 {
        return None;
    }
    let source = match state.subject() {
        Subject::File(e) => ThumbSource::File(e.path.clone()),
        Subject::Offer(o) => ThumbSource::Url(super::detail::picture_url(state, o)?),
        Subject::Search(s) if s.has_thumbnail => ThumbSource::Stored(s.id),
        Subject::Search(_) => return None,
        Subject::None => return None,
    };
    if let Some(key) = gallery_cell_picture(state, &source) {
        return Some(key);
    }
    Some(ThumbKey {
        source,
        cols: rect.width,
        rows: rect.height,
        protocol: state.graphics,
    })
}

/// In a kitty gallery, Detail shows the selected cell's own picture, which
/// the terminal already has, enlarged by its placement: moving the cursor
/// then sends no picture at all (the next picture key still fetches the
/// offer's others at Detail's size).
fn gallery_cell_picture(state: &State, source: &ThumbSource) -> Option<ThumbKey> {
    if state.graphics != crate::image::protocol::GraphicsProtocol::Kitty
        || state.main != Pane::Results
    {
        return None;
    }
    let Subject::Offer(offer) = state.subject() else {
        return None;
    };
    let grid = layout::gallery_grid(state)?;
    let key = layout::gallery_thumb(offer, &grid, state.graphics)?;
    (key.source == *source).then_some(key)
}

pub(super) fn sync_thumb(state: &mut State) -> Option<Effect> {
    let want = wanted_thumb(state);
    let changed = want != state.wanted_thumb;
    state.wanted_thumb = want.clone();
    let key = want?;
    if state.thumbs.contains(&key) {
        state.thumbs.touch(&key);
        return None;
    }
    changed.then_some(Effect::LoadThumb(key))
}

/// The pictures of the rows a screen above and a screen below the cursor,
/// at the size the detail pane wants, nearest first (below before above:
/// people read down). Empty unless the detail pane shows a results row.
fn prefetch_window(state: &State) -> Vec<ThumbKey> {
    let Some(want) = &state.wanted_thumb else {
        return Vec::new();
    };
    let results = &state.results;
    let showing_results = state.main == Pane::Results
        && matches!(
            (state.subject(), results.selected()),
            (Subject::Offer(a), Some(b)) if std::ptr::eq(a, b)
        );
    if !showing_results {
        return Vec::new();
    }
    let screen = layout::results_rows(state).max(1);
    let cursor = results.cursor;
    let rows = (1..=screen).flat_map(|d| [cursor.checked_add(d), cursor.checked_sub(d)]);
    let mut keys: Vec<ThumbKey> = Vec::new();
    for i in rows.flatten() {
        let Some(url) = results
            .rows
            .get(i)
            .and_then(|&p| results.offers.get(p as usize))
            .and_then(|o| o.thumbnail_url())
        else {
            continue;
        };
        let key = ThumbKey {
            source: ThumbSource::Url(url),
            ..want.clone()
        };
        if key != *want && !keys.contains(&key) {
            keys.push(key);
        }
    }
    keys
}

/// In the gallery: the pictures of the cells on screen, then of the next
/// screen and of the screen before, the one in the direction of the last
/// scroll first.
fn gallery_window(state: &State) -> Option<Vec<ThumbKey>> {
    let grid = layout::gallery_grid(state)?;
    if state.main != Pane::Results || state.help.is_some() || state.crop.is_some() {
        return None;
    }
    let r = &state.results;
    let cells = grid.cells();
    let on_screen = r.offset..r.offset.saturating_add(cells);
    let next = on_screen.end..on_screen.end.saturating_add(cells);
    let before = r.offset.saturating_sub(cells)..r.offset;
    // The screen the user is heading to comes second: paging up fetches
    // the screen above before the one below (nearest row first).
    let order: Vec<usize> = if r.scrolled_up {
        on_screen.chain(before.rev()).chain(next).collect()
    } else {
        on_screen.chain(next).chain(before).collect()
    };
    let mut keys: Vec<ThumbKey> = Vec::new();
    // Rows of one group share a picture: drop repeats in linear time (this
    // runs after every message in the gallery, keys included).
    let mut seen = std::collections::HashSet::new();
    for i in order {
        let Some(key) = r
            .rows
            .get(i)
            .and_then(|&p| r.offers.get(p as usize))
            .and_then(|o| layout::gallery_thumb(o, &grid, state.graphics))
        else {
            continue;
        };
        // A hash seen before is a repeat unless it is a collision.
        if seen.insert(hash_of(&key)) || !keys.contains(&key) {
            keys.push(key);
        }
    }
    Some(keys)
}

fn hash_of(key: &ThumbKey) -> u64 {
    use std::hash::{BuildHasher, BuildHasherDefault};
    BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default().hash_one(key)
}

/// Asks for the pictures around the cursor when that window changes (the
/// cursor moved, a page arrived, the pane resized); an empty list cancels
/// what is in flight (the cursor left the results).
pub(super) fn sync_prefetch(state: &mut State) -> Option<Effect> {
    let window = gallery_window(state).unwrap_or_else(|| prefetch_window(state));
    if window == state.thumb_prefetch {
        return None;
    }
    let todo = window
        .iter()
        .filter(|k| !state.thumbs.contains(k))
        .cloned()
        .collect();
    state.thumb_prefetch = window;
    Some(Effect::PrefetchThumbs(todo))
}
