// One agent's state: configuration, filesystem, todos, conversation, turn
// count and status, with the digests that the journal and exports record.
//
// Contract: an Agent is a value with a copy-on-write filesystem. The service
// changes an agent by making a working copy (working_copy(): an O(inodes)
// filesystem fork, no content copies), applying the operation to the copy,
// committing it to the store, and only then replacing the original — so a
// failed operation or a failed commit leaves the agent exactly as it was.
//
// State digest (recorded in every journal entry and in exports):
//   SHA-256("wasmgate-agent-state-v1" 0x00 || J || 0x00 || vfs digest)
// where J is the JSON serialisation of {config without id and created,
// status, turnCount, todos, conversation, and usage once a model was
// called} with keys in a fixed order. The
// id and creation time are left out so that an agent imported under a new
// id has the same state digest as its export (a fork differs from its
// origin by its name).
// Thread-safety: none; the service serialises access to each agent.
#pragma once

#include <boost/json/array.hpp>
#include <cstdint>
#include <vector>

#include "agent/types.h"
#include "base/error.h"
#include "base/sha256.h"
#include "llm/provider.h"
#include "vfs/vfs.h"

namespace wg::agent {

// The filesystem limits that enforce an agent's file caps.
vfs::Limits vfs_limits_for(const Limits& limits);

class Agent {
 public:
  // A fresh agent with an empty filesystem sized by config.limits.
  static Result<Agent> create(AgentConfig config);
  // An agent around an existing filesystem (restore, import).
  Agent(AgentConfig config, vfs::Vfs vfs) : config(std::move(config)), vfs(std::move(vfs)) {}

  Agent(Agent&&) noexcept = default;
  Agent& operator=(Agent&&) noexcept = default;

  // A copy whose filesystem is a copy-on-write fork of this one.
  Agent working_copy();

  Sha256Digest state_digest();
  std::uint64_t file_count() const;  // inodes minus the root

  AgentConfig config;
  vfs::Vfs vfs;
  AgentStatus status = AgentStatus::Active;
  std::uint32_t turn_count = 0;
  std::vector<Todo> todos;
  boost::json::array messages;  // the conversation (agent/conversation.h)
  llm::Usage usage;              // tokens of every model reply so far
  std::int64_t journal_seq = 0;  // seq of the last journal entry
  std::int64_t updated_ms = 0;
};

}  // namespace wg::agent
