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

#include "app/client_test_support.h"
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

using test_support::kWait;

class ProxyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::fresh_test_dir("proxy_test");
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
    client_ = connect(client_capabilities_);
    auto init = rpc_with([&](mcp::RpcReplyHandler h) { client_->initialize(std::move(h)); });
    if (!init) return make_error(ErrorCode::Io, init.error().message);
    return ok();
  }

  // A downstream client of the proxy's Server (not yet initialized) that
  // records the requests it receives and answers them from answers_.
  std::shared_ptr<mcp::Client> connect(const json::object& capabilities) {
    mcp::ClientOptions options;
    options.capabilities = capabilities;
    auto client =
        mcp::Client::create(io_.get_executor(), std::make_unique<LoopbackTransport>(proxy_->server(), io_), options);
    client->on_request([this](const std::string& method, const json::object& params, mcp::RpcReplyHandler reply) {
      std::function<mcp::RpcReply(const json::object&)> answer;
      {
        std::lock_guard lock(mutex_);
        client_requests_.emplace_back(method, params);
        if (auto it = answers_.find(method); it != answers_.end()) answer = it->second;
      }
      if (method == "elicitation/create" && elicit_answer_) {
        {
          std::lock_guard lock(mutex_);
          elicitations_.push_back(params);
        }
        return reply(elicit_answer_());
      }
      if (answer) return reply(answer(params));
      reply(std::unexpected(mcp::RpcError{-32601, "not supported", std::nullopt}));
    });
    client->on_notification([this](const std::string& method, const json::object& params) {
      std::lock_guard lock(mutex_);
      notifications_.emplace_back(method, params);
      cv_.notify_all();
    });
    return client;
  }

  mcp::RpcReply rpc_with(const std::function<void(mcp::RpcReplyHandler)>& send) { return test_support::wait_reply(send); }

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

  static std::string text_of(const json::object& result) { return test_support::first_text(result); }
  static bool is_error(const json::object& result) { return test_support::is_error(result); }

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

  std::vector<json::object> audit_records() { return test_support::read_jsonl(dir_ / "state" / "audit.jsonl"); }

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

  // A shell-script upstream that answers by method (ids read from the
  // proxy's requests) and appends every line it receives to received.jsonl:
  // what reached the upstream, for the test to check. It offers one tool
  // "boom", resources test://r$gen and prompt p$gen (gen starts at 1);
  // `on_call` runs for each tools/call with $id, $calls (1, 2, ...) and
  // the helpers send LINE / recv (read one line, logged) / reply RESULT.
  // `on_list` runs before the answer to tools/list (during Proxy::start).
  ProxyConfig shell_upstream(const std::string& policy, const std::string& on_call, const std::string& on_list = "") {
    std::string script = R"SH(LOG='@LOG@'
gen=1; calls=0
send() { printf '%s\n' "$1"; }
recv() { IFS= read -r r; printf '%s\n' "$r" >> "$LOG"; }
reply() { send '{"jsonrpc":"2.0","id":'"$id"',"result":'"$1"'}'; }
while IFS= read -r l; do
  printf '%s\n' "$l" >> "$LOG"
  id=$(printf '%s' "$l" | sed -n 's/^{"jsonrpc":"2.0","id":\([0-9]*\),"method".*/\1/p')
  [ -z "$id" ] && continue
  case "$l" in
    *'"method":"initialize"'*) reply '{"protocolVersion":"2025-11-25","capabilities":{"tools":{},"resources":{"subscribe":true,"listChanged":true},"prompts":{"listChanged":true}},"serverInfo":{"name":"shell","version":"1"}}' ;;
    *'"method":"tools/list"'*) @ON_LIST@
      reply '{"tools":[{"name":"boom","inputSchema":{"type":"object"}}]}' ;;
    *'"method":"resources/list"'*) reply '{"resources":[{"uri":"test://r'$gen'","name":"r'$gen'"}]}' ;;
    *'"method":"resources/templates/list"'*) reply '{"resourceTemplates":[]}' ;;
    *'"method":"prompts/list"'*) reply '{"prompts":[{"name":"p'$gen'"}]}' ;;
    *'"method":"tools/call"'*) calls=$((calls+1))
