// `wasmgate policy scan`: classification and rendering (pure), then scans of
// real upstreams — `wasmgate serve --stdio` (the conformance fixture, and
// the agent host) and small shell scripts that misbehave — in process and
// through the binary.
#include "app/policy_scan.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "app/client_test_support.h"
#include "policy/evaluator.h"
#include "policy/loader.h"
#include "support/subprocess.h"

extern char** environ;

namespace wg::app {
namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using wg::testing::run_process;

json::object tool(std::string name, json::object annotations = {}, std::string description = {}) {
  json::object t{{"name", std::move(name)}, {"inputSchema", json::object{{"type", "object"}}}};
  if (!annotations.empty()) t["annotations"] = std::move(annotations);
  if (!description.empty()) t["description"] = std::move(description);
  return t;
}

ToolRisk risk_of(const json::object& t) { return classify_tool(t).risk; }

// Every counter reads as empty (the first call of a window).
class EmptyCounters final : public policy::CountersView {
 public:
  Result<policy::CounterReading> read(const policy::CounterRef&, policy::Timestamp) const override {
    return policy::CounterReading{};
  }
};

policy::Decision decide(const policy::Policy& p, const std::string& name) {
  policy::Call call;
  call.name = name;
  call.args = json::object{};
  call.session = "s";
  call.identity = "i";
  return policy::decide(p, call, EmptyCounters(), policy::Timestamp(std::chrono::milliseconds(1'800'000'000'000)));
}

// What the loaded policy does with a first call of `name`: "allow",
// "allow+counter" (allowed and counted: a rate limit), "approval", or
// "deny <code>".
std::string outcome(const policy::Policy& p, const std::string& name) {
  const policy::Decision d = decide(p, name);
  if (d.approval()) return "approval";
  if (const auto* deny = d.deny()) return "deny " + std::string(policy::to_string(deny->code));
  return d.updates.empty() ? "allow" : "allow+counter";
}

policy::Policy load(const std::string& text) {
  auto p = policy::load_policy(text, "scanned");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message()) << "\n" << text;
  return p ? std::move(*p) : policy::Policy{};
}

// ---- classification ------------------------------------------------------------

TEST(PolicyScanClassifyTest, AnnotationsDecideFirstWithTheSpecDefaults) {
  EXPECT_EQ(risk_of(tool("frob", {{"readOnlyHint", true}})), ToolRisk::ReadOnly);
  EXPECT_EQ(risk_of(tool("frob", {{"readOnlyHint", false}, {"destructiveHint", false}})), ToolRisk::Write);
  // destructiveHint defaults to true when the tool is not read-only.
  EXPECT_EQ(risk_of(tool("frob", {{"readOnlyHint", false}})), ToolRisk::Destructive);
  EXPECT_EQ(risk_of(tool("frob", {{"destructiveHint", false}})), ToolRisk::Write);
  // Annotations beat a milder name: "get" reads, but the server says it destroys.
  EXPECT_EQ(risk_of(tool("get_thing", {{"readOnlyHint", false}, {"destructiveHint", true}})), ToolRisk::Destructive);
  // An annotations object that says nothing about risk falls back to the name.
  EXPECT_EQ(risk_of(tool("list_things", {{"openWorldHint", false}})), ToolRisk::ReadOnly);
  EXPECT_NE(classify_tool(tool("frob", {{"readOnlyHint", true}})).reason.find("readOnlyHint true"), std::string::npos);
}

TEST(PolicyScanClassifyTest, ANameThatSaysDeleteOrRunOutranksAMilderAnnotation) {
  const ToolClass del = classify_tool(tool("delete_repo", {{"readOnlyHint", true}}));
  EXPECT_EQ(del.risk, ToolRisk::Destructive);
  EXPECT_NE(del.reason.find("not trusted"), std::string::npos) << del.reason;
  EXPECT_EQ(risk_of(tool("run_program", {{"readOnlyHint", false}, {"destructiveHint", false}})), ToolRisk::High);
  // A noun is not enough to doubt the server, nor a verb-noun next to a verb that agrees.
  EXPECT_EQ(risk_of(tool("email_summary", {{"readOnlyHint", true}})), ToolRisk::ReadOnly);
  EXPECT_EQ(risk_of(tool("get_workflow_run", {{"readOnlyHint", true}})), ToolRisk::ReadOnly);
  // Milder words never lower an annotation.
  EXPECT_EQ(risk_of(tool("list_files", {{"readOnlyHint", false}})), ToolRisk::Destructive);
}

