#include "wasm/validate/compiler.h"

#include <algorithm>
#include <set>
#include <string>
#include <unordered_set>

#include "base/byte_reader.h"
#include "base/sha256.h"
#include "wasm/exec/type_registry.h"
#include "wasm/model/opcode.h"

namespace wg::wasm {
namespace {

// The bottom type of the spec's validation algorithm (appendix A.3): an
// operand popped from an unreachable, empty stack matches every type.
constexpr ValType kUnknown = static_cast<ValType>(0);
// Constant slots per function (docs/engine.md "Compiled form").
constexpr std::size_t kMaxConstSlots = 16;

std::unexpected<Error> err_at(ErrorCode code, std::size_t offset, std::string what) {
  what.append(" at offset ").append(std::to_string(offset));
  return std::unexpected(Error(code, std::move(what)));
}

ValType to_val(OpType t) {
  switch (t) {
    case OpType::I32: return ValType::I32;
    case OpType::I64: return ValType::I64;
    case OpType::F32: return ValType::F32;
    case OpType::F64: return ValType::F64;
    case OpType::None: break;
  }
  return kUnknown;
}

bool produces_float_nan(Opcode op) {
  switch (op) {
    case Opcode::f32_add:
    case Opcode::f32_sub:
    case Opcode::f32_mul:
    case Opcode::f32_div:
    case Opcode::f32_sqrt:
    case Opcode::f32_min:
    case Opcode::f32_max:
    case Opcode::f32_ceil:
    case Opcode::f32_floor:
    case Opcode::f32_trunc:
    case Opcode::f32_nearest:
    case Opcode::f32_demote_f64:
    case Opcode::f64_add:
    case Opcode::f64_sub:
    case Opcode::f64_mul:
    case Opcode::f64_div:
    case Opcode::f64_sqrt:
    case Opcode::f64_min:
    case Opcode::f64_max:
    case Opcode::f64_ceil:
    case Opcode::f64_floor:
    case Opcode::f64_trunc:
    case Opcode::f64_nearest:
    case Opcode::f64_promote_f32: return true;
    default: return false;
  }
}

// Module-wide context C of spec 3.1.1, with the index spaces flattened.
struct Context {
  const Module& m;
  std::vector<std::uint32_t> func_types;  // type index per function index
  std::vector<TableType> tables;
  std::vector<MemType> memories;
  std::vector<GlobalType> globals;
  std::unordered_set<std::uint32_t> refs;  // C.refs: functions referenced outside bodies
  const std::vector<std::uint32_t>* type_ids = nullptr;
};

// Validates and compiles one function body (spec 3.3, appendix A.3).
class FunctionCompiler {
 public:
  FunctionCompiler(const Context& c, const CompileOptions& opt, std::uint32_t func_index)
      : c_(c), opt_(opt), func_index_(func_index) {}

  Result<CompiledFunc> run(const Function& f);

 private:
  struct Ctrl {
    Opcode kind = Opcode::block;
    std::vector<ValType> params, results;
    std::size_t height = 0;  // operand stack height below the block's params
    bool unreachable = false;
    bool dead = false;                  // started in unreachable code: nothing is emitted
    std::size_t loop_pos = 0;           // loop: code index of its head
    std::size_t else_patch = SIZE_MAX;  // if: the br_eqz target cell to patch
    std::vector<std::size_t> patches;   // cells that must point at the end
    const std::vector<ValType>& labels() const { return kind == Opcode::loop ? params : results; }
  };

  std::unexpected<Error> invalid(std::string what) { return err_at(ErrorCode::Invalid, at_, std::move(what)); }
  std::unexpected<Error> malformed(std::string what) { return err_at(ErrorCode::Malformed, at_, std::move(what)); }

  // Operand stack (appendix A.3).
  void push(ValType t) {
    src_.push_back(slot(vals_.size()));
    vals_.push_back(t);
    max_height_ = std::max(max_height_, vals_.size());
  }
  Result<ValType> pop() {
    Ctrl& top = ctrls_.back();
    if (vals_.size() == top.height) {
      if (top.unreachable) return kUnknown;
      return invalid("type mismatch");
    }
    ValType t = vals_.back();
    vals_.pop_back();
    src_.pop_back();
    return t;
  }
  Result<ValType> pop(ValType expect) {
    ValType actual = WG_TRY(pop());
    if (actual != expect && actual != kUnknown && expect != kUnknown) return invalid("type mismatch");
    return actual;
  }
  Status pop_all(const std::vector<ValType>& types) {
    for (std::size_t i = types.size(); i-- > 0;) WG_TRY(pop(types[i]));
    return ok();
  }
  void push_all(const std::vector<ValType>& types) {
    for (ValType t : types) push(t);
  }
  void set_unreachable() {
    vals_.resize(ctrls_.back().height);
    src_.resize(vals_.size());
    ctrls_.back().unreachable = true;
  }
  bool live() const { return !ctrls_.back().unreachable && !ctrls_.back().dead; }

  // Operand folding: src_[i] is the slot that currently holds operand i.
  // It is the operand's own slot, except after `local.get x`, which emits
  // nothing and leaves src_ = x (the local). Instructions that read operands
  // by slot number use src_ directly; everything else (control, calls, bulk
  // operations) first materialises the operands into their own slots.
  std::uint32_t src_at(std::size_t depth) const { return depth <= src_.size() ? src_[src_.size() - depth] : 0; }
  void materialize_all() {
    if (!live()) return;
    for (std::size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] != slot(i)) {
        op(XOp::x_copy);
        imm2(src_[i], slot(i));
        src_[i] = slot(i);
      }
    }
  }
  // Before local x is written: operands still reading x get their own copy.
  void materialize_local(std::uint32_t x) {
    if (!live()) return;
    for (std::size_t i = 0; i < src_.size(); ++i) {
      if (src_[i] == x) {
        op(XOp::x_copy);
        imm2(x, slot(i));
        src_[i] = slot(i);
      }
    }
  }

