//! Supplier filters and seller lists in `update`: what is shown of the
//! loaded offers, unknown values shown or hidden as the user chooses,
//! pages judged as they arrive, one seller's offers, and one store query
//! per seller for Detail.

use super::*;
use crate::api::seller::{Identity, Rate, Seller, SellerKey};
use crate::app::state::{FilterField, FilterRow, SellerAppearances, Unknowns};

/// Offer `i`'s seller: by `i % 4`, a factory of 5 years, a trader of 5
/// years, a factory of 1 year, nothing known. Company `co{i % 4}`.
fn seller(i: u64) -> Option<Seller> {
    let (factory, years) = match i % 4 {
        0 => (true, 5),
        1 => (false, 5),
        2 => (true, 1),
        _ => return None,
    };
    Some(Seller {
        company: Some(format!("co{}", i % 4)),
        identities: vec![if factory {
            Identity::SuperFactory
        } else {
            Identity::TpMember
        }],
        tp_years: Some(years),
        // 24 h pickup 95 % for the first factory, nothing for the others.
        pickup_24h_30d: i
            .is_multiple_of(4)
            .then(|| Rate::from_basis_points(9_500))
            .flatten(),
        quality_return_30d: Rate::from_basis_points(if i % 4 == 1 { 300 } else { 50 }),
        ..Seller::default()
    })
}

/// Page `n` of 20 offers (of `total_pages`), each with its seller.
fn arrive_with_sellers(s: &mut State, n: u32, total_pages: u32) -> Vec<Effect> {
    let generation = s.results.generation;
    let mut p = page(n, 20, total_pages);
    for (i, o) in p.offers.iter_mut().enumerate() {
        o.seller = seller(u64::from(n - 1) * 20 + i as u64);
    }
    update(
        s,
        Msg::Page {
            generation,
            page: n,
            result: Ok(p),
            stored: None,
        },
    )
}

/// The status line's message.
fn said(s: &State) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

fn loaded(pages: u32) -> State {
    let mut s = state();
    s.width = 200;
    s.height = 60;
    searching(&mut s);
    arrive_with_sellers(&mut s, 1, pages);
    s
}

fn shown_positions(s: &State) -> Vec<u32> {
    s.results.rows.clone()
}

fn sent_anything(fx: &[Effect]) -> bool {
    fx.iter().any(|e| {
        matches!(
            e,
            Effect::StartSearch { .. } | Effect::FetchPage { .. } | Effect::CancelSearch
        )
    })
}

fn row_of(r: FilterRow) -> usize {
    (0..FiltersState::rows())
        .find(|&i| FiltersState::row(i) == r)
        .expect("listed")
}

/// Factory only and at least 3 years: the factories of 5 years are shown,
/// traders and young factories hidden, unknown sellers shown (the default)
/// and counted; nothing is sent to the provider.
#[test]
fn factory_only_and_years_hide_what_fails_and_say_how_many_are_shown() {
    let mut s = loaded(2);
    s.grouping = true;
    s.focus = Pane::Filters;
    s.filters.cursor = row_of(FilterRow::FactoryOnly);
    act(&mut s, Action::ToggleFlag);
    type_into(&mut s, row_of(FilterRow::Field(FilterField::MinYears)), "3");
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(!sent_anything(&fx), "{fx:?}");
    let shown = shown_positions(&s);
    assert!(shown.iter().all(|p| p % 4 == 0 || p % 4 == 3), "{shown:?}");
    assert_eq!(shown.len(), 10);
    // One row per offer: a group row would stand for sellers that fail.
    assert!(!s.results.grouped);
    assert_eq!(
        s.suppliers.shown_text(),
        "10 of 20 shown: factory, ≥ 3 years · 5 unknown, shown"
    );
    assert!(said(&s).contains("10 of 20 shown"), "said: {}", said(&s));

    // Unknown hidden: the user's choice, said on the line.
    s.focus = Pane::Filters;
    s.filters.cursor = row_of(FilterRow::Unknowns);
    act(&mut s, Action::ToggleFlag);
    assert_eq!(s.filters.unknowns, Unknowns::Hidden);
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(!sent_anything(&fx), "{fx:?}");
    assert!(shown_positions(&s).iter().all(|p| p % 4 == 0));
    assert_eq!(s.results.rows.len(), 5);
    assert_eq!(
        s.suppliers.shown_text(),
        "5 of 20 shown: factory, ≥ 3 years · 5 unknown, hidden"
    );
}

