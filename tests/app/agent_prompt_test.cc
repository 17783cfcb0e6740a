// wasm_agent_prompt end to end: an mcp::Client drives the real binary
// (`wasmgate serve --stdio --llm-config FILE --policy FILE`) whose agent
// talks to the fake model server (tests/llm) over loopback HTTP. Shows the
// loop's progress notifications reaching the MCP client, the policy gate
// deciding the model's own tool calls, and the audit log recording them.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "app/client_test_support.h"
#include "llm/fake_model_server.h"
#include "mcp/client/client.h"
#include "mcp/client/stdio_child.h"
#include "support/subprocess.h"

namespace wg::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;
using llm::testing::FakeModelServer;
using llm::testing::FakeReply;
using llm::testing::FakeToolCall;

class AgentPromptTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = test_support::fresh_test_dir("agent_prompt_test");
    fs::create_directories(dir_ / "state");
    auto server = FakeModelServer::start();
    ASSERT_TRUE(server.has_value()) << server.error().message();
    model_ = std::move(*server);
    io_thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (client_) client_->close();
    client_.reset();
    work_.reset();
    io_.stop();
    io_thread_.join();
  }

  std::string write(const std::string& name, const std::string& text) {
    const fs::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  void start(const std::string& policy) {
    const auto llm = write("llm.json", json::serialize(json::object{
                                           {"providers", json::object{{"fake", json::object{{"format", "anthropic"},
                                                                                            {"base_url", model_->base_url()},
                                                                                            {"api_key_required", false}}}}},
                                           {"default_model", "fake:model-1"}}));
    std::vector<std::string> argv{WG_BINARY, "serve",        "--stdio", "--state", (dir_ / "state").string(),
                                  "--llm-config", llm, "--policy", write("policy.yaml", policy)};
    auto transport = mcp::StdioChildTransport::spawn(argv);
    ASSERT_TRUE(transport.has_value()) << transport.error().message();
    client_ = mcp::Client::create(io_.get_executor(), std::move(*transport));
    client_->on_notification([this](const std::string& method, const json::object& params) {
      std::lock_guard lock(mutex_);
      if (method == "notifications/progress") progress_.push_back(params);
    });
    ASSERT_TRUE(rpc_with([&](mcp::RpcReplyHandler h) { client_->initialize(std::move(h)); }).has_value());
  }

  mcp::RpcReply rpc_with(const std::function<void(mcp::RpcReplyHandler)>& send) { return test_support::wait_reply(send); }

  json::object call(const std::string& tool, json::object args, std::optional<std::string> progress_token = {}) {
    json::object params{{"name", tool}, {"arguments", std::move(args)}};
    if (progress_token) params["_meta"] = json::object{{"progressToken", *progress_token}};
    auto r = rpc_with([&](mcp::RpcReplyHandler h) { client_->request("tools/call", params, std::move(h)); });
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : json::object{};
  }

  static std::string text_of(const json::object& result) { return test_support::first_text(result); }
  std::vector<json::object> audit_records() { return test_support::read_jsonl(dir_ / "state" / "audit.jsonl"); }

  fs::path dir_;
  std::unique_ptr<FakeModelServer> model_;
  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_{asio::make_work_guard(io_)};
  std::thread io_thread_;
  std::shared_ptr<mcp::Client> client_;
  std::mutex mutex_;
  std::vector<json::object> progress_;
};

constexpr const char* kPolicy =
    "version: \"1\"\n"
    "default: allow\n"
    "tools:\n"
    "  wasm_agent_tool:\n"
    "    rules:\n"
    "      - name: no-secret-writes\n"
    "        conditions:\n"
    "          - path: args.toolInput.path\n"
    "            op: neq\n"
    "            value: /secret.txt\n"
    "        on_deny: secrets stay out of agents\n";

