#!/usr/bin/env bash
# shellcheck disable=SC2317  # the engine_* functions are called indirectly
# Runs every benchmark kernel natively, on wasm3, on wasmgate and on Node (V8),
# side by side, and prints markdown tables of median times. See
# docs/benchmarks.md for how to obtain wasm3 and what the numbers mean.
#
#   bench/run.sh [KERNEL...]          default: every bench/kernels/*.c
#
# Environment:
#   N=5                   runs per kernel and engine (median is reported); the
#                         engines take turns within each run, in rotating order
#   WASM3=/path/to/wasm3  wasm3 CLI; its column is skipped (with a note) if unset
#   WASMGATE_BENCH="cmd"  command (split on spaces) that is given FILE.wasm as its
#                         last argument, must instantiate it with no imports, call
#                         the export `run` () -> i32 once, print
#                         "checksum=<decimal i32>" on stdout and exit 0
#                         (an "ms=<t>" after it is allowed and ignored);
#                         column skipped (pending) if unset
#   NODE=node             Node.js for the V8 column; NODE=none skips it
#   BENCH_BUILD_DIR       where build.sh puts its outputs (default build/bench)
#   BENCH_TIMEOUT=120     seconds before one run is killed (counts as failed)
#   BENCH_SKIP_BUILD=1    do not run build.sh first
#   BENCH_ENFORCE=1|cpu   exit 3 if some kernel has wasmgate/wasm3 > 1.5 in the
#                         wall-time table (1) or the CPU-time table (cpu)
#   BENCH_OUT=FILE        also write the report there (default
#                         $BENCH_BUILD_DIR/results.md)
#
# Every time includes process start, module load/compile and the run; it is
# the median of N runs, wall time from CLOCK_MONOTONIC (and, in a second
# table, user+system CPU time of the process, steadier on a busy machine).
# Exit status: 0 ok, 1 an engine failed or checksums disagree, 3 target missed
# (only with BENCH_ENFORCE=1), 2 usage error.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${BENCH_BUILD_DIR:-$here/../build/bench}"
runs="${N:-5}"
target_ratio="1.5"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: N must be a positive integer" >&2; exit 2; }

if [[ "${BENCH_SKIP_BUILD:-0}" != 1 ]]; then
  BENCH_BUILD_DIR="$out" "$here/build.sh" "$@" >&2
fi
out="$(cd "$out" && pwd)"
timeit_bin="$out/timeit"
[[ -x "$timeit_bin" ]] || { echo "run.sh: $timeit_bin missing; run bench/build.sh" >&2; exit 2; }

