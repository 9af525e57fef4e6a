//! Terminal events become messages here, and only here: keys go through the
//! keymap, except text and editing keys while a text input has focus.

use super::msg::{MouseMsg, Msg};
use super::state::State;
use crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEventKind,
};
use tui_input::InputRequest;

/// The one place where terminal events become messages: keys go through
/// the keymap (focused pane's context, then global), except that printable
/// and editing keys go to a text input while one has focus.
pub(crate) fn event_to_msgs(state: &State, ev: Event) -> Vec<Msg> {
    match ev {
        Event::Key(key) if key.kind != KeyEventKind::Release => key_to_msgs(state, &key),
        Event::Paste(text) => vec![Msg::Paste(text)],
        Event::Resize(w, h) => vec![Msg::Resize(w, h)],
        Event::Mouse(m) => {
            let (col, row) = (m.column, m.row);
            match m.kind {
                MouseEventKind::ScrollUp => vec![Msg::Mouse(MouseMsg::ScrollUp { col, row })],
                MouseEventKind::ScrollDown => {
                    vec![Msg::Mouse(MouseMsg::ScrollDown { col, row })]
                }
                MouseEventKind::Down(MouseButton::Left) => {
                    vec![Msg::Mouse(MouseMsg::Click { col, row })]
                }
                MouseEventKind::Drag(MouseButton::Left) => {
                    vec![Msg::Mouse(MouseMsg::Drag { col, row })]
                }
                MouseEventKind::Up(MouseButton::Left) => {
                    vec![Msg::Mouse(MouseMsg::Release { col, row })]
                }
                _ => Vec::new(),
            }
        }
        _ => Vec::new(),
    }
}

pub(crate) fn key_to_msgs(state: &State, key: &KeyEvent) -> Vec<Msg> {
    if state.text_input_active()
        && let Some(req) = input_request(key)
    {
        return vec![Msg::Input(req)];
    }
    state
        .keymap
        .actions(state.context(), key)
        .iter()
        .map(|a| Msg::Action(*a))
        .collect()
}

/// Text and editing keys for a text input; `None` for keys the keymap gets.
fn input_request(key: &KeyEvent) -> Option<InputRequest> {
    if key.modifiers == KeyModifiers::CONTROL && key.code == KeyCode::Char('u') {
        // As in a shell: the line before the caret goes.
        return Some(InputRequest::DeleteFromStart);
    }
    let plain = !key
        .modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER);
    if !plain {
        return None;
    }
    Some(match key.code {
        KeyCode::Char(c) => InputRequest::InsertChar(c),
        KeyCode::Backspace => InputRequest::DeletePrevChar,
        KeyCode::Delete => InputRequest::DeleteNextChar,
        KeyCode::Left => InputRequest::GoToPrevChar,
        KeyCode::Right => InputRequest::GoToNextChar,
        KeyCode::Home => InputRequest::GoToStart,
        KeyCode::End => InputRequest::GoToEnd,
        _ => return None,
    })
}
