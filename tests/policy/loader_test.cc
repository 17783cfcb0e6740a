#include "policy/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace wg::policy {
namespace {

using ::testing::HasSubstr;

// Our own examples written in PolicyLayer Intercept's format, using only
// features Intercept has; they must load unchanged.
constexpr const char* kInterceptGithub = R"(version: "1"
description: "Code hosting server"

hide:
  - transfer_repository
  - list_webhooks

tools:
  open_issue:
    rules:
      - name: "issues per hour"
        rate_limit: 10/hour
        on_deny: "Only ten new issues an hour"

  merge_pull_request:
    rules:
      - name: "merge burst"
        rate_limit: 2/minute
      - name: "merge daily"
        rate_limit: 20/day

  delete_repository:
    rules:
      - name: "never delete repositories"
        action: "deny"
        on_deny: "Deleting repositories is off limits"

  push_files:
    rules:
      - name: "feature branches only"
        conditions:
          - path: "args.branch"
            op: "regex"
            value: "^(feat|fix)/"
          - path: "args.branch"
            op: "not_in"
            value: ["main", "release"]
        on_deny: "Push to a feature branch"

  "*":
    rules:
      - name: "global calls per minute"
        conditions:
          - path: "state._global.calls"
            op: "lt"
            value: 100
        state:
          counter: "calls"
          window: "minute"
)";

constexpr const char* kInterceptPayments = R"(version: "1"
description: "Payments server"
default: deny

tools:
  list_invoices:
    rules: []

  charge_card:
    rules:
      - name: "single charge cap"
        conditions:
          - path: "args.amount_cents"
            op: "lte"
            value: 25000
          - path: "args.currency"
            op: "in"
            value: ["usd", "gbp"]
          - path: "args.customer.id"
            op: "exists"
            value: true
        on_deny: "Charges above 250.00 or in other currencies are refused"
      - name: "daily spend"
        conditions:
          - path: "state.charge_card.spent_today"
            op: "lte"
            value: 200000
        state:
          counter: "spent_today"
          window: "day"
          increment_from: "args.amount_cents"
      - name: "no test descriptions"
        conditions:
          - path: "args.description"
            op: "contains"
            value: "DROP TABLE"
        on_deny: "odd description"
  refund:
    rules:
      - name: "refund count"
        conditions:
          - path: "state.refund.refunds"
            op: "lt"
            value: 5
          - path: "args.amount_cents"
            op: "gt"
            value: 0
          - path: "args.reason"
            op: "neq"
            value: "fraud"
          - path: "args.amount_cents"
            op: "gte"
            value: 1
          - path: "args.currency"
            op: "eq"
            value: "usd"
        state:
          counter: "refunds"
          window: "day"
          increment: 1
)";

Policy load_ok(std::string_view text) {
  auto p = load_policy(text, "policy.yaml");
  EXPECT_TRUE(p.has_value()) << (p ? "" : p.error().message());
  return p ? std::move(*p) : Policy{};
}

// Loads text expected to fail; returns the message.
std::string load_error(std::string_view text, ErrorCode code = ErrorCode::Invalid) {
  auto p = load_policy(text, "policy.yaml");
  EXPECT_FALSE(p.has_value());
  if (p) return {};
  EXPECT_EQ(p.error().code(), code) << p.error().message();
  return p.error().message();
}

TEST(LoaderTest, AcceptsInterceptGithubStylePolicyAsIs) {
  Policy p = load_ok(kInterceptGithub);
  EXPECT_EQ(p.version, "1");
  EXPECT_EQ(p.default_action, DefaultAction::Allow);
  EXPECT_EQ(p.hide, (std::vector<std::string>{"transfer_repository", "list_webhooks"}));
  ASSERT_EQ(p.tools.entries.size(), 5u);
  EXPECT_EQ(p.tools.entries[0].pattern, "open_issue");
  EXPECT_EQ(p.tools.entries[4].match, Entry::Match::Wildcard);
  EXPECT_EQ(p.tools.entries[2].rules[0].action, RuleAction::Deny);
  EXPECT_FALSE(p.resources.present);
}

