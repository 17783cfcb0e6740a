#include "agent/replay.h"

#include <boost/json/serialize.hpp>

#include "agent/conversation.h"
#include "agent/export.h"
#include "agent/json_args.h"
#include "llm/config.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

Error invalid(std::string message) { return Error(ErrorCode::Invalid, std::move(message)); }

// Creates the agent an entry `create` (or the first entry of a fork's or
// import's history) describes.
Result<Agent> agent_from_create(const json::object& args) {
  const auto* config = args.if_contains("config");
  if (!config) return std::unexpected(invalid("create: args.config missing"));
  return Agent::create(WG_TRY(config_from_json(*config)));
}

Status check_message_room(const Agent& agent, std::size_t more) {
  if (agent.messages.size() + more > agent.config.limits.max_messages) {
    return std::unexpected(Error(ErrorCode::LimitExceeded,
                                 "the conversation of agent " + agent.config.id + " is full (maxMessages " +
                                     std::to_string(agent.config.limits.max_messages) +
                                     "); wasm_agent_reset clears it"));
  }
  return ok();
}

// At most kMaxToolResultBytes, cut at a UTF-8 character boundary.
std::string bounded_tool_text(std::string text) {
  if (text.size() <= kMaxToolResultBytes) return text;
  std::size_t cut = kMaxToolResultBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  const auto total = text.size();
  text.resize(cut);
  text += "\n[truncated: " + std::to_string(total - cut) + " more bytes]";
  return text;
}

Result<OpOutcome> apply_model_tool(Agent& agent, const json::object& args, std::int64_t seq, ProgramRunner* runner,
                                   std::atomic<bool>* interrupt) {
  OpOutcome out;
  llm::ToolResultBlock result;
  result.tool_use_id = WG_TRY(req_string(args, "id", "args", 256));
  const auto name = WG_TRY(req_string(args, "toolName", "args", 256));
  WG_TRY(check_message_room(agent, 1));
  const auto* input = args.if_contains("toolInput");
  if (auto denied = WG_TRY(opt_string(args, "denied", "args", 64u << 10))) {
    result.content = *denied;
    result.is_error = true;
  } else if (auto outcome = WG_TRY(opt_string(args, "outcome", "args", 64))) {
    // A run ended on wall time or an interrupt: not reproducible, and it
    // changed nothing; the model is told how it ended.
    result.content = name + " stopped: " + *outcome + "; its file changes were discarded";
    result.is_error = true;
  } else if (!input || !input->is_object()) {
    result.content = "toolInput: expected an object";
    result.is_error = true;
  } else {
    ToolEnv env{runner, RunContext{static_cast<std::uint64_t>(seq), interrupt}};
    auto ran = run_tool(agent, name, input->get_object(), env);
    if (ran) {
      result.content = bounded_tool_text(ran->text);
      result.is_error = ran->tool_error;
      out.tool = std::move(*ran);
    } else {
      result.content = ran.error().message();
      result.is_error = true;
    }
  }
  append_tool_result(agent.messages, result);
  out.tool_result = std::move(result);
  return out;
}

}  // namespace

Result<OpOutcome> apply_journal_op(Agent& agent, std::string_view op, const json::object& args, std::int64_t seq,
                                   ProgramRunner* runner, std::atomic<bool>* interrupt) {
  OpOutcome out;
  if (op == "tool") {
    const auto name = WG_TRY(req_string(args, "toolName", "args", 64));
    json::object input;
    if (const auto* in = args.if_contains("toolInput"); in && in->is_object()) input = in->get_object();
    if (const auto* outcome = args.if_contains("outcome"); outcome && outcome->is_string()) {
      // A run that ended on wall time or an interrupt changed nothing and
      // cannot be reproduced: apply it as recorded.
      ToolOutcome recorded;
      recorded.structured["status"] = outcome->get_string();
      recorded.tool_error = true;
      out.tool = std::move(recorded);
      return out;
    }
    ToolEnv env{runner, RunContext{static_cast<std::uint64_t>(seq), interrupt}};
    out.tool = WG_TRY(run_tool(agent, name, input, env));
    return out;
  }
  if (op == "prompt") {
    const auto input = WG_TRY(req_string(args, "input", "args", 1u << 20));
    WG_TRY(check_message_room(agent, 1));
    agent.messages.push_back(message_to_json(llm::Message::user_text(input)));
    return out;
  }
  if (op == "model") {
    const auto format = WG_TRY(req_string(args, "format", "args", 32));
    const auto raw = WG_TRY(req_string(args, "raw", "args", 64u << 20));
    WG_TRY(check_message_room(agent, 1));
    const auto parser = WG_TRY(llm::make_reply_parser(format));
    auto response = WG_TRY_CTX(parser->parse_reply(raw), "the recorded model reply");
    agent.messages.push_back(message_to_json(response.to_message()));
    agent.turn_count += 1;
    agent.usage.input_tokens += response.usage.input_tokens;
    agent.usage.output_tokens += response.usage.output_tokens;
    out.model = std::move(response);
    return out;
  }
  if (op == "model_tool") return apply_model_tool(agent, args, seq, runner, interrupt);
  if (op == "reset") {
    agent.messages.clear();
    agent.turn_count = 0;
    agent.status = AgentStatus::Active;
    return out;
  }
  if (op == "stop") {
    agent.status = AgentStatus::Stopped;
    return out;
  }
  if (op == "resume") {
    agent.status = AgentStatus::Active;
    return out;
  }
  if (op == "fork" || op == "import") {
    // From here on the agent has its own id (which seeds its runs; ids are
    // not part of the state digest) and, for a fork, its own name. An
    // import's state arrived with the document.
    if (auto id = WG_TRY(opt_string(args, "id", "args", 64))) agent.config.id = *id;
    if (op == "fork") {
      if (auto name = WG_TRY(opt_string(args, "name", "args", 256))) agent.config.name = *name;
    }
    return out;
  }
  return std::unexpected(invalid("unknown journal operation \"" + std::string(op) + "\""));
}

