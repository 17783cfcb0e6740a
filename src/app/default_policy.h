// The policy `wasmgate serve` runs behind when no --policy FILE is given
// (and neither --no-policy nor --conformance-fixture): every tool allowed,
// every call audited (DIR/audit.jsonl), and per-session rate limits on the
// tools that create agents, spend model tokens or burn CPU. The text is in
// the Intercept-compatible format of policy/loader.h and is reproduced in
// docs/policy.md "Default policy" (a unit test keeps the two identical).
//
// Contract: default_policy_text() is a constant; it always loads (a unit
// test proves it). open_default_policy_runtime() is open_policy_runtime()
// (app/policy_runtime.h) with the embedded text instead of a file: the same
// state files under `state_dir` (which must exist), no hot reload
// (PolicyHolder::fixed; path() is "").
// Thread-safety: as PolicyRuntime.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "app/policy_runtime.h"
#include "base/error.h"

namespace wg::app {

// The source name used in loader messages, the admin API and the dashboard.
inline constexpr std::string_view kDefaultPolicySource = "(embedded default policy)";

std::string_view default_policy_text();

Result<std::unique_ptr<PolicyRuntime>> open_default_policy_runtime(const std::string& state_dir);

}  // namespace wg::app
