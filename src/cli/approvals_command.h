// `wasmgate approvals list|approve ID|deny ID [--state DIR]`: the human side
// of the asynchronous approval flow, over the policy state store in
// DIR/policy-state.sqlite3 (default DIR: .wasmgate).
//
// list [--all] [--json]: pending approvals (all of them with --all), newest
// first, one per line: "ID STATUS TOOL rule=\"R\" expires=TIME args=ARGS".
// approve ID / deny ID [--by NAME]: records the decision (decided_by = NAME,
// default $USER). Exit 0 on success; 1 when the id is unknown or not pending
// (already decided, used or expired) or the store fails; 2 on usage errors,
// including a state directory that does not exist.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>

namespace wg::cli {

std::function<std::optional<int>()> add_approvals_commands(CLI::App& approvals);

}  // namespace wg::cli
