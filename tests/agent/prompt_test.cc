// The agent loop (AgentService::prompt) against the fake model server
// (tests/llm/fake_model_server.h): a real HTTP server on loopback speaking
// the Anthropic and OpenAI wire formats, streamed and not. No in-process
// mock sits on this path: the providers send real requests and parse real
// replies, and replay re-parses the replies the journal recorded.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <tuple>

#include "agent/conversation.h"
#include "agent/fake_provider.h"
#include "agent/replay.h"
#include "agent/test_util.h"
#include "base/base64.h"

namespace wg::agent {
namespace {

using namespace testing;
using llm::testing::FakeModelServer;
using llm::testing::FakeReply;
using llm::testing::FakeToolCall;

class PromptFixture {
 public:
  explicit PromptFixture(std::string format, std::uint32_t retries = 0,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30))
      : format_(std::move(format)), server_(must(FakeModelServer::start(), "fake server")) {
    ServiceOptions options;
    options.model_provider = [this, retries, timeout](std::string_view model) -> Result<std::unique_ptr<llm::Provider>> {
      models_asked_.emplace_back(model);
      return fake_provider(*server_, format_, retries, timeout, &waits_);
    };
    host_ = std::make_unique<Host>(":memory:", std::move(options));
  }

  Host& host() { return *host_; }
  FakeModelServer& server() { return *server_; }
  const std::vector<std::string>& models_asked() const { return models_asked_; }
  const std::vector<std::chrono::milliseconds>& waits() const { return waits_; }

  Result<Reply> prompt(const std::string& id, std::string input, const PromptHooks& hooks = {},
                       std::optional<std::uint64_t> max_tool_calls = std::nullopt) {
    json::object args{{"agentId", id}, {"input", std::move(input)}};
    if (max_tool_calls) args["maxToolCalls"] = *max_tool_calls;
    return host_->svc().prompt(args, hooks);
  }

 private:
  std::string format_;
  std::unique_ptr<FakeModelServer> server_;
  std::vector<std::string> models_asked_;
  std::vector<std::chrono::milliseconds> waits_;
  std::unique_ptr<Host> host_;
};

FakeToolCall call(std::string id, std::string name, std::string_view input_json) {
  return FakeToolCall{std::move(id), std::move(name), jv(input_json)};
}

std::string write_program_input(std::string_view guest) {
  const auto bytes = guest_bytes(guest);
  return json::serialize(json::object{
      {"path", "/greet.wasm"}, {"content", bytes ? base64_encode(*bytes) : ""}, {"encoding", "base64"}});
}

std::vector<std::string> ops_of(Host& host, const std::string& id) {
  std::vector<std::string> ops;
  for (const auto& e : host.journal(id)) ops.push_back(str(e, "op"));
  return ops;
}

// The multi-step task: write a program, run it, read its output, fix the
// program, run it again, read again, answer. Parameters: wire format and
// whether the loop streams (it streams when the caller wants progress).
class AgentLoopTest : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(AgentLoopTest, MultiStepTaskWritesRunsReadsFixesAndReplays) {
  if (!guest_bytes("greet_buggy")) GTEST_SKIP() << "wat2wasm missing: guest modules were not assembled";
  const auto& [format, streamed] = GetParam();
  PromptFixture f(format);
  auto& server = f.server();
  server.push(FakeReply::tool_use({call("t1", "write_file", write_program_input("greet_buggy"))}, "I'll write it."));
  server.push(FakeReply::tool_use({call("t2", "run", R"({"program": "/greet.wasm"})")}));
  server.push(FakeReply::tool_use({call("t3", "read_file", R"({"path": "/out.txt"})")}));
  server.push(FakeReply::tool_use({call("t4", "write_file", write_program_input("greet_fixed"))}, "A typo; fixing."));
  server.push(FakeReply::tool_use({call("t5", "run", R"({"program": "/greet.wasm"})")}));
  server.push(FakeReply::tool_use({call("t6", "read_file", R"({"path": "/out.txt"})")}));
  server.push(FakeReply::text_reply("Done: /out.txt now says hello, world.").with_usage(40, 9));

