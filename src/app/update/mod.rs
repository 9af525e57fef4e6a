//! The pure state machine: `update(state, msg) -> effects`. No I/O here.
//! This file only routes: each message and each action goes to the file
//! of its concern.

mod batch;
mod crop;
pub(crate) mod detail;
mod export;
mod filters;
mod gallery;
mod history;
mod input;
mod landed;
mod links;
mod mouse;
mod navigation;
mod picker;
mod rows;
mod same;
mod screen;
mod search;
mod shortlist;
mod suppliers;
pub(crate) mod thumbs;
mod trail;
mod watches;
mod window;

use super::msg::{Effect, Msg};
use super::state::{Pane, SearchSource, State, Thumb};
use crate::keymap::Action;
use picker::list_dir;
use search::new_search;
use std::path::{Path, PathBuf};

/// Where the app starts, decided from the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    Dir(PathBuf),
    /// An image: list its directory, highlight it and search with it.
    File(PathBuf),
    Url(String),
}

/// First effects: list the start directory, maybe search.
pub fn init(state: &mut State, start: Start, cwd: PathBuf) -> Vec<Effect> {
    let mut fx = Vec::new();
    if let super::state::StoreStatus::On = state.store {
        fx.push(Effect::Store(super::msg::StoreOp::LoadPreferences));
        fx.push(Effect::Store(super::msg::StoreOp::LoadKeptApart(
            state.provider.clone(),
        )));
    }
    match start {
        Start::Dir(d) => fx.push(list_dir(state, d, None)),
        Start::File(f) => {
            let dir = f
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or(cwd, Path::to_path_buf);
            let name = f.file_name().map(|n| n.to_string_lossy().into_owned());
            fx.push(list_dir(state, dir, name));
            fx.extend(new_search(state, SearchSource::File(f)));
        }
        Start::Url(u) => {
            fx.push(list_dir(state, cwd, None));
            fx.extend(new_search(state, SearchSource::Url(u)));
        }
    }
    fx
}

pub fn update(state: &mut State, msg: Msg) -> Vec<Effect> {
    let mut fx = match msg {
        Msg::Action(a) => {
            state.notice = None;
            action(state, a)
        }
        Msg::Input(req) => input::input(state, req),
        Msg::Paste(text) => input::paste(state, &text),
        Msg::Mouse(m) => mouse::mouse(state, m),
        Msg::Resize(w, h) => navigation::resize(state, w, h),
        Msg::CellSize(cell) => {
            state.cell_size = cell;
            Vec::new()
        }
        Msg::Tick => {
            state.spinner = state.spinner.wrapping_add(1);
            detail::tick(state)
        }
        Msg::Listing {
            generation,
            entries,
            done,
            error,
        } => {
            picker::listing(state, generation, entries, done, error);
            Vec::new()
        }
        Msg::Resolved { generation, result } => search::resolved(state, generation, result),
        Msg::Recorded { generation, result } => search::recorded(state, generation, result),
        Msg::Page {
            generation,
            page,
            result,
            stored,
        } => search::page_reply(state, generation, page, result, stored),
        Msg::Offers { generation, pages } => {
            window::loaded(state, generation, pages);
            Vec::new()
        }
        Msg::History(result) => history::loaded(state, result),
        Msg::Batch(update) => batch::update(state, update),
        Msg::Reopened(result) => history::reopened(state, result),
        Msg::Shortlist(result) => shortlist::loaded(state, result),
        Msg::ResultsView(view) => gallery::remembered(state, view),
        Msg::Stored(result) => {
            match result {
                Ok(text) if !text.is_empty() => state.set_info(text),
                Ok(_) => {}
                Err(e) => state.set_error(format!("history: {e}")),
            }
            Vec::new()
        }
        Msg::CropLoaded { generation, result } => {
            crop::loaded(state, generation, result);
            Vec::new()
        }
        Msg::Thumb { key, thumb } => {
            thumbs::store(state, key, thumb);
            Vec::new()
        }
        Msg::Encoded { key, picture } => {
            let bytes = picture.byte_size();
            thumbs::store(state, key, Thumb::Encoded { bytes });
            Vec::new()
        }
        Msg::PicturesLost(keys) => {
            thumbs::lost(state, &keys);
            Vec::new()
        }
        Msg::Exported(result) => {
            export::exported(state, result);
            Vec::new()
        }
        Msg::Opened(result) => {
            links::opened(state, result);
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            vec![Effect::CancelSearch]
        }
        Msg::Detail { offer_id, result } => detail::arrived(state, offer_id, result),
        Msg::Freight { query, result } => landed::arrived(state, query, result),
        Msg::SellerAppearances { key, result } => {
            suppliers::appearances(state, key, result);
            Vec::new()
        }
        Msg::Signed {
            generation,
            position,
            signature,
        } => same::signed(state, generation, position, signature.map(|s| *s)),
        Msg::SigningDone { generation } => same::signing_done(state, generation),
        Msg::KeptApart(keys) => {
            same::kept_apart(state, keys);
            Vec::new()
        }
        Msg::Watches(result) => watches::loaded(state, result),
        Msg::WatchOpened(result) => watches::opened(state, result),
        Msg::WatchMade(result) => watches::made(state, result),
    };
    watches::sync_marks(state);
    fx.extend(detail::sync(state));
    fx.extend(suppliers::sync(state));
    fx.extend(window::sync(state));
    if let Some(e) = thumbs::sync_thumb(state) {
        fx.push(e);
    }
    if let Some(e) = thumbs::sync_prefetch(state) {
        fx.push(e);
    }
    fx
}

