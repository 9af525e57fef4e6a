//! Watches (`tusou watch`): a search kept to be run again on a schedule,
//! with the prepared picture it searches with; each run (recorded in the
//! history as an ordinary search) and what changed since the run before;
//! the lock that keeps two runs at once off one watch.

use super::offers::offer_key;
use super::searches::SearchId;
use super::{Store, StoreError, now};
use crate::api::{Offer, SearchParams};
use rusqlite::{OptionalExtension, TransactionBehavior, params};
use std::collections::HashMap;

/// The largest prepared picture a watch keeps (the schema refuses more).
pub const MAX_WATCH_PICTURE: usize = 2 * 1024 * 1024;

/// A watch's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct WatchId(pub i64);

/// A run's row id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RunId(pub i64);

/// What a new watch searches, and how often.
#[derive(Debug, Clone, Copy)]
pub struct NewWatch<'a> {
    /// The file path or URL, as given (raw: sanitise before display).
    pub source: &'a str,
    /// The prepared copy searched with (at most [`MAX_WATCH_PICTURE`]);
    /// `None` for a picture the provider fetches by address.
    pub picture: Option<&'a [u8]>,
    /// As `searches.source_md5`: the prepared copy's MD5.
    pub picture_md5: &'a str,
    pub thumbnail: Option<&'a [u8]>,
    pub provider: &'a str,
    pub params: &'a SearchParams,
    /// Pages fetched per run (1–100).
    pub pages: u32,
    pub qty: Option<u64>,
    pub lane: Option<&'a str>,
    /// Seconds between runs (above 0).
    pub every_secs: u64,
    /// A price change smaller than this (basis points of the old price) is
    /// not reported.
    pub drop_bps: u32,
}

/// How a finished run compared with the one before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct RunCounts {
    pub new: u64,
    pub gone: u64,
    pub cheaper: u64,
    pub dearer: u64,
    pub moq_changed: u64,
}

impl RunCounts {
    /// Whether anything changed.
    pub fn any(&self) -> bool {
        self.new + self.gone + self.cheaper + self.dearer + self.moq_changed > 0
    }
}

/// A run's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    Running,
    Done,
    Failed,
    /// Stopped by a signal (kept as `failed` with [`STOPPED_REASON`]: the
    /// v10 schema's statuses; the watch stays due).
    Stopped,
}

/// The reason a run stopped by a signal is kept with.
pub const STOPPED_REASON: &str = "stopped by a signal";

impl RunStatus {
    fn parse(s: &str, reason: Option<&str>) -> RunStatus {
        match s {
            "done" => RunStatus::Done,
            "failed" if reason == Some(STOPPED_REASON) => RunStatus::Stopped,
            "failed" => RunStatus::Failed,
            _ => RunStatus::Running,
        }
    }
}

/// The latest run of a watch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunSummary {
    pub id: RunId,
    pub search: Option<SearchId>,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub status: RunStatus,
    /// Why it failed (raw: sanitise before display).
    pub reason: Option<String>,
    pub counts: RunCounts,
}

/// A watch as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Watch {
    pub id: WatchId,
    /// Raw: sanitise before display.
    pub source: String,
    /// The prepared copy; read only by [`Store::watch`] (empty lists carry
    /// `None`, see `has_picture`).
    pub picture: Option<Vec<u8>>,
    pub has_picture: bool,
    pub picture_md5: String,
    pub thumbnail: Option<Vec<u8>>,
    pub provider: String,
    /// The defaults if its JSON is unreadable.
    pub params: SearchParams,
    pub pages: u32,
    pub qty: Option<u64>,
    pub lane: Option<String>,
    pub every_secs: u64,
    pub drop_bps: u32,
    pub created_at: i64,
    pub last_run_at: Option<i64>,
    pub next_due: i64,
    pub last: Option<RunSummary>,
}

/// What changed about one offer between two runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum OfferChange {
    /// Not in the run before.
    New,
    /// In the run before, not in this one.
    Gone,
    /// Cheaper by at least the watch's threshold (fen).
    Cheaper { was_fen: u64, now_fen: u64 },
    /// Dearer by at least the watch's threshold (fen).
    Dearer { was_fen: u64, now_fen: u64 },
    /// The minimum order changed (pieces).
    MoqChanged { was: u64, now: u64 },
}

