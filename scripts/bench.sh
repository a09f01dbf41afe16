#!/usr/bin/env bash
# Benchmarks memlens beside rust-analyzer (when installed) with ../shared/tools/lspdrive.py:
# first useful hover from process start, warm hover, peak RSS, warm inlay hints over the whole
# file, on generated files of about 500, 5 000 and 50 000 lines (the project's own fixtures,
# concatenated into modules), plus `memlens explain` throughput beside syn's parse alone (the
# floor, benches/parse_floor.rs), edit + hover below an unclosed parenthesis, and edit + hover in
# crates of 2 000 and 20 000 module files.
# Measured, not asserted: run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
LSPDRIVE=${LSPDRIVE:-../shared/tools/lspdrive.py}
OUT=${OUT:-out/bench}
mkdir -p "$OUT"
cargo build --release --locked -q
MEMLENS=$PWD/target/release/memlens
RUST_ANALYZER=${RUST_ANALYZER:-rust-analyzer}
INLAY_WARM=${INLAY_WARM:-10}

# A rustup proxy answers `command -v` even when its component is not installed: ask it to run.
have_rust_analyzer() {
  "$RUST_ANALYZER" --version >/dev/null 2>&1
}

make_crate() { # lines dir
  mkdir -p "$2/src"
  printf '[package]\nname = "bench"\nversion = "0.1.0"\nedition = "2024"\n' > "$2/Cargo.toml"
  python3 - "$1" "$2/src/main.rs" <<'PY'
import re, sys
target, path = int(sys.argv[1]), sys.argv[2]
sources = ["examples/where_data_lives.rs", "tests/fixtures/heap_growth.rs", "tests/fixtures/actions.rs", "tests/fixtures/heap_basics.rs"]
parts, lines, i = [], 0, 0
while lines < target:
    text = open(sources[i % len(sources)]).read()
    text = re.sub(r"^(//!|use ).*$", "", text, flags=re.M)
    module = f"#[allow(dead_code, unused)]\nmod m{i} {{\nuse std::collections::*; use std::rc::Rc; use std::cell::RefCell; use std::path::PathBuf;\n{text}\n}}\n"
    parts.append(module); lines += module.count("\n"); i += 1
parts.append("fn main() {\n    let s = String::from(\"world\");\n    println!(\"{s}\");\n}\n")
open(path, "w").write("".join(parts))
PY
}

hover_row() { # json label: one table row from lspdrive's summary
  python3 - "$1" "$2" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
med = lambda k: s.get(k, {}).get("median")
first, warm, rss = med("hover[0].useful_since_start_s"), med("hover[0].warm_median_s"), med("VmHWM_kB")
fmt = lambda v, scale, unit: "n/a" if v is None else f"{v*scale:.1f} {unit}"
print(f"| {sys.argv[2]} | {fmt(first, 1000, 'ms')} | {fmt(warm, 1000, 'ms')} | {fmt(rss, 1/1024, 'MB')} |")
PY
}

real_hover() { # server-command root label: a real crate, hashbrown's src/raw/mod.rs
  python3 "$LSPDRIVE" hover --server "$1" --root "$2" --file src/raw/mod.rs --find 'let |cap = min_cap' \
    --retry-until-content 120 --warm 20 --repeat "${REPEAT:-5}" --output "$OUT/$3.json" >/dev/null
  hover_row "$OUT/$3.json" "$3"
}

# hashbrown 0.15.5 from the registry, checksum pinned: src/raw/mod.rs has 4 436 lines.
hashbrown_crate() { # dir
  local file="$1/hashbrown.crate"
  curl -sSfL --retry 3 -o "$file" https://static.crates.io/crates/hashbrown/hashbrown-0.15.5.crate
  echo "9229cfe53dfd69f0609a49f65461bd93001ea1ef889cd5529dd176593f5338a1  $file" | sha256sum --check --status
  tar -xzf "$file" -C "$1"
  echo "$1/hashbrown-0.15.5"
}

hover() { # server-command root label
  python3 "$LSPDRIVE" hover --server "$1" --root "$2" --file src/main.rs --find 'let |s = String::from("world")' \
    --retry-until-content 120 --warm 20 --repeat "${REPEAT:-3}" --require 'String' --output "$OUT/$3.json" >/dev/null
  hover_row "$OUT/$3.json" "$3"
}

