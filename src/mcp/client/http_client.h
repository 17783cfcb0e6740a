// ClientTransport for a Streamable HTTP upstream (spec 2025-11-25
// basic/transports "Streamable HTTP", client side).
//
// Contract: each send() is one POST to the URL with
// "Accept: application/json, text/event-stream"; a JSON answer is one
// message, an SSE answer yields one message per event's data, 202 yields
// nothing. The Mcp-Session-Id from the initialize answer is sent on every
// later request, MCP-Protocol-Version once negotiated. close() sends
// DELETE. 404 while a session is known means the session ended: on_closed
// (NotFound). Other non-2xx answers whose body is a JSON-RPC message are
// delivered as messages; otherwise on_closed (Io). Plain http:// URLs only
// (https: Unsupported for now). The GET stream for unsolicited upstream
// messages is not opened yet.
// Thread-safety: send()/close() from any thread; I/O runs on a strand.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "base/error.h"
#include "mcp/client/client.h"

namespace wg::mcp {

struct HttpClientOptions {
  std::optional<std::string> bearer_token;
  std::size_t max_message_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // per POST, until its answer ends
};

struct ParsedUrl {
  std::string host;
  std::string port;
  std::string target;  // path and query, "/" when empty
};
// Accepts http://host[:port][/path]; Invalid otherwise, Unsupported for https.
Result<ParsedUrl> parse_http_url(std::string_view url);

class HttpClientTransport : public ClientTransport {
 public:
  static Result<std::unique_ptr<HttpClientTransport>> create(boost::asio::any_io_executor executor,
                                                             std::string_view url, HttpClientOptions options = {});
  ~HttpClientTransport() override;

  void start(std::function<void(std::string)> on_message, std::function<void(Error)> on_closed) override;
  void send(std::string message) override;
  void close() override;
  void set_protocol_version(std::string_view version) override;

  struct State;

 private:
  explicit HttpClientTransport(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace wg::mcp
