#include "agent/service.h"

#include <sys/random.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>

#include "agent/conversation.h"
#include "agent/export.h"
#include "agent/json_args.h"
#include "agent/replay.h"
#include "base/base64.h"
#include "gallery/gallery.h"
#include "gallery/rvf.h"
#include "llm/provider.h"
#include "store/agent_db.h"
#include "vfs/tree_ops.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

Error invalid(std::string message) { return Error(ErrorCode::Invalid, std::move(message)); }

std::string hex(const Sha256Digest& d) { return to_hex(d); }

// Agent file rows for the paths that differ between two snapshots.
void file_changes(const vfs::Snapshot& before, const vfs::Snapshot& after, store::AgentChange& change) {
  for (const auto& c : vfs::diff(before, after)) {
    if (c.kind == vfs::Change::Kind::Removed) {
      change.delete_files.push_back(c.path);
      continue;
    }
    if (c.kind == vfs::Change::Kind::Modified) change.delete_files.push_back(c.path);  // type may have changed
    store::FileRow row;
    row.path = c.path;
    auto ino = after.lookup(c.path, vfs::Follow::No);
    if (!ino) continue;  // cannot happen: diff reported it present
    if (c.type == vfs::FileType::Directory) {
      row.type = 2;
    } else {
      row.type = c.type == vfs::FileType::Symlink ? 3 : 1;
      auto data = after.contents(*ino);
      if (data) row.content = std::string(*data);
    }
    change.put_files.push_back(std::move(row));
  }
}

store::AgentRow agent_row(Agent& agent, const std::string& state_digest) {
  store::AgentRow row;
  row.id = agent.config.id;
  row.config_json = json::serialize(config_to_json(agent.config));
  row.status = std::string(to_string(agent.status));
  row.turn_count = agent.turn_count;
  row.todos_json = json::serialize(todos_to_json(agent.todos));
  row.created_ms = agent.config.created_ms;
  row.updated_ms = agent.updated_ms;
  row.journal_seq = agent.journal_seq;
  row.state_digest = state_digest;
  row.usage_json = json::serialize(usage_to_json(agent.usage));
  return row;
}

json::object agent_summary(Agent& agent) {
  json::object s;
  s["agentId"] = agent.config.id;
  s["name"] = agent.config.name;
  s["template"] = agent.config.template_id;
  s["model"] = agent.config.model;
  s["status"] = to_string(agent.status);
  s["turnCount"] = agent.turn_count;
  s["maxTurns"] = agent.config.max_turns;
  s["fileCount"] = agent.file_count();
  s["bytes"] = agent.vfs.usage().bytes;
  s["created"] = agent.config.created_ms;
  s["updated"] = agent.updated_ms;
  return s;
}

std::string agent_line(Agent& agent) {
  return agent.config.id + "  " + (agent.config.name.empty() ? "-" : agent.config.name) + "  template=" +
         (agent.config.template_id.empty() ? "-" : agent.config.template_id) + "  " +
         std::string(to_string(agent.status)) + "  turns=" + std::to_string(agent.turn_count) + "/" +
         std::to_string(agent.config.max_turns) + "  files=" + std::to_string(agent.file_count());
}

std::string usage_line(const llm::Usage& u) {
  return std::to_string(u.input_tokens) + " input / " + std::to_string(u.output_tokens) + " output tokens";
}

// How a `run` ended when replay cannot reproduce it (wall time, an
// interrupt): "deadline_exceeded" or "interrupted"; nullopt otherwise.
std::optional<std::string> unreproducible_outcome(std::string_view tool, const ToolOutcome& outcome) {
  const auto* status = outcome.structured.if_contains("status");
  if (tool != "run" || !status || !status->is_string()) return std::nullopt;
  if (status->get_string() != "deadline_exceeded" && status->get_string() != "interrupted") return std::nullopt;
  return std::string(status->get_string());
}

Reply reply(json::object structured, std::string text) {
  Reply r;
  r.structured = std::move(structured);
  r.text = std::move(text);
  return r;
}

// Message rows for messages[from..] (seq = position + 1).
void append_messages(store::AgentChange& change, const json::array& messages, std::size_t from) {
  for (std::size_t i = from; i < messages.size(); ++i) {
    change.append_messages.push_back({static_cast<std::int64_t>(i + 1), json::serialize(messages[i])});
  }
}

// The journal entry of an operation that left `agent` in state `state`.
store::JournalRow journal_entry(const Agent& agent, std::string_view op, const json::object& args,
                                const json::object& result, const std::string& state) {
  store::JournalRow entry;
  entry.seq = agent.journal_seq;
  entry.op = std::string(op);
  entry.args_json = json::serialize(args);
  entry.result_digest = hex(Sha256::digest(json::serialize(result)));
  entry.state_digest = state;
  entry.time_ms = agent.updated_ms;
  return entry;
}

}  // namespace

// A looked-up agent with its mutex held.
class AgentService::Locked {
 public:
  Locked(std::shared_ptr<Slot> slot) : slot_(std::move(slot)), lock_(slot_->mu) {}
  Slot& slot() { return *slot_; }
  Agent& agent() { return slot_->agent; }

 private:
  std::shared_ptr<Slot> slot_;
  std::unique_lock<std::mutex> lock_;
};

