#!/usr/bin/env bash
# Runs the six figures of the performance issue on this machine and prints
# one table: figure, tusou, peer, ratio, target, pass/fail.
#
#   bash bench/run.sh            # everything (about 10 minutes on 2 cores)
#   RUNS=15 bash bench/run.sh    # more process runs per side-by-side figure
#
# Release build. Figures 1, 4b and 5 (in-process) come from criterion
# (`cargo bench --bench render` / `--bench image`, median estimate);
# 2, 3 and 6 from `cargo bench --bench interactive` (the real binary in a
# pty); 4 and 5 side by side with ImageMagick and chafa, process to process,
# same inputs, same run, median of $RUNS alternating runs.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${RUNS:-9}"
WORK="${BENCH_WORK:-target/bench-work}"
mkdir -p "$WORK"
export CARGO_TERM_COLOR=never

# --- peers: the real ImageMagick (not a stand-in on PATH) and chafa -------
real_convert() {
  local c
  for c in /usr/bin/convert /usr/bin/convert-im6.q16 /usr/bin/magick; do
    if [ -x "$c" ] && "$c" -version 2>/dev/null | grep -q 'ImageMagick'; then
      echo "$c"
      return 0
    fi
  done
  return 1
}
need_apt=()
real_convert >/dev/null || need_apt+=(imagemagick)
command -v vipsthumbnail >/dev/null 2>&1 || need_apt+=(libvips-tools)
command -v chafa >/dev/null 2>&1 || [ -x /usr/bin/chafa ] || need_apt+=(chafa)
if [ "${#need_apt[@]}" -gt 0 ]; then
  echo "== installing ${need_apt[*]}" >&2
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >&2
fi
CONVERT="$(real_convert)" || { echo "no real ImageMagick convert found" >&2; exit 1; }
CHAFA="$(command -v chafa || echo /usr/bin/chafa)"
VIPS="$(command -v vipsthumbnail)"
echo "== peers: $("$CONVERT" -version | head -1) ($CONVERT); chafa $("$CHAFA" --version | head -1 | awk '{print $NF}'); $("$VIPS" --vips-version) ($VIPS)" >&2

# --- build once, then the criterion benches -------------------------------
echo "== cargo build --release; cargo bench --no-run" >&2
cargo build --release --locked >&2
cargo bench --no-run --locked >&2
TUSOU="$PWD/target/release/tusou"

echo "== cargo bench --bench render" >&2
cargo bench --locked --bench render >&2
echo "== cargo bench --bench image" >&2
cargo bench --locked --bench image >&2

# --- inputs for the side-by-side runs -------------------------------------
pictures_made=1
for f in photo24mp.jpg phone12mp_exif.jpg photo12mp.png photo36mb.bmp photo800.jpg; do
  [ -s "$WORK/$f" ] || pictures_made=0
done
if [ "$pictures_made" = 0 ]; then
  echo "== making test pictures (tusou's bench photo generator)" >&2
  BENCH_PICTURES_DIR="$PWD/$WORK" cargo bench --locked --bench image >&2
fi

echo "== cargo bench --bench interactive (pty, real binary)" >&2
cargo bench --locked --bench interactive | tee "$WORK/interactive.txt" >&2

if [ "${SKIP_ROBUST:-0}" != 1 ]; then
  echo "== bench/robust.sh (faults; peak RSS of search --all vs 1 page)" >&2
  TUSOU="$TUSOU" bash bench/robust.sh | tee "$WORK/robust.txt" >&2
fi
if [ "${SKIP_BATCH:-0}" != 1 ]; then
  echo "== bench/batch.sh (200 photos, rate 10/s, 300 ms per request)" >&2
  TUSOU="$TUSOU" bash bench/batch.sh | tee "$WORK/batch.txt" >&2
fi

echo "== side by side: $RUNS runs each" >&2
python3 - "$WORK" "$TUSOU" "$CONVERT" "$CHAFA" "$RUNS" "$VIPS" <<'PY'
import json, os, re, statistics, subprocess, sys, time
work, tusou, convert, chafa, runs, vips = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), sys.argv[6]
LIMIT = 3 * 1024 * 1024

