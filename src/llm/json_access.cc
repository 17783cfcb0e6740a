#include "llm/json_access.h"

#include <boost/json/parse.hpp>

namespace wg::llm::json_access {
namespace json = boost::json;

std::string kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "value";
}

Error malformed(std::string_view path, std::string_view what) {
  return Error(
      ErrorCode::Malformed,
      "malformed reply: " + (path.empty() ? std::string("(top level)") : std::string(path)) + ": " + std::string(what));
}

Result<json::value> parse(std::string_view text, std::string_view what) {
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    std::string head(text.substr(0, 80));
    return make_error(ErrorCode::Malformed, "malformed reply: " + std::string(what) + " is not JSON (" + ec.message() +
                                                "): \"" + head + (text.size() > 80 ? "...\"" : "\""));
  }
  return v;
}

std::string join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}

std::string index(std::string_view path, std::size_t i) { return std::string(path) + "[" + std::to_string(i) + "]"; }

Result<const json::object*> object_at(const json::value& v, std::string_view path) {
  if (!v.is_object()) return std::unexpected(malformed(path, "expected an object, got " + kind_name(v)));
  return &v.get_object();
}

Result<const json::array*> array_at(const json::value& v, std::string_view path) {
  if (!v.is_array()) return std::unexpected(malformed(path, "expected an array, got " + kind_name(v)));
  return &v.get_array();
}

Result<const json::value*> member(const json::object& obj, std::string_view path, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  if (v == nullptr) return std::unexpected(malformed(join(path, key), "missing"));
  return v;
}

const json::value* optional_member(const json::object& obj, std::string_view key) {
  const json::value* v = obj.if_contains(key);
  return v == nullptr || v->is_null() ? nullptr : v;
}

Result<std::string> string_member(const json::object& obj, std::string_view path, std::string_view key) {
  const json::value* v = WG_TRY(member(obj, path, key));
  if (!v->is_string()) return std::unexpected(malformed(join(path, key), "expected a string, got " + kind_name(*v)));
  return std::string(v->get_string());
}

Result<std::optional<std::string>> optional_string_member(const json::object& obj, std::string_view path,
                                                          std::string_view key) {
  const json::value* v = optional_member(obj, key);
  if (v == nullptr) return std::optional<std::string>();
  if (!v->is_string()) return std::unexpected(malformed(join(path, key), "expected a string, got " + kind_name(*v)));
  return std::optional<std::string>(std::string(v->get_string()));
}

Result<std::uint64_t> optional_count_member(const json::object& obj, std::string_view path, std::string_view key) {
  const json::value* v = optional_member(obj, key);
  if (v == nullptr) return std::uint64_t{0};
  if (v->is_uint64()) return v->get_uint64();
  if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
  return std::unexpected(malformed(join(path, key), "expected a non-negative integer, got " + kind_name(*v)));
}

}  // namespace wg::llm::json_access
