//! The pure state machine: `update(state, msg) -> effects`. No I/O here.

use super::Action;
use super::msg::{Effect, Failure, FailureKind, MouseMsg, Msg};
use super::state::{
    Failed, FilterField, FilterRow, FiltersState, Pane, Phase, PickerState, SORTS, SearchSource,
    State, Subject, ThumbKey, ThumbSource, sort_label,
};
use crate::api::MAX_PAGE_SIZE;
use crate::api::{FilterFlag, NO_OFFER_LINK, OfferLink, Price, SearchParams};
use crate::image::protocol::GraphicsProtocol;
use crate::ui;
use std::path::{Path, PathBuf};
use tui_input::{Input, InputRequest};

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
        Msg::Input(req) => input(state, req),
        Msg::Paste(text) => paste(state, &text),
        Msg::Mouse(m) => mouse(state, m),
        Msg::Resize(w, h) => {
            state.width = w;
            state.height = h;
            if !ui::is_narrow(w, h) && state.focus == Pane::Detail {
                state.focus = Pane::Results;
            }
            scroll_into_view(state);
            maybe_fetch(state).into_iter().collect()
        }
        Msg::Tick => {
            state.spinner = state.spinner.wrapping_add(1);
            Vec::new()
        }
        Msg::Listing {
            generation,
            entries,
            done,
            error,
        } => {
            listing(state, generation, entries, done, error);
            Vec::new()
        }
        Msg::Resolved { generation, result } => resolved(state, generation, result),
        Msg::Page {
            generation,
            page,
            result,
        } => page_reply(state, generation, page, result),
        Msg::Thumb { key, thumb } => {
            state.thumbs.insert(key, thumb);
            Vec::new()
        }
        Msg::Exported(result) => {
            match result {
                Ok((csv, json)) => {
                    let n = state.results.offers.len();
                    let text = match (csv.to_str(), json.to_str()) {
                        (Some(c), Some(j))
                            if c.strip_suffix(".csv").is_some()
                                && c.strip_suffix(".csv") == j.strip_suffix(".json") =>
                        {
                            format!(
                                "Exported {n} rows: {}.{{csv,json}}",
                                c.trim_end_matches(".csv")
                            )
                        }
                        _ => format!(
                            "Exported {n} rows: {} and {}",
                            csv.display(),
                            json.display()
                        ),
                    };
                    state.set_info(text);
                }
                Err(e) => state.set_error(format!("Export failed: {e}")),
            }
            Vec::new()
        }
        Msg::Opened(result) => {
            match result {
                Ok(link) => state.set_info(format!("Opened {link}")),
                Err(e) => state.set_error(format!(
                    "Could not open a browser: {e} — press {} to copy the link",
                    state.key_hint(crate::keymap::KeyContext::Results, Action::CopyLink)
                )),
            }
            Vec::new()
        }
        Msg::Terminate => {
            state.quit = true;
            vec![Effect::CancelSearch]
        }
    };
    if let Some(e) = sync_thumb(state) {
        fx.push(e);
    }
    fx
}

// ---------------------------------------------------------------------------
// Actions
// ---------------------------------------------------------------------------

