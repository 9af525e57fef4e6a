//! Snapshots of the Watches pane (a watch never run, one whose last run
//! found changes, a failed one whose reason carries an escape sequence)
//! at 80×24 and 200×60, and of a watch run's marks on the results rows.

use super::*;
use crate::app::msg::WatchRun;
use crate::app::state::{Pane, WatchMark};
use crate::store::{
    RunCounts, RunId, RunStatus, RunSummary, SearchId, SearchSummary, StoredSearch, Watch, WatchId,
};

fn watch(id: i64, source: &str, last: Option<RunSummary>) -> Watch {
    Watch {
        id: WatchId(id),
        source: source.into(),
        picture: None,
        has_picture: true,
        picture_md5: "abc".into(),
        thumbnail: None,
        provider: "dajisaas".into(),
        params: SearchParams {
            price_end: Some(Price(3000)),
            ..SearchParams::default()
        },
        pages: 2,
        qty: None,
        lane: None,
        every_secs: 86_400,
        drop_bps: 500,
        created_at: 1_763_800_000,
        last_run_at: None,
        next_due: 1_763_900_000,
        last,
    }
}

fn run(status: RunStatus, reason: Option<&str>, counts: RunCounts) -> RunSummary {
    RunSummary {
        id: RunId(7),
        search: Some(SearchId(12)),
        started_at: 1_763_906_520,
        finished_at: Some(1_763_906_580),
        status,
        reason: reason.map(Into::into),
        counts,
    }
}

fn with_watches(s: &mut State) {
    let changed = RunCounts {
        new: 3,
        cheaper: 2,
        gone: 1,
        ..RunCounts::default()
    };
    let entries = vec![
        watch(1, "/home/ming/photos/red mug.png", None),
        watch(
            2,
            "/home/ming/photos/shoe.jpg",
            Some(run(RunStatus::Done, None, changed)),
        ),
        watch(
            3,
            "https://cbu01.alicdn.com/img/ibank/O1CN01abc.jpg\u{1b}[2J",
            Some(run(
                RunStatus::Failed,
                Some("page 2 failed after 1 recorded: server said \u{1b}]52;c;ZXZpbA==\u{7}busy"),
                RunCounts::default(),
            )),
        ),
    ];
    update(s, Msg::Action(Action::FocusWatches));
    update(s, Msg::Watches(Ok(entries)));
}

#[test]
fn watches_pane() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_watches(&mut s);
    assert_eq!(s.focus, Pane::Watches);
    let small = snap(&s, 80, 24);
    insta::assert_snapshot!("watches_80x24", small);
    resize(&mut s, 200, 60);
    let big = snap(&s, 200, 60);
    insta::assert_snapshot!("watches_200x60", big);
    for screen in [&small, &big] {
        assert!(!screen.contains('\u{1b}'), "sanitised: {screen}");
        assert!(screen.contains("never run"), "{screen}");
        assert!(screen.contains("failed"), "{screen}");
    }
    assert!(
        big.contains("page 2 failed"),
        "the reason is shown wide: {big}"
    );
}

#[test]
fn watches_pane_empty_says_how_to_make_one() {
    let mut s = base();
    resize(&mut s, 80, 24);
    update(&mut s, Msg::Action(Action::FocusWatches));
    update(&mut s, Msg::Watches(Ok(Vec::new())));
    assert!(snap(&s, 80, 24).contains("No watches yet"));
}

/// Enter's answer: the run's results with its new and cheaper offers
/// tagged on their rows.
#[test]
fn a_watch_run_s_changes_are_marked_on_its_rows() {
    let mut s = base();
    resize(&mut s, 120, 30);
    let offers: Vec<Offer> = (0..6).map(offer).collect();
    let id = |i: usize| offers[i].offer_id.clone().unwrap_or_default();
    let search = StoredSearch {
        summary: SearchSummary {
            id: SearchId(12),
            source_md5: "abc".into(),
            source: "/home/ming/photos/shoe.jpg".into(),
            provider: "dajisaas".into(),
            searched_at: 1_763_906_520,
            total: Some(6),
            loaded: 6,
            has_thumbnail: false,
            params: SearchParams::default(),
        },
        offers: offers.clone(),
        readable: false,
    };
    update(
        &mut s,
        Msg::WatchOpened(Ok(Box::new(WatchRun {
            watch: 2,
            search,
            marks: vec![
                (id(0), WatchMark::New),
                (id(2), WatchMark::Cheaper { bps: 1250 }),
            ],
        }))),
    );
    let screen = snap(&s, 120, 30);
    insta::assert_snapshot!("watch_marks_120x30", screen);
    assert!(screen.contains("new "), "{screen}");
    assert!(screen.contains("-12% "), "{screen}");
}