if (($# > 0)); then
  kernels=("$@")
else
  kernels=()
  for f in "$here"/kernels/*.c; do kernels+=("$(basename "$f" .c)"); done
fi

timeout_s="${BENCH_TIMEOUT:-120}"
[[ "$timeout_s" =~ ^[0-9]+$ ]] || { echo "run.sh: BENCH_TIMEOUT must be a number of seconds" >&2; exit 2; }
timeit() { "$timeit_bin" -t "$timeout_s" "$@"; }

# --- engines ---------------------------------------------------------------
# Each engine is a name and a function that runs one kernel: engine_<name> K.
notes=()
engines=(native)
engine_native() { timeit "$tmp/time" "$out/native/$1"; }

if [[ -n "${WASM3:-}" && -x "${WASM3}" ]]; then
  engines+=(wasm3)
  engine_wasm3() { timeit "$tmp/time" "$WASM3" --func run "$out/$1.wasm"; }
else
  notes+=("wasm3: skipped (set WASM3=/path/to/wasm3; see docs/benchmarks.md)")
fi

if [[ -n "${WASMGATE_BENCH:-}" ]]; then
  read -r -a wasmgate_cmd <<<"$WASMGATE_BENCH"
  engines+=(wasmgate)
  engine_wasmgate() { timeit "$tmp/time" "${wasmgate_cmd[@]}" "$out/$1.wasm"; }
else
  notes+=("wasmgate: pending (set WASMGATE_BENCH; see docs/benchmarks.md)")
fi

node_bin="${NODE:-node}"
if [[ "$node_bin" != none ]] && command -v "$node_bin" >/dev/null 2>&1; then
  engines+=(v8)
  engine_v8() { timeit "$tmp/time" "$node_bin" "$here/node_kernel.mjs" "$out/$1.wasm"; }
else
  notes+=("v8: skipped (Node.js not found or NODE=none)")
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# --- measuring -------------------------------------------------------------
# Results: wall[k,e] / cpu[k,e] hold space-separated samples; sum[k,e] the
# checksum every run gave (or an error word).
declare -A wall cpu sum
failed=0

normalize() { echo $(( $1 & 0xFFFFFFFF )); } # signed or unsigned i32 -> u32

for k in "${kernels[@]}"; do
  [[ -f "$out/$k.wasm" && -x "$out/native/$k" ]] || {
    echo "run.sh: kernel $k not built" >&2; exit 2; }
  n_eng=${#engines[@]}
  for ((r = 0; r < runs; ++r)); do
    for ((j = 0; j < n_eng; ++j)); do
      e="${engines[$(( (j + r) % n_eng ))]}"
      rm -f "$tmp/time"
      "engine_$e" "$k" >"$tmp/output" 2>&1 || true
      read -r w c s < <(sed -E 's/wall_ms=([^ ]*) cpu_ms=([^ ]*) status=([^ ]*)/\1 \2 \3/' "$tmp/time" 2>/dev/null || echo "- - 127")
      got="$(grep -oE '(checksum=|Result: )-?[0-9]+' "$tmp/output" | head -n 1 | grep -oE -- '-?[0-9]+$' || true)"
      if [[ "$s" != 0 || -z "$got" ]]; then
        echo "run.sh: $e failed on $k (status $s):" >&2
        sed -n '1,5p' "$tmp/output" >&2
        sum[$k,$e]="error"
        failed=1
        continue
      fi
      got="$(normalize "$got")"
      if [[ -n "${sum[$k,$e]:-}" && "${sum[$k,$e]}" != "$got" ]]; then
        sum[$k,$e]="unstable"
        failed=1
      elif [[ "${sum[$k,$e]:-}" != unstable && "${sum[$k,$e]:-}" != error ]]; then
        sum[$k,$e]="$got"
      fi
      wall[$k,$e]+="$w "
      cpu[$k,$e]+="$c "
    done
  done
  # Every engine must agree with native.
  for e in "${engines[@]}"; do
    if [[ "${sum[$k,$e]:-}" != "${sum[$k,native]}" ]]; then
      echo "run.sh: checksum mismatch on $k: $e gave ${sum[$k,$e]:-nothing}, native ${sum[$k,native]}" >&2
      failed=1
    fi
  done
  echo "run.sh: $k done (checksum ${sum[$k,native]})" >&2
done

# --- report ----------------------------------------------------------------
median() { tr ' ' '\n' | grep -v '^$' | sort -g | awk '{v[NR]=$1} END {
  if (NR == 0) { print "-"; exit }
  if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# cell K E MODE: median in ms for the table, or a marker.
cell() {
  local k=$1 e=$2 mode=$3
  if [[ " ${engines[*]} " != *" $e "* ]]; then
    [[ $e == wasmgate ]] && echo pending || echo skipped
    return
  fi
  case "${sum[$k,$e]:-}" in
    error) echo error; return ;;
    unstable) echo unstable; return ;;
  esac
  [[ "${sum[$k,$e]}" == "${sum[$k,native]}" ]] || { echo mismatch; return; }
  local samples
  if [[ $mode == wall ]]; then samples="${wall[$k,$e]}"; else samples="${cpu[$k,$e]}"; fi
  echo "$samples" | median | awk '{ printf "%.0f", $1 }'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {
  if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.2f", a / b; else print "-" }'; }

geomean() { tr ' ' '\n' | grep -E '^[0-9.]+$' | awk '
  $1 > 0 { s += log($1); n++ } END { if (n) printf "%.2f", exp(s / n); else print "-" }'; }

declare -A missed=([wall]=0 [cpu]=0)
table() {
  local mode=$1 gw=() wn=() vn=()
  echo "| kernel | native ms | wasm3 ms | wasmgate ms | V8 (node) ms | wasmgate/wasm3 | wasm3/native | V8/native |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  for k in "${kernels[@]}"; do
    local n w g v
    n="$(cell "$k" native "$mode")"; w="$(cell "$k" wasm3 "$mode")"
    g="$(cell "$k" wasmgate "$mode")"; v="$(cell "$k" v8 "$mode")"
    local r1 r2 r3
    r1="$(ratio "$g" "$w")"; r2="$(ratio "$w" "$n")"; r3="$(ratio "$v" "$n")"
    gw+=("$r1"); wn+=("$r2"); vn+=("$r3")
    if [[ $r1 != - ]] && awk -v r="$r1" -v t="$target_ratio" 'BEGIN { exit !(r > t) }'; then
      r1="**$r1**"; missed[$mode]=1
    fi
    echo "| $k | $n | $w | $g | $v | $r1 | $r2 | $r3 |"
  done
  echo "| geomean | | | | | $(echo "${gw[*]}" | geomean) | $(echo "${wn[*]}" | geomean) | $(echo "${vn[*]}" | geomean) |"
}

report() {
  echo "Median of $runs runs per engine, engines alternating; $(nproc) cores ($(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)); $(date -u '+%Y-%m-%d %H:%M UTC')."
  echo
  echo "Wall time (CLOCK_MONOTONIC, process start included):"
  echo
  table wall
  echo
  echo "CPU time (user + system of the process):"
  echo
  table cpu
  for note in "${notes[@]}"; do echo; echo "- $note"; done
  if ((failed)); then echo; echo "- FAILED: an engine failed or checksums disagree (see stderr)."; fi
  if [[ " ${engines[*]} " == *" wasmgate "* && " ${engines[*]} " == *" wasm3 "* ]]; then
    for mode in wall cpu; do
      echo
      if ((missed[$mode])); then echo "- target (wasmgate/wasm3 <= $target_ratio on every kernel, $mode time): MISSED (bold rows)"
      else echo "- target (wasmgate/wasm3 <= $target_ratio on every kernel, $mode time): met"; fi
    done
  fi
}

report_file="${BENCH_OUT:-$out/results.md}"
report >"$report_file"
cat "$report_file"
echo "run.sh: report written to $report_file" >&2

((failed == 0)) || exit 1
case "${BENCH_ENFORCE:-0}" in
  1 | wall) ((missed[wall] == 0)) || exit 3 ;;
  cpu) ((missed[cpu] == 0)) || exit 3 ;;
esac
exit 0
