#!/usr/bin/env bash
# Installs every system package wasmgate needs to build, test and run.
# This is the single list of system dependencies. Idempotent: it installs only
# what is missing and runs `apt-get update` at most once, only when it must.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache make git pkg-config
  # libraries
  libboost1.81-dev libboost-json1.81-dev libyaml-cpp-dev libsqlite3-dev libssl-dev libcli11-dev
  # RE2: linear-time regexes for policy conditions (src/policy/regex.h)
  libre2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  # WebAssembly tooling: wast2json/wat2wasm for spec scripts, clang + lld +
  # wasi-libc to compile guest programs and benchmark kernels
  wabt clang-14 lld-14 wasi-libc libclang-rt-14-dev-wasm32
)
# Node.js and npm (MCP conformance/SDK tests, differential WASI tests). A
# machine may already carry them from another source (e.g. a nodejs build
# that bundles npm); only when a command is absent do we add Debian's.
command -v node >/dev/null 2>&1 || packages+=(nodejs)
command -v npm >/dev/null 2>&1 || packages+=(npm)

missing=()
for pkg in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
  [[ "$status" == ii* ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  echo "setup: all ${#packages[@]} packages present"
else
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# npm dependencies, each exactly as its committed lockfile says. A directory
# is skipped when its node_modules was installed from the same lockfile (the
# lockfile's hash is stored next to it after a successful `npm ci`).
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
npm_ci_if_stale() {
  local dir="$root/$1"
  local stamp="$dir/node_modules/.wasmgate-lock.sha256"
  local want
  want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$want" ]]; then
    echo "setup: $1 dependencies up to date"
  else
    echo "setup: npm ci --prefix $1"
    npm ci --prefix "$dir" --no-audit --no-fund
    echo "$want" >"$stamp"
  fi
}
# tests/node: MCP conformance suite, MCP SDK, and a pinned Node 22 the suite needs.
npm_ci_if_stale tests/node
# runtimes: guest language runtimes (Ruby's official WebAssembly build,
# @ruby/3.3-wasm-wasi: dist/ruby+stdlib.wasm; see docs/wasi.md "Ruby").
npm_ci_if_stale runtimes
