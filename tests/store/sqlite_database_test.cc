#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <filesystem>
#include <string>

#include "store/sqlite/database.h"

namespace wg::store::sqlite {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-store-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

Database memory_db() {
  auto db = Database::open(":memory:");
  EXPECT_TRUE(db.has_value());
  return std::move(*db);
}

TEST(SqliteDatabaseTest, BindsAndReadsBackEveryColumnType) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB, n TEXT)").has_value());
  const std::string text("with\0nul", 8);
  const std::array<std::uint8_t, 3> blob = {0, 255, 7};
  auto insert = db.prepare("INSERT INTO t VALUES (?, ?, ?, ?, ?)");
  ASSERT_TRUE(insert.has_value());
  insert->bind(1, std::int64_t{-9007199254740993}).bind(2, 0.5).bind(3, text).bind_blob(4, blob).bind_null(5);
  ASSERT_TRUE(insert->run().has_value());

  auto select = db.prepare("SELECT i, d, s, b, n FROM t");
  ASSERT_TRUE(select.has_value());
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_int(0), -9007199254740993);
  EXPECT_EQ(select->column_double(1), 0.5);
  EXPECT_EQ(select->column_text(2), text);
  EXPECT_EQ(select->column_blob(3), std::vector<std::uint8_t>(blob.begin(), blob.end()));
  EXPECT_TRUE(select->column_is_null(4));
  EXPECT_FALSE(*select->step());
}

TEST(SqliteDatabaseTest, EmptyBlobIsStoredAsBlobNotNull) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (b BLOB)").has_value());
  auto insert = db.prepare("INSERT INTO t VALUES (?)");
  insert->bind_blob(1, {});
  ASSERT_TRUE(insert->run().has_value());
  auto select = db.prepare("SELECT typeof(b) FROM t");
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_text(0), "blob");
}

TEST(SqliteDatabaseTest, SyntaxErrorNamesTheSql) {
  auto db = memory_db();
  auto stmt = db.prepare("SELEC 1");
  ASSERT_FALSE(stmt.has_value());
  EXPECT_EQ(stmt.error().code(), ErrorCode::Io);
  EXPECT_NE(stmt.error().message().find("SELEC 1"), std::string::npos) << stmt.error().message();
}

TEST(SqliteDatabaseTest, PrepareRefusesMoreThanOneStatement) {
  auto db = memory_db();
  auto stmt = db.prepare("SELECT 1; SELECT 2");
  ASSERT_FALSE(stmt.has_value());
  EXPECT_EQ(stmt.error().code(), ErrorCode::Invalid);
}

TEST(SqliteDatabaseTest, BindingPastTheParameterCountSurfacesOnStep) {
  auto db = memory_db();
  auto stmt = db.prepare("SELECT ?");
  stmt->bind(2, std::int64_t{1});
  auto r = stmt->step();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
}

TEST(SqliteDatabaseTest, ConstraintViolationIsAnError) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)").has_value());
  ASSERT_TRUE(db.exec("INSERT INTO t VALUES ('a')").has_value());
  auto again = db.prepare("INSERT INTO t VALUES ('a')");
  auto r = again->run();
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("UNIQUE"), std::string::npos) << r.error().message();
}

TEST(SqliteDatabaseTest, TransactionRollsBackUnlessCommitted) {
  auto db = memory_db();
  ASSERT_TRUE(db.exec("CREATE TABLE t (v INTEGER)").has_value());
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(tx.has_value());
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (1)").has_value());
  }
  {
    auto tx = Transaction::begin(db);
    ASSERT_TRUE(db.exec("INSERT INTO t VALUES (2)").has_value());
    ASSERT_TRUE(tx->commit().has_value());
  }
  auto select = db.prepare("SELECT group_concat(v) FROM t");
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_text(0), "2");
}

TEST(SqliteDatabaseTest, MigrationsApplyOnceAndInOrder) {
  TempDir dir;
  const std::string path = dir.file("state.db");
  const std::string_view v1[] = {"CREATE TABLE a (x INTEGER)"};
  const std::string_view v2[] = {"CREATE TABLE a (x INTEGER)", "ALTER TABLE a ADD COLUMN y TEXT"};
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.has_value());
    ASSERT_TRUE(db->migrate(v1).has_value());
    EXPECT_EQ(*db->user_version(), 1);
  }
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db->migrate(v2).has_value());  // applies only the second step
    EXPECT_EQ(*db->user_version(), 2);
    EXPECT_TRUE(db->exec("INSERT INTO a (x, y) VALUES (1, 'z')").has_value());
  }
  {
    auto db = Database::open(path);
    auto r = db->migrate(v1);  // an older binary must not touch a newer schema
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().code(), ErrorCode::Unsupported);
  }
}

TEST(SqliteDatabaseTest, FailedMigrationLeavesVersionUnchanged) {
  auto db = memory_db();
  const std::string_view steps[] = {"CREATE TABLE a (x INTEGER)", "CREATE TABLE a (x INTEGER)"};
  auto r = db.migrate(steps);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("migration 2"), std::string::npos) << r.error().message();
  EXPECT_EQ(*db.user_version(), 1);
}

TEST(SqliteDatabaseTest, FileDatabaseUsesWalAndSurvivesReopen) {
  TempDir dir;
  const std::string path = dir.file("wal.db");
  {
    auto db = Database::open(path);
    ASSERT_TRUE(db.has_value());
    auto mode = db->prepare("PRAGMA journal_mode");
    ASSERT_TRUE(*mode->step());
    EXPECT_EQ(mode->column_text(0), "wal");
    ASSERT_TRUE(db->exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('kept')").has_value());
  }
  auto db = Database::open(path);
  auto select = db->prepare("SELECT v FROM t");
  ASSERT_TRUE(*select->step());
  EXPECT_EQ(select->column_text(0), "kept");
}

TEST(SqliteDatabaseTest, OpeningAnUnreachablePathFailsCleanly) {
  auto db = Database::open("/nonexistent-dir-for-wasmgate/x/state.db");
  ASSERT_FALSE(db.has_value());
  EXPECT_EQ(db.error().code(), ErrorCode::Io);
  EXPECT_NE(db.error().message().find("/nonexistent-dir-for-wasmgate"), std::string::npos);
}

TEST(SqliteDatabaseTest, NonDatabaseFileIsRejected) {
  TempDir dir;
  const std::string path = dir.file("junk.db");
  FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("this is not a sqlite database, just some text that is long enough to be a header........", f);
  std::fclose(f);
  auto db = Database::open(path);
  if (db.has_value()) {
    EXPECT_FALSE(db->user_version().has_value());
  } else {
    EXPECT_EQ(db.error().code(), ErrorCode::Io);
  }
}

}  // namespace
}  // namespace wg::store::sqlite