inlay() { # server-command root label: inlay hints over the whole file, median of warm requests
  python3 "$LSPDRIVE" inlay --server "$1" --root "$2" --file src/main.rs \
    --ready-hover 'let |s = String::from("world")' --require 'String' --retry-until-content 120 \
    --warm "$INLAY_WARM" --output "$OUT/$3 inlay.json" >/dev/null
  python3 - "$OUT/$3 inlay.json" "$3" "$INLAY_WARM" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
step = next(s for s in doc["runs"][0]["steps"] if s.get("label") == "inlay")
warm = doc["summary"].get("inlay.warm_median_s", {}).get("median")
shown = "n/a" if warm is None else f"{warm*1000:.1f} ms"
print(f"| {sys.argv[2]}: inlay hints over the whole file (median of {sys.argv[3]} warm) | {shown} | {step.get('count')} hints | |")
PY
}

parse_floor() { # file lines: `memlens analyze` beside syn::parse_file alone, in lines/s
  cargo bench --locked -q --bench parse_floor -- "$1" | while IFS=$'\t' read -r what _ runs ms rate; do
    printf '| %s, %s lines (median of %s) | %s lines/s | %s ms | |\n' "$what" "$2" "$runs" \
      "$(python3 -c "print(f'{$rate:,.0f}')")" "$ms"
  done
}

edits() { # root lines: re-analysis after a one-line edit, and RSS across 10 000 edits
  python3 - "$LSPDRIVE" "$MEMLENS" "$1" "$2" <<'PY'
import statistics, sys, time
sys.path.insert(0, __import__("os").path.dirname(sys.argv[1]))
from lspdrive import LspClient
_, _, server, root, lines = sys.argv
with LspClient([server], root=root) as client:
    client.initialize()
    doc = client.open("src/main.rs")
    line, char = doc.find('let |s = String::from("world")')
    client.hover_until("src/main.rs", line, char, timeout=60)
    rss_before = client.rss().get("VmRSS_kB")
    timings = []
    for i in range(10_000):
        # Type one character inside the string literal and take it back: a one-line edit.
        at = (line, char + 20)
        client.change_incremental("src/main.rs", [(at, at, "x")] if i % 2 == 0 else [(at, (at[0], at[1] + 1), "")])
        if i % 100 == 0:
            start = time.perf_counter()
            client.hover("src/main.rs", line, char)
            timings.append(time.perf_counter() - start)
    client.hover("src/main.rs", line, char)
    rss = client.rss()
    print(f"| memlens, {lines} lines: edit + hover (median of {len(timings)}) | {statistics.median(timings)*1000:.1f} ms | RSS {rss_before/1024:.1f} MB before, {rss.get('VmRSS_kB', 0)/1024:.1f} MB after 10 000 edits (peak {rss.get('VmHWM_kB', 0)/1024:.1f} MB) | |")
PY
}

crate_size() { # files: edit + hover in one file of a crate of that many module files, once indexed
  python3 - "$LSPDRIVE" "$MEMLENS" "$1" <<'PY'
import os, statistics, sys, tempfile, time
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from lspdrive import LspClient
_, _, server, files = sys.argv
files = int(files)
root = tempfile.mkdtemp()
os.makedirs(f"{root}/src")
open(f"{root}/Cargo.toml", "w").write('[package]\nname = "big"\nversion = "0.1.0"\nedition = "2021"\n')
with open(f"{root}/src/main.rs", "w") as main:
    main.write("".join(f"mod m{i};\n" for i in range(files)) + "fn main() {}\n")
for i in range(files):
    open(f"{root}/src/m{i}.rs", "w").write(
        f"pub struct S{i} {{ pub a: u64, pub b: Vec<u8>, pub c: u16 }}\n"
        f"pub fn f{i}(x: u32) -> S{i} {{\n    let t = (x, 1u8);\n    S{i} {{ a: t.0 as u64, b: Vec::new(), c: 2 }}\n}}\n")
def edits(client, edit, rounds):
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        client.change_incremental("src/m7.rs", [edit])
        client.hover_until("src/m7.rs", 2, 8, timeout=60, require="B")
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1000
with LspClient([server], root=root) as client:
    client.initialize()
    client.open("src/m7.rs")
    client.hover_until("src/m7.rs", 2, 8, timeout=300, require="B")
    client.wait_for(lambda c: any(p["kind"] == "end" for p in c.progress), 600)
    edits(client, ((3, 4), (3, 4), " "), 3)  # the first edits after indexing build the crate's view
    body = edits(client, ((3, 4), (3, 4), " "), 40)
    declaration = edits(client, ((0, 16), (0, 16), "pub z: u8, "), 10)
    rss = client.rss().get("VmHWM_kB", 0) / 1024
__import__("shutil").rmtree(root)
print(f"| memlens, crate of {files:,} files: edit + hover, in a body / in a struct (medians of 40 / 10) | {body:.1f} ms / {declaration:.1f} ms | peak RSS {rss:.0f} MB | |")
PY
}