  // Slot of the operand at stack position `pos` (0 = bottom).
  std::uint32_t slot(std::size_t pos) const { return static_cast<std::uint32_t>(stack_base_ + pos); }
  // Slot of the operand `depth` entries below the top (1 = top).
  std::uint32_t top_slot(std::size_t depth) const { return slot(vals_.size() - depth); }

  // Emission.
  void op(XOp x) { code_.push_back(Cell{.handler = handlers_[static_cast<std::size_t>(x)]}); }
  void imm2(std::uint32_t a, std::uint32_t b) {
    Cell c;
    c.s.a = a;
    c.s.b = b;
    code_.push_back(c);
  }
  void imm64(std::uint64_t v) { code_.push_back(Cell{.u64 = v}); }
  // A branch-target cell to be resolved to `target` (a code index) at the end.
  void target_cell(std::size_t target) {
    fixups_.push_back(code_.size());
    code_.push_back(Cell{.u64 = target});
  }
  // A branch-target cell for label `depth`: known for loops, patched at the
  // block's end otherwise.
  void label_cell(std::size_t depth) {
    Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
    if (t.kind == Opcode::loop) {
      target_cell(t.loop_pos);
    } else {
      t.patches.push_back(code_.size());
      target_cell(0);
    }
  }
  void moves(std::uint32_t from, std::uint32_t to, std::size_t n) {
    if (from == to) return;
    for (std::size_t i = 0; i < n; ++i) {
      op(XOp::x_copy);
      imm2(from + static_cast<std::uint32_t>(i), to + static_cast<std::uint32_t>(i));
    }
  }
  // Starts a new fuel region (docs/engine.md "Fuel"): the cost cell of the
  // previous region is final.
  void region(XOp kind) {
    close_region();
    op(kind);
    fuel_cell_ = code_.size();
    imm64(0);
    region_cost_ = 0;
  }
  void close_region() {
    if (fuel_cell_ != SIZE_MAX) code_[fuel_cell_].u64 = region_cost_;
  }
  // Emits moves for a branch to label `depth` with the label values on top
  // of the stack; returns false if no moves are needed.
  bool needs_moves(std::size_t depth) const {
    const Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
    std::size_t n = t.labels().size();
    return n != 0 && slot(vals_.size() - n) != slot(t.height);
  }
  void branch_moves(std::size_t depth) {
    const Ctrl& t = ctrls_[ctrls_.size() - 1 - depth];
    std::size_t n = t.labels().size();
    moves(slot(vals_.size() - n), slot(t.height), n);
  }
  void branch_to(std::size_t depth) {
    branch_moves(depth);
    op(XOp::x_br);
    label_cell(depth);
  }

  Result<std::uint32_t> label(ByteReader& r) {
    std::uint32_t depth = WG_TRY(r.read_var_u32());
    if (depth >= ctrls_.size()) return invalid("unknown label");
    return depth;
  }
  Result<Ctrl> block_type(ByteReader& r, Opcode kind);
  Status memarg(ByteReader& r, std::uint8_t natural, std::uint64_t* offset);
  Status need_memory() {
    if (c_.memories.empty()) return invalid("unknown memory 0");
    return ok();
  }
  Result<std::uint32_t> table_index(ByteReader& r) {
    std::uint32_t x = WG_TRY(r.read_var_u32());
    if (x >= c_.tables.size()) return invalid("unknown table " + std::to_string(x));
    return x;
  }
  Status zero_byte(ByteReader& r) {
    std::uint8_t b = WG_TRY(r.read_u8());
    if (b != 0) return malformed("zero byte expected");
    return ok();
  }
  // Spec 3.3.7.5/5.5.13: the index must name a data segment; and a binary
  // that uses data indices in code needs a data count section. The index
  // check comes first so that a module without any data segments reports
  // "unknown data segment" (wast2json omits the data count section then).
  Status data_index(ByteReader& r, std::uint32_t* x) {
    *x = WG_TRY(r.read_var_u32());
    const std::size_t n = c_.m.data_count ? *c_.m.data_count : c_.m.data.size();
    if (*x >= n) return invalid("unknown data segment " + std::to_string(*x));
    if (!c_.m.data_count) return malformed("data count section required");
    return ok();
  }
  Status elem_index(ByteReader& r, std::uint32_t* x) {
    *x = WG_TRY(r.read_var_u32());
    if (*x >= c_.m.elements.size()) return invalid("unknown elem segment " + std::to_string(*x));
    return ok();
  }
  Status instruction(ByteReader& r, Opcode opc);

