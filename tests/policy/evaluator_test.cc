#include "policy/evaluator.h"

#include <map>

#include <boost/json.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "policy/loader.h"

namespace wg::policy {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Counters held in memory, keyed "<counter>@<partition>"; records every read.
class FakeCounters : public CountersView {
 public:
  Result<CounterReading> read(const CounterRef& ref, Timestamp) const override {
    reads.push_back(ref);
    if (fail) return make_error(ErrorCode::Io, "store offline");
    auto it = values.find(ref.def.counter + "@" + ref.partition);
    if (it == values.end()) return CounterReading{};
    return it->second;
  }
  void set(const std::string& counter_at_partition, std::string_view value,
           std::optional<Timestamp> oldest = std::nullopt) {
    values[counter_at_partition] = CounterReading{*Decimal::parse(value), oldest};
  }
  std::map<std::string, CounterReading> values;
  mutable std::vector<CounterRef> reads;
  bool fail = false;
};

// 2026-11-29T10:30:15.250Z
const Timestamp kNow = Timestamp(std::chrono::sys_days(std::chrono::year(2026) / 11 / 29).time_since_epoch()) +
                       10h + 30min + 15s + 250ms;

Policy load(std::string_view text) {
  auto p = load_policy(text, "test.yaml");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message());
  return p ? std::move(*p) : Policy{};
}

Call tool(std::string name, std::string_view args_json = "{}") {
  Call c;
  c.name = std::move(name);
  c.args = boost::json::parse(args_json);
  c.session = "s1";
  c.identity = "alice";
  return c;
}

Decision run(const Policy& p, const Call& c, const FakeCounters& counters = FakeCounters()) {
  return decide(p, c, counters, kNow);
}

// The denial in `d`, or a failure and an empty Deny (never a null dereference).
Deny deny_of(const Decision& d) {
  if (const Deny* deny = d.deny()) return *deny;
  ADD_FAILURE() << "expected a denial, got: " << describe(d);
  return Deny{};
}

// One rule with one condition on args.x, for operator tests.
Policy one_condition(std::string op, std::string value) {
  return load("version: \"1\"\ntools:\n  t:\n    rules:\n      - name: check\n        conditions:\n"
              "          - path: args.x\n            op: " + op + "\n            value: " + value + "\n");
}

bool passes(const Policy& p, std::string_view args) {
  Decision d = run(p, tool("t", args));
  if (d.deny()) {
    EXPECT_NE(deny_of(d).code, DenyCode::TypeMismatch) << describe(d);
  }
  return d.allowed();
}

DenyCode deny_code(const Policy& p, std::string_view args) {
  Decision d = run(p, tool("t", args));
  EXPECT_TRUE(d.deny()) << describe(d);
  return d.deny() ? deny_of(d).code : DenyCode::Hidden;
}

TEST(EvaluatorOperatorTest, EqComparesNumbersByValueAndNeverAcrossTypes) {
  Policy num = one_condition("eq", "5");
  EXPECT_TRUE(passes(num, R"({"x": 5})"));
  EXPECT_TRUE(passes(num, R"({"x": 5.0})"));
  EXPECT_FALSE(passes(num, R"({"x": 6})"));
  EXPECT_FALSE(passes(num, R"({"x": "5"})"));
  EXPECT_FALSE(passes(num, R"({})"));
  Policy str = one_condition("eq", "\"main\"");
  EXPECT_TRUE(passes(str, R"({"x": "main"})"));
  EXPECT_FALSE(passes(str, R"({"x": "Main"})"));
  EXPECT_FALSE(passes(str, R"({"x": ["main"]})"));
  Policy boolean = one_condition("eq", "true");
  EXPECT_TRUE(passes(boolean, R"({"x": true})"));
  EXPECT_FALSE(passes(boolean, R"({"x": "true"})"));
  Policy null = one_condition("eq", "null");
  EXPECT_TRUE(passes(null, R"({"x": null})"));
  EXPECT_FALSE(passes(null, R"({"x": 0})"));
}

