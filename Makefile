# Thin wrapper around CMake presets for the README's commands.
# The setup script (scripts/setup.sh) installs system packages; run it first.

BUILD_JOBS ?= 2
WASMGATE_ARGS ?=

.PHONY: all build serve test test-dev test-asan release clean bench

all: build

build:
	cmake --preset dev
	cmake --build --preset dev -j $(BUILD_JOBS)

release:
	cmake --preset release
	cmake --build --preset release -j $(BUILD_JOBS)

serve: release
	./build/release/src/cli/wasmgate serve $(WASMGATE_ARGS)

# Every test: sanitizer build of the unit and spec suites first, then the
# full suite on the dev build, whose ctest summary ends the output.
test: test-asan test-dev

test-asan:
	cmake --preset asan
	cmake --build --preset asan -j $(BUILD_JOBS)
	ctest --preset asan -L 'unit|spec'

test-dev: build
	ctest --preset dev

clean:
	rm -rf build

# Benchmarks: kernels on native, wasm3 (WASM3=path, built from a local
# checkout; see docs/benchmarks.md), wasmgate and V8. Never part of `test`.
bench: release
	WASMGATE_BENCH=$(CURDIR)/build/release/bench/wasmgate-bench-kernel bench/run.sh
