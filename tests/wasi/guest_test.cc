// The C guests in tests/guests/, compiled at build time with clang-14 and
// wasi-libc, run through wasi::run() and through `wasmgate run`.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "support/subprocess.h"
#include "wasi/runner.h"

namespace wg::wasi {
namespace {

std::vector<std::uint8_t> load(const std::string& name) {
  std::ifstream in(std::string(WG_GUEST_DIR) + "/" + name + ".wasm", std::ios::binary);
  EXPECT_TRUE(in) << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Result<RunResult> run_guest(const std::string& name, vfs::Vfs& vfs, RunOptions options) {
  if (options.wasi.args.empty()) options.wasi.args = {name};
  return run(load(name), vfs, options);
}

RunOptions sandbox_options(vfs::Vfs& vfs) {
  EXPECT_TRUE(vfs.mkdir(vfs.root(), "/sandbox"));
  RunOptions o;
  o.wasi.preopens = {{"/sandbox", "/sandbox"}};
  return o;
}

// "name errno=N" lines of the escape guest.
std::map<std::string, int> errnos(const std::string& out) {
  std::map<std::string, int> m;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    const auto at = line.rfind(" errno=");
    if (at != std::string::npos) m[line.substr(0, at)] = std::stoi(line.substr(at + 7));
  }
  return m;
}

TEST(GuestTest, HelloSeesArgsAndEnvAndItsExitCodeComesBack) {
  vfs::Vfs vfs;
  RunOptions o;
  o.wasi.args = {"hello", "7", "two words"};
  o.wasi.env = {"GREETING=hey", "A=1"};
  auto r = run_guest("hello", vfs, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Exited);
  EXPECT_EQ(r->exit_code, 7u);
  EXPECT_EQ(r->stdout_data, "argc=3\nargv[1]=7\nargv[2]=two words\nenv A=1\nenv GREETING=hey\ngreeting=hey\n");
  EXPECT_EQ(r->stderr_data, "to stderr\n");
  EXPECT_GT(r->fuel_used, 0u);
}

TEST(GuestTest, StdinIsReadToTheEnd) {
  vfs::Vfs vfs;
  RunOptions o;
  o.wasi.stdin_data = "abc\nxyz";
  auto r = run_guest("stdin_upper", vfs, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stdout_data, "ABC\nXYZ\nbytes=7\n");
}

TEST(GuestTest, StdoutOverItsCapIsTruncatedAndSaysSo) {
  vfs::Vfs vfs;
  RunOptions o;
  o.wasi.limits.max_stdout_bytes = 5;
  auto r = run_guest("hello", vfs, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->stdout_data, "argc=");
  EXPECT_TRUE(r->stdout_truncated);
  EXPECT_EQ(r->exit_code, 0u);
}

TEST(GuestTest, FilesGuestPassesEveryFdAndPathStep) {
  vfs::Vfs vfs;
  RunOptions o = sandbox_options(vfs);
  auto in = vfs.open(vfs.root(), "/sandbox/input.txt", vfs::OpenFlags::Create);
  ASSERT_TRUE(in);
  ASSERT_TRUE(vfs.pwrite(*in, 0, std::string_view("the input\n")));
  ASSERT_TRUE(vfs.close(*in));
  o.wasi.args = {"files", "/sandbox", "strict"};
  auto r = run_guest("files", vfs, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 0u) << r->stdout_data;
  EXPECT_EQ(r->stdout_data.find("FAIL"), std::string::npos) << r->stdout_data;
  EXPECT_NE(r->stdout_data.find("ok set O_APPEND"), std::string::npos);
  EXPECT_NE(r->stdout_data.find("input: the input\n"), std::string::npos);
  EXPECT_NE(r->stdout_data.find("preopen=/sandbox\n"), std::string::npos);
  EXPECT_EQ(*vfs.read_all(*vfs.lookup(vfs.root(), "/sandbox/result.txt")), "failures=0\n");
  EXPECT_EQ(*vfs.read_all(*vfs.lookup(vfs.root(), "/sandbox/sub/final.txt")), "abcdef");
  std::vector<std::string> changed;
  for (const vfs::Change& c : r->changes) changed.push_back(std::string(vfs::to_string(c.kind)) + " " + c.path);
  EXPECT_NE(std::find(changed.begin(), changed.end(), "added /sandbox/result.txt"), changed.end());
  EXPECT_NE(std::find(changed.begin(), changed.end(), "added /sandbox/sub/final.txt"), changed.end());
  EXPECT_EQ(r->digest, vfs.digest());
}

TEST(GuestTest, DeterministicRunsAreIdenticalAndTheSeedMatters) {
  auto once = [](std::uint64_t seed) {
    vfs::Vfs vfs;
    RunOptions o = sandbox_options(vfs);
    o.wasi.clock = ClockMode::Deterministic;
    o.wasi.seed = seed;
    o.wasi.args = {"clock_random", "values"};
    auto r = run_guest("clock_random", vfs, o);
    EXPECT_TRUE(r);
    return *r;
  };
  const RunResult a = once(1), b = once(1), c = once(2);
  EXPECT_EQ(a.stdout_data, b.stdout_data);
  EXPECT_EQ(a.fuel_used, b.fuel_used);
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_NE(a.stdout_data, c.stdout_data);  // the random line differs
  EXPECT_NE(a.stdout_data.find("slept at least 50ms: yes"), std::string::npos);
  EXPECT_NE(a.stdout_data.find("poll: errno=0 events=1 first=8"), std::string::npos) << a.stdout_data;
  EXPECT_NE(a.stdout_data.find("realtime=1700000000."), std::string::npos) << a.stdout_data;
}

TEST(GuestTest, EscapeAndAbuseAttemptsGetThePrescribedErrnos) {
  vfs::Limits limits;
  limits.max_total_bytes = 8u << 20;
  vfs::Vfs vfs(limits);
  ASSERT_TRUE(vfs.mkdir(vfs.root(), "/secret"));
  RunOptions o = sandbox_options(vfs);
  o.wasi.limits.max_fds = 64;
  auto r = run_guest("escape", vfs, o);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Exited);
  const auto e = errnos(r->stdout_data);
  const std::map<std::string, int> expected = {
      {"dotdot", 76}, {"dotdot chain", 76}, {"absolute", 76}, {"inner dotdot ok", 0},
      {"symlink loop", 32}, {"symlink cycle", 32}, {"symlink absolute", 76}, {"symlink outside", 76},
      {"symlink outside create", 76}, {"nofollow on symlink", 32}, {"iovs past end", 21},
      {"iov buffer past end", 21}, {"nwritten past end", 21}, {"read into past end", 21},
      {"path past end", 21}, {"random past end", 21}, {"args past end", 21}, {"huge iovec count", 28},
      {"write to fd 99", 8}, {"write to closed fd", 8}, {"write to directory", 76}, {"quota", 51},
      {"sock_accept", 58}, {"sock_shutdown", 58}};
  for (const auto& [what, code] : expected) {
    ASSERT_TRUE(e.contains(what)) << what << "\n" << r->stdout_data;
    EXPECT_EQ(e.at(what), code) << what;
  }
  EXPECT_NE(r->stdout_data.find("fd exhaustion errno=33 after_some=yes"), std::string::npos);
  EXPECT_NE(r->stdout_data.find("done\n"), std::string::npos);
  // Nothing outside the preopen was touched.
  auto secret = vfs.readdir(*vfs.lookup(vfs.root(), "/secret"), 2, 10);
  ASSERT_TRUE(secret);
  EXPECT_TRUE(secret->empty());
}

TEST(GuestTest, AGuestThatNeverReturnsEndsAtTheDeadline) {
  vfs::Vfs vfs;
  RunOptions o;
  o.limits.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(100);
  auto r = run_guest("spin", vfs, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::DeadlineExceeded);
  ASSERT_TRUE(r->trap);
  EXPECT_EQ(r->trap->kind, wasm::TrapKind::DeadlineExceeded);
}

TEST(GuestTest, AGuestThatNeverReturnsRunsOutOfFuel) {
  vfs::Vfs vfs;
  RunOptions o;
  o.limits.fuel = 2'000'000;
  auto r = run_guest("spin", vfs, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::OutOfFuel);
  EXPECT_GE(r->fuel_used, 2'000'000u);
}

TEST(GuestTest, UnboundedAllocationEndsAtTheMemoryLimit) {
  vfs::Vfs vfs;
  RunOptions o;
  o.limits.max_memory_pages = 256;  // 16 MiB
  o.limits.grow_failure = wasm::GrowFailure::Trap;
  auto r = run_guest("alloc", vfs, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::MemoryLimit);
}

TEST(GuestTest, WithGrowReturningMinusOneMallocFailsInsideTheGuest) {
  vfs::Vfs vfs;
  RunOptions o;
  o.limits.max_memory_pages = 256;
  o.limits.grow_failure = wasm::GrowFailure::ReturnMinusOne;
  auto r = run_guest("alloc", vfs, o);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::Exited);
  EXPECT_EQ(r->exit_code, 3u);
  EXPECT_EQ(r->stdout_data.rfind("malloc failed after ", 0), 0u) << r->stdout_data;
}