TEST(EvaluatorOperatorTest, NeqIsTheNegationOfEqButFalseWhenAbsent) {
  Policy p = one_condition("neq", "\"draft\"");
  EXPECT_TRUE(passes(p, R"({"x": "final"})"));
  EXPECT_FALSE(passes(p, R"({"x": "draft"})"));
  EXPECT_TRUE(passes(p, R"({"x": 3})"));
  EXPECT_FALSE(passes(p, R"({})"));
}

TEST(EvaluatorOperatorTest, InAndNotInUseEqOnEveryElement) {
  Policy in = one_condition("in", "[usd, eur, 7]");
  EXPECT_TRUE(passes(in, R"({"x": "usd"})"));
  EXPECT_TRUE(passes(in, R"({"x": 7})"));
  EXPECT_FALSE(passes(in, R"({"x": "gbp"})"));
  EXPECT_FALSE(passes(in, R"({"x": "7"})"));
  EXPECT_FALSE(passes(in, R"({})"));
  Policy not_in = one_condition("not_in", "[admin, root]");
  EXPECT_TRUE(passes(not_in, R"({"x": "bob"})"));
  EXPECT_FALSE(passes(not_in, R"({"x": "root"})"));
  EXPECT_FALSE(passes(not_in, R"({})"));
}

TEST(EvaluatorOperatorTest, OrderingOperatorsCompareExactDecimals) {
  EXPECT_TRUE(passes(one_condition("lt", "100"), R"({"x": 99.99})"));
  EXPECT_FALSE(passes(one_condition("lt", "100"), R"({"x": 100})"));
  EXPECT_TRUE(passes(one_condition("lte", "0.3"), R"({"x": 0.3})"));
  EXPECT_FALSE(passes(one_condition("lte", "0.3"), R"({"x": 0.30000000000000004})"));
  EXPECT_TRUE(passes(one_condition("gt", "0"), R"({"x": 1})"));
  EXPECT_FALSE(passes(one_condition("gt", "0"), R"({"x": 0})"));
  EXPECT_FALSE(passes(one_condition("gt", "0"), R"({"x": -2})"));
  EXPECT_TRUE(passes(one_condition("gte", "1"), R"({"x": 1})"));
  EXPECT_FALSE(passes(one_condition("gte", "1"), R"({"x": 0.999})"));
  EXPECT_TRUE(passes(one_condition("lte", "18446744073709551615"), R"({"x": 18446744073709551615})"));
  EXPECT_FALSE(passes(one_condition("lte", "50000"), R"({})"));
}

TEST(EvaluatorOperatorTest, OrderingOperatorsRefuseNonNumbers) {
  Policy p = one_condition("lte", "50000");
  EXPECT_EQ(deny_code(p, R"({"x": "100"})"), DenyCode::TypeMismatch);
  EXPECT_EQ(deny_code(p, R"({"x": true})"), DenyCode::TypeMismatch);
  EXPECT_EQ(deny_code(p, R"({"x": null})"), DenyCode::TypeMismatch);
  EXPECT_EQ(deny_code(p, R"({"x": [1]})"), DenyCode::TypeMismatch);
  EXPECT_EQ(deny_code(p, R"({"x": 1e300})"), DenyCode::InvalidArgument);
}

TEST(EvaluatorOperatorTest, RegexSearchesStringsOnly) {
  Policy p = one_condition("regex", "\"^feat/[a-z]+$\"");
  EXPECT_TRUE(passes(p, R"({"x": "feat/login"})"));
  EXPECT_FALSE(passes(p, R"({"x": "main"})"));
  EXPECT_FALSE(passes(p, R"({"x": "feat/Login"})"));
  Policy unanchored = one_condition("regex", "secret");
  EXPECT_TRUE(passes(unanchored, R"({"x": "my secret key"})"));
  EXPECT_EQ(deny_code(p, R"({"x": 42})"), DenyCode::TypeMismatch);
}

TEST(EvaluatorOperatorTest, ContainsFindsSubstringsAndArrayElements) {
  Policy p = one_condition("contains", "test");
  EXPECT_TRUE(passes(p, R"({"x": "a test run"})"));
  EXPECT_FALSE(passes(p, R"({"x": "production"})"));
  EXPECT_TRUE(passes(p, R"({"x": ["x", "test"]})"));
  EXPECT_FALSE(passes(p, R"({"x": ["testing"]})"));
  Policy number = one_condition("contains", "3");
  EXPECT_TRUE(passes(number, R"({"x": [1, 2, 3]})"));
  EXPECT_EQ(deny_code(number, R"({"x": "123"})"), DenyCode::TypeMismatch);
  EXPECT_EQ(deny_code(p, R"({"x": 5})"), DenyCode::TypeMismatch);
  EXPECT_EQ(deny_code(p, R"({"x": {"test": 1}})"), DenyCode::TypeMismatch);
}

