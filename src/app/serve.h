// `wasmgate serve`: the composition root of the MCP agent host. Builds the
// mcp::Server, registers what this build offers, optionally puts the policy
// Gate around every tools/call, and serves it over stdio or Streamable HTTP
// until EOF (stdio) or SIGINT/SIGTERM.
//
// Contract: serve() returns a process exit code (ARCHITECTURE.md "Command
// line": 0 ok, 1 failure, 2 usage). Diagnostics and the listening URL go to
// `err`; stdout carries only protocol messages (stdio transport).
// Without conformance_fixture it offers the agent host's tools
// (app/agent_tools.h) over the state in `state_dir`.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>

#include "base/error.h"
#include "mcp/transport/http.h"

namespace wg::mcp {
class Server;
}

namespace wg::app {

struct ServeConfig {
  bool stdio = false;
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8931;  // 0 picks a free port (printed on `err`)
  std::string state_dir = ".wasmgate";
  std::string policy_file;  // empty: the embedded default policy (app/default_policy.h), unless no_policy
  bool no_policy = false;   // no gate at all
  std::string auth_tokens_file;  // HTTP bearer tokens (app/auth_tokens.h); empty: none
  bool conformance_fixture = false;
  std::size_t page_size = 100;
  std::string ruby_wasm;        // empty: the build's default (runtimes::default_ruby_wasm_path)
  std::string llm_config;       // LLM config file (llm/config.h); empty: $WASMGATE_LLM_CONFIG, else none
  std::size_t max_agents = 256;  // live agents
  std::size_t workers = 4;       // threads running tool handlers (runs of guest programs)
};

struct ListenAddress {
  std::string address;
  std::uint16_t port = 0;
};

// Parses "ADDR:PORT" (IPv6 as "[::1]:PORT"); Invalid with a message otherwise.
Result<ListenAddress> parse_listen_address(std::string_view text);

// Runs the server; blocks until it ends. Returns the exit code.
int serve(const ServeConfig& config, std::FILE* err);

// How serve_transport() offers a server.
struct TransportConfig {
  bool stdio = false;
  std::string http_address = "127.0.0.1";
  std::uint16_t http_port = 8931;
  std::size_t http_threads = 1;  // threads running the HTTP io_context
  std::string label;             // "" or e.g. "proxy ": "wasmgate: <label>listening on URL"
  // HTTP only: bearer token -> client identity (mcp::HttpOptions::tokens;
  // see load_token_file in app/auth_tokens.h); empty: no authentication.
  std::map<std::string, std::string> tokens;
  // HTTP only: serves paths other than /mcp (the dashboard and admin API,
  // app/admin_api.h); empty: 404.
  mcp::HttpFallback fallback;
};

// Serves `server` over stdio until EOF, or over Streamable HTTP (printing
// the listening URL on `err`) until SIGINT/SIGTERM. Shared by serve and
// proxy. Returns the exit code.
int serve_transport(mcp::Server& server, const TransportConfig& config, std::FILE* err);

}  // namespace wg::app
