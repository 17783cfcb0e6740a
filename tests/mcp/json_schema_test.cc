#include "mcp/server/json_schema.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace wg::mcp {
namespace {

namespace json = boost::json;

std::vector<std::string> check(const char* schema, const char* instance) {
  return validate_json_schema(json::parse(instance), json::parse(schema).as_object());
}

TEST(JsonSchemaTest, AcceptsAConformingInstance) {
  EXPECT_TRUE(check(R"({"type":"object","properties":{"path":{"type":"string"},"n":{"type":"integer"}},
                       "required":["path"],"additionalProperties":false})",
                    R"({"path":"/a","n":3})")
                  .empty());
}

TEST(JsonSchemaTest, ReportsTypeMismatchWithArgumentName) {
  auto issues = check(R"({"type":"object","properties":{"path":{"type":"string"}}})", R"({"path":5})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0], "argument \"path\": expected string, got integer");
  issues = check(R"({"type":"object","properties":{"path":{"type":"string"}}})", R"({"path":2.5})");
  EXPECT_EQ(issues.at(0), "argument \"path\": expected string, got number");
}

TEST(JsonSchemaTest, IntegerAcceptsIntegralDoublesOnly) {
  const char* s = R"({"type":"object","properties":{"n":{"type":"integer"}}})";
  EXPECT_TRUE(check(s, R"({"n":3.0})").empty());
  EXPECT_EQ(check(s, R"({"n":3.5})").size(), 1u);
}

TEST(JsonSchemaTest, ReportsMissingRequiredArguments) {
  auto issues = check(R"({"type":"object","required":["path","mode"]})", R"({"mode":"r"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0], "missing required argument \"path\"");
}

TEST(JsonSchemaTest, ReportsUnknownArgumentsAndListsTheAllowedOnes) {
  auto issues =
      check(R"({"type":"object","properties":{"path":{},"mode":{}},"additionalProperties":false})", R"({"pth":"x"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0], "unknown argument \"pth\"; expected one of: path, mode");
}

TEST(JsonSchemaTest, AdditionalPropertiesSchemaAppliesToExtraMembers) {
  auto issues = check(R"({"type":"object","additionalProperties":{"type":"number"}})", R"({"a":1,"b":"x"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0], "argument \"b\": expected number, got string");
}

TEST(JsonSchemaTest, ReportsEnumAndConstViolations) {
  auto issues = check(R"({"type":"object","properties":{"mode":{"enum":["r","w"]}}})", R"({"mode":"x"})");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0], R"(argument "mode": must be one of "r", "w"; got "x")");
  EXPECT_EQ(check(R"({"const":1})", "1.0").size(), 0u);
  EXPECT_EQ(check(R"({"const":"a"})", R"("b")").size(), 1u);
}

TEST(JsonSchemaTest, ReportsNumericBounds) {
  const char* s = R"({"type":"object","properties":{"n":{"type":"number","minimum":1,"maximum":10},
                    "x":{"exclusiveMinimum":0,"exclusiveMaximum":1}}})";
  EXPECT_EQ(check(s, R"({"n":0})").at(0), "argument \"n\": must be >= 1, got 0");
  EXPECT_EQ(check(s, R"({"n":11})").at(0), "argument \"n\": must be <= 10, got 11");
  EXPECT_TRUE(check(s, R"({"n":10,"x":0.5})").empty());
  EXPECT_EQ(check(s, R"({"x":0})").at(0), "argument \"x\": must be > 0, got 0");
  EXPECT_EQ(check(s, R"({"x":1})").at(0), "argument \"x\": must be < 1, got 1");
}

TEST(JsonSchemaTest, SupportsDraft4BooleanExclusiveBounds) {
  EXPECT_EQ(check(R"({"minimum":1,"exclusiveMinimum":true})", "1").size(), 1u);
  EXPECT_TRUE(check(R"({"minimum":1,"exclusiveMinimum":true})", "2").empty());
}

