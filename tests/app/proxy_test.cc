// `wasmgate proxy` in process: a downstream mcp::Client talks to the
// Proxy's Server; the upstream is a real child process — `wasmgate serve
// --stdio --conformance-fixture`, or a small shell script that misbehaves.
#include "app/proxy.h"

#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include "mcp/client/client.h"
#include "mcp/server/session.h"
#include "support/subprocess.h"

namespace wg::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

// Connects a downstream Client directly to a Session of the proxy's Server.
class LoopbackTransport : public mcp::ClientTransport {
 public:
  LoopbackTransport(mcp::Server& server, asio::io_context& io) : server_(server), io_(io) {}
  void start(std::function<void(std::string)> on_message, std::function<void(Error)>) override {
    struct Forward : mcp::Outbound {
      std::function<void(std::string)> to_client;
      void send(std::string m) override { to_client(std::move(m)); }
    };
    auto forward = std::make_shared<Forward>();
    forward->to_client = std::move(on_message);
    session_ = server_.open_session(io_.get_executor(), forward);
  }
  void send(std::string message) override { session_->receive(std::move(message)); }
  void close() override {
    if (session_) session_->close();
  }

 private:
  mcp::Server& server_;
  asio::io_context& io_;
  std::shared_ptr<mcp::Session> session_;
};

