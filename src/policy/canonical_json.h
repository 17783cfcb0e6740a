// Canonical JSON: one text per JSON value, so that equal arguments give equal
// digests (approval binding, audit records, hash chains).
//
// Rules: object keys sorted by their UTF-8 bytes; no whitespace; strings
// escape only '"', '\\' and control characters (as \b \f \n \r \t or \u00xx,
// lower-case hex), everything else is written as is; numbers are normalised
// by value: 1, 1.0, 1e0 and 10e-1 all become "1" (Decimal's shortest exact
// form), -0 becomes "0"; a double that Decimal cannot hold exactly (|x| >=
// 1.7e20 or more than 18 fractional digits) is written in its shortest
// round-trip form (std::to_chars), e.g. "1e+300".
// Failure: nesting deeper than `max_depth` is ErrorCode::LimitExceeded.
// Thread-safety: reentrant.
#pragma once

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>

#include "base/error.h"

namespace wg::policy {

inline constexpr std::size_t kCanonicalJsonMaxDepth = 64;

Result<std::string> canonical_json(const boost::json::value& value, std::size_t max_depth = kCanonicalJsonMaxDepth);

// The digest an approval and an audit record use for a call's arguments:
// lower-case hex SHA-256 of canonical_json(args), where null (no arguments)
// counts as {}.
Result<std::string> arguments_digest(const boost::json::value& args);

}  // namespace wg::policy
