//! End-to-end: the real binary in a pseudo-terminal (100×30) against the
//! demo simulator, driven with keys, read back through a vt100 parser.
//! Every wait polls the screen against a deadline; nothing sleeps blindly
//! and nothing can hang: the child is killed when a step times out.

use base64::Engine as _;
use portable_pty::{Child, CommandBuilder, PtySize, native_pty_system};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tusou_sim::{SimConfig, catalog_image, catalog_offer_ids};

const ROWS: u16 = 30;
const COLS: u16 = 100;
const STEP: Duration = Duration::from_secs(20);

struct Term {
    parser: vt100::Parser,
    raw: Vec<u8>,
    eof: bool,
}

struct App {
    term: Arc<Mutex<Term>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
}

impl App {
    fn screen(&self) -> String {
        self.term
            .lock()
            .map(|t| t.parser.screen().contents())
            .unwrap_or_default()
    }

    /// The rows of the results pane (right column, top).
    fn results_rows(&self) -> Vec<String> {
        let Ok(t) = self.term.lock() else {
            return Vec::new();
        };
        let left = 40; // the left column at 100 columns: 2/5 of the width
        t.parser
            .screen()
            .rows(left, COLS - left)
            .skip(1)
            .take_while(|r| !r.starts_with('┗') && !r.starts_with('└'))
            .collect()
    }

    fn raw(&self) -> Vec<u8> {
        self.term.lock().map(|t| t.raw.clone()).unwrap_or_default()
    }

    fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).expect("write to the pty");
        self.writer.flush().expect("flush the pty");
        // Let the app read one key at a time, as a person types.
        std::thread::sleep(Duration::from_millis(30));
    }

    /// Polls until `cond` holds on the screen text, or fails the test.
    fn wait_for(&mut self, what: &str, cond: impl Fn(&App) -> bool) {
        let deadline = Instant::now() + STEP;
        while Instant::now() < deadline {
            if cond(self) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let screen = self.screen();
        let _ = self.child.kill();
        panic!("timed out waiting for {what}; screen:\n{screen}");
    }
}

impl Drop for App {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
    }
}

fn start(
    dir: &std::path::Path,
    config: &std::path::Path,
    cache: &std::path::Path,
    export: &std::path::Path,
) -> App {
    start_with(dir, config, cache, export, &[])
}

fn start_with(
    dir: &std::path::Path,
    config: &std::path::Path,
    cache: &std::path::Path,
    export: &std::path::Path,
    env: &[(&str, &str)],
) -> App {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tusou"));
    // 300 ms per request unless the test sets its own.
    let latency = env
        .iter()
        .find(|(name, _)| *name == "TUSOU_DEMO_LATENCY_MS")
        .map_or("300", |(_, ms)| *ms);
    cmd.args(["--demo", "--demo-latency-ms", latency]);
    cmd.arg(dir);
    cmd.cwd(dir);
    cmd.env("TUSOU_CONFIG_DIR", config);
    cmd.env("TUSOU_CACHE_DIR", cache);
    cmd.env("TUSOU_DATA_DIR", cache);
    cmd.env("TUSOU_EXPORT_DIR", export);
    cmd.env("TUSOU_GRAPHICS", "halfblocks");
    cmd.env("TERM", "xterm-256color");
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("DISPLAY");
    cmd.env_remove("WAYLAND_DISPLAY");
    for (name, value) in env {
        if *name == "TUSOU_STRICT" {
            cmd.arg("--strict-keymap");
        } else {
            cmd.env(name, value);
        }
    }
    spawn_in_pty(cmd, pair)
}

/// Runs `cmd` on the pty's slave side and reads the screen through vt100.
fn spawn_in_pty(cmd: CommandBuilder, pair: portable_pty::PtyPair) -> App {
    let child = pair.slave.spawn_command(cmd).expect("spawn tusou");
    drop(pair.slave);
    let mut reader = pair.master.try_clone_reader().expect("pty reader");
    let writer = pair.master.take_writer().expect("pty writer");
    let term = Arc::new(Mutex::new(Term {
        parser: vt100::Parser::new(ROWS, COLS, 0),
        raw: Vec::new(),
        eof: false,
    }));
    let t = term.clone();
    std::thread::spawn(move || {
        // Keeps the master alive as long as output may come.
        let _master = pair.master;
        let mut buf = [0u8; 8192];
        loop {
            match reader.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if let Ok(mut t) = t.lock() {
                        t.parser.process(&buf[..n]);
                        t.raw.extend_from_slice(&buf[..n]);
                    }
                }
            }
        }
        if let Ok(mut t) = t.lock() {
            t.eof = true;
        }
    });
    App {
        term,
        writer,
        child,
    }
}

/// "120/687 · page 6/35" in the results title → (loaded, pages loaded).
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

/// The list price (first "¥") of each result row.
fn prices(rows: &[String]) -> Vec<f64> {
    rows.iter()
        .filter_map(|r| {
            let at = r.find('¥')?;
            let num: String = r[at + '¥'.len_utf8()..]
                .chars()
                .take_while(|c| c.is_ascii_digit() || *c == '.')
                .collect();
            num.parse().ok()
        })
        .collect()
}

