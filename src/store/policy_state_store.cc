#include "store/policy_state_store.h"

#include <array>
#include <cstdio>
#include <random>

namespace wg::store {
namespace {

// The schema of the policy state database. Append a step to change it; never
// edit a step that has shipped (Database::migrate).
constexpr std::string_view kMigration1 = R"sql(
CREATE TABLE reservations (
  id INTEGER PRIMARY KEY,
  created_ms INTEGER NOT NULL,
  lease_until_ms INTEGER NOT NULL
);
CREATE INDEX reservations_lease ON reservations(lease_until_ms);
CREATE TABLE counter_entries (
  id INTEGER PRIMARY KEY,
  counter_key TEXT NOT NULL,
  at_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  amount TEXT NOT NULL,
  reservation_id INTEGER REFERENCES reservations(id) ON DELETE CASCADE
);
CREATE INDEX counter_entries_key_at ON counter_entries(counter_key, at_ms);
CREATE INDEX counter_entries_expires ON counter_entries(expires_ms);
CREATE INDEX counter_entries_reservation ON counter_entries(reservation_id);
CREATE TABLE approvals (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  tool TEXT NOT NULL,
  args_digest TEXT NOT NULL,
  revision TEXT NOT NULL,
  rule TEXT NOT NULL,
  reason TEXT NOT NULL,
  session TEXT NOT NULL,
  identity TEXT NOT NULL,
  args_preview TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('pending','approved','denied','used','expired')),
  created_ms INTEGER NOT NULL,
  expires_ms INTEGER NOT NULL,
  decided_ms INTEGER,
  decided_by TEXT NOT NULL DEFAULT '',
  used_ms INTEGER
);
CREATE INDEX approvals_binding ON approvals(tool, args_digest, revision, kind);
CREATE INDEX approvals_created ON approvals(created_ms);
)sql";

constexpr std::array<std::string_view, 1> kMigrations = {kMigration1};

constexpr std::string_view kApprovalColumns =
    "id, kind, tool, args_digest, revision, rule, reason, session, identity, args_preview, status, created_ms, "
    "expires_ms, decided_ms, decided_by, used_ms";

// Reads one approvals row selected with kApprovalColumns. The stored status
// is reported as expired once its time has passed, even before purge().
Result<ApprovalRecord> read_approval(const sqlite::Statement& s, EpochMs now_ms) {
  ApprovalRecord r;
  r.id = s.column_text(0);
  r.request.binding = {s.column_text(1), s.column_text(2), s.column_text(3), s.column_text(4)};
  r.request.rule = s.column_text(5);
  r.request.reason = s.column_text(6);
  r.request.session = s.column_text(7);
  r.request.identity = s.column_text(8);
  r.request.args_preview = s.column_text(9);
  auto status = parse_approval_status(s.column_text(10));
  if (!status) return make_error(ErrorCode::Internal, "approval " + r.id + " has unknown status");
  r.status = *status;
  r.request.created_ms = s.column_int(11);
  r.request.expires_ms = s.column_int(12);
  if (!s.column_is_null(13)) r.decided_ms = s.column_int(13);
  r.decided_by = s.column_text(14);
  if (!s.column_is_null(15)) r.used_ms = s.column_int(15);
  if ((r.status == ApprovalStatus::Pending || r.status == ApprovalStatus::Approved) && now_ms >= r.request.expires_ms) {
    r.status = ApprovalStatus::Expired;
  }
  return r;
}

std::string new_approval_id() {
  // 128 random bits: ids are handed to agents and must not be guessable.
  std::random_device rd;
  std::string out = "ap_";
  for (int i = 0; i < 4; ++i) {
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(rd()));
    out += buf;
  }
  return out;
}

}  // namespace

std::string_view to_string(ApprovalStatus status) {
  switch (status) {
    case ApprovalStatus::Pending: return "pending";
    case ApprovalStatus::Approved: return "approved";
    case ApprovalStatus::Denied: return "denied";
    case ApprovalStatus::Used: return "used";
    case ApprovalStatus::Expired: return "expired";
  }
  return "unknown";
}

