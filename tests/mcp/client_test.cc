// The client side against our own server: in memory, over HTTP, and a
// child process over stdio.
#include "mcp/client/client.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <thread>

#include "mcp/client/http_client.h"
#include "mcp/client/stdio_child.h"
#include "mcp/server/session.h"
#include "mcp/transport/http.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wg::mcp {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Connects a Client directly to a Session of `server` (same io_context).
class LoopbackTransport : public ClientTransport {
 public:
  LoopbackTransport(Server& server, asio::io_context& io) : server_(server), io_(io) {}

  void start(std::function<void(std::string)> on_message, std::function<void(Error)>) override {
    struct Forward : Outbound {
      std::function<void(std::string)> to_client;
      void send(std::string m) override { to_client(std::move(m)); }
    };
    auto forward = std::make_shared<Forward>();
    forward->to_client = std::move(on_message);
    session_ = server_.open_session(io_.get_executor(), forward);
  }
  void send(std::string message) override {
    sent.push_back(message);
    session_->receive(std::move(message));
  }
  void close() override { session_->close(); }

  std::vector<std::string> sent;  // what the client sent, for assertions

 private:
  Server& server_;
  asio::io_context& io_;
  std::shared_ptr<Session> session_;
};

class ClientTest : public ::testing::Test {
 protected:
  std::shared_ptr<Client> make_client(ClientOptions options = {}) {
    auto transport = std::make_unique<LoopbackTransport>(server_, io_);
    transport_ = transport.get();
    return Client::create(io_.get_executor(), std::move(transport), std::move(options));
  }

  // Runs the io_context until `reply` is set; returns it.
  RpcReply await(const std::function<void(RpcReplyHandler)>& start) {
    std::optional<RpcReply> got;
    start([&](RpcReply r) { got = std::move(r); });
    io_.restart();
    while (!got && io_.run_one() > 0) {
    }
    EXPECT_TRUE(got.has_value()) << "no reply";
    return got ? std::move(*got) : RpcReply(std::unexpected(RpcError{}));
  }

  asio::io_context io_;
  Server server_;
  LoopbackTransport* transport_ = nullptr;
};

TEST_F(ClientTest, InitializesAndRecordsTheServer) {
  auto client = make_client();
  RpcReply r = await([&](RpcReplyHandler h) { client->initialize(std::move(h)); });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(client->protocol_version(), "2025-11-25");
  EXPECT_EQ(client->server_info().at("name"), "wasmgate");
  EXPECT_TRUE(client->server_capabilities().contains("tools"));
  io_.restart();
  io_.poll();
  EXPECT_NE(transport_->sent.back().find("notifications/initialized"), std::string::npos);
}

TEST_F(ClientTest, PassesUpstreamErrorsThroughVerbatim) {
  auto client = make_client();
  ASSERT_TRUE(await([&](RpcReplyHandler h) { client->initialize(std::move(h)); }).has_value());
  RpcReply r = await([&](RpcReplyHandler h) { client->request("tools/call", {{"name", "nope"}}, std::move(h)); });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, -32602);
  EXPECT_NE(r.error().message.find("nope"), std::string::npos);
}

TEST_F(ClientTest, AnswersServerRequestsAndReceivesNotifications) {
  ASSERT_TRUE(server_
                  .add_async_tool(ToolSpec{.name = "ask"},
                                  [](std::shared_ptr<ToolCall> c) {
                                    c->progress(1, 2);
                                    c->elicit("ok?", {{"type", "object"}}, std::chrono::minutes(1),
                                              [c](Result<json::object> a) {
                                                c->finish(a ? ToolResult::text(json::serialize(a->at("action")))
                                                            : ToolResult::error(a.error().message()));
                                              });
                                  })
                  .has_value());
  ClientOptions options;
  options.capabilities = {{"elicitation", json::object{}}};
  auto client = make_client(options);
  std::vector<std::string> notifications;
  client->on_notification([&](const std::string& method, const json::object&) { notifications.push_back(method); });
  client->on_request([](const std::string& method, const json::object&, RpcReplyHandler reply) {
    if (method == "elicitation/create") return reply(json::object{{"action", "accept"}, {"content", json::object{}}});
    reply(std::unexpected(RpcError{-32601, "no", std::nullopt}));
  });
  ASSERT_TRUE(await([&](RpcReplyHandler h) { client->initialize(std::move(h)); }).has_value());
  RpcReply r = await([&](RpcReplyHandler h) {
    client->request("tools/call", {{"name", "ask"}, {"_meta", json::object{{"progressToken", 7}}}}, std::move(h));
  });
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->at("content").at(0).at("text"), "\"accept\"");
  EXPECT_EQ(notifications, std::vector<std::string>{"notifications/progress"});
}

TEST_F(ClientTest, TimesOutAndCancelsUpstream) {
  std::shared_ptr<ToolCall> held;
  ASSERT_TRUE(
      server_.add_async_tool(ToolSpec{.name = "never"}, [&](std::shared_ptr<ToolCall> c) { held = c; }).has_value());
  auto client = make_client();
  ASSERT_TRUE(await([&](RpcReplyHandler h) { client->initialize(std::move(h)); }).has_value());
  RpcReply r = await([&](RpcReplyHandler h) {
    client->request("tools/call", {{"name", "never"}}, std::move(h), std::chrono::milliseconds(1));
  });
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, -32603);
  io_.restart();
  io_.poll();
  ASSERT_NE(held, nullptr);
  EXPECT_TRUE(held->cancelled());
}

