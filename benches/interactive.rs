//! Figures 2, 3 and 6: the real (release) binary in a 200×60 pseudo-terminal
//! against its demo simulator, read back through a vt100 parser.
//! `cargo bench --bench interactive` (bench/run.sh turns the `RESULT` lines
//! into the table).
//!
//! * fig2: scroll down at 10 rows/s through 10 pages with 300 ms latency per
//!   request; total time a "loading page" row sits under the cursor.
//! * fig3: 10,000 offers loaded; key (j/k) → the highlighted row moved on
//!   screen, p50/p99 over 300 keys.
//! * fig6: launch → first frame (median of 15), and peak RSS (VmHWM) with
//!   10,000 offers loaded and the thumbnail cache full.
//! * pictures: down the results at reading pace (2 rows/s) with 300 ms per
//!   picture: time the detail pane waits for a row's picture after the
//!   first (the rows around the cursor are fetched ahead); and the bytes
//!   of a full picture and of alicdn's 300×300 copy, per row.
//! * history: with 100,000 offers stored (100 searches of 1,000), Enter on
//!   a History entry → the first frame showing that search's rows (p50/p99
//!   over 30 reopens, no request made), and the app's peak RSS after them.
//! * gallery_rss (issue 23; only by name, minutes long): 100,000 offers
//!   loaded, 300 screens paged back, kitty pictures: peak RSS in the list
//!   and in the gallery, side by side.
//!
//! Every observation is made by the reader thread right after it parses a
//! chunk of output, so times are those of the bytes' arrival, not of a poll.
//! Every wait has a deadline; the child is killed when the session drops.

#[path = "interactive/session.rs"]
mod session;

// Offer detail on cursor rest (its own file, to keep merges apart).
#[path = "interactive/detail.rs"]
mod detail;
// Landed cost on cursor rest: one detail and one estimate per offer.
#[path = "interactive/landed.rs"]
mod landed;

use session::*;
use std::time::{Duration, Instant};
/// A simulator in its own process whose searches answer `results` offers
/// (its catalog a tenth larger).
fn sim_answering(results: u64) -> ExternalSim {
    let catalog = (results + results / 10).to_string();
    ExternalSim::start_with(&[
        "--catalog-size",
        &catalog,
        "--max-results",
        &results.to_string(),
    ])
}

/// Figure 6a: spawn → the first frame (the picker's "Files" title).
fn launch_to_first_frame() {
    let mut times = Vec::new();
    for _ in 0..15 {
        let session = spawn(&Options {
            latency_ms: 0,
            page_size: 20,
            graphics: "halfblocks",
            big: None,
            picture: false,
            external_sim: None,
            data_dir: None,
        });
        session.wait("the first frame", Duration::from_secs(10), |s| {
            s.first_frame_at.is_some()
        });
        let at = session.with(|s| s.first_frame_at).expect("first frame");
        times.push(ms(at - session.spawned_at));
    }
    times.sort_by(f64::total_cmp);
    eprintln!("fig6 launch → first frame (ms): {times:.1?}");
    result("fig6_start_ms", percentile(&times, 0.5));
}