fn action(state: &mut State, a: Action) -> Vec<Effect> {
    if a == Action::Quit {
        state.quit = true;
        return vec![Effect::CancelSearch];
    }
    if let Some(scroll) = state.help {
        let max = state.help_entries.len().saturating_sub(1);
        let page = usize::from(state.height.saturating_sub(4)).max(1);
        state.help = match a {
            Action::Help | Action::Cancel => None,
            Action::MoveUp => Some(scroll.saturating_sub(1)),
            Action::MoveDown => Some((scroll + 1).min(max)),
            Action::PageUp => Some(scroll.saturating_sub(page)),
            Action::PageDown => Some((scroll + page).min(max)),
            Action::Top => Some(0),
            Action::Bottom => Some(max),
            _ => Some(scroll),
        };
        return Vec::new();
    }
    // The path line takes enter and esc.
    if state.focus == Pane::Picker && state.picker.path_input.is_some() {
        match a {
            Action::Open | Action::Search | Action::ApplyFilters => return submit_path(state),
            Action::Cancel => {
                state.picker.path_input = None;
                return Vec::new();
            }
            _ => {}
        }
    }
    if state.focus == Pane::Picker && state.picker.filter_active {
        match a {
            Action::Cancel => {
                state.picker.filter_active = false;
                state.picker.filter.reset();
                rebuild_visible(&mut state.picker);
                return Vec::new();
            }
            Action::Open | Action::Search => state.picker.filter_active = false,
            _ => {}
        }
    }
    match a {
        Action::Quit => Vec::new(),
        Action::Help => {
            state.help = Some(0);
            Vec::new()
        }
        Action::MoveUp => move_cursor(state, -1),
        Action::MoveDown => move_cursor(state, 1),
        Action::PageUp => {
            let rows = page_rows(state);
            move_cursor(state, -(rows as isize))
        }
        Action::PageDown => {
            let rows = page_rows(state);
            move_cursor(state, rows as isize)
        }
        Action::Top => move_cursor(state, isize::MIN / 2),
        Action::Bottom => move_cursor(state, isize::MAX / 2),
        Action::NextPane | Action::PrevPane => {
            let order = ui::pane_order(ui::is_narrow(state.width, state.height));
            let cur = order.iter().position(|p| *p == state.focus).unwrap_or(0);
            let n = order.len();
            let next = if a == Action::NextPane {
                (cur + 1) % n
            } else {
                (cur + n - 1) % n
            };
            state.focus = order[next];
            Vec::new()
        }
        Action::FocusPicker => focus(state, Pane::Picker),
        Action::FocusFilters => focus(state, Pane::Filters),
        Action::FocusResults => focus(state, Pane::Results),
        Action::Open => match state.focus {
            Pane::Picker => open_entry(state, false),
            Pane::Filters => apply_filters(state),
            Pane::Results | Pane::Detail => open_link(state),
        },
        Action::Search => {
            if state.focus == Pane::Picker {
                open_entry(state, true)
            } else {
                Vec::new()
            }
        }
        Action::ParentDir => {
            let cur = state.picker.dir.clone();
            match cur.parent() {
                Some(parent) => {
                    let name = cur.file_name().map(|n| n.to_string_lossy().into_owned());
                    vec![list_dir(state, parent.to_path_buf(), name)]
                }
                None => Vec::new(),
            }
        }
        Action::HomeDir => match state.picker.home.clone() {
            Some(home) => vec![list_dir(state, home, None)],
            None => {
                state.set_error("No home directory is known");
                Vec::new()
            }
        },
        Action::ToggleHidden => {
            state.picker.show_hidden = !state.picker.show_hidden;
            rebuild_visible(&mut state.picker);
            state.set_info(if state.picker.show_hidden {
                "Showing hidden files"
            } else {
                "Hiding hidden files"
            });
            Vec::new()
        }
        Action::FilterFiles => {
            state.focus = Pane::Picker;
            state.picker.filter_active = true;
            Vec::new()
        }
        Action::EnterPath => {
            state.focus = Pane::Picker;
            let dir = format!("{}/", state.picker.dir.display());
            let dir = if dir == "//" { "/".to_string() } else { dir };
            state.picker.path_input = Some(Input::new(dir));
            Vec::new()
        }
        Action::ApplyFilters => apply_filters(state),
        Action::CycleSort => {
            state.filters.sort = (state.filters.sort + 1) % SORTS.len();
            state.set_info(format!(
                "Sort: {} (apply to search again)",
                sort_label(SORTS[state.filters.sort])
            ));
            Vec::new()
        }
        Action::ToggleFlag => {
            if state.focus == Pane::Filters {
                match state.filters.current_row() {
                    FilterRow::Flag(i) => {
                        if let Some(f) = state.filters.flags.get_mut(i) {
                            *f = !*f;
                        }
                    }
                    FilterRow::Sort => {
                        state.filters.sort = (state.filters.sort + 1) % SORTS.len();
                    }
                    FilterRow::Field(_) | FilterRow::Group(_) => {}
                }
            }
            Vec::new()
        }
        Action::ClearFilters => {
            for f in &mut state.filters.fields {
                f.reset();
            }
            state.filters.sort = 0;
            state.filters.flags.iter_mut().for_each(|f| *f = false);
            validate(&mut state.filters);
            state.set_info("Filters cleared (apply to search again)");
            Vec::new()
        }
        Action::CopyLink => match state.results.selected() {
            Some(o) => match o.best_link() {
                Some(OfferLink::Offer(link)) => {
                    state.set_info(format!("Copied link {link}"));
                    vec![Effect::Copy(link)]
                }
                Some(OfferLink::Picture(url)) => {
                    state.set_info(format!(
                        "No offer link from this provider; copied the picture's URL {}",
                        crate::text::sanitize(&url)
                    ));
                    vec![Effect::Copy(url)]
                }
                None => {
                    state.set_error(format!("This offer has no link: {NO_OFFER_LINK}"));
                    Vec::new()
                }
            },
            None => {
                state.set_error("No offer selected");
                Vec::new()
            }
        },
        Action::CopyTitle => match state.results.selected() {
            Some(o) => {
                let title = crate::text::sanitize(&o.title);
                state.set_info(format!("Copied title {title}"));
                vec![Effect::Copy(title)]
            }
            None => {
                state.set_error("No offer selected");
                Vec::new()
            }
        },
        Action::OpenLink => open_link(state),
        Action::Export => {
            if state.results.offers.is_empty() {
                state.set_error("Nothing to export yet");
                Vec::new()
            } else {
                state.set_info(format!("Exporting {} rows…", state.results.offers.len()));
                vec![Effect::Export {
                    offers: state.results.offers.clone(),
                    dir: state.export_dir.clone(),
                }]
            }
        }
        Action::Retry => retry(state),
        Action::Cancel => cancel(state),
    }
}

