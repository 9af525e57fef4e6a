//! Thumbnails: which picture the detail pane wants now, and asking for it
//! once.

use crate::app::layout;
use crate::app::msg::Effect;
use crate::app::state::{State, Subject, Thumb, ThumbKey, ThumbSource};
use crate::image::protocol::GraphicsProtocol;

/// A decoded thumbnail arrived.
pub(super) fn store(state: &mut State, key: ThumbKey, thumb: Thumb) {
    state.thumbs.insert(key, thumb);
}

/// The thumbnail the detail pane wants now, at its size.
fn wanted_thumb(state: &State) -> Option<ThumbKey> {
    let areas = layout::areas_of(state);
    if areas.detail.is_empty() || state.help.is_some() || state.crop.is_some() {
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
    let protocol = state.graphics;
    let (x, y) = if protocol == GraphicsProtocol::HalfBlocks {
        (0, 0)
    } else {
        (rect.x, rect.y)
    };
    Some(ThumbKey {
        source,
        x,
        y,
        cols: rect.width,
        rows: rect.height,
        protocol,
    })
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
