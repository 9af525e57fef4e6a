#!/usr/bin/env python3
"""Crop mode drawn with the terminal's protocol (issue 23): what a move of
the box costs, in bytes and in time, against opening crop mode.

In a 200x60 pseudo-terminal reporting 9x18-pixel cells, demo mode, a catalog
photo searched, for kitty and for half blocks side by side:

- `c` (crop mode on the search's photo): the bytes until the screen settles
  (kitty: the photo sent once, and the box over it);
- 40 moves of the box (`-` then `l`/`j`/`h`/`k` and `+`, round and round):
  for each, the bytes written and the time from the key to the last byte of
  its answer (kitty: the end of the box's picture, which is encoded after
  the key), p50/p99/max.

    cargo build --release && python3 bench/crop-bytes.py

Every wait is bounded; the run takes about half a minute.
"""
import os, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("CELL", "9x18")
gb = __import__("gallery-bytes")

KEYS = [b"-", b"-"] + [b"l", b"j", b"h", b"k", b"+", b"-"] * 8


def key_answer(fd, key):
    """Writes `key`, reads its answer; (bytes, seconds to the last byte)."""
    t0 = time.time()
    os.write(fd, key)
    chunks = gb.pump(fd, 0.25, 5)
    if not chunks:
        return 0, None
    return sum(len(c) for _, c in chunks), chunks[-1][0] - t0


def run(protocol, photo, tmp):
    pid, fd = gb.start(protocol, tmp, photo)
    gb.pump(fd, 1.5, 20)  # the search, its first page and pictures
    os.write(fd, b"c")
    first = b"".join(c for _, c in gb.pump(fd, 1.0, 20))
    moves = [key_answer(fd, k) for k in KEYS]
    gb.stop(pid, fd)
    return first, moves


def pct(xs, q):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * q)]


def main():
    if not os.path.exists(gb.binary):
        sys.exit(f"no binary at {gb.binary}: cargo build --release")
    with tempfile.TemporaryDirectory() as tmp:
        photos = os.path.join(tmp, "photos")
        os.makedirs(photos)
        subprocess.run([gb.binary, "sim", "--samples", photos], check=True, capture_output=True)
        photo = os.path.join(photos, sorted(p for p in os.listdir(photos) if p.endswith(".jpg"))[0])
        print(f"200x60 pty, cell {gb.CELL[0]}x{gb.CELL[1]} px, {len(KEYS)} moves of the box")
        for protocol in ["kitty", "halfblocks"]:
            data = os.path.join(tmp, protocol)
            os.makedirs(data)
            first, moves = run(protocol, photo, data)
            if protocol == "kitty":
                photo_again = sum(1 for n, _ in moves if n > len(first) // 2)
                print(f"kitty: moves that sent something as large as the photo: {photo_again}")
            sizes = [n for n, _ in moves]
            times = [t * 1e3 for _, t in moves if t is not None]
            extra = ""
            if protocol == "kitty":
                photos_sent = first.count(b"a=T") - first.count(b"z=1,")
                extra = f" ({photos_sent} photo sent, {first.count(b'z=1,')} box over it)"
            print(f"{protocol}: crop mode opened: {len(first)} bytes{extra}")
            print(f"  a move of the box: bytes p50 {pct(sizes, 0.5)}, max {max(sizes)}"
                  f" ({100.0 * pct(sizes, 0.5) / max(len(first), 1):.2f} % of opening);"
                  f" key -> last byte p50 {pct(times, 0.5):.1f} ms, p99 {pct(times, 0.99):.1f} ms,"
                  f" max {max(times):.1f} ms ({len(times)} answered)")
        return 0


if __name__ == "__main__":
    sys.exit(main())
