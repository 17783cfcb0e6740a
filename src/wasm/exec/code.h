// The internal code form that the compiler produces and the interpreter
// runs (docs/engine.md, "Compiled form").
//
// A function is an array of 8-byte Cells. Each instruction starts with the
// address of its handler (computed-goto dispatch), followed by immediates
// decoded once at compile time. Operands are frame-slot numbers resolved at
// compile time: slot i of a frame is fp[i]; slots [0, num_locals) are the
// parameters and locals, then come the function's constants (copied in on
// entry, read-only), then the operand stack: height h lives in
// [num_locals + consts.size(), ... + h). Branch targets are absolute pointers into
// the same array, fixed up when the function is finished.
// Thread-safety: immutable once built; shared by every instance.
#pragma once

#include <cstdint>
#include <vector>

namespace wg::wasm {

union Cell {
  const void* handler;
  const Cell* target;
  std::uint64_t u64;
  struct {
    std::uint32_t a;
    std::uint32_t b;
  } s;
};
static_assert(sizeof(Cell) == 8);

// Every interpreter instruction: the numeric/memory rows of opcodes.def (the
// special rows are never emitted) followed by the internal rows of xops.def.
enum class XOp : std::uint16_t {
#define WG_OP(name, prefix, code, shape, in1, in2, out, align) name,
#include "wasm/model/opcodes.def"
#undef WG_OP
#define WG_XOP(name) x_##name,
#include "wasm/exec/xops.def"
#undef WG_XOP
  kCount,
};

struct CompiledFunc {
  std::uint32_t type_index = 0;  // into the module's type section
  std::uint32_t type_id = 0;     // process-wide interned signature id
  std::uint32_t num_params = 0;
  std::uint32_t num_results = 0;
  std::uint32_t num_locals = 0;       // parameters included
  std::uint32_t frame_slots = 0;      // locals + constants + maximum operand stack height
  std::vector<std::uint64_t> consts;  // copied to fp[num_locals..] on entry
  std::vector<Cell> code;
};

// Handler addresses of the interpreter, indexed by XOp.
const void* const* handler_table();

}  // namespace wg::wasm