AgentService::AgentService(store::AgentDb& db, gallery::Gallery& gallery, ProgramRunner* runner,
                           ServiceOptions options)
    : db_(db), gallery_(gallery), runner_(runner), options_(std::move(options)) {}

AgentService::~AgentService() = default;

Result<std::unique_ptr<AgentService>> AgentService::open(store::AgentDb& db, gallery::Gallery& gallery,
                                                         ProgramRunner* runner, ServiceOptions options) {
  std::unique_ptr<AgentService> service(new AgentService(db, gallery, runner, std::move(options)));
  WG_TRY(service->restore());
  return service;
}

std::int64_t AgentService::now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string AgentService::new_id() {
  for (;;) {
    std::uint8_t bytes[8] = {};
    std::size_t got = 0;
    while (got < sizeof bytes) {
      const auto n = getrandom(bytes + got, sizeof bytes - got, 0);
      if (n > 0) got += static_cast<std::size_t>(n);
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id = "agt_";
    for (auto b : bytes) {
      id += kHex[b >> 4];
      id += kHex[b & 15];
    }
    std::lock_guard lock(map_mu_);
    if (!agents_.contains(id)) return id;
  }
}

std::size_t AgentService::live_agents() const {
  std::lock_guard lock(map_mu_);
  return agents_.size();
}

Status AgentService::restore() {
  auto rows = WG_TRY_CTX(db_.load_agents(), "loading agents");
  for (const auto& row : rows) {
    auto restored = [&]() -> Result<Agent> {
      auto config_json = WG_TRY_CTX(parse_json_text(row.config_json), "config");
      auto config = WG_TRY(config_from_json(config_json));
      auto files = WG_TRY(db_.load_files(row.id));
      auto fs = WG_TRY_CTX(vfs_from_rows(files, config.limits), "files");
      Agent agent(std::move(config), std::move(fs));
      agent.status = WG_TRY(status_from_string(row.status));
      agent.turn_count = static_cast<std::uint32_t>(row.turn_count);
      agent.todos = WG_TRY(todos_from_json(WG_TRY_CTX(parse_json_text(row.todos_json), "todos"), UINT64_MAX));
      for (const auto& m : WG_TRY(db_.load_messages(row.id))) {
        agent.messages.push_back(WG_TRY_CTX(parse_json_text(m.json), "message " + std::to_string(m.seq)));
      }
      agent.journal_seq = row.journal_seq;
      agent.updated_ms = row.updated_ms;
      if (row.usage_json != "{}") {
        agent.usage = WG_TRY_CTX(usage_from_json(WG_TRY_CTX(parse_json_text(row.usage_json), "usage")), "usage");
      }
      const auto digest = hex(agent.state_digest());
      if (digest != row.state_digest) {
        return std::unexpected(Error(ErrorCode::Internal, "state digest " + digest +
                                                              " differs from the recorded " + row.state_digest));
      }
      return agent;
    }();
    if (!restored) {
      warnings_.push_back("agent " + row.id + " not restored: " + restored.error().message());
      continue;
    }
    agents_.emplace(row.id, std::make_shared<Slot>(std::move(*restored)));
  }
  return ok();
}

Result<std::shared_ptr<AgentService::Slot>> AgentService::find(std::string_view id) const {
  std::lock_guard lock(map_mu_);
  auto it = agents_.find(id);
  if (it == agents_.end()) {
    return std::unexpected(Error(ErrorCode::NotFound, "agentId: no agent \"" + std::string(id) +
                                                          "\" (wasm_agent_list shows the live agents)"));
  }
  return it->second;
}

Result<AgentService::Locked> AgentService::lock(const json::object& args, std::string_view context) {
  const auto id = WG_TRY(req_string(args, "agentId", "", 64));
  WG_TRY(validate_identifier(id, context));
  auto slot = WG_TRY(find(id));
  Locked locked(std::move(slot));
  if (locked.slot().erased) {
    return std::unexpected(Error(ErrorCode::NotFound, "agentId: agent \"" + id + "\" was terminated"));
  }
  return locked;
}

Status AgentService::commit(Slot& slot, Agent& working, std::string_view op, const json::object& args,
                            const json::object& result, bool messages_replaced) {
  Agent& live = slot.agent;
  working.journal_seq = live.journal_seq + 1;
  working.updated_ms = now();
  const auto state = hex(working.state_digest());
  store::AgentChange change;
  change.agent_id = working.config.id;
  file_changes(live.vfs.snapshot(), working.vfs.snapshot(), change);
  change.clear_messages = messages_replaced || working.messages.size() < live.messages.size();
  append_messages(change, working.messages, change.clear_messages ? 0 : live.messages.size());
  change.journal.push_back(journal_entry(working, op, args, result, state));
  change.upsert = agent_row(working, state);
  WG_TRY_CTX(db_.apply(change), "saving agent " + working.config.id);
  live = std::move(working);
  return ok();
}

Result<AgentConfig> AgentService::resolve_config(const json::object& args) {
  WG_TRY(check_keys(args, {"template", "model", "instructions", "maxTurns", "name", "tools", "runtimes", "limits",
                           "rvf"},
                    ""));
  AgentConfig config;
  config.model = options_.default_model;
  config.tools = builtin_tool_names();
  config.limits = options_.default_limits;
  std::optional<gallery::Template> tmpl;
  const auto template_id = WG_TRY(opt_string(args, "template", "", 64));
  const auto rvf = WG_TRY(opt_string(args, "rvf", "", 16u << 20));
  if (template_id && rvf) return std::unexpected(invalid("pass either template or rvf, not both"));
  if (template_id) {
    WG_TRY(validate_identifier(*template_id, "template"));
    tmpl = WG_TRY(gallery_.effective(*template_id));
  } else if (rvf) {
    const auto bytes = WG_TRY_CTX(base64_decode(*rvf), "rvf");
    const std::span<const std::uint8_t> view(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    const auto contents = WG_TRY_CTX(gallery::decode_rvf(view), "rvf");
    tmpl = WG_TRY_CTX(gallery::template_from_rvf(contents), "rvf");
  }
  if (tmpl) {
    config.template_id = tmpl->id;
    config.name = tmpl->name;
    if (!tmpl->model.empty()) config.model = tmpl->model;
    config.instructions = tmpl->instructions;
    if (tmpl->max_turns > 0) config.max_turns = tmpl->max_turns;
    if (!tmpl->tools.empty()) config.tools = tmpl->tools;
    config.runtimes = tmpl->runtimes;
    config.limits = with_template_limits(config.limits, tmpl->limits);
  }
  if (auto v = WG_TRY(opt_string(args, "name", "", 256))) config.name = *v;
  if (auto v = WG_TRY(opt_string(args, "model", "", 256))) {
    if (v->empty()) return std::unexpected(invalid("model: must not be empty"));
    config.model = *v;
  }
  if (auto v = WG_TRY(opt_string(args, "instructions", "", 64u << 10))) config.instructions = *v;
  if (auto v = WG_TRY(opt_uint(args, "maxTurns", "", 1, 10000))) config.max_turns = static_cast<std::uint32_t>(*v);
  if (auto v = WG_TRY(opt_strings(args, "tools", "", 64, 64))) {
    for (const auto& t : *v) {
      if (!is_builtin_tool(t)) return std::unexpected(invalid("tools: unknown built-in tool \"" + t + "\""));
    }
    config.tools = *v;
  }
  if (auto v = WG_TRY(opt_strings(args, "runtimes", "", 64, 64))) config.runtimes = *v;
  if (const auto* l = args.if_contains("limits"); l && !l->is_null()) {
    config.limits = WG_TRY(limits_from_json(*l, config.limits));
  }
  config.limits = clamp_limits(config.limits, options_.max_limits);
  std::sort(config.tools.begin(), config.tools.end());
  config.tools.erase(std::unique(config.tools.begin(), config.tools.end()), config.tools.end());
  return config;
}

Result<Reply> AgentService::add_agent(Agent agent, std::vector<store::JournalRow> history, std::string_view op,
                                      const json::object& journal_args, json::object structured, std::string text) {
  std::lock_guard lock(map_mu_);
  if (agents_.size() >= options_.max_agents) {
    return std::unexpected(Error(ErrorCode::LimitExceeded, "this server already holds " +
                                                               std::to_string(agents_.size()) +
                                                               " agents (the limit); terminate one first"));
  }
  if (agents_.contains(agent.config.id)) {
    return std::unexpected(invalid("agentId: \"" + agent.config.id + "\" is already taken"));
  }
  agent.journal_seq = (history.empty() ? 0 : history.back().seq) + 1;
  agent.updated_ms = now();
  const auto state = hex(agent.state_digest());
  store::AgentChange change;
  change.agent_id = agent.config.id;
  change.replace_files = true;
  change.put_files = rows_from_snapshot(agent.vfs.snapshot());
  change.clear_messages = true;
  append_messages(change, agent.messages, 0);
  change.journal = std::move(history);
  change.journal.push_back(journal_entry(agent, op, journal_args, structured, state));
  change.upsert = agent_row(agent, state);
  WG_TRY_CTX(db_.apply(change), "saving agent " + agent.config.id);
  structured["stateDigest"] = state;
  structured["updated"] = agent.updated_ms;
  std::string id = agent.config.id;  // not agent.config.id: the Slot is built from a moved agent
  agents_.emplace(std::move(id), std::make_shared<Slot>(std::move(agent)));
  return reply(std::move(structured), std::move(text));
}

Result<Reply> AgentService::create(const json::object& args) {
  auto config = WG_TRY(resolve_config(args));
  config.id = new_id();
  config.created_ms = now();
  auto agent = WG_TRY(Agent::create(config));
  std::optional<std::string> active_warning;
  if (!config.template_id.empty()) {
    if (auto st = gallery_.set_active(config.template_id); !st) {
      active_warning = "the agent was created, but the active template could not be recorded: " + st.error().message();
    }
  }
  json::object structured = agent_summary(agent);
  structured["config"] = config_to_json(config);
  if (active_warning) structured["warning"] = *active_warning;
  std::string text = "Created agent " + config.id +
                     (config.template_id.empty() ? "" : " from template " + config.template_id) + " (model " +
                     config.model + ", maxTurns " + std::to_string(config.max_turns) + ")";
  // The journal records the resolved configuration: replay must not depend
  // on the gallery as it is at replay time.
  json::object journal_args{{"config", config_to_json(config)}};
  return add_agent(std::move(agent), {}, "create", journal_args, std::move(structured), std::move(text));
}

Result<Reply> AgentService::list() {
  std::vector<std::pair<std::string, std::shared_ptr<Slot>>> slots;
  {
    std::lock_guard lock(map_mu_);
    for (const auto& [id, slot] : agents_) slots.emplace_back(id, slot);
  }
  json::array agents;
  std::string text;
  for (const auto& [id, slot] : slots) {
    // An agent in the middle of an operation (a run may take its whole
    // timeout) is listed as busy rather than making the listing wait.
    std::unique_lock lock(slot->mu, std::try_to_lock);
    if (!lock.owns_lock()) {
      agents.push_back(json::object{{"agentId", id}, {"busy", true}});
      text += id + "  (busy: an operation is in progress)\n";
      continue;
    }
    if (slot->erased) continue;
    agents.push_back(agent_summary(slot->agent));
    text += agent_line(slot->agent) + "\n";
  }
  const auto count = agents.size();
  if (count == 0) text = "No agents. Create one with wasm_agent_create or wasm_gallery_create.";
  return reply(json::object{{"agents", std::move(agents)}, {"count", count}}, std::move(text));
}

Result<Reply> AgentService::terminate(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  const std::string id = locked.agent().config.id;
  locked.slot().interrupt.store(true);
  store::AgentChange change;
  change.agent_id = id;
  change.erase = true;
  WG_TRY_CTX(db_.apply(change), "deleting agent " + id);
  locked.slot().erased = true;
  {
    std::lock_guard lock(map_mu_);
    agents_.erase(id);
  }
  return reply(json::object{{"agentId", id}, {"terminated", true}}, "Terminated agent " + id);
}

Result<Reply> AgentService::tool(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId", "toolName", "toolInput"}, ""));
  const auto name = WG_TRY(req_string(args, "toolName", "", 64));
  WG_TRY(validate_identifier(name, "toolName"));
  json::object input;
  if (const auto* in = args.if_contains("toolInput"); in && !in->is_null()) {
    if (!in->is_object()) return std::unexpected(invalid("toolInput: expected an object"));
    input = in->get_object();
  }
  auto locked = WG_TRY(lock(args));
  Agent& live = locked.agent();
  if (is_read_only_tool(name)) {
    // Reads need no working copy; they change nothing that is persisted.
    auto outcome = WG_TRY(run_tool(live, name, input, ToolEnv{runner_, {}}));
    Reply r = reply(std::move(outcome.structured), std::move(outcome.text));
    r.is_error = outcome.tool_error;
    return r;
  }
  if (live.status == AgentStatus::Stopped) {
    return std::unexpected(Error(ErrorCode::Denied, "agent " + live.config.id +
                                                        " is stopped; wasm_agent_resume it before changing it"));
  }
  Agent working = live.working_copy();
  locked.slot().interrupt.store(false);
  if (locked.slot().stops_pending.load() > 0) {
    return std::unexpected(Error(ErrorCode::Denied, "agent " + live.config.id + " is being stopped"));
  }
  json::object journal_args{{"toolName", name}, {"toolInput", input}};
  auto applied = WG_TRY(apply_journal_op(working, "tool", journal_args, live.journal_seq + 1, runner_,
                                         &locked.slot().interrupt));
  ToolOutcome outcome = std::move(*applied.tool);
  // Runs ended by wall time or an interrupt cannot be reproduced: the
  // journal records how they ended so that replay applies them as they were.
  if (auto ended = unreproducible_outcome(name, outcome)) journal_args["outcome"] = *ended;
  WG_TRY(commit(locked.slot(), working, "tool", journal_args, outcome.structured));
  Reply r = reply(std::move(outcome.structured), std::move(outcome.text));
  r.is_error = outcome.tool_error;
  return r;
}

Result<Reply> AgentService::run(const json::object& args) {
  json::object input = args;
  input.erase("agentId");
  json::object tool_args{{"agentId", args.contains("agentId") ? args.at("agentId") : json::value(nullptr)},
                         {"toolName", "run"},
                         {"toolInput", std::move(input)}};
  if (!args.contains("agentId")) return std::unexpected(invalid("agentId: missing (a string is required)"));
  return tool(tool_args);
}

Result<Reply> AgentService::files(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId", "path"}, ""));
  auto locked = WG_TRY(lock(args));
  json::object input;
  if (const auto* p = args.if_contains("path")) input["path"] = *p;
  Agent& agent = locked.agent();
  // Listing is always allowed here, whatever the template grants the model.
  AgentConfig saved = agent.config;
  agent.config.tools = {"list_files"};
  auto outcome = run_tool(agent, "list_files", input, ToolEnv{});
  agent.config = std::move(saved);
  if (!outcome) return std::unexpected(outcome.error());
  outcome->structured["agentId"] = agent.config.id;
  outcome->structured["fileCount"] = agent.file_count();
  outcome->structured["turnCount"] = agent.turn_count;
  return reply(std::move(outcome->structured), std::move(outcome->text));
}

Result<Reply> AgentService::state(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent& agent = locked.agent();
  json::object s = agent_summary(agent);
  s["config"] = config_to_json(agent.config);
  s["isStopped"] = agent.status == AgentStatus::Stopped || agent.turn_count >= agent.config.max_turns;
  s["todos"] = todos_to_json(agent.todos);
  s["messages"] = agent.messages;
  s["usage"] = usage_to_json(agent.usage);
  s["journalSeq"] = agent.journal_seq;
  s["vfsDigest"] = hex(agent.vfs.digest());
  s["stateDigest"] = hex(agent.state_digest());
  std::string text = agent_line(agent) + "\nmessages: " + std::to_string(agent.messages.size()) +
                     ", todos: " + std::to_string(agent.todos.size()) + ", tokens: " + usage_line(agent.usage) +
                     ", journal: " +
                     std::to_string(agent.journal_seq) + " entries\nstate digest " + s["stateDigest"].as_string().c_str();
  return reply(std::move(s), std::move(text));
}

Result<Reply> AgentService::todos(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent& agent = locked.agent();
  std::string text;
  for (const auto& t : agent.todos) text += "[" + t.status + "] " + t.content + "\n";
  if (agent.todos.empty()) text = "No todos.";
  return reply(json::object{{"agentId", agent.config.id}, {"todos", todos_to_json(agent.todos)},
                            {"count", agent.todos.size()}},
               std::move(text));
}

Result<Reply> AgentService::tools(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent& agent = locked.agent();
  json::array specs;
  std::string text;
  for (const auto& name : agent.config.tools) {
    auto spec = builtin_tool_spec(name);
    text += name + ": " + std::string(spec["description"].as_string()) + "\n";
    specs.push_back(std::move(spec));
  }
  json::array programs;
  if (runner_) {
    for (const auto& p : runner_->programs_for(agent.config)) programs.emplace_back(p);
  }
  text += "programs for run: ";
  for (const auto& p : programs) text += std::string(p.as_string()) + " ";
  return reply(json::object{{"agentId", agent.config.id}, {"tools", std::move(specs)}, {"programs", std::move(programs)}},
               std::move(text));
}

Result<Reply> AgentService::turn_count(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent& agent = locked.agent();
  return reply(json::object{{"agentId", agent.config.id}, {"turnCount", agent.turn_count},
                            {"maxTurns", agent.config.max_turns}},
               std::to_string(agent.turn_count) + " of " + std::to_string(agent.config.max_turns) + " turns used");
}

Result<Reply> AgentService::is_stopped(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent& agent = locked.agent();
  const bool by_status = agent.status == AgentStatus::Stopped;
  const bool by_turns = agent.turn_count >= agent.config.max_turns;
  std::string reason = by_status ? "stopped" : (by_turns ? "maxTurns reached" : "");
  return reply(json::object{{"agentId", agent.config.id},
                            {"isStopped", by_status || by_turns},
                            {"reason", reason.empty() ? json::value(nullptr) : json::value(reason)}},
               by_status || by_turns ? "Stopped (" + reason + ")" : "Not stopped");
}

Result<Reply> AgentService::reset(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent working = locked.agent().working_copy();
  WG_TRY(apply_journal_op(working, "reset", json::object{}, 0, nullptr));
  json::object result{{"agentId", working.config.id}, {"reset", true}};
  WG_TRY(commit(locked.slot(), working, "reset", json::object{}, result, true));
  return reply(std::move(result), "Reset agent " + locked.agent().config.id +
                                      ": conversation and turn count cleared (files and todos kept)");
}

Result<Reply> AgentService::stop(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  // Raise the interrupt before taking the agent's lock: a running guest
  // holds it and ends at its next loop head or call. The stop is announced
  // first, then the flag raised: a change that takes the lock in between
  // sees the announcement and refuses (see tool()).
  const auto id = WG_TRY(req_string(args, "agentId", "", 64));
  WG_TRY(validate_identifier(id, "agentId"));
  const auto slot = WG_TRY(find(id));
  slot->stops_pending.fetch_add(1);
  slot->interrupt.store(true);
  struct Announced {
    std::shared_ptr<Slot> slot;
    ~Announced() { slot->stops_pending.fetch_sub(1); }
  } announced{slot};
  auto locked = WG_TRY(lock(args));
  Agent working = locked.agent().working_copy();
  WG_TRY(apply_journal_op(working, "stop", json::object{}, 0, nullptr));
  json::object result{{"agentId", working.config.id}, {"status", "stopped"}};
  WG_TRY(commit(locked.slot(), working, "stop", json::object{}, result));
  return reply(std::move(result), "Stopped agent " + locked.agent().config.id);
}

Result<Reply> AgentService::resume(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  locked.slot().interrupt.store(false);
  Agent working = locked.agent().working_copy();
  WG_TRY(apply_journal_op(working, "resume", json::object{}, 0, nullptr));
  json::object result{{"agentId", working.config.id}, {"status", "active"}};
  WG_TRY(commit(locked.slot(), working, "resume", json::object{}, result));
  return reply(std::move(result), "Resumed agent " + locked.agent().config.id);
}

Result<Reply> AgentService::export_agent(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId"}, ""));
  auto locked = WG_TRY(lock(args));
  Agent& agent = locked.agent();
  auto journal = WG_TRY(db_.load_journal(agent.config.id));
  json::object doc = export_to_json(agent, journal);
  const auto size = json::serialize(doc).size();
  std::string text = "Exported agent " + agent.config.id + ": " + std::to_string(agent.file_count()) + " files, " +
                     std::to_string(agent.messages.size()) + " messages, " + std::to_string(journal.size()) +
                     " journal entries (" + std::to_string(size) + " bytes of JSON in structuredContent)";
  return reply(std::move(doc), std::move(text));
}

Result<Reply> AgentService::import_agent(const json::object& args) {
  WG_TRY(check_keys(args, {"export", "agentId"}, ""));
  const auto* doc = args.if_contains("export");
  if (!doc) return std::unexpected(invalid("export: missing (the structuredContent of wasm_agent_export)"));
  json::value parsed;
  if (doc->is_string()) {
    parsed = WG_TRY_CTX(parse_json_text(doc->get_string()), "export");
    doc = &parsed;
  }
  auto imported = WG_TRY_CTX(import_from_json(*doc, options_.max_limits), "export");
  Agent& agent = imported.agent;
  if (auto id = WG_TRY(opt_string(args, "agentId", "", 64))) {
    WG_TRY(validate_identifier(*id, "agentId"));
    agent.config.id = *id;
  } else {
    std::lock_guard lock(map_mu_);
    if (agents_.contains(agent.config.id)) agent.config.id.clear();
  }
  if (agent.config.id.empty()) agent.config.id = new_id();
  json::object structured = agent_summary(agent);
  structured["importedFrom"] = imported.original_id;
  structured["vfsDigest"] = hex(agent.vfs.digest());
  std::string text = "Imported agent " + agent.config.id + " (" + std::to_string(agent.file_count()) +
                     " files; file, state and journal digests verified)";
  // The imported journal stays the agent's history; one "import" entry
  // follows it.
  json::object journal_args{{"from", imported.original_id},
                            {"id", agent.config.id},
                            {"stateDigest", hex(agent.state_digest())}};
  return add_agent(std::move(agent), std::move(imported.journal), "import", journal_args, std::move(structured),
                   std::move(text));
}

Result<Reply> AgentService::fork(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId", "name", "atSeq"}, ""));
  const auto name = WG_TRY(opt_string(args, "name", "", 256));
  const auto at_seq = WG_TRY(opt_uint(args, "atSeq", "", 1, INT64_MAX));
  std::optional<Agent> copy;
  std::vector<store::JournalRow> history;
  {
    auto locked = WG_TRY(lock(args));
    history = WG_TRY(db_.load_journal(locked.agent().config.id));
    if (at_seq && static_cast<std::int64_t>(*at_seq) > locked.agent().journal_seq) {
      return std::unexpected(invalid("atSeq: no journal entry " + std::to_string(*at_seq) + "; the last is " +
                                     std::to_string(locked.agent().journal_seq) + " (see wasm_agent_journal)"));
    }
    if (!at_seq || static_cast<std::int64_t>(*at_seq) == locked.agent().journal_seq) {
      copy.emplace(locked.agent().working_copy());
    } else {
      // A branch from a past step: rebuild the agent by replaying its
      // journal up to that entry (every digest is checked on the way).
      std::erase_if(history, [&](const store::JournalRow& row) { return row.seq > static_cast<std::int64_t>(*at_seq); });
      if (history.empty() || history.back().seq != static_cast<std::int64_t>(*at_seq)) {
        return std::unexpected(invalid("atSeq: no journal entry " + std::to_string(*at_seq) + " (see wasm_agent_journal)"));
      }
      copy.emplace(WG_TRY_CTX(rebuild_from_journal(history, runner_), "atSeq"));
      copy->config.id = locked.agent().config.id;
    }
  }
  const std::string source_id = copy->config.id;
  copy->config.id = new_id();
  copy->config.created_ms = now();
  copy->config.name = name ? *name : (copy->config.name.empty() ? "fork of " + source_id : copy->config.name + " (fork)");
  json::object structured = agent_summary(*copy);
  structured["forkedFrom"] = source_id;
  if (at_seq) structured["atSeq"] = history.empty() ? 0 : history.back().seq;
  const std::string text = "Forked " + source_id + (at_seq ? " at journal entry " + std::to_string(*at_seq) : "") +
                           " into " + copy->config.id + " (copy-on-write: no file was copied)";
  json::object journal_args{{"from", source_id}, {"id", copy->config.id}, {"name", copy->config.name}};
  // The fork keeps its origin's journal (up to the branch point) as history,
  // then records the fork.
  return add_agent(std::move(*copy), std::move(history), "fork", journal_args, std::move(structured), text);
}

Result<Reply> AgentService::replay(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId", "untilSeq"}, ""));
  const auto until = WG_TRY(opt_uint(args, "untilSeq", "", 1, INT64_MAX));
  json::value document;
  {
    auto locked = WG_TRY(lock(args));
    auto journal = WG_TRY(db_.load_journal(locked.agent().config.id));
    document = export_to_json(locked.agent(), journal);
  }
  // Replay runs on a copy of the document, outside the agent's lock.
  auto report = WG_TRY(replay_export(document, runner_,
                                     until ? std::optional<std::int64_t>(static_cast<std::int64_t>(*until))
                                           : std::nullopt));
  Reply r = reply(replay_report_to_json(report), replay_report_text(report));
  r.is_error = !report.ok;
  return r;
}

Result<Reply> AgentService::journal(const json::object& args) {
  WG_TRY(check_keys(args, {"agentId", "afterSeq", "limit"}, ""));
  const auto after = WG_TRY(opt_uint(args, "afterSeq", "", 0, INT64_MAX)).value_or(0);
  const auto limit = WG_TRY(opt_uint(args, "limit", "", 1, 10000)).value_or(100);
  auto locked = WG_TRY(lock(args));
  const std::string id = locked.agent().config.id;
  auto rows = WG_TRY(db_.load_journal(id, static_cast<std::int64_t>(after), limit));
  json::array entries;
  std::string text;
  for (const auto& row : rows) {
    entries.push_back(journal_entry_to_json(row));
    text += std::to_string(row.seq) + "  " + row.op + "  state " + row.state_digest.substr(0, 12) + "\n";
  }
  if (rows.empty()) text = "No journal entries after " + std::to_string(after);
  return reply(json::object{{"agentId", id}, {"entries", std::move(entries)}, {"count", rows.size()},
                            {"lastSeq", locked.agent().journal_seq}},
               std::move(text));
}

Status AgentService::interrupt(std::string_view agent_id) {
  auto slot = WG_TRY(find(agent_id));
  slot->interrupt.store(true);
  return ok();
}

Result<OpOutcome> AgentService::step(Slot& slot, std::string_view op, const json::object& args) {
  Agent working = slot.agent.working_copy();
  auto applied = WG_TRY(apply_journal_op(working, op, args, slot.agent.journal_seq + 1, runner_, &slot.interrupt));
  WG_TRY(commit_step(slot, working, op, args, applied));
  return applied;
}

Status AgentService::commit_step(Slot& slot, Agent& working, std::string_view op, const json::object& args,
                                 const OpOutcome& applied) {
  json::object result;
  if (applied.tool) {
    result = applied.tool->structured;
  } else if (applied.model) {
    result = json::object{{"stopReason", llm::to_string(applied.model->stop_reason)},
                          {"usage", usage_to_json(applied.model->usage)}};
  } else if (applied.tool_result) {
    result = json::object{{"isError", applied.tool_result->is_error}, {"content", applied.tool_result->content}};
  }
  return commit(slot, working, op, args, result);
}

namespace {

// The tool definitions the model gets: the agent's granted built-ins.
std::vector<llm::ToolDefinition> model_tools(const AgentConfig& config, ProgramRunner* runner) {
  std::vector<llm::ToolDefinition> out;
  for (const auto& name : config.tools) {
    if (name == "run" && !runner) continue;
    auto spec = builtin_tool_spec(name);
    llm::ToolDefinition def;
    def.name = name;
    def.description = std::string(spec["description"].as_string());
    if (name == "run") {
      std::string programs;
      for (const auto& p : runner->programs_for(config)) programs += (programs.empty() ? "" : ", ") + p;
      def.description += " Programs: " + (programs.empty() ? std::string("none granted") : programs) +
                         ", or the path of a .wasm file in your filesystem.";
    }
    def.input_schema = spec["inputSchema"];
    out.push_back(std::move(def));
  }
  return out;
}

}  // namespace

Result<Reply> AgentService::prompt(const json::object& args, const PromptHooks& hooks) {
  WG_TRY(check_keys(args, {"agentId", "input", "maxToolCalls"}, ""));
  const auto input = WG_TRY(req_string(args, "input", "", 1u << 20));
  if (input.empty()) return std::unexpected(invalid("input: must not be empty"));
  const auto max_tool_calls =
      WG_TRY(opt_uint(args, "maxToolCalls", "", 0, 10000)).value_or(options_.default_max_tool_calls);
  auto locked = WG_TRY(lock(args));
  Slot& slot = locked.slot();
  Agent& agent = locked.agent();  // the live agent; each step replaces it
  const std::string id = agent.config.id;
  if (agent.status == AgentStatus::Stopped) {
    return std::unexpected(Error(ErrorCode::Denied, "agent " + id + " is stopped; wasm_agent_resume it first"));
  }
  if (agent.turn_count >= agent.config.max_turns) {
    return std::unexpected(Error(ErrorCode::LimitExceeded,
                                 "agent " + id + " has used all " + std::to_string(agent.config.max_turns) +
                                     " turns (maxTurns); wasm_agent_reset clears its conversation and turn count"));
  }
  if (!options_.model_provider) {
    return std::unexpected(Error(ErrorCode::Unsupported,
                                 "no model provider is configured in this server, so agent " + id +
                                     " cannot be prompted: set ANTHROPIC_API_KEY (or OPENAI_API_KEY, ...) or pass "
                                     "--llm-config FILE to wasmgate serve (docs/llm.md); its tools work without a "
                                     "model through wasm_agent_tool and wasm_agent_run"));
  }
  WG_TRY_CTX(conversation_for_model(agent.messages), "agent " + id);
  const auto provider = WG_TRY_CTX(options_.model_provider(agent.config.model), "agent " + id);
  slot.interrupt.store(false);
  if (slot.stops_pending.load() > 0) {
    return std::unexpected(Error(ErrorCode::Denied, "agent " + id + " is being stopped"));
  }

  std::uint64_t progress_step = 0;
  const auto progress = [&](const std::string& message) {
    if (hooks.progress) hooks.progress(++progress_step, message);
  };
  // Tool calls left open by an earlier prompt that ended between a model
  // reply and its tool calls: both wire formats need an answer to each.
  for (const auto& use : open_tool_uses(agent.messages)) {
    WG_TRY(step(slot, "model_tool",
                json::object{{"id", use.id},
                             {"toolName", use.name},
                             {"toolInput", use.input},
                             {"denied", "not executed: the previous prompt ended before this call ran"}}));
  }
  WG_TRY(step(slot, "prompt", json::object{{"input", input}}));

  std::uint32_t turns = 0;
  std::uint64_t tool_calls = 0;
  llm::Usage usage;
  json::array calls;
  std::string reply_text;
  std::string stop;
  for (;;) {
    if (slot.interrupt.load()) {
      stop = "interrupted";
      break;
    }
    if (agent.turn_count >= agent.config.max_turns) {
      stop = "max_turns";
      break;
    }
    llm::Request request;
    request.system = agent.config.instructions;
    request.messages = WG_TRY_CTX(conversation_for_model(agent.messages), "agent " + id);
    request.tools = model_tools(agent.config, runner_);
    progress("turn " + std::to_string(agent.turn_count + 1) + ": asking " + agent.config.model);
    llm::StreamCallbacks stream;
    stream.on_tool_use_start = [&](std::string_view, std::string_view name) {
      progress("the model is calling " + std::string(name));
    };
    auto response = provider->complete(request, hooks.progress ? &stream : nullptr);
    if (!response) {
      const Error& e = response.error();
      return std::unexpected(Error(e.code(), e.message() + " (agent " + id + " is unchanged since its last step, " +
                                                 "journal entry " + std::to_string(agent.journal_seq) + ": " +
                                                 std::to_string(turns) + " model replies and " +
                                                 std::to_string(tool_calls) +
                                                 " tool calls of this prompt were kept; prompt again to continue)"));
    }
    const auto applied = WG_TRY(step(slot, "model",
                                     json::object{{"format", provider->wire_format()}, {"raw", response->raw}}));
    const llm::Response& reply = *applied.model;
    ++turns;
    usage.input_tokens += reply.usage.input_tokens;
    usage.output_tokens += reply.usage.output_tokens;
    if (const auto text = reply.text(); !text.empty()) reply_text = text;
    const auto uses = reply.tool_uses();
    if (uses.empty()) {
      stop = std::string(llm::to_string(reply.stop_reason));
      break;
    }
    bool budget_spent = false;
    for (const auto* use : uses) {
      json::object call_args{{"id", use->id}, {"toolName", use->name}, {"toolInput", use->input}};
      ModelToolAdmission admission;
      if (slot.interrupt.load()) {
        call_args["denied"] = "not executed: the agent was stopped";
      } else if (tool_calls >= max_tool_calls) {
        call_args["denied"] = "not executed: this prompt's tool call budget (" + std::to_string(max_tool_calls) +
                              " calls) is spent";
        budget_spent = true;
      } else if (hooks.gate) {
        admission = hooks.gate(id, use->name, use->input);
        if (!admission.allowed) call_args["denied"] = admission.refusal;
      }
      const bool runs = !call_args.contains("denied");
      if (runs) {
        ++tool_calls;
        progress("tool " + use->name);
      }
      auto done = [&](ModelToolOutcome outcome) {
        if (runs && admission.done) admission.done(outcome);
      };
      Agent working = agent.working_copy();
      auto stepped = apply_journal_op(working, "model_tool", call_args, agent.journal_seq + 1, runner_,
                                      &slot.interrupt);
      if (stepped && stepped->tool) {
        // A run ended by wall time or an interrupt is journaled with how it
        // ended (replay cannot reproduce it), and the state is rebuilt from
        // that record so that it is exactly what replay will build.
        if (auto ended = unreproducible_outcome(use->name, *stepped->tool)) {
          call_args["outcome"] = *ended;
          working = agent.working_copy();
          stepped = apply_journal_op(working, "model_tool", call_args, agent.journal_seq + 1, runner_, nullptr);
        }
      }
      if (stepped) {
        if (auto st = commit_step(slot, working, "model_tool", call_args, *stepped); !st) {
          stepped = std::unexpected(st.error());
        }
      }
      if (!stepped) {
        done(ModelToolOutcome::Failed);
        return std::unexpected(stepped.error());
      }
      const auto& tr = *stepped->tool_result;
      done(!stepped->tool ? ModelToolOutcome::Failed
                          : (tr.is_error ? ModelToolOutcome::ToolError : ModelToolOutcome::Succeeded));
      json::object summary{{"id", use->id}, {"name", use->name}, {"isError", tr.is_error}};
      if (!runs) summary["denied"] = call_args.at("denied");
      calls.push_back(std::move(summary));
    }
    if (budget_spent) {
      stop = "tool_budget";
      break;
    }
  }

  json::object structured{{"agentId", id},
                          {"reply", reply_text},
                          {"stopReason", stop},
                          {"turns", turns},
                          {"toolCalls", std::move(calls)},
                          {"usage", usage_to_json(usage)},
                          {"totalUsage", usage_to_json(agent.usage)},
                          {"turnCount", agent.turn_count},
                          {"maxTurns", agent.config.max_turns},
                          {"journalSeq", agent.journal_seq},
                          {"stateDigest", hex(agent.state_digest())}};
  std::string text = reply_text.empty() ? "(the model gave no text)" : reply_text;
  text += "\n\n[" + stop + " · " + std::to_string(turns) + (turns == 1 ? " model reply · " : " model replies · ") +
          std::to_string(tool_calls) + " tool calls · " + usage_line(usage) + "]";
  return reply(std::move(structured), std::move(text));
}

}  // namespace wg::agent
