#include "policy/canonical_json.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace wg::policy {
namespace {

std::string canon(std::string_view json) {
  auto out = canonical_json(boost::json::parse(json));
  EXPECT_TRUE(out.has_value());
  return out ? *out : std::string();
}

TEST(CanonicalJsonTest, SortsKeysAtEveryLevelAndDropsWhitespace) {
  EXPECT_EQ(canon(R"({ "b": 1, "a": {"z": [3, {"y": 1, "x": 2}], "m": null} })"),
            R"({"a":{"m":null,"z":[3,{"x":2,"y":1}]},"b":1})");
}

TEST(CanonicalJsonTest, SortsKeysByUtf8Bytes) {
  EXPECT_EQ(canon(R"({"é":1,"z":2,"Z":3,"":4})"), "{\"\":4,\"Z\":3,\"z\":2,\"\xc3\xa9\":1}");
}

TEST(CanonicalJsonTest, NormalisesNumbersByValue) {
  EXPECT_EQ(canon("[1, 1.0, 1e0, 10e-1, -0.0, 0.1, 1.25e3, 18446744073709551615, -5]"),
            "[1,1,1,1,0,0.1,1250,18446744073709551615,-5]");
  EXPECT_EQ(canon("[1e300]"), "[1e+300]");
}

TEST(CanonicalJsonTest, EscapesOnlyWhatJsonRequires) {
  EXPECT_EQ(canon(R"(["a\"b\\c\n\u0001\u00e9/"])"), "[\"a\\\"b\\\\c\\n\\u0001\xc3\xa9/\"]");
}

TEST(CanonicalJsonTest, CanonicalTextParsesBackToTheSameText) {
  const std::string once = canon(R"({"k":[1.5,"x\ty",{"b":true,"a":false}],"n":-12.75})");
  EXPECT_EQ(canon(once), once);
}

TEST(CanonicalJsonTest, RefusesNestingBeyondTheLimit) {
  boost::json::value v = boost::json::array();
  for (int i = 0; i < 10; ++i) v = boost::json::array{v};
  EXPECT_TRUE(canonical_json(v, 11).has_value());
  auto deep = canonical_json(v, 5);
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code(), ErrorCode::LimitExceeded);
}

TEST(CanonicalJsonTest, DigestIgnoresKeyOrderAndNumberSpellingButNotValues) {
  auto a = arguments_digest(boost::json::parse(R"({"to":"bob","amount":5})"));
  auto b = arguments_digest(boost::json::parse(R"({"amount":5.0,"to":"bob"})"));
  auto c = arguments_digest(boost::json::parse(R"({"amount":6,"to":"bob"})"));
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(*a, *b);
  EXPECT_NE(*a, *c);
  EXPECT_EQ(a->size(), 64u);
  EXPECT_EQ(*arguments_digest(boost::json::value()), *arguments_digest(boost::json::object())) << "no arguments is {}";
}

}  // namespace
}  // namespace wg::policy
