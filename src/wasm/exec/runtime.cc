#include "wasm/exec/runtime.h"

#include <cstdlib>
#include <cstring>

#include "base/check.h"
#include "wasm/exec/machine.h"
#include "wasm/exec/type_registry.h"

namespace wg::wasm {

std::string_view trap_message(TrapKind kind) {
  switch (kind) {
    case TrapKind::Unreachable: return "unreachable";
    case TrapKind::IntegerDivideByZero: return "integer divide by zero";
    case TrapKind::IntegerOverflow: return "integer overflow";
    case TrapKind::InvalidConversion: return "invalid conversion to integer";
    case TrapKind::MemoryOutOfBounds: return "out of bounds memory access";
    case TrapKind::TableOutOfBounds: return "out of bounds table access";
    case TrapKind::UndefinedElement: return "undefined element";
    case TrapKind::UninitializedElement: return "uninitialized element";
    case TrapKind::IndirectCallTypeMismatch: return "indirect call type mismatch";
    case TrapKind::CallStackExhausted: return "call stack exhausted";
    case TrapKind::OutOfFuel: return "out of fuel";
    case TrapKind::Interrupted: return "interrupted";
    case TrapKind::DeadlineExceeded: return "deadline exceeded";
    case TrapKind::MemoryLimit: return "memory limit exceeded";
    case TrapKind::TableLimit: return "table limit exceeded";
    case TrapKind::Host: return "host trap";
    case TrapKind::Exit: return "exit";
  }
  return "trap";
}

// ---- memories and tables ----

MemInst::~MemInst() { std::free(data); }

std::int32_t MemInst::grow(std::uint32_t delta) {
  const std::uint32_t old = pages();
  const std::uint64_t want = static_cast<std::uint64_t>(old) + delta;
  if (want > cap_pages) return -1;
  if (delta == 0) return static_cast<std::int32_t>(old);
  const std::uint64_t bytes = want * kPageSize;
  auto* p = static_cast<std::uint8_t*>(std::realloc(data, bytes));
  if (p == nullptr) return -1;  // the host is out of memory: growth fails
  std::memset(p + size, 0, bytes - size);
  data = p;
  size = bytes;
  return static_cast<std::int32_t>(old);
}

std::optional<std::span<std::uint8_t>> MemInst::span(std::uint64_t addr, std::uint64_t len) {
  if (addr > size || len > size - addr) return std::nullopt;
  return std::span<std::uint8_t>(data + addr, len);
}

bool MemInst::read(std::uint64_t addr, std::span<std::uint8_t> out) const {
  if (addr > size || out.size() > size - addr) return false;
  if (!out.empty()) std::memcpy(out.data(), data + addr, out.size());
  return true;
}

bool MemInst::write(std::uint64_t addr, std::span<const std::uint8_t> in) {
  if (addr > size || in.size() > size - addr) return false;
  if (!in.empty()) std::memcpy(data + addr, in.data(), in.size());
  return true;
}

std::int32_t TableInst::grow(std::uint32_t delta, std::uint64_t init) {
  const std::uint64_t old = elems.size();
  const std::uint64_t want = old + delta;
  if (want > cap) return -1;
  elems.resize(want, init);
  return static_cast<std::int32_t>(old);
}

// ---- instances ----

std::optional<Extern> ModuleInstance::find_export(std::string_view name) const {
  auto it = exports_.find(name);
  if (it == exports_.end()) return std::nullopt;
  return it->second;
}
FuncInst* ModuleInstance::exported_func(std::string_view name) const {
  auto e = find_export(name);
  return e && e->kind == ExternKind::Func ? e->func : nullptr;
}
MemInst* ModuleInstance::exported_memory(std::string_view name) const {
  auto e = find_export(name);
  return e && e->kind == ExternKind::Memory ? e->memory : nullptr;
}
GlobalInst* ModuleInstance::exported_global(std::string_view name) const {
  auto e = find_export(name);
  return e && e->kind == ExternKind::Global ? e->global : nullptr;
}
TableInst* ModuleInstance::exported_table(std::string_view name) const {
  auto e = find_export(name);
  return e && e->kind == ExternKind::Table ? e->table : nullptr;
}

// ---- linker ----

void Linker::define(std::string module, std::string name, Extern value) {
  defs_[{std::move(module), std::move(name)}] = value;
}

void Linker::define_instance(std::string module, const ModuleInstance& instance) {
  for (const Export& e : instance.module().module().exports) {
    if (auto x = instance.find_export(e.name)) define(module, e.name, *x);
  }
}

namespace {

// Spec 4.5.2 import matching for limits: the provided size must be at least
// the required minimum, and the provided maximum must exist and be no larger
// than the required maximum.
bool limits_match(std::uint64_t have_min, std::optional<std::uint32_t> have_max, const Limits& want) {
  if (have_min < want.min) return false;
  if (want.max) {
    if (!have_max || *have_max > *want.max) return false;
  }
  return true;
}

Status match_import(const Import& im, const Extern& x, const CompiledModule& m) {
  auto incompatible = [&] {
    return make_error(ErrorCode::Invalid, "incompatible import type for \"" + im.module + "\" \"" + im.name + "\"");
  };
  if (x.kind != im.kind) return incompatible();
  const bool missing = (x.kind == ExternKind::Func && !x.func) || (x.kind == ExternKind::Table && !x.table) ||
                       (x.kind == ExternKind::Memory && !x.memory) || (x.kind == ExternKind::Global && !x.global);
  if (missing) return incompatible();
  switch (im.kind) {
    case ExternKind::Func:
      if (!(*x.func->type == m.module().types[raw(im.func_type)])) return incompatible();
      break;
    case ExternKind::Table:
      if (x.table->type.elem != im.table.elem ||
          !limits_match(x.table->elems.size(), x.table->type.limits.max, im.table.limits)) {
        return incompatible();
      }
      break;
    case ExternKind::Memory:
      if (!limits_match(x.memory->pages(), x.memory->type.limits.max, im.memory.limits)) return incompatible();
      break;
    case ExternKind::Global:
      if (!(x.global->type == im.global)) return incompatible();
      break;
  }
  return ok();
}

}  // namespace

Result<std::vector<Extern>> Linker::resolve(const CompiledModule& module) const {
  std::vector<Extern> out;
  for (const Import& im : module.module().imports) {
    auto it = defs_.find(std::pair<std::string, std::string>(im.module, im.name));
    if (it == defs_.end()) {
      return make_error(ErrorCode::NotFound, "unknown import \"" + im.module + "\" \"" + im.name + "\"");
    }
    WG_TRY(match_import(im, it->second, module));
    out.push_back(it->second);
  }
  return out;
}

// ---- store ----

Store::Store(StoreLimits limits) : limits_(limits) { set_fuel(limits.fuel); }
Store::~Store() = default;

std::uint64_t Store::fuel_remaining() const {
  if (fuel_unlimited_) return StoreLimits::kUnlimitedFuel;
  return fuel_ < 0 ? 0 : static_cast<std::uint64_t>(fuel_);
}

void Store::set_fuel(std::uint64_t fuel) {
  fuel_unlimited_ = fuel >= static_cast<std::uint64_t>(INT64_MAX);
  fuel_ = fuel_unlimited_ ? INT64_MAX : static_cast<std::int64_t>(fuel);
}

FuncInst* Store::create_host_func(FuncType type, HostFn fn) {
  FuncInst& f = funcs_.emplace_back();
  f.host_type = std::move(type);
  f.type = &f.host_type;
  f.type_id = intern_type(f.host_type);
  f.host = std::move(fn);
  return &f;
}

TableInst* Store::create_table(TableType type) {
  TableInst& t = tables_.emplace_back();
  t.type = type;
  t.cap = std::min<std::uint64_t>(type.limits.max.value_or(UINT32_MAX), limits_.max_table_elements);
  t.elems.assign(type.limits.min, 0);
  return &t;
}

Result<MemInst*> Store::create_memory(MemType type) {
  const std::uint32_t cap = std::min(type.limits.max.value_or(kMaxPages), limits_.max_memory_pages);
  if (type.limits.min > cap) {
    return make_error(ErrorCode::LimitExceeded, "memory of " + std::to_string(type.limits.min) +
                                                    " pages exceeds the limit of " + std::to_string(cap) + " pages");
  }
  MemInst& m = memories_.emplace_back();
  m.type = type;
  m.cap_pages = cap;
  if (type.limits.min > 0) {
    const std::uint64_t bytes = static_cast<std::uint64_t>(type.limits.min) * kPageSize;
    m.data = static_cast<std::uint8_t*>(std::calloc(bytes, 1));
    if (m.data == nullptr) return make_error(ErrorCode::LimitExceeded, "out of host memory for linear memory");
    m.size = bytes;
  }
  return &m;
}

GlobalInst* Store::create_global(GlobalType type, Value init) {
  GlobalInst& g = globals_.emplace_back();
  g.type = type;
  g.bits = init.bits;
  return &g;
}

CallResult Store::invoke(FuncInst& func, std::span<const Value> args) { return Machine::invoke(*this, func, args); }

Result<Instantiation> Store::instantiate(std::shared_ptr<const CompiledModule> module, const Linker& linker) {
  auto imports = WG_TRY(linker.resolve(*module));
  return instantiate(std::move(module), imports);
}

Result<Instantiation> Store::instantiate(std::shared_ptr<const CompiledModule> cm, const std::vector<Extern>& imports) {
  const Module& m = cm->module();
  if (imports.size() != m.imports.size()) {
    return make_error(ErrorCode::NotFound, "unknown import: expected " + std::to_string(m.imports.size()) +
                                               " imports, got " + std::to_string(imports.size()));
  }
  for (std::size_t i = 0; i < imports.size(); ++i) WG_TRY(match_import(m.imports[i], imports[i], *cm));
  // Check the caps before creating anything.
  for (const TableType& t : m.tables) {
    if (t.limits.min > limits_.max_table_elements) {
      return make_error(ErrorCode::LimitExceeded, "table of " + std::to_string(t.limits.min) +
                                                      " elements exceeds the limit of " +
                                                      std::to_string(limits_.max_table_elements));
    }
  }
  for (const MemType& mt : m.memories) {
    if (mt.limits.min > limits_.max_memory_pages) {
      return make_error(ErrorCode::LimitExceeded, "memory of " + std::to_string(mt.limits.min) +
                                                      " pages exceeds the limit of " +
                                                      std::to_string(limits_.max_memory_pages) + " pages");
    }
  }

  ModuleInstance& inst = instances_.emplace_back();
  inst.module_ = cm;
  for (std::size_t i = 0; i < imports.size(); ++i) {
    const Extern& x = imports[i];
    switch (x.kind) {
      case ExternKind::Func: inst.funcs_.push_back(x.func); break;
      case ExternKind::Table: inst.tables_.push_back(x.table); break;
      case ExternKind::Memory: inst.memories_.push_back(x.memory); break;
      case ExternKind::Global: inst.globals_.push_back(x.global); break;
    }
  }
  for (std::size_t i = 0; i < m.functions.size(); ++i) {
    FuncInst& f = funcs_.emplace_back();
    const CompiledFunc& cf = cm->functions()[i];
    f.type = &m.types[cf.type_index];
    f.type_id = cf.type_id;
    f.instance = &inst;
    f.code = &cf;
    inst.funcs_.push_back(&f);
  }
  for (const TableType& t : m.tables) inst.tables_.push_back(create_table(t));
  for (const MemType& mt : m.memories) inst.memories_.push_back(WG_TRY(create_memory(mt)));

  // Spec 4.5.4 steps 8-9: constant expressions see the imported globals and
  // the instance's functions.
  auto eval = [&inst](const ConstExpr& e) -> std::uint64_t {
    std::uint64_t v = 0;
    for (const ConstInstr& ci : e.instrs) {
      switch (ci.kind) {
        case ConstInstr::Kind::I32Const:
        case ConstInstr::Kind::I64Const:
        case ConstInstr::Kind::F32Const:
        case ConstInstr::Kind::F64Const: v = ci.bits; break;
        case ConstInstr::Kind::RefNull: v = 0; break;
        case ConstInstr::Kind::RefFunc: v = reinterpret_cast<std::uint64_t>(inst.funcs_[ci.index]); break;
        case ConstInstr::Kind::GlobalGet: v = inst.globals_[ci.index]->bits; break;
      }
    }
    return v;
  };
  for (const Global& g : m.globals) {
    GlobalInst& gi = globals_.emplace_back();
    gi.type = g.type;
    gi.bits = eval(g.init);
    inst.globals_.push_back(&gi);
  }
  for (const Export& e : m.exports) {
    Extern x;
    x.kind = e.kind;
    switch (e.kind) {
      case ExternKind::Func: x.func = inst.funcs_[e.index]; break;
      case ExternKind::Table: x.table = inst.tables_[e.index]; break;
      case ExternKind::Memory: x.memory = inst.memories_[e.index]; break;
      case ExternKind::Global: x.global = inst.globals_[e.index]; break;
    }
    inst.exports_.emplace(e.name, x);
  }
  for (const ElemSegment& s : m.elements) {
    std::vector<std::uint64_t> refs;
    refs.reserve(s.init.size());
    for (const ConstExpr& e : s.init) refs.push_back(eval(e));
    inst.elems_.push_back(std::move(refs));
  }
  for (const DataSegment& d : m.data) inst.data_.emplace_back(d.init);

  Instantiation out{&inst, std::nullopt};
  // Spec 4.5.4 steps 14-15 (2.0): active element segments, then active data
  // segments, in order, each followed by its drop; a trap stops there and
  // leaves the writes done so far.
  for (std::size_t i = 0; i < m.elements.size(); ++i) {
    const ElemSegment& s = m.elements[i];
    if (s.mode == SegmentMode::Active) {
      TableInst* t = inst.tables_[raw(s.table)];
      const std::uint64_t d = static_cast<std::uint32_t>(eval(s.offset));
      const std::vector<std::uint64_t>& seg = inst.elems_[i];
      if (d + seg.size() > t->elems.size()) {
        out.trap = Trap::of(TrapKind::TableOutOfBounds);
        return out;
      }
      std::copy(seg.begin(), seg.end(), t->elems.begin() + static_cast<std::ptrdiff_t>(d));
    }
    if (s.mode != SegmentMode::Passive) inst.elems_[i].clear();
  }
  for (std::size_t i = 0; i < m.data.size(); ++i) {
    const DataSegment& d = m.data[i];
    if (d.mode != SegmentMode::Active) continue;
    MemInst* mem = inst.memories_[raw(d.memory)];
    const std::uint64_t at = static_cast<std::uint32_t>(eval(d.offset));
    if (at + d.init.size() > mem->size) {
      out.trap = Trap::of(TrapKind::MemoryOutOfBounds);
      return out;
    }
    if (!d.init.empty()) std::memcpy(mem->data + at, d.init.data(), d.init.size());
    inst.data_[i] = {};
  }
  if (m.start) {
    auto r = invoke(*inst.funcs_[raw(*m.start)], {});
    if (!r) out.trap = std::move(r.error());
  }
  return out;
}

}  // namespace wg::wasm
