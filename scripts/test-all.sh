#!/usr/bin/env bash
# Runs every test memlens has: formatting and lints, the core, truth and protocol tests, and
# the editor suites in a real VS Code (code-server + Chromium) and a real headless Neovim.
# Installs what the editor suites need on first use (npm packages, Chromium, Neovim).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

# The truth tests read std's source (the API table is regenerated and compared) and compile
# probes for every target memlens knows; without these they skip those checks.
if command -v rustup >/dev/null 2>&1; then
  step "toolchain parts the truth tests use"
  rustup component add rust-src
  rustup target add wasm32-unknown-unknown i686-unknown-linux-gnu aarch64-unknown-linux-gnu \
    armv7-unknown-linux-gnueabihf
fi

step "format and lints"
cargo fmt --check
cargo clippy --all-targets --locked -- -D warnings

# Optimized: the protocol tests include a 10 MB file, and the truth tests run many analyses.
step "core, truth, CLI and protocol tests"
cargo test --release --locked

if [ "${MEMLENS_SKIP_EDITORS:-}" = 1 ]; then
  step "editor suites skipped (MEMLENS_SKIP_EDITORS=1)"
else
  step "editor suites (VS Code and Neovim)"
  cargo build --release --locked
  MEMLENS_BIN="$PWD/target/release/memlens" bash tests/editors/run.sh
fi
