// The table of wasi_snapshot_preview1 functions and how they are bound to a
// wasm::Linker. One row per function: name, signature, handler. Adding a
// function adds a row in functions.cc.
//
// Contract: every handler reaches guest memory only through GuestMemory's
// bounds-checked accessors; a pointer or length outside memory gives
// errno FAULT, never a host fault. proc_exit ends the run with a
// TrapKind::Exit trap carrying the exit code. Handlers never throw.
// Thread-safety: as WasiContext.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <optional>
#include <expected>
#include <span>
#include <string_view>

#include "wasi/context.h"
#include "wasm/exec/runtime.h"

namespace wg::wasi {

inline constexpr std::string_view kModuleName = "wasi_snapshot_preview1";

// Bounds-checked little-endian access to one linear memory.
class GuestMemory {
 public:
  explicit GuestMemory(wasm::MemInst& mem) : mem_(mem) {}
  // The bytes [ptr, ptr+len), or nullopt if any is outside memory.
  std::optional<std::span<std::uint8_t>> bytes(std::uint64_t ptr, std::uint64_t len) { return mem_.span(ptr, len); }
  template <class T>
  bool load(std::uint64_t ptr, T& out) {
    auto s = mem_.span(ptr, sizeof(T));
    if (!s) return false;
    std::memcpy(&out, s->data(), sizeof(T));
    return true;
  }
  template <class T>
  bool store(std::uint64_t ptr, T value) {
    auto s = mem_.span(ptr, sizeof(T));
    if (!s) return false;
    std::memcpy(s->data(), &value, sizeof(T));
    return true;
  }

 private:
  static_assert(std::endian::native == std::endian::little, "WASI memory layout assumes a little-endian host");
  wasm::MemInst& mem_;
};

// What a handler returns: an errno for the guest, or a trap ending the run.
using Outcome = std::expected<Errno, wasm::Trap>;
using Handler = Outcome (*)(WasiContext& ctx, GuestMemory& mem, std::span<const wasm::Value> args);

struct FunctionRow {
  std::string_view name;
  std::string_view params;   // one letter per parameter: 'i' i32, 'I' i64
  std::string_view results;  // "" or "i"
  Handler handler;
};

// Every preview1 function, sorted by name.
std::span<const FunctionRow> function_table();

// The engine type of a row.
wasm::FuncType function_type(const FunctionRow& row);

// Defines every row under kModuleName in `linker`, as host functions of
// `store` that act on `ctx` (which must outlive the store's use).
void define_wasi(wasm::Linker& linker, wasm::Store& store, WasiContext& ctx);

}  // namespace wg::wasi
