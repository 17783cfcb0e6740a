// Process-wide interning of function types, so that call_indirect compares
// signatures with one integer compare (spec 4.4.8 step 11 compares types
// structurally; equal types get equal ids).
// Thread-safety: intern_type() locks a mutex; ids are stable for the process.
#pragma once

#include <cstdint>

#include "wasm/model/types.h"

namespace wg::wasm {

std::uint32_t intern_type(const FuncType& type);

}  // namespace wg::wasm
