#!/usr/bin/env python3
"""Bytes tusou writes to a kitty terminal as the cursor moves between two
offers and back (issue 23: a picture is sent once, then placed by its id).

Runs the debug binary in demo mode in a pseudo-terminal with kitty
graphics forced, searches a catalog photo, then presses `j`, `k`, `j`, `k`
in the results list and prints the bytes written after each key and how
many of them are picture transmits (`a=T`) or placements (`a=p`).

    cargo build && python3 bench/kitty-resend.py
"""
import os, pty, select, subprocess, sys, tempfile, time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
binary = os.path.join(root, "target", "debug", "tusou")


def read_for(fd, seconds):
    out = b""
    end = time.time() + seconds
    while time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


with tempfile.TemporaryDirectory() as tmp:
    photos = os.path.join(tmp, "photos")
    os.makedirs(photos)
    subprocess.run([binary, "sim", "--samples", photos], check=True, capture_output=True)
    photo = sorted(p for p in os.listdir(photos) if p.endswith(".jpg"))[0]
    env = dict(os.environ, TUSOU_GRAPHICS="kitty", TERM="xterm-kitty",
               TUSOU_CONFIG_DIR=tmp, TUSOU_DATA_DIR=tmp, TUSOU_CACHE_DIR=tmp,
               TUSOU_DEMO_LATENCY_MS="0")
    env.pop("DISPLAY", None)
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(binary, [binary, "--demo", os.path.join(photos, photo)], env)
    import fcntl, struct, termios
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    read_for(fd, 4.0)  # the search and its first pictures
    os.write(fd, b"3")
    read_for(fd, 2.0)
    rows = []
    for key in [b"j", b"k", b"j", b"k"]:
        os.write(fd, key)
        out = read_for(fd, 2.0)
        rows.append((key.decode(), len(out), out.count(b"a=T"), out.count(b"a=p")))
    os.write(fd, b"q")
    read_for(fd, 1.0)
    print(f"{'key':>4} {'bytes':>8} {'sent':>5} {'placed':>6}")
    for key, n, sent, placed in rows:
        print(f"{key:>4} {n:>8} {sent:>5} {placed:>6}")
