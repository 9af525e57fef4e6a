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
//!
//! Every observation is made by the reader thread right after it parses a
//! chunk of output, so times are those of the bytes' arrival, not of a poll.
//! Every wait has a deadline; the child is killed when the session drops.

use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tusou_sim::{SimConfig, catalog_image, catalog_offer_ids};

const COLS: u16 = 200;
const ROWS: u16 = 60;
/// Layout at 200×60 (see `ui::layout`): left column 44 wide, detail 14 tall.
const LEFT: u16 = 44;
const RESULTS_TOP: u16 = 1;
const RESULTS_BOTTOM: u16 = 44; // inner rows 1..=43

/// What the reader thread saw after one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct Obs {
    /// Screen row of the highlighted (focused, blue) results row.
    highlight: Option<u16>,
    /// A "loading page …" / "preparing …" row is in the results pane.
    loading: bool,
    /// …and it is where the cursor is: right under the highlighted row (the
    /// cursor is on the last loaded row), or there is no row at all yet.
    loading_at_cursor: bool,
    /// A frame with the picker pane's title has been drawn.
    framed: bool,
}

struct Shared {
    parser: vt100::Parser,
    obs: Obs,
    /// When `obs` last changed.
    changed_at: Instant,
    /// (time, obs) at every change.
    log: Vec<(Instant, Obs)>,
    first_frame_at: Option<Instant>,
    /// Kitty pictures started (`a=T`) and their escape bytes so far.
    kitty_pictures: usize,
    kitty_bytes: usize,
    in_kitty: bool,
    tail: Vec<u8>,
    eof: bool,
}