  const Context& c_;
  const CompileOptions& opt_;
  std::uint32_t func_index_;
  const void* const* handlers_ = handler_table();
  std::size_t at_ = 0;  // offset of the current instruction
  std::vector<ValType> locals_;
  std::size_t num_locals_ = 0;
  std::size_t stack_base_ = 0;  // num_locals_ + reserved constant slots
  std::size_t const_slots_ = 0;
  std::vector<std::uint64_t> consts_;  // values of the constant slots in use
  std::vector<ValType> vals_;
  std::vector<std::uint32_t> src_;  // parallel to vals_ (see materialize_all)
  // The last emitted instruction's destination cell, for the local.set
  // peephole: valid while code_.size() == last_end_.
  std::size_t last_dest_cell_ = 0;
  bool last_dest_in_b_ = false;
  std::uint32_t last_dest_slot_ = 0;
  std::size_t last_end_ = SIZE_MAX;
  void note_dest(std::size_t cell, bool in_b, std::uint32_t slot) {
    last_opc_ = Opcode::nop;
    last_dest_cell_ = cell;
    last_dest_in_b_ = in_b;
    last_dest_slot_ = slot;
    last_end_ = code_.size();
  }
  // If the instruction just emitted computed `own` (an operand's own slot),
  // make it write local `x` instead and return true.
  bool retarget_last(std::uint32_t own, std::uint32_t x) {
    if (last_end_ != code_.size() || last_dest_slot_ != own) return false;
    if (last_dest_in_b_)
      code_[last_dest_cell_].s.b = x;
    else
      code_[last_dest_cell_].s.a = x;
    last_end_ = SIZE_MAX;
    return true;
  }
  // The last emitted unary/binary operator and its first cell, for fusing
  // an integer compare (or i32.eqz) with the br_if/if that consumes it.
  Opcode last_opc_ = Opcode::nop;
  std::size_t last_start_ = 0;
  // If the instruction just emitted is an integer compare or i32.eqz whose
  // result is the operand in slot `cond` (consumed by the branch being
  // compiled, so no one else reads it), replaces it by the fused
  // compare-and-branch that jumps when the compare is `when`, leaving the
  // target cell to the caller. Returns false (nothing emitted) otherwise.
  bool fused_branch(std::uint32_t cond, bool when) {
    if (last_end_ != code_.size() || last_dest_slot_ != cond) return false;
    XOp x;
    const Cell ops = code_[last_start_ + 1];
    if (last_opc_ == Opcode::i32_eqz) {
      x = when ? XOp::x_br_eqz : XOp::x_br_nez;
    } else {
      static constexpr Opcode kCmps[] = {
          Opcode::i32_eq,   Opcode::i32_ne,   Opcode::i32_lt_s, Opcode::i32_lt_u, Opcode::i32_gt_s,
          Opcode::i32_gt_u, Opcode::i32_le_s, Opcode::i32_le_u, Opcode::i32_ge_s, Opcode::i32_ge_u,
          Opcode::i64_eq,   Opcode::i64_ne,   Opcode::i64_lt_s, Opcode::i64_lt_u, Opcode::i64_gt_s,
          Opcode::i64_gt_u, Opcode::i64_le_s, Opcode::i64_le_u, Opcode::i64_ge_s, Opcode::i64_ge_u};
      // Integer negation of each compare, same order (eq<->ne, lt<->ge, gt<->le).
      static constexpr int kNot[] = {1, 0, 8, 9, 6, 7, 4, 5, 2, 3};
      const auto* it = std::find(std::begin(kCmps), std::end(kCmps), last_opc_);
      if (it == std::end(kCmps)) return false;
      const int k = static_cast<int>(it - std::begin(kCmps));
      const int fused = when ? k : (k / 10) * 10 + kNot[k % 10];
      x = static_cast<XOp>(static_cast<int>(XOp::x_br_eq32) + fused);
    }
    code_.resize(last_start_);
    last_end_ = SIZE_MAX;
    op(x);
    imm2(ops.s.a, last_opc_ == Opcode::i32_eqz ? 0 : ops.s.b);
    return true;
  }
  std::vector<Ctrl> ctrls_;
  std::size_t max_height_ = 0;
  std::vector<Cell> code_;
  std::vector<std::size_t> fixups_;
  std::size_t fuel_cell_ = SIZE_MAX;
  std::uint64_t region_cost_ = 0;
};

Result<FunctionCompiler::Ctrl> FunctionCompiler::block_type(ByteReader& r, Opcode kind) {
  Ctrl c;
  c.kind = kind;
  std::uint8_t b = WG_TRY(r.peek_u8());
  if (b == 0x40) {
    WG_TRY(r.read_u8());
    return c;
  }
  switch (b) {
    case 0x7F:
    case 0x7E:
    case 0x7D:
    case 0x7C:
    case 0x70:
    case 0x6F:
      WG_TRY(r.read_u8());
      c.results.push_back(static_cast<ValType>(b));
      return c;
    case 0x7B: return err_at(ErrorCode::Unsupported, r.offset(), "unsupported feature: SIMD (v128)");
    default: break;
  }
  std::int64_t idx = WG_TRY(r.read_var_s33());
  if (idx < 0) return malformed("malformed value type");
  if (static_cast<std::uint64_t>(idx) >= c_.m.types.size()) return invalid("unknown type");
  c.params = c_.m.types[idx].params;
  c.results = c_.m.types[idx].results;
  return c;
}

Status FunctionCompiler::memarg(ByteReader& r, std::uint8_t natural, std::uint64_t* offset) {
  std::uint32_t align = WG_TRY(r.read_var_u32());
  *offset = WG_TRY(r.read_var_u32());
  WG_TRY(need_memory());
  if (align > natural) return invalid("alignment must not be larger than natural");
  return ok();
}

Result<CompiledFunc> FunctionCompiler::run(const Function& f) {
  const FuncType& type = c_.m.types[raw(f.type)];
  locals_ = type.params;
  locals_.insert(locals_.end(), f.locals.begin(), f.locals.end());
  num_locals_ = locals_.size();
  // Constants live in read-only frame slots after the locals (filled on
  // entry), so that t.const emits nothing. Few, to keep calls cheap.
  const_slots_ = std::min<std::size_t>(f.num_consts, kMaxConstSlots);
  stack_base_ = num_locals_ + const_slots_;
  Ctrl fn;
  fn.kind = Opcode::block;
  fn.results = type.results;
  ctrls_.push_back(std::move(fn));
  region(XOp::x_entry);

  ByteReader r(std::span<const std::uint8_t>(c_.m.bytes).subspan(f.body_offset, f.body_size), f.body_offset);
  while (!ctrls_.empty()) {
    at_ = r.offset();
    if (r.at_end()) return err_at(ErrorCode::Malformed, at_, "unexpected end of section or function");
    std::uint8_t b = WG_TRY(r.read_u8());
    std::uint32_t code = b;
    std::uint8_t prefix = 0;
    if (b == 0xFC) {
      prefix = 0xFC;
      code = WG_TRY(r.read_var_u32());
    } else if (b == 0xFD) {
      return err_at(ErrorCode::Unsupported, at_, "unsupported feature: SIMD");
    } else if (b == 0xFE) {
      return err_at(ErrorCode::Unsupported, at_, "unsupported feature: threads (atomics)");
    }
    auto opc = lookup_opcode(prefix, code);
    if (!opc) return malformed("illegal opcode");
    ++region_cost_;
    WG_TRY(instruction(r, *opc));
  }
  if (!r.at_end()) return err_at(ErrorCode::Malformed, r.offset(), "section size mismatch");
  close_region();

  CompiledFunc out;
  out.type_index = raw(f.type);
  out.type_id = (*c_.type_ids)[raw(f.type)];
  out.num_params = static_cast<std::uint32_t>(type.params.size());
  out.num_results = static_cast<std::uint32_t>(type.results.size());
  out.num_locals = static_cast<std::uint32_t>(num_locals_);
  out.frame_slots = static_cast<std::uint32_t>(stack_base_ + max_height_ + 1);
  out.consts = std::move(consts_);
  out.consts.resize(const_slots_, 0);
  out.code = std::move(code_);
  for (std::size_t pos : fixups_) out.code[pos].target = out.code.data() + out.code[pos].u64;
  return out;
}