constexpr std::chrono::seconds kWait{60};  // a safety net against hangs, never a synchronisation

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(::testing::TempDir()) / (std::string("proxy_test_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "state");
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (client_) client_->close();
    client_.reset();
    proxy_.reset();
    work_.reset();
    io_.stop();
    io_thread_.join();
    if (err_) std::fclose(err_);
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  ProxyConfig config(const std::string& policy) {
    ProxyConfig c;
    c.state_dir = (dir_ / "state").string();
    c.policy_file = write("policy.yaml", policy);
    c.upstream_argv = {WG_BINARY, "serve", "--stdio", "--conformance-fixture", "--state", (dir_ / "upstream").string()};
    c.policy_poll = std::chrono::milliseconds(0);
    c.request_timeout = std::chrono::seconds(30);
    return c;
  }

  // Starts the proxy and connects the downstream client (initialized).
  Status start(const ProxyConfig& c) {
    err_ = std::tmpfile();
    auto proxy = Proxy::start(c, upstream_factory(c), err_);
    if (!proxy) {
      ADD_FAILURE() << proxy.error().message();
      return std::unexpected(proxy.error());
    }
    proxy_ = std::move(*proxy);
    mcp::ClientOptions options;
    options.capabilities = client_capabilities_;
    client_ =
        mcp::Client::create(io_.get_executor(), std::make_unique<LoopbackTransport>(proxy_->server(), io_), options);
    client_->on_request([this](const std::string& method, const json::object& params, mcp::RpcReplyHandler reply) {
      if (method != "elicitation/create" || !elicit_answer_) {
        return reply(std::unexpected(mcp::RpcError{-32601, "not supported", std::nullopt}));
      }
      {
        std::lock_guard lock(mutex_);
        elicitations_.push_back(params);
      }
      reply(elicit_answer_());
    });
    client_->on_notification([this](const std::string& method, const json::object& params) {
      std::lock_guard lock(mutex_);
      notifications_.emplace_back(method, params);
      cv_.notify_all();
    });
    auto init = rpc_with([&](mcp::RpcReplyHandler h) { client_->initialize(std::move(h)); });
    if (!init) return make_error(ErrorCode::Io, init.error().message);
    return ok();
  }

  mcp::RpcReply rpc_with(const std::function<void(mcp::RpcReplyHandler)>& send) {
    auto promise = std::make_shared<std::promise<mcp::RpcReply>>();
    auto future = promise->get_future();
    send([promise](mcp::RpcReply r) { promise->set_value(std::move(r)); });
    if (future.wait_for(kWait) != std::future_status::ready) {
      ADD_FAILURE() << "no reply";
      return std::unexpected(mcp::RpcError{-1, "no reply", std::nullopt});
    }
    return future.get();
  }

  mcp::RpcReply rpc(const std::string& method, json::object params = {}) {
    return rpc_with([&](mcp::RpcReplyHandler h) { client_->request(method, std::move(params), std::move(h)); });
  }

  json::object call(const std::string& tool, json::object arguments = {}, json::object meta = {}) {
    json::object params{{"name", tool}, {"arguments", std::move(arguments)}};
    if (!meta.empty()) params["_meta"] = std::move(meta);
    auto r = rpc("tools/call", std::move(params));
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : json::object{};
  }

  static std::string text_of(const json::object& result) {
    const json::value* content = result.if_contains("content");
    if (!content || !content->is_array() || content->get_array().empty()) return {};
    const json::value* text = content->get_array().front().get_object().if_contains("text");
    return text && text->is_string() ? std::string(text->get_string()) : std::string();
  }

  static bool is_error(const json::object& result) {
    const json::value* e = result.if_contains("isError");
    return e && e->is_bool() && e->get_bool();
  }

  std::vector<std::string> listed_tools() {
    std::vector<std::string> names;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      json::object params;
      if (!cursor.empty()) params["cursor"] = cursor;
      auto r = rpc("tools/list", params);
      EXPECT_TRUE(r.has_value());
      if (!r) break;
      for (const json::value& t : r->at("tools").as_array()) names.emplace_back(t.at("name").as_string());
      const json::value* next = r->if_contains("nextCursor");
      if (!next || !next->is_string()) break;
      cursor = std::string(next->get_string());
    }
    return names;
  }

  std::vector<json::object> audit_records() {
    std::vector<json::object> records;
    std::ifstream in(dir_ / "state" / "audit.jsonl");
    for (std::string line; std::getline(in, line);) records.push_back(json::parse(line).as_object());
    return records;
  }

  // Waits until `pred` holds over the notifications received so far.
  bool wait_for_notifications(
      const std::function<bool(const std::vector<std::pair<std::string, json::object>>&)>& pred) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, kWait, [&] { return pred(notifications_); });
  }

  // A shell-script upstream: answers initialize (id 1) and tools/list (id 2)
  // with one tool "boom", then runs `after_call` once tools/call arrives.
  ProxyConfig scripted(const std::string& policy, const std::string& after_call) {
    const std::string script =
        "read -r l\n"
        "echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
        "{\"tools\":{}},\"serverInfo\":{\"name\":\"scripted\",\"version\":\"1\"}}}'\n"
        "read -r l\n"  // notifications/initialized
        "read -r l\n"  // tools/list
        "echo '{\"jsonrpc\":\"2.0\",\"id\":2,\"result\":{\"tools\":[{\"name\":\"boom\",\"inputSchema\":"
        "{\"type\":\"object\"}}]}}'\n"
        "read -r l\n" +  // tools/call
        after_call +
        "\n";
    ProxyConfig c = config(policy);
    c.upstream_argv = {"/bin/sh", write("upstream.sh", script)};
    return c;
  }

  fs::path dir_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{io_.get_executor()};
  std::thread io_thread_;
  std::FILE* err_ = nullptr;
  std::unique_ptr<Proxy> proxy_;
  std::shared_ptr<mcp::Client> client_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<std::pair<std::string, json::object>> notifications_;
  json::object client_capabilities_;
  std::function<json::object()> elicit_answer_;
  std::vector<json::object> elicitations_;
};

constexpr const char* kHeader = "version: \"1\"\ndefault: allow\n";
constexpr const char* kAllowAll = "version: \"1\"\ndefault: allow\ntools: {}\n";

TEST_F(ProxyTest, ForwardsAnAllowedCallAndReturnsTheUpstreamsResult) {
  ASSERT_TRUE(start(config(kAllowAll)));
  const json::object r = call("test_simple_text");
  EXPECT_FALSE(is_error(r)) << json::serialize(r);
  EXPECT_EQ(text_of(r), "This is a simple text response for testing.");
  const auto records = audit_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("upstream"), "ok");
  EXPECT_EQ(records[0].at("decision"), "allow");
}

