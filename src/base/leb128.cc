#include "base/leb128.h"

namespace wg::leb128 {
namespace {

// Decodes an unsigned integer of `bits` bits into a uint64_t.
Decoded<std::uint64_t> decode_unsigned(std::span<const std::uint8_t> in, unsigned bits) {
  const std::size_t max_bytes = (bits + 6) / 7;
  const unsigned last_bits = bits - 7 * static_cast<unsigned>(max_bytes - 1);
  Decoded<std::uint64_t> out;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    if (i >= in.size()) {
      out.status = Status::UnexpectedEnd;
      return out;
    }
    const std::uint8_t byte = in[i];
    const std::uint64_t payload = byte & 0x7f;
    if (i + 1 == max_bytes) {
      if (byte & 0x80) {
        out.status = Status::TooLong;
        return out;
      }
      if (last_bits < 7 && (payload >> last_bits) != 0) {
        out.status = Status::TooLarge;
        return out;
      }
    }
    out.value |= payload << (7 * i);
    if ((byte & 0x80) == 0) {
      out.length = i + 1;
      return out;
    }
  }
  out.status = Status::TooLong;
  return out;
}

// Decodes a signed integer of `bits` bits, sign-extended into an int64_t.
Decoded<std::int64_t> decode_signed(std::span<const std::uint8_t> in, unsigned bits) {
  const std::size_t max_bytes = (bits + 6) / 7;
  const unsigned last_bits = bits - 7 * static_cast<unsigned>(max_bytes - 1);
  Decoded<std::int64_t> out;
  std::uint64_t result = 0;
  for (std::size_t i = 0; i < max_bytes; ++i) {
    if (i >= in.size()) {
      out.status = Status::UnexpectedEnd;
      return out;
    }
    const std::uint8_t byte = in[i];
    const std::uint64_t payload = byte & 0x7f;
    if (i + 1 == max_bytes) {
      if (byte & 0x80) {
        out.status = Status::TooLong;
        return out;
      }
      if (last_bits < 7) {
        // Bits last_bits-1 .. 6 must all equal the sign bit (bit last_bits-1).
        const std::uint8_t high = static_cast<std::uint8_t>(payload >> (last_bits - 1));
        const std::uint8_t all_ones = static_cast<std::uint8_t>(0x7f >> (last_bits - 1));
        if (high != 0 && high != all_ones) {
          out.status = Status::TooLarge;
          return out;
        }
      }
    }
    const unsigned shift = 7 * static_cast<unsigned>(i);
    result |= payload << shift;
    if ((byte & 0x80) == 0) {
      const unsigned used = shift + 7;
      if (used < 64 && (byte & 0x40)) result |= ~std::uint64_t{0} << used;
      out.value = static_cast<std::int64_t>(result);
      out.length = i + 1;
      return out;
    }
  }
  out.status = Status::TooLong;
  return out;
}

template <class T, class U>
Decoded<T> narrow(const Decoded<U>& wide) {
  return Decoded<T>{static_cast<T>(wide.value), wide.length, wide.status};
}

}  // namespace

Decoded<std::uint32_t> decode_u32(std::span<const std::uint8_t> in) {
  return narrow<std::uint32_t>(decode_unsigned(in, 32));
}
Decoded<std::uint64_t> decode_u64(std::span<const std::uint8_t> in) { return decode_unsigned(in, 64); }
Decoded<std::int32_t> decode_s32(std::span<const std::uint8_t> in) {
  return narrow<std::int32_t>(decode_signed(in, 32));
}
Decoded<std::int64_t> decode_s33(std::span<const std::uint8_t> in) { return decode_signed(in, 33); }
Decoded<std::int64_t> decode_s64(std::span<const std::uint8_t> in) { return decode_signed(in, 64); }

const char* message(Status status) {
  switch (status) {
    case Status::Ok: return "ok";
    case Status::UnexpectedEnd: return "unexpected end";
    case Status::TooLong: return "integer representation too long";
    case Status::TooLarge: return "integer too large";
  }
  return "bad integer";
}

}  // namespace wg::leb128
