//! Snapshots of landed costs: results with the "landed" column sorted by
//! it, and the detail pane's cost page (breakdown and SKUs), at 80×24 and
//! 200×60.

use super::*;
use crate::api::{FreightOutcome, FreightQuote, OfferDetail, Price};
use crate::app::Effect;
use crate::app::state::{FilterField, LANDED_COST_SORT, LandedState};
use serde_json::json;

/// A detail with two SKUs (own prices from `fen`), `grams` a piece (none:
/// no weight) and a box of 30×20×`h` cm.
fn detail(id: &str, fen: u64, grams: Option<u64>, h: u64) -> Box<OfferDetail> {
    let yuan = |f: u64| format!("{}.{:02}", f / 100, f % 100);
    let mut shipping = json!({"length": 30, "width": 20, "height": h, "pkgSizeSource": "商家自填"});
    if let Some(g) = grams {
        shipping["weight"] = json!(g as f64 / 1000.0);
    }
    Box::new(
        OfferDetail::from_value(json!({
            "offerId": id,
            "minOrderQuantity": 100,
            "productSaleInfo": {
                "quoteType": 1,
                "priceRangeList": [{"startQuantity": 100, "price": yuan(fen)}]
            },
            "productSkuInfos": [
                {"skuId": 501, "price": yuan(fen), "amountOnSale": 3490,
                 "skuAttributes": [{"attributeName": "颜色", "value": "红色", "valueTrans": "Red",
                                    "skuImageUrl": "http://img.example/red.jpg"}]},
                {"skuId": 502, "price": yuan(fen + 150), "amountOnSale": 0,
                 "skuAttributes": [{"attributeName": "颜色", "value": "黑色\u{1b}[2J", "valueTrans": "Black"}]}
            ],
            "productShippingInfo": shipping,
            "sellerMixSetting": {"generalHunpi": true, "mixNumber": 50}
        }))
        .expect("a detail"),
    )
}

/// Results, quantity 500 and the demo's `air` lane, sorted by landed cost;
/// offers 0–5 have details and estimates (offer 3 no weight).
fn costed(w: u16, h: u16) -> State {
    let mut s = base();
    resize(&mut s, w, h);
    if w > 100 {
        s.currency = Some(crate::money::Currency::new("USD", 7.1).unwrap());
    }
    s.landed = LandedState::new(crate::landed::Settings::default().with_demo_examples());
    s.filters.lanes = vec!["air".into(), "sea".into()];
    with_results(&mut s, 1, 3);
    s.filters.fields[FilterField::Quantity.index()] = tui_input::Input::new("500".into());
    s.filters.fields[FilterField::Lane.index()] = tui_input::Input::new("air".into());
    s.filters.sort = LANDED_COST_SORT;
    update(&mut s, Msg::Action(Action::ApplyFilters));
    for (i, grams, height) in [
        (0, Some(400), 4),
        (1, Some(150), 30),
        (2, Some(900), 2),
        (3, None, 5),
        (4, Some(60), 1),
        (5, Some(1200), 10),
    ] {
        let offer = s.results.offers.get(i).expect("offer in memory");
        let id = offer.offer_id.clone().expect("an offer id");
        let fen = offer.price.map_or(100, |p| p.fen());
        let fx = update(
            &mut s,
            Msg::Detail {
                offer_id: id.clone(),
                result: Ok((detail(&id, fen, grams, height), 1_763_906_520)),
            },
        );
        for e in fx {
            if let Effect::FetchFreight(query) = e {
                let quote = FreightQuote {
                    outcome: Some(if i % 2 == 0 {
                        FreightOutcome::Priced {
                            total: Price(1200),
                            for_pieces: 500,
                        }
                    } else {
                        FreightOutcome::Free { by_template: false }
                    }),
                    ..FreightQuote::default()
                };
                update(
                    &mut s,
                    Msg::Freight {
                        query,
                        result: Ok(Box::new(quote)),
                    },
                );
            }
        }
    }
    // The rows move into the landed-cost order on the next tick.
    update(&mut s, Msg::Tick);
    s
}

#[test]
fn results_with_landed_cost_sorted_by_it() {
    for (w, h) in [(80, 24), (200, 60)] {
        let s = costed(w, h);
        let screen = snap(&s, w, h);
        assert!(screen.contains("landed"), "{screen}");
        assert!(screen.contains("? no weig"), "{screen}");
        insta::assert_snapshot!(format!("landed_results_{w}x{h}"), screen);
    }
}

#[test]
fn the_cost_page_explains_the_landed_cost_and_lists_the_skus() {
    for (w, h) in [(80, 24), (200, 60)] {
        let mut s = costed(w, h);
        update(&mut s, Msg::Action(Action::FocusResults));
        update(&mut s, Msg::Action(Action::ToggleCost));
        let screen = snap(&s, w, h);
        assert!(screen.contains("landed @500 by air"), "{screen}");
        assert!(screen.contains("intl freight"), "{screen}");
        if h >= 60 {
            assert!(screen.contains("chargeable"), "{screen}");
            assert!(screen.contains("▸ Red"), "{screen}");
            assert!(screen.contains("out of stock"), "{screen}");
            assert!(
                screen.contains("mixed SKUs reach the minimum at ≥ 50 pcs"),
                "{screen}"
            );
        }
        assert!(!screen.contains('\u{1b}'), "server text is sanitised");
        insta::assert_snapshot!(format!("landed_cost_page_{w}x{h}"), screen);
    }
}

#[test]
fn the_gallery_shows_the_landed_cost_under_each_picture_that_has_one() {
    let mut s = costed(200, 60);
    update(&mut s, Msg::Action(Action::FocusResults));
    update(&mut s, Msg::Action(Action::ToggleGallery));
    let screen = snap(&s, 200, 60);
    assert!(screen.contains("@500 US$4.06"), "{screen}");
    assert!(screen.contains("landed 19.6k"), "{screen}");
    // One without a weight keeps its unit cost: nothing unknown is priced.
    assert!(screen.contains("@500 ¥17.11"), "{screen}");
}
