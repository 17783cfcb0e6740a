#include "app/serve.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/json.hpp>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <memory>
#include <system_error>
#include <thread>

#include <boost/asio/thread_pool.hpp>

#include "agent/programs.h"
#include "agent/service.h"
#include "app/admin_api.h"
#include "app/agent_tools.h"
#include "app/auth_tokens.h"
#include "app/default_policy.h"
#include "app/policy_runtime.h"
#include "gallery/gallery.h"
#include "llm/config.h"
#include "mcp/server/conformance_fixture.h"
#include "mcp/server/server.h"
#include "mcp/server/session.h"
#include "mcp/transport/http.h"
#include "mcp/transport/stdio.h"
#include "policy/audit_log.h"
#include "policy/gate.h"
#include "policy/policy_holder.h"
#include "runtimes/utilities.h"
#include "store/agent_db.h"
#include "store/policy_state_store.h"

namespace wg::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kAgentInstructions =
    "wasmgate hosts sandboxed WebAssembly agents. Create one with wasm_agent_create (or wasm_gallery_create from "
    "a template: wasm_gallery_list / wasm_gallery_search), work in its private filesystem with wasm_agent_tool "
    "(read_file, write_file, edit_file, list_files, delete_file, glob, grep, write_todos, run), execute programs "
    "with wasm_agent_run, and export, import, fork or inspect it with the other wasm_agent_* tools. "
    "wasm_agent_prompt runs the agent's own model loop in its sandbox (needs a model provider: docs/llm.md). "
    "Agents persist across restarts; their journal replays deterministically (wasm_agent_replay).";

// The agent host: store, gallery, program runner, service and the pool that
// runs tool handlers. Members are destroyed in reverse order: the pool
// first (joining running handlers), the database last.
struct AgentHost {
  std::unique_ptr<store::AgentDb> db;
  std::unique_ptr<DbTemplateStore> templates;
  std::unique_ptr<gallery::Gallery> gallery;
  std::unique_ptr<agent::WasiProgramRunner> runner;
  std::unique_ptr<agent::AgentService> service;
  std::unique_ptr<asio::thread_pool> pool;
  ~AgentHost() {
    if (pool) pool->join();
  }
};

Result<std::unique_ptr<AgentHost>> open_agent_host(const ServeConfig& config, std::FILE* err) {
  auto host = std::make_unique<AgentHost>();
  const std::filesystem::path dir(config.state_dir);
  host->db = WG_TRY(store::AgentDb::open((dir / store::kAgentStateFile).string()));
  host->templates = std::make_unique<DbTemplateStore>(*host->db);
  host->gallery = WG_TRY(gallery::Gallery::open(*host->templates));
  for (const auto& w : host->gallery->warnings()) std::fprintf(err, "wasmgate: gallery: %s\n", w.c_str());
  agent::ProgramRunnerOptions runner_options;
  runner_options.ruby_wasm_path =
      config.ruby_wasm.empty() ? std::string(runtimes::default_ruby_wasm_path()) : config.ruby_wasm;
  host->runner = std::make_unique<agent::WasiProgramRunner>(std::move(runner_options));
  agent::ServiceOptions service_options;
  service_options.max_agents = config.max_agents;
  // Model providers for wasm_agent_prompt (docs/llm.md): a bad file is an
  // error now; a missing API key is explained when an agent is prompted.
  const std::optional<std::filesystem::path> llm_file =
      config.llm_config.empty() ? std::nullopt : std::optional<std::filesystem::path>(config.llm_config);
  auto llm_config = std::make_shared<const llm::LlmConfig>(
      WG_TRY_CTX(llm::load_llm_config(llm::process_env(), llm_file), "LLM configuration"));
  if (!llm_config->default_model.empty()) service_options.default_model = llm_config->default_model;
  service_options.model_provider = [llm_config](std::string_view model) {
    return llm::make_provider(*llm_config, model);
  };
  host->service = WG_TRY(agent::AgentService::open(*host->db, *host->gallery, host->runner.get(), service_options));
  for (const auto& w : host->service->warnings()) std::fprintf(err, "wasmgate: agents: %s\n", w.c_str());
  host->pool = std::make_unique<asio::thread_pool>(config.workers);
  return host;
}

}  // namespace

Result<ListenAddress> parse_listen_address(std::string_view text) {
  const auto bad = [&](std::string_view why) {
    return make_error(ErrorCode::Invalid, std::string("--http ") + std::string(text) + ": " + std::string(why) +
                                              " (expected ADDR:PORT, e.g. 127.0.0.1:8931)");
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return bad("missing address or port");
  std::string_view host = text.substr(0, colon);
  const std::string_view port_text = text.substr(colon + 1);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad("unbalanced brackets");
    host = host.substr(1, host.size() - 2);
  }
  unsigned port = 0;
  const auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port_text.empty() || port > 65535) {
    return bad("port must be a number from 0 to 65535");
  }
  return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