TEST(LoaderTest, AcceptsInterceptPaymentsStylePolicyAsIs) {
  Policy p = load_ok(kInterceptPayments);
  EXPECT_EQ(p.default_action, DefaultAction::Deny);
  const Rule& spend = p.tools.entries[1].rules[1];
  ASSERT_TRUE(spend.state);
  ASSERT_TRUE(spend.state->increment_from);
  EXPECT_EQ(spend.state->increment_from->text, "args.amount_cents");
  EXPECT_EQ(spend.state->counter.scope, CounterScope::Tool);
  EXPECT_EQ(spend.state->counter.fixed_tool, "charge_card");
  const Condition& c = spend.conditions[0].leaf;
  ASSERT_TRUE(c.counter);
  EXPECT_EQ(c.counter->counter, "spent_today");
}

TEST(LoaderTest, ExpandsRateLimitShorthandLikeIntercept) {
  Policy p = load_ok(kInterceptGithub);
  const Rule& r = p.tools.entries[0].rules[0];
  ASSERT_TRUE(r.rate_limit);
  EXPECT_EQ(r.rate_limit->count, 10u);
  ASSERT_TRUE(r.state);
  EXPECT_EQ(r.state->counter.counter, "_rate_hour");
  EXPECT_EQ(r.state->increment, Decimal::from_int(1));
  ASSERT_EQ(r.conditions.size(), 1u);
  EXPECT_EQ(r.conditions[0].leaf.op, Op::Lte);
  EXPECT_EQ(r.conditions[0].leaf.path.text, "state.open_issue._rate_hour");
  EXPECT_EQ(std::get<Decimal>(r.conditions[0].leaf.value), Decimal::from_int(10));
}

TEST(LoaderTest, RevisionIsSha256OfTheText) {
  Policy p = load_ok("version: \"1\"\ntools: {}\n");
  EXPECT_EQ(p.revision, "d0df35beae09403a2efaefb6b6ea9526956d29e16c6cac1806cfcd37e1455b7c");
  Policy q = load_ok("version: \"1\"\ntools: {}\n# changed\n");
  EXPECT_NE(p.revision, q.revision);
}

TEST(LoaderTest, ReportsMisspelledKeyWithLineAndColumn) {
  std::string m = load_error(R"(version: "1"
tools:
  delete_file:
    rules:
      - name: "no deletes"
        acton: deny
)");
  EXPECT_THAT(m, HasSubstr("policy.yaml:6:9: unknown key \"acton\" in rule"));
}

TEST(LoaderTest, ReportsUnknownKeysAtEveryLevel) {
  EXPECT_THAT(load_error("version: \"1\"\ntools: {}\ndefualt: deny\n"), HasSubstr("policy.yaml:3:1: unknown key \"defualt\""));
  EXPECT_THAT(load_error("version: \"1\"\ntools:\n  a:\n    rule: []\n"), HasSubstr("policy.yaml:4:5: unknown key \"rule\""));
  EXPECT_THAT(load_error(R"(version: "1"
tools:
  a:
    rules:
      - name: r
        conditions:
          - path: args.x
            op: eq
            valeu: 1
)"),
              HasSubstr("policy.yaml:9:13: unknown key \"valeu\" in condition"));
  EXPECT_THAT(load_error(R"(version: "1"
tools:
  a:
    rules:
      - name: r
        rate_limit: 5/hour
      - name: s
        conditions: [{path: state.a.c, op: lt, value: 3}]
        state: {counter: c, window: day, incremnt: 2}
)"),
              HasSubstr("policy.yaml:9:42: unknown key \"incremnt\" in state"));
}

TEST(LoaderTest, ReportsBadRegexWithPosition) {
  std::string m = load_error(R"(version: "1"
tools:
  push:
    rules:
      - name: "branch"
        conditions:
          - path: args.branch
            op: regex
            value: "^(feat"
)");
  EXPECT_THAT(m, HasSubstr("policy.yaml:9:20: invalid regex \"^(feat\""));
}

TEST(LoaderTest, RefusesBacktrackingOnlyRegexFeatures) {
  // RE2 has no backreferences: patterns that could backtrack catastrophically cannot be written.
  std::string m = load_error(R"(version: "1"
tools:
  t:
    rules:
      - name: r
        conditions: [{path: args.s, op: regex, value: "(a+)\\1"}]
)");
  EXPECT_THAT(m, HasSubstr("policy.yaml:6:55: invalid regex"));
}

