// `wasmgate proxy`: the policy Gate in front of another MCP server (the
// upstream: a child process over stdio, or a Streamable HTTP URL).
//
// Contract: Proxy::start() connects to the upstream and runs the
// initialize handshake (failing with a clear Error if the upstream cannot
// start, answers garbage, or does not answer within the request timeout),
// then builds an mcp::Server that mirrors the upstream:
//   - tools: every page of the upstream's tools/list (name, title,
//     description, inputSchema, outputSchema, annotations, _meta kept),
//     minus the tools the policy in force hides; each call goes through
//     admit() (Gate::before, with approval by elicitation: see
//     app/policy_runtime.h; a refusal is the isError result naming the
//     rule, and the upstream is never called), then the upstream's tools/call,
//     then Gate::after with the outcome (Succeeded, ToolError, or Failed:
//     upstream JSON-RPC error, crash, timeout, so reservations roll back).
//     An upstream failure is an isError result saying what happened.
//     notifications/tools/list_changed from the upstream re-lists the tools
//     (the Server then tells downstream sessions), and so does a policy
//     reload that changes what is hidden.
//   - resources (list, templates, read) and prompts (list, get), when the
//     upstream's capabilities offer them, listed once at start; reads and
//     gets pass the Gate (CallKind::Resource with args {"uri": URI};
//     CallKind::Prompt with the prompt's arguments), a refusal is a
//     JSON-RPC error carrying the refusal text.
//   - notifications/progress for a forwarded call reach the downstream
//     caller (when it sent a progressToken); notifications/message from
//     the upstream is logged to every downstream session.
// run_proxy() is the command: start, serve over stdio (default) or HTTP
// until EOF or SIGINT/SIGTERM, return the exit code (0 ok, 1 failure,
// 2 usage). Diagnostics go to `err`.
// Gaps (documented in docs/policy.md "Proxy"): upstream server->client
// requests (sampling, elicitation, roots) are refused with -32601;
// resource/prompt lists are not refreshed on their list_changed;
// resources/subscribe is answered locally (updates are not forwarded);
// a downstream cancel does not cancel the upstream request; resources/read
// and prompts/get wait for the upstream on the session's thread.
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

struct ProxyConfig {
  bool stdio = true;  // serve the downstream client over stdio (default) or HTTP
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8931;
  std::string state_dir = ".wasmgate";
  std::string policy_file;
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
