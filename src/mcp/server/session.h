// One client connection's MCP session and the dispatcher that serves it.
//
// Contract: a transport feeds each received transport message (a stdio
// line, an HTTP POST body) to receive(); the session decodes it strictly
// (protocol/jsonrpc.h), dispatches every message through the method table
// (one row per MCP method, session.cc kMethods), and writes responses to
// the exchange's Outbound. It implements the lifecycle (initialize, then
// notifications/initialized; only ping before initialize), version
// negotiation, ping, tools/list + tools/call, resources/*, prompts/*,
// logging/setLevel, progress, cancellation and server->client requests
// (elicitation/create, ping) with id allocation, correlation and timeouts.
//
// Thread-safety: every public member may be called from any thread; work
// is serialised on the session's strand. Objects are shared_ptr-owned so
// that timers and in-flight handlers can keep the session alive.
#pragma once

#include <atomic>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/error.h"
#include "mcp/protocol/jsonrpc.h"
#include "mcp/protocol/types.h"
#include "mcp/server/server.h"

namespace wg::mcp {

// Completion of a server->client request: the client's result object, or
// an Error (Denied for a JSON-RPC error reply, whose message carries the
// code; LimitExceeded on timeout; Unsupported when the client lacks the
// capability; Io when the session closed first).
using ClientReply = std::function<void(Result<boost::json::object>)>;

class Session : public std::enable_shared_from_this<Session> {
 public:
  using Strand = boost::asio::strand<boost::asio::any_io_executor>;

  // Use Server::open_session().
  Session(Server& server, boost::asio::any_io_executor executor, std::shared_ptr<Outbound> outbound);
  ~Session();

  // Handles one transport message. Messages tied to it (responses,
  // progress, requests made while handling it) go to `exchange`, or to the
  // default outbound when null; exchange->finish() follows its last response.
  void receive(std::string text, std::shared_ptr<Outbound> exchange = nullptr);

  // Ends the session: cancels running tool calls, fails pending
  // server->client requests with Io, drops further input. Idempotent.
  void close();

  // The transport's input ended (stdin EOF): fails pending server->client
  // requests with Io (they can no longer be answered), lets running
  // requests finish, then runs `on_idle` once on the strand. Later input
  // is dropped. The caller usually close()s the session in `on_idle`.
  void end_input(std::function<void()> on_idle);

  // Sends a notification on the default outbound.
  void notify(std::string method, boost::json::object params);
  // Sends notifications/message when `level` is at or above the session's level.
  void log(LogLevel level, std::string_view logger, boost::json::value data);
  // Sends a request to the client; `done` runs on the strand exactly once.
  void request(std::string method, boost::json::object params, std::chrono::milliseconds timeout, ClientReply done,
               std::shared_ptr<Outbound> via = nullptr);

  // Random 128-bit hex id (used as Mcp-Session-Id over HTTP).
  const std::string& id() const { return id_; }
  // The client identity the transport authenticated (the name its bearer
  // token maps to), fixed for the session's life; "" when the transport has
  // none (stdio, HTTP without tokens). The transport sets it once, right
  // after Server::open_session() and before the first receive(); it is
  // read-only afterwards, so identity() may be called from any thread.
  const std::string& identity() const { return identity_; }
  void set_identity(std::string identity) { identity_ = std::move(identity); }
  Strand& strand() { return strand_; }
  Server& server() { return server_; }

  // Snapshot accessors; call on the strand for a consistent view.
  bool initialize_answered() const { return initialize_answered_; }
  bool initialized() const { return initialized_; }
  bool closed() const { return closed_; }
  const std::string& protocol_version() const { return protocol_version_; }
  const boost::json::object& client_capabilities() const { return client_capabilities_; }
  LogLevel log_level() const { return log_level_; }
  bool subscribed(const std::string& uri) const { return subscriptions_.contains(uri); }

  // Internal to the dispatcher (public for the method table).
  struct Exchange;
  struct InFlight;
  struct Pending;
  void finish_request(const RequestId& id, std::expected<boost::json::object, RpcError> outcome);
  void send_related(const std::shared_ptr<Exchange>& exchange, std::string message);
  std::shared_ptr<InFlight> in_flight(const RequestId& id);

