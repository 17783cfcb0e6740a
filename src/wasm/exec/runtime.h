// The runtime: store, instances, linking, invocation (spec chapter 4).
//
// Ownership: a Store owns every instance and every function, table, memory
// and global created in it; raw pointers to them stay valid until the Store
// is destroyed. Compiled modules are shared (shared_ptr<const>) and may be
// instantiated in many stores.
// Thread-safety: a Store and everything in it is used by one thread at a
// time. The only cross-thread entry point is the interrupt flag
// (StoreLimits::interrupt), which another thread may set at any time.
// Failures: linking and instantiation problems are Errors; traps are values.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/error.h"
#include "wasm/exec/value.h"
#include "wasm/validate/compiler.h"

namespace wg::wasm {

class Store;
class ModuleInstance;
struct FuncInst;

// What memory.grow / table.grow do when the instance cap (not the module's
// declared maximum) would be crossed.
enum class GrowFailure : std::uint8_t {
  ReturnMinusOne,  // the spec's "grow failed" result; the run continues
  Trap,            // end the run with TrapKind::MemoryLimit / TableLimit
};

// Sandbox limits of one Store (docs/engine.md "Limits").
struct StoreLimits {
  static constexpr std::uint64_t kUnlimitedFuel = UINT64_MAX;
  std::uint64_t fuel = kUnlimitedFuel;            // instruction budget, charged per block
  std::uint32_t max_memory_pages = kMaxPages;     // per memory
  std::uint32_t max_table_elements = 10'000'000;  // per table
  std::uint32_t max_call_depth = 20'000;          // nested wasm calls
  std::size_t max_stack_slots = 4u << 20;         // value stack, 8-byte slots
  GrowFailure grow_failure = GrowFailure::ReturnMinusOne;
  std::atomic<bool>* interrupt = nullptr;  // checked at loop heads and calls
  std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct MemInst {
  MemType type;
  std::uint8_t* data = nullptr;         // malloc'd, size_pages * kPageSize bytes
  std::uint64_t size = 0;               // bytes
  std::uint32_t cap_pages = kMaxPages;  // min(declared max, store cap)
  MemInst() = default;
  MemInst(const MemInst&) = delete;
  MemInst& operator=(const MemInst&) = delete;
  ~MemInst();
  std::uint32_t pages() const { return static_cast<std::uint32_t>(size / kPageSize); }
  // Spec 4.5.3.9 growmem: the old size in pages, or -1.
  std::int32_t grow(std::uint32_t delta);
  // Bounds-checked access for embedders: nullopt/false if [addr, addr+len)
  // is outside the memory.
  std::optional<std::span<std::uint8_t>> span(std::uint64_t addr, std::uint64_t len);
  bool read(std::uint64_t addr, std::span<std::uint8_t> out) const;
  bool write(std::uint64_t addr, std::span<const std::uint8_t> in);
};

struct TableInst {
  TableType type;
  std::vector<std::uint64_t> elems;  // references, 0 = null
  std::uint32_t cap = UINT32_MAX;    // min(declared max, store cap)
  // Spec 4.5.3.8 growtable: the old size, or -1.
  std::int32_t grow(std::uint32_t delta, std::uint64_t init);
};

struct GlobalInst {
  GlobalType type;
  std::uint64_t bits = 0;
  Value get() const { return Value{type.type, bits}; }
};

// Arguments and results of a host call. `caller` is the instance whose code
// made the call (nullptr when the embedder invokes a host function
// directly); WASI uses it to reach the guest's exported memory.
struct HostCall {
  Store& store;
  ModuleInstance* caller;
};
using HostResult = std::optional<Trap>;  // nullopt = success
using HostFn = std::function<HostResult(HostCall&, std::span<const Value> args, std::span<Value> results)>;

struct FuncInst {
  const FuncType* type = nullptr;
  std::uint32_t type_id = 0;
  ModuleInstance* instance = nullptr;  // wasm functions
  const CompiledFunc* code = nullptr;  // wasm functions
  HostFn host;                         // host functions
  FuncType host_type;                  // storage for a host function's type
  bool is_host() const { return code == nullptr; }
};

// An external value (spec 4.2.12): what imports and exports refer to.
struct Extern {
  ExternKind kind = ExternKind::Func;
  FuncInst* func = nullptr;
  TableInst* table = nullptr;
  MemInst* memory = nullptr;
  GlobalInst* global = nullptr;
};

class ModuleInstance {
 public:
  const CompiledModule& module() const { return *module_; }
  std::optional<Extern> find_export(std::string_view name) const;
  FuncInst* exported_func(std::string_view name) const;
  MemInst* exported_memory(std::string_view name) const;
  GlobalInst* exported_global(std::string_view name) const;
  TableInst* exported_table(std::string_view name) const;
  MemInst* memory0() const { return memories_.empty() ? nullptr : memories_[0]; }