#[test]
fn search_scroll_filter_copy_quit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    std::fs::write(dir.path().join("readme.txt"), "not a picture").expect("write text");

    let mut app = start(dir.path(), config.path(), cache.path(), export.path());
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));

    // Directories first, then files by name: product.jpg is the first row.
    app.send(b"\r");
    app.wait_for("results in demo mode", |a| {
        let s = a.screen();
        s.contains("demo") && progress(&s).is_some_and(|(n, _)| n >= 20)
    });

    // Scroll into page 3 (20 per page): the rows keep coming.
    for _ in 0..3 {
        app.send(b"\x04"); // ctrl-d: page down
    }
    for _ in 0..8 {
        app.send(b"j");
    }
    app.wait_for("page 3 loaded under the cursor", |a| {
        progress(&a.screen()).is_some_and(|(n, p)| n >= 60 && p >= 3)
    });
    assert!(
        !app.results_rows()
            .iter()
            .any(|r| r.contains("loading page")),
        "no loading row in view while prefetching"
    );

    // A price range: only prices in it.
    app.send(b"f"); // focus filters; the cursor is on "min price"
    app.send(b"20");
    app.send(b"\x1b[B"); // down to "max price"
    app.send(b"40");
    app.send(b"\r"); // apply
    app.wait_for("results within 20–40", |a| {
        let p = prices(&a.results_rows());
        p.len() >= 5 && p.iter().all(|v| (20.0..=40.0).contains(v))
    });

    // Applying left the field for the results: `y` copies, it is not typed.
    app.wait_for("focus on the results", |a| a.screen().contains(" RESULTS "));
    // Copy a link: OSC 52 reaches the terminal.
    app.send(b"y");
    app.wait_for("an OSC 52 copy", |a| {
        let raw = a.raw();
        raw.windows(7).any(|w| w == b"\x1b]52;c;")
    });
    let raw = app.raw();
    let at = raw
        .windows(7)
        .position(|w| w == b"\x1b]52;c;")
        .expect("osc 52")
        + 7;
    let end = raw[at..]
        .iter()
        // The string terminator: ESC \ (what crossterm writes) or BEL.
        .position(|&b| b == 0x1b || b == 0x07)
        .expect("terminator after OSC 52")
        + at;
    let link = base64::engine::general_purpose::STANDARD
        .decode(&raw[at..end])
        .expect("base64");
    let link = String::from_utf8(link).expect("utf-8");
    assert!(link.starts_with("https://detail.1688.com/offer/"), "{link}");

    // Quit: exit 0 and the terminal back to normal.
    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// A catalog offer's own picture as `product.jpg` in `dir`.
fn write_catalog_picture(dir: &std::path::Path) {
    let sim = SimConfig::default();
    let id = catalog_offer_ids(&sim, 1).pop().expect("a catalog offer");
    let jpeg = catalog_image(&sim, &id).expect("catalog picture");
    std::fs::write(dir.join("product.jpg"), jpeg).expect("write picture");
}

