#include "cli/policy_command.h"

#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "app/policy_scan.h"
#include "policy/evaluator.h"
#include "policy/loader.h"

namespace wg::cli {
namespace {

constexpr int kExitDeny = 1;
constexpr int kExitUsage = 2;
constexpr int kExitApproval = 3;

struct PolicyOptions {
  std::vector<std::string> files;
  std::string policy;
  std::string tool;
  std::string args = "{}";
  std::string kind = "tool";
  std::string session = "cli-session";
  std::string identity = "cli";
  bool json = false;
  std::string upstream;
  std::string output;
  bool force = false;
  double upstream_timeout = 60;
  std::vector<std::string> command;
};

Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, path + ": cannot open");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::Io, path + ": cannot read");
  return text;
}

Result<policy::Policy> load_file(const std::string& path) {
  auto text = WG_TRY(read_text(path));
  return policy::load_policy(text, path);
}

// Every counter reads as empty: `policy test` decides the first call.
class EmptyCounters final : public policy::CountersView {
 public:
  Result<policy::CounterReading> read(const policy::CounterRef&, policy::Timestamp) const override {
    return policy::CounterReading{};
  }
};

int validate(const PolicyOptions& o) {
  int status = 0;
  for (const auto& file : o.files) {
    auto p = load_file(file);
    if (p) {
      std::printf("%s: ok (revision %s)\n", file.c_str(), p->revision.c_str());
    } else {
      // The loader's message already has one "file:line:col: ..." per line.
      std::fprintf(stderr, "%s\n", p.error().message().c_str());
      status = 1;
    }
  }
  std::fflush(stdout);
  return status;
}

int test(const PolicyOptions& o) {
  auto p = load_file(o.policy);
  if (!p) {
    std::fprintf(stderr, "%s\n", p.error().message().c_str());
    return kExitUsage;
  }
  policy::Call call;
  if (o.kind == "tool") {
    call.kind = policy::CallKind::Tool;
  } else if (o.kind == "resource") {
    call.kind = policy::CallKind::Resource;
  } else if (o.kind == "prompt") {
    call.kind = policy::CallKind::Prompt;
  } else {
    std::fprintf(stderr, "wasmgate: --kind must be tool, resource or prompt\n");
    return kExitUsage;
  }
  boost::system::error_code ec;
  call.args = boost::json::parse(o.args, ec);
  if (ec) {
    std::fprintf(stderr, "wasmgate: --args is not JSON: %s\n", ec.message().c_str());
    return kExitUsage;
  }
  call.name = o.tool;
  call.session = o.session;
  call.identity = o.identity;
  const auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  const policy::Decision d = policy::decide(*p, call, EmptyCounters(), now);

  if (o.json) {
    boost::json::object out;
    if (const auto* deny = d.deny()) {
      out = policy::deny_details(*deny);
      out["decision"] = "deny";
    } else if (const auto* ap = d.approval()) {
      out["decision"] = "require_approval";
      out["rule"] = ap->rule;
      out["reason"] = ap->reason;
      out["timeout"] = ap->timeout.count();
    } else {
      out["decision"] = "allow";
    }
    out["revision"] = d.revision;
    boost::json::array updates;
    for (const auto& u : d.updates) {
      updates.push_back(boost::json::object{{"counter", u.ref.def.counter},
                                            {"scope", policy::to_string(u.ref.def.scope)},
                                            {"partition", u.ref.partition},
                                            {"amount", u.amount.to_string()}});
    }
    out["updates"] = std::move(updates);
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else {
    std::printf("%s\n", policy::describe(d).c_str());
  }
  std::fflush(stdout);
  if (d.allowed()) return 0;
  return d.deny() ? kExitDeny : kExitApproval;
}

int scan(const PolicyOptions& o) {
  if (!std::isfinite(o.upstream_timeout) || o.upstream_timeout <= 0 || o.upstream_timeout > 86400) {
    std::fprintf(stderr, "wasmgate: --upstream-timeout must be more than 0 and at most 86400 seconds\n");
    return kExitUsage;
  }
  app::PolicyScanConfig config;
  config.upstream_url = o.upstream;
  config.upstream_argv = o.command;
  config.output = o.output;
  config.force = o.force;
  config.request_timeout =
      std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(o.upstream_timeout * 1000)));
  return app::run_policy_scan(config, stdout, stderr);
}

}  // namespace

std::function<std::optional<int>()> add_policy_commands(CLI::App& policy) {
  auto o = std::make_shared<PolicyOptions>();
  auto* validate_cmd = policy.add_subcommand("validate", "Check policy files; print file:line:col for each problem");
  validate_cmd->add_option("files", o->files, "Policy files (YAML)")->type_name("FILE")->required();

  auto* test_cmd = policy.add_subcommand(
      "test", "Decide one call offline; exit 0 allow, 1 deny, 3 approval required, 2 cannot decide");
  test_cmd->add_option("--policy", o->policy, "Policy file (YAML)")->type_name("FILE")->required();
  test_cmd->add_option("--tool", o->tool, "Tool name (or resource URI / prompt name with --kind)")
      ->type_name("NAME")
      ->required();
  test_cmd->add_option("--args", o->args, "Arguments as a JSON object (default {})")->type_name("JSON");
  test_cmd->add_option("--kind", o->kind, "tool (default), resource or prompt")->type_name("KIND");
  test_cmd->add_option("--session", o->session, "Session id for session-scoped counters")->type_name("S");
  test_cmd->add_option("--identity", o->identity, "Client identity for identity-scoped counters")->type_name("I");
  test_cmd->add_flag("--json", o->json, "Print the decision as JSON");

  auto* scan_cmd = policy.add_subcommand(
      "scan", "Write a starter policy from an upstream's tools/list, grouped by risk; exit 0 written, 1 upstream "
              "failed, 2 usage");
  scan_cmd->add_option("--upstream", o->upstream, "Upstream Streamable HTTP URL")->type_name("URL");
  scan_cmd->add_option("-o,--output", o->output, "Where to write the policy (default stdout)")->type_name("FILE");
  scan_cmd->add_flag("--force", o->force, "Replace --output if it exists");
  scan_cmd->add_option("--upstream-timeout", o->upstream_timeout,
                       "Seconds to wait for each upstream answer (default 60)")
      ->type_name("SECONDS");
  scan_cmd->add_option("command", o->command, "Upstream command after --")->type_name("COMMAND [ARGS...]");

  return [o, validate_cmd, test_cmd, scan_cmd]() -> std::optional<int> {
    if (validate_cmd->parsed()) return validate(*o);
    if (test_cmd->parsed()) return test(*o);
    if (scan_cmd->parsed()) return scan(*o);
    return std::nullopt;
  };
}

}  // namespace wg::cli
