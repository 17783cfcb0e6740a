// The opcode table (opcodes.def) as an enum and a lookup by encoding.
//
// Contract: `Opcode` has one enumerator per row of opcodes.def, in row order.
// `opcode_info` describes a row; `lookup_opcode` maps an encoding to a row.
// Thread-safety: immutable tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace wg::wasm {

enum class Opcode : std::uint16_t {
#define WG_OP(name, prefix, code, shape, in1, in2, out, align) name,
#include "wasm/model/opcodes.def"
#undef WG_OP
  kCount,
};

enum class OpShape : std::uint8_t { Special, Unary, Binary, Load, Store };
// Operand types of the table; None marks an absent operand.
enum class OpType : std::uint8_t { None, I32, I64, F32, F64 };

struct OpcodeInfo {
  std::string_view name;  // spec spelling with '_' for '.', e.g. "i32_add"
  std::uint8_t prefix;
  std::uint32_t code;
  OpShape shape;
  OpType in1, in2, out;
  std::uint8_t align;  // log2 of the natural alignment (Load/Store)
};

const OpcodeInfo& opcode_info(Opcode op);
// Lookup by encoding; nullopt for an encoding that is not in the table.
std::optional<Opcode> lookup_opcode(std::uint8_t prefix, std::uint32_t code);

}  // namespace wg::wasm
