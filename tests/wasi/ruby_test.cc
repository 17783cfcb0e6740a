// Ruby's official WebAssembly build (npm @ruby/3.3-wasm-wasi, installed by
// scripts/setup.sh) run through wasi::run_ruby() over an in-memory VFS.
// Registered only when WG_RUBY_WASM exists at configure time.
#include <gtest/gtest.h>

#include <algorithm>

#include "vfs/tree_ops.h"
#include "wasi/ruby.h"

namespace wg::wasi {
namespace {

// Compiling the 36 MB module takes seconds: once per test process.
std::shared_ptr<const wasm::CompiledModule> ruby_module() {
  static const auto module = [] {
    auto m = load_ruby_module(WG_RUBY_WASM);
    EXPECT_TRUE(m) << m.error().to_string();
    return m ? *m : nullptr;
  }();
  return module;
}

void write(vfs::Vfs& vfs, const std::string& path, const std::string& content) {
  auto w = vfs::write_file(vfs, path, content);
  ASSERT_TRUE(w) << path;
}

Result<RunResult> run_script(vfs::Vfs& vfs, const std::string& source, RunOptions options = {},
                             std::vector<std::string> args = {}) {
  write(vfs, "/main.rb", source);
  auto module = ruby_module();
  if (!module) return make_error(ErrorCode::Internal, "no Ruby module");
  return run_ruby(module, vfs, RubyRun{"/main.rb", std::move(args)}, options);
}

bool changed(const RunResult& r, const std::string& path) {
  return std::any_of(r.changes.begin(), r.changes.end(), [&](const vfs::Change& c) { return c.path == path; });
}

TEST(RubyTest, ScriptReadsAFileWritesAFileAndPrints) {
  vfs::Vfs vfs;
  write(vfs, "/data/in.txt", "alpha\nbeta\n");
  auto r = run_script(vfs, R"(
lines = File.readlines("/data/in.txt", chomp: true)
File.write("/data/out.txt", lines.map(&:upcase).join(","))
puts "read #{lines.size} lines"
puts ARGV.inspect
puts $0 == __FILE__
)",
                      {}, {"one", "two words"});
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Exited) << (r->trap ? r->trap->message : "") << r->stderr_data;
  EXPECT_EQ(r->exit_code, 0u);
  EXPECT_EQ(r->stdout_data, "read 2 lines\n[\"one\", \"two words\"]\ntrue\n");
  EXPECT_EQ(r->stderr_data, "");
  auto out = vfs::read_file(vfs, "/data/out.txt");
  ASSERT_TRUE(out);
  EXPECT_EQ(*out, "ALPHA,BETA");
  EXPECT_TRUE(changed(*r, "/data/out.txt"));
  EXPECT_FALSE(changed(*r, "/data/in.txt"));
  EXPECT_GT(r->fuel_used, 0u);
}

TEST(RubyTest, RequireJsonLoadsTheEmbeddedStandardLibrary) {
  vfs::Vfs vfs;
  auto r = run_script(vfs, R"(
require "json"
data = JSON.parse('{"a": [1, 2, {"b": null}]}')
puts JSON.generate(data["a"])
)");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Exited) << r->stderr_data;
  EXPECT_EQ(r->stdout_data, "[1,2,{\"b\":null}]\n");
  // The standard library lives inside the module, not in the agent's VFS.
  EXPECT_FALSE(vfs::read_file(vfs, "/usr/local/lib/ruby/3.3.0/json.rb"));
}

TEST(RubyTest, ExitStatusBecomesTheExitCodeAfterAtExitBlocksAndFlushing) {
  vfs::Vfs vfs;
  auto r = run_script(vfs, R"(
at_exit { puts "second" }
at_exit { puts "first" }
f = File.open("/unclosed.txt", "w")
f.write("kept")
print "buffered "
exit 3
)");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Exited);
  EXPECT_EQ(r->exit_code, 3u);
  EXPECT_EQ(r->stdout_data, "buffered first\nsecond\n");
  auto kept = vfs::read_file(vfs, "/unclosed.txt");
  ASSERT_TRUE(kept);
  EXPECT_EQ(*kept, "kept");
}

TEST(RubyTest, UncaughtExceptionIsReportedOnStderrWithExitCodeOne) {
  vfs::Vfs vfs;
  auto r = run_script(vfs, "def fail_here = raise(\"boom\")\nfail_here\n");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Exited);
  EXPECT_EQ(r->exit_code, 1u);
  // Ruby's own format, and only the script's frames.
  EXPECT_EQ(r->stderr_data, "/main.rb:1:in `fail_here': boom (RuntimeError)\n\tfrom /main.rb:2:in `<main>'\n");
}

