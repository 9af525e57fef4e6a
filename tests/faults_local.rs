//! Local faults, through the real binary: files that are not files (devices,
//! FIFOs), files too big to read, escape sequences in file names and config
//! paths, config numbers and URLs out of range, no terminal, and several
//! processes sharing the image-id cache.
//!
//! Every run is bounded: a child that has not exited by its deadline is
//! killed and the test fails saying it hung. Children also run under a
//! 4 GiB address-space limit, so a read that never ends fails fast instead
//! of eating the machine.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use tusou_sim::{self as sim, SimConfig};

/// Long enough for a debug build on a busy machine; a hang is far longer.
const LIMIT: Duration = Duration::from_secs(30);

struct Run {
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

/// The tusou binary with a clean environment: temp config and cache
/// directories, no credentials, under a memory limit.
fn tusou(dirs: &Path) -> Command {
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        r#"ulimit -v 4194304 2>/dev/null; exec "$0" "$@""#,
        env!("CARGO_BIN_EXE_tusou"),
    ]);
    cmd.env("TUSOU_CONFIG_DIR", dirs.join("config"))
        .env("TUSOU_CACHE_DIR", dirs.join("cache"))
        .env("TUSOU_DATA_DIR", dirs.join("data"))
        .env("TUSOU_EXPORT_DIR", dirs.join("export"));
    for name in [
        "TUSOU_APP_KEY",
        "TUSOU_APP_SECRET",
        "TUSOU_DAJI_BASE_URL",
        "TUSOU_ACCESS_KEY",
        "TUSOU_SECRET_KEY",
        "TUSOU_USER_ID",
        "TUSOU_BASE_URL",
        "TUSOU_PROVIDER",
        "TUSOU_DEMO_CATALOG_SIZE",
        "TUSOU_DEMO_MAX_RESULTS",
        "TUSOU_DEMO_LATENCY_MS",
    ] {
        cmd.env_remove(name);
    }
    cmd
}

/// Runs `cmd` to completion within [`LIMIT`], or kills it and fails.
fn run(cmd: &mut Command, what: &str) -> Run {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("spawn");
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Instant::now() + LIMIT;
    let status = loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            let stderr = err_reader.join().unwrap_or_default();
            panic!(
                "{what}: did not exit within {LIMIT:?} (it hangs); stderr:\n{}",
                String::from_utf8_lossy(&stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        code: status.code(),
        stdout: out_reader.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned(),
    }
}

fn tusou_run(dirs: &Path, args: &[&str]) -> Run {
    let mut cmd = tusou(dirs);
    cmd.args(args);
    run(&mut cmd, &format!("tusou {}", args.join(" ")))
}

fn catalog_photo(dir: &Path) -> PathBuf {
    let config = SimConfig::default();
    let id = sim::catalog_offer_ids(&config, 3)[2].clone();
    let path = dir.join("photo.jpg");
    std::fs::write(&path, sim::catalog_image(&config, &id).expect("image")).expect("write");
    path
}

fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(made.success(), "mkfifo {}", path.display());
}

fn s(p: &Path) -> &str {
    p.to_str().expect("utf-8 path")
}

// -- 1. unbounded reads ------------------------------------------------------

/// `ln -s /dev/zero z.jpg`: a device reports length 0 and never ends. Every
/// command that reads a picture refuses it at once.
#[test]
fn device_behind_a_picture_name_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let link = dir.path().join("z.jpg");
    std::os::unix::fs::symlink("/dev/zero", &link).expect("symlink");
    for cmd in ["prepare", "search", "preview"] {
        let r = tusou_run(dir.path(), &[cmd, s(&link)]);
        assert_eq!(r.code, Some(3), "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("not a regular file") && r.stderr.contains("character device"),
            "{cmd}: {}",
            r.stderr
        );
        assert!(r.stdout.is_empty(), "{cmd}: nothing on stdout");
    }
}

/// A picture file over 64 MiB: reading stops at the cap and says so.
#[test]
fn oversized_picture_file_stops_at_the_cap() {
    let dir = tempfile::tempdir().expect("tempdir");
    let big = dir.path().join("big.jpg");
    let f = std::fs::File::create(&big).expect("create");
    // Sparse: 65 MiB of (mostly) zeros after a JPEG signature.
    std::io::Write::write_all(&mut &f, &[0xFF, 0xD8, 0xFF, 0xE0]).expect("magic");
    f.set_len(65 * 1024 * 1024).expect("set_len");
    drop(f);
    for cmd in ["prepare", "search", "preview"] {
        let r = tusou_run(dir.path(), &[cmd, s(&big)]);
        assert_eq!(r.code, Some(3), "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("larger than 64.0 MB"),
            "{cmd}: says it stopped at the cap: {}",
            r.stderr
        );
    }
}

