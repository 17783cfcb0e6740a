// Value types, function types, limits and the strong index types of the
// WebAssembly 2.0 structure (spec chapter 2, "Structure").
//
// Contract: plain value types with no invariants beyond their fields; a
// decoded Module only holds values the decoder accepted, the validator checks
// the rules between them. Thread-safety: values, freely copyable.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace wg::wasm {

// Spec 2.3.1-2.3.3. The enumerator values are the binary encodings.
enum class ValType : std::uint8_t {
  I32 = 0x7F,
  I64 = 0x7E,
  F32 = 0x7D,
  F64 = 0x7C,
  V128 = 0x7B,  // recognised only to report "unsupported feature"
  FuncRef = 0x70,
  ExternRef = 0x6F,
};

inline bool is_ref(ValType t) { return t == ValType::FuncRef || t == ValType::ExternRef; }
std::string_view to_string(ValType t);

// Strong index types (spec 2.5.1): each index space is its own type so that a
// function index can never be passed where a type index is expected.
enum class TypeIdx : std::uint32_t {};
enum class FuncIdx : std::uint32_t {};
enum class TableIdx : std::uint32_t {};
enum class MemIdx : std::uint32_t {};
enum class GlobalIdx : std::uint32_t {};
enum class ElemIdx : std::uint32_t {};
enum class DataIdx : std::uint32_t {};
enum class LocalIdx : std::uint32_t {};
enum class LabelIdx : std::uint32_t {};

template <class E>
constexpr std::uint32_t raw(E index) {
  return static_cast<std::uint32_t>(index);
}

// Spec 2.3.6.
struct FuncType {
  std::vector<ValType> params;
  std::vector<ValType> results;
  bool operator==(const FuncType&) const = default;
};

// Spec 2.3.7. Sizes are in pages (memories) or elements (tables).
struct Limits {
  std::uint32_t min = 0;
  std::optional<std::uint32_t> max;
  bool operator==(const Limits&) const = default;
};

enum class Mutability : std::uint8_t { Const = 0, Var = 1 };

struct TableType {
  ValType elem = ValType::FuncRef;
  Limits limits;
};
struct MemType {
  Limits limits;
};
struct GlobalType {
  ValType type = ValType::I32;
  Mutability mut = Mutability::Const;
  bool operator==(const GlobalType&) const = default;
};

// Spec 2.5.10: the kinds of imports and exports (the enumerator values are
// the binary encodings).
enum class ExternKind : std::uint8_t { Func = 0, Table = 1, Memory = 2, Global = 3 };
std::string_view to_string(ExternKind k);

inline constexpr std::uint32_t kPageSize = 65536;
inline constexpr std::uint32_t kMaxPages = 65536;  // 4 GiB with 32-bit addresses

}  // namespace wg::wasm
