// Dispatcher tests: JSON in, JSON out, through an in-memory Outbound.
#include "mcp/server/session.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "mcp/protocol/jsonrpc.h"

// Designated initializers that leave defaulted members out are the intended
// way to fill ToolSpec and friends; g++ 12 warns about them under -Wextra.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wg::mcp {
namespace {

namespace json = boost::json;

class CapturingOutbound : public Outbound {
 public:
  void send(std::string message) override { messages.push_back(std::move(message)); }
  void finish(bool had_requests) override {
    ++finishes;
    last_had_requests = had_requests;
  }
  std::vector<std::string> messages;
  int finishes = 0;
  bool last_had_requests = false;
};

json::object schema(const char* text) { return json::parse(text).as_object(); }

class SessionTest : public ::testing::Test {
 protected:
  explicit SessionTest(ServerOptions options = {}) : server_(std::move(options)) {
    session_ = server_.open_session(io_.get_executor(), out_);
  }

  // Feeds one transport message; returns every message the session sent.
  std::vector<json::value> send(const std::string& text) {
    const std::size_t before = out_->messages.size();
    session_->receive(text);
    drain();
    return since(before);
  }

  void drain() {
    io_.restart();
    io_.poll();
  }

  std::vector<json::value> since(std::size_t before) {
    std::vector<json::value> out;
    for (std::size_t i = before; i < out_->messages.size(); ++i) out.push_back(json::parse(out_->messages[i]));
    return out;
  }

  // Sends a request and returns its single reply.
  json::value call(std::string_view method, json::object params = {}, std::int64_t id = 1) {
    auto replies = send(encode_request(RequestId(id), method, params));
    EXPECT_EQ(replies.size(), 1u) << method;
    return replies.empty() ? json::value() : replies.back();
  }

  void initialize(std::string_view version = "2025-11-25", json::object caps = {}) {
    json::value r = call("initialize",
                         json::object{{"protocolVersion", version},
                                      {"capabilities", caps},
                                      {"clientInfo", json::object{{"name", "t"}, {"version", "1"}}}},
                         1000);
    ASSERT_TRUE(r.as_object().contains("result")) << json::serialize(r);
    EXPECT_TRUE(send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").empty());
  }

  static std::int64_t error_code(const json::value& reply) {
    const json::value* e = reply.as_object().if_contains("error");
    return e ? e->at("code").to_number<std::int64_t>() : 0;
  }

  static std::string text_of(const json::value& reply) {
    return std::string(reply.at("result").at("content").at(0).at("text").as_string());
  }

  void add_echo_tool() {
    ToolSpec spec;
    spec.name = "echo";
    spec.description = "Echoes text";
    spec.input_schema = schema(R"({"type":"object","properties":{"text":{"type":"string","minLength":1}},
                                   "required":["text"],"additionalProperties":false})");
    ASSERT_TRUE(server_
                    .add_tool(spec,
                              [](ToolCall& c) -> Result<ToolResult> {
                                return ToolResult::text(c.arguments().at("text").as_string());
                              })
                    .has_value());
  }

  boost::asio::io_context io_;
  Server server_;
  std::shared_ptr<CapturingOutbound> out_ = std::make_shared<CapturingOutbound>();
  std::shared_ptr<Session> session_;
};

// ---- lifecycle -------------------------------------------------------------

TEST_F(SessionTest, RefusesRequestsBeforeInitialize) {
  json::value r = call("tools/list");
  EXPECT_EQ(error_code(r), -32600);
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("initialize"), std::string::npos);
}

TEST_F(SessionTest, AnswersPingBeforeInitialize) {
  json::value r = call("ping", {}, 5);
  EXPECT_EQ(r.at("id"), 5);
  EXPECT_EQ(r.at("result"), json::object{});
}

TEST_F(SessionTest, DeclaresThatEveryListCanChange) {
  // Server::notify_*_changed exist for tools, resources and prompts (the
  // proxy re-lists its upstream's), so all three lists are declared changeable.
  json::value r = call("initialize", json::object{{"protocolVersion", "2025-06-18"}, {"capabilities", json::object{}}});
  const auto& caps = r.at("result").at("capabilities");
  EXPECT_EQ(caps.at("tools").at("listChanged"), true);
  EXPECT_EQ(caps.at("resources").at("listChanged"), true);
  EXPECT_EQ(caps.at("prompts").at("listChanged"), true);
}