TEST(EvaluatorOperatorTest, ExistsTreatsNullAsAbsent) {
  Policy yes = one_condition("exists", "true");
  EXPECT_TRUE(passes(yes, R"({"x": 0})"));
  EXPECT_TRUE(passes(yes, R"({"x": ""})"));
  EXPECT_FALSE(passes(yes, R"({"x": null})"));
  EXPECT_FALSE(passes(yes, R"({})"));
  Policy no = one_condition("exists", "false");
  EXPECT_TRUE(passes(no, R"({})"));
  EXPECT_FALSE(passes(no, R"({"x": 1})"));
}

TEST(EvaluatorOperatorTest, PathsDescendObjectsAndArrayIndices) {
  Policy p = load(R"(version: "1"
tools:
  t:
    rules:
      - name: r
        conditions:
          - {path: args.items.1.owner.name, op: eq, value: bob}
)");
  EXPECT_TRUE(passes(p, R"({"items": [{}, {"owner": {"name": "bob"}}]})"));
  EXPECT_FALSE(passes(p, R"({"items": [{"owner": {"name": "bob"}}]})"));
  EXPECT_FALSE(passes(p, R"({"items": {"1": {"owner": {"name": "eve"}}}})"));
  EXPECT_TRUE(passes(p, R"({"items": {"1": {"owner": {"name": "bob"}}}})"));
  EXPECT_FALSE(passes(p, R"({"items": "bob"})"));
}

TEST(EvaluatorTest, RulesRunInOrderAndTheFirstFailureIsReported) {
  Policy p = load(R"(version: "1"
tools:
  t:
    rules:
      - name: first
        conditions: [{path: args.a, op: eq, value: 1}]
        on_deny: first failed
      - name: second
        conditions: [{path: args.b, op: eq, value: 1}]
      - name: third
        action: deny
  "*":
    rules:
      - name: wildcard
        action: deny
)");
  Decision d = run(p, tool("t", R"({"a": 0, "b": 0})"));
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).rule, "first");
  EXPECT_EQ(deny_of(d).reason, "first failed");
  EXPECT_EQ(deny_of(d).code, DenyCode::ConditionFailed);
  d = run(p, tool("t", R"({"a": 1, "b": 0})"));
  EXPECT_EQ(deny_of(d).rule, "second");
  EXPECT_EQ(deny_of(d).reason, "conditions of rule \"second\" not met");
  d = run(p, tool("t", R"({"a": 1, "b": 1})"));
  EXPECT_EQ(deny_of(d).rule, "third");
  EXPECT_EQ(deny_of(d).code, DenyCode::RuleDenied);
  d = run(p, tool("other"));
  EXPECT_EQ(deny_of(d).rule, "wildcard");
}

TEST(EvaluatorTest, ToolRulesRunBeforeGlobRulesBeforeWildcardRules) {
  Policy p = load(R"(version: "1"
tools:
  "*":
    rules:
      - {name: star, action: deny}
  "create_*":
    rules:
      - {name: glob, action: deny}
  create_issue:
    rules:
      - {name: exact, action: deny}
)");
  EXPECT_EQ(deny_of(run(p, tool("create_issue"))).rule, "exact");
  EXPECT_EQ(deny_of(run(p, tool("create_pr"))).rule, "glob");
  EXPECT_EQ(deny_of(run(p, tool("list"))).rule, "star");
}

TEST(EvaluatorTest, DefaultAllowPermitsUnmatchedCalls) {
  Policy p = load("version: \"1\"\ntools:\n  t:\n    rules:\n      - {name: r, action: deny}\n");
  Decision d = run(p, tool("other"));
  EXPECT_TRUE(d.allowed());
  EXPECT_TRUE(d.updates.empty());
  EXPECT_EQ(d.revision, p.revision);
}

