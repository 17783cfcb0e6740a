#!/usr/bin/env bash
# Builds every benchmark kernel twice from bench/kernels/*.c:
#   $BENCH_BUILD_DIR/<kernel>.wasm     freestanding wasm32 (MVP), exports `run`
#   $BENCH_BUILD_DIR/native/<kernel>   native, `clang -O2` + support/native_main.c
#   $BENCH_BUILD_DIR/timeit            the timer bench/run.sh uses
# BENCH_BUILD_DIR defaults to <repo>/build/bench. Needs Debian's clang-14 and
# lld-14 (wasm-ld-14); nothing is downloaded. Usage: bench/build.sh [KERNEL...]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${BENCH_BUILD_DIR:-$here/../build/bench}"
cc="${BENCH_CC:-clang-14}"
mkdir -p "$out/native" "$out/obj"
out="$(cd "$out" && pwd)"

warn=(-Wall -Wextra -Werror)
# MVP only (no bulk memory, no sign-ext, no SIMD) so every engine can load it.
wasm_cflags=(--target=wasm32 -mcpu=mvp -O2 -ffreestanding -nostdlib "${warn[@]}")
# shellcheck disable=SC2054  # commas belong to -Wl, not to the array
wasm_ldflags=(-Wl,--no-entry -Wl,--export=run -Wl,-z,stack-size=65536)
# -fno-math-errno: sqrt is one instruction, as f64.sqrt is in wasm.
native_cflags=(-O2 -fno-math-errno "${warn[@]}")

# memset/memcpy/memmove for the wasm builds (clang emits calls to them);
# -fno-builtin keeps their loops from being turned back into such calls.
"$cc" "${wasm_cflags[@]}" -fno-builtin -c "$here/support/wasm_rt.c" -o "$out/obj/wasm_rt.o"

# The timing helper bench/run.sh uses (monotonic wall time + child CPU time).
"$cc" -O2 "${warn[@]}" "$here/support/timeit.c" -o "$out/timeit"

if (($# > 0)); then
  kernels=("$@")
else
  kernels=()
  for f in "$here"/kernels/*.c; do kernels+=("$(basename "$f" .c)"); done
fi

for k in "${kernels[@]}"; do
  src="$here/kernels/$k.c"
  [[ -f "$src" ]] || { echo "build.sh: no kernel $src" >&2; exit 2; }
  "$cc" "${wasm_cflags[@]}" "${wasm_ldflags[@]}" "$src" "$out/obj/wasm_rt.o" -o "$out/$k.wasm"
  "$cc" "${native_cflags[@]}" "$src" "$here/support/native_main.c" -o "$out/native/$k"
  echo "built $out/$k.wasm $out/native/$k"
done
