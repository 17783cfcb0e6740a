// `wasmgate serve [--stdio | --http ADDR:PORT] [--state DIR] [--policy FILE | --no-policy]
//                 [--auth-tokens FILE] [--conformance-fixture] [--page-size N]`
//
// Thin adapter from parsed flags to app::serve() (src/app/serve.h): default
// transport Streamable HTTP at 127.0.0.1:8931 (path /mcp), state directory
// ./.wasmgate (created). --auth-tokens is HTTP only (with --stdio: usage
// error); --policy and --no-policy exclude each other. Returns the exit code: 0 after a clean shutdown
// (EOF on stdio, SIGINT/SIGTERM), 1 on failure, 2 on a usage error (bad
// --http, unreadable or invalid policy).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>

namespace wg::cli {

struct ServeArgs {
  bool stdio = false;
  std::string http;  // "ADDR:PORT"; empty: default
  std::string state_dir = ".wasmgate";
  std::string policy;
  bool conformance_fixture = false;
  std::size_t page_size = 100;
  std::string ruby_wasm;  // empty: the build's default
  std::size_t max_agents = 256;
  std::size_t workers = 4;
  std::string auth_tokens;  // token file (HTTP only); empty: no tokens
  bool no_policy = false;   // no gate at all (else --policy FILE or the embedded default)
  std::string llm_config;   // model providers (llm/config.h); empty: $WASMGATE_LLM_CONFIG, else built-ins + env
};

int serve_command(const ServeArgs& args, std::FILE* err);

}  // namespace wg::cli
