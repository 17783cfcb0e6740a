// Strict JSON parsing for untrusted protocol input.
//
// Contract: parse_strict() accepts exactly one RFC 8259 JSON text and
// returns it as a boost::json::value, refusing what a lenient parser would
// let through silently and what two parsers could read differently:
//   - any object with two members of the same name, at any depth
//     (RFC 8259 §4 leaves duplicates undefined; we fail closed);
//   - bytes that are not well-formed UTF-8 (RFC 8259 §8.1, RFC 3629 §4),
//     anywhere in the text, and escaped lone surrogates;
//   - nesting deeper than Limits::max_depth;
//   - texts longer than Limits::max_bytes (checked before any parsing).
// Failures: ErrorCode::Malformed (syntax, duplicate key, bad UTF-8) or
// ErrorCode::LimitExceeded (size, depth); the message names the byte offset
// or the member. Thread-safety: pure function. Never throws.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string_view>

#include "base/error.h"
#include "base/utf8.h"

namespace wg::mcp {

struct JsonLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;
  std::size_t max_depth = 64;
};

Result<boost::json::value> parse_strict(std::string_view text, const JsonLimits& limits = {});

// find_invalid_utf8() lives in base/utf8.h (also used by agent file tools).
using wg::find_invalid_utf8;

}  // namespace wg::mcp
