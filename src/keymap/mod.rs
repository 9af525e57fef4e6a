//! Key → action bindings, read from keymap.toml.
//!
//! The repository's `keymap.toml` is embedded as the defaults; a user file
//! overrides it key by key. The file maps key names to lists of action names
//! per context (`[global]`, `[picker]`, `[filters]`, `[results]`). A key is
//! looked up in the focused pane's context first, then in `[global]`.
//!
//! Problems in the user file (malformed TOML, unknown context, action or key
//! name, one key bound twice in one context) are collected with file, line and
//! key, never fatal: a malformed file leaves the pure defaults, a file with bad
//! lines gives the defaults plus its good lines.
//!
//! Rooms: `key` parses and names one key, `load` reads the built-in and user
//! files and layers them, `parse` turns one file into bindings and problems,
//! `help` lists bindings for hints and the `?` overlay.

pub mod action;
mod help;
mod key;
mod load;
mod parse;
mod problem;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::fmt;

use crossterm::event::KeyEvent;

pub use action::Action;

pub use help::HelpEntry;
pub use key::{key_name, parse_key};
pub use load::user_keymap_path;
pub use problem::KeymapProblem;

use key::{CTRL_C, KeyId, normalise};

/// A section of keymap.toml: where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    Global,
    Picker,
    Filters,
    Results,
    History,
    Shortlist,
    Crop,
    Watches,
}

impl KeyContext {
    /// The section name in keymap.toml.
    pub fn name(self) -> &'static str {
        match self {
            KeyContext::Global => "global",
            KeyContext::Picker => "picker",
            KeyContext::Filters => "filters",
            KeyContext::Results => "results",
            KeyContext::History => "history",
            KeyContext::Shortlist => "shortlist",
            KeyContext::Crop => "crop",
            KeyContext::Watches => "watches",
        }
    }

    /// Every context, in help-overlay order.
    pub fn all() -> &'static [KeyContext] {
        &[
            KeyContext::Global,
            KeyContext::Picker,
            KeyContext::Filters,
            KeyContext::Results,
            KeyContext::History,
            KeyContext::Shortlist,
            KeyContext::Crop,
            KeyContext::Watches,
        ]
    }

    fn from_name(s: &str) -> Option<KeyContext> {
        KeyContext::all().iter().copied().find(|c| c.name() == s)
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for KeyContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
struct Binding {
    actions: Vec<Action>,
    /// Sort order for hints and help: user-file lines first, then defaults,
    /// each in file order.
    order: (u8, usize),
}

/// Key bindings per context. Cheap lookups: one hash of the normalised key.
#[derive(Debug, Clone)]
pub struct Keymap {
    contexts: [HashMap<KeyId, Binding>; 8],
}

impl Keymap {
    fn empty() -> Keymap {
        Keymap {
            contexts: Default::default(),
        }
    }

    /// The actions bound to `key` in `context`, else in global; empty when
    /// unbound. No allocation.
    pub(crate) fn actions(&self, context: KeyContext, key: &KeyEvent) -> &[Action] {
        let id = normalise(key.code, key.modifiers);
        if id == CTRL_C {
            // The way out that no keymap can take away.
            return &[Action::Quit];
        }
        self.contexts[context.index()]
            .get(&id)
            .or_else(|| self.contexts[KeyContext::Global.index()].get(&id))
            .map_or(&[], |b| b.actions.as_slice())
    }
}