TEST(GuestTest, ATrapIsAResultWithTheOutputSoFar) {
  vfs::Vfs vfs;
  auto r = run_guest("trap", vfs, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, RunStatus::Trapped);
  EXPECT_EQ(r->trap->kind, wasm::TrapKind::Unreachable);
  EXPECT_EQ(r->stdout_data, "before trap\n");
}

TEST(GuestTest, UnknownImportsFailAtLinkTimeNamingTheImport) {
  vfs::Vfs vfs;
  auto r = run_guest("unknown_import", vfs, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::NotFound);
  EXPECT_NE(r.error().message().find("\"env\".\"host_magic\""), std::string::npos) << r.error().message();
  EXPECT_NE(r.error().message().find("--trap-unknown-imports"), std::string::npos);
}

TEST(GuestTest, TrapUnknownImportsStubsTrapOnlyWhenCalled) {
  vfs::Vfs vfs;
  RunOptions o;
  o.unknown_imports = UnknownImports::Trap;
  auto quiet = run_guest("unknown_import", vfs, o);
  ASSERT_TRUE(quiet);
  EXPECT_EQ(quiet->status, RunStatus::Exited);
  o.wasi.args = {"unknown_import", "call"};
  auto called = run_guest("unknown_import", vfs, o);
  ASSERT_TRUE(called);
  EXPECT_EQ(called->status, RunStatus::Trapped);
  EXPECT_NE(called->trap->message.find("env.host_magic"), std::string::npos);
}

