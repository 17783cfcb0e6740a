#!/usr/bin/env bash
# Whole-program benchmark: every kernel linked with wasi-libc into a WASI
# command (bench/wasi_main.c), run by `wasmgate run`, Node (V8, node:wasi)
# and wasm3. Prints a Markdown table of wall times (best of $BENCH_REPEAT,
# default 3) and checks that every engine prints the same checksum.
#   WASMGATE=path/to/wasmgate [WASM3=path] [NODE=node] bench/run_wasi.sh [KERNEL...]
# Never part of the test pass/fail path (docs/benchmarks.md).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${BENCH_BUILD_DIR:-$here/../build/bench}/wasi"
cc="${BENCH_CC:-clang-14}"
wasmgate="${WASMGATE:?set WASMGATE to the wasmgate binary}"
wasm3="${WASM3:-/work/peers/wasm3/build/wasm3}"
node="${NODE:-node}"
repeat="${BENCH_REPEAT:-3}"
mkdir -p "$out"

if (($# > 0)); then kernels=("$@"); else
  kernels=()
  for f in "$here"/kernels/*.c; do kernels+=("$(basename "$f" .c)"); done
fi

# best_ms CMD...: prints "<best ms> <stdout of the last run>"
best_ms() {
  local best="" text="" t0 t1 ms
  for ((i = 0; i < repeat; ++i)); do
    t0=$(date +%s%N)
    text=$("$@" 2>/dev/null) || text="failed"
    t1=$(date +%s%N)
    ms=$(((t1 - t0) / 1000000))
    if [[ -z "$best" || "$ms" -lt "$best" ]]; then best=$ms; fi
  done
  echo "$best $text"
}

echo "| kernel | wasmgate run (ms) | node (ms) | wasm3 (ms) | checksum |"
echo "|---|---:|---:|---:|---|"
for k in "${kernels[@]}"; do
  wasm="$out/$k.wasm"
  "$cc" --target=wasm32-wasi -O2 -Wall -Wextra -Werror "$here/kernels/$k.c" "$here/wasi_main.c" -o "$wasm"
  read -r wg_ms wg_out < <(best_ms "$wasmgate" run "$wasm")
  read -r node_ms node_out < <(best_ms "$node" --no-warnings "$here/node_wasi.mjs" "$wasm")
  if [[ -x "$wasm3" ]]; then read -r w3_ms w3_out < <(best_ms "$wasm3" "$wasm"); else w3_ms="-"; w3_out="$wg_out"; fi
  same="$wg_out"
  [[ "$wg_out" == "$node_out" && "$wg_out" == "$w3_out" ]] || same="MISMATCH ($wg_out / $node_out / $w3_out)"
  echo "| $k | $wg_ms | $node_ms | $w3_ms | $same |"
done
