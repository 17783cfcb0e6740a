#include "agent/agent.h"

#include <boost/json/serialize.hpp>

namespace wg::agent {
namespace json = boost::json;

vfs::Limits vfs_limits_for(const Limits& limits) {
  vfs::Limits out;
  out.max_total_bytes = limits.max_bytes;
  out.max_inodes = limits.max_files + 1;  // the root is not a file
  out.max_file_size = limits.max_file_size;
  out.max_path_length = static_cast<std::uint32_t>(std::min<std::uint64_t>(limits.max_path_length, UINT32_MAX));
  return out;
}

Result<Agent> Agent::create(AgentConfig config) {
  auto fs = WG_TRY(vfs::Vfs::create(vfs_limits_for(config.limits)));
  return Agent(std::move(config), std::move(fs));
}

Agent Agent::working_copy() {
  Agent copy(config, vfs.fork());
  copy.status = status;
  copy.turn_count = turn_count;
  copy.todos = todos;
  copy.messages = messages;
  copy.usage = usage;
  copy.journal_seq = journal_seq;
  copy.updated_ms = updated_ms;
  return copy;
}

Sha256Digest Agent::state_digest() {
  json::object cfg = config_to_json(config);
  cfg.erase("id");
  cfg.erase("created");
  json::object state;
  state["config"] = std::move(cfg);
  state["status"] = to_string(status);
  state["turnCount"] = turn_count;
  state["todos"] = todos_to_json(todos);
  state["conversation"] = messages;
  // Absent until the first model reply, so digests of agents that never
  // talked to a model are those of earlier versions.
  if (usage != llm::Usage{}) {
    state["usage"] = json::object{{"inputTokens", usage.input_tokens}, {"outputTokens", usage.output_tokens}};
  }
  const std::string text = json::serialize(state);
  const auto fs_digest = vfs.digest();
  Sha256 h;
  constexpr std::string_view kDomain = "wasmgate-agent-state-v1";
  h.update(kDomain);
  h.update(std::string_view("\0", 1));
  h.update(text);
  h.update(std::string_view("\0", 1));
  h.update(std::span<const std::uint8_t>(fs_digest.data(), fs_digest.size()));
  return h.finish();
}

std::uint64_t Agent::file_count() const {
  const auto usage = vfs.usage();
  return usage.inodes > 0 ? usage.inodes - 1 : 0;
}

}  // namespace wg::agent
