// Ruby through an agent: a script written with write_file, run with the
// "ruby" runtime, writes a file the agent then reads (integration: Ruby's
// module takes seconds to compile).
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

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

}  // namespace
}  // namespace wg::agent
