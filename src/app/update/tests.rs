use super::*;
use crate::api::ErrorKind;
use crate::api::{FilterFlag, Offer, Price, ResolvedImage, ResultPage, SearchParams};
use crate::app::layout::results_rows;
use crate::app::msg::{Effect, Failure, FailureKind, Msg};
use crate::app::state::{
    Entry, FilterField, FilterRow, FiltersState, Phase, SORTS, State, Thumb, ThumbKey, ThumbSource,
};
use crate::image::protocol::GraphicsProtocol;
use crate::keymap::Keymap;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_input::InputRequest;

const URL: &str = "https://example.com/shoe.jpg";

pub(crate) fn offer(i: u64) -> Offer {
    Offer {
        offer_id: Some(format!("{}", 600_000 + i)),
        offer_map_id: Some(format!("map{i}")),
        title: format!("商品{i}"),
        title_en: Some(format!("Item {i}")),
        price: Some(Price(100 * i + 50)),
        month_sold: Some(i * 7),
        repurchase_rate: Some(12.0),
        image_url: Some(format!("http://img/{i}.jpg")),
        ..Offer::default()
    }
}

fn page(n: u32, size: u32, total_pages: u32) -> ResultPage {
    let start = u64::from((n - 1) * size);
    ResultPage {
        offers: (start..start + u64::from(size)).map(offer).collect(),
        total_records: u64::from(total_pages * size),
        total_pages,
        page_size: size,
        current_page: n,
        notices: Vec::new(),
        subjects: None,
    }
}

fn state() -> State {
    let mut s = State::new(
        Keymap::defaults(),
        SearchParams {
            page_size: Some(20),
            ..SearchParams::default()
        },
    );
    s.width = 80;
    s.height = 24;
    s
}

fn fetches(fx: &[Effect]) -> Vec<u32> {
    fx.iter()
        .filter_map(|e| match e {
            Effect::FetchPage { page, .. } => Some(*page),
            _ => None,
        })
        .collect()
}

/// A search by URL, resolved; returns the effects of the resolution.
fn searching(s: &mut State) -> Vec<Effect> {
    let fx = init(s, Start::Url(URL.into()), PathBuf::from("/tmp"));
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::StartSearch { generation: 1, .. }))
    );
    update(
        s,
        Msg::Resolved {
            generation: 1,
            result: Ok(ResolvedImage::by_address(URL)),
        },
    )
}

fn arrive(s: &mut State, n: u32, total_pages: u32) -> Vec<Effect> {
    let generation = s.results.generation;
    update(
        s,
        Msg::Page {
            generation,
            page: n,
            result: Ok(page(n, 20, total_pages)),
            stored: None,
        },
    )
}

/// The store answers that search `generation` was recorded.
fn recorded(s: &mut State, generation: u64) -> Vec<Effect> {
    update(
        s,
        Msg::Recorded {
            generation,
            result: Ok(crate::app::msg::Recorded {
                id: crate::store::SearchId(generation as i64),
                seen: crate::store::SourceHistory {
                    times: 1,
                    since: None,
                },
            }),
        },
    )
}

fn act(s: &mut State, a: Action) -> Vec<Effect> {
    update(s, Msg::Action(a))
}

#[test]
fn resolving_fetches_page_one_then_prefetches_page_two() {
    let mut s = state();
    let fx = searching(&mut s);
    assert_eq!(fetches(&fx), vec![1]);
    assert_eq!(s.results.inflight, Some(1));
    // Page 1 arrives: the cursor's screen (12 rows) plus one page is more
    // than 20 rows, so page 2 is already on its way.
    let fx = arrive(&mut s, 1, 10);
    assert_eq!(s.results.offers.len(), 20);
    assert_eq!(fetches(&fx), vec![2]);
    // Page 2 covers the screen plus a page: nothing more for now.
    let fx = arrive(&mut s, 2, 10);
    assert_eq!(s.results.offers.len(), 40);
    assert!(fetches(&fx).is_empty());
    assert_eq!(s.results.phase, Phase::Ready);
}