  const auto id = f.host().create(R"({"template": "coder", "instructions": "You write WebAssembly."})");
  std::vector<std::string> progress;
  PromptHooks hooks;
  if (streamed) {
    hooks.progress = [&](std::uint64_t step, std::string_view message) {
      EXPECT_EQ(step, progress.size() + 1);
      progress.emplace_back(message);
    };
  }
  auto r = f.prompt(id, "Write a program that writes 'hello, world' to /out.txt.", hooks);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  const auto& s = r->structured;
  EXPECT_FALSE(r->is_error);
  EXPECT_EQ(str(s, "stopReason"), "end_turn");
  EXPECT_EQ(str(s, "reply"), "Done: /out.txt now says hello, world.");
  EXPECT_EQ(num(s, "turns"), 7);
  ASSERT_EQ(s.at("toolCalls").as_array().size(), 6u);
  for (const auto& c : s.at("toolCalls").as_array()) EXPECT_FALSE(c.at("isError").as_bool()) << json::serialize(c);
  // Six replies at the fake's default 11/7 tokens, the last at 40/9.
  EXPECT_EQ(json::serialize(s.at("usage")), R"({"inputTokens":106,"outputTokens":51})");
  EXPECT_EQ(json::serialize(s.at("totalUsage")), json::serialize(s.at("usage")));
  EXPECT_EQ(num(s, "turnCount"), 7);
  EXPECT_EQ(f.host().read(id, "/out.txt"), "hello, world\n");
  EXPECT_EQ(f.models_asked(), std::vector<std::string>{str(f.host().state(id).at("config").as_object(), "model")});

  // What the model was sent: instructions, tools, and each tool's result.
  const auto requests = server.requests();
  ASSERT_EQ(requests.size(), 7u);
  const auto& first = requests[0].json.as_object();
  EXPECT_EQ(first.contains("stream") && first.at("stream").as_bool(), streamed);
  EXPECT_NE(requests[0].body.find("You write WebAssembly."), std::string::npos);
  EXPECT_NE(requests[0].body.find("\"write_file\""), std::string::npos);
  EXPECT_NE(requests[0].body.find("\"run\""), std::string::npos);
  EXPECT_EQ(requests[2].body.find("helo, world"), std::string::npos);
  EXPECT_NE(requests[2].body.find("/greet.wasm exited with code 0"), std::string::npos);  // run's result
  EXPECT_NE(requests[3].body.find("helo, world"), std::string::npos);   // read_file's result, seen before the fix
  EXPECT_EQ(requests[3].body.find("hello, world\\n"), std::string::npos);
  EXPECT_NE(requests[6].body.find("hello, world\\n"), std::string::npos);  // the fixed output

  if (streamed) {
    EXPECT_GE(progress.size(), 13u);  // 7 model turns + 6 tool calls (+ tool-use starts)
    EXPECT_EQ(progress.front().rfind("turn 1: asking", 0), 0u) << progress.front();
  }

  // The journal: create, prompt, then model / model_tool pairs, a final model.
  std::vector<std::string> want{"create", "prompt"};
  for (int i = 0; i < 6; ++i) {
    want.push_back("model");
    want.push_back("model_tool");
  }
  want.push_back("model");
  EXPECT_EQ(ops_of(f.host(), id), want);

  // Replay from the export re-parses the recorded replies (no network: the
  // fake has nothing left to answer) and reproduces every digest.
  const auto exported = must(f.host().svc().export_agent(json::object{{"agentId", id}})).structured;
  auto report = must(replay_export(exported, &f.host().runner()));
  EXPECT_TRUE(report.ok) << replay_report_text(report);
  EXPECT_EQ(report.replayed, want.size());
  EXPECT_EQ(report.final_state_digest, f.host().state_digest(id));
  EXPECT_EQ(server.requests().size(), 7u);

