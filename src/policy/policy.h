// The policy model: what a loaded, validated policy file means.
//
// A Policy is produced only by load_policy() (policy/loader.h), which checks
// every invariant stated here; the evaluator (policy/evaluator.h) relies on
// them. The format is PolicyLayer Intercept's YAML plus the extensions listed
// in docs/policy.md. Thread-safety: a Policy is immutable after loading and
// may be shared between threads (compiled regexes are shared, read-only).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "policy/decimal.h"
#include "policy/regex.h"

namespace wg::policy {

// 1-based position in the policy text, from the YAML parser.
struct SourceMark {
  int line = 0;
  int column = 0;
};

enum class DefaultAction : std::uint8_t { Allow, Deny };
enum class RuleAction : std::uint8_t { Evaluate, Deny, RequireApproval };
enum class Op : std::uint8_t { Eq, Neq, In, NotIn, Lt, Lte, Gt, Gte, Regex, Contains, Exists };

// What kind of MCP request a section of the policy polices.
enum class CallKind : std::uint8_t {
  Tool,      // tools/call      (section `tools`)
  Resource,  // resources/read  (section `resources`, extension)
  Prompt,    // prompts/get     (section `prompts`, extension)
};

// Whose calls a counter adds up. Intercept has Tool (per tool name) and
// Global (`_global`, under "*"); Session and Identity are extensions.
enum class CounterScope : std::uint8_t { Tool, Global, Session, Identity };

enum class WindowUnit : std::uint8_t { Minute, Hour, Day };
// Fixed: calendar-aligned UTC windows (Intercept). Sliding: the last
// minute/hour/day before now (extension).
enum class WindowKind : std::uint8_t { Fixed, Sliding };

struct CounterWindow {
  WindowUnit unit = WindowUnit::Minute;
  WindowKind kind = WindowKind::Fixed;
  std::chrono::seconds length() const;
  friend bool operator==(const CounterWindow&, const CounterWindow&) = default;
};

// A scalar from the policy file (YAML 1.2 core schema: quoted scalars are
// always strings; plain ones are null, bool, number or string).
using Scalar = std::variant<std::nullptr_t, bool, Decimal, std::string>;

// A condition path. `args.a.b.0` walks the call's arguments (a segment that
// is a decimal integer indexes an array); `state.<scope>.<counter>` reads a
// counter declared by a `state` block (or rate_limit) of the same section.
struct Path {
  enum class Root : std::uint8_t { Args, State };
  Root root = Root::Args;
  std::vector<std::string> segments;  // after "args."; for state: {scope, counter}
  std::string text;                   // as written, for messages
};

// A counter as declared: which state block owns it. The evaluator turns it
// into a CounterRef by adding the call's partition (tool, session, identity).
struct CounterDef {
  CallKind section = CallKind::Tool;
  std::string scope_segment;  // the `<scope>` of state.<scope>.<counter>
  std::string counter;
  CounterScope scope = CounterScope::Tool;
  CounterWindow window;
  // For CounterScope::Tool: the entry's exact name, or empty for a glob entry
  // (then the called name partitions the counter).
  std::string fixed_tool;
};

struct Condition {
  Path path;
  Op op = Op::Eq;
  Scalar value;                   // eq, neq, lt..gte, contains, exists (bool), regex (string)
  std::vector<Scalar> list;       // in, not_in
  std::optional<Regex> regex;     // regex
  std::optional<CounterDef> counter;  // set when path.root == State
  SourceMark mark;
};

// A condition tree. A rule's `conditions:` list is an implicit AllOf.
struct ConditionNode {
  enum class Kind : std::uint8_t { Leaf, AllOf, AnyOf, Not };
  Kind kind = Kind::Leaf;
  Condition leaf;                        // Kind::Leaf
  std::vector<ConditionNode> children;   // AllOf/AnyOf: one or more; Not: exactly one
  SourceMark mark;
};

// A `state` block: which counter a permitted call adds to, and by how much.
struct StateUpdate {
  CounterDef counter;
  Decimal increment = Decimal::from_int(1);  // > 0, used when increment_from is absent
  std::optional<Path> increment_from;        // args path; value must be a number >= 0
};

// The `rate_limit` shorthand as written, kept for messages; the loader has
// already expanded it into a condition and a StateUpdate as Intercept does.
struct RateLimit {
  std::uint64_t count = 0;
  CounterWindow window;
  CounterScope scope = CounterScope::Tool;
};

struct Rule {
  std::string name;
  RuleAction action = RuleAction::Evaluate;
  std::vector<ConditionNode> conditions;  // implicit AllOf; empty only for Deny/RequireApproval
  std::string on_deny;                    // may be empty: the evaluator writes a default
  std::optional<RateLimit> rate_limit;
  std::optional<StateUpdate> state;
  std::chrono::seconds approval_timeout{0};  // RequireApproval only
  SourceMark mark;
};

// One key under `tools:` (or `resources:` / `prompts:`).
struct Entry {
  enum class Match : std::uint8_t { Exact, Glob, Wildcard };  // Wildcard is the key "*"
  std::string pattern;
  Match match = Match::Exact;
  std::vector<Rule> rules;
  SourceMark mark;
  bool matches(std::string_view name) const;
};

struct Section {
  bool present = false;  // `resources`/`prompts` absent: that kind is not policed
  std::vector<Entry> entries;  // file order
};

struct Policy {
  std::string version;  // always "1"
  std::string description;
  DefaultAction default_action = DefaultAction::Allow;
  std::vector<std::string> hide;  // tool names or globs; "*" hides every tool
  Section tools;
  Section resources;
  Section prompts;
  // Lower-case hex SHA-256 of the exact policy text: the revision an approval
  // or an audit record is bound to.
  std::string revision;
  std::string source_name;  // file name used in messages

  const Section& section(CallKind kind) const;
  // True when a tool of this name is hidden (removed from tools/list and
  // denied when called).
  bool hides_tool(std::string_view name) const;
};

std::string_view to_string(DefaultAction a);
std::string_view to_string(RuleAction a);
std::string_view to_string(Op op);
std::string_view to_string(CallKind kind);
std::string_view to_string(CounterScope scope);
std::string_view to_string(WindowUnit unit);
std::string_view to_string(WindowKind kind);

}  // namespace wg::policy