fn focus(state: &mut State, pane: Pane) -> Vec<Effect> {
    state.focus = pane;
    Vec::new()
}

fn page_rows(state: &State) -> usize {
    let areas = ui::areas_of(state);
    let rows = match state.focus {
        Pane::Picker => picker_rows(state),
        Pane::Filters => ui::inner_rows(areas.filters),
        Pane::Results | Pane::Detail => results_rows(state),
    };
    rows.max(1)
}

/// Visible rows of the results list.
pub fn results_rows(state: &State) -> usize {
    let areas = ui::areas_of(state);
    let rect = if areas.narrow {
        ui::layout(
            ratatui::layout::Rect::new(0, 0, state.width, state.height),
            Pane::Results,
        )
        .results
    } else {
        areas.results
    };
    let rows = ui::inner_rows(rect);
    if ui::results::header_shown(state, rows) {
        rows - 1
    } else {
        rows
    }
}

/// Visible rows of the picker list.
pub fn picker_rows(state: &State) -> usize {
    let rect = ui::layout(
        ratatui::layout::Rect::new(0, 0, state.width, state.height),
        Pane::Picker,
    )
    .picker;
    ui::picker::list_rows(rect, state)
}

fn filters_rows(state: &State) -> usize {
    let rect = ui::layout(
        ratatui::layout::Rect::new(0, 0, state.width, state.height),
        Pane::Filters,
    )
    .filters;
    ui::inner_rows(rect)
}

fn move_cursor(state: &mut State, delta: isize) -> Vec<Effect> {
    match state.focus {
        Pane::Picker => {
            let len = state.picker.visible.len();
            state.picker.cursor = step(state.picker.cursor, delta, len);
        }
        Pane::Filters => {
            let rows = FiltersState::rows();
            let mut cursor = step(state.filters.cursor, delta, rows);
            // Headings are not stops: go on past one, or back at the edge.
            if matches!(FiltersState::row(cursor), FilterRow::Group(_)) {
                let dir = if delta < 0 { -1 } else { 1 };
                let past = step(cursor, dir, rows);
                cursor = if past == cursor {
                    step(cursor, -dir, rows)
                } else {
                    past
                };
            }
            state.filters.cursor = cursor;
        }
        Pane::Results | Pane::Detail => {
            let len = state.results.offers.len();
            state.results.cursor = step(state.results.cursor, delta, len);
        }
    }
    scroll_into_view(state);
    maybe_fetch(state).into_iter().collect()
}

fn step(cur: usize, delta: isize, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    let next = (cur as isize).saturating_add(delta);
    next.clamp(0, len as isize - 1) as usize
}

fn keep_visible(cursor: usize, offset: &mut usize, rows: usize) {
    if rows == 0 {
        *offset = cursor;
        return;
    }
    if cursor < *offset {
        *offset = cursor;
    } else if cursor >= *offset + rows {
        *offset = cursor + 1 - rows;
    }
}

/// Keeps every cursor on screen (after moves, resizes, new data).
fn scroll_into_view(state: &mut State) {
    let rows = picker_rows(state);
    keep_visible(state.picker.cursor, &mut state.picker.offset, rows);
    let rows = results_rows(state);
    let r = &mut state.results;
    keep_visible(r.cursor, &mut r.offset, rows);
    // At the last row, show the row under it too (end marker, spinner, error).
    let len = r.offers.len();
    let status_row = r.phase != Phase::Ready || r.end;
    if status_row && len > 0 && r.cursor + 1 == len && rows > 1 {
        r.offset = r.offset.max((len + 1).saturating_sub(rows));
    }
    let rows = filters_rows(state);
    keep_visible(state.filters.cursor, &mut state.filters.offset, rows);
}

// ---------------------------------------------------------------------------
// Text inputs
// ---------------------------------------------------------------------------

fn input(state: &mut State, req: InputRequest) -> Vec<Effect> {
    if state.help.is_some() {
        return Vec::new();
    }
    match state.focus {
        Pane::Picker => {
            if let Some(line) = state.picker.path_input.as_mut() {
                line.handle(req);
            } else if state.picker.filter_active {
                state.picker.filter.handle(req);
                rebuild_visible(&mut state.picker);
                state.picker.cursor = 0;
                state.picker.offset = 0;
            }
        }
        Pane::Filters => {
            if let Some(field) = state.filters.current_field() {
                state.filters.fields[field.index()].handle(req);
                validate(&mut state.filters);
                match &state.filters.errors[field.index()] {
                    Some(e) => state.set_error(format!("{}: {e}", field.label())),
                    None => {
                        if state.message.as_ref().is_some_and(|m| m.error) {
                            state.message = None;
                        }
                    }
                }
            }
        }
        _ => {}
    }
    Vec::new()
}

fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    if state.focus == Pane::Picker
        && state.picker.path_input.is_none()
        && !state.picker.filter_active
    {
        // Pasting into the picker opens the path line with the text.
        state.picker.path_input = Some(Input::new(String::new()));
    }
    if !state.text_input_active() {
        return Vec::new();
    }
    for c in text.chars() {
        input(state, InputRequest::InsertChar(c));
    }
    Vec::new()
}

// ---------------------------------------------------------------------------
// Mouse
// ---------------------------------------------------------------------------

fn mouse(state: &mut State, m: MouseMsg) -> Vec<Effect> {
    let areas = ui::areas_of(state);
    if state.help.is_some() {
        return match m {
            MouseMsg::ScrollUp { .. } => action(state, Action::MoveUp),
            MouseMsg::ScrollDown { .. } => action(state, Action::MoveDown),
            MouseMsg::Click { .. } => Vec::new(),
        };
    }
    let (col, row) = match m {
        MouseMsg::ScrollUp { col, row }
        | MouseMsg::ScrollDown { col, row }
        | MouseMsg::Click { col, row } => (col, row),
    };
    if areas.narrow
        && areas
            .tabs
            .contains(ratatui::layout::Position::new(col, row))
    {
        if let MouseMsg::Click { .. } = m {
            // Tabs are " Name " separated by one cell.
            let mut x = areas.tabs.x;
            for pane in ui::pane_order(true) {
                let w = pane.title().len() as u16 + 2;
                if col >= x && col < x + w {
                    state.focus = *pane;
                    break;
                }
                x += w + 1;
            }
        }
        return Vec::new();
    }
    let Some(pane) = areas.pane_at(col, row) else {
        return Vec::new();
    };
    let saved = state.focus;
    let target = if pane == Pane::Detail && !areas.narrow {
        Pane::Results
    } else {
        pane
    };
    match m {
        MouseMsg::ScrollUp { .. } | MouseMsg::ScrollDown { .. } => {
            let delta = if matches!(m, MouseMsg::ScrollUp { .. }) {
                -3
            } else {
                3
            };
            state.focus = target;
            let fx = move_cursor(state, delta);
            state.focus = saved;
            fx
        }
        MouseMsg::Click { .. } => {
            state.focus = target;
            let rect = areas.pane(pane);
            if row <= rect.y || row + 1 >= rect.y + rect.height || pane == Pane::Detail {
                return Vec::new();
            }
            let line = usize::from(row - rect.y - 1);
            match target {
                Pane::Picker => {
                    let i = state.picker.offset + line;
                    if i < state.picker.visible.len() {
                        state.picker.cursor = i;
                    }
                }
                Pane::Filters => {
                    let i = state.filters.offset + line;
                    if i < FiltersState::rows()
                        && !matches!(FiltersState::row(i), FilterRow::Group(_))
                    {
                        state.filters.cursor = i;
                    }
                }
                Pane::Results | Pane::Detail => {
                    // The column header is not a row.
                    let header = ui::results::header_shown(state, ui::inner_rows(rect));
                    let line = if header {
                        line.checked_sub(1)
                    } else {
                        Some(line)
                    };
                    if let Some(i) = line.map(|l| state.results.offset + l)
                        && i < state.results.offers.len()
                    {
                        state.results.cursor = i;
                    }
                }
            }
            scroll_into_view(state);
            maybe_fetch(state).into_iter().collect()
        }
    }
}

// ---------------------------------------------------------------------------
// Picker
// ---------------------------------------------------------------------------

/// Starts listing `dir`; `select` is put under the cursor when it shows up.
fn list_dir(state: &mut State, dir: PathBuf, select: Option<String>) -> Effect {
    let p = &mut state.picker;
    p.generation += 1;
    p.dir = dir.clone();
    p.entries.clear();
    p.visible.clear();
    p.cursor = 0;
    p.offset = 0;
    p.loading = true;
    p.error = None;
    p.select_name = select;
    p.filter_active = false;
    p.filter.reset();
    Effect::ListDir {
        generation: p.generation,
        dir,
    }
}

fn listing(
    state: &mut State,
    generation: u64,
    entries: Vec<crate::app::state::Entry>,
    done: bool,
    error: Option<String>,
) {
    if generation != state.picker.generation {
        return;
    }
    let p = &mut state.picker;
    let first_new = p.entries.len();
    p.entries.extend(entries);
    if done {
        p.loading = false;
    }
    if let Some(e) = error {
        p.error = Some(e);
    }
    merge_visible(p, first_new);
    if let Some(name) = p.select_name.clone()
        && let Some(pos) = p
            .visible
            .iter()
            .position(|&i| p.entries.get(i).is_some_and(|e| e.name == name))
    {
        p.cursor = pos;
        p.select_name = None;
    }
    if done {
        p.select_name = None;
    }
    scroll_into_view(state);
}