  // Tampering with one recorded reply is caught at exactly that entry.
  json::value tampered = exported;
  auto& journal = tampered.as_object()["journal"].as_array();
  const std::size_t third_model = 2 + 2 * 2;  // index of the third "model" entry
  auto& entry = journal[third_model].as_object();
  ASSERT_EQ(entry.at("op").as_string(), "model");
  auto& raw = entry["args"].as_object()["raw"].as_string();
  const std::string original(raw);
  const auto at = original.find("read_file");  // the call t3; a tool name is never split across stream events
  ASSERT_NE(at, std::string::npos);
  raw = original.substr(0, at) + "list_files" + original.substr(at + 9);
  auto bad = must(replay_export(tampered, &f.host().runner()));
  EXPECT_FALSE(bad.ok);
  EXPECT_EQ(bad.seq, entry.at("seq").as_int64());
  EXPECT_EQ(bad.op, "model");
  EXPECT_EQ(bad.what, "state digest");
}

INSTANTIATE_TEST_SUITE_P(Formats, AgentLoopTest,
                         ::testing::Combine(::testing::Values("anthropic", "openai"), ::testing::Bool()),
                         [](const auto& info) {
                           return std::get<0>(info.param) + (std::get<1>(info.param) ? "_streamed" : "_json");
                         });

// Provider failures: a clear error naming the provider, and the agent left
// consistent — the steps before the failure are kept, nothing half-done,
// and the next prompt works.
class ProviderFailureTest : public ::testing::TestWithParam<std::string> {
 protected:
  // Runs a prompt that fails with `failure` after one completed tool call,
  // checks the agent, then prompts again successfully.
  void expect_failure_handled(FakeReply failure, std::string_view message_part, std::uint32_t retries = 0,
                              std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    PromptFixture f(GetParam(), retries, timeout);
    auto& server = f.server();
    server.push(FakeReply::tool_use({call("w1", "write_file", R"({"path": "/kept.txt", "content": "kept"})")}));
    server.push(std::move(failure));
    const auto id = f.host().create();
    auto r = f.prompt(id, "write kept.txt");
    ASSERT_FALSE(r.has_value()) << r->text;
    const auto message = r.error().message();
    EXPECT_EQ(message.rfind(GetParam() + ": ", 0), 0u) << message;
    EXPECT_NE(message.find(message_part), std::string::npos) << message;
    EXPECT_NE(message.find("1 model replies and 1 tool calls of this prompt were kept"), std::string::npos) << message;
    server.release_held();

    // Completed steps are kept and consistent with the journal.
    EXPECT_EQ(f.host().read(id, "/kept.txt"), "kept");
    EXPECT_EQ(ops_of(f.host(), id), (std::vector<std::string>{"create", "prompt", "model", "model_tool"}));
    const auto state = f.host().state(id);
    EXPECT_EQ(num(state, "turnCount"), 1);
    const auto& messages = state.at("messages").as_array();
    ASSERT_EQ(messages.size(), 3u);  // prompt, tool use, tool result
    EXPECT_TRUE(open_tool_uses(messages).empty());
    auto replayed = must(f.host().svc().replay(json::object{{"agentId", id}}));
    EXPECT_FALSE(replayed.is_error) << replayed.text;

    // The next prompt carries on from there.
    server.push(FakeReply::text_reply("recovered"));
    auto again = f.prompt(id, "go on");
    ASSERT_TRUE(again.has_value()) << again.error().to_string();
    EXPECT_EQ(str(again->structured, "reply"), "recovered");
    EXPECT_EQ(num(again->structured, "turnCount"), 2);
  }
};

TEST_P(ProviderFailureTest, ServerErrorIsReportedAndTheAgentStaysConsistent) {
  expect_failure_handled(FakeReply::error(500, "upstream exploded"), "HTTP 500: upstream exploded");
}

TEST_P(ProviderFailureTest, RateLimitBeyondTheRetriesIsReported) {
  expect_failure_handled(FakeReply::error(429, "slow down", 3), "HTTP 429: slow down");
}

TEST_P(ProviderFailureTest, MalformedReplyIsReported) {
  expect_failure_handled(FakeReply::raw(200, "{\"this is\": not json"), "malformed");
}

TEST_P(ProviderFailureTest, TimeoutIsReported) {
  expect_failure_handled(FakeReply::hang(), "timed out", 0, std::chrono::milliseconds(1000));
}

INSTANTIATE_TEST_SUITE_P(Formats, ProviderFailureTest, ::testing::Values("anthropic", "openai"));

TEST(AgentLoop, RateLimitedReplyIsRetriedAfterTheServersDelayAndThenSucceeds) {
  PromptFixture f("anthropic", 2);
  f.server().push(FakeReply::error(429, "slow down", 2));
  f.server().push(FakeReply::text_reply("after the wait"));
  const auto id = f.host().create();
  auto r = f.prompt(id, "hi");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(str(r->structured, "reply"), "after the wait");
  ASSERT_EQ(f.waits().size(), 1u);
  EXPECT_EQ(f.waits()[0], std::chrono::seconds(2));
  // Only the successful reply is journaled.
  EXPECT_EQ(ops_of(f.host(), id), (std::vector<std::string>{"create", "prompt", "model"}));
}

TEST(AgentLoop, WithoutAProviderThePromptSaysHowToConfigureOne) {
  Host host;
  const auto id = host.create();
  const auto before = host.state_digest(id);
  auto r = host.svc().prompt(json::object{{"agentId", id}, {"input", "hello"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Unsupported);
  EXPECT_NE(r.error().message().find("ANTHROPIC_API_KEY"), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("--llm-config"), std::string::npos) << r.error().message();
  EXPECT_EQ(host.state_digest(id), before);
}

TEST(AgentLoop, ProviderConfigurationErrorsReachTheCaller) {
  ServiceOptions options;
  options.model_provider = [](std::string_view model) -> Result<std::unique_ptr<llm::Provider>> {
    return std::unexpected(Error(ErrorCode::Invalid, "model \"" + std::string(model) + "\": no API key"));
  };
  Host host(":memory:", options);
  const auto id = host.create(R"({"model": "anthropic:x"})");
  auto r = host.svc().prompt(json::object{{"agentId", id}, {"input", "hello"}});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("no API key"), std::string::npos) << r.error().message();
  EXPECT_EQ(ops_of(host, id), std::vector<std::string>{"create"});
}

TEST(AgentLoop, ArgumentsAreCheckedStrictly) {
  PromptFixture f("anthropic");
  const auto id = f.host().create();
  EXPECT_EQ(fails(f.prompt(id, "")).code(), ErrorCode::Invalid);
  auto typo = f.host().svc().prompt(json::object{{"agentId", id}, {"inptu", "x"}});
  ASSERT_FALSE(typo.has_value());
  EXPECT_NE(typo.error().message().find("input"), std::string::npos) << typo.error().message();
  EXPECT_EQ(fails(f.host().svc().prompt(json::object{{"agentId", "agt_nope"}, {"input", "x"}})).code(),
            ErrorCode::NotFound);
  EXPECT_TRUE(f.server().requests().empty());
}

TEST(AgentLoop, PolicyGateRefusalIsFedBackToTheModelAndTheToolDoesNotRun) {
  PromptFixture f("openai");
  f.server().push(FakeReply::tool_use({call("a", "write_file", R"({"path": "/secret", "content": "x"})"),
                                       call("b", "write_file", R"({"path": "/fine", "content": "y"})")}));
  f.server().push(FakeReply::text_reply("ok"));
  const auto id = f.host().create();
  std::vector<std::string> asked;
  std::vector<ModelToolOutcome> finished;
  PromptHooks hooks;
  hooks.gate = [&](std::string_view agent_id, std::string_view tool, const json::value& input) {
    EXPECT_EQ(agent_id, id);
    asked.push_back(std::string(tool) + " " + json::serialize(input.at("path")));
    ModelToolAdmission a;
    if (input.at("path").as_string() == "/secret") {
      a.allowed = false;
      a.refusal = "Denied by policy rule \"no-secrets\": not there";
    } else {
      a.done = [&](ModelToolOutcome o) { finished.push_back(o); };
    }
    return a;
  };
  auto r = f.prompt(id, "write both", hooks);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(asked, (std::vector<std::string>{"write_file \"/secret\"", "write_file \"/fine\""}));
  EXPECT_EQ(finished, std::vector<ModelToolOutcome>{ModelToolOutcome::Succeeded});
  const auto& calls = r->structured.at("toolCalls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_TRUE(calls[0].at("isError").as_bool());
  EXPECT_EQ(calls[0].at("denied").as_string(), "Denied by policy rule \"no-secrets\": not there");
  EXPECT_FALSE(calls[1].at("isError").as_bool());
  EXPECT_EQ(f.host().read(id, "/fine"), "y");
  EXPECT_NE(f.host().read(id, "/secret").find("not found"), std::string::npos);
  // The model saw the refusal as the call's (error) result.
  const auto requests = f.server().requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_NE(requests[1].body.find("no-secrets"), std::string::npos);
  // Replay does not ask the gate again: the refusal is in the journal.
  auto replayed = must(f.host().svc().replay(json::object{{"agentId", id}}));
  EXPECT_FALSE(replayed.is_error) << replayed.text;
}

TEST(AgentLoop, ToolErrorsAreResultsTheModelSees) {
  PromptFixture f("anthropic");
  f.server().push(FakeReply::tool_use({call("a", "read_file", R"({"path": "/missing"})"),
                                       call("b", "no_such_tool", R"({})"),
                                       call("c", "write_file", R"({"path": "/x", "bogus": 1})")}));
  f.server().push(FakeReply::text_reply("noted"));
  const auto id = f.host().create();
  auto r = f.prompt(id, "try things");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  for (const auto& c : r->structured.at("toolCalls").as_array()) EXPECT_TRUE(c.at("isError").as_bool());
  const auto body = f.server().requests()[1].body;
  EXPECT_NE(body.find("/missing"), std::string::npos);
  EXPECT_NE(body.find("no_such_tool"), std::string::npos);
  EXPECT_NE(body.find("bogus"), std::string::npos);
  EXPECT_EQ(str(r->structured, "stopReason"), "end_turn");
}

TEST(AgentLoop, MaxTurnsEndsTheLoopAndLaterPromptsAreRefused) {
  PromptFixture f("anthropic");
  for (int i = 0; i < 2; ++i) {
    f.server().push(FakeReply::tool_use({call("l" + std::to_string(i), "list_files", "{}")}));
  }
  const auto id = f.host().create(R"({"maxTurns": 2})");
  auto r = f.prompt(id, "loop forever");
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(str(r->structured, "stopReason"), "max_turns");
  EXPECT_EQ(num(r->structured, "turns"), 2);
  EXPECT_EQ(f.server().requests().size(), 2u);
  auto again = f.prompt(id, "more");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(again.error().message().find("wasm_agent_reset"), std::string::npos);
  // reset clears the turn count; token usage stays with the agent.
  must(f.host().svc().reset(json::object{{"agentId", id}}));
  EXPECT_EQ(num(f.host().state(id), "turnCount"), 0);
  f.server().push(FakeReply::text_reply("fresh"));
  auto after = f.prompt(id, "hello again");
  ASSERT_TRUE(after.has_value()) << after.error().to_string();
  EXPECT_EQ(json::serialize(after->structured.at("totalUsage")), R"({"inputTokens":33,"outputTokens":21})");
}

TEST(AgentLoop, ToolCallBudgetRefusesCallsBeyondIt) {
  PromptFixture f("openai");
  f.server().push(FakeReply::tool_use({call("a", "write_file", R"({"path": "/1", "content": "1"})"),
                                       call("b", "write_file", R"({"path": "/2", "content": "2"})")}));
  const auto id = f.host().create();
  auto r = f.prompt(id, "write two", {}, 1);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(str(r->structured, "stopReason"), "tool_budget");
  EXPECT_EQ(f.host().read(id, "/1"), "1");
  EXPECT_NE(f.host().read(id, "/2").find("not found"), std::string::npos);
  const auto& calls = r->structured.at("toolCalls").as_array();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_NE(std::string(calls[1].at("denied").as_string()).find("budget"), std::string::npos);
  // Every tool use got an answer, so the conversation stays valid.
  EXPECT_TRUE(open_tool_uses(f.host().state(id).at("messages").as_array()).empty());
}

TEST(AgentLoop, InterruptStopsBeforeTheNextToolCall) {
  PromptFixture f("anthropic");
  f.server().push(FakeReply::tool_use({call("a", "write_file", R"({"path": "/1", "content": "1"})"),
                                       call("b", "write_file", R"({"path": "/2", "content": "2"})")}));
  const auto id = f.host().create();
  PromptHooks hooks;
  hooks.gate = [&](std::string_view agent_id, std::string_view, const json::value&) {
    // What an MCP cancellation does while the first call is being decided.
    EXPECT_TRUE(f.host().svc().interrupt(agent_id).has_value());
    return ModelToolAdmission{};
  };
  auto r = f.prompt(id, "write two", hooks);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(str(r->structured, "stopReason"), "interrupted");
  EXPECT_EQ(f.host().read(id, "/1"), "1");
  EXPECT_NE(f.host().read(id, "/2").find("not found"), std::string::npos);
  EXPECT_EQ(f.server().requests().size(), 1u);
}

TEST(AgentLoop, StoppedAgentsCannotBePrompted) {
  PromptFixture f("anthropic");
  const auto id = f.host().create();
  must(f.host().svc().stop(json::object{{"agentId", id}}));
  EXPECT_EQ(fails(f.prompt(id, "hi")).code(), ErrorCode::Denied);
  EXPECT_TRUE(f.server().requests().empty());
}

TEST(AgentLoop, ConversationAndUsageSurviveARestart) {
  TempDir dir;
  const auto db = (dir.path() / "agents.sqlite3").string();
  auto server = must(FakeModelServer::start());
  ServiceOptions options;
  options.model_provider = [&](std::string_view) -> Result<std::unique_ptr<llm::Provider>> {
    return fake_provider(*server, "anthropic", 0, std::chrono::seconds(30), nullptr);
  };
  Host host(db, options);
  server->push(FakeReply::text_reply("first").with_usage(100, 20));
  const auto id = host.create();
  ASSERT_TRUE(host.svc().prompt(json::object{{"agentId", id}, {"input", "one"}}).has_value());
  const auto digest = host.state_digest(id);
  host.reopen();
  EXPECT_TRUE(host.svc().warnings().empty());
  EXPECT_EQ(host.state_digest(id), digest);
  EXPECT_EQ(json::serialize(host.state(id).at("usage")), R"({"inputTokens":100,"outputTokens":20})");
  server->push(FakeReply::text_reply("second").with_usage(1, 2));
  auto r = host.svc().prompt(json::object{{"agentId", id}, {"input", "two"}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(json::serialize(r->structured.at("totalUsage")), R"({"inputTokens":101,"outputTokens":22})");
  // The second request carried the whole conversation.
  const auto body = server->requests()[1].body;
  EXPECT_NE(body.find("one"), std::string::npos);
  EXPECT_NE(body.find("first"), std::string::npos);
  EXPECT_NE(body.find("two"), std::string::npos);
}

TEST(AgentLoop, ImportedExportKeepsUsageAndReplays) {
  PromptFixture f("openai");
  f.server().push(FakeReply::tool_use({call("a", "write_file", R"({"path": "/n", "content": "1"})")}));
  f.server().push(FakeReply::text_reply("done"));
  const auto id = f.host().create();
  ASSERT_TRUE(f.prompt(id, "go").has_value());
  const auto exported = must(f.host().svc().export_agent(json::object{{"agentId", id}})).structured;
  EXPECT_EQ(json::serialize(exported.at("usage")), R"({"inputTokens":22,"outputTokens":14})");
  auto imported = must(f.host().svc().import_agent(json::object{{"export", exported}}));
  const auto copy = str(imported.structured, "agentId");
  EXPECT_EQ(json::serialize(f.host().state(copy).at("messages")), json::serialize(f.host().state(id).at("messages")));
  auto replayed = must(f.host().svc().replay(json::object{{"agentId", copy}}));
  EXPECT_FALSE(replayed.is_error) << replayed.text;
}

}  // namespace
}  // namespace wg::agent
