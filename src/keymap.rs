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

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::Action;
use crate::text::sanitize;

/// The repository keymap.toml, compiled in.
const DEFAULT_KEYMAP: &str = include_str!("../keymap.toml");

/// Where the compiled-in defaults say they come from, in problems.
const DEFAULT_KEYMAP_NAME: &str = "keymap.toml (built in)";

/// A section of keymap.toml: where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KeyContext {
    Global,
    Picker,
    Filters,
    Results,
}

impl KeyContext {
    /// The section name in keymap.toml.
    pub fn name(self) -> &'static str {
        match self {
            KeyContext::Global => "global",
            KeyContext::Picker => "picker",
            KeyContext::Filters => "filters",
            KeyContext::Results => "results",
        }
    }

    /// Every context, in help-overlay order.
    pub fn all() -> &'static [KeyContext] {
        &[
            KeyContext::Global,
            KeyContext::Picker,
            KeyContext::Filters,
            KeyContext::Results,
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

/// Something wrong in a keymap file. Displayed as
/// `path:line: key "x": message` (line and key omitted when unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapProblem {
    pub file: PathBuf,
    pub line: Option<usize>,
    pub key: Option<String>,
    pub message: String,
}

/// File names and keys come from outside (the file system, the file's
/// contents): sanitised, so a problem can go to stderr or the status bar.
impl fmt::Display for KeymapProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", sanitize(&display_path(&self.file)))?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        f.write_str(": ")?;
        if let Some(key) = &self.key {
            write!(f, "key {:?}: ", sanitize(key))?;
        }
        f.write_str(&sanitize(&self.message))
    }
}

impl std::error::Error for KeymapProblem {}

/// `~/…` for paths under the home directory, for shorter messages.
fn display_path(path: &Path) -> String {
    if let Some(home) = dirs::home_dir()
        && let Ok(rest) = path.strip_prefix(&home)
        && home.parent().is_some()
    {
        return format!("~/{}", rest.display());
    }
    path.display().to_string()
}

/// One line of the `?` overlay: the keys bound to an action in one context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    pub context: KeyContext,
    pub keys: Vec<String>,
    pub action: Action,
    pub description: &'static str,
}

/// A normalised key: what lookups hash on.
type KeyId = (KeyCode, KeyModifiers);

/// `ctrl-c`, which always quits whatever the keymap says.
const CTRL_C: KeyId = (KeyCode::Char('c'), KeyModifiers::CONTROL);

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
    contexts: [HashMap<KeyId, Binding>; 4],
}

static DEFAULTS: LazyLock<Keymap> = LazyLock::new(|| {
    let mut keymap = Keymap::empty();
    // A test asserts the built-in file has no problems.
    let (lines, _problems) = parse_layer(DEFAULT_KEYMAP, Path::new(DEFAULT_KEYMAP_NAME));
    keymap.apply(lines.unwrap_or_default(), LAYER_DEFAULTS);
    keymap
});

const LAYER_USER: u8 = 0;
const LAYER_DEFAULTS: u8 = 1;

impl Keymap {
    fn empty() -> Keymap {
        Keymap {
            contexts: Default::default(),
        }
    }

    /// The built-in bindings: the repository's keymap.toml.
    pub fn defaults() -> Keymap {
        DEFAULTS.clone()
    }

    /// Defaults overridden key by key by the user file, if given and present.
    /// Problems are returned, not fatal: a file that is not valid TOML (or
    /// cannot be read) gives the pure defaults; a file with bad lines gives
    /// the defaults plus its good lines.
    pub fn load(user_file: Option<&Path>) -> (Keymap, Vec<KeymapProblem>) {
        let Some(path) = user_file else {
            return (Keymap::defaults(), Vec::new());
        };
        // Capped, regular files only: a FIFO or a device named keymap.toml
        // cannot hang the start or exhaust memory.
        match crate::image::read_text_capped(path, crate::image::MAX_TEXT_FILE_BYTES) {
            Ok(text) => Keymap::from_toml_str(&text, path),
            Err(e) if e.is_not_found() => (Keymap::defaults(), Vec::new()),
            Err(e) => (
                Keymap::defaults(),
                vec![KeymapProblem {
                    file: path.to_path_buf(),
                    line: None,
                    key: None,
                    message: format!("cannot use the keymap: {e}"),
                }],
            ),
        }
    }

