#!/usr/bin/env python3
"""Bytes tusou writes to the terminal for the gallery, and how long the
first gallery screen takes to reach a terminal over a slow link (issue 23).

For kitty and for sixel, in a 200x60 pseudo-terminal, demo mode (the
simulator's catalog pictures), a catalog photo searched:

- `v` (the gallery): the bytes of the first screen (every cell's picture and
  the frame); for kitty also the bytes sent ahead (the next screen's pictures
  stored in the terminal without being placed, `a=t`);
- `j` pressed until the grid scrolls: the bytes of each move inside the
  screen, and of the move that scrolls the grid by one row;
- the same `v` through a pty read at 1 MB/s (an SSH-like link): the time from
  the key to the last byte of the last picture on screen, and from the
  moment the screen's last picture was ready in the app (decoded and
  encoded; the app's debug log, `TUSOU_LOG=tusou::pictures=debug`, in its
  cache dir) to that byte.

    cargo build --release && python3 bench/gallery-bytes.py
    TUSOU_BIN=target/debug/tusou RATE=1000000 CELL=9x18 python3 bench/gallery-bytes.py

Every wait is bounded (at most 20 s each); the whole run takes about a minute.
"""
import fcntl, os, pty, select, struct, subprocess, sys, tempfile, termios, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.environ.get("TUSOU_BIN", os.path.join(root, "target", "release", "tusou"))
RATE = float(os.environ.get("RATE", "1000000"))  # bytes per second
COLS, ROWS = 200, 60
# CELL=WxH: the pixel size of a cell the pty reports (as a graphical
# terminal does); unset, the pty reports none and tusou assumes 10x20.
CELL = tuple(int(v) for v in os.environ["CELL"].split("x")) if os.environ.get("CELL") else (0, 0)
WINSIZE = struct.pack("HHHH", ROWS, COLS, COLS * CELL[0], ROWS * CELL[1])


def pump(fd, quiet, limit, rate=None, until=None):
    """Reads until nothing came for `quiet` s (or `until(data)` holds, or
    `limit` s passed); with `rate`, never faster than `rate` bytes/s.
    Returns [(time, chunk)]."""
    chunks, total = [], 0
    start = time.time()
    last = start
    while True:
        now = time.time()
        if now - start > limit or now - last > quiet:
            break
        if until and until(b"".join(c for _, c in chunks)):
            break
        r, _, _ = select.select([fd], [], [], 0.01)
        if not r:
            continue
        try:
            chunk = os.read(fd, 16384 if rate else 1 << 16)
        except OSError:
            break
        if not chunk:
            break
        last = time.time()
        chunks.append((last, chunk))
        total += len(chunk)
        if rate:
            # Hold the reader back so that no more than `rate` bytes a
            # second are taken (the app's writes block meanwhile).
            ahead = total / rate - (time.time() - start)
            if ahead > 0:
                time.sleep(ahead)
    return chunks


def kitty_split(data):
    """(bytes of commands that store a picture ahead (a=t), the rest)."""
    ahead = 0
    i = 0
    current_ahead = False
    while True:
        j = data.find(b"\x1b_G", i)
        if j < 0:
            break
        end = data.find(b"\x1b\\", j)
        if end < 0:
            break
        seq = data[j:end + 2]
        head = seq[3:seq.find(b";")] if b";" in seq else seq[3:]
        if b"a=" in head:
            current_ahead = b"a=t," in head
        if current_ahead:
            ahead += len(seq)
        i = end + 2
    return ahead, len(data) - ahead


def last_picture_end(chunks, protocol):
    """Time of the chunk holding the end of the last picture placed on
    screen (kitty a=T or a=p; a sixel's string end)."""
    data = b""
    marks = []
    for t, c in chunks:
        data += c
        marks.append((len(data), t))
    if protocol == "kitty":
        # Pictures sent ahead (a=t) start once the screen is complete.
        ahead = data.find(b",a=t,")
        screen = data[:ahead] if ahead >= 0 else data
        pos = max(screen.rfind(b"a=p,"), screen.rfind(b"a=T"))
        if pos < 0:
            return None
        # The end of that command's last chunk (m=0).
        end = data.find(b"m=0;", pos)
        end = data.find(b"\x1b\\", end if end >= 0 else pos)
    else:
        pos = data.rfind(b"\x1bP")
        end = data.find(b"\x1b\\", pos) if pos >= 0 else -1
    if end < 0:
        return None
    return next(t for n, t in marks if n >= end)


def start(protocol, tmp, photo):
    env = dict(os.environ, TUSOU_GRAPHICS=protocol, TERM="xterm-kitty" if protocol == "kitty" else "xterm-256color",
               TUSOU_CONFIG_DIR=tmp, TUSOU_DATA_DIR=tmp, TUSOU_CACHE_DIR=tmp,
               TUSOU_DEMO_LATENCY_MS="0")
    env.pop("DISPLAY", None)
    env.pop("CI", None)
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, WINSIZE)
        os.execve(binary, [binary, "--demo", photo], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, WINSIZE)
    return pid, fd


def stop(pid, fd):
    os.write(fd, b"q")
    pump(fd, 0.3, 3)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)


def pictures(data, protocol):
    if protocol == "kitty":
        return data.count(b"a=T"), data.count(b"a=p,"), data.count(b"a=t,")
    return data.count(b"\x1bP"), 0, 0


