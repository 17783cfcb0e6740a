// `wasmgate wast FILE...`: runs WebAssembly spec scripts against the engine.
//
// Inputs are `.json` command files written by wabt's wast2json (the .wasm
// files they name are read from the same directory) or `.wast` files, which
// are converted by running `wast2json` into a private temporary directory.
// Output: one line per failure ("FILE:LINE: command: why"), one summary line
// per file ("FILE: P passed, F failed, S skipped"), and finally exactly
// "N passed, N failed". Exit code: 0 when nothing failed, 1 otherwise. A file
// that cannot be read or converted is reported on stderr and counts as one
// failed command.
// Counting and matching rules are documented in docs/conformance.md.
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace wg::cli {

int run_wast(const std::vector<std::string>& files, std::FILE* out);

}  // namespace wg::cli
