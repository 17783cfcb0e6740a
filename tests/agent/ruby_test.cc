// Ruby through an agent: a script written with write_file, run with the
// "ruby" runtime, writes a file the agent then reads (integration: Ruby's
// module takes seconds to compile).
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "agent/fake_provider.h"
#include "agent/replay.h"
#include "agent/test_util.h"

namespace wg::agent {
namespace {

using namespace testing;

TEST(AgentRubyTest, ScriptWrittenByTheAgentRunsAndItsOutputFileCanBeRead) {
  Host host(":memory:", {}, WG_RUBY_WASM);
  const auto id = host.create(R"({"template": "ruby-scripter"})");
  ASSERT_FALSE(id.empty());
  host.tool_ok(id, "write_file", R"({"path": "/data/in.txt", "content": "3\n4\n5\n"})");
  host.tool_ok(id, "write_file", R"({"path": "/scripts/sum.rb", "content":
      "nums = File.readlines('/data/in.txt').map(&:to_i)\nFile.write('/data/out.txt', \"sum=#{nums.sum} args=#{ARGV.join(',')}\\n\")\nputs \"wrote #{nums.size}\"\n"})");
  const auto entries = host.journal(id).size();
  auto r = host.svc().run(json::object{{"agentId", id}, {"program", "ruby"}, {"args", json::array{"/scripts/sum.rb", "x", "y"}}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_FALSE(r->is_error) << r->text;
  EXPECT_EQ(str(r->structured, "status"), "exited");
  EXPECT_EQ(num(r->structured, "exitCode"), 0) << str(r->structured, "stderr");
  EXPECT_EQ(str(r->structured, "stdout"), "wrote 3\n");
  EXPECT_EQ(host.read(id, "/data/out.txt"), "sum=12 args=x,y\n");
  EXPECT_EQ(host.journal(id).size(), entries + 1);
  EXPECT_EQ(str(host.journal(id).back(), "stateDigest"), host.state_digest(id));

  // An uncaught exception exits 1 with Ruby's report on stderr; a guest
  // that exits keeps its file changes whatever its code.
  host.tool_ok(id, "write_file", R"({"path": "/scripts/fail.rb", "content": "File.write('/partial', 'p')\nraise 'boom'\n"})");
  auto fail = host.tool_ok(id, "run", R"({"program": "ruby", "args": ["/scripts/fail.rb"]})");
  EXPECT_EQ(str(fail, "status"), "exited");
  EXPECT_EQ(num(fail, "exitCode"), 1);
  EXPECT_NE(str(fail, "stderr").find("boom"), std::string::npos) << str(fail, "stderr");
  EXPECT_EQ(host.read(id, "/partial"), "p");
}

TEST(AgentRubyTest, RubyRunningOutOfFuelKeepsNoChanges) {
  Host host(":memory:", {}, WG_RUBY_WASM);
  const auto id = host.create(R"({"template": "ruby-scripter"})");
  host.tool_ok(id, "write_file", R"({"path": "/loop.rb", "content": "File.write('/x', 'x')\nloop { }\n"})");
  const auto vfs = host.vfs_digest(id);
  auto r = host.svc().run(json::object{{"agentId", id}, {"program", "ruby"}, {"args", json::array{"/loop.rb"}},
                                       {"fuel", 1'000'000'000}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_TRUE(r->is_error);
  EXPECT_EQ(str(r->structured, "status"), "out_of_fuel");
  EXPECT_EQ(host.vfs_digest(id), vfs);
}

// The agent loop with Ruby: the (scripted) model writes a Ruby program, runs
// it, reads its output, fixes the program and runs it again; the export then
// replays with every digest reproduced. (prompt_test.cc runs the same task
// with a WebAssembly program in both wire formats, streamed and not.)
TEST(AgentRubyTest, ModelWritesARubyProgramRunsItFixesItAndRerunsIt) {
  using llm::testing::FakeReply;
  using llm::testing::FakeToolCall;
  auto server = must(llm::testing::FakeModelServer::start());
  ServiceOptions options;
  options.model_provider = [&](std::string_view) -> Result<std::unique_ptr<llm::Provider>> {
    return fake_provider(*server, "anthropic");
  };
  Host host(":memory:", options, WG_RUBY_WASM);
  const auto id = host.create(R"({"template": "ruby-scripter"})");
  const auto tool = [](std::string id, std::string name, std::string_view input) {
    return FakeReply::tool_use({FakeToolCall{std::move(id), std::move(name), jv(input)}});
  };
  const std::string program =
      "a, b = 0, 1\n10.times { a, b = b, a - b }\nFile.write('/fib.txt', \"#{a}\\n\")\n";
  server->push(tool("1", "write_file", json::serialize(json::object{{"path", "/fib.rb"}, {"content", program}})));
  server->push(tool("2", "run", R"({"program": "ruby", "args": ["/fib.rb"]})"));
  server->push(tool("3", "read_file", R"({"path": "/fib.txt"})"));
  server->push(tool("4", "edit_file", R"({"path": "/fib.rb", "old_string": "a - b", "new_string": "a + b"})"));
  server->push(tool("5", "run", R"({"program": "ruby", "args": ["/fib.rb"]})"));
  server->push(tool("6", "read_file", R"({"path": "/fib.txt"})"));
  server->push(FakeReply::text_reply("fib(10) = 55"));
  auto r = host.svc().prompt(json::object{{"agentId", id}, {"input", "Compute the 10th Fibonacci number in Ruby."}});
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(str(r->structured, "stopReason"), "end_turn");
  EXPECT_EQ(host.read(id, "/fib.txt"), "55\n");
  const auto requests = server->requests();
  ASSERT_EQ(requests.size(), 7u);
  EXPECT_NE(requests[2].body.find("ruby exited with code 0"), std::string::npos);
  EXPECT_NE(requests[3].body.find("-55"), std::string::npos);  // the buggy result, seen before the fix
  EXPECT_NE(requests[6].body.find("55"), std::string::npos);
  const auto exported = must(host.svc().export_agent(json::object{{"agentId", id}})).structured;
  const auto report = must(replay_export(exported, &host.runner()));
  EXPECT_TRUE(report.ok) << replay_report_text(report);
  EXPECT_EQ(report.final_state_digest, host.state_digest(id));
}

}  // namespace
}  // namespace wg::agent
