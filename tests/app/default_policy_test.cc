// The embedded default policy of `wasmgate serve`: it loads, it allows, its
// per-session limits bite, and docs/policy.md shows exactly this text.
#include "app/default_policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "policy/gate.h"
#include "policy/loader.h"
#include "store/policy_state_store.h"

namespace wg::app {
namespace {

namespace json = boost::json;

class FixedClock final : public policy::Clock {
 public:
  policy::Timestamp now() const override { return now_; }
  policy::Timestamp now_{std::chrono::milliseconds(1'800'000'000'000)};  // the start of a minute
};

class DefaultPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = policy::load_policy(default_policy_text(), kDefaultPolicySource);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message();
    holder_ = policy::PolicyHolder::fixed(std::move(*loaded));
    auto st = store::PolicyStateStore::open(":memory:");
    ASSERT_TRUE(st.has_value()) << st.error().message();
    store_ = std::move(*st);
    gate_ = std::make_unique<policy::Gate>(*holder_, *store_, clock_);
  }

  policy::Admission call(const std::string& tool, const std::string& session) {
    policy::GateRequest r;
    r.call.kind = policy::CallKind::Tool;
    r.call.name = tool;
    r.call.args = json::object{{"agentId", "a1"}};
    r.call.session = session;
    r.request_id = "1";
    policy::Admission a = gate_->before(r);
    if (a.proceed()) {
      EXPECT_TRUE(gate_->after(r, a, policy::UpstreamOutcome::Succeeded).has_value());
    }
    return a;
  }

  FixedClock clock_;
  std::unique_ptr<policy::PolicyHolder> holder_;
  std::unique_ptr<store::PolicyStateStore> store_;
  std::unique_ptr<policy::Gate> gate_;
};

TEST_F(DefaultPolicyTest, AllowsToolsItDoesNotLimit) {
  EXPECT_FALSE(holder_->current()->hides_tool("wasm_agent_terminate"));
  for (int i = 0; i < 300; ++i) ASSERT_TRUE(call("wasm_agent_list", "s1").proceed()) << i;
  EXPECT_TRUE(call("some_tool_nobody_lists", "s1").proceed());
}

TEST_F(DefaultPolicyTest, LimitsAgentCreationPerSessionPerMinute) {
  for (int i = 0; i < 120; ++i) ASSERT_TRUE(call("wasm_agent_create", "s1").proceed()) << i;
  policy::Admission refused = call("wasm_agent_create", "s1");
  ASSERT_FALSE(refused.proceed());
  ASSERT_TRUE(refused.refusal.has_value());
  EXPECT_EQ(refused.refusal->code, "limit_exceeded");
  EXPECT_EQ(refused.refusal->rule, "default: agents created per session");
  // Another session has its own counter; the next minute starts afresh.
  EXPECT_TRUE(call("wasm_agent_create", "s2").proceed());
  clock_.now_ += std::chrono::minutes(1);
  EXPECT_TRUE(call("wasm_agent_create", "s1").proceed());
}

TEST_F(DefaultPolicyTest, LimitsPromptsPerSessionPerMinute) {
  for (int i = 0; i < 60; ++i) ASSERT_TRUE(call("wasm_agent_prompt", "s1").proceed()) << i;
  policy::Admission refused = call("wasm_agent_prompt", "s1");
  ASSERT_FALSE(refused.proceed());
  EXPECT_EQ(refused.refusal->rule, "default: prompts per session per minute");
}

TEST_F(DefaultPolicyTest, IsShownVerbatimInTheDocs) {
  std::ifstream in(WG_POLICY_DOC);
  ASSERT_TRUE(in) << WG_POLICY_DOC;
  std::stringstream doc;
  doc << in.rdbuf();
  const std::string block = "```yaml\n" + std::string(default_policy_text()) + "```\n";
  EXPECT_NE(doc.str().find(block), std::string::npos)
      << "docs/policy.md \"Default policy\" must show default_policy_text() exactly";
}

}  // namespace
}  // namespace wg::app
