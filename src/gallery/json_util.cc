#include "gallery/json_util.h"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <cctype>
#include <vector>

namespace wg::gallery {
namespace json = boost::json;

namespace {

// Builds a value from basic_parser events. The only reason not to use
// json::parse is duplicate members: Boost.JSON 1.81 keeps the last one
// silently, and two readers of the same text could then disagree.
class DocumentBuilder {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return open(json::value(json::array_kind)); }
  bool on_array_end(std::size_t, json::error_code&) { return close(); }
  bool on_object_begin(json::error_code&) { return open(json::value(json::object_kind)); }
  bool on_object_end(std::size_t, json::error_code&) { return close(); }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    text_.append(s.data(), s.size());
    // Not `json::value v{...}`: braces would make a one-element array.
    json::string text(text_);
    text_.clear();
    return put(json::value(std::move(text)));
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    text_.append(s.data(), s.size());
    Level& top = stack_.back();
    if (top.value.as_object().contains(text_)) {
      duplicate_ = text_;
      ec = json::error::syntax;
      return false;
    }
    top.key = std::move(text_);
    text_.clear();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t v, json::string_view, json::error_code&) { return put(json::value(v)); }
  bool on_uint64(std::uint64_t v, json::string_view, json::error_code&) { return put(json::value(v)); }
  bool on_double(double v, json::string_view, json::error_code&) { return put(json::value(v)); }
  bool on_bool(bool v, json::error_code&) { return put(json::value(v)); }
  bool on_null(json::error_code&) { return put(json::value(nullptr)); }
  bool on_comment_part(json::string_view, json::error_code&) { return false; }
  bool on_comment(json::string_view, json::error_code&) { return false; }

  const std::optional<std::string>& duplicate() const { return duplicate_; }
  json::value take() { return std::move(root_); }

 private:
  struct Level {
    json::value value;
    std::string key;
  };
  bool open(json::value container) {
    stack_.push_back(Level{std::move(container), {}});
    return true;
  }
  bool close() {
    json::value done = std::move(stack_.back().value);
    stack_.pop_back();
    return put(std::move(done));
  }
  bool put(json::value v) {
    if (stack_.empty()) {
      root_ = std::move(v);
    } else if (Level& top = stack_.back(); top.value.is_array()) {
      top.value.as_array().push_back(std::move(v));
    } else {
      top.value.as_object().emplace(top.key, std::move(v));
    }
    return true;
  }

  std::vector<Level> stack_;
  std::string text_;
  std::optional<std::string> duplicate_;
  json::value root_;
};

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string squash(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != '_' && c != '-') out.push_back(lower(c));
  }
  return out;
}

template <class Seq>
std::optional<std::string> nearest_impl(std::string_view word, const Seq& candidates) {
  const std::string sw = squash(word);
  for (const auto& c : candidates) {
    if (squash(c) == sw) return std::string(c);
  }
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  std::optional<std::string> best;
  std::size_t best_distance = limit + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = std::string(c);
    }
  }
  return best;
}

template <class Seq>
std::string join_impl(const Seq& names, bool quote) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    if (quote) {
      out += quoted(n);
    } else {
      out.append(n.data(), n.size());
    }
  }
  return out;
}

}  // namespace

Result<json::value> parse_json_text(std::string_view text, const JsonTextLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return make_error(ErrorCode::LimitExceeded, "JSON text of " + std::to_string(text.size()) +
                                                    " bytes exceeds the limit of " + std::to_string(limits.max_bytes) +
                                                    " bytes");
  }
  json::parse_options options;
  options.max_depth = limits.max_depth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  json::basic_parser<DocumentBuilder> parser(options);
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (const auto& dup = parser.handler().duplicate()) {
      return make_error(ErrorCode::Malformed,
                        "duplicate object member " + quoted(*dup) + " near byte offset " + std::to_string(used));
    }
    if (ec == json::error::too_deep) {
      return make_error(ErrorCode::LimitExceeded, "JSON nesting deeper than " + std::to_string(limits.max_depth) +
                                                      " levels at byte offset " + std::to_string(used));
    }
    return make_error(ErrorCode::Malformed,
                      "JSON syntax error at byte offset " + std::to_string(used) + ": " + ec.message());
  }
  if (used != text.size()) {
    return make_error(ErrorCode::Malformed,
                      "unexpected data after the JSON value at byte offset " + std::to_string(used));
  }
  return parser.handler().take();
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      const std::size_t cost = lower(a[i - 1]) == lower(b[j - 1]) ? 0 : 1;
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + cost});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> nearest_name(std::string_view word, std::span<const std::string_view> candidates) {
  return nearest_impl(word, candidates);
}
std::optional<std::string> nearest_name(std::string_view word, std::span<const std::string> candidates) {
  return nearest_impl(word, candidates);
}

std::string join_names(std::span<const std::string_view> names, bool quote) { return join_impl(names, quote); }
std::string join_names(std::span<const std::string> names, bool quote) { return join_impl(names, quote); }

std::string_view json_kind_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64: return "an integer";
    case json::kind::double_: return "a number with a fraction or exponent";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "a value";
}

Result<const json::object*> expect_object(const json::value& v, std::string_view path,
                                          std::span<const std::string_view> known) {
  const json::object* obj = v.if_object();
  if (obj == nullptr) {
    return make_error(ErrorCode::Invalid,
                      std::string(path) + ": expected an object, got " + std::string(json_kind_name(v)));
  }
  for (const auto& member : *obj) {
    const std::string_view key(member.key().data(), member.key().size());
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string message = std::string(path) + ": unknown key " + quoted(key);
    if (auto near = nearest_name(key, known)) {
      message += "; did you mean " + quoted(*near) + "?";
    } else {
      message += ".";
    }
    message += " Known keys: " + join_names(known);
    return make_error(ErrorCode::Invalid, message);
  }
  return obj;
}

std::string quoted(std::string_view text) {
  constexpr std::size_t kMax = 80;
  std::string out = "\"";
  std::size_t n = 0;
  for (char c : text) {
    if (n++ == kMax) {
      out += "...";
      break;
    }
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
  return out;
}

}  // namespace wg::gallery