TEST_F(ProxyTest, MirrorsTheUpstreamsToolDefinitions) {
  ASSERT_TRUE(start(config(kAllowAll)));
  auto r = rpc("tools/list");
  ASSERT_TRUE(r);
  bool found = false;
  for (const json::value& t : r->at("tools").as_array()) {
    if (t.at("name") != "json_schema_2020_12_tool") continue;
    found = true;
    EXPECT_TRUE(t.as_object().contains("description"));
    EXPECT_TRUE(t.at("inputSchema").as_object().contains("properties")) << json::serialize(t);
  }
  EXPECT_TRUE(found);
}

TEST_F(ProxyTest, RefusesADeniedCallNamingTheRuleAndNeverForwardsIt) {
  ASSERT_TRUE(
      start(config(std::string(kHeader) + "tools:\n  test_simple_text:\n    rules:\n      - name: no-simple-text\n"
                                          "        action: deny\n        on_deny: not today\n")));
  const json::object r = call("test_simple_text");
  EXPECT_TRUE(is_error(r));
  EXPECT_NE(text_of(r).find("no-simple-text"), std::string::npos) << text_of(r);
  EXPECT_EQ(r.at("structuredContent").at("rule"), "no-simple-text");
  const auto records = audit_records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].at("upstream"), "not_called");
  // Other tools still pass.
  EXPECT_FALSE(is_error(call("test_image_content")));
}

TEST_F(ProxyTest, HiddenToolsAreAbsentFromEveryListPageAndCannotBeCalled) {
  ProxyConfig c = config(std::string(kAllowAll) + "hide:\n  - test_image_content\n  - \"test_elicitation*\"\n");
  c.page_size = 2;
  ASSERT_TRUE(start(c));
  const auto names = listed_tools();
  EXPECT_GT(names.size(), 5u);
  for (const auto& n : names) {
    EXPECT_NE(n, "test_image_content");
    EXPECT_NE(n.rfind("test_elicitation", 0), 0u) << n;
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "test_simple_text"), names.end());
  auto r = rpc("tools/call", json::object{{"name", "test_image_content"}, {"arguments", json::object{}}});
  EXPECT_FALSE(r.has_value());
}

TEST_F(ProxyTest, RateLimitCountsForwardedCalls) {
  ASSERT_TRUE(
      start(config(std::string(kHeader) + "tools:\n  test_simple_text:\n    rules:\n      - name: twice-a-minute\n"
                                          "        rate_limit: 2/minute\n")));
  EXPECT_FALSE(is_error(call("test_simple_text")));
  EXPECT_FALSE(is_error(call("test_simple_text")));
  const json::object third = call("test_simple_text");
  EXPECT_TRUE(is_error(third));
  EXPECT_EQ(third.at("structuredContent").at("rule"), "twice-a-minute");
  EXPECT_EQ(third.at("structuredContent").at("code"), "limit_exceeded");
}

TEST_F(ProxyTest, GatesResourcesRead) {
  ASSERT_TRUE(start(config(std::string(kAllowAll) +
                           "resources:\n  \"test://static-binary\":\n    rules:\n      - name: no-binary\n"
                           "        action: deny\n")));
  auto listed = rpc("resources/list");
  ASSERT_TRUE(listed);
  EXPECT_GE(listed->at("resources").as_array().size(), 2u);
  auto text = rpc("resources/read", json::object{{"uri", "test://static-text"}});
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(text->at("contents").as_array().at(0).at("text"), "This is the content of the static text resource.");
  auto binary = rpc("resources/read", json::object{{"uri", "test://static-binary"}});
  ASSERT_FALSE(binary);
  EXPECT_NE(binary.error().message.find("no-binary"), std::string::npos) << binary.error().message;
  // A template resource passes through the template.
  auto templated = rpc("resources/read", json::object{{"uri", "test://template/7/data"}});
  EXPECT_TRUE(templated) << (templated ? "" : templated.error().message);
}

