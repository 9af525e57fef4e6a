//! One key: parsing a key name (`ctrl-x`, `shift-up`) and naming a key event.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// A normalised key: what lookups hash on.
pub(super) type KeyId = (KeyCode, KeyModifiers);

/// `ctrl-c`, which always quits whatever the keymap says.
pub(super) const CTRL_C: KeyId = (KeyCode::Char('c'), KeyModifiers::CONTROL);

/// Make a key event comparable with parsed key names: for characters, SHIFT
/// is folded into the character (`shift-a` → `A`) and dropped; shift-tab is
/// always `BackTab` without SHIFT.
pub(super) fn normalise(code: KeyCode, modifiers: KeyModifiers) -> KeyId {
    match code {
        KeyCode::Char(c) => {
            let c = if modifiers.contains(KeyModifiers::SHIFT) {
                let mut upper = c.to_uppercase();
                match (upper.next(), upper.next()) {
                    (Some(u), None) => u,
                    _ => c,
                }
            } else {
                c
            };
            (KeyCode::Char(c), modifiers - KeyModifiers::SHIFT)
        }
        KeyCode::BackTab => (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT),
        KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
            (KeyCode::BackTab, modifiers - KeyModifiers::SHIFT)
        }
        other => (other, modifiers),
    }
}

const MODIFIER_NAMES: &[(&str, KeyModifiers)] = &[
    ("ctrl", KeyModifiers::CONTROL),
    ("alt", KeyModifiers::ALT),
    ("shift", KeyModifiers::SHIFT),
    ("super", KeyModifiers::SUPER),
    ("hyper", KeyModifiers::HYPER),
    ("meta", KeyModifiers::META),
];

/// Named keys; the first name for a code is its display name.
const KEY_NAMES: &[(&str, KeyCode)] = &[
    ("space", KeyCode::Char(' ')),
    ("enter", KeyCode::Enter),
    ("return", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("escape", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("del", KeyCode::Delete),
    ("insert", KeyCode::Insert),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pgup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("pgdn", KeyCode::PageDown),
];

/// Parse a key name (`ctrl-d`, `shift-tab`, `?`, `G`, `f1`, `alt-enter`)
/// into a normalised key event (kind Press).
pub fn parse_key(s: &str) -> Result<KeyEvent, String> {
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = s;
    // Strip `modifier-` prefixes, leaving at least one character ("ctrl--" is ctrl and '-').
    while let Some((head, tail)) = rest.split_once('-') {
        let Some(&(_, m)) = MODIFIER_NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(head))
        else {
            break;
        };
        if tail.is_empty() {
            break;
        }
        modifiers |= m;
        rest = tail;
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => KeyCode::Char(c),
        (None, _) => return Err("empty key name".to_string()),
        _ => {
            let lower = rest.to_ascii_lowercase();
            if let Some(&(_, code)) = KEY_NAMES.iter().find(|(name, _)| *name == lower) {
                code
            } else if let Some(n) = lower
                .strip_prefix('f')
                .and_then(|n| n.parse::<u8>().ok())
                .filter(|n| (1..=12).contains(n))
            {
                KeyCode::F(n)
            } else {
                return Err(format!("unknown key name {s:?}"));
            }
        }
    };
    let (code, modifiers) = normalise(code, modifiers);
    Ok(KeyEvent::new(code, modifiers))
}

/// The display form of a key, as written in keymap.toml (`ctrl-d`, `?`,
/// `pagedown`, `shift-tab`, `G`).
pub fn key_name(key: &KeyEvent) -> String {
    name_of(normalise(key.code, key.modifiers))
}

pub(super) fn name_of((code, modifiers): KeyId) -> String {
    let mut out = String::new();
    for &(name, m) in MODIFIER_NAMES {
        if modifiers.contains(m) {
            out.push_str(name);
            out.push('-');
        }
    }
    match code {
        KeyCode::BackTab => out.push_str("shift-tab"),
        KeyCode::Char(' ') => out.push_str("space"),
        KeyCode::Char(c) => out.push(c),
        KeyCode::F(n) => {
            out.push('f');
            out.push_str(&n.to_string());
        }
        other => match KEY_NAMES.iter().find(|(_, c)| *c == other) {
            Some((name, _)) => out.push_str(name),
            None => out.push_str(&format!("{other:?}").to_ascii_lowercase()),
        },
    }
    out
}
