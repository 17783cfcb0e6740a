#include "cli/replay_command.h"

#include <boost/json/serialize.hpp>
#include <fstream>
#include <sstream>

#include "agent/export.h"
#include "agent/programs.h"
#include "agent/replay.h"
#include "runtimes/utilities.h"

namespace wg::cli {

int replay_command(const ReplayArgs& args, std::FILE* out, std::FILE* err) {
  constexpr int kExitFailure = 1;
  std::ifstream in(args.export_file, std::ios::binary);
  if (!in) {
    std::fprintf(err, "wasmgate: replay: cannot read %s\n", args.export_file.c_str());
    return kExitFailure;
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  auto document = agent::parse_json_text(buffer.str());
  if (!document) {
    std::fprintf(err, "wasmgate: replay: %s: %s\n", args.export_file.c_str(), document.error().message().c_str());
    return kExitFailure;
  }
  agent::ProgramRunnerOptions options;
  options.ruby_wasm_path =
      args.ruby_wasm.empty() ? std::string(runtimes::default_ruby_wasm_path()) : args.ruby_wasm;
  agent::WasiProgramRunner runner(std::move(options));
  auto report = agent::replay_export(*document, &runner, args.until);
  if (!report) {
    std::fprintf(err, "wasmgate: replay: %s: %s\n", args.export_file.c_str(), report.error().message().c_str());
    return kExitFailure;
  }
  if (args.json) {
    std::fprintf(out, "%s\n", boost::json::serialize(agent::replay_report_to_json(*report)).c_str());
  } else {
    std::fprintf(out, "%s\n", agent::replay_report_text(*report).c_str());
  }
  return report->ok ? 0 : kExitFailure;
}

}  // namespace wg::cli
