//! Landed costs in `update`: one freight estimate per offer and SKU, asked
//! once its detail is known; the lane field; the landed-cost order; the
//! SKU keys; nothing unknown priced as zero.

use super::*;
use crate::api::{ApiError, FreightOutcome, FreightQuery, FreightQuote, OfferDetail};
use crate::app::state::{
    DetailEntry, FilterField, FreightState, LANDED_COST_SORT, LandedCost, LandedState, LocalSort,
};
use serde_json::json;

fn freights(fx: &[Effect]) -> Vec<FreightQuery> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::FetchFreight(q) => Some(q.clone()),
            _ => None,
        })
        .collect()
}

fn id(i: u64) -> String {
    offer(i).offer_id.unwrap_or_default()
}

/// A detail: `fen` a piece from 1, `grams` a piece (none: no weight), two
/// SKUs of their own price (the second dearer) when `skus`.
fn detail(fen: u64, grams: Option<u64>, skus: bool) -> Box<OfferDetail> {
    let yuan = format!("{}.{:02}", fen / 100, fen % 100);
    let mut data = json!({
        "minOrderQuantity": 1,
        "productSaleInfo": {"priceRangeList": [{"startQuantity": 1, "price": yuan}]},
    });
    if let Some(g) = grams {
        data["productShippingInfo"] = json!({"weight": g as f64 / 1000.0});
    }
    if skus {
        data["productSaleInfo"]["quoteType"] = json!(1);
        data["productSkuInfos"] = json!([
            {"skuId": 11, "price": yuan, "amountOnSale": 100,
             "skuAttributes": [{"attributeName": "colour", "value": "red"}]},
            {"skuId": 22, "price": format!("{}.00", fen / 100 + 5), "amountOnSale": 100,
             "skuAttributes": [{"attributeName": "colour", "value": "blue",
                                "skuImageUrl": "http://img.example/blue.jpg"}]}
        ]);
    }
    Box::new(OfferDetail::from_value(data).expect("a detail"))
}

fn free() -> Box<FreightQuote> {
    Box::new(FreightQuote {
        outcome: Some(FreightOutcome::Free { by_template: false }),
        ..FreightQuote::default()
    })
}

/// Results of 20 offers, quantity 500 and the example lane `air` applied,
/// sorted by landed cost when `sorted`.
fn costed(sorted: bool) -> (State, Vec<Effect>) {
    let mut s = state();
    s.landed = LandedState::new(crate::landed::Settings::default().with_demo_examples());
    s.filters.lanes = vec!["air".into(), "sea".into()];
    searching(&mut s);
    arrive(&mut s, 1, 3);
    update(&mut s, Msg::Action(Action::FocusResults));
    s.filters.fields[FilterField::Quantity.index()] = tui_input::Input::new("500".into());
    s.filters.fields[FilterField::Lane.index()] = tui_input::Input::new("air".into());
    if sorted {
        s.filters.sort = LANDED_COST_SORT;
    }
    let fx = update(&mut s, Msg::Action(Action::ApplyFilters));
    (s, fx)
}

fn detail_arrives(s: &mut State, i: u64, d: Box<OfferDetail>) -> Vec<Effect> {
    update(
        s,
        Msg::Detail {
            offer_id: id(i),
            result: Ok((d, 0)),
        },
    )
}

fn freight_arrives(s: &mut State, q: FreightQuery, r: Result<Box<FreightQuote>, ApiError>) {
    update(
        s,
        Msg::Freight {
            query: q,
            result: r,
        },
    );
}

fn cost(s: &State, i: u64) -> Option<LandedCost> {
    s.landed.cost_of(&s.details, Some(&id(i)))
}

fn per_piece(s: &State, i: u64) -> Option<u64> {
    match cost(s, i)? {
        LandedCost::Done(Ok(b)) => b.total.per_piece().map(|p| p.fen()),
        _ => None,
    }
}

