// JSON-RPC 2.0 codec for MCP, sans I/O.
//
// Contract: decode() turns one transport message (a line on stdio, a POST
// body over HTTP) into classified messages; encode_*() produce the wire
// text. Nothing here touches a socket or a session.
//
// Strictness (spec: https://www.jsonrpc.org/specification, MCP 2025-11-25
// basic/index "Messages"): on top of parse_strict() (duplicate members,
// UTF-8, depth, size), an envelope is refused when it
//   - has a member whose name is a case variant of an envelope member
//     (jsonrpc, id, method, params, result, error), e.g. "Method";
//   - lacks "jsonrpc": "2.0";
//   - is a request with a null, fractional, boolean, array or object id
//     (MCP: "the ID MUST NOT be null");
//   - carries params that are not an object (MCP params are objects);
//   - mixes method with result/error, or result with error.
// Each refusal is a Fault with the JSON-RPC code to answer with: -32700 for
// text that is not JSON, -32600 for everything else above. A batch (a JSON
// array) is only accepted when BatchMode::Allowed (protocol 2025-03-26);
// then each element is classified independently.
// Thread-safety: pure functions and value types.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"
#include "mcp/protocol/strict_json.h"

namespace wg::mcp {

// Spec: JSON-RPC 2.0 §5.1 error codes, plus MCP's resource-not-found.
enum class RpcCode : std::int32_t {
  ParseError = -32700,
  InvalidRequest = -32600,
  MethodNotFound = -32601,
  InvalidParams = -32602,
  InternalError = -32603,
  ResourceNotFound = -32002,  // MCP 2025-11-25 resources; superseded by -32602 (SEP-2164)
};

// A request id: a string or an integer (fractional ids are refused).
class RequestId {
 public:
  RequestId() : value_(std::int64_t{0}) {}
  explicit RequestId(std::int64_t n) : value_(n) {}
  explicit RequestId(std::string s) : value_(std::move(s)) {}

  // Accepts a JSON string or integer; anything else is Invalid.
  static Result<RequestId> from_json(const boost::json::value& v);
  boost::json::value to_json() const;
  // Stable text form for maps and messages: 7 or "abc" (quoted).
  std::string to_string() const;

  bool is_string() const { return std::holds_alternative<std::string>(value_); }
  friend bool operator==(const RequestId&, const RequestId&) = default;
  friend auto operator<=>(const RequestId&, const RequestId&) = default;

 private:
  std::variant<std::int64_t, std::string> value_;
};

enum class MessageKind : std::uint8_t { Request, Notification, Response, ErrorResponse };

struct RpcError {
  std::int32_t code = 0;
  std::string message;
  std::optional<boost::json::value> data;
};

// One classified JSON-RPC message.
struct Message {
  MessageKind kind = MessageKind::Notification;
  std::optional<RequestId> id;  // Request, Response; ErrorResponse may lack it (id null)
  std::string method;           // Request, Notification
  boost::json::object params;   // Request, Notification (empty when absent)
  bool has_params = false;
  boost::json::value result;  // Response (an object in MCP)
  RpcError error;             // ErrorResponse
};

// Why one message (or the whole text) was refused, and how to answer.
struct Fault {
  RpcCode code = RpcCode::InvalidRequest;
  std::string message;
  std::optional<RequestId> id;  // the offending request's id when it could be read
};

enum class BatchMode : std::uint8_t { Refused, Allowed };

struct DecodeLimits {
  JsonLimits json;
  std::size_t max_batch_items = 256;
};

// Either a message or the Fault to answer it with.
using DecodedItem = std::variant<Message, Fault>;

struct Decoded {
  bool batch = false;
  std::vector<DecodedItem> items;  // one item unless batch
};

// Decodes one transport message. A Fault for the whole text (not JSON,
// oversized, a batch when refused, an empty batch) is returned as the
// single item of a non-batch Decoded.
Decoded decode(std::string_view text, BatchMode batches, const DecodeLimits& limits = {});

// Classifies an already parsed value (used by decode and by tests).
DecodedItem classify(const boost::json::value& v);

// Rejects members of `object` whose names are case variants of any of
// `names` (a member spelled exactly as listed is fine).
Status reject_case_variants(const boost::json::object& object, std::initializer_list<std::string_view> names,
                            std::string_view where);

std::string encode_request(const RequestId& id, std::string_view method, const boost::json::object& params);
std::string encode_notification(std::string_view method, const boost::json::object& params);
std::string encode_result(const RequestId& id, const boost::json::value& result);
std::string encode_error(const std::optional<RequestId>& id, RpcCode code, std::string_view message,
                         const std::optional<boost::json::value>& data = std::nullopt);
std::string encode_fault(const Fault& fault);

// Lower-case ASCII copy (case-insensitive comparisons of member names).
std::string ascii_lower(std::string_view s);

}  // namespace wg::mcp
