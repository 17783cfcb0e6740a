#include "llm/anthropic.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "llm/fake_model_server.h"
#include "llm/test_support.h"

namespace wg::llm {
namespace {
namespace json = boost::json;
using testing::FakeModelServer;
using testing::FakeReply;
using testing::FakeToolCall;

class AnthropicProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FakeModelServer::start();
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    server_ = std::move(*s);
    provider_ = std::make_unique<AnthropicProvider>(testing::fake_options("anthropic", server_->base_url(), sleeps_));
  }

  Request simple_request(std::string text = "hello") {
    Request r;
    r.system = "You are terse.";
    r.messages.push_back(Message::user_text(std::move(text)));
    return r;
  }

  std::shared_ptr<testing::SleepLog> sleeps_ = std::make_shared<testing::SleepLog>();
  std::unique_ptr<FakeModelServer> server_;
  std::unique_ptr<AnthropicProvider> provider_;
};

TEST_F(AnthropicProviderTest, CompletesATextReplyAndSendsTheRequiredHeaders) {
  server_->push(FakeReply::text_reply("Hi there.").with_usage(21, 3));
  auto r = provider_->complete(simple_request());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->text(), "Hi there.");
  EXPECT_EQ(r->stop_reason, StopReason::EndTurn);
  EXPECT_EQ(r->stop_reason_raw, "end_turn");
  EXPECT_EQ(r->usage, (Usage{21, 3}));
  EXPECT_EQ(r->model, "fake-model-1");
  EXPECT_TRUE(json::parse(r->raw).is_object());

  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/v1/messages");
  EXPECT_EQ(reqs[0].header("x-api-key"), "test-key");
  EXPECT_EQ(reqs[0].header("anthropic-version"), "2023-06-01");
  EXPECT_EQ(reqs[0].header("content-type"), "application/json");
  const json::object& body = reqs[0].json.as_object();
  EXPECT_EQ(body.at("model"), "fake-model-1");
  EXPECT_EQ(body.at("max_tokens"), 1000);
  EXPECT_EQ(body.at("system"), "You are terse.");
  EXPECT_FALSE(body.contains("stream"));
  EXPECT_EQ(body.at("messages"), json::parse(R"([{"role":"user","content":[{"type":"text","text":"hello"}]}])"));
}

TEST_F(AnthropicProviderTest, MapsToolsToolUseAndToolResultsIntoTheRequest) {
  server_->push(FakeReply::text_reply("done"));
  Request req = simple_request("list files");
  req.model = "claude-other";
  req.max_tokens = 77;
  req.temperature = 0.5;
  req.tools.push_back(ToolDefinition{"read_file", "Reads a file",
                                     json::parse(R"({"type":"object","properties":{"path":{"type":"string"}}})")});
  req.messages.push_back(Message{
      Role::Assistant, {TextBlock{"Reading."}, ToolUseBlock{"tu_1", "read_file", json::parse(R"({"path":"/a"})")}}});
  req.messages.push_back(Message{Role::User, {ToolResultBlock{"tu_1", "no such file", true}}});
  ASSERT_TRUE(provider_->complete(req).has_value());

  const auto reqs_ = server_->requests();
  const json::object& body = reqs_.at(0).json.as_object();
  EXPECT_EQ(body.at("model"), "claude-other");
  EXPECT_EQ(body.at("max_tokens"), 77);
  EXPECT_EQ(body.at("temperature"), 0.5);
  EXPECT_EQ(body.at("tools"), json::parse(R"([{"name":"read_file","description":"Reads a file",
      "input_schema":{"type":"object","properties":{"path":{"type":"string"}}}}])"));
  const json::array& messages = body.at("messages").as_array();
  ASSERT_EQ(messages.size(), 3u);
  EXPECT_EQ(messages[1], json::parse(R"({"role":"assistant","content":[{"type":"text","text":"Reading."},
      {"type":"tool_use","id":"tu_1","name":"read_file","input":{"path":"/a"}}]})"));
  EXPECT_EQ(messages[2], json::parse(R"({"role":"user","content":[
      {"type":"tool_result","tool_use_id":"tu_1","content":"no such file","is_error":true}]})"));
}

