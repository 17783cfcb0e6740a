#include "base/byte_reader.h"

#include <gtest/gtest.h>

#include <vector>

namespace wg {
namespace {

TEST(ByteReaderTest, ReadsFixedWidthLittleEndian) {
  const std::vector<std::uint8_t> bytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c};
  ByteReader r(bytes);
  EXPECT_EQ(*r.read_u32_le(), 0x04030201u);
  EXPECT_EQ(*r.read_u64_le(), 0x0c0b0a0908070605ull);
  EXPECT_TRUE(r.at_end());
}

TEST(ByteReaderTest, ReadPastEndFailsWithOffsetAndDoesNotAdvance) {
  const std::vector<std::uint8_t> bytes = {1, 2, 3};
  ByteReader r(bytes);
  ASSERT_TRUE(r.read_u8().has_value());
  auto word = r.read_u32_le();
  ASSERT_FALSE(word.has_value());
  EXPECT_EQ(word.error().code(), ErrorCode::Malformed);
  EXPECT_EQ(word.error().message(), "unexpected end at offset 1");
  EXPECT_EQ(r.position(), 1u);
  EXPECT_EQ(r.remaining(), 2u);
}

TEST(ByteReaderTest, HugeReadLengthIsRejectedWithoutOverflow) {
  const std::vector<std::uint8_t> bytes = {1, 2, 3};
  ByteReader r(bytes);
  EXPECT_FALSE(r.read_bytes(SIZE_MAX).has_value());
  EXPECT_FALSE(r.skip(SIZE_MAX - 1).has_value());
  EXPECT_EQ(r.remaining(), 3u);
}

TEST(ByteReaderTest, SubReaderReportsAbsoluteOffsets) {
  const std::vector<std::uint8_t> bytes = {0xaa, 0xbb, 0x80, 0x80};
  ByteReader outer(bytes, 100);
  ASSERT_TRUE(outer.skip(2).has_value());
  auto inner = outer.sub_reader(2);
  ASSERT_TRUE(inner.has_value());
  EXPECT_TRUE(outer.at_end());
  EXPECT_EQ(inner->offset(), 102u);
  auto v = inner->read_var_u32();
  ASSERT_FALSE(v.has_value());
  EXPECT_EQ(v.error().message(), "unexpected end at offset 102");
}

TEST(ByteReaderTest, VarIntsAdvanceByTheirLength) {
  const std::vector<std::uint8_t> bytes = {0xe5, 0x8e, 0x26, 0x7f, 0x80, 0x7f};
  ByteReader r(bytes);
  EXPECT_EQ(*r.read_var_u32(), 624485u);
  EXPECT_EQ(*r.read_var_s32(), -1);
  EXPECT_EQ(*r.read_var_s64(), -128);
  EXPECT_TRUE(r.at_end());
}

TEST(ByteReaderTest, VarIntErrorsCarryTheTestsuiteWording) {
  const std::vector<std::uint8_t> too_long = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};
  const std::vector<std::uint8_t> too_large = {0x80, 0x80, 0x80, 0x80, 0x10};
  auto a = ByteReader(too_long).read_var_u32();
  auto b = ByteReader(too_large).read_var_u32();
  ASSERT_FALSE(a.has_value());
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(a.error().message(), "integer representation too long at offset 0");
  EXPECT_EQ(b.error().message(), "integer too large at offset 0");
}

TEST(ByteReaderTest, PeekDoesNotAdvance) {
  const std::vector<std::uint8_t> bytes = {7};
  ByteReader r(bytes);
  EXPECT_EQ(*r.peek_u8(), 7);
  EXPECT_EQ(*r.read_u8(), 7);
  EXPECT_FALSE(r.peek_u8().has_value());
}

}  // namespace
}  // namespace wg
