// Binary decoder: bytes -> Module (spec chapter 5, "Binary Format").
//
// Contract: decode_module() accepts any byte string. It either returns a
// Module that satisfies every binary-format rule, or an Error:
//   Malformed      the bytes break the binary format; the message uses the
//                  official testsuite's wording and ends with "at offset N"
//   Invalid        a constant expression uses a non-constant instruction
//                  ("constant expression required")
//   LimitExceeded  a DecodeLimits bound was crossed (names the limit)
//   Unsupported    the module uses SIMD (v128) or threads (shared memory)
// It never reads outside `bytes`, and its allocations are bounded by the
// input size and the limits. Function bodies are checked for well-formed
// encoding here (opcodes, immediates, block nesting); the validator reads them
// again while compiling (validate/compiler.h).
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "base/error.h"
#include "wasm/model/module.h"

namespace wg::wasm {

// Bounds on untrusted modules, checked while decoding.
struct DecodeLimits {
  std::size_t max_module_size = 256u << 20;  // bytes
  std::uint32_t max_types = 1'000'000;
  std::uint32_t max_imports = 100'000;
  std::uint32_t max_functions = 1'000'000;
  std::uint32_t max_tables = 100'000;
  std::uint32_t max_memories = 100;  // the validator allows one ("multiple memories")
  std::uint32_t max_globals = 1'000'000;
  std::uint32_t max_exports = 100'000;
  std::uint32_t max_elem_segments = 10'000'000;
  std::uint32_t max_data_segments = 100'000;
  std::uint32_t max_params = 1000;
  std::uint32_t max_results = 1000;
  std::uint32_t max_locals = 50'000;        // per function; "too many locals"
  std::uint32_t max_body_size = 7'654'321;  // bytes per function body
  std::uint32_t max_br_table_size = 1'000'000;
  std::uint32_t max_nesting_depth = 100'000;  // nested blocks per function
};

[[nodiscard]] Result<Module> decode_module(std::span<const std::uint8_t> bytes, const DecodeLimits& limits = {});

// Checks that `bytes` is well-formed UTF-8 (spec 5.2.4): shortest forms
// only, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::span<const std::uint8_t> bytes);

}  // namespace wg::wasm
