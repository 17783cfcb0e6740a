#include "wasm/decode/decoder.h"

#include <algorithm>
#include <string>

#include "base/byte_reader.h"
#include "wasm/model/opcode.h"
#include "wasm/model/types.h"

namespace wg::wasm {
namespace {

using Bytes = std::span<const std::uint8_t>;

std::unexpected<Error> fail(const ByteReader& r, std::string_view what) { return std::unexpected(r.error_here(what)); }

std::unexpected<Error> fail_at(ErrorCode code, std::size_t offset, std::string_view what) {
  std::string m(what);
  m.append(" at offset ").append(std::to_string(offset));
  return std::unexpected(Error(code, std::move(m)));
}

// Spec 5.5.2: the order of non-custom sections. The data count section (12)
// sits between the element (9) and code (10) sections.
int section_rank(std::uint8_t id) {
  switch (id) {
    case 1: return 1;    // type
    case 2: return 2;    // import
    case 3: return 3;    // function
    case 4: return 4;    // table
    case 5: return 5;    // memory
    case 6: return 6;    // global
    case 7: return 7;    // export
    case 8: return 8;    // start
    case 9: return 9;    // element
    case 12: return 10;  // data count
    case 10: return 11;  // code
    case 11: return 12;  // data
    default: return -1;
  }
}

class Decoder {
 public:
  Decoder(Bytes bytes, const DecodeLimits& limits) : bytes_(bytes), limits_(limits) {}

  Result<Module> run();

 private:
  Status section(std::uint8_t id, ByteReader& r);
  Result<std::uint32_t> count(ByteReader& r, std::uint32_t limit, std::string_view what);
  Result<std::string> name(ByteReader& r);
  Result<ValType> val_type(ByteReader& r);
  Result<ValType> ref_type(ByteReader& r);
  Result<Limits> limits(ByteReader& r, bool memory);
  Result<TableType> table_type(ByteReader& r);
  Result<GlobalType> global_type(ByteReader& r);
  Result<ConstExpr> const_expr(ByteReader& r);
  Status elem_segment(ByteReader& r);
  Status data_segment(ByteReader& r);
  Status code_entry(ByteReader& r, std::size_t index);
  Status skip_body(ByteReader& r, std::uint32_t* num_consts);

