// Values and traps: what crosses the boundary between the engine and its
// embedder (spec 4.2.1 values, 4.4 traps).
//
// Contract: a Value is a type tag plus a 64-bit payload. i32/f32 use the low
// 32 bits (floats as their IEEE bit pattern, so NaN payloads survive).
// References: 0 is null; a funcref is a FuncInst*; an externref is an opaque
// non-zero host handle chosen by the embedder. Traps are values, never
// exceptions. Thread-safety: values.
#pragma once

#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "wasm/model/types.h"

namespace wg::wasm {

struct Value {
  ValType type = ValType::I32;
  std::uint64_t bits = 0;

  static Value i32(std::int32_t v) { return {ValType::I32, static_cast<std::uint32_t>(v)}; }
  static Value i64(std::int64_t v) { return {ValType::I64, static_cast<std::uint64_t>(v)}; }
  static Value f32(float v) { return {ValType::F32, std::bit_cast<std::uint32_t>(v)}; }
  static Value f64(double v) { return {ValType::F64, std::bit_cast<std::uint64_t>(v)}; }
  static Value f32_bits(std::uint32_t b) { return {ValType::F32, b}; }
  static Value f64_bits(std::uint64_t b) { return {ValType::F64, b}; }
  static Value null(ValType ref) { return {ref, 0}; }
  static Value externref(std::uint64_t handle) { return {ValType::ExternRef, handle}; }

  std::int32_t as_i32() const { return static_cast<std::int32_t>(static_cast<std::uint32_t>(bits)); }
  std::int64_t as_i64() const { return static_cast<std::int64_t>(bits); }
  float as_f32() const { return std::bit_cast<float>(static_cast<std::uint32_t>(bits)); }
  double as_f64() const { return std::bit_cast<double>(bits); }
  bool is_null() const { return bits == 0; }
  bool operator==(const Value&) const = default;
};

// Every way execution can stop early. The first group are the spec's traps
// (messages use the testsuite's wording); the second are sandbox limits.
enum class TrapKind : std::uint8_t {
  Unreachable,
  IntegerDivideByZero,
  IntegerOverflow,
  InvalidConversion,
  MemoryOutOfBounds,
  TableOutOfBounds,
  UndefinedElement,
  UninitializedElement,
  IndirectCallTypeMismatch,
  CallStackExhausted,  // call depth or value stack limit
  // Sandbox limits and embedder outcomes.
  OutOfFuel,
  Interrupted,       // the interrupt flag was raised
  DeadlineExceeded,  // the wall-clock deadline passed
  MemoryLimit,       // memory.grow beyond the instance cap (GrowFailure::Trap)
  TableLimit,        // table.grow beyond the instance cap (GrowFailure::Trap)
  Host,              // a host function trapped (message from the host)
  Exit,              // a host function asked to end the run (e.g. proc_exit)
};

// The testsuite's wording for the spec traps; a short name for the others.
std::string_view trap_message(TrapKind kind);

struct Trap {
  TrapKind kind = TrapKind::Unreachable;
  std::string message;          // trap_message(kind) unless a host said more
  std::uint32_t exit_code = 0;  // TrapKind::Exit only

  static Trap of(TrapKind k) { return Trap{k, std::string(trap_message(k)), 0}; }
};

}  // namespace wg::wasm
