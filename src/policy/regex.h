// Regex: a compiled pattern for the `regex` condition operator.
//
// We use RE2 (Debian libre2-dev): matching time is linear in the input and
// memory is bounded, so a policy pattern can never be turned into a
// catastrophic-backtracking denial of service by a crafted argument. RE2's
// syntax is the one Go's regexp package implements, which is what
// PolicyLayer Intercept compiles patterns with, so its patterns mean the same
// here. Matching is unanchored (a search), as in Intercept: use ^ and $ to
// anchor. Thread-safety: a compiled Regex is immutable and may be shared and
// used from several threads at once.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "base/error.h"

namespace re2 {
class RE2;
}

namespace wg::policy {

class Regex {
 public:
  // Invalid syntax is ErrorCode::Invalid with RE2's explanation; a pattern
  // that would need more than `max_program_bytes` is ErrorCode::LimitExceeded.
  static Result<Regex> compile(std::string_view pattern, std::size_t max_program_bytes = 1 << 20);

  // True when the pattern matches somewhere in `text`.
  bool search(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  Regex(std::string pattern, std::shared_ptr<const re2::RE2> re) : pattern_(std::move(pattern)), re_(std::move(re)) {}
  std::string pattern_;
  std::shared_ptr<const re2::RE2> re_;
};

}  // namespace wg::policy