// -- 2. FIFOs ----------------------------------------------------------------

/// `mkfifo x.jpg; tusou search x.jpg` used to wait forever for a writer.
#[test]
fn fifo_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let fifo = dir.path().join("x.jpg");
    mkfifo(&fifo);
    for cmd in ["search", "prepare", "preview"] {
        let r = tusou_run(dir.path(), &[cmd, s(&fifo)]);
        assert_eq!(r.code, Some(3), "{cmd}: {}", r.stderr);
        assert!(
            r.stderr.contains("FIFO (named pipe), not a regular file"),
            "{cmd}: {}",
            r.stderr
        );
    }
}

// -- 3. escapes from outside ---------------------------------------------------

const EVIL: &str = "\x1b]52;c;ZXZpbA==\x07\x1b[2J";

fn assert_no_escapes(what: &str, text: &str) {
    assert!(
        !text.contains('\x1b') && !text.contains('\x07'),
        "{what}: raw escape on the terminal: {text:?}"
    );
}

#[test]
fn escapes_in_file_names_and_config_paths_never_reach_stderr() {
    let dir = tempfile::tempdir().expect("tempdir");
    // A file name carrying OSC 52 (clipboard write) and "clear screen".
    let missing = dir.path().join(format!("{EVIL}missing.jpg"));
    let notes = dir.path().join(format!("{EVIL}notes.jpg"));
    std::fs::write(&notes, "just text").expect("write");
    let evil_dir = dir.path().join(format!("{EVIL}dir.jpg"));
    std::fs::create_dir(&evil_dir).expect("mkdir");
    for cmd in ["prepare", "preview", "search"] {
        for path in [&missing, &notes, &evil_dir] {
            let r = tusou_run(dir.path(), &[cmd, s(path)]);
            assert_eq!(r.code, Some(3), "{cmd} {path:?}: {}", r.stderr);
            assert_no_escapes(cmd, &r.stderr);
        }
    }
    let r = tusou_run(dir.path(), &["prepare", s(&missing)]);
    // The sequences are dropped whole, the rest of the name kept.
    assert!(r.stderr.contains("/missing.jpg: "), "{}", r.stderr);
    assert!(!r.stderr.contains("ZXZpbA"), "{}", r.stderr);

    // A config directory whose name carries the same: the permission
    // warning, and unreadable-config errors, name the file.
    let config_dir = dir.path().join(format!("cfg{EVIL}"));
    std::fs::create_dir(&config_dir).expect("mkdir");
    let config = config_dir.join("config.toml");
    std::fs::write(&config, "country = \"en\"\n").expect("write");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    let photo = catalog_photo(dir.path());
    let mut cmd = tusou(dir.path());
    cmd.env("TUSOU_CONFIG_DIR", &config_dir)
        .args(["search", s(&photo), "--page-size", "1"]);
    let r = run(&mut cmd, "search with an escape in the config path");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stderr.contains("readable by others"), "{}", r.stderr);
    assert_no_escapes("config warning", &r.stderr);

    // A broken config file at such a path: the error names it.
    std::fs::write(&config, "bogus = 1\n").expect("write");
    for sub in ["search", "doctor"] {
        let mut cmd = tusou(dir.path());
        cmd.env("TUSOU_CONFIG_DIR", &config_dir).arg(sub);
        if sub == "search" {
            cmd.arg(s(&photo));
        }
        let r = run(&mut cmd, sub);
        assert_eq!(r.code, Some(6), "{sub}: {}", r.stderr);
        assert_no_escapes(sub, &r.stderr);
        assert_no_escapes(sub, &String::from_utf8_lossy(&r.stdout));
    }

    // `--strict-keymap` reports keymap problems on stderr, file name included.
    std::fs::write(&config, "").expect("write");
    std::fs::write(
        config_dir.join("keymap.toml"),
        "[global]\n\"\\u001b]52;c;ZXZpbA==\\u0007\" = [\"quit\"]\n",
    )
    .expect("write keymap");
    let mut cmd = tusou(dir.path());
    cmd.env("TUSOU_CONFIG_DIR", &config_dir)
        .args(["--strict-keymap", "--demo"]);
    let r = run(&mut cmd, "--strict-keymap");
    assert_eq!(r.code, Some(6), "{}", r.stderr);
    assert!(r.stderr.contains("keymap"), "{}", r.stderr);
    assert_no_escapes("keymap problems", &r.stderr);
}