#[test]
fn navigation_stays_in_bounds_and_pages_by_screen() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 2);
    arrive(&mut s, 2, 2);
    assert!(s.results.end);
    act(&mut s, Action::MoveUp);
    assert_eq!(s.results.cursor, 0);
    act(&mut s, Action::MoveDown);
    assert_eq!(s.results.cursor, 1);
    let rows = results_rows(&s);
    assert_eq!(rows, 11, "13 inner rows less the column header");
    act(&mut s, Action::PageDown);
    assert_eq!(s.results.cursor, 1 + rows);
    assert!(s.results.offset <= s.results.cursor);
    assert!(s.results.cursor < s.results.offset + rows);
    act(&mut s, Action::PageUp);
    assert_eq!(s.results.cursor, 1);
    act(&mut s, Action::Bottom);
    assert_eq!(s.results.cursor, 39);
    // The end marker under the last row is scrolled into view too.
    assert_eq!(s.results.offset, 41 - rows);
    act(&mut s, Action::MoveDown);
    assert_eq!(s.results.cursor, 39);
    act(&mut s, Action::Top);
    assert_eq!((s.results.cursor, s.results.offset), (0, 0));
}

#[test]
fn cursor_within_a_screen_of_the_end_fetches_next_page_once() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    arrive(&mut s, 2, 10);
    // Walk down one row at a time; page 3 is asked for exactly once, well
    // before the cursor reaches the last loaded row.
    let mut asked = Vec::new();
    for _ in 0..30 {
        let fx = act(&mut s, Action::MoveDown);
        asked.extend(fetches(&fx));
    }
    assert_eq!(asked, vec![3]);
    assert_eq!(s.results.inflight, Some(3));
    assert!(s.results.cursor < 40);
    // A second reply for the same page (duplicate) is ignored.
    arrive(&mut s, 3, 10);
    let before = s.results.offers.len();
    assert_eq!(before, 60);
    arrive(&mut s, 3, 10);
    assert_eq!(s.results.offers.len(), 60);
}

#[test]
fn grouping_never_pulls_every_page() {
    let mut s = state();
    s.grouping = true;
    searching(&mut s);
    // Every offer shows one picture: the rows fold into a single group,
    // which never fills the screen.
    let mut fetched = 1;
    for n in 1..=35 {
        let generation = s.results.generation;
        let mut p = page(n, 20, 35);
        for o in &mut p.offers {
            o.image_url = Some("http://img/same.jpg".into());
        }
        let fx = update(
            &mut s,
            Msg::Page {
                generation,
                page: n,
                result: Ok(p),
                stored: None,
            },
        );
        if fetches(&fx).is_empty() {
            break;
        }
        fetched += 1;
    }
    assert_eq!(s.results.rows.len(), 1);
    assert!(fetched <= 3, "{fetched} pages loaded by themselves");
    // Moving to the end of the list asks for a few more, never all.
    s.focus = Pane::Results;
    assert_eq!(fetches(&act(&mut s, Action::Bottom)), [fetched + 1]);
}

#[test]
fn never_fetches_past_the_last_page() {
    let mut s = state();
    searching(&mut s);
    let fx = arrive(&mut s, 1, 1);
    assert!(fetches(&fx).is_empty());
    assert!(s.results.end);
    let fx = act(&mut s, Action::Bottom);
    assert!(fetches(&fx).is_empty());
    let fx = act(&mut s, Action::PageDown);
    assert!(fetches(&fx).is_empty());
}

