// Private to exec/: the interpreter's entry points (exec/interpreter.cc).
#pragma once

#include <optional>
#include <span>

#include "wasm/exec/runtime.h"

namespace wg::wasm {

struct Machine {
  // Runs wasm function `f` with its arguments already in fp[0..); leaves the
  // results in fp[0..). Returns the trap, if any. With s == nullptr only
  // publishes the handler table.
  static std::optional<Trap> run(Store* s, FuncInst* f, std::uint64_t* fp);
  static std::optional<Trap> call_host(Store& s, FuncInst* f, ModuleInstance* caller, std::uint64_t* fp);
  static CallResult invoke(Store& s, FuncInst& f, std::span<const Value> args);
  static inline const void* const* table = nullptr;
};

}  // namespace wg::wasm
