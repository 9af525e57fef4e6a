#!/usr/bin/env bash
# `tusou watch run` against a standalone simulator (`tusou sim`, its own
# process) on loopback with 300 ms latency per request and a provider rate
# limit of --rate: N watches of 2 pages each (distinct catalog photos, so
# each run uploads its picture once and queries 2 pages), run at the rate.
#
# Per run: the requests made (the simulator's counts: uploads + queries),
# the run's elapsed time (the whole `watch run` process), the time the rate
# allows for those requests (requests / rate), their ratio (the goal:
# <= 1.05 at 100 watches), 429s, the most requests in any one second, and
# peak RSS of the tusou process (wait4 ru_maxrss), for 10 and 100 watches:
# memory should not grow with the watches.
#
#   bash bench/watch.sh                      # builds release first
#   TUSOU=target/release/tusou WATCHES="10 100" RATE=5 bash bench/watch.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TUSOU:-}" ]; then
  cargo build --release --locked >&2
  TUSOU="${CARGO_TARGET_DIR:-$PWD/target}/release/tusou"
fi
WORK="${BENCH_WORK:-${CARGO_TARGET_DIR:-target}/bench-work}/watch"
rm -rf "$WORK"
mkdir -p "$WORK"
exec python3 - "$TUSOU" "$WORK" "${WATCHES:-10 100}" "${RATE:-5}" <<'PY'
import json, os, socket, subprocess, sys, time, urllib.request

tusou, work, counts, rate = sys.argv[1], sys.argv[2], [int(n) for n in sys.argv[3].split()], float(sys.argv[4])

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

pics = os.path.join(work, "photos")
subprocess.run([tusou, "sim", "--samples", pics, "--sample-count", str(max(counts))],
               check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
photos = sorted(os.path.join(pics, p) for p in os.listdir(pics))

def run(n):
    port = free_port()
    sim = subprocess.Popen([tusou, "sim", "--port", str(port), "--latency-ms", "300",
                            "--rate-limit", str(rate)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/_sim/stats", timeout=1).read()
            break
        except Exception:
            time.sleep(0.05)
    d = os.path.join(work, f"w{n}")
    os.makedirs(d + "/config", exist_ok=True)
    env = dict(os.environ, TUSOU_CONFIG_DIR=d + "/config", TUSOU_CACHE_DIR=d + "/cache",
               TUSOU_DATA_DIR=d + "/data", TUSOU_DAJI_BASE_URL=base,
               TUSOU_APP_KEY="tusou-demo-app-key", TUSOU_APP_SECRET="tusou-demo-app-secret",
               TUSOU_PROVIDER="dajisaas")
    for k in ("TUSOU_ACCESS_KEY", "TUSOU_CURRENCY", "TUSOU_RATE"):
        env.pop(k, None)
    for p in photos[:n]:
        subprocess.run([tusou, "watch", "add", p, "--pages", "2", "--page-size", "20"],
                       env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Only the run's requests are counted.
    urllib.request.urlopen(urllib.request.Request(base + "/_sim/stats", method="DELETE"),
                           timeout=5).read()
    t = time.perf_counter()
    errf = open(os.path.join(d, "stderr.txt"), "w+")
    p = subprocess.Popen([tusou, "watch", "run", "--rate", str(rate), "--format", "json"],
                         env=env, stdout=subprocess.PIPE, stderr=errf, text=True)
    out = p.stdout.read()
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t
    code = os.waitstatus_to_exitcode(status)
    errf.seek(0)
    err = errf.read()
    stats = json.loads(urllib.request.urlopen(base + "/_sim/stats", timeout=5).read())
    sim.kill(); sim.wait()
    digest = json.loads(out)
    statuses = [w["status"] for w in digest["watches"]]
    if code not in (0, 10) or any(s != "first-run" for s in statuses):
        sys.exit(f"watch run exit {code}: {statuses}\n{err}")
    return dict(n=n, wall=wall, rss_mib=usage.ru_maxrss / 1024, **stats)

rows = []
for n in counts:
    rows.append(run(n))
print(f"{rate:g} requests/s (the simulator's limit too), 300 ms per request, 2 pages of 20 per watch")
print("| watches | requests (sim) | elapsed | rate allows | ratio | 429s | most in 1 s | peak RSS |")
print("|---|---|---|---|---|---|---|---|")
for r in rows:
    req = r["uploads"] + r["queries"]
    allowed = req / rate
    print(f"| {r['n']} | {req} ({r['uploads']} uploads + {r['queries']} queries) | {r['wall']:.2f} s "
          f"| {allowed:.2f} s | {r['wall'] / allowed:.3f} | {r['rate_limited']} | {r['max_per_second']} "
          f"| {r['rss_mib']:.1f} MiB |")
PY