TEST_F(AgentPromptTest, ModelToolCallsPassThePolicyAndProgressReachesTheClient) {
  start(kPolicy);
  model_->push(FakeReply::tool_use({FakeToolCall{"a", "write_file", json::object{{"path", "/secret.txt"}, {"content", "s"}}},
                                    FakeToolCall{"b", "write_file", json::object{{"path", "/ok.txt"}, {"content", "fine"}}}},
                                   "Writing both."));
  model_->push(FakeReply::text_reply("One was refused by policy; /ok.txt is written."));

  const auto created = call("wasm_agent_create", json::object{{"name", "loop"}});
  ASSERT_FALSE(created.contains("isError") && created.at("isError").as_bool()) << text_of(created);
  const std::string id(created.at("structuredContent").at("agentId").as_string());
  EXPECT_EQ(created.at("structuredContent").at("model"), "fake:model-1");  // the config file's default model

  const auto r = call("wasm_agent_prompt", json::object{{"agentId", id}, {"input", "write the files"}}, "p-1");
  ASSERT_FALSE(r.contains("isError") && r.at("isError").as_bool()) << text_of(r);
  const auto& s = r.at("structuredContent").as_object();
  EXPECT_EQ(s.at("reply"), "One was refused by policy; /ok.txt is written.");
  EXPECT_EQ(s.at("stopReason"), "end_turn");
  const auto& calls = s.at("toolCalls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(calls[0].at("isError").as_bool());
  EXPECT_NE(std::string(calls[0].at("denied").as_string()).find("no-secret-writes"), std::string::npos);
  EXPECT_FALSE(calls[1].at("isError").as_bool());

  // The model was told why. The same rule refuses the client's own call on
  // that path (the policy sees both as wasm_agent_tool).
  const auto requests = model_->requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[1].body.find("secrets stay out of agents"), std::string::npos);
  const auto secret = call("wasm_agent_tool", json::object{{"agentId", id},
                                                           {"toolName", "read_file"},
                                                           {"toolInput", json::object{{"path", "/secret.txt"}}}});
  EXPECT_TRUE(secret.at("isError").as_bool());
  EXPECT_NE(text_of(secret).find("no-secret-writes"), std::string::npos) << text_of(secret);
  // wasm_agent_tool declares an outputSchema, so the refusal's details are
  // a second text item, not structuredContent (app::refusal_result).
  EXPECT_FALSE(secret.contains("structuredContent"));
  ASSERT_EQ(secret.at("content").as_array().size(), 2u);
  const auto details = json::parse(secret.at("content").as_array()[1].at("text").as_string()).as_object();
  EXPECT_EQ(details.at("rule"), "no-secret-writes");
  EXPECT_EQ(details.at("code"), "condition_failed");
  const auto ok = call("wasm_agent_tool", json::object{{"agentId", id},
                                                       {"toolName", "read_file"},
                                                       {"toolInput", json::object{{"path", "/ok.txt"}}}});
  EXPECT_EQ(ok.at("structuredContent").at("content"), "fine");

  // Progress: the token of the call, increasing values, readable messages.
  std::vector<json::object> progress;
  {
    std::lock_guard lock(mutex_);
    progress = progress_;
  }
  ASSERT_GE(progress.size(), 3u);  // two model turns and one tool call at least
  double last = 0;
  for (const auto& p : progress) {
    EXPECT_EQ(p.at("progressToken"), "p-1");
    EXPECT_GT(p.at("progress").to_number<double>(), last);
    last = p.at("progress").to_number<double>();
    EXPECT_TRUE(p.contains("message"));
  }

  // The audit log holds the model's calls as wasm_agent_tool decisions.
  int refused = 0, allowed = 0;
  for (const auto& rec : audit_records()) {
    if (rec.at("tool") != "wasm_agent_tool") continue;
    if (rec.at("decision") == "deny") {
      ++refused;
      EXPECT_EQ(rec.at("rule"), "no-secret-writes");
    } else {
      ++allowed;
    }
  }
  EXPECT_EQ(refused, 2);  // the model's write, and the client's read of the same path (one rule covers both)
  EXPECT_GE(allowed, 2);

  // `wasmgate replay` re-runs the export offline: the recorded replies are
  // parsed again (the fake server gets no request), the refusal comes from
  // the journal, and every digest matches.
  const auto exported = call("wasm_agent_export", json::object{{"agentId", id}});
  const auto file = write("export.json", json::serialize(exported.at("structuredContent")));
  const auto replayed = wg::testing::run_process({WG_BINARY, "replay", file, "--json"});
  EXPECT_EQ(replayed.exit_code, 0) << replayed.out << replayed.err;
  const auto report = json::parse(replayed.out).as_object();
  EXPECT_EQ(report.at("ok"), true);
  EXPECT_EQ(report.at("replayed"), report.at("entries"));
  EXPECT_EQ(model_->requests().size(), 2u);
}

TEST_F(AgentPromptTest, WithoutAnApiKeyThePromptSaysHowToConfigureOne) {
  if (std::getenv("ANTHROPIC_API_KEY") != nullptr) GTEST_SKIP() << "ANTHROPIC_API_KEY is set in this environment";
  start("version: \"1\"\ndefault: allow\ntools: {}\n");
  const auto created = call("wasm_agent_create", json::object{{"model", "anthropic:claude-sonnet-4-6"}});
  const std::string id(created.at("structuredContent").at("agentId").as_string());
  const auto r = call("wasm_agent_prompt", json::object{{"agentId", id}, {"input", "hello"}});
  EXPECT_TRUE(r.at("isError").as_bool());
  EXPECT_NE(text_of(r).find("ANTHROPIC_API_KEY"), std::string::npos) << text_of(r);
  EXPECT_TRUE(model_->requests().empty());
}

}  // namespace
}  // namespace wg::app