  Bytes bytes_;
  const DecodeLimits& limits_;
  Module m_;
  std::size_t declared_funcs_ = 0;
  std::size_t code_entries_ = 0;
  bool saw_code_ = false;
};

Result<std::uint32_t> Decoder::count(ByteReader& r, std::uint32_t limit, std::string_view what) {
  const std::size_t at = r.offset();
  std::uint32_t n = WG_TRY(r.read_var_u32());
  if (n > limit) {
    return fail_at(ErrorCode::LimitExceeded, at,
                   std::string("too many ") + std::string(what) + " (limit " + std::to_string(limit) + ")");
  }
  return n;
}

Result<std::string> Decoder::name(ByteReader& r) {
  std::uint32_t len = WG_TRY(r.read_var_u32());
  if (len > r.remaining()) return fail(r, "length out of bounds");
  const std::size_t at = r.offset();
  Bytes b = WG_TRY(r.read_bytes(len));
  if (!is_valid_utf8(b)) return fail_at(ErrorCode::Malformed, at, "malformed UTF-8 encoding");
  return std::string(b.begin(), b.end());
}

Result<ValType> Decoder::val_type(ByteReader& r) {
  const std::size_t at = r.offset();
  std::uint8_t b = WG_TRY(r.read_u8());
  switch (b) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x70:
    case 0x6F: return static_cast<ValType>(b);
    case 0x7B: return fail_at(ErrorCode::Unsupported, at, "unsupported feature: SIMD (v128)");
    default: return fail_at(ErrorCode::Malformed, at, "malformed value type");
  }
}

Result<ValType> Decoder::ref_type(ByteReader& r) {
  const std::size_t at = r.offset();
  std::uint8_t b = WG_TRY(r.read_u8());
  if (b == 0x70 || b == 0x6F) return static_cast<ValType>(b);
  return fail_at(ErrorCode::Malformed, at, "malformed reference type");
}

Result<Limits> Decoder::limits(ByteReader& r, bool memory) {
  // The flags are a one-byte LEB128 (spec 5.3.7): a continuation bit is
  // "integer representation too long", any flag but "has max" is "integer
  // too large"; flags 2 and 3 (shared memory) belong to the threads feature.
  const std::size_t at = r.offset();
  std::uint8_t flags = WG_TRY(r.read_u8());
  if (flags & 0x80) return fail_at(ErrorCode::Malformed, at, "integer representation too long");
  if (memory && (flags == 2 || flags == 3)) {
    return fail_at(ErrorCode::Unsupported, at, "integer too large: shared memory (unsupported feature: threads)");
  }
  if (flags > 1) return fail_at(ErrorCode::Malformed, at, "integer too large");
  Limits l;
  l.min = WG_TRY(r.read_var_u32());
  if (flags & 1) l.max = WG_TRY(r.read_var_u32());
  return l;
}

Result<TableType> Decoder::table_type(ByteReader& r) {
  TableType t;
  t.elem = WG_TRY(ref_type(r));
  t.limits = WG_TRY(limits(r, false));
  return t;
}

Result<GlobalType> Decoder::global_type(ByteReader& r) {
  GlobalType g;
  g.type = WG_TRY(val_type(r));
  const std::size_t at = r.offset();
  std::uint8_t mut = WG_TRY(r.read_u8());
  if (mut > 1) return fail_at(ErrorCode::Malformed, at, "malformed mutability");
  g.mut = static_cast<Mutability>(mut);
  return g;
}

// Spec 3.3.10 / 5.4: a constant expression is a short instruction sequence
// ending in `end`. Only constant instructions are representable; any other
// known instruction is the validation error "constant expression required".
Result<ConstExpr> Decoder::const_expr(ByteReader& r) {
  ConstExpr e;
  e.offset = r.offset();
  for (;;) {
    const std::size_t at = r.offset();
    std::uint8_t op = WG_TRY(r.read_u8());
    ConstInstr ci;
    switch (op) {
      case 0x0B: return e;
      case 0x41:
        ci.kind = ConstInstr::Kind::I32Const;
        ci.bits = static_cast<std::uint32_t>(WG_TRY(r.read_var_s32()));
        break;
      case 0x42:
        ci.kind = ConstInstr::Kind::I64Const;
        ci.bits = static_cast<std::uint64_t>(WG_TRY(r.read_var_s64()));
        break;
      case 0x43:
        ci.kind = ConstInstr::Kind::F32Const;
        ci.bits = WG_TRY(r.read_u32_le());
        break;
      case 0x44:
        ci.kind = ConstInstr::Kind::F64Const;
        ci.bits = WG_TRY(r.read_u64_le());
        break;
      case 0xD0:
        ci.kind = ConstInstr::Kind::RefNull;
        ci.ref_type = WG_TRY(ref_type(r));
        break;
      case 0xD2:
        ci.kind = ConstInstr::Kind::RefFunc;
        ci.index = WG_TRY(r.read_var_u32());
        break;
      case 0x23:
        ci.kind = ConstInstr::Kind::GlobalGet;
        ci.index = WG_TRY(r.read_var_u32());
        break;
      case 0xFD: return fail_at(ErrorCode::Unsupported, at, "unsupported feature: SIMD");
      default: {
        std::uint32_t code = op;
        if (op == 0xFC) code = WG_TRY(r.read_var_u32());
        if (!lookup_opcode(op == 0xFC ? 0xFC : 0, code)) return fail_at(ErrorCode::Malformed, at, "illegal opcode");
        return fail_at(ErrorCode::Invalid, at, "constant expression required");
      }
    }
    if (e.instrs.size() >= 64) return fail_at(ErrorCode::LimitExceeded, at, "constant expression too long");
    e.instrs.push_back(ci);
  }
}

Status Decoder::elem_segment(ByteReader& r) {
  ElemSegment s;
  s.byte_offset = r.offset();
  const std::size_t at = r.offset();
  std::uint32_t flags = WG_TRY(r.read_var_u32());
  if (flags > 7) return fail_at(ErrorCode::Malformed, at, "malformed elements segment kind");
  const bool passive_or_declarative = flags & 1;
  const bool explicit_table = flags & 2;
  const bool uses_exprs = flags & 4;
  if (!passive_or_declarative) {
    s.mode = SegmentMode::Active;
    if (explicit_table) s.table = TableIdx{WG_TRY(r.read_var_u32())};
    s.offset = WG_TRY(const_expr(r));
  } else {
    s.mode = explicit_table ? SegmentMode::Declarative : SegmentMode::Passive;
  }
  if (passive_or_declarative || explicit_table) {
    if (uses_exprs) {
      s.type = WG_TRY(ref_type(r));
    } else {
      const std::size_t kat = r.offset();
      std::uint8_t kind = WG_TRY(r.read_u8());
      if (kind != 0x00) return fail_at(ErrorCode::Malformed, kat, "malformed elements segment kind");
      s.type = ValType::FuncRef;
    }
  }
  std::uint32_t n = WG_TRY(count(r, limits_.max_elem_segments, "element segment items"));
  s.init.reserve(std::min<std::size_t>(n, r.remaining()));
  for (std::uint32_t i = 0; i < n; ++i) {
    if (uses_exprs) {
      s.init.push_back(WG_TRY(const_expr(r)));
    } else {
      ConstExpr e;
      e.offset = r.offset();
      ConstInstr ci;
      ci.kind = ConstInstr::Kind::RefFunc;
      ci.index = WG_TRY(r.read_var_u32());
      e.instrs.push_back(ci);
      s.init.push_back(std::move(e));
    }
  }
  m_.elements.push_back(std::move(s));
  return ok();
}

Status Decoder::data_segment(ByteReader& r) {
  DataSegment s;
  s.byte_offset = r.offset();
  const std::size_t at = r.offset();
  std::uint32_t flags = WG_TRY(r.read_var_u32());
  if (flags > 2) return fail_at(ErrorCode::Malformed, at, "malformed data segment kind");
  if (flags == 1) {
    s.mode = SegmentMode::Passive;
  } else {
    if (flags == 2) s.memory = MemIdx{WG_TRY(r.read_var_u32())};
    s.offset = WG_TRY(const_expr(r));
  }
  std::uint32_t len = WG_TRY(r.read_var_u32());
  if (len > r.remaining()) return fail(r, "unexpected end of section or function");
  Bytes b = WG_TRY(r.read_bytes(len));
  s.init.assign(b.begin(), b.end());
  m_.data.push_back(std::move(s));
  return ok();
}

Status Decoder::code_entry(ByteReader& r, std::size_t index) {
  const std::size_t size_at = r.offset();
  std::uint32_t size = WG_TRY(r.read_var_u32());
  if (size > r.remaining()) return fail_at(ErrorCode::Malformed, size_at, "length out of bounds");
  if (size > limits_.max_body_size) {
    return fail_at(ErrorCode::LimitExceeded, size_at,
                   "function body too large (limit " + std::to_string(limits_.max_body_size) + " bytes)");
  }
  const std::size_t start = r.offset();
  if (index >= m_.functions.size()) {
    return fail_at(ErrorCode::Malformed, size_at, "function and code section have inconsistent lengths");
  }
  Function& f = m_.functions[index];
  std::uint32_t groups = WG_TRY(r.read_var_u32());
  std::uint64_t total = 0;
  std::vector<std::pair<std::uint32_t, ValType>> decl;
  for (std::uint32_t i = 0; i < groups; ++i) {
    const std::size_t at = r.offset();
    std::uint32_t n = WG_TRY(r.read_var_u32());
    ValType t = WG_TRY(val_type(r));
    total += n;
    if (total > limits_.max_locals) return fail_at(ErrorCode::Malformed, at, "too many locals");
    decl.emplace_back(n, t);
  }
  f.locals.reserve(total);
  for (auto [n, t] : decl) f.locals.insert(f.locals.end(), n, t);
  f.body_offset = r.offset();
  WG_TRY(skip_body(r, &f.num_consts));
  // Like every sized construct, the body must end exactly at its size
  // (the reference decoder reads across the boundary, then checks).
  if (r.offset() != start + size) return fail_at(ErrorCode::Malformed, start, "section size mismatch");
  f.body_size = r.offset() - f.body_offset;
  return ok();
}

// Spec 5.4: walks one function body's instructions, checking the encoding
// only (opcodes, immediates, nesting of block/if/else/end). Validation and
// compilation read the body again, knowing it is well-formed.
Status Decoder::skip_body(ByteReader& r, std::uint32_t* num_consts) {
  std::vector<bool> is_if;  // one entry per open block; the body itself is a block
  is_if.push_back(false);
  while (!is_if.empty()) {
    const std::size_t at = r.offset();
    if (r.at_end()) return fail_at(ErrorCode::Malformed, at, "unexpected end of section or function");
    std::uint8_t b = WG_TRY(r.read_u8());
    std::uint32_t code = b;
    std::uint8_t prefix = 0;
    if (b == 0xFC) {
      prefix = 0xFC;
      code = WG_TRY(r.read_var_u32());
    } else if (b == 0xFD) {
      return fail_at(ErrorCode::Unsupported, at, "unsupported feature: SIMD");
    } else if (b == 0xFE) {
      return fail_at(ErrorCode::Unsupported, at, "unsupported feature: threads (atomics)");
    }
    auto op = lookup_opcode(prefix, code);
    if (!op) return fail_at(ErrorCode::Malformed, at, "illegal opcode");
    const OpcodeInfo& info = opcode_info(*op);
    if (info.shape == OpShape::Load || info.shape == OpShape::Store) {
      const std::size_t fat = r.offset();
      std::uint32_t align = WG_TRY(r.read_var_u32());
      if (align >= 32) return fail_at(ErrorCode::Malformed, fat, "malformed memop flags");
      WG_TRY(r.read_var_u32());
      continue;
    }
    if (info.shape != OpShape::Special) continue;
    auto zero = [&]() -> Status {
      const std::size_t zat = r.offset();
      std::uint8_t z = WG_TRY(r.read_u8());
      if (z != 0) return fail_at(ErrorCode::Malformed, zat, "zero byte expected");
      return ok();
    };
    switch (*op) {
      case Opcode::block:
      case Opcode::loop:
      case Opcode::if_: {
        if (is_if.size() >= limits_.max_nesting_depth) {
          return fail_at(ErrorCode::LimitExceeded, at, "blocks nested too deeply");
        }
        std::uint8_t t = WG_TRY(r.peek_u8());
        if (t == 0x40 || t == 0x7F || t == 0x7E || t == 0x7D || t == 0x7C || t == 0x70 || t == 0x6F) {
          WG_TRY(r.read_u8());
        } else if (t == 0x7B) {
          return fail_at(ErrorCode::Unsupported, r.offset(), "unsupported feature: SIMD (v128)");
        } else {
          const std::size_t tat = r.offset();
          std::int64_t idx = WG_TRY(r.read_var_s33());
          if (idx < 0) return fail_at(ErrorCode::Malformed, tat, "malformed value type");
        }
        is_if.push_back(*op == Opcode::if_);
        break;
      }
      case Opcode::else_:
        if (!is_if.back()) return fail_at(ErrorCode::Malformed, at, "END opcode expected");
        is_if.back() = false;  // a second else is not allowed
        break;
      case Opcode::end: is_if.pop_back(); break;
      case Opcode::br:
      case Opcode::br_if:
      case Opcode::call:
      case Opcode::local_get:
      case Opcode::local_set:
      case Opcode::local_tee:
      case Opcode::global_get:
      case Opcode::global_set:
      case Opcode::table_get:
      case Opcode::table_set:
      case Opcode::ref_func:
      case Opcode::data_drop:
      case Opcode::elem_drop:
      case Opcode::table_grow:
      case Opcode::table_size:
      case Opcode::table_fill: WG_TRY(r.read_var_u32()); break;
      case Opcode::br_table: {
        std::uint32_t n = WG_TRY(r.read_var_u32());
        if (n > limits_.max_br_table_size) return fail_at(ErrorCode::LimitExceeded, at, "br_table too large");
        for (std::uint64_t i = 0; i <= n; ++i) WG_TRY(r.read_var_u32());
        break;
      }
      case Opcode::call_indirect:
      case Opcode::table_init:
      case Opcode::table_copy:
        WG_TRY(r.read_var_u32());
        WG_TRY(r.read_var_u32());
        break;
      case Opcode::select_t: {
        std::uint32_t n = WG_TRY(r.read_var_u32());
        for (std::uint32_t i = 0; i < n; ++i) WG_TRY(val_type(r));
        break;
      }
      case Opcode::memory_size:
      case Opcode::memory_grow:
      case Opcode::memory_fill: WG_TRY(zero()); break;
      case Opcode::memory_copy:
        WG_TRY(zero());
        WG_TRY(zero());
        break;
      case Opcode::memory_init:
        WG_TRY(r.read_var_u32());
        WG_TRY(zero());
        break;
      case Opcode::i32_const:
        WG_TRY(r.read_var_s32());
        ++*num_consts;
        break;
      case Opcode::i64_const:
        WG_TRY(r.read_var_s64());
        ++*num_consts;
        break;
      case Opcode::f32_const:
        WG_TRY(r.skip(4));
        ++*num_consts;
        break;
      case Opcode::f64_const:
        WG_TRY(r.skip(8));
        ++*num_consts;
        break;
      case Opcode::ref_null: WG_TRY(ref_type(r)); break;
      default: break;
    }
  }
  return ok();
}

Status Decoder::section(std::uint8_t id, ByteReader& r) {
  switch (id) {
    case 0: {  // custom: the name must be UTF-8; the payload is ignored
      WG_TRY(name(r));
      WG_TRY(r.skip(r.remaining()));
      return ok();
    }
    case 1: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_types, "types"));
      m_.types.reserve(std::min<std::size_t>(n, r.remaining()));
      for (std::uint32_t i = 0; i < n; ++i) {
        const std::size_t at = r.offset();
        std::uint8_t form = WG_TRY(r.read_u8());
        if (form != 0x60) return fail_at(ErrorCode::Malformed, at, "integer representation too long");
        FuncType t;
        std::uint32_t np = WG_TRY(count(r, limits_.max_params, "parameters"));
        for (std::uint32_t k = 0; k < np; ++k) t.params.push_back(WG_TRY(val_type(r)));
        std::uint32_t nr = WG_TRY(count(r, limits_.max_results, "results"));
        for (std::uint32_t k = 0; k < nr; ++k) t.results.push_back(WG_TRY(val_type(r)));
        m_.types.push_back(std::move(t));
      }
      return ok();
    }
    case 2: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_imports, "imports"));
      for (std::uint32_t i = 0; i < n; ++i) {
        Import im;
        im.module = WG_TRY(name(r));
        im.name = WG_TRY(name(r));
        const std::size_t at = r.offset();
        std::uint8_t kind = WG_TRY(r.read_u8());
        switch (kind) {
          case 0:
            im.func_type = TypeIdx{WG_TRY(r.read_var_u32())};
            ++m_.imported_funcs;
            break;
          case 1:
            im.table = WG_TRY(table_type(r));
            ++m_.imported_tables;
            break;
          case 2:
            im.memory.limits = WG_TRY(limits(r, true));
            ++m_.imported_memories;
            break;
          case 3:
            im.global = WG_TRY(global_type(r));
            ++m_.imported_globals;
            break;
          default: return fail_at(ErrorCode::Malformed, at, "malformed import kind");
        }
        im.kind = static_cast<ExternKind>(kind);
        m_.imports.push_back(std::move(im));
      }
      return ok();
    }
    case 3: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_functions, "functions"));
      m_.functions.reserve(std::min<std::size_t>(n, r.remaining()));
      for (std::uint32_t i = 0; i < n; ++i) {
        Function f;
        f.type = TypeIdx{WG_TRY(r.read_var_u32())};
        m_.functions.push_back(std::move(f));
      }
      declared_funcs_ = n;
      return ok();
    }
    case 4: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_tables, "tables"));
      for (std::uint32_t i = 0; i < n; ++i) m_.tables.push_back(WG_TRY(table_type(r)));
      return ok();
    }
    case 5: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_memories, "memories"));
      for (std::uint32_t i = 0; i < n; ++i) m_.memories.push_back(MemType{WG_TRY(limits(r, true))});
      return ok();
    }
    case 6: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_globals, "globals"));
      for (std::uint32_t i = 0; i < n; ++i) {
        Global g;
        g.type = WG_TRY(global_type(r));
        g.init = WG_TRY(const_expr(r));
        m_.globals.push_back(std::move(g));
      }
      return ok();
    }
    case 7: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_exports, "exports"));
      for (std::uint32_t i = 0; i < n; ++i) {
        Export e;
        e.name = WG_TRY(name(r));
        const std::size_t at = r.offset();
        std::uint8_t kind = WG_TRY(r.read_u8());
        if (kind > 3) return fail_at(ErrorCode::Malformed, at, "malformed export kind");
        e.kind = static_cast<ExternKind>(kind);
        e.index = WG_TRY(r.read_var_u32());
        m_.exports.push_back(std::move(e));
      }
      return ok();
    }
    case 8: m_.start = FuncIdx{WG_TRY(r.read_var_u32())}; return ok();
    case 9: {
      std::uint32_t n = WG_TRY(count(r, limits_.max_elem_segments, "element segments"));
      for (std::uint32_t i = 0; i < n; ++i) WG_TRY(elem_segment(r));
      return ok();
    }
    case 10: {
      saw_code_ = true;
      const std::size_t at = r.offset();
      std::uint32_t n = WG_TRY(count(r, limits_.max_functions, "function bodies"));
      if (n != declared_funcs_) {
        return fail_at(ErrorCode::Malformed, at, "function and code section have inconsistent lengths");
      }
      for (std::uint32_t i = 0; i < n; ++i) WG_TRY(code_entry(r, i));
      code_entries_ = n;
      return ok();
    }
    case 11: {
      const std::size_t at = r.offset();
      std::uint32_t n = WG_TRY(count(r, limits_.max_data_segments, "data segments"));
      if (m_.data_count && *m_.data_count != n) {
        return fail_at(ErrorCode::Malformed, at, "data count and data section have inconsistent lengths");
      }
      for (std::uint32_t i = 0; i < n; ++i) WG_TRY(data_segment(r));
      return ok();
    }
    case 12: m_.data_count = WG_TRY(count(r, limits_.max_data_segments, "data segments")); return ok();
    default: return fail(r, "malformed section id");
  }
}