TEST(GuestTest, AModuleWithoutStartIsAnError) {
  vfs::Vfs vfs;
  const std::vector<std::uint8_t> empty_module = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto r = run(empty_module, vfs, {});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("_start"), std::string::npos);
}

// ---- through the command line ------------------------------------------------

std::string guest(const std::string& name) { return std::string(WG_GUEST_DIR) + "/" + name + ".wasm"; }

testing::ProcessResult wasmgate(std::vector<std::string> args) {
  args.insert(args.begin(), WG_BINARY);
  return testing::run_process(args);
}

TEST(RunCommandTest, PassesTheGuestsOutputAndExitCodeThrough) {
  auto r = wasmgate({"run", "--env", "GREETING=cli", guest("hello"), "4", "--not-ours"});
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.out.find("argv[2]=--not-ours\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("greeting=cli\n"), std::string::npos);
  EXPECT_EQ(r.err, "to stderr\n");
}

TEST(RunCommandTest, DeterministicJsonRunsAreByteIdentical) {
  const auto dir = std::filesystem::temp_directory_path() / "wg-wasi-cli-det";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "input.txt") << "from host\n";
  const std::vector<std::string> args = {"run", "--deterministic", "--json", "--dir", dir.string() + "::/sandbox",
                                         guest("files"), "/sandbox", "strict"};
  auto a = wasmgate(args), b = wasmgate(args);
  EXPECT_EQ(a.exit_code, 0) << a.out << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("\"vfs_digest\":\""), std::string::npos);
  EXPECT_NE(a.out.find("{\"path\":\"/sandbox/result.txt\",\"kind\":\"added\""), std::string::npos) << a.out;
  EXPECT_NE(a.out.find("\"status\":\"exited\""), std::string::npos);
  // The host directory was copied, never touched.
  EXPECT_FALSE(std::filesystem::exists(dir / "result.txt"));
  std::filesystem::remove_all(dir);
}

