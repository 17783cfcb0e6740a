#include "policy/gate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <barrier>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <thread>

#include "policy/loader.h"
#include "policy/store_counters.h"
#include "store/sqlite/database.h"

namespace wg::policy {
namespace {

using namespace std::chrono_literals;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-gate-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

class FakeClock final : public Clock {
 public:
  Timestamp now() const override { return now_; }
  void set(Timestamp t) { now_ = t; }
  void advance(std::chrono::milliseconds d) { now_ += d; }

 private:
  Timestamp now_;
};

// 2026-11-29T10:30:15.250Z
const Timestamp kStart =
    Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 29).time_since_epoch()) + 10h + 30min + 15s + 250ms;

constexpr std::string_view kPolicy = R"(version: "1"
tools:
  send_email:
    rules:
      - name: two per minute
        rate_limit: 2/minute
  search:
    rules:
      - name: sliding two
        rate_limit: {count: 2, window: minute, sliding: true}
  wire_money:
    rules:
      - name: big transfers
        action: require_approval
        approval_timeout: 5m
        on_deny: "transfers over 1000 need a human"
        conditions: [{path: args.amount, op: gt, value: 1000}]
  delete_repo:
    rules:
      - name: never delete
        action: deny
        on_deny: "Deleting repositories is not allowed"
  charge:
    rules:
      - name: daily spend
        conditions: [{path: state.charge.spend, op: lte, value: 100}]
        state: {counter: spend, window: day, increment_from: args.amount}
)";

std::unique_ptr<PolicyHolder> holder_for(std::string_view text) {
  auto p = load_policy(text, "gate.yaml");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message());
  return PolicyHolder::fixed(std::move(*p));
}

GateRequest req(std::string tool, std::string_view args = "{}", std::string id = "1") {
  GateRequest r;
  r.call.name = std::move(tool);
  r.call.args = boost::json::parse(args);
  r.call.session = "s1";
  r.call.identity = "alice";
  r.request_id = std::move(id);
  return r;
}

class GateTest : public ::testing::Test {
 protected:
  GateTest()
      : holder_(holder_for(kPolicy)),
        store_(std::move(*store::PolicyStateStore::open(":memory:"))),
        gate_(*holder_, *store_, clock_) {
    clock_.set(kStart);
  }
  // Runs one call through the gate with the given upstream outcome.
  Admission call(const GateRequest& r, UpstreamOutcome outcome = UpstreamOutcome::Succeeded) {
    Admission a = gate_.before(r);
    if (a.proceed()) {
      auto st = gate_.after(r, a, outcome);
      EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().to_string());
    }
    return a;
  }
  std::string code_of(const Admission& a) {
    if (!a.refusal) return "proceed";
    return a.refusal->code;
  }

  FakeClock clock_;
  std::unique_ptr<PolicyHolder> holder_;
  std::unique_ptr<store::PolicyStateStore> store_;
  Gate gate_;
};

TEST_F(GateTest, FixedWindowAdmitsTheLimitAndResetsAtTheMinute) {
  EXPECT_TRUE(call(req("send_email")).proceed());
  EXPECT_TRUE(call(req("send_email")).proceed());
  Admission third = call(req("send_email"));
  ASSERT_FALSE(third.proceed());
  EXPECT_EQ(code_of(third), "limit_exceeded");
  EXPECT_EQ(third.refusal->retry_after, 45s) << "10:30:15.250 -> 10:31:00";
  clock_.set(kStart + 44s + 750ms);  // 10:31:00.000, a new fixed window
  EXPECT_TRUE(call(req("send_email")).proceed());
}

TEST_F(GateTest, SlidingWindowFreesUpOnlyWhenTheOldestCallLeavesIt) {
  EXPECT_TRUE(call(req("search")).proceed());
  clock_.advance(30s);
  EXPECT_TRUE(call(req("search")).proceed());
  clock_.set(kStart + 44s + 750ms);  // a fixed window would have reset here
  Admission a = call(req("search"));
  ASSERT_FALSE(a.proceed());
  EXPECT_EQ(code_of(a), "limit_exceeded");
  EXPECT_EQ(a.refusal->retry_after, 16s);
  clock_.set(kStart + 60s);  // the first call left the window (now - 60s, now]
  EXPECT_TRUE(call(req("search")).proceed());
  EXPECT_FALSE(call(req("search")).proceed()) << "the second call is still inside the window";
}

TEST_F(GateTest, FailedUpstreamCallRollsItsReservationBack) {
  EXPECT_TRUE(call(req("charge", R"({"amount": 60})"), UpstreamOutcome::Failed).proceed());
  EXPECT_TRUE(call(req("charge", R"({"amount": 60})"), UpstreamOutcome::Succeeded).proceed())
      << "the failed 60 no longer counts";
  Admission over = call(req("charge", R"({"amount": 40.01})"));
  ASSERT_FALSE(over.proceed());
  EXPECT_EQ(code_of(over), "limit_exceeded");
  EXPECT_EQ(over.refusal->remaining->to_string(), "40");
  EXPECT_TRUE(call(req("charge", R"({"amount": 40})"), UpstreamOutcome::ToolError).proceed()) << "exactly at the limit";
  EXPECT_FALSE(call(req("charge", R"({"amount": 0.01})")).proceed()) << "a tool error still counts";
}

