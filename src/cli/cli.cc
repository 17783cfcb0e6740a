#include "cli/cli.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/approvals_command.h"
#include "cli/audit_command.h"
#include "cli/policy_command.h"
#include "cli/proxy_command.h"
#include "cli/run_command.h"
#include "cli/replay_command.h"
#include "cli/serve_command.h"
#include "cli/wast_command.h"

namespace wg::cli {
namespace {

constexpr int kExitUsage = 2;

// Options of every subcommand, filled by CLI11. Subcommands that are not
// built yet still declare their contract flags so that --help documents them
// and scripts get "not built yet" rather than a parse error.
struct Options {
  // serve / proxy
  bool stdio = false;
  std::string http;
  std::string state_dir = ".wasmgate";
  std::string policy;
  bool conformance_fixture = false;
  std::size_t page_size = 100;
  std::string ruby_wasm;
  std::size_t max_agents = 256;
  std::size_t workers = 4;
  std::string upstream;
  double upstream_timeout = 300;
  std::string auth_tokens;
  bool no_policy = false;
  std::string llm_config;
  // run
  std::vector<std::string> dirs;
  std::vector<std::string> env;
  std::string stdin_file;
  std::string output_dir;
  std::uint64_t fuel = 0;
  std::uint64_t max_memory = 0;
  double timeout = 0;
  bool deterministic = false;
  bool json = false;
  bool trap_unknown_imports = false;
  std::string module;
  // positional remainders
  std::vector<std::string> args;
};

int not_built(const std::string& name) {
  std::fprintf(stderr,
               "wasmgate: '%s' is not built yet in this version; see the README's subcommand table for "
               "status\n",
               name.c_str());
  return kExitUsage;
}

}  // namespace

int main(std::span<char*> argv) {
  CLI::App app{
      "wasmgate - run untrusted WebAssembly agents and gate MCP tool calls with policy.\n"
      "One binary: an MCP agent host (serve), a policy proxy for other MCP servers (proxy),\n"
      "and a sandboxed WASI runner (run).",
      "wasmgate"};
  app.set_version_flag("-V,--version", std::string("wasmgate ") + WG_VERSION);
  app.require_subcommand(1);
  app.fallthrough(false);
  Options o;

  auto* serve = app.add_subcommand("serve", "Serve the agent host over MCP (HTTP at 127.0.0.1:8931 by default)");
  auto* serve_transport = serve->add_option_group("transport");
  serve_transport->add_flag("--stdio", o.stdio, "Speak MCP over stdin/stdout");
  serve_transport->add_option("--http", o.http, "Listen for Streamable HTTP on ADDR:PORT")->type_name("ADDR:PORT");
  serve_transport->require_option(0, 1);
  serve->add_option("--state", o.state_dir, "State directory (SQLite database)")->type_name("DIR");
  serve->add_option("--policy", o.policy, "Policy file (YAML)")->type_name("FILE");
  serve->add_flag("--conformance-fixture", o.conformance_fixture,
                  "Register the tools, resources and prompts the MCP conformance suite calls");
  serve->add_option("--page-size", o.page_size, "Items per tools/resources/prompts list page")->type_name("N");
  serve->add_option("--max-agents", o.max_agents, "Live agents this server holds at most (default 256)")
      ->type_name("N");
  serve->add_option("--workers", o.workers, "Threads running tool calls and guest programs (default 4)")
      ->type_name("N");
  serve->add_option("--ruby-wasm", o.ruby_wasm, "Ruby's ruby+stdlib.wasm (default: the one setup.sh installs)")
      ->type_name("FILE");
  serve->add_option("--auth-tokens", o.auth_tokens, "HTTP bearer tokens: lines of \"IDENTITY TOKEN\" (mode 600)")
      ->type_name("FILE");
  serve->add_flag("--no-policy", o.no_policy, "Run without any policy gate (default: the embedded default policy)");
  serve->add_option("--llm-config", o.llm_config,
                    "Model providers for wasm_agent_prompt, JSON (default: $WASMGATE_LLM_CONFIG; docs/llm.md)")
      ->type_name("FILE");

  auto* proxy = app.add_subcommand("proxy", "Put a policy in front of another MCP server");
  proxy->add_option("--policy", o.policy, "Policy file (YAML)")->type_name("FILE")->required();
  auto* proxy_transport = proxy->add_option_group("transport");
  proxy_transport->add_flag("--stdio", o.stdio, "Serve the client over stdin/stdout (default)");
  proxy_transport->add_option("--http", o.http, "Serve the client over Streamable HTTP on ADDR:PORT")
      ->type_name("ADDR:PORT");
  proxy_transport->require_option(0, 1);
  proxy->add_option("--state", o.state_dir, "State directory (SQLite database)")->type_name("DIR");
  proxy->add_option("--upstream", o.upstream, "Upstream Streamable HTTP URL")->type_name("URL");
  proxy->add_option("--upstream-timeout", o.upstream_timeout, "Seconds to wait for each upstream answer (default 300)")
      ->type_name("SECONDS");
  proxy->add_option("--auth-tokens", o.auth_tokens, "HTTP bearer tokens: lines of \"IDENTITY TOKEN\" (mode 600)")
      ->type_name("FILE");
  proxy->add_option("command", o.args, "Upstream command after --")->type_name("COMMAND [ARGS...]");

  auto* run = app.add_subcommand("run", "Run a WASI program in a private in-memory filesystem");
  run->add_option("--dir", o.dirs, "Copy host directory HOST into the sandbox at GUEST")
      ->type_name("HOST::GUEST")
      ->allow_extra_args(false);
  run->add_option("--env", o.env, "Set an environment variable for the guest")->type_name("K=V")->allow_extra_args(false);
  run->add_option("--stdin", o.stdin_file, "Feed FILE to the guest's stdin")->type_name("FILE");
  run->add_option("--output-dir", o.output_dir, "Write the resulting sandbox tree to DIR")->type_name("DIR");
  run->add_option("--fuel", o.fuel, "Instruction budget")->type_name("N");
  run->add_option("--max-memory", o.max_memory, "Largest linear memory, in bytes")->type_name("BYTES");
  run->add_option("--timeout", o.timeout, "Wall-clock limit")->type_name("SECONDS");
  run->add_flag("--deterministic", o.deterministic, "Fixed clock start and seeded random");
  run->add_flag("--json", o.json, "Print a JSON report instead of passing output through");
  run->add_flag("--trap-unknown-imports", o.trap_unknown_imports, "Link unknown imports as stubs that trap when called");
  // Everything after MODULE.wasm goes to the guest (prefix_command).
  run->add_option("module", o.module, "Module and its arguments")->type_name("MODULE.wasm [ARGS...]")->required();
  run->prefix_command();

  auto* wast = app.add_subcommand("wast", "Run WebAssembly spec scripts; ends with \"N passed, N failed\"");
  wast->add_option("files", o.args, "Scripts (.wast, or .json from wast2json)")->type_name("FILE")->required();

  auto* policy = app.add_subcommand("policy", "Validate, test and scaffold policy files");
  policy->require_subcommand(1);
  auto run_policy = add_policy_commands(*policy);
  auto* approvals = app.add_subcommand("approvals", "List and decide pending human approvals");
  approvals->require_subcommand(1);
  auto run_approvals = add_approvals_commands(*approvals);
  auto* audit = app.add_subcommand("audit", "Check the tamper-evident audit log");
  audit->require_subcommand(1);
  auto run_audit = add_audit_commands(*audit);
  auto* replay = app.add_subcommand("replay", "Rebuild an agent from its export and check every digest");
  std::string replay_file;
  std::int64_t replay_until = 0;
  replay->add_option("export", replay_file, "Agent export (the structuredContent of wasm_agent_export)")
      ->type_name("EXPORT.json")
      ->required();
  replay->add_flag("--json", o.json, "Print the report as JSON");
  auto* until_opt =
      replay->add_option("--until", replay_until, "Stop after the journal entry with this seq")->type_name("SEQ");
  replay->add_option("--ruby-wasm", o.ruby_wasm, "Ruby's ruby+stdlib.wasm (default: the one setup.sh installs)")
      ->type_name("FILE");

  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (wast->parsed()) return run_wast(o.args, stdout);
  if (replay->parsed()) {
    return replay_command(ReplayArgs{replay_file, o.json,
                                     until_opt->count() > 0 ? std::optional<std::int64_t>(replay_until) : std::nullopt,
                                     o.ruby_wasm},
                          stdout, stderr);
  }
  if (serve->parsed()) {
    return serve_command(ServeArgs{o.stdio, o.http, o.state_dir, o.policy, o.conformance_fixture, o.page_size,
                                   o.ruby_wasm, o.max_agents, o.workers, o.auth_tokens, o.no_policy, o.llm_config},
                         stderr);
  }
  if (proxy->parsed()) {
    return proxy_command(
        ProxyArgs{o.stdio, o.http, o.state_dir, o.policy, o.upstream, o.args, o.upstream_timeout, o.auth_tokens},
        stderr);
  }
  if (run->parsed()) {
    // Guest arguments are exactly what follows MODULE.wasm; anything else
    // left over is an option we do not know.
    const std::vector<std::string> rest = run->remaining();
    const std::size_t n = argv.size();
    bool tail = n >= rest.size() + 1 && argv[n - rest.size() - 1] == o.module;
    for (std::size_t i = 0; tail && i < rest.size(); ++i) tail = argv[n - rest.size() + i] == rest[i];
    if (!tail) {
      std::fprintf(stderr, "wasmgate: run: unknown option before MODULE.wasm\n");
      return kExitUsage;
    }
    o.args = {o.module};
    o.args.insert(o.args.end(), rest.begin(), rest.end());
    return run_command(RunArgs{o.dirs, o.env, o.stdin_file, o.output_dir, o.fuel, o.max_memory, o.timeout,
                               o.deterministic, o.json, o.trap_unknown_imports, o.args},
                       stdout, stderr);
  }
  for (const auto& runner : {run_policy, run_approvals, run_audit}) {
    if (auto code = runner()) return *code;
  }
  for (auto* sub : app.get_subcommands()) {
    std::string name = sub->get_name();
    if (!sub->get_subcommands().empty()) name += " " + sub->get_subcommands().front()->get_name();
    return not_built(name);
  }
  return kExitUsage;
}

}  // namespace wg::cli
