//! Same product told by the pictures, in `update`: pictures signed in
//! batches as pages arrive, re-uploads joined to their group as their
//! signatures arrive, a wrong group split and kept apart, groups sorted by
//! their cheapest seller.

use super::*;
use crate::api::{OfferDetail, PriceTier};
use crate::app::msg::StoreOp;
use crate::app::state::{RowKind, SIGN_BATCH, UNIT_COST_SORT};
use tusou_same::Signature;
use tusou_sim::artwork::{Art, Pattern, Shape, render};

/// Two products that look nothing alike, as the simulator draws them.
fn product(which: u8) -> Art {
    let (shape, pattern, body) = match which {
        0 => (Shape::Sneaker, Pattern::Stripes, [200, 40, 40]),
        _ => (Shape::Flask, Pattern::Dots, [30, 60, 190]),
    };
    Art {
        shape,
        pattern,
        body,
        accent: [240, 220, 60],
        background: [250, 250, 250],
        scale: 0.8,
        dx: 0.0,
        dy: 0.0,
        grain: 7,
    }
}

/// The picture of `which`, as a reseller re-uploads it: re-encoded as a
/// JPEG at `quality`, at `side` pixels.
fn signature(which: u8, side: u32, quality: u8) -> Box<Signature> {
    let img = render(&product(which), 300);
    let img = image::imageops::resize(&img, side, side, image::imageops::FilterType::Triangle);
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
        .encode_image(&img)
        .unwrap();
    let decoded = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    Box::new(Signature::of_image(&decoded).expect("a picture to match"))
}

fn signing(fx: &[Effect]) -> Vec<(usize, String)> {
    fx.iter()
        .flat_map(|e| match e {
            Effect::SignPictures { pictures, .. } => pictures.clone(),
            _ => Vec::new(),
        })
        .collect()
}

fn signed(s: &mut State, position: usize, sig: Option<Box<Signature>>) -> Vec<Effect> {
    let generation = s.results.generation;
    update(
        s,
        Msg::Signed {
            generation,
            position,
            signature: sig,
        },
    )
}

/// One page of 20 offers, every one its own picture file.
fn loaded() -> (State, Vec<Effect>) {
    let mut s = state();
    s.width = 200;
    s.height = 60;
    searching(&mut s);
    let fx = arrive(&mut s, 1, 1);
    update(&mut s, Msg::Action(Action::FocusResults));
    (s, fx)
}

/// Offers 3 and 12 show product 0 (12 re-uploaded smaller, re-encoded),
/// offer 7 product 1; the other pictures did not decode.
fn grouped() -> State {
    let (mut s, fx) = loaded();
    let batch = signing(&fx);
    for (p, _) in batch {
        let sig = match p {
            3 => Some(signature(0, 300, 90)),
            7 => Some(signature(1, 300, 90)),
            12 => Some(signature(0, 220, 70)),
            _ => None,
        };
        signed(&mut s, p, sig);
    }
    s
}

fn row_kinds(s: &State) -> Vec<(usize, RowKind)> {
    (0..s.results.rows.len())
        .filter_map(|i| s.results.row(i).map(|r| (r.offer, r.kind)))
        .collect()
}

#[test]
fn pages_ask_for_their_pictures_in_batches_one_out_at_a_time() {
    let (mut s, fx) = loaded();
    let batch = signing(&fx);
    assert_eq!(batch.len(), SIGN_BATCH);
    assert_eq!(batch[0], (0, "http://img/0.jpg".to_string()));
    // Grouping off stops the signing; on again asks for the batch again.
    let generation = s.results.generation;
    let fx = update(&mut s, Msg::Action(Action::ToggleGrouping));
    assert!(fx.contains(&Effect::CancelSigning), "{fx:?}");
    let fx = update(&mut s, Msg::Action(Action::ToggleGrouping));
    assert_eq!(signing(&fx), batch);
    for (p, _) in batch {
        signed(&mut s, p, None);
    }
    let fx = update(&mut s, Msg::SigningDone { generation });
    let next: Vec<usize> = signing(&fx).into_iter().map(|(p, _)| p).collect();
    assert_eq!(next, (16..20).collect::<Vec<_>>());
    assert_eq!(s.same.compared, 16);
    // Replies of an older search change nothing.
    let fx = update(
        &mut s,
        Msg::SigningDone {
            generation: generation - 1,
        },
    );
    assert!(fx.is_empty());
}

#[test]
fn a_re_upload_joins_its_product_s_group_as_its_picture_arrives() {
    let s = grouped();
    let g = s.results.groups.group(3).expect("3 and 12 grouped");
    assert_eq!(g.count, 2);
    assert_eq!(g.min_price, Some(Price(350)));
    assert_eq!(g.max_price, Some(Price(1250)));
    assert_eq!(s.results.groups.first_of(12), Some(3));
    // The other product stays alone, and 12 is listed under 3.
    assert!(!s.results.groups.is_grouped(7));
    let kinds = row_kinds(&s);
    assert_eq!(kinds.len(), 19);
    assert!(matches!(kinds[3], (3, RowKind::Group { count: 2, .. })));
    assert!(!kinds.iter().any(|(p, _)| *p == 12));
    assert_eq!(s.same.merged, 1);
    let text = s.same.progress_text(s.results.offers.len()).unwrap();
    assert_eq!(text, "pictures compared: 16 of 20 · 1 re-upload grouped");
    // A picture from a search before is not compared.
    let mut s = s;
    let generation = s.results.generation;
    update(
        &mut s,
        Msg::Signed {
            generation: generation - 1,
            position: 7,
            signature: Some(signature(0, 300, 90)),
        },
    );
    assert!(!s.results.groups.is_grouped(7));
}

