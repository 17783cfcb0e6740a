#!/usr/bin/env bash
# MCP server benchmark: tools/call of a trivial tool (test_simple_text from
# the conformance fixture) against the real `wasmgate serve`, over Streamable
# HTTP and stdio, one client and N concurrent clients; prints a markdown
# table (docs/benchmarks.md "MCP server").
#
#   bench/run_mcp.sh [BUILD_DIR]        default build/release (release preset)
#
# BUILD_DIR must hold src/cli/wasmgate and bench/wasmgate-bench-mcp:
#   cmake --preset release && cmake --build --preset release --target wasmgate wasmgate-bench-mcp
# Environment: REQUESTS=20000 (measured calls per client), WARMUP=500,
# CLIENTS=1,4, TRANSPORT=both|http|stdio, BENCH_OUT=FILE (also write the report).
# Exit status: the driver's (0 ok, 1 a server or response failed, 2 usage).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build/release}"
wasmgate="$build/src/cli/wasmgate"
driver="$build/bench/wasmgate-bench-mcp"
for f in "$wasmgate" "$driver"; do
  [[ -x $f ]] || { echo "run_mcp.sh: $f missing; build the release preset (see the header)" >&2; exit 2; }
done
requests="${REQUESTS:-20000}" warmup="${WARMUP:-500}" clients="${CLIENTS:-1,4}" transport="${TRANSPORT:-both}"

load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
status=0
"$driver" --wasmgate "$wasmgate" --transport "$transport" --clients "$clients" \
  --requests "$requests" --warmup "$warmup" >"$tmp" || status=$?
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

report() {
  echo "$(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)); $(date -u '+%Y-%m-%d %H:%M UTC');" \
    "load average before $load_before, after $load_after; $requests measured + $warmup warm-up calls per client."
  echo
  echo "| transport | clients | calls | calls/s | p50 µs | p99 µs | max µs | server CPU µs/call |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  sed -E 's/^transport=([^ ]+) clients=([^ ]+) requests=([^ ]+) seconds=[^ ]+ rps=([^ ]+) p50_us=([^ ]+) p99_us=([^ ]+) max_us=([^ ]+) server_cpu_us_per_call=([^ ]+)$/| \1 | \2 | \3 | \4 | \5 | \6 | \7 | \8 |/' "$tmp"
}
if [[ -n "${BENCH_OUT:-}" ]]; then report | tee "$BENCH_OUT"; else report; fi
exit $status
