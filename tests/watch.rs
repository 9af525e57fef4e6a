//! `tusou watch` as a user runs it: the real binary against a simulator on
//! 127.0.0.1 whose catalog changes between runs (a new listing, prices
//! moved, a listing taken down, a minimum order changed), the digest read
//! back, the exit codes, a run that fails half-way, and two `watch run`
//! at once against one store.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tusou::store::{Opened, SearchId, Store};
use tusou_sim::{CatalogEdit, Faults, Latency, SimConfig, SimCredentials, SimHandle};

struct Setup {
    dir: tempfile::TempDir,
    sim: SimHandle,
    rt: tokio::runtime::Runtime,
}

impl Setup {
    fn new(latency_ms: u64) -> Setup {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let sim = rt
            .block_on(tusou_sim::spawn(
                SimConfig {
                    faults: Faults {
                        latency: if latency_ms > 0 {
                            Latency::Fixed(std::time::Duration::from_millis(latency_ms))
                        } else {
                            Latency::None
                        },
                        ..Faults::default()
                    },
                    ..SimConfig::default()
                },
                "127.0.0.1:0".parse().unwrap(),
            ))
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("config");
        std::fs::create_dir_all(&config).unwrap();
        // A failure is a failure at once: no retries.
        std::fs::write(
            config.join("config.toml"),
            "[network]\nretries = 0\nconnect_timeout_secs = 2\n",
        )
        .unwrap();
        Setup { dir, sim, rt }
    }

    /// `n` distinct catalog pictures.
    fn photos(&self, n: usize) -> Vec<PathBuf> {
        let dir = common::distinct_photos(self.dir.path(), n);
        let mut all: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        all.sort();
        all
    }

    fn command(&self, args: &[&str]) -> Command {
        let d = self.dir.path();
        let creds = SimCredentials::demo();
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tusou"));
        cmd.args(args)
            .env("TUSOU_CONFIG_DIR", d.join("config"))
            .env("TUSOU_CACHE_DIR", d.join("cache"))
            .env("TUSOU_DATA_DIR", d.join("data"))
            .env("TUSOU_EXPORT_DIR", d.join("out"))
            .env("TUSOU_DAJI_BASE_URL", self.sim.base_url())
            .env("TUSOU_APP_KEY", creds.app_key)
            .env("TUSOU_APP_SECRET", creds.app_secret)
            .env("TUSOU_PROVIDER", "dajisaas")
            .env_remove("TUSOU_ACCESS_KEY")
            .env_remove("TUSOU_TEST_DB_MAX_PAGES")
            .env_remove("TUSOU_CURRENCY")
            .env_remove("TUSOU_RATE");
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("the binary runs")
    }

    /// `watch add …`, answering the new watch's id.
    fn add(&self, args: &[&str]) -> String {
        let out = self.run(&[&["watch", "add"], args].concat());
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// `watch run … --format json`: the exit code and the digest.
    fn watch_run(&self, args: &[&str]) -> (Option<i32>, serde_json::Value) {
        let out =
            self.run(&[&["watch", "run", "--format", "json", "--rate", "100"], args].concat());
        let digest = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "{e}: {}\n{}",
                String::from_utf8_lossy(&out.stdout),
                stderr(&out)
            )
        });
        (out.status.code(), digest)
    }

    fn store(&self) -> Store {
        match Store::open(&self.dir.path().join("data").join("tusou.db"), None) {
            Opened::On { store, .. } => store,
            Opened::Off { reason } => panic!("{reason}"),
        }
    }

    fn edit(&self, edit: CatalogEdit) -> String {
        self.rt.block_on(self.sim.edit_catalog(edit)).unwrap()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The offers a run's search recorded: (offer id, price in fen).
fn recorded(store: &Store, search: &serde_json::Value) -> Vec<(u64, u64)> {
    let id = search.as_i64().expect("a search id");
    store
        .search_offers(SearchId(id))
        .unwrap()
        .iter()
        .map(|o| {
            (
                o.offer_id.as_deref().unwrap().parse().unwrap(),
                o.price.unwrap().fen(),
            )
        })
        .collect()
}

fn changes_of(watch: &serde_json::Value, kind: &str) -> Vec<u64> {
    watch["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"] == kind)
        .map(|c| c["offer_id"].as_str().unwrap().parse().unwrap())
        .collect()
}