/// Case-insensitive subsequence match.
pub fn fuzzy_match(pattern: &str, name: &str) -> bool {
    let mut chars = name.chars().flat_map(char::to_lowercase);
    pattern
        .chars()
        .flat_map(char::to_lowercase)
        .all(|p| chars.any(|c| c == p))
}

/// `pattern` is already lower-case; entries carry a lower-case key.
fn shown(p: &PickerState, pattern: &str, e: &crate::app::state::Entry) -> bool {
    (p.show_hidden || !e.hidden()) && (pattern.is_empty() || subsequence(pattern, &e.sort_key))
}

fn subsequence(pattern: &str, text: &str) -> bool {
    let mut chars = text.chars();
    pattern.chars().all(|p| chars.any(|c| c == p))
}

/// Adds entries `first_new..` to the shown rows: sorts only the new ones and
/// merges, so a listing arriving in batches costs O(n) per batch.
fn merge_visible(p: &mut PickerState, first_new: usize) {
    let keep = p.visible.get(p.cursor).copied();
    let pattern = p.filter.value().to_lowercase();
    let entries = &p.entries;
    let mut fresh: Vec<usize> = (first_new..entries.len())
        .filter(|&i| shown(p, &pattern, &entries[i]))
        .collect();
    if fresh.is_empty() {
        return;
    }
    fresh.sort_unstable_by(|&a, &b| entries[a].order(&entries[b]));
    let old = std::mem::take(&mut p.visible);
    let mut merged = Vec::with_capacity(old.len() + fresh.len());
    let (mut i, mut j) = (0, 0);
    while i < old.len() && j < fresh.len() {
        if entries[old[i]].order(&entries[fresh[j]]) != std::cmp::Ordering::Greater {
            merged.push(old[i]);
            i += 1;
        } else {
            merged.push(fresh[j]);
            j += 1;
        }
    }
    merged.extend_from_slice(&old[i..]);
    merged.extend_from_slice(&fresh[j..]);
    p.cursor = keep
        .and_then(|k| merged.iter().position(|&x| x == k))
        .unwrap_or(0);
    p.visible = merged;
}

/// Recomputes the shown rows: hidden files, the fuzzy filter, order.
/// Keeps the cursor on the same entry when it is still shown.
pub fn rebuild_visible(p: &mut PickerState) {
    let keep = p.visible.get(p.cursor).copied();
    let pattern = p.filter.value().to_lowercase();
    let entries = &p.entries;
    let mut visible: Vec<usize> = (0..entries.len())
        .filter(|&i| shown(p, &pattern, &entries[i]))
        .collect();
    visible.sort_unstable_by(|&a, &b| entries[a].order(&entries[b]));
    p.cursor = keep
        .and_then(|k| visible.iter().position(|&i| i == k))
        .unwrap_or_else(|| p.cursor.min(visible.len().saturating_sub(1)));
    p.visible = visible;
}

fn open_entry(state: &mut State, search_only: bool) -> Vec<Effect> {
    let Some(entry) = state.picker.selected().cloned() else {
        return Vec::new();
    };
    if entry.is_dir {
        if search_only {
            state.set_error(format!("{} is a directory", entry.name));
            return Vec::new();
        }
        return vec![list_dir(state, entry.path, None)];
    }
    if !entry.is_image {
        state.set_error(format!(
            "{} is not a recognised image (JPEG, PNG, WebP, GIF, BMP…)",
            entry.name
        ));
        return Vec::new();
    }
    new_search(state, SearchSource::File(entry.path))
}

fn submit_path(state: &mut State) -> Vec<Effect> {
    let Some(line) = state.picker.path_input.take() else {
        return Vec::new();
    };
    let text = line.value().trim().to_string();
    if text.is_empty() {
        return Vec::new();
    }
    if text.starts_with("http://") || text.starts_with("https://") {
        return new_search(state, SearchSource::Url(text));
    }
    let path = expand_home(&text, state.picker.home.as_deref());
    let path = if path.is_relative() {
        state.picker.dir.join(path)
    } else {
        path
    };
    // Whether it is a directory is decided by the name (a trailing slash)
    // or the listing; no file-system call here.
    if text.ends_with('/') {
        return vec![list_dir(state, path, None)];
    }
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    if looks_like_image(&text) {
        let mut fx = vec![list_dir(state, dir, name)];
        fx.extend(new_search(state, SearchSource::File(path)));
        fx
    } else {
        // Treat it as a directory; the listing reports it if it is not one.
        vec![list_dir(state, path, None)]
    }
}

pub fn looks_like_image(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [
        ".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff", ".avif", ".heic",
    ]
    .iter()
    .any(|ext| lower.ends_with(ext))
}