/// Figure 2: 10 rows/s through 10 pages, 300 ms per request.
fn scroll_through_pages() {
    let page = 20u32;
    let mut session = spawn(&Options {
        latency_ms: 300,
        page_size: page,
        graphics: "halfblocks",
        big: None,
        picture: true,
        external_sim: None,
        data_dir: None,
    });
    let (sent, shown) = session.search();
    let steps = 10 * page as usize;
    let start = Instant::now();
    for i in 0..steps {
        let at = start + Duration::from_millis(100 * i as u64);
        if let Some(d) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
        session.send(b"j");
    }
    std::thread::sleep(Duration::from_millis(500));
    let end = Instant::now();
    let (log, final_obs, pages) = session.with(|s| {
        (
            s.log.clone(),
            s.obs,
            progress(&s.parser.screen().contents()),
        )
    });
    // Time with the loading row at the cursor, before and after the first rows.
    let (mut first, mut after, mut visible_after) =
        (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut spans = log.clone();
    spans.push((end, final_obs));
    for w in spans.windows(2) {
        let (t0, obs) = w[0];
        let t1 = w[1].0.min(end);
        if t1 <= t0 {
            continue;
        }
        let (a, b) = (t0.max(sent), t1);
        if b <= a {
            continue;
        }
        let split = shown.clamp(a, b);
        if obs.loading_at_cursor {
            first += split - a;
            after += b - split;
        }
        if obs.loading {
            visible_after += b - split;
        }
    }
    let (loaded, pages_loaded) = pages.unwrap_or((0, 0));
    eprintln!(
        "fig2: {steps} steps at 10 rows/s; {loaded} offers in {pages_loaded} pages loaded; \
         first page after {:.0} ms; loading row at the cursor {:.1} ms after the first page \
         (anywhere in the pane: {:.1} ms)",
        ms(shown - sent),
        ms(after),
        ms(visible_after)
    );
    assert!(pages_loaded >= 10, "scrolled through fewer than 10 pages");
    result("fig2_first_page_ms", ms(shown - sent));
    result("fig2_first_page_loading_ms", ms(first));
    result("fig2_loading_at_cursor_ms", ms(after));
    result("fig2_loading_visible_ms", ms(visible_after));
}

/// Issue 13 figure 3: 2 rows/s down 30 rows, 300 ms per picture (the demo
/// simulator's pictures take a third of its API latency: 900 ms).
fn pictures_at_reading_pace() {
    let mut session = spawn(&Options {
        latency_ms: 900,
        page_size: 20,
        graphics: "halfblocks",
        big: None,
        picture: true,
        external_sim: None,
        data_dir: None,
    });
    let (_, shown) = session.search();
    let first = session.wait("the first row's picture", Duration::from_secs(20), |s| {
        s.obs.highlight.is_some() && !s.obs.picture_wait && s.changed_at >= shown
    });
    // A person reads a row, then moves on.
    std::thread::sleep(Duration::from_millis(500));
    let rows = 30usize;
    let start = Instant::now();
    let mut sent = Vec::new();
    for i in 0..rows {
        let at = start + Duration::from_millis(500 * i as u64);
        if let Some(d) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(d);
        }
        sent.push(session.send(b"j"));
    }
    std::thread::sleep(Duration::from_millis(500));
    let end = Instant::now();
    let (mut log, last) = session.with(|s| (s.log.clone(), s.obs));
    log.push((end, last));
    // Per row: time the placeholder is up between its key and the next.
    let mut waits: Vec<f64> = sent
        .iter()
        .enumerate()
        .map(|(i, &from)| {
            let to = sent.get(i + 1).copied().unwrap_or(end);
            log.windows(2)
                .filter(|w| w[0].1.picture_wait)
                .map(|w| {
                    let (a, b) = (w[0].0.max(from), w[1].0.min(to));
                    b.saturating_duration_since(a)
                })
                .map(ms)
                .sum::<f64>()
                .max(0.0)
        })
        .collect();
    let total: f64 = waits.iter().sum();
    let waited = waits.iter().filter(|&&w| w > 0.0).count();
    waits.sort_by(f64::total_cmp);
    eprintln!(
        "pictures: first picture {:.0} ms after the first rows; then {rows} rows at 2 rows/s: \
         waited on {waited} rows, {total:.1} ms in all, worst {:.1} ms",
        ms(first - shown),
        waits.last().copied().unwrap_or(0.0)
    );
    result("pictures_first_ms", ms(first - shown));
    result("pictures_wait_after_first_ms", total);
    result("pictures_rows_waited", waited as f64);
    thumbnail_bytes_per_row();
}