@ON_CALL@
      ;;
    *) send '{"jsonrpc":"2.0","id":'"$id"',"error":{"code":-32601,"message":"no"}}' ;;
  esac
done
)SH";
    script.replace(script.find("@LOG@"), 5, (dir_ / "received.jsonl").string());
    script.replace(script.find("@ON_CALL@"), 9, on_call);
    script.replace(script.find("@ON_LIST@"), 9, on_list);
    ProxyConfig c = config(policy);
    c.upstream_argv = {"/bin/sh", write("shell_upstream.sh", script)};
    return c;
  }

  // The lines the shell upstream received.
  std::vector<std::string> received() {
    std::vector<std::string> lines;
    std::ifstream in(dir_ / "received.jsonl");
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }
  // The received lines that contain `needle`.
  std::vector<std::string> received_with(std::string_view needle) {
    std::vector<std::string> out;
    for (auto& l : received()) {
      if (l.find(needle) != std::string::npos) out.push_back(l);
    }
    return out;
  }

  std::vector<std::string> client_request_methods() {
    std::lock_guard lock(mutex_);
    std::vector<std::string> out;
    for (const auto& [m, p] : client_requests_) out.push_back(m);
    return out;
  }

  static constexpr const char* kOk = "{\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}";

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
  std::vector<std::pair<std::string, json::object>> client_requests_;                 // guarded by mutex_
  std::map<std::string, std::function<mcp::RpcReply(const json::object&)>> answers_;  // by method; set before start
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

TEST_F(ProxyTest, SessionScopedLimitsCountResourceReadsAndPromptGetsPerSession) {
  // The Gate learns the session of a resources/read or prompts/get (a
  // session-scoped counter needs it: without it every such call would be a
  // state_error refusal).
  ASSERT_TRUE(start(config(std::string(kAllowAll) +
                           "resources:\n  \"test://static-text\":\n    rules:\n      - name: once-per-session\n"
                           "        rate_limit: {count: 1, window: minute, scope: session}\n"
                           "prompts:\n  test_simple_prompt:\n    rules:\n      - name: prompt-once\n"
                           "        rate_limit: {count: 1, window: minute, scope: session}\n")));
  auto first = rpc("resources/read", json::object{{"uri", "test://static-text"}});
  ASSERT_TRUE(first) << first.error().message;
  auto second = rpc("resources/read", json::object{{"uri", "test://static-text"}});
  ASSERT_FALSE(second);
  EXPECT_NE(second.error().message.find("once-per-session"), std::string::npos) << second.error().message;
  auto prompt = rpc("prompts/get", json::object{{"name", "test_simple_prompt"}});
  ASSERT_TRUE(prompt) << prompt.error().message;
  auto again = rpc("prompts/get", json::object{{"name", "test_simple_prompt"}});
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("prompt-once"), std::string::npos) << again.error().message;
  const auto records = audit_records();
  ASSERT_EQ(records.size(), 4u);
  EXPECT_FALSE(std::string(records[0].at("session").as_string()).empty());
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

// ---- server->client requests, list changes, cancellation ----------------

TEST_F(ProxyTest, RelaysUpstreamSamplingToTheCallingClientAndItsAnswerBack) {
  client_capabilities_ = json::object{{"sampling", json::object{}}};
  answers_["sampling/createMessage"] = [](const json::object& params) -> mcp::RpcReply {
    const std::string prompt(params.at("messages").at(0).at("content").at("text").as_string());
    return json::object{{"role", "assistant"},
                        {"content", json::object{{"type", "text"}, {"text", "model says " + prompt}}},
                        {"model", "fake"},
                        {"stopReason", "endTurn"}};
  };
  ASSERT_TRUE(start(config(kAllowAll)));
  const json::object r = call("test_sampling", json::object{{"prompt", "hello"}});
  EXPECT_FALSE(is_error(r)) << json::serialize(r);
  EXPECT_EQ(text_of(r), "LLM response: model says hello");
  EXPECT_EQ(client_request_methods(), std::vector<std::string>{"sampling/createMessage"});
}

