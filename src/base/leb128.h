// LEB128 decoding as the WebAssembly binary format defines it.
//
// Spec: https://webassembly.github.io/spec/core/binary/values.html#integers
// An N-bit integer takes at most ceil(N/7) bytes. In the last permitted byte
// the bits beyond N must be zero (unsigned) or copies of the sign bit
// (signed). Failures use the official testsuite's wording:
//   "unexpected end"                  - input ends before the last byte
//   "integer representation too long" - the last permitted byte continues
//   "integer too large"               - unused bits of the last byte are wrong
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace wg::leb128 {

enum class Status : std::uint8_t { Ok, UnexpectedEnd, TooLong, TooLarge };

// Result of one decode. `length` is the number of bytes consumed when status
// is Ok, and unspecified otherwise.
template <class T>
struct Decoded {
  T value = 0;
  std::size_t length = 0;
  Status status = Status::Ok;
};

Decoded<std::uint32_t> decode_u32(std::span<const std::uint8_t> in);
Decoded<std::uint64_t> decode_u64(std::span<const std::uint8_t> in);
Decoded<std::int32_t> decode_s32(std::span<const std::uint8_t> in);
// The 33-bit signed form used by block types (type indices are >= 0).
Decoded<std::int64_t> decode_s33(std::span<const std::uint8_t> in);
Decoded<std::int64_t> decode_s64(std::span<const std::uint8_t> in);

// The testsuite's message for a failed status ("unexpected end", ...).
const char* message(Status status);

}  // namespace wg::leb128
