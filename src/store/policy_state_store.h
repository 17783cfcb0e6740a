// Policy runtime state over SQLite: counter increments with reservations, and
// human approvals. The policy module adapts this to policy::CountersView
// (policy/store_counters.h); this header speaks only in store terms (counter
// keys are opaque strings, amounts are exact decimal strings the store never
// does arithmetic on, times are milliseconds since the Unix epoch passed in by
// the caller, so tests drive time explicitly).
//
// Atomicity: every check-and-reserve runs inside atomically(), which holds one
// BEGIN IMMEDIATE transaction (SQLite's write lock) for the whole callback.
// The caller reads the counters, decides, and reserves inside that callback,
// so two concurrent calls (threads sharing one store, or separate processes
// or PolicyStateStore objects on the same file) are serialised: the second
// one reads the first one's reservation and cannot also pass.
//
// Reservations: reserve() writes increments that count immediately. The
// caller then commits them (the upstream call succeeded) or releases them
// (it failed: the increments vanish). A reservation left open past its lease
// (the process died mid-call) is committed by purge(): we cannot know whether
// the upstream call happened, and counting it is the fail-closed choice.
//
// Approvals: bound to (kind, tool, canonical-arguments digest, policy
// revision). Status moves pending -> approved | denied (by a human), approved
// -> used (once), and pending/approved -> expired when expires_ms passes.
//
// Thread-safety: a PolicyStateStore serialises its own use with an internal
// mutex (mutex_ guards db_), so one object may be shared between threads.
// StateTxn is valid only inside the atomically() callback that received it.
// Failures: SQLite faults are ErrorCode::Io; unknown ids NotFound; a state
// transition that is not allowed (approve a used approval) Invalid.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "store/sqlite/database.h"

namespace wg::store {

// Milliseconds since the Unix epoch (UTC).
using EpochMs = std::int64_t;

struct ReservationId {
  std::int64_t value = 0;
  friend bool operator==(ReservationId, ReservationId) = default;
};

// One increment to add to a counter.
struct CounterIncrement {
  std::string key;         // opaque, from the caller (policy::CounterRef::key())
  std::string amount;      // exact decimal text, e.g. "12.5"; never summed in SQL
  EpochMs expires_ms = 0;  // after this the increment no longer counts anywhere and is purged
};

// One increment as stored.
struct CounterEntry {
  EpochMs at_ms = 0;
  std::string amount;
  bool reserved = false;  // part of an open reservation
};

enum class ApprovalStatus : std::uint8_t { Pending, Approved, Denied, Used, Expired };
std::string_view to_string(ApprovalStatus status);
std::optional<ApprovalStatus> parse_approval_status(std::string_view text);

// What an approval is bound to: one exact call under one policy revision.
struct ApprovalBinding {
  std::string kind;         // "tool", "resource", "prompt"
  std::string tool;         // tool name, resource URI or prompt name
  std::string args_digest;  // SHA-256 hex of the canonical arguments
  std::string revision;     // policy revision
  friend bool operator==(const ApprovalBinding&, const ApprovalBinding&) = default;
};

struct ApprovalRequest {
  ApprovalBinding binding;
  std::string rule;
  std::string reason;
  std::string session;
  std::string identity;
  std::string args_preview;  // canonical arguments, possibly shortened, for the human
  EpochMs created_ms = 0;
  EpochMs expires_ms = 0;
};

struct ApprovalRecord {
  std::string id;  // "ap_" + 32 hex digits
  ApprovalRequest request;
  ApprovalStatus status = ApprovalStatus::Pending;  // already Expired if expires_ms has passed
  std::optional<EpochMs> decided_ms;
  std::string decided_by;
  std::optional<EpochMs> used_ms;
};

// Operations available inside one atomically() transaction.
class StateTxn {
 public:
  // Increments of `key` with from_ms <= at_ms < to_ms that have not expired
  // at `now_ms`, open reservations included, oldest first.
  Result<std::vector<CounterEntry>> entries(std::string_view key, EpochMs from_ms, EpochMs to_ms, EpochMs now_ms);
  // Adds every increment at `now_ms` under one new reservation that stays
  // open until commit_reservation/release_reservation or `lease_until_ms`.
  Result<ReservationId> reserve(std::span<const CounterIncrement> increments, EpochMs now_ms, EpochMs lease_until_ms);

  // The newest approval for `binding` that is still pending, approved or
  // denied at `now_ms` (not used, not expired), if any.
  Result<std::optional<ApprovalRecord>> live_approval(const ApprovalBinding& binding, EpochMs now_ms);
  Result<ApprovalRecord> create_approval(const ApprovalRequest& request);
  // approved -> used. NotFound for an unknown id; Invalid unless the approval
  // is approved and unexpired at `now_ms` (so it is used at most once).
  Status consume_approval(std::string_view id, EpochMs now_ms);

  // PolicyStateStore::purge inside this transaction.
  Status purge(EpochMs now_ms);

 private:
  friend class PolicyStateStore;
  explicit StateTxn(sqlite::Database& db) : db_(db) {}
  sqlite::Database& db_;
};

class PolicyStateStore {
 public:
  // Opens (creating and migrating) the database at `path`; ":memory:" for a
  // private in-memory store.
  static Result<std::unique_ptr<PolicyStateStore>> open(const std::string& path);

  PolicyStateStore(const PolicyStateStore&) = delete;
  PolicyStateStore& operator=(const PolicyStateStore&) = delete;

  // Runs `body` inside one BEGIN IMMEDIATE transaction; commits if it returns
  // success, rolls back otherwise (and returns its error).
  Status atomically(const std::function<Status(StateTxn&)>& body);

  // The upstream call succeeded: the reservation's increments become
  // permanent. NotFound if it was already committed, released or expired.
  Status commit_reservation(ReservationId id);
  // The upstream call failed: the reservation's increments are removed.
  Status release_reservation(ReservationId id);

  // Housekeeping at `now_ms`: deletes expired increments, commits reservations
  // whose lease has passed, marks pending/approved approvals past their
  // expiry as expired. Cheap (indexed); the gate calls it on every decision.
  Status purge(EpochMs now_ms);

  // Approvals, newest first; with `status`, only those in that status.
  Result<std::vector<ApprovalRecord>> list_approvals(EpochMs now_ms,
                                                     std::optional<ApprovalStatus> status = std::nullopt);
  Result<ApprovalRecord> get_approval(std::string_view id, EpochMs now_ms);
  // pending -> approved/denied by a human. NotFound for an unknown id; Invalid
  // if it is not pending (already decided, used or expired at `now_ms`).
  Status decide_approval(std::string_view id, ApprovalStatus verdict, std::string_view decided_by, EpochMs now_ms);

 private:
  explicit PolicyStateStore(sqlite::Database db) : db_(std::move(db)) {}

  std::mutex mutex_;  // guards db_
  sqlite::Database db_;
};

// The file name of the policy state database inside a state directory.
inline constexpr std::string_view kPolicyStateFile = "policy-state.sqlite3";

}  // namespace wg::store