    /// Like [`Keymap::load`], but any problem is an error (`--strict-keymap`).
    pub fn load_strict(user_file: Option<&Path>) -> Result<Keymap, Vec<KeymapProblem>> {
        let (keymap, problems) = Keymap::load(user_file);
        if problems.is_empty() {
            Ok(keymap)
        } else {
            Err(problems)
        }
    }

    /// The defaults with `text` (a user keymap, named `file` in problems)
    /// layered on top.
    ///
    /// `ctrl-c` always quits: a line binding it to anything else (or
    /// unbinding it), in any section, is a problem and is ignored.
    pub fn from_toml_str(text: &str, file: &Path) -> (Keymap, Vec<KeymapProblem>) {
        let mut keymap = Keymap::defaults();
        let (lines, mut problems) = parse_layer(text, file);
        if let Some(mut lines) = lines {
            lines.retain(|line| {
                let keeps_quit = line.key != CTRL_C || line.actions == [Action::Quit];
                if !keeps_quit {
                    problems.push(KeymapProblem {
                        file: file.to_path_buf(),
                        line: Some(line.line),
                        key: Some("ctrl-c".to_string()),
                        message: format!(
                            "ctrl-c always quits; this binding in [{}] is ignored",
                            line.context
                        ),
                    });
                }
                keeps_quit
            });
            problems.sort_by_key(|p| p.line);
            keymap.apply(lines, LAYER_USER);
        }
        (keymap, problems)
    }

    fn apply(&mut self, lines: Vec<ParsedLine>, layer: u8) {
        for (index, line) in lines.into_iter().enumerate() {
            let map = &mut self.contexts[line.context.index()];
            if line.actions.is_empty() {
                map.remove(&line.key);
            } else {
                map.insert(
                    line.key,
                    Binding {
                        actions: line.actions,
                        order: (layer, index),
                    },
                );
            }
        }
    }

