#!/usr/bin/env bash
# Agent-host benchmark: wasmgate's wasm_agent_* MCP tools against Claude
# Flow's (npm @claude-flow/cli + @ruvector/rvagent-wasm, versions pinned in
# bench/agents/package-lock.json), both over stdio in the same run, plus
# Claude Flow's agent work alone in-process (rvagent_inprocess.mjs); prints
# markdown tables (docs/benchmarks.md "Agent host vs Claude Flow"). Temporary
# state goes under $TMPDIR (TMPDIR=/dev/shm: no disk flush cost).
#
#   bench/agents/run.sh [BUILD_DIR]      default build/release (release preset)
#
# BUILD_DIR must hold src/cli/wasmgate:
#   cmake --preset release && cmake --build --preset release --target wasmgate
# Claude Flow's packages are installed once, at the lockfile's versions, with
#   npm install --prefix bench/agents --omit=optional --no-audit --no-fund
# (needs the npm registry; 183 packages, 1-3 minutes; the wasm_agent_* tools
# need no install script: npm 11 skipped @claude-flow/cli's agentdb patch).
# Not `npm ci`: @claude-flow/cli's optional dependencies name platform
# packages that are not on the registry, so npm ci always reports the
# lockfile out of sync. This script installs only when AGENT_BENCH_INSTALL=1,
# otherwise it stops and says so.
# Environment: N=200 (measured calls per operation), M=200 (idle agents for
# the memory figure), WARMUP=10, SERVERS=wasmgate,claude-flow,
# BENCH_OUT=FILE (also write the table there), BENCH_JSON=FILE (every sample;
# default build/bench/agents.json).
# Not run by CI: it needs the npm packages and its numbers depend on the machine.
# Exit status: the driver's (0 ok, 1 a server or call failed, 2 usage).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../../build/release}"
wasmgate="$build/src/cli/wasmgate"
servers="${SERVERS:-wasmgate,claude-flow}"

if [[ ",$servers," == *,wasmgate,* && ! -x $wasmgate ]]; then
  echo "agents/run.sh: $wasmgate missing; build the release preset (see the header)" >&2
  exit 2
fi
if [[ ",$servers," == *,claude-flow,* && ! -f $here/node_modules/@claude-flow/cli/bin/mcp-server.js ]]; then
  if [[ "${AGENT_BENCH_INSTALL:-0}" == 1 ]]; then
    npm install --prefix "$here" --omit=optional --no-audit --no-fund >&2
  else
    echo "agents/run.sh: Claude Flow is not installed; run" >&2
    echo "  npm install --prefix $here --omit=optional --no-audit --no-fund" >&2
    echo "or set AGENT_BENCH_INSTALL=1 (or SERVERS=wasmgate)" >&2
    exit 2
  fi
fi

json="${BENCH_JSON:-$here/../../build/bench/agents.json}"
mkdir -p "$(dirname "$json")"
args=(--servers "$servers" --n "${N:-200}" --m "${M:-200}" --warmup "${WARMUP:-10}" --json "$json")
[[ -x $wasmgate ]] && args+=(--wasmgate "$wasmgate")
[[ -n "${BENCH_OUT:-}" ]] && args+=(--md "$BENCH_OUT")

echo "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)), node $(node --version)," \
  "@claude-flow/cli $(node -p "require('$here/node_modules/@claude-flow/cli/package.json').version" 2>/dev/null || echo '-')," \
  "@ruvector/rvagent-wasm $(node -p "require('$here/node_modules/@ruvector/rvagent-wasm/package.json').version" 2>/dev/null || echo '-')"
exec node "$here/agent_bench.mjs" "${args[@]}"
