// The agent service: every wasm_agent_* operation over the live agents, with
// persistence and the journal.
//
// Contract:
// - Operations take the tool's arguments as JSON (the camelCase names of the
//   MCP tools) and validate them strictly; they return a Reply (structured
//   result + readable text) or an Error (Invalid, NotFound for unknown
//   agents/templates, Denied for tools or programs an agent was not granted,
//   LimitExceeded for caps, Io when the store fails).
// - Every state change is applied to a working copy of the agent, journaled
//   (operation, arguments, result digest, resulting state digest) and
//   committed to the store in ONE transaction before the reply is returned;
//   only then does the working copy replace the live agent. A failure at any
//   step leaves the live agent and the store exactly as they were.
// - Agents survive restarts: open() restores every agent from the store and
//   checks its state digest against the one recorded with its last change.
// - Runs are deterministic: each run's clock and random seed derive from the
//   agent and its journal position, so replaying the journal reproduces it.
// Thread-safety: all methods may be called concurrently. Operations on one
// agent are serialised (a long `run` delays other calls on the same agent,
// never on other agents); stop() raises the agent's interrupt flag without
// waiting, so it ends a running guest.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent.h"
#include "agent/tools.h"
#include "base/error.h"

namespace wg::llm {
class Provider;
}
namespace wg::store {
class AgentDb;
struct JournalRow;
}
namespace wg::gallery {
class Gallery;
}

namespace wg::agent {

struct OpOutcome;  // agent/replay.h

// How a tool call the model made fared, for the policy gate's bookkeeping.
enum class ModelToolOutcome : std::uint8_t {
  Succeeded,  // the tool ran and reported success
  ToolError,  // the tool ran and reported failure (isError)
  Failed,     // the tool did not run (bad input, not granted) or the step was not saved
};

// The policy gate's answer for one tool call the model made.
struct ModelToolAdmission {
  bool allowed = true;
  std::string refusal;  // when !allowed: the text the model gets (names the rule)
  // When allowed: called exactly once with how the call fared.
  std::function<void(ModelToolOutcome)> done;
};

// What the caller of prompt() supplies besides the arguments.
struct PromptHooks {
  // A step happened or is starting ("turn 2: asking the model", "tool
  // write_file"); `step` counts up from 1 within this prompt.
  std::function<void(std::uint64_t step, std::string_view message)> progress;
  // Decides each tool call of the model before it runs (the same policy as
  // calls from MCP clients: docs/agents.md "The agent loop"). Null: no policy.
  std::function<ModelToolAdmission(std::string_view agent_id, std::string_view tool, const boost::json::value& input)>
      gate;
};

// Makes the provider for a model id ("anthropic:claude-sonnet-4-6", an alias).
using ModelProviderFactory = std::function<Result<std::unique_ptr<llm::Provider>>(std::string_view model)>;

struct ServiceOptions {
  std::size_t max_agents = 256;  // live agents, server-wide
  Limits default_limits;         // what an agent gets when nothing says otherwise
  Limits max_limits = {.fuel = 50'000'000'000,
                       .max_memory_bytes = 1ull << 30,
                       .timeout_ms = 300'000,
                       .max_output_bytes = 16ull << 20,
                       .max_files = 100'000,
                       .max_bytes = 1ull << 30,
                       .max_file_size = 256ull << 20,
                       .max_path_length = 4096,
                       .max_todos = 10'000,
                       .max_messages = 100'000};
  std::string default_model = "anthropic:claude-sonnet-4-6";
  std::function<std::int64_t()> now_ms;  // wall clock for timestamps; default: system clock
  // Model providers for wasm_agent_prompt; null: prompting explains how to
  // configure one.
  ModelProviderFactory model_provider;
  std::uint64_t default_max_tool_calls = 100;  // per prompt, unless the prompt says otherwise
};

struct Reply {
  boost::json::object structured;
  std::string text;
  bool is_error = false;  // a tool result that reports failure (e.g. a guest trapped)
};

class AgentService {
 public:
  // Restores the agents in `db`. Problems with single agents (a corrupt row,
  // a digest mismatch) do not stop the service: those agents are skipped and
  // each is described in warnings().
  static Result<std::unique_ptr<AgentService>> open(store::AgentDb& db, gallery::Gallery& gallery,
                                                    ProgramRunner* runner, ServiceOptions options = {});
  ~AgentService();

  // Written only by open(); read-only afterwards.
  const std::vector<std::string>& warnings() const { return warnings_; }
  std::size_t live_agents() const;

