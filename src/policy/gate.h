// The policy gate: what the MCP layer (app/) runs around every tool,
// resource or prompt call. It combines the policy in force (PolicyHolder),
// counters and approvals (store::PolicyStateStore) and the audit log.
//
//   Admission a = gate.before(request);       // decide + reserve, atomically
//   if (!a.proceed()) reply(a.tool_result());  // isError result; never forward
//   else { outcome = forward upstream; gate.after(request, a, outcome); }
//
// before() never fails: every problem (store unavailable, arguments that
// cannot be canonicalised) is a refusal (fail closed). Inside ONE store
// transaction (BEGIN IMMEDIATE) it reads the counters, runs decide(), and
// reserves Decision::updates, so concurrent calls cannot both take the last
// unit. require_approval: an approved, unexpired approval bound to this exact
// call (kind + name + canonical-arguments digest + policy revision) is
// consumed (used once) and the call proceeds; otherwise a pending approval
// is created (or the existing one reused) and the call is refused with code
// "approval_required" and its approvalId; a human-denied one refuses with
// "approval_denied". With elicitation, app/ asks the human after before()
// returned NeedsApproval, records the answer with answer_approval(), and
// calls before() again.
// after() commits the reservation when the upstream produced a result
// (Succeeded or ToolError: the tool ran), releases it when the call failed
// (transport error, JSON-RPC error, timeout), and appends the audit record.
// Refusals are audited by before() itself.
// Thread-safety: a Gate may be used from many threads at once; it holds
// references to the holder, store, clock and audit log, which must outlive it.
#pragma once

#include <boost/json/object.hpp>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "policy/audit_log.h"
#include "policy/evaluator.h"
#include "policy/policy_holder.h"
#include "store/policy_state_store.h"

namespace wg::policy {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

struct GateOptions {
  // An open reservation older than this is committed by purge (the call's
  // fate is unknown; counting it is the fail-closed choice).
  std::chrono::milliseconds reservation_lease{std::chrono::minutes(15)};
  std::size_t max_args_preview = 2048;  // bytes of canonical arguments shown to the approver
  // Housekeeping (store::StateTxn::purge: expired counter entries, lapsed
  // leases, expired approvals) runs inside before() at most this often.
  // Reads already ignore what purge removes, so this only bounds the
  // tables' growth; running it on every call cost most of a call's time.
  std::chrono::milliseconds purge_interval{std::chrono::seconds(1)};
};

struct GateRequest {
  Call call;
  std::string request_id;  // JSON-RPC id as text, for the audit log
};

// A refusal as the client sees it.
struct Refusal {
  // A DenyCode string, or "approval_required" / "approval_denied".
  std::string code;
  std::string rule;
  std::string reason;
  std::optional<std::chrono::seconds> retry_after;
  std::optional<Decimal> remaining;
  std::string approval_id;  // approval_required / approval_denied
};

struct Admission {
  enum class Kind : std::uint8_t { Proceed, Deny, NeedsApproval };
  Kind kind = Kind::Deny;
  Decision decision;                                // the policy's decision (carries the revision)
  std::optional<store::ReservationId> reservation;  // Proceed with counter updates
  std::string approval_id;         // NeedsApproval: the pending id; Proceed: the approval consumed, if any
  std::optional<Refusal> refusal;  // Deny and NeedsApproval
  std::string args_digest;         // empty if the arguments could not be canonicalised
  Timestamp started;

  bool proceed() const { return kind == Kind::Proceed; }
  // Deny/NeedsApproval only: the tools/call result (see refusal_tool_result).
  boost::json::object tool_result() const;
};

// {"content":[{"type":"text","text":"Denied by policy rule \"R\": REASON"}],
//  "isError":true,
//  "structuredContent":{"code","rule","reason","retryAfter"?,"remaining"?,"approvalId"?}}
boost::json::object refusal_tool_result(const Refusal& refusal);

enum class UpstreamOutcome : std::uint8_t {
  Succeeded,  // a result without isError
  ToolError,  // a result with isError: true (the tool ran)
  Failed,     // no result: transport failure, JSON-RPC error, timeout
};
std::string_view to_string(UpstreamOutcome outcome);

class Gate {
 public:
  Gate(PolicyHolder& holder, store::PolicyStateStore& store, const Clock& clock, AuditLog* audit = nullptr,
       GateOptions options = {});

  Admission before(const GateRequest& request);
  // Only for an admission that proceed()ed (anything else is a bug). Commits
  // or releases its reservation and writes the audit record. An Error means the store or the audit log failed; the call
  // has already happened, so app/ logs it (the reservation then expires into a commit after its lease).
  Status after(const GateRequest& request, const Admission& admission, UpstreamOutcome outcome);
  // Records a human's answer given through MCP elicitation.
  Status answer_approval(std::string_view approval_id, bool approved, std::string_view decided_by);

 private:
  Status audit(const GateRequest& request, const Admission& admission, std::string_view upstream);

  PolicyHolder& holder_;
  store::PolicyStateStore& store_;
  const Clock& clock_;
  AuditLog* audit_;
  const GateOptions options_;
  std::atomic<std::int64_t> next_purge_ms_{0};  // epoch ms; the next before() at or after it purges
};

}  // namespace wg::policy
