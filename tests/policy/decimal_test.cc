#include "policy/decimal.h"

#include <boost/json.hpp>
#include <gtest/gtest.h>

namespace wg::policy {
namespace {

Decimal dec(std::string_view s) {
  auto d = Decimal::parse(s);
  EXPECT_TRUE(d.has_value()) << s;
  return d.value_or(Decimal());
}

TEST(DecimalTest, AddsTenthsExactly) {
  auto sum = dec("0.1").checked_add(dec("0.2"));
  ASSERT_TRUE(sum);
  EXPECT_EQ(*sum, dec("0.3"));
  EXPECT_EQ(sum->to_string(), "0.3");
}

TEST(DecimalTest, PrintsShortestExactForm) {
  EXPECT_EQ(dec("1.500").to_string(), "1.5");
  EXPECT_EQ(dec("-0.0").to_string(), "0");
  EXPECT_EQ(dec("1e3").to_string(), "1000");
  EXPECT_EQ(dec("1.25E-2").to_string(), "0.0125");
  EXPECT_EQ(dec(".5").to_string(), "0.5");
  EXPECT_EQ(dec("+7").to_string(), "7");
  EXPECT_EQ(dec("-12.034").to_string(), "-12.034");
  EXPECT_EQ(dec("000120").to_string(), "120");
}

TEST(DecimalTest, KeepsEighteenFractionalDigitsAndLargeAmounts) {
  EXPECT_EQ(dec("0.000000000000000001").to_string(), "0.000000000000000001");
  Decimal big = dec("100000000000000000000");  // 1e20
  auto sum = big.checked_add(dec("0.000000000000000001"));
  ASSERT_TRUE(sum);
  EXPECT_EQ(sum->to_string(), "100000000000000000000.000000000000000001");
  EXPECT_GT(*sum, big);
}

TEST(DecimalTest, RefusesToTruncateFractionalDigits) {
  auto d = Decimal::parse("0.0000000000000000001");  // 19 digits
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().code(), ErrorCode::LimitExceeded);
  // Trailing zeros beyond the 18th digit lose nothing, so they are fine.
  EXPECT_EQ(dec("0.1000000000000000000000").to_string(), "0.1");
}

TEST(DecimalTest, RejectsOutOfRangeAndOverflow) {
  EXPECT_EQ(Decimal::parse("1e21").error().code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(Decimal::parse("1e99999999999").error().code(), ErrorCode::LimitExceeded);
  Decimal big = dec("150000000000000000000");
  auto sum = big.checked_add(big);
  ASSERT_FALSE(sum);
  EXPECT_EQ(sum.error().code(), ErrorCode::LimitExceeded);
  auto diff = dec("-150000000000000000000").checked_sub(big);
  EXPECT_FALSE(diff);
}

TEST(DecimalTest, RejectsNonNumericText) {
  for (const char* s : {"", "abc", "1.2.3", "inf", "nan", "0x10", " 1", "1 ", "1e", "-", ".", "1,5", "--1", "e5"}) {
    auto d = Decimal::parse(s);
    ASSERT_FALSE(d) << s;
    EXPECT_EQ(d.error().code(), ErrorCode::Malformed) << s;
  }
}

TEST(DecimalTest, ComparesExactly) {
  EXPECT_LT(dec("0.3"), dec("0.30000000000000001"));
  EXPECT_EQ(dec("2"), dec("2.000"));
  EXPECT_LT(dec("-1"), dec("0"));
  EXPECT_TRUE(dec("-0.5").is_negative());
  EXPECT_TRUE(dec("3.0").is_integer());
  EXPECT_FALSE(dec("3.01").is_integer());
}

TEST(DecimalTest, ReadsJsonNumbersExactly) {
  auto v = boost::json::parse(R"([0.1, 9007199254740993, 18446744073709551615, -5, 2.5e-3, "1", true, 1e300])");
  const auto& a = v.as_array();
  EXPECT_EQ(Decimal::from_json(a[0])->to_string(), "0.1");
  EXPECT_EQ(Decimal::from_json(a[1])->to_string(), "9007199254740993");
  EXPECT_EQ(Decimal::from_json(a[2])->to_string(), "18446744073709551615");
  EXPECT_EQ(Decimal::from_json(a[3])->to_string(), "-5");
  EXPECT_EQ(Decimal::from_json(a[4])->to_string(), "0.0025");
  EXPECT_EQ(Decimal::from_json(a[5]).error().code(), ErrorCode::Invalid);
  EXPECT_EQ(Decimal::from_json(a[6]).error().code(), ErrorCode::Invalid);
  EXPECT_EQ(Decimal::from_json(a[7]).error().code(), ErrorCode::LimitExceeded);
}

}  // namespace
}  // namespace wg::policy