TEST(LoaderTest, ReportsBadRateLimitSyntax) {
  auto with = [](std::string rl) {
    return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        rate_limit: " + rl + "\n";
  };
  EXPECT_THAT(load_error(with("5/fortnight")), HasSubstr("policy.yaml:6:21: rate_limit window must be"));
  EXPECT_THAT(load_error(with("0/minute")), HasSubstr("policy.yaml:6:21: rate_limit count must be a positive integer"));
  EXPECT_THAT(load_error(with("five/hour")), HasSubstr("rate_limit count must be a positive integer, got \"five\""));
  EXPECT_THAT(load_error(with("-3/hour")), HasSubstr("rate_limit count must be a positive integer"));
  EXPECT_THAT(load_error(with("5")), HasSubstr("rate_limit must look like \"N/window\""));
  EXPECT_THAT(load_error(with("{count: 0, window: hour}")), HasSubstr("rate_limit count must be a positive integer"));
  EXPECT_THAT(load_error(with("{count: 3}")), HasSubstr("rate_limit needs a window"));
}

TEST(LoaderTest, RejectsImpossibleOrMistypedConditions) {
  auto cond = [](std::string op, std::string value) {
    return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        conditions:\n          - path: args.x\n"
           "            op: " + op + "\n            value: " + value + "\n";
  };
  EXPECT_THAT(load_error(cond("lt", "\"ten\"")), HasSubstr("policy.yaml:9:20: operator \"lt\" requires a numeric value"));
  EXPECT_THAT(load_error(cond("gte", "abc")), HasSubstr("operator \"gte\" requires a numeric value"));
  EXPECT_THAT(load_error(cond("in", "usd")), HasSubstr("policy.yaml:9:20: operator \"in\" requires a list value"));
  EXPECT_THAT(load_error(cond("in", "[]")), HasSubstr("empty list can never match"));
  EXPECT_THAT(load_error(cond("exists", "\"yes\"")), HasSubstr("operator \"exists\" requires a boolean value"));
  EXPECT_THAT(load_error(cond("regex", "5")), HasSubstr("regex value must be a string"));
  EXPECT_THAT(load_error(cond("matches", "5")), HasSubstr("policy.yaml:8:17: unknown operator \"matches\""));
  EXPECT_THAT(load_error(cond("eq", "[1, 2]")), HasSubstr("expected a single value, not a list"));
  EXPECT_THAT(load_error(cond("lt", "0.0000000000000000001")), HasSubstr("more than 18 fractional digits"));
  EXPECT_THAT(load_error(cond("lt", ".inf")), HasSubstr("infinite or NaN"));
}

TEST(LoaderTest, RejectsNonNumericOperatorsOnCounters) {
  auto on_counter = [](std::string op, std::string value) {
    return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        conditions:\n"
           "          - path: state.t.c\n            op: " + op + "\n            value: " + value + "\n"
           "        state: {counter: c, window: day}\n";
  };
  EXPECT_THAT(load_error(on_counter("exists", "true")), HasSubstr("policy.yaml:7:19: operator \"exists\" cannot be used on a counter"));
  EXPECT_THAT(load_error(on_counter("regex", "\"^1\"")), HasSubstr("operator \"regex\" cannot be used on a counter"));
  EXPECT_THAT(load_error(on_counter("contains", "1")), HasSubstr("operator \"contains\" cannot be used on a counter"));
  EXPECT_THAT(load_error(on_counter("eq", "many")), HasSubstr("counters are numbers"));
  EXPECT_THAT(load_error(on_counter("in", "[1, two]")), HasSubstr("counters are numbers"));
  auto ok = load_policy(on_counter("gte", "2"), "policy.yaml");
  EXPECT_TRUE(ok) << ok.error().message();
}

TEST(LoaderTest, AcceptsUnquotedVersionOne) {
  auto p = load_policy("version: 1\ntools: {}\n", "policy.yaml");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->version, "1");
  EXPECT_FALSE(load_policy("version: 1.0\ntools: {}\n", "policy.yaml"));
}

