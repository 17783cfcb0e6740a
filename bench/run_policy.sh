#!/usr/bin/env bash
# Policy decision benchmark: policy::decide() for small/medium/large policies
# and Gate::before+after with the SQLite store and the audit log
# (bench/policy_bench.cc; docs/benchmarks.md "Policy decisions").
#
#   bench/run_policy.sh [BUILD_DIR] [BENCHMARK FLAGS...]   default build/release
#
# BUILD_DIR must hold bench/wasmgate-bench-policy:
#   cmake --preset release && cmake --build --preset release --target wasmgate-bench-policy
# Prints the load average before and after, then Google Benchmark's table.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
build="${1:-$here/../build/release}"
shift || true
driver="$build/bench/wasmgate-bench-policy"
[[ -x $driver ]] || { echo "run_policy.sh: $driver missing; build it (see the header)" >&2; exit 2; }
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
status=0
"$driver" --benchmark_min_time=1 "$@" || status=$?
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $status
