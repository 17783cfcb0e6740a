#include "mcp/protocol/jsonrpc.h"

#include <boost/json/serialize.hpp>

#include "mcp/protocol/str_cat.h"

namespace wg::mcp {
namespace json = boost::json;

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<RequestId> RequestId::from_json(const json::value& v) {
  if (v.is_string()) return RequestId(std::string(v.get_string()));
  if (v.is_int64()) return RequestId(v.get_int64());
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)) {
      return make_error(ErrorCode::Invalid, "id: integer is too large");
    }
    return RequestId(static_cast<std::int64_t>(v.get_uint64()));
  }
  if (v.is_null()) return make_error(ErrorCode::Invalid, "id: must not be null");
  if (v.is_double()) return make_error(ErrorCode::Invalid, "id: must be a string or an integer");
  return make_error(ErrorCode::Invalid, "id: must be a string or an integer");
}

json::value RequestId::to_json() const {
  if (const auto* n = std::get_if<std::int64_t>(&value_)) return json::value(*n);
  return json::value(std::get<std::string>(value_));
}

std::string RequestId::to_string() const {
  if (const auto* n = std::get_if<std::int64_t>(&value_)) return std::to_string(*n);
  return json::serialize(json::value(std::get<std::string>(value_)));
}

Status reject_case_variants(const json::object& object, std::initializer_list<std::string_view> names,
                            std::string_view where) {
  for (const auto& member : object) {
    const std::string_view key = member.key();
    const std::string lower = ascii_lower(key);
    for (std::string_view name : names) {
      if (lower == name && key != name) {
        return make_error(ErrorCode::Invalid,
                          str_cat(where, ": member \"", key, "\" is a case variant of \"", name, "\""));
      }
    }
  }
  return ok();
}

namespace {

Fault invalid(std::string message, std::optional<RequestId> id = std::nullopt) {
  return Fault{RpcCode::InvalidRequest, std::move(message), std::move(id)};
}

}  // namespace

DecodedItem classify(const json::value& v) {
  // Spec: JSON-RPC 2.0 §4 (request object), §5 (response object).
  if (!v.is_object()) return invalid("a JSON-RPC message must be an object");
  const json::object& o = v.get_object();

  // Read the id first so that later refusals can echo it.
  std::optional<RequestId> id;
  const json::value* id_value = o.if_contains("id");
  if (id_value && !id_value->is_null()) {
    auto parsed = RequestId::from_json(*id_value);
    if (!parsed) return invalid(parsed.error().message());
    id = *parsed;
  }
  if (auto st = reject_case_variants(o, {"jsonrpc", "id", "method", "params", "result", "error"}, "envelope"); !st) {
    return invalid(st.error().message(), id);
  }
  const json::value* version = o.if_contains("jsonrpc");
  if (!version || !version->is_string() || version->get_string() != "2.0") {
    return invalid("\"jsonrpc\" must be \"2.0\"", id);
  }
  const json::value* method = o.if_contains("method");
  const json::value* params = o.if_contains("params");
  const json::value* result = o.if_contains("result");
  const json::value* error = o.if_contains("error");

  Message m;
  if (method) {
    if (!method->is_string()) return invalid("\"method\" must be a string", id);
    if (result || error) return invalid("a request must not carry \"result\" or \"error\"", id);
    if (id_value && id_value->is_null()) return invalid("id: must not be null");
    m.method = std::string(method->get_string());
    if (params) {
      if (!params->is_object()) return invalid("\"params\" must be an object", id);
      m.params = params->get_object();
      m.has_params = true;
    }
    if (id_value) {
      m.kind = MessageKind::Request;
      m.id = id;
    } else {
      m.kind = MessageKind::Notification;
    }
    return m;
  }
  if (params) return invalid("\"params\" without \"method\"", id);
  if (result && error) return invalid("a response must not carry both \"result\" and \"error\"", id);
  if (!result && !error) return invalid("a message needs \"method\", \"result\" or \"error\"", id);
  if (!id_value) return invalid("a response needs an \"id\"");
  if (result) {
    if (!id) return invalid("id: must not be null");
    if (!result->is_object()) return invalid("\"result\" must be an object", id);
    m.kind = MessageKind::Response;
    m.id = id;
    m.result = *result;
    return m;
  }
  // Spec: JSON-RPC 2.0 §5: an error response's id is null when the request id
  // could not be determined.
  if (!error->is_object()) return invalid("\"error\" must be an object", id);
  const json::object& e = error->get_object();
  const json::value* code = e.if_contains("code");
  const json::value* message = e.if_contains("message");
  if (!code || !(code->is_int64() || code->is_uint64())) {
    return invalid("error.code must be an integer", id);
  }
  if (!message || !message->is_string()) return invalid("error.message must be a string", id);
  const std::int64_t code_value = code->is_int64() ? code->get_int64() : INT64_MAX;
  if (code_value < INT32_MIN || code_value > INT32_MAX) {
    return invalid("error.code is out of range", id);
  }
  m.kind = MessageKind::ErrorResponse;
  m.id = id;
  m.error.code = static_cast<std::int32_t>(code_value);
  m.error.message = std::string(message->get_string());
  if (const json::value* data = e.if_contains("data")) m.error.data = *data;
  return m;
}

