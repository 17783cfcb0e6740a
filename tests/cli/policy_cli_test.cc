// `wasmgate policy validate|test|scan` (usage), `audit verify` and `approvals ...`,
// driven through the real binary.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "policy/audit_log.h"
#include "store/policy_state_store.h"
#include "support/subprocess.h"

namespace wg {
namespace {

using wg::testing::run_process;

testing::ProcessResult wasmgate(std::vector<std::string> args) {
  args.insert(args.begin(), WG_BINARY);
  return run_process(args);
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-cli-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string path() const { return path_; }
  std::string write(const char* name, const std::string& text) const {
    auto p = (std::filesystem::path(path_) / name).string();
    std::ofstream(p, std::ios::binary | std::ios::trunc) << text;
    return p;
  }

 private:
  std::string path_;
};

constexpr const char* kGood = R"(version: "1"
tools:
  delete_repo:
    rules:
      - name: never delete
        action: deny
        on_deny: "no deleting"
  wire_money:
    rules:
      - name: big transfers
        action: require_approval
        conditions: [{path: args.amount, op: gt, value: 1000}]
)";

constexpr const char* kBad = R"(version: "1"
tools:
  t:
    rules:
      - name: r
        acton: deny
)";

TEST(PolicyCliTest, ValidateAcceptsAGoodFile) {
  TempDir dir;
  auto good = dir.write("good.yaml", kGood);
  auto r = wasmgate({"policy", "validate", good});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(good + ": ok (revision "), std::string::npos) << r.out;
}

