#include "policy/canonical_json.h"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <string_view>
#include <vector>

#include "base/sha256.h"
#include "policy/decimal.h"

namespace wg::policy {
namespace {

void write_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xf];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void write_number(std::string& out, const boost::json::value& v) {
  if (auto d = Decimal::from_json(v)) {
    out += d->to_string();
    return;
  }
  // Only doubles outside Decimal's exact range get here.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v.as_double());
  out.append(buf, ec == std::errc() ? end : buf);
}

Status write(std::string& out, const boost::json::value& v, std::size_t depth_left) {
  switch (v.kind()) {
    case boost::json::kind::null: out += "null"; return ok();
    case boost::json::kind::bool_: out += v.get_bool() ? "true" : "false"; return ok();
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: write_number(out, v); return ok();
    case boost::json::kind::string: write_string(out, v.get_string()); return ok();
    case boost::json::kind::array: {
      if (depth_left == 0) return make_error(ErrorCode::LimitExceeded, "JSON nested too deeply to canonicalise");
      out += '[';
      bool first = true;
      for (const auto& item : v.get_array()) {
        if (!first) out += ',';
        first = false;
        WG_TRY(write(out, item, depth_left - 1));
      }
      out += ']';
      return ok();
    }
    case boost::json::kind::object: {
      if (depth_left == 0) return make_error(ErrorCode::LimitExceeded, "JSON nested too deeply to canonicalise");
      std::vector<const boost::json::key_value_pair*> members;
      members.reserve(v.get_object().size());
      for (const auto& kv : v.get_object()) members.push_back(&kv);
      // Byte order of the UTF-8 keys (string_view compares as unsigned char).
      std::sort(members.begin(), members.end(), [](const auto* a, const auto* b) { return a->key() < b->key(); });
      out += '{';
      bool first = true;
      for (const auto* kv : members) {
        if (!first) out += ',';
        first = false;
        write_string(out, kv->key());
        out += ':';
        WG_TRY(write(out, kv->value(), depth_left - 1));
      }
      out += '}';
      return ok();
    }
  }
  return make_error(ErrorCode::Internal, "unknown JSON kind");
}

}  // namespace

Result<std::string> canonical_json(const boost::json::value& value, std::size_t max_depth) {
  std::string out;
  WG_TRY(write(out, value, max_depth));
  return out;
}

Result<std::string> arguments_digest(const boost::json::value& args) {
  const std::string text = args.is_null() ? std::string("{}") : WG_TRY(canonical_json(args));
  return to_hex(Sha256::digest(text));
}

}  // namespace wg::policy
