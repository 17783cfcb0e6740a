// Binary-format checks of decode_module (spec chapter 5) and its limits.
#include "wasm/decode/decoder.h"

#include <gtest/gtest.h>

#include "wasm/test_util.h"

namespace wg::wasm {
namespace {

using testing::module_bytes;

Error decode_error(const std::vector<std::uint8_t>& bytes, const DecodeLimits& limits = {}) {
  auto m = decode_module(bytes, limits);
  EXPECT_FALSE(m.has_value());
  return m ? Error(ErrorCode::Internal, "decoded") : m.error();
}

TEST(DecoderTest, DecodesTheEmptyModule) {
  auto m = decode_module(module_bytes({}));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_TRUE(m->types.empty());
  EXPECT_TRUE(m->functions.empty());
}

TEST(DecoderTest, DecodesTypesFunctionsAndExports) {
  // (func (export "f") (param i32) (result i32) local.get 0)
  auto m = decode_module(module_bytes({0x01, 0x06, 0x01, 0x60, 0x01, 0x7F, 0x01, 0x7F,  // type
                                       0x03, 0x02, 0x01, 0x00,                          // function
                                       0x07, 0x05, 0x01, 0x01, 'f',  0x00, 0x00,        // export
                                       0x0A, 0x06, 0x01, 0x04, 0x00, 0x20, 0x00, 0x0B}));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  ASSERT_EQ(m->types.size(), 1u);
  EXPECT_EQ(m->types[0].params, std::vector<ValType>{ValType::I32});
  ASSERT_EQ(m->functions.size(), 1u);
  EXPECT_EQ(m->functions[0].body_size, 3u);
  ASSERT_EQ(m->exports.size(), 1u);
  EXPECT_EQ(m->exports[0].name, "f");
}

TEST(DecoderTest, RejectsEmptyInputAsUnexpectedEnd) {
  Error e = decode_error({});
  EXPECT_EQ(e.code(), ErrorCode::Malformed);
  EXPECT_NE(e.message().find("unexpected end"), std::string::npos) << e.message();
}

TEST(DecoderTest, RejectsWrongMagic) {
  Error e = decode_error({'a', 's', 'm', 0x00, 0x01, 0x00, 0x00, 0x00});
  EXPECT_EQ(e.message(), "magic header not detected at offset 0");
}

TEST(DecoderTest, RejectsUnknownVersion) {
  Error e = decode_error({0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00});
  EXPECT_EQ(e.message(), "unknown binary version at offset 4");
}

TEST(DecoderTest, RejectsMalformedSectionIdAndNamesItsOffset) {
  Error e = decode_error(module_bytes({0x0D, 0x00}));
  EXPECT_EQ(e.message(), "malformed section id at offset 8");
}

TEST(DecoderTest, RejectsSectionsOutOfOrder) {
  Error e = decode_error(module_bytes({0x03, 0x01, 0x00, 0x01, 0x01, 0x00}));
  EXPECT_NE(e.message().find("unexpected content after last section"), std::string::npos) << e.message();
}

TEST(DecoderTest, RejectsSectionSizeMismatch) {
  // A type section that declares 3 bytes but holds a 1-byte vector.
  Error e = decode_error(module_bytes({0x01, 0x03, 0x00, 0x00, 0x00}));
  EXPECT_NE(e.message().find("section size mismatch"), std::string::npos) << e.message();
}

TEST(DecoderTest, RejectsSectionLongerThanInput) {
  Error e = decode_error(module_bytes({0x01, 0x7F, 0x00}));
  EXPECT_NE(e.message().find("length out of bounds"), std::string::npos) << e.message();
}

TEST(DecoderTest, RejectsInvalidUtf8InNames) {
  Error e = decode_error(module_bytes({0x00, 0x02, 0x01, 0xFF}));
  EXPECT_NE(e.message().find("malformed UTF-8 encoding"), std::string::npos) << e.message();
}

TEST(DecoderTest, RejectsFunctionAndCodeCountMismatch) {
  Error e = decode_error(module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00}));
  EXPECT_NE(e.message().find("function and code section have inconsistent lengths"), std::string::npos);
}

TEST(DecoderTest, RejectsIllegalOpcodeInBody) {
  Error e = decode_error(module_bytes(
      {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0A, 0x05, 0x01, 0x03, 0x00, 0xFF, 0x0B}));
  EXPECT_EQ(e.code(), ErrorCode::Malformed);
  EXPECT_EQ(e.message(), "illegal opcode at offset 23");
}

TEST(DecoderTest, TooManyLocalsIsMalformed) {
  DecodeLimits limits;
  limits.max_locals = 10;
  Error e = decode_error(module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0A, 0x06, 0x01,
                                       0x04, 0x01, 0x0B, 0x7F, 0x0B}),
                         limits);
  EXPECT_NE(e.message().find("too many locals"), std::string::npos) << e.message();
}

TEST(DecoderTest, EnforcesModuleSizeLimit) {
  DecodeLimits limits;
  limits.max_module_size = 8;
  Error e = decode_error(module_bytes({0x00, 0x01, 0x00}), limits);
  EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
}

TEST(DecoderTest, EnforcesPerSectionItemCounts) {
  DecodeLimits limits;
  limits.max_types = 1;
  Error e = decode_error(module_bytes({0x01, 0x07, 0x02, 0x60, 0x00, 0x00, 0x60, 0x00, 0x00}), limits);
  EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
  EXPECT_NE(e.message().find("too many types"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("offset 10"), std::string::npos) << e.message();
}

TEST(DecoderTest, SimdValueTypeIsAnUnsupportedFeature) {
  Error e = decode_error(module_bytes({0x01, 0x05, 0x01, 0x60, 0x01, 0x7B, 0x00}));
  EXPECT_EQ(e.code(), ErrorCode::Unsupported);
  EXPECT_NE(e.message().find("SIMD"), std::string::npos) << e.message();
}

TEST(DecoderTest, SimdInstructionIsAnUnsupportedFeature) {
  Error e = decode_error(module_bytes(
      {0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x0A, 0x06, 0x01, 0x04, 0x00, 0xFD, 0x0C, 0x0B}));
  EXPECT_EQ(e.code(), ErrorCode::Unsupported);
}

TEST(DecoderTest, SharedMemoryIsAnUnsupportedFeature) {
  Error e = decode_error(module_bytes({0x05, 0x04, 0x01, 0x03, 0x01, 0x01}));
  EXPECT_EQ(e.code(), ErrorCode::Unsupported);
  EXPECT_NE(e.message().find("threads"), std::string::npos) << e.message();
}

TEST(DecoderTest, Utf8CheckerRejectsOverlongAndSurrogates) {
  auto ok = [](std::vector<std::uint8_t> b) { return is_valid_utf8(b); };
  EXPECT_TRUE(ok({'a', 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80}));
  EXPECT_FALSE(ok({0xC0, 0x80}));              // overlong NUL
  EXPECT_FALSE(ok({0xED, 0xA0, 0x80}));        // U+D800
  EXPECT_FALSE(ok({0xF4, 0x90, 0x80, 0x80}));  // above U+10FFFF
  EXPECT_FALSE(ok({0xE2, 0x82}));              // truncated
}

}  // namespace
}  // namespace wg::wasm