TEST(EvaluatorTest, DefaultDenyPermitsOnlyListedToolsAndWildcardDoesNotRescue) {
  Policy p = load(R"(version: "1"
default: deny
tools:
  read_file:
    rules: []
  "list_*":
    rules: []
  "*":
    rules:
      - name: global
        rate_limit: 100/minute
)");
  EXPECT_TRUE(run(p, tool("read_file")).allowed());
  EXPECT_TRUE(run(p, tool("list_dirs")).allowed());
  Decision d = run(p, tool("write_file"));
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::NotListed);
  EXPECT_EQ(deny_of(d).rule, "(default deny)");
  EXPECT_THAT(deny_of(d).reason, HasSubstr("write_file"));
}

TEST(EvaluatorTest, HiddenToolsAreDeniedByExactNameAndGlob) {
  Policy p = load(R"(version: "1"
hide: [delete_repo, "admin_*"]
tools:
  delete_repo:
    rules: []
)");
  Decision d = run(p, tool("delete_repo"));
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::Hidden);
  EXPECT_EQ(deny_of(d).rule, "(hidden)");
  EXPECT_EQ(deny_of(run(p, tool("admin_reset"))).code, DenyCode::Hidden);
  EXPECT_TRUE(run(p, tool("list_repos")).allowed());
  EXPECT_TRUE(p.hides_tool("admin_x"));
  EXPECT_FALSE(p.hides_tool("delete_repos"));
  Policy all = load("version: \"1\"\nhide: [\"*\"]\ntools: {}\n");
  EXPECT_TRUE(all.hides_tool("anything"));
  // Hiding is about tools: a prompt of the same name is not hidden.
  Call prompt = tool("delete_repo");
  prompt.kind = CallKind::Prompt;
  EXPECT_TRUE(run(p, prompt).allowed());
}

TEST(EvaluatorTest, RateLimitCountsTheCallBeingDecided) {
  Policy p = load("version: \"1\"\ntools:\n  issue:\n    rules:\n      - name: hourly\n        rate_limit: 5/hour\n");
  FakeCounters counters;
  counters.set("_rate_hour@issue", "4");
  Decision d = run(p, tool("issue"), counters);
  ASSERT_TRUE(d.allowed()) << describe(d);
  ASSERT_EQ(d.updates.size(), 1u);
  EXPECT_EQ(d.updates[0].amount, Decimal::from_int(1));
  EXPECT_EQ(d.updates[0].ref.partition, "issue");
  EXPECT_EQ(d.updates[0].ref.def.window.unit, WindowUnit::Hour);

  counters.set("_rate_hour@issue", "5");
  d = run(p, tool("issue"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::LimitExceeded);
  EXPECT_EQ(deny_of(d).rule, "hourly");
  EXPECT_EQ(deny_of(d).reason, "rate limit of 5 per hour reached");
  EXPECT_EQ(deny_of(d).remaining, Decimal::from_int(0));
  // 10:30:15.250 -> the hour ends at 11:00:00, 1784.75 s later, rounded up.
  EXPECT_EQ(deny_of(d).retry_after, std::chrono::seconds(1785));
  EXPECT_TRUE(d.updates.empty());
}

TEST(EvaluatorTest, LtLimitIsExclusiveAndReportsWholeRemaining) {
  Policy p = load(R"(version: "1"
tools:
  "*":
    rules:
      - name: global
        conditions: [{path: state._global.calls, op: lt, value: 60}]
        state: {counter: calls, window: minute}
)");
  FakeCounters counters;
  counters.set("calls@", "58");
  EXPECT_TRUE(run(p, tool("a"), counters).allowed());
  counters.set("calls@", "59");
  Decision d = run(p, tool("b"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).remaining, Decimal::from_int(0));
  EXPECT_EQ(deny_of(d).retry_after, std::chrono::seconds(45));  // minute ends at 10:31:00
  counters.set("calls@", "10");
  // Global counters are shared by every tool: the partition is empty.
  d = run(p, tool("c"), counters);
  ASSERT_EQ(d.updates.size(), 1u);
  EXPECT_EQ(d.updates[0].ref.partition, "");
  EXPECT_EQ(d.updates[0].ref.def.scope_segment, "_global");
}

TEST(EvaluatorTest, CounterScopesPartitionBySessionIdentityToolAndNothing) {
  Policy p = load(R"(version: "1"
tools:
  "files_*":
    rules:
      - name: per session
        rate_limit: {count: 3, window: minute, scope: session}
      - name: per identity
        rate_limit: {count: 3, window: hour, scope: identity}
      - name: per tool
        rate_limit: {count: 3, window: day, scope: tool}
      - name: shared
        rate_limit: {count: 3, window: day}
)");
  FakeCounters counters;
  Decision d = run(p, tool("files_read"), counters);
  ASSERT_TRUE(d.allowed()) << describe(d);
  ASSERT_EQ(d.updates.size(), 4u);
  EXPECT_EQ(d.updates[0].ref.partition, "s1");
  EXPECT_EQ(d.updates[1].ref.partition, "alice");
  EXPECT_EQ(d.updates[2].ref.partition, "files_read");
  EXPECT_EQ(d.updates[3].ref.partition, "");
  std::set<std::string> keys;
  for (const auto& u : d.updates) keys.insert(u.ref.key());
  EXPECT_EQ(keys.size(), 4u);

  // Another identity has its own budget; the exhausted one is refused.
  counters.set("_rate_hour_identity@alice", "3");
  d = run(p, tool("files_write"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).rule, "per identity");
  Call bob = tool("files_write");
  bob.identity = "bob";
  EXPECT_TRUE(run(p, bob, counters).allowed());

  // Per-tool counters under a glob entry are per called tool.
  counters.values.clear();
  counters.set("_rate_day_tool@files_read", "3");
  EXPECT_EQ(deny_of(run(p, tool("files_read"), counters)).rule, "per tool");
  EXPECT_TRUE(run(p, tool("files_list"), counters).allowed());
}

TEST(EvaluatorTest, ScopedCountersNeedTheirPartition) {
  Policy p = load("version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n"
                  "        rate_limit: {count: 3, window: minute, scope: identity}\n");
  Call anonymous = tool("t");
  anonymous.identity.clear();
  Decision d = run(p, anonymous);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::StateError);
  EXPECT_THAT(deny_of(d).reason, HasSubstr("no identity"));
}

