#include "base/leb128.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace wg::leb128 {
namespace {

using Bytes = std::vector<std::uint8_t>;

// Reference encoders, written independently of the decoder. `pad_to` asks for
// a longer (non-minimal but still valid) encoding of the same value.
Bytes encode_unsigned(std::uint64_t value, std::size_t pad_to = 0) {
  Bytes out;
  do {
    std::uint8_t byte = value & 0x7f;
    value >>= 7;
    out.push_back(byte);
  } while (value != 0);
  while (out.size() < pad_to) out.push_back(0);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) out[i] |= 0x80;
  return out;
}

Bytes encode_signed(std::int64_t value, std::size_t pad_to = 0) {
  Bytes out;
  bool more = true;
  while (more) {
    std::uint8_t byte = value & 0x7f;
    value >>= 7;  // arithmetic shift
    more = !((value == 0 && !(byte & 0x40)) || (value == -1 && (byte & 0x40)));
    out.push_back(byte);
  }
  const std::uint8_t fill = (out.back() & 0x40) ? 0x7f : 0x00;
  while (out.size() < pad_to) out.push_back(fill);
  for (std::size_t i = 0; i + 1 < out.size(); ++i) out[i] |= 0x80;
  return out;
}

std::vector<std::uint64_t> unsigned_samples(unsigned bits) {
  std::vector<std::uint64_t> v;
  for (std::uint64_t i = 0; i < 70000; ++i) v.push_back(i);
  for (unsigned b = 0; b < bits; ++b) {
    const std::uint64_t p = std::uint64_t{1} << b;
    v.push_back(p);
    v.push_back(p - 1);
    v.push_back(p + 1);
  }
  const std::uint64_t max = bits == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << bits) - 1;
  v.push_back(max);
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) v.push_back(rng() & max);
  return v;
}

std::vector<std::int64_t> signed_samples(unsigned bits) {
  std::vector<std::int64_t> v;
  for (std::int64_t i = -35000; i < 35000; ++i) v.push_back(i);
  const std::int64_t min = bits == 64 ? INT64_MIN : -(std::int64_t{1} << (bits - 1));
  const std::int64_t max = bits == 64 ? INT64_MAX : (std::int64_t{1} << (bits - 1)) - 1;
  v.push_back(min);
  v.push_back(max);
  for (unsigned b = 0; b + 1 < bits; ++b) {
    const std::int64_t p = std::int64_t{1} << b;
    v.push_back(p);
    v.push_back(-p);
    v.push_back(p - 1);
    v.push_back(-p - 1);
  }
  std::mt19937_64 rng(7);
  for (int i = 0; i < 20000; ++i) {
    std::int64_t x = static_cast<std::int64_t>(rng());
    if (bits < 64) x = x >> (64 - bits);  // sign-extended value in range
    v.push_back(x);
  }
  return v;
}

