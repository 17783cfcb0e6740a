// Validation (spec chapter 3) and compilation to the internal form
// (exec/code.h) in one pass per function.
//
// Contract: compile_module() takes a decoded Module and either returns the
// CompiledModule or an Error:
//   Invalid    a validation rule is broken; the message uses the official
//              testsuite's wording ("type mismatch", "unknown local", ...)
//              and names the function and byte offset
//   Malformed  a function body breaks the binary format (bodies are decoded
//              here, not by the decoder): "illegal opcode", "zero byte
//              expected", "data count section required", ...
//   Unsupported SIMD or threads instructions
//   LimitExceeded a DecodeLimits bound on bodies was crossed
// Thread-safety: pure function of its inputs.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "wasm/decode/decoder.h"
#include "wasm/exec/code.h"
#include "wasm/model/module.h"

namespace wg::wasm {

// How floating-point NaN results are produced. Canonical rewrites every NaN
// that an arithmetic instruction produces to the canonical NaN (sign 0,
// quiet, payload 0), so that results are bit-identical on every host.
enum class NanMode : std::uint8_t { Native, Canonical };

struct CompileOptions {
  DecodeLimits limits;
  NanMode nan_mode = NanMode::Native;
};

// A validated, compiled module: immutable, shared by every instance made
// from it (and by the module cache).
class CompiledModule {
 public:
  const Module& module() const { return module_; }
  const std::vector<CompiledFunc>& functions() const { return funcs_; }  // defined functions
  std::uint32_t type_id(std::uint32_t type_index) const { return type_ids_[type_index]; }
  const FuncType& func_type(std::uint32_t func_index) const;  // imported or defined
  NanMode nan_mode() const { return nan_mode_; }
  const std::array<std::uint8_t, 32>& digest() const { return digest_; }

 private:
  friend Result<std::shared_ptr<const CompiledModule>> compile_module(Module module, const CompileOptions& options);
  friend Result<std::shared_ptr<const CompiledModule>> compile(std::span<const std::uint8_t> bytes,
                                                               const CompileOptions& options);
  Module module_;
  std::vector<CompiledFunc> funcs_;
  std::vector<std::uint32_t> type_ids_;
  std::vector<std::uint32_t> func_type_index_;  // per function index
  NanMode nan_mode_ = NanMode::Native;
  std::array<std::uint8_t, 32> digest_{};
};

[[nodiscard]] Result<std::shared_ptr<const CompiledModule>> compile_module(Module module,
                                                                           const CompileOptions& options = {});

// decode_module + compile_module, and records the SHA-256 digest of `bytes`.
[[nodiscard]] Result<std::shared_ptr<const CompiledModule>> compile(std::span<const std::uint8_t> bytes,
                                                                    const CompileOptions& options = {});

}  // namespace wg::wasm