#[test]
fn stale_replies_are_dropped() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    assert_eq!(s.results.inflight, Some(2));
    // New parameters: a new generation.
    s.focus = Pane::Filters;
    s.filters.cursor = 0;
    update(&mut s, Msg::Input(InputRequest::InsertChar('5')));
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(fx.contains(&Effect::CancelSearch));
    // Same picture, new filters: recorded as a search, then page 1.
    assert!(fetches(&fx).is_empty());
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::RecordSearch { generation: 2, .. }))
    );
    let fx = recorded(&mut s, 2);
    assert_eq!(fetches(&fx), vec![1]);
    assert_eq!(s.results.generation, 2);
    // The rows stay on screen (stale) until the new first page arrives,
    // and the keyboard leaves the field.
    assert_eq!(s.results.offers.len(), 20);
    assert!(s.results.stale);
    assert_eq!(s.focus, Pane::Results);
    // The old search's page 2 comes in late: ignored.
    let fx = update(
        &mut s,
        Msg::Page {
            generation: 1,
            page: 2,
            result: Ok(page(2, 20, 10)),
            stored: None,
        },
    );
    assert!(fx.is_empty());
    assert_eq!(s.results.offers.len(), 20);
    assert!(s.results.stale);
    // So is an old resolution.
    update(
        &mut s,
        Msg::Resolved {
            generation: 1,
            result: Err(Failure::new(FailureKind::Api(ErrorKind::Network), "late")),
        },
    );
    assert_eq!(s.results.phase, Phase::Loading);
    // The current one lands and replaces them.
    arrive(&mut s, 1, 10);
    assert_eq!(s.results.offers.len(), 20);
    assert!(!s.results.stale);
    assert_eq!(s.results.params.price_start, Some(Price(500)));
}

#[test]
fn error_keeps_rows_and_retry_refetches_the_failed_page() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    let fx = update(
        &mut s,
        Msg::Page {
            generation: 1,
            page: 2,
            result: Err(Failure::new(
                FailureKind::Api(ErrorKind::Server),
                "server error (HTTP 503)",
            )),
            stored: None,
        },
    );
    assert!(fx.is_empty());
    assert_eq!(s.results.offers.len(), 20, "loaded rows stay");
    assert_eq!(s.results.phase, Phase::Failed);
    let msg = s.message.clone().expect("a message");
    assert!(msg.error);
    assert!(msg.text.contains("HTTP 503"), "{}", msg.text);
    assert!(msg.text.contains("press r to retry"), "{}", msg.text);
    // No automatic fetch while failed.
    assert!(fetches(&act(&mut s, Action::Bottom)).is_empty());
    s.focus = Pane::Results;
    let fx = act(&mut s, Action::Retry);
    assert_eq!(fetches(&fx), vec![2]);
    assert_eq!(s.results.phase, Phase::Loading);
    arrive(&mut s, 2, 10);
    assert_eq!(s.results.offers.len(), 40);
}

#[test]
fn failed_resolution_retries_the_whole_search() {
    let mut s = state();
    init(&mut s, Start::Url(URL.into()), PathBuf::from("/tmp"));
    update(
        &mut s,
        Msg::Resolved {
            generation: 1,
            result: Err(Failure::new(
                FailureKind::Api(ErrorKind::Network),
                "upload failed",
            )),
        },
    );
    assert_eq!(s.results.phase, Phase::Failed);
    let fx = act(&mut s, Action::Retry);
    assert!(matches!(
        fx.as_slice(),
        [Effect::StartSearch { generation: 2, .. }, ..]
    ));
}

fn type_into(s: &mut State, row: usize, text: &str) {
    s.focus = Pane::Filters;
    s.filters.cursor = row;
    update(s, Msg::Input(InputRequest::DeleteLine));
    for c in text.chars() {
        update(s, Msg::Input(InputRequest::InsertChar(c)));
    }
}

/// A failed page reply of `kind` for search `generation`.
fn fail_page(s: &mut State, generation: u64, page: u32, kind: ErrorKind, message: &str) {
    update(
        s,
        Msg::Page {
            generation,
            page,
            result: Err(Failure::new(FailureKind::Api(kind), message)),
            stored: None,
        },
    );
}

/// The status line's text.
/// The store's answer on a full disk (SQLITE_FULL: "database or disk is full").
pub(super) fn disk_full() -> crate::app::msg::HistoryError {
    crate::store::StoreError::Sqlite(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
        Some("database or disk is full".into()),
    ))
    .into()
}

