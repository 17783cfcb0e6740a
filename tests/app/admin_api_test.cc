// The dashboard and the HTTP admin API, in process: a gated tool behind
// `require_approval`, the real HTTP transport on loopback, a real client.
#include "app/admin_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "app/policy_runtime.h"
#include "mcp/server/server.h"
#include "mcp/server/session.h"
#include "mcp/transport/http.h"

#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace wg::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;
using ::testing::HasSubstr;
using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr const char* kPolicy = R"(version: "1"
tools:
  pay:
    rules:
      - name: "payments need a human"
        action: require_approval
)";

struct Response {
  unsigned status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  json::value json() const { return json::parse(body); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

class AdminApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("wg-admin-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "policy.yaml") << kPolicy;
  }

  void TearDown() override {
    if (http_) http_->stop();
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
    http_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Starts the gated server; `tokens` configures bearer authentication.
  void start(std::map<std::string, std::string> tokens = {}) {
    auto rt = open_policy_runtime((dir_ / "policy.yaml").string(), dir_.string());
    ASSERT_TRUE(rt.has_value()) << rt.error().message();
    rt_ = std::move(*rt);
    mcp::Server staging;
    ASSERT_TRUE(staging
                    .add_tool(mcp::ToolSpec{.name = "pay"},
                              [this](mcp::ToolCall&) -> Result<mcp::ToolResult> {
                                ++runs_;
                                return mcp::ToolResult::text("paid");
                              })
                    .has_value());
    ASSERT_TRUE(register_gated(staging, server_, *rt_, stderr).has_value());
    AdminContext admin;
    admin.policy = rt_.get();
    admin.policy_source = (dir_ / "policy.yaml").string();
    admin.audit_path = (dir_ / "audit.jsonl").string();
    mcp::HttpOptions options;
    options.port = 0;
    options.tokens = std::move(tokens);
    options.fallback = admin_fallback(admin);
    auto created = mcp::HttpServer::create(server_, io_, std::move(options));
    ASSERT_TRUE(created.has_value()) << created.error().to_string();
    http_ = std::move(*created);
    thread_ = std::thread([this] { io_.run(); });
  }

  Response send(http::verb method, const std::string& target, const Headers& headers, const std::string& body = "") {
    tcp::socket socket(client_io_);
    boost::system::error_code ec;
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), http_->port()), ec);
    EXPECT_FALSE(ec) << ec.message();
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(socket, req, ec);
    EXPECT_FALSE(ec) << ec.message();
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(socket, buffer, res, ec);
    EXPECT_FALSE(ec) << ec.message();
    Response out;
    out.status = res.result_int();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out.headers[name] = std::string(f.value());
    }
    out.body = res.body();
    return out;
  }

  Headers auth(const std::string& token) const {
    return token.empty() ? Headers{} : Headers{{"Authorization", "Bearer " + token}};
  }

  Response post_json(const std::string& target, const std::string& body, const std::string& token = "") {
    Headers h = auth(token);
    h.emplace_back("Content-Type", "application/json");
    return send(http::verb::post, target, h, body);
  }

  // An MCP session over /mcp (initialize + initialized).
  void open_session(const std::string& token = "") {
    Headers h = auth(token);
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("Accept", "application/json, text/event-stream");
    Response r = send(http::verb::post, "/mcp", h,
                      R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
    ASSERT_EQ(r.status, 200u) << r.body;
    session_ = r.header("mcp-session-id");
    token_ = token;
    h.emplace_back("Mcp-Session-Id", session_);
    ASSERT_EQ(send(http::verb::post, "/mcp", h, R"({"jsonrpc":"2.0","method":"notifications/initialized"})").status,
              202u);
  }

  // tools/call pay {"amount": 5}: the tool result object.
  json::object pay() {
    Headers h = auth(token_);
    h.emplace_back("Content-Type", "application/json");
    h.emplace_back("Accept", "application/json, text/event-stream");
    h.emplace_back("Mcp-Session-Id", session_);
    Response r =
        send(http::verb::post, "/mcp", h,
             R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"pay","arguments":{"amount":5}}})");
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.json().at("result").as_object();
  }

  static std::string code_of(const json::object& result) {
    const auto* sc = result.if_contains("structuredContent");
    return sc ? std::string(sc->at("code").as_string()) : std::string("(none)");
  }
  static std::string approval_id_of(const json::object& result) {
    return std::string(result.at("structuredContent").at("approvalId").as_string());
  }

  std::filesystem::path dir_;
  std::unique_ptr<PolicyRuntime> rt_;
  mcp::Server server_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  asio::io_context client_io_;
  std::unique_ptr<mcp::HttpServer> http_;
  std::thread thread_;
  std::string session_;
  std::string token_;
  std::atomic<int> runs_{0};
};

