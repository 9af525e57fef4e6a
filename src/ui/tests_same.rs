//! Snapshots of same-product groups told by the pictures: a group row's
//! sellers count, price range and median (in full when wide, its range when
//! narrow), an opened group's sellers cheapest first, and the title saying
//! how many pictures were compared, at 80×24 and 200×60.

use super::*;

/// Offers 1, 6 and 11 are one product re-uploaded (6 the cheapest, 11 the
/// dearest), opened; 2 and 14 another; 16 pictures compared, 3 joined.
fn grouped(w: u16, h: u16) -> State {
    let mut s = base();
    s.provider = "dajisaas".into();
    resize(&mut s, w, h);
    with_results(&mut s, 1, 35);
    for (i, o) in s.results.offers.iter_mut().enumerate() {
        match i {
            6 => o.price = Some(Price(990)),
            11 => o.price = Some(Price(2450)),
            _ => {}
        }
    }
    let price = |p: usize| s.results.offers.get(p).and_then(|o| o.price);
    let (p1, p2, p6, p11, p14) = (price(1), price(2), price(6), price(11), price(14));
    let r = &mut s.results;
    r.groups.unite(6, p6, 1, p1);
    r.groups.unite(11, p11, 1, p1);
    r.groups.unite(14, p14, 2, p2);
    r.opened.insert(1);
    s.same.compared = 16;
    s.same.merged = 3;
    s.focus = crate::app::state::Pane::Results;
    update(&mut s, Msg::Action(Action::ToggleGrouping));
    update(&mut s, Msg::Action(Action::ToggleGrouping));
    s
}

#[test]
fn same_product_groups_80x24() {
    let s = grouped(80, 24);
    let screen = snap(&s, 80, 24);
    assert!(screen.contains("▾×3 ¥9.90–24.50"), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn same_product_groups_200x60() {
    let s = grouped(200, 60);
    let screen = snap(&s, 200, 60);
    assert!(
        screen.contains("▾×3 sellers · ¥9.90–24.50 · median ¥"),
        "{screen}"
    );
    assert!(
        screen.contains("pictures compared: 16 of 20 · 3 re-uploads grouped"),
        "{screen}"
    );
    insta::assert_snapshot!(screen);
}