fn status(s: &State) -> String {
    s.message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

#[test]
fn a_failed_re_search_keeps_the_rows_and_says_what_to_do_by_kind() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    // Apply new filters; the provider then refuses the credentials.
    s.focus = Pane::Filters;
    act(&mut s, Action::ApplyFilters);
    recorded(&mut s, 2);
    fail_page(
        &mut s,
        2,
        1,
        ErrorKind::Auth,
        "authentication failed: 签名校验失败",
    );
    assert_eq!(s.results.offers.len(), 20, "the old rows are kept");
    assert!(s.results.stale);
    let text = status(&s);
    assert!(text.contains("tusou doctor"), "{text}");
    assert!(!text.contains("to retry"), "no retry hint for auth: {text}");
    // A refusal naming a parameter points at its field.
    s.results.inflight = Some(1);
    fail_page(
        &mut s,
        2,
        1,
        ErrorKind::InvalidRequest,
        "request rejected (code 400): pageSize out of range",
    );
    let text = status(&s);
    assert!(text.contains("fix page size in Filters"), "{text}");
    assert!(s.filters.errors[FilterField::PageSize.index()].is_some());
    // A transient one offers the retry, and a successful retry clears it.
    s.results.inflight = Some(1);
    fail_page(&mut s, 2, 1, ErrorKind::Server, "HTTP 503");
    let text = status(&s);
    assert!(text.contains("press r to retry"), "{text}");
    act(&mut s, Action::Retry);
    let text = status(&s);
    assert_eq!(text, "Retrying page 1…");
    arrive(&mut s, 1, 10);
    let text = status(&s);
    assert!(!text.contains("Retrying"), "{text}");
    assert!(!s.results.stale);
}

#[test]
fn a_successful_retry_of_a_later_page_clears_retrying() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    update(
        &mut s,
        Msg::Page {
            generation: 1,
            page: 2,
            result: Err(Failure::new(
                FailureKind::Api(ErrorKind::Decode),
                "cut short",
            )),
            stored: None,
        },
    );
    s.focus = Pane::Results;
    act(&mut s, Action::Retry);
    assert_eq!(
        s.message.as_ref().map(|m| m.text.as_str()),
        Some("Retrying page 2…")
    );
    arrive(&mut s, 2, 10);
    assert_eq!(
        s.message.as_ref().map(|m| m.text.as_str()),
        Some("Page 2 loaded")
    );
}

#[test]
fn what_the_client_did_on_the_way_reaches_the_status_bar() {
    let mut s = state();
    s.results.generation = 1;
    s.results.phase = Phase::Preparing;
    let mut resolved = ResolvedImage::by_address(URL);
    resolved.route = crate::api::Route::Downloaded {
        host: "shop.example".into(),
        bytes: 1_200_000,
    };
    resolved.notes = vec!["uploaded a smaller copy".into()];
    update(
        &mut s,
        Msg::Resolved {
            generation: 1,
            result: Ok(resolved),
        },
    );
    arrive(&mut s, 1, 10);
    let status = s
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default();
    assert!(status.contains("offers found"), "{status}");
    assert!(
        status.contains("downloaded from shop.example (1.2 MB)"),
        "{status}"
    );
    assert!(status.contains("uploaded a smaller copy"), "{status}");
}

/// The filters-pane row of a flag (group headings sit between flags).
fn flag_row(flag: &FilterFlag) -> usize {
    let k = FilterFlag::KNOWN
        .iter()
        .position(|f| f == flag)
        .expect("known");
    (0..FiltersState::rows())
        .find(|&i| FiltersState::row(i) == FilterRow::Flag(k))
        .expect("listed")
}

