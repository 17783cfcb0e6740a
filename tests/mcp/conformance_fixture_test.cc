// The conformance fixture answers the calls the official suite makes.
#include "mcp/server/conformance_fixture.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/server/session.h"

namespace wg::mcp {
namespace {

namespace json = boost::json;

class Capture : public Outbound {
 public:
  void send(std::string message) override { messages.push_back(json::parse(message)); }
  std::vector<json::value> messages;
};

class ConformanceFixtureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(register_conformance_fixture(server_).has_value());
    session_ = server_.open_session(io_.get_executor(), out_);
    session_->receive(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25",
                         "capabilities":{"elicitation":{},"sampling":{}}}})");
    run();
    out_->messages.clear();
  }

  void run() {
    io_.restart();
    io_.run();  // the fixture's pauses are timers; run() waits for them
  }

  // Sends a request and returns everything sent back, the answer last.
  std::vector<json::value> request(std::string_view method, json::object params) {
    out_->messages.clear();
    session_->receive(json::serialize(
        json::object{{"jsonrpc", "2.0"}, {"id", ++id_}, {"method", method}, {"params", std::move(params)}}));
    run();
    return out_->messages;
  }

  json::value result(std::string_view method, json::object params) {
    auto sent = request(method, std::move(params));
    EXPECT_FALSE(sent.empty());
    if (sent.empty()) return {};
    EXPECT_TRUE(sent.back().as_object().contains("result")) << json::serialize(sent.back());
    return sent.back().as_object().contains("result") ? sent.back().at("result") : json::value();
  }

  boost::asio::io_context io_;
  Server server_;
  std::shared_ptr<Capture> out_ = std::make_shared<Capture>();
  std::shared_ptr<Session> session_;
  std::int64_t id_ = 0;
};

TEST_F(ConformanceFixtureTest, ListsToolsWithNamesDescriptionsAndSchemas) {
  json::value tools = result("tools/list", {}).at("tools");
  EXPECT_EQ(tools.as_array().size(), 13u);
  for (const auto& t : tools.as_array()) {
    EXPECT_TRUE(t.as_object().contains("description")) << t.at("name");
    EXPECT_EQ(t.at("inputSchema").at("type"), "object");
  }
}

TEST_F(ConformanceFixtureTest, ReturnsTheDescribedContent) {
  EXPECT_EQ(result("tools/call", {{"name", "test_simple_text"}}).at("content").at(0).at("text"),
            "This is a simple text response for testing.");
  EXPECT_EQ(result("tools/call", {{"name", "test_image_content"}}).at("content").at(0).at("mimeType"), "image/png");
  EXPECT_EQ(result("tools/call", {{"name", "test_audio_content"}}).at("content").at(0).at("type"), "audio");
  EXPECT_EQ(result("tools/call", {{"name", "test_embedded_resource"}}).at("content").at(0).at("resource").at("uri"),
            "test://embedded-resource");
  EXPECT_EQ(result("tools/call", {{"name", "test_multiple_content_types"}}).at("content").as_array().size(), 3u);
  json::value error = result("tools/call", {{"name", "test_error_handling"}});
  EXPECT_EQ(error.at("isError"), true);
  EXPECT_EQ(error.at("content").at(0).at("text"), "This tool intentionally returns an error for testing");
}

TEST_F(ConformanceFixtureTest, SendsThreeLogMessagesAndThreeProgressSteps) {
  auto sent = request("tools/call", {{"name", "test_tool_with_logging"}});
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[1].at("params").at("data"), "Tool processing data");
  sent = request("tools/call", {{"name", "test_tool_with_progress"}, {"_meta", json::object{{"progressToken", "p"}}}});
  ASSERT_EQ(sent.size(), 4u);
  EXPECT_EQ(sent[0].at("params").at("progress").to_number<double>(), 0.0);
  EXPECT_EQ(sent[2].at("params").at("progress").to_number<double>(), 100.0);
  EXPECT_EQ(sent[2].at("params").at("total").to_number<double>(), 100.0);
}

TEST_F(ConformanceFixtureTest, RelaysSamplingAndElicitationAnswers) {
  session_->receive(
      R"({"jsonrpc":"2.0","id":"s","method":"tools/call","params":{"name":"test_sampling","arguments":{"prompt":"hi"}}})");
  io_.restart();
  io_.poll();
  ASSERT_EQ(out_->messages.size(), 1u);
  EXPECT_EQ(out_->messages[0].at("method"), "sampling/createMessage");
  EXPECT_EQ(out_->messages[0].at("params").at("messages").at(0).at("content").at("text"), "hi");
  session_->receive(json::serialize(json::object{
      {"jsonrpc", "2.0"},
      {"id", out_->messages[0].at("id")},
      {"result",
       json::object{
           {"role", "assistant"}, {"model", "m"}, {"content", json::object{{"type", "text"}, {"text", "yo"}}}}}}));
  io_.restart();
  io_.poll();
  ASSERT_EQ(out_->messages.size(), 2u);
  EXPECT_EQ(out_->messages[1].at("result").at("content").at(0).at("text"), "LLM response: yo");

  out_->messages.clear();
  session_->receive(
      R"({"jsonrpc":"2.0","id":"e","method":"tools/call","params":{"name":"test_elicitation_sep1034_defaults"}})");
  io_.restart();
  io_.poll();
  ASSERT_EQ(out_->messages.size(), 1u);
  EXPECT_EQ(out_->messages[0].at("params").at("requestedSchema").at("properties").at("age").at("default"), 30);
  session_->receive(json::serialize(json::object{
      {"jsonrpc", "2.0"}, {"id", out_->messages[0].at("id")}, {"result", json::object{{"action", "decline"}}}}));
  io_.restart();
  io_.poll();
  ASSERT_EQ(out_->messages.size(), 2u);
  EXPECT_EQ(out_->messages[1].at("result").at("content").at(0).at("text"),
            "Elicitation completed: action=decline, content={}");
}

TEST_F(ConformanceFixtureTest, PreservesJsonSchema2020Keywords) {
  const json::value tools = result("tools/list", {}).at("tools");
  for (const auto& t : tools.as_array()) {
    if (t.at("name") != "json_schema_2020_12_tool") continue;
    const json::object& s = t.at("inputSchema").as_object();
    EXPECT_TRUE(s.contains("$schema") && s.contains("$defs") && s.contains("if") && s.contains("allOf"));
    return;
  }
  FAIL() << "json_schema_2020_12_tool not listed";
}

TEST_F(ConformanceFixtureTest, ServesResourcesTemplatesAndPrompts) {
  EXPECT_EQ(result("resources/read", {{"uri", "test://static-text"}}).at("contents").at(0).at("text"),
            "This is the content of the static text resource.");
  EXPECT_TRUE(
      result("resources/read", {{"uri", "test://static-binary"}}).at("contents").at(0).as_object().contains("blob"));
  json::value t = json::parse(std::string(
      result("resources/read", {{"uri", "test://template/123/data"}}).at("contents").at(0).at("text").as_string()));
  EXPECT_EQ(t.at("data"), "Data for ID: 123");
  EXPECT_EQ(result("prompts/get", {{"name", "test_prompt_with_arguments"},
                                   {"arguments", json::object{{"arg1", "hello"}, {"arg2", "world"}}}})
                .at("messages")
                .at(0)
                .at("content")
                .at("text"),
            "Prompt with arguments: arg1='hello', arg2='world'");
  EXPECT_EQ(result("prompts/list", {}).at("prompts").as_array().size(), 4u);
}

}  // namespace
}  // namespace wg::mcp
