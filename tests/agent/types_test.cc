// The agent data model: JSON forms of limits, configuration and todos, their
// strict parsers, and identifier validation.
#include "agent/types.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "agent/json_args.h"
#include "agent/test_util.h"

namespace wg::agent {
namespace {

using namespace testing;

Limits odd_limits() {
  Limits l;
  l.fuel = 11;
  l.max_memory_bytes = 12;
  l.timeout_ms = 13;
  l.max_output_bytes = 14;
  l.max_files = 15;
  l.max_bytes = 16;
  l.max_file_size = 17;
  l.max_path_length = 18;
  l.max_todos = 19;
  l.max_messages = 20;
  return l;
}

TEST(AgentTypesTest, LimitsRoundTripThroughJsonWithEveryField) {
  const Limits l = odd_limits();
  const json::object j = limits_to_json(l);
  EXPECT_EQ(j.size(), 10u);
  EXPECT_EQ(num(j, "maxPathLength"), 18);
  EXPECT_EQ(must(limits_from_json(j)), l);
}

TEST(AgentTypesTest, PartialLimitsOverrideOnlyTheFieldsTheyName) {
  const Limits base = odd_limits();
  const Limits got = must(limits_from_json(jv(R"({"maxFiles": 99, "fuel": 1000})"), base));
  Limits want = base;
  want.max_files = 99;
  want.fuel = 1000;
  EXPECT_EQ(got, want);
}

TEST(AgentTypesTest, LimitsRefuseZeroNegativeAndWrongTypes) {
  for (const char* text : {R"({"maxFiles": 0})", R"({"fuel": -1})", R"({"timeoutMs": "10"})",
                           R"({"maxBytes": 1.5})", R"({"maxTodos": true})"}) {
    const Error e = fails(limits_from_json(jv(text)), text);
    EXPECT_EQ(e.code(), ErrorCode::Invalid) << text;
    EXPECT_NE(e.message().find("limits."), std::string::npos) << e.message();
  }
  EXPECT_EQ(fails(limits_from_json(jv("[]"))).code(), ErrorCode::Invalid);
}

TEST(AgentTypesTest, UnknownLimitKeySuggestsTheNearestName) {
  const Error e = fails(limits_from_json(jv(R"({"maxFile": 3})")));
  EXPECT_EQ(e.code(), ErrorCode::Invalid);
  EXPECT_NE(e.message().find("limits.maxFile"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("did you mean \"maxFiles\""), std::string::npos) << e.message();
}

TEST(AgentTypesTest, UnknownKeyFarFromAnyNameListsTheKnownOnes) {
  const Error e = fails(limits_from_json(jv(R"({"banana": 3})")));
  EXPECT_NE(e.message().find("known fields:"), std::string::npos) << e.message();
  EXPECT_NE(e.message().find("maxMessages"), std::string::npos) << e.message();
}

TEST(AgentTypesTest, ClampTakesTheSmallerOfEachField) {
  Limits wanted = odd_limits();
  wanted.fuel = 1'000;
  Limits cap;
  cap.fuel = 500;
  cap.max_files = 1;
  const Limits got = clamp_limits(wanted, cap);
  EXPECT_EQ(got.fuel, 500u);
  EXPECT_EQ(got.max_files, 1u);
  EXPECT_EQ(got.max_todos, wanted.max_todos);
}

AgentConfig sample_config() {
  AgentConfig c;
  c.id = "agt_0123456789abcdef";
  c.name = "Sample";
  c.template_id = "coder";
  c.model = "anthropic:claude-sonnet-4-6";
  c.instructions = "Be careful.\nLine two \"quoted\".";
  c.max_turns = 7;
  c.tools = {"read_file", "run"};
  c.runtimes = {"coreutils"};
  c.limits = odd_limits();
  c.created_ms = 1'700'000'000'123;
  return c;
}

TEST(AgentTypesTest, ConfigRoundTripsThroughJsonText) {
  const AgentConfig c = sample_config();
  const std::string text = json::serialize(config_to_json(c));
  EXPECT_EQ(must(config_from_json(jv(text))), c);
  // Fixed key order: equal values give equal bytes.
  EXPECT_EQ(json::serialize(config_to_json(must(config_from_json(jv(text))))), text);
}

TEST(AgentTypesTest, ConfigRefusesUnknownKeysWrongTypesAndUnknownTools) {
  const auto with = [](std::string_view key, json::value v) {
    json::object o = config_to_json(sample_config());
    o[key] = std::move(v);
    return json::value(std::move(o));
  };
  Error e = fails(config_from_json(with("maxTurn", 3)));
  EXPECT_NE(e.message().find("did you mean \"maxTurns\""), std::string::npos) << e.message();
  e = fails(config_from_json(with("maxTurns", "3")));
  EXPECT_NE(e.message().find("config.maxTurns"), std::string::npos) << e.message();
  e = fails(config_from_json(with("maxTurns", 0)));
  EXPECT_NE(e.message().find("config.maxTurns"), std::string::npos) << e.message();
  e = fails(config_from_json(with("tools", jv(R"(["read_file", "bash"])"))));
  EXPECT_NE(e.message().find("\"bash\""), std::string::npos) << e.message();
  e = fails(config_from_json(with("tools", jv(R"(["read_file", 3])"))));
  EXPECT_NE(e.message().find("config.tools[1]"), std::string::npos) << e.message();
  e = fails(config_from_json(with("id", "../etc")));
  EXPECT_NE(e.message().find("config.id"), std::string::npos) << e.message();
  e = fails(config_from_json(with("created", "yesterday")));
  EXPECT_NE(e.message().find("config.created"), std::string::npos) << e.message();
  e = fails(config_from_json(with("limits", jv(R"({"maxTodos": 0})"))));
  EXPECT_NE(e.message().find("limits.maxTodos"), std::string::npos) << e.message();
  json::object no_id = config_to_json(sample_config());
  no_id.erase("id");
  e = fails(config_from_json(no_id));
  EXPECT_NE(e.message().find("config.id: missing"), std::string::npos) << e.message();
}

TEST(AgentTypesTest, TodosRoundTripAndDefaultIdsAndStatus) {
  const auto todos = must(todos_from_json(
      jv(R"([{"content": "a"}, {"content": "b", "status": "in_progress"}, {"id": "x", "content": "c",
              "status": "completed"}])"),
      10));
  ASSERT_EQ(todos.size(), 3u);
  EXPECT_EQ(todos[0], (Todo{"1", "a", "pending"}));
  EXPECT_EQ(todos[1], (Todo{"2", "b", "in_progress"}));
  EXPECT_EQ(todos[2], (Todo{"x", "c", "completed"}));
  EXPECT_EQ(must(todos_from_json(todos_to_json(todos), 3)), todos);
}

TEST(AgentTypesTest, TodosRefuseBadStatusDuplicateIdsAndMissingContent) {
  Error e = fails(todos_from_json(jv(R"([{"content": "a", "status": "done"}])"), 10));
  EXPECT_EQ(e.code(), ErrorCode::Invalid);
  EXPECT_NE(e.message().find("todos[0].status"), std::string::npos) << e.message();
  e = fails(todos_from_json(jv(R"([{"id": "t", "content": "a"}, {"id": "t", "content": "b"}])"), 10));
  EXPECT_EQ(e.code(), ErrorCode::Invalid);
  EXPECT_NE(e.message().find("todos[1].id"), std::string::npos) << e.message();
  e = fails(todos_from_json(jv(R"([{"status": "pending"}])"), 10));
  EXPECT_NE(e.message().find("todos[0].content: missing"), std::string::npos) << e.message();
  e = fails(todos_from_json(jv(R"([{"content": "a", "priority": 1}])"), 10));
  EXPECT_NE(e.message().find("todos[0].priority"), std::string::npos) << e.message();
  EXPECT_EQ(fails(todos_from_json(jv(R"({"content": "a"})"), 10)).code(), ErrorCode::Invalid);
}

TEST(AgentTypesTest, TooManyTodosIsLimitExceeded) {
  const auto three = jv(R"([{"content": "a"}, {"content": "b"}, {"content": "c"}])");
  EXPECT_EQ(must(todos_from_json(three, 3)).size(), 3u);
  const Error e = fails(todos_from_json(three, 2));
  EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
  EXPECT_NE(e.message().find("limit of 2"), std::string::npos) << e.message();
}

TEST(AgentTypesTest, StatusStringsRoundTripAndUnknownOnesFail) {
  for (auto s : {AgentStatus::Active, AgentStatus::Stopped}) EXPECT_EQ(must(status_from_string(to_string(s))), s);
  EXPECT_EQ(fails(status_from_string("terminated")).code(), ErrorCode::Invalid);
}

TEST(AgentTypesTest, IdentifiersAreOneToSixtyFourSafeCharacters) {
  EXPECT_TRUE(validate_identifier("agt_0123456789abcdef", "agentId").has_value());
  EXPECT_TRUE(validate_identifier("a.b-C_9", "x").has_value());
  EXPECT_TRUE(validate_identifier(std::string(64, 'a'), "x").has_value());
  for (std::string bad : {std::string(), std::string(65, 'a'), std::string("a/b"), std::string("a b"),
                          std::string("../x"), std::string("caf\xc3\xa9"), std::string("a\0b", 3)}) {
    const auto st = validate_identifier(bad, "agentId");
    ASSERT_FALSE(st.has_value()) << bad;
    EXPECT_EQ(st.error().code(), ErrorCode::Invalid);
    EXPECT_EQ(st.error().message().rfind("agentId:", 0), 0u) << st.error().message();
  }
}

TEST(AgentTypesTest, BuiltinToolNamesAreSortedAndIncludeRun) {
  const auto& names = builtin_tool_names();
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  for (const auto& n : names) EXPECT_TRUE(is_builtin_tool(n)) << n;
  EXPECT_TRUE(is_builtin_tool("run"));
  EXPECT_TRUE(is_builtin_tool("write_todos"));
  EXPECT_FALSE(is_builtin_tool("bash"));
}

TEST(AgentJsonArgsTest, OptionalReadersCheckTypesAndBounds) {
  const json::object o = jo(R"({"s": "text", "n": 5, "b": true, "l": ["a", "b"], "nul": null, "neg": -3})");
  EXPECT_EQ(must(opt_string(o, "s", "ctx")).value_or(""), "text");
  EXPECT_FALSE(must(opt_string(o, "nul", "ctx")).has_value());
  EXPECT_FALSE(must(opt_string(o, "absent", "ctx")).has_value());
  EXPECT_NE(fails(opt_string(o, "s", "ctx", 3)).message().find("ctx.s: longer than 3"), std::string::npos);
  EXPECT_NE(fails(opt_string(o, "n", "ctx")).message().find("ctx.n: expected a string"), std::string::npos);
  EXPECT_EQ(must(opt_uint(o, "n", "ctx")).value_or(0), 5u);
  EXPECT_EQ(fails(opt_uint(o, "neg", "ctx")).code(), ErrorCode::Invalid);
  EXPECT_NE(fails(opt_uint(o, "n", "ctx", 6, 9)).message().find("between 6 and 9"), std::string::npos);
  EXPECT_TRUE(must(opt_bool(o, "b", "ctx")).value_or(false));
  EXPECT_EQ(fails(opt_bool(o, "s", "ctx")).code(), ErrorCode::Invalid);
  EXPECT_EQ(must(opt_strings(o, "l", "ctx")).value_or(std::vector<std::string>{}).size(), 2u);
  EXPECT_NE(fails(opt_strings(o, "l", "ctx", 1)).message().find("more than 1"), std::string::npos);
  EXPECT_NE(fails(req_string(o, "absent", "ctx")).message().find("ctx.absent: missing"), std::string::npos);
  EXPECT_EQ(field_name("", "k"), "k");
}

}  // namespace
}  // namespace wg::agent
