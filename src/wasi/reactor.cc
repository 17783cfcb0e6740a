#include "wasi/reactor.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <utility>

namespace wg::wasi {
namespace {

using wasm::ValType;
using wasm::Value;

bool has_type(const wasm::FuncInst& f, std::span<const ValType> params, std::span<const ValType> results) {
  return std::equal(f.type->params.begin(), f.type->params.end(), params.begin(), params.end()) &&
         std::equal(f.type->results.begin(), f.type->results.end(), results.begin(), results.end());
}

wasm::Trap host_trap(std::string message) { return wasm::Trap{wasm::TrapKind::Host, std::move(message), 0}; }

}  // namespace

Result<std::optional<Reactor>> Reactor::start(GuestRun& run, std::shared_ptr<const wasm::CompiledModule> module) {
  wasm::ModuleInstance* inst = WG_TRY(run.instantiate(std::move(module)));
  if (inst == nullptr) return std::optional<Reactor>();
  if (inst->exported_func("_start") != nullptr) {
    return make_error(ErrorCode::Invalid, "module exports \"_start\": it is a WASI command, not a reactor");
  }
  wasm::MemInst* memory = inst->exported_memory("memory");
  if (memory == nullptr) return make_error(ErrorCode::Invalid, "reactor exports no memory \"memory\"");
  wasm::FuncInst* realloc = inst->exported_func("cabi_realloc");
  static constexpr ValType kI32x4[] = {ValType::I32, ValType::I32, ValType::I32, ValType::I32};
  static constexpr ValType kI32[] = {ValType::I32};
  if (realloc == nullptr || !has_type(*realloc, kI32x4, kI32)) {
    return make_error(ErrorCode::Invalid, "reactor exports no \"cabi_realloc\" of type [i32 i32 i32 i32] -> [i32]");
  }
  Reactor reactor(run, *inst, *memory, *realloc);
  // Spec (application ABI): `_initialize`, when present, is called once
  // before any other export.
  if (wasm::FuncInst* init = inst->exported_func("_initialize")) {
    if (!init->type->params.empty() || !init->type->results.empty()) {
      return make_error(ErrorCode::Invalid, "\"_initialize\" must have type [] -> []");
    }
    if (!run.call(*init, {})) return std::optional<Reactor>();
  }
  return std::optional<Reactor>(reactor);
}

std::optional<std::uint32_t> Reactor::allocate(std::uint32_t align, std::uint32_t size) {
  // Spec (canonical ABI): cabi_realloc(original_ptr, original_size, alignment, new_size).
  const Value args[] = {Value::i32(0), Value::i32(0), Value::i32(static_cast<std::int32_t>(align)),
                        Value::i32(static_cast<std::int32_t>(size))};
  auto out = run_->call(*realloc_, args);
  if (!out) return std::nullopt;
  const auto ptr = static_cast<std::uint32_t>(out->at(0).bits);
  // The guest's allocator is untrusted: the block must lie inside memory
  // and be aligned before the host writes into it.
  if (!memory_->span(ptr, size) || (ptr & (align - 1)) != 0) {
    run_->end(host_trap("cabi_realloc returned " + std::to_string(ptr) + " for " + std::to_string(size) +
                        " bytes (align " + std::to_string(align) + "): outside memory or misaligned"));
    return std::nullopt;
  }
  return ptr;
}

std::optional<GuestSlice> Reactor::lower_string(std::string_view bytes) {
  if (bytes.size() > std::numeric_limits<std::uint32_t>::max()) {
    run_->end(host_trap("string of " + std::to_string(bytes.size()) + " bytes does not fit a 32-bit memory"));
    return std::nullopt;
  }
  const auto len = static_cast<std::uint32_t>(bytes.size());
  auto ptr = allocate(1, len);
  if (!ptr) return std::nullopt;
  if (len != 0) std::memcpy(memory_->span(*ptr, len)->data(), bytes.data(), len);
  return GuestSlice{*ptr, len};
}

std::optional<GuestSlice> Reactor::lower_strings(std::span<const std::string> strings) {
  if (strings.size() > std::numeric_limits<std::uint32_t>::max() / 8) {
    run_->end(host_trap("list of " + std::to_string(strings.size()) + " strings does not fit a 32-bit memory"));
    return std::nullopt;
  }
  std::vector<GuestSlice> parts;
  parts.reserve(strings.size());
  for (const std::string& s : strings) {
    auto part = lower_string(s);
    if (!part) return std::nullopt;
    parts.push_back(*part);
  }
  const auto count = static_cast<std::uint32_t>(parts.size());
  auto array = allocate(4, count * 8);
  if (!array) return std::nullopt;
  // Re-fetch the span after the allocation: cabi_realloc may grow memory.
  if (count != 0) {
    std::uint8_t* out = memory_->span(*array, count * 8)->data();
    for (std::uint32_t i = 0; i < count; ++i) {
      std::memcpy(out + i * 8, &parts[i].ptr, 4);  // little-endian, as wasm memory
      std::memcpy(out + i * 8 + 4, &parts[i].len, 4);
    }
  }
  return GuestSlice{*array, count};
}

Result<std::optional<std::vector<Value>>> Reactor::call(std::string_view name, std::span<const Value> args) {
  wasm::FuncInst* f = instance_->exported_func(name);
  if (f == nullptr) return make_error(ErrorCode::NotFound, "reactor exports no function \"" + std::string(name) + "\"");
  const auto& params = f->type->params;
  bool ok = params.size() == args.size();
  for (std::size_t i = 0; ok && i < args.size(); ++i) ok = params[i] == args[i].type;
  if (!ok) return make_error(ErrorCode::Invalid, "arguments do not match the type of \"" + std::string(name) + "\"");
  return run_->call(*f, args);
}

std::optional<std::uint32_t> Reactor::load_u32(std::uint32_t ptr, std::string_view what) {
  std::uint32_t v = 0;
  auto s = memory_->span(ptr, 4);
  if (!s) {
    run_->end(host_trap(std::string(what) + ": pointer " + std::to_string(ptr) + " is outside memory"));
    return std::nullopt;
  }
  std::memcpy(&v, s->data(), 4);
  return v;
}

std::optional<std::uint32_t> HandleTable::insert(std::uint32_t rep) {
  if (live_ >= capacity_) return std::nullopt;
  std::uint32_t h = 0;
  if (!free_.empty()) {
    h = free_.back();
    free_.pop_back();
    slots_[h] = rep;
  } else {
    h = static_cast<std::uint32_t>(slots_.size());
    slots_.emplace_back(rep);
  }
  ++live_;
  return h;
}

std::optional<std::uint32_t> HandleTable::get(std::uint32_t handle) const {
  if (handle >= slots_.size()) return std::nullopt;
  return slots_[handle];
}

std::optional<std::uint32_t> HandleTable::remove(std::uint32_t handle) {
  if (handle >= slots_.size() || !slots_[handle]) return std::nullopt;
  const std::uint32_t rep = *slots_[handle];
  slots_[handle].reset();
  free_.push_back(handle);
  --live_;
  return rep;
}

}  // namespace wg::wasi