TEST_F(ProxyTest, GatesPromptsGet) {
  ASSERT_TRUE(
      start(config(std::string(kAllowAll) + "prompts:\n  test_simple_prompt:\n    rules:\n      - name: no-prompt\n"
                                            "        action: deny\n")));
  auto listed = rpc("prompts/list");
  ASSERT_TRUE(listed);
  EXPECT_GE(listed->at("prompts").as_array().size(), 2u);
  auto denied = rpc("prompts/get", json::object{{"name", "test_simple_prompt"}});
  ASSERT_FALSE(denied);
  EXPECT_NE(denied.error().message.find("no-prompt"), std::string::npos) << denied.error().message;
  auto allowed = rpc("prompts/get", json::object{{"name", "test_prompt_with_arguments"},
                                                 {"arguments", json::object{{"arg1", "a"}, {"arg2", "b"}}}});
  ASSERT_TRUE(allowed) << allowed.error().message;
  EXPECT_FALSE(allowed->at("messages").as_array().empty());
}

TEST_F(ProxyTest, RelaysUpstreamProgressToTheCaller) {
  ASSERT_TRUE(start(config(kAllowAll)));
  const json::object r = call("test_tool_with_progress", {}, json::object{{"progressToken", "mine"}});
  EXPECT_FALSE(is_error(r)) << json::serialize(r);
  std::vector<double> seen;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [method, params] : notifications_) {
      if (method != "notifications/progress") continue;
      EXPECT_EQ(params.at("progressToken"), "mine");
      seen.push_back(params.at("progress").to_number<double>());
    }
  }
  EXPECT_EQ(seen, (std::vector<double>{0, 50, 100}));
}

TEST_F(ProxyTest, RelaysUpstreamLogMessages) {
  ASSERT_TRUE(start(config(kAllowAll)));
  EXPECT_FALSE(is_error(call("test_tool_with_logging")));
  EXPECT_TRUE(wait_for_notifications([](const auto& n) {
    return std::count_if(n.begin(), n.end(), [](const auto& p) { return p.first == "notifications/message"; }) >= 3;
  }));
}

TEST_F(ProxyTest, HotReloadAppliesANewPolicyAndKeepsTheOldOneOnABadFile) {
  ProxyConfig c = config(kAllowAll);
  ASSERT_TRUE(start(c));
  EXPECT_FALSE(is_error(call("test_simple_text")));
  write("policy.yaml",
        "version: \"1\"\ndefault: allow\nhide:\n  - test_image_content\n"
        "tools:\n  test_simple_text:\n    rules:\n      - name: now-denied\n        action: deny\n");
  proxy_->poll_policy();
  const json::object denied = call("test_simple_text");
  EXPECT_TRUE(is_error(denied));
  EXPECT_EQ(denied.at("structuredContent").at("rule"), "now-denied");
  const auto names = listed_tools();
  EXPECT_EQ(std::find(names.begin(), names.end(), "test_image_content"), names.end());
  EXPECT_TRUE(wait_for_notifications([](const auto& n) {
    return std::any_of(n.begin(), n.end(), [](const auto& p) { return p.first == "notifications/tools/list_changed"; });
  }));
  // A broken file keeps the policy in force.
  write("policy.yaml", "version: \"1\"\ndefault: allow\ntools: {}\nno_such_key: 1\n");
  proxy_->poll_policy();
  EXPECT_TRUE(is_error(call("test_simple_text")));
}

constexpr const char* kAskHuman =
    "version: \"1\"\ndefault: allow\ntools:\n  test_simple_text:\n    rules:\n      - name: ask-human\n"
    "        action: require_approval\n";

