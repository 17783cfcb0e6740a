// JSON helpers for the gallery: a strict text parser for untrusted payloads
// (import_custom, RVF segments, stored rows) and "did you mean" suggestions.
//
// parse_json_text() refuses duplicate object members at any depth (RFC 8259
// §4 leaves them undefined; we fail closed), invalid UTF-8, comments,
// trailing commas, trailing data, nesting deeper than max_depth and texts
// longer than max_bytes. Failures: ErrorCode::Malformed (syntax, duplicate)
// or ErrorCode::LimitExceeded (size, depth), with the byte offset.
// Thread-safety: pure functions. Never throws.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "base/error.h"

namespace wg::gallery {

struct JsonTextLimits {
  std::size_t max_bytes = 1024 * 1024;
  std::size_t max_depth = 32;
};

Result<boost::json::value> parse_json_text(std::string_view text, const JsonTextLimits& limits = {});

// Levenshtein distance over ASCII-lowercased bytes.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `word`, when it is close enough to be a likely
// typo: equal after removing '_'/'-' and lowercasing, or within an edit
// distance of max(2, |word| / 3). Ties go to the earlier candidate.
std::optional<std::string> nearest_name(std::string_view word, std::span<const std::string_view> candidates);
std::optional<std::string> nearest_name(std::string_view word, std::span<const std::string> candidates);

// Checks that `value` is an object whose member names are all in `known`.
// Invalid otherwise: "<path>: expected an object, got an array" or
// "<path>: unknown key \"maxTurn\"; did you mean \"maxTurns\"? Known keys: ...".
Result<const boost::json::object*> expect_object(const boost::json::value& value, std::string_view path,
                                                 std::span<const std::string_view> known);

// "null", "a string", "an integer", ... for "expected X, got Y" messages.
std::string_view json_kind_name(const boost::json::value& value);

// "a, b, c" with each item quoted when `quote` is true.
std::string join_names(std::span<const std::string_view> names, bool quote = false);
std::string join_names(std::span<const std::string> names, bool quote = false);

// JSON-style quoting for error messages: "\"" + text (control characters
// escaped, cut to 80 chars with "...") + "\"".
std::string quoted(std::string_view text);

}  // namespace wg::gallery
