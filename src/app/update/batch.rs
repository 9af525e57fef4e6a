//! A batch from the picker: the highlighted directory's pictures searched
//! in the background at the provider's rate (as `tusou batch DIR` does),
//! progress in the status bar, each photo's results in History, the sheet
//! in the export directory.

use crate::app::msg::{BatchUpdate, Effect, StoreOp};
use crate::app::state::{BatchStatus, Pane, State, StoreStatus};
use crate::text::sanitize;

pub(super) fn start(state: &mut State) -> Vec<Effect> {
    if let StoreStatus::Off(reason) = &state.store {
        let reason = reason.clone();
        state.set_error(format!(
            "A batch keeps its job in the history, and {reason}"
        ));
        return Vec::new();
    }
    if let Some(b) = &state.batch {
        let text = format!(
            "A batch is running ({}/{} photos); it must finish first",
            b.done + b.failed,
            b.total
        );
        state.set_error(text);
        return Vec::new();
    }
    let Some(entry) = state
        .picker
        .selected()
        .filter(|e| e.is_dir && e.name != "..")
    else {
        state.set_error("A batch searches a directory's pictures: highlight a directory");
        return Vec::new();
    };
    let (dir, label) = (entry.path.clone(), sanitize(&entry.name));
    state.batch = Some(BatchStatus {
        label: label.clone(),
        total: 0,
        done: 0,
        failed: 0,
    });
    state.set_info(format!(
        "Batch of {label}/ started: progress below; each photo's results open from History"
    ));
    vec![Effect::StartBatch {
        dir,
        params: state.params.clone(),
    }]
}

pub(super) fn update(state: &mut State, update: BatchUpdate) -> Vec<Effect> {
    match update {
        BatchUpdate::Progress {
            total,
            done,
            failed,
        } => {
            if let Some(b) = &mut state.batch {
                (b.total, b.done, b.failed) = (total, done, failed);
            }
            Vec::new()
        }
        BatchUpdate::Finished(result) => {
            state.batch = None;
            match result {
                Ok(text) => state.set_info(text),
                Err(e) => state.set_error(format!("Batch: {e}")),
            }
            // Its searches are new History entries.
            if state.main == Pane::History {
                vec![Effect::Store(StoreOp::LoadHistory)]
            } else {
                state.history.loaded = false;
                Vec::new()
            }
        }
    }
}
