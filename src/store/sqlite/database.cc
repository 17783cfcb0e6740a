#include "store/sqlite/database.h"

#include <string>

#include "base/check.h"

namespace wg::store::sqlite {

Error Database::error(std::string_view what) const {
  std::string message(what);
  message.append(": ").append(sqlite3_errmsg(db_.get()));
  return Error(ErrorCode::Io, std::move(message));
}

Result<Database> Database::open(const std::string& path) {
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  Database db(raw);  // owns the handle even when open failed
  if (rc != SQLITE_OK) {
    std::string message = "cannot open database " + path + ": ";
    message += raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    return make_error(ErrorCode::Io, std::move(message));
  }
  sqlite3_extended_result_codes(raw, 1);
  // Wait for a competing writer instead of failing at once.
  sqlite3_busy_timeout(raw, 5000);
  WG_TRY(db.exec("PRAGMA foreign_keys = ON"));
  if (path != ":memory:" && !path.empty()) {
    // Spec: https://www.sqlite.org/wal.html - WAL with synchronous=FULL makes
    // every commit durable once COMMIT returns.
    WG_TRY(db.exec("PRAGMA journal_mode = WAL"));
    WG_TRY(db.exec("PRAGMA synchronous = FULL"));
  }
  return db;
}

Status Database::exec(std::string_view sql) {
  std::string text(sql);
  char* err = nullptr;
  const int rc = sqlite3_exec(db_.get(), text.c_str(), nullptr, nullptr, &err);
  if (rc != SQLITE_OK) {
    std::string message = "sql failed (" + text + "): ";
    message += err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    return make_error(ErrorCode::Io, std::move(message));
  }
  return ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &stmt, &tail);
  if (rc != SQLITE_OK) return std::unexpected(error("cannot prepare (" + std::string(sql) + ")"));
  if (stmt == nullptr) return make_error(ErrorCode::Invalid, "empty statement");
  Statement out(*this, stmt, std::string(sql));
  if (tail != nullptr && std::string_view(tail).find_first_not_of(" \t\r\n;") != std::string_view::npos) {
    return make_error(ErrorCode::Invalid, "prepare takes one statement, got more: " + std::string(sql));
  }
  return out;
}

Result<int> Database::user_version() {
  auto stmt = WG_TRY(prepare("PRAGMA user_version"));
  const bool has_row = WG_TRY(stmt.step());
  if (!has_row) return make_error(ErrorCode::Internal, "PRAGMA user_version returned no row");
  return static_cast<int>(stmt.column_int(0));
}

Status Database::migrate(std::span<const std::string_view> migrations) {
  const int current = WG_TRY(user_version());
  if (current < 0 || static_cast<std::size_t>(current) > migrations.size()) {
    return make_error(ErrorCode::Unsupported,
                      "database schema version " + std::to_string(current) + " is newer than this wasmgate (" +
                          std::to_string(migrations.size()) + "); refusing to use it");
  }
  for (std::size_t i = static_cast<std::size_t>(current); i < migrations.size(); ++i) {
    auto tx = WG_TRY(Transaction::begin(*this));
    WG_TRY_CTX(exec(migrations[i]), "migration " + std::to_string(i + 1));
    WG_TRY(exec("PRAGMA user_version = " + std::to_string(i + 1)));
    WG_TRY(tx.commit());
  }
  return ok();
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_.get()); }
int Database::changes() const { return sqlite3_changes(db_.get()); }

void Statement::note_bind(int rc, int index) {
  if (rc != SQLITE_OK && !bind_error_) {
    bind_error_ = Error(ErrorCode::Invalid, "cannot bind parameter " + std::to_string(index) + " of (" + sql_ +
                                                "): " + sqlite3_errstr(rc));
  }
}

Statement& Statement::bind(int index, std::int64_t value) {
  note_bind(sqlite3_bind_int64(stmt_.get(), index, value), index);
  return *this;
}
Statement& Statement::bind(int index, double value) {
  note_bind(sqlite3_bind_double(stmt_.get(), index, value), index);
  return *this;
}
Statement& Statement::bind(int index, std::string_view text) {
  note_bind(sqlite3_bind_text64(stmt_.get(), index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8), index);
  return *this;
}
Statement& Statement::bind_blob(int index, std::span<const std::uint8_t> bytes) {
  // A zero-length blob must still be a blob, not NULL: pass a valid pointer.
  static const std::uint8_t kEmpty = 0;
  const void* data = bytes.empty() ? &kEmpty : bytes.data();
  note_bind(sqlite3_bind_blob64(stmt_.get(), index, data, bytes.size(), SQLITE_TRANSIENT), index);
  return *this;
}
Statement& Statement::bind_null(int index) {
  note_bind(sqlite3_bind_null(stmt_.get(), index), index);
  return *this;
}

Result<bool> Statement::step() {
  if (bind_error_) return std::unexpected(*bind_error_);
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(db_->error("step failed (" + sql_ + ")"));
}

Status Statement::run() {
  const bool row = WG_TRY(step());
  if (row) return make_error(ErrorCode::Internal, "statement returned rows: " + sql_);
  return ok();
}

Status Statement::reset() {
  sqlite3_reset(stmt_.get());
  sqlite3_clear_bindings(stmt_.get());
  bind_error_.reset();
  return ok();
}

std::int64_t Statement::column_int(int column) const { return sqlite3_column_int64(stmt_.get(), column); }
double Statement::column_double(int column) const { return sqlite3_column_double(stmt_.get(), column); }
std::string Statement::column_text(int column) const {
  const auto* text = sqlite3_column_text(stmt_.get(), column);
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return text ? std::string(reinterpret_cast<const char*>(text), static_cast<std::size_t>(size)) : std::string();
}
std::vector<std::uint8_t> Statement::column_blob(int column) const {
  const auto* data = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_.get(), column));
  const int size = sqlite3_column_bytes(stmt_.get(), column);
  return data ? std::vector<std::uint8_t>(data, data + size) : std::vector<std::uint8_t>();
}
bool Statement::column_is_null(int column) const { return sqlite3_column_type(stmt_.get(), column) == SQLITE_NULL; }

Result<Transaction> Transaction::begin(Database& db) {
  WG_TRY(db.exec("BEGIN IMMEDIATE"));
  return Transaction(db);
}

Transaction::~Transaction() {
  if (db_ != nullptr) sqlite3_exec(db_->handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Transaction::commit() {
  WG_CHECK(db_ != nullptr);
  WG_TRY(db_->exec("COMMIT"));
  db_ = nullptr;
  return ok();
}

}  // namespace wg::store::sqlite