TEST_F(AdminApiTest, ApprovingThroughTheApiLetsTheCallRunExactlyOnce) {
  start();
  open_session();
  json::object first = pay();
  ASSERT_EQ(code_of(first), "approval_required") << json::serialize(first);
  const std::string id = approval_id_of(first);
  EXPECT_EQ(runs_.load(), 0);

  Response listed = send(http::verb::get, "/api/approvals", {});
  ASSERT_EQ(listed.status, 200u) << listed.body;
  const json::value listed_json = listed.json();
  const json::array& pending = listed_json.at("approvals").as_array();
  ASSERT_EQ(pending.size(), 1u);
  EXPECT_EQ(pending[0].at("id").as_string(), id);
  EXPECT_EQ(pending[0].at("tool"), "pay");
  EXPECT_EQ(pending[0].at("rule"), "payments need a human");

  Response approved = post_json("/api/approvals/" + id + "/approve", R"({"by":"carol"})");
  ASSERT_EQ(approved.status, 200u) << approved.body;
  EXPECT_EQ(approved.json().at("approval").at("status"), "approved");
  EXPECT_EQ(approved.json().at("approval").at("decidedBy"), "carol");

  json::object second = pay();
  EXPECT_FALSE(second.contains("isError") && second.at("isError").as_bool()) << json::serialize(second);
  EXPECT_EQ(runs_.load(), 1);
  // Used once: the same call needs a new approval.
  json::object third = pay();
  ASSERT_EQ(code_of(third), "approval_required");
  EXPECT_NE(approval_id_of(third), id);
  EXPECT_EQ(runs_.load(), 1);

  Response all = send(http::verb::get, "/api/approvals?all=1", {});
  ASSERT_EQ(all.status, 200u);
  bool saw_used = false;
  const json::value all_json = all.json();
  for (const auto& a : all_json.at("approvals").as_array())
    saw_used = saw_used || (a.at("id").as_string() == id && a.at("status") == "used");
  EXPECT_TRUE(saw_used) << all.body;
  // Deciding it again is a conflict: it is no longer pending.
  EXPECT_EQ(post_json("/api/approvals/" + id + "/deny", "{}").status, 409u);
}

TEST_F(AdminApiTest, DenyingThroughTheApiRefusesTheCall) {
  start();
  open_session();
  const std::string id = approval_id_of(pay());
  Response denied = post_json("/api/approvals/" + id + "/deny", "");
  ASSERT_EQ(denied.status, 200u) << denied.body;
  EXPECT_EQ(denied.json().at("approval").at("status"), "denied");
  EXPECT_EQ(denied.json().at("approval").at("decidedBy"), "admin-api");
  EXPECT_EQ(code_of(pay()), "approval_denied");
  EXPECT_EQ(runs_.load(), 0);
  Response again = post_json("/api/approvals/" + id + "/approve", "{}");
  EXPECT_EQ(again.status, 409u);
  EXPECT_EQ(again.json().at("error").at("code"), "conflict");
}

TEST_F(AdminApiTest, AnswersUnknownIdsWith404AndWrongMethodsWith405) {
  start();
  Response r = post_json("/api/approvals/ap_00000000000000000000000000000000/approve", "{}");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.json().at("error").at("code"), "not_found");
  r = send(http::verb::get, "/api/approvals/ap_00000000000000000000000000000000/approve", {});
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(r.header("allow"), "POST");
  EXPECT_EQ(r.json().at("error").at("code"), "method_not_allowed");
  EXPECT_EQ(send(http::verb::delete_, "/api/status", {}).status, 405u);
  EXPECT_EQ(post_json("/api/approvals", "{}").status, 405u);
  EXPECT_EQ(send(http::verb::get, "/api/nothing", {}).status, 404u);
  EXPECT_EQ(post_json("/api/approvals/ap_1/explode", "{}").status, 404u);
  EXPECT_EQ(send(http::verb::get, "/favicon.ico", {}).status, 404u);
}

