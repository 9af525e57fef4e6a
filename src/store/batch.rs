//! Batch jobs: a job's inputs and each photo's state live here from the
//! start, so a run stopped by Ctrl-C, a crash or `kill -9` resumes with
//! nothing searched twice and nothing fetched lost. A photo's results are
//! an ordinary recorded search (History opens them).

use super::error::StoreError;
use super::searches::SearchId;
use super::{Store, now};
use crate::api::SearchParams;
use rusqlite::OptionalExtension;

/// A batch job's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct JobId(pub i64);

/// What a new job is made of.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    /// Inputs, provider, filters and top together: running the same command
    /// again finds the unfinished job with this identity.
    pub identity: &'a str,
    pub input: &'a str,
    pub provider: &'a str,
    pub params: &'a SearchParams,
    pub top: u32,
    pub out: &'a str,
    pub user_columns: &'a [String],
    /// (source, user values) per photo, in input order.
    pub items: &'a [(String, Vec<String>)],
}

/// A job as `tusou batch --list` shows it and a resumed run needs it.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSummary {
    pub id: JobId,
    pub input: String,
    pub provider: String,
    pub params: SearchParams,
    pub top: u32,
    pub out: String,
    pub user_columns: Vec<String>,
    pub created_at: i64,
    pub finished_at: Option<i64>,
    pub total: u64,
    pub done: u64,
    pub failed: u64,
}

impl JobSummary {
    pub fn pending(&self) -> u64 {
        self.total.saturating_sub(self.done + self.failed)
    }
}

/// Where a photo of a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemState {
    Pending,
    /// Searched: the recorded search (gone if the user deleted it from
    /// History) and the provider's total.
    Done {
        search: Option<SearchId>,
        total: Option<u64>,
    },
    Failed {
        reason: String,
    },
}

/// One photo of a job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobItem {
    /// 1-based, input order.
    pub index: u32,
    pub source: String,
    pub user_values: Vec<String>,
    pub state: ItemState,
    /// Searches tried for it so far (including ones a stop cut short).
    pub attempts: u32,
}

const JOB_COLUMNS: &str = "j.id, j.input, j.provider, j.filters, j.top, j.out, j.user_columns,
    j.created_at, j.finished_at,
    (SELECT COUNT(*) FROM batch_items i WHERE i.job_id = j.id),
    (SELECT COUNT(*) FROM batch_items i WHERE i.job_id = j.id AND i.state = 'done'),
    (SELECT COUNT(*) FROM batch_items i WHERE i.job_id = j.id AND i.state = 'failed')";

fn job(r: &rusqlite::Row<'_>) -> rusqlite::Result<JobSummary> {
    let filters: String = r.get(3)?;
    let columns: String = r.get(6)?;
    let count = |i| r.get::<_, i64>(i).map(|n| n.max(0) as u64);
    Ok(JobSummary {
        id: JobId(r.get(0)?),
        input: r.get(1)?,
        provider: r.get(2)?,
        params: serde_json::from_str(&filters).unwrap_or_default(),
        top: r.get::<_, i64>(4)?.clamp(0, u32::MAX as i64) as u32,
        out: r.get(5)?,
        user_columns: serde_json::from_str(&columns).unwrap_or_default(),
        created_at: r.get(7)?,
        finished_at: r.get(8)?,
        total: count(9)?,
        done: count(10)?,
        failed: count(11)?,
    })
}