TEST_F(GateTest, ReservationCountsWhileTheCallIsInFlight) {
  Admission first = gate_.before(req("charge", R"({"amount": 70})"));
  ASSERT_TRUE(first.proceed());
  ASSERT_TRUE(first.reservation.has_value());
  EXPECT_FALSE(gate_.before(req("charge", R"({"amount": 70})")).proceed());
  ASSERT_TRUE(gate_.after(req("charge"), first, UpstreamOutcome::Failed).has_value());
  EXPECT_TRUE(gate_.before(req("charge", R"({"amount": 70})")).proceed());
}

TEST_F(GateTest, DenyBecomesAToolResultNamingTheRule) {
  Admission a = call(req("delete_repo"));
  ASSERT_FALSE(a.proceed());
  auto result = a.tool_result();
  EXPECT_EQ(result.at("isError"), true);
  const auto& text = result.at("content").as_array().at(0).as_object().at("text").as_string();
  EXPECT_NE(std::string_view(text).find("\"never delete\""), std::string_view::npos) << text;
  const auto& sc = result.at("structuredContent").as_object();
  EXPECT_EQ(sc.at("code"), "rule_denied");
  EXPECT_EQ(sc.at("rule"), "never delete");
  EXPECT_EQ(sc.at("reason"), "Deleting repositories is not allowed");
  EXPECT_FALSE(sc.contains("approvalId"));
}

TEST_F(GateTest, LimitDenialCarriesRetryAfterAndRemaining) {
  call(req("send_email"));
  call(req("send_email"));
  auto sc = call(req("send_email")).tool_result().at("structuredContent").as_object();
  EXPECT_EQ(sc.at("code"), "limit_exceeded");
  EXPECT_EQ(sc.at("retryAfter"), 45);
  EXPECT_EQ(sc.at("remaining"), "0");
}

TEST_F(GateTest, ApprovalIsBoundToTheExactCallAndUsedOnce) {
  const auto big = req("wire_money", R"({"amount": 5000, "to": "bob"})");
  Admission first = call(big);
  ASSERT_EQ(first.kind, Admission::Kind::NeedsApproval);
  const std::string id = first.approval_id;
  auto sc = first.tool_result().at("structuredContent").as_object();
  EXPECT_EQ(sc.at("code"), "approval_required");
  EXPECT_EQ(sc.at("approvalId").as_string(), id);
  EXPECT_EQ(call(big).approval_id, id) << "asking again reuses the pending approval";

  ASSERT_TRUE(
      store_->decide_approval(id, store::ApprovalStatus::Approved, "human", to_epoch_ms(clock_.now())).has_value());
  // Other arguments (even reordered keys are the same call; a different amount is not).
  Admission other = call(req("wire_money", R"({"amount": 5001, "to": "bob"})"));
  EXPECT_EQ(other.kind, Admission::Kind::NeedsApproval);
  EXPECT_NE(other.approval_id, id);

  Admission go = call(req("wire_money", R"({"to": "bob", "amount": 5000.0})"));
  ASSERT_TRUE(go.proceed()) << code_of(go);
  EXPECT_EQ(go.approval_id, id);
  Admission again = call(big);
  EXPECT_EQ(again.kind, Admission::Kind::NeedsApproval) << "an approval is used once";
  EXPECT_NE(again.approval_id, id);
  EXPECT_TRUE(call(req("wire_money", R"({"amount": 10})")).proceed()) << "small transfers need no approval";
}

TEST_F(GateTest, ApprovalIsBoundToThePolicyRevision) {
  const auto big = req("wire_money", R"({"amount": 5000})");
  const std::string id = call(big).approval_id;
  ASSERT_TRUE(gate_.answer_approval(id, true, "elicitation").has_value());
  // Same rules, different text: a new revision.
  auto holder2 = holder_for(std::string(kPolicy) + "# edited\n");
  Gate gate2(*holder2, *store_, clock_);
  Admission a = gate2.before(big);
  EXPECT_EQ(a.kind, Admission::Kind::NeedsApproval);
  EXPECT_NE(a.approval_id, id);
  EXPECT_TRUE(gate_.before(big).proceed()) << "still valid under its own revision";
}

TEST_F(GateTest, ApprovalExpires) {
  const auto big = req("wire_money", R"({"amount": 5000})");
  const std::string id = call(big).approval_id;
  ASSERT_TRUE(gate_.answer_approval(id, true, "human").has_value());
  clock_.advance(5min);
  Admission a = call(big);
  EXPECT_EQ(a.kind, Admission::Kind::NeedsApproval);
  EXPECT_NE(a.approval_id, id) << "the approved one expired; a new request is made";
  auto rec = store_->get_approval(id, to_epoch_ms(clock_.now()));
  ASSERT_TRUE(rec.has_value());
  EXPECT_EQ(rec->status, store::ApprovalStatus::Expired);
}

