//! Figure 1: the cost of one frame of the main screen at 200×60 drawn into
//! ratatui's TestBackend, with 100, 10,000 and 100,000 offers loaded.
//! `cargo bench --bench render`
//!
//! Issue 23: key → full gallery frame at 200×60 with 10,000 offers and the
//! cells' pictures in memory (`update` of a move down or up, then the
//! frame); besides criterion's mean, a pass of 2,000 keys prints the p50,
//! p99 and worst (`cargo bench --bench render -- gallery`).
//!
//! Issue 24: key → frame while details and freight estimates arrive, with
//! 10,000 offers sorted by landed cost at 500 pieces (the next tick lays
//! the rows out again): the p50, p99 and worst of a frame after a key,
//! after an arrival and after a tick (`cargo bench --bench render -- landed`).
//!
//! Issue 25: key → frame with the supplier column on, without and with a
//! supplier filter, and what applying it and `S` cost
//! (`cargo bench --bench render -- suppliers`).
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
        seller: seller(i),
    }
}

/// Offer `i`'s seller: one of 300, a factory or a trader of 0–14 years
/// with a trade score; every seventh offer's seller unknown.
fn seller(i: u64) -> Option<tusou::api::seller::Seller> {
    use tusou::api::seller::{Identity, Rate, Score, Seller};
    if i % 7 == 6 {
        return None;
    }
    let n = i % 300;
    Some(Seller {
        company: Some(format!("义乌市第{n}号商行")),
        identities: vec![if n.is_multiple_of(3) {
            Identity::SuperFactory
        } else {
            Identity::TpMember
        }],
        tp_years: Some((n % 15) as u32),
        trade_score: Score::from_hundredths(300 + (n % 200) as u16),
        pickup_24h_30d: Rate::from_basis_points(8_000 + (n % 2_000) as u16),
        ..Seller::default()
    })
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

/// A detail with a weight, a box and two SKUs, as DajiSaaS sends it.
fn landed_detail(i: u64) -> Box<tusou::api::OfferDetail> {
    let fen = 1600 + 37 * (i % 1000);
    let yuan = |f: u64| format!("{}.{:02}", f / 100, f % 100);
    let detail = tusou::api::OfferDetail::from_value(serde_json::json!({
        "offerId": 7_000_000_000u64 + i,
        "minOrderQuantity": 10 + i % 700,
        "productSaleInfo": {"quoteType": 1,
            "priceRangeList": [{"startQuantity": 10, "price": yuan(fen)}]},
        "productSkuInfos": [
            {"skuId": 1000 + i, "price": yuan(fen), "amountOnSale": 500,
             "skuAttributes": [{"attributeName": "颜色", "value": "红色"}]},
            {"skuId": 2000 + i, "price": yuan(fen + 90), "amountOnSale": 500,
             "skuAttributes": [{"attributeName": "颜色", "value": "黑色"}]}
        ],
        "productShippingInfo": {"weight": (50 + i % 900) as f64 / 1000.0,
            "length": 20, "width": 10, "height": 1 + i % 20}
    }));
    Box::new(detail.unwrap_or_default())
}

fn landed(c: &mut Criterion) {
    use tusou::app::state::{FilterField, LANDED_COST_SORT, LandedState};
    let mut state = state_with(10_000);
    state.landed = LandedState::new(tusou::landed::Settings::default().with_demo_examples());
    state.filters.lanes = vec!["air".into(), "sea".into()];
    state.filters.fields[FilterField::Quantity.index()] = tui_input::Input::new("500".into());
    state.filters.fields[FilterField::Lane.index()] = tui_input::Input::new("air".into());
    state.filters.sort = LANDED_COST_SORT;
    black_box(update(
        &mut state,
        Msg::Action(tusou::app::Action::ApplyFilters),
    ));
    update(&mut state, Msg::Action(tusou::app::Action::ToggleCost));
    let backend = ratatui::backend::TestBackend::new(WIDTH, HEIGHT);
    let mut terminal = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
    let mut frame = |state: &State| {
        terminal
            .draw(|f| tusou::ui::draw(f, black_box(state)))
            .map(|_| ())
            .unwrap_or_else(|e| match e {})
    };
    let timed = |f: &mut dyn FnMut()| {
        let at = std::time::Instant::now();
        f();
        at.elapsed().as_secs_f64() * 1e3
    };
    // 4,000 offers (the most details kept in memory) get a detail and an
    // estimate, a key between arrivals, as a user scrolls while they come.
    let (mut keys, mut arrivals, mut ticks) = (Vec::new(), Vec::new(), Vec::new());
    let mut flip = false;
    for i in 0..4_000u64 {
        // The loop's 100 ms tick lays the rows out once for the costs that
        // came since: at 2 detail requests at a time of ~150 ms, about
        // every other arrival.
        if i % 2 == 0 {
            ticks.push(timed(&mut || {
                black_box(update(&mut state, Msg::Tick));
                frame(&state);
            }));
        }
        let offer = 7_000_000_000u64 + i * 2;
        let fx = update(
            &mut state,
            Msg::Detail {
                offer_id: offer.to_string(),
                result: Ok((landed_detail(i * 2), 0)),
            },
        );
        frame(&state);
        for e in fx {
            if let tusou::app::msg::Effect::FetchFreight(query) = e {
                let quote = tusou::api::FreightQuote {
                    outcome: Some(tusou::api::FreightOutcome::Priced {
                        total: Price(800 + i % 3000),
                        for_pieces: 500,
                    }),
                    ..Default::default()
                };
                arrivals.push(timed(&mut || {
                    update(
                        &mut state,
                        Msg::Freight {
                            query: query.clone(),
                            result: Ok(Box::new(quote.clone())),
                        },
                    );
                    frame(&state);
                }));
            }
        }
        flip = !flip;
        let action = if flip {
            tusou::app::Action::MoveDown
        } else {
            tusou::app::Action::MoveUp
        };
        keys.push(timed(&mut || {
            black_box(update(&mut state, Msg::Action(action)));
            frame(&state);
        }));
    }
    let report = |name: &str, mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
        eprintln!(
            "landed, 200×60, 10,000 offers sorted by landed cost, {name}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {}",
            at(0.5),
            at(0.99),
            t[t.len() - 1],
            t.len()
        );
    };
    assert!(
        arrivals.len() >= 3_900,
        "{} estimates asked",
        arrivals.len()
    );
    report("key → frame while estimates arrive", keys);
    report("estimate arrives → frame", arrivals);
    report("tick laying out 10,000 rows → frame", ticks);
    c.bench_function("landed_key_to_frame_200x60_10000", |b| {
        b.iter(|| {
            flip = !flip;
            let action = if flip {
                tusou::app::Action::MoveDown
            } else {
                tusou::app::Action::MoveUp
            };
            black_box(update(&mut state, Msg::Action(action)));
            frame(&state);
        })
    });
}

