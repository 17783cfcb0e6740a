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
#include <span>
#include <string>
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

}  // namespace wg::wasi