/// One offer's change, with the offer as this run (or, when gone, the run
/// before) saw it.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub change: OfferChange,
    pub offer: Offer,
}

/// Counts the changes by kind.
pub fn count(changes: &[Changed]) -> RunCounts {
    let mut c = RunCounts::default();
    for ch in changes {
        match ch.change {
            OfferChange::New => c.new += 1,
            OfferChange::Gone => c.gone += 1,
            OfferChange::Cheaper { .. } => c.cheaper += 1,
            OfferChange::Dearer { .. } => c.dearer += 1,
            OfferChange::MoqChanged { .. } => c.moq_changed += 1,
        }
    }
    c
}

/// Whether a move from `was` to `now` (fen) reaches `bps` basis points of
/// `was` (any change at 0; a move from 0 always does).
pub fn past_threshold(was: u64, now: u64, bps: u32) -> bool {
    if was == now {
        return false;
    }
    let moved = u128::from(was.abs_diff(now)) * 10_000;
    moved >= u128::from(was) * u128::from(bps)
}

/// An offer's key for comparing runs (as the offers table keys it).
pub fn key_of(offer: &Offer) -> String {
    let json = serde_json::to_string(offer).unwrap_or_default();
    offer_key(offer, &json)
}

/// The offers of `after` compared with those of `before` (each search's
/// own prices): new, gone, and price moves of at least `bps`. New and
/// price moves in `after`'s order, then the gone in `before`'s.
pub fn compare(before: &[Offer], after: &[Offer], bps: u32) -> Vec<Changed> {
    let mut was: HashMap<String, Option<u64>> = HashMap::with_capacity(before.len());
    for o in before {
        was.entry(key_of(o)).or_insert(o.price.map(|p| p.fen()));
    }
    let mut seen = std::collections::HashSet::with_capacity(after.len());
    let mut out = Vec::new();
    for o in after {
        let key = key_of(o);
        if !seen.insert(key.clone()) {
            continue;
        }
        match was.get(&key) {
            None => out.push(Changed {
                change: OfferChange::New,
                offer: o.clone(),
            }),
            Some(then) => {
                if let (Some(was_fen), Some(now_fen)) = (*then, o.price.map(|p| p.fen()))
                    && past_threshold(was_fen, now_fen, bps)
                {
                    let change = if now_fen < was_fen {
                        OfferChange::Cheaper { was_fen, now_fen }
                    } else {
                        OfferChange::Dearer { was_fen, now_fen }
                    };
                    out.push(Changed {
                        change,
                        offer: o.clone(),
                    });
                }
            }
        }
    }
    let mut gone_seen = std::collections::HashSet::new();
    for o in before {
        let key = key_of(o);
        if !seen.contains(&key) && gone_seen.insert(key) {
            out.push(Changed {
                change: OfferChange::Gone,
                offer: o.clone(),
            });
        }
    }
    out
}

const WATCH_COLUMNS: &str = "w.id, w.source, w.picture IS NOT NULL, w.picture_md5, w.thumbnail, \
     w.provider, w.params, w.pages, w.qty, w.lane, w.every_secs, w.drop_bps, w.created_at, \
     w.last_run_at, w.next_due, \
     r.id, r.search_id, r.started_at, r.finished_at, r.status, r.reason, \
     r.new, r.gone, r.cheaper, r.dearer, r.moq_changed";

/// Each watch with its latest run (if any).
const WATCH_FROM: &str = "FROM watches w LEFT JOIN watch_runs r ON r.id = \
     (SELECT MAX(id) FROM watch_runs WHERE watch_id = w.id)";