def crit(*parts):
    p = os.path.join("target", "criterion", *parts, "new", "estimates.json")
    with open(p) as f:
        return json.load(f)["median"]["point_estimate"] / 1e6  # ms

def timed(cmd):
    """Wall ms, peak RSS MiB and CPU ms (user + sys) of one run, from the
    kernel's account of the finished child (wait4)."""
    t = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    wall = (time.perf_counter() - t) * 1000
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {cmd}")
    return wall, ru.ru_maxrss / 1024, (ru.ru_utime + ru.ru_stime) * 1000

def side_by_side(a, b, check=None, full=False):
    ta, tb = [], []
    timed(a); timed(b)  # warm the page cache and both binaries
    for _ in range(runs):
        ta.append(timed(a)); tb.append(timed(b))
        if check: check()
    med = lambda xs: tuple(statistics.median(x[i] for x in xs) for i in range(3))
    if full:
        return med(ta), med(tb)
    return med(ta)[0], med(tb)[0]

rows = []
def row(fig, tusou_v, peer, ratio, target, ok, unit):
    fmt = lambda v: "—" if v is None else (f"{v:.3f}" if v < 10 else f"{v:.1f}") + unit
    rows.append((fig, fmt(tusou_v), fmt(peer) if peer is not None else "—",
                 "—" if ratio is None else f"{ratio:.2f}", target, "PASS" if ok else "FAIL"))

# 1. render
f100, f10k, f100k = (crit("frame_200x60", "offers", str(n)) for n in (100, 10000, 100000))
row("1 frame 200×60, 10,000 offers", f10k, f100, f10k / f100, "ratio ≤ 1.2 vs 100", f10k / f100 <= 1.2 and f10k < 2, " ms")
row("1 frame 200×60, 100,000 offers", f100k, f100, f100k / f100, "≤ 1.2× frame(100), < 2 ms", f100k / f100 <= 1.2 and f100k < 2, " ms")

res = {}
with open(os.path.join(work, "interactive.txt")) as f:
    for line in f:
        if line.startswith("RESULT "):
            _, k, v = line.split()
            res[k] = float(v)

# 2. prefetch
v = res["fig2_loading_at_cursor_ms"]
row("2 loading row at cursor, pages 2–10", v, None, None, "0 ms", v == 0, " ms")
row("2   (first page: upload + page 1, 300 ms/request)", res["fig2_first_page_ms"], None, None, "reported", True, " ms")

# 13.4 flat memory in a TUI session (benches/interactive.rs, "flat_rss")
if "flat_rss_big_mib" in res:
    a, b, n = res["flat_rss_1k_mib"], res["flat_rss_big_mib"], int(res["flat_rss_offers_big"])
    rows.append((f"13.4 peak RSS, TUI session, {n:,} offers vs 1,000 (sim in its own process)",
                 f"{b:.1f} MiB", f"{a:.1f} MiB (1,000)", f"{b / a:.2f}", "≤ 1.10", "PASS" if b / a <= 1.10 else "FAIL"))

# 13.4 flat memory of `tusou search --all` (bench/robust.sh)
robust_txt = os.path.join(work, "robust.txt")
if os.path.exists(robust_txt):
    text = open(robust_txt).read()
    for what, one_re, all_re in (
            ("simulator's offers", r"^peak RSS 1 page\s*: ([\d.]+) MiB", r"^peak RSS --all\s*: ([\d.]+) MiB"),
            ("offers with 10 KB titles", r"^peak RSS, 10 KB titles, 1 page\s*: ([\d.]+) MiB", r"^peak RSS, 10 KB titles, --all\s*: ([\d.]+) MiB")):
        m1, m2 = re.search(one_re, text, re.M), re.search(all_re, text, re.M)
        if m1 and m2:
            a, b = float(m1.group(1)), float(m2.group(1))
            rows.append((f"13.4 peak RSS, search --all (100 pages × 50, {what}) vs --pages 1", f"{b:.1f} MiB", f"{a:.1f} MiB (1 page)",
                         f"{b / a:.2f}", "≤ 1.10", "PASS" if b / a <= 1.10 else "FAIL"))

