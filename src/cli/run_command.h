// `wasmgate run [options] MODULE.wasm [ARGS...]`: runs a WASI command in a
// private in-memory filesystem (docs/wasi.md).
//
// Host directories enter only by copy (--dir HOST::GUEST) before the run,
// and the resulting tree leaves only with --output-dir. Without --json the
// guest's stdout/stderr are passed through and its exit code becomes ours;
// with --json one JSON report goes to `out`.
// Exit codes (also in the README): the guest's exit code (0..255; a larger
// one becomes 1), 1 the module could not run (unreadable, invalid, unknown
// import, no _start, host I/O), 2 usage error, 124 timeout (--timeout) or
// interrupt, 125 out of fuel (--fuel), 126 memory limit (--max-memory),
// 134 any other trap.
// Thread-safety: uses only its arguments and the host paths they name.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace wg::cli {

inline constexpr int kExitRunTimeout = 124;
inline constexpr int kExitRunOutOfFuel = 125;
inline constexpr int kExitRunMemoryLimit = 126;
inline constexpr int kExitRunTrap = 134;

struct RunArgs {
  std::vector<std::string> dirs;  // HOST::GUEST, or HOST (guest path = HOST)
  std::vector<std::string> env;   // K=V
  std::string stdin_file;
  std::string output_dir;
  std::uint64_t fuel = 0;        // 0: unlimited
  std::uint64_t max_memory = 0;  // bytes; 0: the engine's default cap (4 GiB)
  double timeout = 0;            // seconds; 0: none
  bool deterministic = false;
  bool json = false;
  bool trap_unknown_imports = false;
  std::vector<std::string> args;  // MODULE.wasm ARGS...
};

int run_command(const RunArgs& args, std::FILE* out, std::FILE* err);

}  // namespace wg::cli