Status FunctionCompiler::instruction(ByteReader& r, Opcode opc) {
  const OpcodeInfo& info = opcode_info(opc);
  switch (info.shape) {
    case OpShape::Unary: {
      const std::uint32_t a = src_at(1);
      WG_TRY(pop(to_val(info.in1)));
      push(to_val(info.out));
      if (live()) {
        last_start_ = code_.size();
        op(static_cast<XOp>(opc));
        imm2(a, top_slot(1));
        note_dest(code_.size() - 1, true, top_slot(1));
        last_opc_ = opc;
        if (opt_.nan_mode == NanMode::Canonical && produces_float_nan(opc)) {
          op(info.out == OpType::F32 ? XOp::x_canon_f32 : XOp::x_canon_f64);
          imm2(top_slot(1), 0);
        }
      }
      return ok();
    }
    case OpShape::Binary: {
      const std::uint32_t b = src_at(1), a = src_at(2);
      WG_TRY(pop(to_val(info.in2)));
      WG_TRY(pop(to_val(info.in1)));
      push(to_val(info.out));
      if (live()) {
        last_start_ = code_.size();
        op(static_cast<XOp>(opc));
        imm2(a, b);
        imm2(top_slot(1), 0);
        note_dest(code_.size() - 1, false, top_slot(1));
        last_opc_ = opc;
        if (opt_.nan_mode == NanMode::Canonical && produces_float_nan(opc)) {
          op(info.out == OpType::F32 ? XOp::x_canon_f32 : XOp::x_canon_f64);
          imm2(top_slot(1), 0);
        }
      }
      return ok();
    }
    case OpShape::Load: {
      std::uint64_t offset = 0;
      WG_TRY(memarg(r, info.align, &offset));
      const std::uint32_t a = src_at(1);
      WG_TRY(pop(ValType::I32));
      push(to_val(info.out));
      if (live()) {
        op(static_cast<XOp>(opc));
        imm2(a, top_slot(1));
        imm64(offset);
        note_dest(code_.size() - 2, true, top_slot(1));
      }
      return ok();
    }
    case OpShape::Store: {
      std::uint64_t offset = 0;
      WG_TRY(memarg(r, info.align, &offset));
      const std::uint32_t v = src_at(1), a = src_at(2);
      WG_TRY(pop(to_val(info.in2)));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(static_cast<XOp>(opc));
        imm2(a, v);
        imm64(offset);
      }
      return ok();
    }
    case OpShape::Special: break;
  }

  switch (opc) {
    case Opcode::local_get:
    case Opcode::local_set:
    case Opcode::local_tee:
    case Opcode::drop:
    case Opcode::nop:
    case Opcode::i32_const:
    case Opcode::i64_const:
    case Opcode::f32_const:
    case Opcode::f64_const:
    case Opcode::global_get:
    case Opcode::global_set:
    case Opcode::ref_null: break;
    default: materialize_all(); break;
  }

  switch (opc) {
    case Opcode::unreachable:
      if (live()) op(XOp::x_trap_unreachable);
      set_unreachable();
      return ok();
    case Opcode::nop: return ok();
    case Opcode::block:
    case Opcode::loop:
    case Opcode::if_: {
      if (ctrls_.size() >= opt_.limits.max_nesting_depth) {
        return err_at(ErrorCode::LimitExceeded, at_, "blocks nested too deeply");
      }
      Ctrl c = WG_TRY(block_type(r, opc));
      std::uint32_t cond_slot = 0;
      if (opc == Opcode::if_) {
        WG_TRY(pop(ValType::I32));
        cond_slot = slot(vals_.size());
      }
      WG_TRY(pop_all(c.params));
      c.height = vals_.size();
      c.dead = !live();
      if (!c.dead) {
        if (opc == Opcode::loop) {
          c.loop_pos = code_.size();
          region(XOp::x_loop_head);
        } else if (opc == Opcode::if_) {
          if (!fused_branch(cond_slot, false)) {
            op(XOp::x_br_eqz);
            imm2(cond_slot, 0);
          }
          c.else_patch = code_.size();
          target_cell(0);
        }
      }
      ctrls_.push_back(std::move(c));
      push_all(ctrls_.back().params);
      return ok();
    }
    case Opcode::else_: {
      Ctrl& c = ctrls_.back();
      if (c.kind != Opcode::if_) return malformed("END opcode expected");
      WG_TRY(pop_all(c.results));
      if (vals_.size() != c.height) return invalid("type mismatch");
      if (!c.dead) {
        if (!c.unreachable) {
          op(XOp::x_br);
          c.patches.push_back(code_.size());
          target_cell(0);
        }
        code_[c.else_patch].u64 = code_.size();
        c.else_patch = SIZE_MAX;
        region(XOp::x_fuel);
      }
      c.kind = Opcode::else_;
      c.unreachable = false;
      push_all(c.params);
      return ok();
    }
    case Opcode::end: {
      Ctrl& c = ctrls_.back();
      WG_TRY(pop_all(c.results));
      if (vals_.size() != c.height) return invalid("type mismatch");
      // Spec 3.3.8.5: an `if` without `else` has an empty else branch that
      // must turn the params into the results.
      if (c.kind == Opcode::if_ && c.params != c.results) return invalid("type mismatch");
      Ctrl done = std::move(ctrls_.back());
      ctrls_.pop_back();
      if (ctrls_.empty()) {
        // The function's own block: its end returns.
        if (!done.dead && !done.unreachable) {
          op(XOp::x_ret);
          imm2(slot(done.height), static_cast<std::uint32_t>(done.results.size()));
        }
        for (std::size_t p : done.patches) code_[p].u64 = code_.size();
        if (!done.patches.empty()) {
          op(XOp::x_ret);
          imm2(slot(done.height), static_cast<std::uint32_t>(done.results.size()));
        }
        return ok();
      }
      if (!done.dead) {
        const bool join = !done.patches.empty() || done.else_patch != SIZE_MAX || done.kind == Opcode::else_;
        for (std::size_t p : done.patches) code_[p].u64 = code_.size();
        if (done.else_patch != SIZE_MAX) code_[done.else_patch].u64 = code_.size();
        if (join) region(XOp::x_fuel);
      }
      push_all(done.results);
      return ok();
    }
    case Opcode::br: {
      std::uint32_t depth = WG_TRY(label(r));
      const auto& types = ctrls_[ctrls_.size() - 1 - depth].labels();
      WG_TRY(pop_all(types));
      push_all(types);
      if (live()) branch_to(depth);
      set_unreachable();
      return ok();
    }
    case Opcode::br_if: {
      std::uint32_t depth = WG_TRY(label(r));
      WG_TRY(pop(ValType::I32));
      const std::uint32_t cond = slot(vals_.size());
      const auto types = ctrls_[ctrls_.size() - 1 - depth].labels();
      WG_TRY(pop_all(types));
      push_all(types);
      if (live()) {
        if (!needs_moves(depth)) {
          if (!fused_branch(cond, true)) {
            op(XOp::x_br_nez);
            imm2(cond, 0);
          }
          label_cell(depth);
        } else {
          if (!fused_branch(cond, false)) {
            op(XOp::x_br_eqz);
            imm2(cond, 0);
          }
          std::size_t skip = code_.size();
          target_cell(0);
          branch_to(depth);
          code_[skip].u64 = code_.size();
        }
      }
      return ok();
    }
    case Opcode::br_table: {
      std::uint32_t n = WG_TRY(r.read_var_u32());
      if (n > opt_.limits.max_br_table_size) return err_at(ErrorCode::LimitExceeded, at_, "br_table too large");
      std::vector<std::uint32_t> depths;
      depths.reserve(std::min<std::size_t>(n, r.remaining()) + 1);
      for (std::uint32_t i = 0; i <= n; ++i) depths.push_back(WG_TRY(label(r)));
      WG_TRY(pop(ValType::I32));
      const std::uint32_t cond = slot(vals_.size());
      const std::size_t arity = ctrls_[ctrls_.size() - 1 - depths.back()].labels().size();
      for (std::uint32_t d : depths) {
        const auto types = ctrls_[ctrls_.size() - 1 - d].labels();
        if (types.size() != arity) return invalid("type mismatch");
        // Check without consuming: pop then push back (appendix A.3).
        std::vector<ValType> popped(types.size());
        for (std::size_t i = types.size(); i-- > 0;) popped[i] = WG_TRY(pop(types[i]));
        push_all(popped);
      }
      WG_TRY(pop_all(ctrls_[ctrls_.size() - 1 - depths.back()].labels()));
      if (live()) {
        // Restore the operand positions for the moves computed below.
        for (std::size_t i = 0; i < arity; ++i) push(kUnknown);
        op(XOp::x_br_table_);
        imm2(cond, n);
        std::size_t first = code_.size();
        for (std::uint32_t i = 0; i <= n; ++i) target_cell(0);
        for (std::uint32_t i = 0; i <= n; ++i) {
          std::uint32_t d = depths[i];
          if (!needs_moves(d)) {
            Ctrl& t = ctrls_[ctrls_.size() - 1 - d];
            if (t.kind == Opcode::loop)
              code_[first + i].u64 = t.loop_pos;
            else
              t.patches.push_back(first + i);
          } else {
            code_[first + i].u64 = code_.size();
            branch_to(d);
          }
        }
      }
      set_unreachable();
      return ok();
    }
    case Opcode::return_: {
      const auto& results = ctrls_.front().results;
      WG_TRY(pop_all(results));
      if (live()) {
        op(XOp::x_ret);
        imm2(slot(vals_.size()), static_cast<std::uint32_t>(results.size()));
      }
      set_unreachable();
      return ok();
    }
    case Opcode::call: {
      std::uint32_t x = WG_TRY(r.read_var_u32());
      if (x >= c_.func_types.size()) return invalid("unknown function " + std::to_string(x));
      const FuncType& t = c_.m.types[c_.func_types[x]];
      WG_TRY(pop_all(t.params));
      const std::uint32_t args = slot(vals_.size());
      push_all(t.results);
      if (live()) {
        op(XOp::x_call_);
        imm2(x, args);
      }
      return ok();
    }
    case Opcode::call_indirect: {
      std::uint32_t ti = WG_TRY(r.read_var_u32());
      std::uint32_t table = WG_TRY(r.read_var_u32());
      if (table >= c_.tables.size()) return invalid("unknown table " + std::to_string(table));
      if (ti >= c_.m.types.size()) return invalid("unknown type");
      if (c_.tables[table].elem != ValType::FuncRef) return invalid("type mismatch");
      const FuncType& t = c_.m.types[ti];
      WG_TRY(pop(ValType::I32));
      const std::uint32_t elem = slot(vals_.size());
      WG_TRY(pop_all(t.params));
      const std::uint32_t args = slot(vals_.size());
      push_all(t.results);
      if (live()) {
        op(XOp::x_call_ind);
        imm2((*c_.type_ids)[ti], table);
        imm2(args, elem);
      }
      return ok();
    }
    case Opcode::drop: WG_TRY(pop()); return ok();
    case Opcode::select:
    case Opcode::select_t: {
      ValType want = kUnknown;
      if (opc == Opcode::select_t) {
        std::uint32_t n = WG_TRY(r.read_var_u32());
        if (n != 1) return invalid("invalid result arity");
        std::uint8_t b = WG_TRY(r.read_u8());
        switch (b) {
          case 0x7F:
          case 0x7E:
          case 0x7D:
          case 0x7C:
          case 0x70:
          case 0x6F: want = static_cast<ValType>(b); break;
          case 0x7B: return err_at(ErrorCode::Unsupported, at_, "unsupported feature: SIMD (v128)");
          default: return malformed("malformed value type");
        }
      }
      WG_TRY(pop(ValType::I32));
      ValType t1 = WG_TRY(pop(want));
      ValType t2 = WG_TRY(pop(want));
      ValType t = t1 == kUnknown ? t2 : t1;
      if (opc == Opcode::select) {
        if (is_ref(t1) || is_ref(t2)) return invalid("type mismatch");
        if (t1 != t2 && t1 != kUnknown && t2 != kUnknown) return invalid("type mismatch");
      }
      push(opc == Opcode::select_t ? want : t);
      if (live()) {
        const std::uint32_t a = top_slot(1);
        op(XOp::x_select_);
        imm2(a + 2, a);
        imm2(a + 1, a);
      }
      return ok();
    }
    case Opcode::local_get:
    case Opcode::local_set:
    case Opcode::local_tee: {
      std::uint32_t x = WG_TRY(r.read_var_u32());
      if (x >= num_locals_) return invalid("unknown local " + std::to_string(x));
      ValType t = locals_[x];
      if (opc == Opcode::local_get) {
        push(t);
        src_.back() = x;  // folded: readers use the local's slot
      } else {
        const std::uint32_t src = src_at(1);
        WG_TRY(pop(t));
        const std::size_t before = code_.size();
        materialize_local(x);
        bool moved = false;  // the value now lives only in x
        if (live() && src != x) {
          // Peephole: `op; local.set x` writes x directly, unless copies
          // of x's old value were just emitted after that op.
          if (code_.size() == before && src == slot(vals_.size()) && retarget_last(src, x)) {
            moved = true;
          } else {
            op(XOp::x_copy);
            imm2(src, x);
          }
        }
        if (opc == Opcode::local_tee) {
          push(t);
          if (live()) src_.back() = (src == slot(vals_.size() - 1) && !moved) ? src : x;
        }
      }
      return ok();
    }
    case Opcode::global_get:
    case Opcode::global_set: {
      std::uint32_t x = WG_TRY(r.read_var_u32());
      if (x >= c_.globals.size()) return invalid("unknown global " + std::to_string(x));
      const GlobalType& g = c_.globals[x];
      if (opc == Opcode::global_get) {
        push(g.type);
        if (live()) {
          op(XOp::x_global_get_);
          imm2(x, top_slot(1));
        }
      } else {
        if (g.mut != Mutability::Var) return invalid("global is immutable");
        const std::uint32_t src = src_at(1);
        WG_TRY(pop(g.type));
        if (live()) {
          op(XOp::x_global_set_);
          imm2(x, src);
        }
      }
      return ok();
    }
    case Opcode::table_get: {
      std::uint32_t x = WG_TRY(table_index(r));
      WG_TRY(pop(ValType::I32));
      push(c_.tables[x].elem);
      if (live()) {
        op(XOp::x_table_get_);
        imm2(x, top_slot(1));
      }
      return ok();
    }
    case Opcode::table_set: {
      std::uint32_t x = WG_TRY(table_index(r));
      WG_TRY(pop(c_.tables[x].elem));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(XOp::x_table_set_);
        imm2(x, slot(vals_.size()));
      }
      return ok();
    }
    case Opcode::table_size: {
      std::uint32_t x = WG_TRY(table_index(r));
      push(ValType::I32);
      if (live()) {
        op(XOp::x_table_size_);
        imm2(x, top_slot(1));
      }
      return ok();
    }
    case Opcode::table_grow: {
      std::uint32_t x = WG_TRY(table_index(r));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(c_.tables[x].elem));
      push(ValType::I32);
      if (live()) {
        op(XOp::x_table_grow_);
        imm2(x, top_slot(1));
      }
      return ok();
    }
    case Opcode::table_fill: {
      std::uint32_t x = WG_TRY(table_index(r));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(c_.tables[x].elem));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(XOp::x_table_fill_);
        imm2(x, slot(vals_.size()));
      }
      return ok();
    }
    case Opcode::table_copy: {
      std::uint32_t dst = WG_TRY(table_index(r));
      std::uint32_t src = WG_TRY(table_index(r));
      if (c_.tables[dst].elem != c_.tables[src].elem) return invalid("type mismatch");
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(XOp::x_table_copy_);
        imm2(dst, src);
        imm2(slot(vals_.size()), 0);
      }
      return ok();
    }
    case Opcode::table_init: {
      const std::size_t seg_at = r.offset();
      std::uint32_t seg = WG_TRY(r.read_var_u32());
      std::uint32_t x = WG_TRY(table_index(r));
      if (seg >= c_.m.elements.size()) {
        return err_at(ErrorCode::Invalid, seg_at, "unknown elem segment " + std::to_string(seg));
      }
      if (c_.tables[x].elem != c_.m.elements[seg].type) return invalid("type mismatch");
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(XOp::x_table_init_);
        imm2(seg, x);
        imm2(slot(vals_.size()), 0);
      }
      return ok();
    }
    case Opcode::elem_drop: {
      std::uint32_t seg = 0;
      WG_TRY(elem_index(r, &seg));
      if (live()) {
        op(XOp::x_elem_drop_);
        imm2(seg, 0);
      }
      return ok();
    }
    case Opcode::memory_size:
    case Opcode::memory_grow: {
      WG_TRY(zero_byte(r));
      WG_TRY(need_memory());
      if (opc == Opcode::memory_grow) WG_TRY(pop(ValType::I32));
      push(ValType::I32);
      if (live()) {
        op(opc == Opcode::memory_size ? XOp::x_memory_size_ : XOp::x_memory_grow_);
        imm2(top_slot(1), 0);
      }
      return ok();
    }
    case Opcode::memory_init: {
      std::uint32_t seg = 0;
      WG_TRY(need_memory());
      WG_TRY(data_index(r, &seg));
      WG_TRY(zero_byte(r));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(XOp::x_memory_init_);
        imm2(seg, slot(vals_.size()));
      }
      return ok();
    }
    case Opcode::data_drop: {
      std::uint32_t seg = 0;
      WG_TRY(data_index(r, &seg));
      if (live()) {
        op(XOp::x_data_drop_);
        imm2(seg, 0);
      }
      return ok();
    }
    case Opcode::memory_copy:
    case Opcode::memory_fill: {
      WG_TRY(zero_byte(r));
      if (opc == Opcode::memory_copy) WG_TRY(zero_byte(r));
      WG_TRY(need_memory());
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      WG_TRY(pop(ValType::I32));
      if (live()) {
        op(opc == Opcode::memory_copy ? XOp::x_memory_copy_ : XOp::x_memory_fill_);
        imm2(slot(vals_.size()), 0);
      }
      return ok();
    }
    case Opcode::i32_const:
    case Opcode::i64_const:
    case Opcode::f32_const:
    case Opcode::f64_const: {
      std::uint64_t bits = 0;
      ValType t = ValType::I32;
      if (opc == Opcode::i32_const)
        bits = static_cast<std::uint32_t>(WG_TRY(r.read_var_s32()));
      else if (opc == Opcode::i64_const)
        bits = static_cast<std::uint64_t>(WG_TRY(r.read_var_s64())), t = ValType::I64;
      else if (opc == Opcode::f32_const)
        bits = WG_TRY(r.read_u32_le()), t = ValType::F32;
      else
        bits = WG_TRY(r.read_u64_le()), t = ValType::F64;
      push(t);
      if (live()) {
        auto it = std::find(consts_.begin(), consts_.end(), bits);
        if (it != consts_.end()) {
          src_.back() = static_cast<std::uint32_t>(num_locals_ + (it - consts_.begin()));
        } else if (consts_.size() < const_slots_) {
          src_.back() = static_cast<std::uint32_t>(num_locals_ + consts_.size());
          consts_.push_back(bits);
        } else {
          op(XOp::x_const_);
          imm2(top_slot(1), 0);
          imm64(bits);
          note_dest(code_.size() - 2, false, top_slot(1));
        }
      }
      return ok();
    }
    case Opcode::ref_null: {
      std::uint8_t b = WG_TRY(r.read_u8());
      if (b != 0x70 && b != 0x6F) return malformed("malformed reference type");
      push(static_cast<ValType>(b));
      if (live()) {
        op(XOp::x_const_);
        imm2(top_slot(1), 0);
        imm64(0);
      }
      return ok();
    }
    case Opcode::ref_is_null: {
      ValType t = WG_TRY(pop());
      if (t != kUnknown && !is_ref(t)) return invalid("type mismatch");
      push(ValType::I32);
      if (live()) {
        op(XOp::x_ref_is_null_);
        imm2(top_slot(1), top_slot(1));
      }
      return ok();
    }
    case Opcode::ref_func: {
      std::uint32_t x = WG_TRY(r.read_var_u32());
      if (x >= c_.func_types.size()) return invalid("unknown function " + std::to_string(x));
      if (!c_.refs.contains(x)) return invalid("undeclared function reference");
      push(ValType::FuncRef);
      if (live()) {
        op(XOp::x_ref_func_);
        imm2(x, top_slot(1));
      }
      return ok();
    }
    default: break;
  }
  return malformed("illegal opcode");
}

