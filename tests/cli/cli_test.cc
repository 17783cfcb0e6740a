// Drives the real wasmgate binary and checks the command-line contract.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <string>
#include <vector>

#include "support/subprocess.h"

namespace wg {
namespace {

using wg::testing::run_process;

testing::ProcessResult wasmgate(std::vector<std::string> args) {
  args.insert(args.begin(), WG_BINARY);
  return run_process(args);
}

TEST(CliTest, HelpListsEverySubcommandOfTheContract) {
  auto r = wasmgate({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* sub : {"serve", "proxy", "run", "wast", "policy", "approvals", "audit", "replay"}) {
    EXPECT_NE(r.out.find(sub), std::string::npos) << sub << " missing from:\n" << r.out;
  }
}

TEST(CliTest, VersionPrintsNameAndVersion) {
  auto r = wasmgate({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("wasmgate ", 0), 0u) << r.out;
}

TEST(CliTest, NoSubcommandIsAUsageError) {
  auto r = wasmgate({});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(r.err.empty());
}

TEST(CliTest, UnknownFlagIsAUsageError) {
  auto r = wasmgate({"run", "--no-such-flag", "x.wasm"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, SubcommandHelpShowsContractFlags) {
  auto r = wasmgate({"run", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* flag : {"--dir", "--env", "--stdin", "--fuel", "--max-memory", "--timeout", "--deterministic",
                           "--json"}) {
    EXPECT_NE(r.out.find(flag), std::string::npos) << flag;
  }
}

TEST(CliTest, ServeRejectsTwoTransports) {
  auto r = wasmgate({"serve", "--stdio", "--http", "127.0.0.1:1"});
  EXPECT_EQ(r.exit_code, 2);
}

TEST(CliTest, ServeRefusesAuthTokensOnStdioAndPolicyWithNoPolicy) {
  auto r = wasmgate({"serve", "--stdio", "--auth-tokens", "/nonexistent/tokens"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--auth-tokens applies to HTTP only"), std::string::npos) << r.err;
  r = wasmgate({"serve", "--stdio", "--policy", "p.yaml", "--no-policy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("exclude each other"), std::string::npos) << r.err;
}

TEST(CliTest, ServeRefusesATokenFileOthersCanRead) {
  const std::string path = ::testing::TempDir() + "/cli_tokens_open";
  std::ofstream(path) << "alice alice-token-0123456789\n";
  ASSERT_EQ(::chmod(path.c_str(), 0644), 0);
  auto r = wasmgate({"serve", "--http", "127.0.0.1:0", "--auth-tokens", path, "--state", ::testing::TempDir() + "/cli_tok"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("too open"), std::string::npos) << r.err;
}

TEST(CliTest, ProxyRequiresAPolicy) {
  auto r = wasmgate({"proxy", "--upstream", "http://127.0.0.1:1/mcp"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--policy"), std::string::npos) << r.err;
}

std::string write_allow_all_policy() {
  const std::string path = ::testing::TempDir() + "/cli_proxy_policy.yaml";
  std::ofstream(path) << "version: \"1\"\ndefault: allow\ntools: {}\n";
  return path;
}

TEST(CliTest, ProxyWithoutAnUpstreamIsAUsageError) {
  auto r = wasmgate({"proxy", "--policy", write_allow_all_policy(), "--state", ::testing::TempDir() + "/cli_proxy"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("upstream"), std::string::npos) << r.err;
}

TEST(CliTest, ProxyWhoseUpstreamCannotStartFailsWithExitOne) {
  auto r = wasmgate({"proxy", "--policy", write_allow_all_policy(), "--state", ::testing::TempDir() + "/cli_proxy",
                     "--", "/nonexistent/wasmgate-upstream"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("upstream"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace wg
