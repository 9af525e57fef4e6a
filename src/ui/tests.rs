//! Snapshots of whole screens, built from states with fixed data.

use super::*;
use crate::api::{Offer, Price, ResolvedImage, ResultPage, SearchParams};
use crate::app::msg::Msg;
use crate::app::state::{Entry, Phase, SearchSource, Thumb};
use crate::app::{Action, update};
use crate::image::HalfBlockImage;
use crate::keymap::Keymap;
use std::path::PathBuf;

fn base() -> State {
    let mut s = State::new(
        Keymap::defaults(),
        SearchParams {
            page_size: Some(20),
            ..SearchParams::default()
        },
    );
    s.demo = true;
    s.backend_label = "demo · built-in simulator".into();
    s.picker.dir = PathBuf::from("/home/ming/photos");
    s
}

fn resize(s: &mut State, w: u16, h: u16) {
    update(s, Msg::Resize(w, h));
}

fn entry(name: &str, is_dir: bool, is_image: bool, size: u64) -> Entry {
    Entry::new(
        name.into(),
        PathBuf::from("/home/ming/photos").join(name),
        is_dir,
        size,
        is_image,
        is_image.then(|| "JPEG".to_string()),
    )
}

fn with_files(s: &mut State) {
    s.picker.generation = 1;
    update(
        s,
        Msg::Listing {
            generation: 1,
            entries: vec![
                entry("夏季新款", true, false, 0),
                entry("samples", true, false, 0),
                entry("shoe.jpg", false, true, 245_760),
                entry("bag-红色.png", false, true, 1_048_576),
                entry("invoice.pdf", false, false, 88_000),
                entry("notes.txt", false, false, 312),
            ],
            done: true,
            error: None,
        },
    );
}

/// A 2-colour test picture as a half-block thumbnail.
fn thumb(cols: u16, rows: u16) -> Thumb {
    let img = image::RgbImage::from_fn(32, 32, |x, y| {
        if (x / 8 + y / 8) % 2 == 0 {
            image::Rgb([200, 30, 30])
        } else {
            image::Rgb([240, 240, 240])
        }
    });
    Thumb::Half(HalfBlockImage::from_rgb(&img, cols, rows))
}

fn offer(i: u64) -> Offer {
    let titles = [
        (
            "国潮男装t恤230g重磅短袖男女纯棉体恤宽松圆领团服打底衫衣服潮",
            Some("T-shirt men's 230g heavy short sleeve cotton loose round neck"),
        ),
        (
            "新款潮牌竹纤维红色中筒袜吸汗防臭批发",
            Some("New trendy bamboo fibre red crew socks"),
        ),
        ("夏季简约冰丝粉色短裤", None),
        (
            "ins风天然橡胶瑜伽垫",
            Some("Ins-style natural rubber yoga mat"),
        ),
    ];
    let (title, en) = titles[(i % 4) as usize];
    Offer {
        offer_id: Some(format!("{}", 7_000_000_000u64 + i)),
        offer_map_id: Some(format!("wmNAp5Cy{i:04}")),
        title: title.into(),
        title_en: en.map(Into::into),
        price: Some(Price(1600 + 37 * i)),
        jxhy_price: (i % 3 == 1).then_some(Price(1500 + 37 * i)),
        pf_jxhy_price: None,
        month_sold: Some(97_822 / (i + 1)),
        repurchase_rate: Some((i % 50) as f32),
        badges: if i.is_multiple_of(2) {
            vec!["精选".into(), "factory".into()]
        } else {
            vec![]
        },
        image_url: Some(format!("http://img.example/{i}.jpg")),
        category_id: Some(1031910),
        seller: None,
    }
}

/// A search by URL with `pages` pages of 20 loaded out of `total_pages`.
fn with_results(s: &mut State, pages: u32, total_pages: u32) {
    let fx = crate::app::update::init(
        s,
        crate::app::Start::Url("https://img.example/shoe.jpg".into()),
        PathBuf::from("/home/ming/photos"),
    );
    drop(fx);
    let generation = s.picker.generation;
    update(
        s,
        Msg::Listing {
            generation,
            entries: vec![entry("shoe.jpg", false, true, 245_760)],
            done: true,
            error: None,
        },
    );
    update(
        s,
        Msg::Resolved {
            generation: 1,
            result: Ok(ResolvedImage::by_address("https://img.example/shoe.jpg")),
        },
    );
    for n in 1..=pages {
        let start = u64::from((n - 1) * 20);
        s.results.inflight = Some(n);
        update(
            s,
            Msg::Page {
                generation: 1,
                page: n,
                result: Ok(ResultPage {
                    offers: (start..start + 20).map(offer).collect(),
                    total_records: u64::from(total_pages) * 20 - 13,
                    total_pages,
                    page_size: 20,
                    current_page: n,
                    notices: Vec::new(),
                    subjects: None,
                }),
                stored: None,
            },
        );
    }
}

