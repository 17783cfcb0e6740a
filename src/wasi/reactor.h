// Hosting a WASI *reactor*: a module without `_start` whose exports the host
// calls after `_initialize`, passing strings in the Component Model's
// canonical ABI (memory allocated through the guest's `cabi_realloc`).
//
// Spec: WASI application ABI, reactors
//   (https://github.com/WebAssembly/WASI/blob/main/legacy/application-abi.md);
// canonical ABI, flat lowering of string and list<string>
//   (https://github.com/WebAssembly/component-model/blob/main/design/mvp/CanonicalABI.md):
//   a string is (ptr: i32, len: i32) of UTF-8 bytes allocated with
//   cabi_realloc(0, 0, align 1, len); a list<string> is (ptr, len) of
//   len 8-byte (ptr, len) records allocated with align 4.
//
// Contract: a Reactor borrows a GuestRun (runner.h) that must outlive it
// and in which the extra host functions are already define()d. Every
// operation that runs guest code returns nullopt once the run has ended
// (exit, trap, fuel, deadline, memory limit); the outcome is then recorded
// in the GuestRun and its finish() reports it; calling into the guest after
// that is a bug (checked). Host-side protocol errors
// (cabi_realloc returning memory out of bounds, a result pointer outside
// memory) end the run with a Host trap naming the export: a guest cannot
// make the host read or write outside its memory.
// Thread-safety: as GuestRun.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "wasi/runner.h"
#include "wasm/exec/runtime.h"

namespace wg::wasi {

// A guest pointer and length in the canonical ABI's flat form.
struct GuestSlice {
  std::uint32_t ptr = 0;
  std::uint32_t len = 0;
};

class Reactor {
 public:
  // Instantiates `module` in `run` and calls `_initialize` when exported
  // (spec: a reactor's `_initialize` runs once, before any other export).
  // Returns nullopt inside the Result when instantiation or `_initialize`
  // ended the run. Errors: link errors; Invalid when the module exports a
  // `_start` (a command, not a reactor), has no exported memory "memory",
  // or no `cabi_realloc` of type [i32 i32 i32 i32] -> [i32].
  static Result<std::optional<Reactor>> start(GuestRun& run, std::shared_ptr<const wasm::CompiledModule> module);

  // Copies `bytes` into a fresh guest allocation (align 1). Empty input is
  // still allocated (length 0) so the pointer is one the guest owns.
  std::optional<GuestSlice> lower_string(std::string_view bytes);
  // Lowers every string, then the (ptr, len) array (align 4).
  std::optional<GuestSlice> lower_strings(std::span<const std::string> strings);

  // Calls export `name` with `args`. Errors: NotFound when the module has no
  // such function export, Invalid when the argument types do not match.
  // nullopt inside the Result: the run ended during the call.
  Result<std::optional<std::vector<wasm::Value>>> call(std::string_view name, std::span<const wasm::Value> args);

  // Bounds-checked reads of guest memory; nullopt (and the run ended with
  // a Host trap naming `what`) when outside memory.
  std::optional<std::uint32_t> load_u32(std::uint32_t ptr, std::string_view what);

  wasm::ModuleInstance& instance() { return *instance_; }
  wasm::MemInst& memory() { return *memory_; }
  GuestRun& run() { return *run_; }

 private:
  Reactor(GuestRun& run, wasm::ModuleInstance& instance, wasm::MemInst& memory, wasm::FuncInst& realloc)
      : run_(&run), instance_(&instance), memory_(&memory), realloc_(&realloc) {}
  std::optional<std::uint32_t> allocate(std::uint32_t align, std::uint32_t size);

  GuestRun* run_;
  wasm::ModuleInstance* instance_;
  wasm::MemInst* memory_;
  wasm::FuncInst* realloc_;
};

// Numbers standing for guest values the host holds on the guest's behalf
// (the canonical ABI's resource handles, e.g. `canonical_abi.resource_new_*`).
// Handles are small integers reused after removal; at most `capacity` live
// at once. Thread-safety: not thread-safe.
class HandleTable {
 public:
  explicit HandleTable(std::uint32_t capacity) : capacity_(capacity) {}
  // A new handle for `rep`, or nullopt when `capacity` handles are live.
  std::optional<std::uint32_t> insert(std::uint32_t rep);
  // The value behind a live handle, or nullopt.
  std::optional<std::uint32_t> get(std::uint32_t handle) const;
  // Removes a live handle and returns its value, or nullopt.
  std::optional<std::uint32_t> remove(std::uint32_t handle);
  std::uint32_t live() const { return live_; }

 private:
  std::uint32_t capacity_;
  std::uint32_t live_ = 0;
  std::vector<std::optional<std::uint32_t>> slots_;
  std::vector<std::uint32_t> free_;
};

}  // namespace wg::wasi
