// `wasmgate proxy`: the policy Gate in front of another MCP server (the
// upstream: a child process over stdio, or a Streamable HTTP URL).
//
// Contract: Proxy::start() connects to the upstream and runs the
// initialize handshake (failing with a clear Error if the upstream cannot
// start, answers garbage, or does not answer within the request timeout),
// declaring the client capabilities it can relay (sampling, elicitation
// form+url, roots), then builds an mcp::Server that mirrors the upstream:
//   - tools: every page of the upstream's tools/list (name, title,
//     description, inputSchema, outputSchema, annotations, _meta kept),
//     minus the tools the policy in force hides. A name not in that list
//     (hidden, look-alike) is refused by the Server and never forwarded.
//     Each call: arguments with member names that differ only in case are
//     refused; then admit() (Gate::before, with approval by elicitation:
//     see app/policy_runtime.h; a refusal is the isError result naming the
//     rule, details in structuredContent or, for a tool with an
//     outputSchema, in a second JSON text item; the upstream is never
//     called), then the upstream's tools/call, then Gate::after with the
//     outcome (Succeeded, ToolError, or Failed: upstream JSON-RPC error,
//     crash, timeout, or the client's notifications/cancelled, which is
//     passed upstream; Failed releases the reservations). An upstream
//     failure is an isError result saying what happened. Each call's Gate
//     request carries the session id and the session's identity (bearer
//     token over HTTP with auth_tokens_file).
//   - server->client requests from the upstream: ping is answered by the
//     proxy; sampling/createMessage, elicitation/create and roots/list go
//     to the downstream client whose forwarded tools/call is in flight, if
//     all calls in flight belong to one session and that client declared
//     the capability (elicitation url mode: elicitation.url); its result or
//     JSON-RPC error (code and message kept) goes back. Anything else is a
//     JSON-RPC error (-32601) saying why; nothing is sent to a client that
//     lacks the capability.
//   - resources (list, templates, read) and prompts (list, get), when the
//     upstream's capabilities offer them; reads and gets pass the Gate
//     (CallKind::Resource with args {"uri": URI}; CallKind::Prompt with the
//     prompt's arguments; the session and identity of the request, via the
//     Server's session-aware handlers), a refusal is a JSON-RPC error
//     carrying the refusal text.
//   - notifications: tools/, resources/ and prompts/list_changed re-list
//     (the Server then tells downstream sessions when something changed),
//     as does a policy reload that changes what is hidden;
//     resources/updated goes to the sessions subscribed to the URI;
//     progress for a forwarded call reaches the caller (when it sent a
//     progressToken); notifications/message is logged to every session.
// run_proxy() is the command: start, serve over stdio (default) or HTTP
// (with bearer tokens when auth_tokens_file is set) until EOF or
// SIGINT/SIGTERM, return the exit code (0 ok, 1 failure, 2 usage).
// Diagnostics go to `err`.
// Gaps (documented in docs/policy.md "Proxy"): resources/subscribe is
// answered locally (not passed upstream); the relation of a server->client
// request to a call is inferred from the calls in flight; an upstream's
// cancellation of its own request is not passed to the client;
// resources/read and prompts/get wait for the upstream on the session's
// thread.
// Thread-safety: the upstream client runs on the Proxy's own thread; the
// Server may be served from any executor. Destroy the Proxy after every
// session that uses its Server has ended.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "mcp/client/client.h"
#include "mcp/server/server.h"

namespace wg::app {

struct PolicyRuntime;

struct ProxyConfig {
  bool stdio = true;  // serve the downstream client over stdio (default) or HTTP
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8931;
  std::string state_dir = ".wasmgate";
  std::string policy_file;
  // HTTP only: bearer tokens (app/auth_tokens.h); each session's identity
  // goes to the Gate (scope: identity counters, audit). Empty: none.
  std::string auth_tokens_file;
  std::string upstream_url;                                            // Streamable HTTP upstream, or
  std::vector<std::string> upstream_argv;                              // a stdio child
  std::chrono::milliseconds request_timeout{std::chrono::minutes(5)};  // per upstream request
  std::size_t page_size = 100;
  // How often the policy file is polled for hot reload (also before each
  // call); zero: only before each call.
  std::chrono::milliseconds policy_poll{std::chrono::seconds(1)};
};

// Makes the upstream transport; tests inject their own.
using UpstreamFactory =
    std::function<Result<std::unique_ptr<mcp::ClientTransport>>(boost::asio::any_io_executor executor)>;

// The factory for a config: a stdio child for upstream_argv, else HTTP.
UpstreamFactory upstream_factory(const ProxyConfig& config);

class Proxy {
 public:
  // Opens the policy runtime, connects and initializes the upstream, lists
  // what it offers and builds the server. `err` receives diagnostics.
  static Result<std::unique_ptr<Proxy>> start(const ProxyConfig& config, UpstreamFactory factory, std::FILE* err);
  ~Proxy();
  Proxy(const Proxy&) = delete;
  Proxy& operator=(const Proxy&) = delete;

  mcp::Server& server();
  // The policy machinery (for the admin API); lives as long as the Proxy.
  PolicyRuntime& policy();
  // Polls the policy file (hot reload); on a new policy re-applies `hide`.
  void poll_policy();
  // Re-lists the upstream's tools now and waits for the result.
  Status refresh_tools();

  struct State;

 private:
  explicit Proxy(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

int run_proxy(const ProxyConfig& config, std::FILE* err);

}  // namespace wg::app