TEST(JsonSchemaTest, CountsStringLengthInCodePoints) {
  const char* s = R"({"type":"string","minLength":2,"maxLength":3})";
  EXPECT_TRUE(check(s, "\"\xc3\xa9\xc3\xa9\"").empty());  // two code points, four bytes
  EXPECT_EQ(check(s, R"("a")").at(0), "arguments: must be at least 2 character(s) long, got 1");
  EXPECT_EQ(check(s, R"("abcd")").at(0), "arguments: must be at most 3 character(s) long, got 4");
}

TEST(JsonSchemaTest, ChecksPatterns) {
  const char* s = R"({"type":"object","properties":{"id":{"type":"string","pattern":"^[a-z]+$"}}})";
  EXPECT_TRUE(check(s, R"({"id":"abc"})").empty());
  EXPECT_EQ(check(s, R"({"id":"ab1"})").at(0), R"(argument "id": must match the pattern "^[a-z]+$"; got "ab1")");
}

TEST(JsonSchemaTest, ValidatesArrayItemsAndCounts) {
  const char* s = R"({"type":"object","properties":{"files":{"type":"array","items":{"type":"string"},
                    "minItems":1,"maxItems":2}}})";
  EXPECT_EQ(check(s, R"({"files":["a",3]})").at(0), "argument \"files[1]\": expected string, got integer");
  EXPECT_EQ(check(s, R"({"files":[]})").at(0), "argument \"files\": must have at least 1 item(s), got 0");
  EXPECT_EQ(check(s, R"({"files":["a","b","c"]})").at(0), "argument \"files\": must have at most 2 item(s), got 3");
}

TEST(JsonSchemaTest, NamesNestedPathsWithDots) {
  const char* s = R"({"type":"object","properties":{"opts":{"type":"object","properties":{"depth":{"type":"integer"}},
                    "required":["depth"]}}})";
  EXPECT_EQ(check(s, R"({"opts":{"depth":"x"}})").at(0), "argument \"opts.depth\": expected integer, got string");
  EXPECT_EQ(check(s, R"({"opts":{}})").at(0), "missing required argument \"opts.depth\"");
}

TEST(JsonSchemaTest, TypeListsAndCombinators) {
  EXPECT_TRUE(check(R"({"type":["string","null"]})", "null").empty());
  EXPECT_EQ(check(R"({"type":["string","null"]})", "1").at(0), "arguments: expected string or null, got integer");
  EXPECT_TRUE(check(R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "1").empty());
  EXPECT_EQ(check(R"({"anyOf":[{"type":"string"},{"type":"integer"}]})", "true").size(), 1u);
  EXPECT_EQ(check(R"({"oneOf":[{"type":"number"},{"type":"integer"}]})", "1").size(), 1u);
  EXPECT_EQ(check(R"({"allOf":[{"minimum":0},{"maximum":5}]})", "7").size(), 1u);
}

TEST(JsonSchemaTest, ReportsEveryProblemUpToTheCap) {
  auto issues = check(R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"string"}},
                         "required":["c"]})",
                      R"({"a":1,"b":2})");
  EXPECT_EQ(issues.size(), 3u);
  SchemaOptions options;
  options.max_issues = 1;
  EXPECT_EQ(
      validate_json_schema(json::parse(R"({"a":1,"b":2})"),
                           json::parse(R"({"properties":{"a":{"type":"string"},"b":{"type":"string"}}})").as_object(),
                           "argument", options)
          .size(),
      1u);
}

TEST(JsonSchemaTest, RegistrationCheckRefusesBrokenSchemas) {
  EXPECT_TRUE(check_json_schema(json::parse(R"({"type":"object","properties":{"a":{"pattern":"^x"}}})").as_object())
                  .has_value());
  EXPECT_FALSE(check_json_schema(json::parse(R"({"type":"obj"})").as_object()).has_value());
  EXPECT_FALSE(check_json_schema(json::parse(R"({"properties":{"a":{"pattern":"("}}})").as_object()).has_value());
  EXPECT_FALSE(check_json_schema(json::parse(R"({"required":"a"})").as_object()).has_value());
  EXPECT_FALSE(check_json_schema(json::parse(R"({"minLength":"1"})").as_object()).has_value());
}

}  // namespace
}  // namespace wg::mcp