unclosed() { # edit + hover near the end of a 5 000-line file, with and without an unclosed ( at its top
  python3 - "$LSPDRIVE" "$MEMLENS" <<'PY'
import os, statistics, sys, tempfile, time
sys.path.insert(0, os.path.dirname(sys.argv[1]))
from lspdrive import LspClient
_, _, server = sys.argv
def median_edit_hover(head):
    root = tempfile.mkdtemp()
    os.makedirs(f"{root}/src")
    open(f"{root}/Cargo.toml", "w").write('[package]\nname = "u"\nversion = "0.1.0"\nedition = "2021"\n')
    lines = ["fn first() {", head, "}"]
    for i in range(1000):
        lines += [f"pub fn f{i}(x: u32) -> u64 {{", f"    let t = (x, {i}u8);", "    let v: Vec<u16> = Vec::with_capacity(4);", "    t.0 as u64", "}"]
    open(f"{root}/src/main.rs", "w").write("\n".join(lines + ["fn main() {}"]) + "\n")
    with LspClient([server], root=root) as client:
        client.initialize()
        client.open("src/main.rs")
        client.hover_until("src/main.rs", 4999, 8, timeout=60, require="B")
        timings = []
        for _ in range(30):
            start = time.perf_counter()
            client.change_incremental("src/main.rs", [((4000, 4), (4000, 4), " ")])
            client.hover_until("src/main.rs", 4999, 8, timeout=60, require="B")
            timings.append(time.perf_counter() - start)
    __import__("shutil").rmtree(root)
    return statistics.median(timings) * 1000
closed, open_ = median_edit_hover("    let a = (1, 2);"), median_edit_hover("    let a = (1, 2;")
print(f"| memlens, 5 000 lines: edit + hover at line 4 000, all closed / a ( left open at line 2 (medians of 30) | {closed:.1f} ms / {open_:.1f} ms | | |")
PY
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(rustc --version)"
if have_rust_analyzer; then
  echo "beside: $("$RUST_ANALYZER" --version) (up to ${RA_MAX_LINES:-5000} lines)"
else
  echo "beside: nothing (\`$RUST_ANALYZER --version\` fails; set RUST_ANALYZER to a working one)"
fi
echo
echo "| server, file | first useful hover (from process start) | warm hover | peak RSS |"
echo "|---|---|---|---|"
real=$(mktemp -d)
hashbrown=$(hashbrown_crate "$real")
real_hover "$MEMLENS" "$hashbrown" "memlens, hashbrown 0.15.5 src/raw/mod.rs"
if have_rust_analyzer; then
  (cd "$hashbrown" && cargo check -q 2>/dev/null || true)
  REPEAT=1 real_hover "$RUST_ANALYZER" "$hashbrown" "rust-analyzer, hashbrown 0.15.5 src/raw/mod.rs"
fi
rm -rf "$real"
for lines in 500 5000 50000; do
  dir=$(mktemp -d)
  make_crate "$lines" "$dir"
  hover "$MEMLENS" "$dir" "memlens, $lines lines"
  inlay "$MEMLENS" "$dir" "memlens, $lines lines"
  if have_rust_analyzer && [ "$lines" -le "${RA_MAX_LINES:-5000}" ]; then
    (cd "$dir" && cargo check -q 2>/dev/null || true)
    REPEAT=1 hover "$RUST_ANALYZER" "$dir" "rust-analyzer, $lines lines"
    inlay "$RUST_ANALYZER" "$dir" "rust-analyzer, $lines lines"
  fi
  edits "$dir" "$lines"
  # Throughput over the lines the file really has (a little over the target), as the floor counts them.
  actual_lines=$(wc -l < "$dir/src/main.rs")
  start=$(date +%s.%N); "$MEMLENS" explain "$dir/src/main.rs" >/dev/null; end=$(date +%s.%N)
  echo "| memlens explain, $lines lines | $(python3 -c "print(f'{$actual_lines/($end-$start):,.0f} lines/s')") | | |"
  parse_floor "$dir/src/main.rs" "$lines"
  rm -rf "$dir"
done
unclosed
for files in 2000 20000; do
  crate_size "$files"
done