int serve(const ServeConfig& config, std::FILE* err) {
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) {
    std::fprintf(err, "wasmgate: cannot create state directory %s: %s\n", config.state_dir.c_str(),
                 ec.message().c_str());
    return kExitFailure;
  }

  // Bearer tokens first: a bad token file should fail before anything opens.
  TransportConfig transport;
  if (!config.auth_tokens_file.empty()) {
    auto tokens = load_token_file(config.auth_tokens_file);
    if (!tokens) {
      std::fprintf(err, "wasmgate: %s\n", tokens.error().message().c_str());
      return tokens.error().code() == ErrorCode::Io ? kExitFailure : kExitUsage;
    }
    transport.tokens = std::move(*tokens);
  }

  mcp::ServerOptions options;
  options.page_size = config.page_size;
  if (!config.conformance_fixture) options.instructions = std::string(kAgentInstructions);
  mcp::Server server(options);

  // The gate: --policy FILE; else the embedded default policy, except with
  // --no-policy and for the conformance fixture (a protocol test bed).
  std::unique_ptr<PolicyRuntime> policy_rt;
  std::string policy_source;
  if (!config.policy_file.empty() || (!config.no_policy && !config.conformance_fixture)) {
    auto rt = config.policy_file.empty() ? open_default_policy_runtime(config.state_dir)
                                         : open_policy_runtime(config.policy_file, config.state_dir);
    if (!rt) {
      std::fprintf(err, "wasmgate: %s\n", rt.error().message().c_str());
      return rt.error().code() == ErrorCode::Invalid ? kExitUsage : kExitFailure;
    }
    policy_rt = std::move(*rt);
    policy_source = config.policy_file.empty() ? std::string(kDefaultPolicySource) : config.policy_file;
  }

  // What this server offers: the conformance fixture, or the agent host.
  // With a policy, every tool is registered through the Gate.
  std::unique_ptr<AgentHost> agent_host;
  if (!config.conformance_fixture) {
    auto host = open_agent_host(config, err);
    if (!host) {
      std::fprintf(err, "wasmgate: %s\n", host.error().message().c_str());
      return kExitFailure;
    }
    agent_host = std::move(*host);
  }
  const auto offer = [&](mcp::Server& target) -> Status {
    if (config.conformance_fixture) return mcp::register_conformance_fixture(target);
    AgentToolsOptions tools_options;
    tools_options.policy = policy_rt.get();
    tools_options.err = err;
    return register_agent_tools(target, *agent_host->service, *agent_host->gallery, *agent_host->pool,
                                tools_options);
  };
  Status offered = ok();
  if (policy_rt) {
    mcp::Server staging(options);
    offered = offer(staging);
    if (offered) offered = register_gated(staging, server, *policy_rt, err);
  } else {
    offered = offer(server);
  }
  if (!offered) {
    std::fprintf(err, "wasmgate: registering tools: %s\n", offered.error().message().c_str());
    return kExitFailure;
  }

  transport.stdio = config.stdio;
  transport.http_address = config.http_address;
  transport.http_port = config.http_port;
  if (!config.stdio) {
    AdminContext admin;
    admin.mode = "serve";
    admin.policy = policy_rt.get();
    admin.policy_source = policy_source;
    if (policy_rt) admin.audit_path = (std::filesystem::path(config.state_dir) / "audit.jsonl").string();
    admin.agents = agent_host ? agent_host->service.get() : nullptr;
    transport.fallback = admin_fallback(std::move(admin));
  }
  return serve_transport(server, transport, err);
}

int serve_transport(mcp::Server& server, const TransportConfig& config, std::FILE* err) {
  asio::io_context io;
  std::unique_ptr<mcp::HttpServer> http;
  if (!config.stdio) {
    mcp::HttpOptions http_options;
    http_options.address = config.http_address;
    http_options.port = config.http_port;
    http_options.tokens = config.tokens;
    http_options.fallback = config.fallback;
    auto created = mcp::HttpServer::create(server, io, std::move(http_options));
    if (!created) {
      std::fprintf(err, "wasmgate: %s\n", created.error().message().c_str());
      return created.error().code() == ErrorCode::Invalid ? kExitUsage : kExitFailure;
    }
    http = std::move(*created);
    const bool v6 = config.http_address.find(':') != std::string::npos;
    std::fprintf(err, "wasmgate: %slistening on http://%s%s%s:%u/mcp\n", config.label.c_str(), v6 ? "[" : "",
                 config.http_address.c_str(), v6 ? "]" : "", static_cast<unsigned>(http->port()));
    if (config.fallback) {
      std::fprintf(err, "wasmgate: %sdashboard at http://%s%s%s:%u/\n", config.label.c_str(), v6 ? "[" : "",
                   config.http_address.c_str(), v6 ? "]" : "", static_cast<unsigned>(http->port()));
    }
    std::fflush(err);
  }

  // SIGINT/SIGTERM: stop accepting, end sessions, return. The signal_set
  // lives on its own io_context so that it does not keep `io` busy (stdio
  // returns when its input ends and the answers are out).
  asio::io_context signal_io;
  asio::signal_set signals(signal_io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& wait_ec, int) {
    if (wait_ec) return;
    asio::post(io, [&] {
      if (http) http->stop();
      io.stop();
    });
  });
  std::thread signal_thread([&] { signal_io.run(); });

  int code = kExitOk;
  if (config.stdio) {
    if (auto st = mcp::serve_stdio(server, io); !st) {
      std::fprintf(err, "wasmgate: %s\n", st.error().message().c_str());
      code = kExitFailure;
    }
  } else {
    std::vector<std::thread> extra;
    for (std::size_t i = 1; i < config.http_threads; ++i) extra.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& t : extra) t.join();
  }
  signal_io.stop();
  signal_thread.join();
  if (http) http->stop();
  return code;
}

}  // namespace wg::app
