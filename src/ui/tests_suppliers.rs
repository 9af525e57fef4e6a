//! Snapshots of supplier signals: the results' supplier column with the
//! supplier filters on (and the line saying what they show), and Detail's
//! supplier block with the seller's searches, at 80×24 and 200×60.

use super::*;
use crate::api::seller::{Identity, Rate, Score, Seller};
use crate::app::state::{FilterField, FilterRow, FiltersState, SellerAppearances};

/// Offer `i`'s seller by `i % 4`: a super factory of 6 years with scores
/// and rates, a trader of 4 years, a factory of 1 year, nothing known.
fn seller(i: usize) -> Option<Seller> {
    let rate = Rate::from_basis_points;
    match i % 4 {
        0 => Some(Seller {
            company: Some("义乌市星光陶瓷厂\u{1b}[2J".into()),
            identities: vec![Identity::SuperFactory, Identity::TpMember],
            tp_years: Some(6),
            trade_score: Score::from_hundredths(450),
            pickup_24h_30d: rate(9_200),
            quality_return_30d: rate(40),
            ..Seller::default()
        }),
        1 => Some(Seller {
            company: Some("Hangzhou Bright Trading Co.".into()),
            identities: vec![Identity::TpMember],
            tp_years: Some(4),
            trade_score: Score::from_hundredths(380),
            ..Seller::default()
        }),
        2 => Some(Seller {
            company: Some("New Mould Factory".into()),
            identities: vec![Identity::Factory],
            tp_years: Some(1),
            ..Seller::default()
        }),
        _ => None,
    }
}

fn row_of(r: FilterRow) -> usize {
    (0..FiltersState::rows())
        .find(|&i| FiltersState::row(i) == r)
        .expect("listed")
}

/// Results with sellers, filtered to factories of 3 years or more, the
/// first row selected and its seller's searches known.
fn filtered(w: u16, h: u16) -> State {
    let mut s = base();
    resize(&mut s, w, h);
    with_results(&mut s, 1, 3);
    let n = s.results.offers.len();
    for i in 0..n {
        let Some(o) = s.results.offers.iter_mut().nth(i) else {
            continue;
        };
        o.seller = seller(i);
        let seller = o.seller.clone();
        s.suppliers.note(i, seller.as_ref());
    }
    s.filters.factory_only = true;
    s.filters.fields[FilterField::MinYears.index()] = tui_input::Input::new("3".into());
    update(&mut s, Msg::Action(Action::ApplyFilters));
    update(&mut s, Msg::Action(Action::FocusResults));
    if let Some(key) = seller(0).and_then(|s| s.key()) {
        update(
            &mut s,
            Msg::SellerAppearances {
                key,
                result: Ok(SellerAppearances {
                    searches: 7,
                    offers: 12,
                }),
            },
        );
    }
    s
}

#[test]
fn results_filtered_by_supplier_with_the_column_and_the_shown_line() {
    for (w, h) in [(80, 24), (200, 60)] {
        let s = filtered(w, h);
        let screen = snap(&s, w, h);
        assert!(
            screen.contains("10 of 20 shown: factory, ≥ 3 years"),
            "{screen}"
        );
        assert!(
            screen.contains(" seller ") || screen.contains(" supplier "),
            "{screen}"
        );
        assert!(
            screen.contains("fac 6y") || screen.contains("factory 6y"),
            "{screen}"
        );
        if w >= 200 {
            assert!(screen.contains("factory 6y 4.5"), "{screen}");
            assert!(
                screen.contains("in 7 of your searches (12 offers)"),
                "{screen}"
            );
            assert!(screen.contains("6 years on 1688"), "{screen}");
        }
        assert!(!screen.contains("Hangzhou Bright"), "traders are hidden");
        assert!(!screen.contains('\u{1b}'), "server text is sanitised");
        insta::assert_snapshot!(format!("suppliers_filtered_{w}x{h}"), screen);
    }
}

#[test]
fn the_filters_pane_lists_the_supplier_filters_under_their_heading() {
    let mut s = filtered(200, 60);
    update(&mut s, Msg::Action(Action::FocusFilters));
    s.filters.cursor = row_of(FilterRow::Field(FilterField::MinYears));
    let screen = snap(&s, 200, 60);
    assert!(screen.contains("supplier (here, not sent)"), "{screen}");
    assert!(screen.contains("[x] factory only"), "{screen}");
    assert!(screen.contains("unknown    shown"), "{screen}");
    insta::assert_snapshot!("suppliers_filters_pane_200x60", screen);
}