fn expand_home(text: &str, home: Option<&Path>) -> PathBuf {
    match (text.strip_prefix('~'), home) {
        (Some(rest), Some(home)) if rest.is_empty() || rest.starts_with('/') => {
            home.join(rest.trim_start_matches('/'))
        }
        _ => PathBuf::from(text),
    }
}

// ---------------------------------------------------------------------------
// Search and paging
// ---------------------------------------------------------------------------

fn new_search(state: &mut State, source: SearchSource) -> Vec<Effect> {
    let r = &mut state.results;
    r.generation += 1;
    r.source = Some(source.clone());
    r.image = None;
    r.prepared = None;
    r.notes.clear();
    r.params = state.params.clone();
    keep_rows_until_first_page(state);
    state.results.phase = Phase::Preparing;
    state.focus = Pane::Results;
    state.set_info(format!("Searching with {}…", source.label()));
    vec![Effect::StartSearch {
        generation: state.results.generation,
        source,
        params: state.params.clone(),
    }]
}

/// A new search starts from page 1, but the rows on screen stay (marked
/// stale) until its first page replaces them: a search that fails loses
/// nothing the user had.
fn keep_rows_until_first_page(state: &mut State) {
    let r = &mut state.results;
    r.stale = !r.offers.is_empty();
    r.pages_loaded = 0;
    r.inflight = None;
    r.end = false;
    r.failed = None;
    r.error = None;
    r.retrying = None;
}

/// Same image, new parameters: a new generation from page 1.
fn research(state: &mut State) -> Vec<Effect> {
    let mut fx = vec![Effect::CancelSearch];
    match (state.results.image.clone(), state.results.source.clone()) {
        (Some(_), _) => {
            state.results.generation += 1;
            state.results.params = state.params.clone();
            keep_rows_until_first_page(state);
            state.results.phase = Phase::Loading;
            fx.extend(maybe_fetch(state));
        }
        (None, Some(source)) => fx.extend(new_search(state, source)),
        (None, None) => {
            fx.clear();
            state.set_info("Filters set — choose a picture to search");
        }
    }
    fx
}

fn resolved(
    state: &mut State,
    generation: u64,
    result: Result<crate::api::ResolvedImage, Failure>,
) -> Vec<Effect> {
    if generation != state.results.generation || state.results.phase != Phase::Preparing {
        return Vec::new();
    }
    match result {
        Ok(resolved) => {
            state.results.image = Some(resolved.image);
            state.results.prepared = Some(resolved.summary);
            state.results.notes = resolved.route.label().into_iter().collect();
            state.results.notes.extend(resolved.notes);
            state.results.phase = Phase::Loading;
            maybe_fetch(state).into_iter().collect()
        }
        Err(e) => {
            state.results.phase = Phase::Failed;
            state.results.failed = Some(Failed::Search);
            fail_message(state, e);
            Vec::new()
        }
    }
}

/// Says what failed and what to do about it, by kind: retry what is
/// transient, check credentials on auth, point at the field the provider
/// refused, ask for another picture when the picture is the problem.
fn fail_message(state: &mut State, failure: Failure) {
    use crate::api::ErrorKind;
    let message = crate::text::sanitize(&failure.message);
    let hint = if failure.retryable() {
        let key = state.key_hint(crate::keymap::KeyContext::Results, Action::Retry);
        format!("press {key} to retry")
    } else {
        match failure.kind {
            FailureKind::Api(ErrorKind::Auth) => {
                "check your credentials: run tusou doctor".to_string()
            }
            FailureKind::Api(ErrorKind::InvalidRequest) => match refused_field(&message) {
                Some(field) => {
                    state.filters.errors[field.index()] = Some("refused by the provider".into());
                    format!("fix {} in Filters", field.label())
                }
                None => "the provider refused the request".to_string(),
            },
            FailureKind::Api(ErrorKind::Upload) | FailureKind::Picture => {
                "choose another picture".to_string()
            }
            _ => String::new(),
        }
    };
    state.results.retrying = None;
    state.results.error = Some(failure);
    if hint.is_empty() {
        state.set_error(message);
    } else {
        state.set_error(format!("{message} — {hint}"));
    }
}

/// The filter a provider's refusal names, if any (its wire name or words).
fn refused_field(message: &str) -> Option<FilterField> {
    let m = message.to_ascii_lowercase();
    if m.contains("pricestart") || m.contains("min price") {
        Some(FilterField::MinPrice)
    } else if m.contains("priceend") || m.contains("max price") {
        Some(FilterField::MaxPrice)
    } else if m.contains("pagesize") || m.contains("page size") {
        Some(FilterField::PageSize)
    } else if m.contains("categoryid") || m.contains("category") {
        Some(FilterField::Category)
    } else {
        None
    }
}