TEST(EvaluatorTest, SlidingWindowsAreDistinctCountersAndReportWhenTheyFree) {
  Policy p = load("version: \"1\"\ntools:\n  t:\n    rules:\n      - name: fixed\n        rate_limit: 2/minute\n"
                  "      - name: sliding\n        rate_limit: {count: 2, window: minute, sliding: true}\n");
  FakeCounters counters;
  counters.set("_rate_minute_sliding@t", "2", kNow + 12s + 100ms);
  Decision d = run(p, tool("t"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).rule, "sliding");
  EXPECT_EQ(deny_of(d).retry_after, std::chrono::seconds(13));
  ASSERT_EQ(counters.reads.size(), 2u);
  EXPECT_EQ(counters.reads[0].def.window.kind, WindowKind::Fixed);
  EXPECT_EQ(counters.reads[1].def.window.kind, WindowKind::Sliding);
  EXPECT_NE(counters.reads[0].key(), counters.reads[1].key());
}

constexpr const char* kSpendPolicy = R"(version: "1"
tools:
  pay:
    rules:
      - name: daily budget
        conditions:
          - path: state.pay.spent
            op: lte
            value: 0.3
        on_deny: "budget of 0.30 used up"
        state:
          counter: spent
          window: day
          increment_from: args.amount
)";