Decoded decode(std::string_view text, BatchMode batches, const DecodeLimits& limits) {
  Decoded out;
  auto parsed = parse_strict(text, limits.json);
  if (!parsed) {
    // Text that is not JSON at all is a parse error; text that is JSON-like
    // but breaks a strictness rule (duplicates, UTF-8, size, depth) is an
    // invalid request, as the MCP rules for this server demand.
    const bool syntax =
        parsed.error().code() == ErrorCode::Malformed && parsed.error().message().starts_with("JSON syntax error");
    out.items.emplace_back(
        Fault{syntax ? RpcCode::ParseError : RpcCode::InvalidRequest, parsed.error().message(), std::nullopt});
    return out;
  }
  const json::value& v = *parsed;
  if (!v.is_array()) {
    out.items.push_back(classify(v));
    return out;
  }
  // Spec: JSON-RPC 2.0 §6 (batch); MCP 2025-03-26 basic/index "Batching";
  // removed from 2025-06-18 on.
  if (batches == BatchMode::Refused) {
    out.items.emplace_back(invalid("JSON-RPC batches are not supported by the negotiated protocol version"));
    return out;
  }
  const json::array& a = v.get_array();
  if (a.empty()) {
    out.items.emplace_back(invalid("empty batch"));
    return out;
  }
  if (a.size() > limits.max_batch_items) {
    out.items.emplace_back(
        invalid(str_cat("batch of ", a.size(), " messages exceeds the limit of ", limits.max_batch_items)));
    return out;
  }
  out.batch = true;
  for (const json::value& item : a) out.items.push_back(classify(item));
  return out;
}

std::string encode_request(const RequestId& id, std::string_view method, const json::object& params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id.to_json();
  o["method"] = method;
  o["params"] = params;
  return json::serialize(o);
}

std::string encode_notification(std::string_view method, const json::object& params) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["method"] = method;
  if (!params.empty()) o["params"] = params;
  return json::serialize(o);
}

std::string encode_result(const RequestId& id, const json::value& result) {
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id.to_json();
  o["result"] = result;
  return json::serialize(o);
}

std::string encode_error(const std::optional<RequestId>& id, RpcCode code, std::string_view message,
                         const std::optional<json::value>& data) {
  json::object e;
  e["code"] = static_cast<std::int32_t>(code);
  e["message"] = message;
  if (data) e["data"] = *data;
  json::object o;
  o["jsonrpc"] = "2.0";
  o["id"] = id ? id->to_json() : json::value(nullptr);
  o["error"] = std::move(e);
  return json::serialize(o);
}

std::string encode_fault(const Fault& fault) { return encode_error(fault.id, fault.code, fault.message); }

}  // namespace wg::mcp
