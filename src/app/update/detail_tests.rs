//! Offer details in `update`: fetched after the cursor rests, never while it
//! scrolls, cancelled when it moves on; the unit-cost order.

use super::*;
use crate::api::{OfferDetail, PriceTier};
use crate::app::state::{DetailEntry, REST_TICKS, UNIT_COST_SORT};

fn results(s: &mut State) {
    searching(s);
    arrive(s, 1, 3);
    update(s, Msg::Action(Action::FocusResults));
}

fn detail_fetches(fx: &[Effect]) -> Vec<String> {
    fx.iter()
        .flat_map(|e| match e {
            Effect::FetchDetails { offer_ids, .. } => offer_ids.clone(),
            _ => Vec::new(),
        })
        .collect()
}

fn ticks(s: &mut State, n: u32) -> Vec<Effect> {
    (0..n).flat_map(|_| update(s, Msg::Tick)).collect()
}

fn detail(moq: u64, fen: u64) -> Box<OfferDetail> {
    Box::new(OfferDetail {
        min_order: Some(moq),
        tiers: vec![PriceTier {
            start_quantity: moq,
            price: Price(fen),
            promotion_price: None,
        }],
        ..OfferDetail::default()
    })
}

#[test]
fn a_rested_cursor_fetches_its_offer_s_detail_once() {
    let mut s = state();
    results(&mut s);
    let first = s
        .results
        .selected()
        .and_then(|o| o.offer_id.clone())
        .unwrap();
    assert!(detail_fetches(&ticks(&mut s, REST_TICKS - 1)).is_empty());
    let fx = ticks(&mut s, 1);
    assert_eq!(detail_fetches(&fx), std::slice::from_ref(&first));
    assert_eq!(s.details.entries.get(&first), Some(&DetailEntry::Loading));
    // Resting on: no second request.
    assert!(detail_fetches(&ticks(&mut s, 10)).is_empty());
    assert_eq!(s.details.requested, 1);
}

#[test]
fn scrolling_fast_fetches_nothing_and_moving_on_cancels() {
    let mut s = state();
    results(&mut s);
    // A key every tick: the rest never completes.
    let mut fx = Vec::new();
    for _ in 0..15 {
        fx.extend(update(&mut s, Msg::Action(Action::MoveDown)));
        fx.extend(update(&mut s, Msg::Tick));
    }
    assert!(detail_fetches(&fx).is_empty());
    assert_eq!(s.details.requested, 0);
    // Rest, then move on while it loads: the fetch is cancelled.
    ticks(&mut s, REST_TICKS);
    assert_eq!(s.details.requested, 1);
    let fx = update(&mut s, Msg::Action(Action::MoveDown));
    assert!(fx.contains(&Effect::CancelDetails), "{fx:?}");
    assert!(s.details.entries.is_empty());
}

#[test]
fn a_key_fetches_at_once_and_a_signed_header_offer_says_why_not() {
    let mut s = state();
    results(&mut s);
    let fx = update(&mut s, Msg::Action(Action::FetchDetail));
    assert_eq!(detail_fetches(&fx).len(), 1);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::FetchDetails { fresh: true, .. }))
    );
    for o in s.results.offers.iter_mut() {
        o.offer_id = None;
    }
    let fx = update(&mut s, Msg::Action(Action::FetchDetail));
    assert!(detail_fetches(&fx).is_empty());
    let said = s
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(said.contains("no detail from this provider"), "{said}");
}

#[test]
fn the_unit_cost_sort_moves_rows_as_details_arrive() {
    let mut s = state();
    results(&mut s);
    s.filters.fields[crate::app::state::FilterField::Quantity.index()] =
        tui_input::Input::new("500".into());
    s.filters.sort = UNIT_COST_SORT;
    update(&mut s, Msg::Action(Action::ApplyFilters));
    assert_eq!(s.details.quantity, Some(500));
    assert_eq!(s.details.sort, crate::app::state::LocalSort::UnitCost);
    let id = |i: u64| offer(i).offer_id.unwrap();
    // Offer 5 is cheapest at 500; offer 7 cheaper still but sells from 1,000.
    for (i, moq, fen) in [(3, 2, 400), (5, 100, 120), (7, 1000, 50)] {
        update(
            &mut s,
            Msg::Detail {
                offer_id: id(i),
                result: Ok((detail(moq, fen), 0)),
            },
        );
    }
    // The rows move on the next tick (a burst of arrivals, one layout).
    assert!(s.details.reorder_pending);
    update(&mut s, Msg::Tick);
    let order: Vec<String> = s
        .results
        .rows
        .iter()
        .take(4)
        .filter_map(|&p| s.results.offers.get(p as usize)?.offer_id.clone())
        .collect();
    assert_eq!(order, [id(5), id(3), id(7), id(0)]);
    // Setting the quantity asked for the rows on screen at once.
    assert_eq!(s.details.entries.get(&id(1)), Some(&DetailEntry::Loading));
    // A failure of a fetch nobody waits for (cancelled) is dropped.
    update(
        &mut s,
        Msg::Detail {
            offer_id: "999999".into(),
            result: Err(crate::api::ApiError::Timeout(
                std::time::Duration::from_secs(1),
            )),
        },
    );
    assert!(!s.details.entries.contains_key("999999"));
}

#[test]
fn a_detail_naming_another_offer_is_not_shown_as_the_one_asked() {
    let mut s = state();
    results(&mut s);
    let first = s
        .results
        .selected()
        .and_then(|o| o.offer_id.clone())
        .unwrap();
    ticks(&mut s, REST_TICKS);
    assert_eq!(s.details.entries.get(&first), Some(&DetailEntry::Loading));
    let mut other = detail(10, 500);
    other.offer_id = Some("123".into());
    update(
        &mut s,
        Msg::Detail {
            offer_id: first.clone(),
            result: Ok((other, 0)),
        },
    );
    assert!(matches!(
        s.details.entries.get(&first),
        Some(DetailEntry::Failed(e)) if e.contains("offer 123")
    ));
}
