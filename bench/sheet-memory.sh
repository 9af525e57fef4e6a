#!/usr/bin/env bash
# Peak RSS of writing a batch's sheet, 100 vs 10,000 photos side by side
# (issue 28.5; goal: 10,000 ≤ 1.2 × 100). The photos are synthetic (5
# matches each, pictures from a pool of DISTINCT small JPEGs, as the
# simulator's catalog repeats its pictures), fed to the sheet writer one at
# a time the way `batch::assemble` feeds it; generating 10,000 photos
# through the simulator would take hours at a provider's rate.
#
#   bash bench/sheet-memory.sh              # xlsx, csv and jsonl
#   DISTINCT=0 bash bench/sheet-memory.sh   # XLSX without pictures
#   DISTINCT=all FORMATS=xlsx bash bench/sheet-memory.sh   # every picture different
#
# Not run by CI (CI only compiles benches). Built in the test profile:
# memory, not speed, is measured.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(cargo test --bench sheet_memory --no-run --message-format=json 2>/dev/null \
  | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "sheet_memory" and m.get("executable"):
        print(m["executable"])')
distinct=${DISTINCT:-200}
printf '%-6s %8s %14s %14s %8s %7s\n' format photos "peak RSS KiB" "sheet bytes" pictures ratio
for format in ${FORMATS:-xlsx csv jsonl}; do
  small=0
  for n in 100 10000; do
    # The process's peak RSS read as soon as the sheet is on disk (the
    # bench then reads the workbook's directory to count its pictures).
    line=$("$bin" "$n" "$format" "$distinct" 2>&1)
    rss=$(sed -n 's/.*peak_rss_kib=\([0-9]*\).*/\1/p' <<<"$line")
    bytes=$(sed -n 's/.*sheet_bytes=\([0-9]*\).*/\1/p' <<<"$line")
    media=$(sed -n 's/.*media=\([0-9]*\).*/\1/p' <<<"$line")
    if [ "$n" = 100 ]; then small=$rss; ratio=1.00; else ratio=$(python3 -c "print(f'{$rss/$small:.2f}')"); fi
    printf '%-6s %8s %14s %14s %8s %7s\n' "$format" "$n" "$rss" "$bytes" "$media" "$ratio"
  done
done