TEST(PolicyScanClassifyTest, WithoutAnnotationsTheNameThenTheDescriptionDecide) {
  const std::map<std::string, ToolRisk> by_name{
      {"getTinyImage", ToolRisk::ReadOnly},
      {"search-issues", ToolRisk::ReadOnly},
      {"create_issue", ToolRisk::Write},
      {"updateUserProfile", ToolRisk::Write},
      {"drop_table", ToolRisk::Destructive},
      {"removeFiles", ToolRisk::Destructive},
      {"exec_shell", ToolRisk::High},
      {"runCommand", ToolRisk::High},
      {"send_email", ToolRisk::High},
      {"transfer_funds", ToolRisk::High},
      {"frobnicate", ToolRisk::Unknown},
      {"list_and_delete", ToolRisk::Destructive},
      // A noun counts only without a verb: this reads about payments.
      {"get_payment_status", ToolRisk::ReadOnly},
      {"email_inbox", ToolRisk::High},
      // A word that is also a noun ("run", "charge") yields to a plain verb.
      {"get_workflow_run", ToolRisk::ReadOnly},
      {"list_runs", ToolRisk::ReadOnly},
      {"get_battery_charge", ToolRisk::ReadOnly},
      {"run_command", ToolRisk::High},
  };
  for (const auto& [name, risk] : by_name) {
    EXPECT_EQ(risk_of(tool(name)), risk) << name << ": " << classify_tool(tool(name)).reason;
  }
  EXPECT_EQ(risk_of(tool("frob", {}, "Deletes the widget. Reads nothing.")), ToolRisk::Destructive);
  EXPECT_EQ(risk_of(tool("frob", {}, "Returns the widget.\nThen deletes everything.")), ToolRisk::ReadOnly)
      << "only the first line or sentence of a description counts";
  EXPECT_EQ(risk_of(tool("frob", {}, "Lists files without deleting any")), ToolRisk::ReadOnly)
      << "of a description, its first word (the verb) counts";
  EXPECT_EQ(risk_of(tool("frob", {}, "Asks the user for an email")), ToolRisk::Unknown);
  const ToolClass unknown = classify_tool(tool("frob", {}, "Does something."));
  EXPECT_EQ(unknown.risk, ToolRisk::Unknown);
  EXPECT_FALSE(unknown.reason.empty());
}

// ---- rendering -------------------------------------------------------------------

ScanResult sample_scan() {
  ScanResult s;
  s.server_info = json::object{{"name", "sample"}, {"version", "1.2.3"}};
  s.tools = json::array{
      tool("read_notes", {{"readOnlyHint", true}}, "Reads the notes."),
      tool("write_note", {{"readOnlyHint", false}, {"destructiveHint", false}}, "Writes a note."),
      tool("delete_note", {{"readOnlyHint", false}, {"destructiveHint", true}}, "Deletes a note."),
      tool("run_script", {}, "Runs a script."),
      tool("frobnicate", {}, "Does something."),
  };
  s.tools[0].as_object()["title"] = "Read notes";
  s.tools[0].as_object()["inputSchema"] =
      json::parse(R"({"type":"object","properties":{"folder":{"type":"string"},"limit":{"type":["integer","null"]}},
                      "required":["folder"]})");
  return s;
}

