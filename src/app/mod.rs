//! The interactive app's model: plain state, messages, the pure `update`,
//! and the effects runner. The event loop that ties it to the terminal and
//! the view is `crate::event_loop`.

pub mod crop;
pub mod effects;
pub mod errors;
mod events;
mod failure;
pub(crate) mod fuzzy;
pub mod group;
pub(crate) mod layout;
pub mod msg;
pub mod state;
pub mod update;

pub use crate::keymap::Action;
pub use effects::BatchSetup;
pub(crate) use events::event_to_msgs;
#[cfg(test)]
pub(crate) use events::key_to_msgs;
pub use msg::{Effect, MouseMsg, Msg};
pub use state::State;
pub use update::{Start, update};

use crate::api::SearchParams;
use crate::image::protocol::GraphicsProtocol;
use crate::keymap::{Keymap, KeymapProblem};
use std::path::PathBuf;

/// What `main` hands the app.
pub struct AppOptions {
    /// A directory, an image path or an image URL from the command line.
    pub start: Option<String>,
    pub keymap: Keymap,
    pub keymap_problems: Vec<KeymapProblem>,
    /// Other things to tell the user at start (e.g. a config file others can read).
    pub notices: Vec<String>,
    pub prepare: crate::image::PrepareOptions,
    pub export_dir: PathBuf,
    pub page_size: u32,
    /// Initial filters (from the config).
    pub params: SearchParams,
    /// Prices are also shown and exported in this currency.
    pub currency: Option<crate::money::Currency>,
    /// How a batch started from the picker runs.
    pub batch: effects::BatchSetup,
    /// Warehouse, freight lanes and fees for landed costs.
    pub landed: crate::landed::Settings,
}

/// Decides what the start argument names. Runs before the event loop.
pub(crate) fn classify_start(start: Option<&str>, cwd: &std::path::Path) -> Start {
    let Some(s) = start.map(str::trim).filter(|s| !s.is_empty()) else {
        return Start::Dir(cwd.to_path_buf());
    };
    if crate::text::is_url(s) {
        return Start::Url(s.to_string());
    }
    let path = if let Some(rest) = s.strip_prefix("~/")
        && let Some(home) = dirs::home_dir()
    {
        home.join(rest)
    } else {
        PathBuf::from(s)
    };
    let path = if path.is_relative() {
        cwd.join(path)
    } else {
        path
    };
    if path.is_dir() {
        Start::Dir(path)
    } else {
        Start::File(path)
    }
}

/// Builds the first state (no terminal involved).
pub(crate) fn initial_state(
    backend_label: &str,
    demo: bool,
    options: &AppOptions,
    graphics: GraphicsProtocol,
    color: bool,
) -> State {
    let mut params = options.params.clone();
    if params.page_size.is_none() {
        params.page_size = Some(options.page_size);
    }
    let mut state = State::new(options.keymap.clone(), params);
    state.backend_label = backend_label.to_string();
    state.demo = demo;
    state.graphics = graphics;
    state.color = color;
    state.can_open = effects::has_local_display();
    state.export_dir = options.export_dir.clone();
    state.currency = options.currency.clone();
    state.landed = state::LandedState::new(options.landed.clone());
    state.filters.lanes = options
        .landed
        .lanes
        .iter()
        .map(|l| l.name.clone())
        .collect();
    if let Some(lane) = &state.landed.lane {
        state.filters.fields[state::FilterField::Lane.index()] =
            tui_input::Input::new(lane.name.clone());
    }
    state.picker.home = dirs::home_dir();
    // File names and file contents: sanitised before the status bar.
    let mut problems = options
        .keymap_problems
        .iter()
        .map(|p| format!("keymap: {p}"))
        .chain(options.notices.iter().cloned())
        .map(|text| crate::text::sanitize(&text));
    if let Some(first) = problems.next() {
        let more = problems.count();
        let tail = if more > 0 {
            format!(" (and {more} more)")
        } else {
            String::new()
        };
        state.notice = Some(state::Message {
            text: format!("{first}{tail}"),
            error: true,
        });
    }
    state
}
