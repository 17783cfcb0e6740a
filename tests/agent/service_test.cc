// The agent service over a real SQLite store: creation from templates, the
// journal, restart, export/import, fork, stop/resume/reset, terminate and
// the server-wide cap.
#include "agent/service.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "agent/conversation.h"
#include "agent/test_util.h"
#include "base/base64.h"
#include "vfs/tree_ops.h"

namespace wg::agent {
namespace {

using namespace testing;

// Reads that must not add a journal entry, and the service calls behind them.
std::vector<std::string> tool_names(const json::object& tools_reply) {
  std::vector<std::string> out;
  for (const auto& t : tools_reply.at("tools").as_array()) out.emplace_back(t.at("name").as_string());
  return out;
}

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

class AgentServiceTest : public ::testing::Test {
 protected:
  // Checks that `op` added exactly one journal entry to `id` and that the
  // entry records the state wasm_agent_state reports.
  void expect_one_entry(const std::string& id, std::size_t before, std::string_view op) {
    expect_one_entry(host_, id, before, op);
  }
  static void expect_one_entry(Host& host, const std::string& id, std::size_t before, std::string_view op) {
    const auto entries = host.journal(id);
    ASSERT_EQ(entries.size(), before + 1) << op;
    const auto& last = entries.back();
    EXPECT_EQ(str(last, "op"), op);
    EXPECT_EQ(num(last, "seq"), static_cast<std::int64_t>(before + 1));
    EXPECT_EQ(str(last, "stateDigest"), host.state_digest(id)) << op;
    EXPECT_EQ(str(last, "resultDigest").size(), 64u);
    EXPECT_EQ(num(host.state(id), "journalSeq"), static_cast<std::int64_t>(before + 1));
  }