/// Issue 25: key → frame at 200×60 with 10,000 offers, the supplier column
/// on, with no supplier filter and with "factory only, ≥ 3 years"; and
/// what applying the filter and `S` (one seller's offers) cost, each a
/// relayout of the 10,000 offers and a frame.
fn suppliers(c: &mut Criterion) {
    use tusou::app::Action;
    use tusou::app::state::FilterField;
    let mut state = state_with(10_000);
    let backend = ratatui::backend::TestBackend::new(WIDTH, HEIGHT);
    let mut terminal = ratatui::Terminal::new(backend).unwrap_or_else(|e| match e {});
    let mut frame = |state: &State| {
        terminal
            .draw(|f| tusou::ui::draw(f, black_box(state)))
            .map(|_| ())
            .unwrap_or_else(|e| match e {})
    };
    let keys = |state: &mut State, frame: &mut dyn FnMut(&State), n: usize| {
        let mut t = Vec::with_capacity(n);
        for k in 0..n {
            let action = if k % 2 == 0 {
                Action::MoveDown
            } else {
                Action::MoveUp
            };
            let at = std::time::Instant::now();
            black_box(update(state, Msg::Action(action)));
            frame(state);
            t.push(at.elapsed().as_secs_f64() * 1e3);
        }
        t
    };
    let report = |name: &str, mut t: Vec<f64>| {
        t.sort_by(f64::total_cmp);
        let at = |q: f64| t[((t.len() - 1) as f64 * q).round() as usize];
        eprintln!(
            "suppliers, 200×60, 10,000 offers, supplier column on, {name}: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms over {}",
            at(0.5),
            at(0.99),
            t[t.len() - 1],
            t.len()
        );
    };
    update(&mut state, Msg::Action(Action::FocusResults));
    report(
        "key → frame, no filter",
        keys(&mut state, &mut frame, 2_000),
    );
    let mut applies = Vec::new();
    let mut sellers = Vec::new();
    for round in 0..50 {
        state.filters.factory_only = true;
        state.filters.fields[FilterField::MinYears.index()] =
            tui_input::Input::new(if round % 2 == 0 { "3" } else { "4" }.into());
        let at = std::time::Instant::now();
        black_box(update(&mut state, Msg::Action(Action::ApplyFilters)));
        frame(&state);
        applies.push(at.elapsed().as_secs_f64() * 1e3);
        let at = std::time::Instant::now();
        black_box(update(&mut state, Msg::Action(Action::SellerOffers)));
        frame(&state);
        sellers.push(at.elapsed().as_secs_f64() * 1e3);
        black_box(update(&mut state, Msg::Action(Action::SellerOffers)));
    }
    assert!(state.suppliers.filter.is_on());
    assert!(state.results.rows.len() < 10_000, "the filter hides some");
    report(
        "key → frame, factory only and ≥ 3 years",
        keys(&mut state, &mut frame, 2_000),
    );
    report("applying the supplier filter → frame", applies);
    report("S (one seller's offers) → frame", sellers);
    c.bench_function("suppliers_key_to_frame_200x60_10000", |b| {
        let mut flip = false;
        b.iter(|| {
            flip = !flip;
            let action = if flip {
                Action::MoveDown
            } else {
                Action::MoveUp
            };
            black_box(update(&mut state, Msg::Action(action)));
            frame(&state);
        })
    });
}

criterion_group!(benches, frames, gallery, landed, suppliers);
criterion_main!(benches);
