//! Figure 1: the cost of one frame of the main screen at 200×60 drawn into
//! ratatui's TestBackend, with 100, 10,000 and 100,000 offers loaded.
//! `cargo bench --bench render`
//!
//! Issue 23: key → full gallery frame at 200×60 with 10,000 offers and the
//! cells' pictures in memory (`update` of a move down or up, then the
//! frame); besides criterion's mean, a pass of 2,000 keys prints the p50,
//! p99 and worst (`cargo bench --bench render -- gallery`).
//!
//! Each iteration moves the selection by one row (as a key press would) and
//! draws through a long-lived `Terminal`, so the measured frame includes
//! ratatui's buffer diff and the backend write, like the real event loop.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::PathBuf;
use tusou::api::{Offer, Price, ResolvedImage, ResultPage, SearchParams};
use tusou::app::msg::Msg;
use tusou::app::state::{Pane, State, Thumb};
use tusou::app::{Start, update};
use tusou::image::HalfBlockImage;
use tusou::keymap::Keymap;

const WIDTH: u16 = 200;
const HEIGHT: u16 = 60;
const PAGE: u32 = 50;

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
        price: Some(Price(1600 + 37 * (i % 1000))),
        jxhy_price: (i % 3 == 1).then_some(Price(1500 + 37 * (i % 1000))),
        pf_jxhy_price: None,
        month_sold: Some(97_822 / (i % 997 + 1)),
        repurchase_rate: Some((i % 50) as f32),
        badges: if i.is_multiple_of(2) {
            vec!["精选".into(), "factory".into()]
        } else {
            vec![]
        },
        image_url: Some(format!("http://img.example/{i}.jpg")),
        category_id: Some(1031910),
    }
}

/// The main screen at 200×60 with `n` offers loaded page by page through
/// `update` (as the app does), the cursor in the middle of the list and the
/// selected offer's picture cached.
pub fn state_with(n: u32) -> State {
    let mut s = State::new(
        Keymap::defaults(),
        SearchParams {
            page_size: Some(PAGE),
            ..SearchParams::default()
        },
    );
    s.demo = true;
    s.backend_label = "demo · built-in simulator".into();
    update(&mut s, Msg::Resize(WIDTH, HEIGHT));
    drop(tusou::app::update::init(
        &mut s,
        Start::Url("https://img.example/shoe.jpg".into()),
        PathBuf::from("/tmp"),
    ));
    let generation = s.results.generation;
    update(
        &mut s,
        Msg::Resolved {
            generation,
            result: Ok(ResolvedImage::by_address("https://img.example/shoe.jpg")),
        },
    );
    let pages = n.div_ceil(PAGE);
    let total_pages = pages + 10;
    for page in 1..=pages {
        let start = u64::from((page - 1) * PAGE);
        let end = u64::from((page * PAGE).min(n));
        s.results.inflight = Some(page);
        update(
            &mut s,
            Msg::Page {
                generation,
                page,
                result: Ok(ResultPage {
                    offers: (start..end).map(offer).collect(),
                    total_records: u64::from(total_pages * PAGE),
                    total_pages,
                    page_size: PAGE,
                    current_page: page,
                    notices: Vec::new(),
                    subjects: None,
                }),
                stored: None,
            },
        );
    }
    // Whatever the last page asked for next stays "in flight": the frame is
    // drawn as it would be while the app prefetches.
    s.focus = Pane::Results;
    s.results.cursor = (n / 2) as usize;
    s.results.offset = s.results.cursor.saturating_sub(10);
    update(&mut s, Msg::Resize(WIDTH, HEIGHT));
    if let Some(key) = s.wanted_thumb.clone() {
        let img = image::RgbImage::from_fn(64, 64, |x, y| {
            image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x ^ y) * 4) as u8])
        });
        let thumb = Thumb::Half(HalfBlockImage::from_rgb(&img, key.cols, key.rows));
        update(&mut s, Msg::Thumb { key, thumb });
    }
    assert_eq!(s.results.offers.len(), n as usize);
    s
}

fn frames(c: &mut Criterion) {
    let mut group = c.benchmark_group("frame_200x60");
    for n in [100u32, 10_000, 100_000] {
        let mut state = state_with(n);
        let backend = ratatui::backend::TestBackend::new(WIDTH, HEIGHT);
        let mut terminal = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
        let base = state.results.cursor;
        let mut flip = false;
        group.bench_function(BenchmarkId::new("offers", n), |b| {
            b.iter(|| {
                flip = !flip;
                state.results.cursor = base + usize::from(flip);
                terminal
                    .draw(|f| tusou::ui::draw(f, black_box(&state)))
                    .map(|_| ())
                    .unwrap_or_else(|e| match e {});
            })
        });
    }
    group.finish();
}

/// The gallery of `n` offers at 200×60, every cell's picture of the
/// screens around the cursor in memory.
fn gallery_state(n: u32) -> State {
    let mut state = state_with(n);
    update(&mut state, Msg::Action(tusou::app::Action::ToggleGallery));
    let img = image::RgbImage::from_fn(64, 64, |x, y| {
        image::Rgb([(x * 4) as u8, (y * 4) as u8, ((x ^ y) * 4) as u8])
    });
    for key in state.thumb_prefetch.clone() {
        let thumb = Thumb::Half(HalfBlockImage::from_rgb(&img, key.cols, key.rows));
        update(&mut state, Msg::Thumb { key, thumb });
    }
    state
}

fn gallery(c: &mut Criterion) {
    let mut state = gallery_state(10_000);
    let backend = ratatui::backend::TestBackend::new(WIDTH, HEIGHT);
    let mut terminal = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
    let mut flip = false;
    let mut key_and_frame = |state: &mut State| {
        flip = !flip;
        let action = if flip {
            tusou::app::Action::MoveDown
        } else {
            tusou::app::Action::MoveUp
        };
        black_box(update(state, Msg::Action(action)));
        terminal
            .draw(|f| tusou::ui::draw(f, black_box(state)))
            .map(|_| ())
            .unwrap_or_else(|e| match e {});
    };
    let mut times: Vec<f64> = (0..2_000)
        .map(|_| {
            let at = std::time::Instant::now();
            key_and_frame(&mut state);
            at.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let at = |q: f64| times[((times.len() - 1) as f64 * q).round() as usize];
    eprintln!(
        "gallery key → frame, 200×60, 10,000 offers: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {} keys",
        at(0.5),
        at(0.99),
        times[times.len() - 1],
        times.len()
    );
    c.bench_function("gallery_key_to_frame_200x60_10000", |b| {
        b.iter(|| key_and_frame(&mut state))
    });
}

criterion_group!(benches, frames, gallery);
criterion_main!(benches);