/// 48-hour pickup is known from a 24-hour figure that reaches it; quality
/// refunds from the items' returns; the rest is unknown.
#[test]
fn pickup_and_refunds_judge_what_is_known_and_leave_the_rest_to_the_user() {
    let mut s = loaded(1);
    type_into(
        &mut s,
        row_of(FilterRow::Field(FilterField::MinPickup)),
        "90",
    );
    type_into(
        &mut s,
        row_of(FilterRow::Field(FilterField::MaxRefunds)),
        "1.5 %",
    );
    act(&mut s, Action::ApplyFilters);
    // Pickup: only i%4 == 0 is known (95 %); refunds: i%4 == 1 fails (3 %).
    let shown = shown_positions(&s);
    assert!(shown.iter().all(|p| p % 4 != 1), "{shown:?}");
    assert_eq!(s.suppliers.shown.unknown, 10);
    s.filters.unknowns = Unknowns::Hidden;
    act(&mut s, Action::ApplyFilters);
    assert!(shown_positions(&s).iter().all(|p| p % 4 == 0));
    // A bad percent is an inline error and changes nothing.
    type_into(
        &mut s,
        row_of(FilterRow::Field(FilterField::MinPickup)),
        "101",
    );
    act(&mut s, Action::ApplyFilters);
    assert!(s.filters.errors[FilterField::MinPickup.index()].is_some());
    assert!(shown_positions(&s).iter().all(|p| p % 4 == 0));
    assert_eq!(s.results.rows.len(), 5);
}

/// A page arriving while a filter is on is judged as it arrives.
#[test]
fn pages_arriving_later_are_filtered_and_counted() {
    let mut s = loaded(2);
    s.filters.factory_only = true;
    s.filters.unknowns = Unknowns::Hidden;
    act(&mut s, Action::ApplyFilters);
    assert_eq!(s.results.rows.len(), 10);
    arrive_with_sellers(&mut s, 2, 2);
    assert_eq!(s.results.rows.len(), 20);
    assert_eq!(s.suppliers.shown.of, 40);
    assert!(shown_positions(&s).iter().all(|p| p % 4 == 0 || p % 4 == 2));
    // Filters off: everything again, with no new search.
    s.filters.factory_only = false;
    s.filters.unknowns = Unknowns::Shown;
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(!sent_anything(&fx), "{fx:?}");
    assert_eq!(s.results.rows.len(), 40);
    assert!(!s.suppliers.filter.is_on());
}

/// The seller key lists the selected offer's seller's offers (here every
/// fourth), with the filters on top; again lists every seller.
#[test]
fn the_seller_key_lists_one_sellers_offers_and_again_every_seller() {
    let mut s = loaded(2);
    arrive_with_sellers(&mut s, 2, 2);
    s.focus = Pane::Results;
    s.results.cursor = 1;
    let fx = act(&mut s, Action::SellerOffers);
    assert!(!sent_anything(&fx));
    let shown = shown_positions(&s);
    assert_eq!(shown.len(), 10);
    assert!(shown.iter().all(|p| p % 4 == 1), "{shown:?}");
    // The cursor stays on the offer it was on.
    assert_eq!(
        s.results.selected().and_then(|o| o.offer_id.clone()),
        Some("600001".into())
    );
    assert!(
        said(&s).contains("10 of 40 shown: seller co1"),
        "{}",
        said(&s)
    );
    act(&mut s, Action::SellerOffers);
    assert_eq!(s.results.rows.len(), 40);
    // An offer with no seller known says so and changes nothing.
    s.results.cursor = 3;
    act(&mut s, Action::SellerOffers);
    assert_eq!(s.results.rows.len(), 40);
    assert!(said(&s).contains("not known"), "{}", said(&s));
}

/// Detail asks the store once per seller how many searches it appears in,
/// and shows the answer.
#[test]
fn detail_asks_the_store_once_per_seller() {
    let mut s = loaded(1);
    let asked = |fx: &[Effect]| {
        fx.iter()
            .filter_map(|e| match e {
                Effect::SellerAppearances(k) => Some(k.clone()),
                _ => None,
            })
            .collect::<Vec<_>>()
    };
    s.focus = Pane::Results;
    s.results.cursor = 0;
    let fx = act(&mut s, Action::MoveDown);
    assert_eq!(asked(&fx), vec![SellerKey::Company("co1".into())]);
    // Down 4 rows: the same seller, not asked again.
    let mut again = Vec::new();
    for _ in 0..4 {
        again.extend(asked(&act(&mut s, Action::MoveDown)));
    }
    assert!(
        !again.contains(&SellerKey::Company("co1".into())),
        "{again:?}"
    );
    update(
        &mut s,
        Msg::SellerAppearances {
            key: SellerKey::Company("co1".into()),
            result: Ok(SellerAppearances {
                searches: 7,
                offers: 12,
            }),
        },
    );
    assert_eq!(
        s.suppliers
            .appearances
            .get(&SellerKey::Company("co1".into())),
        Some(&Some(SellerAppearances {
            searches: 7,
            offers: 12
        }))
    );
}

/// The words field is sent as the search's keyword: a new search.
#[test]
fn words_are_sent_with_the_next_search_and_checked_first() {
    let mut s = loaded(1);
    type_into(
        &mut s,
        row_of(FilterRow::Field(FilterField::Words)),
        "ceramic mug",
    );
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(sent_anything(&fx), "{fx:?}");
    assert_eq!(s.params.keyword.as_deref(), Some("ceramic mug"));
    let long = "x".repeat(crate::api::MAX_REFINE_CHARS + 1);
    type_into(&mut s, row_of(FilterRow::Field(FilterField::Words)), &long);
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(!sent_anything(&fx));
    assert!(s.filters.errors[FilterField::Words.index()].is_some());
    assert_eq!(s.params.keyword.as_deref(), Some("ceramic mug"));
}
