#include "base/error.h"

#include <gtest/gtest.h>

#include "base/check.h"

namespace wg {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return make_error(ErrorCode::Malformed, std::string("not a digit: ") + c);
  return c - '0';
}

Result<int> add_digits(char a, char b) {
  int x = WG_TRY(parse_digit(a));
  int y = WG_TRY_CTX(parse_digit(b), "second digit");
  return x + y;
}

Status must_be_even(int n) {
  if (n % 2 != 0) return make_error(ErrorCode::Invalid, "odd");
  return ok();
}

Status check_sum_even(char a, char b) {
  int sum = WG_TRY(add_digits(a, b));
  WG_TRY(must_be_even(sum));
  return ok();
}

TEST(ErrorTest, TryYieldsValueOnSuccess) {
  auto r = add_digits('3', '4');
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, 7);
}

TEST(ErrorTest, TryPropagatesFirstError) {
  auto r = add_digits('x', 'y');
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Malformed);
  EXPECT_EQ(r.error().message(), "not a digit: x");
}

TEST(ErrorTest, TryCtxPrefixesContext) {
  auto r = add_digits('1', 'z');
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "second digit: not a digit: z");
}

TEST(ErrorTest, TryWorksOnStatus) {
  EXPECT_TRUE(check_sum_even('1', '1').has_value());
  auto r = check_sum_even('1', '2');
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
}

TEST(ErrorTest, ToStringNamesTheCode) {
  EXPECT_EQ(Error(ErrorCode::LimitExceeded, "fuel").to_string(), "limit exceeded: fuel");
  EXPECT_EQ(Error(ErrorCode::NotFound, "agent a1").to_string(), "not found: agent a1");
}

TEST(ErrorTest, EveryCodeHasADistinctName) {
  const ErrorCode codes[] = {ErrorCode::Malformed, ErrorCode::Invalid,     ErrorCode::NotFound,
                             ErrorCode::LimitExceeded, ErrorCode::Unsupported, ErrorCode::Io,
                             ErrorCode::Denied,    ErrorCode::Internal};
  for (auto a : codes) {
    for (auto b : codes) {
      if (a != b) {
        EXPECT_NE(to_string(a), to_string(b));
      }
    }
  }
}

TEST(CheckDeathTest, FailedCheckAbortsWithLocation) {
  EXPECT_DEATH(WG_CHECK(1 + 1 == 3), "internal check failed: 1 \\+ 1 == 3 at .*error_test.cc");
}

}  // namespace
}  // namespace wg
