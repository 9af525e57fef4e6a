//! Text typed or pasted into the picker's filter and path lines and the
//! filter fields.

use super::filters::validate;
use super::picker::rebuild_visible;
use crate::app::msg::Effect;
use crate::app::state::{Pane, State};
use tui_input::{Input, InputRequest};

/// Pasted text that stands on its own in the path line: an absolute path,
/// one from the home directory, or an address.
fn replaces_path_line(text: &str) -> bool {
    let text = text.trim();
    text.starts_with('/') || text.starts_with('~') || crate::text::is_url(text)
}

pub(super) fn input(state: &mut State, req: InputRequest) -> Vec<Effect> {
    if state.help.is_some() {
        return Vec::new();
    }
    if let Some(note) = state.note.as_mut() {
        note.input.handle(req);
        return Vec::new();
    }
    match state.focus {
        Pane::Shortlist if state.shortlist.filter_active => {
            state.shortlist.filter.handle(req);
            super::shortlist::rebuild_visible(&mut state.shortlist);
            state.shortlist.cursor = 0;
            state.shortlist.offset = 0;
        }
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

pub(super) fn paste(state: &mut State, text: &str) -> Vec<Effect> {
    let text: String = text.chars().filter(|c| !c.is_control()).collect();
    // A whole path or address replaces the prefilled directory rather than
    // being appended to it.
    if state.focus == Pane::Picker
        && state.note.is_none()
        && let Some(line) = state.picker.path_input.as_mut()
        && replaces_path_line(&text)
    {
        *line = Input::new(text.trim().to_string());
        return Vec::new();
    }
    if state.focus == Pane::Picker
        && state.note.is_none()
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
