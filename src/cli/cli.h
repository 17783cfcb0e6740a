// The command-line interface of wasmgate (ARCHITECTURE.md, "Command-line
// contract"). Parses argv, runs the chosen subcommand and returns the process
// exit code: 0 ok, 1 the job failed, 2 usage error or a subcommand that is
// not built yet; `run` passes the guest's exit code through.
#pragma once

#include <span>

namespace wg::cli {

int main(std::span<char*> argv);

}  // namespace wg::cli
