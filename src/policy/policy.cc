#include "policy/policy.h"

#include "base/check.h"
#include "policy/glob.h"

namespace wg::policy {

std::chrono::seconds CounterWindow::length() const {
  switch (unit) {
    case WindowUnit::Minute: return std::chrono::seconds(60);
    case WindowUnit::Hour: return std::chrono::seconds(3600);
    case WindowUnit::Day: return std::chrono::seconds(86400);
  }
  WG_UNREACHABLE();
}

bool Entry::matches(std::string_view name) const {
  switch (match) {
    case Match::Exact: return pattern == name;
    case Match::Glob: return glob_match(pattern, name);
    case Match::Wildcard: return true;
  }
  WG_UNREACHABLE();
}

const Section& Policy::section(CallKind kind) const {
  switch (kind) {
    case CallKind::Tool: return tools;
    case CallKind::Resource: return resources;
    case CallKind::Prompt: return prompts;
  }
  WG_UNREACHABLE();
}

bool Policy::hides_tool(std::string_view name) const {
  for (const auto& pattern : hide) {
    if (glob_match(pattern, name)) return true;
  }
  return false;
}

std::string_view to_string(DefaultAction a) { return a == DefaultAction::Allow ? "allow" : "deny"; }

std::string_view to_string(RuleAction a) {
  switch (a) {
    case RuleAction::Evaluate: return "evaluate";
    case RuleAction::Deny: return "deny";
    case RuleAction::RequireApproval: return "require_approval";
  }
  WG_UNREACHABLE();
}

std::string_view to_string(Op op) {
  switch (op) {
    case Op::Eq: return "eq";
    case Op::Neq: return "neq";
    case Op::In: return "in";
    case Op::NotIn: return "not_in";
    case Op::Lt: return "lt";
    case Op::Lte: return "lte";
    case Op::Gt: return "gt";
    case Op::Gte: return "gte";
    case Op::Regex: return "regex";
    case Op::Contains: return "contains";
    case Op::Exists: return "exists";
  }
  WG_UNREACHABLE();
}

std::string_view to_string(CallKind kind) {
  switch (kind) {
    case CallKind::Tool: return "tool";
    case CallKind::Resource: return "resource";
    case CallKind::Prompt: return "prompt";
  }
  WG_UNREACHABLE();
}

std::string_view to_string(CounterScope scope) {
  switch (scope) {
    case CounterScope::Tool: return "tool";
    case CounterScope::Global: return "global";
    case CounterScope::Session: return "session";
    case CounterScope::Identity: return "identity";
  }
  WG_UNREACHABLE();
}

std::string_view to_string(WindowUnit unit) {
  switch (unit) {
    case WindowUnit::Minute: return "minute";
    case WindowUnit::Hour: return "hour";
    case WindowUnit::Day: return "day";
  }
  WG_UNREACHABLE();
}

std::string_view to_string(WindowKind kind) { return kind == WindowKind::Fixed ? "fixed" : "sliding"; }

}  // namespace wg::policy