TEST_F(AdminApiTest, RefusesForeignOriginsNonJsonPostsAndBadBodies) {
  start();
  open_session();
  const std::string id = approval_id_of(pay());
  const std::string target = "/api/approvals/" + id + "/approve";
  Response r =
      send(http::verb::post, target, {{"Origin", "https://evil.example"}, {"Content-Type", "application/json"}}, "{}");
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(send(http::verb::get, "/api/status", {{"Origin", "https://evil.example"}}).status, 403u);
  r = send(http::verb::post, target, {{"Content-Type", "text/plain"}}, "{}");
  EXPECT_EQ(r.status, 415u);
  EXPECT_EQ(r.json().at("error").at("code"), "unsupported_media_type");
  EXPECT_EQ(send(http::verb::post, target, {}, "").status, 415u);
  EXPECT_EQ(post_json(target, "{not json").status, 400u);
  EXPECT_EQ(post_json(target, R"({"by":"a","by":"b"})").status, 400u);
  EXPECT_EQ(post_json(target, R"({"who":"me"})").status, 400u);
  EXPECT_EQ(post_json(target, R"({"by":7})").status, 400u);
  EXPECT_EQ(post_json(target, "[]").status, 400u);
  EXPECT_EQ(post_json(target, R"({"by":")" + std::string(20000, 'x') + R"("})").status, 413u);
  // None of that decided anything; a loopback origin may.
  r = send(http::verb::post, target,
           {{"Origin", "http://localhost:8931"}, {"Content-Type", "application/json; charset=utf-8"}}, "{}");
  EXPECT_EQ(r.status, 200u) << r.body;
}

TEST_F(AdminApiTest, ServesTheDashboardAsOneSelfContainedPage) {
  start();
  Response r = send(http::verb::get, "/", {});
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.header("content-type"), "text/html; charset=utf-8");
  EXPECT_THAT(r.body, HasSubstr("<title>wasmgate</title>"));
  EXPECT_THAT(r.body, HasSubstr("/api/approvals"));
  EXPECT_EQ(r.body.find("http://"), std::string::npos) << "no external URLs";
  EXPECT_EQ(r.body.find("https://"), std::string::npos) << "no external URLs";
  EXPECT_THAT(r.header("content-security-policy"), HasSubstr("frame-ancestors 'none'"));
  EXPECT_THAT(r.header("content-security-policy"), HasSubstr("default-src 'none'"));
  EXPECT_EQ(send(http::verb::post, "/", {{"Content-Type", "application/json"}}, "{}").status, 405u);
}

TEST_F(AdminApiTest, ReportsStatusAndTheAuditTail) {
  start();
  open_session();
  pay();
  pay();
  Response s = send(http::verb::get, "/api/status", {});
  ASSERT_EQ(s.status, 200u) << s.body;
  const json::value status = s.json();
  EXPECT_EQ(status.at("name"), "wasmgate");
  EXPECT_EQ(status.at("mode"), "serve");
  EXPECT_EQ(status.at("policy").at("source").as_string(), (dir_ / "policy.yaml").string());
  EXPECT_EQ(status.at("policy").at("revision").as_string().size(), 64u);
  EXPECT_EQ(status.at("approvals").at("pending"), 1);
  EXPECT_EQ(status.at("audit").at("records"), 2);
  Response a = send(http::verb::get, "/api/audit?limit=1", {});
  ASSERT_EQ(a.status, 200u) << a.body;
  const json::value audit_json = a.json();
  const json::array& records = audit_json.at("records").as_array();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("tool"), "pay");
  EXPECT_EQ(records[0].at("seq"), 2);
  EXPECT_EQ(a.json().at("total"), 2);
  EXPECT_EQ(send(http::verb::get, "/api/audit?limit=0", {}).status, 400u);
  EXPECT_EQ(send(http::verb::get, "/api/audit?limit=many", {}).status, 400u);
  EXPECT_EQ(send(http::verb::get, "/api/audit?limit=100000", {}).status, 400u);
  // A proxy hosts no agents.
  EXPECT_EQ(send(http::verb::get, "/api/agents", {}).status, 404u);
}

