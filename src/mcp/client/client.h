// The MCP client side: speaks to an upstream MCP server (proxy mode).
//
// Contract: a Client owns a ClientTransport (client/stdio_child.h: a child
// process over stdio; client/http_client.h: a Streamable HTTP URL),
// performs the initialize handshake (spec basic/lifecycle), sends requests
// with ids it allocates (integers from 1), correlates responses, times
// requests out or cancels them on demand (sending notifications/cancelled), and hands server
// notifications and server->client requests to the callbacks. Incoming
// text is decoded with the same strict codec as the server side.
// Replies are std::expected<json::object, RpcError>: the upstream's own
// JSON-RPC error verbatim, or a local failure as -32603 (timeout, closed
// transport), so a proxy can forward either unchanged.
// Thread-safety: every public member may be called from any thread; work
// and callbacks run on the client's strand.
#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "base/error.h"
#include "mcp/protocol/jsonrpc.h"
#include "mcp/protocol/types.h"

namespace wg::mcp {

// Moves whole JSON-RPC messages to and from the upstream server.
class ClientTransport {
 public:
  virtual ~ClientTransport() = default;
  // Begins delivery: `on_message` for each received message text,
  // `on_closed` once when the upstream ends or fails. Called once.
  virtual void start(std::function<void(std::string)> on_message, std::function<void(Error)> on_closed) = 0;
  // Sends one message; failures surface through on_closed.
  virtual void send(std::string message) = 0;
  // Ends the connection (closes the child's stdin / deletes the HTTP session).
  virtual void close() = 0;
  // Called once the handshake chose a version (HTTP sends it as a header).
  virtual void set_protocol_version(std::string_view /*version*/) {}
};

using RpcReply = std::expected<boost::json::object, RpcError>;
using RpcReplyHandler = std::function<void(RpcReply)>;

struct ClientOptions {
  std::string name = "wasmgate";
  std::string version = "0.1.0";
  boost::json::object capabilities;  // what we tell the upstream we support
  std::string protocol_version = std::string(kLatestProtocolVersion);
  std::chrono::milliseconds request_timeout{std::chrono::minutes(5)};
  DecodeLimits limits;
};

class Client : public std::enable_shared_from_this<Client> {
 public:
  // Server -> client requests: answer through `reply` exactly once. The
  // default handler answers ping and refuses everything else with -32601.
  using RequestHandler =
      std::function<void(const std::string& method, const boost::json::object& params, RpcReplyHandler reply)>;
  using NotificationHandler = std::function<void(const std::string& method, const boost::json::object& params)>;

  static std::shared_ptr<Client> create(boost::asio::any_io_executor executor,
                                        std::unique_ptr<ClientTransport> transport, ClientOptions options = {});
  ~Client();

  // Set before initialize().
  void on_request(RequestHandler handler);
  void on_notification(NotificationHandler handler);
  void on_closed(std::function<void(const Error&)> handler);

  // Starts the transport, sends initialize, checks the answered version is
  // one we support (else the reply is an error and the client closes),
  // then sends notifications/initialized. `done` gets the InitializeResult.
  void initialize(RpcReplyHandler done);

  // Sends a request; returns the id it carries (e.g. for cancel()).
  RequestId request(std::string method, boost::json::object params, RpcReplyHandler done,
                    std::optional<std::chrono::milliseconds> timeout = std::nullopt);
  // Stops waiting for request `id` (spec basic/utilities/cancellation):
  // sends notifications/cancelled with `reason` and completes its handler
  // with a local -32603 error; a late response is ignored. Nothing happens
  // when `id` is already answered or unknown.
  void cancel(RequestId id, std::string reason);
  void notify(std::string method, boost::json::object params = {});
  void close();

  // Valid after initialize() succeeded; read on the strand or after `done`.
  const std::string& protocol_version() const { return protocol_version_; }
  const boost::json::object& server_capabilities() const { return server_capabilities_; }
  const boost::json::object& server_info() const { return server_info_; }

 private:
  Client(boost::asio::any_io_executor executor, std::unique_ptr<ClientTransport> transport, ClientOptions options);
  void start_transport();
  void receive(const std::string& text);
  void handle_request(const Message& m);
  void fail_all(const std::string& why);

  struct Pending {
    RpcReplyHandler done;
    std::unique_ptr<boost::asio::steady_timer> timer;
  };

  boost::asio::strand<boost::asio::any_io_executor> strand_;
  std::unique_ptr<ClientTransport> transport_;
  ClientOptions options_;
  // Touched only on strand_.
  bool started_ = false;
  bool closed_ = false;
  std::atomic<std::int64_t> next_id_{1};  // allocated on any thread, so request() can return the id
  std::map<RequestId, Pending> pending_;
  RequestHandler request_handler_;
  NotificationHandler notification_handler_;
  std::function<void(const Error&)> closed_handler_;
  std::string protocol_version_;
  boost::json::object server_capabilities_;
  boost::json::object server_info_;
};

}  // namespace wg::mcp
