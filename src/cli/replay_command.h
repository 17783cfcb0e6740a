// `wasmgate replay EXPORT.json [--json] [--until SEQ] [--ruby-wasm FILE]`:
// rebuilds an agent from its export by re-executing its journal and checks
// every recorded digest (agent/replay.h).
//
// Exit codes: 0 every entry reproduced, 1 a divergence (the first one is
// printed: seq, operation, recorded and replayed digest) or an unreadable /
// malformed export, 2 usage.
#pragma once

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

namespace wg::cli {

struct ReplayArgs {
  std::string export_file;
  bool json = false;
  std::optional<std::int64_t> until;
  std::string ruby_wasm;
};

int replay_command(const ReplayArgs& args, std::FILE* out, std::FILE* err);

}  // namespace wg::cli