TEST_F(SessionTest, EchoesASupportedProtocolVersion) {
  json::value r = call("initialize", json::object{{"protocolVersion", "2025-06-18"}, {"capabilities", json::object{}}});
  EXPECT_EQ(r.at("result").at("protocolVersion"), "2025-06-18");
  EXPECT_EQ(r.at("result").at("serverInfo").at("name"), "wasmgate");
  EXPECT_TRUE(r.at("result").at("capabilities").as_object().contains("tools"));

  EXPECT_EQ(session_->protocol_version(), "2025-06-18");
}

TEST_F(SessionTest, AnswersAnUnsupportedVersionWithTheLatest) {
  json::value r = call("initialize", json::object{{"protocolVersion", "1999-01-01"}, {"capabilities", json::object{}}});
  EXPECT_EQ(r.at("result").at("protocolVersion"), "2025-11-25");
}

TEST_F(SessionTest, RefusesInitializeWithoutAProtocolVersion) {
  EXPECT_EQ(error_code(call("initialize", json::object{{"capabilities", json::object{}}})), -32602);
  EXPECT_EQ(error_code(call("initialize", json::object{{"protocolVersion", 5}})), -32602);
}

TEST_F(SessionTest, RefusesASecondInitialize) {
  initialize();
  EXPECT_EQ(error_code(call("initialize", json::object{{"protocolVersion", "2025-11-25"}})), -32600);
}

TEST_F(SessionTest, RecordsTheInitializedNotification) {
  EXPECT_FALSE(session_->initialized());
  initialize();
  drain();
  EXPECT_TRUE(session_->initialized());
}

TEST_F(SessionTest, AnswersUnknownMethodsWithMethodNotFound) {
  initialize();
  EXPECT_EQ(error_code(call("tools/frobnicate")), -32601);
  EXPECT_TRUE(send(R"({"jsonrpc":"2.0","method":"notifications/unknown"})").empty());
}

TEST_F(SessionTest, RefusesDuplicateKeysWithInvalidRequestAndNullId) {
  auto replies = send(R"({"jsonrpc":"2.0","id":1,"method":"ping","method":"tools/list"})");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(error_code(replies[0]), -32600);
  EXPECT_TRUE(replies[0].at("id").is_null());
}

TEST_F(SessionTest, AnswersParseErrorsWithMinus32700) {
  auto replies = send("{not json");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(error_code(replies[0]), -32700);
}

TEST_F(SessionTest, RefusesAnIdAlreadyInFlight) {
  initialize();
  ToolSpec spec{.name = "wait"};
  std::shared_ptr<ToolCall> held;
  ASSERT_TRUE(server_.add_async_tool(spec, [&](std::shared_ptr<ToolCall> c) { held = c; }).has_value());
  drain();
  EXPECT_TRUE(send(encode_request(RequestId(9), "tools/call", json::object{{"name", "wait"}})).empty());
  json::value r = call("ping", {}, 9);
  EXPECT_EQ(error_code(r), -32600);
}

// ---- batches -------------------------------------------------------------

TEST_F(SessionTest, RefusesBatchesUnder20251125) {
  initialize("2025-11-25");
  auto replies = send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(error_code(replies[0]), -32600);
}

TEST_F(SessionTest, RefusesBatchesBeforeInitialize) {
  auto replies = send(R"([{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}])");
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(error_code(replies[0]), -32600);
}

TEST_F(SessionTest, AnswersBatchesUnder20250326WithOneArray) {
  initialize("2025-03-26");
  auto replies = send(R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
                          {"jsonrpc":"2.0","method":"notifications/progress","params":{}},
                          {"jsonrpc":"2.0","id":2,"method":"nope"}])");
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_TRUE(replies[0].is_array());
  ASSERT_EQ(replies[0].as_array().size(), 2u);
  EXPECT_EQ(replies[0].at(0).at("id"), 1);
  EXPECT_EQ(error_code(replies[0].at(1)), -32601);
}

TEST_F(SessionTest, SendsNothingForABatchOfNotifications) {
  initialize("2025-03-26");
  const int finishes = out_->finishes;
  EXPECT_TRUE(send(R"([{"jsonrpc":"2.0","method":"notifications/progress","params":{}}])").empty());
  EXPECT_EQ(out_->finishes, finishes + 1);
  EXPECT_FALSE(out_->last_had_requests);
}

