// Validation rules (spec chapter 3) with the testsuite's wording.
#include <gtest/gtest.h>

#include "wasm/test_util.h"
#include "wasm/validate/compiler.h"
#include "wasm/validate/module_cache.h"

namespace wg::wasm {
namespace {

using testing::module_bytes;

// One function of type [] -> [] (or `type` bytes) with the given body.
std::vector<std::uint8_t> one_func(std::vector<std::uint8_t> body, std::vector<std::uint8_t> type = {0x60, 0x00, 0x00},
                                   std::vector<std::uint8_t> extra = {}) {
  std::vector<std::uint8_t> s = {0x01, static_cast<std::uint8_t>(type.size() + 1), 0x01};
  s.insert(s.end(), type.begin(), type.end());
  s.insert(s.end(), {0x03, 0x02, 0x01, 0x00});
  s.insert(s.end(), extra.begin(), extra.end());
  std::vector<std::uint8_t> code = {0x01, static_cast<std::uint8_t>(body.size() + 1), 0x00};
  code.insert(code.end(), body.begin(), body.end());
  s.push_back(0x0A);
  s.push_back(static_cast<std::uint8_t>(code.size()));
  s.insert(s.end(), code.begin(), code.end());
  return module_bytes(s);
}

std::string invalid(const std::vector<std::uint8_t>& bytes) {
  auto m = compile(bytes);
  EXPECT_FALSE(m.has_value());
  if (m) return "compiled";
  EXPECT_EQ(m.error().code(), ErrorCode::Invalid) << m.error().to_string();
  return m.error().message();
}

TEST(ValidatorTest, AcceptsAWellTypedFunction) {
  auto m = compile(one_func({0x41, 0x01, 0x41, 0x02, 0x6A, 0x0B}, {0x60, 0x00, 0x01, 0x7F}));
  ASSERT_TRUE(m.has_value()) << m.error().to_string();
  EXPECT_EQ((*m)->functions().size(), 1u);
}

TEST(ValidatorTest, BinaryOperatorOnEmptyStackIsTypeMismatch) {
  EXPECT_EQ(invalid(one_func({0x6A, 0x0B})), "function 0: type mismatch at offset 23");
}

TEST(ValidatorTest, WrongResultTypeIsTypeMismatch) {
  EXPECT_NE(invalid(one_func({0x42, 0x00, 0x0B}, {0x60, 0x00, 0x01, 0x7F})).find("type mismatch"), std::string::npos);
}

TEST(ValidatorTest, UnknownLocalNamesTheIndex) {
  EXPECT_NE(invalid(one_func({0x20, 0x05, 0x1A, 0x0B})).find("unknown local 5"), std::string::npos);
}

TEST(ValidatorTest, UnknownLabel) {
  EXPECT_NE(invalid(one_func({0x0C, 0x03, 0x0B})).find("unknown label"), std::string::npos);
}

TEST(ValidatorTest, UnreachableCodeIsStackPolymorphic) {
  // unreachable; i32.add; drop  is valid
  auto m = compile(one_func({0x00, 0x6A, 0x1A, 0x0B}));
  EXPECT_TRUE(m.has_value()) << m.error().to_string();
}

TEST(ValidatorTest, SettingAnImmutableGlobalIsRejected) {
  // (global i32 (i32.const 0)) (func global.set 0 (i32.const 1))
  std::vector<std::uint8_t> global = {0x06, 0x06, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x0B};
  EXPECT_NE(invalid(one_func({0x41, 0x01, 0x24, 0x00, 0x0B}, {0x60, 0x00, 0x00}, global)).find("global is immutable"),
            std::string::npos);
}

TEST(ValidatorTest, AlignmentLargerThanNaturalIsRejected) {
  std::vector<std::uint8_t> memory = {0x05, 0x03, 0x01, 0x00, 0x01};
  EXPECT_NE(invalid(one_func({0x41, 0x00, 0x28, 0x03, 0x00, 0x1A, 0x0B}, {0x60, 0x00, 0x00}, memory))
                .find("alignment must not be larger than natural"),
            std::string::npos);
}

TEST(ValidatorTest, MemoryInstructionWithoutMemoryIsUnknownMemory) {
  EXPECT_NE(invalid(one_func({0x3F, 0x00, 0x1A, 0x0B})).find("unknown memory 0"), std::string::npos);
}

TEST(ValidatorTest, DuplicateExportNamesAreRejected) {
  auto bytes = module_bytes({0x01, 0x04, 0x01, 0x60, 0x00, 0x00, 0x03, 0x02, 0x01, 0x00, 0x07, 0x09, 0x02, 0x01,
                             'a',  0x00, 0x00, 0x01, 'a',  0x00, 0x00, 0x0A, 0x04, 0x01, 0x02, 0x00, 0x0B});
  EXPECT_NE(invalid(bytes).find("duplicate export name"), std::string::npos);
}

TEST(ValidatorTest, TwoMemoriesAreRejected) {
  EXPECT_NE(invalid(module_bytes({0x05, 0x05, 0x02, 0x00, 0x01, 0x00, 0x01})).find("multiple memories"),
            std::string::npos);
}

TEST(ValidatorTest, MemoryLargerThan4GiBIsRejected) {
  EXPECT_NE(invalid(module_bytes({0x05, 0x05, 0x01, 0x00, 0x81, 0x80, 0x04}))
                .find("memory size must be at most 65536 pages (4GiB)"),
            std::string::npos);
}

TEST(ValidatorTest, StartFunctionMustHaveEmptyType) {
  auto bytes = module_bytes({0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7F, 0x03, 0x02, 0x01, 0x00,
                             0x08, 0x01, 0x00, 0x0A, 0x06, 0x01, 0x04, 0x00, 0x41, 0x00, 0x0B});
  EXPECT_NE(invalid(bytes).find("start function"), std::string::npos);
}

TEST(ValidatorTest, NonConstantGlobalInitializerIsRejected) {
  auto m = compile(module_bytes({0x06, 0x08, 0x01, 0x7F, 0x00, 0x41, 0x00, 0x45, 0x0B, 0x00}));
  ASSERT_FALSE(m.has_value());
  EXPECT_NE(m.error().message().find("constant expression required"), std::string::npos) << m.error().message();
}

TEST(ValidatorTest, UndeclaredFunctionReferenceIsRejected) {
  EXPECT_NE(invalid(one_func({0xD2, 0x00, 0x1A, 0x0B})).find("undeclared function reference"), std::string::npos);
}

TEST(ValidatorTest, CompiledModuleCarriesTheInputDigest) {
  auto a = compile(one_func({0x0B}));
  auto b = compile(one_func({0x0B}));
  auto c = compile(one_func({0x01, 0x0B}));  // one nop more
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ((*a)->digest(), (*b)->digest());
  EXPECT_NE((*a)->digest(), (*c)->digest());
}

}  // namespace
}  // namespace wg::wasm

namespace wg::wasm {
namespace {

TEST(ModuleCacheTest, SameBytesAreCompiledOnce) {
  ModuleCache cache(2);
  auto bytes = testing::read_guest("basics");
  auto a = cache.get_or_compile(bytes);
  auto b = cache.get_or_compile(bytes);
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->get(), b->get());
  EXPECT_EQ(cache.hits(), 1u);
  CompileOptions canonical;
  canonical.nan_mode = NanMode::Canonical;
  auto c = cache.get_or_compile(bytes, canonical);  // another compiled form
  ASSERT_TRUE(c.has_value());
  EXPECT_NE(a->get(), c->get());
  EXPECT_EQ(cache.size(), 2u);
}

TEST(ModuleCacheTest, ErrorsAreNotCachedAndCapacityIsBounded) {
  ModuleCache cache(1);
  EXPECT_FALSE(cache.get_or_compile(std::vector<std::uint8_t>{1, 2, 3}).has_value());
  EXPECT_EQ(cache.size(), 0u);
  ASSERT_TRUE(cache.get_or_compile(testing::read_guest("basics")).has_value());
  ASSERT_TRUE(cache.get_or_compile(testing::read_guest("host")).has_value());
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace wg::wasm