TEST(LoaderTest, RejectsBadPaths) {
  auto path = [](std::string p) {
    return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        conditions:\n          - path: " + p +
           "\n            op: eq\n            value: 1\n";
  };
  EXPECT_THAT(load_error(path("arguments.x")), HasSubstr("policy.yaml:7:19: path must start with \"args.\" or \"state.\""));
  EXPECT_THAT(load_error(path("args..x")), HasSubstr("empty segment"));
  EXPECT_THAT(load_error(path("args.")), HasSubstr("empty segment"));
  EXPECT_THAT(load_error(path("state.counter")), HasSubstr("state.<scope>.<counter>"));
  EXPECT_THAT(load_error(path("state.t.nothing")),
              HasSubstr("policy.yaml:7:13: condition references \"state.t.nothing\" but no state block declares"));
}

TEST(LoaderTest, RejectsUnknownActionAndActionMisuse) {
  auto rule = [](std::string body) { return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n" + body; };
  EXPECT_THAT(load_error(rule("        action: block\n")),
              HasSubstr("policy.yaml:6:17: action must be \"evaluate\", \"deny\" or \"require_approval\", got \"block\""));
  EXPECT_THAT(load_error(rule("        action: deny\n        conditions: [{path: args.x, op: eq, value: 1}]\n")),
              HasSubstr("deny rules deny unconditionally"));
  EXPECT_THAT(load_error(rule("        on_deny: nothing to check\n")),
              HasSubstr("policy.yaml:5:9: evaluate rules must have at least one condition"));
  EXPECT_THAT(load_error(rule("        action: deny\n        rate_limit: 5/hour\n")),
              HasSubstr("rate_limit can only be used with action \"evaluate\""));
  EXPECT_THAT(load_error(rule("        rate_limit: 5/hour\n        conditions: [{path: args.x, op: eq, value: 1}]\n")),
              HasSubstr("rate_limit cannot be combined with conditions or state"));
  EXPECT_THAT(load_error(rule("        rate_limit: 5/hour\n        approval_timeout: 5m\n")),
              HasSubstr("approval_timeout only applies to action \"require_approval\""));
  EXPECT_THAT(load_error(rule("        action: require_approval\n        approval_timeout: 10y\n")),
              HasSubstr("approval_timeout must be seconds or a duration"));
  EXPECT_THAT(load_error("version: \"1\"\ntools:\n  t:\n    rules:\n      - action: deny\n"),
              HasSubstr("policy.yaml:5:9: rule must have a name"));
}

TEST(LoaderTest, RejectsBadStateBlocks) {
  auto state = [](std::string body) {
    return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n"
           "        conditions: [{path: state.t.c, op: lte, value: 10}]\n        state:\n" + body;
  };
  EXPECT_THAT(load_error(state("          counter: c\n          window: day\n          increment: -2\n")),
              HasSubstr("policy.yaml:10:22: increment must not be negative"));
  EXPECT_THAT(load_error(state("          counter: c\n          window: day\n          increment: 0\n")),
              HasSubstr("increment of 0 never changes the counter"));
  EXPECT_THAT(load_error(state("          counter: c\n          window: day\n          increment: lots\n")),
              HasSubstr("increment must be a number"));
  EXPECT_THAT(load_error(state("          counter: c\n          window: week\n")),
              HasSubstr("policy.yaml:9:19: window must be \"minute\", \"hour\" or \"day\", got \"week\""));
  EXPECT_THAT(load_error(state("          counter: c\n          window: day\n          increment_from: state.t.c\n")),
              HasSubstr("increment_from must start with \"args.\""));
  EXPECT_THAT(load_error(state("          counter: c\n          window: day\n          increment: 2\n"
                               "          increment_from: args.n\n")),
              HasSubstr("both increment and increment_from"));
  EXPECT_THAT(load_error(state("          counter: c.d\n          window: day\n")), HasSubstr("counter must be"));
  EXPECT_THAT(load_error(state("          counter: c\n          window: day\n          scope: planet\n")),
              HasSubstr("scope must be tool, global, session or identity"));
}

TEST(LoaderTest, RejectsDuplicateCountersKeysAndHideEntries) {
  EXPECT_THAT(load_error(R"(version: "1"
tools:
  t:
    rules:
      - name: a
        rate_limit: 5/hour
      - name: b
        rate_limit: 9/hour
)"),
              HasSubstr("policy.yaml:7:9: duplicate state counter \"_rate_hour\" (also declared at line 5)"));
  EXPECT_THAT(load_error("version: \"1\"\ntools: {}\ntools: {}\n"), HasSubstr("policy.yaml:3:1: duplicate key \"tools\""));
  EXPECT_THAT(load_error("version: \"1\"\nhide: [a, b, a]\ntools: {}\n"), HasSubstr("hide: duplicate entry \"a\""));
  EXPECT_THAT(load_error("version: \"1\"\nhide: [a, \"\"]\ntools: {}\n"), HasSubstr("hide entries must be non-empty"));
}

TEST(LoaderTest, RejectsWrongTopLevel) {
  EXPECT_THAT(load_error("version: \"2\"\ntools: {}\n"), HasSubstr("policy.yaml:1:10: version must be \"1\", got \"2\""));
  EXPECT_THAT(load_error("tools: {}\n"), HasSubstr("version is required"));
  EXPECT_THAT(load_error("version: \"1\"\n"), HasSubstr("tools is required"));
  EXPECT_THAT(load_error("version: \"1\"\ndefault: maybe\ntools: {}\n"),
              HasSubstr("policy.yaml:2:10: default must be \"allow\" or \"deny\", got \"maybe\""));
  EXPECT_THAT(load_error("- a\n- b\n"), HasSubstr("a policy must be a mapping"));
  EXPECT_THAT(load_error("version: \"1\"\ntools: {}\n---\nversion: \"1\"\ntools: {}\n"), HasSubstr("exactly one YAML document"));
}

TEST(LoaderTest, ReportsYamlSyntaxErrorsAsMalformedWithPosition) {
  std::string m = load_error("version: \"1\"\ntools:\n  a: [1, 2\n", ErrorCode::Malformed);
  EXPECT_THAT(m, HasSubstr("policy.yaml:4:1:"));
}

TEST(LoaderTest, ReportsEveryProblemNotJustTheFirst) {
  std::string m = load_error(R"(version: "1"
tools:
  a:
    rules:
      - name: r
        acton: deny
  b:
    rules:
      - name: s
        rate_limit: 5/week
)");
  EXPECT_THAT(m, HasSubstr("policy.yaml:6:9:"));
  EXPECT_THAT(m, HasSubstr("policy.yaml:10:21:"));
}

TEST(LoaderTest, QuotedScalarsAreStringsAndPlainOnesFollowTheCoreSchema) {
  Policy p = load_ok(R"(version: "1"
tools:
  t:
    rules:
      - name: r
        conditions:
          - {path: args.a, op: eq, value: "5"}
          - {path: args.b, op: eq, value: 5}
          - {path: args.c, op: eq, value: true}
          - {path: args.d, op: eq, value: ~}
          - {path: args.e, op: eq, value: 'true'}
          - {path: args.f, op: eq, value: 1.50}
)");
  const auto& cs = p.tools.entries[0].rules[0].conditions;
  EXPECT_EQ(std::get<std::string>(cs[0].leaf.value), "5");
  EXPECT_EQ(std::get<Decimal>(cs[1].leaf.value), Decimal::from_int(5));
  EXPECT_EQ(std::get<bool>(cs[2].leaf.value), true);
  EXPECT_TRUE(std::holds_alternative<std::nullptr_t>(cs[3].leaf.value));
  EXPECT_EQ(std::get<std::string>(cs[4].leaf.value), "true");
  EXPECT_EQ(std::get<Decimal>(cs[5].leaf.value).to_string(), "1.5");
}

TEST(LoaderTest, LoadsExtensions) {
  Policy p = load_ok(R"(version: "1"
default: deny
hide: ["admin_*"]
tools:
  "files_*":
    rules:
      - name: per identity
        rate_limit: {count: 30, window: hour, scope: identity, sliding: true}
      - name: big writes need a human
        action: require_approval
        approval_timeout: 10m
        conditions:
          - any_of:
              - {path: args.size, op: gt, value: 1000000}
              - not: {path: args.path, op: regex, value: "^/tmp/"}
resources:
  "file:///docs/*":
    rules: []
prompts:
  summarise:
    rules:
      - name: sessions
        conditions: [{path: state.summarise.n, op: lt, value: 3}]
        state: {counter: n, window: day, scope: session}
)");
  ASSERT_EQ(p.tools.entries.size(), 1u);
  const Entry& files = p.tools.entries[0];
  EXPECT_EQ(files.match, Entry::Match::Glob);
  const Rule& rl = files.rules[0];
  EXPECT_EQ(rl.state->counter.scope, CounterScope::Identity);
  EXPECT_EQ(rl.state->counter.window.kind, WindowKind::Sliding);
  EXPECT_EQ(rl.state->counter.counter, "_rate_hour_sliding_identity");
  const Rule& ap = files.rules[1];
  EXPECT_EQ(ap.action, RuleAction::RequireApproval);
  EXPECT_EQ(ap.approval_timeout, std::chrono::minutes(10));
  ASSERT_EQ(ap.conditions.size(), 1u);
  EXPECT_EQ(ap.conditions[0].kind, ConditionNode::Kind::AnyOf);
  EXPECT_EQ(ap.conditions[0].children[1].kind, ConditionNode::Kind::Not);
  EXPECT_TRUE(p.resources.present);
  EXPECT_TRUE(p.prompts.present);
  EXPECT_EQ(p.prompts.entries[0].rules[0].state->counter.scope, CounterScope::Session);
  EXPECT_TRUE(p.hides_tool("admin_users"));
  EXPECT_FALSE(p.hides_tool("files_read"));
}

TEST(LoaderTest, RequireApprovalDefaultsToFiveMinutes) {
  Policy p = load_ok("version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        action: require_approval\n");
  EXPECT_EQ(p.tools.entries[0].rules[0].approval_timeout, std::chrono::seconds(300));
}

TEST(LoaderTest, RejectsMalformedGroups) {
  auto rule = [](std::string conds) {
    return "version: \"1\"\ntools:\n  t:\n    rules:\n      - name: r\n        conditions:\n" + conds;
  };
  EXPECT_THAT(load_error(rule("          - any_of: []\n")), HasSubstr("\"any_of\" takes a non-empty list"));
  EXPECT_THAT(load_error(rule("          - not: [{path: args.a, op: eq, value: 1}]\n")), HasSubstr("\"not\" takes one condition"));
  EXPECT_THAT(load_error(rule("          - all_of: [{path: args.a, op: eq, value: 1}]\n            path: args.b\n")),
              HasSubstr("must be the only key"));
  std::string deep = "          - ";
  for (int i = 0; i < 40; ++i) deep += "not: {";
  deep += "path: args.a, op: eq, value: 1";
  for (int i = 0; i < 40; ++i) deep += "}";
  EXPECT_THAT(load_error(rule(deep + "\n")), HasSubstr("nested deeper than 32"));
}

TEST(LoaderTest, BoundsAliasExpansion) {
  // A "billion laughs" document: aliases multiply the nodes to visit.
  std::string text = "version: \"1\"\nhide: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 8; ++i) {
    text += "x" + std::to_string(i) + ": &a" + std::to_string(i) + " [";
    for (int j = 0; j < 10; ++j) text += std::string(j ? ", " : "") + "*a" + std::to_string(i - 1);
    text += "]\n";
  }
  text += "tools:\n  t:\n    rules:\n      - name: r\n        conditions:\n          - {path: args.a, op: in, value: *a7}\n";
  auto p = load_policy(text, "policy.yaml");
  ASSERT_FALSE(p);
  // Either the unknown keys or the node budget stop it; it must not run away.
  EXPECT_TRUE(p.error().code() == ErrorCode::LimitExceeded || p.error().code() == ErrorCode::Invalid);
  LoaderLimits small;
  small.max_nodes = 50;
  auto q = load_policy(kInterceptGithub, "policy.yaml", small);
  ASSERT_FALSE(q);
  EXPECT_EQ(q.error().code(), ErrorCode::LimitExceeded);
}

TEST(LoaderTest, RejectsOversizedText) {
  LoaderLimits small;
  small.max_text_bytes = 16;
  auto p = load_policy("version: \"1\"\ntools: {}\n", "policy.yaml", small);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code(), ErrorCode::LimitExceeded);
}

TEST(LoaderTest, ParsesRateLimitShorthand) {
  auto rl = parse_rate_limit("60/minute");
  ASSERT_TRUE(rl);
  EXPECT_EQ(rl->count, 60u);
  EXPECT_EQ(rl->window.unit, WindowUnit::Minute);
  EXPECT_FALSE(parse_rate_limit("60/minutes"));
  EXPECT_FALSE(parse_rate_limit("/hour"));
  EXPECT_FALSE(parse_rate_limit("1.5/hour"));
}

}  // namespace
}  // namespace wg::policy
