// The stored conversation form (agent/conversation.h).
#include "agent/conversation.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "agent/test_util.h"

namespace wg::agent {
namespace {

using namespace testing;

llm::Message assistant_calling(std::vector<std::string> ids) {
  llm::Message m = llm::Message::assistant_text("working");
  for (auto& id : ids) m.content.push_back(llm::ToolUseBlock{id, "list_files", json::object{}});
  return m;
}

TEST(Conversation, MessagesRoundTripThroughTheirStoredForm) {
  llm::Message m = assistant_calling({"a"});
  const auto stored = message_to_json(m);
  EXPECT_EQ(json::serialize(stored),
            R"({"role":"assistant","content":[{"type":"text","text":"working"},)"
            R"({"type":"tool_use","id":"a","name":"list_files","input":{}}]})");
  EXPECT_EQ(must(message_from_json(stored)), m);
  llm::Message results;
  results.content.push_back(llm::ToolResultBlock{"a", "out", true});
  EXPECT_EQ(must(message_from_json(message_to_json(results))), results);
}

TEST(Conversation, MalformedMessagesAreRefusedNamingTheProblem) {
  EXPECT_EQ(fails(message_from_json(jv(R"({"role": "system", "content": []})"))).code(), ErrorCode::Malformed);
  EXPECT_FALSE(message_from_json(jv(R"({"role": "user"})")).has_value());
  EXPECT_FALSE(message_from_json(jv(R"({"role": "user", "content": [], "extra": 1})")).has_value());
  // A user cannot carry tool_use, nor an assistant tool_result.
  auto e = fails(message_from_json(jv(R"({"role": "user", "content": [{"type": "tool_use", "id": "x", "name": "y", "input": {}}]})")));
  EXPECT_NE(e.message().find("tool_use"), std::string::npos) << e.message();
  EXPECT_FALSE(message_from_json(
                   jv(R"({"role": "assistant", "content": [{"type": "tool_result", "tool_use_id": "x", "content": ""}]})"))
                   .has_value());
  EXPECT_FALSE(message_from_json(
                   jv(R"({"role": "assistant", "content": [{"type": "tool_use", "id": "x", "name": "y", "input": 3}]})"))
                   .has_value());
  auto bad = fails(conversation_for_model(json::array{message_to_json(llm::Message::user_text("ok")), json::value(3)}));
  EXPECT_NE(bad.message().find("conversation entry 2"), std::string::npos) << bad.message();
}

TEST(Conversation, ConsecutiveMessagesOfOneRoleAreMergedForTheModel) {
  json::array c{message_to_json(llm::Message::user_text("one")), message_to_json(llm::Message::user_text("two")),
                message_to_json(llm::Message::assistant_text("three"))};
  const auto out = must(conversation_for_model(c));
  ASSERT_EQ(out.size(), 2u);
  ASSERT_EQ(out[0].content.size(), 2u);
  EXPECT_EQ(std::get<llm::TextBlock>(out[0].content[1]).text, "two");
  EXPECT_EQ(out[1].role, llm::Role::Assistant);
}

TEST(Conversation, ToolResultsGatherInOneUserMessageAndCloseTheOpenCalls) {
  json::array c{message_to_json(llm::Message::user_text("go")), message_to_json(assistant_calling({"a", "b"}))};
  auto open = open_tool_uses(c);
  ASSERT_EQ(open.size(), 2u);
  append_tool_result(c, llm::ToolResultBlock{"a", "done", false});
  ASSERT_EQ(open_tool_uses(c).size(), 1u);
  EXPECT_EQ(open_tool_uses(c)[0].id, "b");
  append_tool_result(c, llm::ToolResultBlock{"b", "done", false});
  EXPECT_TRUE(open_tool_uses(c).empty());
  ASSERT_EQ(c.size(), 3u);  // both results in one user message
  EXPECT_EQ(c[2].at("content").as_array().size(), 2u);
  // A text user message after it starts a new message for the next results.
  c.push_back(message_to_json(llm::Message::user_text("more")));
  append_tool_result(c, llm::ToolResultBlock{"z", "late", true});
  EXPECT_EQ(c.size(), 5u);
}

TEST(Conversation, UsageIsReadStrictly) {
  EXPECT_EQ(must(usage_from_json(jv(R"({"inputTokens": 5, "outputTokens": 6})"))), (llm::Usage{5, 6}));
  EXPECT_FALSE(usage_from_json(jv(R"({"inputTokens": -1})")).has_value());
  EXPECT_FALSE(usage_from_json(jv(R"({"input": 1})")).has_value());
  EXPECT_EQ(json::serialize(usage_to_json({7, 8})), R"({"inputTokens":7,"outputTokens":8})");
}

}  // namespace
}  // namespace wg::agent