Result<ReplayReport> replay_export(const json::value& document, ProgramRunner* runner,
                                   std::optional<std::int64_t> until_seq) {
  if (!document.is_object()) return std::unexpected(invalid("expected an agent export document (a JSON object)"));
  const auto& doc = document.get_object();
  if (const auto* f = doc.if_contains("format"); !f || !f->is_string() || f->get_string() != "wasmgate.agent") {
    return std::unexpected(invalid("format: expected \"wasmgate.agent\" (a wasm_agent_export document)"));
  }
  const auto* journal_json = doc.if_contains("journal");
  if (!journal_json) return std::unexpected(invalid("journal: missing"));
  const auto journal = WG_TRY_CTX(parse_journal(*journal_json), "journal");
  if (journal.empty()) return std::unexpected(invalid("journal: empty; nothing to replay"));

  ReplayReport report;
  report.entries = journal.size();
  std::optional<Agent> agent;
  for (const auto& entry : journal) {
    if (until_seq && entry.seq > *until_seq) break;
    const auto diverge = [&](std::string what, std::string expected, std::string actual) {
      report.ok = false;
      report.seq = entry.seq;
      report.op = entry.op;
      report.what = std::move(what);
      report.expected = std::move(expected);
      report.actual = std::move(actual);
      return report;
    };
    auto args_value = parse_json_text(entry.args_json);
    if (!args_value || !args_value->is_object()) return diverge("malformed args", "a JSON object", entry.args_json);
    const auto& args = args_value->get_object();
    std::optional<ToolOutcome> tool;
    if (entry.op == "create") {
      auto created = agent_from_create(args);
      if (!created) return diverge("error", "create succeeds", created.error().message());
      agent.emplace(std::move(*created));
    } else {
      if (!agent) return diverge("order", "a create entry first", entry.op);
      auto applied = apply_journal_op(*agent, entry.op, args, entry.seq, runner);
      if (!applied) return diverge("error", "the operation succeeds", applied.error().message());
      tool = std::move(applied->tool);
    }
    const auto state = to_hex(agent->state_digest());
    if (state != entry.state_digest) return diverge("state digest", entry.state_digest, state);
    if (tool && !args.contains("outcome")) {
      const auto result = to_hex(Sha256::digest(json::serialize(tool->structured)));
      if (result != entry.result_digest) return diverge("result digest", entry.result_digest, result);
    }
    ++report.replayed;
  }
  report.ok = true;
  report.final_state_digest = agent ? to_hex(agent->state_digest()) : "";
  return report;
}

Result<Agent> rebuild_from_journal(const std::vector<store::JournalRow>& journal, ProgramRunner* runner,
                                   std::optional<std::int64_t> until_seq) {
  std::optional<Agent> agent;
  for (const auto& entry : journal) {
    if (until_seq && entry.seq > *until_seq) break;
    const auto args_value = WG_TRY_CTX(parse_json_text(entry.args_json), "journal entry " + std::to_string(entry.seq));
    if (!args_value.is_object()) return std::unexpected(invalid("journal entry " + std::to_string(entry.seq)));
    if (entry.op == "create") {
      agent.emplace(WG_TRY(agent_from_create(args_value.get_object())));
    } else if (agent) {
      WG_TRY_CTX(apply_journal_op(*agent, entry.op, args_value.get_object(), entry.seq, runner),
                 "journal entry " + std::to_string(entry.seq) + " (" + entry.op + ")");
    } else {
      return std::unexpected(invalid("journal: the first entry is not a create"));
    }
    const auto state = to_hex(agent->state_digest());
    if (state != entry.state_digest) {
      return std::unexpected(Error(ErrorCode::Internal, "journal entry " + std::to_string(entry.seq) + " (" +
                                                            entry.op + "): replay gives state " + state +
                                                            ", the journal recorded " + entry.state_digest));
    }
    agent->journal_seq = entry.seq;
  }
  if (!agent) return std::unexpected(invalid("journal: no create entry before the requested position"));
  return std::move(*agent);
}

std::string replay_report_text(const ReplayReport& report) {
  if (report.ok) {
    return "replay: " + std::to_string(report.replayed) + " of " + std::to_string(report.entries) +
           " journal entries reproduced; final state " + report.final_state_digest;
  }
  return "replay: diverged at entry " + std::to_string(report.seq) + " (" + report.op + "): " + report.what +
         "\n  recorded: " + report.expected + "\n  replayed: " + report.actual + "\n(" +
         std::to_string(report.replayed) + " earlier entries matched)";
}

json::object replay_report_to_json(const ReplayReport& report) {
  json::object o{{"ok", report.ok}, {"entries", report.entries}, {"replayed", report.replayed}};
  if (report.ok) {
    o["finalStateDigest"] = report.final_state_digest;
  } else {
    o["divergence"] = json::object{{"seq", report.seq},
                                   {"op", report.op},
                                   {"what", report.what},
                                   {"expected", report.expected},
                                   {"actual", report.actual}};
  }
  return o;
}

}  // namespace wg::agent
