// The service while a `run` is in progress, with a fake ProgramRunner that
// holds the run open until the agent's interrupt flag is raised (or it is
// released): stop ends the run, other agents stay available.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <boost/json/serialize.hpp>

#include "agent/test_util.h"

namespace wg::agent {
namespace {

using namespace testing;

// Blocks in run() until the run's interrupt flag or release() — a real
// ProgramRunner that stands for a long guest. A 20 s bound keeps a broken
// service from hanging the test binary; the assertions never depend on it.
class HoldingRunner final : public ProgramRunner {
 public:
  Result<wasi::RunResult> run(Agent&, const RunRequest&, const RunContext& context) override {
    started_.set_value();
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    wasi::RunResult result;
    result.status = wasi::RunStatus::Exited;
    while (!released_.load()) {
      if (context.interrupt && context.interrupt->load()) {
        result.status = wasi::RunStatus::Interrupted;
        result.trap = wasm::Trap::of(wasm::TrapKind::Interrupted);
        break;
      }
      if (std::chrono::steady_clock::now() > give_up) {
        gave_up_.store(true);
        break;
      }
      std::this_thread::yield();
    }
    finished_.store(true);
    return result;
  }
  std::vector<std::string> programs_for(const AgentConfig&) const override { return {"hold"}; }

  std::future<void> started() { return started_.get_future(); }
  void release() { released_.store(true); }
  bool finished() const { return finished_.load(); }
  bool gave_up() const { return gave_up_.load(); }

 private:
  std::promise<void> started_;
  std::atomic<bool> released_{false};
  std::atomic<bool> finished_{false};
  std::atomic<bool> gave_up_{false};
};

class AgentConcurrencyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = must(store::AgentDb::open(":memory:"));
    gallery_ = must(gallery::Gallery::open(templates_));
    ASSERT_TRUE(db_ && gallery_);
    service_ = must(AgentService::open(*db_, *gallery_, &runner_));
    ASSERT_TRUE(service_);
  }
  std::string create() {
    auto r = must(service_->create(json::object{}));
    return str(r.structured, "agentId");
  }
  // Starts a run of `id` on another thread and waits until the runner has it.
  std::thread start_run(const std::string& id, Result<Reply>& out) {
    auto started = runner_.started();
    std::thread t([this, id, &out] { out = service_->run(json::object{{"agentId", id}, {"program", "hold"}}); });
    started.wait();
    return t;
  }

  gallery::MemoryTemplateStore templates_;
  std::unique_ptr<gallery::Gallery> gallery_;
  std::unique_ptr<store::AgentDb> db_;
  HoldingRunner runner_;
  std::unique_ptr<AgentService> service_;
};

TEST_F(AgentConcurrencyTest, StopEndsARunningProgramAndThenStopsTheAgent) {
  const auto id = create();
  Result<Reply> run = std::unexpected(Error(ErrorCode::Internal, "not run"));
  std::thread t = start_run(id, run);
  auto stop = service_->stop(json::object{{"agentId", id}});
  t.join();
  EXPECT_FALSE(runner_.gave_up()) << "stop did not reach the running program";
  ASSERT_TRUE(run.has_value()) << run.error().to_string();
  EXPECT_EQ(str(run->structured, "status"), "interrupted");
  EXPECT_TRUE(run->is_error);
  ASSERT_TRUE(stop.has_value()) << stop.error().to_string();
  auto state = must(service_->state(json::object{{"agentId", id}}));
  EXPECT_EQ(str(state.structured, "status"), "stopped");
}

TEST_F(AgentConcurrencyTest, OtherAgentsAnswerWhileOneRuns) {
  const auto busy = create();
  const auto idle = create();
  Result<Reply> run = std::unexpected(Error(ErrorCode::Internal, "not run"));
  std::thread t = start_run(busy, run);
  auto state = service_->state(json::object{{"agentId", idle}});
  auto write = service_->tool(json::object{{"agentId", idle}, {"toolName", "write_file"},
                                           {"toolInput", json::object{{"path", "/f"}, {"content", "x"}}}});
  const bool finished_meanwhile = runner_.finished();
  runner_.release();
  t.join();
  EXPECT_FALSE(finished_meanwhile) << "calls on another agent waited for the run";
  EXPECT_TRUE(state.has_value());
  EXPECT_TRUE(write.has_value());
  EXPECT_TRUE(run.has_value());
}

TEST_F(AgentConcurrencyTest, ListAnswersWhileAnAgentRuns) {
  const auto busy = create();
  create();
  Result<Reply> run = std::unexpected(Error(ErrorCode::Internal, "not run"));
  std::thread t = start_run(busy, run);
  auto list = service_->list();
  const bool finished_meanwhile = runner_.finished();
  runner_.release();
  t.join();
  EXPECT_FALSE(finished_meanwhile) << "wasm_agent_list waited for a running program";
  ASSERT_TRUE(list.has_value());
  EXPECT_EQ(num(list->structured, "count"), 2);
  bool busy_listed = false;
  for (const auto& a : list->structured.at("agents").as_array()) {
    if (a.at("agentId").as_string() == busy) busy_listed = a.as_object().contains("busy");
  }
  EXPECT_TRUE(busy_listed) << boost::json::serialize(list->structured);
  // Once the run is over the agent is listed in full again.
  const auto after = must(service_->list()).structured;
  for (const auto& a : after.at("agents").as_array()) EXPECT_FALSE(a.as_object().contains("busy"));
}

}  // namespace
}  // namespace wg::agent