std::optional<ApprovalStatus> parse_approval_status(std::string_view text) {
  for (auto s : {ApprovalStatus::Pending, ApprovalStatus::Approved, ApprovalStatus::Denied, ApprovalStatus::Used,
                 ApprovalStatus::Expired}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

Result<std::vector<CounterEntry>> StateTxn::entries(std::string_view key, EpochMs from_ms, EpochMs to_ms,
                                                    EpochMs now_ms) {
  auto s =
      WG_TRY(db_.prepare("SELECT at_ms, amount, reservation_id IS NOT NULL FROM counter_entries "
                         "WHERE counter_key = ? AND at_ms >= ? AND at_ms < ? AND expires_ms > ? ORDER BY at_ms, id"));
  s.bind(1, key).bind(2, from_ms).bind(3, to_ms).bind(4, now_ms);
  std::vector<CounterEntry> out;
  while (WG_TRY(s.step())) out.push_back(CounterEntry{s.column_int(0), s.column_text(1), s.column_int(2) != 0});
  return out;
}

Result<ReservationId> StateTxn::reserve(std::span<const CounterIncrement> increments, EpochMs now_ms,
                                        EpochMs lease_until_ms) {
  auto r = WG_TRY(db_.prepare("INSERT INTO reservations (created_ms, lease_until_ms) VALUES (?, ?)"));
  r.bind(1, now_ms).bind(2, lease_until_ms);
  WG_TRY(r.run());
  ReservationId id{db_.last_insert_rowid()};
  auto s = WG_TRY(db_.prepare(
      "INSERT INTO counter_entries (counter_key, at_ms, expires_ms, amount, reservation_id) VALUES (?, ?, ?, ?, ?)"));
  for (const auto& inc : increments) {
    WG_TRY(s.reset());
    s.bind(1, inc.key).bind(2, now_ms).bind(3, inc.expires_ms).bind(4, inc.amount).bind(5, id.value);
    WG_TRY(s.run());
  }
  return id;
}

Result<std::optional<ApprovalRecord>> StateTxn::live_approval(const ApprovalBinding& binding, EpochMs now_ms) {
  auto s = WG_TRY(db_.prepare(
      "SELECT " + std::string(kApprovalColumns) +
      " FROM approvals WHERE kind = ? AND tool = ? AND args_digest = ? AND revision = ? "
      "AND status IN ('pending','approved','denied') AND expires_ms > ? ORDER BY created_ms DESC, rowid DESC LIMIT 1"));
  s.bind(1, binding.kind).bind(2, binding.tool).bind(3, binding.args_digest).bind(4, binding.revision).bind(5, now_ms);
  if (!WG_TRY(s.step())) return std::optional<ApprovalRecord>();
  return std::optional<ApprovalRecord>(WG_TRY(read_approval(s, now_ms)));
}

Result<ApprovalRecord> StateTxn::create_approval(const ApprovalRequest& request) {
  if (request.expires_ms <= request.created_ms) {
    return make_error(ErrorCode::Invalid, "approval would expire before it is created");
  }
  ApprovalRecord rec;
  rec.id = new_approval_id();
  rec.request = request;
  auto s = WG_TRY(db_.prepare(
      "INSERT INTO approvals (id, kind, tool, args_digest, revision, rule, reason, session, identity, args_preview, "
      "status, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)"));
  const auto& b = request.binding;
  s.bind(1, rec.id).bind(2, b.kind).bind(3, b.tool).bind(4, b.args_digest).bind(5, b.revision);
  s.bind(6, request.rule).bind(7, request.reason).bind(8, request.session).bind(9, request.identity);
  s.bind(10, request.args_preview).bind(11, request.created_ms).bind(12, request.expires_ms);
  WG_TRY(s.run());
  return rec;
}

Status StateTxn::consume_approval(std::string_view id, EpochMs now_ms) {
  auto s = WG_TRY(db_.prepare(
      "UPDATE approvals SET status = 'used', used_ms = ? WHERE id = ? AND status = 'approved' AND expires_ms > ?"));
  s.bind(1, now_ms).bind(2, id).bind(3, now_ms);
  WG_TRY(s.run());
  if (db_.changes() == 1) return ok();
  auto q = WG_TRY(db_.prepare("SELECT status, expires_ms FROM approvals WHERE id = ?"));
  q.bind(1, id);
  if (!WG_TRY(q.step())) return make_error(ErrorCode::NotFound, "no approval " + std::string(id));
  std::string status = q.column_text(0);
  if (status == "approved") status = "expired";
  return make_error(ErrorCode::Invalid, "approval " + std::string(id) + " is " + status + ", not approved");
}

Result<std::unique_ptr<PolicyStateStore>> PolicyStateStore::open(const std::string& path) {
  auto db = WG_TRY_CTX(sqlite::Database::open(path), "policy state");
  WG_TRY_CTX(db.migrate(kMigrations), "policy state " + path);
  return std::unique_ptr<PolicyStateStore>(new PolicyStateStore(std::move(db)));
}

Status PolicyStateStore::atomically(const std::function<Status(StateTxn&)>& body) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  StateTxn txn(db_);
  WG_TRY(body(txn));
  return tx.commit();
}

Status PolicyStateStore::commit_reservation(ReservationId id) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  auto del = WG_TRY(db_.prepare("DELETE FROM reservations WHERE id = ?"));
  // Detach the entries first, or the cascade would delete them.
  auto detach = WG_TRY(db_.prepare("UPDATE counter_entries SET reservation_id = NULL WHERE reservation_id = ?"));
  detach.bind(1, id.value);
  WG_TRY(detach.run());
  del.bind(1, id.value);
  WG_TRY(del.run());
  if (db_.changes() != 1) {
    return make_error(ErrorCode::NotFound, "no open reservation " + std::to_string(id.value));
  }
  return tx.commit();
}