/// Waits (bounded) for the child to exit.
fn wait_exit(app: &mut App) -> portable_pty::ExitStatus {
    let deadline = Instant::now() + STEP;
    loop {
        if let Ok(Some(status)) = app.child.try_wait() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = app.child.kill();
            panic!("tusou did not exit; screen:\n{}", app.screen());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits for the child to exit 0 and checks the terminal is back to normal:
/// main screen, cursor shown, no mouse capture, no bracketed paste.
fn assert_exits_restored(app: &mut App) {
    let status = wait_exit(app);
    assert!(status.success(), "exit status {status:?}");
    app.wait_for("the last output", |a| {
        a.term.lock().map(|t| t.eof).unwrap_or(true)
            || !a
                .term
                .lock()
                .map(|t| t.parser.screen().alternate_screen())
                .unwrap_or(true)
    });
    let t = app.term.lock().expect("terminal state");
    assert!(
        !t.parser.screen().alternate_screen(),
        "left the alternate screen"
    );
    assert!(!t.parser.screen().hide_cursor(), "cursor shown again");
    assert_eq!(
        t.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse capture off"
    );
    assert!(!t.parser.screen().bracketed_paste(), "bracketed paste off");
}

/// SIGTERM, SIGHUP (an SSH drop) and SIGINT (`kill -INT`; in raw mode
/// ctrl-c is a key, not a signal) end the app in order, terminal restored,
/// even while a search is in flight.
#[test]
fn signals_restore_the_terminal() {
    for signal in ["-TERM", "-HUP", "-INT"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = tempfile::tempdir().expect("tempdir");
        let cache = tempfile::tempdir().expect("tempdir");
        write_catalog_picture(dir.path());
        let mut app = start(dir.path(), config.path(), cache.path(), dir.path());
        app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
        app.send(b"\r"); // a search starts (300 ms latency): work in flight
        let pid = app.child.process_id().expect("child pid");
        let killed = std::process::Command::new("kill")
            .args([signal, &pid.to_string()])
            .status()
            .expect("run kill");
        assert!(killed.success());
        assert_exits_restored(&mut app);
    }
}

/// A panic on the UI thread restores the terminal before the message is
/// printed (debug builds panic on purpose with TUSOU_DEBUG_PANIC=ui).
#[test]
fn panic_restores_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let mut app = start_with(
        dir.path(),
        config.path(),
        dir.path(),
        dir.path(),
        &[("TUSOU_DEBUG_PANIC", "ui"), ("RUST_BACKTRACE", "0")],
    );
    let status = wait_exit(&mut app);
    assert!(!status.success(), "a panic is a failure exit");
    app.wait_for("the panic message on the normal screen", |a| {
        a.screen().contains("deliberate panic") && !a.screen().contains("Files")
    });
    let t = app.term.lock().expect("terminal state");
    assert!(
        !t.parser.screen().alternate_screen(),
        "left the alternate screen"
    );
    assert!(!t.parser.screen().hide_cursor(), "cursor shown again");
    assert_eq!(
        t.parser.screen().mouse_protocol_mode(),
        vt100::MouseProtocolMode::None,
        "mouse capture off"
    );
}

/// Sixel pictures (as on foot, WezTerm or xterm -ti vt340): drawn after the
/// frame as DCS sequences, replaced as the cursor moves, and no terminal
/// query (cursor position report) is sent while the event loop owns stdin.
#[test]
fn sixel_pictures_without_terminal_queries() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    let mut app = start_with(
        dir.path(),
        config.path(),
        dir.path(),
        dir.path(),
        &[("TUSOU_GRAPHICS", "sixel")],
    );
    let sixels = |a: &App| a.raw().windows(2).filter(|w| w == b"\x1bP").count();
    app.wait_for("the picker's sixel preview", |a| sixels(a) >= 1);
    app.send(b"\r");
    app.wait_for("results", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    let before = sixels(&app);
    app.send(b"j");
    app.wait_for("the next offer's sixel", |a| sixels(a) > before);
    assert!(
        !app.raw().windows(4).any(|w| w == b"\x1b[6n"),
        "no cursor-position query during the event loop"
    );
    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// Starts tusou in a pty with `args` instead of the usual ones (no picker
/// directory), `cwd` as its working directory.
fn start_args(cwd: &std::path::Path, config: &std::path::Path, args: &[&str]) -> App {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(args[0]);
    cmd.args(&args[1..]);
    cmd.cwd(cwd);
    cmd.env("TUSOU_CONFIG_DIR", config);
    cmd.env("TUSOU_CACHE_DIR", cwd);
    cmd.env("TUSOU_DATA_DIR", cwd);
    cmd.env("TUSOU_GRAPHICS", "halfblocks");
    cmd.env("TERM", "xterm-256color");
    spawn_in_pty(cmd, pair)
}

/// A FIFO among the photos: the listing completes (a FIFO is never opened,
/// so it cannot block the sniffing), the FIFO is listed as not a picture,
/// selecting it says why it cannot be searched, and `q` exits with the
/// terminal restored — nothing waits on a stuck task.
#[test]
fn fifo_in_the_directory_never_blocks_listing_or_quit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    // "a-pipe.jpg" sorts first, so it is under the cursor (and previewed).
    let fifo = dir.path().join("a-pipe.jpg");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    write_catalog_picture(dir.path());
    let mut app = start(dir.path(), config.path(), dir.path(), dir.path());
    app.wait_for("the listing to complete", |a| {
        let s = a.screen();
        s.contains("a-pipe.jpg") && s.contains("product.jpg") && !s.contains("listing…")
    });
    app.send(b"\r"); // the FIFO is not a picture
    app.wait_for("the refusal", |a| {
        a.screen().contains("a-pipe.jpg is not a recognised image")
    });
    // Typed as a path (`:`), it goes to the search, which refuses it too.
    app.send(b":");
    for b in b"a-pipe.jpg" {
        app.send(&[*b]);
    }
    app.send(b"\r");
    app.wait_for("the search refusing the FIFO", |a| {
        a.screen().contains("it is a FIFO")
    });
    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// `ctrl-c` quits whatever the keymap says: a user keymap that unbinds
/// both `q` and `ctrl-c` is reported, and ctrl-c still quits.
#[test]
fn ctrl_c_always_quits() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        config.path().join("keymap.toml"),
        "[global]\n\"q\" = []\n\"ctrl-c\" = []\n[picker]\n\"ctrl-c\" = [\"help\"]\n",
    )
    .expect("write keymap");
    write_catalog_picture(dir.path());
    let mut app = start(dir.path(), config.path(), dir.path(), dir.path());
    app.wait_for("the picker and the keymap problem", |a| {
        let s = a.screen();
        s.contains("product.jpg") && s.contains("ctrl-c always quits")
    });
    app.send(b"q"); // unbound: nothing happens
    app.send(b"\x03"); // ctrl-c
    assert_exits_restored(&mut app);
}

/// Escape sequences in the config directory's name and in keymap contents
/// reach the status bar only sanitised.
#[test]
fn escapes_from_config_and_keymap_never_reach_the_terminal() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config_parent = tempfile::tempdir().expect("tempdir");
    let config = config_parent
        .path()
        .join("cfg\x1b]52;c;ZXZpbA==\x07\x1b]0;pwned\x07");
    std::fs::create_dir(&config).expect("mkdir");
    std::fs::write(
        config.join("keymap.toml"),
        "[global]\n\"\\u001b]52;c;ZXZpbA==\\u0007\" = [\"quit\"]\n",
    )
    .expect("write keymap");
    let mut app = start(dir.path(), &config, dir.path(), dir.path());
    app.wait_for("the keymap problem in the status bar", |a| {
        a.screen().contains("keymap:")
    });
    let raw = app.raw();
    let evil: &[&[u8]] = &[b"\x1b]52;c;ZXZpbA==", b"\x1b]0;pwned"];
    for e in evil {
        assert!(
            !raw.windows(e.len()).any(|w| w == *e),
            "{:?} reached the terminal",
            String::from_utf8_lossy(e)
        );
    }
    app.send(b"q");
    assert_exits_restored(&mut app);

    // `--strict-keymap` prints the problems to the terminal (stderr) and
    // refuses to start: sanitised too.
    let mut app = start_with(
        dir.path(),
        &config,
        dir.path(),
        dir.path(),
        &[("TUSOU_STRICT", "1")],
    );
    let status = wait_exit(&mut app);
    assert_eq!(status.exit_code(), 6, "refused: {}", app.screen());
    app.wait_for("the problem on the screen", |a| {
        a.screen().contains("refusing to start")
    });
    let raw = app.raw();
    for e in evil {
        assert!(
            !raw.windows(e.len()).any(|w| w == *e),
            "{:?} reached the terminal",
            String::from_utf8_lossy(e)
        );
    }
}