# 13.3 pictures before the user asks (benches/interactive.rs, "pictures")
if "pictures_wait_after_first_ms" in res:
    v = res["pictures_wait_after_first_ms"]
    row("13.3 picture wait after the first, 30 rows at 2 rows/s, 300 ms per picture", v, None, None, "0 ms", v == 0, " ms")
    row("13.3   rows that waited for their picture", res["pictures_rows_waited"], None, None, "0", res["pictures_rows_waited"] == 0, "")
    row("13.3   the first picture (nothing to fetch ahead yet)", res["pictures_first_ms"], None, None, "reported", True, " ms")
    b, a = res["pictures_bytes_per_row_before"] / 1000, res["pictures_bytes_per_row_after"] / 1000
    rows.append(("13.3   bytes per row: full picture → alicdn 300×300 copy", f"{a:.1f} KB", f"{b:.1f} KB (before)",
                 f"{a / b:.2f}", "reported", "PASS"))

# 3. key to frame
v = res["fig3_p99_ms"]
row("3 key → frame p99, 10,000 offers", v, None, None, "< 16 ms", v < 16, " ms")
row("3   key → frame p50", res["fig3_p50_ms"], None, None, "reported", True, " ms")

# 4. image preparation, process to process
for name, src in (("24 MP JPEG", "photo24mp.jpg"), ("36 MB BMP", "photo36mb.bmp")):
    src = os.path.join(work, src)
    out_t, out_c = os.path.join(work, "out-tusou.jpg"), os.path.join(work, "out-convert.jpg")
    def check():
        for p in (out_t, out_c):
            size = os.path.getsize(p)
            assert size < LIMIT, f"{p} is {size} bytes"
    t, c = side_by_side([tusou, "prepare", src, "-o", out_t],
                        [convert, src, "-resize", "1000x1000", "-quality", "85", out_c], check)
    row(f"4 fit {name} under 3 MB", t, c, t / c, "≤ ImageMagick", t <= c, " ms")
b64 = crit("encode_and_hash", "base64_md5", "3MiB")
md5_only = crit("encode_and_hash", "md5_only", "3MiB")
gbs = 3 * 1024 * 1024 / (b64 / 1000) / 1e9
md5_gbs = 3 * 1024 * 1024 / (md5_only / 1000) / 1e9
# The old "≥ 1 GB/s" target was wrong (MD5 alone is slower); issue 13 set
# this one: hashing and encoding together ≥ 0.9× MD5 alone, same bytes.
rows.append(("4/13.6 base64 + MD5 of 3 MiB (peer: MD5 alone, same bytes; criterion)", f"{gbs:.2f} GB/s", f"{md5_gbs:.2f} GB/s",
             f"{gbs / md5_gbs:.2f}", "≥ 0.9× MD5 alone", "PASS" if gbs / md5_gbs >= 0.9 else "FAIL"))

