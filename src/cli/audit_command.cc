#include "cli/audit_command.h"

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "policy/audit_log.h"

namespace wg::cli {
namespace {

int verify(const std::vector<std::string>& files) {
  int status = 0;
  for (const auto& file : files) {
    auto report = policy::verify_audit_file(file);
    if (!report) {
      std::fprintf(stderr, "%s\n", report.error().message().c_str());
      status = 1;
    } else if (report->ok) {
      std::printf("%s: ok, %llu records, head %s\n", file.c_str(), static_cast<unsigned long long>(report->records),
                  report->head_hash.c_str());
    } else {
      std::printf("%s:%llu: %s\n", file.c_str(), static_cast<unsigned long long>(report->bad_line),
                  report->problem.c_str());
      std::printf("%s: TAMPERED at line %llu (%llu records before it verify)\n", file.c_str(),
                  static_cast<unsigned long long>(report->bad_line), static_cast<unsigned long long>(report->records));
      status = 1;
    }
  }
  std::fflush(stdout);
  return status;
}

}  // namespace

std::function<std::optional<int>()> add_audit_commands(CLI::App& audit) {
  auto files = std::make_shared<std::vector<std::string>>();
  auto* verify_cmd = audit.add_subcommand("verify", "Verify the audit log's hash chain; report the first broken line");
  verify_cmd->add_option("files", *files, "Audit logs (JSON Lines)")->type_name("FILE")->required();
  return [files, verify_cmd]() -> std::optional<int> {
    if (verify_cmd->parsed()) return verify(*files);
    return std::nullopt;
  };
}

}  // namespace wg::cli