/// `tusou > file` from a shell in a terminal: stdout is not a terminal, so
/// the app says so on stderr and exits 2 instead of drawing into the file.
#[test]
fn stdout_not_a_terminal_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "'{}' --demo > out.txt; echo \"rc=$?\"",
        env!("CARGO_BIN_EXE_tusou")
    );
    let mut app = start_args(dir.path(), config.path(), &["sh", "-c", &script]);
    app.wait_for("the message and the exit code", |a| {
        let s = a.screen();
        s.contains("tusou needs a terminal") && s.contains("rc=2")
    });
    let status = wait_exit(&mut app);
    assert!(status.success());
    let out = std::fs::read(dir.path().join("out.txt")).expect("out.txt");
    assert!(out.is_empty(), "nothing drawn into the file: {out:?}");
}

/// The memory of the work: search against a simulator (live settings), star
/// two offers with notes, quit; start again with the simulator stopped: the
/// shortlist has both with their notes, and the search reopens from the
/// history with its rows (from the store: nothing answers on the network).
#[test]
fn shortlist_and_history_survive_a_restart_without_the_provider() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());

    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let sim = runtime
        .block_on(tusou_sim::spawn(
            SimConfig::default(),
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        ))
        .expect("simulator");
    let credentials = tusou_sim::SimCredentials::demo();
    let base_url = sim.base_url();
    let live = |dir: &std::path::Path| {
        let pty = native_pty_system();
        let pair = pty
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pty");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tusou"));
        cmd.arg(dir);
        cmd.cwd(dir);
        cmd.env("TUSOU_CONFIG_DIR", config.path());
        cmd.env("TUSOU_CACHE_DIR", data.path());
        cmd.env("TUSOU_DATA_DIR", data.path());
        cmd.env("TUSOU_EXPORT_DIR", export.path());
        cmd.env("TUSOU_GRAPHICS", "halfblocks");
        cmd.env("TUSOU_PROVIDER", "dajisaas");
        cmd.env("TUSOU_DAJI_BASE_URL", &base_url);
        cmd.env("TUSOU_APP_KEY", &credentials.app_key);
        cmd.env("TUSOU_APP_SECRET", &credentials.app_secret);
        cmd.env("TERM", "xterm-256color");
        cmd.env_remove("DISPLAY");
        cmd.env_remove("WAYLAND_DISPLAY");
        spawn_in_pty(cmd, pair)
    };

    let mut app = live(dir.path());
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"\r");
    app.wait_for("results from the provider", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    for note in ["ask for MOQ 500", "sample first"] {
        app.send(b"s");
        app.send(b"n");
        app.send(note.as_bytes());
        app.send(b"\r");
        app.wait_for("the note saved", |a| a.screen().contains("Note saved"));
        app.send(b"j");
    }
    app.send(b"5");
    both_starred_with_notes(&mut app);
    app.send(b"q");
    assert_exits_restored(&mut app);

    // The provider is gone.
    drop(sim);
    drop(runtime);

    let mut app = live(dir.path());
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"5");
    both_starred_with_notes(&mut app);
    app.send(b"4");
    app.wait_for("the search in the history", |a| {
        let s = a.screen();
        s.contains("History · 1 search ")
            && s.lines()
                .any(|l| l.contains("product.jpg") && l.contains("/"))
    });
    app.send(b"\r");
    app.wait_for("the search reopened from the store", |a| {
        let s = a.screen();
        s.contains("Reopened from the history") && progress(&s).is_some_and(|(n, _)| n >= 20)
    });
    // Starred rows are marked in the reopened results.
    assert!(
        app.results_rows()
            .iter()
            .filter(|r| r.contains('★'))
            .count()
            >= 2,
        "{}",
        app.screen()
    );
    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// The Shortlist has two offers; Detail shows each one's note (newest first).
fn both_starred_with_notes(app: &mut App) {
    app.wait_for("two starred, the newest's note", |a| {
        let s = a.screen();
        s.contains("Shortlist · 2 starred") && s.contains("★ to ask · sample first")
    });
    app.send(b"j");
    app.wait_for("the other's note", |a| {
        a.screen().contains("★ to ask · ask for MOQ 500")
    });
    app.send(b"k");
}

/// The supplier column's width at 100 columns (the results pane's last).
const SELLER_W: usize = 12;

