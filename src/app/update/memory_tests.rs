//! `update` tests for what the app remembers: recording searches, the
//! shortlist (star, note, status), the history pane, breadcrumbs and the
//! grouping of re-listed offers.

use super::*;
use crate::app::msg::{Recorded, StoreOp};
use crate::app::state::{RowKind, StoreStatus};
use crate::store::{
    Change, OfferRef, SearchId, SearchSummary, ShortlistEntry, SourceHistory, Status, StoredSearch,
};

fn store_ops(fx: &[Effect]) -> Vec<StoreOp> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::Store(op) => Some(op.clone()),
            _ => None,
        })
        .collect()
}

/// A resolved search with page 1 in.
fn with_page_one(s: &mut State) {
    searching(s);
    arrive(s, 1, 5);
    s.focus = Pane::Results;
}

fn summary(id: i64, source: &str) -> SearchSummary {
    SearchSummary {
        id: SearchId(id),
        source_md5: "abc".into(),
        source: source.into(),
        provider: "dajisaas".into(),
        searched_at: 1_763_900_000,
        total: Some(120),
        loaded: 40,
        has_thumbnail: true,
        params: SearchParams {
            page_size: Some(20),
            price_start: Some(Price(1000)),
            ..SearchParams::default()
        },
    }
}

#[test]
fn a_search_is_recorded_before_its_pages_and_they_are_stored_under_it() {
    let mut s = state();
    let fx = init(&mut s, Start::Url(URL.into()), PathBuf::from("/tmp"));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StartSearch { record: true, .. }))
    );
    update(
        &mut s,
        Msg::Recorded {
            generation: 1,
            result: Ok(Recorded {
                id: SearchId(7),
                seen: SourceHistory {
                    times: 3,
                    since: Some(1_762_905_600),
                },
            }),
        },
    );
    let fx = update(
        &mut s,
        Msg::Resolved {
            generation: 1,
            result: Ok(ResolvedImage::by_address(URL)),
        },
    );
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::FetchPage {
            page: 1,
            record: Some(SearchId(7)),
            ..
        }
    )));
    let mut changes = vec![Change::Same; 20];
    changes[0] = Change::New;
    changes[1] = Change::PriceDown { was_fen: 999 };
    let marks = crate::app::msg::StoredPage {
        changes,
        firsts: Vec::new(),
    };
    update(
        &mut s,
        Msg::Page {
            generation: 1,
            page: 1,
            result: Ok(page(1, 20, 5)),
            stored: Some(Ok(marks)),
        },
    );
    let text = status(&s);
    assert!(text.contains("searched 3× since 12 Nov"), "{text}");
    assert!(text.contains("1 new since last time"), "{text}");
    assert!(text.contains("1 price changed"), "{text}");
    assert_eq!(s.results.mark(1), Change::PriceDown { was_fen: 999 });
}

#[test]
fn a_store_failure_never_costs_the_rows() {
    let mut s = state();
    searching(&mut s);
    update(
        &mut s,
        Msg::Page {
            generation: 1,
            page: 1,
            result: Ok(page(1, 20, 5)),
            stored: Some(Err(disk_full())),
        },
    );
    assert_eq!(s.results.offers.len(), 20);
    assert!(status(&s).contains("history not saved: database or disk is full"));
}

#[test]
fn with_history_off_searches_are_not_recorded_and_starring_says_why() {
    let mut s = state();
    s.store = StoreStatus::Off("history is off: read-only directory".into());
    let fx = init(&mut s, Start::Url(URL.into()), PathBuf::from("/tmp"));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StartSearch { record: false, .. }))
    );
    update(
        &mut s,
        Msg::Resolved {
            generation: 1,
            result: Ok(ResolvedImage::by_address(URL)),
        },
    );
    arrive(&mut s, 1, 5);
    s.focus = Pane::Results;
    assert!(store_ops(&act(&mut s, Action::Star)).is_empty());
    assert!(status(&s).contains("history is off"), "{}", status(&s));
    assert!(s.shortlist.entries.is_empty());
}

