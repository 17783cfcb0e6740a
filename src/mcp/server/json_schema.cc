#include "mcp/server/json_schema.h"

#include <boost/json/serialize.hpp>
#include <cmath>
#include <regex>

#include "mcp/protocol/str_cat.h"

namespace wg::mcp {
namespace json = boost::json;

std::string_view json_type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64: return "integer";
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

namespace {

// The one adapter around std::regex, which reports errors by throwing.
Result<bool> regex_search_checked(const std::string& pattern, const std::string& text) {
  try {
    const std::regex re(pattern, std::regex::ECMAScript);
    return std::regex_search(text, re);
  } catch (const std::regex_error& e) {
    return make_error(ErrorCode::Invalid, str_cat("pattern \"", pattern, "\": ", e.what()));
  }
}

bool is_number(const json::value& v) { return v.is_int64() || v.is_uint64() || v.is_double(); }

double as_double(const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  return v.get_double();
}

bool is_integral(const json::value& v) {
  if (v.is_int64() || v.is_uint64()) return true;
  return v.is_double() && std::isfinite(v.get_double()) && std::trunc(v.get_double()) == v.get_double();
}

// JSON Schema equality: numbers compare by value (1 == 1.0).
bool json_equal(const json::value& a, const json::value& b) {
  if (is_number(a) && is_number(b)) {
    if (!a.is_double() && !b.is_double() && a.kind() == b.kind()) return a == b;
    return as_double(a) == as_double(b);
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto& x = a.get_array();
    const auto& y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i) {
      if (!json_equal(x[i], y[i])) return false;
    }
    return true;
  }
  if (a.is_object()) {
    const auto& x = a.get_object();
    const auto& y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& m : x) {
      const json::value* other = y.if_contains(m.key());
      if (!other || !json_equal(m.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

bool type_matches(std::string_view type, const json::value& v) {
  if (type == "null") return v.is_null();
  if (type == "boolean") return v.is_bool();
  if (type == "integer") return is_integral(v);
  if (type == "number") return is_number(v);
  if (type == "string") return v.is_string();
  if (type == "array") return v.is_array();
  if (type == "object") return v.is_object();
  return false;
}

std::size_t code_points(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string short_json(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 60) s = s.substr(0, 57) + "...";
  return s;
}

std::string number_text(const json::value& v) { return json::serialize(v); }

class Validator {
 public:
  Validator(std::string_view subject, const SchemaOptions& options) : subject_(subject), options_(options) {}

  void validate(const json::value& v, const json::object& schema, const std::string& path, std::size_t depth) {
    if (full()) return;
    if (depth > options_.max_depth) {
      add(path, "schema nesting is too deep to check");
      return;
    }
    if (!check_type(v, schema, path)) return;
    check_enum_const(v, schema, path);
    if (is_number(v)) check_number(v, schema, path);
    if (v.is_string()) check_string(v.get_string(), schema, path);
    if (v.is_array()) check_array(v.get_array(), schema, path, depth);
    if (v.is_object()) check_object(v.get_object(), schema, path, depth);
    check_combinators(v, schema, path, depth);
  }

  std::vector<std::string> take() { return std::move(issues_); }

 private:
  bool full() const { return issues_.size() >= options_.max_issues; }

  // "argument \"a.b\"" or "arguments" at the root.
  std::string where(const std::string& path) const {
    if (path.empty()) return subject_ == "argument" ? "arguments" : std::string(subject_);
    return str_cat(subject_, " \"", path, "\"");
  }

  void add(const std::string& path, std::string_view message) {
    if (!full()) issues_.push_back(str_cat(where(path), ": ", message));
  }

  static std::string join(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : str_cat(path, ".", key);
  }

  bool check_type(const json::value& v, const json::object& schema, const std::string& path) {
    const json::value* type = schema.if_contains("type");
    if (!type) return true;
    std::vector<std::string_view> allowed;
    if (type->is_string()) {
      allowed.push_back(type->get_string());
    } else if (type->is_array()) {
      for (const auto& t : type->get_array()) {
        if (t.is_string()) allowed.push_back(t.get_string());
      }
    }
    for (std::string_view t : allowed) {
      if (type_matches(t, v)) return true;
    }
    std::string expected;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      if (i) expected += i + 1 == allowed.size() ? " or " : ", ";
      expected += allowed[i];
    }
    add(path, str_cat("expected ", expected, ", got ", json_type_name(v)));
    return false;
  }

  void check_enum_const(const json::value& v, const json::object& schema, const std::string& path) {
    if (const json::value* e = schema.if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const auto& option : e->get_array()) {
        if (json_equal(option, v)) found = true;
      }
      if (!found) {
        std::string options;
        for (const auto& option : e->get_array()) {
          if (!options.empty()) options += ", ";
          options += short_json(option);
        }
        add(path, str_cat("must be one of ", options, "; got ", short_json(v)));
      }
    }
    if (const json::value* c = schema.if_contains("const"); c && !json_equal(*c, v)) {
      add(path, str_cat("must be ", short_json(*c), "; got ", short_json(v)));
    }
  }

  void check_number(const json::value& v, const json::object& schema, const std::string& path) {
    const double x = as_double(v);
    const json::value* min = schema.if_contains("minimum");
    const json::value* max = schema.if_contains("maximum");
    const json::value* xmin = schema.if_contains("exclusiveMinimum");
    const json::value* xmax = schema.if_contains("exclusiveMaximum");
    // Draft-04 spelled exclusivity as a boolean next to minimum/maximum.
    const bool min_exclusive_flag = xmin && xmin->is_bool() && xmin->get_bool();
    const bool max_exclusive_flag = xmax && xmax->is_bool() && xmax->get_bool();
    if (min && is_number(*min)) {
      const double m = as_double(*min);
      if (min_exclusive_flag ? !(x > m) : !(x >= m)) {
        add(path, str_cat("must be ", min_exclusive_flag ? "> " : ">= ", number_text(*min), ", got ", number_text(v)));
      }
    }
    if (max && is_number(*max)) {
      const double m = as_double(*max);
      if (max_exclusive_flag ? !(x < m) : !(x <= m)) {
        add(path, str_cat("must be ", max_exclusive_flag ? "< " : "<= ", number_text(*max), ", got ", number_text(v)));
      }
    }
    if (xmin && is_number(*xmin) && !(x > as_double(*xmin))) {
      add(path, str_cat("must be > ", number_text(*xmin), ", got ", number_text(v)));
    }
    if (xmax && is_number(*xmax) && !(x < as_double(*xmax))) {
      add(path, str_cat("must be < ", number_text(*xmax), ", got ", number_text(v)));
    }
  }

  void check_string(std::string_view s, const json::object& schema, const std::string& path) {
    const std::size_t n = code_points(s);
    if (const json::value* m = schema.if_contains("minLength"); m && is_number(*m)) {
      if (static_cast<double>(n) < as_double(*m)) {
        add(path, str_cat("must be at least ", number_text(*m), " character(s) long, got ", n));
      }
    }
    if (const json::value* m = schema.if_contains("maxLength"); m && is_number(*m)) {
      if (static_cast<double>(n) > as_double(*m)) {
        add(path, str_cat("must be at most ", number_text(*m), " character(s) long, got ", n));
      }
    }
    if (const json::value* p = schema.if_contains("pattern"); p && p->is_string()) {
      auto matched = regex_search_checked(std::string(p->get_string()), std::string(s));
      if (!matched) {
        add(path, str_cat("cannot be checked: ", matched.error().message()));
      } else if (!*matched) {
        add(path, str_cat("must match the pattern ", short_json(*p), "; got ", short_json(json::value(s))));
      }
    }
  }

  void check_array(const json::array& a, const json::object& schema, const std::string& path, std::size_t depth) {
    if (const json::value* m = schema.if_contains("minItems"); m && is_number(*m)) {
      if (static_cast<double>(a.size()) < as_double(*m)) {
        add(path, str_cat("must have at least ", number_text(*m), " item(s), got ", a.size()));
      }
    }
    if (const json::value* m = schema.if_contains("maxItems"); m && is_number(*m)) {
      if (static_cast<double>(a.size()) > as_double(*m)) {
        add(path, str_cat("must have at most ", number_text(*m), " item(s), got ", a.size()));
      }
    }
    if (const json::value* items = schema.if_contains("items"); items && items->is_object()) {
      for (std::size_t i = 0; i < a.size() && !full(); ++i) {
        validate(a[i], items->get_object(), str_cat(path.empty() ? std::string("") : path, "[", i, "]"), depth + 1);
      }
    }
  }

  void check_object(const json::object& o, const json::object& schema, const std::string& path, std::size_t depth) {
    const json::value* props = schema.if_contains("properties");
    const json::object* properties = props && props->is_object() ? &props->get_object() : nullptr;
    if (const json::value* req = schema.if_contains("required"); req && req->is_array()) {
      for (const auto& name : req->get_array()) {
        if (name.is_string() && !o.contains(name.get_string())) {
          if (!full()) {
            issues_.push_back(str_cat("missing required ", subject_, " \"", join(path, name.get_string()), "\""));
          }
        }
      }
    }
    const json::value* additional = schema.if_contains("additionalProperties");
    for (const auto& member : o) {
      if (full()) return;
      const std::string child = join(path, member.key());
      if (properties) {
        if (const json::value* sub = properties->if_contains(member.key())) {
          if (sub->is_object()) validate(member.value(), sub->get_object(), child, depth + 1);
          if (sub->is_bool() && !sub->get_bool()) add(child, "is not allowed");
          continue;
        }
      }
      if (!additional) continue;
      if (additional->is_bool() && !additional->get_bool()) {
        std::string allowed;
        if (properties) {
          for (const auto& p : *properties) {
            if (!allowed.empty()) allowed += ", ";
            allowed += p.key();
          }
        }
        issues_.push_back(str_cat("unknown ", subject_, " \"", child, "\"",
                                  allowed.empty() ? std::string("; no arguments are accepted here")
                                                  : str_cat("; expected one of: ", allowed)));
      } else if (additional->is_object()) {
        validate(member.value(), additional->get_object(), child, depth + 1);
      }
    }
  }

  // Runs a sub-validation and reports whether it passed, without keeping
  // its messages.
  bool passes(const json::value& v, const json::object& schema, const std::string& path, std::size_t depth) {
    Validator probe(subject_, options_);
    probe.validate(v, schema, path, depth + 1);
    return probe.issues_.empty();
  }

  void check_combinators(const json::value& v, const json::object& schema, const std::string& path, std::size_t depth) {
    if (const json::value* all = schema.if_contains("allOf"); all && all->is_array()) {
      for (const auto& s : all->get_array()) {
        if (s.is_object()) validate(v, s.get_object(), path, depth + 1);
      }
    }
    if (const json::value* any = schema.if_contains("anyOf"); any && any->is_array()) {
      bool ok = false;
      for (const auto& s : any->get_array()) {
        if (s.is_object() && passes(v, s.get_object(), path, depth)) ok = true;
      }
      if (!ok) add(path, "does not match any of the allowed forms (anyOf)");
    }
    if (const json::value* one = schema.if_contains("oneOf"); one && one->is_array()) {
      std::size_t matches = 0;
      for (const auto& s : one->get_array()) {
        if (s.is_object() && passes(v, s.get_object(), path, depth)) ++matches;
      }
      if (matches != 1) {
        add(path, str_cat("must match exactly one of the allowed forms (oneOf), matched ", matches));
      }
    }
  }

  std::string subject_;
  SchemaOptions options_;
  std::vector<std::string> issues_;
};

Status check_schema_at(const json::object& schema, const std::string& where, std::size_t depth) {
  if (depth > 32) return make_error(ErrorCode::Invalid, str_cat(where, ": schema nests too deeply"));
  if (const json::value* t = schema.if_contains("type")) {
    auto known = [](const json::value& x) {
      return x.is_string() && (x.get_string() == "null" || x.get_string() == "boolean" || x.get_string() == "integer" ||
                               x.get_string() == "number" || x.get_string() == "string" || x.get_string() == "array" ||
                               x.get_string() == "object");
    };
    bool good = known(*t);
    if (t->is_array()) {
      good = !t->get_array().empty();
      for (const auto& x : t->get_array()) good = good && known(x);
    }
    if (!good) return make_error(ErrorCode::Invalid, str_cat(where, ".type: unknown type ", short_json(*t)));
  }
  for (std::string_view k : {"minimum", "maximum", "minLength", "maxLength", "minItems", "maxItems"}) {
    if (const json::value* x = schema.if_contains(k); x && !is_number(*x)) {
      return make_error(ErrorCode::Invalid, str_cat(where, ".", k, ": must be a number"));
    }
  }
  if (const json::value* e = schema.if_contains("enum"); e && !e->is_array()) {
    return make_error(ErrorCode::Invalid, str_cat(where, ".enum: must be an array"));
  }
  if (const json::value* r = schema.if_contains("required")) {
    if (!r->is_array()) return make_error(ErrorCode::Invalid, str_cat(where, ".required: must be an array"));
    for (const auto& x : r->get_array()) {
      if (!x.is_string()) {
        return make_error(ErrorCode::Invalid, str_cat(where, ".required: must list strings"));
      }
    }
  }
  if (const json::value* p = schema.if_contains("pattern")) {
    if (!p->is_string()) return make_error(ErrorCode::Invalid, str_cat(where, ".pattern: must be a string"));
    WG_TRY_CTX(regex_search_checked(std::string(p->get_string()), ""), where);
  }
  if (const json::value* p = schema.if_contains("properties")) {
    if (!p->is_object()) return make_error(ErrorCode::Invalid, str_cat(where, ".properties: must be an object"));
    for (const auto& m : p->get_object()) {
      if (m.value().is_object()) {
        WG_TRY(check_schema_at(m.value().get_object(), str_cat(where, ".properties.", m.key()), depth + 1));
      }
    }
  }
  for (std::string_view k : {"items", "additionalProperties"}) {
    if (const json::value* x = schema.if_contains(k); x && x->is_object()) {
      WG_TRY(check_schema_at(x->get_object(), str_cat(where, ".", k), depth + 1));
    }
  }
  for (std::string_view k : {"allOf", "anyOf", "oneOf"}) {
    if (const json::value* x = schema.if_contains(k)) {
      if (!x->is_array()) return make_error(ErrorCode::Invalid, str_cat(where, ".", k, ": must be an array"));
      for (const auto& s : x->get_array()) {
        if (s.is_object()) WG_TRY(check_schema_at(s.get_object(), str_cat(where, ".", k), depth + 1));
      }
    }
  }
  return ok();
}

}  // namespace

std::vector<std::string> validate_json_schema(const json::value& instance, const json::object& schema,
                                              std::string_view subject, const SchemaOptions& options) {
  Validator v(subject, options);
  v.validate(instance, schema, "", 0);
  return v.take();
}

Status check_json_schema(const json::object& schema) { return check_schema_at(schema, "schema", 0); }

}  // namespace wg::mcp
