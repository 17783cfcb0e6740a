#include "cli/approvals_command.h"

#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "app/admin_api.h"
#include "store/policy_state_store.h"

namespace wg::cli {
namespace {

constexpr int kExitUsage = 2;

struct ApprovalsOptions {
  std::string state_dir = ".wasmgate";
  std::string id;
  std::string by;
  bool all = false;
  bool json = false;
};

store::EpochMs now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Opens the store, or prints why not; `code` receives the exit code then.
std::unique_ptr<store::PolicyStateStore> open_store(const ApprovalsOptions& o, int& code) {
  std::error_code ec;
  if (!std::filesystem::is_directory(o.state_dir, ec)) {
    std::fprintf(stderr, "wasmgate: state directory %s does not exist (use --state DIR)\n", o.state_dir.c_str());
    code = kExitUsage;
    return nullptr;
  }
  auto s = store::PolicyStateStore::open((std::filesystem::path(o.state_dir) / store::kPolicyStateFile).string());
  if (!s) {
    std::fprintf(stderr, "wasmgate: %s\n", s.error().to_string().c_str());
    code = 1;
    return nullptr;
  }
  return std::move(*s);
}

int list(const ApprovalsOptions& o) {
  int code = 0;
  auto s = open_store(o, code);
  if (!s) return code;
  auto records = s->list_approvals(now_ms(), o.all ? std::nullopt : std::optional(store::ApprovalStatus::Pending));
  if (!records) {
    std::fprintf(stderr, "wasmgate: %s\n", records.error().to_string().c_str());
    return 1;
  }
  if (o.json) {
    boost::json::array out;
    for (const auto& r : *records) out.push_back(app::approval_json(r));
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else if (records->empty()) {
    std::printf("no %sapprovals\n", o.all ? "" : "pending ");
  } else {
    for (const auto& r : *records) {
      std::printf("%s %s %s rule=\"%s\" identity=%s expires=%s args=%s\n", r.id.c_str(),
                  std::string(store::to_string(r.status)).c_str(), r.request.binding.tool.c_str(),
                  r.request.rule.c_str(), r.request.identity.c_str(), app::iso8601(r.request.expires_ms).c_str(),
                  r.request.args_preview.c_str());
    }
  }
  std::fflush(stdout);
  return 0;
}

int decide(const ApprovalsOptions& o, store::ApprovalStatus verdict) {
  int code = 0;
  auto s = open_store(o, code);
  if (!s) return code;
  std::string by = o.by;
  if (by.empty()) {
    const char* user = std::getenv("USER");
    by = user && *user ? user : "cli";
  }
  auto st = s->decide_approval(o.id, verdict, by, now_ms());
  if (!st) {
    std::fprintf(stderr, "wasmgate: %s\n", st.error().message().c_str());
    return 1;
  }
  std::printf("%s %s by %s\n", o.id.c_str(), std::string(store::to_string(verdict)).c_str(), by.c_str());
  std::fflush(stdout);
  return 0;
}

}  // namespace

std::function<std::optional<int>()> add_approvals_commands(CLI::App& approvals) {
  auto o = std::make_shared<ApprovalsOptions>();
  auto* list_cmd = approvals.add_subcommand("list", "List pending approvals (--all: every approval)");
  list_cmd->add_option("--state", o->state_dir, "State directory")->type_name("DIR");
  list_cmd->add_flag("--all", o->all, "Include decided, used and expired approvals");
  list_cmd->add_flag("--json", o->json, "Print a JSON array");
  auto* approve_cmd = approvals.add_subcommand("approve", "Approve a pending call (it may then run once)");
  auto* deny_cmd = approvals.add_subcommand("deny", "Deny a pending call");
  for (auto* cmd : {approve_cmd, deny_cmd}) {
    cmd->add_option("id", o->id, "Approval id (ap_...)")->type_name("ID")->required();
    cmd->add_option("--state", o->state_dir, "State directory")->type_name("DIR");
    cmd->add_option("--by", o->by, "Who decides (default $USER)")->type_name("NAME");
  }
  return [o, list_cmd, approve_cmd, deny_cmd]() -> std::optional<int> {
    if (list_cmd->parsed()) return list(*o);
    if (approve_cmd->parsed()) return decide(*o, store::ApprovalStatus::Approved);
    if (deny_cmd->parsed()) return decide(*o, store::ApprovalStatus::Denied);
    return std::nullopt;
  };
}

}  // namespace wg::cli
