// `wasmgate policy validate FILE...`, `wasmgate policy test ...` and `wasmgate policy scan ...`.
//
// validate: loads each file with the strict loader; prints "FILE: ok
// (revision R)" or every problem as "FILE:LINE:COL: message" on stderr.
// Exit 0 when every file is valid, 1 otherwise (2 on usage errors).
//
// test --policy FILE --tool NAME [--args JSON] [--kind tool|resource|prompt]
//      [--session S] [--identity I] [--json]:
// decides one call offline, with every counter empty (as for the first call
// of a window). Prints decide()'s one-line description (or, with --json, an
// object {decision, code?, rule?, reason?, retryAfter?, remaining?, timeout?,
// revision, updates}). Exit codes, chosen so scripts can branch on the
// outcome: 0 allow, 1 deny, 3 require_approval, 2 when nothing could be
// decided (usage error, unreadable or invalid policy, --args not JSON).
//
// scan (--upstream URL | -- COMMAND [ARGS...]) [-o|--output FILE] [--force]
//      [--upstream-timeout SECONDS]:
// connects to the upstream MCP server, reads every page of tools/list and
// writes a starter policy grouped by risk (app/policy_scan.h) to stdout or
// FILE (an existing FILE only with --force). Exit 0 written, 1 the upstream
// failed or FILE could not be written, 2 usage.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

namespace wg::cli {

// Registers `validate`, `test` and `scan` under `policy` (which must already exist).
// The returned function runs the parsed one and returns its exit code, or
// nullopt when none of them was parsed.
std::function<std::optional<int>()> add_policy_commands(CLI::App& policy);

}  // namespace wg::cli