/// Per result row, the cell of the unit-cost column ("¥14.79", "min 1000",
/// or "…" while the detail is on its way). At 100 columns the results
/// pane's right columns are, from the right: the supplier (12), rep. (5),
/// sold/mo (8), then the unit cost (10). The header row is left out.
fn unit_cells(rows: &[String]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| {
            let cells: Vec<char> = r.trim_end_matches('┃').chars().collect();
            let end = cells.len().checked_sub(SELLER_W + 5 + 8)?;
            let start = end.checked_sub(10)?;
            let cell: String = cells[start..end].iter().collect();
            let cell = cell.trim().to_string();
            (!cell.is_empty() && !cell.starts_with('@')).then_some(cell)
        })
        .collect()
}

/// The unit cost of a cell, `None` for "…" or "min …".
fn unit_cost(cell: &str) -> Option<f64> {
    cell.strip_prefix('¥')?.parse().ok()
}

#[test]
fn quantity_500_sorted_by_unit_cost_puts_the_cheapest_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    let mut app = start(dir.path(), config.path(), cache.path(), export.path());
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"\r");
    app.wait_for("results", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    // This is about the offers' own rows: grouping by picture re-forms rows
    // as pictures are compared, so it is turned off.
    app.send(b"=");
    app.wait_for("grouping off", |a| a.screen().contains("Grouping off"));

    // Filters: quantity (the sixth row) 500, then the sort row cycled to
    // "unit cost at qty" (space on the sort row cycles it), then apply.
    app.send(b"f");
    for _ in 0..5 {
        app.send(b"\x1b[B");
    }
    app.send(b"500");
    for _ in 0..3 {
        app.send(b"\x1b[A");
    }
    for _ in 0..5 {
        app.send(b" ");
    }
    app.wait_for("the unit-cost sort chosen", |a| {
        a.screen().contains("unit cost at qty")
    });
    app.send(b"\r");
    app.wait_for("the @500 column", |a| a.screen().contains("@500"));

    // The details of the rows on screen arrive and the rows reorder: once
    // every row on screen has its detail, the first row's unit cost is the
    // lowest of them, and costs do not fall further down.
    app.wait_for("rows sorted by unit cost, details loaded", |a| {
        let cells = unit_cells(&a.results_rows());
        let costs: Vec<f64> = cells.iter().filter_map(|c| unit_cost(c)).collect();
        cells.len() >= 10
            && !cells.iter().any(|c| c == "…")
            && costs.len() >= 5
            && costs.windows(2).all(|w| w[0] <= w[1])
            && cells.first().and_then(|c| unit_cost(c)).is_some()
    });
    let cells = unit_cells(&app.results_rows());
    let first = unit_cost(&cells[0]).expect("the first row has a unit cost");
    let lowest = cells
        .iter()
        .filter_map(|c| unit_cost(c))
        .fold(f64::MAX, f64::min);
    assert_eq!(first, lowest, "{cells:#?}");

    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// Per result row, the cell of the landed-cost column ("¥15.94", "min 1000",
/// "? no weig…", or "…" while the detail or freight is on its way). At 100
/// columns, from the right: the supplier (12), rep. (5), sold/mo (8), the
/// unit cost (10), then the landed cost (11). The header row is left out.
fn landed_cells(rows: &[String]) -> Vec<String> {
    rows.iter()
        .filter_map(|r| {
            let cells: Vec<char> = r.trim_end_matches('┃').chars().collect();
            let end = cells.len().checked_sub(SELLER_W + 5 + 8 + 10)?;
            let start = end.checked_sub(11)?;
            let cell: String = cells[start..end].iter().collect();
            let cell = cell.trim().to_string();
            (!cell.is_empty() && !cell.starts_with("landed")).then_some(cell)
        })
        .collect()
}

#[test]
fn quantity_500_by_a_lane_sorted_by_landed_cost_puts_the_cheapest_delivered_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    let mut app = start(dir.path(), config.path(), cache.path(), export.path());
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"\r");
    app.wait_for("results", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    // This is about the offers' own rows: grouping by picture re-forms rows
    // as pictures are compared, so it is turned off.
    app.send(b"=");
    app.wait_for("grouping off", |a| a.screen().contains("Grouping off"));

    // Filters: quantity (the sixth row) 500; the lane (the seventh, the
    // demo's "air" in it) changed to "sea"; the sort row cycled to "landed
    // cost at qty"; apply.
    app.send(b"f");
    for _ in 0..5 {
        app.send(b"\x1b[B");
    }
    app.send(b"500");
    app.send(b"\x1b[B");
    app.send(b"\x7f\x7f\x7fsea");
    for _ in 0..4 {
        app.send(b"\x1b[A");
    }
    for _ in 0..6 {
        app.send(b" ");
    }
    app.wait_for("the landed-cost sort chosen", |a| {
        a.screen().contains("landed cost at qty") && a.screen().contains("sea")
    });
    app.send(b"\r");
    app.wait_for("the landed column", |a| {
        a.screen()
            .contains("lane sea (example): sorted by landed cost")
    });

    // Details and freight estimates of the rows on screen arrive and the
    // rows reorder: once none is waiting, the costs known come first, in
    // order, and the first row's is the lowest of them.
    let cost = |c: &str| c.strip_prefix('¥').and_then(|v| v.parse::<f64>().ok());
    app.wait_for("rows sorted by landed cost, costs known", |a| {
        let cells = landed_cells(&a.results_rows());
        let costs: Vec<f64> = cells.iter().filter_map(|c| cost(c)).collect();
        let known_first = cells.iter().take(costs.len()).all(|c| cost(c).is_some());
        cells.len() >= 10
            && !cells.iter().any(|c| c == "…")
            && costs.len() >= 5
            && known_first
            && costs.windows(2).all(|w| w[0] <= w[1])
    });
    let cells = landed_cells(&app.results_rows());
    let first = cost(&cells[0]).expect("the first row has a landed cost");
    let lowest = cells
        .iter()
        .filter_map(|c| cost(c))
        .fold(f64::MAX, f64::min);
    assert_eq!(first, lowest, "{cells:#?}");
    // Delivered costs more than the unit price alone.
    let units = unit_cells(&app.results_rows());
    let unit = unit_cost(&units[0]).expect("the first row's unit cost");
    assert!(first > unit, "landed {first} ≤ unit {unit}");

    // The cost page explains the first row's figure.
    app.send(b"g$");
    app.wait_for("the breakdown", |a| {
        let s = a.screen();
        s.contains("landed @500 by sea") && s.contains("intl freight")
    });

    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// Crop from the keyboard: search a photo of two products on a desk, open
/// crop on it, cycle to the second detected subject, enter: the first
/// result is the offer whose picture that product is.
#[test]
fn crop_to_the_second_detected_product_finds_it_first() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    let sim = SimConfig::default();
    let scenes = tusou_sim::write_scenes(&sim, dir.path(), 1).expect("a scene");
    let name = scenes[0]
        .file_stem()
        .expect("name")
        .to_string_lossy()
        .into_owned();
    let ids: Vec<u64> = name
        .split('-')
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    assert_eq!(ids.len(), 2, "{name}");
    let catalog = tusou_sim::catalog::generate(sim.seed, sim.catalog_size);
    let title = |id: u64| -> String {
        let o = catalog
            .iter()
            .find(|o| o.offer_id == id)
            .expect("in the catalog");
        o.subject_trans.chars().take(18).collect()
    };
    let second = title(ids[1]);

    let mut app = start(dir.path(), config.path(), cache.path(), export.path());
    app.wait_for("the picker", |a| a.screen().contains("scene-"));
    app.send(b"\r");
    app.wait_for("results of the whole photo, and its two products", |a| {
        let s = a.screen();
        progress(&s).is_some_and(|(n, _)| n >= 20) && s.contains("2 products in the picture")
    });
    let first_row = app.results_rows().into_iter().nth(1).unwrap_or_default();
    assert!(
        !first_row.contains(&second),
        "the whole photo already finds the second product first: {first_row}"
    );

    app.send(b"c");
    app.wait_for("crop mode with the detected subjects", |a| {
        let s = a.screen();
        s.contains("Crop · scene-") && s.contains("2 subjects detected")
    });
    app.send(b"\t");
    app.send(b"\t");
    app.wait_for("the box on the second subject", |a| {
        a.screen().contains("subject 2 of 2")
    });
    app.send(b"\r");
    app.wait_for("the cropped search's results, the product first", |a| {
        let s = a.screen();
        // The first row under the column header.
        let rows = a.results_rows();
        s.contains("crop ")
            && !s.contains("previous results")
            && rows.get(1).is_some_and(|r| r.contains(&second))
    });

    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// Past a dozen pages the first rows leave memory; going back to the top
/// reads them back from the history, the same rows as before.
#[test]
fn rows_far_above_come_back_from_the_history() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    let mut app = start_with(
        dir.path(),
        config.path(),
        cache.path(),
        export.path(),
        &[("TUSOU_DEMO_LATENCY_MS", "20")],
    );
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"\r");
    app.wait_for("page 1", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    // This is about the offers' own rows: grouping by picture re-forms rows
    // as pictures are compared, so it is turned off.
    app.send(b"=");
    app.wait_for("grouping off", |a| a.screen().contains("Grouping off"));
    let first_rows: Vec<String> = app.results_rows().into_iter().take(5).collect();
    // 16 pages of 20: more than memory keeps.
    let deadline = Instant::now() + Duration::from_secs(60);
    while progress(&app.screen()).is_none_or(|(n, _)| n < 320) {
        assert!(Instant::now() < deadline, "pages did not come");
        app.send(b"G");
        std::thread::sleep(Duration::from_millis(100));
    }
    app.send(b"g");
    app.wait_for("the first rows again", |a| {
        let rows: Vec<String> = a.results_rows().into_iter().take(5).collect();
        rows == first_rows
    });
    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// The selected gallery cell's price ("▶¥12.50" → 12.5), if one is drawn.
fn selected_cell_price(rows: &[String]) -> Option<f64> {
    rows.iter().find_map(|r| {
        let at = r.find("▶¥")? + "▶¥".len();
        let number: String = r[at..]
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.')
            .collect();
        number.parse().ok()
    })
}

/// Issue 23: the gallery from the keyboard. `v` shows the results as
/// pictures, the cursor moves right and down a row of pictures, Detail
/// follows the selected cell, `s` stars it (marked in its cell), `d`
/// fetches its detail; after a restart the gallery is what the results
/// open in.
#[test]
fn gallery_move_star_and_detail() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    // The app started on the picture's folder, its search under way.
    let searching = || {
        let fast = [("TUSOU_DEMO_LATENCY_MS", "20")];
        let mut app = start_with(
            dir.path(),
            config.path(),
            cache.path(),
            export.path(),
            &fast,
        );
        app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
        app.send(b"\r");
        app
    };

    let mut app = searching();
    app.wait_for("results", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    app.send(b"v");
    app.wait_for("the gallery, the first cell selected", |a| {
        let rows = a.results_rows();
        selected_cell_price(&rows).is_some() && rows.iter().any(|r| r.contains(" sold"))
    });
    let first = selected_cell_price(&app.results_rows());
    app.send(b"l");
    app.send(b"j");
    app.wait_for("the cursor on another cell", |a| {
        selected_cell_price(&a.results_rows()).is_some_and(|p| Some(p) != first)
    });
    let price = selected_cell_price(&app.results_rows()).expect("a selected cell");
    // Detail (under the results) shows the selected cell's offer.
    app.wait_for("Detail on the selected offer", |a| {
        let s = a.screen();
        let detail = s.split("Detail").nth(1).unwrap_or_default().to_string();
        detail.contains(&format!("¥{price:.2}")) || detail.contains(&format!("¥{price}"))
    });
    app.send(b"s");
    app.wait_for("the cell starred", |a| {
        a.screen().contains("Starred: in the shortlist")
            && a.results_rows().iter().any(|r| r.contains('★'))
    });
    app.send(b"d");
    app.wait_for("the offer's detail", |a| {
        let s = a.screen();
        s.contains("MOQ") || s.contains("detail of")
    });
    app.send(b"q");
    assert_exits_restored(&mut app);

    // The view is remembered: the next search opens as a gallery.
    let mut app = searching();
    app.wait_for("results as a gallery", |a| {
        let s = a.screen();
        progress(&s).is_some_and(|(n, _)| n >= 20)
            && selected_cell_price(&a.results_rows()).is_some()
    });
    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// Per result row, the supplier column's cell ("factory 6y", "trader 2y",
/// "—" when nothing is known): the last 12 columns at 100 columns. The
/// filters' line and the header row are left out.
fn supplier_cells(rows: &[String]) -> Vec<String> {
    rows.iter()
        .filter(|r| !r.contains(" shown: ") && !r.contains("price ¥"))
        .filter_map(|r| {
            let cells: Vec<char> = r.trim_end_matches('┃').chars().collect();
            let start = cells.len().checked_sub(SELLER_W)?;
            let cell: String = cells[start..].iter().collect();
            let cell = cell.trim().to_string();
            (!cell.is_empty()).then_some(cell)
        })
        .collect()
}

/// "factory 6y" → 6 when a factory.
fn factory_years(cell: &str) -> Option<u32> {
    cell.strip_prefix("factory ")?
        .split_whitespace()
        .next()?
        .strip_suffix('y')?
        .parse()
        .ok()
}

/// "312 of 2000 shown" → (312, 2000).
fn shown_of(screen: &str) -> Option<(usize, usize)> {
    let at = screen.find(" shown: ")?;
    let head = &screen[..at];
    let mut words = head.rsplit(|c: char| c.is_whitespace() || c == '┃');
    let of: usize = words.next()?.parse().ok()?;
    (words.next()? == "of").then_some(())?;
    let shown: usize = words.next()?.parse().ok()?;
    Some((shown, of))
}

#[test]
fn factory_only_and_three_years_shows_only_such_sellers_and_says_how_many_are_hidden() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let cache = tempfile::tempdir().expect("tempdir");
    let export = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    let mut app = start(dir.path(), config.path(), cache.path(), export.path());
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"\r");
    app.wait_for("results with their sellers", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
            && supplier_cells(&a.results_rows()).len() >= 10
    });

    // Filters: down to "factory only" (the supplier heading is passed
    // over), space; "years ≥" 3; down to "unknown", space (hidden); apply.
    app.send(b"f");
    for _ in 0..8 {
        app.send(b"\x1b[B");
    }
    app.send(b" ");
    app.send(b"\x1b[B");
    app.send(b"3");
    for _ in 0..3 {
        app.send(b"\x1b[B");
    }
    app.send(b" ");
    app.wait_for("factory only ticked, unknown hidden", |a| {
        let s = a.screen();
        s.contains("[x] factory only") && s.contains("hidden (space: change)")
    });
    app.send(b"\r");
    app.wait_for("the shown line and only such sellers", |a| {
        let s = a.screen();
        let cells = supplier_cells(&a.results_rows());
        s.contains("shown: factory, ≥ 3 years")
            && shown_of(&s).is_some_and(|(shown, of)| shown > 0 && shown < of)
            && !cells.is_empty()
            && cells
                .iter()
                .all(|c| factory_years(c).is_some_and(|y| y >= 3))
    });
    let screen = app.screen();
    let (shown, of) = shown_of(&screen).expect("the shown line");
    assert!(shown < of, "some are hidden: {screen}");

    app.send(b"q");
    assert_exits_restored(&mut app);
}