TEST_F(ProxyTest, ApprovalThroughElicitationLetsTheCallProceedOnce) {
  client_capabilities_ = json::object{{"elicitation", json::object{}}};
  bool approve = true;
  elicit_answer_ = [&approve] {
    return approve ? json::object{{"action", "accept"}, {"content", json::object{{"approve", true}}}}
                   : json::object{{"action", "decline"}};
  };
  ASSERT_TRUE(start(config(kAskHuman)));
  const json::object first = call("test_simple_text");
  EXPECT_FALSE(is_error(first)) << json::serialize(first);
  EXPECT_EQ(text_of(first), "This is a simple text response for testing.");
  approve = false;
  const json::object second = call("test_simple_text");  // the approval was used once
  EXPECT_TRUE(is_error(second));
  EXPECT_EQ(second.at("structuredContent").at("code"), "approval_denied");
  std::lock_guard lock(mutex_);
  ASSERT_EQ(elicitations_.size(), 2u);
  EXPECT_NE(std::string(elicitations_[0].at("message").as_string()).find("ask-human"), std::string::npos);
}

TEST_F(ProxyTest, WithoutElicitationAnApprovalIsPendingUntilAHumanApproves) {
  ASSERT_TRUE(start(config(kAskHuman)));
  const json::object refused = call("test_simple_text");
  EXPECT_TRUE(is_error(refused));
  EXPECT_EQ(refused.at("structuredContent").at("code"), "approval_required");
  const std::string id(refused.at("structuredContent").at("approvalId").as_string());
  ASSERT_FALSE(id.empty());
  auto approved =
      wg::testing::run_process({WG_BINARY, "approvals", "approve", id, "--state", (dir_ / "state").string()});
  ASSERT_EQ(approved.exit_code, 0) << approved.err;
  const json::object retried = call("test_simple_text");
  EXPECT_FALSE(is_error(retried)) << json::serialize(retried);
  EXPECT_EQ(text_of(retried), "This is a simple text response for testing.");
}

TEST_F(ProxyTest, UpstreamCrashMidCallIsAClearErrorAndRollsTheReservationBack) {
  ASSERT_TRUE(start(
      scripted(std::string(kHeader) + "tools:\n  boom:\n    rules:\n      - name: once\n        rate_limit: 1/minute\n",
               "exit 3")));
  const json::object r = call("boom");
  EXPECT_TRUE(is_error(r));
  EXPECT_NE(text_of(r).find("did not complete"), std::string::npos) << text_of(r);
  EXPECT_NE(text_of(r).find("upstream closed"), std::string::npos) << text_of(r);
  // The failed call released its unit: the next call is not refused by the
  // rate limit but fails because the upstream is gone.
  const json::object again = call("boom");
  EXPECT_TRUE(is_error(again));
  EXPECT_FALSE(again.contains("structuredContent")) << json::serialize(again);
  EXPECT_NE(text_of(again).find("closed"), std::string::npos) << text_of(again);
  const auto records = audit_records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("upstream"), "failed");
}

TEST_F(ProxyTest, UpstreamThatAnswersGarbageAndThenNothingTimesOut) {
  ProxyConfig c = scripted(kAllowAll,
                           "echo 'this is not json'\necho '{\"jsonrpc\":\"2.0\",\"id\":99,\"result\":{}}'\n"
                           "cat >/dev/null");
  c.request_timeout = std::chrono::milliseconds(300);
  ASSERT_TRUE(start(c));
  const json::object r = call("boom");
  EXPECT_TRUE(is_error(r));
  EXPECT_NE(text_of(r).find("no response within"), std::string::npos) << text_of(r);
}

TEST_F(ProxyTest, UpstreamThatCannotStartFailsClearly) {
  ProxyConfig c = config(kAllowAll);
  c.upstream_argv = {"/nonexistent/wasmgate-upstream"};
  auto r = Proxy::start(c, upstream_factory(c), stderr);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("upstream"), std::string::npos) << r.error().message();
}

TEST_F(ProxyTest, UpstreamThatExitsBeforeInitializeFailsClearly) {
  ProxyConfig c = config(kAllowAll);
  c.upstream_argv = {"/bin/sh", "-c", "exit 0"};
  auto r = Proxy::start(c, upstream_factory(c), stderr);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("did not initialize"), std::string::npos) << r.error().message();
}

}  // namespace
}  // namespace wg::app
