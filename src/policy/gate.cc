#include "policy/gate.h"

#include <boost/json/array.hpp>
#include <ctime>

#include "base/check.h"
#include "policy/canonical_json.h"
#include "policy/store_counters.h"

namespace wg::policy {
namespace {

std::string iso8601(Timestamp t) {
  const auto ms = t.time_since_epoch().count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000 - (ms % 1000 < 0 ? 1 : 0));
  const int frac = static_cast<int>(((ms % 1000) + 1000) % 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
  return buf;
}

Refusal from_deny(const Deny& d) {
  return Refusal{std::string(to_string(d.code)), d.rule, d.reason, d.retry_after, d.remaining, {}};
}

Refusal state_error(const Error& e) {
  return Refusal{std::string(to_string(DenyCode::StateError)),
                 "(state)",
                 "policy state unavailable, call refused: " + e.message(),
                 std::nullopt,
                 std::nullopt,
                 {}};
}

}  // namespace

Timestamp SystemClock::now() const {
  return std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
}

std::string_view to_string(UpstreamOutcome outcome) {
  switch (outcome) {
    case UpstreamOutcome::Succeeded: return "ok";
    case UpstreamOutcome::ToolError: return "tool_error";
    case UpstreamOutcome::Failed: return "failed";
  }
  WG_UNREACHABLE();
}

boost::json::object refusal_tool_result(const Refusal& r) {
  std::string text;
  if (r.code == "approval_required") {
    text = "Approval required by policy rule \"" + r.rule + "\": " + r.reason + ". Approval " + r.approval_id +
           " is pending; once a human approves it (wasmgate approvals approve " + r.approval_id +
           "), retry the same call with the same arguments.";
  } else if (r.code == "approval_denied") {
    text = "Denied by policy rule \"" + r.rule + "\": a human denied approval " + r.approval_id + ".";
  } else {
    text = "Denied by policy rule \"" + r.rule + "\": " + r.reason;
    if (r.retry_after) text += " (retry after " + std::to_string(r.retry_after->count()) + "s)";
  }
  boost::json::object details;
  details["code"] = r.code;
  details["rule"] = r.rule;
  details["reason"] = r.reason;
  if (r.retry_after) details["retryAfter"] = r.retry_after->count();
  if (r.remaining) details["remaining"] = r.remaining->to_string();
  if (!r.approval_id.empty()) details["approvalId"] = r.approval_id;

  boost::json::object item;
  item["type"] = "text";
  item["text"] = text;
  boost::json::object out;
  out["content"] = boost::json::array{std::move(item)};
  out["isError"] = true;
  out["structuredContent"] = std::move(details);
  return out;
}

boost::json::object Admission::tool_result() const {
  WG_CHECK(refusal.has_value());
  return refusal_tool_result(*refusal);
}

Gate::Gate(PolicyHolder& holder, store::PolicyStateStore& store, const Clock& clock, AuditLog* audit,
           GateOptions options)
    : holder_(holder), store_(store), clock_(clock), audit_(audit), options_(options) {}

Admission Gate::before(const GateRequest& request) {
  Admission a;
  a.started = clock_.now();
  const Timestamp now = a.started;
  const store::EpochMs now_ms = to_epoch_ms(now);
  auto policy = holder_.current();
  WG_CHECK(policy != nullptr);
  a.decision.revision = policy->revision;  // also when the store fails before decide()
  const Call& call = request.call;
  auto digest = arguments_digest(call.args);
  if (digest) a.args_digest = *digest;

  auto refuse = [&](Refusal r, Admission::Kind kind = Admission::Kind::Deny) {
    a.kind = kind;
    a.reservation.reset();
    a.refusal = std::move(r);
  };

  const bool purge = now_ms >= next_purge_ms_.load(std::memory_order_relaxed);
  auto status = store_.atomically([&](store::StateTxn& txn) -> Status {
    if (purge) {
      WG_TRY(txn.purge(now_ms));
      next_purge_ms_.store(now_ms + options_.purge_interval.count(), std::memory_order_relaxed);
    }
    StoreCountersView view(txn);
    a.decision = decide(*policy, call, view, now);
    if (const Deny* d = a.decision.deny()) {
      refuse(from_deny(*d));
      return ok();
    }
    if (const RequireApproval* ra = a.decision.approval()) {
      if (!digest) {
        refuse(Refusal{std::string(to_string(DenyCode::MalformedCall)),
                       ra->rule,
                       "arguments cannot be bound to an approval: " + digest.error().message(),
                       std::nullopt,
                       std::nullopt,
                       {}});
        return ok();
      }
      store::ApprovalBinding binding{std::string(to_string(call.kind)), call.name, *digest, a.decision.revision};
      auto live = WG_TRY(txn.live_approval(binding, now_ms));
      if (live && live->status == store::ApprovalStatus::Approved) {
        WG_TRY(txn.consume_approval(live->id, now_ms));
        a.approval_id = live->id;
      } else if (live && live->status == store::ApprovalStatus::Denied) {
        refuse(Refusal{"approval_denied", ra->rule, ra->reason, std::nullopt, std::nullopt, live->id});
        return ok();
      } else {
        std::string id;
        if (live) {
          id = live->id;  // pending: the same call asks again; reuse it
        } else {
          store::ApprovalRequest req;
          req.binding = binding;
          req.rule = ra->rule;
          req.reason = ra->reason;
          req.session = call.session;
          req.identity = call.identity;
          auto args_text = canonical_json(call.args.is_null() ? boost::json::value(boost::json::object()) : call.args);
          req.args_preview = args_text ? *args_text : std::string();
          if (req.args_preview.size() > options_.max_args_preview) {
            req.args_preview.resize(options_.max_args_preview);
            req.args_preview += "...";
          }
          req.created_ms = now_ms;
          req.expires_ms = now_ms + std::chrono::duration_cast<std::chrono::milliseconds>(ra->timeout).count();
          id = WG_TRY(txn.create_approval(req)).id;
        }
        a.approval_id = id;
        refuse(Refusal{"approval_required", ra->rule, ra->reason, std::nullopt, std::nullopt, id},
               Admission::Kind::NeedsApproval);
        return ok();
      }
    }
    // Allowed (possibly through a consumed approval): reserve in the same
    // transaction as the read, so the limits just checked still hold.
    if (!a.decision.updates.empty()) {
      auto incs = increments_for(a.decision.updates, now);
      a.reservation = WG_TRY(txn.reserve(incs, now_ms, now_ms + options_.reservation_lease.count()));
    }
    a.kind = Admission::Kind::Proceed;
    return ok();
  });
  if (!status) {
    // Nothing was committed: whatever the callback set up is void.
    a.approval_id.clear();
    refuse(state_error(status.error()));
  }
  if (!a.proceed()) (void)audit(request, a, "not_called");
  return a;
}

Status Gate::after(const GateRequest& request, const Admission& admission, UpstreamOutcome outcome) {
  WG_CHECK(admission.proceed());
  Status result = ok();
  if (admission.reservation) {
    result = outcome == UpstreamOutcome::Failed ? store_.release_reservation(*admission.reservation)
                                                : store_.commit_reservation(*admission.reservation);
  }
  auto logged = audit(request, admission, to_string(outcome));
  if (!result) return result;
  return logged;
}

Status Gate::answer_approval(std::string_view approval_id, bool approved, std::string_view decided_by) {
  return store_.decide_approval(approval_id, approved ? store::ApprovalStatus::Approved : store::ApprovalStatus::Denied,
                                decided_by, to_epoch_ms(clock_.now()));
}

Status Gate::audit(const GateRequest& request, const Admission& a, std::string_view upstream) {
  if (audit_ == nullptr) return ok();
  const Timestamp end = clock_.now();
  boost::json::object r;
  r["time"] = iso8601(a.started);
  r["requestId"] = request.request_id;
  r["session"] = request.call.session;
  r["identity"] = request.call.identity;
  r["kind"] = to_string(request.call.kind);
  r["tool"] = request.call.name;
  r["argsDigest"] = a.args_digest;
  r["revision"] = a.decision.revision;
  switch (a.kind) {
    case Admission::Kind::Proceed: r["decision"] = "allow"; break;
    case Admission::Kind::Deny: r["decision"] = "deny"; break;
    case Admission::Kind::NeedsApproval: r["decision"] = "approval_required"; break;
  }
  if (a.refusal) {
    r["code"] = a.refusal->code;
    r["rule"] = a.refusal->rule;
  } else if (const auto* ra = a.decision.approval()) {
    r["rule"] = ra->rule;
  }
  if (!a.approval_id.empty()) r["approvalId"] = a.approval_id;
  r["latencyMs"] = (end - a.started).count();
  r["upstream"] = upstream;
  auto hash = audit_->append(std::move(r));
  if (!hash) return std::unexpected(std::move(hash).error());
  return ok();
}

}  // namespace wg::policy
