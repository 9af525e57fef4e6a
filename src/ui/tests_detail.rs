//! Snapshots of offer details: the detail pane with its tier table, and
//! results with a quantity set (unit costs, greyed rows under their MOQ).

use super::*;
use crate::api::OfferDetail;
use crate::app::state::FiltersState;
use serde_json::json;

/// A detail as DajiSaaS sends it: MOQ `moq`, tiers from `fen`.
fn detail(id: &str, moq: u64, fen: u64) -> Box<OfferDetail> {
    let yuan = |f: u64| format!("{}.{:02}", f / 100, f % 100);
    Box::new(
        OfferDetail::from_value(json!({
            "offerId": id,
            "minOrderQuantity": moq,
            "productImage": {"images": [
                format!("http://img.example/{id}.jpg"),
                format!("http://img.example/{id}-2.jpg"),
                format!("http://img.example/{id}-3.jpg")
            ]},
            "productSaleInfo": {
                "amountOnSale": 12000,
                "priceRangeList": [
                    {"startQuantity": moq, "price": yuan(fen)},
                    {"startQuantity": moq * 10, "price": yuan(fen * 9 / 10), "promotionPrice": yuan(fen * 85 / 100)},
                    {"startQuantity": moq * 100, "price": yuan(fen * 8 / 10)}
                ]
            },
            "productShippingInfo": {"sendGoodsAddressText": "浙江省 义乌市\u{1b}[31m", "shippingTimeGuarantee": "shipIn48Hours"},
            "soldOut": 3456
        }))
        .expect("a detail"),
    )
}

fn arrive(s: &mut State, i: usize, moq: u64) {
    let offer = s.results.offers.get(i).expect("offer in memory");
    let id = offer.offer_id.clone().expect("an offer id");
    let fen = offer.price.map_or(100, |p| p.fen());
    let d = detail(&id, moq, fen);
    update(
        s,
        Msg::Detail {
            offer_id: id,
            result: Ok((d, 1_763_906_520)),
        },
    );
}

fn set_quantity(s: &mut State, qty: &str, unit_sort: bool) {
    update(s, Msg::Action(Action::FocusFilters));
    let row = (0..FiltersState::rows())
        .position(|i| {
            FiltersState::row(i)
                == crate::app::state::FilterRow::Field(crate::app::state::FilterField::Quantity)
        })
        .expect("a quantity row");
    s.filters.cursor = row;
    for c in qty.chars() {
        update(s, Msg::Input(tui_input::InputRequest::InsertChar(c)));
    }
    if unit_sort {
        s.filters.sort = crate::app::state::UNIT_COST_SORT;
    }
    update(s, Msg::Action(Action::ApplyFilters));
}

#[test]
fn detail_pane_with_tiers() {
    for (w, h) in [(80, 24), (200, 60)] {
        let mut s = base();
        resize(&mut s, w, h);
        with_results(&mut s, 1, 3);
        update(&mut s, Msg::Action(Action::FocusResults));
        arrive(&mut s, 0, 50);
        if crate::app::layout::is_narrow(w, h) {
            // The narrow layout shows the detail as a tab of its own.
            for _ in 0..8 {
                if s.focus == crate::app::state::Pane::Detail {
                    break;
                }
                update(&mut s, Msg::Action(Action::NextPane));
            }
        }
        let screen = snap(&s, w, h);
        assert!(screen.contains("MOQ 50"), "{screen}");
        assert!(screen.contains("≥500"), "{screen}");
        if h >= 60 {
            assert!(screen.contains("ships within 48 hours"), "{screen}");
            assert!(screen.contains("picture 1/3"), "{screen}");
        }
        assert!(!screen.contains('\u{1b}'), "server text is sanitised");
        insta::assert_snapshot!(format!("detail_pane_{w}x{h}"), screen);
    }
}

#[test]
fn results_with_quantity_and_greyed_rows() {
    for (w, h) in [(80, 24), (200, 60)] {
        let mut s = base();
        resize(&mut s, w, h);
        if w > 100 {
            s.currency = Some(crate::money::Currency::new("USD", 7.1).unwrap());
        }
        with_results(&mut s, 1, 3);
        set_quantity(&mut s, "500", true);
        // Offers 0–5 have details; 1 and 4 sell from 1,000 pieces.
        for (i, moq) in [(0, 2), (1, 1000), (2, 100), (3, 500), (4, 2000), (5, 10)] {
            arrive(&mut s, i, moq);
        }
        update(&mut s, Msg::Tick);
        let screen = snap(&s, w, h);
        assert!(screen.contains("@500"), "{screen}");
        assert!(screen.contains("min 1000"), "{screen}");
        insta::assert_snapshot!(format!("quantity_results_{w}x{h}"), screen);
        // The rows under their MOQ are greyed, title included; the others not.
        let backend = ratatui::backend::TestBackend::new(w, h);
        let mut t = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
        t.draw(|f| draw(f, &s)).unwrap_or_else(|e| match e {});
        let buf = t.backend().buffer();
        let title_fg = |needle: &str| {
            let y = (0..h)
                .find(|&y| {
                    let line: String = (0..w).map(|x| buf[(x, y)].symbol()).collect();
                    line.contains(needle)
                })
                .expect("a row with the text");
            let x = (0..w)
                .find(|&x| buf[(x, y)].symbol() == "┃")
                .expect("the results pane's border")
                + 3;
            buf[(x, y)].fg
        };
        assert_eq!(title_fg("min 1000"), ratatui::style::Color::DarkGray);
        assert_ne!(title_fg("¥15.17"), ratatui::style::Color::DarkGray);
    }
}

#[test]
fn a_signed_header_offer_says_it_has_no_detail() {
    let mut s = base();
    resize(&mut s, 200, 60);
    with_results(&mut s, 1, 3);
    for o in s.results.offers.iter_mut() {
        o.offer_id = None;
    }
    update(&mut s, Msg::Action(Action::FocusResults));
    let screen = snap(&s, 200, 60);
    assert!(screen.contains("no detail from this provider"), "{screen}");
}
