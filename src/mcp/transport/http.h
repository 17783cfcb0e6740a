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
//   - with bearer_token set, requests without "Authorization: Bearer
//     <token>" get 401;
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
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "mcp/server/server.h"

namespace wg::mcp {

struct HttpRequestView {
  std::string method;  // "GET", ...
  std::string target;  // path and query
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

struct HttpOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8931;  // 0 picks a free port (see HttpServer::port())
  std::string path = "/mcp";
  std::vector<std::string> allowed_origins;  // exact Origin values, e.g. "https://app.example"
  // When bound to a loopback address, the Host header must name a loopback
  // host (any port) or one of these exact values, e.g. "mcp.internal:8931".
  std::vector<std::string> allowed_hosts;
  std::optional<std::string> bearer_token;
  std::size_t max_header_bytes = 16 * 1024;
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  std::size_t max_sessions = 1024;
  // A session without any request for this long is ended when a new
  // session is created (so abandoned sessions cannot exhaust max_sessions).
  std::chrono::milliseconds session_idle_timeout{std::chrono::minutes(30)};
  std::size_t max_queued_bytes = 8 * 1024 * 1024;  // per stream, before a slow reader is dropped
  // Serves requests outside `path` (GET only); nullopt means 404.
  std::function<std::optional<HttpReply>(const HttpRequestView&)> fallback;
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