TEST(RubyTest, SyntaxErrorAndMissingScriptExitOne) {
  vfs::Vfs vfs;
  auto r = run_script(vfs, "def (\n");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->exit_code, 1u);
  EXPECT_NE(r->stderr_data.find("/main.rb:1: syntax error"), std::string::npos) << r->stderr_data;
  EXPECT_NE(r->stderr_data.find("(SyntaxError)"), std::string::npos) << r->stderr_data;

  auto missing = run_ruby(ruby_module(), vfs, RubyRun{"/nope.rb", {}}, {});
  ASSERT_TRUE(missing) << missing.error().to_string();
  EXPECT_EQ(missing->exit_code, 1u);
  EXPECT_EQ(missing->stderr_data, "ruby: No such file or directory -- /nope.rb (LoadError)\n");
}

TEST(RubyTest, EndlessLoopRunsOutOfFuelAndTheNextRunInTheSameVfsWorks) {
  vfs::Vfs vfs;
  RunOptions small;
  small.limits.fuel = 600'000'000;  // start-up needs about 0.23e9
  auto r = run_script(vfs, "File.write(\"/before.txt\", \"x\")\nloop {}\n", small);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::OutOfFuel);
  ASSERT_TRUE(r->trap);
  EXPECT_EQ(r->trap->kind, wasm::TrapKind::OutOfFuel);

  auto again = run_script(vfs, "puts File.read(\"/before.txt\") + \"y\"\n");
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ(again->status, RunStatus::Exited) << again->stderr_data;
  EXPECT_EQ(again->stdout_data, "xy\n");
}

TEST(RubyTest, AllocationLoopHitsTheMemoryLimit) {
  vfs::Vfs vfs;
  RunOptions capped;
  capped.limits.max_memory_pages = 2048;  // 128 MiB; the module starts at 638 pages
  capped.limits.grow_failure = wasm::GrowFailure::Trap;
  auto r = run_script(vfs, "keep = []\nloop { keep << (\"a\" * 1_000_000) }\n", capped);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::MemoryLimit) << (r->trap ? r->trap->message : "");
}

TEST(RubyTest, OutputFloodIsTruncatedAtTheCapAndEndsOutOfFuel) {
  vfs::Vfs vfs;
  RunOptions o;
  o.limits.fuel = 600'000'000;
  o.wasi.limits.max_stdout_bytes = 64 * 1024;
  auto r = run_script(vfs, "loop { print \"x\" * 4096 }\n", o);
  ASSERT_TRUE(r) << r.error().to_string();
  // The guest sees complete writes beyond the cap, so it runs on until a
  // limit ends it: here the fuel budget.
  EXPECT_EQ(r->status, RunStatus::OutOfFuel);
  EXPECT_TRUE(r->stdout_truncated);
  EXPECT_EQ(r->stdout_data, std::string(64 * 1024, 'x'));
}

TEST(RubyTest, DeterministicModeRepeatsClockAndRandomAndFollowsTheSeed) {
  const std::string script = "puts rand(1_000_000_000)\nputs Time.now.to_f\nputs Random.new_seed\n";
  RunOptions o;
  o.wasi.clock = ClockMode::Deterministic;
  o.wasi.seed = 7;
  vfs::Vfs a, b, c;
  auto ra = run_script(a, script, o);
  auto rb = run_script(b, script, o);
  o.wasi.seed = 8;
  auto rc = run_script(c, script, o);
  ASSERT_TRUE(ra && rb && rc);
  EXPECT_EQ(ra->status, RunStatus::Exited) << ra->stderr_data;
  EXPECT_EQ(ra->stdout_data, rb->stdout_data);
  EXPECT_EQ(ra->fuel_used, rb->fuel_used);
  EXPECT_EQ(ra->digest, rb->digest);
  EXPECT_NE(ra->stdout_data, rc->stdout_data);
}

TEST(RubyTest, JavaScriptBridgeTrapsWithAMessageNamingIt) {
  vfs::Vfs vfs;
  auto r = run_script(vfs, "require \"js\"\nJS.global\n");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->status, RunStatus::Trapped);
  ASSERT_TRUE(r->trap);
  EXPECT_NE(r->trap->message.find("JavaScript bridge is not available"), std::string::npos) << r->trap->message;
  EXPECT_NE(r->trap->message.find("rb-js-abi-host.global-this"), std::string::npos) << r->trap->message;
}

TEST(RubyTest, ArgumentWithNulIsRefusedBeforeRunning) {
  vfs::Vfs vfs;
  auto r = run_ruby(ruby_module(), vfs, RubyRun{"/main.rb", {std::string("a\0b", 3)}}, {});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
}

}  // namespace
}  // namespace wg::wasi
