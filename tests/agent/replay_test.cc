// Journal replay (agent/replay.h) through the service and on export
// documents, and fork at a past journal position.
#include "agent/replay.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "agent/test_util.h"
#include "base/base64.h"

namespace wg::agent {
namespace {

using namespace testing;

class AgentReplayTest : public ::testing::Test {
 protected:
  void install(const std::string& id, std::string_view name, std::string_view path) {
    const auto bytes = guest_bytes(name);
    ASSERT_TRUE(bytes.has_value()) << "guest " << name << " was not assembled";
    host_.tool_ok(id, "write_file",
                  json::serialize(json::object{{"path", path}, {"content", base64_encode(*bytes)},
                                               {"encoding", "base64"}}));
  }
  static bool have_guests() { return guest_bytes("random").has_value(); }

  // A history that touches every journaled operation.
  std::string busy_agent() {
    const auto id = host_.create(R"({"template": "coder"})");
    host_.tool_ok(id, "write_file", R"({"path": "/src/a.txt", "content": "one\ntwo\n"})");
    host_.tool_ok(id, "edit_file", R"({"path": "/src/a.txt", "old_string": "two", "new_string": "2"})");
    host_.tool_ok(id, "write_todos", R"({"todos": [{"content": "x", "status": "in_progress"}]})");
    host_.tool_ok(id, "run", R"({"program": "sort", "args": ["-r", "-o", "/sorted", "/src/a.txt"]})");
    must(host_.svc().stop(json::object{{"agentId", id}}));
    must(host_.svc().resume(json::object{{"agentId", id}}));
    host_.tool_ok(id, "delete_file", R"({"path": "/sorted"})");
    must(host_.svc().reset(json::object{{"agentId", id}}));
    return id;
  }

  json::object replay(const std::string& id, std::optional<std::int64_t> until = std::nullopt) {
    json::object args{{"agentId", id}};
    if (until) args["untilSeq"] = *until;
    auto r = host_.svc().replay(args);
    EXPECT_TRUE(r.has_value()) << r.error().to_string();
    if (!r) return {};
    EXPECT_EQ(r->is_error, !flag(r->structured, "ok")) << r->text;
    return r->structured;
  }

  Host host_;
};

TEST_F(AgentReplayTest, ReplayReproducesEveryRecordedDigest) {
  const auto id = busy_agent();
  const auto report = replay(id);
  EXPECT_TRUE(flag(report, "ok")) << json::serialize(report);
  EXPECT_EQ(num(report, "entries"), static_cast<std::int64_t>(host_.journal(id).size()));
  EXPECT_EQ(num(report, "replayed"), num(report, "entries"));
  EXPECT_EQ(str(report, "finalStateDigest"), host_.state_digest(id));
  // Replay writes nothing.
  EXPECT_EQ(host_.journal(id).size(), static_cast<std::size_t>(num(report, "entries")));
}

TEST_F(AgentReplayTest, ReplayUntilSeqStopsThere) {
  const auto id = busy_agent();
  const auto report = replay(id, 3);
  EXPECT_TRUE(flag(report, "ok"));
  EXPECT_EQ(num(report, "replayed"), 3);
  EXPECT_EQ(str(report, "finalStateDigest"), str(host_.journal(id)[2], "stateDigest"));
}

TEST_F(AgentReplayTest, ReplayOfRandomRunsInForksAndImportsMatches) {
  if (!have_guests()) GTEST_SKIP() << "wat2wasm was not found at configure time";
  const auto a = host_.create();
  install(a, "random", "/r.wasm");
  host_.tool_ok(a, "run", R"({"program": "/r.wasm"})");
  const auto b = str(must(host_.svc().fork(json::object{{"agentId", a}})).structured, "agentId");
  host_.tool_ok(b, "run", R"({"program": "/r.wasm"})");
  host_.tool_ok(b, "write_file", R"({"path": "/after-fork", "content": "b"})");
  EXPECT_TRUE(flag(replay(a), "ok"));
  EXPECT_TRUE(flag(replay(b), "ok")) << json::serialize(replay(b));
  const auto doc = must(host_.svc().export_agent(json::object{{"agentId", b}})).structured;
  const auto c = str(must(host_.svc().import_agent(json::object{{"export", doc}})).structured, "agentId");
  ASSERT_NE(c, b);
  host_.tool_ok(c, "run", R"({"program": "/r.wasm"})");
  EXPECT_TRUE(flag(replay(c), "ok")) << json::serialize(replay(c));
}

TEST_F(AgentReplayTest, TamperedJournalDivergesAtTheChangedEntry) {
  const auto id = busy_agent();
  auto doc = must(host_.svc().export_agent(json::object{{"agentId", id}})).structured;
  auto& entry = doc.at("journal").as_array()[1].as_object();  // the write_file
  ASSERT_EQ(str(entry.at("args").as_object(), "toolName"), "write_file");
  entry.at("args").as_object().at("toolInput").as_object()["content"] = "forged\n";
  const auto report = must(replay_export(doc, &host_.runner()));
  EXPECT_FALSE(report.ok);
  EXPECT_EQ(report.seq, 2);
  EXPECT_EQ(report.what, "state digest");
  EXPECT_EQ(report.replayed, 1u);
  EXPECT_NE(replay_report_text(report).find("diverged at entry 2"), std::string::npos);
}

TEST_F(AgentReplayTest, ReplayRefusesDocumentsThatAreNotExports) {
  EXPECT_EQ(fails(replay_export(jv("[]"), &host_.runner())).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(replay_export(jv(R"({"format": "other"})"), &host_.runner())).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(replay_export(jv(R"({"format": "wasmgate.agent", "journal": []})"), &host_.runner())).code(),
            ErrorCode::Invalid);
}

TEST_F(AgentReplayTest, ForkAtAPastPositionBranchesFromThatState) {
  const auto a = host_.create();
  host_.tool_ok(a, "write_file", R"({"path": "/f", "content": "v1"})");  // seq 2
  host_.tool_ok(a, "write_file", R"({"path": "/f", "content": "v2"})");  // seq 3
  host_.tool_ok(a, "write_file", R"({"path": "/g", "content": "later"})");  // seq 4
  auto r = must(host_.svc().fork(json::object{{"agentId", a}, {"atSeq", 2}}));
  const auto b = str(r.structured, "agentId");
  EXPECT_EQ(num(r.structured, "atSeq"), 2);
  EXPECT_EQ(host_.read(b, "/f"), "v1");
  EXPECT_NE(host_.read(b, "/g").find("not found"), std::string::npos);
  const auto journal = host_.journal(b);
  ASSERT_EQ(journal.size(), 3u);  // create, write v1, fork
  EXPECT_EQ(str(journal.back(), "op"), "fork");
  EXPECT_EQ(host_.read(a, "/f"), "v2");
  EXPECT_TRUE(flag(replay(b), "ok"));
  // A position the journal does not have is refused.
  EXPECT_EQ(fails(host_.svc().fork(json::object{{"agentId", a}, {"atSeq", 99}})).code(), ErrorCode::Invalid);
  EXPECT_EQ(fails(host_.svc().fork(json::object{{"agentId", a}, {"atSeq", 0}})).code(), ErrorCode::Invalid);
}

}  // namespace
}  // namespace wg::agent
