// The embedding API: run one WASI command module over a VFS with limits and
// collect everything a caller reports (exit code, output, fuel, changed
// files, digest). Used by `wasmgate run` and by the agent service's `run`
// tool; it knows nothing of agents, JSON or the command line.
//
// Contract: run() compiles (or takes) the module, links the preview1
// functions, instantiates, and calls `_start`. The guest works on `vfs`
// directly: its changes stay in `vfs` (callers that want all-or-nothing
// pass a fork and adopt it on success). During the run the VFS takes its
// timestamps from the run's virtual clock; afterwards its clock is set to
// `after_clock`.
// Failures: an Error means the run could not start: Malformed/Invalid/
// Unsupported module (compile errors), NotFound for an unknown import
// (naming module.name and the flag that stubs it), Invalid for a module
// without a `_start` function, and preopen errors. Everything that happens
// once the guest runs — exit, trap, fuel, deadline, memory limit — is a
// RunResult, never an Error.
// Thread-safety: run() is reentrant; `vfs` must not be used by others
// during the call. StoreLimits::interrupt may be raised from another thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/sha256.h"
#include "vfs/snapshot.h"
#include "vfs/vfs.h"
#include "wasi/context.h"
#include "wasm/exec/runtime.h"
#include "wasm/validate/compiler.h"

namespace wg::wasi {

// What imports outside the provided set do.
enum class UnknownImports : std::uint8_t {
  Fail,  // link error naming the import
  Trap,  // functions become stubs that trap when called (wasmtime's --trap-unknown-imports)
};

struct RunOptions {
  WasiConfig wasi;
  wasm::StoreLimits limits;  // fuel, memory pages, deadline, interrupt, ...
  UnknownImports unknown_imports = UnknownImports::Fail;
  vfs::Clock* after_clock = nullptr;  // the VFS's clock once the run is over
};

// How the run ended.
enum class RunStatus : std::uint8_t {
  Exited,            // _start returned (exit 0) or proc_exit was called
  Trapped,           // a wasm trap or a host trap (message in `trap`)
  OutOfFuel,         // StoreLimits::fuel was used up
  DeadlineExceeded,  // StoreLimits::deadline passed
  Interrupted,       // StoreLimits::interrupt was raised
  MemoryLimit,       // memory would grow past StoreLimits::max_memory_pages
  OutputLimit,       // stdout or stderr passed its cap (WasiLimits::end_on_output_limit)
};

std::string_view to_string(RunStatus status);

struct RunResult {
  RunStatus status = RunStatus::Exited;
  std::uint32_t exit_code = 0;     // meaningful when status == Exited
  std::optional<wasm::Trap> trap;  // set for every status but Exited
  std::string stdout_data;
  std::string stderr_data;
  bool stdout_truncated = false;
  bool stderr_truncated = false;
  std::uint64_t fuel_used = 0;
  std::vector<vfs::Change> changes;  // VFS before vs after, sorted by path
  Sha256Digest digest{};             // VFS tree digest after the run
};

// CompileOptions for a run: canonical NaNs in Deterministic mode.
wasm::CompileOptions compile_options_for(const WasiConfig& config);

[[nodiscard]] Result<RunResult> run(std::span<const std::uint8_t> module_bytes, vfs::Vfs& vfs,
                                    const RunOptions& options);
[[nodiscard]] Result<RunResult> run(std::shared_ptr<const wasm::CompiledModule> module, vfs::Vfs& vfs,
                                    const RunOptions& options);

// One guest run in progress: what run() and the reactor hosts (reactor.h,
// ruby.h) share. Use: create(), define() any host functions beyond
// preview1, instantiate(), invoke exports with call(), then finish() once.
//
// Contract: the first trap (exit, fuel, deadline, memory limit, host or
// wasm trap) ends the run; it is recorded as the run's outcome, ended()
// becomes true, and the instance must not be called again. finish()
// collects fuel used, output and the VFS diff against the state at
// create(), and closes the guest's descriptors. While a GuestRun exists
// the VFS stamps times from its virtual clock; its destructor sets the VFS
// clock to RunOptions::after_clock.
// Thread-safety: one thread; `vfs` must not be used by others meanwhile.
class GuestRun {
 public:
  // Errors: preopen errors (see WasiContext::create).
  static Result<std::unique_ptr<GuestRun>> create(vfs::Vfs& vfs, const RunOptions& options);
  ~GuestRun();
  GuestRun(const GuestRun&) = delete;
  GuestRun& operator=(const GuestRun&) = delete;

  wasm::Store& store() { return store_; }
  WasiContext& wasi() { return *ctx_; }
  const RunOptions& options() const { return options_; }

  // Defines a host function as module.name (before instantiate()); it takes
  // precedence over the unknown-import policy.
  void define(std::string module, std::string name, wasm::FuncType type, wasm::HostFn fn);

  // Links preview1, the define()d functions and the unknown-import policy,
  // then instantiates. Returns the instance, or nullptr when instantiation
  // itself ended the run (a trap in the start function, or the module's
  // own minimum memory over the cap: MemoryLimit). Errors: link errors
  // (NotFound naming the import, Invalid for a type mismatch).
  Result<wasm::ModuleInstance*> instantiate(std::shared_ptr<const wasm::CompiledModule> module);

  // Invokes `func`; on a trap records it as the outcome and returns nullopt.
  std::optional<std::vector<wasm::Value>> call(wasm::FuncInst& func, std::span<const wasm::Value> args);
  // Ends the run with `trap` (a host-detected outcome), unless it has ended.
  void end(wasm::Trap trap);
  bool ended() const { return ended_; }

  // Fuel used so far (the budget minus what remains).
  std::uint64_t fuel_used() const;
  // The result; call once. A run that never ended reports Exited, code 0.
  RunResult finish();

 private:
  GuestRun(vfs::Vfs& vfs, const RunOptions& options, vfs::Snapshot before, std::unique_ptr<WasiContext> ctx,
           std::uint64_t budget);
  vfs::Vfs& vfs_;
  RunOptions options_;
  vfs::Snapshot before_;
  std::unique_ptr<WasiContext> ctx_;
  std::uint64_t budget_;
  wasm::Store store_;
  wasm::Linker linker_;
  std::set<std::pair<std::string, std::string>> defined_;
  RunResult result_;
  bool ended_ = false;
};

}  // namespace wg::wasi