#[test]
fn group_headings_are_passed_over_by_the_cursor() {
    let mut s = state();
    s.focus = Pane::Filters;
    s.filters.cursor = 7; // words, just above the supplier heading
    act(&mut s, Action::MoveDown);
    assert_eq!(FiltersState::row(s.filters.cursor), FilterRow::FactoryOnly);
    act(&mut s, Action::MoveUp);
    assert_eq!(s.filters.cursor, 7);
    s.filters.cursor = 13; // unknowns, just above the first flag heading
    act(&mut s, Action::MoveDown);
    assert_eq!(FiltersState::row(s.filters.cursor), FilterRow::Flag(0));
    act(&mut s, Action::MoveUp);
    assert_eq!(s.filters.cursor, 13);
    // Every documented flag is listed once, under its group.
    let flags: Vec<usize> = (0..FiltersState::rows())
        .filter_map(|i| match FiltersState::row(i) {
            FilterRow::Flag(k) => Some(k),
            _ => None,
        })
        .collect();
    assert_eq!(flags, (0..FilterFlag::KNOWN.len()).collect::<Vec<_>>());
    let headings = (0..FiltersState::rows())
        .filter(|&i| matches!(FiltersState::row(i), FilterRow::Group(_)))
        .count();
    assert_eq!(headings, 4);
}

#[test]
fn filter_validation() {
    let mut s = state();
    type_into(&mut s, 0, "abc");
    assert_eq!(s.filters.errors[0].as_deref(), Some("not a number"));
    assert!(s.message.as_ref().is_some_and(|m| m.error));
    type_into(&mut s, 0, "10");
    assert_eq!(s.filters.errors[0], None);
    type_into(&mut s, 1, "5");
    assert_eq!(
        s.filters.errors[1].as_deref(),
        Some("below min price 10.00")
    );
    type_into(&mut s, 1, "25.5");
    assert_eq!(s.filters.errors[1], None);
    type_into(&mut s, 4, "0");
    assert!(s.filters.errors[3].is_some());
    type_into(&mut s, 4, "51");
    assert!(s.filters.errors[3].is_some());
    type_into(&mut s, 4, "x");
    assert!(s.filters.errors[3].is_some());
    type_into(&mut s, 3, "12a");
    assert!(s.filters.errors[2].is_some());

    // Invalid: nothing applied, nothing lost.
    let before = s.params.clone();
    let fx = act(&mut s, Action::ApplyFilters);
    assert!(fx.is_empty());
    assert_eq!(s.params, before);
    assert!(
        s.message
            .as_ref()
            .is_some_and(|m| m.error && m.text.starts_with("Filters not applied"))
    );
    assert_eq!(s.filters.fields[0].value(), "10");

    type_into(&mut s, 4, "50");
    type_into(&mut s, 3, "");
    s.filters.cursor = 2;
    act(&mut s, Action::ToggleFlag); // on the sort row: cycles the sort
    s.filters.cursor = flag_row(&FilterFlag::CertifiedFactory);
    act(&mut s, Action::ToggleFlag);
    act(&mut s, Action::ApplyFilters);
    assert_eq!(s.params.price_start, Some(Price(1000)));
    assert_eq!(s.params.price_end, Some(Price(2550)));
    assert_eq!(s.params.page_size, Some(50));
    assert_eq!(s.params.sort, SORTS[1]);
    assert_eq!(s.params.filters, vec![FilterFlag::CertifiedFactory]);
}

#[test]
fn text_keys_go_to_the_input_and_others_to_the_keymap() {
    let mut s = state();
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    // Picker, no input: "q" quits.
    assert!(matches!(
        crate::app::key_to_msgs(&s, &key('q')).as_slice(),
        [Msg::Action(Action::Quit)]
    ));
    // Filters on a price field: "q" is text, enter applies.
    s.focus = Pane::Filters;
    assert!(matches!(
        crate::app::key_to_msgs(&s, &key('q')).as_slice(),
        [Msg::Input(InputRequest::InsertChar('q'))]
    ));
    let enter = KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE);
    assert!(matches!(
        crate::app::key_to_msgs(&s, &enter).as_slice(),
        [Msg::Action(Action::ApplyFilters)]
    ));
    // On a flag row, space is the keymap's toggle_flag.
    s.filters.cursor = 8;
    assert!(matches!(
        crate::app::key_to_msgs(&s, &key(' ')).as_slice(),
        [Msg::Action(Action::ToggleFlag)]
    ));
}

