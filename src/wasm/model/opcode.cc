#include "wasm/model/opcode.h"

#include <array>

#include "wasm/model/types.h"

namespace wg::wasm {
namespace {

constexpr std::array<OpcodeInfo, static_cast<std::size_t>(Opcode::kCount)> kInfo = {{
#define WG_OP(name, prefix, code, shape, in1, in2, out, align) \
  {#name, prefix, code, OpShape::shape, OpType::in1, OpType::in2, OpType::out, align},
#include "wasm/model/opcodes.def"
#undef WG_OP
}};

// Dense tables indexed by the byte (one-byte opcodes) and by the sub-opcode
// (0xFC prefix); 0xFFFF marks a hole.
struct Tables {
  std::array<std::uint16_t, 256> single{};
  std::array<std::uint16_t, 32> misc{};
  constexpr Tables() {
    single.fill(0xFFFF);
    misc.fill(0xFFFF);
    for (std::size_t i = 0; i < kInfo.size(); ++i) {
      if (kInfo[i].prefix == 0)
        single[kInfo[i].code] = static_cast<std::uint16_t>(i);
      else
        misc[kInfo[i].code] = static_cast<std::uint16_t>(i);
    }
  }
};
constexpr Tables kTables;

}  // namespace

const OpcodeInfo& opcode_info(Opcode op) { return kInfo[static_cast<std::size_t>(op)]; }

std::optional<Opcode> lookup_opcode(std::uint8_t prefix, std::uint32_t code) {
  std::uint16_t i = 0xFFFF;
  if (prefix == 0 && code < 256)
    i = kTables.single[code];
  else if (prefix == 0xFC && code < kTables.misc.size())
    i = kTables.misc[code];
  if (i == 0xFFFF) return std::nullopt;
  return static_cast<Opcode>(i);
}

std::string_view to_string(ValType t) {
  switch (t) {
    case ValType::I32: return "i32";
    case ValType::I64: return "i64";
    case ValType::F32: return "f32";
    case ValType::F64: return "f64";
    case ValType::V128: return "v128";
    case ValType::FuncRef: return "funcref";
    case ValType::ExternRef: return "externref";
  }
  return "?";
}

std::string_view to_string(ExternKind k) {
  switch (k) {
    case ExternKind::Func: return "func";
    case ExternKind::Table: return "table";
    case ExternKind::Memory: return "memory";
    case ExternKind::Global: return "global";
  }
  return "?";
}

}  // namespace wg::wasm