  // Method handlers (rows of the method table).
  void on_initialize(const Message& m);
  void on_ping(const Message& m);
  void on_tools_list(const Message& m);
  void on_tools_call(const Message& m);
  void on_resources_list(const Message& m);
  void on_resources_templates_list(const Message& m);
  void on_resources_read(const Message& m);
  void on_resources_subscribe(const Message& m);
  void on_resources_unsubscribe(const Message& m);
  void on_prompts_list(const Message& m);
  void on_prompts_get(const Message& m);
  void on_logging_set_level(const Message& m);
  void on_completion_complete(const Message& m);
  void on_initialized(const Message& m);
  void on_cancelled(const Message& m);
  void on_ignored_notification(const Message& m);

 private:
  void do_receive(const std::string& text, std::shared_ptr<Outbound> exchange);
  void dispatch(const std::shared_ptr<Exchange>& exchange, Message m);
  void handle_response(const Message& m);
  void answer_fault(const std::shared_ptr<Exchange>& exchange, const Fault& fault);
  void complete_exchange_request(const std::shared_ptr<Exchange>& exchange, std::string message);
  void reply(const Message& m, std::expected<boost::json::object, RpcError> outcome);
  void do_close();
  void fail_pending(std::string_view why);
  void maybe_idle();

  Server& server_;
  Strand strand_;
  std::shared_ptr<Outbound> outbound_;
  std::string id_;
  std::string identity_;  // set before the first receive(), then constant
  // Everything below is touched only on strand_.
  bool initialize_answered_ = false;
  bool initialized_ = false;
  bool closed_ = false;
  bool input_ended_ = false;
  std::function<void()> on_idle_;
  std::string protocol_version_;
  boost::json::object client_capabilities_;
  boost::json::object client_info_;
  LogLevel log_level_;
  std::set<std::string> subscriptions_;  // resources/subscribe URIs
  std::map<RequestId, std::shared_ptr<InFlight>> in_flight_;
  std::map<RequestId, std::shared_ptr<Pending>> pending_;  // server->client requests
  std::int64_t next_request_id_ = 1;
};

// One tools/call in progress, handed to the tool's handler.
// Thread-safety: every member may be called from any thread.
class ToolCall : public std::enable_shared_from_this<ToolCall> {
 public:
  ToolCall(std::weak_ptr<Session> session, RequestId id, std::string tool, boost::json::object arguments,
           boost::json::object meta, std::shared_ptr<Session::Exchange> exchange);

  const std::string& tool_name() const { return tool_; }
  const boost::json::object& arguments() const { return arguments_; }
  const boost::json::object& meta() const { return meta_; }  // the request's params._meta
  const RequestId& request_id() const { return id_; }
  std::shared_ptr<Session> session() const { return session_.lock(); }

  // True once the client cancelled the request or the session closed.
  bool cancelled() const { return cancelled_.load(); }
  // Runs `callback` on the session strand when cancelled (at once if already).
  void on_cancel(std::function<void()> callback);

  // Sends notifications/progress when the request carried
  // _meta.progressToken; otherwise does nothing (spec basic/utilities/progress).
  void progress(double progress, std::optional<double> total = std::nullopt, std::string_view message = {});
  void log(LogLevel level, boost::json::value data, std::string_view logger = {});
  // elicitation/create (spec client/elicitation, form mode): `done` gets
  // the client's result ({"action": "accept"|"decline"|"cancel", "content"?}).
  void elicit(std::string message, boost::json::object requested_schema, std::chrono::milliseconds timeout,
              ClientReply done);
  // Any other server->client request.
  void request(std::string method, boost::json::object params, std::chrono::milliseconds timeout, ClientReply done);

  // Completes the call; later calls are ignored. A failed Result becomes
  // an isError tool result carrying the error's text.
  void finish(Result<ToolResult> result);
  // Observes the result given to finish() (on finish()'s calling thread,
  // before it is sent); e.g. app/'s policy gate records the outcome. Set
  // it before the handler runs; at most one observer.
  void on_finish(std::function<void(const Result<ToolResult>&)> observer) { finish_observer_ = std::move(observer); }

  // Dispatcher side.
  void set_output_schema(std::optional<boost::json::object> schema) { output_schema_ = std::move(schema); }
  void mark_cancelled();

 private:
  std::weak_ptr<Session> session_;
  RequestId id_;
  std::string tool_;
  boost::json::object arguments_;
  boost::json::object meta_;
  std::shared_ptr<Session::Exchange> exchange_;
  std::optional<boost::json::object> output_schema_;
  std::atomic<bool> cancelled_{false};
  std::atomic<bool> finished_{false};
  std::vector<std::function<void()>> cancel_callbacks_;  // strand only
  std::function<void(const Result<ToolResult>&)> finish_observer_;
};

}  // namespace wg::mcp
