#!/usr/bin/env python3
"""Fails when files of src/ import each other round a loop.

ARCHITECTURE.md: a module imports only from its own row or rows below it,
and inside a module a file only from files below it. Edges are read from
`crate::`, `super::` and `self::` paths and from `use` of a child module,
resolved to the file that defines the named item: an item that a mod.rs
re-exports (`pub use child::Item`) is taken from the child, so a facade is
not a loop. What a mod.rs takes from the files of its own folder is not an
edge either: it is the folder's entrance. Test code (files named tests.rs,
*_tests.rs, tests_*.rs, and `#[cfg(test)]` items) does not count.

Usage: python3 .ci/file-cycles.py [SRC_DIR]   (default: src)
"""

import os
import re
import sys

SRC = sys.argv[1] if len(sys.argv) > 1 else "src"
IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def is_test_file(name):
    stem = name[:-3]
    return stem == "tests" or stem.endswith("_tests") or stem.startswith("tests_")


def module_path(rel):
    """src-relative file path -> module path (tuple of names)."""
    parts = rel[:-3].split(os.sep)
    if parts[-1] == "mod":
        parts = parts[:-1]
    if parts in (["lib"], ["main"]):
        return ()
    return tuple(parts)


def strip_code(text):
    """Drops comments, string literals and `#[cfg(test)]` items."""
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r'r#*"(?:.|\n)*?"#*', '""', text)
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        # Skip the item that follows: up to its matching brace or semicolon.
        j, depth = m.end(), 0
        while j < len(text):
            c = text[j]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    j += 1
                    break
            elif c == ";" and depth == 0:
                j += 1
                break
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def expand_use(tree):
    """`a::{b, c::{d, e}}` -> [a::b, a::c::d, a::c::e] (as segment lists)."""
    tree = tree.strip()
    m = re.match(r"^(.*?)\{(.*)\}$", tree, flags=re.S)
    if not m:
        tree = re.sub(r"\s+as\s+" + IDENT + "$", "", tree)
        return [[s for s in tree.split("::") if s]]
    prefix = [s for s in m.group(1).split("::") if s]
    inner, depth, cur, items = m.group(2), 0, "", []
    for c in inner:
        if c == "," and depth == 0:
            items.append(cur)
            cur = ""
            continue
        depth += c == "{"
        depth -= c == "}"
        cur += c
    items.append(cur)
    result = []
    for item in items:
        if item.strip():
            for sub in expand_use(item):
                result.append(prefix + sub)
    return result


files = {}  # module path -> src-relative file
for root, _, names in os.walk(SRC):
    for name in names:
        if name.endswith(".rs"):
            rel = os.path.relpath(os.path.join(root, name), SRC)
            files[module_path(rel)] = rel

code = {}
for mod, rel in files.items():
    if rel in ("main.rs",) or is_test_file(os.path.basename(rel)):
        continue
    with open(os.path.join(SRC, rel), encoding="utf-8") as f:
        code[mod] = strip_code(f.read())


def is_dir_module(mod):
    return files.get(mod, "").endswith("mod.rs") or files.get(mod) == "lib.rs"


# Re-exports of each module file: name -> absolute path it names.
reexports = {}
for mod, text in code.items():
    table = {}
    for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", text):
        for segs in expand_use(m.group(1)):
            if segs and segs[-1] != "*":
                table[segs[-1]] = (mod, segs)
    reexports[mod] = table


def absolute(mod, segs):
    """A path as written in module `mod` -> absolute segments, or None."""
    base = list(mod) if is_dir_module(mod) else list(mod[:-1]) if mod else []
    here = list(mod)
    if not segs:
        return None
    head = segs[0]
    if head == "crate":
        return segs[1:]
    if head == "self":
        return here + segs[1:]
    if head == "super":
        cur = here
        while segs and segs[0] == "super":
            cur = cur[:-1]
            segs = segs[1:]
        return cur + segs
    # A path relative to this module: its child module named first.
    if tuple(here + [head]) in files:
        return here + segs
    return None


def resolve(segs, seen=()):
    """Absolute segments -> the module file defining the item."""
    for k in range(len(segs), -1, -1):
        mod = tuple(segs[:k])
        if mod in files:
            rest = segs[k:]
            if rest and mod in reexports and rest[0] in reexports[mod] and (mod, rest[0]) not in seen:
                owner, path = reexports[mod][rest[0]]
                target = absolute(owner, path)
                if target is not None:
                    return resolve(target + rest[1:], seen + ((mod, rest[0]),))
            return mod
    return None


PATH = re.compile(r"\b(crate|super|self)((?:::" + IDENT + r")+)")
edges = {}
for mod, text in code.items():
    targets = set()
    uses = [m.group(1) for m in re.finditer(r"\buse\s+([^;]+);", text)]
    reexported = {m.group(1) for m in re.finditer(r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);", text)}
    for tree in uses:
        if tree in reexported:
            continue  # a facade's re-export is not a use
        for segs in expand_use(tree):
            path = absolute(mod, segs)
            if path is not None:
                targets.add(resolve(path))
    body = re.sub(r"\buse\s+[^;]+;", "", text)
    for m in PATH.finditer(body):
        segs = [m.group(1)] + [s for s in m.group(2).split("::") if s]
        path = absolute(mod, segs)
        if path is not None:
            targets.add(resolve(path))
    # A module file is the entrance of its folder: what it takes from its
    # own children (its dispatch, its facade) is not an edge, so helpers it
    # keeps for them do not make loops; everything else is.
    edges[mod] = {
        t
        for t in targets
        if t is not None and t != mod and t in code and t[: len(mod)] != mod
    }


# Tarjan's strongly connected components.
index, low, stack, on, comps, counter = {}, {}, [], set(), [], [0]


def strong(v):
    index[v] = low[v] = counter[0]
    counter[0] += 1
    stack.append(v)
    on.add(v)
    for w in sorted(edges.get(v, ())):
        if w not in index:
            strong(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while True:
            w = stack.pop()
            on.discard(w)
            comp.append(w)
            if w == v:
                break
        if len(comp) > 1:
            comps.append(comp)


sys.setrecursionlimit(10000)
for v in sorted(edges):
    if v not in index:
        strong(v)

count = sum(len(t) for t in edges.values())
if comps:
    print("import cycle between files of src/:", file=sys.stderr)
    for comp in comps:
        names = sorted(files[m] for m in comp)
        print("  " + ", ".join(names), file=sys.stderr)
        for m in sorted(comp):
            inside = sorted(files[t] for t in edges[m] if t in comp)
            print(f"    {files[m]} -> {', '.join(inside)}", file=sys.stderr)
    sys.exit(1)
print(f"file-cycles: {len(code)} files, {count} imports between them, no cycle")
