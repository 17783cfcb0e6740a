#include "agent/json_args.h"

#include <algorithm>

#include "gallery/json_util.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

Error invalid(std::string_view context, std::string_view key, std::string_view what) {
  return Error(ErrorCode::Invalid, field_name(context, key) + ": " + std::string(what));
}

}  // namespace

std::string field_name(std::string_view context, std::string_view key) {
  if (context.empty()) return std::string(key);
  return std::string(context) + "." + std::string(key);
}

Status check_keys(const json::object& object, std::initializer_list<std::string_view> allowed,
                  std::string_view context) {
  for (const auto& kv : object) {
    const std::string_view key = kv.key();
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    std::string message = "unknown field";
    const std::vector<std::string_view> names(allowed.begin(), allowed.end());
    if (auto best = gallery::nearest_name(key, std::span<const std::string_view>(names))) {
      message += " (did you mean \"" + *best + "\"?)";
    } else {
      message += "; known fields:";
      for (auto candidate : allowed) message += " " + std::string(candidate);
    }
    return std::unexpected(invalid(context, key, message));
  }
  return ok();
}

Result<std::optional<std::string>> opt_string(const json::object& object, std::string_view key,
                                              std::string_view context, std::size_t max_bytes) {
  const auto* v = object.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) return std::unexpected(invalid(context, key, "expected a string"));
  const auto& s = v->get_string();
  if (s.size() > max_bytes) {
    return std::unexpected(invalid(context, key, "longer than " + std::to_string(max_bytes) + " bytes"));
  }
  return std::optional<std::string>(std::string(s));
}

Result<std::optional<std::uint64_t>> opt_uint(const json::object& object, std::string_view key,
                                              std::string_view context, std::uint64_t min, std::uint64_t max) {
  const auto* v = object.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::uint64_t>{};
  std::uint64_t n = 0;
  if (v->is_uint64()) {
    n = v->get_uint64();
  } else if (v->is_int64() && v->get_int64() >= 0) {
    n = static_cast<std::uint64_t>(v->get_int64());
  } else if (v->is_double() && v->get_double() >= 0 && v->get_double() <= 9.0e15 &&
             v->get_double() == static_cast<double>(static_cast<std::uint64_t>(v->get_double()))) {
    n = static_cast<std::uint64_t>(v->get_double());
  } else {
    return std::unexpected(invalid(context, key, "expected a non-negative integer"));
  }
  if (n < min || n > max) {
    return std::unexpected(
        invalid(context, key, "must be between " + std::to_string(min) + " and " + std::to_string(max)));
  }
  return std::optional<std::uint64_t>(n);
}

Result<std::optional<bool>> opt_bool(const json::object& object, std::string_view key, std::string_view context) {
  const auto* v = object.if_contains(key);
  if (!v || v->is_null()) return std::optional<bool>{};
  if (!v->is_bool()) return std::unexpected(invalid(context, key, "expected true or false"));
  return std::optional<bool>(v->get_bool());
}

Result<std::optional<std::vector<std::string>>> opt_strings(const json::object& object, std::string_view key,
                                                            std::string_view context, std::size_t max_items,
                                                            std::size_t max_bytes) {
  const auto* v = object.if_contains(key);
  if (!v || v->is_null()) return std::optional<std::vector<std::string>>{};
  if (!v->is_array()) return std::unexpected(invalid(context, key, "expected an array of strings"));
  const auto& array = v->get_array();
  if (array.size() > max_items) {
    return std::unexpected(invalid(context, key, "more than " + std::to_string(max_items) + " items"));
  }
  std::vector<std::string> out;
  out.reserve(array.size());
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string item_key = std::string(key) + "[" + std::to_string(i) + "]";
    if (!array[i].is_string()) return std::unexpected(invalid(context, item_key, "expected a string"));
    const auto& s = array[i].get_string();
    if (s.size() > max_bytes) {
      return std::unexpected(invalid(context, item_key, "longer than " + std::to_string(max_bytes) + " bytes"));
    }
    out.emplace_back(s);
  }
  return std::optional<std::vector<std::string>>(std::move(out));
}

Result<std::string> req_string(const json::object& object, std::string_view key, std::string_view context,
                               std::size_t max_bytes) {
  auto v = WG_TRY(opt_string(object, key, context, max_bytes));
  if (!v) return std::unexpected(invalid(context, key, "missing (a string is required)"));
  return std::move(*v);
}

}  // namespace wg::agent
