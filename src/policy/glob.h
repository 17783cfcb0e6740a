// Glob patterns for tool, resource and prompt names.
//
// Contract: `*` matches any run of characters (including none), `?` matches
// exactly one character, `\` makes the next character literal; every other
// character matches itself (byte-wise, case-sensitive). A pattern without an
// unescaped `*` or `?` is an exact name. Matching is O(pattern * text) in the
// worst case and never recurses. Thread-safety: pure functions.
#pragma once

#include <string_view>

namespace wg::policy {

// True when `pattern` contains an unescaped `*` or `?`.
bool is_glob(std::string_view pattern);

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace wg::policy