struct Session {
    shared: Arc<(Mutex<Shared>, Condvar)>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    spawned_at: Instant,
    _dirs: Vec<tempfile::TempDir>,
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.writer.write_all(b"q");
        let _ = self.writer.flush();
        let deadline = Instant::now() + Duration::from_secs(2);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn observe(screen: &vt100::Screen) -> Obs {
    let mut highlight = None;
    let mut loading_row = None;
    for row in RESULTS_TOP..RESULTS_BOTTOM {
        if highlight.is_none()
            && let Some(cell) = screen.cell(row, LEFT + 1)
            && cell.bgcolor() == vt100::Color::Idx(4)
        {
            highlight = Some(row);
        }
        if loading_row.is_none() {
            let text = screen.contents_between(row, LEFT + 1, row, COLS - 1);
            if text.contains("loading page") || text.contains("preparing and uploading") {
                loading_row = Some(row);
            }
        }
    }
    let loading_at_cursor = match (loading_row, highlight) {
        (Some(l), Some(h)) => l == h + 1,
        // No row highlighted: the loading row is the cursor's only when
        // it is the first row (nothing loaded yet).
        (Some(l), None) => l == RESULTS_TOP,
        (None, _) => false,
    };
    let framed = screen.contents_between(0, 0, 0, LEFT).contains("Files");
    Obs {
        highlight,
        loading: loading_row.is_some(),
        loading_at_cursor,
        framed,
    }
}

struct Options {
    latency_ms: u64,
    page_size: u32,
    graphics: &'static str,
    /// (catalog size, max results) demo knobs.
    big: Option<(usize, usize)>,
    /// Write a catalog picture to search with.
    picture: bool,
    /// Talk to this out-of-process simulator (as a live provider) instead
    /// of the in-process demo one.
    external_sim: Option<String>,
}

fn spawn(opts: &Options) -> Session {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        config.path().join("config.toml"),
        format!("page_size = {}\n", opts.page_size),
    )
    .expect("config");
    if opts.picture {
        let sim = SimConfig::default();
        let id = catalog_offer_ids(&sim, 1).pop().expect("a catalog offer");
        let jpeg = catalog_image(&sim, &id).expect("catalog picture");
        std::fs::write(dir.path().join("product.jpg"), jpeg).expect("picture");
    }
    let pair = native_pty_system()
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tusou"));
    match &opts.external_sim {
        None => cmd.args(["--demo", "--demo-latency-ms", &opts.latency_ms.to_string()]),
        Some(base_url) => {
            let creds = tusou_sim::SimCredentials::demo();
            cmd.env("TUSOU_DAJI_BASE_URL", base_url);
            cmd.env("TUSOU_APP_KEY", creds.app_key);
            cmd.env("TUSOU_APP_SECRET", creds.app_secret);
        }
    }
    cmd.arg(dir.path());
    cmd.cwd(dir.path());
    cmd.env("TUSOU_CONFIG_DIR", config.path());
    cmd.env("TUSOU_CACHE_DIR", cache.path());
    cmd.env("TUSOU_EXPORT_DIR", cache.path());
    cmd.env("TUSOU_GRAPHICS", opts.graphics);
    cmd.env("TERM", "xterm-256color");
    if let Some((catalog, max)) = opts.big {
        cmd.env("TUSOU_DEMO_CATALOG_SIZE", catalog.to_string());
        cmd.env("TUSOU_DEMO_MAX_RESULTS", max.to_string());
    }
    for var in ["NO_COLOR", "DISPLAY", "WAYLAND_DISPLAY", "TUSOU_LOG"] {
        cmd.env_remove(var);
    }
    let spawned_at = Instant::now();
    let child = pair.slave.spawn_command(cmd).expect("spawn tusou");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
    let shared = Arc::new((
        Mutex::new(Shared {
            parser: vt100::Parser::new(ROWS, COLS, 0),
            obs: Obs::default(),
            changed_at: spawned_at,
            log: vec![(spawned_at, Obs::default())],
            first_frame_at: None,
            kitty_pictures: 0,
            kitty_bytes: 0,
            in_kitty: false,
            tail: Vec::new(),
            eof: false,
        }),
        Condvar::new(),
    ));
    let sh = shared.clone();
    std::thread::spawn(move || {
        let _master = pair.master;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            let now = Instant::now();
            let (lock, cv) = &*sh;
            let Ok(mut s) = lock.lock() else { break };
            s.parser.process(&buf[..n]);
            count_kitty(&mut s, &buf[..n]);
            let obs = observe(s.parser.screen());
            if obs.framed && s.first_frame_at.is_none() {
                s.first_frame_at = Some(now);
            }
            if obs != s.obs {
                s.obs = obs;
                s.changed_at = now;
                s.log.push((now, obs));
            }
            cv.notify_all();
        }
        let (lock, cv) = &*sh;
        if let Ok(mut s) = lock.lock() {
            s.eof = true;
        }
        cv.notify_all();
    });
    Session {
        shared,
        writer,
        child,
        spawned_at,
        _dirs: vec![dir, config, cache],
    }
}

/// Counts kitty pictures (`ESC _ G f=100,a=T`) and the bytes of their
/// escapes, across chunk boundaries.
fn count_kitty(s: &mut Shared, chunk: &[u8]) {
    const START: &[u8] = b"\x1b_Gf=100,a=T";
    let mut data = std::mem::take(&mut s.tail);
    let skip = data.len();
    data.extend_from_slice(chunk);
    let mut i = 0;
    while i < data.len() {
        if data[i..].starts_with(START) {
            s.kitty_pictures += 1;
            s.in_kitty = true;
        }
        if s.in_kitty && i >= skip {
            s.kitty_bytes += 1;
        }
        // A picture ends with the cursor restore after its last chunk.
        if s.in_kitty && data[i..].starts_with(b"\x1b8") {
            s.in_kitty = false;
        }
        i += 1;
    }
    let keep = data.len().saturating_sub(START.len());
    s.tail = data[keep..].to_vec();
}

impl Session {
    /// Writes a key; the time just before the write.
    fn send(&mut self, bytes: &[u8]) -> Instant {
        let at = Instant::now();
        self.writer.write_all(bytes).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
        at
    }