TEST_F(ProxyTest, RelaysTheClientsErrorForASamplingRequestWithItsCode) {
  client_capabilities_ = json::object{{"sampling", json::object{}}};
  answers_["sampling/createMessage"] = [](const json::object&) -> mcp::RpcReply {
    return std::unexpected(mcp::RpcError{-1, "User rejected sampling request", std::nullopt});
  };
  ASSERT_TRUE(start(config(kAllowAll)));
  const json::object r = call("test_sampling", json::object{{"prompt", "hello"}});
  EXPECT_TRUE(is_error(r));
  // The upstream (the conformance fixture) reports the error it received.
  EXPECT_NE(text_of(r).find("error -1: User rejected sampling request"), std::string::npos) << text_of(r);
}

TEST_F(ProxyTest, RelaysElicitationToAClientThatDeclaredIt) {
  client_capabilities_ = json::object{{"elicitation", json::object{}}};
  elicit_answer_ = [] {
    return json::object{{"action", "accept"},
                        {"content", json::object{{"username", "ada"}, {"email", "ada@example.org"}}}};
  };
  ASSERT_TRUE(start(config(kAllowAll)));
  const json::object r = call("test_elicitation", json::object{{"message", "who are you?"}});
  EXPECT_FALSE(is_error(r)) << json::serialize(r);
  EXPECT_NE(text_of(r).find("ada@example.org"), std::string::npos) << text_of(r);
  std::lock_guard lock(mutex_);
  ASSERT_EQ(elicitations_.size(), 1u);
  EXPECT_EQ(elicitations_[0].at("message"), "who are you?");
}

TEST_F(ProxyTest, NeverSendsElicitationOrSamplingToAClientThatDidNotDeclareThem) {
  ASSERT_TRUE(start(config(kAllowAll)));  // the client declares no capabilities
  const json::object e = call("test_elicitation", json::object{{"message", "who are you?"}});
  EXPECT_TRUE(is_error(e));
  EXPECT_NE(text_of(e).find("did not declare the \"elicitation\" capability"), std::string::npos) << text_of(e);
  const json::object s = call("test_sampling", json::object{{"prompt", "hello"}});
  EXPECT_TRUE(is_error(s));
  EXPECT_NE(text_of(s).find("did not declare the \"sampling\" capability"), std::string::npos) << text_of(s);
  EXPECT_TRUE(client_request_methods().empty());
  // The proxy still serves.
  EXPECT_EQ(text_of(call("test_simple_text")), "This is a simple text response for testing.");
}

TEST_F(ProxyTest, RelaysRootsListToTheClientWhoseCallIsInFlight) {
  client_capabilities_ = json::object{{"roots", json::object{}}};
  answers_["roots/list"] = [](const json::object&) -> mcp::RpcReply {
    return json::object{{"roots", json::array{json::object{{"uri", "file:///work/project"}, {"name", "project"}}}}};
  };
  ASSERT_TRUE(start(shell_upstream(kAllowAll,
                                   "send '{\"jsonrpc\":\"2.0\",\"id\":\"up-1\",\"method\":\"roots/list\"}'; recv; "
                                   "reply '" +
                                       std::string(kOk) + "'")));
  EXPECT_EQ(text_of(call("boom")), "ok");
  const auto answers = received_with("\"up-1\"");
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_NE(answers[0].find("\"result\":{\"roots\":[{\"uri\":\"file:///work/project\""), std::string::npos)
      << answers[0];
}

