//! Snapshots of what the app remembers: History, Shortlist, a note being
//! typed, grouped and marked results, breadcrumbs.

use super::*;
use crate::app::state::{Crumb, NoteEdit, Pane, ResultsState, StoreStatus};
use crate::store::{Change, OfferRef, SearchId, SearchSummary, ShortlistEntry, Status, Store};
use tui_input::Input;

fn summary(id: i64, source: &str, at: i64, loaded: u64) -> SearchSummary {
    SearchSummary {
        id: SearchId(id),
        source_md5: "abc".into(),
        source: source.into(),
        provider: "dajisaas".into(),
        searched_at: at,
        total: Some(687),
        loaded,
        has_thumbnail: false,
        params: SearchParams {
            price_start: Some(Price(1000)),
            price_end: Some(Price(3000)),
            ..SearchParams::default()
        },
    }
}

fn with_history(s: &mut State) {
    s.history.entries = vec![
        summary(3, "/home/ming/photos/shoe.jpg", 1_763_906_520, 60),
        summary(
            2,
            "https://cbu01.alicdn.com/img/ibank/O1CN01abc.jpg",
            1_763_820_000,
            20,
        ),
        summary(1, "/home/ming/photos/red mug.png", 1_762_905_600, 40),
    ];
    s.history.loaded = true;
    update(s, Msg::Action(Action::FocusHistory));
}

#[test]
fn history_pane() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_history(&mut s);
    insta::assert_snapshot!("history_80x24", snap(&s, 80, 24));
    resize(&mut s, 200, 60);
    insta::assert_snapshot!("history_200x60", snap(&s, 200, 60));
}

#[test]
fn history_off_says_why() {
    let mut s = base();
    resize(&mut s, 80, 24);
    s.store = StoreStatus::Off(
        "history is off: /data/tusou.db: attempt to write a readonly database".into(),
    );
    s.history.loaded = true;
    update(&mut s, Msg::Action(Action::FocusHistory));
    insta::assert_snapshot!(snap(&s, 80, 24));
}

fn starred(s: &State, i: u64, status: Status, note: &str) -> ShortlistEntry {
    let offer = offer(i);
    ShortlistEntry {
        offer_ref: Store::offer_ref(&s.provider, &offer),
        offer,
        note: note.into(),
        status,
        added_at: 1_763_906_520 - i as i64,
        changed_at: 1_763_906_520,
    }
}

#[test]
fn shortlist_pane_with_notes_and_statuses() {
    let mut s = base();
    s.provider = "dajisaas".into();
    resize(&mut s, 80, 24);
    let entries = vec![
        starred(&s, 1, Status::ToAsk, "ask for MOQ 500 and a sample"),
        starred(&s, 4, Status::SampleOrdered, "sample due Fri"),
        starred(&s, 7, Status::Rejected, ""),
        starred(&s, 2, Status::Ordered, "1,000 pcs"),
    ];
    s.shortlist.loaded = true;
    update(&mut s, Msg::Action(Action::FocusShortlist));
    update(&mut s, Msg::Shortlist(Ok(entries)));
    insta::assert_snapshot!("shortlist_80x24", snap(&s, 80, 24));
    resize(&mut s, 200, 60);
    insta::assert_snapshot!("shortlist_200x60", snap(&s, 200, 60));
}

#[test]
fn a_note_being_typed() {
    let mut s = base();
    s.provider = "dajisaas".into();
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    s.note = Some(NoteEdit {
        offer: OfferRef {
            provider: "dajisaas".into(),
            key: "id:1".into(),
        },
        title: "T-shirt men's 230g heavy cotton".into(),
        input: Input::new("ask for MOQ 500".into()),
    });
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn grouped_results_with_stars_and_changes() {
    let mut s = base();
    s.provider = "dajisaas".into();
    resize(&mut s, 100, 30);
    with_results(&mut s, 1, 35);
    let r = &mut s.results;
    // Offers 1, 5 and 9 show one picture (opened), 2 and 19 another.
    r.groups.join(5, Some(Price(1450)), 1, Some(Price(1500)));
    r.groups.join(9, Some(Price(1600)), 1, Some(Price(1500)));
    r.groups.join(19, Some(Price(1899)), 2, Some(Price(1999)));
    r.opened.insert(1);
    r.grouped = true;
    r.rows = vec![0, 1, 5, 9, 2];
    r.rows.extend((3..19).filter(|i| ![5, 9].contains(i)));
    r.marks.insert(0, Change::New);
    r.marks.insert(3, Change::PriceUp { was_fen: 1200 });
    r.marks.insert(4, Change::PriceDown { was_fen: 2500 });
    let entry = starred(&s, 0, Status::ToAsk, "");
    s.shortlist.entries.push(entry);
    insta::assert_snapshot!(snap(&s, 100, 30));
}

#[test]
fn breadcrumbs_in_the_results_title() {
    let mut s = base();
    resize(&mut s, 100, 30);
    with_results(&mut s, 1, 35);
    let mut earlier = ResultsState {
        label: "shoe.jpg".into(),
        ..ResultsState::default()
    };
    earlier.source = s.results.source.clone();
    s.trail.push(Crumb { results: earlier });
    s.results.label = "like “Canvas sneaker, white”".into();
    s.focus = Pane::Results;
    insta::assert_snapshot!(snap(&s, 100, 30));
}

#[test]
fn prices_in_the_users_currency_beside_yuan() {
    let mut s = base();
    s.provider = "dajisaas".into();
    s.currency = Some(crate::money::Currency::new("USD", 7.1).unwrap());
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    s.focus = Pane::Results;
    insta::assert_snapshot!("currency_results_80x24", snap(&s, 80, 24));
    resize(&mut s, 200, 60);
    insta::assert_snapshot!("currency_results_200x60", snap(&s, 200, 60));
    let entries = vec![
        starred(&s, 1, Status::ToAsk, "ask for MOQ 500"),
        starred(&s, 4, Status::SampleOrdered, ""),
    ];
    s.shortlist.loaded = true;
    update(&mut s, Msg::Action(Action::FocusShortlist));
    update(&mut s, Msg::Shortlist(Ok(entries)));
    resize(&mut s, 80, 24);
    insta::assert_snapshot!("currency_shortlist_80x24", snap(&s, 80, 24));
}

#[test]
fn a_batch_in_the_status_bar() {
    let mut s = base();
    resize(&mut s, 80, 24);
    s.batch = Some(crate::app::state::BatchStatus {
        label: "shoots".into(),
        total: 50,
        done: 11,
        failed: 1,
    });
    insta::assert_snapshot!(snap(&s, 80, 24));
}
