// Ruby scripts on wasmgate's own engine: a host for Ruby's official
// WebAssembly build (npm @ruby/3.3-wasm-wasi, dist/ruby+stdlib.wasm), a WASI
// reactor with the standard library packed inside by wasi-vfs. See
// docs/wasi.md "Ruby" for the call sequence, the imports and the figures.
//
// Contract: run_ruby() behaves like `ruby SCRIPT ARGS...` run in the VFS:
//  - SCRIPT is read from the VFS through the preopens of options.wasi
//    (default: the VFS root preopened as "/"; a relative path is relative
//    to "/"); ARGV = what.args; $0 and __FILE__ = what.script_path.
//  - stdout/stderr, output caps, clocks (Deterministic mode too), env,
//    stdin and every StoreLimits limit work as in wasi::run();
//    options.wasi.args is ignored (the host builds Ruby's arguments).
//  - `exit N` / `exit!(N)` / `abort` end with Exited and that code; an
//    uncaught exception prints Ruby's usual report (message, class,
//    backtrace) on stderr and exits 1; at_exit blocks run, LIFO, after the
//    script; every open IO is flushed before the exit.
//  - fuel, deadline, interrupt and memory limits end the run with the
//    matching RunStatus; fuel_used covers the whole run, Ruby's start-up
//    included (about 0.23e9 fuel; docs/wasi.md has the figures). Ruby's
//    memory starts at 638 pages and `puts 1` needs about 1200.
//  - files the script writes stay in `vfs`; RunResult::changes lists them.
//  - Ruby's JavaScript bridge (imports "rb-js-abi-host.*") is absent: each
//    of its functions traps with a message naming it (`require "js"`
//    loads; the first use, e.g. JS.global, ends the run Trapped).
// The wasm file itself never enters the VFS. Errors (the run could not
// start): Invalid for a script path or argument holding a NUL byte, link
// errors from a module that is not a Ruby reactor build.
// Thread-safety: run_ruby() is reentrant; a CompiledModule may be shared by
// concurrent runs; `vfs` must not be used by others during the call.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "vfs/vfs.h"
#include "wasi/runner.h"
#include "wasm/validate/compiler.h"

namespace wg::wasi {

// Whether Ruby loads RubyGems at start-up, as the `ruby` command does.
// Disabled (the default: `ruby --disable-gems`), the standard library is on
// $LOAD_PATH (`require "json"` works) but the bundled gems (minitest, rake,
// test-unit, ...) are not, and did_you_mean / error_highlight are off.
// Enabled costs about seven times as much start-up fuel (docs/wasi.md).
enum class RubyGems : std::uint8_t { Disabled, Enabled };

struct RubyRun {
  std::string script_path;        // in the VFS, as the guest sees it
  std::vector<std::string> args;  // ARGV
  RubyGems gems = RubyGems::Disabled;
};

// Reads and compiles a Ruby reactor build, with canonical NaNs (what
// Deterministic mode needs; Ruby never depends on NaN payloads, so one
// compiled form serves both clock modes). Compile once and share the
// result: compiling ruby+stdlib.wasm takes seconds. Errors: Io naming the
// file when it cannot be read, compile errors, Invalid when the module
// lacks the exports run_ruby() calls.
[[nodiscard]] Result<std::shared_ptr<const wasm::CompiledModule>> load_ruby_module(const std::string& wasm_path);

[[nodiscard]] Result<RunResult> run_ruby(std::shared_ptr<const wasm::CompiledModule> ruby, vfs::Vfs& vfs,
                                         const RubyRun& what, const RunOptions& options);

// The Ruby program run_ruby() evaluates in the reactor to run `what`
// (exposed for tests and docs).
std::string ruby_driver_source(const RubyRun& what);

}  // namespace wg::wasi
