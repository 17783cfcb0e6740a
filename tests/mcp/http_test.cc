// Streamable HTTP transport, driven by a real HTTP client over loopback.
#include "mcp/transport/http.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>
#include <thread>

#include "mcp/server/session.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wg::mcp {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

struct Response {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpTest : public ::testing::Test {
 protected:
  void start(HttpOptions options = {}) {
    options.port = 0;
    auto created = HttpServer::create(server_, io_, std::move(options));
    ASSERT_TRUE(created.has_value()) << created.error().to_string();
    http_ = std::move(*created);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (http_) http_->stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  tcp::socket connect() {
    tcp::socket socket(client_io_);
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), http_->port()), ec);
    EXPECT_FALSE(ec) << ec.message();
    return socket;
  }

  static std::string render(http::verb method, const std::string& target, const Headers& headers,
                            const std::string& body) {
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    std::ostringstream os;
    os << req;
    return os.str();
  }

  Response send(http::verb method, const std::string& target, Headers headers, const std::string& body = "") {
    tcp::socket socket = connect();
    boost::system::error_code ec;
    asio::write(socket, asio::buffer(render(method, target, headers, body)), ec);
    EXPECT_FALSE(ec) << ec.message();
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res, ec);
    EXPECT_FALSE(ec) << ec.message();
    Response out;
    out.status = res.result_int();
    for (const auto& f : res) out.headers[ascii_lower(std::string(f.name_string()))] = std::string(f.value());
    out.body = res.body();
    return out;
  }

  Response post(const std::string& body, Headers extra = {}) {
    Headers h{{"Content-Type", "application/json"}, {"Accept", "application/json, text/event-stream"}};
    if (!session_id_.empty()) h.emplace_back("Mcp-Session-Id", session_id_);
    for (auto& e : extra) h.push_back(e);
    return send(http::verb::post, "/mcp", h, body);
  }

  void initialize(json::object caps = {}) {
    Response r = post(json::serialize(
        json::object{{"jsonrpc", "2.0"},
                     {"id", 0},
                     {"method", "initialize"},
                     {"params", json::object{{"protocolVersion", "2025-11-25"}, {"capabilities", caps}}}}));
    ASSERT_EQ(r.status, 200u) << r.body;
    session_id_ = r.header("mcp-session-id");
    ASSERT_EQ(session_id_.size(), 32u);
    EXPECT_EQ(post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").status, 202u);
  }

  void initialize_with_token(const std::string& token) {
    const Headers auth{{"Authorization", "Bearer " + token}};
    Response r = post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
                      auth);
    ASSERT_EQ(r.status, 200u) << r.body;
    session_id_ = r.header("mcp-session-id");
    ASSERT_EQ(session_id_.size(), 32u);
    EXPECT_EQ(post(R"({"jsonrpc":"2.0","method":"notifications/initialized"})", auth).status, 202u);
  }

  // SSE bodies: the JSON of each "data:" line.
  static std::vector<json::value> events(const std::string& body) {
    std::vector<json::value> out;
    std::size_t pos = 0;
    while ((pos = body.find("data: ", pos)) != std::string::npos) {
      const std::size_t end = body.find('\n', pos);
      out.push_back(json::parse(body.substr(pos + 6, end - pos - 6)));
      pos = end;
    }
    return out;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  asio::io_context client_io_;
  Server server_;
  std::unique_ptr<HttpServer> http_;
  std::thread thread_;
  std::string session_id_;
};

TEST_F(HttpTest, InitializeCreatesASessionAndAnswersWithJson) {
  start();
  initialize();
  EXPECT_EQ(http_->session_count(), 1u);
  Response r = post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(json::parse(r.body).at("id"), 1);
}

TEST_F(HttpTest, RequiresAKnownSessionId) {
  start();
  Response r = post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})");
  EXPECT_EQ(r.status, 400u);
  session_id_ = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 404u);
}

TEST_F(HttpTest, AnswersMalformedJsonWithoutASessionWith400) {
  start();
  Response r = post(R"({"jsonrpc":"2.0","id":1,"method":"initialize","method":"x"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(json::parse(r.body).at("error").at("code"), -32600);
}

TEST_F(HttpTest, DeleteEndsTheSession) {
  start();
  initialize();
  Response r = send(http::verb::delete_, "/mcp", {{"Mcp-Session-Id", session_id_}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(http_->session_count(), 0u);
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 404u);
}

TEST_F(HttpTest, RefusesUnsupportedProtocolVersionHeader) {
  start();
  initialize();
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", {{"MCP-Protocol-Version", "2024-01-01"}}).status, 400u);
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})", {{"MCP-Protocol-Version", "2025-06-18"}}).status, 200u);
}

