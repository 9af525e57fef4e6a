//! The pseudo-terminal session the figures drive: the release binary in a
//! 200×60 pty, its output parsed by vt100 on a reader thread, observations
//! stamped on arrival; and the small helpers that print `RESULT` lines.
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};
use tusou_sim::{SimConfig, catalog_image, catalog_offer_ids};

pub(crate) const COLS: u16 = 200;
pub(crate) const ROWS: u16 = 60;
/// Layout at 200×60 (see `ui::layout`): left column 44 wide, detail 14 tall.
pub(crate) const LEFT: u16 = 44;
pub(crate) const RESULTS_TOP: u16 = 1;
/// The first offer's row: under the column header once rows are shown.
pub(crate) const FIRST_ROW: u16 = RESULTS_TOP + 1;
pub(crate) const RESULTS_BOTTOM: u16 = 44; // inner rows 1..=43

/// What the reader thread saw after one chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Obs {
    /// Screen row of the highlighted (focused, blue) results row.
    pub(crate) highlight: Option<u16>,
    /// A "loading page …" / "preparing …" row is in the results pane.
    pub(crate) loading: bool,
    /// …and it is where the cursor is: right under the highlighted row (the
    /// cursor is on the last loaded row), or there is no row at all yet.
    pub(crate) loading_at_cursor: bool,
    /// A frame with the picker pane's title has been drawn.
    pub(crate) framed: bool,
    /// The preview pane (under the results) waits for its picture
    /// ("⠋ picture…").
    pub(crate) picture_wait: bool,
}

pub(crate) struct Shared {
    pub(crate) parser: vt100::Parser,
    pub(crate) obs: Obs,
    /// When `obs` last changed.
    pub(crate) changed_at: Instant,
    /// (time, obs) at every change.
    pub(crate) log: Vec<(Instant, Obs)>,
    pub(crate) first_frame_at: Option<Instant>,
    /// When the last chunk of output arrived.
    pub(crate) chunk_at: Instant,
    /// Kitty pictures started (`a=T`) and their escape bytes so far.
    pub(crate) kitty_pictures: usize,
    pub(crate) kitty_bytes: usize,
    pub(crate) in_kitty: bool,
    pub(crate) tail: Vec<u8>,
    /// kitty commands by action, whatever their keys' order (pictures are
    /// sent under an image id, `i=…,f=100,a=T`, since the display owns
    /// them): sent and shown (`a=T`), sent ahead (`a=t`), placed (`a=p`).
    pub(crate) kitty_cmds: KittyCmds,
    /// All output bytes so far.
    pub(crate) out_bytes: usize,
    pub(crate) eof: bool,
}