// ---- tools -----------------------------------------------------------------

TEST_F(SessionTest, PaginatesToolsWithOpaqueCursors) {
  ServerOptions options;
  options.page_size = 2;
  Server server(options);
  for (const char* name : {"e", "b", "a", "d", "c"}) {
    ASSERT_TRUE(
        server.add_tool(ToolSpec{.name = name}, [](ToolCall&) -> Result<ToolResult> { return ToolResult::text(""); })
            .has_value());
  }
  auto out = std::make_shared<CapturingOutbound>();
  auto session = server.open_session(io_.get_executor(), out);
  session->receive(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  std::vector<std::string> names;
  std::optional<std::string> cursor;
  int pages = 0;
  do {
    json::object params;
    if (cursor) params["cursor"] = *cursor;
    session->receive(encode_request(RequestId(++pages), "tools/list", params));
    drain();
    json::value r = json::parse(out->messages.back());
    for (const auto& t : r.at("result").at("tools").as_array()) names.emplace_back(t.at("name").as_string());
    const json::value* next = r.at("result").as_object().if_contains("nextCursor");
    cursor = next ? std::optional<std::string>(next->as_string()) : std::nullopt;
  } while (cursor && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  session->receive(encode_request(RequestId(50), "tools/list", json::object{{"cursor", "zz"}}));
  drain();
  EXPECT_EQ(error_code(json::parse(out->messages.back())), -32602);
}

TEST_F(SessionTest, ListsToolSchemasAndAnnotations) {
  ToolSpec spec{.name = "t", .title = "T", .description = "d"};
  spec.output_schema = schema(R"({"type":"object"})");
  spec.annotations = json::object{{"readOnlyHint", true}};
  ASSERT_TRUE(server_.add_tool(spec, [](ToolCall&) -> Result<ToolResult> { return ToolResult::text(""); }).has_value());
  initialize();
  json::value t = call("tools/list").at("result").at("tools").at(0);
  EXPECT_EQ(t.at("name"), "t");
  EXPECT_EQ(t.at("title"), "T");
  EXPECT_EQ(t.at("inputSchema").at("type"), "object");
  EXPECT_EQ(t.at("outputSchema").at("type"), "object");
  EXPECT_EQ(t.at("annotations").at("readOnlyHint"), true);
}

TEST_F(SessionTest, CallsAToolAndReturnsTextContent) {
  add_echo_tool();
  initialize();
  json::value r = call("tools/call", json::object{{"name", "echo"}, {"arguments", json::object{{"text", "hi"}}}});
  EXPECT_EQ(text_of(r), "hi");
  EXPECT_FALSE(r.at("result").as_object().contains("isError"));
}

TEST_F(SessionTest, UnknownToolIsAnInvalidParamsError) {
  initialize();
  json::value r = call("tools/call", json::object{{"name", "nope"}});
  EXPECT_EQ(error_code(r), -32602);
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("nope"), std::string::npos);
}

TEST_F(SessionTest, RefusesCaseVariantNameAndArgumentsInToolsCall) {
  add_echo_tool();
  initialize();
  EXPECT_EQ(
      error_code(call("tools/call",
                      json::object{{"name", "echo"}, {"Name", "other"}, {"arguments", json::object{{"text", "x"}}}})),
      -32600);
  EXPECT_EQ(error_code(call("tools/call", json::object{{"name", "echo"}, {"ARGUMENTS", json::object{}}})), -32600);
}

TEST_F(SessionTest, RefusesNonObjectArguments) {
  add_echo_tool();
  initialize();
  EXPECT_EQ(error_code(call("tools/call", json::object{{"name", "echo"}, {"arguments", json::array{1}}})), -32602);
}

TEST_F(SessionTest, InvalidArgumentsBecomeAToolErrorAModelCanAct_on) {
  add_echo_tool();
  initialize();
  json::value r =
      call("tools/call", json::object{{"name", "echo"}, {"arguments", json::object{{"text", 5}, {"x", 1}}}});
  ASSERT_TRUE(r.as_object().contains("result")) << json::serialize(r);
  EXPECT_EQ(r.at("result").at("isError"), true);
  const std::string text = text_of(r);
  EXPECT_NE(text.find("argument \"text\": expected string, got integer"), std::string::npos) << text;
  EXPECT_NE(text.find("unknown argument \"x\"; expected one of: text"), std::string::npos) << text;
  r = call("tools/call", json::object{{"name", "echo"}});
  EXPECT_NE(text_of(r).find("missing required argument \"text\""), std::string::npos);
}

TEST_F(SessionTest, HandlerErrorsBecomeToolErrors) {
  ASSERT_TRUE(server_
                  .add_tool(ToolSpec{.name = "fail"},
                            [](ToolCall&) -> Result<ToolResult> {
                              return make_error(ErrorCode::NotFound, "file /x does not exist");
                            })
                  .has_value());
  initialize();
  json::value r = call("tools/call", json::object{{"name", "fail"}});
  EXPECT_EQ(r.at("result").at("isError"), true);
  EXPECT_EQ(text_of(r), "file /x does not exist");
}

TEST_F(SessionTest, ReturnsImageAndResourceContent) {
  ASSERT_TRUE(server_
                  .add_tool(ToolSpec{.name = "mixed"},
                            [](ToolCall&) -> Result<ToolResult> {
                              ToolResult r;
                              r.content.push_back(image_content("iVBORw0KGgo=", "image/png"));
                              r.content.push_back(embedded_text_resource("file:///a.txt", "A", "text/plain"));
                              r.content.push_back(resource_link("file:///b.txt", "b.txt"));
                              return r;
                            })
                  .has_value());
  initialize();
  json::value c = call("tools/call", json::object{{"name", "mixed"}}).at("result").at("content");
  EXPECT_EQ(c.at(0).at("type"), "image");
  EXPECT_EQ(c.at(0).at("mimeType"), "image/png");
  EXPECT_EQ(c.at(1).at("type"), "resource");
  EXPECT_EQ(c.at(1).at("resource").at("text"), "A");
  EXPECT_EQ(c.at(2).at("type"), "resource_link");
}

TEST_F(SessionTest, ChecksStructuredContentAgainstTheOutputSchema) {
  ToolSpec good{.name = "good"};
  good.output_schema = schema(R"({"type":"object","properties":{"n":{"type":"integer"}},"required":["n"]})");
  ToolSpec bad = good;
  bad.name = "bad";
  ASSERT_TRUE(server_
                  .add_tool(good,
                            [](ToolCall&) -> Result<ToolResult> {
                              return ToolResult::structured(json::object{{"n", 4}});
                            })
                  .has_value());
  ASSERT_TRUE(server_
                  .add_tool(bad,
                            [](ToolCall&) -> Result<ToolResult> {
                              return ToolResult::structured(json::object{{"n", "four"}});
                            })
                  .has_value());
  initialize();
  json::value r = call("tools/call", json::object{{"name", "good"}});
  EXPECT_EQ(r.at("result").at("structuredContent").at("n"), 4);
  r = call("tools/call", json::object{{"name", "bad"}});
  EXPECT_EQ(error_code(r), -32603);
  EXPECT_NE(std::string(r.at("error").at("message").as_string()).find("structuredContent \"n\""), std::string::npos);
}

TEST_F(SessionTest, RefusesBadToolRegistrations) {
  EXPECT_FALSE(
      server_.add_tool(ToolSpec{.name = ""}, [](ToolCall&) -> Result<ToolResult> { return ToolResult{}; }).has_value());
  EXPECT_FALSE(server_.add_tool(ToolSpec{.name = "a b"}, [](ToolCall&) -> Result<ToolResult> { return ToolResult{}; })
                   .has_value());
  ToolSpec not_object{.name = "x"};
  not_object.input_schema = schema(R"({"type":"string"})");
  EXPECT_FALSE(server_.add_tool(not_object, [](ToolCall&) -> Result<ToolResult> { return ToolResult{}; }).has_value());
  add_echo_tool();
  EXPECT_FALSE(server_.add_tool(ToolSpec{.name = "echo"}, [](ToolCall&) -> Result<ToolResult> { return ToolResult{}; })
                   .has_value());
}

TEST_F(SessionTest, NotifiesListChangedWhenToolsChangeAfterInitialize) {
  initialize();
  const std::size_t before = out_->messages.size();
  add_echo_tool();
  drain();
  auto sent = since(before);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("method"), "notifications/tools/list_changed");
  ASSERT_TRUE(server_.remove_tool("echo").has_value());
  drain();
  EXPECT_EQ(since(before).size(), 2u);
}