fn page_reply(
    state: &mut State,
    generation: u64,
    page: u32,
    result: Result<crate::api::ResultPage, Failure>,
) -> Vec<Effect> {
    let r = &mut state.results;
    if generation != r.generation || r.inflight != Some(page) {
        return Vec::new();
    }
    r.inflight = None;
    match result {
        Ok(p) => {
            if page != r.pages_loaded + 1 {
                return Vec::new();
            }
            if page == 1 {
                // The new search's rows replace the ones kept on screen.
                r.offers.clear();
                r.stale = false;
                r.cursor = 0;
                r.offset = 0;
            }
            let was_retry = r.retrying.take() == Some(page);
            let last = p.is_last();
            r.offers.extend(p.offers);
            r.pages_loaded = page;
            r.total_records = p.total_records.max(r.offers.len() as u64);
            r.total_pages = p.total_pages.max(page);
            r.end = last;
            r.phase = Phase::Ready;
            r.failed = None;
            r.error = None;
            r.notes.extend(p.notices);
            let notes = std::mem::take(&mut r.notes);
            if page == 1 {
                let n = r.total_records;
                let mut text = if n == 0 {
                    "No offers found for this picture".to_string()
                } else {
                    format!("{n} offers found")
                };
                for note in &notes {
                    text.push_str(" · ");
                    text.push_str(note);
                }
                state.set_info(text);
            } else if !notes.is_empty() {
                state.set_info(notes.join(" · "));
            } else if was_retry {
                state.set_info(format!("Page {page} loaded"));
            } else if matches!(&state.message, Some(m) if m.error) {
                state.message = None;
            }
            maybe_fetch(state).into_iter().collect()
        }
        Err(e) => {
            r.phase = Phase::Failed;
            r.failed = Some(Failed::Page(page));
            fail_message(state, e);
            Vec::new()
        }
    }
}

/// Fetches the next page when the loaded rows do not reach one page (and
/// one screen) past the bottom of the screen. One fetch at a time, pages in
/// order, none past the last.
pub fn maybe_fetch(state: &mut State) -> Option<Effect> {
    let rows = results_rows(state).max(1);
    let r = &mut state.results;
    let image = r.image.clone()?;
    if r.inflight.is_some()
        || r.end
        || matches!(r.phase, Phase::Failed | Phase::Cancelled | Phase::Preparing)
    {
        return None;
    }
    if r.pages_loaded > 0 && r.pages_loaded >= r.total_pages {
        r.end = true;
        return None;
    }
    let page_size = r.params.effective_page_size() as usize;
    let want = r.offset.max(r.cursor) + rows + page_size.max(rows);
    if r.pages_loaded > 0 && r.offers.len() >= want {
        return None;
    }
    let page = r.pages_loaded + 1;
    r.inflight = Some(page);
    r.phase = Phase::Loading;
    Some(Effect::FetchPage {
        generation: r.generation,
        image,
        params: r.params.clone(),
        page,
    })
}

fn retry(state: &mut State) -> Vec<Effect> {
    if state.picker.error.is_some() && state.focus == Pane::Picker {
        let dir = state.picker.dir.clone();
        return vec![list_dir(state, dir, None)];
    }
    match state.results.failed.clone() {
        Some(Failed::Page(page)) => {
            let Some(image) = state.results.image.clone() else {
                return Vec::new();
            };
            let r = &mut state.results;
            r.failed = None;
            r.error = None;
            r.phase = Phase::Loading;
            r.inflight = Some(page);
            r.retrying = Some(page);
            state.set_info(format!("Retrying page {page}…"));
            vec![Effect::FetchPage {
                generation: state.results.generation,
                image,
                params: state.results.params.clone(),
                page,
            }]
        }
        Some(Failed::Search) => match state.results.source.clone() {
            Some(source) => new_search(state, source),
            None => Vec::new(),
        },
        None => {
            state.set_info("Nothing to retry");
            Vec::new()
        }
    }
}

fn cancel(state: &mut State) -> Vec<Effect> {
    if state.focus == Pane::Filters {
        state.focus = if state.results.source.is_some() {
            Pane::Results
        } else {
            Pane::Picker
        };
        return Vec::new();
    }
    let r = &mut state.results;
    if r.busy() {
        r.failed = match (r.phase.clone(), r.inflight) {
            (Phase::Loading, Some(page)) => Some(Failed::Page(page)),
            _ => Some(Failed::Search),
        };
        r.phase = Phase::Cancelled;
        r.inflight = None;
        let key = state.key_hint(crate::keymap::KeyContext::Results, Action::Retry);
        state.set_info(format!("Cancelled — press {key} to resume"));
        return vec![Effect::CancelSearch];
    }
    state.message = None;
    Vec::new()
}