TEST_F(ProxyTest, AnswersAnUpstreamRequestWithNoCallInFlightWithAnErrorAndAnswersPingItself) {
  client_capabilities_ = json::object{{"roots", json::object{}}};
  // While the proxy starts (no call can be in flight) the upstream asks
  // for roots, pings, and sends a method nobody relays.
  ASSERT_TRUE(
      start(shell_upstream(kAllowAll, "reply '" + std::string(kOk) + "'",
                           "send '{\"jsonrpc\":\"2.0\",\"id\":\"up-2\",\"method\":\"roots/list\"}'; recv; "
                           "send '{\"jsonrpc\":\"2.0\",\"id\":\"up-3\",\"method\":\"ping\"}'; recv; "
                           "send '{\"jsonrpc\":\"2.0\",\"id\":\"up-4\",\"method\":\"sampling/unknownThing\"}'; recv")));
  EXPECT_EQ(text_of(call("boom")), "ok");
  const auto roots = received_with("\"up-2\"");
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_NE(roots[0].find("\"code\":-32601"), std::string::npos) << roots[0];
  EXPECT_NE(roots[0].find("none is"), std::string::npos) << roots[0];
  const auto ping = received_with("\"up-3\"");
  ASSERT_EQ(ping.size(), 1u);
  EXPECT_NE(ping[0].find("\"result\":{}"), std::string::npos) << ping[0];
  const auto unknown = received_with("\"up-4\"");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].find("not relayed"), std::string::npos) << unknown[0];
  EXPECT_TRUE(client_request_methods().empty());
}

TEST_F(ProxyTest, RefusesToGuessWhichClientAnUpstreamRequestIsForWhenSeveralHaveCallsInFlight) {
  client_capabilities_ = json::object{{"roots", json::object{}}};
  answers_["roots/list"] = [](const json::object&) -> mcp::RpcReply { return json::object{{"roots", json::array{}}}; };
  // The first call waits; the second (from another client) makes the
  // upstream ask for roots, then both calls are answered.
  ASSERT_TRUE(
      start(shell_upstream(kAllowAll,
                           "if [ $calls = 1 ]; then first=$id; else "
                           "send '{\"jsonrpc\":\"2.0\",\"id\":\"up-5\",\"method\":\"roots/list\"}'; recv; reply '" +
                               std::string(kOk) + "'; id=$first; reply '" + std::string(kOk) + "'; fi")));
  auto other = connect(client_capabilities_);
  ASSERT_TRUE(rpc_with([&](mcp::RpcReplyHandler h) { other->initialize(std::move(h)); }));
  auto first = std::make_shared<std::promise<mcp::RpcReply>>();
  client_->request("tools/call", json::object{{"name", "boom"}, {"arguments", json::object{}}},
                   [first](mcp::RpcReply r) { first->set_value(std::move(r)); });
  auto second = rpc_with([&](mcp::RpcReplyHandler h) {
    other->request("tools/call", json::object{{"name", "boom"}, {"arguments", json::object{}}}, std::move(h));
  });
  ASSERT_TRUE(second);
  EXPECT_EQ(text_of(*second), "ok");
  auto f = first->get_future();
  ASSERT_EQ(f.wait_for(kWait), std::future_status::ready);
  EXPECT_TRUE(f.get().has_value());
  other->close();
  const auto roots = received_with("\"up-5\"");
  ASSERT_EQ(roots.size(), 1u);
  EXPECT_NE(roots[0].find("2 clients are in flight"), std::string::npos) << roots[0];
  EXPECT_TRUE(client_request_methods().empty());
}

TEST_F(ProxyTest, ACancelledCallCancelsTheUpstreamRequestAndReleasesItsReservation) {
  // The first call waits for the cancellation, then logs "got-cancel"; the
  // second call is answered.
  ASSERT_TRUE(start(shell_upstream(
      std::string(kHeader) + "tools:\n  boom:\n    rules:\n      - name: once\n        rate_limit: 1/minute\n",
      "if [ $calls = 1 ]; then recv; send '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":"
      "{\"level\":\"info\",\"data\":\"got-cancel\"}}'; else reply '" +
          std::string(kOk) + "'; fi")));
  auto cancelled = std::make_shared<std::promise<mcp::RpcReply>>();
  const mcp::RequestId id =
      client_->request("tools/call", json::object{{"name", "boom"}, {"arguments", json::object{}}},
                       [cancelled](mcp::RpcReply r) { cancelled->set_value(std::move(r)); });
  // The session handles the call (forwarding it) before the cancellation
  // that follows it on the same connection.
  client_->cancel(id, "changed my mind");
  auto r = cancelled->get_future();
  ASSERT_EQ(r.wait_for(kWait), std::future_status::ready);
  EXPECT_FALSE(r.get().has_value());
  EXPECT_TRUE(wait_for_notifications([](const auto& n) {
    return std::any_of(n.begin(), n.end(), [](const auto& p) {
      return p.first == "notifications/message" && p.second.at("data") == "got-cancel";
    });
  }));
  // The reservation was released: the 1/minute rule lets the next call through.
  const json::object again = call("boom");
  EXPECT_FALSE(is_error(again)) << json::serialize(again);
  const auto cancels = received_with("notifications/cancelled");
  ASSERT_EQ(cancels.size(), 1u);
  EXPECT_NE(cancels[0].find("the client cancelled the request"), std::string::npos) << cancels[0];
  const auto records = audit_records();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0].at("upstream"), "failed");
  EXPECT_EQ(records[1].at("upstream"), "ok");
}