// --- module-level validation (spec 3.4) ---

Status check_limits(const Limits& l, std::uint64_t bound, const char* too_big, std::size_t offset) {
  if (l.min > bound || (l.max && *l.max > bound)) return err_at(ErrorCode::Invalid, offset, too_big);
  if (l.max && l.min > *l.max)
    return err_at(ErrorCode::Invalid, offset, "size minimum must not be greater than maximum");
  return ok();
}

// Spec 3.3.10: a constant expression of type `want`; global.get may only
// name imported globals (WebAssembly 2.0), which must be immutable.
Status check_const(const Context& c, const ConstExpr& e, ValType want, std::size_t imported_globals) {
  std::vector<ValType> stack;
  for (const ConstInstr& i : e.instrs) {
    switch (i.kind) {
      case ConstInstr::Kind::I32Const: stack.push_back(ValType::I32); break;
      case ConstInstr::Kind::I64Const: stack.push_back(ValType::I64); break;
      case ConstInstr::Kind::F32Const: stack.push_back(ValType::F32); break;
      case ConstInstr::Kind::F64Const: stack.push_back(ValType::F64); break;
      case ConstInstr::Kind::RefNull: stack.push_back(i.ref_type); break;
      case ConstInstr::Kind::RefFunc:
        if (i.index >= c.func_types.size()) {
          return err_at(ErrorCode::Invalid, e.offset, "unknown function " + std::to_string(i.index));
        }
        stack.push_back(ValType::FuncRef);
        break;
      case ConstInstr::Kind::GlobalGet:
        if (i.index >= imported_globals) {
          return err_at(ErrorCode::Invalid, e.offset, "unknown global " + std::to_string(i.index));
        }
        if (c.globals[i.index].mut == Mutability::Var) {
          return err_at(ErrorCode::Invalid, e.offset, "constant expression required");
        }
        stack.push_back(c.globals[i.index].type);
        break;
    }
  }
  if (stack.size() != 1 || stack[0] != want) return err_at(ErrorCode::Invalid, e.offset, "type mismatch");
  return ok();
}

