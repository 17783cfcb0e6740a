// A thin RAII layer over SQLite: one Database per connection, prepared
// Statements, scoped Transactions and schema migrations.
//
// Contracts:
// - Every failure is a wg::Error (ErrorCode::Io for SQLite faults,
//   Invalid for misuse such as binding past the parameter count) whose
//   message carries SQLite's own text and the SQL that failed.
// - A Database is not thread-safe; one thread (or strand) uses it at a time.
//   Statements and Transactions borrow their Database and must not outlive it.
// - Files are opened in WAL mode with synchronous=FULL, so a committed
//   transaction survives a process kill (SIGKILL) and a power cut.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace wg::store::sqlite {

class Statement;

class Database {
 public:
  // Opens (creating if needed) the database at `path`; ":memory:" opens a
  // private in-memory database.
  static Result<Database> open(const std::string& path);

  Database(Database&&) noexcept = default;
  Database& operator=(Database&&) noexcept = default;

  // Runs one or more statements that take no parameters and return no rows.
  Status exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);

  // The schema version recorded in PRAGMA user_version.
  Result<int> user_version();
  // Applies migrations[user_version .. size) in order, each in its own
  // transaction that also bumps user_version. A database newer than the
  // migrations list is refused rather than silently used.
  Status migrate(std::span<const std::string_view> migrations);

  std::int64_t last_insert_rowid() const;
  int changes() const;
  sqlite3* handle() const { return db_.get(); }

 private:
  struct Closer {
    void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
  };
  explicit Database(sqlite3* db) : db_(db) {}
  Error error(std::string_view what) const;

  std::unique_ptr<sqlite3, Closer> db_;
  friend class Statement;
  friend class Transaction;
};

// A prepared statement. Parameters are 1-based as in SQLite.
class Statement {
 public:
  Statement(Statement&&) noexcept = default;
  Statement& operator=(Statement&&) noexcept = default;

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view text);
  Statement& bind_blob(int index, std::span<const std::uint8_t> bytes);
  Statement& bind_null(int index);

  // Advances to the next row: true when a row is available, false when done.
  // Binding errors recorded by bind() surface here.
  Result<bool> step();
  // Runs to completion, expecting no rows.
  Status run();
  Status reset();

  std::int64_t column_int(int column) const;
  double column_double(int column) const;
  std::string column_text(int column) const;
  std::vector<std::uint8_t> column_blob(int column) const;
  bool column_is_null(int column) const;

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
  };
  Statement(Database& db, sqlite3_stmt* stmt, std::string sql) : db_(&db), stmt_(stmt), sql_(std::move(sql)) {}
  void note_bind(int rc, int index);

  Database* db_;
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
  std::string sql_;
  std::optional<Error> bind_error_;
  friend class Database;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit()
// succeeded. IMMEDIATE takes the write lock up front so that two writers
// never deadlock upgrading read locks.
class Transaction {
 public:
  static Result<Transaction> begin(Database& db);
  Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  Transaction& operator=(Transaction&&) = delete;
  ~Transaction();

  Status commit();

 private:
  explicit Transaction(Database& db) : db_(&db) {}
  Database* db_;
};

}  // namespace wg::store::sqlite