// ---- progress, cancellation, logging --------------------------------------

TEST_F(SessionTest, SendsProgressNotificationsWhenAskedFor) {
  ASSERT_TRUE(server_
                  .add_tool(ToolSpec{.name = "slow"},
                            [](ToolCall& c) -> Result<ToolResult> {
                              c.progress(1, 2, "half");
                              c.progress(2, 2);
                              return ToolResult::text("done");
                            })
                  .has_value());
  initialize();
  auto replies = send(R"({"jsonrpc":"2.0","id":3,"method":"tools/call",
                          "params":{"name":"slow","_meta":{"progressToken":"p1"}}})");
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].at("method"), "notifications/progress");
  EXPECT_EQ(replies[0].at("params").at("progressToken"), "p1");
  EXPECT_EQ(replies[0].at("params").at("progress").to_number<double>(), 1.0);
  EXPECT_EQ(replies[0].at("params").at("message"), "half");
  EXPECT_EQ(replies[1].at("params").at("progress").to_number<double>(), 2.0);
  EXPECT_EQ(text_of(replies[2]), "done");
  // Without a token, no progress is sent.
  replies = send(R"({"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"slow"}})");
  EXPECT_EQ(replies.size(), 1u);
}

TEST_F(SessionTest, CancellationStopsTheHandlerAndSuppressesTheResponse) {
  std::shared_ptr<ToolCall> held;
  bool cancel_seen = false;
  ASSERT_TRUE(server_
                  .add_async_tool(ToolSpec{.name = "long"},
                                  [&](std::shared_ptr<ToolCall> c) {
                                    held = c;
                                    c->on_cancel([&] { cancel_seen = true; });
                                  })
                  .has_value());
  initialize();
  EXPECT_TRUE(send(R"({"jsonrpc":"2.0","id":"c1","method":"tools/call","params":{"name":"long"}})").empty());
  ASSERT_NE(held, nullptr);
  EXPECT_FALSE(held->cancelled());
  EXPECT_TRUE(
      send(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"c1","reason":"user"}})")
          .empty());
  EXPECT_TRUE(held->cancelled());
  EXPECT_TRUE(cancel_seen);
  const std::size_t before = out_->messages.size();
  held->finish(ToolResult::text("too late"));
  drain();
  EXPECT_TRUE(since(before).empty());
}

