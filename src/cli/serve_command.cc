#include "cli/serve_command.h"

#include "app/serve.h"

namespace wg::cli {

int serve_command(const ServeArgs& args, std::FILE* err) {
  constexpr int kExitUsage = 2;
  app::ServeConfig config;
  config.stdio = args.stdio;
  if (!args.http.empty()) {
    auto listen = app::parse_listen_address(args.http);
    if (!listen) {
      std::fprintf(err, "wasmgate: %s\n", listen.error().message().c_str());
      return kExitUsage;
    }
    config.http_address = listen->address;
    config.http_port = listen->port;
  }
  if (args.page_size == 0) {
    std::fprintf(err, "wasmgate: --page-size must be at least 1\n");
    return kExitUsage;
  }
  if (!args.auth_tokens.empty() && args.stdio) {
    std::fprintf(err, "wasmgate: --auth-tokens applies to HTTP only; it cannot be used with --stdio\n");
    return kExitUsage;
  }
  if (args.no_policy && !args.policy.empty()) {
    std::fprintf(err, "wasmgate: --policy and --no-policy exclude each other\n");
    return kExitUsage;
  }
  config.auth_tokens_file = args.auth_tokens;
  config.no_policy = args.no_policy;
  config.state_dir = args.state_dir;
  config.policy_file = args.policy;
  config.conformance_fixture = args.conformance_fixture;
  config.page_size = args.page_size;
  if (args.max_agents == 0 || args.workers == 0) {
    std::fprintf(err, "wasmgate: --max-agents and --workers must be at least 1\n");
    return kExitUsage;
  }
  config.ruby_wasm = args.ruby_wasm;
  config.llm_config = args.llm_config;
  config.max_agents = args.max_agents;
  config.workers = args.workers;
  return app::serve(config, err);
}

}  // namespace wg::cli
