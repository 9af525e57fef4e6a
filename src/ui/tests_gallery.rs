//! Snapshots of the gallery in half blocks: pictures drawn, pictures still
//! loading (a placeholder of the picture's size), stars, groups of sellers
//! and "new since last time" marks, at 80×24 and 200×60.

use super::*;
use crate::app::state::Pane;
use crate::store::{Change, ShortlistEntry, Status, Store};

/// Results with offers 1 and 4 showing offer 0's picture (one group of
/// three), two marks and two stars, shown as a gallery whose pictures have
/// all arrived but those of the cells in `loading`.
fn gallery(w: u16, h: u16, loading: &[usize]) -> State {
    let mut s = base();
    s.provider = "dajisaas".into();
    s.grouping = true;
    resize(&mut s, w, h);
    with_results(&mut s, 0, 35);
    let offers: Vec<Offer> = (0..40)
        .map(|i| {
            let mut o = offer(i);
            if i == 1 || i == 4 {
                o.image_url = offer(0).image_url;
            }
            o
        })
        .collect();
    for n in 1..=2u32 {
        s.results.inflight = Some(n);
        let start = (n as usize - 1) * 20;
        update(
            &mut s,
            Msg::Page {
                generation: 1,
                page: n,
                result: Ok(ResultPage {
                    offers: offers[start..start + 20].to_vec(),
                    total_records: 35 * 20 - 13,
                    total_pages: 35,
                    page_size: 20,
                    current_page: n,
                    notices: Vec::new(),
                    subjects: None,
                }),
                stored: None,
            },
        );
    }
    s.results.marks.insert(2, Change::New);
    s.results.marks.insert(5, Change::PriceUp { was_fen: 100 });
    let starred = |i: u64| {
        let offer = offer(i);
        ShortlistEntry {
            offer_ref: Store::offer_ref(&s.provider, &offer),
            offer,
            note: String::new(),
            status: Status::ToAsk,
            added_at: 1_763_906_520,
            changed_at: 1_763_906_520,
        }
    };
    let entries = vec![starred(3), starred(6)];
    s.shortlist.loaded = true;
    update(&mut s, Msg::Shortlist(Ok(entries)));
    update(&mut s, Msg::Action(Action::FocusResults));
    update(&mut s, Msg::Action(Action::ToggleGallery));
    update(&mut s, Msg::Action(Action::MoveRight));
    let keys = s.thumb_prefetch.clone();
    assert!(!keys.is_empty(), "the cells' pictures are asked for");
    let loading_urls: Vec<String> = loading
        .iter()
        .filter_map(|&cell| {
            let position = *s.results.rows.get(cell)? as usize;
            s.results.offers.get(position)?.thumbnail_url()
        })
        .collect();
    for key in keys {
        let crate::app::state::ThumbSource::Url(url) = &key.source else {
            continue;
        };
        if loading_urls.contains(url) {
            continue;
        }
        let t = thumb(key.cols, key.rows);
        update(&mut s, Msg::Thumb { key, thumb: t });
    }
    assert_eq!(s.focus, Pane::Results);
    s
}

#[test]
fn gallery_at_80x24() {
    let s = gallery(80, 24, &[2]);
    let screen = snap(&s, 80, 24);
    assert!(screen.contains('★'), "{screen}");
    assert!(screen.contains("×3"), "the group of three: {screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn gallery_at_200x60() {
    let s = gallery(200, 60, &[2, 9, 17]);
    let screen = snap(&s, 200, 60);
    assert!(screen.contains("new"), "{screen}");
    assert!(screen.contains('↑'), "{screen}");
    insta::assert_snapshot!(screen);
}

#[test]
fn the_gallery_renders_at_every_size_without_panic() {
    let mut s = gallery(80, 24, &[]);
    for (w, h) in [
        (1, 1),
        (10, 5),
        (20, 8),
        (33, 11),
        (60, 15),
        (120, 40),
        (300, 90),
    ] {
        resize(&mut s, w, h);
        let _ = snap(&s, w, h);
    }
}

/// With kitty pictures, a cell whose picture arrived is left blank in the
/// frame and named, with its box, for the display; a cell still loading
/// keeps its placeholder; Help over the screen leaves no picture.
#[test]
fn protocol_pictures_are_left_to_the_display() {
    let mut s = gallery(200, 60, &[]);
    s.graphics = crate::image::protocol::GraphicsProtocol::Kitty;
    update(&mut s, Msg::Tick);
    let keys = s.thumb_prefetch.clone();
    let grid = crate::app::layout::gallery_grid(&s).expect("a gallery");
    // Every cell's picture but the second's has arrived.
    for key in keys.iter().take(grid.cells()).filter(|k| **k != keys[1]) {
        update(&mut s, Msg::encoded_blank(key));
    }
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).unwrap();
    let mut placed = Vec::new();
    term.draw(|f| placed = super::draw_with_pictures(f, &s))
        .unwrap();
    assert_eq!(placed[0], (keys[0].clone(), grid.picture(0)));
    assert!(
        placed.iter().all(|(k, _)| *k != keys[1]),
        "the second cell still loads"
    );
    let buf = term.backend().buffer();
    let first = grid.picture(0);
    assert!(
        first.positions().all(|p| buf[p].symbol() == " "),
        "left blank"
    );
    let second = grid.picture(1);
    assert!(
        second.positions().any(|p| buf[p].symbol() == "·"),
        "placeholder"
    );
    update(&mut s, Msg::Action(Action::Help));
    term.draw(|f| placed = super::draw_with_pictures(f, &s))
        .unwrap();
    assert!(placed.is_empty(), "nothing placed under Help");
}
