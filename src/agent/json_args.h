// Strict readers for JSON objects that come from clients: tool arguments,
// configuration, export files. Each failure is an Invalid error whose
// message names the field and says what was expected, in words a model can
// act on ("toolInput.path: expected a string").
// Thread-safety: pure functions.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace wg::agent {

// Fails for a key of `object` not in `allowed`, suggesting the nearest
// allowed key when one is close (edit distance <= 2).
Status check_keys(const boost::json::object& object, std::initializer_list<std::string_view> allowed,
                  std::string_view context);

// Optional members: nullopt when absent (or JSON null); Invalid when of the
// wrong type or outside the bounds.
Result<std::optional<std::string>> opt_string(const boost::json::object& object, std::string_view key,
                                              std::string_view context, std::size_t max_bytes = 1u << 20);
Result<std::optional<std::uint64_t>> opt_uint(const boost::json::object& object, std::string_view key,
                                              std::string_view context, std::uint64_t min = 0,
                                              std::uint64_t max = UINT64_MAX);
Result<std::optional<bool>> opt_bool(const boost::json::object& object, std::string_view key,
                                     std::string_view context);
Result<std::optional<std::vector<std::string>>> opt_strings(const boost::json::object& object, std::string_view key,
                                                            std::string_view context, std::size_t max_items = 1024,
                                                            std::size_t max_bytes = 4096);

// Required variants: Invalid "missing" when absent.
Result<std::string> req_string(const boost::json::object& object, std::string_view key, std::string_view context,
                               std::size_t max_bytes = 1u << 20);

// "context.key" (or "key" when context is empty).
std::string field_name(std::string_view context, std::string_view key);

}  // namespace wg::agent