  Host host_;
};

// ---- create ---------------------------------------------------------------

TEST_F(AgentServiceTest, CreateFromATemplateAppliesItsSettings) {
  const auto tmpl = must(host_.gallery().get("coder"));
  auto r = must(host_.svc().create(jo(R"({"template": "coder"})")));
  const std::string id = str(r.structured, "agentId");
  EXPECT_EQ(id.size(), 20u);
  EXPECT_EQ(id.rfind("agt_", 0), 0u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef", 4), std::string::npos) << id;
  const auto& config = r.structured.at("config").as_object();
  EXPECT_EQ(str(config, "template"), "coder");
  EXPECT_EQ(str(config, "model"), tmpl.model);
  EXPECT_EQ(num(config, "maxTurns"), tmpl.max_turns);
  EXPECT_EQ(str(config, "instructions"), tmpl.instructions);
  auto want_tools = tmpl.tools;
  std::sort(want_tools.begin(), want_tools.end());
  EXPECT_EQ(strings(config.at("tools")), want_tools);
  EXPECT_EQ(strings(config.at("runtimes")), tmpl.runtimes);
  const auto& limits = config.at("limits").as_object();
  ASSERT_TRUE(tmpl.limits.fuel && tmpl.limits.timeout_ms);
  EXPECT_EQ(num(limits, "fuel"), static_cast<std::int64_t>(*tmpl.limits.fuel));
  EXPECT_EQ(num(limits, "timeoutMs"), static_cast<std::int64_t>(*tmpl.limits.timeout_ms));
  EXPECT_EQ(num(limits, "maxFiles"), static_cast<std::int64_t>(Limits{}.max_files));  // not set by the template
  // wasm_agent_tools lists the same tools.
  auto tools = must(host_.svc().tools(json::object{{"agentId", id}}));
  EXPECT_EQ(tool_names(tools.structured), want_tools);
  EXPECT_FALSE(tools.structured.at("programs").as_array().empty());
  expect_one_entry(id, 0, "create");
}

TEST_F(AgentServiceTest, CreateArgumentsOverrideTheTemplateAndLimitsAreClampedToTheServerMaximum) {
  auto r = must(host_.svc().create(jo(R"({"template": "reviewer", "model": "openai:gpt-x", "maxTurns": 7,
      "name": "mine", "tools": ["read_file", "grep", "read_file"], "runtimes": ["coreutils"],
      "limits": {"maxFiles": 5, "fuel": 999999999999999}})")));
  const auto& config = r.structured.at("config").as_object();
  EXPECT_EQ(str(config, "template"), "reviewer");
  EXPECT_EQ(str(config, "model"), "openai:gpt-x");
  EXPECT_EQ(num(config, "maxTurns"), 7);
  EXPECT_EQ(str(config, "name"), "mine");
  EXPECT_EQ(strings(config.at("tools")), (std::vector<std::string>{"grep", "read_file"}));
  EXPECT_EQ(strings(config.at("runtimes")), std::vector<std::string>{"coreutils"});
  EXPECT_EQ(num(config.at("limits").as_object(), "maxFiles"), 5);
  EXPECT_EQ(num(config.at("limits").as_object(), "fuel"), static_cast<std::int64_t>(ServiceOptions{}.max_limits.fuel));
}

TEST_F(AgentServiceTest, CreateWithoutATemplateGrantsEveryToolAndTheDefaultModel) {
  auto r = must(host_.svc().create(json::object{}));
  const auto& config = r.structured.at("config").as_object();
  EXPECT_EQ(str(config, "template"), "");
  EXPECT_EQ(str(config, "model"), ServiceOptions{}.default_model);
  EXPECT_EQ(strings(config.at("tools")), builtin_tool_names());
  EXPECT_TRUE(config.at("runtimes").as_array().empty());
}

TEST_F(AgentServiceTest, SwarmIsAnAliasOfTheOrchestrator) {
  auto r = must(host_.svc().create(jo(R"({"template": "swarm"})")));
  EXPECT_EQ(str(r.structured.at("config").as_object(), "template"), "orchestrator");
  EXPECT_EQ(str(r.structured, "template"), "orchestrator");
}

TEST_F(AgentServiceTest, CreateRefusesUnknownTemplatesAndBadArguments) {
  EXPECT_EQ(fails(host_.svc().create(jo(R"({"template": "no-such-template"})"))).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().create(jo(R"({"template": "../coder"})"))).code(), ErrorCode::Invalid);
  Error e = fails(host_.svc().create(jo(R"({"templte": "coder"})")));
  EXPECT_NE(e.message().find("did you mean \"template\""), std::string::npos) << e.message();
  EXPECT_EQ(fails(host_.svc().create(jo(R"({"tools": ["bash"]})"))).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(host_.svc().create(jo(R"({"maxTurns": 0})"))).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(host_.svc().create(jo(R"({"limits": {"maxFiles": 0}})"))).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(host_.svc().create(jo(R"({"model": ""})"))).code(), ErrorCode::Invalid);
  EXPECT_EQ(host_.svc().live_agents(), 0u);
  EXPECT_TRUE(must(host_.db().load_agents()).empty());
}

TEST_F(AgentServiceTest, UnknownAgentIsNotFoundForEveryOperation) {
  const json::object args{{"agentId", "agt_ffffffffffffffff"}};
  EXPECT_EQ(fails(host_.svc().state(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().files(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().todos(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().tools(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().turn_count(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().is_stopped(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().reset(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().stop(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().resume(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().export_agent(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().fork(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().journal(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().terminate(args)).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.tool("agt_ffffffffffffffff", "list_files", "{}")).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host_.svc().state(json::object{{"agentId", "../../x"}})).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(host_.svc().state(json::object{})).code(), ErrorCode::Invalid);
}

TEST_F(AgentServiceTest, ServerWideAgentCapIsLimitExceeded) {
  ServiceOptions options;
  options.max_agents = 2;
  Host host(":memory:", options);
  const auto a = host.create();
  host.create();
  EXPECT_EQ(fails(host.svc().create(json::object{})).code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(fails(host.svc().fork(json::object{{"agentId", a}})).code(), ErrorCode::LimitExceeded);
  const auto doc = must(host.svc().export_agent(json::object{{"agentId", a}})).structured;
  EXPECT_EQ(fails(host.svc().import_agent(json::object{{"export", doc}})).code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(host.svc().live_agents(), 2u);
  EXPECT_EQ(must(host.db().load_agents()).size(), 2u);
  must(host.svc().terminate(json::object{{"agentId", a}}));
  EXPECT_FALSE(host.create().empty());
}

// ---- the journal --------------------------------------------------------------

TEST_F(AgentServiceTest, EveryChangeAppendsExactlyOneJournalEntryWithTheResultingState) {
  const auto id = host_.create(R"({"template": "coder"})");
  std::size_t n = 1;
  const auto step = [&](std::string_view op, auto&& call) {
    SCOPED_TRACE(op);
    auto r = call();
    ASSERT_TRUE(r.has_value()) << r.error().to_string();
    expect_one_entry(id, n, op);
    ++n;
  };
  step("tool", [&] { return host_.tool(id, "write_file", R"({"path": "/a.txt", "content": "one two"})"); });
  step("tool", [&] { return host_.tool(id, "edit_file", R"({"path": "/a.txt", "old_string": "two",
                                                               "new_string": "three"})"); });
  step("tool", [&] { return host_.tool(id, "write_todos", R"({"todos": [{"content": "x"}]})"); });
  step("tool", [&] { return host_.tool(id, "delete_file", R"({"path": "/a.txt"})"); });
  step("tool", [&] { return host_.tool(id, "run", R"({"program": "ls", "args": ["/"]})"); });
  // wasm_agent_run is the run tool: one "tool" entry naming it.
  step("tool", [&] { return host_.svc().run(json::object{{"agentId", id}, {"program", "pwd"}}); });
  EXPECT_EQ(str(host_.journal(id).back().at("args").as_object(), "toolName"), "run");
  step("stop", [&] { return host_.svc().stop(json::object{{"agentId", id}}); });
  step("resume", [&] { return host_.svc().resume(json::object{{"agentId", id}}); });
  step("reset", [&] { return host_.svc().reset(json::object{{"agentId", id}}); });
}

TEST_F(AgentServiceTest, ReadsAndFailedChangesAddNoJournalEntry) {
  const auto id = host_.create();
  host_.tool_ok(id, "write_file", R"({"path": "/a.txt", "content": "hello"})");
  const auto digest = host_.state_digest(id);
  const auto args = json::object{{"agentId", id}};
  ASSERT_TRUE(host_.tool(id, "read_file", R"({"path": "/a.txt"})").has_value());
  ASSERT_TRUE(host_.tool(id, "list_files", R"({})").has_value());
  ASSERT_TRUE(host_.tool(id, "glob", R"({"pattern": "*"})").has_value());
  ASSERT_TRUE(host_.tool(id, "grep", R"({"pattern": "he"})").has_value());
  ASSERT_TRUE(host_.svc().files(args).has_value());
  ASSERT_TRUE(host_.svc().todos(args).has_value());
  ASSERT_TRUE(host_.svc().tools(args).has_value());
  ASSERT_TRUE(host_.svc().turn_count(args).has_value());
  ASSERT_TRUE(host_.svc().is_stopped(args).has_value());
  ASSERT_TRUE(host_.svc().export_agent(args).has_value());
  ASSERT_TRUE(host_.svc().list().has_value());
  EXPECT_FALSE(host_.tool(id, "edit_file", R"({"path": "/a.txt", "old_string": "zzz", "new_string": "y"})"));
  EXPECT_FALSE(host_.tool(id, "write_file", R"({"path": "/", "content": "y"})"));
  EXPECT_FALSE(host_.tool(id, "write_todos", R"({"todos": 3})"));
  EXPECT_FALSE(host_.tool(id, "run", R"({"program": "cat"})"));  // not granted: no runtimes
  EXPECT_EQ(host_.journal(id).size(), 2u);
  EXPECT_EQ(host_.state_digest(id), digest);
  EXPECT_EQ(must(host_.db().load_journal(id)).size(), 2u);
}

TEST_F(AgentServiceTest, JournalPagesWithAfterSeqAndLimit) {
  const auto id = host_.create();
  for (int i = 0; i < 4; ++i) host_.tool_ok(id, "write_file", R"({"path": "/f", "content": "x", "append": true})");
  auto r = must(host_.svc().journal(json::object{{"agentId", id}, {"afterSeq", 2}, {"limit", 2}}));
  ASSERT_EQ(num(r.structured, "count"), 2);
  EXPECT_EQ(num(r.structured.at("entries").as_array()[0].as_object(), "seq"), 3);
  EXPECT_EQ(num(r.structured, "lastSeq"), 5);
  const auto& entry = r.structured.at("entries").as_array()[0].as_object();
  EXPECT_EQ(str(entry.at("args").as_object(), "toolName"), "write_file");
  EXPECT_EQ(fails(host_.svc().journal(json::object{{"agentId", id}, {"limit", 0}})).code(), ErrorCode::Invalid);
}

// ---- restart ---------------------------------------------------------------------

TEST_F(AgentServiceTest, RestartRestoresEveryAgentWithIdenticalState) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  Host host((dir.path() / "wasmgate.sqlite3").string());
  const auto a = host.create(R"({"template": "coder", "name": "A"})");
  const auto b = host.create(R"({"template": "researcher"})");
  host.tool_ok(a, "write_file", R"({"path": "/src/main.rb", "content": "puts 1\n"})");
  host.tool_ok(a, "write_file",
               json::serialize(json::object{{"path", "/bin/blob"},
                                            {"content", base64_encode(std::string("\x00\xff\x10", 3))},
                                            {"encoding", "base64"}}));
  host.tool_ok(a, "write_todos", R"({"todos": [{"content": "t1", "status": "in_progress"}, {"content": "t2"}]})");
  host.tool_ok(a, "run", R"({"program": "mkdir", "args": ["/empty"]})");
  host.tool_ok(a, "run", R"({"program": "ln", "args": ["-s", "/src/main.rb", "/link"]})");
  host.tool_ok(a, "delete_file", R"({"path": "/src/main.rb"})");
  host.tool_ok(a, "write_file", R"({"path": "/src/main.rb", "content": "puts 2\n"})");
  host.tool_ok(b, "write_file", R"({"path": "/notes/findings.md", "content": "# notes"})");
  must(host.svc().stop(json::object{{"agentId", b}}));

  const auto before_a = host.state(a);
  const auto before_b = host.state(b);
  const auto journal_a = host.journal(a);
  host.reopen();
  EXPECT_TRUE(host.svc().warnings().empty()) << host.svc().warnings().front();
  EXPECT_EQ(host.svc().live_agents(), 2u);
  const auto after_a = host.state(a);
  const auto after_b = host.state(b);
  for (const char* key : {"stateDigest", "vfsDigest", "status", "name", "template"}) {
    EXPECT_EQ(str(after_a, key), str(before_a, key)) << key;
    EXPECT_EQ(str(after_b, key), str(before_b, key)) << key;
  }
  for (const char* key : {"turnCount", "journalSeq", "fileCount", "bytes", "created", "updated"}) {
    EXPECT_EQ(num(after_a, key), num(before_a, key)) << key;
  }
  EXPECT_EQ(json::serialize(after_a.at("todos")), json::serialize(before_a.at("todos")));
  EXPECT_EQ(json::serialize(after_a.at("config")), json::serialize(before_a.at("config")));
  EXPECT_EQ(str(after_b, "status"), "stopped");
  EXPECT_EQ(host.read(a, "/bin/blob"), base64_encode(std::string("\x00\xff\x10", 3)));
  EXPECT_EQ(host.read(a, "/link"), "puts 2\n");
  EXPECT_EQ(host.journal(a).size(), journal_a.size());
  // The restored agent keeps working and journaling from where it was.
  host.tool_ok(a, "write_file", R"({"path": "/after", "content": "restart"})");
  expect_one_entry(host, a, journal_a.size(), "tool");
}

TEST_F(AgentServiceTest, RestartRestoresImportedConversationAndTurnCount) {
  TempDir dir;
  Host host((dir.path() / "db.sqlite3").string());
  // An agent with a conversation and used turns, made directly and imported.
  AgentConfig config;
  config.id = "agt_1111111111111111";
  config.tools = builtin_tool_names();
  config.max_turns = 9;
  Agent agent = make_agent(config);
  agent.turn_count = 3;
  agent.messages.push_back(message_to_json(llm::Message::user_text("hi")));
  agent.messages.push_back(message_to_json(llm::Message::assistant_text("hello")));
  agent.todos.push_back(Todo{"1", "keep me", "pending"});
  ASSERT_TRUE(vfs::write_file(agent.vfs, "/kept.txt", "kept").has_value());
  const auto doc = export_to_json(agent, {});
  auto imported = must(host.svc().import_agent(json::object{{"export", doc}}));
  const std::string id = str(imported.structured, "agentId");
  EXPECT_EQ(id, config.id);  // free, so kept
  const auto digest = host.state_digest(id);
  EXPECT_EQ(digest, to_hex(agent.state_digest()));
  host.reopen();
  EXPECT_EQ(host.state_digest(id), digest);
  auto st = host.state(id);
  EXPECT_EQ(num(st, "turnCount"), 3);
  EXPECT_EQ(st.at("messages").as_array().size(), 2u);
  auto turns = must(host.svc().turn_count(json::object{{"agentId", id}}));
  EXPECT_EQ(num(turns.structured, "turnCount"), 3);
  EXPECT_EQ(num(turns.structured, "maxTurns"), 9);

  // A conversation entry that is not a message (agent/conversation.h) is
  // refused at import, naming it: it could never be sent to a model.
  agent.config.id = "agt_2222222222222222";
  agent.messages.push_back(json::object{{"role", "assistant"}, {"content", json::array{1, 2.5, "x"}}});
  auto bad = host.svc().import_agent(json::object{{"export", export_to_json(agent, {})}});
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message().find("conversation[2]"), std::string::npos) << bad.error().message();

  // reset clears the conversation and turns but keeps files and todos, and
  // that survives a restart too.
  must(host.svc().reset(json::object{{"agentId", id}}));
  st = host.state(id);
  EXPECT_EQ(num(st, "turnCount"), 0);
  EXPECT_TRUE(st.at("messages").as_array().empty());
  EXPECT_EQ(st.at("todos").as_array().size(), 1u);
  EXPECT_EQ(host.read(id, "/kept.txt"), "kept");
  EXPECT_EQ(str(st, "vfsDigest"), to_hex(agent.vfs.digest()));
  const auto reset_digest = host.state_digest(id);
  EXPECT_NE(reset_digest, digest);
  host.reopen();
  EXPECT_EQ(host.state_digest(id), reset_digest);
  EXPECT_TRUE(host.state(id).at("messages").as_array().empty());
}

TEST_F(AgentServiceTest, RestartSkipsAnAgentWhoseRowsDisagreeWithItsDigest) {
  TempDir dir;
  Host host((dir.path() / "db.sqlite3").string());
  const auto good = host.create();
  const auto bad = host.create();
  host.tool_ok(bad, "write_file", R"({"path": "/f", "content": "real"})");
  // Change a file row behind the service's back.
  store::AgentChange change;
  change.agent_id = bad;
  change.put_files.push_back(store::FileRow{"/f", store::kFileTypeRegular, "forged"});
  ASSERT_TRUE(host.db().apply(change).has_value());
  host.reopen();
  ASSERT_EQ(host.svc().warnings().size(), 1u);
  EXPECT_NE(host.svc().warnings()[0].find(bad), std::string::npos) << host.svc().warnings()[0];
  EXPECT_TRUE(host.svc().state(json::object{{"agentId", good}}).has_value());
  EXPECT_EQ(fails(host.svc().state(json::object{{"agentId", bad}})).code(), ErrorCode::NotFound);
}

// ---- export / import -----------------------------------------------------------------

TEST_F(AgentServiceTest, ExportThenImportOnAFreshServiceReproducesTheAgent) {
  const auto id = host_.create(R"({"template": "coder"})");
  host_.tool_ok(id, "write_file", R"({"path": "/a/b.txt", "content": "text\n"})");
  host_.tool_ok(id, "write_file",
                json::serialize(json::object{{"path", "/bin.dat"},
                                             {"content", base64_encode(std::string("\x01\x00\xfe", 3))},
                                             {"encoding", "base64"}}));
  host_.tool_ok(id, "run", R"({"program": "mkdir", "args": ["/empty"]})");
  host_.tool_ok(id, "run", R"({"program": "ln", "args": ["-s", "/a/b.txt", "/link"]})");
  host_.tool_ok(id, "write_todos", R"({"todos": [{"content": "t", "status": "completed"}]})");
  const auto st = host_.state(id);
  const auto doc = must(host_.svc().export_agent(json::object{{"agentId", id}})).structured;
  EXPECT_EQ(str(doc, "format"), "wasmgate.agent");
  EXPECT_EQ(str(doc.at("digests").as_object(), "state"), str(st, "stateDigest"));
  EXPECT_EQ(str(doc.at("digests").as_object(), "vfs"), str(st, "vfsDigest"));
  const auto journal_len = host_.journal(id).size();
  EXPECT_EQ(doc.at("journal").as_array().size(), journal_len);

  // As JSON text, the way a client would hand it back.
  Host fresh;
  auto r = must(fresh.svc().import_agent(json::object{{"export", json::serialize(doc)}}));
  const std::string imported = str(r.structured, "agentId");
  EXPECT_EQ(imported, id);
  EXPECT_EQ(str(r.structured, "importedFrom"), id);
  EXPECT_EQ(fresh.state_digest(imported), str(st, "stateDigest"));
  EXPECT_EQ(fresh.vfs_digest(imported), str(st, "vfsDigest"));
  EXPECT_EQ(fresh.read(imported, "/a/b.txt"), "text\n");
  EXPECT_EQ(fresh.read(imported, "/link"), "text\n");
  bool saw_symlink = false;
  for (const auto& f : doc.at("files").as_array()) {
    if (f.at("path").as_string() == "/link") saw_symlink = f.at("type").as_string() == "symlink";
  }
  EXPECT_TRUE(saw_symlink);
  // The history comes along, then one import entry.
  expect_one_entry(fresh, imported, journal_len, "import");
  const auto entries = fresh.journal(imported);
  ASSERT_EQ(entries.size(), journal_len + 1);
  EXPECT_EQ(str(entries.back(), "op"), "import");
  EXPECT_EQ(str(entries.back(), "stateDigest"), str(st, "stateDigest"));

  // The import exports again to the same digests (a second round trip).
  const auto again = must(fresh.svc().export_agent(json::object{{"agentId", imported}})).structured;
  EXPECT_EQ(json::serialize(again.at("digests").at("state")), json::serialize(doc.at("digests").at("state")));
  EXPECT_EQ(json::serialize(again.at("files")), json::serialize(doc.at("files")));
}

TEST_F(AgentServiceTest, ImportUnderATakenIdGetsANewIdAndTheSameState) {
  const auto id = host_.create();
  host_.tool_ok(id, "write_file", R"({"path": "/x", "content": "1"})");
  const auto doc = must(host_.svc().export_agent(json::object{{"agentId", id}})).structured;
  auto r = must(host_.svc().import_agent(json::object{{"export", doc}}));
  const auto copy = str(r.structured, "agentId");
  EXPECT_NE(copy, id);
  EXPECT_EQ(host_.state_digest(copy), host_.state_digest(id));
  auto named = must(host_.svc().import_agent(json::object{{"export", doc}, {"agentId", "my-agent"}}));
  EXPECT_EQ(str(named.structured, "agentId"), "my-agent");
  EXPECT_EQ(fails(host_.svc().import_agent(json::object{{"export", doc}, {"agentId", "my-agent"}})).code(),
            ErrorCode::Invalid);
  EXPECT_EQ(fails(host_.svc().import_agent(json::object{{"export", doc}, {"agentId", "a/b"}})).code(),
            ErrorCode::Invalid);
}

class TamperTest : public AgentServiceTest {
 protected:
  void SetUp() override {
    id_ = host_.create();
    host_.tool_ok(id_, "write_file", R"({"path": "/a.txt", "content": "alpha"})");
    host_.tool_ok(id_, "write_file", R"({"path": "/b.txt", "content": "beta"})");
    doc_ = must(host_.svc().export_agent(json::object{{"agentId", id_}})).structured;
  }
  json::object& file(std::string_view path) {
    for (auto& f : doc_.at("files").as_array()) {
      if (f.at("path").as_string() == path) return f.as_object();
    }
    ADD_FAILURE() << "no " << path << " in the export";
    return doc_;
  }
  // Import into a fresh service must fail, naming `what`.
  void refused(std::string_view what) {
    Host fresh;
    const Error e = fails(fresh.svc().import_agent(json::object{{"export", doc_}}));
    EXPECT_NE(e.message().find(what), std::string::npos) << e.message();
    EXPECT_EQ(fresh.svc().live_agents(), 0u);
  }
  std::string id_;
  json::object doc_;
};

TEST_F(TamperTest, UntouchedExportImports) {
  Host fresh;
  EXPECT_TRUE(fresh.svc().import_agent(json::object{{"export", doc_}}).has_value());
}

TEST_F(TamperTest, ChangedFileContentIsRefusedNamingTheFile) {
  file("/b.txt")["content"] = "BETA";
  refused("/b.txt");
}

TEST_F(TamperTest, ChangedFileContentWithAMatchingSha256IsRefusedByTheTreeDigest) {
  file("/b.txt")["content"] = "BETA";
  file("/b.txt")["sha256"] = to_hex(Sha256::digest(std::string_view("BETA")));
  refused("digests.vfs");
}

TEST_F(TamperTest, ChangedStateDigestIsRefused) {
  auto& d = doc_.at("digests").as_object();
  std::string s(d.at("state").as_string());
  s[0] = s[0] == '0' ? '1' : '0';
  d["state"] = s;
  refused("digests.state");
}

TEST_F(TamperTest, ChangedTodosAreRefusedByTheStateDigest) {
  doc_["todos"] = jv(R"([{"id": "1", "content": "injected", "status": "pending"}])");
  refused("digests.state");
}

TEST_F(TamperTest, ChangedConfigIsRefusedByTheStateDigest) {
  doc_.at("config").as_object()["tools"] = jv(R"(["read_file"])");
  refused("digests.state");
}

TEST_F(TamperTest, ChangedJournalIsRefused) {
  doc_.at("journal").as_array()[0].as_object()["op"] = "forged";
  refused("digests.journal");
}

TEST_F(TamperTest, AddedFileIsRefused) {
  doc_.at("files").as_array().push_back(jv(R"({"path": "/c.txt", "type": "file", "encoding": "utf8",
      "content": "", "sha256": "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"})"));
  refused("digests.vfs");
}

TEST_F(TamperTest, UnknownKeysAndVersionsAreRefused) {
  doc_["extra"] = 1;
  refused("extra");
  doc_.erase("extra");
  doc_["version"] = 2;
  refused("version 2");
}

TEST_F(TamperTest, LimitsAboveTheServerMaximumAreRefusedNotClamped) {
  ServiceOptions small;
  small.max_limits.max_files = 10;
  Host fresh(":memory:", small);
  const Error e = fails(fresh.svc().import_agent(json::object{{"export", doc_}}));
  EXPECT_EQ(e.code(), ErrorCode::LimitExceeded);
  EXPECT_NE(e.message().find("limits"), std::string::npos) << e.message();
}

TEST_F(TamperTest, MalformedJsonTextIsMalformed) {
  Host fresh;
  EXPECT_EQ(fails(fresh.svc().import_agent(json::object{{"export", "{not json"}})).code(), ErrorCode::Malformed);
  EXPECT_EQ(fails(fresh.svc().import_agent(json::object{})).code(), ErrorCode::Invalid);
}

// ---- fork -----------------------------------------------------------------------------

TEST_F(AgentServiceTest, ForkSharesFilesThenDivergesIndependently) {
  const auto a = host_.create(R"({"name": "origin"})");
  host_.tool_ok(a, "write_file", R"({"path": "/shared.txt", "content": "v1"})");
  host_.tool_ok(a, "write_todos", R"({"todos": [{"content": "t"}]})");
  const auto journal_a = host_.journal(a).size();
  auto r = must(host_.svc().fork(json::object{{"agentId", a}, {"name", "copy"}}));
  const auto b = str(r.structured, "agentId");
  EXPECT_NE(b, a);
  EXPECT_EQ(str(r.structured, "forkedFrom"), a);
  EXPECT_EQ(host_.vfs_digest(b), host_.vfs_digest(a));
  EXPECT_EQ(host_.read(b, "/shared.txt"), "v1");
  EXPECT_EQ(host_.state(b).at("todos").as_array().size(), 1u);
  EXPECT_EQ(str(host_.state(b), "name"), "copy");
  // The origin's history, then one fork entry; the origin is untouched.
  expect_one_entry(b, journal_a, "fork");
  EXPECT_EQ(host_.journal(a).size(), journal_a);

  host_.tool_ok(b, "write_file", R"({"path": "/shared.txt", "content": "v2 in fork"})");
  host_.tool_ok(a, "write_file", R"({"path": "/only-origin", "content": "o"})");
  EXPECT_EQ(host_.read(a, "/shared.txt"), "v1");
  EXPECT_EQ(host_.read(b, "/shared.txt"), "v2 in fork");
  EXPECT_NE(host_.read(b, "/only-origin").find("not found"), std::string::npos) << host_.read(b, "/only-origin");
  EXPECT_NE(host_.vfs_digest(a), host_.vfs_digest(b));
  // Both persist on their own.
  host_.tool_ok(a, "delete_file", R"({"path": "/shared.txt"})");
  EXPECT_EQ(host_.read(b, "/shared.txt"), "v2 in fork");
}

TEST_F(AgentServiceTest, ForkSurvivesARestart) {
  TempDir dir;
  Host host((dir.path() / "db.sqlite3").string());
  const auto a = host.create();
  host.tool_ok(a, "write_file", R"({"path": "/f", "content": "x"})");
  const auto b = str(must(host.svc().fork(json::object{{"agentId", a}})).structured, "agentId");
  host.tool_ok(b, "write_file", R"({"path": "/g", "content": "y"})");
  const auto da = host.state_digest(a);
  const auto db = host.state_digest(b);
  host.reopen();
  EXPECT_TRUE(host.svc().warnings().empty());
  EXPECT_EQ(host.state_digest(a), da);
  EXPECT_EQ(host.state_digest(b), db);
}

// ---- stop / resume / reset / terminate ------------------------------------------------------

TEST_F(AgentServiceTest, StoppedAgentRefusesChangesButAllowsReadsUntilResumed) {
  const auto id = host_.create(R"({"runtimes": ["coreutils"]})");
  host_.tool_ok(id, "write_file", R"({"path": "/a", "content": "1"})");
  auto stop = must(host_.svc().stop(json::object{{"agentId", id}}));
  EXPECT_EQ(str(stop.structured, "status"), "stopped");
  auto stopped = must(host_.svc().is_stopped(json::object{{"agentId", id}}));
  EXPECT_TRUE(flag(stopped.structured, "isStopped"));
  EXPECT_EQ(str(stopped.structured, "reason"), "stopped");
  const auto digest = host_.state_digest(id);
  const auto entries = host_.journal(id).size();
  for (const auto& [tool, input] : std::vector<std::pair<std::string, std::string>>{
           {"write_file", R"({"path": "/b", "content": "2"})"},
           {"edit_file", R"({"path": "/a", "old_string": "1", "new_string": "2"})"},
           {"delete_file", R"({"path": "/a"})"},
           {"write_todos", R"({"todos": []})"},
           {"run", R"({"program": "cat", "args": ["/a"]})"}}) {
    EXPECT_EQ(fails(host_.tool(id, tool, input), tool).code(), ErrorCode::Denied) << tool;
  }
  EXPECT_EQ(fails(host_.svc().run(json::object{{"agentId", id}, {"program", "cat"}})).code(), ErrorCode::Denied);
  EXPECT_EQ(host_.read(id, "/a"), "1");
  EXPECT_TRUE(host_.tool(id, "list_files", "{}").has_value());
  EXPECT_TRUE(host_.svc().export_agent(json::object{{"agentId", id}}).has_value());
  EXPECT_EQ(host_.state_digest(id), digest);
  EXPECT_EQ(host_.journal(id).size(), entries);

  must(host_.svc().resume(json::object{{"agentId", id}}));
  EXPECT_FALSE(flag(must(host_.svc().is_stopped(json::object{{"agentId", id}})).structured, "isStopped"));
  host_.tool_ok(id, "write_file", R"({"path": "/b", "content": "2"})");
  auto run = host_.tool_ok(id, "run", R"({"program": "cat", "args": ["/b"]})");
  EXPECT_EQ(str(run, "stdout"), "2");
}

TEST_F(AgentServiceTest, ResetKeepsFilesAndTodosAndReactivates) {
  const auto id = host_.create();
  host_.tool_ok(id, "write_file", R"({"path": "/a", "content": "1"})");
  host_.tool_ok(id, "write_todos", R"({"todos": [{"content": "t"}]})");
  const auto vfs = host_.vfs_digest(id);
  must(host_.svc().reset(json::object{{"agentId", id}}));
  const auto st = host_.state(id);
  EXPECT_EQ(str(st, "vfsDigest"), vfs);
  EXPECT_EQ(st.at("todos").as_array().size(), 1u);
  EXPECT_EQ(num(st, "turnCount"), 0);
  EXPECT_EQ(str(st, "status"), "active");
}

TEST_F(AgentServiceTest, TerminateRemovesTheAgentForGood) {
  TempDir dir;
  Host host((dir.path() / "db.sqlite3").string());
  const auto gone = host.create();
  const auto kept = host.create();
  host.tool_ok(gone, "write_file", R"({"path": "/f", "content": "x"})");
  auto r = must(host.svc().terminate(json::object{{"agentId", gone}}));
  EXPECT_TRUE(flag(r.structured, "terminated"));
  const auto list = must(host.svc().list()).structured;
  EXPECT_EQ(num(list, "count"), 1);
  EXPECT_EQ(str(list.at("agents").as_array()[0].as_object(), "agentId"), kept);
  EXPECT_EQ(fails(host.svc().state(json::object{{"agentId", gone}})).code(), ErrorCode::NotFound);
  EXPECT_EQ(fails(host.svc().terminate(json::object{{"agentId", gone}})).code(), ErrorCode::NotFound);
  EXPECT_TRUE(must(host.db().load_files(gone)).empty());
  EXPECT_TRUE(must(host.db().load_journal(gone)).empty());
  host.reopen();
  EXPECT_EQ(host.svc().live_agents(), 1u);
  EXPECT_EQ(fails(host.svc().state(json::object{{"agentId", gone}})).code(), ErrorCode::NotFound);
  EXPECT_TRUE(host.svc().state(json::object{{"agentId", kept}}).has_value());
}

TEST_F(AgentServiceTest, ListShowsEveryLiveAgent) {
  EXPECT_EQ(num(must(host_.svc().list()).structured, "count"), 0);
  const auto a = host_.create(R"({"template": "coder"})");
  const auto b = host_.create(R"({"template": "tester"})");
  const auto list = must(host_.svc().list()).structured;
  EXPECT_EQ(num(list, "count"), 2);
  std::vector<std::string> ids;
  for (const auto& e : list.at("agents").as_array()) ids.emplace_back(e.at("agentId").as_string());
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want{a, b};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
}

TEST_F(AgentServiceTest, FilesListsTheTreeEvenWhenTheTemplateWithholdsListFiles) {
  const auto id = host_.create(R"({"tools": ["write_file"]})");
  host_.tool_ok(id, "write_file", R"({"path": "/d/f", "content": "123"})");
  EXPECT_EQ(fails(host_.tool(id, "list_files", "{}")).code(), ErrorCode::Denied);
  auto r = must(host_.svc().files(json::object{{"agentId", id}}));
  EXPECT_EQ(num(r.structured, "count"), 2);
  EXPECT_EQ(num(r.structured, "fileCount"), 2);
  EXPECT_EQ(num(r.structured, "totalBytes"), 3);
  // ... and the grant is unchanged afterwards.
  EXPECT_EQ(strings(host_.state(id).at("config").at("tools")), std::vector<std::string>{"write_file"});
}

TEST_F(AgentServiceTest, PromptWithoutAModelProviderIsUnsupported) {
  const auto id = host_.create();
  EXPECT_EQ(fails(host_.svc().prompt(json::object{{"agentId", id}, {"input", "hi"}})).code(),
            ErrorCode::Unsupported);
  EXPECT_EQ(host_.journal(id).size(), 1u);
}

}  // namespace
}  // namespace wg::agent