impl Store {
    /// Creates a job with all its photos pending, in one transaction.
    pub fn create_job(&self, new: &NewJob<'_>) -> Result<JobId, StoreError> {
        let filters = serde_json::to_string(new.params).map_err(StoreError::Json)?;
        let columns = serde_json::to_string(new.user_columns).map_err(StoreError::Json)?;
        self.with(|conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO batch_jobs (identity, input, provider, filters, top, out, user_columns, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                rusqlite::params![
                    new.identity,
                    new.input,
                    new.provider,
                    filters,
                    new.top,
                    new.out,
                    columns,
                    now()
                ],
            )?;
            let id = tx.last_insert_rowid();
            {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO batch_items (job_id, idx, source, user_values) VALUES (?1, ?2, ?3, ?4)",
                )?;
                for (i, (source, values)) in new.items.iter().enumerate() {
                    let values = serde_json::to_string(values).map_err(StoreError::Json)?;
                    insert.execute(rusqlite::params![id, i as i64 + 1, source, values])?;
                }
            }
            tx.commit()?;
            Ok(JobId(id))
        })
    }

    /// The newest unfinished job with this identity.
    pub fn unfinished_job(&self, identity: &str) -> Result<Option<JobSummary>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS} FROM batch_jobs j
                     WHERE j.identity = ?1 AND j.finished_at IS NULL
                     ORDER BY j.id DESC LIMIT 1"
                ))?
                .query_row([identity], job)
                .optional()?)
        })
    }

    pub fn job(&self, id: JobId) -> Result<Option<JobSummary>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .prepare_cached(&format!(
                    "SELECT {JOB_COLUMNS} FROM batch_jobs j WHERE j.id = ?1"
                ))?
                .query_row([id.0], job)
                .optional()?)
        })
    }

    /// Jobs, newest first.
    pub fn jobs(&self, limit: u32) -> Result<Vec<JobSummary>, StoreError> {
        self.with(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM batch_jobs j ORDER BY j.id DESC LIMIT ?1"
            ))?;
            let rows = st.query_map([limit], job)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Every photo of a job, in input order.
    pub fn job_items(&self, id: JobId) -> Result<Vec<JobItem>, StoreError> {
        self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT idx, source, user_values, state, reason, search_id, total, attempts
                 FROM batch_items WHERE job_id = ?1 ORDER BY idx",
            )?;
            let rows = st.query_map([id.0], |r| {
                let values: String = r.get(2)?;
                let state: String = r.get(3)?;
                let state = match state.as_str() {
                    "done" => ItemState::Done {
                        search: r.get::<_, Option<i64>>(5)?.map(SearchId),
                        total: r.get::<_, Option<i64>>(6)?.map(|t| t.max(0) as u64),
                    },
                    "failed" => ItemState::Failed {
                        reason: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    },
                    _ => ItemState::Pending,
                };
                Ok(JobItem {
                    index: r.get::<_, i64>(0)?.clamp(0, u32::MAX as i64) as u32,
                    source: r.get(1)?,
                    user_values: serde_json::from_str(&values).unwrap_or_default(),
                    state,
                    attempts: r.get::<_, i64>(7)?.clamp(0, u32::MAX as i64) as u32,
                })
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// A photo's search is starting (counted, so a photo that keeps
    /// stopping a run can be told apart).
    pub fn item_started(&self, job: JobId, index: u32) -> Result<(), StoreError> {
        self.set_item(
            "UPDATE batch_items SET attempts = attempts + 1, updated_at = ?3
             WHERE job_id = ?1 AND idx = ?2",
            job,
            index,
            rusqlite::params![job.0, index, now()],
        )
    }

    /// A photo was searched: its recorded search and the provider's total.
    pub fn item_done(
        &self,
        job: JobId,
        index: u32,
        search: SearchId,
        total: Option<u64>,
    ) -> Result<(), StoreError> {
        self.set_item(
            "UPDATE batch_items SET state = 'done', reason = NULL, search_id = ?3, total = ?4, updated_at = ?5
             WHERE job_id = ?1 AND idx = ?2",
            job,
            index,
            rusqlite::params![job.0, index, search.0, total.map(|t| t as i64), now()],
        )
    }

    /// A photo cannot be searched, and why.
    pub fn item_failed(&self, job: JobId, index: u32, reason: &str) -> Result<(), StoreError> {
        self.set_item(
            "UPDATE batch_items SET state = 'failed', reason = ?3, updated_at = ?4
             WHERE job_id = ?1 AND idx = ?2",
            job,
            index,
            rusqlite::params![job.0, index, reason, now()],
        )
    }

    /// Failed photos go back to pending (a run asked to try them again).
    pub fn retry_failed_items(&self, job: JobId) -> Result<u64, StoreError> {
        self.with(|conn| {
            let n = conn.execute(
                "UPDATE batch_items SET state = 'pending', reason = NULL
                 WHERE job_id = ?1 AND state = 'failed'",
                [job.0],
            )?;
            Ok(n as u64)
        })
    }

    /// Does any match the job's sheet shows (the first `top` offers of each
    /// searched photo) have an offer detail kept? (The sheet then has the
    /// detail columns; asked before the photos are read one by one.)
    pub fn job_has_details(&self, job: JobId) -> Result<bool, StoreError> {
        self.with(|conn| {
            Ok(conn.query_row(
                "SELECT EXISTS (
                   SELECT 1 FROM batch_jobs j
                   JOIN batch_items i ON i.job_id = j.id AND i.state = 'done'
                   JOIN results r ON r.search_id = i.search_id
                   JOIN offers o ON o.id = r.offer_id
                   JOIN details d ON d.provider = j.provider AND d.offer_key = o.offer_key
                   WHERE j.id = ?1
                     AND (SELECT COUNT(*) FROM results r2
                          WHERE r2.search_id = r.search_id
                            AND (r2.page < r.page OR (r2.page = r.page AND r2.rank < r.rank))
                         ) < j.top)",
                [job.0],
                |r| r.get::<_, bool>(0),
            )?)
        })
    }

    /// The sheet goes to `out` from now on (`--resume N --out OTHER`, or
    /// the fresh name it was written under).
    pub fn set_job_out(&self, job: JobId, out: &str) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE batch_jobs SET out = ?2 WHERE id = ?1",
                rusqlite::params![job.0, out],
            )?;
            Ok(())
        })
    }

    /// Every photo is done or failed and the sheet is on disk: the job is
    /// finished (not before, so a job killed while writing its sheet is
    /// still found unfinished and resumed).
    pub fn finish_job(&self, job: JobId) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE batch_jobs SET finished_at = ?2 WHERE id = ?1",
                rusqlite::params![job.0, now()],
            )?;
            Ok(())
        })
    }

    fn set_item(
        &self,
        sql: &str,
        job: JobId,
        index: u32,
        params: impl rusqlite::Params,
    ) -> Result<(), StoreError> {
        self.with(|conn| match conn.prepare_cached(sql)?.execute(params)? {
            0 => Err(StoreError::Missing(format!(
                "batch job {} has no photo {index}",
                job.0
            ))),
            _ => Ok(()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewSearch, test_store};

    fn items(n: usize) -> Vec<(String, Vec<String>)> {
        (1..=n)
            .map(|i| (format!("/photos/{i}.jpg"), vec![format!("SKU-{i}")]))
            .collect()
    }

    #[test]
    fn a_job_keeps_each_photo_s_state_and_is_found_by_identity() {
        let store = test_store();
        let params = SearchParams::default();
        let items = items(3);
        let columns = vec!["sku".to_string()];
        let new = NewJob {
            identity: "dir:/photos|dajisaas|{}|5",
            input: "/photos",
            provider: "dajisaas",
            params: &params,
            top: 5,
            out: "/tmp/x.xlsx",
            user_columns: &columns,
            items: &items,
        };
        let id = store.create_job(&new).unwrap();
        assert_eq!(
            store.unfinished_job(new.identity).unwrap().map(|j| j.id),
            Some(id)
        );
        let search = store
            .record_search(&NewSearch {
                source_md5: "abc",
                thumbnail: None,
                source: "/photos/1.jpg",
                provider: "dajisaas",
                params: &params,
            })
            .unwrap();
        store.item_started(id, 1).unwrap();
        store.item_done(id, 1, search, Some(42)).unwrap();
        store.item_started(id, 2).unwrap();
        store.item_failed(id, 2, "not an image").unwrap();
        let job = store.job(id).unwrap().unwrap();
        assert_eq!(
            (job.total, job.done, job.failed, job.pending()),
            (3, 1, 1, 1)
        );
        assert_eq!(job.user_columns, columns);
        let got = store.job_items(id).unwrap();
        assert_eq!(
            got[0].state,
            ItemState::Done {
                search: Some(search),
                total: Some(42)
            }
        );
        assert_eq!(got[0].user_values, ["SKU-1"]);
        assert_eq!(
            got[1].state,
            ItemState::Failed {
                reason: "not an image".into()
            }
        );
        assert_eq!(
            (got[2].state.clone(), got[2].attempts),
            (ItemState::Pending, 0)
        );
        assert!(store.item_done(id, 9, search, None).is_err());
        // Deleting the search from History leaves the photo done, without it.
        store.delete_search(search).unwrap();
        assert_eq!(
            store.job_items(id).unwrap()[0].state,
            ItemState::Done {
                search: None,
                total: Some(42)
            }
        );
        assert_eq!(store.retry_failed_items(id).unwrap(), 1);
        store.finish_job(id).unwrap();
        assert!(store.unfinished_job(new.identity).unwrap().is_none());
        assert_eq!(store.jobs(10).unwrap().len(), 1);
    }
}