pub(super) fn entry(name: &str, is_dir: bool, is_image: bool) -> Entry {
    Entry::new(
        name.into(),
        PathBuf::from("/d").join(name),
        is_dir,
        10,
        is_image,
        None,
    )
}

/// Whether the picker's filter shows `name` for `pattern`.
fn fuzzy_matches(pattern: &str, name: &str) -> bool {
    crate::app::fuzzy::FuzzyFilter::new(pattern).is_none_or(|mut f| f.score(name).is_some())
}

#[test]
fn picker_lists_dirs_first_filters_fuzzily_and_opens() {
    let mut s = state();
    let fx = init(&mut s, Start::Dir("/d".into()), PathBuf::from("/"));
    // The remembered view and the offers kept apart are read from the
    // store at the start, too.
    assert_eq!(
        fx,
        vec![
            Effect::Store(crate::app::msg::StoreOp::LoadPreferences),
            Effect::Store(crate::app::msg::StoreOp::LoadKeptApart(String::new())),
            Effect::ListDir {
                generation: 1,
                dir: "/d".into()
            }
        ]
    );
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: vec![
                entry("zeta.png", false, true),
                entry(".hidden", false, false),
                entry("notes.txt", false, false),
            ],
            done: false,
            error: None,
        },
    );
    update(
        &mut s,
        Msg::Listing {
            generation: 1,
            entries: vec![entry("alpha", true, false)],
            done: true,
            error: None,
        },
    );
    // Stale listing batches are dropped.
    update(
        &mut s,
        Msg::Listing {
            generation: 0,
            entries: vec![entry("stale", true, false)],
            done: true,
            error: None,
        },
    );
    let names: Vec<&str> = s
        .picker
        .visible
        .iter()
        .map(|&i| s.picker.entries[i].name.as_str())
        .collect();
    assert_eq!(names, vec!["alpha", "notes.txt", "zeta.png"]);
    act(&mut s, Action::ToggleHidden);
    assert_eq!(s.picker.visible.len(), 4);
    act(&mut s, Action::ToggleHidden);

    act(&mut s, Action::FilterFiles);
    assert!(s.text_input_active());
    for c in "zpg".chars() {
        update(&mut s, Msg::Input(InputRequest::InsertChar(c)));
    }
    assert_eq!(s.picker.visible.len(), 1);
    // The highlighted picture previews.
    assert!(matches!(
        s.wanted_thumb.as_ref().map(|k| &k.source),
        Some(ThumbSource::File(p)) if p.ends_with("zeta.png")
    ));
    let fx = act(&mut s, Action::Open);
    assert!(matches!(
        fx.as_slice(),
        [Effect::StartSearch { source: SearchSource::File(p), .. }, ..] if p.ends_with("zeta.png")
    ));
    assert_eq!(s.focus, Pane::Results);
    assert!(fuzzy_matches("abc", "xAyBzC"));
    assert!(!fuzzy_matches("abc", "cba"));
}

#[test]
fn selected_offer_wants_its_thumbnail_once() {
    let mut s = state();
    searching(&mut s);
    let fx = arrive(&mut s, 1, 10);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::LoadThumb(k) if k.source == ThumbSource::Url("http://img/0.jpg".into())
    )));
    // The same picture is not asked for again on an unrelated message.
    let fx = update(&mut s, Msg::Tick);
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadThumb(_))));
    let fx = act(&mut s, Action::MoveDown);
    assert!(fx.iter().any(|e| matches!(
        e,
        Effect::LoadThumb(k) if k.source == ThumbSource::Url("http://img/1.jpg".into())
    )));
}