template <class Decode>
void expect_every_prefix_truncated(const Bytes& enc, Decode decode) {
  for (std::size_t n = 0; n < enc.size(); ++n) {
    Bytes prefix(enc.begin(), enc.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_EQ(decode(prefix).status, Status::UnexpectedEnd) << "prefix length " << n;
  }
}

TEST(Leb128Test, U32RoundTripsMinimalAndPaddedEncodings) {
  for (std::uint64_t value : unsigned_samples(32)) {
    for (std::size_t pad : {std::size_t{0}, std::size_t{5}}) {
      const Bytes enc = encode_unsigned(value, pad);
      auto d = decode_u32(enc);
      ASSERT_EQ(d.status, Status::Ok) << value;
      EXPECT_EQ(d.value, value);
      EXPECT_EQ(d.length, enc.size());
    }
  }
}

TEST(Leb128Test, U64RoundTripsMinimalAndPaddedEncodings) {
  for (std::uint64_t value : unsigned_samples(64)) {
    for (std::size_t pad : {std::size_t{0}, std::size_t{10}}) {
      const Bytes enc = encode_unsigned(value, pad);
      auto d = decode_u64(enc);
      ASSERT_EQ(d.status, Status::Ok) << value;
      EXPECT_EQ(d.value, value);
      EXPECT_EQ(d.length, enc.size());
    }
  }
}

TEST(Leb128Test, S32RoundTripsMinimalAndPaddedEncodings) {
  for (std::int64_t value : signed_samples(32)) {
    for (std::size_t pad : {std::size_t{0}, std::size_t{5}}) {
      const Bytes enc = encode_signed(value, pad);
      auto d = decode_s32(enc);
      ASSERT_EQ(d.status, Status::Ok) << value;
      EXPECT_EQ(d.value, value);
      EXPECT_EQ(d.length, enc.size());
    }
  }
}

TEST(Leb128Test, S33RoundTripsMinimalAndPaddedEncodings) {
  for (std::int64_t value : signed_samples(33)) {
    for (std::size_t pad : {std::size_t{0}, std::size_t{5}}) {
      const Bytes enc = encode_signed(value, pad);
      auto d = decode_s33(enc);
      ASSERT_EQ(d.status, Status::Ok) << value;
      EXPECT_EQ(d.value, value);
    }
  }
}

TEST(Leb128Test, S64RoundTripsMinimalAndPaddedEncodings) {
  for (std::int64_t value : signed_samples(64)) {
    for (std::size_t pad : {std::size_t{0}, std::size_t{10}}) {
      const Bytes enc = encode_signed(value, pad);
      auto d = decode_s64(enc);
      ASSERT_EQ(d.status, Status::Ok) << value;
      EXPECT_EQ(d.value, value);
      EXPECT_EQ(d.length, enc.size());
    }
  }
}

TEST(Leb128Test, EveryProperPrefixIsTruncated) {
  for (std::uint64_t value : {0ull, 127ull, 128ull, 624485ull, 0xffffffffull}) {
    expect_every_prefix_truncated(encode_unsigned(value, 5), decode_u32);
    expect_every_prefix_truncated(encode_unsigned(value), decode_u32);
    expect_every_prefix_truncated(encode_unsigned(value, 10), decode_u64);
  }
  for (std::int64_t value : {0ll, -1ll, 63ll, -64ll, 64ll, INT32_MIN + 0ll, INT32_MAX + 0ll}) {
    expect_every_prefix_truncated(encode_signed(value, 5), decode_s32);
    expect_every_prefix_truncated(encode_signed(value, 5), decode_s33);
    expect_every_prefix_truncated(encode_signed(value, 10), decode_s64);
  }
}

TEST(Leb128Test, ContinuationPastTheLastPermittedByteIsTooLong) {
  // 5 bytes for 32/33-bit forms, 10 for 64-bit ones; a continuation bit on
  // the last permitted byte is "too long" whatever follows, even nothing.
  for (std::uint8_t last = 0x80; last != 0; ++last) {
    Bytes b32 = {0x80, 0x80, 0x80, 0x80, last, 0x00};
    Bytes b64 = {0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, last, 0x00};
    EXPECT_EQ(decode_u32(b32).status, Status::TooLong);
    EXPECT_EQ(decode_s32(b32).status, Status::TooLong);
    EXPECT_EQ(decode_s33(b32).status, Status::TooLong);
    EXPECT_EQ(decode_u64(b64).status, Status::TooLong);
    EXPECT_EQ(decode_s64(b64).status, Status::TooLong);
    b32.pop_back();
    EXPECT_EQ(decode_u32(b32).status, Status::TooLong);
  }
}

// Exhaustive over every value of the last permitted byte (without the
// continuation bit): which ones fit, which are "integer too large".
TEST(Leb128Test, LastByteUnusedBitsAreCheckedExhaustively) {
  for (unsigned payload = 0; payload < 0x80; ++payload) {
    const auto p = static_cast<std::uint8_t>(payload);
    const Bytes b5 = {0xff, 0xff, 0xff, 0xff, p};
    const Bytes b10 = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, p};

    const bool u32_fits = payload < 0x10;                      // 4 used bits
    const bool u64_fits = payload < 0x02;                      // 1 used bit
    const bool s32_fits = (payload >> 3) == 0 || (payload >> 3) == 0x0f;  // bits 3..6 equal
    const bool s33_fits = (payload >> 4) == 0 || (payload >> 4) == 0x07;  // bits 4..6 equal
    const bool s64_fits = payload == 0 || payload == 0x7f;                // bits 0..6 equal

    EXPECT_EQ(decode_u32(b5).status, u32_fits ? Status::Ok : Status::TooLarge) << payload;
    EXPECT_EQ(decode_s32(b5).status, s32_fits ? Status::Ok : Status::TooLarge) << payload;
    EXPECT_EQ(decode_s33(b5).status, s33_fits ? Status::Ok : Status::TooLarge) << payload;
    EXPECT_EQ(decode_u64(b10).status, u64_fits ? Status::Ok : Status::TooLarge) << payload;
    EXPECT_EQ(decode_s64(b10).status, s64_fits ? Status::Ok : Status::TooLarge) << payload;
  }
}

TEST(Leb128Test, ExtremesDecodeToExactValues) {
  EXPECT_EQ(decode_u32(Bytes{0xff, 0xff, 0xff, 0xff, 0x0f}).value, 0xffffffffu);
  EXPECT_EQ(decode_s32(Bytes{0x80, 0x80, 0x80, 0x80, 0x78}).value, INT32_MIN);
  EXPECT_EQ(decode_s32(Bytes{0xff, 0xff, 0xff, 0xff, 0x07}).value, INT32_MAX);
  EXPECT_EQ(decode_s64(Bytes{0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}).value, INT64_MIN);
  EXPECT_EQ(decode_u64(Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}).value, UINT64_MAX);
  EXPECT_EQ(decode_s33(Bytes{0x80, 0x80, 0x80, 0x80, 0x70}).value, -(std::int64_t{1} << 32));
}

TEST(Leb128Test, DecodingStopsAtTheFirstTerminatingByte) {
  const Bytes enc = {0x02, 0xff, 0xff};
  auto d = decode_u32(enc);
  EXPECT_EQ(d.status, Status::Ok);
  EXPECT_EQ(d.value, 2u);
  EXPECT_EQ(d.length, 1u);
}

TEST(Leb128Test, MessagesUseTheTestsuiteWording) {
  EXPECT_STREQ(message(Status::UnexpectedEnd), "unexpected end");
  EXPECT_STREQ(message(Status::TooLong), "integer representation too long");
  EXPECT_STREQ(message(Status::TooLarge), "integer too large");
}

}  // namespace
}  // namespace wg::leb128