/// Between two runs the simulator gains a listing, moves three prices (one
/// under the threshold), loses a listing and changes a minimum order: the
/// digest says each, the exit code says something changed; run again with
/// nothing changed, it says so and exits 0; `--notify-cmd` is given the
/// digest only when something changed. The photo is deleted and the
/// provider forgets its image id between the runs: the kept copy is
/// uploaded again.
#[test]
fn new_gone_cheaper_dearer_and_moq_changed_between_runs() {
    let s = Setup::new(0);
    let photo = s.photos(1).remove(0);
    let id = s.add(&[
        path(&photo),
        "--page-size",
        "20",
        "--qty",
        "10",
        "--drop",
        "5%",
        "--every",
        "1d",
    ]);
    assert_eq!(id, "1");
    let (code, first) = s.watch_run(&[]);
    assert_eq!(code, Some(0), "{first}");
    assert_eq!(first["watches"][0]["status"], "first-run", "{first}");
    assert_eq!(first["changed"], false);
    let offers = recorded(&s.store(), &first["watches"][0]["search_id"]);
    assert_eq!(offers.len(), 20);

    let relisted: u64 = s
        .edit(CatalogEdit::Relist {
            like: offers[0].0,
            price_fen: 1,
        })
        .parse()
        .unwrap();
    let (cheaper, dearer, under, removed, moq) =
        (offers[1], offers[2], offers[3], offers[4], offers[5]);
    s.edit(CatalogEdit::SetPrice {
        offer_id: cheaper.0,
        price_fen: cheaper.1 / 2,
    });
    s.edit(CatalogEdit::SetPrice {
        offer_id: dearer.0,
        price_fen: dearer.1 * 3 / 2,
    });
    // 2 %: under the watch's 5 %.
    s.edit(CatalogEdit::SetPrice {
        offer_id: under.0,
        price_fen: under.1 * 102 / 100,
    });
    s.edit(CatalogEdit::Remove {
        offer_id: removed.0,
    });
    s.edit(CatalogEdit::SetMinOrder {
        offer_id: moq.0,
        min_order: 9_999,
    });
    std::fs::remove_file(&photo).unwrap();
    s.sim.forget_uploads();

    // Not due (every day): named, it runs.
    let (code, nothing_due) = s.watch_run(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(nothing_due["watches"], serde_json::json!([]));
    // Something changed: the digest is piped to --notify-cmd too.
    let told = s.dir.path().join("told.json");
    let notify = format!("cat > '{}'", told.display());
    let (code, second) = s.watch_run(&[&id, "--notify-cmd", &notify]);
    assert_eq!(code, Some(10), "{second}");
    let piped: serde_json::Value = serde_json::from_slice(&std::fs::read(&told).unwrap()).unwrap();
    assert_eq!(piped, second, "the same digest");
    std::fs::remove_file(&told).unwrap();
    assert_eq!(second["changed"], true);
    let w = &second["watches"][0];
    assert_eq!(w["status"], "changed", "{w}");
    assert_eq!(changes_of(w, "new"), [relisted], "{w}");
    assert_eq!(changes_of(w, "gone"), [removed.0], "{w}");
    assert_eq!(changes_of(w, "cheaper"), [cheaper.0], "{w}");
    assert_eq!(changes_of(w, "dearer"), [dearer.0], "{w}");
    assert_eq!(changes_of(w, "moq-changed"), [moq.0], "{w}");
    assert_eq!(
        w["counts"],
        serde_json::json!({"new": 1, "gone": 1, "cheaper": 1, "dearer": 1, "moq_changed": 1})
    );
    let c = w["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "cheaper")
        .unwrap();
    assert_eq!(
        (c["was_fen"].as_u64(), c["now_fen"].as_u64()),
        (Some(cheaper.1), Some(cheaper.1 / 2))
    );
    let m = w["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "moq-changed")
        .unwrap();
    assert_eq!(m["now"], 9_999);

    // The runs are ordinary searches of the history.
    let history = s.run(&["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 2);

    // Nothing changed since: 0, the table says so, nothing is piped.
    let out = s.run(&[
        "watch",
        "run",
        &id,
        "--rate",
        "100",
        "--notify-cmd",
        &notify,
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!told.exists(), "told only of changes");
    let table = String::from_utf8(out.stdout).unwrap();
    assert!(table.contains("nothing changed among 20 offers"), "{table}");

    // Markdown, and the list.
    let list = s.run(&["watch", "list", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(list[0]["last_run"]["status"], "done");
    assert_eq!(list[0]["picture_kept"], true);
}

/// A threshold of 0 reports every price move; one of 60 % none of these.
#[test]
fn the_threshold_decides_which_price_moves_are_said() {
    let s = Setup::new(0);
    let photos = s.photos(2);
    let any = s.add(&[path(&photos[0]), "--page-size", "10", "--drop", "0"]);
    let big = s.add(&[path(&photos[1]), "--page-size", "10", "--drop", "60%"]);
    let (code, first) = s.watch_run(&[]);
    assert_eq!(code, Some(0), "{first}");
    let store = s.store();
    let a = recorded(&store, &first["watches"][0]["search_id"]);
    let b = recorded(&store, &first["watches"][1]["search_id"]);
    for (id, fen) in [a[0], b[0]] {
        s.edit(CatalogEdit::SetPrice {
            offer_id: id,
            price_fen: fen + 1,
        });
    }
    let (code, second) = s.watch_run(&[&any, &big]);
    assert_eq!(second["watches"][0]["counts"]["dearer"], 1, "{second}");
    assert_eq!(second["watches"][1]["counts"]["dearer"], 0, "{second}");
    assert_eq!(code, Some(10));
}

/// Page 2 refused (the provider's rate limit, no retries): page 1 is kept
/// in the history, the run is failed, the exit code is the network's, and
/// the watch is still due; the next `watch run` runs it.
#[test]
fn a_run_that_fails_half_way_keeps_its_pages_and_stays_due() {
    let s = Setup::new(0);
    let photo = s.photos(1).remove(0);
    // The picture's id is cached by an ordinary search first, so the run
    // makes only queries.
    let out = s.run(&["search", path(&photo), "--page-size", "10"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let id = s.add(&[path(&photo), "--page-size", "10", "--pages", "2"]);
    // One token: page 1 takes it, page 2 is answered 429.
    s.sim.set_rate_limit(Some(0.01)).unwrap();
    let (code, failed) = s.watch_run(&[]);
    assert_eq!(code, Some(5), "{failed}");
    let w = &failed["watches"][0];
    assert_eq!(w["status"], "failed", "{w}");
    assert!(w["reason"].as_str().unwrap().contains("page 2"), "{w}");
    assert_eq!(recorded(&s.store(), &w["search_id"]).len(), 10);

    s.sim.set_rate_limit(None).unwrap();
    let (code, again) = s.watch_run(&[]);
    assert_eq!(code, Some(0), "{again}");
    assert_eq!(again["watches"][0]["id"].to_string(), id);
    assert_eq!(again["watches"][0]["status"], "first-run", "{again}");
    assert_eq!(
        recorded(&s.store(), &again["watches"][0]["search_id"]).len(),
        20
    );
    let (code, done) = s.watch_run(&[]);
    assert_eq!(code, Some(0));
    assert_eq!(done["watches"], serde_json::json!([]));
}

/// Two `watch run` at once against one store: each watch is run once.
#[test]
fn two_runs_at_once_never_run_one_watch_twice() {
    let s = Setup::new(40);
    let photos = s.photos(3);
    for p in &photos {
        s.add(&[path(p), "--page-size", "10"]);
    }
    let spawn = || {
        s.command(&["watch", "run", "--format", "json", "--rate", "100"])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!(a.status.code(), Some(0), "{}", stderr(&a));
    assert_eq!(b.status.code(), Some(0), "{}", stderr(&b));
    let ran = |o: &Output| -> Vec<i64> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        v["watches"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|w| w["status"] != "busy")
            .map(|w| w["id"].as_i64().unwrap())
            .collect()
    };
    let mut all = [ran(&a), ran(&b)].concat();
    all.sort();
    assert_eq!(all, [1, 2, 3], "each watch once");
    let history = s.run(&["history", "--json"]);
    let history: serde_json::Value = serde_json::from_slice(&history.stdout).unwrap();
    assert_eq!(history.as_array().unwrap().len(), 3);
}

/// The exit codes a script sees: a watch that is not there is the input's
/// (3), a bad `--every` is usage (2), removing works once.
#[test]
fn exit_codes_for_missing_watches_and_bad_arguments() {
    let s = Setup::new(0);
    let out = s.run(&["watch", "run", "7"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = s.run(&["watch", "add", "x.jpg", "--every", "5s"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = s.run(&["watch", "add", "/no/such/photo.jpg"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let photo = s.photos(1).remove(0);
    let id = s.add(&[path(&photo)]);
    let out = s.run(&["watch", "remove", &id]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = s.run(&["watch", "remove", &id]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let out = s.run(&["watch", "run", "--help"]);
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("10  something changed"), "{help}");
}

/// `watch install --print` gives a service running this binary's `watch
/// run` (exit 10 a success) and an hourly timer; `systemd-analyze verify`
/// accepts them where it is installed (skipped where it is not). Installed
/// for real, they land in `$XDG_CONFIG_HOME/systemd/user` (where systemd
/// runs) or a crontab line is printed; uninstall removes them.
#[test]
fn install_writes_units_systemd_accepts() {
    let s = Setup::new(0);
    let out = s.run(&[
        "watch",
        "install",
        "--print",
        "--notify-cmd",
        "mail -s \"tusou 100%\" me",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    let (service, timer) = text
        .strip_prefix("# tusou-watch.service\n")
        .and_then(|t| t.split_once("# tusou-watch.timer\n"))
        .unwrap();
    let exe = env!("CARGO_BIN_EXE_tusou");
    assert!(
        service.contains(&format!(
            "ExecStart=\"{exe}\" watch run --notify-cmd \"mail -s \\\"tusou 100%%\\\" me\"\n"
        )),
        "{service}"
    );
    assert!(service.contains("Type=oneshot\n"));
    assert!(service.contains("SuccessExitStatus=10\n"));
    assert!(timer.contains("OnCalendar=hourly\n"), "{timer}");
    assert!(timer.contains("WantedBy=timers.target\n"));

    let units = s.dir.path().join("units");
    std::fs::create_dir_all(&units).unwrap();
    std::fs::write(units.join("tusou-watch.service"), service).unwrap();
    std::fs::write(units.join("tusou-watch.timer"), timer).unwrap();
    match Command::new("systemd-analyze")
        .arg("verify")
        .arg(units.join("tusou-watch.service"))
        .arg(units.join("tusou-watch.timer"))
        .output()
    {
        Err(_) => eprintln!("systemd-analyze is not installed: verify skipped"),
        Ok(v) if String::from_utf8_lossy(&v.stderr).contains("Failed to initialize manager") => {
            eprintln!("systemd-analyze cannot start its manager here: verify skipped")
        }
        Ok(v) => assert!(
            v.status.success(),
            "systemd-analyze verify: {}",
            String::from_utf8_lossy(&v.stderr)
        ),
    }

    let config_home = s.dir.path().join("xdg");
    let out = s
        .command(&["watch", "install"])
        .env("XDG_CONFIG_HOME", &config_home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let dir = config_home.join("systemd/user");
    if Path::new("/run/systemd/system").is_dir() {
        assert!(dir.join("tusou-watch.service").is_file());
        assert!(dir.join("tusou-watch.timer").is_file());
        let again = s
            .command(&["watch", "install"])
            .env("XDG_CONFIG_HOME", &config_home)
            .output()
            .unwrap();
        assert_eq!(again.status.code(), Some(1), "never over another");
    } else {
        let line = String::from_utf8(out.stdout).unwrap();
        assert_eq!(
            line.trim_end(),
            format!(
                "17 * * * * out=$('{exe}' watch run); [ $? -eq 10 ] && printf '\\%s\\n' \"$out\""
            )
        );
    }
    let out = s
        .command(&["watch", "uninstall"])
        .env("XDG_CONFIG_HOME", &config_home)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!dir.join("tusou-watch.service").exists());
}

/// SIGTERM in the middle of a run: exit 130, the lock given back at once
/// (another run takes the watch straight away), the watch still due.
#[test]
fn a_stopped_run_gives_its_lock_back_and_stays_due() {
    let s = Setup::new(800);
    let photo = s.photos(1).remove(0);
    s.add(&[path(&photo), "--page-size", "10"]);
    let child = s
        .command(&["watch", "run", "--format", "json", "--rate", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once it holds the watch's lock (its signal handlers are then in
    // place), while its upload waits on the simulator's latency.
    let db = s.dir.path().join("data").join("tusou.db");
    let started = std::time::Instant::now();
    loop {
        let locked: i64 = rusqlite::Connection::open(&db)
            .and_then(|c| c.query_row("SELECT MAX(lock_until) FROM watches", [], |r| r.get(0)))
            .unwrap_or(0);
        if locked > 0 {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 20,
            "the run never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    assert!(stderr(&out).contains("stays due"), "{}", stderr(&out));
    s.sim.set_faults(Faults::none());
    let (code, again) = s.watch_run(&[]);
    assert_eq!(code, Some(0), "{again}");
    assert_eq!(again["watches"][0]["status"], "first-run", "{again}");
}

/// Stopped while its pages are being fetched: the run's row says stopped
/// (kept as `failed` with the stop's reason), never left `running`.
#[test]
fn a_run_stopped_by_a_signal_is_marked_stopped_not_running() {
    let s = Setup::new(600);
    let photo = s.photos(1).remove(0);
    s.add(&[path(&photo), "--page-size", "10", "--pages", "3"]);
    let child = s
        .command(&["watch", "run", "--format", "json", "--rate", "100"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once its run row is written (the upload done, page 1 on its way).
    let db = s.dir.path().join("data").join("tusou.db");
    let started = std::time::Instant::now();
    loop {
        let runs: i64 = rusqlite::Connection::open(&db)
            .and_then(|c| c.query_row("SELECT COUNT(*) FROM watch_runs", [], |r| r.get(0)))
            .unwrap_or(0);
        if runs > 0 {
            break;
        }
        assert!(started.elapsed().as_secs() < 20, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(50));
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let (status, reason): (String, Option<String>) = rusqlite::Connection::open(&db)
        .and_then(|c| {
            c.query_row(
                "SELECT status, reason FROM watch_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
        })
        .unwrap();
    assert_eq!(status, "failed");
    assert_eq!(reason.as_deref(), Some(tusou::store::STOPPED_REASON));
    let store = s.store();
    let w = &store.watches().unwrap()[0];
    assert_eq!(
        w.last.as_ref().map(|l| l.status),
        Some(tusou::store::RunStatus::Stopped)
    );
    let list = s.run(&["watch", "list"]);
    assert!(
        String::from_utf8_lossy(&list.stdout).contains("stopped"),
        "{}",
        String::from_utf8_lossy(&list.stdout)
    );
}

/// A watch made against one provider, run against another: skipped with
/// its reason in the digest, no request made for it.
#[test]
fn a_watch_of_another_provider_is_skipped_with_a_reason() {
    let s = Setup::new(0);
    let photos = s.photos(2);
    s.add(&[path(&photos[0]), "--page-size", "10"]);
    s.add(&[path(&photos[1]), "--page-size", "10"]);
    rusqlite::Connection::open(s.dir.path().join("data").join("tusou.db"))
        .and_then(|c| c.execute("UPDATE watches SET provider = 'other' WHERE id = 1", []))
        .unwrap();
    let before = s.sim.stats();
    let (code, digest) = s.watch_run(&[]);
    assert_eq!(code, Some(0), "{digest}");
    let w = &digest["watches"];
    assert_eq!(w[0]["status"], "skipped", "{digest}");
    let reason = w[0]["reason"].as_str().unwrap();
    assert!(reason.contains("made for provider other"), "{reason}");
    assert_eq!(w[1]["status"], "first-run", "{digest}");
    let after = s.sim.stats();
    assert_eq!(
        after.uploads - before.uploads,
        1,
        "only the second uploaded"
    );
    // Still due: it runs once the provider is the right one again.
    let store = s.store();
    assert!(
        store
            .watch(tusou::store::WatchId(1))
            .unwrap()
            .unwrap()
            .last
            .is_none()
    );
}

/// A watch with `--qty` and `--lane`: the digest says each changed offer's
/// landed cost at that quantity by that lane (as `tusou search` works it
/// out: detail, freight estimate to the warehouse, fees).
#[test]
fn a_watch_with_a_lane_says_the_landed_cost_of_each_change() {
    let s = Setup::new(0);
    let config = s.dir.path().join("config").join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        r#"
[landed]
agent_fee_pct = 5
duty_pct = 5
vat_pct = 20

[landed.warehouse]
province = "330000"
city = "330700"
district = "330782"

[[landed.lanes]]
name = "air"
divisor = 6000
currency = "USD"
rate = 7.1
base_fee = 3.00
per_kg_fee = 6.50
min_fee = 15.00
rates_checked = "2026-12-01"
"#,
    );
    std::fs::write(&config, text).unwrap();
    let photo = s.photos(1).remove(0);
    s.add(&[
        path(&photo),
        "--page-size",
        "10",
        "--qty",
        "500",
        "--lane",
        "air",
    ]);
    let (code, first) = s.watch_run(&[]);
    assert_eq!(code, Some(0), "{first}");
    let offers = recorded(&s.store(), &first["watches"][0]["search_id"]);
    s.edit(CatalogEdit::SetPrice {
        offer_id: offers[0].0,
        price_fen: offers[0].1 / 2,
    });
    let (code, second) = s.watch_run(&["1"]);
    assert_eq!(code, Some(10), "{second}");
    let w = &second["watches"][0];
    assert_eq!(w["landed"]["lane"], "air", "{w}");
    assert_eq!(w["landed"]["qty"], 500, "{w}");
    let cheaper = w["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["change"] == "cheaper")
        .expect("the cheaper offer");
    let cost = cheaper["landed_cost"].as_str().expect("a landed cost");
    assert!(
        cost.parse::<f64>().is_ok_and(|y| y > 0.0),
        "a known cost per piece: {cost} in {w}"
    );
    // The table says it too.
    s.edit(CatalogEdit::SetPrice {
        offer_id: offers[0].0,
        price_fen: offers[0].1 / 4,
    });
    let out = s.run(&["watch", "run", "1", "--rate", "100"]);
    assert_eq!(out.status.code(), Some(10), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("landed ¥") && table.contains("/pc @500 by air"),
        "{table}"
    );
}