TEST(PolicyScanRenderTest, TheStarterPolicyLoadsAndDecidesByRisk) {
  auto text = render_starter_policy(sample_scan(), "sample-server --flag");
  ASSERT_TRUE(text.has_value()) << text.error().message();
  const policy::Policy p = load(*text);
  EXPECT_EQ(outcome(p, "read_notes"), "allow");
  EXPECT_EQ(outcome(p, "write_note"), "allow+counter");
  EXPECT_EQ(outcome(p, "delete_note"), "approval");
  EXPECT_EQ(outcome(p, "run_script"), "approval");
  EXPECT_EQ(outcome(p, "frobnicate"), "allow+counter");
  EXPECT_EQ(outcome(p, "added_later"), "deny not_listed") << "default deny refuses tools the scan did not see";

  EXPECT_TRUE(text->starts_with("# Starter policy written by `wasmgate policy scan`")) << *text;
  EXPECT_NE(text->find("# Upstream: sample-server --flag\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("# Server: sample 1.2.3\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("# 5 tools: 1 read-only, 1 write, 1 destructive, 1 high risk, 1 unknown.\n"), std::string::npos)
      << *text;
  EXPECT_NE(text->find("  # Read notes: Reads the notes.\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("  # arguments: folder (string, required), limit (integer|null)\n"), std::string::npos) << *text;
  // Sections in order of risk.
  const auto read_at = text->find("\"read_notes\":");
  const auto write_at = text->find("\"write_note\":");
  const auto delete_at = text->find("\"delete_note\":");
  const auto run_at = text->find("\"run_script\":");
  const auto unknown_at = text->find("\"frobnicate\":");
  EXPECT_LT(read_at, write_at);
  EXPECT_LT(write_at, delete_at);
  EXPECT_LT(delete_at, run_at);
  EXPECT_LT(run_at, unknown_at);
  EXPECT_NE(unknown_at, std::string::npos);
}

TEST(PolicyScanRenderTest, OutputIsTheSameWhateverTheUpstreamsOrder) {
  ScanResult a = sample_scan();
  ScanResult b = a;
  std::reverse(b.tools.begin(), b.tools.end());
  auto ta = render_starter_policy(a, "x");
  auto tb = render_starter_policy(b, "x");
  ASSERT_TRUE(ta && tb);
  EXPECT_EQ(*ta, *tb);
}

TEST(PolicyScanRenderTest, HostileNamesAndDescriptionsCannotChangeThePolicy) {
  ScanResult s;
  s.server_info = json::object{{"name", "evil\nversion: \"2\""}};
  s.tools = json::array{
      tool("ok_get", {}, "Gets.\nevil_tool:\n    rules: [{name: x, action: deny}]"),
      tool("cr_get", {}, "Line one\r  injected_cr: {}"),
      tool("ls_get", {}, "Line one\u2028  injected_ls: {}"),
      tool("bad_utf8_get", {}, std::string("bytes \xff\xfe here")),
      tool("*"),
      tool("read_*"),
      tool("back\\slash"),
      tool("new\nline"),
      tool(""),
      tool("ok_get"),  // a duplicate
      tool("quote\"get", {}, "ok"),
      tool("caf\xc3\xa9_get"),
  };
  s.tools.push_back(json::value(42));
  auto text = render_starter_policy(s, "up\nstream");
  ASSERT_TRUE(text.has_value()) << text.error().message();
  const policy::Policy p = load(*text);
  std::vector<std::string> names;
  for (const auto& e : p.tools.entries) names.push_back(e.pattern);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names,
            (std::vector<std::string>{"bad_utf8_get", "caf\xc3\xa9_get", "cr_get", "ls_get", "ok_get", "quote\"get"}));
  EXPECT_EQ(p.default_action, policy::DefaultAction::Deny);
  EXPECT_EQ(p.version, "1");
  EXPECT_NE(p.description.find("evil version: \"2\""), std::string::npos) << p.description;
  EXPECT_EQ(outcome(p, "read_anything"), "deny not_listed") << "a glob-like tool name must not become a glob";
  EXPECT_NE(text->find("# ---- not listed (7)"), std::string::npos) << *text;
  // Injected text stays inside comments: every line holding it is one.
  std::istringstream lines(*text);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("injected") == std::string::npos && line.find("evil") == std::string::npos) continue;
    if (line.starts_with("description: \"")) continue;  // a quoted scalar: the loader read it as one
    const auto first = line.find_first_not_of(' ');
    EXPECT_TRUE(first != std::string::npos && line[first] == '#') << line;
  }
}

TEST(PolicyScanRenderTest, AnUpstreamWithoutToolsGivesAPolicyThatDeniesEverything) {
  ScanResult s;
  auto text = render_starter_policy(s, "empty");
  ASSERT_TRUE(text.has_value()) << text.error().message();
  const policy::Policy p = load(*text);
  EXPECT_TRUE(p.tools.entries.empty());
  EXPECT_EQ(outcome(p, "anything"), "deny not_listed");
}

// ---- scanning real upstreams ----------------------------------------------------

class PolicyScanTest : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = test_support::fresh_test_dir("policy_scan_test"); }
  void TearDown() override { fs::remove_all(dir_); }

  std::vector<std::string> fixture(std::vector<std::string> extra = {}) const {
    std::vector<std::string> argv{
        WG_BINARY, "serve", "--stdio", "--conformance-fixture", "--state", (dir_ / "fixture-state").string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return argv;
  }
  std::vector<std::string> agent_host() const {
    return {WG_BINARY, "serve", "--stdio", "--state", (dir_ / "host-state").string()};
  }

  static Result<ScanResult> scan(std::vector<std::string> argv,
                                 std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    ProxyConfig c;
    c.upstream_argv = std::move(argv);
    c.request_timeout = timeout;
    return scan_upstream(c, upstream_factory(c));
  }

  std::string script(const std::string& name, const std::string& body) const {
    const fs::path path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body;
    fs::permissions(path, fs::perms::owner_all);
    return path.string();
  }

  testing::ProcessResult wasmgate(std::vector<std::string> args) const {
    args.insert(args.begin(), WG_BINARY);
    return run_process(args);
  }

  fs::path dir_;
};