TEST_F(ProxyTest, ResourceAndPromptListChangesAreReListedAndToldToSessions) {
  ASSERT_TRUE(
      start(shell_upstream(kAllowAll,
                           "gen=2\n"
                           "send '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/list_changed\"}'\n"
                           "send '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/prompts/list_changed\"}'\n"
                           "send '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":"
                           "{\"uri\":\"test://r1\"}}'\n"
                           "send '{\"jsonrpc\":\"2.0\",\"method\":\"notifications/resources/updated\",\"params\":"
                           "{\"uri\":\"test://not-subscribed\"}}'\n"
                           "reply '" +
                               std::string(kOk) + "'")));
  auto before = rpc("resources/list");
  ASSERT_TRUE(before);
  ASSERT_EQ(before->at("resources").as_array().size(), 1u);
  EXPECT_EQ(before->at("resources").at(0).at("uri"), "test://r1");
  ASSERT_TRUE(rpc("resources/subscribe", json::object{{"uri", "test://r1"}}));
  EXPECT_EQ(text_of(call("boom")), "ok");
  EXPECT_TRUE(wait_for_notifications([](const auto& n) {
    const auto has = [&](std::string_view m) {
      return std::any_of(n.begin(), n.end(), [&](const auto& p) { return p.first == m; });
    };
    return has("notifications/resources/list_changed") && has("notifications/prompts/list_changed") &&
           has("notifications/resources/updated");
  }));
  auto after = rpc("resources/list");
  ASSERT_TRUE(after);
  ASSERT_EQ(after->at("resources").as_array().size(), 1u);
  EXPECT_EQ(after->at("resources").at(0).at("uri"), "test://r2");
  auto prompts = rpc("prompts/list");
  ASSERT_TRUE(prompts);
  ASSERT_EQ(prompts->at("prompts").as_array().size(), 1u);
  EXPECT_EQ(prompts->at("prompts").at(0).at("name"), "p2");
  std::lock_guard lock(mutex_);
  for (const auto& [method, params] : notifications_) {
    if (method == "notifications/resources/updated") {
      EXPECT_EQ(params.at("uri"), "test://r1");
    }
  }
}

TEST_F(ProxyTest, ACallToAToolNameNotInTheMirroredListIsRefusedLocally) {
  ASSERT_TRUE(start(shell_upstream(
      std::string(kHeader) + "tools:\n  boom:\n    rules:\n      - name: no-boom\n        action: deny\n",
      "reply '" + std::string(kOk) + "'")));
  // "bооm" with Cyrillic о (U+043E), "BOOM", and a trailing space: none is
  // the mirrored "boom", so none may reach the upstream nor escape no-boom.
  for (const std::string name : {"b\xD0\xBE\xD0\xBEm", "BOOM", "boom ", "boom\xE2\x80\x8B"}) {
    auto r = rpc("tools/call", json::object{{"name", name}, {"arguments", json::object{}}});
    EXPECT_FALSE(r.has_value()) << name;
  }
  const json::object denied = call("boom");
  EXPECT_TRUE(is_error(denied));
  EXPECT_EQ(denied.at("structuredContent").at("rule"), "no-boom");
  EXPECT_TRUE(received_with("tools/call").empty());
}

}  // namespace
}  // namespace wg::app
