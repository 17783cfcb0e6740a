// The ProgramRunner behind `run`: resolves a program name to a WebAssembly
// module and runs it with WASI over the agent's filesystem.
//
// Programs:
//  - "ruby": Ruby's official WebAssembly build (npm @ruby/3.3-wasm-wasi),
//    granted by the runtime "ruby"; args[0] is the script path in the VFS.
//  - the C utilities of src/runtimes (cat, ls, grep, ...), granted all at
//    once by the runtime "coreutils" or one by one by name;
//  - any .wasm file in the agent's VFS (a path containing '/' or ending in
//    ".wasm"), whenever the agent may use `run` at all.
// Compiled modules are cached by content digest.
//
// Limits: fuel, memory, wall time and output come from the agent's limits
// (a request may only lower fuel and time). Runs are deterministic (virtual
// clock, random seeded from the agent id and RunContext::seed). The guest
// works on a fork of the agent's VFS, adopted only when it exits: a trap or
// a limit leaves the agent's files as they were (RunResult::changes is then
// empty).
// Thread-safety: run() may be called concurrently for different agents.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "agent/tools.h"
#include "wasm/validate/module_cache.h"

namespace wg::agent {

struct ProgramRunnerOptions {
  std::string ruby_wasm_path;  // empty: Ruby is unavailable
  std::size_t cache_capacity = 32;
};

class WasiProgramRunner final : public ProgramRunner {
 public:
  explicit WasiProgramRunner(ProgramRunnerOptions options);
  Result<wasi::RunResult> run(Agent& agent, const RunRequest& request, const RunContext& context) override;
  std::vector<std::string> programs_for(const AgentConfig& config) const override;

 private:
  Result<std::shared_ptr<const wasm::CompiledModule>> ruby_module();

  ProgramRunnerOptions options_;
  wasm::ModuleCache cache_;
  std::mutex ruby_mu_;                                 // guards ruby_
  std::shared_ptr<const wasm::CompiledModule> ruby_;  // compiled on first use
};

}  // namespace wg::agent
