// Loading a policy file: YAML text -> validated Policy.
//
// Contract: pure (no I/O; the caller reads the file and passes its text).
// Strict: unknown keys at any level, duplicate keys, wrong types, unknown
// operators/actions/windows/scopes, regexes that do not compile, values of
// the wrong type for their operator, counters that nothing declares, and
// rules that can never be satisfied are all errors. Every problem found is
// reported (up to LoaderLimits::max_errors), one per line, each as
// "<source>:<line>:<column>: <message>" with 1-based positions from the YAML
// parser. YAML syntax errors are ErrorCode::Malformed; everything else is
// ErrorCode::Invalid; exceeding a limit is ErrorCode::LimitExceeded.
// Thread-safety: reentrant.
#pragma once

#include <cstddef>
#include <string_view>

#include "base/error.h"
#include "policy/policy.h"

namespace wg::policy {

struct LoaderLimits {
  std::size_t max_text_bytes = 1 << 20;  // policy files are small; 1 MiB is generous
  std::size_t max_nodes = 100000;        // YAML nodes visited (bounds alias expansion)
  std::size_t max_condition_depth = 32;  // nesting of any_of/all_of/not
  std::size_t max_regex_bytes = 4096;
  std::size_t max_errors = 50;
};

// `source_name` names the text in messages (usually the file path).
Result<Policy> load_policy(std::string_view text, std::string_view source_name = "policy",
                           const LoaderLimits& limits = {});

// Parses Intercept's rate-limit shorthand "N/minute|hour|day" (N a positive
// integer). Exposed for the CLI and tests.
Result<RateLimit> parse_rate_limit(std::string_view text);

}  // namespace wg::policy
