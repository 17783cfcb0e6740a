#include "llm/openai.h"

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

class OpenAiProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto s = FakeModelServer::start();
    ASSERT_TRUE(s.has_value()) << s.error().to_string();
    server_ = std::move(*s);
    provider_ = std::make_unique<OpenAiProvider>(testing::fake_options("openai", server_->openai_base_url(), sleeps_));
  }

  Request simple_request(std::string text = "hello") {
    Request r;
    r.system = "Be brief.";
    r.messages.push_back(Message::user_text(std::move(text)));
    return r;
  }

  std::shared_ptr<testing::SleepLog> sleeps_ = std::make_shared<testing::SleepLog>();
  std::unique_ptr<FakeModelServer> server_;
  std::unique_ptr<OpenAiProvider> provider_;
};

TEST_F(OpenAiProviderTest, CompletesATextReplyWithBearerAuthAndASystemMessage) {
  server_->push(FakeReply::text_reply("Hello!").with_usage(12, 2));
  auto r = provider_->complete(simple_request());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->text(), "Hello!");
  EXPECT_EQ(r->stop_reason, StopReason::EndTurn);
  EXPECT_EQ(r->stop_reason_raw, "stop");
  EXPECT_EQ(r->usage, (Usage{12, 2}));

  auto reqs = server_->requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/v1/chat/completions");
  EXPECT_EQ(reqs[0].header("authorization"), "Bearer test-key");
  EXPECT_EQ(reqs[0].header("x-api-key"), "");
  const json::object& body = reqs[0].json.as_object();
  EXPECT_EQ(body.at("model"), "fake-model-1");
  EXPECT_EQ(body.at("max_tokens"), 1000);
  EXPECT_EQ(body.at("messages"), json::parse(R"([{"role":"system","content":"Be brief."},
      {"role":"user","content":"hello"}])"));
}

TEST_F(OpenAiProviderTest, MapsToolsAsFunctionsAndToolResultsAsToolMessages) {
  server_->push(FakeReply::text_reply("ok"));
  Request req = simple_request("go");
  req.tools.push_back(ToolDefinition{"run", "Runs a program", json::parse(R"({"type":"object"})")});
  req.messages.push_back(Message{Role::Assistant,
                                 {ToolUseBlock{"call_1", "run", json::parse(R"({"argv":["x"]})")},
                                  ToolUseBlock{"call_2", "run", json::object()}}});
  req.messages.push_back(Message{
      Role::User,
      {ToolResultBlock{"call_1", "exit 0", false}, ToolResultBlock{"call_2", "trap", true}, TextBlock{"continue"}}});
  ASSERT_TRUE(provider_->complete(req).has_value());

  const auto reqs_ = server_->requests();
  const json::object& body = reqs_.at(0).json.as_object();
  EXPECT_EQ(body.at("tools"), json::parse(R"([{"type":"function","function":{"name":"run",
      "description":"Runs a program","parameters":{"type":"object"}}}])"));
  const json::array& m = body.at("messages").as_array();
  ASSERT_EQ(m.size(), 6u);
  EXPECT_EQ(m[2], json::parse(R"({"role":"assistant","content":null,"tool_calls":[
      {"id":"call_1","type":"function","function":{"name":"run","arguments":"{\"argv\":[\"x\"]}"}},
      {"id":"call_2","type":"function","function":{"name":"run","arguments":"{}"}}]})"));
  EXPECT_EQ(m[3], json::parse(R"({"role":"tool","tool_call_id":"call_1","content":"exit 0"})"));
  EXPECT_EQ(m[4], json::parse(R"({"role":"tool","tool_call_id":"call_2","content":"Error: trap"})"));
  EXPECT_EQ(m[5], json::parse(R"({"role":"user","content":"continue"})"));
}

TEST_F(OpenAiProviderTest, ReturnsToolCallsAsToolUseBlocks) {
  server_->push(FakeReply::tool_use({FakeToolCall{"call_7", "write_file", json::parse(R"({"path":"/a.c"})")}}));
  auto r = provider_->complete(simple_request());
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->stop_reason, StopReason::ToolUse);
  EXPECT_EQ(r->stop_reason_raw, "tool_calls");
  const auto uses = r->tool_uses();
  ASSERT_EQ(uses.size(), 1u);
  EXPECT_EQ(uses[0]->id, "call_7");
  EXPECT_EQ(uses[0]->name, "write_file");
  EXPECT_EQ(uses[0]->input, json::parse(R"({"path":"/a.c"})"));
  EXPECT_EQ(r->text(), "");
}

TEST_F(OpenAiProviderTest, MapsFinishReasonLengthToMaxTokens) {
  server_->push(FakeReply::text_reply("truncat").with_stop_reason("max_tokens"));
  auto r = provider_->complete(simple_request());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->stop_reason, StopReason::MaxTokens);
  EXPECT_EQ(r->stop_reason_raw, "length");
}