std::vector<std::string> tool_names(const ScanResult& r) {
  std::vector<std::string> names;
  for (const auto& t : r.tools) names.emplace_back(t.at("name").as_string());
  return names;
}

TEST_F(PolicyScanTest, ScansTheConformanceFixture) {
  auto r = scan(fixture());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  const auto names = tool_names(*r);
  EXPECT_NE(std::find(names.begin(), names.end(), "test_simple_text"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "test_error_handling"), names.end());
  EXPECT_FALSE(std::string(r->server_info.at("name").as_string()).empty());
  auto text = render_starter_policy(*r, "fixture");
  ASSERT_TRUE(text.has_value()) << text.error().message();
  const policy::Policy p = load(*text);
  EXPECT_EQ(outcome(p, "test_simple_text"), "allow") << "its description says it returns text";
}

TEST_F(PolicyScanTest, ReadsEveryPageOfToolsList) {
  auto whole = scan(fixture());
  auto paged = scan(fixture({"--page-size", "3"}));
  ASSERT_TRUE(whole.has_value()) << whole.error().message();
  ASSERT_TRUE(paged.has_value()) << paged.error().message();
  EXPECT_GT(whole->tools.size(), 6u) << "the fixture must need several pages of three";
  EXPECT_EQ(tool_names(*paged), tool_names(*whole));
}

TEST_F(PolicyScanTest, GroupsTheAgentHostsToolsByTheirAnnotations) {
  auto r = scan(agent_host());
  ASSERT_TRUE(r.has_value()) << r.error().message();
  auto text = render_starter_policy(*r, "agent host");
  ASSERT_TRUE(text.has_value()) << text.error().message();
  const policy::Policy p = load(*text);
  EXPECT_EQ(outcome(p, "wasm_agent_list"), "allow");
  EXPECT_EQ(outcome(p, "wasm_gallery_search"), "allow");
  EXPECT_EQ(outcome(p, "wasm_agent_terminate"), "approval");
  EXPECT_EQ(outcome(p, "wasm_gallery_remove_custom"), "approval");
  EXPECT_EQ(outcome(p, "wasm_agent_create"), "allow+counter");
  EXPECT_EQ(outcome(p, "wasm_agent_run"), "approval") << "running a program is high risk whatever the annotations";
  // The comments name the evidence.
  const auto at = text->find("\"wasm_agent_terminate\":");
  ASSERT_NE(at, std::string::npos);
  const auto comment = text->rfind("# destructive because annotations: readOnlyHint false", at);
  EXPECT_NE(comment, std::string::npos) << *text;
  EXPECT_GT(comment, text->find("# ---- destructive ("));
}