TEST_F(SessionTest, AnAsyncToolMayFinishLater) {
  std::shared_ptr<ToolCall> held;
  ASSERT_TRUE(
      server_.add_async_tool(ToolSpec{.name = "later"}, [&](std::shared_ptr<ToolCall> c) { held = c; }).has_value());
  initialize();
  EXPECT_TRUE(send(R"({"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"later"}})").empty());
  const std::size_t before = out_->messages.size();
  held->finish(ToolResult::text("now"));
  held->finish(ToolResult::text("twice"));
  drain();
  auto sent = since(before);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(text_of(sent[0]), "now");
}

TEST_F(SessionTest, FiltersLogMessagesBySessionLevel) {
  initialize();
  EXPECT_EQ(call("logging/setLevel", json::object{{"level", "warning"}}).at("result"), json::object{});
  const std::size_t before = out_->messages.size();
  server_.log(LogLevel::Info, "core", "quiet");
  server_.log(LogLevel::Error, "core", "loud");
  drain();
  auto sent = since(before);
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("method"), "notifications/message");
  EXPECT_EQ(sent[0].at("params").at("level"), "error");
  EXPECT_EQ(sent[0].at("params").at("data"), "loud");
  EXPECT_EQ(sent[0].at("params").at("logger"), "core");
  EXPECT_EQ(error_code(call("logging/setLevel", json::object{{"level", "loud"}})), -32602);
}

// ---- server -> client requests --------------------------------------------

class ElicitTest : public SessionTest {
 protected:
  void add_asking_tool(std::chrono::milliseconds timeout) {
    ASSERT_TRUE(server_
                    .add_async_tool(ToolSpec{.name = "ask"},
                                    [timeout](std::shared_ptr<ToolCall> c) {
                                      c->elicit("Approve?",
                                                schema(R"({"type":"object","properties":{"ok":{"type":"boolean"}}})"),
                                                timeout, [c](Result<json::object> answer) {
                                                  if (!answer)
                                                    return c->finish(ToolResult::error(answer.error().to_string()));
                                                  c->finish(ToolResult::text(json::serialize(*answer)));
                                                });
                                    })
                    .has_value());
  }
};