TEST_F(AnthropicProviderTest, ReturnsToolUseBlocksFromAJsonReply) {
  server_->push(
      FakeReply::tool_use({FakeToolCall{"tu_9", "run", json::parse(R"({"argv":["a","b"],"n":3})")}}, "Running it."));
  auto r = provider_->complete(simple_request());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->stop_reason, StopReason::ToolUse);
  ASSERT_EQ(r->content.size(), 2u);
  EXPECT_EQ(std::get<TextBlock>(r->content[0]).text, "Running it.");
  const auto uses = r->tool_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0]->id, "tu_9");
  EXPECT_EQ(uses[0]->name, "run");
  EXPECT_EQ(uses[0]->input, json::parse(R"({"argv":["a","b"],"n":3})"));
  EXPECT_EQ(r->to_message().role, Role::Assistant);
}

TEST_F(AnthropicProviderTest, StreamsTextDeltasIntoTheSameResponseAsWithoutStreaming) {
  const std::string text = "The quick brown fox jumps over the lazy dog.";
  server_->push(FakeReply::text_reply(text));
  server_->push(FakeReply::text_reply(text));
  std::vector<std::string> deltas;
  StreamCallbacks callbacks;
  callbacks.on_text_delta = [&](std::string_view d) { deltas.emplace_back(d); };
  auto streamed = provider_->complete(simple_request(), &callbacks);
  ASSERT_TRUE(streamed.has_value()) << streamed.error().to_string();
  auto plain = provider_->complete(simple_request());
  ASSERT_TRUE(plain.has_value());

  EXPECT_GT(deltas.size(), 1u);
  std::string joined;
  for (const auto& d : deltas) joined += d;
  EXPECT_EQ(joined, text);
  EXPECT_EQ(streamed->content, plain->content);
  EXPECT_EQ(streamed->stop_reason, plain->stop_reason);
  EXPECT_EQ(streamed->usage, plain->usage);
  EXPECT_TRUE(streamed->raw.starts_with("event: message_start"));
  const auto reqs = server_->requests();
  EXPECT_EQ(reqs[0].json.as_object().at("stream"), true);
  EXPECT_EQ(reqs[0].header("accept"), "text/event-stream");
}

TEST_F(AnthropicProviderTest, AssemblesStreamedToolUseFromInputJsonDeltaFragments) {
  const json::value input = json::parse(R"({"path":"/src/main.c","content":"int main(){return 0;}\n","mode":[1,2]})");
  server_->push(FakeReply::tool_use(
      {FakeToolCall{"tu_a", "write_file", input}, FakeToolCall{"tu_b", "run", json::object()}}, "Writing."));
  std::vector<std::string> started;
  StreamCallbacks callbacks;
  callbacks.on_tool_use_start = [&](std::string_view id, std::string_view name) {
    started.push_back(std::string(id) + "/" + std::string(name));
  };
  auto r = provider_->complete(simple_request(), &callbacks);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(started, (std::vector<std::string>{"tu_a/write_file", "tu_b/run"}));
  EXPECT_NE(r->raw.find("input_json_delta"), std::string::npos);
  const auto uses = r->tool_uses();
  ASSERT_EQ(uses.size(), 2u);
  EXPECT_EQ(uses[0]->input, input);
  EXPECT_EQ(uses[1]->input, json::object());
  EXPECT_EQ(r->stop_reason, StopReason::ToolUse);
  EXPECT_EQ(r->text(), "Writing.");
}

