//! Application state, messages and the pure `update` function.
//! (Placeholder `run`; the tui branch brings the app.)

pub mod action;
pub use action::Action;

pub struct AppOptions {
    pub start: Option<String>,
    pub keymap: crate::keymap::Keymap,
    pub keymap_problems: Vec<crate::keymap::KeymapProblem>,
    pub prepare: crate::image::PrepareOptions,
    pub export_dir: std::path::PathBuf,
    pub page_size: u32,
    pub params: crate::api::SearchParams,
}

pub async fn run(_backend: crate::backend::Backend, _options: AppOptions) -> anyhow::Result<()> {
    anyhow::bail!("the app is not merged yet")
}
