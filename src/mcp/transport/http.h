// MCP Streamable HTTP transport (server side) on Boost.Beast.
//
// Contract (spec 2025-11-25 basic/transports "Streamable HTTP"):
//   - one endpoint, HttpOptions::path (default /mcp); other paths go to
//     HttpOptions::fallback when set (the dashboard), else 404;
//   - POST carries one JSON-RPC message (or a 2025-03-26 batch). Only
//     notifications/responses: 202 Accepted, no body. Requests: the answer
//     is application/json when nothing else is sent before it, and switches
//     to a text/event-stream (SSE) as soon as the server sends a related
//     notification or request (progress, logging, elicitation) first;
//   - GET opens the session's SSE stream for unsolicited messages (one per
//     session; a new one replaces the old); DELETE ends the session;
//   - initialize creates a session; its response carries Mcp-Session-Id
//     (128 random bits, hex). Later requests without it get 400, with an
//     unknown or ended id 404;
//   - MCP-Protocol-Version, when present, must be a supported version
//     (else 400); absent means 2025-03-26 per the spec;
//   - an Origin header that is not a loopback origin nor listed in
//     allowed_origins gets 403, and so does, on a loopback-bound server, a
//     Host header that is not a loopback host nor in allowed_hosts (DNS
//     rebinding defence; applies to every path);
//   - bearer tokens (HttpOptions::tokens, and bearer_token, which maps to
//     the identity "default"): when any is configured, /mcp requests
//     without "Authorization: Bearer <a configured token>" get 401 (tokens
//     are compared in constant time). The token's identity is fixed when
//     initialize creates the session (Session::identity()); a later request
//     on that session with another valid token gets 403. Without tokens the
//     identity is "";
//   - paths other than `path` go to `fallback` (any method), after the same
//     Host and Origin checks and body limit; the fallback gets the method,
//     target, Content-Type, Authorization, body and the identity of a valid
//     bearer token, and decides itself whether it needs one;
//   - limits: header bytes (431), body bytes (413), read timeout per
//     request (connection closed), max sessions (503), idle sessions
//     expire (then 404).
// All I/O is asynchronous on the given io_context; no thread per session
// or connection. The HttpServer must outlive io.run() or be stop()ped first.
// Thread-safety: create() and stop() from any thread; the io_context may be
// run by several threads (connections and sessions use strands).
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "mcp/server/server.h"

namespace wg::mcp {

// A request outside the MCP endpoint, as handed to HttpOptions::fallback.
struct HttpRequestView {
  std::string method;         // "GET", "POST", ...
  std::string target;         // path and query
  std::string content_type;   // the Content-Type header, as sent ("" when absent)
  std::string authorization;  // the Authorization header, as sent
  std::string body;
  // Authentication as the transport found it: auth_required is true when
  // any token is configured; identity is set when the request carried a
  // valid bearer token (its identity name), nullopt otherwise.
  bool auth_required = false;
  std::optional<std::string> identity;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra response headers (Allow, WWW-Authenticate, ...)
};

// The identity a lone HttpOptions::bearer_token maps to.
inline constexpr std::string_view kDefaultTokenIdentity = "default";

using HttpFallback = std::function<std::optional<HttpReply>(const HttpRequestView&)>;

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8931;  // 0 picks a free port (see HttpServer::port())
  std::string path = "/mcp";
  std::vector<std::string> allowed_origins;  // exact Origin values, e.g. "https://app.example"
  // When bound to a loopback address, the Host header must name a loopback
  // host (any port) or one of these exact values, e.g. "mcp.internal:8931".
  std::vector<std::string> allowed_hosts;
  std::optional<std::string> bearer_token;  // one token, identity kDefaultTokenIdentity
  std::map<std::string, std::string> tokens;  // bearer token -> client identity name
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  std::size_t max_sessions = 1024;
  // A session without any request for this long is ended when a new
  // session is created (so abandoned sessions cannot exhaust max_sessions).
  std::chrono::milliseconds session_idle_timeout{std::chrono::minutes(30)};
  std::size_t max_queued_bytes = 8 * 1024 * 1024;  // per stream, before a slow reader is dropped
  // Serves requests outside `path` (any method; it runs on the
  // connection's strand, so it should be quick); nullopt means 404.
  HttpFallback fallback;
};

class HttpServer {
 public:
  // Binds and starts accepting. Io if the address cannot be bound, Invalid
  // if it does not parse.
  static Result<std::unique_ptr<HttpServer>> create(Server& server, boost::asio::io_context& io, HttpOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  std::uint16_t port() const;
  std::size_t session_count() const;
  // Stops accepting, ends every session and closes every connection.
  void stop();

  struct State;

 private:
  explicit HttpServer(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

// Origin policy used by the transport: true when `origin` is a loopback
// origin (http(s)://localhost, 127.0.0.1 or [::1], any port) or is listed.
bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed);

}  // namespace wg::mcp
