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

#include "mcp/server/conformance_fixture.h"
#include "mcp/server/server.h"
#include "mcp/server/session.h"
#include "mcp/transport/http.h"
#include "mcp/transport/stdio.h"
#include "policy/audit_log.h"
#include "policy/gate.h"
#include "policy/policy_holder.h"
#include "store/policy_state_store.h"

namespace wg::app {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr std::string_view kNotBuiltNote =
    "the agent tools (wasm_agent_*) are not built yet in this version; this server offers no tools. "
    "See the README's subcommand table for status.";

// The policy machinery around tools/call; owns what the Gate references.
struct PolicyRuntime {
  std::unique_ptr<policy::PolicyHolder> holder;
  std::unique_ptr<store::PolicyStateStore> store;
  std::unique_ptr<policy::AuditLog> audit;
  policy::SystemClock clock;
  std::unique_ptr<policy::Gate> gate;
};

Result<std::unique_ptr<PolicyRuntime>> open_policy(const ServeConfig& config) {
  auto rt = std::make_unique<PolicyRuntime>();
  rt->holder = WG_TRY(policy::PolicyHolder::open(config.policy_file));
  const std::filesystem::path dir(config.state_dir);
  rt->store = WG_TRY(store::PolicyStateStore::open((dir / store::kPolicyStateFile).string()));
  rt->audit = WG_TRY(policy::AuditLog::open((dir / "audit.jsonl").string()));
  rt->gate = std::make_unique<policy::Gate>(*rt->holder, *rt->store, rt->clock, rt->audit.get());
  return rt;
}

mcp::ToolResult tool_result_from_json(const json::object& o) {
  mcp::ToolResult r;
  if (const auto* c = o.if_contains("content"); c && c->is_array()) r.content = c->as_array();
  if (const auto* s = o.if_contains("structuredContent"); s && s->is_object()) r.structured_content = s->as_object();
  if (const auto* e = o.if_contains("isError"); e && e->is_bool()) r.is_error = e->as_bool();
  return r;
}

// Runs `tool` behind the Gate: before() decides (a refusal is the call's
// isError result, the tool never runs); the finish observer reports the
// outcome to after() (commit or release, audit record).
void gated_call(policy::Gate& gate, const std::shared_ptr<const mcp::Server::Tool>& tool,
                const std::shared_ptr<mcp::ToolCall>& call, std::FILE* err) {
  policy::GateRequest request;
  request.call.kind = policy::CallKind::Tool;
  request.call.name = tool->spec.name;
  request.call.args = call->arguments();
  if (auto session = call->session()) request.call.session = session->id();
  request.request_id = call->request_id().to_string();
  auto admission = std::make_shared<policy::Admission>(gate.before(request));
  if (!admission->proceed()) {
    call->finish(tool_result_from_json(admission->tool_result()));
    return;
  }
  call->on_finish([&gate, request, admission, err](const Result<mcp::ToolResult>& result) {
    // A handler Error becomes an isError result: the tool ran (ToolError).
    const auto outcome = (result && !result->is_error) ? policy::UpstreamOutcome::Succeeded
                                                        : policy::UpstreamOutcome::ToolError;
    if (auto st = gate.after(request, *admission, outcome); !st) {
      std::fprintf(err, "wasmgate: policy: recording the outcome of %s failed: %s\n", request.call.name.c_str(),
                   st.error().message().c_str());
    }
  });
  if (tool->handler) {
    call->finish(tool->handler(*call));
  } else {
    tool->async_handler(call);
  }
}

// Copies what `staging` offers into `server`, each tool wrapped by the Gate.
// Tools the policy in force hides are not registered (they are denied at
// call time anyway). Resources and prompts are copied unchanged.
Status register_gated(mcp::Server& staging, mcp::Server& server, PolicyRuntime& rt, std::FILE* err) {
  auto policy = rt.holder->current();
  for (const auto& tool : staging.tools()) {
    if (policy && policy->hides_tool(tool->spec.name)) continue;
    WG_TRY(server.add_async_tool(tool->spec, [gate = rt.gate.get(), tool, err](std::shared_ptr<mcp::ToolCall> call) {
      gated_call(*gate, tool, call, err);
    }));
  }
  for (const auto& r : staging.resources()) WG_TRY(server.add_resource(r->spec, r->reader));
  for (const auto& t : staging.resource_templates()) WG_TRY(server.add_resource_template(t->spec, t->reader));
  for (const auto& p : staging.prompts()) WG_TRY(server.add_prompt(p->spec, p->handler));
  return ok();
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

  mcp::ServerOptions options;
  options.page_size = config.page_size;
  if (!config.conformance_fixture) options.instructions = std::string(kNotBuiltNote);
  mcp::Server server(options);

  std::unique_ptr<PolicyRuntime> policy_rt;
  if (!config.policy_file.empty()) {
    auto rt = open_policy(config);
    if (!rt) {
      std::fprintf(err, "wasmgate: %s\n", rt.error().message().c_str());
      return rt.error().code() == ErrorCode::Invalid ? kExitUsage : kExitFailure;
    }
    policy_rt = std::move(*rt);
  }

  if (config.conformance_fixture) {
    Status st = ok();
    if (policy_rt) {
      mcp::Server staging(options);
      st = mcp::register_conformance_fixture(staging);
      if (st) st = register_gated(staging, server, *policy_rt, err);
    } else {
      st = mcp::register_conformance_fixture(server);
    }
    if (!st) {
      std::fprintf(err, "wasmgate: conformance fixture: %s\n", st.error().message().c_str());
      return kExitFailure;
    }
  } else {
    std::fprintf(err, "wasmgate: note: %s\n", kNotBuiltNote.data());
  }

  asio::io_context io;
  std::unique_ptr<mcp::HttpServer> http;
  if (!config.stdio) {
    mcp::HttpOptions http_options;
    http_options.address = config.http_address;
    http_options.port = config.http_port;
    auto created = mcp::HttpServer::create(server, io, std::move(http_options));
    if (!created) {
      std::fprintf(err, "wasmgate: %s\n", created.error().message().c_str());
      return created.error().code() == ErrorCode::Invalid ? kExitUsage : kExitFailure;
    }
    http = std::move(*created);
    const bool v6 = config.http_address.find(':') != std::string::npos;
    std::fprintf(err, "wasmgate: listening on http://%s%s%s:%u/mcp\n", v6 ? "[" : "", config.http_address.c_str(),
                 v6 ? "]" : "", static_cast<unsigned>(http->port()));
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
    io.run();
  }
  signal_io.stop();
  signal_thread.join();
  if (http) http->stop();
  return code;
}

}  // namespace wg::app