# 13.1 prepare vs libvips, process to process: wall, peak RSS, CPU, PSNR
psnr_jobs = []
for name, src, target in (("24 MP JPEG 6000×4000", "photo24mp.jpg", 0.7),
                          ("12 MP phone JPEG, EXIF rotation", "phone12mp_exif.jpg", 0.7),
                          ("36 MB BMP 3464×3464", "photo36mb.bmp", 1.0),
                          ("12 MP PNG 4000×3000", "photo12mp.png", 1.0)):
    src = os.path.join(work, src)
    out_t, out_v = os.path.abspath(os.path.join(work, "out13-tusou.jpg")), os.path.abspath(os.path.join(work, "out13-vips.jpg"))
    (t, t_rss, t_cpu), (v, v_rss, v_cpu) = side_by_side(
        [tusou, "prepare", src, "-o", out_t],
        [vips, src, "--size", "1000", "-o", out_v + "[Q=85]"], full=True)
    # The outputs of the last runs, kept for the quality check.
    keep_t, keep_v = out_t.replace(".jpg", f"-{len(psnr_jobs)}.jpg"), out_v.replace(".jpg", f"-{len(psnr_jobs)}.jpg")
    os.replace(out_t, keep_t); os.replace(out_v, keep_v)
    psnr_jobs.append((name, src, keep_t, keep_v))
    row(f"13.1 prepare {name} → 1000 px: wall", t, v, t / v, f"≤ {target}", t / v <= target, " ms")
    row("13.1   peak RSS", t_rss, v_rss, t_rss / v_rss, "≤ peer", t_rss <= v_rss, " MiB")
    row("13.1   CPU (user + sys)", t_cpu, v_cpu, t_cpu / v_cpu, "reported", True, " ms")
