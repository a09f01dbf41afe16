#!/usr/bin/env bash
# Install code-server (VS Code in the browser) from the npm registry alone: no GitHub downloads.
# Usage: install-code-server.sh DEST [VERSION]     needs node 20 + npm, gcc/g++/make, python3,
# libkrb5-dev and Debian's ripgrep (lib.sh's ensure_code_server installs those first).
# DEST/.installed is written last, so an interrupted install is started again from scratch.
set -euo pipefail
DEST=${1:?usage: install-code-server.sh DEST [VERSION]}
VERSION=${2:-4.100.3}
export npm_config_yes=true          # node-pty's install runs `npx node-gyp` (machine npmrc may say yes=false)
export npm_config_unsafe_perm=true  # code-server's scripts refuse to run as root otherwise
command -v rg >/dev/null || { echo "ripgrep (rg) is needed" >&2; exit 1; }

rm -rf "$DEST"; mkdir -p "$DEST"; cd "$DEST"
echo '{"name":"memlens-code-server-host","private":true}' > package.json
# 1. code-server itself, without its postinstall (that one downloads ripgrep from GitHub)
npm install --no-audit --no-fund --ignore-scripts "code-server@$VERSION"
CS=$DEST/node_modules/code-server
# argon2 (hoisted here): its prebuilt binary is a GitHub download, so it falls back to a source build
npm rebuild argon2
# 2. what code-server's postinstall.sh does, minus the ripgrep download
cd "$CS/lib/vscode"
npm install --no-audit --no-fund --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg   # @vscode/ripgrep's postinstall sees bin/ and exits 0
npm rebuild                                                   # native modules: node-pty, spdlog, watcher, kerberos...
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
(cd extensions && npm install --no-audit --no-fund --omit=dev)
"$DEST/node_modules/.bin/code-server" --version
touch "$DEST/.installed"