TEST_F(PolicyScanTest, TwoScansThroughTheBinaryAreByteIdenticalAndValidate) {
  std::vector<std::string> args{"policy", "scan", "--"};
  for (const auto& a : agent_host()) args.push_back(a);
  auto first = wasmgate(args);
  auto second = wasmgate(args);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(first.out, second.out);
  EXPECT_NE(first.out.find("\"wasm_agent_list\":"), std::string::npos) << first.out;

  const std::string file = (dir_ / "starter.yaml").string();
  std::vector<std::string> to_file{"policy", "scan", "-o", file, "--"};
  for (const auto& a : agent_host()) to_file.push_back(a);
  auto written = wasmgate(to_file);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_TRUE(written.out.empty()) << written.out;
  std::ifstream in(file);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(content, first.out);
  auto validated = wasmgate({"policy", "validate", file});
  EXPECT_EQ(validated.exit_code, 0) << validated.err;
  auto decided = wasmgate({"policy", "test", "--policy", file, "--tool", "wasm_agent_terminate"});
  EXPECT_EQ(decided.exit_code, 3) << decided.out << decided.err;
}

TEST_F(PolicyScanTest, OutputRefusesToReplaceAFileUnlessForced) {
  const std::string file = (dir_ / "existing.yaml").string();
  std::ofstream(file) << "keep me\n";
  std::vector<std::string> args{"policy", "scan", "--output", file, "--"};
  for (const auto& a : fixture()) args.push_back(a);
  auto refused = wasmgate(args);
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
  std::ifstream before(file);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(before)), std::istreambuf_iterator<char>()), "keep me\n");

  args.insert(args.begin() + 2, "--force");
  auto forced = wasmgate(args);
  EXPECT_EQ(forced.exit_code, 0) << forced.err;
  EXPECT_EQ(wasmgate({"policy", "validate", file}).exit_code, 0);
  for (const auto& entry : fs::directory_iterator(dir_)) {
    EXPECT_EQ(entry.path().string().find(".tmp"), std::string::npos) << "left behind: " << entry.path();
  }
}

TEST_F(PolicyScanTest, AnUpstreamThatExitsAtOnceFailsWithExitOne) {
  auto r = wasmgate({"policy", "scan", "--", script("exit.sh", "exit 3\n")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did not initialize"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("closed"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST_F(PolicyScanTest, AnUpstreamThatCannotStartFailsWithExitOne) {
  auto r = wasmgate({"policy", "scan", "--", (dir_ / "no-such-server").string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot start"), std::string::npos) << r.err;
}

TEST_F(PolicyScanTest, GarbageOnStdoutFailsWithExitOne) {
  // Garbage, then the end of the stream.
  auto ended = wasmgate({"policy", "scan", "--", script("garbage.sh", "echo 'this is not JSON-RPC'\n")});
  EXPECT_EQ(ended.exit_code, 1);
  EXPECT_NE(ended.err.find("did not initialize"), std::string::npos) << ended.err;
  // Garbage, then silence with stdout still open: the request times out.
  auto silent = wasmgate({"policy", "scan", "--upstream-timeout", "0.5", "--",
                          script("silent.sh", "echo '{not json'\nwhile read line; do :; done\n")});
  EXPECT_EQ(silent.exit_code, 1);
  EXPECT_NE(silent.err.find("no response within 500 ms"), std::string::npos) << silent.err;
  EXPECT_TRUE(silent.out.empty()) << silent.out;
}

// A fake upstream that answers initialize, then tools/list with `reply`
// (the client's ids: initialize 1, tools/list 2, 3, ...).
std::string fake_upstream_body(const std::string& list_replies) {
  return "read line\n"
         "echo '{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":"
         "{\"tools\":{}},\"serverInfo\":{\"name\":\"fake\",\"version\":\"0\"}}}'\n"
         "read line\n" +
         list_replies + "exec cat >/dev/null\n";
}

TEST_F(PolicyScanTest, AToolsListErrorFailsWithTheUpstreamsMessage) {
  auto r = wasmgate({"policy", "scan", "--",
                     script("error.sh", fake_upstream_body("read line\necho '{\"jsonrpc\":\"2.0\",\"id\":2,\"error\":"
                                                           "{\"code\":-32601,\"message\":\"no tools here\"}}'\n"))});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("tools/list (page 1) failed: no tools here"), std::string::npos) << r.err;
}

TEST_F(PolicyScanTest, ACursorThatRepeatsFailsInsteadOfLooping) {
  std::string replies;
  for (int id = 2; id <= 4; ++id) {
    replies += "read line\necho '{\"jsonrpc\":\"2.0\",\"id\":" + std::to_string(id) +
               ",\"result\":{\"tools\":[],\"nextCursor\":\"again\"}}'\n";
  }
  auto r = wasmgate({"policy", "scan", "--", script("loop.sh", fake_upstream_body(replies))});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("repeats an earlier nextCursor"), std::string::npos) << r.err;
}

// `wasmgate serve --http 127.0.0.1:0` as a child; url() once it listens.
class HttpServerProcess {
 public:
  explicit HttpServerProcess(const std::vector<std::string>& argv) {
    int err[2];
    if (pipe(err) != 0) return;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addclose(&actions, err[0]);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
    close(err[1]);
    // Read stderr until the "listening on" line (or EOF: the server failed).
    const std::string prefix = "wasmgate: listening on ";
    std::string buffer;
    char chunk[4096];
    for (;;) {
      const auto nl = buffer.find('\n');
      if (nl != std::string::npos) {
        const std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        if (line.starts_with(prefix)) {
          url_ = line.substr(prefix.size());
          break;
        }
        continue;
      }
      const ssize_t n = read(err[0], chunk, sizeof chunk);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
    }
    err_ = err[0];
  }
  ~HttpServerProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int status = 0;
      waitpid(pid_, &status, 0);
    }
    if (err_ >= 0) close(err_);
  }
  const std::string& url() const { return url_; }

 private:
  pid_t pid_ = -1;
  int err_ = -1;
  std::string url_;
};

