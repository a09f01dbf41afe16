#!/usr/bin/env bash
# All editor-integration suites: VS Code (code-server + Chromium) and Neovim (headless).
#   tests/editors/run.sh                    # against target/debug/memlens
#   MEMLENS_BIN=target/release/memlens tests/editors/run.sh
#   MEMLENS_EDITOR_SUITES=nvim tests/editors/run.sh        # one suite only
# Installs what is missing (apt: chromium + build deps of code-server; npm: code-server,
# playwright-core; PyPI: Neovim) into $MEMLENS_EDITOR_CACHE (default ~/.cache/memlens-editors),
# builds editors/vscode into a .vsix, runs both suites, and prints "N passed, N failed".
# Install logs, screenshots and result.json files: out/editors/ (MEMLENS_EDITOR_OUT).
set -euo pipefail
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"
SUITES=${MEMLENS_EDITOR_SUITES:-vscode nvim}
T0=$SECONDS
passed=0 failed=0

say "editor tests: server $MEMLENS_BIN, example ${MEMLENS_EXAMPLE#$REPO_ROOT/}"
say "  cache $CACHE, output ${OUT#$REPO_ROOT/}"
if [ ! -x "$MEMLENS_BIN" ]; then
  say "FAIL server binary $MEMLENS_BIN is missing (cargo build first, or set MEMLENS_BIN)"
  say "0 passed, 1 failed"; exit 1
fi

# 1. installs (each one is skipped when already there; logs in out/editors/logs/)
setup_ok=1
setup() { "$@" || { setup_ok=; failed=$((failed + 1)); }; }
say "setup:"
case " $SUITES " in *" vscode "*)
  setup ensure_chromium
  setup ensure_code_server
  setup ensure_playwright
  setup build_vsix ;;
esac
case " $SUITES " in *" nvim "*) setup ensure_nvim ;; esac
say "  setup done ($((SECONDS - T0))s)"

# 2. the suites; their PASS/FAIL lines are shown, their own totals added up
run_suite() {
  local name=$1 script=$2 log=$OUT/$1.log start=$SECONDS rc=0 counts
  say "$name:"
  MEMLENS_VSIX=$VSIX bash "$script" >"$log" 2>&1 || rc=$?
  grep -E '^(PASS|FAIL) ' "$log" | cut -c1-200 | sed 's/^/  /' || true
  counts=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1 || true)
  if [ -z "$counts" ]; then
    say "  (no result line; exit $rc) --- tail of $log"; tail -n 30 "$log" | sed 's/^/  | /'
    failed=$((failed + 1)); return
  fi
  local p=${counts%% passed*} f=${counts#*passed, }; f=${f%% failed*}
  if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a non-zero exit counts as a failure
  passed=$((passed + p)) failed=$((failed + f))
  say "  $name: $p passed, $f failed ($((SECONDS - start))s; log: ${log#$REPO_ROOT/})"
  if [ "$f" -ne 0 ]; then
    say "  --- tail of $log"; grep -vE '^(PASS|FAIL) ' "$log" | tail -n 30 | sed 's/^/  | /'
  fi
}
if [ -n "$setup_ok" ]; then
  for s in $SUITES; do
    case $s in
      vscode) run_suite vscode "$EDITORS_DIR/vscode/run.sh" ;;
      nvim) run_suite nvim "$EDITORS_DIR/nvim/run.sh" ;;
      *) say "unknown suite $s"; failed=$((failed + 1)) ;;
    esac
  done
fi
say "total time $((SECONDS - T0))s"
say "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
