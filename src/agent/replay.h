// Deterministic replay of an agent's journal, and the state-changing
// operations that the live service and replay share.
//
// Contract: apply_journal_op() performs one journaled operation on an agent
// exactly as the service did when it recorded it (the service calls it too,
// so there is one implementation of each operation). replay() rebuilds an
// agent from the first entry of an export's journal by re-executing every
// entry — file tools, `run` (deterministic: virtual clock, seed from the
// agent id and the entry's seq), lifecycle changes — and compares, after
// each entry, the state digest (and for tool entries the result digest)
// with the recorded ones. The first mismatch is reported with its seq,
// operation and both digests; nothing is written anywhere.
// Runs that originally ended on wall time or an interrupt are not
// reproducible by nature: the service records their outcome in the entry
// ("outcome") and replay applies them as recorded (they change no state).
// Thread-safety: pure with respect to shared state; `runner` must be
// usable from the calling thread.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "agent/agent.h"
#include "agent/tools.h"
#include "base/error.h"
#include "store/agent_db.h"

namespace wg::agent {

// Operations whose entries replay re-executes.
struct OpOutcome {
  std::optional<ToolOutcome> tool;         // "tool", and "model_tool" entries whose tool ran
  std::optional<llm::Response> model;      // "model": the recorded reply, parsed
  std::optional<llm::ToolResultBlock> tool_result;  // "model_tool": what the model gets back
};

// The model loop's entries (docs/agents.md "The agent loop"):
//   prompt      {input}                 appends the user's message
//   model       {format, raw}           appends the assistant message parsed
//                                       from the verbatim reply `raw`; one turn;
//                                       adds its token usage
//   model_tool  {id, toolName, toolInput, denied? | outcome?}
//                                       runs one tool the model asked for (not
//                                       when `denied`: the refusal is the
//                                       result) and appends its tool_result
// A tool that fails (bad input, a tool the agent lacks) gives an is_error
// result, not an Error: the model sees what went wrong.
inline constexpr std::size_t kMaxToolResultBytes = 256u << 10;  // of a tool_result's text

// Applies the entry `op`/`args` (journal form) with sequence number `seq`
// to `agent`. Errors are the operation's own (e.g. an edit that no longer
// applies) or Invalid for an unknown op or malformed args.
Result<OpOutcome> apply_journal_op(Agent& agent, std::string_view op, const boost::json::object& args,
                                   std::int64_t seq, ProgramRunner* runner, std::atomic<bool>* interrupt = nullptr);

struct ReplayReport {
  std::size_t entries = 0;    // entries in the journal
  std::size_t replayed = 0;   // entries re-executed and matching
  bool ok = false;
  // First divergence (when !ok).
  std::int64_t seq = 0;
  std::string op;
  std::string what;  // "state digest", "result digest", "error: ..."
  std::string expected;
  std::string actual;
  std::string final_state_digest;  // when ok
};

// Replays the journal of an export document (agent/export.h). Stops at the
// first divergence, or after entry `until_seq` when given. Malformed
// documents are Errors; divergences are reports.
Result<ReplayReport> replay_export(const boost::json::value& document, ProgramRunner* runner,
                                   std::optional<std::int64_t> until_seq = std::nullopt);

// The agent rebuilt by replaying `journal` up to and including `until_seq`
// (all when nullopt); an Error names the first divergence. Used by fork at
// a journal position.
Result<Agent> rebuild_from_journal(const std::vector<store::JournalRow>& journal, ProgramRunner* runner,
                                   std::optional<std::int64_t> until_seq = std::nullopt);

std::string replay_report_text(const ReplayReport& report);
boost::json::object replay_report_to_json(const ReplayReport& report);

}  // namespace wg::agent