fn prefetched(fx: &[Effect]) -> Option<Vec<String>> {
    fx.iter().find_map(|e| match e {
        Effect::PrefetchThumbs(keys) => Some(
            keys.iter()
                .map(|k| match &k.source {
                    ThumbSource::Url(u) => u.clone(),
                    other => format!("{other:?}"),
                })
                .collect(),
        ),
        _ => None,
    })
}

#[test]
fn pictures_around_the_cursor_are_fetched_ahead_and_dropped_when_it_leaves() {
    let mut s = state();
    searching(&mut s);
    let fx = arrive(&mut s, 1, 10);
    let screen = results_rows(&s);
    assert!((2..19).contains(&screen), "{screen} rows on screen");
    // A screen below the cursor (row 0), nearest first; not row 0 itself.
    let want: Vec<String> = (1..=screen)
        .map(|i| format!("http://img/{i}.jpg"))
        .collect();
    assert_eq!(prefetched(&fx), Some(want));
    // Nothing new on an unrelated message.
    assert_eq!(prefetched(&update(&mut s, Msg::Tick)), None);
    // A picture fetched ahead is there when the cursor arrives: no load.
    let key = s.thumb_prefetch[0].clone();
    update(
        &mut s,
        Msg::Thumb {
            key: key.clone(),
            thumb: Thumb::Failed(crate::image::ImageError::Empty.into()),
        },
    );
    let fx = act(&mut s, Action::MoveDown);
    assert_eq!(s.wanted_thumb.as_ref(), Some(&key));
    assert!(!fx.iter().any(|e| matches!(e, Effect::LoadThumb(_))));
    // The window moved: one row above now, the cached one not asked again.
    let ahead = prefetched(&fx).expect("a new window");
    assert_eq!(ahead[0], "http://img/2.jpg");
    assert_eq!(ahead[1], "http://img/0.jpg");
    assert!(!ahead.contains(&"http://img/1.jpg".to_string()));
    // Another pane: everything ahead is cancelled.
    let fx = act(&mut s, Action::FocusHistory);
    assert_eq!(prefetched(&fx), Some(Vec::new()));
    assert!(s.thumb_prefetch.is_empty());
}

#[test]
fn a_picture_fetched_ahead_needs_no_frame_the_shown_one_does() {
    use super::thumbs::{changes_nothing_on_screen, wanted_shown};
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    let failed = || Thumb::Failed(crate::image::ImageError::Empty.into());
    let ahead = s.thumb_prefetch[0].clone();
    let wanted = s.wanted_thumb.clone().expect("the selected row's picture");
    assert_ne!(ahead, wanted);
    // A row's picture fetched ahead: nothing on screen changes.
    let msg = Msg::Thumb {
        key: ahead.clone(),
        thumb: failed(),
    };
    assert!(changes_nothing_on_screen(&s, &msg));
    update(&mut s, msg);
    assert!(s.thumbs.contains(&ahead));
    assert!(!wanted_shown(&s));
    // The detail pane's own picture: a frame.
    let msg = Msg::Thumb {
        key: wanted.clone(),
        thumb: failed(),
    };
    assert!(!changes_nothing_on_screen(&s, &msg));
    update(&mut s, msg);
    assert!(wanted_shown(&s));
    // Anything else is drawn as before.
    assert!(!changes_nothing_on_screen(&s, &Msg::Tick));
    assert!(!changes_nothing_on_screen(
        &s,
        &Msg::Action(Action::MoveDown)
    ));
}

#[test]
fn copy_and_open_link() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    let fx = act(&mut s, Action::CopyLink);
    assert_eq!(
        fx,
        vec![Effect::Copy(
            "https://detail.1688.com/offer/600000.html".into()
        )]
    );
    s.can_open = false;
    let fx = act(&mut s, Action::OpenLink);
    assert!(fx.is_empty());
    assert!(s.message.as_ref().is_some_and(|m| m.text.contains("copy")));
    s.can_open = true;
    assert!(matches!(
        act(&mut s, Action::OpenLink).as_slice(),
        [Effect::OpenLink(_)]
    ));
    assert!(
        matches!(act(&mut s, Action::Export).as_slice(), [Effect::Export { offers, .. }] if offers.len == 20)
    );
}