TEST_F(GateTest, DeniedApprovalRefusesTheCall) {
  const auto big = req("wire_money", R"({"amount": 5000})");
  const std::string id = call(big).approval_id;
  ASSERT_TRUE(gate_.answer_approval(id, false, "human").has_value());
  Admission a = call(big);
  EXPECT_EQ(a.kind, Admission::Kind::Deny);
  EXPECT_EQ(code_of(a), "approval_denied");
  EXPECT_EQ(a.refusal->approval_id, id);
}

TEST_F(GateTest, AuditsEveryDecisionInAVerifiableChain) {
  TempDir dir;
  auto log = AuditLog::open(dir.file("audit.jsonl"));
  ASSERT_TRUE(log.has_value());
  Gate audited(*holder_, *store_, clock_, log->get());
  auto r = req("charge", R"({"amount": 5})", "42");
  Admission a = audited.before(r);
  ASSERT_TRUE(a.proceed());
  ASSERT_TRUE(audited.after(r, a, UpstreamOutcome::Failed).has_value());
  EXPECT_FALSE(audited.before(req("delete_repo")).proceed());
  auto report = verify_audit_file(dir.file("audit.jsonl"));
  ASSERT_TRUE(report.has_value());
  EXPECT_TRUE(report->ok) << report->problem;
  EXPECT_EQ(report->records, 2u);
  std::ifstream in(dir.file("audit.jsonl"));
  std::string line;
  std::getline(in, line);
  auto first = boost::json::parse(line).as_object();
  EXPECT_EQ(first.at("requestId"), "42");
  EXPECT_EQ(first.at("decision"), "allow");
  EXPECT_EQ(first.at("upstream"), "failed");
  EXPECT_EQ(first.at("argsDigest").as_string(), a.args_digest);
  EXPECT_EQ(first.at("identity"), "alice");
  std::getline(in, line);
  auto second = boost::json::parse(line).as_object();
  EXPECT_EQ(second.at("decision"), "deny");
  EXPECT_EQ(second.at("rule"), "never delete");
  EXPECT_EQ(second.at("upstream"), "not_called");
}

TEST(GateStoreTest, BrokenStoreDeniesWithStateError) {
  TempDir dir;
  const auto path = dir.file("state.sqlite3");
  auto holder = holder_for(kPolicy);
  auto st = std::move(*store::PolicyStateStore::open(path));
  FakeClock clock;
  clock.set(kStart);
  Gate gate(*holder, *st, clock);
  {
    auto raw = store::sqlite::Database::open(path);
    ASSERT_TRUE(raw.has_value());
    ASSERT_TRUE(raw->exec("DROP TABLE counter_entries").has_value());
  }
  Admission a = gate.before(req("send_email"));
  ASSERT_FALSE(a.proceed());
  EXPECT_EQ(a.refusal->code, "state_error");
}

// Two gates over two stores on one file (two wasmgate processes) race for
// the last unit of a limit, released together by a barrier: exactly one
// proceeds, every round.
TEST(GateConcurrencyTest, RacingCallsForTheLastUnitAdmitExactlyOne) {
  TempDir dir;
  const auto path = dir.file("state.sqlite3");
  auto holder = holder_for(R"(version: "1"
tools:
  t:
    rules:
      - name: one per session
        rate_limit: {count: 1, window: day, scope: session}
)");
  auto s1 = std::move(*store::PolicyStateStore::open(path));
  auto s2 = std::move(*store::PolicyStateStore::open(path));
  FakeClock clock;
  clock.set(kStart);
  Gate g1(*holder, *s1, clock);
  Gate g2(*holder, *s2, clock);
  constexpr int kRounds = 30;
  std::atomic<int> admitted[kRounds] = {};
  std::barrier sync(2);
  auto racer = [&](Gate& g) {
    for (int round = 0; round < kRounds; ++round) {
      GateRequest r = req("t");
      r.call.session = "session-" + std::to_string(round);
      sync.arrive_and_wait();
      Admission a = g.before(r);
      if (a.proceed()) {
        admitted[round].fetch_add(1);
        EXPECT_TRUE(g.after(r, a, UpstreamOutcome::Succeeded).has_value());
      } else {
        EXPECT_EQ(a.refusal->code, "limit_exceeded");
      }
    }
  };
  std::thread a(racer, std::ref(g1));
  std::thread b(racer, std::ref(g2));
  a.join();
  b.join();
  for (int round = 0; round < kRounds; ++round) EXPECT_EQ(admitted[round].load(), 1) << "round " << round;
}

}  // namespace
}  // namespace wg::policy
