// `wasmgate audit verify FILE...`: checks each audit log's hash chain
// (policy/audit_log.h). Prints "FILE: ok, N records, head HASH" or
// "FILE:LINE: problem" for the first broken line. Exit 0 when every file is
// intact, 1 when one is tampered with or unreadable, 2 on usage errors.
// A log cut at the very end still verifies: compare the printed record count
// and head hash with a copy kept elsewhere.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

namespace wg::cli {

// Registers `verify` under `audit`; see add_policy_commands for the runner.
std::function<std::optional<int>()> add_audit_commands(CLI::App& audit);

}  // namespace wg::cli
