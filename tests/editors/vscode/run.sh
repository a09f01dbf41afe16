#!/usr/bin/env bash
# VS Code end-to-end test of editors/vscode: code-server + the memlens .vsix + $MEMLENS_BIN,
# driven by Debian's Chromium through playwright-core (tests/editors/vscode/e2e.js).
#   tests/editors/vscode/run.sh                     # installs what is missing, builds the .vsix, runs
#   MEMLENS_BIN=/path/to/memlens MEMLENS_VSIX=out/editors/memlens.vsix tests/editors/vscode/run.sh
# Screenshots and result.json: $MEMLENS_EDITOR_OUT/vscode (default out/editors/vscode).
# Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero on any failure.
set -euo pipefail
source "$(cd "$(dirname "$0")/.." && pwd)/lib.sh"
VOUT=$OUT/vscode
rm -rf "$VOUT"; mkdir -p "$VOUT"

fail_setup() { say "FAIL vscode setup: $*"; say "0 passed, 1 failed"; exit 1; }
[ -x "$MEMLENS_BIN" ] || fail_setup "server binary $MEMLENS_BIN missing (cargo build, or set MEMLENS_BIN)"
[ -f "$MEMLENS_EXAMPLE" ] || fail_setup "example $MEMLENS_EXAMPLE missing (set MEMLENS_EXAMPLE)"
ensure_chromium || fail_setup "chromium"
ensure_code_server || fail_setup "code-server"
ensure_playwright || fail_setup "playwright-core"
if [ -n "${MEMLENS_VSIX:-}" ]; then VSIX=$MEMLENS_VSIX; else build_vsix || fail_setup "building the .vsix"; fi

WORK=$(mktemp -d /tmp/memlens-vscode.XXXXXX)
CS_PID=
cleanup() {
  if [ -n "$CS_PID" ]; then kill -- "-$CS_PID" 2>/dev/null || kill "$CS_PID" 2>/dev/null || true; wait "$CS_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

# a throw-away cargo workspace holding the example; settings point the extension at the server
WS=$WORK/ws DATA=$WORK/data
mkdir -p "$WS/examples" "$WS/src" "$WS/.vscode" "$DATA/User"
printf '[package]\nname = "memlens-e2e"\nversion = "0.1.0"\nedition = "2021"\n' > "$WS/Cargo.toml"
: > "$WS/src/lib.rs"
cp "$MEMLENS_EXAMPLE" "$WS/examples/where_data_lives.rs"
cat > "$WS/.vscode/settings.json" <<JSON
{ "memlens.server.path": "$MEMLENS_BIN", "memlens.trace.server": "verbose" }
JSON
cat > "$DATA/User/settings.json" <<'JSON'
{ "workbench.startupEditor": "none", "telemetry.telemetryLevel": "off",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "update.mode": "none",
  "workbench.tips.enabled": false, "security.workspace.trust.enabled": false,
  "chat.disableAIFeatures": true, "workbench.secondarySideBar.defaultVisibility": "hidden",
  "editor.hover.delay": 100, "editor.inlayHints.enabled": "on", "editor.minimap.enabled": false,
  "files.watcherExclude": {}, "git.enabled": false }
JSON

step vscode-install-vsix "$CODE_SERVER" --config /dev/null --user-data-dir "$DATA" --extensions-dir "$WORK/ext" \
  --install-extension "$VSIX" || fail_setup "installing $VSIX"
PORT=${PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
setsid "$CODE_SERVER" --config /dev/null --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
  --user-data-dir "$DATA" --extensions-dir "$WORK/ext" "$WS" > "$VOUT/code-server.log" 2>&1 &
CS_PID=$!
up=
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && { up=1; break; }
  kill -0 "$CS_PID" 2>/dev/null || break
  sleep 0.5
done
[ -n "$up" ] || { tail -n 30 "$VOUT/code-server.log"; fail_setup "code-server did not come up"; }

rc=0
CODE_SERVER_URL="http://127.0.0.1:$PORT" WORKSPACE="$WS" FILE=examples/where_data_lives.rs \
  USER_DATA_DIR="$DATA" OUT_DIR="$VOUT" NODE_PATH="$PLAYWRIGHT_DIR/node_modules" \
  timeout 300 node "$EDITORS_DIR/vscode/e2e.js" || rc=$?
# keep the extension's output channel (client log, server stderr, LSP trace) next to the screenshots
find "$DATA/logs" -path '*output_logging_*' -name '*memlens.log' -exec cat {} + > "$VOUT/memlens-output.log" 2>/dev/null || true
if [ $rc -ne 0 ]; then
  say "--- code-server log (tail; full: $VOUT/code-server.log)"; tail -n 20 "$VOUT/code-server.log"
  say "--- memlens output channel without the LSP trace (tail; full: $VOUT/memlens-output.log)"
  grep -E '^(\[client\]|\[(Error|Warn|Info)|[0-9]{4}-[0-9]{2}-[0-9]{2}T|  (Message|Code):|error)' \
    "$VOUT/memlens-output.log" | tail -n 30
fi
exit $rc
