#!/usr/bin/env bash
# Builds the wasm3 command-line interpreter from a source checkout that lives
# OUTSIDE this repository (nothing of wasm3 is committed here):
#
#   bench/build_wasm3.sh /path/to/wasm3-source [BUILD_DIR]
#
# BUILD_DIR defaults to SRC/build-release; the binary is BUILD_DIR/wasm3 and
# its path is printed last, ready for `WASM3=... bench/run.sh`.
# Release build with clang-14 (wasm3's own release flags: -O3, -march=native,
# musttail dispatch). BUILD_WASI=simple because wasm3's default (uvwasi)
# downloads libuv and uvwasi at configure time, which this project never does.
set -euo pipefail

src="${1:?usage: bench/build_wasm3.sh WASM3_SOURCE_DIR [BUILD_DIR]}"
[[ -f "$src/source/wasm3.h" ]] || { echo "build_wasm3.sh: $src is not a wasm3 checkout" >&2; exit 2; }
build="${2:-$src/build-release}"

CC="${CC:-clang-14}" cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_WASI=simple >&2
cmake --build "$build" -j "${BUILD_JOBS:-2}" --target wasm3 >&2
"$build/wasm3" --version >&2
echo "$build/wasm3"