TEST_F(ElicitTest, RoundTripsAnElicitationRequest) {
  add_asking_tool(std::chrono::minutes(1));
  initialize("2025-11-25", json::object{{"elicitation", json::object{}}});
  auto sent = send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].at("method"), "elicitation/create");
  EXPECT_EQ(sent[0].at("params").at("message"), "Approve?");
  const json::value id = sent[0].at("id");
  json::object response{{"jsonrpc", "2.0"},
                        {"id", id},
                        {"result", json::object{{"action", "accept"}, {"content", json::object{{"ok", true}}}}}};
  auto replies = send(json::serialize(response));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].at("id"), 1);
  EXPECT_EQ(json::parse(text_of(replies[0])).at("action"), "accept");
}

TEST_F(ElicitTest, ReportsAClientErrorReply) {
  add_asking_tool(std::chrono::minutes(1));
  initialize("2025-11-25", json::object{{"elicitation", json::object{}}});
  auto sent = send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})");
  ASSERT_EQ(sent.size(), 1u);
  json::object response{
      {"jsonrpc", "2.0"}, {"id", sent[0].at("id")}, {"error", json::object{{"code", -1}, {"message", "user closed"}}}};
  auto replies = send(json::serialize(response));
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].at("result").at("isError"), true);
  EXPECT_NE(text_of(replies[0]).find("user closed"), std::string::npos);
}

TEST_F(ElicitTest, TimesOutAndCancelsTheRequest) {
  add_asking_tool(std::chrono::milliseconds(1));
  initialize("2025-11-25", json::object{{"elicitation", json::object{}}});
  const std::size_t before = out_->messages.size();
  session_->receive(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})");
  io_.restart();
  io_.run();  // returns when the timer has fired and everything settled
  auto sent = since(before);
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0].at("method"), "elicitation/create");
  EXPECT_EQ(sent[1].at("method"), "notifications/cancelled");
  EXPECT_EQ(sent[1].at("params").at("requestId"), sent[0].at("id"));
  EXPECT_EQ(sent[2].at("result").at("isError"), true);
  EXPECT_NE(text_of(sent[2]).find("limit exceeded"), std::string::npos);
  // A late answer is ignored.
  json::object late{{"jsonrpc", "2.0"}, {"id", sent[0].at("id")}, {"result", json::object{{"action", "accept"}}}};
  EXPECT_TRUE(send(json::serialize(late)).empty());
}

TEST_F(ElicitTest, RefusesWhenTheClientLacksTheCapability) {
  add_asking_tool(std::chrono::minutes(1));
  initialize();
  auto sent = send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})");
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_NE(text_of(sent[0]).find("elicitation"), std::string::npos);
  EXPECT_EQ(sent[0].at("result").at("isError"), true);
}

TEST_F(ElicitTest, ClosingTheSessionFailsPendingRequests) {
  add_asking_tool(std::chrono::minutes(1));
  initialize("2025-11-25", json::object{{"elicitation", json::object{}}});
  ASSERT_EQ(send(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"ask"}})").size(), 1u);
  session_->close();
  drain();
  EXPECT_TRUE(session_->closed());
  io_.restart();
  io_.run();  // nothing left: the timer was cancelled
  EXPECT_TRUE(send(R"({"jsonrpc":"2.0","id":2,"method":"ping"})").empty());
}