TEST_F(HttpTest, RefusesForeignOriginsAndAcceptsLoopbackOnes) {
  start();
  Response r = post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
                    {{"Origin", "https://evil.example"}});
  EXPECT_EQ(r.status, 403u);
  r = post(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})",
           {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(r.status, 200u);
}

TEST_F(HttpTest, RefusesForeignHostHeadersOnLoopback) {
  start();
  Response r = send(http::verb::post, "/mcp", {{"Host", "evil.example.com"}, {"Content-Type", "application/json"}},
                    R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  EXPECT_EQ(r.status, 403u);
  r = send(http::verb::post, "/mcp", {{"Host", "localhost:8931"}, {"Content-Type", "application/json"}},
           R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
  EXPECT_EQ(r.status, 200u);
}

TEST(OriginTest, AllowsLoopbackAndListedOriginsOnly) {
  EXPECT_TRUE(origin_allowed("http://localhost", {}));
  EXPECT_TRUE(origin_allowed("http://127.0.0.1:8931", {}));
  EXPECT_TRUE(origin_allowed("https://[::1]:1", {}));
  EXPECT_FALSE(origin_allowed("http://localhost.evil.com", {}));
  EXPECT_FALSE(origin_allowed("http://127.0.0.1.nip.io", {}));
  EXPECT_FALSE(origin_allowed("null", {}));
  EXPECT_TRUE(origin_allowed("https://app.example", {"https://app.example"}));
}

TEST_F(HttpTest, RequiresTheBearerTokenWhenConfigured) {
  HttpOptions options;
  options.bearer_token = "s3cret";
  start(options);
  const std::string init =
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})";
  Response r = post(init);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  EXPECT_EQ(post(init, {{"Authorization", "Bearer wrong!"}}).status, 401u);
  EXPECT_EQ(post(init, {{"Authorization", "Bearer s3cret"}}).status, 200u);
}

// A tool that answers with the identity of the session calling it.
void add_whoami(Server& server) {
  ASSERT_TRUE(server
                  .add_tool(ToolSpec{.name = "whoami"},
                            [](ToolCall& c) -> Result<ToolResult> {
                              auto session = c.session();
                              return ToolResult::text(session ? "[" + session->identity() + "]" : "no session");
                            })
                  .has_value());
}

std::string tool_text(const Response& r) {
  return std::string(json::parse(r.body).at("result").at("content").at(0).at("text").as_string());
}

constexpr const char* kWhoami = R"({"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"whoami"}})";