TEST_F(AnthropicProviderTest, ParseReplyRebuildsTheResponseFromTheRecordedRawBody) {
  server_->push(FakeReply::tool_use({FakeToolCall{"tu_1", "ls", json::parse(R"({"dir":"/"})")}}, "Look."));
  server_->push(FakeReply::tool_use({FakeToolCall{"tu_1", "ls", json::parse(R"({"dir":"/"})")}}, "Look."));
  StreamCallbacks none;
  for (const StreamCallbacks* cb : std::vector<const StreamCallbacks*>{nullptr, &none}) {
    auto live = provider_->complete(simple_request(), cb);
    ASSERT_TRUE(live.has_value()) << live.error().to_string();
    auto replayed = provider_->parse_reply(live->raw);
    ASSERT_TRUE(replayed.has_value()) << replayed.error().to_string();
    EXPECT_EQ(replayed->content, live->content);
    EXPECT_EQ(replayed->usage, live->usage);
    EXPECT_EQ(replayed->stop_reason_raw, live->stop_reason_raw);
  }
}

TEST_F(AnthropicProviderTest, Reports401WithTheProvidersErrorMessage) {
  server_->push(FakeReply::error(401, "invalid x-api-key"));
  auto r = provider_->complete(simple_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "anthropic: HTTP 401: invalid x-api-key");
  EXPECT_EQ(r.error().code(), ErrorCode::Denied);
  EXPECT_TRUE(sleeps_->waits.empty());
  EXPECT_EQ(server_->requests().size(), 1u);
}

TEST_F(AnthropicProviderTest, MalformedReplyErrorNamesTheJsonPath) {
  server_->push(
      FakeReply::raw(200, R"({"type":"message","content":[{"type":"text","text":"ok"},{"type":"text","text":5}]})"));
  auto r = provider_->complete(simple_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Malformed);
  EXPECT_EQ(r.error().message(), "anthropic: malformed reply: content[1].text: expected a string, got number");
}

TEST_F(AnthropicProviderTest, NonJsonReplyIsAMalformedError) {
  server_->push(FakeReply::raw(200, "<html>gateway</html>", "text/html"));
  auto r = provider_->complete(simple_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Malformed);
  EXPECT_NE(r.error().message().find("anthropic: malformed reply: body is not JSON"), std::string::npos)
      << r.error().message();
}

TEST_F(AnthropicProviderTest, StreamErrorEventBecomesAnError) {
  server_->push(
      FakeReply::raw(200,
                     "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\"}}\n\n"
                     "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                     "\"message\":\"Overloaded\"}}\n\n",
                     "text/event-stream"));
  StreamCallbacks callbacks;
  auto r = provider_->complete(simple_request(), &callbacks);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "anthropic: stream error: overloaded_error: Overloaded");
}

TEST_F(AnthropicProviderTest, StreamThatEndsBeforeMessageStopIsMalformed) {
  server_->push(
      FakeReply::raw(200, "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"m\"}}\n\n",
                     "text/event-stream"));
  StreamCallbacks callbacks;
  auto r = provider_->complete(simple_request(), &callbacks);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "anthropic: malformed reply: stream: ended before message_stop");
}

TEST_F(AnthropicProviderTest, BrokenInputJsonFragmentsAreMalformed) {
  server_->push(FakeReply::raw(
      200,
      "data: {\"type\":\"message_start\",\"message\":{}}\n\n"
      "data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\","
      "\"name\":\"run\",\"input\":{}}}\n\n"
      "data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"input_json_delta\","
      "\"partial_json\":\"{\\\"a\\\":\"}}\n\n"
      "data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
      "data: {\"type\":\"message_stop\"}\n\n",
      "text/event-stream"));
  StreamCallbacks callbacks;
  auto r = provider_->complete(simple_request(), &callbacks);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Malformed);
  EXPECT_NE(r.error().message().find("tool_use \"run\" do not form a JSON object"), std::string::npos)
      << r.error().message();
}

}  // namespace
}  // namespace wg::llm