Status PolicyStateStore::release_reservation(ReservationId id) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  auto del = WG_TRY(db_.prepare("DELETE FROM reservations WHERE id = ?"));
  del.bind(1, id.value);
  WG_TRY(del.run());  // ON DELETE CASCADE removes its counter entries
  if (db_.changes() != 1) {
    return make_error(ErrorCode::NotFound, "no open reservation " + std::to_string(id.value));
  }
  return tx.commit();
}

Status StateTxn::purge(EpochMs now_ms) {
  auto stale =
      WG_TRY(db_.prepare("UPDATE counter_entries SET reservation_id = NULL WHERE reservation_id IN "
                         "(SELECT id FROM reservations WHERE lease_until_ms <= ?)"));
  stale.bind(1, now_ms);
  WG_TRY(stale.run());
  auto leases = WG_TRY(db_.prepare("DELETE FROM reservations WHERE lease_until_ms <= ?"));
  leases.bind(1, now_ms);
  WG_TRY(leases.run());
  auto old = WG_TRY(db_.prepare("DELETE FROM counter_entries WHERE expires_ms <= ? AND reservation_id IS NULL"));
  old.bind(1, now_ms);
  WG_TRY(old.run());
  auto expire = WG_TRY(db_.prepare(
      "UPDATE approvals SET status = 'expired' WHERE status IN ('pending','approved') AND expires_ms <= ?"));
  expire.bind(1, now_ms);
  WG_TRY(expire.run());
  return ok();
}

Status PolicyStateStore::purge(EpochMs now_ms) {
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  StateTxn txn(db_);
  WG_TRY(txn.purge(now_ms));
  return tx.commit();
}

Result<std::vector<ApprovalRecord>> PolicyStateStore::list_approvals(EpochMs now_ms,
                                                                     std::optional<ApprovalStatus> status) {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(
      db_.prepare("SELECT " + std::string(kApprovalColumns) + " FROM approvals ORDER BY created_ms DESC, rowid DESC"));
  std::vector<ApprovalRecord> out;
  while (WG_TRY(s.step())) {
    auto rec = WG_TRY(read_approval(s, now_ms));
    if (!status || rec.status == *status) out.push_back(std::move(rec));
  }
  return out;
}

Result<ApprovalRecord> PolicyStateStore::get_approval(std::string_view id, EpochMs now_ms) {
  std::lock_guard lock(mutex_);
  auto s = WG_TRY(db_.prepare("SELECT " + std::string(kApprovalColumns) + " FROM approvals WHERE id = ?"));
  s.bind(1, id);
  if (!WG_TRY(s.step())) return make_error(ErrorCode::NotFound, "no approval " + std::string(id));
  return read_approval(s, now_ms);
}

Status PolicyStateStore::decide_approval(std::string_view id, ApprovalStatus verdict, std::string_view decided_by,
                                         EpochMs now_ms) {
  if (verdict != ApprovalStatus::Approved && verdict != ApprovalStatus::Denied) {
    return make_error(ErrorCode::Invalid, "an approval can only be approved or denied");
  }
  std::lock_guard lock(mutex_);
  auto tx = WG_TRY(sqlite::Transaction::begin(db_));
  auto s =
      WG_TRY(db_.prepare("UPDATE approvals SET status = ?, decided_ms = ?, decided_by = ? "
                         "WHERE id = ? AND status = 'pending' AND expires_ms > ?"));
  s.bind(1, to_string(verdict)).bind(2, now_ms).bind(3, decided_by).bind(4, id).bind(5, now_ms);
  WG_TRY(s.run());
  if (db_.changes() != 1) {
    auto q = WG_TRY(db_.prepare("SELECT " + std::string(kApprovalColumns) + " FROM approvals WHERE id = ?"));
    q.bind(1, id);
    if (!WG_TRY(q.step())) return make_error(ErrorCode::NotFound, "no approval " + std::string(id));
    auto rec = WG_TRY(read_approval(q, now_ms));
    return make_error(ErrorCode::Invalid,
                      "approval " + std::string(id) + " is " + std::string(to_string(rec.status)) + ", not pending");
  }
  return tx.commit();
}

}  // namespace wg::store