// A transport whose "server" answers initialize with a version we lack.
class OldServerTransport : public ClientTransport {
 public:
  explicit OldServerTransport(asio::io_context& io) : io_(io) {}
  void start(std::function<void(std::string)> on_message, std::function<void(Error)>) override {
    on_message_ = std::move(on_message);
  }
  void send(std::string message) override {
    if (message.find("\"initialize\"") == std::string::npos) return;
    asio::post(io_, [this] {
      on_message_(R"({"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2024-11-05","capabilities":{},
                      "serverInfo":{"name":"old","version":"1"}}})");
    });
  }
  void close() override { closed = true; }
  bool closed = false;

 private:
  asio::io_context& io_;
  std::function<void(std::string)> on_message_;
};

TEST_F(ClientTest, DisconnectsFromAnUnsupportedVersion) {
  auto transport = std::make_unique<OldServerTransport>(io_);
  OldServerTransport* raw = transport.get();
  auto client = Client::create(io_.get_executor(), std::move(transport));
  RpcReply r = await([&](RpcReplyHandler h) { client->initialize(std::move(h)); });
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("2024-11-05"), std::string::npos);
  io_.restart();
  io_.poll();
  EXPECT_TRUE(raw->closed);
}

TEST(HttpUrlTest, ParsesHttpUrls) {
  auto u = parse_http_url("http://127.0.0.1:9000/mcp?x=1");
  ASSERT_TRUE(u.has_value());
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "9000");
  EXPECT_EQ(u->target, "/mcp?x=1");
  EXPECT_EQ(parse_http_url("http://h")->port, "80");
  EXPECT_EQ(parse_http_url("http://[::1]:5/")->host, "::1");
  EXPECT_EQ(parse_http_url("https://h/").error().code(), ErrorCode::Unsupported);
  EXPECT_FALSE(parse_http_url("ftp://h/").has_value());
  EXPECT_FALSE(parse_http_url("http://h:x/").has_value());
}

TEST(HttpClientTest, TalksToOurHttpServer) {
  asio::io_context server_io;
  asio::executor_work_guard<asio::io_context::executor_type> work(server_io.get_executor());
  Server server;
  ASSERT_TRUE(server
                  .add_tool(ToolSpec{.name = "slow"},
                            [](ToolCall& c) -> Result<ToolResult> {
                              c.progress(1, 2);
                              return ToolResult::text("done");
                            })
                  .has_value());
  HttpOptions options;
  options.port = 0;
  auto http = HttpServer::create(server, server_io, options);
  ASSERT_TRUE(http.has_value()) << http.error().to_string();
  std::thread thread([&] { server_io.run(); });

  asio::io_context io;
  auto transport =
      HttpClientTransport::create(io.get_executor(), "http://127.0.0.1:" + std::to_string((*http)->port()) + "/mcp");
  ASSERT_TRUE(transport.has_value());
  auto client = Client::create(io.get_executor(), std::move(*transport));
  std::vector<std::string> notifications;
  client->on_notification([&](const std::string& method, const json::object&) { notifications.push_back(method); });
  std::optional<RpcReply> init, call;
  client->initialize([&](RpcReply r) {
    init = std::move(r);
    client->request("tools/call", {{"name", "slow"}, {"_meta", json::object{{"progressToken", "t"}}}},
                    [&](RpcReply r2) { call = std::move(r2); });
  });
  io.run();  // returns when both answers arrived and nothing else is pending
  ASSERT_TRUE(init && init->has_value()) << (init ? init->error().message : "none");
  EXPECT_EQ(client->protocol_version(), "2025-11-25");
  ASSERT_TRUE(call && call->has_value()) << (call ? call->error().message : "none");
  EXPECT_EQ((*call)->at("content").at(0).at("text"), "done");
  EXPECT_EQ(notifications, std::vector<std::string>{"notifications/progress"});
  EXPECT_EQ((*http)->session_count(), 1u);

  (*http)->stop();
  work.reset();
  server_io.stop();
  thread.join();
}

TEST(StdioChildTest, HandshakesWithAChildProcessAndReapsIt) {
  // A stand-in upstream: answers initialize, then waits for EOF on stdin.
  const std::string script =
      R"(read line; printf '%s\n' '{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"2025-06-18","capabilities":{},"serverInfo":{"name":"sh","version":"1"}}}'; cat >/dev/null; exit 3)";
  auto transport = StdioChildTransport::spawn({"sh", "-c", script});
  ASSERT_TRUE(transport.has_value()) << transport.error().to_string();
  StdioChildTransport* raw = transport->get();
  asio::io_context io;
  auto client = Client::create(io.get_executor(), std::move(*transport));
  std::optional<RpcReply> init;
  client->initialize([&](RpcReply r) { init = std::move(r); });
  while (!init && io.run_one() > 0) {
  }
  ASSERT_TRUE(init && init->has_value());
  EXPECT_EQ(client->server_info().at("name"), "sh");
  EXPECT_EQ(client->protocol_version(), "2025-06-18");
  client->close();
  io.restart();
  io.poll();
  EXPECT_EQ(raw->exit_status(), 3);
}

TEST(StdioChildTest, ReportsACommandThatCannotStart) {
  auto transport = StdioChildTransport::spawn({"/nonexistent/wasmgate-upstream"});
  ASSERT_FALSE(transport.has_value());
  EXPECT_EQ(transport.error().code(), ErrorCode::Io);
}

}  // namespace
}  // namespace wg::mcp
