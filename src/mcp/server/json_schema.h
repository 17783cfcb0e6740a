// A JSON Schema validator for tool arguments and structured tool output.
//
// Contract: validate_json_schema() checks `instance` against the subset of
// JSON Schema (2020-12 vocabulary, draft-07 compatible) that tool schemas
// use: type (string or list; "integer" accepts integral numbers), enum,
// const, minimum, maximum, exclusiveMinimum, exclusiveMaximum (numbers, or
// draft-04 booleans), minLength, maxLength (in Unicode code points),
// pattern (ECMAScript, searched), items, minItems, maxItems, properties,
// required, additionalProperties (false or a schema), allOf, anyOf, oneOf.
// Other keywords are ignored (they never reject).
// It returns one message per problem, worded so that a model can fix its
// call, e.g.  argument "path": expected string, got number
//             missing required argument "path"
//             unknown argument "pth"; expected one of: mode, path
// An empty vector means valid. At most Options::max_issues are reported.
// `subject` names what is validated ("argument" for tool arguments,
// "structuredContent" for tool output).
// check_json_schema() is for registration time: it refuses schemas whose
// keywords have the wrong type or whose patterns do not compile.
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace wg::mcp {

struct SchemaOptions {
  std::size_t max_issues = 20;
  std::size_t max_depth = 32;  // schema nesting followed
};

std::vector<std::string> validate_json_schema(const boost::json::value& instance, const boost::json::object& schema,
                                              std::string_view subject = "argument", const SchemaOptions& options = {});

Status check_json_schema(const boost::json::object& schema);

// JSON type name of a value as a schema would say it: null, boolean,
// integer, number, string, array, object.
std::string_view json_type_name(const boost::json::value& v);

}  // namespace wg::mcp