def run(protocol, photo, tmp):
    pid, fd = start(protocol, tmp, photo)
    pump(fd, 1.5, 20)  # the search, its first page and pictures
    os.write(fd, b"3")
    pump(fd, 0.5, 5)
    os.write(fd, b"v")
    first = b"".join(c for _, c in pump(fd, 1.0, 20))
    ahead, screen = kitty_split(first) if protocol == "kitty" else (0, len(first))
    sent, placed, stored = pictures(first, protocol)
    moves = []
    for _ in range(12):
        os.write(fd, b"j")
        out = b"".join(c for _, c in pump(fd, 0.6, 10))
        a, rest = kitty_split(out) if protocol == "kitty" else (0, len(out))
        moves.append((len(out), rest, a) + pictures(out, protocol))
        # The scroll: pictures placed or sent for a whole row of cells.
        if protocol == "kitty" and moves[-1][4] >= 4 or protocol != "kitty" and moves[-1][3] >= 4:
            break
    stop(pid, fd)
    return screen, ahead, (sent, placed, stored), moves


def last_arrival(tmp, since):
    """The wall time the last picture for the screen was ready (decoded and
    encoded, sent to the event loop) after `since`, from the app's log
    (TUSOU_LOG=tusou::pictures=debug): pictures the loop found on screen,
    matched by tag to their "picture ready" line. None when not logged."""
    import datetime, re
    path = os.path.join(tmp, "tusou.log")
    if not os.path.exists(path):
        return None
    ready, on_screen = {}, set()
    for line in open(path, encoding="utf-8", errors="replace"):
        tag = re.search(r"picture=(\d+)", line)
        if not tag:
            continue
        try:
            t = datetime.datetime.fromisoformat(line.split()[0].replace("Z", "+00:00")).timestamp()
        except ValueError:
            continue
        if t < since:
            continue
        if "picture ready" in line:
            ready[tag.group(1)] = t
        elif "picture arrived" in line and "on_screen=true" in line:
            on_screen.add(tag.group(1))
    times = [ready[k] for k in on_screen if k in ready]
    return max(times) if times else None


def throttled(protocol, photo, tmp):
    os.environ["TUSOU_LOG"] = "tusou::pictures=debug"
    pid, fd = start(protocol, tmp, photo)
    del os.environ["TUSOU_LOG"]
    pump(fd, 1.5, 20, rate=RATE)
    os.write(fd, b"3")
    pump(fd, 0.5, 5, rate=RATE)
    t0 = time.time()
    os.write(fd, b"v")
    # Until the screen's pictures are all out (36 cells at 200x60; kitty's
    # sent ahead are not counted), so a slow moment of a busy machine does
    # not end the reading early; then what follows, until quiet.
    def screen_out(data):
        if protocol == "kitty":
            return data.count(b"a=T") + data.count(b"a=p,") >= 36
        return data.count(b"\x1bP") >= 36
    chunks = pump(fd, 5.0, 30, rate=RATE, until=screen_out)
    chunks += pump(fd, 1.0, 20, rate=RATE)
    done = last_picture_end(chunks, protocol)
    total = sum(len(c) for _, c in chunks)
    stop(pid, fd)
    arrived = last_arrival(tmp, t0)
    after = (done - arrived) if done and arrived else None
    return (done - t0) if done else None, total, after


def main():
    if not os.path.exists(binary):
        sys.exit(f"no binary at {binary}: cargo build --release")
    with tempfile.TemporaryDirectory() as tmp:
        photos = os.path.join(tmp, "photos")
        os.makedirs(photos)
        subprocess.run([binary, "sim", "--samples", photos], check=True, capture_output=True)
        photo = os.path.join(photos, sorted(p for p in os.listdir(photos) if p.endswith(".jpg"))[0])
        print(f"200x60 pty, cell {'%dx%d px' % CELL if CELL[0] else 'not reported (tusou assumes 10x20 px)'}")
        for protocol in ["kitty", "sixel"]:
            data = os.path.join(tmp, protocol)
            os.makedirs(data)
            screen, ahead, (sent, placed, stored), moves = run(protocol, photo, data)
            print(f"{protocol}: first gallery screen {screen} bytes ({sent} pictures sent, {placed} placed)"
                  + (f"; sent ahead {ahead} bytes ({stored} pictures)" if protocol == "kitty" else ""))
            for i, (n, rest, a, s, p, t) in enumerate(moves):
                kind = "scroll" if i == len(moves) - 1 else "move"
                print(f"  j #{i + 1} ({kind}): {rest} bytes on screen ({100.0 * rest / max(screen, 1):.2f} % of the first screen),"
                      f" {s} sent, {p} placed" + (f"; ahead {a} bytes, {t} pictures" if protocol == "kitty" else ""))
            data = os.path.join(tmp, protocol + "-slow")
            os.makedirs(data)
            took, total, after = throttled(protocol, photo, data)
            shown = f"{took:.3f} s" if took is not None else "not seen"
            since = f"{after:.3f} s" if after is not None else "not seen"
            print(f"  through a pty read at {RATE / 1e6:.1f} MB/s: v -> last picture on screen {shown};"
                  f" the screen's last picture ready in the app -> its last byte on screen {since}"
                  f" ({total} bytes read in all)")


if __name__ == "__main__":
    main()
