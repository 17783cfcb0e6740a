// Runtimes that agent templates grant: small POSIX-style utilities (cat,
// ls, grep, ...) written in C (src/runtimes/c), compiled to wasm32-wasi
// commands at build time and embedded in the binary, so wasmgate needs no
// files at run time to offer them. docs/runtimes.md lists each utility and
// its options.
//
// Contract: the returned spans point into static storage and stay valid for
// the life of the process. Each module is a WASI preview1 command (exports
// `_start` and `memory`, imports only wasi_snapshot_preview1); run it with
// wasi::run over the agent's VFS, with argv[0] the utility's name and the
// VFS root preopened as "/" so absolute and relative paths both work.
// Thread-safety: all functions are pure reads of constant data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wg::runtimes {

// The module of utility `name` ("cat"), or an empty span if there is none.
std::span<const std::uint8_t> find_utility(std::string_view name);

// Every utility name, sorted.
std::vector<std::string_view> utility_names();

// The path of the Ruby WASI module (ruby+stdlib.wasm) configured at build
// time (CMake cache variable WG_RUBY_WASM), or "" if none was configured.
// Callers may override it at run time; the file is read only when used.
std::string_view default_ruby_wasm_path();

}  // namespace wg::runtimes