Status validate_module(Context& c) {
  const Module& m = c.m;
  for (const Import& im : m.imports) {
    switch (im.kind) {
      case ExternKind::Func:
        if (raw(im.func_type) >= m.types.size()) return err_at(ErrorCode::Invalid, 0, "unknown type");
        c.func_types.push_back(raw(im.func_type));
        break;
      case ExternKind::Table:
        WG_TRY(check_limits(im.table.limits, 0xFFFFFFFFull, "table size", 0));
        c.tables.push_back(im.table);
        break;
      case ExternKind::Memory:
        WG_TRY(check_limits(im.memory.limits, kMaxPages, "memory size must be at most 65536 pages (4GiB)", 0));
        c.memories.push_back(im.memory);
        break;
      case ExternKind::Global: c.globals.push_back(im.global); break;
    }
  }
  for (const Function& f : m.functions) {
    if (raw(f.type) >= m.types.size()) return err_at(ErrorCode::Invalid, 0, "unknown type");
    c.func_types.push_back(raw(f.type));
  }
  for (const TableType& t : m.tables) {
    WG_TRY(check_limits(t.limits, 0xFFFFFFFFull, "table size", 0));
    c.tables.push_back(t);
  }
  for (const MemType& mt : m.memories) {
    WG_TRY(check_limits(mt.limits, kMaxPages, "memory size must be at most 65536 pages (4GiB)", 0));
    c.memories.push_back(mt);
  }
  if (c.memories.size() > 1) return err_at(ErrorCode::Invalid, 0, "multiple memories");
  // C.refs (spec 3.4.10): functions named by ref.func outside function
  // bodies, and exported functions.
  for (const Global& g : m.globals) {
    for (const ConstInstr& i : g.init.instrs)
      if (i.kind == ConstInstr::Kind::RefFunc) c.refs.insert(i.index);
  }
  for (const ElemSegment& s : m.elements) {
    for (const ConstExpr& e : s.init) {
      for (const ConstInstr& i : e.instrs)
        if (i.kind == ConstInstr::Kind::RefFunc) c.refs.insert(i.index);
    }
  }
  for (const Export& e : m.exports)
    if (e.kind == ExternKind::Func) c.refs.insert(e.index);

  const std::size_t imported_globals = c.globals.size();
  for (const Global& g : m.globals) {
    WG_TRY(check_const(c, g.init, g.type.type, imported_globals));
    c.globals.push_back(g.type);
  }
  std::set<std::string_view> names;
  for (const Export& e : m.exports) {
    if (!names.insert(e.name).second) return err_at(ErrorCode::Invalid, 0, "duplicate export name");
    std::size_t bound = 0;
    switch (e.kind) {
      case ExternKind::Func: bound = c.func_types.size(); break;
      case ExternKind::Table: bound = c.tables.size(); break;
      case ExternKind::Memory: bound = c.memories.size(); break;
      case ExternKind::Global: bound = c.globals.size(); break;
    }
    if (e.index >= bound) {
      return err_at(ErrorCode::Invalid, 0,
                    "unknown " + std::string(e.kind == ExternKind::Func ? "function" : to_string(e.kind)) + " " +
                        std::to_string(e.index));
    }
  }
  if (m.start) {
    std::uint32_t x = raw(*m.start);
    if (x >= c.func_types.size()) return err_at(ErrorCode::Invalid, 0, "unknown function " + std::to_string(x));
    const FuncType& t = m.types[c.func_types[x]];
    if (!t.params.empty() || !t.results.empty()) return err_at(ErrorCode::Invalid, 0, "start function");
  }
  for (const ElemSegment& s : m.elements) {
    if (s.mode == SegmentMode::Active) {
      if (raw(s.table) >= c.tables.size()) {
        return err_at(ErrorCode::Invalid, s.byte_offset, "unknown table " + std::to_string(raw(s.table)));
      }
      WG_TRY(check_const(c, s.offset, ValType::I32, imported_globals));
      if (c.tables[raw(s.table)].elem != s.type) return err_at(ErrorCode::Invalid, s.byte_offset, "type mismatch");
    }
    for (const ConstExpr& e : s.init) WG_TRY(check_const(c, e, s.type, imported_globals));
  }
  for (const DataSegment& d : m.data) {
    if (d.mode == SegmentMode::Active) {
      if (raw(d.memory) >= c.memories.size()) {
        return err_at(ErrorCode::Invalid, d.byte_offset, "unknown memory " + std::to_string(raw(d.memory)));
      }
      WG_TRY(check_const(c, d.offset, ValType::I32, imported_globals));
    }
  }
  return ok();
}

}  // namespace