  // wasm_agent_create {template?, model?, instructions?, maxTurns?, name?, tools?, runtimes?, limits?, rvf?}
  // and wasm_gallery_create {template}.
  Result<Reply> create(const boost::json::object& args);
  Result<Reply> list();
  Result<Reply> terminate(const boost::json::object& args);
  // wasm_agent_tool {agentId, toolName, toolInput}
  Result<Reply> tool(const boost::json::object& args);
  // wasm_agent_run {agentId, program, args?, stdin?, env?, fuel?, timeoutMs?}
  Result<Reply> run(const boost::json::object& args);
  Result<Reply> files(const boost::json::object& args);
  Result<Reply> state(const boost::json::object& args);
  Result<Reply> todos(const boost::json::object& args);
  Result<Reply> tools(const boost::json::object& args);
  Result<Reply> turn_count(const boost::json::object& args);
  Result<Reply> is_stopped(const boost::json::object& args);
  Result<Reply> reset(const boost::json::object& args);
  Result<Reply> stop(const boost::json::object& args);
  Result<Reply> resume(const boost::json::object& args);
  Result<Reply> export_agent(const boost::json::object& args);
  // wasm_agent_import {export (object or JSON string), agentId?}
  Result<Reply> import_agent(const boost::json::object& args);
  // wasm_agent_fork {agentId, name?, atSeq?}: atSeq branches from a past
  // journal position (the agent is rebuilt by replay up to that entry).
  Result<Reply> fork(const boost::json::object& args);
  // wasm_agent_replay {agentId, untilSeq?}: re-executes the journal from the
  // creation and checks every recorded digest (agent/replay.h).
  Result<Reply> replay(const boost::json::object& args);
  // wasm_agent_journal {agentId, afterSeq?, limit?}
  Result<Reply> journal(const boost::json::object& args);
  // Raises the agent's interrupt flag (a running guest ends with
  // "interrupted") without changing its state; for MCP cancellation.
  // NotFound for an unknown agent.
  Status interrupt(std::string_view agent_id);
  // wasm_agent_prompt {agentId, input, maxToolCalls?}: the agent loop.
  // Appends the input to the conversation, then asks the agent's model with
  // its instructions, conversation and granted tools; runs each tool call
  // the model makes (after hooks.gate) and feeds the results back, until the
  // model ends its turn, the agent's maxTurns is used up, the prompt's tool
  // call budget is spent, or the agent is stopped. Every step (prompt, each
  // model reply verbatim, each tool call) is journaled and committed as it
  // happens, so a failure part-way keeps the completed steps and replay
  // reproduces them without the network. A provider failure is an Error
  // that names the provider and what was kept.
  Result<Reply> prompt(const boost::json::object& args, const PromptHooks& hooks = {});

 private:
  struct Slot {
    std::mutex mu;  // serialises operations on this agent
    Agent agent;
    std::atomic<bool> interrupt{false};
    std::atomic<int> stops_pending{0};  // stop() calls between raising `interrupt` and committing
    bool erased = false;  // guarded by mu
    explicit Slot(Agent a) : agent(std::move(a)) {}
  };
  class Locked;

  AgentService(store::AgentDb& db, gallery::Gallery& gallery, ProgramRunner* runner, ServiceOptions options);
  Status restore();
  Result<Locked> lock(const boost::json::object& args, std::string_view context = "agentId");
  Result<std::shared_ptr<Slot>> find(std::string_view id) const;
  std::string new_id();
  std::int64_t now() const;
  Result<AgentConfig> resolve_config(const boost::json::object& args);
  // Journals and commits `working` (changed by `op` from `live`), then
  // replaces `live` with it.
  Status commit(Slot& slot, Agent& working, std::string_view op, const boost::json::object& args,
                const boost::json::object& result, bool messages_replaced = false);
  // Persists a new agent (its files, messages, `history` journal rows and
  // one entry for `op`) and makes it live.
  // Applies journal operation `op` to a working copy of the slot's agent
  // and commits it. The journal digests, as the entry's result, the tool's
  // structured result, the model reply's stop reason and usage, or the
  // tool_result the model got ({} for other operations).
  Result<OpOutcome> step(Slot& slot, std::string_view op, const boost::json::object& args);
  // Commits `working`, changed by `applied` (journal operation `op`).
  Status commit_step(Slot& slot, Agent& working, std::string_view op, const boost::json::object& args,
                     const OpOutcome& applied);
  Result<Reply> add_agent(Agent agent, std::vector<store::JournalRow> history, std::string_view op,
                          const boost::json::object& journal_args, boost::json::object reply, std::string text);

  store::AgentDb& db_;
  gallery::Gallery& gallery_;
  ProgramRunner* runner_;
  ServiceOptions options_;
  std::vector<std::string> warnings_;
  mutable std::mutex map_mu_;  // guards agents_
  std::map<std::string, std::shared_ptr<Slot>, std::less<>> agents_;
};

// Export format (docs/agents.md, "Export"): version and helpers shared with
// the replay command.
inline constexpr std::string_view kExportFormat = "wasmgate.agent";
inline constexpr std::uint32_t kExportVersion = 1;

}  // namespace wg::agent