TEST(EvaluatorSpendTest, AddsDecimalAmountsExactly) {
  Policy p = load(kSpendPolicy);
  FakeCounters counters;
  counters.set("spent@pay", "0.2");
  Decision d = run(p, tool("pay", R"({"amount": 0.1})"), counters);
  ASSERT_TRUE(d.allowed()) << describe(d);  // 0.2 + 0.1 == 0.3 exactly
  ASSERT_EQ(d.updates.size(), 1u);
  EXPECT_EQ(d.updates[0].amount.to_string(), "0.1");
  d = run(p, tool("pay", R"({"amount": 0.11})"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::LimitExceeded);
  EXPECT_EQ(deny_of(d).reason, "budget of 0.30 used up");
  EXPECT_EQ(deny_of(d).remaining.value_or(Decimal::from_int(-1)).to_string(), "0.1");
}

TEST(EvaluatorSpendTest, HandlesLargeAmountsWithoutRounding) {
  Policy p = load(R"(version: "1"
tools:
  pay:
    rules:
      - name: budget
        conditions: [{path: state.pay.spent, op: lte, value: 100000000000000000000}]
        state: {counter: spent, window: day, increment_from: args.amount}
)");
  FakeCounters counters;
  counters.set("spent@pay", "99999999999999999999.99");
  EXPECT_TRUE(run(p, tool("pay", R"({"amount": 0.01})"), counters).allowed());
  Decision d = run(p, tool("pay", R"({"amount": 0.02})"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).remaining.value_or(Decimal::from_int(-1)).to_string(), "0.01");
  // 2^53 + 1 arrives as an integer and stays exact.
  counters.set("spent@pay", "0");
  d = run(p, tool("pay", R"({"amount": 9007199254740993})"), counters);
  ASSERT_TRUE(d.allowed());
  ASSERT_EQ(d.updates.size(), 1u);
  EXPECT_EQ(d.updates[0].amount.to_string(), "9007199254740993");
}

TEST(EvaluatorSpendTest, RefusesNegativeMissingAndNonNumericAmounts) {
  Policy p = load(kSpendPolicy);
  for (const char* args : {R"({"amount": -0.05})", R"({})", R"({"amount": "0.1"})", R"({"amount": null})",
                           R"({"amount": 1e-30})"}) {
    Decision d = run(p, tool("pay", args));
    ASSERT_TRUE(d.deny()) << args;
    EXPECT_EQ(deny_of(d).code, DenyCode::InvalidArgument) << args;
    EXPECT_EQ(deny_of(d).rule, "daily budget");
    EXPECT_TRUE(d.updates.empty());
  }
}

TEST(EvaluatorSpendTest, AmountsAreCheckedEvenWhenNoLimitReadsThem) {
  Policy p = load(R"(version: "1"
tools:
  pay:
    rules:
      - name: track
        conditions: [{path: args.amount, op: gte, value: -1000}]
        state: {counter: spent, window: day, increment_from: args.amount}
)");
  Decision d = run(p, tool("pay", R"({"amount": -5})"));
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::InvalidArgument);
  EXPECT_THAT(deny_of(d).reason, HasSubstr("negative"));
}

TEST(EvaluatorTest, GroupsNestAnyAllAndNot) {
  Policy p = load(R"(version: "1"
tools:
  t:
    rules:
      - name: r
        conditions:
          - any_of:
              - {path: args.role, op: eq, value: admin}
              - all_of:
                  - {path: args.role, op: eq, value: dev}
                  - not: {path: args.env, op: eq, value: prod}
          - not:
              any_of:
                - {path: args.force, op: eq, value: true}
                - {path: args.path, op: regex, value: "^/etc/"}
)");
  EXPECT_TRUE(passes(p, R"({"role": "admin", "env": "prod"})"));
  EXPECT_TRUE(passes(p, R"({"role": "dev", "env": "test"})"));
  EXPECT_TRUE(passes(p, R"({"role": "dev"})"));
  EXPECT_FALSE(passes(p, R"({"role": "dev", "env": "prod"})"));
  EXPECT_FALSE(passes(p, R"({"role": "guest"})"));
  EXPECT_FALSE(passes(p, R"({"role": "admin", "force": true})"));
  EXPECT_FALSE(passes(p, R"({"role": "admin", "path": "/etc/passwd"})"));
  EXPECT_TRUE(passes(p, R"({"role": "admin", "path": "/home/x"})"));
}

TEST(EvaluatorTest, TypeMismatchUnderNotIsStillADenial) {
  // Inverting "false because of a wrong type" would let the call through.
  Policy p = load(R"(version: "1"
tools:
  t:
    rules:
      - name: r
        conditions:
          - not: {path: args.amount, op: gt, value: 100}
)");
  EXPECT_TRUE(passes(p, R"({"amount": 5})"));
  EXPECT_FALSE(passes(p, R"({"amount": 500})"));
  EXPECT_EQ(deny_code(p, R"({"amount": "500"})"), DenyCode::TypeMismatch);
}