    /// Waits until `cond` holds; the time of the output that made it hold.
    fn wait(&self, what: &str, timeout: Duration, cond: impl Fn(&Shared) -> bool) -> Instant {
        let (lock, cv) = &*self.shared;
        let deadline = Instant::now() + timeout;
        let mut s = lock.lock().expect("screen lock");
        loop {
            if cond(&s) {
                return s.changed_at;
            }
            let now = Instant::now();
            if now >= deadline || s.eof {
                let screen = s.parser.screen().contents();
                panic!(
                    "timed out waiting for {what} ({:?}, changed {:?} ago); screen:\n{screen}",
                    s.obs,
                    s.changed_at.elapsed()
                );
            }
            s = cv.wait_timeout(s, deadline - now).expect("screen lock").0;
        }
    }

    fn with<T>(&self, f: impl FnOnce(&Shared) -> T) -> T {
        let s = self.shared.0.lock().expect("screen lock");
        f(&s)
    }

    fn progress(&self) -> Option<(u64, u32)> {
        self.with(|s| progress(&s.parser.screen().contents()))
    }

    /// Picks product.jpg (the first file) and waits for the first rows.
    fn search(&mut self) -> (Instant, Instant) {
        self.wait("the picker", Duration::from_secs(20), |s| {
            s.parser.screen().contents().contains("product.jpg")
        });
        let sent = self.send(b"\r");
        let shown = self.wait("the first results", Duration::from_secs(60), |s| {
            s.obs.highlight.is_some()
        });
        (sent, shown)
    }

    /// Pages to the bottom until `n` offers are loaded.
    fn load(&mut self, n: u64) {
        let deadline = Instant::now() + Duration::from_secs(180);
        loop {
            let before = self.progress().map_or(0, |p| p.0);
            if before >= n {
                return;
            }
            assert!(Instant::now() < deadline, "could not load {n} offers");
            self.send(b"G");
            let (lock, cv) = &*self.shared;
            let until = Instant::now() + Duration::from_secs(5);
            let mut s = lock.lock().expect("screen lock");
            while progress(&s.parser.screen().contents()).map_or(0, |p| p.0) <= before
                && Instant::now() < until
            {
                s = cv
                    .wait_timeout(s, Duration::from_millis(50))
                    .expect("screen lock")
                    .0;
            }
        }
    }

    fn vm_hwm_kib(&self) -> Option<u64> {
        let pid = self.child.process_id()?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
        status
            .lines()
            .find(|l| l.starts_with("VmHWM:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()
    }
}

/// "10000/10000 · page 200/200" in the results title → (loaded, pages).
fn progress(screen: &str) -> Option<(u64, u32)> {
    let line = screen.lines().find(|l| l.contains(" · page "))?;
    let after = line.split("Results").nth(1)?;
    let mut nums = after
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().ok());
    let loaded = nums.next()??;
    let _total = nums.next()??;
    let page = nums.next()??;
    Some((loaded, u32::try_from(page).ok()?))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn result(name: &str, value: f64) {
    println!("RESULT {name} {value:.3}");
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

/// A standalone `tusou sim` process with a 12,000-offer catalog, so a
/// measurement can see the app's own memory, as in a live session.
struct ExternalSim {
    child: std::process::Child,
    base_url: String,
}

impl ExternalSim {
    fn start() -> ExternalSim {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_tusou"))
            .args([
                "sim",
                "--port",
                "0",
                "--catalog-size",
                "12000",
                "--max-results",
                "10000",
            ])
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
        s.obs.highlight == Some(RESULTS_TOP)
    });
    let _ = top;
    std::thread::sleep(Duration::from_millis(300));
    let mut lat = Vec::new();
    for i in 0..300 {
        let (key, want) = if i % 2 == 0 {
            (b"j", RESULTS_TOP + 1)
        } else {
            (b"k", RESULTS_TOP)
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
        s.obs.highlight == Some(RESULTS_TOP)
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
    if want("fig6_rss") {
        peak_rss_full_cache(true);
        peak_rss_full_cache(false);
    }
}