Result<Module> Decoder::run() {
  if (bytes_.size() > limits_.max_module_size) {
    return fail_at(ErrorCode::LimitExceeded, 0,
                   "module too large (limit " + std::to_string(limits_.max_module_size) + " bytes)");
  }
  m_.bytes.assign(bytes_.begin(), bytes_.end());
  ByteReader r(Bytes(m_.bytes));
  // Spec 5.5.16: magic and version.
  Bytes magic = WG_TRY(r.read_bytes(4));
  static constexpr std::uint8_t kMagic[4] = {0x00, 0x61, 0x73, 0x6D};
  if (!std::equal(magic.begin(), magic.end(), kMagic))
    return fail_at(ErrorCode::Malformed, 0, "magic header not detected");
  Bytes version = WG_TRY(r.read_bytes(4));
  static constexpr std::uint8_t kVersion[4] = {0x01, 0x00, 0x00, 0x00};
  if (!std::equal(version.begin(), version.end(), kVersion)) {
    return fail_at(ErrorCode::Malformed, 4, "unknown binary version");
  }
  int last_rank = 0;
  bool saw_data = false;
  while (!r.at_end()) {
    const std::size_t id_at = r.offset();
    std::uint8_t id = WG_TRY(r.read_u8());
    if (id > 12) return fail_at(ErrorCode::Malformed, id_at, "malformed section id");
    std::uint32_t size = WG_TRY(r.read_var_u32());
    if (size > r.remaining()) return fail(r, "length out of bounds");
    const std::size_t start = r.offset();
    if (id != 0) {
      int rank = section_rank(id);
      if (rank <= last_rank) return fail_at(ErrorCode::Malformed, id_at, "unexpected content after last section");
      last_rank = rank;
      if (id == 11) saw_data = true;
    }
    // Sections are read from the whole input, as the reference decoder
    // does, and must then end exactly at their declared size.
    if (id == 0) {
      ByteReader sr = WG_TRY(r.sub_reader(size));
      auto st = section(0, sr);
      if (!st) {
        Error e = std::move(st).error();
        if (e.message().starts_with("unexpected end at")) {
          return fail_at(ErrorCode::Malformed, sr.offset(), "unexpected end of section or function");
        }
        return std::unexpected(std::move(e));
      }
      continue;
    }
    auto st = section(id, r);
    if (!st) {
      Error e = std::move(st).error();
      if (e.message().starts_with("unexpected end at")) {
        std::string msg = "unexpected end of section or function" + e.message().substr(14);
        return std::unexpected(Error(ErrorCode::Malformed, std::move(msg)));
      }
      return std::unexpected(std::move(e));
    }
    if (r.offset() != start + size) return fail_at(ErrorCode::Malformed, start, "section size mismatch");
  }
  if (!saw_code_ && declared_funcs_ != 0) {
    return fail_at(ErrorCode::Malformed, r.offset(), "function and code section have inconsistent lengths");
  }
  if (m_.data_count && !saw_data && *m_.data_count != 0) {
    return fail_at(ErrorCode::Malformed, r.offset(), "data count and data section have inconsistent lengths");
  }
  return std::move(m_);
}

}  // namespace

bool is_valid_utf8(Bytes b) {
  std::size_t i = 0;
  while (i < b.size()) {
    std::uint8_t c = b[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else
      return false;
    if (i + n >= b.size()) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if ((b[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

Result<Module> decode_module(Bytes bytes, const DecodeLimits& limits) { return Decoder(bytes, limits).run(); }

}  // namespace wg::wasm