 private:
  friend class Store;
  friend struct Machine;
  std::shared_ptr<const CompiledModule> module_;
  std::vector<FuncInst*> funcs_;
  std::vector<TableInst*> tables_;
  std::vector<MemInst*> memories_;
  std::vector<GlobalInst*> globals_;
  std::vector<std::vector<std::uint64_t>> elems_;    // dropped = cleared
  std::vector<std::span<const std::uint8_t>> data_;  // dropped = empty
  std::map<std::string, Extern, std::less<>> exports_;
};

// Resolves imports by (module, name): definitions added one by one, or every
// export of a registered instance.
class Linker {
 public:
  void define(std::string module, std::string name, Extern value);
  void define_instance(std::string module, const ModuleInstance& instance);
  // Spec 4.5.4 step 4: one extern per import, checked against its type.
  // Errors: NotFound "unknown import", Invalid "incompatible import type".
  Result<std::vector<Extern>> resolve(const CompiledModule& module) const;

 private:
  std::map<std::pair<std::string, std::string>, Extern, std::less<>> defs_;
};

// Instantiation result: the instance, and the trap that stopped element or
// data initialisation or the start function (the instance then holds the
// partial state the spec prescribes and should not be used).
struct Instantiation {
  ModuleInstance* instance = nullptr;
  std::optional<Trap> trap;
};

using CallResult = std::expected<std::vector<Value>, Trap>;

class Store {
 public:
  explicit Store(StoreLimits limits = {});
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // Spec 4.5.4. Errors: link errors (see Linker::resolve), LimitExceeded
  // when a memory or table exceeds the store's caps.
  Result<Instantiation> instantiate(std::shared_ptr<const CompiledModule> module, const std::vector<Extern>& imports);
  Result<Instantiation> instantiate(std::shared_ptr<const CompiledModule> module, const Linker& linker);

  // Creates host-side objects (e.g. the spectest module, WASI).
  FuncInst* create_host_func(FuncType type, HostFn fn);
  TableInst* create_table(TableType type);
  Result<MemInst*> create_memory(MemType type);
  GlobalInst* create_global(GlobalType type, Value init);

  // Spec 4.5.5 invocation. Arguments must match the function's parameter
  // types (a mismatch is a Host trap). Fuel and limits apply.
  CallResult invoke(FuncInst& func, std::span<const Value> args);

  // Fuel: what remains of StoreLimits::fuel, and a way to refill it.
  std::uint64_t fuel_remaining() const;
  void set_fuel(std::uint64_t fuel);
  const StoreLimits& limits() const { return limits_; }

 private:
  friend struct Machine;
  StoreLimits limits_;
  std::int64_t fuel_ = 0;  // signed so that overshooting stays visible
  bool fuel_unlimited_ = true;
  std::deque<ModuleInstance> instances_;
  std::deque<FuncInst> funcs_;
  std::deque<TableInst> tables_;
  std::deque<MemInst> memories_;
  std::deque<GlobalInst> globals_;
  struct CallFrame {
    const Cell* ret_pc;
    std::uint64_t* fp;
    ModuleInstance* inst;
  };
  std::vector<CallFrame> frames_;           // active wasm frames (explicit: never the host stack)
  std::unique_ptr<std::uint64_t[]> stack_;  // value stack, allocated on first use
  std::size_t stack_used_ = 0;              // slots in use by active invocations
  std::uint32_t ticks_ = 0;                 // loop heads since the last deadline check
};

}  // namespace wg::wasm
