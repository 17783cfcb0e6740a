#!/usr/bin/env bash
# Proxy overhead: tools/call latency (p50/p99) and throughput directly
# against an upstream MCP server and through `wasmgate proxy` (allow-all
# policy, without and with a counter), sequentially and with K concurrent
# callers; prints a markdown table (docs/benchmarks.md "Proxy overhead").
#
#   bench/run_proxy.sh [BUILD_DIR]        default build/release (release preset)
#
# BUILD_DIR must hold src/cli/wasmgate and bench/wasmgate-bench-proxy:
#   cmake --preset release && cmake --build --preset release --target wasmgate wasmgate-bench-proxy
# Upstreams: `wasmgate serve --stdio --conformance-fixture` (test_simple_text)
# and, when tests/node/node_modules has it (npm ci in tests/node),
# @modelcontextprotocol/server-everything (echo).
# Environment: CALLS=4000 (measured calls per scenario, split over the
# callers), WARMUP=300, CONCURRENCY=1,8, EVERYTHING=0 to skip node,
# BENCH_OUT=FILE (also write the report).
# Exit status: the driver's (0 ok, 1 a process or call failed, 2 usage).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build/release}"
wasmgate="$build/src/cli/wasmgate"
driver="$build/bench/wasmgate-bench-proxy"
for f in "$wasmgate" "$driver"; do
  [[ -x $f ]] || { echo "run_proxy.sh: $f missing; build it (see the header)" >&2; exit 2; }
done
calls="${CALLS:-4000}" warmup="${WARMUP:-300}" concurrency="${CONCURRENCY:-1,8}"
everything_js="$here/../tests/node/node_modules/@modelcontextprotocol/server-everything/dist/index.js"
extra=()
if [[ "${EVERYTHING:-1}" != 0 && -f $everything_js ]] && command -v node >/dev/null; then
  extra=(--everything "$everything_js" --node "$(command -v node)")
fi

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
status=0
"$driver" --wasmgate "$wasmgate" --calls "$calls" --warmup "$warmup" --concurrency "$concurrency" \
  "${extra[@]}" >"$tmp" || status=$?
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

report() {
  echo "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)); $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "load average before $load_before, after $load_after; $calls measured + $warmup warm-up calls per scenario."
  echo
  cat "$tmp"
}
if [[ -n "${BENCH_OUT:-}" ]]; then report | tee "$BENCH_OUT"; else report; fi
exit $status