pub(crate) struct Session {
    pub(crate) shared: Arc<(Mutex<Shared>, Condvar)>,
    pub(crate) writer: Box<dyn Write + Send>,
    pub(crate) child: Box<dyn Child + Send + Sync>,
    pub(crate) spawned_at: Instant,
    pub(crate) _dirs: Vec<tempfile::TempDir>,
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

pub(crate) fn observe(screen: &vt100::Screen) -> Obs {
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
    let picture_wait = (RESULTS_BOTTOM..ROWS).any(|row| {
        screen
            .contents_between(row, LEFT, row, COLS - 1)
            .contains("picture…")
    });
    Obs {
        highlight,
        loading: loading_row.is_some(),
        loading_at_cursor,
        framed,
        picture_wait,
    }
}

pub(crate) struct Options {
    pub(crate) latency_ms: u64,
    pub(crate) page_size: u32,
    pub(crate) graphics: &'static str,
    /// (catalog size, max results) demo knobs.
    pub(crate) big: Option<(usize, usize)>,
    /// Write a catalog picture to search with.
    pub(crate) picture: bool,
    /// Talk to this out-of-process simulator (as a live provider) instead
    /// of the in-process demo one.
    pub(crate) external_sim: Option<String>,
    /// Use this history directory (`TUSOU_DATA_DIR`) instead of a new one.
    pub(crate) data_dir: Option<std::path::PathBuf>,
}

pub(crate) fn spawn(opts: &Options) -> Session {
    spawn_with_config(opts, "")
}

/// [`spawn`] with `extra` appended to its config.toml.
pub(crate) fn spawn_with_config(opts: &Options, extra: &str) -> Session {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        config.path().join("config.toml"),
        format!("page_size = {}\n{extra}", opts.page_size),
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
    cmd.env(
        "TUSOU_DATA_DIR",
        opts.data_dir.as_deref().unwrap_or(cache.path()),
    );
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
            chunk_at: spawned_at,
            kitty_pictures: 0,
            kitty_bytes: 0,
            in_kitty: false,
            tail: Vec::new(),
            kitty_cmds: KittyCmds::default(),
            out_bytes: 0,
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
            s.chunk_at = now;
            count_kitty(&mut s, &buf[..n]);
            s.kitty_cmds.scan(&buf[..n]);
            s.out_bytes += n;
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

/// Counts kitty pictures sent and shown (`ESC _ G i=…,p=…,f=100,a=T,…`:
/// a command whose keys, up to its `;`, say `a=T`) and the bytes of their
/// escapes, across chunk boundaries.
pub(crate) fn count_kitty(s: &mut Shared, chunk: &[u8]) {
    const START: &[u8] = b"\x1b_G";
    /// Longer than any command's keys (ids, placement, size, `m=1;`).
    const KEYS: usize = 96;
    let mut data = std::mem::take(&mut s.tail);
    data.extend_from_slice(chunk);
    let mut i = 0;
    // The last KEYS bytes may start a command whose keys are cut: they are
    // kept, unread, for the next chunk.
    let end = data.len().saturating_sub(KEYS);
    while i < end {
        if data[i..].starts_with(START) {
            let keys = &data[i + START.len()..];
            let keys = &keys[..keys.len().min(KEYS)];
            let keys = keys.split(|&b| b == b';').next().unwrap_or_default();
            if keys.split(|&b| b == b',').any(|k| k == b"a=T") {
                s.kitty_pictures += 1;
                s.in_kitty = true;
            }
        }
        if s.in_kitty {
            s.kitty_bytes += 1;
        }
        // A picture ends with the cursor restore after its last chunk.
        if s.in_kitty && data[i..].starts_with(b"\x1b8") {
            s.in_kitty = false;
        }
        i += 1;
    }
    s.tail = data[i..].to_vec();
}

/// Counts kitty graphics commands (`ESC _ G <keys> ; payload ESC \`) by
/// their action key, across chunk boundaries.
#[derive(Debug, Default, Clone)]
pub(crate) struct KittyCmds {
    /// `a=T`: a picture sent and shown at once.
    pub(crate) sent_shown: usize,
    /// `a=t`: a picture sent ahead (stored, not shown).
    pub(crate) sent_ahead: usize,
    /// `a=p`: a picture the terminal already has, placed.
    pub(crate) placed: usize,
    /// `a=d`: deletes (placements or pictures).
    pub(crate) deleted: usize,
    /// An unfinished command header (or a possible start of one).
    tail: Vec<u8>,
}

impl KittyCmds {
    pub(crate) fn scan(&mut self, chunk: &[u8]) {
        const START: &[u8] = b"\x1b_G";
        let mut data = std::mem::take(&mut self.tail);
        data.extend_from_slice(chunk);
        let mut i = 0;
        while i < data.len() {
            if data[i] != 0x1b {
                i += 1;
                continue;
            }
            let rest = &data[i..];
            if rest.len() < START.len() {
                if START.starts_with(rest) {
                    self.tail = rest.to_vec();
                }
                return;
            }
            if !rest.starts_with(START) {
                i += 1;
                continue;
            }
            // The keys end at the payload's ';' or the command's ESC.
            let Some(end) = rest[START.len()..]
                .iter()
                .position(|&b| b == b';' || b == 0x1b)
            else {
                // A header is a few dozen bytes; keep it for the next chunk.
                if rest.len() < 512 {
                    self.tail = rest.to_vec();
                }
                return;
            };
            let keys = &rest[START.len()..START.len() + end];
            for kv in keys.split(|&b| b == b',') {
                match kv {
                    b"a=T" => self.sent_shown += 1,
                    b"a=t" => self.sent_ahead += 1,
                    b"a=p" => self.placed += 1,
                    b"a=d" => self.deleted += 1,
                    _ => {}
                }
            }
            i += START.len() + end;
        }
    }
}

impl Session {
    /// Writes a key; the time just before the write.
    pub(crate) fn send(&mut self, bytes: &[u8]) -> Instant {
        let at = Instant::now();
        self.writer.write_all(bytes).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
        at
    }

    /// Waits until `cond` holds; the time the observations last changed.
    pub(crate) fn wait(
        &self,
        what: &str,
        timeout: Duration,
        cond: impl Fn(&Shared) -> bool,
    ) -> Instant {
        self.wait_then(what, timeout, cond, |s| s.changed_at)
    }

    /// Waits until `cond` holds; the arrival time of the output that made
    /// it hold (whether or not the observations changed).
    pub(crate) fn wait_arrival(
        &self,
        what: &str,
        timeout: Duration,
        cond: impl Fn(&Shared) -> bool,
    ) -> Instant {
        self.wait_then(what, timeout, cond, |s| s.chunk_at)
    }

    fn wait_then(
        &self,
        what: &str,
        timeout: Duration,
        cond: impl Fn(&Shared) -> bool,
        at: impl Fn(&Shared) -> Instant,
    ) -> Instant {
        let (lock, cv) = &*self.shared;
        let deadline = Instant::now() + timeout;
        let mut s = lock.lock().expect("screen lock");
        loop {
            if cond(&s) {
                return at(&s);
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

    pub(crate) fn with<T>(&self, f: impl FnOnce(&Shared) -> T) -> T {
        let s = self.shared.0.lock().expect("screen lock");
        f(&s)
    }

    pub(crate) fn progress(&self) -> Option<(u64, u32)> {
        self.with(|s| progress(&s.parser.screen().contents()))
    }

    /// Picks product.jpg (the first file) and waits for the first rows.
    pub(crate) fn search(&mut self) -> (Instant, Instant) {
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
    pub(crate) fn load(&mut self, n: u64) {
        // 100,000 offers are 2,000 pages of 50.
        let deadline =
            Instant::now() + Duration::from_secs(if n > 20_000 { (n / 100).max(600) } else { 180 });
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

    pub(crate) fn vm_hwm_kib(&self) -> Option<u64> {
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
pub(crate) fn progress(screen: &str) -> Option<(u64, u32)> {
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

pub(crate) fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

pub(crate) fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub(crate) fn result(name: &str, value: f64) {
    println!("RESULT {name} {value:.3}");
}