#[test]
fn a_detail_asks_its_freight_once_for_its_cheapest_sku_at_the_quantity() {
    let (mut s, _) = costed(false);
    assert_eq!(s.landed.lane.as_ref().map(|l| l.name.as_str()), Some("air"));
    assert_eq!(cost(&s, 1), Some(LandedCost::Waiting));
    let fx = detail_arrives(&mut s, 1, detail(1200, Some(300), true));
    let asked = freights(&fx);
    assert_eq!(asked.len(), 1, "{fx:?}");
    assert_eq!(asked[0].offer_id, id(1));
    assert_eq!(asked[0].total, 500);
    assert_eq!(asked[0].skus, vec![("11".to_string(), 500)]);
    assert_eq!(asked[0].destination.district(), "330782");
    // Still waiting for it: not priced yet (never as free).
    assert_eq!(cost(&s, 1), Some(LandedCost::Waiting));
    // Resting, the same detail again, a tick: nothing asked twice.
    let mut again = detail_arrives(&mut s, 1, detail(1200, Some(300), true));
    for _ in 0..10 {
        again.extend(update(&mut s, Msg::Tick));
    }
    assert!(freights(&again).is_empty(), "{again:?}");
    freight_arrives(&mut s, asked[0].clone(), Ok(free()));
    assert!(per_piece(&s, 1).is_some_and(|fen| fen > 1200));
    assert_eq!(s.landed.requested, 1);
}

#[test]
fn a_missing_weight_or_a_failed_estimate_is_said_never_zero() {
    let (mut s, _) = costed(false);
    let q = freights(&detail_arrives(&mut s, 2, detail(500, None, false)));
    freight_arrives(&mut s, q[0].clone(), Ok(free()));
    match cost(&s, 2) {
        Some(LandedCost::Done(Ok(b))) => {
            assert_eq!(b.total.per_piece(), None);
            assert!(b.total.text(None).contains("weight"), "{:?}", b.total);
        }
        other => panic!("{other:?}"),
    }
    let q = freights(&detail_arrives(&mut s, 3, detail(500, Some(200), false)));
    freight_arrives(
        &mut s,
        q[0].clone(),
        Err(ApiError::Timeout(std::time::Duration::from_secs(30))),
    );
    match cost(&s, 3) {
        Some(LandedCost::Done(Ok(b))) => assert_eq!(b.total.per_piece(), None),
        other => panic!("{other:?}"),
    }
    // The refresh key asks the detail and the freight again.
    assert!(matches!(
        s.landed.freights.get(&id(3)).map(|e| &e.state),
        Some(FreightState::Failed(_))
    ));
}

