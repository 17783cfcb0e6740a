#include "cli/proxy_command.h"

#include <chrono>
#include <cmath>

#include "app/proxy.h"
#include "app/serve.h"

namespace wg::cli {

int proxy_command(const ProxyArgs& args, std::FILE* err) {
  constexpr int kExitUsage = 2;
  app::ProxyConfig config;
  config.stdio = args.http.empty();
  if (!args.http.empty()) {
    auto listen = app::parse_listen_address(args.http);
    if (!listen) {
      std::fprintf(err, "wasmgate: %s\n", listen.error().message().c_str());
      return kExitUsage;
    }
    config.http_address = listen->address;
    config.http_port = listen->port;
  }
  if (args.upstream.empty() == args.command.empty()) {
    std::fprintf(err, "wasmgate: proxy: give exactly one upstream: --upstream URL or -- COMMAND [ARGS...]\n");
    return kExitUsage;
  }
  if (!std::isfinite(args.upstream_timeout) || args.upstream_timeout <= 0 || args.upstream_timeout > 86400) {
    std::fprintf(err, "wasmgate: --upstream-timeout must be more than 0 and at most 86400 seconds\n");
    return kExitUsage;
  }
  if (!args.auth_tokens.empty() && config.stdio) {
    std::fprintf(err, "wasmgate: --auth-tokens applies to HTTP only; it cannot be used with --stdio\n");
    return kExitUsage;
  }
  config.auth_tokens_file = args.auth_tokens;
  config.state_dir = args.state_dir;
  config.policy_file = args.policy;
  config.upstream_url = args.upstream;
  config.upstream_argv = args.command;
  config.request_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(args.upstream_timeout * 1000)));
  return app::run_proxy(config, err);
}

}  // namespace wg::cli
