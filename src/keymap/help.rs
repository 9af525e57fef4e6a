//! Listing bindings for people: key hints per action and the `?` overlay.

use std::collections::HashMap;

use super::action::Action;
use super::key::{KeyId, name_of};
use super::{Binding, KeyContext, Keymap};

/// One line of the `?` overlay: the keys bound to an action in one context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub context: KeyContext,
    pub keys: Vec<String>,
    pub action: Action,
    pub description: &'static str,
}

impl Keymap {
    /// Display names of the keys that run `action` in `context`: the
    /// context's own keys, then global keys the context does not shadow.
    /// A key bound to several actions counts for each of them.
    pub(crate) fn keys_for(&self, context: KeyContext, action: Action) -> Vec<String> {
        let own = &self.contexts[context.index()];
        let mut keys = keys_in(own, action);
        if context != KeyContext::Global {
            let global = &self.contexts[KeyContext::Global.index()];
            let mut fallback: Vec<_> = global
                .iter()
                .filter(|(id, b)| b.actions.contains(&action) && !own.contains_key(*id))
                .collect();
            fallback.sort_by_key(|(_, b)| b.order);
            keys.extend(fallback.into_iter().map(|(id, _)| name_of(*id)));
        }
        keys
    }

    /// The `?` overlay, from the live keymap: per context (global first), per
    /// action in `Action::ALL` order, the keys bound in that context.
    pub(crate) fn help_entries(&self) -> Vec<HelpEntry> {
        let mut entries = Vec::new();
        for &context in KeyContext::all() {
            let map = &self.contexts[context.index()];
            for &action in Action::ALL {
                let keys = keys_in(map, action);
                if !keys.is_empty() {
                    entries.push(HelpEntry {
                        context,
                        keys,
                        action,
                        description: action.description(),
                    });
                }
            }
        }
        entries
    }
}

fn keys_in(map: &HashMap<KeyId, Binding>, action: Action) -> Vec<String> {
    let mut found: Vec<_> = map
        .iter()
        .filter(|(_, b)| b.actions.contains(&action))
        .collect();
    found.sort_by_key(|(_, b)| b.order);
    found.into_iter().map(|(id, _)| name_of(*id)).collect()
}
