#include "policy/audit_log.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "policy/canonical_json.h"

namespace wg::policy {
namespace {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-audit-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::string join(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

boost::json::object record(int i) {
  boost::json::object r;
  r["tool"] = "tool_" + std::to_string(i);
  r["decision"] = i % 2 ? "allow" : "deny";
  r["latencyMs"] = i * 3;
  return r;
}

// A log of five records, as text.
std::string five_records(const TempDir& dir) {
  const auto path = dir.file("audit.jsonl");
  auto log = AuditLog::open(path);
  EXPECT_TRUE(log.has_value());
  for (int i = 1; i <= 5; ++i) EXPECT_TRUE((*log)->append(record(i)).has_value());
  return slurp(path);
}

TEST(AuditLogTest, AppendedRecordsFormAValidChain) {
  TempDir dir;
  const std::string text = five_records(dir);
  auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_NE(lines[0].find("\"prev\":\"" + std::string(kAuditGenesisHash) + "\""), std::string::npos);
  EXPECT_NE(lines[4].find("\"seq\":5"), std::string::npos);
  auto r = verify_audit_text(text);
  EXPECT_TRUE(r.ok) << r.bad_line << ": " << r.problem;
  EXPECT_EQ(r.records, 5u);
  EXPECT_NE(r.head_hash, kAuditGenesisHash);
}

TEST(AuditLogTest, DetectsAFlippedByteAtItsLine) {
  TempDir dir;
  auto lines = lines_of(five_records(dir));
  auto pos = lines[2].find("tool_3");
  ASSERT_NE(pos, std::string::npos);
  lines[2][pos + 5] = '9';
  auto r = verify_audit_text(join(lines));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 3u);
  EXPECT_EQ(r.records, 2u);
  EXPECT_NE(r.problem.find("modified"), std::string::npos) << r.problem;
}

TEST(AuditLogTest, DetectsADeletedLine) {
  TempDir dir;
  auto lines = lines_of(five_records(dir));
  lines.erase(lines.begin() + 1);
  auto r = verify_audit_text(join(lines));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 2u);
}

TEST(AuditLogTest, DetectsADeletedFirstLine) {
  TempDir dir;
  auto lines = lines_of(five_records(dir));
  lines.erase(lines.begin());
  auto r = verify_audit_text(join(lines));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 1u);
}

TEST(AuditLogTest, DetectsReorderedLines) {
  TempDir dir;
  auto lines = lines_of(five_records(dir));
  std::swap(lines[3], lines[4]);
  auto r = verify_audit_text(join(lines));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 4u);
}

TEST(AuditLogTest, DetectsLinesCutOutOfTheMiddle) {
  TempDir dir;
  auto lines = lines_of(five_records(dir));
  lines.erase(lines.begin() + 1, lines.begin() + 4);  // keep 1 and 5
  auto r = verify_audit_text(join(lines));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 2u);
}

TEST(AuditLogTest, DetectsAPartialLastLine) {
  TempDir dir;
  std::string text = five_records(dir);
  text.resize(text.size() - 10);
  auto r = verify_audit_text(text);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 5u);
}

TEST(AuditLogTest, DetectsARecomputedHashWithoutAFixedChain) {
  // An attacker who edits line 2 and recomputes its hash still breaks line 3.
  TempDir dir;
  auto lines = lines_of(five_records(dir));
  auto v = boost::json::parse(lines[1]).as_object();
  v["decision"] = "allow";
  v.erase("hash");
  v["hash"] = *audit_record_hash(v);
  lines[1] = *canonical_json(boost::json::value(v));
  auto r = verify_audit_text(join(lines));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.bad_line, 3u) << r.problem;
}

TEST(AuditLogTest, ReopeningContinuesTheChain) {
  TempDir dir;
  const auto path = dir.file("audit.jsonl");
  {
    auto log = AuditLog::open(path);
    ASSERT_TRUE(log.has_value());
    ASSERT_TRUE((*log)->append(record(1)).has_value());
    ASSERT_TRUE((*log)->append(record(2)).has_value());
  }
  auto log = AuditLog::open(path);
  ASSERT_TRUE(log.has_value());
  EXPECT_EQ((*log)->size(), 2u);
  ASSERT_TRUE((*log)->append(record(3)).has_value());
  auto r = verify_audit_file(path);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->ok) << r->bad_line << ": " << r->problem;
  EXPECT_EQ(r->records, 3u);
  EXPECT_EQ(r->head_hash, (*log)->head_hash());
}

TEST(AuditLogTest, RefusesToContinueATamperedOrTornLog) {
  TempDir dir;
  const auto path = dir.file("audit.jsonl");
  std::string text = five_records(dir);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text.substr(0, text.size() - 3);
  EXPECT_FALSE(AuditLog::open(path).has_value());
  auto lines = lines_of(text);
  lines[4][lines[4].find("tool_5") + 5] = '7';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << join(lines);
  auto r = AuditLog::open(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("audit verify"), std::string::npos);
}

TEST(AuditLogTest, RecordsMayNotSetChainFields) {
  TempDir dir;
  auto log = AuditLog::open(dir.file("a.jsonl"));
  ASSERT_TRUE(log.has_value());
  boost::json::object r = record(1);
  r["prev"] = "x";
  EXPECT_FALSE((*log)->append(r).has_value());
  EXPECT_EQ((*log)->size(), 0u);
}

}  // namespace
}  // namespace wg::policy