#[test]
fn star_toggles_and_shows_at_once() {
    let mut s = state();
    s.provider = "dajisaas".into();
    with_page_one(&mut s);
    let ops = store_ops(&act(&mut s, Action::Star));
    let r = OfferRef {
        provider: "dajisaas".into(),
        key: "id:600000".into(),
    };
    assert!(
        matches!(&ops[..], [StoreOp::Star(got, _)] if *got == r),
        "{ops:?}"
    );
    assert_eq!(s.shortlist.entries.len(), 1);
    assert_eq!(s.shortlist.entries[0].status, Status::ToAsk);
    let ops = store_ops(&act(&mut s, Action::Star));
    assert_eq!(ops, vec![StoreOp::Unstar(r)]);
    assert!(s.shortlist.entries.is_empty());
}

#[test]
fn a_note_is_typed_saved_with_enter_and_left_with_esc() {
    let mut s = state();
    s.provider = "dajisaas".into();
    with_page_one(&mut s);
    act(&mut s, Action::EditNote);
    assert!(s.text_input_active());
    // Keys that are actions elsewhere are text here.
    let key = KeyEvent::new(KeyCode::Char('q'), KeyModifiers::NONE);
    let msgs = crate::app::key_to_msgs(&s, &key);
    assert!(matches!(msgs[..], [Msg::Input(_)]));
    for c in "MOQ 500?".chars() {
        update(&mut s, Msg::Input(InputRequest::InsertChar(c)));
    }
    let ops = store_ops(&act(&mut s, Action::OpenLink));
    assert!(
        matches!(&ops[..], [StoreOp::SetNote(_, _, note)] if note == "MOQ 500?"),
        "{ops:?}"
    );
    assert!(s.note.is_none());
    // Saving the note starred the offer.
    assert_eq!(s.shortlist.entries[0].note, "MOQ 500?");

    act(&mut s, Action::EditNote);
    update(&mut s, Msg::Input(InputRequest::InsertChar('!')));
    assert!(store_ops(&act(&mut s, Action::Cancel)).is_empty());
    assert_eq!(s.shortlist.entries[0].note, "MOQ 500?");
    assert!(s.note.is_none());
}

#[test]
fn status_cycles_through_the_four_in_order() {
    let mut s = state();
    s.provider = "dajisaas".into();
    with_page_one(&mut s);
    act(&mut s, Action::Star);
    let mut seen = Vec::new();
    for _ in 0..4 {
        let ops = store_ops(&act(&mut s, Action::CycleStatus));
        if let [StoreOp::SetStatus(_, _, st)] = &ops[..] {
            seen.push(*st);
        }
    }
    assert_eq!(
        seen,
        [
            Status::SampleOrdered,
            Status::Rejected,
            Status::Ordered,
            Status::ToAsk
        ]
    );
}

fn entry(i: u64, status: Status, note: &str) -> ShortlistEntry {
    ShortlistEntry {
        offer_ref: OfferRef {
            provider: "dajisaas".into(),
            key: format!("id:{}", 600_000 + i),
        },
        offer: offer(i),
        note: note.into(),
        status,
        added_at: 100 - i as i64,
        changed_at: i as i64,
    }
}

#[test]
fn the_shortlist_pane_filters_sorts_and_acts_on_its_own_rows() {
    let mut s = state();
    let fx = act(&mut s, Action::FocusShortlist);
    assert_eq!(store_ops(&fx), vec![StoreOp::LoadShortlist]);
    update(
        &mut s,
        Msg::Shortlist(Ok(vec![
            entry(3, Status::Rejected, "too thin"),
            entry(1, Status::ToAsk, "ask MOQ"),
            entry(2, Status::Ordered, ""),
        ])),
    );
    assert_eq!(s.shortlist.visible, [0, 1, 2]);
    act(&mut s, Action::CycleSort); // price
    let prices: Vec<u64> = s
        .shortlist
        .visible
        .iter()
        .filter_map(|&i| s.shortlist.entries[i].offer.price.map(|p| p.fen()))
        .collect();
    assert_eq!(prices, [150, 250, 350]);
    act(&mut s, Action::FilterFiles);
    for c in "moq".chars() {
        update(&mut s, Msg::Input(InputRequest::InsertChar(c)));
    }
    assert_eq!(s.shortlist.visible.len(), 1);
    act(&mut s, Action::OpenLink); // ends the filter, keeps it
    assert!(!s.shortlist.filter_active);
    // Offer actions act on the shortlist's row, not the results'.
    let fx = act(&mut s, Action::CopyLink);
    assert!(fx.contains(&Effect::Copy(
        "https://detail.1688.com/offer/600001.html".into()
    )));
    let ops = store_ops(&act(&mut s, Action::Star));
    assert!(matches!(&ops[..], [StoreOp::Unstar(r)] if r.key == "id:600001"));
    let fx = act(&mut s, Action::Cancel);
    assert!(fx.is_empty());
}