#[test]
fn a_provider_without_estimates_is_asked_once_then_never() {
    let (mut s, _) = costed(false);
    let q = freights(&detail_arrives(&mut s, 1, detail(500, Some(200), false)));
    freight_arrives(
        &mut s,
        q[0].clone(),
        Err(ApiError::NoFreight {
            provider: "signed-header",
        }),
    );
    let fx = detail_arrives(&mut s, 2, detail(600, Some(200), false));
    assert!(freights(&fx).is_empty());
    // The domestic freight is unknown (no rate of the user's): no total.
    match cost(&s, 2) {
        Some(LandedCost::Done(Ok(b))) => {
            assert_eq!(b.total.per_piece(), None);
            assert!(
                format!("{:?}", b.total).contains("freight"),
                "{:?}",
                b.total
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn without_a_warehouse_nothing_is_asked_and_the_cost_says_why() {
    let (mut s, _) = costed(false);
    s.landed.settings.warehouse = None;
    let fx = detail_arrives(&mut s, 1, detail(500, Some(200), false));
    assert!(freights(&fx).is_empty());
    match cost(&s, 1) {
        Some(LandedCost::Done(Ok(b))) => {
            assert_eq!(b.total.per_piece(), None);
            assert!(format!("{:?}", b).contains("no warehouse"), "{b:?}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_landed_cost_sort_puts_the_cheapest_delivered_first_and_unknown_after() {
    let (mut s, _) = costed(true);
    assert_eq!(s.details.sort, LocalSort::LandedCost);
    // Offer 4 is cheaper to buy but heavy; offer 6 dearer but light.
    for (i, fen, grams) in [(4, 300, Some(5_000)), (6, 900, Some(100)), (8, 100, None)] {
        let q = freights(&detail_arrives(&mut s, i, detail(fen, grams, false)));
        freight_arrives(&mut s, q[0].clone(), Ok(free()));
    }
    update(&mut s, Msg::Tick);
    let order: Vec<String> = s
        .results
        .rows
        .iter()
        .take(4)
        .filter_map(|&p| s.results.offers.get(p as usize)?.offer_id.clone())
        .collect();
    let (heavy, light) = (per_piece(&s, 4).unwrap(), per_piece(&s, 6).unwrap());
    assert!(light < heavy, "{light} {heavy}");
    // Known costs first, cheapest first; the one without weight stays
    // among the unknown, in the provider's order.
    assert_eq!(order[..3], [id(6), id(4), id(0)]);
}

#[test]
fn the_sku_keys_choose_the_sku_priced_and_ask_its_freight() {
    let (mut s, _) = costed(false);
    let selected = s.selected_offer().and_then(|o| o.offer_id.clone()).unwrap();
    let i: u64 = selected.parse::<u64>().unwrap() - 600_000;
    let q = freights(&detail_arrives(&mut s, i, detail(1000, Some(300), true)));
    freight_arrives(&mut s, q[0].clone(), Ok(free()));
    let red = per_piece(&s, i).unwrap();
    let fx = update(&mut s, Msg::Action(Action::NextSku));
    let asked = freights(&fx);
    assert_eq!(asked.len(), 1);
    assert_eq!(asked[0].skus, vec![("22".to_string(), 500)]);
    assert!(s.message.as_ref().unwrap().text.contains("blue"));
    // Until its estimate comes, the blue one's cost is not final.
    assert_eq!(cost(&s, i), Some(LandedCost::Waiting));
    freight_arrives(&mut s, asked[0].clone(), Ok(free()));
    let blue = per_piece(&s, i).unwrap();
    assert!(blue > red, "{blue} {red}");
    // The cost page shows the blue SKU's own picture; the list, the offer's.
    let o = s.selected_offer().cloned().unwrap();
    assert_eq!(
        crate::app::update::detail::picture_url(&s, &o),
        o.thumbnail_url(),
        "the cost page is closed"
    );
    update(&mut s, Msg::Action(Action::ToggleCost));
    assert!(s.landed.cost_page);
    let url = crate::app::update::detail::picture_url(&s, &o).unwrap();
    assert!(url.contains("blue"), "{url}");
    // Back to red: its estimate is asked again (the entry holds one SKU's).
    let back = update(&mut s, Msg::Action(Action::PrevSku));
    assert_eq!(freights(&back)[0].skus, vec![("11".to_string(), 500)]);
    // An offer without a detail says so.
    s.details
        .entries
        .insert(selected.clone(), DetailEntry::Loading);
    update(&mut s, Msg::Action(Action::NextSku));
    assert!(s.message.as_ref().unwrap().text.contains("not loaded"));
}

#[test]
fn the_lane_field_takes_only_a_lane_the_user_has() {
    let (mut s, _) = costed(false);
    s.filters.fields[FilterField::Lane.index()] = tui_input::Input::new("boat".into());
    update(&mut s, Msg::Action(Action::ApplyFilters));
    let error = s.filters.errors[FilterField::Lane.index()].clone();
    assert!(
        error.as_deref().is_some_and(|e| e.contains("air, sea")),
        "{error:?}"
    );
    // The lane before stays in use; nothing typed is lost.
    assert_eq!(s.landed.lane.as_ref().map(|l| l.name.as_str()), Some("air"));
    assert_eq!(s.filters.fields[FilterField::Lane.index()].value(), "boat");
    // Live mode without lanes says how to set one.
    s.filters.lanes.clear();
    update(&mut s, Msg::Action(Action::ApplyFilters));
    let error = s.filters.errors[FilterField::Lane.index()].clone();
    assert!(
        error
            .as_deref()
            .is_some_and(|e| e.contains("[[landed.lanes]]")),
        "{error:?}"
    );
    // Emptied: no landed cost, the column goes.
    s.filters.lanes = vec!["air".into()];
    s.filters.fields[FilterField::Lane.index()] = tui_input::Input::new(String::new());
    update(&mut s, Msg::Action(Action::ApplyFilters));
    assert_eq!(s.landed.lane, None);
    assert_eq!(cost(&s, 1), None);
}

#[test]
fn the_apps_export_carries_the_landed_cost_the_screen_shows() {
    let (mut s, _) = costed(false);
    let selected = s.selected_offer().and_then(|o| o.offer_id.clone()).unwrap();
    let i: u64 = selected.parse::<u64>().unwrap() - 600_000;
    let q = freights(&detail_arrives(&mut s, i, detail(1000, Some(300), true)));
    freight_arrives(&mut s, q[0].clone(), Ok(free()));
    let blue = freights(&update(&mut s, Msg::Action(Action::NextSku)));
    freight_arrives(&mut s, blue[0].clone(), Ok(free()));
    let fx = update(&mut s, Msg::Action(Action::Export));
    let details = fx
        .iter()
        .find_map(|e| match e {
            Effect::Export { details, .. } => details.clone(),
            _ => None,
        })
        .expect("an export with detail columns");
    let landed = details.landed.expect("landed columns");
    assert_eq!(landed.lane.name, "air");
    assert_eq!(landed.skus.get(&selected).map(String::as_str), Some("22"));
    assert!(matches!(landed.freights.get(&selected), Some(Ok(_))));
}
