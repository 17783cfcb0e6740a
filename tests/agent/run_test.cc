// `run` through the service and WasiProgramRunner: the embedded C
// utilities, grants, guest modules from the agent's filesystem, limits, and
// determinism.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/serialize.hpp>
#include <thread>

#include "agent/test_util.h"
#include "base/base64.h"
#include "vfs/tree_ops.h"

namespace wg::agent {
namespace {

using namespace testing;

class AgentRunTest : public ::testing::Test {
 protected:
  // Puts guest `name` into the agent's VFS at `path` through write_file.
  void install(const std::string& id, std::string_view name, std::string_view path) {
    const auto bytes = guest_bytes(name);
    ASSERT_TRUE(bytes.has_value()) << "guest " << name << " was not assembled";
    host_.tool_ok(id, "write_file",
                  json::serialize(json::object{{"path", path}, {"content", base64_encode(*bytes)},
                                               {"encoding", "base64"}}));
  }
  static bool have_guests() { return guest_bytes("writer").has_value(); }

  Result<Reply> run(const std::string& id, std::string_view input_json) {
    json::object args = jo(input_json);
    args["agentId"] = id;
    return host_.svc().run(args);
  }

  Host host_;
};

TEST_F(AgentRunTest, CatAndWcFromCoreutilsReturnStdoutAndExitCode) {
  const auto id = host_.create(R"({"runtimes": ["coreutils"]})");
  host_.tool_ok(id, "write_file", R"({"path": "/a.txt", "content": "one\ntwo\nthree\n"})");
  auto cat = must(run(id, R"({"program": "cat", "args": ["/a.txt"]})"));
  EXPECT_FALSE(cat.is_error);
  EXPECT_EQ(str(cat.structured, "status"), "exited");
  EXPECT_EQ(num(cat.structured, "exitCode"), 0);
  EXPECT_EQ(str(cat.structured, "stdout"), "one\ntwo\nthree\n");
  EXPECT_GT(num(cat.structured, "fuelUsed"), 0);
  EXPECT_NE(cat.text.find("cat exited with code 0"), std::string::npos) << cat.text;

  auto wc = must(run(id, R"({"program": "wc", "args": ["-l", "a.txt"]})"));
  EXPECT_EQ(str(wc.structured, "stdout"), "3 a.txt\n");

  // Standard input reaches the program.
  auto in = must(run(id, R"({"program": "wc", "args": ["-w"], "stdin": "a b c d"})"));
  EXPECT_EQ(str(in.structured, "stdout"), "4\n");

  // A failing utility is a result (exit code 1, stderr), not a tool error.
  auto missing = must(run(id, R"({"program": "cat", "args": ["/nope"]})"));
  EXPECT_FALSE(missing.is_error);
  EXPECT_EQ(str(missing.structured, "status"), "exited");
  EXPECT_NE(num(missing.structured, "exitCode"), 0);
  EXPECT_NE(str(missing.structured, "stderr").find("nope"), std::string::npos);
}

TEST_F(AgentRunTest, UtilityFileChangesAreKeptAndReported) {
  const auto id = host_.create(R"({"runtimes": ["coreutils"]})");
  host_.tool_ok(id, "write_file", R"({"path": "/a.txt", "content": "x"})");
  auto cp = host_.tool_ok(id, "run", R"({"program": "cp", "args": ["/a.txt", "/b.txt"]})");
  ASSERT_EQ(cp.at("changes").as_array().size(), 1u);
  EXPECT_EQ(str(cp.at("changes").as_array()[0].as_object(), "path"), "/b.txt");
  EXPECT_EQ(str(cp, "digest"), host_.vfs_digest(id));
  EXPECT_EQ(host_.read(id, "/b.txt"), "x");
}

TEST_F(AgentRunTest, ProgramsMustBeGranted) {
  const auto none = host_.create();
  Error e = fails(run(none, R"({"program": "cat", "args": ["/x"]})"));
  EXPECT_EQ(e.code(), ErrorCode::Denied);
  EXPECT_NE(e.message().find("cat"), std::string::npos) << e.message();

  const auto only_cat = host_.create(R"({"runtimes": ["cat"]})");
  host_.tool_ok(only_cat, "write_file", R"({"path": "/x", "content": "1"})");
  EXPECT_EQ(str(must(run(only_cat, R"({"program": "cat", "args": ["/x"]})")).structured, "stdout"), "1");
  EXPECT_EQ(fails(run(only_cat, R"({"program": "wc", "args": ["/x"]})")).code(), ErrorCode::Denied);
  auto tools = must(host_.svc().tools(json::object{{"agentId", only_cat}}));
  EXPECT_EQ(json::serialize(tools.structured.at("programs")), R"(["cat"])");

  // Ruby needs its own grant, whatever else is granted.
  const auto utils = host_.create(R"({"runtimes": ["coreutils"]})");
  EXPECT_EQ(fails(run(utils, R"({"program": "ruby", "args": ["/x.rb"]})")).code(), ErrorCode::Denied);

  // A name that is neither a runtime nor a path is NotFound, listing what may run.
  e = fails(run(only_cat, R"({"program": "python"})"));
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_NE(e.message().find("cat"), std::string::npos) << e.message();

  // `run` itself may be withheld by the template.
  const auto no_run = host_.create(R"({"tools": ["read_file"], "runtimes": ["coreutils"]})");
  EXPECT_EQ(fails(run(no_run, R"({"program": "cat"})")).code(), ErrorCode::Denied);
}

TEST_F(AgentRunTest, RubyWithoutAConfiguredModuleIsUnsupported) {
  const auto id = host_.create(R"({"runtimes": ["ruby"]})");
  host_.tool_ok(id, "write_file", R"({"path": "/x.rb", "content": "puts 1"})");
  EXPECT_EQ(fails(run(id, R"({"program": "ruby", "args": ["/x.rb"]})")).code(), ErrorCode::Unsupported);
  EXPECT_EQ(fails(run(id, R"({"program": "ruby"})")).code(), ErrorCode::Invalid);  // no script
}

TEST_F(AgentRunTest, OutputBeyondTheAgentLimitIsTruncated) {
  const auto id = host_.create(R"({"runtimes": ["coreutils"], "limits": {"maxOutputBytes": 10}})");
  host_.tool_ok(id, "write_file", R"({"path": "/big", "content": "0123456789abcdefghij"})");
  auto r = must(run(id, R"({"program": "cat", "args": ["/big"]})"));
  EXPECT_EQ(str(r.structured, "stdout"), "0123456789");
  EXPECT_TRUE(flag(r.structured, "stdoutTruncated"));
}

TEST_F(AgentRunTest, GuestModuleFromTheFilesystemRuns) {
  if (!have_guests()) GTEST_SKIP() << "wat2wasm was not found at configure time";
  const auto id = host_.create();  // no runtimes: a .wasm path needs only the run tool
  install(id, "writer", "/bin/writer.wasm");
  const auto entries = host_.journal(id).size();
  auto r = must(run(id, R"({"program": "/bin/writer.wasm"})"));
  EXPECT_FALSE(r.is_error);  // exit code 7 is the guest's answer, not a failure
  EXPECT_EQ(str(r.structured, "status"), "exited");
  EXPECT_EQ(num(r.structured, "exitCode"), 7);
  EXPECT_EQ(str(r.structured, "stdout"), "hello from wat\n");
  EXPECT_EQ(host_.read(id, "/out.txt"), "data from guest\n");
  ASSERT_EQ(r.structured.at("changes").as_array().size(), 1u);
  EXPECT_EQ(str(r.structured.at("changes").as_array()[0].as_object(), "path"), "/out.txt");
  EXPECT_EQ(host_.journal(id).size(), entries + 1);
  EXPECT_EQ(str(host_.journal(id).back(), "stateDigest"), host_.state_digest(id));
  // A relative name ending in .wasm is a path too.
  host_.tool_ok(id, "delete_file", R"({"path": "/out.txt"})");
  EXPECT_EQ(num(must(run(id, R"({"program": "bin/writer.wasm"})")).structured, "exitCode"), 7);
}

TEST_F(AgentRunTest, GuestThatIsNotWebAssemblyIsAClearError) {
  const auto id = host_.create();
  host_.tool_ok(id, "write_file", R"({"path": "/bad.wasm", "content": "not a module"})");
  const Error e = fails(run(id, R"({"program": "/bad.wasm"})"));
  EXPECT_NE(e.message().find("/bad.wasm"), std::string::npos) << e.message();
  EXPECT_EQ(fails(run(id, R"({"program": "/missing.wasm"})")).code(), ErrorCode::NotFound);
}

TEST_F(AgentRunTest, EndlessGuestRunsOutOfFuelAndLeavesFilesUnchanged) {
  if (!have_guests()) GTEST_SKIP() << "wat2wasm was not found at configure time";
  const auto id = host_.create(R"({"runtimes": ["coreutils"], "limits": {"fuel": 200000}})");
  install(id, "spin", "/spin.wasm");
  const auto vfs = host_.vfs_digest(id);
  const auto entries = host_.journal(id).size();
  // The request asks for more fuel than the agent's limit: the limit wins.
  auto r = must(run(id, R"({"program": "/spin.wasm", "fuel": 1000000000})"));
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(str(r.structured, "status"), "out_of_fuel");
  EXPECT_TRUE(r.structured.at("exitCode").is_null());
  EXPECT_LE(num(r.structured, "fuelUsed"), 200000 + 1000);
  EXPECT_GE(num(r.structured, "fuelUsed"), 200000);
  EXPECT_TRUE(r.structured.at("changes").as_array().empty());
  EXPECT_EQ(str(r.structured, "digest"), vfs);
  EXPECT_NE(r.text.find("discarded"), std::string::npos) << r.text;
  EXPECT_EQ(host_.vfs_digest(id), vfs);
  EXPECT_NE(host_.read(id, "/out.txt").find("not found"), std::string::npos);
  // The failed run is still one journal entry, recording the unchanged state.
  ASSERT_EQ(host_.journal(id).size(), entries + 1);
  EXPECT_EQ(str(host_.journal(id).back(), "stateDigest"), host_.state_digest(id));

  // A request may lower the fuel.
  auto lower = must(run(id, R"({"program": "/spin.wasm", "fuel": 5000})"));
  EXPECT_EQ(str(lower.structured, "status"), "out_of_fuel");
  EXPECT_LE(num(lower.structured, "fuelUsed"), 5000 + 1000);

  // The agent still works.
  host_.tool_ok(id, "write_file", R"({"path": "/after.txt", "content": "fine"})");
  auto cat = must(run(id, R"({"program": "cat", "args": ["/after.txt"]})"));
  EXPECT_EQ(str(cat.structured, "stdout"), "fine");
  EXPECT_FALSE(cat.is_error);
}

TEST_F(AgentRunTest, MemoryLimitBelowTheGuestsNeedEndsTheRun) {
  if (!have_guests()) GTEST_SKIP() << "wat2wasm was not found at configure time";
  // The guests declare one 64 KiB page; allow less than that.
  const auto id = host_.create(R"({"limits": {"maxMemoryBytes": 1000}})");
  install(id, "writer", "/w.wasm");
  auto r = must(run(id, R"({"program": "/w.wasm"})"));
  EXPECT_TRUE(r.is_error);
  EXPECT_EQ(str(r.structured, "status"), "memory_limit");
  EXPECT_NE(host_.read(id, "/out.txt").find("not found"), std::string::npos);
}

TEST_F(AgentRunTest, SameRunOnAgentsWithTheSameStateGivesTheSameResult) {
  const auto a = host_.create(R"({"template": "coder"})");
  const auto b = host_.create(R"({"template": "coder"})");
  for (const auto& id : {a, b}) {
    host_.tool_ok(id, "write_file", R"({"path": "/data.txt", "content": "b\na\nc\na\n"})");
  }
  ASSERT_EQ(host_.state_digest(a), host_.state_digest(b));
  const auto input = R"({"program": "sort", "args": ["-o", "/sorted.txt", "/data.txt"]})";
  auto ra = must(run(a, input));
  auto rb = must(run(b, input));
  EXPECT_EQ(json::serialize(ra.structured), json::serialize(rb.structured));
  EXPECT_EQ(host_.read(a, "/sorted.txt"), "a\na\nb\nc\n");
  EXPECT_EQ(host_.state_digest(a), host_.state_digest(b));
}

TEST_F(AgentRunTest, RandomBytesFollowTheAgentAndItsRunPosition) {
  if (!have_guests()) GTEST_SKIP() << "wat2wasm was not found at configure time";
  // programs.h: runs are deterministic, random seeded from the agent id
  // and RunContext::seed (the journal position).
  AgentConfig config;
  config.id = "agt_00000000000000cc";
  config.tools = {"run"};
  Agent agent = make_agent(config);
  ASSERT_TRUE(vfs::write_file(agent.vfs, "/r.wasm", *guest_bytes("random")).has_value());
  const auto run_at = [&](Agent& a, std::uint64_t seed) {
    Agent copy = a.working_copy();
    RunRequest request;
    request.program = "/r.wasm";
    auto r = host_.runner().run(copy, request, RunContext{seed, nullptr});
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    return r ? r->stdout_data : std::string();
  };
  const auto first = run_at(agent, 5);
  EXPECT_EQ(first.size(), 33u);
  EXPECT_EQ(run_at(agent, 5), first);
  EXPECT_NE(run_at(agent, 6), first);
  Agent twin = make_agent(config);
  ASSERT_TRUE(vfs::write_file(twin.vfs, "/r.wasm", *guest_bytes("random")).has_value());
  EXPECT_EQ(run_at(twin, 5), first);
}

TEST_F(AgentRunTest, InterruptEndsARunningGuestAndTheJournalRecordsHow) {
  if (!have_guests()) GTEST_SKIP() << "wat2wasm was not found at configure time";
  const auto id = host_.create();
  install(id, "spin", "/spin.wasm");
  const auto vfs = host_.vfs_digest(id);
  std::atomic<bool> done{false};
  Result<Reply> result = std::unexpected(Error(ErrorCode::Internal, "not run"));
  std::thread runner([&] {
    result = run(id, R"({"program": "/spin.wasm"})");
    done.store(true);
  });
  // The run clears the flag when it starts, so keep raising it until the
  // run is over; the guest can only end by the interrupt or its fuel.
  bool raised = true;
  while (!done.load()) {
    raised = raised && host_.svc().interrupt(id).has_value();
    std::this_thread::yield();
  }
  EXPECT_TRUE(raised);
  runner.join();
  ASSERT_TRUE(result.has_value()) << result.error().to_string();
  EXPECT_TRUE(result->is_error);
  EXPECT_EQ(str(result->structured, "status"), "interrupted");
  EXPECT_EQ(host_.vfs_digest(id), vfs);
  const auto last = host_.journal(id).back();
  EXPECT_EQ(str(last.at("args").as_object(), "outcome"), "interrupted");
  EXPECT_EQ(str(last, "stateDigest"), host_.state_digest(id));
  EXPECT_EQ(fails(host_.svc().interrupt("agt_ffffffffffffffff")).code(), ErrorCode::NotFound);
  // The next run starts with the flag lowered.
  host_.tool_ok(id, "write_file", R"({"path": "/x", "content": "1"})");
  auto again = must(run(id, R"({"program": "/spin.wasm", "fuel": 10000})"));
  EXPECT_EQ(str(again.structured, "status"), "out_of_fuel");
}

}  // namespace
}  // namespace wg::agent
