// `wasmgate proxy --policy FILE [--stdio | --http ADDR:PORT] [--state DIR]
//                 [--upstream-timeout SECONDS] [--auth-tokens FILE]
//                 (--upstream URL | -- COMMAND [ARGS...])`
//
// Thin adapter from parsed flags to app::run_proxy() (src/app/proxy.h):
// without a transport flag the proxy serves its client over stdio (the
// drop-in for a stdio server); state directory ./.wasmgate (created).
// Returns the exit code: 0 after a clean shutdown, 1 when the upstream
// cannot be started or initialized (or serving fails), 2 on a usage error
// (no upstream or both, bad --http, unreadable or invalid policy, a bad
// token file or --auth-tokens with stdio).
#pragma once

#include <cstdio>
#include <string>
#include <vector>

namespace wg::cli {

struct ProxyArgs {
  bool stdio = false;
  std::string http;  // "ADDR:PORT"; empty: stdio
  std::string state_dir = ".wasmgate";
  std::string policy;
  std::string upstream;              // URL, or
  std::vector<std::string> command;  // COMMAND [ARGS...]
  double upstream_timeout = 300;     // seconds per upstream request
  std::string auth_tokens;           // HTTP bearer token file; empty: none
};

int proxy_command(const ProxyArgs& args, std::FILE* err);

}  // namespace wg::cli