TEST_F(SessionTest, ServerCanPingTheClient) {
  initialize();
  std::optional<Result<json::object>> got;
  session_->request("ping", {}, std::chrono::minutes(1), [&](Result<json::object> r) { got = std::move(r); });
  drain();
  json::value req = json::parse(out_->messages.back());
  EXPECT_EQ(req.at("method"), "ping");
  send(json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", req.at("id")}, {"result", json::object{}}}));
  ASSERT_TRUE(got.has_value());
  EXPECT_TRUE(got->has_value());
}

// ---- resources and prompts -------------------------------------------------

TEST_F(SessionTest, ListsAndReadsResourcesAndTemplates) {
  ASSERT_TRUE(server_
                  .add_resource(ResourceSpec{.uri = "test://static", .name = "static", .mime_type = "text/plain"},
                                [](std::string_view uri) -> Result<json::array> {
                                  return json::array{text_resource_contents(uri, "hello")};
                                })
                  .has_value());
  ASSERT_TRUE(server_
                  .add_resource_template(
                      ResourceTemplateSpec{.uri_template = "test://item/{id}/data", .name = "item"},
                      [](std::string_view uri, const std::map<std::string, std::string>& vars) -> Result<json::array> {
                        return json::array{text_resource_contents(uri, "item " + vars.at("id"))};
                      })
                  .has_value());
  initialize();
  EXPECT_EQ(call("resources/list").at("result").at("resources").at(0).at("uri"), "test://static");
  EXPECT_EQ(call("resources/templates/list").at("result").at("resourceTemplates").at(0).at("uriTemplate"),
            "test://item/{id}/data");
  EXPECT_EQ(call("resources/read", json::object{{"uri", "test://static"}}).at("result").at("contents").at(0).at("text"),
            "hello");
  EXPECT_EQ(
      call("resources/read", json::object{{"uri", "test://item/42/data"}}).at("result").at("contents").at(0).at("text"),
      "item 42");
  json::value missing = call("resources/read", json::object{{"uri", "test://nope"}});
  EXPECT_EQ(error_code(missing), -32602);
  EXPECT_EQ(missing.at("error").at("data").at("uri"), "test://nope");
}

TEST_F(SessionTest, TracksResourceSubscriptions) {
  initialize();
  EXPECT_EQ(call("resources/subscribe", json::object{{"uri", "test://w"}}).at("result"), json::object{});
  drain();
  EXPECT_TRUE(session_->subscribed("test://w"));
  EXPECT_EQ(call("resources/unsubscribe", json::object{{"uri", "test://w"}}).at("result"), json::object{});
  drain();
  EXPECT_FALSE(session_->subscribed("test://w"));
  EXPECT_EQ(error_code(call("resources/subscribe")), -32602);
}

TEST(UriTemplateTest, MatchesSimpleExpressions) {
  std::map<std::string, std::string> vars;
  EXPECT_TRUE(match_uri_template("a://x/{id}", "a://x/7", vars));
  EXPECT_EQ(vars.at("id"), "7");
  EXPECT_FALSE(match_uri_template("a://x/{id}", "a://x/7/8", vars));
  EXPECT_FALSE(match_uri_template("a://x/{id}", "a://x/", vars));
  EXPECT_TRUE(match_uri_template("a://{a}-{b}", "a://p-q", vars));
  EXPECT_EQ(vars.at("b"), "q");
}

TEST_F(SessionTest, ListsAndGetsPrompts) {
  ASSERT_TRUE(
      server_
          .add_prompt(PromptSpec{.name = "greet",
                                 .description = "Greets",
                                 .arguments = {PromptArgument{.name = "who", .required = true}}},
                      [](const std::map<std::string, std::string>& args) -> Result<json::object> {
                        return json::object{
                            {"messages", json::array{json::object{
                                             {"role", "user"}, {"content", text_content("Hello " + args.at("who"))}}}}};
                      })
          .has_value());
  initialize();
  json::value list = call("prompts/list");
  EXPECT_EQ(list.at("result").at("prompts").at(0).at("arguments").at(0).at("required"), true);
  json::value got = call("prompts/get", json::object{{"name", "greet"}, {"arguments", json::object{{"who", "Ada"}}}});
  EXPECT_EQ(got.at("result").at("messages").at(0).at("content").at("text"), "Hello Ada");
  EXPECT_EQ(error_code(call("prompts/get", json::object{{"name", "greet"}})), -32602);
  EXPECT_EQ(error_code(call("prompts/get", json::object{{"name", "nope"}})), -32602);
}

TEST_F(SessionTest, ExchangeFinishReportsWhetherRequestsWereCarried) {
  const int before = out_->finishes;
  send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
  EXPECT_EQ(out_->finishes, before + 1);
  EXPECT_FALSE(out_->last_had_requests);
  send(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  EXPECT_EQ(out_->finishes, before + 2);
  EXPECT_TRUE(out_->last_had_requests);
}

TEST_F(SessionTest, SessionIdsAreRandomHex) {
  auto other = server_.open_session(io_.get_executor(), out_);
  EXPECT_EQ(session_->id().size(), 32u);
  EXPECT_NE(session_->id(), other->id());
  EXPECT_EQ(session_->id().find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace wg::mcp