    /// The actions bound to `key` in `context`, else in global; empty when
    /// unbound. No allocation.
    pub fn actions(&self, context: KeyContext, key: &KeyEvent) -> &[Action] {
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

    /// Display names of the keys that run `action` in `context`: the
    /// context's own keys, then global keys the context does not shadow.
    /// A key bound to several actions counts for each of them.
    pub fn keys_for(&self, context: KeyContext, action: Action) -> Vec<String> {
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
    pub fn help_entries(&self) -> Vec<HelpEntry> {
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

/// Make a key event comparable with parsed key names: for characters, SHIFT
/// is folded into the character (`shift-a` → `A`) and dropped; shift-tab is
/// always `BackTab` without SHIFT.
fn normalise(code: KeyCode, modifiers: KeyModifiers) -> KeyId {
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

fn name_of((code, modifiers): KeyId) -> String {
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

/// The user keymap: `$TUSOU_CONFIG_DIR/keymap.toml` if that variable is set,
/// else `<config dir>/tusou/keymap.toml` (e.g. `~/.config/tusou/keymap.toml`).
pub fn user_keymap_path() -> Option<PathBuf> {
    match std::env::var_os("TUSOU_CONFIG_DIR") {
        Some(dir) if !dir.is_empty() => Some(PathBuf::from(dir).join("keymap.toml")),
        _ => dirs::config_dir().map(|d| d.join("tusou").join("keymap.toml")),
    }
}

/// One valid `"key" = [actions]` line.
#[derive(Debug)]
struct ParsedLine {
    context: KeyContext,
    key: KeyId,
    actions: Vec<Action>,
    /// 1-based line in its file.
    line: usize,
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// The key at the start of a `key = value` line, for syntax-error messages.
fn key_on_line(line: &str) -> Option<String> {
    let line = line.trim_start();
    let (key, after) = if let Some(quoted) = line.strip_prefix('"') {
        let end = quoted.find('"')?;
        (&quoted[..end], &quoted[end + 1..])
    } else if let Some(quoted) = line.strip_prefix('\'') {
        let end = quoted.find('\'')?;
        (&quoted[..end], &quoted[end + 1..])
    } else {
        let end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(line.len());
        (&line[..end], &line[end..])
    };
    (!key.is_empty() && after.trim_start().starts_with('=')).then(|| key.to_string())
}

/// Parse one keymap file. `None` when it is not valid TOML (the problems
/// then say why); otherwise the valid lines in file order.
///
/// A key written twice in one section is a TOML error, but it is reported
/// like any other conflict (the first line wins) rather than discarding the
/// whole file; so is a section opened twice (its bindings are merged).
fn parse_layer(text: &str, file: &Path) -> (Option<Vec<ParsedLine>>, Vec<KeymapProblem>) {
    let problem = |offset: usize, key: Option<&str>, message: String| KeymapProblem {
        file: file.to_path_buf(),
        line: Some(line_of(text, offset)),
        key: key.map(str::to_string),
        message,
    };
    let line_text = |offset: usize| text.lines().nth(line_of(text, offset) - 1).unwrap_or("");

    let (document, errors) = toml::de::DeTable::parse_recoverable(text);
    let mut duplicates = Vec::new();
    let mut syntax = Vec::new();
    for e in &errors {
        match e.span() {
            Some(span) if e.message() == "duplicate key" => duplicates.push(span.start),
            span => {
                let offset = span.map_or(0, |s| s.start);
                let key = key_on_line(line_text(offset));
                let message = format!("invalid TOML: {}", e.message().trim().replace('\n', "; "));
                syntax.push(problem(offset, key.as_deref(), message));
            }
        }
    }
    if !syntax.is_empty() {
        return (None, syntax);
    }

    let mut problems = Vec::new();
    // Every binding of a known context, sorted by position in the file below.
    let mut entries = Vec::new();
    for (name, value) in document.get_ref().iter() {
        let name_offset = name.span().start;
        let Some(table) = value.get_ref().as_table() else {
            problems.push(problem(
                name_offset,
                Some(name.get_ref()),
                "bindings must be inside a [global], [picker], [filters] or [results] section"
                    .to_string(),
            ));
            continue;
        };
        let Some(context) = KeyContext::from_name(name.get_ref()) else {
            problems.push(problem(
                name_offset,
                None,
                format!(
                    "unknown context [{}] (expected global, picker, filters or results)",
                    name.get_ref()
                ),
            ));
            continue;
        };
        for (raw_key, value) in table.iter() {
            entries.push((
                raw_key.span().start,
                context,
                raw_key.get_ref().as_ref(),
                value.get_ref(),
            ));
        }
    }
    entries.sort_by_key(|(offset, ..)| *offset);

    let mut lines = Vec::new();
    // (context, key) → (offset, raw key, actions) of the first line binding it.
    let mut seen: HashMap<(KeyContext, KeyId), (usize, &str, Vec<Action>)> = HashMap::new();
    for (offset, context, raw, value) in entries {
        let key = match parse_key(raw) {
            Ok(k) => normalise(k.code, k.modifiers),
            Err(message) => {
                problems.push(problem(offset, Some(raw), message));
                continue;
            }
        };
        let actions = match parse_actions(value) {
            Ok(a) => a,
            Err(message) => {
                problems.push(problem(offset, Some(raw), message));
                continue;
            }
        };
        if let Some((first_offset, first_raw, first_actions)) = seen.get(&(context, key)) {
            if *first_actions != actions {
                let message = conflict(
                    first_raw,
                    line_of(text, *first_offset),
                    context,
                    Some((first_actions, &actions)),
                );
                problems.push(problem(offset, Some(raw), message));
            }
            continue;
        }
        seen.insert((context, key), (offset, raw, actions.clone()));
        lines.push(ParsedLine {
            context,
            key,
            actions,
            line: line_of(text, offset),
        });
    }

    // Keys and sections the TOML parser saw twice (it kept the first).
    for offset in duplicates {
        let here = line_text(offset);
        let trimmed = here.trim_start();
        if trimmed.starts_with('[') {
            let name = trimmed
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(|c| c == '"' || c == '\'');
            problems.push(problem(
                offset,
                None,
                format!("section [{name}] appears twice; the bindings of both are used"),
            ));
            continue;
        }
        // This line is usually a small TOML document by itself (unless its
        // value spans several lines): read its key and value with the parser.
        let alone = toml::de::DeTable::parse(here).ok();
        let alone = alone.as_ref().and_then(|doc| doc.get_ref().iter().next());
        let raw = match (alone, key_on_line(here)) {
            (Some((k, _)), _) => k.get_ref().to_string(),
            (None, Some(k)) => k,
            (None, None) => {
                problems.push(problem(offset, None, "duplicate key".to_string()));
                continue;
            }
        };
        // The section this line is in: the last header above it.
        let header_line = text
            .get(..offset)
            .unwrap_or(text)
            .lines()
            .rev()
            .map(str::trim_start)
            .find(|l| l.starts_with('['));
        let context = header_line.and_then(|h| {
            let name = h.trim_start_matches('[').split(']').next()?.trim();
            KeyContext::from_name(name.trim_matches(|c| c == '"' || c == '\''))
        });
        let Some(context) = context else {
            // Outside any section, or in an unknown one: already reported.
            continue;
        };
        if parse_key(&raw).is_err() {
            // The first occurrence already says so.
            continue;
        }
        // The first occurrence, as the parser kept it.
        let first = document
            .get_ref()
            .get(context.name())
            .and_then(|t| t.get_ref().as_table())
            .and_then(|t| t.iter().find(|(k, _)| k.get_ref().as_ref() == raw));
        let Some((first_key, first_value)) = first else {
            problems.push(problem(
                offset,
                Some(&raw),
                format!("bound twice in [{context}]; keeping the first"),
            ));
            continue;
        };
        let first_line = line_of(text, first_key.span().start);
        let first_actions = parse_actions(first_value.get_ref()).ok();
        let this_actions = alone.map(|(_, v)| parse_actions(v.get_ref()));
        match (first_actions, this_actions) {
            (_, Some(Err(message))) => problems.push(problem(offset, Some(&raw), message)),
            (Some(a), Some(Ok(b))) if a == b => {}
            (Some(a), Some(Ok(b))) => problems.push(problem(
                offset,
                Some(&raw),
                conflict(&raw, first_line, context, Some((&a, &b))),
            )),
            _ => problems.push(problem(
                offset,
                Some(&raw),
                conflict(&raw, first_line, context, None),
            )),
        }
    }

    problems.sort_by_key(|p| p.line);
    (Some(lines), problems)
}

fn conflict(
    first_raw: &str,
    first_line: usize,
    context: KeyContext,
    actions: Option<(&[Action], &[Action])>,
) -> String {
    let what = match actions {
        Some((a, b)) => format!(" ({} vs {})", action_list(a), action_list(b)),
        None => String::new(),
    };
    format!(
        "conflicts with {first_raw:?} on line {first_line} in [{context}]{what}; keeping line {first_line}"
    )
}

fn action_list(actions: &[Action]) -> String {
    if actions.is_empty() {
        "[]".to_string()
    } else {
        actions
            .iter()
            .map(|a| a.name())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `"action"` or `["action", …]` → actions; every name must be known.
fn parse_actions(value: &toml::de::DeValue<'_>) -> Result<Vec<Action>, String> {
    let one = |v: &toml::de::DeValue<'_>| -> Result<Action, String> {
        match v.as_str() {
            Some(name) => name.parse::<Action>(),
            None => Err(format!(
                "expected an action name (a string), found {}",
                v.type_str()
            )),
        }
    };
    if let Some(array) = value.as_array() {
        array.iter().map(|v| one(v.get_ref())).collect()
    } else if value.is_str() {
        one(value).map(|a| vec![a])
    } else {
        Err(format!(
            "expected an action name or a list of action names, found {}",
            value.type_str()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> KeyEvent {
        match parse_key(s) {
            Ok(k) => k,
            Err(e) => panic!("{s}: {e}"),
        }
    }

    fn user(text: &str) -> (Keymap, Vec<KeymapProblem>) {
        Keymap::from_toml_str(text, Path::new("/cfg/keymap.toml"))
    }

    #[test]
    fn defaults_parse_without_problems_and_bind_every_action() {
        let (lines, problems) = parse_layer(DEFAULT_KEYMAP, Path::new(DEFAULT_KEYMAP_NAME));
        assert!(problems.is_empty(), "{problems:#?}");
        assert!(lines.is_some_and(|l| !l.is_empty()));
        let keymap = Keymap::defaults();
        for &action in Action::ALL {
            let bound = KeyContext::all()
                .iter()
                .any(|&c| !keymap.keys_for(c, action).is_empty());
            assert!(bound, "{} has no default key", action.name());
        }
    }

    #[test]
    fn key_names_round_trip() {
        for name in [
            "ctrl-d",
            "shift-tab",
            "pagedown",
            "f1",
            "f12",
            "?",
            "G",
            "g",
            "space",
            "alt-enter",
            "ctrl-alt-x",
            "esc",
            "backspace",
            "~",
            "-",
            "ctrl--",
            "ctrl-space",
        ] {
            let k = key(name);
            assert_eq!(key_name(&k), name);
            assert_eq!(key(&key_name(&k)), k);
        }
    }

    #[test]
    fn key_names_aliases_and_case() {
        assert_eq!(key("backtab"), key("shift-tab"));
        assert_eq!(key("SHIFT-Tab"), key("shift-tab"));
        assert_eq!(key("Ctrl-d"), key("ctrl-d"));
        assert_ne!(key("ctrl-D"), key("ctrl-d"));
        assert_eq!(key("PageDown"), key("pagedown"));
        assert_eq!(key("F1"), key("f1"));
        assert_eq!(key("shift-g"), key("G"));
        assert_eq!(key("shift-?"), key("?"));
        assert_eq!(key("alt-ctrl-x"), key("ctrl-alt-x"));
        assert_ne!(key("g"), key("G"));
        for bad in ["", "ctrl-", "f13", "f0", "pagedwn", "hyper-", "a-b"] {
            assert!(parse_key(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn events_are_normalised() {
        let keymap = Keymap::defaults();
        let shift_g = KeyEvent::new(KeyCode::Char('G'), KeyModifiers::SHIFT);
        assert_eq!(
            keymap.actions(KeyContext::Results, &shift_g),
            &[Action::Bottom]
        );
        let back_tab = KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.actions(KeyContext::Picker, &back_tab),
            &[Action::PrevPane]
        );
        let shift_tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::SHIFT);
        assert_eq!(
            keymap.actions(KeyContext::Picker, &shift_tab),
            &[Action::PrevPane]
        );
        let question = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::SHIFT);
        assert_eq!(
            keymap.actions(KeyContext::Global, &question),
            &[Action::Help]
        );
        assert_eq!(key_name(&shift_g), "G");
        assert_eq!(key_name(&back_tab), "shift-tab");
    }

    #[test]
    fn context_falls_back_to_global() {
        let keymap = Keymap::defaults();
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("enter")),
            &[Action::Open]
        );
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("enter")),
            &[Action::OpenLink]
        );
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("q")),
            &[Action::Quit]
        );
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("enter")),
            &[] as &[Action]
        );
        assert_eq!(
            keymap.actions(KeyContext::Filters, &key("x")),
            &[] as &[Action]
        );
        assert_eq!(
            keymap.keys_for(KeyContext::Filters, Action::Quit),
            vec!["ctrl-c", "q"]
        );
    }

    #[test]
    fn override_applies_key_by_key() {
        let (keymap, problems) = user("[global]\n\"q\" = [\"help\"]\n");
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("q")),
            &[Action::Help]
        );
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("ctrl-c")),
            &[Action::Quit]
        );
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("?")),
            &[Action::Help]
        );
        assert_eq!(keymap.keys_for(KeyContext::Global, Action::Help)[0], "q");
        assert_eq!(
            keymap.keys_for(KeyContext::Global, Action::Quit),
            vec!["ctrl-c"]
        );
    }

    #[test]
    fn string_and_several_actions() {
        let (keymap, problems) =
            user("[results]\nx = \"export\"\n\"ctrl-y\" = [\"copy_link\", \"open_link\"]\n");
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("x")),
            &[Action::Export]
        );
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("ctrl-y")),
            &[Action::CopyLink, Action::OpenLink]
        );
    }

    #[test]
    fn empty_list_unbinds() {
        let (keymap, problems) = user("[global]\n\"q\" = []\n[results]\n\"enter\" = []\n");
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("q")),
            &[] as &[Action]
        );
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("q")),
            &[] as &[Action]
        );
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("enter")),
            &[] as &[Action]
        );
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("o")),
            &[Action::OpenLink]
        );
    }

    fn one_problem(text: &str) -> KeymapProblem {
        let (_, mut problems) = user(text);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        problems.remove(0)
    }

    #[test]
    fn malformed_toml_gives_line_and_pure_defaults() {
        let text = "[global]\n\"q\" = [\"help\"]\n\"x\" = [quit]\n";
        let (keymap, problems) = user(text);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let p = &problems[0];
        assert_eq!(p.line, Some(3));
        assert_eq!(p.key.as_deref(), Some("x"));
        assert!(p.message.starts_with("invalid TOML"), "{p}");
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("q")),
            &[Action::Quit]
        );
    }

    #[test]
    fn unknown_action() {
        let p = one_problem("# mine\n\n[global]\n\"ctrl-q\" = [\"quitt\"]\n");
        assert_eq!(p.line, Some(4));
        assert_eq!(p.key.as_deref(), Some("ctrl-q"));
        assert_eq!(p.message, "unknown action \"quitt\"");
        assert_eq!(
            p.to_string(),
            "/cfg/keymap.toml:4: key \"ctrl-q\": unknown action \"quitt\""
        );
    }

    #[test]
    fn unknown_key_name_keeps_good_lines() {
        let (keymap, problems) = user("[picker]\n\"ctrl-pgdwn\" = \"open\"\n\"z\" = \"search\"\n");
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].line, Some(2));
        assert_eq!(problems[0].key.as_deref(), Some("ctrl-pgdwn"));
        assert!(problems[0].message.contains("unknown key name"));
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("z")),
            &[Action::Search]
        );
    }

    #[test]
    fn unknown_context() {
        let p = one_problem("[global]\n\"z\" = \"quit\"\n\n[pikcer]\n\"z\" = \"open\"\n");
        assert_eq!(p.line, Some(4));
        assert!(p.message.contains("unknown context [pikcer]"), "{p}");
        assert_eq!(p.key, None);
    }

    #[test]
    fn binding_outside_a_section() {
        let p = one_problem("\"q\" = \"help\"\n");
        assert_eq!(p.line, Some(1));
        assert_eq!(p.key.as_deref(), Some("q"));
    }

    #[test]
    fn wrong_value_type() {
        let p = one_problem("[global]\n\"q\" = 3\n");
        assert_eq!(p.line, Some(2));
        assert!(p.message.contains("found integer"), "{p}");
    }

    #[test]
    fn conflict_in_one_context() {
        let text = "[global]\n\"ctrl-d\" = \"page_down\"\n\"CTRL-d\" = \"quit\"\n";
        let (keymap, problems) = user(text);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let p = &problems[0];
        assert_eq!(p.line, Some(3));
        assert_eq!(p.key.as_deref(), Some("CTRL-d"));
        assert!(
            p.message.contains("conflicts with \"ctrl-d\" on line 2"),
            "{p}"
        );
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("ctrl-d")),
            &[Action::PageDown]
        );
        // The same key in different contexts, or twice with the same actions, is fine.
        let (_, problems) = user(
            "[global]\n\"G\" = \"top\"\n\"shift-g\" = \"top\"\n[results]\n\"G\" = \"bottom\"\n",
        );
        assert!(problems.is_empty(), "{problems:#?}");
    }

    #[test]
    fn same_key_written_twice_is_a_conflict_not_a_broken_file() {
        let text = "[global]\n\"x\" = \"quit\"\n\n[results]\n\"x\" = \"export\"\n\"x\" = [\"retry\"] # oops\n";
        let (keymap, problems) = user(text);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let p = &problems[0];
        assert_eq!(p.line, Some(6));
        assert_eq!(p.key.as_deref(), Some("x"));
        assert_eq!(
            p.message,
            "conflicts with \"x\" on line 5 in [results] (export vs retry); keeping line 5"
        );
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("x")),
            &[Action::Export]
        );
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("x")),
            &[Action::Quit]
        );
        // Written twice with the same actions: harmless.
        let (keymap, problems) = user("[results]\nx = \"export\"\nx = [\"export\"]\n");
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("x")),
            &[Action::Export]
        );
        // Written twice, the second with an unknown action: that is the problem.
        let p = one_problem("[results]\nx = \"export\"\nx = \"exprt\"\n");
        assert_eq!(
            (p.line, p.message.as_str()),
            (Some(3), "unknown action \"exprt\"")
        );
    }

    #[test]
    fn section_opened_twice_is_merged() {
        let text = "[global]\nx = \"quit\"\n[picker]\nz = \"open\"\n[global]\nw = \"help\"\n";
        let (keymap, problems) = user(text);
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert_eq!(problems[0].line, Some(5));
        assert!(problems[0].message.contains("[global] appears twice"));
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("x")),
            &[Action::Quit]
        );
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("w")),
            &[Action::Help]
        );
        assert_eq!(
            keymap.actions(KeyContext::Picker, &key("z")),
            &[Action::Open]
        );
    }

    #[test]
    fn several_problems_are_all_reported_in_line_order() {
        let text = "[global]\n\"ctrl-q\" = \"quitt\"\n\"hyperr-x\" = \"quit\"\n[nope]\n[results]\n\"k\" = \"retry\"\n";
        let (keymap, problems) = user(text);
        let lines: Vec<_> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![Some(2), Some(3), Some(4)], "{problems:#?}");
        assert_eq!(
            keymap.actions(KeyContext::Results, &key("k")),
            &[Action::Retry]
        );
        assert!(Keymap::load_strict(None).is_ok());
    }

    #[test]
    fn load_reads_the_file_and_strict_refuses_problems() {
        let dir = std::env::temp_dir().join(format!("tusou-keymap-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let path = dir.join("keymap.toml");
        let write = |text: &str| {
            if let Err(e) = std::fs::write(&path, text) {
                panic!("writing {}: {e}", path.display());
            }
        };
        write("[global]\n\"q\" = \"help\"\n");
        let (keymap, problems) = Keymap::load(Some(&path));
        assert!(problems.is_empty(), "{problems:#?}");
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("q")),
            &[Action::Help]
        );
        assert!(Keymap::load_strict(Some(&path)).is_ok());
        write("[global]\n\"q\" = \"hepl\"\n");
        match Keymap::load_strict(Some(&path)) {
            Ok(_) => panic!("strict load accepted an unknown action"),
            Err(problems) => {
                assert_eq!(problems.len(), 1);
                assert_eq!(problems[0].file, path);
                assert_eq!(problems[0].line, Some(2));
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn default_filters_section_binds_no_text_keys() {
        // While a filter field is edited the TUI only consults the keymap for
        // non-text keys; space is bound for flag rows, where nothing is edited.
        let keymap = Keymap::defaults();
        for &(code, modifiers) in keymap.contexts[KeyContext::Filters.index()].keys() {
            let text_key = matches!(code, KeyCode::Char(c) if c != ' ')
                && !modifiers.intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
            assert!(
                !text_key,
                "[filters] binds text key {}",
                name_of((code, modifiers))
            );
        }
    }

    #[test]
    fn duplicate_with_escaped_quote_in_key() {
        let p = one_problem("[results]\n\"\\\"\" = \"export\"\n\"\\\"\" = \"retry\"\n");
        assert_eq!((p.line, p.key.as_deref()), (Some(3), Some("\"")), "{p}");
        assert!(p.message.starts_with("conflicts with"), "{p}");
    }

    #[test]
    fn problem_display_omits_missing_parts() {
        let p = KeymapProblem {
            file: PathBuf::from("/etc/k.toml"),
            line: None,
            key: None,
            message: "cannot read".into(),
        };
        assert_eq!(p.to_string(), "/etc/k.toml: cannot read");
        let p = KeymapProblem { line: Some(3), ..p };
        assert_eq!(p.to_string(), "/etc/k.toml:3: cannot read");
    }

    #[test]
    fn help_entries_follow_the_live_keymap() {
        let (keymap, _) = user("[results]\n\"x\" = \"export\"\n");
        let entries = keymap.help_entries();
        let export = entries
            .iter()
            .find(|e| e.context == KeyContext::Results && e.action == Action::Export);
        assert_eq!(
            export.map(|e| e.keys.clone()),
            Some(vec!["x".into(), "e".into()])
        );
        assert!(
            entries
                .iter()
                .all(|e| !e.keys.is_empty() && !e.description.is_empty())
        );
    }

    #[test]
    fn load_missing_file_is_defaults() {
        let dir = std::env::temp_dir().join("tusou-keymap-test-missing");
        let (keymap, problems) = Keymap::load(Some(&dir.join("nope.toml")));
        assert!(problems.is_empty());
        assert_eq!(
            keymap.actions(KeyContext::Global, &key("q")),
            &[Action::Quit]
        );
        assert!(Keymap::load_strict(None).is_ok());
    }

    /// A keymap that unbinds both ways out: reported (so `--strict-keymap`
    /// refuses it), and ctrl-c still quits in every pane.
    #[test]
    fn ctrl_c_always_quits() {
        let text = "[global]\n\"q\" = []\n\"ctrl-c\" = []\n[results]\n\"ctrl-c\" = [\"help\"]\n";
        let (keymap, problems) = user(text);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert_eq!(problems[0].line, Some(3));
        assert_eq!(problems[1].line, Some(5));
        assert!(
            problems[0].to_string().contains("ctrl-c always quits"),
            "{}",
            problems[0]
        );
        for &context in KeyContext::all() {
            assert_eq!(
                keymap.actions(context, &key("ctrl-c")),
                &[Action::Quit],
                "{context}"
            );
            assert_eq!(keymap.actions(context, &key("q")), &[] as &[Action]);
        }
        assert_eq!(
            keymap.keys_for(KeyContext::Global, Action::Quit),
            vec!["ctrl-c"]
        );
        // Binding it to quit again is fine.
        let (_, problems) = user("[picker]\n\"ctrl-c\" = [\"quit\"]\n");
        assert!(problems.is_empty(), "{problems:#?}");

        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("keymap.toml");
        std::fs::write(&path, text).expect("write");
        let strict = Keymap::load_strict(Some(&path));
        assert!(strict.is_err(), "--strict-keymap refuses it");
    }

    /// Escapes in the file name and in the file's keys never reach output.
    #[test]
    fn problems_are_sanitised() {
        let (_, problems) = Keymap::from_toml_str(
            "[global]\n\"\\u001b]52;c;ZXZpbA==\\u0007\" = \"quit\"\n",
            Path::new("/cfg\x1b[2J/keymap.toml"),
        );
        assert_eq!(problems.len(), 1, "{problems:#?}");
        let text = problems[0].to_string();
        assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text:?}");
    }

    /// A keymap that is a FIFO or a device is reported, never read.
    #[cfg(unix)]
    #[test]
    fn special_files_are_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let link = dir.path().join("keymap.toml");
        std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
        let (_, problems) = Keymap::load(Some(&link));
        assert_eq!(problems.len(), 1, "{problems:#?}");
        assert!(
            problems[0].to_string().contains("not a regular file"),
            "{}",
            problems[0]
        );
    }
}
