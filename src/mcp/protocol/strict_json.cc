#include "mcp/protocol/strict_json.h"

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <string>
#include <vector>

#include "mcp/protocol/str_cat.h"

namespace wg::mcp {
namespace json = boost::json;

namespace {

// Builds a json::value from basic_parser events, refusing duplicate names.
class StrictHandler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }

  bool on_array_begin(json::error_code&) {
    frames_.push_back(Frame{json::value(json::array_kind), {}});
    return true;
  }
  bool on_array_end(std::size_t, json::error_code& ec) { return close_frame(ec); }
  bool on_object_begin(json::error_code&) {
    frames_.push_back(Frame{json::value(json::object_kind), {}});
    return true;
  }
  bool on_object_end(std::size_t, json::error_code& ec) { return close_frame(ec); }

  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    buffer_.append(s.data(), s.size());
    json::string text(buffer_);
    buffer_.clear();
    return add(json::value(std::move(text)), ec);
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    buffer_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    buffer_.append(s.data(), s.size());
    Frame& top = frames_.back();
    if (top.container.as_object().contains(buffer_)) {
      duplicate_key_ = buffer_;
      has_duplicate_ = true;
      ec = json::error::syntax;  // the message is replaced by the caller
      return false;
    }
    top.key = std::move(buffer_);
    buffer_.clear();
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) { return add(json::value(i), ec); }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code& ec) { return add(json::value(u), ec); }
  bool on_double(double d, json::string_view, json::error_code& ec) { return add(json::value(d), ec); }
  bool on_bool(bool b, json::error_code& ec) { return add(json::value(b), ec); }
  bool on_null(json::error_code& ec) { return add(json::value(nullptr), ec); }
  bool on_comment_part(json::string_view, json::error_code&) { return false; }
  bool on_comment(json::string_view, json::error_code&) { return false; }

  json::value take_root() { return std::move(root_); }
  const std::string* duplicate_key() const { return has_duplicate_ ? &duplicate_key_ : nullptr; }

 private:
  struct Frame {
    json::value container;
    std::string key;  // pending member name when container is an object
  };

  bool add(json::value v, json::error_code&) {
    if (frames_.empty()) {
      root_ = std::move(v);
      return true;
    }
    Frame& top = frames_.back();
    if (top.container.is_array()) {
      top.container.as_array().push_back(std::move(v));
    } else {
      top.container.as_object().emplace(top.key, std::move(v));
    }
    return true;
  }

  bool close_frame(json::error_code& ec) {
    json::value done = std::move(frames_.back().container);
    frames_.pop_back();
    return add(std::move(done), ec);
  }

  std::vector<Frame> frames_;
  std::string buffer_;
  std::string duplicate_key_;
  bool has_duplicate_ = false;
  json::value root_;
};

}  // namespace

Result<json::value> parse_strict(std::string_view text, const JsonLimits& limits) {
  if (text.size() > limits.max_bytes) {
    return make_error(ErrorCode::LimitExceeded,
                      str_cat("message of ", text.size(), " bytes exceeds the limit of ", limits.max_bytes, " bytes"));
  }
  if (std::size_t bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    return make_error(ErrorCode::Malformed, str_cat("invalid UTF-8 at byte offset ", bad));
  }
  json::parse_options options;
  options.max_depth = limits.max_depth;
  options.allow_comments = false;
  options.allow_trailing_commas = false;
  options.allow_invalid_utf8 = false;
  json::basic_parser<StrictHandler> parser(options);
  json::error_code ec;
  const std::size_t used = parser.write_some(false, text.data(), text.size(), ec);
  if (ec) {
    if (const std::string* key = parser.handler().duplicate_key()) {
      return make_error(ErrorCode::Malformed,
                        str_cat("duplicate object member \"", *key, "\" near byte offset ", used));
    }
    if (ec == json::error::too_deep) {
      return make_error(ErrorCode::LimitExceeded,
                        str_cat("nesting deeper than ", limits.max_depth, " levels at byte offset ", used));
    }
    return make_error(ErrorCode::Malformed, str_cat("JSON syntax error at byte offset ", used, ": ", ec.message()));
  }
  if (used != text.size()) {
    return make_error(ErrorCode::Malformed, str_cat("unexpected data after the JSON value at byte offset ", used));
  }
  return parser.handler().take_root();
}

}  // namespace wg::mcp