TEST(PolicyCliTest, ValidateReportsFileLineColumnAndExitsOne) {
  TempDir dir;
  auto good = dir.write("good.yaml", kGood);
  auto bad = dir.write("bad.yaml", kBad);
  auto r = wasmgate({"policy", "validate", good, bad});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find(bad + ":6:9: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("acton"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find(good + ": ok"), std::string::npos) << "the good file is still reported";
}

TEST(PolicyCliTest, ValidateOfAMissingFileFails) {
  TempDir dir;
  auto r = wasmgate({"policy", "validate", dir.path() + "/nope.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("nope.yaml"), std::string::npos);
}

TEST(PolicyCliTest, TestPrintsAllowAndExitsZero) {
  TempDir dir;
  auto p = dir.write("p.yaml", kGood);
  auto r = wasmgate({"policy", "test", "--policy", p, "--tool", "read_file", "--args", R"({"path":"a"})"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "allow\n");
}

TEST(PolicyCliTest, TestPrintsTheDenyingRuleAndExitsOne) {
  TempDir dir;
  auto p = dir.write("p.yaml", kGood);
  auto r = wasmgate({"policy", "test", "--policy", p, "--tool", "delete_repo"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("deny [rule_denied] rule \"never delete\": no deleting"), std::string::npos) << r.out;
}

TEST(PolicyCliTest, TestReportsApprovalWithExitThreeAndJson) {
  TempDir dir;
  auto p = dir.write("p.yaml", kGood);
  auto r =
      wasmgate({"policy", "test", "--policy", p, "--tool", "wire_money", "--args", R"({"amount":5000})", "--json"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("\"decision\":\"require_approval\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rule\":\"big transfers\""), std::string::npos) << r.out;
  auto small = wasmgate({"policy", "test", "--policy", p, "--tool", "wire_money", "--args", R"({"amount":5})"});
  EXPECT_EQ(small.exit_code, 0);
}

TEST(PolicyCliTest, TestCannotDecideWithBadInputs) {
  TempDir dir;
  auto good = dir.write("p.yaml", kGood);
  auto bad = dir.write("bad.yaml", kBad);
  EXPECT_EQ(wasmgate({"policy", "test", "--policy", bad, "--tool", "t"}).exit_code, 2);
  EXPECT_EQ(wasmgate({"policy", "test", "--policy", good, "--tool", "t", "--args", "{nope"}).exit_code, 2);
  EXPECT_EQ(wasmgate({"policy", "test", "--policy", good}).exit_code, 2) << "--tool is required";
  // Arguments that are JSON but not an object are a malformed call: denied.
  auto r = wasmgate({"policy", "test", "--policy", good, "--tool", "t", "--args", "[1]"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("malformed_call"), std::string::npos) << r.out;
}

std::string audit_log_with_five_records(const TempDir& dir) {
  const std::string path = dir.path() + "/audit.jsonl";
  auto log = policy::AuditLog::open(path);
  EXPECT_TRUE(log.has_value());
  for (int i = 1; i <= 5; ++i) {
    boost::json::object rec;
    rec["tool"] = "tool_" + std::to_string(i);
    EXPECT_TRUE((*log)->append(rec).has_value());
  }
  return path;
}

TEST(AuditCliTest, VerifyAcceptsAnIntactLog) {
  TempDir dir;
  auto path = audit_log_with_five_records(dir);
  auto r = wasmgate({"audit", "verify", path});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find(": ok, 5 records, head "), std::string::npos) << r.out;
}

TEST(AuditCliTest, VerifyFindsAFlippedByteAtTheRightLine) {
  TempDir dir;
  auto path = audit_log_with_five_records(dir);
  std::string text;
  {
    std::ifstream in(path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  auto pos = text.find("tool_3");
  ASSERT_NE(pos, std::string::npos);
  text[pos + 5] = '8';
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  auto r = wasmgate({"audit", "verify", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find(path + ":3: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("TAMPERED at line 3"), std::string::npos) << r.out;
}

TEST(AuditCliTest, VerifyOfAMissingFileFails) {
  auto r = wasmgate({"audit", "verify", "/nonexistent/audit.jsonl"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_FALSE(r.err.empty());
}

// Creates one pending approval in DIR's policy state and returns its id.
std::string pending_approval(const TempDir& dir) {
  auto s = store::PolicyStateStore::open(dir.path() + "/" + std::string(store::kPolicyStateFile));
  EXPECT_TRUE(s.has_value());
  std::string id;
  const auto now =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  EXPECT_TRUE((*s)->atomically([&](store::StateTxn& t) -> Status {
                    store::ApprovalRequest req;
                    req.binding = {"tool", "wire_money", "digest", "revision"};
                    req.rule = "big transfers";
                    req.reason = "needs a human";
                    req.identity = "alice";
                    req.args_preview = R"({"amount":5000})";
                    req.created_ms = now;
                    req.expires_ms = now + 3'600'000;
                    id = WG_TRY(t.create_approval(req)).id;
                    return ok();
                  })
                  .has_value());
  return id;
}

TEST(ApprovalsCliTest, ListShowsPendingAndApproveWorksOnce) {
  TempDir dir;
  const std::string id = pending_approval(dir);
  auto listed = wasmgate({"approvals", "list", "--state", dir.path()});
  EXPECT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find(id + " pending wire_money rule=\"big transfers\""), std::string::npos) << listed.out;
  auto approved = wasmgate({"approvals", "approve", id, "--state", dir.path(), "--by", "carol"});
  EXPECT_EQ(approved.exit_code, 0) << approved.err;
  auto again = wasmgate({"approvals", "deny", id, "--state", dir.path()});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("approved, not pending"), std::string::npos) << again.err;
  auto after = wasmgate({"approvals", "list", "--state", dir.path()});
  EXPECT_EQ(after.out, "no pending approvals\n");
  auto all = wasmgate({"approvals", "list", "--all", "--json", "--state", dir.path()});
  EXPECT_NE(all.out.find("\"decidedBy\":\"carol\""), std::string::npos) << all.out;
}

TEST(ApprovalsCliTest, DenyAndUnknownIds) {
  TempDir dir;
  const std::string id = pending_approval(dir);
  EXPECT_EQ(wasmgate({"approvals", "deny", id, "--state", dir.path()}).exit_code, 0);
  auto unknown = wasmgate({"approvals", "approve", "ap_0000", "--state", dir.path()});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_NE(unknown.err.find("no approval"), std::string::npos) << unknown.err;
  EXPECT_EQ(wasmgate({"approvals", "list", "--state", dir.path() + "/missing"}).exit_code, 2);
}

// `policy scan` usage errors exit 2 before any upstream is contacted; its
// scans of real upstreams are in tests/app/policy_scan_test.cc.
TEST(PolicyScanCliTest, NeedsExactlyOneUpstream) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"policy", "scan"}, {"policy", "scan", "--upstream", "http://127.0.0.1:1/mcp", "--", "/bin/cat"}}) {
    auto r = wasmgate(args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("give exactly one upstream"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

TEST(PolicyScanCliTest, RejectsBadTimeoutsAndUnusableUrls) {
  auto timeout = wasmgate({"policy", "scan", "--upstream-timeout", "0", "--", "/bin/cat"});
  EXPECT_EQ(timeout.exit_code, 2);
  EXPECT_NE(timeout.err.find("--upstream-timeout"), std::string::npos) << timeout.err;
  auto ftp = wasmgate({"policy", "scan", "--upstream", "ftp://127.0.0.1/mcp"});
  EXPECT_EQ(ftp.exit_code, 2);
  EXPECT_NE(ftp.err.find("not an http:// URL"), std::string::npos) << ftp.err;
  EXPECT_EQ(wasmgate({"policy", "scan", "--unknown-flag", "--", "/bin/cat"}).exit_code, 2);
}

TEST(PolicyScanCliTest, RefusesAnExistingOutputBeforeContactingTheUpstream) {
  TempDir dir;
  auto existing = dir.write("policy.yaml", "mine\n");
  // The upstream would fail (exit 1) if it were started; the refusal comes first.
  auto r = wasmgate({"policy", "scan", "--output", existing, "--", dir.path() + "/no-such-server"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exists; add --force"), std::string::npos) << r.err;
  std::ifstream in(existing);
  EXPECT_EQ(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()), "mine\n");
}

TEST(PolicyScanCliTest, AnUnreachableHttpUpstreamFailsWithExitOne) {
  auto r = wasmgate({"policy", "scan", "--upstream", "http://127.0.0.1:1/mcp"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("did not initialize"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("127.0.0.1:1"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace wg