for name, src, out_t, out_v in psnr_jobs:
    env = dict(os.environ, BENCH_PSNR=os.pathsep.join([os.path.abspath(src), out_t, out_v]))
    got = subprocess.run(["cargo", "bench", "--locked", "--bench", "image"], env=env, check=True,
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
    db = [float(m.group(1)) for m in re.finditer(r"^PSNR \S+ ([\d.]+)", got, re.M)]
    rows.append((f"13.1   PSNR vs full decode + Lanczos3, {name}", f"{db[0]:.1f} dB", f"{db[1]:.1f} dB",
                 "—", "≥ 35 dB", "PASS" if db[0] >= 35 else "FAIL"))

# 13.5 wire bytes per page request, both providers, default compact copy:
# `tusou search` through a byte-counting TCP proxy in front of `tusou sim`.
import socket, threading
def free_port():
    with socket.socket() as so:
        so.bind(("127.0.0.1", 0))
        return so.getsockname()[1]

class CountingProxy:
    """Forwards 127.0.0.1:port to the simulator; counts client → server bytes."""
    def __init__(self, upstream):
        self.upstream, self.sent, self.lock = upstream, 0, threading.Lock()
        self.sock = socket.socket(); self.sock.bind(("127.0.0.1", 0)); self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.accept, daemon=True).start()
    def accept(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            u = socket.create_connection(self.upstream, timeout=30)
            threading.Thread(target=self.pump, args=(c, u, True), daemon=True).start()
            threading.Thread(target=self.pump, args=(u, c, False), daemon=True).start()
    def pump(self, a, b, count):
        try:
            while True:
                data = a.recv(65536)
                if not data:
                    break
                if count:
                    with self.lock:
                        self.sent += len(data)
                b.sendall(data)
        except OSError:
            pass
        finally:
            for x in (a, b):
                try: x.shutdown(socket.SHUT_RDWR)
                except OSError: pass

sim_port = free_port()
sim = subprocess.Popen([tusou, "sim", "--port", str(sim_port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
import urllib.request
for _ in range(200):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{sim_port}/_sim/stats", timeout=1).read(); break
    except Exception:
        time.sleep(0.05)
proxy = CountingProxy(("127.0.0.1", sim_port))
photo = os.path.join(work, "phone12mp_exif.jpg")
def wire(provider, pages, n):
    d = os.path.abspath(os.path.join(work, f"wire-{provider}-{pages}-{n}"))
    base = f"http://127.0.0.1:{proxy.port}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TUSOU_")}
    env.update(TUSOU_CONFIG_DIR=d + "/config", TUSOU_CACHE_DIR=d + "/cache", TUSOU_DATA_DIR=d + "/data",
               TUSOU_PROVIDER=provider)
    if provider == "dajisaas":
        env.update(TUSOU_DAJI_BASE_URL=base, TUSOU_APP_KEY="tusou-demo-app-key", TUSOU_APP_SECRET="tusou-demo-app-secret")
    else:
        env.update(TUSOU_BASE_URL=base, TUSOU_ACCESS_KEY="7475736f7564656d6f6163636573736b",
                   TUSOU_SECRET_KEY="tusou-demo-secret-key", TUSOU_USER_ID="2100007341207")
    before = proxy.sent
    subprocess.run([tusou, "search", photo, "--pages", str(pages), "--page-size", "20"], env=env, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.2)
    return proxy.sent - before
for provider in ("dajisaas", "signed-header"):
    one, five = wire(provider, 1, 0), wire(provider, 5, 1)
    per_page = (five - one) / 4 / 1000
    rows.append((f"13.5 wire bytes per page request, {provider} (pages 2–5; page 1 with any upload: {one / 1000:.1f} KB)",
                 f"{per_page:.1f} KB", "—", "—", "≤ 150 KB", "PASS" if per_page <= 150 else "FAIL"))
sim.kill(); sim.wait()

# 13.2 batch throughput (bench/batch.sh, --concurrency 6 row)
batch_txt = os.path.join(work, "batch.txt")
if os.path.exists(batch_txt):
    with open(batch_txt) as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells and cells[0] == "6":
                ratio = float(cells[4])
                cpu_s = float(cells[10].split()[0])
                photos = 200
                rows.append(("13.2 batch: 200 photos, rate 10/s, 300 ms: requests/s ÷ rate", f"{ratio:.3f}", "—", "—", "≥ 0.95", "PASS" if ratio >= 0.95 else "FAIL"))
                rows.append(("13.2   CPU per photo (whole process ÷ photos)", f"{cpu_s / photos * 1000:.1f} ms", "—", "—", "reported", "PASS"))

# 5. thumbnails
src = os.path.join(work, "photo800.jpg")
t, c = side_by_side([tusou, "preview", src, "--size", "40x20"],
                    [chafa, "--size", "40x20", "--symbols", "vhalf", "--animate", "off", src])
row("5 800 px JPEG → 40×20 half blocks (process)", t, c, t / c, "< chafa", t < c, " ms")
inproc = crit("thumbnail_halfblock_800px_jpeg_40x20")
row("5   in-process decode + scale (criterion)", inproc, None, None, "reported", True, " ms")

# 6. start and memory
v = res["fig6_start_ms"]
row("6 launch → first frame (median of 15)", v, None, None, "< 50 ms", v < 50, " ms")
v = res["fig6_rss_mib"]
row(f"6 peak RSS, 10,000 offers + {res['fig6_cache_filled_mib']:.1f} MiB of pictures (live: simulator in its own process)", v, None, None, "< 80 MB", v * 1.048576 < 80, " MiB")
if "fig6_rss_with_demo_sim_mib" in res:
    row("6   same in demo mode (simulator with 12,000 offers inside the app)", res["fig6_rss_with_demo_sim_mib"], None, None, "reported", True, " MiB")
if "fig6_rss_halfblocks_mib" in res:
    row("6   peak RSS, 10,000 offers, half-block session (demo mode)", res["fig6_rss_halfblocks_mib"], None, None, "reported", True, " MiB")

# History (the store issue): reopening a stored search, memory with 100,000 stored offers
if "history_reopen_p99_ms" in res:
    v = res["history_reopen_p99_ms"]
    row("H reopen a stored 1,000-offer search → first frame, p99 of 30 (100,000 stored)", v, None, None, "< 50 ms", v < 50, " ms")
    row("H   same, p50", res["history_reopen_p50_ms"], None, None, "reported", True, " ms")
    v = res["history_rss_100k_stored_mib"]
    row("H peak RSS after 30 reopens, 100,000 offers stored (demo mode)", v, None, None, "< 80 MB", v * 1.048576 < 80, " MiB")

heads = ("figure", "tusou", "peer", "ratio", "target", "pass/fail")
widths = [max(len(str(r[i])) for r in rows + [heads]) for i in range(6)]
line = lambda r: "| " + " | ".join(str(c).ljust(w) for c, w in zip(r, widths)) + " |"
print(line(heads))
print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
for r in rows:
    print(line(r))
PY