const FuncType& CompiledModule::func_type(std::uint32_t func_index) const {
  return module_.types[func_type_index_[func_index]];
}

Result<std::shared_ptr<const CompiledModule>> compile_module(Module module, const CompileOptions& options) {
  auto out = std::make_shared<CompiledModule>();
  out->module_ = std::move(module);
  out->nan_mode_ = options.nan_mode;
  const Module& m = out->module_;
  Context c{m, {}, {}, {}, {}, {}, &out->type_ids_};
  for (const FuncType& t : m.types) out->type_ids_.push_back(intern_type(t));
  WG_TRY(validate_module(c));
  out->func_type_index_ = c.func_types;
  out->funcs_.reserve(m.functions.size());
  for (std::size_t i = 0; i < m.functions.size(); ++i) {
    const std::uint32_t index = m.imported_funcs + static_cast<std::uint32_t>(i);
    FunctionCompiler fc(c, options, index);
    auto f = fc.run(m.functions[i]);
    if (!f) return std::unexpected(std::move(f).error().with_context("function " + std::to_string(index)));
    out->funcs_.push_back(std::move(*f));
  }
  return std::shared_ptr<const CompiledModule>(std::move(out));
}

Result<std::shared_ptr<const CompiledModule>> compile(std::span<const std::uint8_t> bytes,
                                                      const CompileOptions& options) {
  Module m = WG_TRY(decode_module(bytes, options.limits));
  auto compiled = WG_TRY(compile_module(std::move(m), options));
  const_cast<CompiledModule&>(*compiled).digest_ = Sha256::digest(bytes);
  return compiled;
}

}  // namespace wg::wasm