fn u(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<u64> {
    Ok(r.get::<_, i64>(i)?.max(0) as u64)
}

fn watch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Watch> {
    let params: String = r.get(6)?;
    let last = match r.get::<_, Option<i64>>(15)? {
        None => None,
        Some(id) => {
            let reason: Option<String> = r.get(20)?;
            Some(RunSummary {
                id: RunId(id),
                search: r.get::<_, Option<i64>>(16)?.map(SearchId),
                started_at: r.get(17)?,
                finished_at: r.get(18)?,
                status: RunStatus::parse(&r.get::<_, String>(19)?, reason.as_deref()),
                reason,
                counts: RunCounts {
                    new: u(r, 21)?,
                    gone: u(r, 22)?,
                    cheaper: u(r, 23)?,
                    dearer: u(r, 24)?,
                    moq_changed: u(r, 25)?,
                },
            })
        }
    };
    Ok(Watch {
        id: WatchId(r.get(0)?),
        source: r.get(1)?,
        picture: None,
        has_picture: r.get(2)?,
        picture_md5: r.get(3)?,
        thumbnail: r.get(4)?,
        provider: r.get(5)?,
        params: serde_json::from_str(&params).unwrap_or_default(),
        pages: u32::try_from(u(r, 7)?).unwrap_or(1).max(1),
        qty: r.get::<_, Option<i64>>(8)?.map(|q| q.max(0) as u64),
        lane: r.get(9)?,
        every_secs: u(r, 10)?,
        drop_bps: u32::try_from(u(r, 11)?).unwrap_or(0),
        created_at: r.get(12)?,
        last_run_at: r.get(13)?,
        next_due: r.get(14)?,
        last,
    })
}

fn i(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

impl Store {
    /// Adds a watch, due at once. A picture over [`MAX_WATCH_PICTURE`] is
    /// refused.
    pub fn add_watch(&self, w: &NewWatch<'_>) -> Result<WatchId, StoreError> {
        if w.picture.is_some_and(|p| p.len() > MAX_WATCH_PICTURE) {
            return Err(StoreError::Missing(format!(
                "the prepared picture is over {} and is not kept",
                crate::text::human_bytes(MAX_WATCH_PICTURE as u64)
            )));
        }
        let params = serde_json::to_string(w.params).map_err(StoreError::Json)?;
        let at = now();
        self.with(|conn| {
            conn.execute(
                "INSERT INTO watches (source, picture, picture_md5, thumbnail, provider, params,
                    pages, qty, lane, every_secs, drop_bps, created_at, next_due)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)",
                params![
                    w.source,
                    w.picture,
                    w.picture_md5,
                    w.thumbnail,
                    w.provider,
                    params,
                    w.pages.clamp(1, 100),
                    w.qty.map(i),
                    w.lane,
                    i(w.every_secs.max(1)),
                    w.drop_bps.min(10_000),
                    at
                ],
            )?;
            Ok(WatchId(conn.last_insert_rowid()))
        })
    }

    /// Every watch, oldest first, with its latest run (pictures not read).
    pub fn watches(&self) -> Result<Vec<Watch>, StoreError> {
        self.with(|conn| {
            let mut st = conn.prepare_cached(&format!(
                "SELECT {WATCH_COLUMNS} {WATCH_FROM} ORDER BY w.id"
            ))?;
            let rows = st.query_map([], watch_row)?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// One watch with its kept picture; `None` when there is none.
    pub fn watch(&self, id: WatchId) -> Result<Option<Watch>, StoreError> {
        self.with(|conn| {
            let found = conn
                .prepare_cached(&format!(
                    "SELECT {WATCH_COLUMNS} {WATCH_FROM} WHERE w.id = ?1"
                ))?
                .query_row([id.0], watch_row)
                .optional()?;
            let Some(mut w) = found else {
                return Ok(None);
            };
            w.picture = conn
                .query_row("SELECT picture FROM watches WHERE id = ?1", [id.0], |r| {
                    r.get(0)
                })
                .optional()?
                .flatten();
            Ok(Some(w))
        })
    }

    /// Removes a watch and its runs (the searches they recorded stay in
    /// the history). False when there was none.
    pub fn remove_watch(&self, id: WatchId) -> Result<bool, StoreError> {
        self.with(|conn| Ok(conn.execute("DELETE FROM watches WHERE id = ?1", [id.0])? > 0))
    }

    /// The watches due at `at` (Unix seconds), longest due first.
    pub fn due_watches(&self, at: i64) -> Result<Vec<WatchId>, StoreError> {
        self.with(|conn| {
            let mut st = conn.prepare_cached(
                "SELECT id FROM watches WHERE next_due <= ?1 ORDER BY next_due, id",
            )?;
            let rows = st.query_map([at], |r| Ok(WatchId(r.get(0)?)))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    /// Takes the watch's lock for `owner` until `at + ttl_secs`, unless
    /// another holds it (a lock whose time has passed is free: its holder
    /// crashed) or, with `due_only`, the watch is no longer due at `at` (a
    /// run that just finished it). One UPDATE in an immediate transaction,
    /// so of two processes claiming at once exactly one wins. True when
    /// taken.
    pub fn claim_watch(
        &self,
        id: WatchId,
        owner: &str,
        at: i64,
        ttl_secs: u64,
        due_only: bool,
    ) -> Result<bool, StoreError> {
        self.with(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let n = tx.execute(
                "UPDATE watches SET lock_owner = ?2, lock_until = ?3
                 WHERE id = ?1 AND lock_until < ?4 AND (NOT ?5 OR next_due <= ?4)",
                params![id.0, owner, at.saturating_add(i(ttl_secs)), at, due_only],
            )?;
            tx.commit()?;
            Ok(n == 1)
        })
    }

    /// Gives the lock back, if `owner` still holds it.
    pub fn release_watch(&self, id: WatchId, owner: &str) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE watches SET lock_owner = NULL, lock_until = 0
                 WHERE id = ?1 AND lock_owner = ?2",
                params![id.0, owner],
            )?;
            Ok(())
        })
    }

    /// Notes a run starting now, with the search it records into.
    pub fn start_run(&self, watch: WatchId, search: Option<SearchId>) -> Result<RunId, StoreError> {
        self.with(|conn| {
            conn.execute(
                "INSERT INTO watch_runs (watch_id, search_id, started_at) VALUES (?1, ?2, ?3)",
                params![watch.0, search.map(|s| s.0), now()],
            )?;
            Ok(RunId(conn.last_insert_rowid()))
        })
    }

    /// A run finished: its counts kept, the watch due again `every_secs`
    /// from now.
    pub fn finish_run(
        &self,
        watch: WatchId,
        run: RunId,
        counts: &RunCounts,
    ) -> Result<(), StoreError> {
        let at = now();
        self.with(|conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "UPDATE watch_runs SET status = 'done', finished_at = ?2, new = ?3, gone = ?4,
                    cheaper = ?5, dearer = ?6, moq_changed = ?7 WHERE id = ?1",
                params![
                    run.0,
                    at,
                    i(counts.new),
                    i(counts.gone),
                    i(counts.cheaper),
                    i(counts.dearer),
                    i(counts.moq_changed)
                ],
            )?;
            tx.execute(
                "UPDATE watches SET last_run_at = ?2, next_due = ?2 + every_secs WHERE id = ?1",
                params![watch.0, at],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    /// A run failed (what it fetched stays in its search); the watch stays
    /// due.
    pub fn fail_run(&self, run: RunId, reason: &str) -> Result<(), StoreError> {
        self.with(|conn| {
            conn.execute(
                "UPDATE watch_runs SET status = 'failed', finished_at = ?2, reason = ?3
                 WHERE id = ?1",
                params![run.0, now(), reason],
            )?;
            Ok(())
        })
    }

    /// A run stopped by a signal: not left `running` (what it fetched
    /// stays in its search); the watch stays due.
    pub fn stop_run(&self, run: RunId) -> Result<(), StoreError> {
        self.fail_run(run, STOPPED_REASON)
    }

    /// Keeps `owner`'s lock on the watch until `until` (Unix seconds): a
    /// run longer than the lock's lifetime refreshes it. False when
    /// `owner` no longer holds it.
    pub fn refresh_watch_lock(
        &self,
        id: WatchId,
        owner: &str,
        until: i64,
    ) -> Result<bool, StoreError> {
        self.with(|conn| {
            Ok(conn.execute(
                "UPDATE watches SET lock_until = MAX(lock_until, ?3)
                 WHERE id = ?1 AND lock_owner = ?2",
                params![id.0, owner, until],
            )? == 1)
        })
    }

    /// The watch of the same search — picture, provider, filters, pages,
    /// quantity and lane — if there is one.
    pub fn same_watch(&self, w: &NewWatch<'_>) -> Result<Option<WatchId>, StoreError> {
        let params = serde_json::to_string(w.params).map_err(StoreError::Json)?;
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT id FROM watches WHERE source = ?1 AND picture_md5 = ?2
                       AND provider = ?3 AND params = ?4 AND pages = ?5
                       AND qty IS ?6 AND lane IS ?7
                     ORDER BY id LIMIT 1",
                    params![
                        w.source,
                        w.picture_md5,
                        w.provider,
                        params,
                        w.pages.clamp(1, 100),
                        w.qty.map(i),
                        w.lane
                    ],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .map(WatchId))
        })
    }

    /// The search of the watch's latest finished run before `run`.
    pub fn last_done_search(
        &self,
        watch: WatchId,
        run: RunId,
    ) -> Result<Option<SearchId>, StoreError> {
        self.with(|conn| {
            Ok(conn
                .query_row(
                    "SELECT search_id FROM watch_runs
                     WHERE watch_id = ?1 AND id < ?2 AND status = 'done' AND search_id IS NOT NULL
                     ORDER BY id DESC LIMIT 1",
                    params![watch.0, run.0],
                    |r| r.get::<_, i64>(0),
                )
                .optional()?
                .map(SearchId))
        })
    }

    /// Keeps each offer's minimum order for the watch, and answers those
    /// that changed since it was last kept: (offer key, was, now). Offers
    /// not given keep what was kept.
    pub fn swap_moqs(
        &self,
        watch: WatchId,
        moqs: &[(String, u64)],
    ) -> Result<Vec<(String, u64, u64)>, StoreError> {
        self.with(|conn| {
            let tx = conn.transaction()?;
            let mut changed = Vec::new();
            {
                let mut get = tx.prepare_cached(
                    "SELECT moq FROM watch_moqs WHERE watch_id = ?1 AND offer_key = ?2",
                )?;
                let mut put = tx.prepare_cached(
                    "INSERT OR REPLACE INTO watch_moqs (watch_id, offer_key, moq) VALUES (?1, ?2, ?3)",
                )?;
                for (key, moq) in moqs {
                    let was: Option<i64> = get
                        .query_row(params![watch.0, key], |r| r.get(0))
                        .optional()?;
                    if let Some(was) = was.map(|w| w.max(0) as u64)
                        && was != *moq
                    {
                        changed.push((key.clone(), was, *moq));
                    }
                    put.execute(params![watch.0, key, i(*moq)])?;
                }
            }
            tx.commit()?;
            Ok(changed)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Price;
    use crate::store::test_store;

    fn offer(id: &str, fen: u64) -> Offer {
        Offer {
            offer_id: Some(id.into()),
            title: format!("offer {id}"),
            price: Some(Price(fen)),
            ..Offer::default()
        }
    }

    fn new_watch<'a>(params: &'a SearchParams, picture: Option<&'a [u8]>) -> NewWatch<'a> {
        NewWatch {
            source: "/photos/mug.jpg",
            picture,
            picture_md5: "abc",
            thumbnail: None,
            provider: "demo-dajisaas",
            params,
            pages: 2,
            qty: Some(100),
            lane: Some("air"),
            every_secs: 86_400,
            drop_bps: 500,
        }
    }

    #[test]
    fn a_watch_is_kept_with_its_picture_and_listed_without_it() {
        let store = test_store();
        let params = SearchParams {
            keyword: Some("mug".into()),
            ..SearchParams::default()
        };
        let id = store
            .add_watch(&new_watch(&params, Some(b"jpeg bytes")))
            .unwrap();
        let all = store.watches().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].picture, None);
        assert!(all[0].has_picture);
        assert_eq!(all[0].params, params);
        assert_eq!((all[0].pages, all[0].qty), (2, Some(100)));
        assert_eq!(all[0].lane.as_deref(), Some("air"));
        assert_eq!((all[0].every_secs, all[0].drop_bps), (86_400, 500));
        assert_eq!(all[0].last, None);
        let one = store.watch(id).unwrap().unwrap();
        assert_eq!(one.picture.as_deref(), Some(&b"jpeg bytes"[..]));
        assert!(store.due_watches(now()).unwrap().contains(&id));
        assert!(store.remove_watch(id).unwrap());
        assert!(!store.remove_watch(id).unwrap());
        assert_eq!(store.watch(id).unwrap(), None);
    }

    #[test]
    fn a_picture_over_the_cap_is_refused() {
        let store = test_store();
        let params = SearchParams::default();
        let big = vec![0u8; MAX_WATCH_PICTURE + 1];
        assert!(store.add_watch(&new_watch(&params, Some(&big))).is_err());
        let fits = vec![0u8; MAX_WATCH_PICTURE];
        assert!(store.add_watch(&new_watch(&params, Some(&fits))).is_ok());
    }

    #[test]
    fn a_finished_run_makes_the_watch_due_later_a_failed_one_leaves_it_due() {
        let store = test_store();
        let params = SearchParams::default();
        let id = store.add_watch(&new_watch(&params, None)).unwrap();
        let failed = store.start_run(id, None).unwrap();
        store.fail_run(failed, "page 2 failed").unwrap();
        assert!(store.due_watches(now()).unwrap().contains(&id));
        let w = store.watch(id).unwrap().unwrap();
        let last = w.last.unwrap();
        assert_eq!(last.status, RunStatus::Failed);
        assert_eq!(last.reason.as_deref(), Some("page 2 failed"));
        let run = store.start_run(id, None).unwrap();
        let counts = RunCounts {
            new: 2,
            cheaper: 1,
            ..RunCounts::default()
        };
        store.finish_run(id, run, &counts).unwrap();
        assert!(!store.due_watches(now()).unwrap().contains(&id));
        assert!(store.due_watches(now() + 86_400).unwrap().contains(&id));
        let w = store.watch(id).unwrap().unwrap();
        assert_eq!(w.last.as_ref().map(|l| l.counts), Some(counts));
        assert_eq!(w.last.map(|l| l.status), Some(RunStatus::Done));
    }

    #[test]
    fn the_previous_search_is_the_last_finished_run_s() {
        let store = test_store();
        let params = SearchParams::default();
        let id = store.add_watch(&new_watch(&params, None)).unwrap();
        let search = |n: &str| {
            store
                .record_search(&crate::store::NewSearch {
                    source_md5: n,
                    thumbnail: None,
                    source: "s",
                    provider: "p",
                    params: &params,
                })
                .unwrap()
        };
        let (s1, s2, s3) = (search("a"), search("b"), search("c"));
        let r1 = store.start_run(id, Some(s1)).unwrap();
        store.finish_run(id, r1, &RunCounts::default()).unwrap();
        let r2 = store.start_run(id, Some(s2)).unwrap();
        store.fail_run(r2, "x").unwrap();
        let r3 = store.start_run(id, Some(s3)).unwrap();
        assert_eq!(store.last_done_search(id, r3).unwrap(), Some(s1));
        assert_eq!(store.last_done_search(id, r1).unwrap(), None);
    }

    #[test]
    fn one_claim_wins_until_released_or_expired() {
        let store = test_store();
        let params = SearchParams::default();
        let id = store.add_watch(&new_watch(&params, None)).unwrap();
        assert!(store.claim_watch(id, "a", 1000, 60, false).unwrap());
        assert!(!store.claim_watch(id, "b", 1001, 60, false).unwrap());
        store.release_watch(id, "b").unwrap();
        assert!(
            !store.claim_watch(id, "b", 1002, 60, false).unwrap(),
            "not b's"
        );
        store.release_watch(id, "a").unwrap();
        assert!(store.claim_watch(id, "b", 1003, 60, false).unwrap());
        // b crashed: its lock lapses.
        assert!(!store.claim_watch(id, "c", 1062, 60, false).unwrap());
        assert!(store.claim_watch(id, "c", 1064, 60, false).unwrap());
        store.release_watch(id, "c").unwrap();
        // Not due before its time (created now, due at once; then finished).
        let run = store.start_run(id, None).unwrap();
        store.finish_run(id, run, &RunCounts::default()).unwrap();
        assert!(!store.claim_watch(id, "d", now(), 60, true).unwrap());
        assert!(store.claim_watch(id, "d", now(), 60, false).unwrap());
    }

    #[test]
    fn changes_are_new_gone_and_price_moves_past_the_threshold() {
        let before = [
            offer("1", 1000),
            offer("2", 1000),
            offer("3", 1000),
            offer("4", 1000),
        ];
        let after = [
            offer("1", 900),  // 10 % cheaper
            offer("2", 1040), // 4 % dearer: under 5 %
            offer("3", 1050), // 5 % dearer: reaches it
            offer("5", 10),
        ];
        let changes = compare(&before, &after, 500);
        let kinds: Vec<_> = changes
            .iter()
            .map(|c| (c.offer.offer_id.clone().unwrap(), c.change))
            .collect();
        assert_eq!(
            kinds,
            [
                (
                    "1".to_string(),
                    OfferChange::Cheaper {
                        was_fen: 1000,
                        now_fen: 900
                    }
                ),
                (
                    "3".to_string(),
                    OfferChange::Dearer {
                        was_fen: 1000,
                        now_fen: 1050
                    }
                ),
                ("5".to_string(), OfferChange::New),
                ("4".to_string(), OfferChange::Gone),
            ]
        );
        let c = count(&changes);
        assert_eq!((c.new, c.gone, c.cheaper, c.dearer), (1, 1, 1, 1));
        assert_eq!(count(&compare(&before, &after, 0)).dearer, 2);
        assert!(!count(&compare(&before, &before, 0)).any());
    }

    #[test]
    fn thresholds_in_basis_points() {
        assert!(!past_threshold(1000, 1000, 0));
        assert!(past_threshold(1000, 999, 0));
        assert!(past_threshold(1000, 950, 500));
        assert!(!past_threshold(1000, 951, 500));
        assert!(past_threshold(0, 1, 10_000));
        assert!(past_threshold(u64::MAX, 0, 10_000));
    }

    #[test]
    fn moqs_are_kept_and_their_changes_answered() {
        let store = test_store();
        let params = SearchParams::default();
        let id = store.add_watch(&new_watch(&params, None)).unwrap();
        let first = store
            .swap_moqs(id, &[("id:1".into(), 10), ("id:2".into(), 5)])
            .unwrap();
        assert!(first.is_empty());
        let then = store
            .swap_moqs(id, &[("id:1".into(), 50), ("id:2".into(), 5)])
            .unwrap();
        assert_eq!(then, [("id:1".to_string(), 10, 50)]);
    }

    #[test]
    fn the_same_search_is_found_and_a_lock_is_refreshed_only_by_its_owner() {
        let store = test_store();
        let params = SearchParams::default();
        let new = new_watch(&params, None);
        assert_eq!(store.same_watch(&new).unwrap(), None);
        let id = store.add_watch(&new).unwrap();
        assert_eq!(store.same_watch(&new).unwrap(), Some(id));
        let other_qty = NewWatch { qty: None, ..new };
        assert_eq!(store.same_watch(&other_qty).unwrap(), None);
        assert!(store.claim_watch(id, "a", 1000, 60, false).unwrap());
        assert!(!store.refresh_watch_lock(id, "b", 5000).unwrap());
        assert!(store.refresh_watch_lock(id, "a", 5000).unwrap());
        assert!(!store.claim_watch(id, "b", 4000, 60, false).unwrap());
        assert!(store.claim_watch(id, "b", 5001, 60, false).unwrap());
        // A stopped run reads back as stopped.
        let run = store.start_run(id, None).unwrap();
        store.stop_run(run).unwrap();
        let last = store.watch(id).unwrap().unwrap().last.unwrap();
        assert_eq!(last.status, RunStatus::Stopped);
    }
}
