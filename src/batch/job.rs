//! Finding or starting a job: the same inputs, provider, filters and top
//! name the same job, so running a command again goes on with it.

use super::inputs::Inputs;
use crate::api::SearchParams;
use crate::store::{JobSummary, NewJob, Store, StoreError};
use std::path::Path;

/// What identifies a job across runs.
pub fn identity(
    inputs: &Inputs,
    recursive: bool,
    provider: &str,
    params: &SearchParams,
    top: u32,
) -> String {
    format!(
        "{}|{}|{}|{}|{}",
        inputs.input,
        recursive,
        provider,
        serde_json::to_string(params).unwrap_or_default(),
        top
    )
}

/// The unfinished job with this identity (and whether it was found), or a
/// new one writing its sheet to `out`.
pub fn find_or_create(
    store: &Store,
    inputs: &Inputs,
    identity: &str,
    provider: &str,
    params: &SearchParams,
    top: u32,
    out: &Path,
) -> Result<(JobSummary, bool), StoreError> {
    if let Some(job) = store.unfinished_job(identity)? {
        return Ok((job, true));
    }
    let id = store.create_job(&NewJob {
        identity,
        input: &inputs.input,
        provider,
        params,
        top,
        out: &out.to_string_lossy(),
        user_columns: &inputs.user_columns,
        items: &inputs.items,
    })?;
    let job = store
        .job(id)?
        .ok_or_else(|| StoreError::Missing(format!("batch job {} is gone", id.0)))?;
    Ok((job, false))
}

/// `tusou-batch-2026-11-24.xlsx` in `dir`, or `…-1.xlsx`, `…-2.xlsx` when
/// taken (a default never overwrites an earlier sheet).
pub fn default_out(dir: &Path) -> std::path::PathBuf {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let stem = format!("tusou-batch-{}", crate::text::utc_day(now));
    let dir = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    (0..1000)
        .map(|i| {
            if i == 0 {
                dir.join(format!("{stem}.xlsx"))
            } else {
                dir.join(format!("{stem}-{i}.xlsx"))
            }
        })
        .find(|p| !p.exists())
        .unwrap_or_else(|| dir.join(format!("{stem}-{now}.xlsx")))
}
