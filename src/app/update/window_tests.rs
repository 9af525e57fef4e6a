//! `update` tests for the offers kept in memory: pages near the screen
//! only, the rest read back from the store by position, pages the store
//! does not hold never dropped, and groups the store found across pages.

use super::*;
use crate::app::msg::StoredPage;
use crate::app::state::{CACHED_PAGES, RowKind};
use crate::store::{Change, GroupFirst, SearchId};

/// Page `n` of 20 offers as the store recorded it, each offer its own
/// group unless `same` maps a position to an earlier one.
fn stored_page(n: u32, same: &[(usize, usize)]) -> StoredPage {
    let start = (n as usize - 1) * 20;
    StoredPage {
        changes: vec![Change::Same; 20],
        firsts: (start..start + 20)
            .map(|p| {
                let first = same.iter().find(|(a, _)| *a == p).map_or(p, |(_, f)| *f);
                GroupFirst {
                    position: first as u64,
                    price: offer(first as u64).price,
                }
            })
            .collect(),
    }
}

/// A recorded search (id 1) with pages `1..=n` stored.
fn stored_search(s: &mut State, n: u32, same: &[(usize, usize)]) {
    searching(s);
    recorded(s, 1);
    s.focus = Pane::Results;
    for p in 1..=n {
        let generation = s.results.generation;
        // As if the cursor had gone down far enough to ask for it.
        s.results.inflight = Some(p);
        update(
            s,
            Msg::Page {
                generation,
                page: p,
                result: Ok(page(p, 20, 200)),
                stored: Some(Ok(stored_page(p, same))),
            },
        );
        // The user reads down as pages come.
        act(s, Action::Bottom);
    }
}

fn loads(fx: &[Effect]) -> Vec<(usize, std::ops::Range<usize>)> {
    fx.iter()
        .flat_map(|e| match e {
            Effect::LoadOffers { search, pages, .. } => {
                assert_eq!(*search, SearchId(1));
                pages.clone()
            }
            _ => Vec::new(),
        })
        .collect()
}

/// The store's answer to `pages`.
fn read_back(s: &mut State, pages: &[(usize, std::ops::Range<usize>)]) -> Vec<Effect> {
    let generation = s.results.generation;
    let pages = pages
        .iter()
        .map(|(p, at)| {
            let offers = at.clone().map(|i| (i as u64, offer(i as u64))).collect();
            (*p, Ok(offers))
        })
        .collect();
    update(s, Msg::Offers { generation, pages })
}

#[test]
fn memory_holds_the_pages_near_the_screen_and_reads_the_rest_back() {
    let mut s = state();
    stored_search(&mut s, 60, &[]);
    let r = &s.results;
    assert_eq!(r.offers.len(), 1200);
    assert!(
        r.offers.cached_pages() <= CACHED_PAGES,
        "{} pages held",
        r.offers.cached_pages()
    );
    // Back to the top: those pages went long ago, and are asked for.
    let fx = act(&mut s, Action::Top);
    let asked = loads(&fx);
    assert_eq!(asked.first(), Some(&(0, 0..20)), "{asked:?}");
    assert!(s.results.selected().is_none(), "not in memory until read");
    // Drawn as `…` while the store reads it (see the ui tests).
    assert!(s.results.offers.is_loading(0), "being read");
    assert!(
        loads(&act(&mut s, Action::MoveDown)).is_empty(),
        "asked once"
    );
    read_back(&mut s, &asked);
    assert_eq!(
        s.results.selected().map(|o| o.title.as_str()),
        Some("商品1")
    );
    assert!(!s.results.offers.is_loading(0));
    assert!(s.results.offers.cached_pages() <= CACHED_PAGES);
}

#[test]
fn pages_the_store_did_not_keep_stay_in_memory() {
    let mut s = state();
    searching(&mut s);
    recorded(&mut s, 1);
    s.focus = Pane::Results;
    for p in 1..=30 {
        let generation = s.results.generation;
        s.results.inflight = Some(p);
        // Page 3 could not be stored; the others were.
        let stored = if p == 3 {
            Some(Err(disk_full()))
        } else {
            Some(Ok(stored_page(p, &[])))
        };
        update(
            &mut s,
            Msg::Page {
                generation,
                page: p,
                result: Ok(page(p, 20, 200)),
                stored,
            },
        );
        act(&mut s, Action::Bottom);
    }
    let r = &s.results;
    assert_eq!(r.offers.len(), 600);
    assert!(r.offers.get(45).is_some(), "page 3 is only in memory");
    assert!(r.offers.get(5).is_none(), "page 1 can be read back");
    assert_eq!(r.offers.unstored().len(), 1);
}

#[test]
fn without_the_history_nothing_fetched_is_dropped() {
    let mut s = state();
    searching(&mut s);
    s.focus = Pane::Results;
    for p in 1..=30 {
        s.results.inflight = Some(p);
        arrive(&mut s, p, 200);
        act(&mut s, Action::Bottom);
    }
    let r = &s.results;
    assert_eq!(r.offers.len(), 600);
    assert_eq!(r.offers.cached_pages(), 30);
    assert!(loads(&act(&mut s, Action::Top)).is_empty());
    assert!(s.results.selected().is_some());
}

#[test]
fn the_store_groups_sellers_of_one_picture_across_pages_out_of_memory() {
    let mut s = state();
    // Offer 1's picture is shown again at positions 25 and 1190.
    stored_search(&mut s, 60, &[(25, 1), (1190, 1)]);
    let r = &s.results;
    assert!(
        r.offers.get(1).is_none(),
        "the group's first is out of memory"
    );
    assert_eq!(r.rows.len(), 1198);
    let row = r.row(1).unwrap();
    assert_eq!(
        row.kind,
        RowKind::Group {
            count: 3,
            min_price: offer(1).price,
            open: false
        }
    );
    act(&mut s, Action::Top);
    act(&mut s, Action::MoveDown);
    act(&mut s, Action::ExpandGroup);
    let r = &s.results;
    assert_eq!(r.rows[..4], [0, 1, 25, 1190]);
    assert_eq!(r.row(3).unwrap().kind, RowKind::Member);
}

#[test]
fn results_set_aside_let_their_pages_go() {
    let mut s = state();
    stored_search(&mut s, 5, &[]);
    assert_eq!(s.results.offers.cached_pages(), 5);
    trail::push_crumb(&mut s);
    let crumb = &s.trail[0].results;
    assert_eq!(crumb.offers.cached_pages(), 0);
    assert_eq!(crumb.offers.len(), 100);
}
