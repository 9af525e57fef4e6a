//! Reading the keymaps: the built-in keymap.toml with the user's file laid
//! over it, key by key, and the problems found on the way.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use super::action::Action;
use super::key::CTRL_C;
use super::parse::{ParsedLine, parse_layer};
use super::problem::KeymapProblem;
use super::{Binding, Keymap};

/// The repository keymap.toml, compiled in.
pub(super) const DEFAULT_KEYMAP: &str = include_str!("../../keymap.toml");

/// Where the compiled-in defaults say they come from, in problems.
pub(super) const DEFAULT_KEYMAP_NAME: &str = "keymap.toml (built in)";

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
        match crate::fs::read_text_capped(path, crate::fs::MAX_TEXT_FILE_BYTES) {
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
    pub(crate) fn load_strict(user_file: Option<&Path>) -> Result<Keymap, Vec<KeymapProblem>> {
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
    pub(crate) fn from_toml_str(text: &str, file: &Path) -> (Keymap, Vec<KeymapProblem>) {
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
}

/// The user keymap: `$TUSOU_CONFIG_DIR/keymap.toml` if that variable is set,
/// else `<config dir>/tusou/keymap.toml` (e.g. `~/.config/tusou/keymap.toml`).
pub fn user_keymap_path() -> Option<PathBuf> {
    crate::config::config_dir().map(|d| d.join("keymap.toml"))
}