/// Bytes of a row's picture as fetched before (the full picture) and now
/// (alicdn's `_300x300.jpg` copy), over 20 catalog pictures, from a
/// standalone simulator (which scales a size suffix as alicdn does).
fn thumbnail_bytes_per_row() {
    let sim = ExternalSim::start_with(&[]);
    let config = tusou_sim::SimConfig::default();
    let files: Vec<String> = tusou_sim::catalog_offer_ids(&config, 20)
        .iter()
        .filter_map(|id| tusou_sim::catalog_picture_file(&config, id))
        .collect();
    assert!(!files.is_empty(), "catalog pictures");
    let (mut full, mut small) = (0usize, 0usize);
    for file in &files {
        full += http_body_len(&sim.base_url, &format!("/img/ibank/{file}.jpg"));
        small += http_body_len(&sim.base_url, &format!("/img/ibank/{file}.jpg_300x300.jpg"));
    }
    let n = files.len() as f64;
    eprintln!(
        "pictures: {:.0} bytes per row before (full picture), {:.0} after (300×300 copy), {} pictures",
        full as f64 / n,
        small as f64 / n,
        files.len()
    );
    result("pictures_bytes_per_row_before", full as f64 / n);
    result("pictures_bytes_per_row_after", small as f64 / n);
}

/// The body length of `GET path` (HTTP/1.1, one connection, 10 s bound).
fn http_body_len(base_url: &str, path: &str) -> usize {
    use std::io::{Read, Write};
    let authority = base_url.trim_start_matches("http://").trim_end_matches('/');
    let mut stream = std::net::TcpStream::connect(authority).expect("connect to the simulator");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("timeout");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .expect("request");
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).expect("reply");
    let head_end = reply
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("headers");
    assert!(reply.starts_with(b"HTTP/1.1 200"), "GET {path}: not 200");
    reply.len() - head_end - 4
}