// -- 4. config numbers, URLs and demo knobs -------------------------------------

fn with_config(dirs: &Path, toml: &str) {
    let config = dirs.join("config");
    std::fs::create_dir_all(&config).expect("mkdir");
    let file = config.join("config.toml");
    std::fs::write(&file, toml).expect("write config");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).expect("chmod");
}

#[test]
fn config_numbers_out_of_range_are_config_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = catalog_photo(dir.path());
    for (toml, key, range) in [
        (
            "[network]\ntimeout_secs = 1e20\n",
            "timeout_secs",
            "from 0.1 to 3600",
        ),
        (
            "[network]\ntimeout_secs = nan\n",
            "timeout_secs",
            "from 0.1 to 3600",
        ),
        (
            "[network]\nconnect_timeout_secs = -1\n",
            "connect_timeout_secs",
            "from 0.1 to 300",
        ),
        ("[network]\nretries = 1000\n", "retries", "from 0 to 10"),
        ("page_size = 0\n", "page_size", "from 1 to 50"),
        ("page_size = 51\n", "page_size", "from 1 to 50"),
    ] {
        with_config(dir.path(), toml);
        for sub in ["search", "doctor"] {
            let mut args = vec![sub];
            if sub == "search" {
                args.push(s(&photo));
            }
            let r = tusou_run(dir.path(), &args);
            let all = format!("{}{}", String::from_utf8_lossy(&r.stdout), r.stderr);
            assert_eq!(r.code, Some(6), "{sub} with {toml:?}: {all}");
            assert!(
                all.contains(key) && all.contains(range),
                "{sub} with {toml:?} names the key and the range: {all}"
            );
        }
    }
}

#[test]
fn base_url_must_be_an_http_url() {
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = catalog_photo(dir.path());
    for url in ["not a url", "ftp://example.com/", "file:///etc/passwd"] {
        with_config(
            dir.path(),
            &format!(
                "[dajisaas]\napp_key = \"k\"\napp_secret = \"s3cret\"\nbase_url = \"{url}\"\n"
            ),
        );
        for sub in ["search", "doctor"] {
            let mut args = vec![sub];
            if sub == "search" {
                args.push(s(&photo));
            }
            let r = tusou_run(dir.path(), &args);
            let all = format!("{}{}", String::from_utf8_lossy(&r.stdout), r.stderr);
            assert_eq!(r.code, Some(6), "{sub} with base_url {url:?}: {all}");
            assert!(
                all.contains("base_url") && all.contains("http"),
                "{sub} with {url:?}: {all}"
            );
            assert!(!all.contains("s3cret"));
        }
    }
    // The same from the environment names the variable.
    with_config(dir.path(), "");
    let mut cmd = tusou(dir.path());
    cmd.env("TUSOU_APP_KEY", "k")
        .env("TUSOU_APP_SECRET", "s3cret")
        .env("TUSOU_DAJI_BASE_URL", "localhost:8688")
        .args(["search", s(&photo)]);
    let r = run(&mut cmd, "search with TUSOU_DAJI_BASE_URL");
    assert_eq!(r.code, Some(6), "{}", r.stderr);
    assert!(r.stderr.contains("TUSOU_DAJI_BASE_URL"), "{}", r.stderr);
}