#[test]
fn a_split_group_lists_its_sellers_apart_and_keeps_them_apart() {
    let mut s = grouped();
    s.results.cursor = s.results.row_of(3).unwrap();
    let fx = update(&mut s, Msg::Action(Action::SplitGroup));
    let kept: Vec<String> = fx
        .iter()
        .flat_map(|e| match e {
            Effect::Store(StoreOp::KeepApart(refs)) => refs.iter().map(|r| r.key.clone()).collect(),
            _ => Vec::new(),
        })
        .collect();
    assert_eq!(kept, ["id:600003", "id:600012"]);
    assert!(!s.results.groups.is_grouped(3) && !s.results.groups.is_grouped(12));
    assert_eq!(s.results.rows.len(), 20);
    // The same offers searched again, pictures and all: they stay apart,
    // by picture and by picture file.
    let mut again = state();
    again.width = 200;
    again.height = 60;
    update(&mut again, Msg::KeptApart(kept));
    searching(&mut again);
    let generation = again.results.generation;
    let mut p = page(1, 20, 1);
    p.offers[12].image_url = p.offers[3].image_url.clone();
    p.offers[15].image_url = p.offers[3].image_url.clone();
    update(
        &mut again,
        Msg::Page {
            generation,
            page: 1,
            result: Ok(p),
            stored: None,
        },
    );
    signed(&mut again, 3, Some(signature(0, 300, 90)));
    signed(&mut again, 12, Some(signature(0, 220, 70)));
    assert!(!again.results.groups.is_grouped(3));
    assert!(!again.results.groups.is_grouped(12));
    // Offer 15 shows offer 3's file but 3 is kept apart: 15 stands alone.
    assert!(!again.results.groups.is_grouped(15));
    // A single offer is no group to split.
    again.results.cursor = 0;
    let fx = update(&mut again, Msg::Action(Action::SplitGroup));
    assert!(fx.is_empty());
}

#[test]
fn the_unit_cost_sort_orders_groups_by_their_cheapest_and_sellers_within() {
    let mut s = grouped();
    // A third copy of product 0 at 16: the group is 3, 12, 16.
    let generation = s.results.generation;
    update(&mut s, Msg::SigningDone { generation });
    signed(&mut s, 16, Some(signature(0, 260, 80)));
    assert_eq!(s.results.groups.members(3), vec![3, 12, 16]);
    s.filters.fields[crate::app::state::FilterField::Quantity.index()] =
        tui_input::Input::new("10".into());
    s.filters.sort = UNIT_COST_SORT;
    update(&mut s, Msg::Action(Action::ApplyFilters));
    let detail = |fen: u64| {
        Box::new(OfferDetail {
            min_order: Some(1),
            tiers: vec![PriceTier {
                start_quantity: 1,
                price: Price(fen),
                promotion_price: None,
            }],
            ..OfferDetail::default()
        })
    };
    // At 10 pieces: 16 is the cheapest of all, 12 dearer than 3; 5 is
    // cheaper than every other single.
    for (i, fen) in [(3, 300), (12, 900), (16, 20), (5, 40)] {
        update(
            &mut s,
            Msg::Detail {
                offer_id: offer(i).offer_id.unwrap(),
                result: Ok((detail(fen), 0)),
            },
        );
    }
    update(&mut s, Msg::Tick);
    s.results.cursor = s.results.row_of(3).unwrap();
    update(&mut s, Msg::Action(Action::ExpandGroup));
    let order: Vec<u32> = s.results.rows.iter().take(5).copied().collect();
    // The group first (its cheapest, 16, is the cheapest), its sellers
    // cheapest first, then 5.
    assert_eq!(order, [3, 16, 12, 5, 0]);
}

#[test]
fn an_export_names_each_grouped_offer_s_group_and_its_spread() {
    let mut s = grouped();
    let fx = update(&mut s, Msg::Action(Action::Export));
    let same = fx
        .iter()
        .find_map(|e| match e {
            Effect::Export { same, .. } => same.clone(),
            _ => None,
        })
        .expect("same-product columns");
    // Offers 3 and 12 are ranks 4 and 13; the group is named after rank 4.
    for rank in [4, 13] {
        let cells = same.cells(rank);
        assert_eq!(cells[0].1, "g4");
        assert_eq!(cells[1].1, "same product: 2 sellers, from ¥3.50");
    }
    assert_eq!(same.cells(8)[0].1, "");
}

#[test]
fn rows_folding_above_the_cursor_keep_it_on_its_offer_and_on_screen() {
    let (mut s, _) = loaded();
    // The cursor on offer 10, at the top of the list's window.
    s.results.cursor = 10;
    s.results.offset = 10;
    signed(&mut s, 3, Some(signature(0, 300, 90)));
    signed(&mut s, 7, Some(signature(0, 220, 70)));
    assert_eq!(s.results.groups.first_of(7), Some(3));
    let r = &s.results;
    assert_eq!(r.selected().map(|o| o.title.as_str()), Some("商品10"));
    assert!(
        r.offset <= r.cursor,
        "cursor {} above the window at {}",
        r.cursor,
        r.offset
    );
}

#[test]
fn the_offer_under_the_cursor_stays_a_row_when_it_joins_a_group() {
    let (mut s, _) = loaded();
    signed(&mut s, 3, Some(signature(0, 300, 90)));
    // The user is on offer 12 when its picture joins offer 3's group.
    s.results.cursor = s.results.row_of(12).unwrap();
    signed(&mut s, 12, Some(signature(0, 220, 70)));
    assert_eq!(s.results.groups.first_of(12), Some(3));
    assert_eq!(
        s.results.selected().map(|o| o.title.as_str()),
        Some("商品12")
    );
    assert!(s.results.opened.contains(&3));
}
