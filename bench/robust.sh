#!/usr/bin/env bash
# Network robustness figures of `tusou search`, with the real binary against
# a standalone simulator (`tusou sim`, its own process) on loopback:
#
#  1. searches that succeed at 30 % injected faults: $SEARCHES (20) searches,
#     each a fresh upload (empty image-id cache) and five pages of 20, the
#     default network settings, the simulator's faults server-error,
#     malformed-json, truncated-body, code-error, rate-limit (Retry-After
#     1 s) and reset-mid-body where the binary's simulator has it; unseeded;
#  2. peak RSS of `search --page-size 50 --pages 1` and of `--all` (100
#     pages, 5,000 offers) against a 100,000-offer catalog, from the kernel's
#     own account of the finished child (wait4 ru_maxrss), median of 3;
#  3. the same against a stub provider (in this script) whose 5,000 offers
#     have 10 KB titles (50 MB of results), so that holding them all shows.
#
#   bash bench/robust.sh                         # builds release first; ~1 min to run
#   TUSOU=/tmp/tusou-before bash bench/robust.sh # another build of tusou (client and sim)
#   SIM=target/release/tusou TUSOU=/tmp/tusou-before bash bench/robust.sh
#                                                # an older client against this simulator
#   SEARCHES=50 RATE=0.3 bash bench/robust.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TUSOU:-}" ]; then
  cargo build --release --locked >&2
  TUSOU="$PWD/target/release/tusou"
fi
WORK="${BENCH_WORK:-target/bench-work}/robust"
rm -rf "$WORK"
mkdir -p "$WORK"
exec python3 - "$TUSOU" "${SIM:-$TUSOU}" "$WORK" "${SEARCHES:-20}" "${RATE:-0.3}" <<'PY'
import os, socket, statistics, subprocess, sys, time

tusou, sim_bin, work, searches, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def start_sim(*args):
    port = free_port()
    sim = subprocess.Popen([sim_bin, "sim", "--port", str(port), *args],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(500):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return sim, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.02)
    sim.kill()
    sys.exit("the simulator did not start")

def env(base, n):
    e = dict(os.environ)
    for k in ("TUSOU_ACCESS_KEY", "TUSOU_PROVIDER", "TUSOU_BASE_URL"):
        e.pop(k, None)
    e.update(TUSOU_DAJI_BASE_URL=base, TUSOU_APP_KEY="tusou-demo-app-key",
             TUSOU_APP_SECRET="tusou-demo-app-secret",
             TUSOU_CONFIG_DIR=f"{work}/config-{n}", TUSOU_CACHE_DIR=f"{work}/cache-{n}")
    return e

def run(args, e):
    """Runs tusou; answers (exit code, stdout lines, peak RSS KiB, seconds)."""
    out = open(f"{work}/out", "wb")
    started = time.monotonic()
    p = subprocess.Popen([tusou, *args], stdout=out, stderr=open(f"{work}/err", "wb"), env=e)
    _, status, usage = os.wait4(p.pid, 0)
    took = time.monotonic() - started
    out.close()
    code = os.waitstatus_to_exitcode(status)
    lines = sum(1 for _ in open(f"{work}/out", "rb"))
    return code, lines, usage.ru_maxrss, took

subprocess.run([sim_bin, "sim", "--samples", f"{work}/photos", "--sample-count", "1"],
               check=True, stdout=subprocess.DEVNULL)
photo = os.path.join(f"{work}/photos", sorted(os.listdir(f"{work}/photos"))[0])

# --- 1. searches at 30 % faults --------------------------------------------
sim_help = subprocess.run([sim_bin, "sim", "--help"], capture_output=True, text=True).stdout
kinds = ["server-error", "malformed-json", "truncated-body", "code-error", "rate-limit"]
if "reset-mid-body" in sim_help:
    kinds.append("reset-mid-body")
fault_args = [a for k in kinds for a in ("--fault", k)] + ["--fault-rate", rate]
sim, base = start_sim(*fault_args)
ok, times, failures = 0, [], []
try:
    for n in range(searches):
        code, lines, _, took = run(["search", photo, "--pages", "5", "--format", "csv"], env(base, n))
        times.append(took)
        if code == 0 and lines == 101:
            ok += 1
        else:
            failures.append(f"exit {code}, {max(lines - 1, 0)} rows: "
                            + open(f"{work}/err", errors="replace").read().strip().splitlines()[-1])
finally:
    sim.terminate()
    sim.wait()
print(f"faults {','.join(kinds)} at rate {rate}")
print(f"{ok}/{searches} five-page searches succeeded "
      f"(median {statistics.median(times):.1f} s, max {max(times):.1f} s per search)")
for f in failures:
    print(f"  failed: {f}")

# --- 2. peak RSS, 1 page vs --all ------------------------------------------
sim, base = start_sim("--catalog-size", "100000", "--max-results", "100000")
try:
    # Warm up: the simulator builds its catalog on the first query.
    run(["search", photo, "--pages", "1"], env(base, "warm"))
    peaks = {}
    for label, pages in (("1 page", ["--pages", "1"]), ("--all", ["--all"])):
        runs = [run(["search", photo, "--page-size", "50", *pages, "--format", "csv"],
                    env(base, f"rss-{label}-{i}")) for i in range(3)]
        code, lines, _, _ = runs[0]
        peaks[label] = statistics.median(r[2] for r in runs) / 1024
        print(f"peak RSS {label:7}: {peaks[label]:.1f} MiB (exit {code}, {lines - 1} offers written)")
    print(f"peak RSS --all minus 1 page: {peaks['--all'] - peaks['1 page']:+.1f} MiB")
finally:
    sim.terminate()
    sim.wait()

# --- 3. peak RSS with fat offers (a stub provider) --------------------------
import http.server, json, threading, urllib.parse

class Fat(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.reply({"code": 200, "message": "ok", "data": {"imageId": "1164408192156408878"}})
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        page = int(q.get("beginPage", ["1"])[0])
        items = [{"offerId": str(600000000000 + page * 1000 + i),
                  "subject": f"offer {page}-{i} " + "x" * 10000,
                  "priceInfo": {"price": "9.90"}, "monthSold": 3}
                 for i in range(50 if page <= 100 else 0)]
        self.reply({"code": 200, "message": "ok", "data": {
            "totalRecords": 5000, "totalPage": 100, "pageSize": 50,
            "currentPage": page, "data": items}})

server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Fat)
threading.Thread(target=server.serve_forever, daemon=True).start()
base = f"http://127.0.0.1:{server.server_address[1]}"
peaks = {}
for label, pages in (("1 page", ["--pages", "1"]), ("--all", ["--all"])):
    runs = [run(["search", photo, "--page-size", "50", *pages, "--format", "csv"],
                env(base, f"fat-{label}-{i}")) for i in range(3)]
    code, lines, _, _ = runs[0]
    peaks[label] = statistics.median(r[2] for r in runs) / 1024
    print(f"peak RSS, 10 KB titles, {label:7}: {peaks[label]:.1f} MiB (exit {code}, {lines - 1} offers written)")
print(f"peak RSS, 10 KB titles, --all minus 1 page: {peaks['--all'] - peaks['1 page']:+.1f} MiB")
server.shutdown()
PY