TEST_F(AdminApiTest, RequiresATokenAndForbidsDecidingYourOwnApproval) {
  start({{"agent-token-0123456789", "agent"}, {"human-token-0123456789", "human"}});
  EXPECT_EQ(send(http::verb::get, "/", {}).status, 200u);  // the page itself is static
  Response r = send(http::verb::get, "/api/status", {});
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(r.header("www-authenticate"), "Bearer");
  EXPECT_EQ(send(http::verb::get, "/api/approvals", auth("wrong-token-0123456789")).status, 401u);
  r = send(http::verb::get, "/api/status", auth("human-token-0123456789"));
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.json().at("identity"), "human");
  EXPECT_EQ(r.json().at("authRequired"), true);

  open_session("agent-token-0123456789");
  json::object first = pay();
  const std::string id = approval_id_of(first);
  const std::string target = "/api/approvals/" + id + "/approve";
  EXPECT_EQ(post_json(target, "{}").status, 401u);
  r = post_json(target, "{}", "agent-token-0123456789");
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_EQ(r.json().at("error").at("code"), "forbidden");
  r = post_json(target, "{}", "human-token-0123456789");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("approval").at("decidedBy"), "human");
  EXPECT_EQ(r.json().at("approval").at("identity"), "agent");
  pay();
  EXPECT_EQ(runs_.load(), 1);
}

TEST(AdminApiNoPolicyTest, SaysThereIsNothingToApproveWithoutAGate) {
  AdminContext c;  // --no-policy
  mcp::HttpRequestView get{"GET", "/api/approvals", "", "", "", false, std::nullopt};
  auto r = handle_admin_request(c, get);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 404u);
  EXPECT_THAT(r->body, HasSubstr("no_policy"));
  get.target = "/api/status";
  r = handle_admin_request(c, get);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->status, 200u);
  EXPECT_EQ(json::parse(r->body).at("policy"), nullptr);
  get.target = "/elsewhere";
  EXPECT_FALSE(handle_admin_request(c, get).has_value());
}

class TailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = (std::filesystem::temp_directory_path() / ("wg-tail-" + std::to_string(::getpid()) + ".jsonl")).string();
  }
  void TearDown() override { std::filesystem::remove(path_); }
  std::string path_;
};

TEST_F(TailTest, ReturnsTheLastCompleteLinesOldestFirst) {
  std::ofstream(path_) << "{\"n\":1}\n{\"n\":2}\nnot json\n{\"n\":3}\n{\"n\":4, \"torn";
  auto r = tail_jsonl(path_, 2, 1 << 20);
  ASSERT_TRUE(r.has_value()) << r.error().message();
  ASSERT_EQ(r->size(), 1u);  // "not json" is skipped, the torn last line ignored
  EXPECT_EQ(r->at(0).at("n"), 3);
  r = tail_jsonl(path_, 10, 1 << 20);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->at(0).at("n"), 1);
  EXPECT_EQ(r->at(2).at("n"), 3);
}

TEST_F(TailTest, ReadsOnlyTheEndOfALargeFile) {
  {
    std::ofstream out(path_);
    for (int i = 1; i <= 20000; ++i) out << "{\"n\":" << i << "}\n";
  }
  auto r = tail_jsonl(path_, 3, 1 << 20);
  ASSERT_TRUE(r.has_value());
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ(r->at(0).at("n"), 19998);
  EXPECT_EQ(r->at(2).at("n"), 20000);
  // A byte budget smaller than the file still yields whole lines only.
  r = tail_jsonl(path_, 100000, 1000);
  ASSERT_TRUE(r.has_value());
  EXPECT_GT(r->size(), 0u);
  EXPECT_EQ(r->back().at("n"), 20000);
}

TEST_F(TailTest, TreatsAMissingFileAsEmpty) {
  auto r = tail_jsonl(path_ + ".absent", 5, 1 << 20);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

}  // namespace
}  // namespace wg::app
