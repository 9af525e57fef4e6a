//! The Watches pane in `update`: shown and read from the store, Enter on a
//! watch opens its last run's results with the changes marked (cleared by
//! the next search), and `watch_search` asks for a watch of the search on
//! screen.

use super::*;
use crate::app::msg::{WatchError, WatchMade, WatchOp, WatchRequest, WatchRun};
use crate::app::state::{Pane, StoreStatus, WatchMark};
use crate::store::{
    RunCounts, RunId, RunStatus, RunSummary, SearchId, SearchSummary, StoredSearch, Watch, WatchId,
};

fn watch(id: i64, ran: bool) -> Watch {
    Watch {
        id: WatchId(id),
        source: "/photos/mug.jpg".into(),
        picture: None,
        has_picture: true,
        picture_md5: "abc".into(),
        thumbnail: None,
        provider: "dajisaas".into(),
        params: SearchParams::default(),
        pages: 1,
        qty: None,
        lane: None,
        every_secs: 86_400,
        drop_bps: 500,
        created_at: 0,
        last_run_at: None,
        next_due: 0,
        last: ran.then(|| RunSummary {
            id: RunId(1),
            search: Some(SearchId(12)),
            started_at: 10,
            finished_at: Some(20),
            status: RunStatus::Done,
            reason: None,
            counts: RunCounts {
                new: 1,
                cheaper: 1,
                ..RunCounts::default()
            },
        }),
    }
}

fn stored() -> StoredSearch {
    StoredSearch {
        summary: SearchSummary {
            id: SearchId(12),
            source_md5: "abc".into(),
            source: "/photos/mug.jpg".into(),
            provider: "dajisaas".into(),
            searched_at: 20,
            total: Some(5),
            loaded: 5,
            has_thumbnail: false,
            params: SearchParams::default(),
        },
        offers: (0..5).map(offer).collect(),
        readable: false,
    }
}

#[test]
fn showing_the_pane_reads_the_watches_each_time() {
    let mut s = state();
    let fx = act(&mut s, Action::FocusWatches);
    assert_eq!(s.focus, Pane::Watches);
    assert_eq!(s.main, Pane::Watches);
    assert!(fx.contains(&Effect::Watch(WatchOp::Load)), "{fx:?}");
    update(
        &mut s,
        Msg::Watches(Ok(vec![watch(1, false), watch(2, true)])),
    );
    assert_eq!(s.watches.entries.len(), 2);
    act(&mut s, Action::MoveDown);
    assert_eq!(s.watches.cursor, 1);
    // Read again: the cursor stays on its watch.
    update(&mut s, Msg::Watches(Ok(vec![watch(2, true)])));
    assert_eq!(s.watches.cursor, 0);
    update(
        &mut s,
        Msg::Watches(Err(WatchError::History(super::disk_full()))),
    );
    assert!(status(&s).starts_with("watches: "), "{}", status(&s));
}

#[test]
fn the_history_off_asks_the_store_nothing() {
    let mut s = state();
    s.store = StoreStatus::Off("read-only".into());
    let fx = act(&mut s, Action::FocusWatches);
    assert!(!fx.iter().any(|e| matches!(e, Effect::Watch(_))), "{fx:?}");
    let fx = act(&mut s, Action::WatchSearch);
    assert!(fx.is_empty());
    assert!(status(&s).contains("history is off"), "{}", status(&s));
}

#[test]
fn enter_opens_the_last_run_with_its_changes_marked_until_another_search() {
    let mut s = state();
    act(&mut s, Action::FocusWatches);
    update(
        &mut s,
        Msg::Watches(Ok(vec![watch(1, false), watch(2, true)])),
    );
    // Never run: nothing to open, and it says so.
    let fx = act(&mut s, Action::Open);
    assert!(fx.is_empty(), "{fx:?}");
    assert!(status(&s).contains("has not run yet"), "{}", status(&s));
    act(&mut s, Action::MoveDown);
    let fx = act(&mut s, Action::Open);
    assert_eq!(fx, vec![Effect::Watch(WatchOp::Open(WatchId(2)))]);
    let new_id = offer(0).offer_id.unwrap();
    let cheaper_id = offer(3).offer_id.unwrap();
    update(
        &mut s,
        Msg::WatchOpened(Ok(Box::new(WatchRun {
            watch: 2,
            search: stored(),
            marks: vec![
                (new_id.clone(), WatchMark::New),
                (cheaper_id.clone(), WatchMark::Cheaper { bps: 800 }),
            ],
        }))),
    );
    assert_eq!(s.focus, Pane::Results);
    assert_eq!(s.results.offers.len(), 5);
    let g = s.results.generation;
    assert_eq!(s.watches.marks.get(g, Some(&new_id)), Some(WatchMark::New));
    assert_eq!(
        s.watches.marks.get(g, Some(&cheaper_id)),
        Some(WatchMark::Cheaper { bps: 800 })
    );
    assert!(status(&s).contains("1 new and 1 cheaper"), "{}", status(&s));
    // Another search on screen: the marks go.
    update(&mut s, Msg::Reopened(Ok(Some(stored()))));
    assert!(s.watches.marks.is_empty());
    assert_eq!(
        s.watches.marks.get(s.results.generation, Some(&new_id)),
        None
    );
}

#[test]
fn a_run_that_cannot_be_read_says_why_and_keeps_the_results() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 1);
    let before = s.results.generation;
    update(&mut s, Msg::WatchOpened(Err(WatchError::Gone(4))));
    assert_eq!(s.results.generation, before);
    assert!(status(&s).contains("watch 4"), "{}", status(&s));
}

#[test]
fn watch_search_asks_for_a_watch_of_the_search_on_screen() {
    let mut s = state();
    // Nothing on screen yet.
    assert!(act(&mut s, Action::WatchSearch).is_empty());
    assert!(status(&s).contains("No search on screen"), "{}", status(&s));
    searching(&mut s);
    arrive(&mut s, 1, 2);
    let fx = act(&mut s, Action::WatchSearch);
    assert_eq!(
        fx,
        vec![Effect::Watch(WatchOp::Make(Box::new(WatchRequest {
            source: crate::api::ImageSource::Url(URL.into()),
            params: s.results.params.clone(),
            qty: None,
            lane: None,
        })))]
    );
    update(
        &mut s,
        Msg::WatchMade(Ok(WatchMade {
            id: 3,
            existed: false,
        })),
    );
    assert!(status(&s).contains("Watch 3 made"), "{}", status(&s));
    update(
        &mut s,
        Msg::WatchMade(Ok(WatchMade {
            id: 3,
            existed: true,
        })),
    );
    assert!(status(&s).contains("watched already"), "{}", status(&s));
    update(
        &mut s,
        Msg::WatchMade(Err(WatchError::Picture("not an image".into()))),
    );
    assert!(status(&s).contains("No watch made"), "{}", status(&s));
}