TEST_F(PolicyScanTest, ScansAStreamableHttpUpstream) {
  HttpServerProcess server({WG_BINARY, "serve", "--http", "127.0.0.1:0", "--conformance-fixture", "--state",
                            (dir_ / "http-state").string()});
  ASSERT_TRUE(server.url().starts_with("http://127.0.0.1:")) << server.url();
  auto over_http = wasmgate({"policy", "scan", "--upstream", server.url()});
  ASSERT_EQ(over_http.exit_code, 0) << over_http.err;
  EXPECT_NE(over_http.out.find("# Upstream: " + server.url() + "\n"), std::string::npos) << over_http.out;
  // The same server over stdio gives the same policy, apart from the header.
  std::vector<std::string> args{"policy", "scan", "--"};
  for (const auto& a : fixture()) args.push_back(a);
  auto over_stdio = wasmgate(args);
  ASSERT_EQ(over_stdio.exit_code, 0) << over_stdio.err;
  auto body = [](const std::string& text) { return text.substr(text.find("\nversion: ")); };
  EXPECT_EQ(body(over_http.out), body(over_stdio.out));
}

// The real thing: @modelcontextprotocol/server-everything (tests/node,
// installed by ./scripts/setup.sh), whose tools carry annotations.
TEST_F(PolicyScanTest, ScansServerEverything) {
  const fs::path node = fs::path(WG_NODE_DIR) / "node_modules/.bin/node";
  const fs::path everything =
      fs::path(WG_NODE_DIR) / "node_modules/@modelcontextprotocol/server-everything/dist/index.js";
  if (!fs::exists(node) || !fs::exists(everything)) {
    GTEST_SKIP() << "tests/node/node_modules is missing (./scripts/setup.sh installs it)";
  }
  const std::string file = (dir_ / "everything.yaml").string();
  auto r = wasmgate({"policy", "scan", "--output", file, "--", node.string(), everything.string(), "stdio"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::ifstream in(file);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const policy::Policy p = load(text);
  EXPECT_EQ(outcome(p, "echo"), "allow") << "annotated readOnlyHint: true";
  EXPECT_EQ(outcome(p, "toggle-simulated-logging"), "allow+counter") << "annotated as a non-destructive write";
  EXPECT_EQ(outcome(p, "not-a-tool"), "deny not_listed");
  EXPECT_NE(text.find("# Server: mcp-servers/everything"), std::string::npos) << text;
}

}  // namespace
}  // namespace wg::app
