#include "gallery/template.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <set>
#include <string>

#include "gallery/builtins.h"
#include "gallery/json_util.h"
#include "gallery/test_json.h"

namespace wg::gallery {
namespace {

namespace json = boost::json;
using testing::json_of;

// A minimal valid custom template with one key replaced or added.
json::value with(std::string_view key, json::value value) {
  json::object obj{{"id", "my-agent"}, {"name", "My Agent"}};
  obj[key] = std::move(value);
  return obj;
}

Error parse_error(const json::value& v) {
  auto t = parse_custom_template(v);
  EXPECT_FALSE(t.has_value()) << "parsed unexpectedly: " << json::serialize(v);
  return t ? Error(ErrorCode::Internal, "parsed") : t.error();
}

TEST(BuiltinTemplatesTest, EveryBuiltinIsValidAndIdsAndAliasesAreDistinct) {
  std::set<std::string> ids;
  for (const Template& t : builtin_templates()) {
    auto valid = validate_template(t, t.id);
    EXPECT_TRUE(valid.has_value()) << valid.error().to_string();
    EXPECT_FALSE(t.custom);
    EXPECT_FALSE(t.instructions.empty()) << t.id;
    EXPECT_FALSE(t.tags.empty()) << t.id;
    EXPECT_TRUE(ids.insert(t.id).second) << "duplicate id " << t.id;
  }
  for (const char* required : {"coder", "researcher", "tester", "reviewer", "security", "orchestrator"}) {
    EXPECT_TRUE(ids.contains(required)) << required;
  }
  for (const TemplateAlias& a : builtin_aliases()) {
    EXPECT_FALSE(ids.contains(std::string(a.alias))) << a.alias;
    EXPECT_NE(find_builtin(a.target), nullptr) << a.alias << " -> " << a.target;
  }
  EXPECT_EQ(resolve_alias("swarm"), std::optional<std::string_view>("orchestrator"));
}

TEST(BuiltinTemplatesTest, RubyScripterIsGrantedTheRubyRuntimeAndRun) {
  const Template* t = find_builtin("ruby-scripter");
  ASSERT_NE(t, nullptr);
  EXPECT_NE(std::find(t->runtimes.begin(), t->runtimes.end(), "ruby"), t->runtimes.end());
  EXPECT_NE(std::find(t->tools.begin(), t->tools.end(), "run"), t->tools.end());
  // Read-only roles must not be able to write or run.
  const Template* reviewer = find_builtin("reviewer");
  ASSERT_NE(reviewer, nullptr);
  for (const char* tool : {"write_file", "edit_file", "delete_file", "run"}) {
    EXPECT_EQ(std::find(reviewer->tools.begin(), reviewer->tools.end(), tool), reviewer->tools.end()) << tool;
  }
}

TEST(TemplateJsonTest, ToJsonThenParseGivesTheSameTemplate) {
  Template t = *find_builtin("coder");
  t.id = "coder-copy";
  t.custom = true;
  t.skills = {Skill{"lint", "runs the linter", "/lint", "run lint over src"}};
  t.prompts = {Prompt{"terse", "Answer briefly.", "2"}};
  t.mcp_tools = {McpToolDescriptor{"memory_search", "search memory", json::object{{"type", "object"}}, "ruflo"}};
  t.tool_definitions = {ToolDefinition{"add", "adds", json::array{"a", "b"}, "number"}};
  t.limits.max_messages = 7;
  const std::string text = json::serialize(template_to_json(t));
  auto parsed = parse_custom_template(json_of(text));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().to_string();
  EXPECT_EQ(*parsed, t);
}

TEST(TemplateJsonTest, UsesCamelCaseKeys) {
  Template t = *find_builtin("coder");
  const json::object j = template_to_json(t);
  EXPECT_TRUE(j.contains("maxTurns"));
  EXPECT_TRUE(j.at("limits").as_object().contains("timeoutMs"));
  EXPECT_TRUE(j.at("limits").as_object().contains("fuel"));
  EXPECT_FALSE(j.contains("max_turns"));
}

TEST(TemplateParseTest, FillsDefaultsAndAlwaysMarksCustom) {
  auto t = parse_custom_template(json_of(R"({"id":"a","name":"A","custom":false})"));
  ASSERT_TRUE(t.has_value()) << t.error().to_string();
  EXPECT_TRUE(t->custom);
  EXPECT_EQ(t->model, kDefaultModel);
  EXPECT_EQ(t->category, "custom");
  EXPECT_EQ(t->max_turns, kDefaultMaxTurns);
  EXPECT_EQ(t->tools, default_tool_names());
  EXPECT_EQ(std::find(t->tools.begin(), t->tools.end(), "run"), t->tools.end());
  EXPECT_TRUE(t->limits.empty());
}

TEST(TemplateParseTest, RejectsUnknownKeyNamingItAndSuggestingTheNearest) {
  Error e = parse_error(with("maxTurn", 5));
  EXPECT_EQ(e.code(), ErrorCode::Invalid);
  EXPECT_NE(e.message().find("unknown key \"maxTurn\""), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("did you mean \"maxTurns\""), std::string::npos) << e.message();
}

TEST(TemplateParseTest, SuggestsCamelCaseForSnakeCaseKeys) {
  Error e = parse_error(with("max_turns", 5));
  EXPECT_NE(e.message().find("did you mean \"maxTurns\""), std::string::npos) << e.message();
  Error limit = parse_error(with("limits", json::object{{"max_memory_bytes", 1}}));
  EXPECT_NE(limit.message().find("template.limits: unknown key \"max_memory_bytes\"; did you mean \"maxMemoryBytes\""),
            std::string::npos)
      << limit.message();
}

TEST(TemplateParseTest, UnrelatedUnknownKeyGetsNoSuggestionButTheKnownKeys) {
  Error e = parse_error(with("temperature", 1));
  EXPECT_EQ(e.message().find("did you mean"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("Known keys: id, name"), std::string::npos) << e.message();
}

TEST(TemplateParseTest, RejectsWrongTypesNamingThePath) {
  Error turns = parse_error(with("maxTurns", "5"));
  EXPECT_EQ(turns.code(), ErrorCode::Invalid);
  EXPECT_EQ(turns.message(), "template.maxTurns: expected an integer, got a string");
  Error tags = parse_error(with("tags", "x"));
  EXPECT_NE(tags.message().find("template.tags: expected an array"), std::string::npos) << tags.message();
  Error tag = parse_error(with("tags", json::array{"ok", 3}));
  EXPECT_NE(tag.message().find("template.tags[1]: expected a string, got an integer"), std::string::npos);
  Error fraction = parse_error(with("maxTurns", 2.5));
  EXPECT_NE(fraction.message().find("expected an integer"), std::string::npos) << fraction.message();
  EXPECT_EQ(parse_error(json_of("[1]")).message(), "template: expected an object, got an array");
}

TEST(TemplateParseTest, RequiresIdAndName) {
  Error e = parse_error(json_of(R"({"name":"x"})"));
  EXPECT_NE(e.message().find("missing required key \"id\""), std::string::npos) << e.message();
  Error n = parse_error(json_of(R"({"id":"x"})"));
  EXPECT_NE(n.message().find("missing required key \"name\""), std::string::npos) << n.message();
}

TEST(TemplateParseTest, EnforcesTheIdShape) {
  for (const char* bad : {"Coder", "-x", "_x", "a b", "a.b", "", "ü"}) {
    Error e = parse_error(json::object{{"id", bad}, {"name", "n"}});
    EXPECT_EQ(e.code(), ErrorCode::Invalid);
    EXPECT_NE(e.message().find("template.id: must be 1..64 characters"), std::string::npos) << bad;
  }
  EXPECT_FALSE(parse_custom_template(json::object{{"id", std::string(65, 'a')}, {"name", "n"}}).has_value());
  for (const std::string& good : std::vector<std::string>{"a", "9", "data_v2-x", std::string(64, 'z')}) {
    auto t = parse_custom_template(json::object{{"id", good}, {"name", "n"}});
    EXPECT_TRUE(t.has_value()) << good << ": " << t.error().to_string();
  }
}

TEST(TemplateParseTest, RejectsUnknownToolsListingTheKnownOnes) {
  Error e = parse_error(with("tools", json::array{"read_file", "bash"}));
  EXPECT_NE(e.message().find("template.tools[1]: unknown tool \"bash\""), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("Known tools: read_file, write_file"), std::string::npos) << e.message();
  Error typo = parse_error(with("tools", json::array{"read_files"}));
  EXPECT_NE(typo.message().find("did you mean \"read_file\""), std::string::npos) << typo.message();
  Error dup = parse_error(with("tools", json::array{"grep", "grep"}));
  EXPECT_NE(dup.message().find("duplicate entry \"grep\""), std::string::npos) << dup.message();
}

TEST(TemplateParseTest, EnforcesSizeLimitsAtTheirBoundaries) {
  EXPECT_TRUE(parse_custom_template(with("instructions", json::string(std::string(64 * 1024, 'x')))).has_value());
  Error big = parse_error(with("instructions", json::string(std::string(64 * 1024 + 1, 'x'))));
  EXPECT_EQ(big.code(), ErrorCode::Invalid);
  EXPECT_NE(big.message().find("template.instructions: is 65537 bytes; the limit is 65536"), std::string::npos)
      << big.message();
  EXPECT_TRUE(parse_custom_template(with("description", json::string(std::string(4096, 'd')))).has_value());
  EXPECT_FALSE(parse_custom_template(with("description", json::string(std::string(4097, 'd')))).has_value());
  json::array tags;
  for (int i = 0; i < 33; ++i) tags.push_back(json::value("t" + std::to_string(i)));
  EXPECT_NE(parse_error(with("tags", tags)).message().find("has 33 entries; the limit is 32"), std::string::npos);
  tags.pop_back();
  EXPECT_TRUE(parse_custom_template(with("tags", tags)).has_value());
  EXPECT_FALSE(parse_custom_template(with("tags", json::array{std::string(65, 't')})).has_value());
  EXPECT_FALSE(parse_custom_template(with("name", "two\nlines")).has_value());
}

TEST(TemplateParseTest, MaxTurnsMustBeWithinOneAndTenThousand) {
  EXPECT_NE(parse_error(with("maxTurns", 0)).message().find("must be between 1 and 10000, got 0"), std::string::npos);
  EXPECT_NE(parse_error(with("maxTurns", -3)).message().find("got -3"), std::string::npos);
  EXPECT_FALSE(parse_custom_template(with("maxTurns", 10001)).has_value());
  auto t = parse_custom_template(with("maxTurns", 10000));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->max_turns, 10000u);
}

TEST(TemplateParseTest, LimitsMustBePositiveIntegers) {
  auto t = parse_custom_template(with("limits", json_of(R"({"fuel": 18446744073709551615, "timeoutMs": 5})")));
  ASSERT_TRUE(t.has_value()) << t.error().to_string();
  EXPECT_EQ(t->limits.fuel, 18446744073709551615ull);
  EXPECT_EQ(t->limits.timeout_ms, 5u);
  EXPECT_FALSE(t->limits.max_files.has_value());
  EXPECT_NE(parse_error(with("limits", json_of(R"({"fuel": 0})"))).message().find("template.limits.fuel"),
            std::string::npos);
  EXPECT_FALSE(parse_custom_template(with("limits", json_of(R"({"fuel": -1})"))).has_value());
  EXPECT_FALSE(parse_custom_template(with("limits", json_of(R"({"fuel": 1.5})"))).has_value());
}

TEST(TemplateParseTest, ValidatesNestedSkillsAndMcpTools) {
  Error e = parse_error(with("skills", json_of(R"([{"name":"a","contnet":"x"}])")));
  EXPECT_NE(e.message().find("template.skills[0]: unknown key \"contnet\"; did you mean \"content\""),
            std::string::npos)
      << e.message();
  Error schema = parse_error(with("mcpTools", json_of(R"([{"name":"t","inputSchema":[]}])")));
  EXPECT_NE(schema.message().find("template.mcpTools[0].inputSchema: expected an object"), std::string::npos)
      << schema.message();
}

TEST(OverridesTest, ParsesKnownKeysAndRejectsOthersWithASuggestion) {
  auto patch = parse_overrides_patch(json_of(R"({"maxTurns": 7, "model": "m:x", "limits": {"fuel": 9}})"));
  ASSERT_TRUE(patch.has_value()) << patch.error().to_string();
  EXPECT_EQ(patch->set.max_turns, 7u);
  EXPECT_EQ(patch->set.model, "m:x");
  EXPECT_EQ(patch->set.limits.fuel, 9u);
  auto bad = parse_overrides_patch(json_of(R"({"modle": "x"})"));
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::Invalid);
  EXPECT_NE(bad.error().message().find("did you mean \"model\""), std::string::npos) << bad.error().message();
  // Template keys that are not overridable are refused too.
  EXPECT_FALSE(parse_overrides_patch(json_of(R"({"name": "x"})")).has_value());
  EXPECT_FALSE(parse_overrides_patch(json_of(R"({})")).has_value());
  EXPECT_FALSE(parse_overrides_patch(json_of(R"({"tools": ["sh"]})")).has_value());
  EXPECT_FALSE(parse_overrides_patch(json_of(R"({"limits": {"fule": null}})")).has_value());
}

TEST(OverridesTest, NullRemovesAnOverrideAndLimitsMergePerField) {
  TemplateOverrides base;
  base.model = "m:a";
  base.max_turns = 3;
  base.limits.fuel = 10;
  base.limits.timeout_ms = 20;
  auto patch = parse_overrides_patch(json_of(R"({"model": null, "limits": {"fuel": null, "maxFiles": 4}})"));
  ASSERT_TRUE(patch.has_value()) << patch.error().to_string();
  TemplateOverrides next = apply_patch(base, *patch);
  EXPECT_FALSE(next.model.has_value());
  EXPECT_EQ(next.max_turns, 3u);
  EXPECT_FALSE(next.limits.fuel.has_value());
  EXPECT_EQ(next.limits.timeout_ms, 20u);
  EXPECT_EQ(next.limits.max_files, 4u);
  auto round = parse_overrides(json::value(overrides_to_json(next)));
  ASSERT_TRUE(round.has_value());
  EXPECT_EQ(*round, next);
}

TEST(SlugifyTest, MakesValidIds) {
  EXPECT_EQ(slugify_id("My Cool Agent!"), "my-cool-agent");
  EXPECT_EQ(slugify_id("  --  "), "agent");
  EXPECT_EQ(slugify_id(std::string(100, 'A')), std::string(64, 'a'));
  EXPECT_TRUE(is_valid_template_id(slugify_id("__x__y__")));
}

TEST(StrictJsonTest, RejectsDuplicateMembersTrailingDataAndDeepNesting) {
  auto dup = parse_json_text(R"({"a":1,"b":{"c":1,"c":2}})");
  ASSERT_FALSE(dup.has_value());
  EXPECT_EQ(dup.error().code(), ErrorCode::Malformed);
  EXPECT_NE(dup.error().message().find("duplicate object member \"c\""), std::string::npos);
  EXPECT_FALSE(parse_json_text("[1] [2]").has_value());
  EXPECT_FALSE(parse_json_text("[1,]").has_value());
  EXPECT_FALSE(parse_json_text("\"\xff\"").has_value());
  auto deep = parse_json_text(std::string(40, '[') + std::string(40, ']'));
  ASSERT_FALSE(deep.has_value());
  EXPECT_EQ(deep.error().code(), ErrorCode::LimitExceeded);
  auto big = parse_json_text("[1]", JsonTextLimits{2, 8});
  ASSERT_FALSE(big.has_value());
  EXPECT_EQ(big.error().code(), ErrorCode::LimitExceeded);
}

}  // namespace
}  // namespace wg::gallery
