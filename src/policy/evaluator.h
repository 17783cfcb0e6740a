// The policy decision: a pure function of (policy, call, counters, time).
//
// Contract: decide() performs no I/O and never throws or fails: every outcome,
// including "the counters could not be read" and "the call is malformed", is
// a Decision, and every such failure is a Deny (fail closed). The caller (the
// runtime gate in app/) applies Decision::updates to the store only if it lets
// the call proceed, and rolls them back if the upstream call fails.
// Thread-safety: decide() is reentrant; the CountersView must tolerate
// concurrent reads if the caller decides concurrently.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/value.hpp>

#include "base/error.h"
#include "policy/policy.h"

namespace wg::policy {

// Wall-clock time in UTC (Unix epoch), millisecond resolution.
using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

// One request to decide.
struct Call {
  CallKind kind = CallKind::Tool;
  std::string name;  // tool name, resource URI, or prompt name
  // tools/call `arguments`, prompts/get `arguments`, or for resources/read
  // the request params ({"uri": ...}). Null means "no arguments" ({}); any
  // other non-object is refused as malformed.
  boost::json::value args;
  std::string session;   // MCP session id; required by session-scoped counters
  std::string identity;  // client identity (bearer token id); required by identity-scoped counters
};

// A concrete counter: the declaration plus the partition this call falls in.
struct CounterRef {
  CounterDef def;
  std::string partition;  // tool name (scope tool), session id, identity, or "" (global)
  // An unambiguous, stable string naming this counter (length-prefixed
  // fields), suitable as a store key.
  std::string key() const;
};

struct CounterReading {
  Decimal value;  // sum of the counter's increments inside its window at `now`
  // Sliding windows only: when the oldest increment still inside the window
  // leaves it (lets the evaluator report retry_after). Fixed windows ignore it.
  std::optional<Timestamp> oldest_expires_at;
};

// Read access to counters, implemented by the store adapter in app/ (and by
// fakes in tests). A fixed window is the calendar-aligned UTC window holding
// `now` (see fixed_window_start); a sliding one is (now - length, now].
class CountersView {
 public:
  virtual ~CountersView() = default;
  // An Error makes decide() deny the call with DenyCode::StateError.
  virtual Result<CounterReading> read(const CounterRef& ref, Timestamp now) const = 0;
};

// A reservation: add `amount` (>= 0) to `ref` if the call proceeds.
struct CounterUpdate {
  CounterRef ref;
  Decimal amount;
};

enum class DenyCode : std::uint8_t {
  Hidden,           // the tool is on the hide list
  NotListed,        // default: deny and no entry names the call
  RuleDenied,       // a rule with action: deny
  ConditionFailed,  // an evaluate rule's conditions were not met
  LimitExceeded,    // ... and the failing condition was on a counter
  TypeMismatch,     // an argument has the wrong type for its operator
  InvalidArgument,  // increment_from is missing, not a number, negative or out of range
  StateError,       // a counter could not be read or partitioned
  MalformedCall,    // the call itself is unusable (arguments not an object)
};

// Stable lower-case code for structuredContent: "hidden", "not_listed",
// "rule_denied", "condition_failed", "limit_exceeded", "type_mismatch",
// "invalid_argument", "state_error", "malformed_call".
std::string_view to_string(DenyCode code);

struct Allow {};

struct Deny {
  DenyCode code = DenyCode::ConditionFailed;
  std::string rule;    // rule name, or "(hidden)", "(default deny)", "(call)"
  std::string reason;  // on_deny text, or a generated explanation
  std::optional<std::chrono::seconds> retry_after;  // LimitExceeded: when the window frees up
  std::optional<Decimal> remaining;                 // LimitExceeded on lt/lte: headroom left before this call
};

struct RequireApproval {
  std::string rule;
  std::string reason;
  std::chrono::seconds timeout{0};
};

struct Decision {
  std::variant<Allow, Deny, RequireApproval> outcome;
  // Counter reservations to apply if the call proceeds (empty on Deny).
  std::vector<CounterUpdate> updates;
  std::string revision;  // Policy::revision the decision was made under

  bool allowed() const { return std::holds_alternative<Allow>(outcome); }
  const Deny* deny() const { return std::get_if<Deny>(&outcome); }
  const RequireApproval* approval() const { return std::get_if<RequireApproval>(&outcome); }
};

Decision decide(const Policy& policy, const Call& call, const CountersView& counters, Timestamp now);

// Start and end of the fixed (calendar-aligned UTC) window holding `now`.
// The store must use the same alignment.
Timestamp fixed_window_start(WindowUnit unit, Timestamp now);
Timestamp fixed_window_end(WindowUnit unit, Timestamp now);

// One line for humans and `wasmgate policy test`: "allow", "deny [code] rule
// \"r\": reason", "require_approval rule \"r\" (timeout 300s)".
std::string describe(const Decision& decision);

// The `structuredContent` fields of a denial: {"code","rule","reason",
// "retryAfter"?, "remaining"?}. `remaining` is a decimal string (exact).
boost::json::object deny_details(const Deny& deny);

}  // namespace wg::policy