/// The app against a simulator of the test's own (live mode, dajisaas at
/// its address with its demo credentials): the same simulator a `tusou
/// watch run` beside it reaches, and whose catalog the test edits.
fn start_live(dir: &std::path::Path, data: &std::path::Path, env: &[(&str, String)]) -> App {
    let pty = native_pty_system();
    let pair = pty
        .openpty(PtySize {
            rows: ROWS,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("open a pty");
    let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_tusou"));
    cmd.arg(dir);
    cmd.cwd(dir);
    cmd.env("TUSOU_GRAPHICS", "halfblocks");
    cmd.env("TERM", "xterm-256color");
    cmd.env("TUSOU_DATA_DIR", data);
    for name in [
        "NO_COLOR",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "TUSOU_ACCESS_KEY",
        "TUSOU_CURRENCY",
        "TUSOU_RATE",
    ] {
        cmd.env_remove(name);
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    spawn_in_pty(cmd, pair)
}

/// Issue 27: W makes a watch of the search on screen; `tusou watch run`
/// (another process, the same data directory) runs it, the simulator's
/// catalog changes (a new listing, a price halved), it runs again; the
/// Watches pane (6) shows 1 new and 1 cheaper, and Enter opens that run's
/// results with the two marked.
#[test]
fn a_watch_made_on_screen_shows_its_new_and_cheaper_counts() {
    use tusou_sim::{CatalogEdit, SimCredentials};
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = rt
        .block_on(tusou_sim::spawn(
            SimConfig::default(),
            "127.0.0.1:0".parse().expect("address"),
        ))
        .expect("simulator");
    let dir = tempfile::tempdir().expect("tempdir");
    let config = tempfile::tempdir().expect("tempdir");
    let data = tempfile::tempdir().expect("tempdir");
    write_catalog_picture(dir.path());
    let creds = SimCredentials::demo();
    let env: Vec<(&str, String)> = vec![
        ("TUSOU_CONFIG_DIR", config.path().display().to_string()),
        (
            "TUSOU_CACHE_DIR",
            data.path().join("cache").display().to_string(),
        ),
        (
            "TUSOU_EXPORT_DIR",
            data.path().join("out").display().to_string(),
        ),
        ("TUSOU_DAJI_BASE_URL", sim.base_url()),
        ("TUSOU_APP_KEY", creds.app_key.to_string()),
        ("TUSOU_APP_SECRET", creds.app_secret.to_string()),
        ("TUSOU_PROVIDER", "dajisaas".to_string()),
    ];
    let watch_run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_tusou"));
        cmd.args(["watch", "run", "--format", "json", "--rate", "100"])
            .args(args)
            .env("TUSOU_DATA_DIR", data.path())
            .env_remove("TUSOU_ACCESS_KEY")
            .env_remove("TUSOU_CURRENCY")
            .env_remove("TUSOU_RATE");
        for (name, value) in &env {
            cmd.env(name, value);
        }
        let out = cmd.output().expect("tusou watch run");
        let digest: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
        });
        (out.status.code(), digest)
    };

    let mut app = start_live(dir.path(), data.path(), &env);
    app.wait_for("the picker", |a| a.screen().contains("product.jpg"));
    app.send(b"\r");
    app.wait_for("results", |a| {
        progress(&a.screen()).is_some_and(|(n, _)| n >= 20)
    });
    app.send(b"W");
    app.wait_for("the watch made", |a| a.screen().contains("Watch 1 made"));
    // W again: the same search is watched already.
    app.send(b"W");
    app.wait_for("the watch already there", |a| {
        a.screen().contains("watched already")
    });

    let (code, first) = watch_run(&[]);
    assert_eq!(code, Some(0), "{first}");
    assert_eq!(first["watches"][0]["status"], "first-run", "{first}");
    let search = first["watches"][0]["search_id"]
        .as_i64()
        .expect("search id");
    let store = match tusou::store::Store::open(&data.path().join("tusou.db"), None) {
        tusou::store::Opened::On { store, .. } => store,
        tusou::store::Opened::Off { reason } => panic!("{reason}"),
    };
    let offers: Vec<(u64, u64)> = store
        .search_offers(tusou::store::SearchId(search))
        .expect("the run's offers")
        .iter()
        .filter_map(|o| Some((o.offer_id.as_deref()?.parse().ok()?, o.price?.fen())))
        .collect();
    assert!(offers.len() >= 2, "{offers:?}");
    let edit = |e| rt.block_on(sim.edit_catalog(e)).expect("catalog edit");
    edit(CatalogEdit::Relist {
        like: offers[0].0,
        price_fen: 1,
    });
    edit(CatalogEdit::SetPrice {
        offer_id: offers[1].0,
        price_fen: offers[1].1 / 2,
    });
    let (code, second) = watch_run(&["1"]);
    assert_eq!(code, Some(10), "{second}");
    assert_eq!(second["watches"][0]["counts"]["new"], 1, "{second}");
    assert_eq!(second["watches"][0]["counts"]["cheaper"], 1, "{second}");

    // The Watches pane: the watch's row ends "ok … 1 1" (new, cheaper).
    app.send(b"6");
    app.wait_for("the watch's counts", |a| {
        a.screen().lines().any(|l| {
            let words: Vec<&str> = l
                .trim_matches(|c: char| !c.is_ascii_alphanumeric())
                .split_whitespace()
                .collect();
            l.contains("product.jpg")
                && words.len() >= 3
                && words[words.len() - 3..] == ["ok", "1", "1"]
        })
    });
    app.send(b"\r");
    app.wait_for("the run's results marked", |a| {
        a.screen().contains("1 new and 1 cheaper offers marked")
    });
    // (The new listing shares its picture with the offer it copies, so
    // it may be folded into that offer's group: one mark shows at least.)
    let rows = app.results_rows();
    assert!(
        rows.iter()
            .any(|r| r.contains("-50% ") || r.contains("new ")),
        "marks on the rows: {rows:#?}"
    );
    app.send(b"q");
    assert_exits_restored(&mut app);
}