/// Routes a key's action: the help overlay and the picker's input lines
/// take keys first, then the focused pane decides.
fn action(state: &mut State, a: Action) -> Vec<Effect> {
    if a == Action::Quit {
        state.quit = true;
        return vec![Effect::CancelSearch];
    }
    if let Some(scroll) = state.help {
        navigation::scroll_help(state, scroll, a);
        return Vec::new();
    }
    if state.crop.is_some() {
        return crop::key(state, a);
    }
    if let Some(fx) = picker::input_line_key(state, a) {
        return fx;
    }
    if let Some(fx) = shortlist::input_line_key(state, a) {
        return fx;
    }
    match a {
        Action::Quit => Vec::new(),
        Action::Help => {
            state.help = Some(0);
            Vec::new()
        }
        Action::MoveUp => navigation::move_vertical(state, -1),
        Action::MoveDown => navigation::move_vertical(state, 1),
        Action::MoveLeft => navigation::move_sideways(state, -1),
        Action::MoveRight => navigation::move_sideways(state, 1),
        Action::ToggleGallery => gallery::toggle(state),
        Action::PageUp => navigation::page(state, -1),
        Action::PageDown => navigation::page(state, 1),
        Action::Top => navigation::move_cursor(state, isize::MIN / 2),
        Action::Bottom => navigation::move_cursor(state, isize::MAX / 2),
        Action::NextPane => navigation::cycle_pane(state, true),
        Action::PrevPane => navigation::cycle_pane(state, false),
        Action::FocusPicker => screen::focus(state, Pane::Picker),
        Action::FocusFilters => screen::focus(state, Pane::Filters),
        Action::FocusResults => screen::focus(state, Pane::Results),
        Action::FocusHistory => screen::focus(state, Pane::History),
        Action::FocusShortlist => screen::focus(state, Pane::Shortlist),
        Action::Open => match state.focus {
            Pane::Picker => picker::open_entry(state, false),
            Pane::Filters => filters::apply_filters(state),
            Pane::Results | Pane::Detail | Pane::Shortlist => links::open_link(state),
            Pane::History => history::reopen(state),
            Pane::Watches => watches::open(state),
        },
        Action::Search => {
            if state.focus == Pane::Picker {
                picker::open_entry(state, true)
            } else {
                Vec::new()
            }
        }
        Action::ParentDir => picker::parent_dir(state),
        Action::BatchDirectory => batch::start(state),
        Action::HomeDir => picker::home_dir(state),
        Action::ToggleHidden => picker::toggle_hidden(state),
        Action::FilterFiles if state.focus == Pane::Shortlist => shortlist::start_filter(state),
        Action::FilterFiles => picker::filter_files(state),
        Action::EnterPath => picker::enter_path(state),
        Action::ApplyFilters => filters::apply_filters(state),
        Action::CycleSort if state.focus == Pane::Shortlist => shortlist::cycle_sort(state),
        Action::CycleSort => filters::cycle_sort(state),
        Action::ToggleFlag => filters::toggle_flag(state),
        Action::ClearFilters => filters::clear_filters(state),
        Action::CopyLink => links::copy_link(state),
        Action::CopyTitle => links::copy_title(state),
        Action::OpenLink => links::open_link(state),
        Action::Export if state.focus == Pane::Shortlist => shortlist::export(state),
        Action::Export => export::export(state),
        Action::Star => shortlist::star(state),
        Action::EditNote => shortlist::edit_note(state),
        Action::CycleStatus => shortlist::cycle_status(state),
        Action::MoreLikeThis => trail::more_like_this(state),
        Action::Back => trail::back(state),
        Action::ToggleGrouping => {
            let mut fx = rows::toggle_grouping(state);
            fx.extend(same::grouping_toggled(state));
            fx
        }
        Action::ExpandGroup => rows::expand_group(state),
        Action::SplitGroup => same::split_group(state),
        Action::Refresh => history::refresh(state),
        Action::DeleteEntry => history::delete(state),
        Action::Retry if state.picker.error.is_some() && state.focus == Pane::Picker => {
            let dir = state.picker.dir.clone();
            vec![list_dir(state, dir, None)]
        }
        Action::Retry => history::retry(state),
        Action::Cancel => search::cancel(state),
        Action::Crop => crop::open(state),
        // The box's keys act only in crop mode.
        Action::CropLeft
        | Action::CropRight
        | Action::CropUp
        | Action::CropDown
        | Action::CropNarrower
        | Action::CropWider
        | Action::CropShorter
        | Action::CropTaller
        | Action::CropGrow
        | Action::CropShrink
        | Action::CropCentre
        | Action::CropReset
        | Action::CropNextSubject
        | Action::CropPrevSubject
        | Action::CropSearch => Vec::new(),
        Action::FetchDetail => detail::fetch_now(state),
        Action::NextPicture => detail::next_picture(state),
        Action::NextSku => landed::choose_sku(state, 1),
        Action::PrevSku => landed::choose_sku(state, -1),
        Action::ToggleCost => landed::toggle_cost_page(state),
        Action::SellerOffers => suppliers::seller_offers(state),
        Action::FocusWatches => watches::show(state),
        Action::WatchSearch => watches::watch_search(state),
    }
}

#[cfg(test)]
mod tests;