TEST(EvaluatorTest, StoreFailureDeniesTheCall) {
  Policy p = load("version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        rate_limit: 5/hour\n");
  FakeCounters counters;
  counters.fail = true;
  Decision d = run(p, tool("t"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::StateError);
  EXPECT_THAT(deny_of(d).reason, HasSubstr("store offline"));
  EXPECT_TRUE(d.updates.empty());
}

TEST(EvaluatorTest, MalformedCallsAreRefused) {
  Policy p = load("version: \"1\"\ntools: {}\n");
  EXPECT_EQ(deny_of(run(p, tool("t", "[1, 2]"))).code, DenyCode::MalformedCall);
  EXPECT_EQ(deny_of(run(p, tool("t", "\"x\""))).code, DenyCode::MalformedCall);
  EXPECT_EQ(deny_of(run(p, tool("", "{}"))).code, DenyCode::MalformedCall);
  EXPECT_TRUE(run(p, tool("t", "null")).allowed());
}

TEST(EvaluatorApprovalTest, TriggeredRuleAsksForApprovalWithItsTimeoutAndReservations) {
  Policy p = load(R"(version: "1"
tools:
  transfer:
    rules:
      - name: count
        rate_limit: 10/day
      - name: large transfers
        action: require_approval
        approval_timeout: 2m
        conditions: [{path: args.amount, op: gt, value: 1000}]
)");
  Decision d = run(p, tool("transfer", R"({"amount": 5000})"));
  ASSERT_TRUE(d.approval()) << describe(d);
  EXPECT_EQ(d.approval()->rule, "large transfers");
  EXPECT_EQ(d.approval()->timeout, std::chrono::seconds(120));
  EXPECT_EQ(d.updates.size(), 1u);
  EXPECT_TRUE(run(p, tool("transfer", R"({"amount": 10})")).allowed());
}

TEST(EvaluatorApprovalTest, LaterDenyWinsOverApproval) {
  Policy p = load(R"(version: "1"
tools:
  t:
    rules:
      - {name: ask, action: require_approval}
  "*":
    rules:
      - name: block prod
        conditions: [{path: args.env, op: neq, value: prod}]
)");
  EXPECT_TRUE(run(p, tool("t", R"({"env": "dev"})")).approval());
  Decision d = run(p, tool("t", R"({"env": "prod"})"));
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).rule, "block prod");
}

TEST(EvaluatorTest, PolicesResourcesAndPromptsOnlyWhenTheirSectionExists) {
  Policy p = load(R"(version: "1"
default: deny
tools: {}
resources:
  "file:///docs/*":
    rules: []
)");
  Call docs;
  docs.kind = CallKind::Resource;
  docs.name = "file:///docs/readme.md";
  docs.args = boost::json::parse(R"({"uri": "file:///docs/readme.md"})");
  EXPECT_TRUE(run(p, docs).allowed());
  Call secret = docs;
  secret.name = "file:///etc/shadow";
  Decision d = run(p, secret);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::NotListed);
  EXPECT_THAT(deny_of(d).reason, HasSubstr("resource \"file:///etc/shadow\""));
  Call prompt;
  prompt.kind = CallKind::Prompt;
  prompt.name = "anything";
  EXPECT_TRUE(run(p, prompt).allowed());  // no prompts section: not policed
  EXPECT_EQ(deny_of(run(p, tool("any_tool"))).code, DenyCode::NotListed);
}

TEST(EvaluatorTest, ConditionsOnAnotherRulesCounterReadTheCurrentValue) {
  Policy p = load(R"(version: "1"
tools:
  t:
    rules:
      - name: counting
        conditions: [{path: args.x, op: exists, value: false}]
        state: {counter: n, window: hour}
      - name: after three calls, stop
        conditions: [{path: state.t.n, op: lt, value: 3}]
)");
  FakeCounters counters;
  counters.set("n@t", "1");
  Decision d = run(p, tool("t"), counters);
  ASSERT_TRUE(d.allowed()) << describe(d);
  counters.set("n@t", "2");
  // The lt condition counts this call's pending increment: 2 + 1 is not < 3.
  d = run(p, tool("t"), counters);
  ASSERT_TRUE(d.deny());
  EXPECT_EQ(deny_of(d).code, DenyCode::LimitExceeded);
  EXPECT_EQ(deny_of(d).rule, "after three calls, stop");
}