#[test]
fn demo_knobs_are_bounded() {
    let dir = tempfile::tempdir().expect("tempdir");
    let photo = catalog_photo(dir.path());
    for (name, value) in [
        ("TUSOU_DEMO_CATALOG_SIZE", "99999999999"),
        ("TUSOU_DEMO_CATALOG_SIZE", "0"),
        ("TUSOU_DEMO_MAX_RESULTS", "lots"),
    ] {
        let mut cmd = tusou(dir.path());
        cmd.env(name, value).args(["search", s(&photo)]);
        let r = run(&mut cmd, name);
        assert_eq!(r.code, Some(6), "{name}={value}: {}", r.stderr);
        assert!(
            r.stderr.contains(name) && r.stderr.contains("from 1 to 100000"),
            "{name}={value}: {}",
            r.stderr
        );
    }
    // In range: used.
    let mut cmd = tusou(dir.path());
    cmd.env("TUSOU_DEMO_CATALOG_SIZE", "100")
        .args(["search", s(&photo), "--page-size", "5"]);
    let r = run(&mut cmd, "a small demo catalog");
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

// -- 5. no terminal ----------------------------------------------------------

/// `tusou` with no terminal (stdin from /dev/null, stdout a pipe, as in
/// `tusou | cat` from cron) says what to use instead.
#[test]
fn the_app_without_a_terminal_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let r = tusou_run(dir.path(), &["--demo"]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    assert!(
        r.stderr.contains("tusou needs a terminal") && r.stderr.contains("tusou search"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.is_empty(), "no escape sequences into the pipe");
}

// -- 6. image-id cache shared by processes ------------------------------------

const CACHE_CHILD: &str = "TUSOU_TEST_CACHE_CHILD";
const WRITERS: usize = 4;
const PER_WRITER: usize = 50;

/// Four processes store 50 ids each in one cache file at the same time; all
/// 200 are there afterwards.
#[test]
fn image_id_cache_keeps_every_entry_across_processes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("tusou.db");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (0..WRITERS)
        .map(|i| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "image_id_cache_child",
                    "--nocapture",
                    "--test-threads",
                    "1",
                ])
                .env(CACHE_CHILD, format!("{i}:{}", path.display()))
                .stdout(Stdio::null())
                .spawn()
                .expect("spawn a writer")
        })
        .collect();
    let deadline = Instant::now() + LIMIT;
    for mut child in children {
        loop {
            if let Some(status) = child.try_wait().expect("try_wait") {
                assert!(status.success(), "writer failed: {status:?}");
                break;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("a cache writer hung");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
    let store = tusou::store::Store::open(&path, None).store();
    let cache = tusou::api::image_cache::ImageIdCache::open(store.map(|s| s.image_ids()), "scope");
    let missing: Vec<String> = (0..WRITERS)
        .flat_map(|i| (0..PER_WRITER).map(move |j| format!("md5-{i}-{j}")))
        .filter(|k| cache.get(k).is_none())
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} entries lost: {missing:?}",
        missing.len(),
        WRITERS * PER_WRITER
    );
    // No temp files left behind.
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

/// The writer process for the test above (a no-op in a normal run).
#[test]
fn image_id_cache_child() {
    let Ok(spec) = std::env::var(CACHE_CHILD) else {
        return;
    };
    let (index, path) = spec.split_once(':').expect("index:path");
    let store = tusou::store::Store::open(&PathBuf::from(path), None).store();
    let cache = tusou::api::image_cache::ImageIdCache::open(store.map(|s| s.image_ids()), "scope");
    for j in 0..PER_WRITER {
        cache.put(&format!("md5-{index}-{j}"), &format!("{index}{j:04}"));
    }
}

// -- 9. huge pictures --------------------------------------------------------

/// A PNG written row by row: white with a black middle ninth, 1 bit a pixel.
fn two_tone_png(path: &Path, w: u32, h: u32) {
    use std::io::Write as _;
    let file = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    let mut enc = png::Encoder::new(file, w, h);
    enc.set_color(png::ColorType::Grayscale);
    enc.set_depth(png::BitDepth::One);
    enc.set_compression(png::Compression::Fast);
    let mut writer = enc.write_header().expect("header");
    let mut stream = writer.stream_writer().expect("stream");
    let stride = w.div_ceil(8) as usize;
    let white = vec![0xFFu8; stride];
    let mut middle = white.clone();
    for x in w / 3..2 * w / 3 {
        middle[(x / 8) as usize] &= !(0x80 >> (x % 8));
    }
    for y in 0..h {
        let row = if (h / 3..2 * h / 3).contains(&y) {
            &middle
        } else {
            &white
        };
        stream.write_all(row).expect("row");
    }
    stream.finish().expect("finish");
}

/// 12000×9000 (108 megapixels, over the 100 MP a picture may have decoded
/// whole): `prepare` converts it and `preview` draws it.
#[test]
fn huge_png_is_converted_and_previewed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let png = dir.path().join("huge.png");
    two_tone_png(&png, 12_000, 9_000);
    let r = tusou_run(dir.path(), &["prepare", s(&png)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains("12000×9000 PNG") && r.stderr.contains("→ 1000×750 JPEG"),
        "{}",
        r.stderr
    );
    let r = tusou_run(dir.path(), &["preview", s(&png), "--size", "20x10"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines = String::from_utf8_lossy(&r.stdout).lines().count();
    assert!(
        (7..=10).contains(&lines),
        "a 20-column picture: {lines} rows"
    );
}