TEST(RunCommandTest, OutputDirReceivesTheResultingTree) {
  const auto in = std::filesystem::temp_directory_path() / "wg-wasi-cli-in";
  const auto out = std::filesystem::temp_directory_path() / "wg-wasi-cli-out";
  std::filesystem::remove_all(in);
  std::filesystem::remove_all(out);
  std::filesystem::create_directories(in);
  std::ofstream(in / "input.txt") << "a longer input line\n";
  auto r = wasmgate({"run", "--dir", in.string() + "::/sandbox", "--output-dir", out.string(), guest("files"),
                     "/sandbox"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  std::ifstream result(out / "sandbox" / "result.txt");
  std::string line;
  std::getline(result, line);
  EXPECT_EQ(line, "failures=0");
  std::filesystem::remove_all(in);
  std::filesystem::remove_all(out);
}

TEST(RunCommandTest, LimitsHaveDistinctExitCodesAndMessages) {
  auto fuel = wasmgate({"run", "--fuel", "100000", guest("spin")});
  EXPECT_EQ(fuel.exit_code, 125);
  EXPECT_NE(fuel.err.find("out of fuel"), std::string::npos) << fuel.err;
  auto timeout = wasmgate({"run", "--timeout", "0.2", guest("spin")});
  EXPECT_EQ(timeout.exit_code, 124);
  EXPECT_NE(timeout.err.find("timeout"), std::string::npos) << timeout.err;
  auto memory = wasmgate({"run", "--max-memory", "8388608", guest("alloc")});
  EXPECT_EQ(memory.exit_code, 126);
  EXPECT_NE(memory.err.find("memory limit"), std::string::npos) << memory.err;
  auto trap = wasmgate({"run", guest("trap")});
  EXPECT_EQ(trap.exit_code, 134);
  EXPECT_NE(trap.err.find("trap: unreachable"), std::string::npos) << trap.err;
}

TEST(RunCommandTest, UnknownImportIsAFailureUnlessStubbed) {
  auto r = wasmgate({"run", guest("unknown_import")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("host_magic"), std::string::npos) << r.err;
  auto stubbed = wasmgate({"run", "--trap-unknown-imports", guest("unknown_import")});
  EXPECT_EQ(stubbed.exit_code, 0);
  EXPECT_EQ(stubbed.out, "started\n");
}

TEST(RunCommandTest, BadArgumentsAreUsageErrors) {
  EXPECT_EQ(wasmgate({"run", "--env", "NOEQUALS", guest("hello")}).exit_code, 2);
  EXPECT_EQ(wasmgate({"run", "--dir", "::/x", guest("hello")}).exit_code, 2);
  auto missing = wasmgate({"run", "/nonexistent/m.wasm"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("/nonexistent/m.wasm"), std::string::npos);
}

}  // namespace
}  // namespace wg::wasi