fn snap(s: &State, w: u16, h: u16) -> String {
    render_to_string(s, w, h)
}

#[test]
fn empty_start() {
    let mut s = base();
    resize(&mut s, 80, 24);
    s.picker.generation = 1;
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: vec![],
            done: true,
            error: None,
        },
    );
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn picker_with_preview() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_files(&mut s);
    update(&mut s, Msg::Action(Action::MoveDown));
    update(&mut s, Msg::Action(Action::MoveDown));
    let key = s
        .wanted_thumb
        .clone()
        .expect("the highlighted picture is wanted");
    let t = thumb(key.cols, key.rows);
    update(&mut s, Msg::Thumb { key, thumb: t });
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn picker_fuzzy_filter_and_path_line() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_files(&mut s);
    update(&mut s, Msg::Action(Action::FilterFiles));
    for c in "sjg".chars() {
        update(&mut s, Msg::Input(tui_input::InputRequest::InsertChar(c)));
    }
    insta::assert_snapshot!("fuzzy", snap(&s, 80, 24));
    update(&mut s, Msg::Action(Action::Cancel));
    update(&mut s, Msg::Action(Action::EnterPath));
    insta::assert_snapshot!("path_line", snap(&s, 80, 24));
}

#[test]
fn results_with_cjk_titles() {
    let mut s = base();
    resize(&mut s, 100, 30);
    with_results(&mut s, 2, 35);
    update(&mut s, Msg::Action(Action::MoveDown));
    let key = s.wanted_thumb.clone().expect("picture wanted");
    let t = thumb(key.cols, key.rows);
    update(&mut s, Msg::Thumb { key, thumb: t });
    insta::assert_snapshot!(snap(&s, 100, 30));
}

#[test]
fn results_at_80x24() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_results(&mut s, 6, 35);
    for _ in 0..5 {
        update(&mut s, Msg::Action(Action::PageDown));
    }
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn filter_error() {
    let mut s = base();
    resize(&mut s, 80, 24);
    s.focus = Pane::Filters;
    for c in "12x".chars() {
        update(&mut s, Msg::Input(tui_input::InputRequest::InsertChar(c)));
    }
    update(&mut s, Msg::Action(Action::MoveDown));
    for c in "3".chars() {
        update(&mut s, Msg::Input(tui_input::InputRequest::InsertChar(c)));
    }
    update(&mut s, Msg::Action(Action::ApplyFilters));
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn loading() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_files(&mut s);
    update(&mut s, Msg::Action(Action::MoveDown));
    update(&mut s, Msg::Action(Action::MoveDown));
    update(&mut s, Msg::Action(Action::Open));
    assert_eq!(s.results.phase, Phase::Preparing);
    assert!(matches!(s.results.source, Some(SearchSource::File(_))));
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn error_with_retry_hint() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    // Page 2 was prefetched and fails.
    assert_eq!(s.results.inflight, Some(2));
    update(
        &mut s,
        Msg::Page {
            generation: 1,
            page: 2,
            result: Err(crate::app::msg::Failure::new(
                crate::app::msg::FailureKind::Api(crate::api::ErrorKind::RateLimited),
                "the provider is rate limiting (HTTP 429)",
            )),
            stored: None,
        },
    );
    update(&mut s, Msg::Action(Action::Bottom));
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn end_of_results() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 1);
    update(&mut s, Msg::Action(Action::Bottom));
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn help_overlay() {
    let mut s = base();
    resize(&mut s, 80, 24);
    update(&mut s, Msg::Action(Action::Help));
    insta::assert_snapshot!(snap(&s, 80, 24));
}

#[test]
fn small_40x12() {
    let mut s = base();
    resize(&mut s, 40, 12);
    with_results(&mut s, 1, 35);
    insta::assert_snapshot!("small_results", snap(&s, 40, 12));
    update(&mut s, Msg::Action(Action::NextPane));
    insta::assert_snapshot!("small_detail", snap(&s, 40, 12));
}

#[test]
fn no_color_still_marks_selection() {
    let mut s = base();
    s.color = false;
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    let backend = ratatui::backend::TestBackend::new(80, 24);
    let mut t = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
    t.draw(|f| draw(f, &s)).unwrap_or_else(|e| match e {});
    let buf = t.backend().buffer();
    // Row 2 of the results pane (under the column header) is the selected
    // offer: reversed, no colours.
    let cell = &buf[(40, 2)];
    assert!(cell.modifier.contains(ratatui::style::Modifier::REVERSED));
    for y in 0..24 {
        for x in 0..80 {
            let c = &buf[(x, y)];
            assert_eq!(c.fg, ratatui::style::Color::Reset, "({x},{y})");
            assert_eq!(c.bg, ratatui::style::Color::Reset, "({x},{y})");
        }
    }
}

