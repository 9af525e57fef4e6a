//! Exporting the results to CSV and JSON files, and saying where they went.

use crate::app::msg::Effect;
use crate::app::state::State;
use std::path::PathBuf;

pub(super) fn export(state: &mut State) -> Vec<Effect> {
    if state.results.offers.is_empty() {
        state.set_error("Nothing to export yet");
        Vec::new()
    } else {
        state.set_info(format!("Exporting {} rows…", state.results.offers.len()));
        vec![Effect::Export {
            offers: state.results.offers.clone(),
            dir: state.export_dir.clone(),
            currency: state.currency.clone(),
        }]
    }
}

/// The export finished: name both files (as `name.{csv,json}` when they
/// share a stem), or say why it failed.
pub(super) fn exported(state: &mut State, result: Result<(PathBuf, PathBuf), String>) {
    match result {
        Ok((csv, json)) => {
            let n = if state.focus == crate::app::state::Pane::Shortlist {
                state.shortlist.visible.len()
            } else {
                state.results.offers.len()
            };
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
}