#[test]
fn history_reopens_a_search_from_the_store_and_refreshes_it() {
    let mut s = state();
    let fx = act(&mut s, Action::FocusHistory);
    assert_eq!(store_ops(&fx), vec![StoreOp::LoadHistory]);
    update(
        &mut s,
        Msg::History(Ok(vec![summary(2, "/photos/mug.jpg"), summary(1, URL)])),
    );
    let fx = act(&mut s, Action::Open);
    assert_eq!(store_ops(&fx), vec![StoreOp::Reopen(SearchId(2))]);
    let fx = update(
        &mut s,
        Msg::Reopened(Ok(Some(StoredSearch {
            summary: summary(2, "/photos/mug.jpg"),
            offers: (0..40).map(offer).collect(),
            readable: false,
        }))),
    );
    // No request: rows from the store.
    assert!(fetches(&fx).is_empty());
    assert!(!fx.iter().any(|e| matches!(e, Effect::StartSearch { .. })));
    assert_eq!(s.results.offers.len(), 40);
    assert_eq!(s.focus, Pane::Results);
    assert!(status(&s).contains("Reopened from the history"));
    assert_eq!(s.results.params.price_start, Some(Price(1000)));
    // Refresh: the same picture and filters, searched with the provider.
    let fx = act(&mut s, Action::Retry);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::StartSearch {
            source: SearchSource::File(p),
            params,
            record: true,
            ..
        } if p.ends_with("mug.jpg") && params.price_start == Some(Price(1000))
    )));
    // Deleting an entry.
    act(&mut s, Action::FocusHistory);
    let fx = act(&mut s, Action::DeleteEntry);
    assert_eq!(store_ops(&fx), vec![StoreOp::DeleteSearch(SearchId(2))]);
}

#[test]
fn more_like_this_pushes_a_breadcrumb_and_back_needs_no_request() {
    let mut s = state();
    with_page_one(&mut s);
    act(&mut s, Action::MoveDown);
    let fx = act(&mut s, Action::MoreLikeThis);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::StartSearch { source: SearchSource::Url(u), .. } if u == "http://img/1.jpg"
    )));
    assert_eq!(s.trail.len(), 1);
    assert_eq!(s.crumbs().len(), 2);
    assert!(
        s.crumbs()[1].starts_with("like “Item 1"),
        "{:?}",
        s.crumbs()
    );
    let generation = s.results.generation;
    let fx = act(&mut s, Action::Back);
    assert!(!fx.iter().any(|e| matches!(e, Effect::StartSearch { .. })));
    assert_eq!(s.results.offers.len(), 20);
    assert_eq!(s.results.cursor, 1);
    assert!(s.results.generation > generation);
    assert!(s.trail.is_empty());
    assert!(status(&s).contains("no request"));
    // Nothing more to go back to.
    act(&mut s, Action::Back);
    assert!(status(&s).contains("No earlier results"));
}

#[test]
fn offers_with_the_same_picture_fold_into_one_row_that_opens() {
    let mut s = state();
    searching(&mut s);
    let mut p = page(1, 20, 1);
    // Offers 3, 7 and 12 re-list offer 3's picture; 12 is the cheapest.
    for i in [7, 12] {
        p.offers[i].image_url = Some("http://img/3.jpg".into());
    }
    p.offers[12].price = Some(Price(10));
    let generation = s.results.generation;
    update(
        &mut s,
        Msg::Page {
            generation,
            page: 1,
            result: Ok(p),
            stored: None,
        },
    );
    s.focus = Pane::Results;
    assert_eq!(s.results.rows.len(), 18);
    let group = s.results.row(3).unwrap();
    assert_eq!(group.offer, 3);
    assert_eq!(
        group.kind,
        RowKind::Group {
            count: 3,
            min_price: Some(Price(10)),
            open: false
        }
    );
    for _ in 0..3 {
        act(&mut s, Action::MoveDown);
    }
    act(&mut s, Action::ExpandGroup);
    assert_eq!(s.results.rows.len(), 20);
    // Its sellers cheapest first: 12, then 7.
    assert_eq!(s.results.row(4).unwrap().kind, RowKind::Member);
    assert_eq!(s.results.row(4).unwrap().offer, 12);
    assert_eq!(s.results.row(5).unwrap().offer, 7);
    act(&mut s, Action::MoveDown);
    act(&mut s, Action::MoveDown);
    assert_eq!(
        s.results.selected().map(|o| o.title.as_str()),
        Some("商品7")
    );
    // Closing from a seller's row goes back to the group's row.
    act(&mut s, Action::ExpandGroup);
    assert_eq!(s.results.rows.len(), 18);
    assert_eq!(s.results.cursor, 3);
    act(&mut s, Action::ToggleGrouping);
    assert_eq!(s.results.rows.len(), 20);
    assert!(status(&s).contains("Grouping off"));
}

