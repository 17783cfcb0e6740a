// The decoded form of one WebAssembly module (spec 2.5 "Modules").
//
// Contract: produced by decode_module(); every field holds what the binary
// said, after the binary-format checks (spec 5) but before validation (spec
// 3). Function bodies stay as byte ranges into `bytes` and are validated and
// compiled later in one pass. Thread-safety: a value; const access from many
// threads is safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "wasm/model/types.h"

namespace wg::wasm {

// One instruction of a constant expression (spec 3.3.10). Only the forms the
// decoder accepts in a constant expression can appear.
struct ConstInstr {
  enum class Kind : std::uint8_t { I32Const, I64Const, F32Const, F64Const, RefNull, RefFunc, GlobalGet };
  Kind kind = Kind::I32Const;
  std::uint64_t bits = 0;               // the constant's bit pattern
  std::uint32_t index = 0;              // function or global index
  ValType ref_type = ValType::FuncRef;  // for RefNull
};

struct ConstExpr {
  std::vector<ConstInstr> instrs;  // without the final `end`
  std::size_t offset = 0;          // byte offset of the expression
};

struct Import {
  std::string module;
  std::string name;
  ExternKind kind = ExternKind::Func;
  TypeIdx func_type{};  // kind == Func
  TableType table;      // kind == Table
  MemType memory;       // kind == Memory
  GlobalType global;    // kind == Global
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::Func;
  std::uint32_t index = 0;  // into the index space of `kind`
};

struct Global {
  GlobalType type;
  ConstExpr init;
};

enum class SegmentMode : std::uint8_t { Active, Passive, Declarative };

struct ElemSegment {
  SegmentMode mode = SegmentMode::Active;
  TableIdx table{};
  ConstExpr offset;  // Active only
  ValType type = ValType::FuncRef;
  std::vector<ConstExpr> init;
  std::size_t byte_offset = 0;
};

struct DataSegment {
  SegmentMode mode = SegmentMode::Active;
  MemIdx memory{};
  ConstExpr offset;  // Active only
  std::vector<std::uint8_t> init;
  std::size_t byte_offset = 0;
};

// A function defined by the module: its type, its declared locals (params
// excluded) and the byte range of its body (after the locals, up to and
// including the final `end`).
struct Function {
  TypeIdx type{};
  std::vector<ValType> locals;
  std::size_t body_offset = 0;
  std::size_t body_size = 0;
  std::uint32_t num_consts = 0;  // t.const instructions in the body (decoder's count)
};

struct Module {
  std::vector<FuncType> types;
  std::vector<Import> imports;
  std::vector<Function> functions;  // defined functions, after imported ones
  std::vector<TableType> tables;    // defined tables
  std::vector<MemType> memories;    // defined memories
  std::vector<Global> globals;      // defined globals
  std::vector<Export> exports;
  std::optional<FuncIdx> start;
  std::vector<ElemSegment> elements;
  std::vector<DataSegment> data;
  std::optional<std::uint32_t> data_count;
  std::vector<std::uint8_t> bytes;  // the whole binary; bodies point into it

  // Counts of imports per kind, filled by the decoder.
  std::uint32_t imported_funcs = 0;
  std::uint32_t imported_tables = 0;
  std::uint32_t imported_memories = 0;
  std::uint32_t imported_globals = 0;

  std::uint32_t total_funcs() const { return imported_funcs + static_cast<std::uint32_t>(functions.size()); }
  std::uint32_t total_tables() const { return imported_tables + static_cast<std::uint32_t>(tables.size()); }
  std::uint32_t total_memories() const { return imported_memories + static_cast<std::uint32_t>(memories.size()); }
  std::uint32_t total_globals() const { return imported_globals + static_cast<std::uint32_t>(globals.size()); }
};

}  // namespace wg::wasm