#[test]
fn every_size_renders_without_panic() {
    let mut s = base();
    with_files(&mut s);
    with_results(&mut s, 2, 35);
    update(&mut s, Msg::Action(Action::Help));
    for w in [1u16, 2, 5, 10, 20, 39, 40, 59, 60, 80, 200] {
        for h in [1u16, 2, 3, 5, 11, 12, 15, 16, 24, 60] {
            resize(&mut s, w, h);
            let _ = snap(&s, w, h);
            update(&mut s, Msg::Action(Action::Help));
            let _ = snap(&s, w, h);
            update(&mut s, Msg::Action(Action::Help));
        }
    }
    // Zero rows: nothing to draw, no panic.
    resize(&mut s, 80, 0);
    let backend = ratatui::backend::TestBackend::new(80, 0);
    let mut t = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
    let _ = t.draw(|f| draw(f, &s));
}

#[test]
fn rendering_cost_does_not_grow_with_results() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    let many: Vec<Offer> = (0..200_000).map(offer).collect();
    s.results.offers = crate::app::state::Offers::from_offers(many, 50, false);
    s.results.cursor = 150_000;
    s.results.offset = 149_990;
    let start = std::time::Instant::now();
    for _ in 0..20 {
        let _ = snap(&s, 80, 24);
    }
    // 20 frames of 200 000 rows: only the visible ones are formatted.
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn wrap_never_exceeds_width() {
    for text in [
        "新款潮牌竹纤维红色中筒袜吸汗防臭批发",
        "T-shirt men's 230g heavy short sleeve 国潮 cotton",
        "averyveryverylongwordwithoutanyspaces",
    ] {
        for w in 1..20 {
            for line in wrap(text, w) {
                assert!(crate::text::width(&line) <= w, "{line:?} > {w}");
            }
        }
    }
    assert_eq!(wrap("ab cd", 2), vec!["ab", "cd"]);
}

#[test]
fn an_offer_without_an_offer_id_says_why_it_has_no_link() {
    // The signed-header provider sends only offerMapId: no page link exists.
    let mut s = base();
    resize(&mut s, 120, 40);
    with_results(&mut s, 1, 3);
    for o in s.results.offers.iter_mut() {
        o.offer_id = None;
    }
    let screen = snap(&s, 120, 40);
    assert!(screen.contains("no offer link"), "{screen}");
    assert!(!screen.contains("detail.1688.com"), "{screen}");
    assert!(
        screen.contains("picture http://img.example/0.jpg"),
        "{screen}"
    );
    // Copying offers the picture's URL instead, and says so.
    s.focus = crate::app::state::Pane::Results;
    let fx = update(&mut s, Msg::Action(Action::CopyLink));
    assert_eq!(
        fx,
        vec![crate::app::msg::Effect::Copy(
            "http://img.example/0.jpg".into()
        )]
    );
    let status = s
        .status_message()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(
        status.contains("No offer link from this provider"),
        "{status}"
    );
}

#[test]
fn rows_of_the_search_before_stay_marked_until_the_new_first_page() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    s.focus = crate::app::state::Pane::Filters;
    update(&mut s, Msg::Action(Action::ApplyFilters));
    let screen = snap(&s, 80, 24);
    assert!(screen.contains("previous results"), "{screen}");
    assert!(screen.contains("T-shirt men's 230g"), "rows kept: {screen}");
}

#[path = "tests_memory.rs"]
mod memory;

#[path = "tests_crop.rs"]
mod crop;
#[path = "tests_detail.rs"]
mod detail;
#[path = "tests_gallery.rs"]
mod gallery;
#[path = "tests_landed.rs"]
mod landed;
#[path = "tests_watches.rs"]
mod watches;

#[test]
fn rows_out_of_memory_show_as_being_read() {
    let mut s = base();
    resize(&mut s, 80, 24);
    with_results(&mut s, 1, 35);
    let many: Vec<Offer> = (0..400).map(offer).collect();
    let mut offers = crate::app::state::Offers::from_offers(many, 20, true);
    // Only the last page stays; the first is being read back.
    offers.evict(&[19].into(), 1);
    offers.mark_loading(&[0]);
    s.results.offers = offers;
    s.results.rows = (0..400).collect();
    s.results.cursor = 0;
    s.results.offset = 0;
    let screen = snap(&s, 80, 24);
    assert!(screen.contains("  …"), "{screen}");
    assert!(!screen.contains("Item 0"), "{screen}");
}
#[path = "tests_same.rs"]
mod same;
#[path = "tests_suppliers.rs"]
mod suppliers;