TEST(EvaluatorTest, InterceptStylePolicyDecidesAsInterceptWould) {
  Policy p = load(R"(version: "1"
default: deny
tools:
  charge:
    rules:
      - name: "max single charge"
        conditions:
          - path: "args.amount"
            op: "lte"
            value: 50000
        on_deny: "Single charge cannot exceed 500.00"
      - name: "daily spend cap"
        conditions:
          - path: "state.charge.daily_spend"
            op: "lt"
            value: 1000000
        state:
          counter: "daily_spend"
          window: "day"
          increment_from: "args.amount"
      - name: "allowed currencies"
        conditions:
          - path: "args.currency"
            op: "in"
            value: ["usd", "eur"]
  "*":
    rules:
      - name: "global rate limit"
        rate_limit: 60/minute
)");
  FakeCounters counters;
  counters.set("daily_spend@charge", "990000");
  Decision d = run(p, tool("charge", R"({"amount": 5000, "currency": "usd"})"), counters);
  ASSERT_TRUE(d.allowed()) << describe(d);
  ASSERT_EQ(d.updates.size(), 2u);  // the spend, then the global call count
  EXPECT_EQ(d.updates[0].amount, Decimal::from_int(5000));
  EXPECT_EQ(d.updates[1].ref.def.counter, "_rate_minute");
  EXPECT_EQ(d.updates[1].ref.def.scope, CounterScope::Global);

  d = run(p, tool("charge", R"({"amount": 60000, "currency": "usd"})"), counters);
  EXPECT_EQ(deny_of(d).reason, "Single charge cannot exceed 500.00");
  d = run(p, tool("charge", R"({"amount": 10000, "currency": "usd"})"), counters);
  EXPECT_EQ(deny_of(d).rule, "daily spend cap");  // 990000 + 10000 is not < 1000000
  d = run(p, tool("charge", R"({"amount": 100, "currency": "jpy"})"), counters);
  EXPECT_EQ(deny_of(d).rule, "allowed currencies");
  counters.set("_rate_minute@", "60");
  d = run(p, tool("charge", R"({"amount": 100, "currency": "eur"})"), counters);
  EXPECT_EQ(deny_of(d).rule, "global rate limit");
  EXPECT_EQ(deny_of(run(p, tool("refund"))).code, DenyCode::NotListed);
}

TEST(EvaluatorTest, FixedWindowsAlignToUtcBoundaries) {
  EXPECT_EQ(fixed_window_start(WindowUnit::Minute, kNow), kNow - 15s - 250ms);
  EXPECT_EQ(fixed_window_start(WindowUnit::Hour, kNow), kNow - 30min - 15s - 250ms);
  EXPECT_EQ(fixed_window_start(WindowUnit::Day, kNow), kNow - 10h - 30min - 15s - 250ms);
  EXPECT_EQ(fixed_window_end(WindowUnit::Day, kNow), kNow + 13h + 29min + 44s + 750ms);
}

TEST(EvaluatorTest, DescribesDecisionsAndDenialDetails) {
  Policy p = load("version: \"1\"\ntools:\n  t:\n    rules:\n      - name: hourly\n        rate_limit: 1/hour\n");
  FakeCounters counters;
  counters.set("_rate_hour@t", "1");
  Decision d = run(p, tool("t"), counters);
  EXPECT_EQ(describe(d),
            "deny [limit_exceeded] rule \"hourly\": rate limit of 1 per hour reached (retry after 1785s) (remaining 0)");
  boost::json::object o = deny_details(deny_of(d));
  EXPECT_EQ(o.at("code"), "limit_exceeded");
  EXPECT_EQ(o.at("rule"), "hourly");
  EXPECT_EQ(o.at("retryAfter"), 1785);
  EXPECT_EQ(o.at("remaining"), "0");
  EXPECT_EQ(describe(run(p, tool("u"))), "allow");
}

}  // namespace
}  // namespace wg::policy