/// Issue 13 figure 4: peak RSS of a TUI session with 1,000 and with
/// 100,000 offers loaded (2,000 pages of 50; half-block pictures, the
/// simulator in its own process so the figure is the app's own memory).
/// `BENCH_FLAT_OFFERS=N` sets the big session's size.
fn flat_memory() {
    let big: u64 = std::env::var("BENCH_FLAT_OFFERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let sim = sim_answering(big);
    let mut rss = Vec::new();
    for n in [1_000u64, big] {
        let mut session = spawn(&Options {
            latency_ms: 0,
            page_size: 50,
            graphics: "halfblocks",
            big: None,
            picture: true,
            external_sim: Some(sim.base_url.clone()),
            data_dir: None,
        });
        session.search();
        session.send(b"3");
        let t = Instant::now();
        session.load(n);
        let kib = session.vm_hwm_kib().expect("VmHWM");
        eprintln!(
            "flat memory: {n} offers loaded in {:.1} s, peak RSS {:.1} MiB",
            t.elapsed().as_secs_f64(),
            kib as f64 / 1024.0
        );
        rss.push(kib as f64 / 1024.0);
    }
    result("flat_rss_offers_big", big as f64);
    result("flat_rss_1k_mib", rss[0]);
    result("flat_rss_big_mib", rss[1]);
}

/// Issue 23: peak RSS of a 100,000-offer session scrolled back through
/// screen by screen, in the list and in the gallery, kitty pictures in both
/// (the gallery keeps an encoded picture for every cell on screen and the
/// screens fetched ahead; the list, the Detail picture and its prefetch
/// window). One simulator in its own process for both sessions, so each
/// VmHWM is the app's alone. Not in the default run (it takes minutes):
/// `cargo bench --bench interactive -- gallery_rss`.
/// `BENCH_GALLERY_OFFERS=N` (default 100,000) offers are loaded with `G`,
/// then `BENCH_GALLERY_SCREENS=N` (default 300) screens are paged back
/// (ctrl-u, `page_up`), each until the output has been quiet for 50 ms
/// with no picture still loading on screen, at most 1 s
/// (`BENCH_GALLERY_DEBUG=1` prints the screen of the first two cut short).
fn gallery_memory() {
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let big = env("BENCH_GALLERY_OFFERS", 100_000);
    let screens = env("BENCH_GALLERY_SCREENS", 300);
    let sim = sim_answering(big);
    let mut rss = Vec::new();
    for gallery in [false, true] {
        let view = if gallery { "gallery" } else { "list" };
        let mut session = spawn(&Options {
            latency_ms: 0,
            page_size: 50,
            graphics: "kitty",
            big: None,
            picture: true,
            external_sim: Some(sim.base_url.clone()),
            data_dir: None,
        });
        session.search();
        session.send(b"3");
        if gallery {
            session.send(b"v");
            session.wait("the gallery", Duration::from_secs(10), |s| {
                in_gallery(s.parser.screen())
            });
        }
        let t = Instant::now();
        session.load(big);
        let loaded = t.elapsed();
        settle(&session, Instant::now());
        let after_load = session.vm_hwm_kib().expect("VmHWM");
        let t = Instant::now();
        let mut cut_short = 0;
        for _ in 0..screens {
            let sent = session.send(b"\x15"); // ctrl-u: page_up
            if !settle(&session, sent) {
                cut_short += 1;
                if std::env::var_os("BENCH_GALLERY_DEBUG").is_some() && cut_short <= 2 {
                    let (screen, since) =
                        session.with(|s| (s.parser.screen().contents(), s.chunk_at.elapsed()));
                    eprintln!("cut short ({view}), last output {since:?} ago:\n{screen}");
                }
            }
        }
        let scrolled = t.elapsed();
        let (still, cursor_at, cmds, out) = session.with(|s| {
            (
                in_gallery(s.parser.screen()),
                progress(&s.parser.screen().contents()),
                s.kitty_cmds.clone(),
                s.out_bytes,
            )
        });
        assert_eq!(still, gallery, "the {view} is still shown");
        let kib = session.vm_hwm_kib().expect("VmHWM");
        let sent = cmds.sent_shown + cmds.sent_ahead;
        eprintln!(
            "gallery_rss {view}: {big} offers loaded in {:.1} s (peak RSS then {:.1} MiB); \
             {screens} screens paged back in {:.1} s ({cut_short} cut short at 1 s); \
             kitty: {} pictures sent and shown, {} sent ahead, {} placed, {} deletes; \
             {:.1} MiB of output; title {cursor_at:?}; peak RSS {:.1} MiB",
            loaded.as_secs_f64(),
            after_load as f64 / 1024.0,
            scrolled.as_secs_f64(),
            cmds.sent_shown,
            cmds.sent_ahead,
            cmds.placed,
            cmds.deleted,
            out as f64 / 1048576.0,
            kib as f64 / 1024.0
        );
        result(
            &format!("gallery_rss_{view}_after_load_mib"),
            after_load as f64 / 1024.0,
        );
        result(&format!("gallery_rss_{view}_pictures_sent"), sent as f64);
        result(
            &format!("gallery_rss_{view}_pictures_placed"),
            cmds.placed as f64,
        );
        result(
            &format!("gallery_rss_{view}_screens_cut_short"),
            cut_short as f64,
        );
        result(&format!("gallery_rss_{view}_mib"), kib as f64 / 1024.0);
        rss.push(kib as f64 / 1024.0);
    }
    let ratio = rss[1] / rss[0];
    eprintln!(
        "gallery_rss: {big} offers, {screens} screens back: list {:.1} MiB, gallery {:.1} MiB, \
         gallery/list {ratio:.3} (goal ≤ 1.1: {})",
        rss[0],
        rss[1],
        if ratio <= 1.1 { "PASS" } else { "FAIL" }
    );
    result("gallery_rss_offers", big as f64);
    result("gallery_rss_screens", screens as f64);
    result("gallery_rss_ratio", ratio);
}

/// The results pane shows the gallery: its selected cell's "▶" price line.
fn in_gallery(screen: &vt100::Screen) -> bool {
    (RESULTS_TOP..RESULTS_BOTTOM)
        .any(|row| screen.contents_between(row, LEFT, row, COLS).contains('▶'))
}

/// After a key sent at `sent`: waits until the output has been quiet for
/// 50 ms with no picture still loading on screen (a gallery cell's dotted
/// placeholder, Detail's "picture…"), at most 1 s; false if cut short.
fn settle(session: &Session, sent: Instant) -> bool {
    let quiet = Duration::from_millis(50);
    let deadline = sent + Duration::from_secs(1);
    let (lock, cv) = &*session.shared;
    let mut s = lock.lock().expect("screen lock");
    loop {
        let now = Instant::now();
        if now >= deadline {
            return false;
        }
        // Something drawn since the key, then quiet, and no picture left.
        if s.chunk_at > sent && now.duration_since(s.chunk_at) >= quiet && !picture_loading(&s) {
            return true;
        }
        s = cv
            .wait_timeout(s, quiet.min(deadline - now))
            .expect("screen lock")
            .0;
    }
}

fn picture_loading(s: &Shared) -> bool {
    let screen = s.parser.screen();
    s.obs.picture_wait
        || (RESULTS_TOP..RESULTS_BOTTOM).any(|row| {
            screen
                .contents_between(row, LEFT, row, COLS)
                .contains("·······")
        })
}

/// A standalone `tusou sim` process with a 12,000-offer catalog, so a
/// measurement can see the app's own memory, as in a live session.
struct ExternalSim {
    child: std::process::Child,
    base_url: String,
}

impl ExternalSim {
    fn start() -> ExternalSim {
        ExternalSim::start_with(&["--catalog-size", "12000", "--max-results", "10000"])
    }

    /// `tusou sim --port 0` and `args`.
    fn start_with(args: &[&str]) -> ExternalSim {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tusou"))
            .args(["sim", "--port", "0"])
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start tusou sim");
        let stderr = child.stderr.take().expect("sim stderr");
        let mut lines = std::io::BufReader::new(stderr).lines();
        let base_url = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|l| l.split("listening on ").nth(1).map(str::to_string))
            .expect("the simulator's address");
        // Keep draining so the simulator never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        ExternalSim { child, base_url }
    }
}