#[test]
fn exports_carry_the_users_currency() {
    let usd = crate::money::Currency::new("USD", 7.1).unwrap();
    let mut s = state();
    s.currency = Some(usd.clone());
    with_page_one(&mut s);
    let fx = act(&mut s, Action::Export);
    assert!(
        matches!(&fx[..], [Effect::Export { offers, currency: Some(c), .. }]
            if offers.len == s.results.offers.len() && *c == usd),
        "{fx:?}"
    );
    act(&mut s, Action::FocusShortlist);
    update(
        &mut s,
        Msg::Shortlist(Ok(vec![entry(1, Status::ToAsk, "ask MOQ")])),
    );
    let fx = act(&mut s, Action::Export);
    assert!(
        matches!(&fx[..], [Effect::ExportShortlist { entries, currency: Some(c), at: None, .. }]
            if entries.len() == 1 && *c == usd),
        "{fx:?}"
    );
    // With a quantity and a lane: their columns too (from what the store
    // keeps).
    s.landed = crate::app::state::LandedState::new(
        crate::landed::Settings::default().with_demo_examples(),
    );
    s.details.quantity = Some(500);
    let fx = act(&mut s, Action::Export);
    assert!(
        matches!(&fx[..], [Effect::ExportShortlist { at: Some(at), .. }]
            if at.quantity == 500 && at.lane.as_ref().is_some_and(|l| l.name == "air")),
        "{fx:?}"
    );
}

#[test]
fn b_on_a_directory_starts_one_batch_and_the_status_follows_it() {
    use crate::app::msg::BatchUpdate;
    let mut s = state();
    s.picker.entries = vec![
        super::entry("shoots", true, false),
        super::entry("red.jpg", false, true),
    ];
    s.picker.visible = vec![0, 1];
    s.picker.cursor = 1;
    s.focus = Pane::Picker;
    let starts = |fx: &[Effect]| {
        fx.iter()
            .filter(|e| matches!(e, Effect::StartBatch { .. }))
            .count()
    };
    // A file is not a batch.
    assert_eq!(starts(&act(&mut s, Action::BatchDirectory)), 0);
    assert!(s.message.as_ref().is_some_and(|m| m.error));
    s.picker.cursor = 0;
    let fx = act(&mut s, Action::BatchDirectory);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StartBatch { dir, .. } if dir.ends_with("shoots"))),
        "{fx:?}"
    );
    // One at a time.
    assert_eq!(starts(&act(&mut s, Action::BatchDirectory)), 0);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("running"))
    );
    update(
        &mut s,
        Msg::Batch(BatchUpdate::Progress {
            total: 50,
            done: 11,
            failed: 1,
        }),
    );
    let b = s.batch.clone().unwrap();
    assert_eq!(
        (b.label.as_str(), b.total, b.done, b.failed),
        ("shoots", 50, 11, 1)
    );
    s.history.loaded = true;
    update(
        &mut s,
        Msg::Batch(BatchUpdate::Finished(Ok(
            "Batch done: 49 photos searched".into()
        ))),
    );
    assert!(s.batch.is_none());
    assert!(
        !s.history.loaded,
        "History reloads to show the new searches"
    );
    // With history off there is no job to keep.
    s.store = StoreStatus::Off("history is off: read-only".into());
    assert_eq!(starts(&act(&mut s, Action::BatchDirectory)), 0);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.text.contains("read-only"))
    );
}