TEST_F(HttpTest, MapsEachConfiguredTokenToItsIdentity) {
  add_whoami(server_);
  HttpOptions options;
  options.tokens = {{"alice-token-0123456789", "alice"}, {"bob-token-0123456789ab", "bob"}};
  start(options);
  initialize_with_token("bob-token-0123456789ab");
  Response r = post(kWhoami, {{"Authorization", "Bearer bob-token-0123456789ab"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(tool_text(r), "[bob]");
  session_id_.clear();
  initialize_with_token("alice-token-0123456789");
  r = post(kWhoami, {{"Authorization", "Bearer alice-token-0123456789"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(tool_text(r), "[alice]");
}

TEST_F(HttpTest, RefusesRequestsWithoutAConfiguredToken) {
  HttpOptions options;
  options.tokens = {{"alice-token-0123456789", "alice"}};
  start(options);
  const std::string init =
      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})";
  EXPECT_EQ(post(init).status, 401u);
  EXPECT_EQ(post(init, {{"Authorization", "Bearer alice-token-012345678"}}).status, 401u);   // a prefix
  EXPECT_EQ(post(init, {{"Authorization", "Bearer alice-token-01234567890"}}).status, 401u);  // longer
  EXPECT_EQ(post(init, {{"Authorization", "Basic alice-token-0123456789"}}).status, 401u);
  EXPECT_EQ(post(init, {{"Authorization", "bearer alice-token-0123456789"}}).status, 200u);
}

TEST_F(HttpTest, RefusesAnotherIdentityOnAnExistingSession) {
  add_whoami(server_);
  HttpOptions options;
  options.tokens = {{"alice-token-0123456789", "alice"}, {"bob-token-0123456789ab", "bob"}};
  start(options);
  initialize_with_token("alice-token-0123456789");
  Response r = post(kWhoami, {{"Authorization", "Bearer bob-token-0123456789ab"}});
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_EQ(send(http::verb::delete_, "/mcp",
                 {{"Mcp-Session-Id", session_id_}, {"Authorization", "Bearer bob-token-0123456789ab"}})
                .status,
            403u);
  EXPECT_EQ(http_->session_count(), 1u);
  r = post(kWhoami, {{"Authorization", "Bearer alice-token-0123456789"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(tool_text(r), "[alice]");
}

TEST_F(HttpTest, GivesTheSingleBearerTokenTheDefaultIdentityAndNoTokenNone) {
  add_whoami(server_);
  HttpOptions options;
  options.bearer_token = "single-token-0123456789";
  start(options);
  initialize_with_token("single-token-0123456789");
  Response r = post(kWhoami, {{"Authorization", "Bearer single-token-0123456789"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(tool_text(r), "[default]");
}

TEST_F(HttpTest, LeavesTheIdentityEmptyWithoutTokens) {
  add_whoami(server_);
  start();
  initialize();
  Response r = post(kWhoami, {{"Authorization", "Bearer anything-at-all-here"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(tool_text(r), "[]");
}

TEST_F(HttpTest, HandsOtherPathsToTheFallbackWithBodyHeadersAndIdentity) {
  HttpOptions options;
  options.tokens = {{"alice-token-0123456789", "alice"}};
  std::mutex mutex;  // guards seen (written on the server's thread)
  std::vector<HttpRequestView> seen;
  options.fallback = [&](const HttpRequestView& v) -> std::optional<HttpReply> {
    std::lock_guard lock(mutex);
    seen.push_back(v);
    if (v.target == "/missing") return std::nullopt;
    return HttpReply{201, "application/json", R"({"ok":true})", {{"X-Seen", v.method}}};
  };
  start(options);
  Response r = send(http::verb::post, "/api/thing?x=1",
                    {{"Content-Type", "application/json"}, {"Authorization", "Bearer alice-token-0123456789"}},
                    R"({"by":"me"})");
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(r.header("x-seen"), "POST");
  EXPECT_EQ(r.body, R"({"ok":true})");
  r = send(http::verb::get, "/", {});
  EXPECT_EQ(r.status, 201u);
  EXPECT_EQ(send(http::verb::get, "/missing", {}).status, 404u);
  // Foreign origins never reach the fallback.
  EXPECT_EQ(send(http::verb::post, "/api/thing", {{"Origin", "https://evil.example"}}, "{}").status, 403u);
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].method, "POST");
  EXPECT_EQ(seen[0].target, "/api/thing?x=1");
  EXPECT_EQ(seen[0].content_type, "application/json");
  EXPECT_EQ(seen[0].body, R"({"by":"me"})");
  EXPECT_TRUE(seen[0].auth_required);
  EXPECT_EQ(seen[0].identity, std::optional<std::string>("alice"));
  EXPECT_EQ(seen[1].method, "GET");
  EXPECT_EQ(seen[1].identity, std::nullopt);
}

TEST_F(HttpTest, RefusesOversizedBodiesAndHeaders) {
  HttpOptions options;
  options.max_body_bytes = 100;
  options.max_header_bytes = 1024;
  start(options);
  EXPECT_EQ(post(std::string(500, ' ')).status, 413u);
  EXPECT_EQ(post("{}", {{"X-Pad", std::string(2000, 'x')}}).status, 431u);
}

TEST_F(HttpTest, RefusesWrongMethodsPathsAndMediaTypes) {
  start();
  EXPECT_EQ(send(http::verb::put, "/mcp", {}).status, 405u);
  EXPECT_EQ(send(http::verb::get, "/elsewhere", {}).status, 404u);
  EXPECT_EQ(send(http::verb::post, "/mcp", {{"Content-Type", "text/plain"}}, "{}").status, 415u);
  initialize();
  EXPECT_EQ(send(http::verb::get, "/mcp", {{"Mcp-Session-Id", session_id_}}).status, 405u);
}

TEST_F(HttpTest, StreamsProgressAsServerSentEvents) {
  ASSERT_TRUE(server_
                  .add_tool(ToolSpec{.name = "slow"},
                            [](ToolCall& c) -> Result<ToolResult> {
                              c.progress(1, 2);
                              return ToolResult::text("done");
                            })
                  .has_value());
  start();
  initialize();
  Response r =
      post(R"({"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"slow","_meta":{"progressToken":1}}})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("content-type"), "text/event-stream");
  auto ev = events(r.body);
  ASSERT_EQ(ev.size(), 2u) << r.body;
  EXPECT_EQ(ev[0].at("method"), "notifications/progress");
  EXPECT_EQ(ev[1].at("id"), 5);
}

TEST_F(HttpTest, DeliversUnsolicitedMessagesOnTheGetStream) {
  start();
  initialize();
  tcp::socket stream = connect();
  boost::system::error_code ec;
  asio::write(stream,
              asio::buffer(render(http::verb::get, "/mcp",
                                  {{"Accept", "text/event-stream"}, {"Mcp-Session-Id", session_id_}}, "")),
              ec);
  ASSERT_FALSE(ec);
  std::string received;
  asio::read_until(stream, asio::dynamic_buffer(received), "\r\n\r\n", ec);
  ASSERT_FALSE(ec);
  EXPECT_NE(received.find("text/event-stream"), std::string::npos);
  ASSERT_TRUE(server_.add_tool(ToolSpec{.name = "new"}, [](ToolCall&) -> Result<ToolResult> { return ToolResult{}; })
                  .has_value());
  asio::read_until(stream, asio::dynamic_buffer(received), "list_changed", ec);
  EXPECT_FALSE(ec) << ec.message();
}

TEST_F(HttpTest, RoundTripsAnElicitationAcrossTwoPosts) {
  ASSERT_TRUE(server_
                  .add_async_tool(ToolSpec{.name = "ask"},
                                  [](std::shared_ptr<ToolCall> c) {
                                    c->elicit("ok?", json::object{{"type", "object"}}, std::chrono::minutes(1),
                                              [c](Result<json::object> r) {
                                                c->finish(r ? ToolResult::text(json::serialize(*r))
                                                            : ToolResult::error(r.error().message()));
                                              });
                                  })
                  .has_value());
  start();
  initialize(json::object{{"elicitation", json::object{}}});
  tcp::socket first = connect();
  Headers h{{"Content-Type", "application/json"},
            {"Accept", "application/json, text/event-stream"},
            {"Mcp-Session-Id", session_id_}};
  boost::system::error_code ec;
  asio::write(first,
              asio::buffer(render(http::verb::post, "/mcp", h,
                                  R"({"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"ask"}})")),
              ec);
  std::string received;
  const std::size_t n = asio::read_until(first, asio::dynamic_buffer(received), "\n\n", ec);
  ASSERT_FALSE(ec) << ec.message();
  const std::size_t data = received.find("data: ");
  ASSERT_NE(data, std::string::npos) << received;
  json::value request = json::parse(received.substr(data + 6, n - 2 - data - 6));
  EXPECT_EQ(request.at("method"), "elicitation/create");
  Response answer = post(json::serialize(
      json::object{{"jsonrpc", "2.0"}, {"id", request.at("id")}, {"result", json::object{{"action", "decline"}}}}));
  EXPECT_EQ(answer.status, 202u);
  asio::read_until(first, asio::dynamic_buffer(received), "0\r\n\r\n", ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_NE(received.find("decline"), std::string::npos);
  EXPECT_NE(received.find("\"id\":9"), std::string::npos);
}

TEST_F(HttpTest, EndsIdleSessionsWhenANewOneIsCreated) {
  HttpOptions options;
  options.session_idle_timeout = std::chrono::milliseconds(0);  // every other session counts as idle
  start(options);
  initialize();
  const std::string first = session_id_;
  session_id_.clear();
  initialize();
  EXPECT_EQ(http_->session_count(), 1u);
  session_id_ = first;
  EXPECT_EQ(post(R"({"jsonrpc":"2.0","id":1,"method":"ping"})").status, 404u);
}

TEST_F(HttpTest, ServesManySessionsOnOneThread) {
  start();
  std::set<std::string> ids;
  for (int i = 0; i < 20; ++i) {
    session_id_.clear();
    initialize();
    ids.insert(session_id_);
  }
  EXPECT_EQ(ids.size(), 20u);
  EXPECT_EQ(http_->session_count(), 20u);
}

}  // namespace
}  // namespace wg::mcp