impl Drop for ExternalSim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn big_session(graphics: &'static str, external_sim: Option<&ExternalSim>) -> Session {
    let mut session = spawn(&Options {
        latency_ms: 0,
        page_size: 50,
        graphics,
        big: Some((12_000, 10_000)),
        picture: true,
        external_sim: external_sim.map(|s| s.base_url.clone()),
        data_dir: None,
    });
    session.search();
    session.send(b"3"); // results focused (a search focuses them anyway)
    session.load(10_000);
    session
}

/// Figure 3 (and 6b with half-block pictures): key → frame with 10,000 offers.
fn key_to_frame() {
    let mut session = big_session("halfblocks", None);
    session.send(b"g");
    let top = session.wait("the top row", Duration::from_secs(10), |s| {
        s.obs.highlight == Some(FIRST_ROW)
    });
    let _ = top;
    std::thread::sleep(Duration::from_millis(300));
    let mut lat = Vec::new();
    for i in 0..300 {
        let (key, want) = if i % 2 == 0 {
            (b"j", FIRST_ROW + 1)
        } else {
            (b"k", FIRST_ROW)
        };
        let sent = session.send(key);
        let what = format!("the selection to move (key {i})");
        let at = session.wait(&what, Duration::from_secs(5), |s| {
            s.obs.highlight == Some(want) && s.changed_at >= sent
        });
        lat.push(ms(at - sent));
        // A person's key rate (~30 keys/s), with jitter from the index.
        std::thread::sleep(Duration::from_millis(25 + (i % 7) as u64 * 2));
    }
    lat.sort_by(f64::total_cmp);
    eprintln!(
        "fig3: {} keys; p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.9),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    result("fig3_p50_ms", percentile(&lat, 0.5));
    result("fig3_p99_ms", percentile(&lat, 0.99));
    if let Some(kib) = session.vm_hwm_kib() {
        result("fig6_rss_halfblocks_mib", kib as f64 / 1024.0);
    }
}

/// Figure 6b: peak RSS with 10,000 offers and a full 8 MiB picture cache.
/// Half-block pictures are ~1.7 KB here (24×12 cells), so filling the
/// cache with them would take ~4,800 offers' pictures; kitty pictures are
/// ~100 KB of escape bytes each, so ~100 offers fill the same byte budget.
fn peak_rss_full_cache(external: bool) {
    let sim = external.then(ExternalSim::start);
    let mut session = big_session("kitty", sim.as_ref());
    session.send(b"g");
    session.wait("the top row", Duration::from_secs(10), |s| {
        s.obs.highlight == Some(FIRST_ROW)
    });
    let target = tusou::app::state::THUMB_CACHE_BYTES;
    let deadline = Instant::now() + Duration::from_secs(90);
    // Wait for the first picture, then one new picture per row.
    let mut seen = session.with(|s| s.kitty_pictures);
    let mut moves = 0;
    while Instant::now() < deadline {
        let bytes = session.with(|s| s.kitty_bytes);
        if bytes >= target + target / 4 {
            break;
        }
        session.send(b"j");
        moves += 1;
        let (lock, cv) = &*session.shared;
        let until = Instant::now() + Duration::from_secs(5);
        let mut s = lock.lock().expect("screen lock");
        while s.kitty_pictures <= seen && Instant::now() < until {
            s = cv
                .wait_timeout(s, Duration::from_millis(50))
                .expect("screen lock")
                .0;
        }
        seen = s.kitty_pictures;
    }
    std::thread::sleep(Duration::from_millis(300));
    let (pictures, bytes) = session.with(|s| (s.kitty_pictures, s.kitty_bytes));
    eprintln!(
        "fig6: {moves} rows visited, {pictures} pictures drawn, {:.1} MiB of picture escapes \
         (cache bound {:.1} MiB)",
        bytes as f64 / 1048576.0,
        target as f64 / 1048576.0
    );
    let kib = session.vm_hwm_kib().expect("VmHWM");
    if external {
        result("fig6_cache_filled_mib", bytes as f64 / 1048576.0);
        result("fig6_rss_mib", kib as f64 / 1024.0);
    } else {
        result("fig6_rss_with_demo_sim_mib", kib as f64 / 1024.0);
    }
}

/// 100 stored searches of 1,000 offers each, as the demo app stores them
/// ("demo-dajisaas"); search `s`'s first offer is titled `S<s>-item-0000`
/// so a reopened search is recognised by its first row.
fn seeded_history(dir: &std::path::Path) {
    use tusou::api::{Offer, Price, SearchParams};
    use tusou::store::{NewSearch, Opened, Store};
    let Opened::On { store, .. } = Store::open(&dir.join("tusou.db"), None) else {
        panic!("the store opens");
    };
    let started = Instant::now();
    let params = SearchParams::default();
    for s in 0..100u64 {
        let md5 = format!("{s:032x}");
        let source = format!("photo-{s:03}.jpg");
        let id = store
            .record_search(&NewSearch {
                source_md5: &md5,
                thumbnail: Some(&[0u8; 2_000]),
                source: &source,
                provider: "demo-dajisaas",
                params: &params,
            })
            .expect("record a search");
        let offers: Vec<Offer> = (0..1_000u64)
            .map(|i| {
                let n = s * 1_000 + i;
                Offer {
                    offer_id: Some(format!("{}", 7_000_000_000u64 + n)),
                    offer_map_id: Some(format!("wmNAp5Cy{n:06}")),
                    title: "国潮男装t恤230g重磅短袖男女纯棉体恤宽松圆领团服打底衫衣服潮".into(),
                    title_en: Some(format!("S{s}-item-{i:04} T-shirt 230g heavy cotton")),
                    price: Some(Price(1600 + 37 * (n % 1000))),
                    month_sold: Some(97_822 / (n % 997 + 1)),
                    repurchase_rate: Some((n % 50) as f32),
                    badges: vec!["精选".into(), "factory".into()],
                    image_url: Some(format!(
                        "https://cbu01.alicdn.com/img/ibank/O1CN01{n:08}_!!2200000000-0-cib.jpg"
                    )),
                    category_id: Some(1_031_910),
                    ..Offer::default()
                }
            })
            .collect();
        store
            .record_page(id, 1, &offers, Some(1_000))
            .expect("record a page");
    }
    eprintln!(
        "history: seeded 100,000 offers in {:.1?}",
        started.elapsed()
    );
}

/// Reopening a stored 1,000-offer search from History, to its first frame.
fn reopen_from_history() {
    let data = tempfile::tempdir().expect("temp dir");
    seeded_history(data.path());
    let mut session = spawn(&Options {
        latency_ms: 0,
        page_size: 20,
        graphics: "halfblocks",
        big: None,
        picture: false,
        external_sim: None,
        data_dir: Some(data.path().to_path_buf()),
    });
    session.wait("the first frame", Duration::from_secs(10), |s| {
        s.first_frame_at.is_some()
    });
    let mut lat = Vec::new();
    for k in 0..30u64 {
        session.send(b"4");
        let name = format!("photo-{:03}.jpg", 99 - k);
        // The History pane, its cursor on the entry to reopen.
        session.wait("the history list", Duration::from_secs(10), |s| {
            s.parser.screen().contents().contains("photo-099.jpg")
        });
        if k > 0 {
            session.send(b"j");
        }
        std::thread::sleep(Duration::from_millis(150));
        let first_row = format!("S{}-item-0000", 99 - k);
        let sent = session.send(b"\r");
        let at = session.wait_arrival(&format!("{name} reopened"), Duration::from_secs(10), |s| {
            s.parser.screen().contents().contains(&first_row)
        });
        lat.push(ms(at.max(sent) - sent));
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("history: reopen → frame in order (ms): {lat:.1?}");
    lat.sort_by(f64::total_cmp);
    eprintln!(
        "history: {} reopens of 1,000 stored offers (100,000 stored): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        percentile(&lat, 0.5),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(f64::NAN)
    );
    result("history_reopen_p50_ms", percentile(&lat, 0.5));
    result("history_reopen_p99_ms", percentile(&lat, 0.99));
    let kib = session.vm_hwm_kib().expect("VmHWM");
    result("history_rss_100k_stored_mib", kib as f64 / 1024.0);
}

fn main() {
    // `cargo bench --bench interactive -- NAME` runs one figure.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let want = |name: &str| filter.as_deref().is_none_or(|f| name.contains(f));
    if want("fig6_start") {
        launch_to_first_frame();
    }
    if want("fig2") {
        scroll_through_pages();
    }
    if want("fig3") {
        key_to_frame();
    }
    if want("history") {
        reopen_from_history();
    }
    if want("pictures") {
        pictures_at_reading_pace();
    }
    if want("flat_rss") {
        flat_memory();
    }
    // Minutes long: only when asked for by name, never in the default run.
    if filter.is_some() && want("gallery_rss") {
        gallery_memory();
    }
    if want("fig6_rss") {
        peak_rss_full_cache(true);
        peak_rss_full_cache(false);
    }
    if want("detail") {
        detail::detail_on_rest();
    }
    if want("landed") {
        landed::landed_on_rest();
    }
}