TEST_F(OpenAiProviderTest, StreamsTextDeltasAndToolCallFragmentsIntoTheSameResponse) {
  const json::value input = json::parse(R"({"path":"/out.txt","lines":[1,2,3],"note":"häll\u00f6"})");
  auto reply = [&] {
    return FakeReply::tool_use(
        {FakeToolCall{"call_a", "read_file", input}, FakeToolCall{"call_b", "ls", json::object()}},
        "Let me look at that file.");
  };
  server_->push(reply());
  server_->push(reply());
  std::string joined;
  int deltas = 0;
  std::vector<std::string> started;
  StreamCallbacks callbacks;
  callbacks.on_text_delta = [&](std::string_view d) {
    joined += d;
    ++deltas;
  };
  callbacks.on_tool_use_start = [&](std::string_view id, std::string_view name) {
    started.push_back(std::string(id) + "/" + std::string(name));
  };
  auto streamed = provider_->complete(simple_request(), &callbacks);
  ASSERT_TRUE(streamed.has_value()) << streamed.error().to_string();
  auto plain = provider_->complete(simple_request());
  ASSERT_TRUE(plain.has_value());

  EXPECT_GT(deltas, 1);
  EXPECT_EQ(joined, "Let me look at that file.");
  EXPECT_EQ(started, (std::vector<std::string>{"call_a/read_file", "call_b/ls"}));
  EXPECT_EQ(streamed->content, plain->content);
  EXPECT_EQ(streamed->stop_reason, StopReason::ToolUse);
  EXPECT_EQ(streamed->usage, plain->usage);
  EXPECT_TRUE(streamed->raw.starts_with("data: "));
  const auto reqs_ = server_->requests();
  const json::object& body = reqs_.at(0).json.as_object();
  EXPECT_EQ(body.at("stream"), true);
  EXPECT_EQ(body.at("stream_options"), json::parse(R"({"include_usage":true})"));

  auto replayed = provider_->parse_reply(streamed->raw);
  ASSERT_TRUE(replayed.has_value()) << replayed.error().to_string();
  EXPECT_EQ(replayed->content, streamed->content);
}

TEST_F(OpenAiProviderTest, Reports401WithTheProvidersErrorMessage) {
  server_->push(FakeReply::error(401, "Incorrect API key provided"));
  auto r = provider_->complete(simple_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "openai: HTTP 401: Incorrect API key provided");
  EXPECT_EQ(r.error().code(), ErrorCode::Denied);
}

TEST_F(OpenAiProviderTest, MalformedToolArgumentsNameTheJsonPath) {
  server_->push(
      FakeReply::raw(200, R"({"choices":[{"index":0,"finish_reason":"tool_calls","message":{"role":"assistant",
      "content":null,"tool_calls":[{"id":"c","type":"function","function":{"name":"run","arguments":"{\"argv\":"}}]}}]})"));
  auto r = provider_->complete(simple_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Malformed);
  EXPECT_NE(r.error().message().find("openai: malformed reply: choices[0].message.tool_calls[0].function.arguments"),
            std::string::npos)
      << r.error().message();
}

TEST_F(OpenAiProviderTest, MissingChoicesIsMalformed) {
  server_->push(FakeReply::raw(200, R"({"id":"x","object":"chat.completion"})"));
  auto r = provider_->complete(simple_request());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "openai: malformed reply: choices: missing");
}

TEST_F(OpenAiProviderTest, DecodesAnEventStreamLabelledAsPlainText) {
  server_->push(FakeReply::raw(200,
                               "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n"
                               "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"},"
                               "\"finish_reason\":\"stop\"}]}\n\n"
                               "data: [DONE]\n\n",
                               "text/plain"));
  std::string joined;
  StreamCallbacks callbacks;
  callbacks.on_text_delta = [&](std::string_view d) { joined += d; };
  auto r = provider_->complete(simple_request(), &callbacks);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(joined, "Hello");
  EXPECT_EQ(r->text(), "Hello");
  EXPECT_EQ(r->stop_reason, StopReason::EndTurn);
}

TEST_F(OpenAiProviderTest, StreamErrorChunkBecomesAnError) {
  server_->push(FakeReply::raw(200, "data: {\"error\":{\"message\":\"model overloaded\"}}\n\n", "text/event-stream"));
  StreamCallbacks callbacks;
  auto r = provider_->complete(simple_request(), &callbacks);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "openai: stream error: model overloaded");
}

TEST_F(OpenAiProviderTest, SendsNoAuthorizationHeaderWithoutAKey) {
  auto options = provider_->options();
  options.api_key.clear();
  options.name = "ollama";
  OpenAiProvider local(options);
  server_->push(FakeReply::text_reply("hi"));
  ASSERT_TRUE(local.complete(simple_request()).has_value());
  EXPECT_EQ(server_->requests().at(0).header("authorization"), "");
}

}  // namespace
}  // namespace wg::llm