#[test]
fn tiny_and_odd_sizes_do_not_panic() {
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    for (w, h) in [
        (0, 0),
        (1, 1),
        (0, 5),
        (5, 0),
        (40, 12),
        (59, 15),
        (300, 100),
    ] {
        update(&mut s, Msg::Resize(w, h));
        for a in [
            Action::MoveDown,
            Action::PageDown,
            Action::Bottom,
            Action::NextPane,
        ] {
            act(&mut s, a);
        }
        let _ = crate::ui::render_to_string(&s, w.max(1), h.max(1));
    }
}

#[test]
fn mouse_click_selects_and_focuses_wheel_scrolls_the_pane_under_it() {
    use crate::app::msg::MouseMsg;
    let mut s = state();
    searching(&mut s);
    arrive(&mut s, 1, 10);
    s.focus = Pane::Picker;
    let areas = crate::app::layout::areas_of(&s);
    // Third row of the results list (under the border and the header).
    let (col, row) = (areas.results.x + 5, areas.results.y + 4);
    update(&mut s, Msg::Mouse(MouseMsg::Click { col, row }));
    assert_eq!(s.focus, Pane::Results);
    assert_eq!(s.results.cursor, 2);
    // Wheel over the filters pane moves its cursor, focus stays on results.
    let (col, row) = (areas.filters.x + 3, areas.filters.y + 2);
    update(&mut s, Msg::Mouse(MouseMsg::ScrollDown { col, row }));
    assert_eq!(s.focus, Pane::Results);
    assert_eq!(s.filters.cursor, 3);
    // Wheel over the results scrolls them.
    let (col, row) = (areas.results.x + 5, areas.results.y + 3);
    update(&mut s, Msg::Mouse(MouseMsg::ScrollDown { col, row }));
    assert_eq!(s.results.cursor, 5);
    // Clicks on borders or outside any pane do nothing.
    update(&mut s, Msg::Mouse(MouseMsg::Click { col: 0, row: 0 }));
    update(&mut s, Msg::Mouse(MouseMsg::Click { col: 500, row: 500 }));
    assert_eq!(s.results.cursor, 5);
}

#[test]
fn help_overlay_scrolls_and_closes() {
    let mut s = state();
    act(&mut s, Action::Help);
    assert_eq!(s.help, Some(0));
    act(&mut s, Action::MoveDown);
    act(&mut s, Action::MoveDown);
    assert_eq!(s.help, Some(2));
    act(&mut s, Action::Bottom);
    assert_eq!(s.help, Some(s.help_entries.len() - 1));
    // Other actions do nothing while help is open.
    act(&mut s, Action::NextPane);
    assert_eq!(s.focus, Pane::Picker);
    act(&mut s, Action::Cancel);
    assert_eq!(s.help, None);
}

#[test]
fn thumb_cache_is_bounded_by_bytes() {
    use crate::app::state::{Thumb, ThumbCache};
    let mut c = ThumbCache::new(1000);
    for i in 0..50 {
        let key = ThumbKey {
            source: ThumbSource::Url(format!("u{i}")),
            cols: 1,
            rows: 1,
            protocol: GraphicsProtocol::HalfBlocks,
        };
        c.insert(key, Thumb::Encoded { bytes: 100 });
    }
    assert!(c.bytes() <= 1000);
    assert!(c.len() < 50);
}

#[path = "memory_tests.rs"]
mod memory;

#[path = "crop_tests.rs"]
mod crop;
#[path = "detail_tests.rs"]
mod detail;
#[path = "gallery_tests.rs"]
mod gallery;
#[path = "landed_tests.rs"]
mod landed;
#[path = "picker_tests.rs"]
mod picker;
#[path = "same_tests.rs"]
mod same;
#[path = "suppliers_tests.rs"]
mod suppliers;
#[path = "watches_tests.rs"]
mod watches;
#[path = "window_tests.rs"]
mod window;
