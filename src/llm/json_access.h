// Path-aware reading of provider replies (internal to llm/). Every accessor
// names the JSON path it failed at, e.g.
//   "malformed reply: content[1].input: expected an object, got string".
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"

namespace wg::llm::json_access {

std::string kind_name(const boost::json::value& v);
Error malformed(std::string_view path, std::string_view what);

// Parses text as one JSON document; `what` names it in the error.
Result<boost::json::value> parse(std::string_view text, std::string_view what);

Result<const boost::json::object*> object_at(const boost::json::value& v, std::string_view path);
Result<const boost::json::array*> array_at(const boost::json::value& v, std::string_view path);

// Member `key` of `obj` (whose path is `path`); missing -> error.
Result<const boost::json::value*> member(const boost::json::object& obj, std::string_view path, std::string_view key);
// nullptr when missing or null.
const boost::json::value* optional_member(const boost::json::object& obj, std::string_view key);

Result<std::string> string_member(const boost::json::object& obj, std::string_view path, std::string_view key);
// Missing or null -> std::nullopt; wrong type -> error.
Result<std::optional<std::string>> optional_string_member(const boost::json::object& obj, std::string_view path,
                                                          std::string_view key);
Result<std::uint64_t> optional_count_member(const boost::json::object& obj, std::string_view path,
                                            std::string_view key);

std::string join(std::string_view path, std::string_view key);
std::string index(std::string_view path, std::size_t i);

}  // namespace wg::llm::json_access