fn open_link(state: &mut State) -> Vec<Effect> {
    let Some(offer) = state.results.selected() else {
        state.set_error("No offer selected");
        return Vec::new();
    };
    let link = match offer.best_link() {
        Some(OfferLink::Offer(link)) => link,
        Some(OfferLink::Picture(url)) => {
            state.set_info("No offer link from this provider; opening the offer's picture");
            url
        }
        None => {
            state.set_error(format!("This offer has no link: {NO_OFFER_LINK}"));
            return Vec::new();
        }
    };
    if !state.can_open {
        let key = state.key_hint(crate::keymap::KeyContext::Results, Action::CopyLink);
        state.set_error(format!(
            "No local display to open a browser — press {key} to copy the link"
        ));
        return Vec::new();
    }
    vec![Effect::OpenLink(link)]
}

// ---------------------------------------------------------------------------
// Filters
// ---------------------------------------------------------------------------

/// Checks every field; sets the inline errors; the parameters if all valid.
pub fn validate(filters: &mut FiltersState) -> Option<SearchParams> {
    let text = |f: FilterField| filters.fields[f.index()].value().trim().to_string();
    let mut errors: [Option<String>; 4] = Default::default();
    let price = |s: &str| -> Result<Option<Price>, String> {
        if s.is_empty() {
            Ok(None)
        } else {
            s.parse::<Price>()
                .map(Some)
                .map_err(|e| short_price_error(&e))
        }
    };
    let min = price(&text(FilterField::MinPrice));
    let max = price(&text(FilterField::MaxPrice));
    if let Err(e) = &min {
        errors[0] = Some(e.clone());
    }
    if let Err(e) = &max {
        errors[1] = Some(e.clone());
    }
    if let (Ok(Some(lo)), Ok(Some(hi))) = (&min, &max)
        && lo > hi
    {
        errors[1] = Some(format!("below min price {lo}"));
    }
    let cat_text = text(FilterField::Category);
    let category = if cat_text.is_empty() {
        None
    } else {
        match cat_text.parse::<i64>() {
            Ok(c) if c > 0 => Some(c),
            _ => {
                errors[2] = Some("not a category id (a number)".into());
                None
            }
        }
    };
    let size_text = text(FilterField::PageSize);
    let page_size = if size_text.is_empty() {
        None
    } else {
        match size_text.parse::<u32>() {
            Ok(n) if (1..=MAX_PAGE_SIZE).contains(&n) => Some(n),
            Ok(_) => {
                errors[3] = Some(format!("must be 1–{MAX_PAGE_SIZE}"));
                None
            }
            Err(_) => {
                errors[3] = Some(format!("not a number (1–{MAX_PAGE_SIZE})"));
                None
            }
        }
    };
    filters.errors = errors;
    if filters.has_errors() {
        return None;
    }
    let flags = FilterFlag::KNOWN
        .iter()
        .zip(&filters.flags)
        .filter(|(_, on)| **on)
        .map(|(f, _)| f.clone())
        .collect();
    Some(SearchParams {
        page_size,
        filters: flags,
        sort: SORTS.get(filters.sort).copied().flatten(),
        price_start: min.ok().flatten(),
        price_end: max.ok().flatten(),
        category_id: category,
        ..SearchParams::default()
    })
}

fn short_price_error(e: &str) -> String {
    if e.contains("not a number") {
        "not a number".into()
    } else if e.contains("decimals") {
        "at most two decimals".into()
    } else if e.contains("too large") {
        "too large".into()
    } else {
        e.to_string()
    }
}

fn apply_filters(state: &mut State) -> Vec<Effect> {
    let Some(new) = validate(&mut state.filters) else {
        let first = FilterField::ALL
            .iter()
            .find_map(|f| {
                state.filters.errors[f.index()]
                    .as_ref()
                    .map(|e| format!("{}: {e}", f.label()))
            })
            .unwrap_or_default();
        state.set_error(format!("Filters not applied — {first}"));
        return Vec::new();
    };
    // Keep what the filters pane does not edit (country, region, member id).
    let params = SearchParams {
        country: state.params.country.clone(),
        region: state.params.region.clone(),
        out_member_id: state.params.out_member_id.clone(),
        ..new
    };
    state.params = params;
    state.set_info("Filters applied");
    // Leave the field, so the next key acts instead of typing into it.
    let fx = research(state);
    state.focus = if state.results.source.is_some() {
        Pane::Results
    } else {
        Pane::Picker
    };
    fx
}

// ---------------------------------------------------------------------------
// Thumbnails
// ---------------------------------------------------------------------------

/// The thumbnail the detail pane wants now, at its size.
pub fn wanted_thumb(state: &State) -> Option<ThumbKey> {
    let areas = ui::areas_of(state);
    if areas.detail.is_empty() || state.help.is_some() {
        return None;
    }
    let rect = ui::detail::picture_rect(areas.detail);
    if rect.width < 2 || rect.height < 1 {
        return None;
    }
    let source = match state.subject() {
        Subject::File(e) => ThumbSource::File(e.path.clone()),
        Subject::Offer(o) => ThumbSource::Url(o.image_url.clone()?),
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

fn sync_thumb(state: &mut State) -> Option<Effect> {
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

#[cfg(test)]
mod tests;
