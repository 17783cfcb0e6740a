#include "app/agent_tools.h"

#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>
#include <functional>
#include <future>

#include "app/policy_runtime.h"
#include "base/base64.h"
#include "gallery/json_util.h"
#include "gallery/rvf.h"
#include "gallery/template.h"
#include "mcp/server/session.h"
#include "policy/gate.h"

namespace wg::app {
namespace {

namespace json = boost::json;
using agent::Reply;

using Handler = std::function<Result<Reply>(const json::object& args)>;
// For tools that need the MCP call itself (progress, session, cancellation).
using CallHandler = std::function<Result<Reply>(const std::shared_ptr<mcp::ToolCall>& call)>;

struct ToolRow {
  std::string name;
  std::string title;
  std::string description;
  json::object input;
  json::object output;
  bool read_only = false;
  bool destructive = false;
  Handler handler;
  CallHandler call_handler;  // used instead of handler when set
};

// ---- schema helpers -----------------------------------------------------

json::object str(std::string_view description) { return {{"type", "string"}, {"description", description}}; }
json::object integer(std::string_view description) { return {{"type", "integer"}, {"description", description}}; }
json::object boolean(std::string_view description) { return {{"type", "boolean"}, {"description", description}}; }
json::object obj(std::string_view description) { return {{"type", "object"}, {"description", description}}; }
json::object arr(std::string_view description, json::object items) {
  return {{"type", "array"}, {"description", description}, {"items", std::move(items)}};
}
json::object agent_id() { return str("Agent id (from wasm_agent_create or wasm_agent_list)"); }

json::object object_schema(json::object properties, std::initializer_list<std::string_view> required = {},
                           bool closed = true) {
  json::object s{{"type", "object"}, {"properties", std::move(properties)}};
  if (required.size() > 0) {
    json::array r;
    for (auto name : required) r.emplace_back(name);
    s["required"] = std::move(r);
  }
  if (closed) s["additionalProperties"] = false;
  return s;
}
// Output schemas name the fields clients rely on; more may follow.
json::object out(json::object properties, std::initializer_list<std::string_view> required = {}) {
  return object_schema(std::move(properties), required, false);
}
json::object only_agent_id() { return object_schema({{"agentId", agent_id()}}, {"agentId"}); }

json::object agent_summary_schema() {
  return out({{"agentId", {{"type", "string"}}},
              {"status", {{"type", "string"}}},
              {"turnCount", {{"type", "integer"}}},
              {"fileCount", {{"type", "integer"}}}},
             {"agentId"});
}

// ---- gallery results ----------------------------------------------------

json::object template_summary(const gallery::Template& t) {
  json::array tags;
  for (const auto& tag : t.tags) tags.emplace_back(tag);
  return {{"id", t.id},           {"name", t.name},         {"description", t.description},
          {"category", t.category}, {"tags", std::move(tags)}, {"model", t.model},
          {"maxTurns", t.max_turns}, {"custom", t.custom}};
}

std::string template_line(const gallery::Template& t) {
  return t.id + "  [" + t.category + "]  " + t.name + " — " + t.description;
}

Reply reply(json::object structured, std::string text) {
  Reply r;
  r.structured = std::move(structured);
  r.text = std::move(text);
  return r;
}

bool is_destructive_mcp_tool(std::string_view name) {
  static constexpr std::string_view kSuffixes[] = {"_delete", "_remove", "_shutdown", "_terminate", "_kill",
                                                   "_destroy", "_drop", "_wipe", "_reset"};
  for (auto suffix : kSuffixes) {
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return true;
  }
  return name.starts_with("federation_") || name == "*";
}

Result<Reply> compose(const json::object& args) {
  json::object rest = args;
  const bool allow_destructive = rest.contains("mcpToolsAllowDestructive") &&
                                 rest["mcpToolsAllowDestructive"].is_bool() &&
                                 rest["mcpToolsAllowDestructive"].as_bool();
  rest.erase("mcpToolsAllowDestructive");
  json::array plugin_warnings;
  if (auto* plugins = rest.if_contains("includePlugins")) {
    if (plugins->is_array()) {
      for (const auto& p : plugins->as_array()) {
        if (p.is_string()) {
          plugin_warnings.emplace_back("Plugin not found: " + std::string(p.as_string()) +
                                       " (wasmgate has no plugin registry; skipped)");
        }
      }
    }
    rest.erase("includePlugins");
  }
  if (const auto* tools = rest.if_contains("mcpTools"); tools && tools->is_array()) {
    json::array blocked;
    for (const auto& t : tools->as_array()) {
      const std::string_view name = t.is_string() ? std::string_view(t.as_string())
                                    : (t.is_object() && t.as_object().contains("name") &&
                                       t.as_object().at("name").is_string())
                                        ? std::string_view(t.as_object().at("name").as_string())
                                        : std::string_view();
      if (is_destructive_mcp_tool(name) && !allow_destructive) blocked.emplace_back(name);
    }
    if (!blocked.empty()) {
      std::string names;
      for (const auto& b : blocked) names += (names.empty() ? "" : ", ") + std::string(b.as_string());
      return std::unexpected(Error(ErrorCode::Denied, "mcpTools: destructive tools blocked: " + names +
                                                          " (set mcpToolsAllowDestructive: true to allow them)"));
    }
  }
  auto contents = WG_TRY(gallery::compose_rvf(rest));
  auto bytes = WG_TRY(gallery::encode_rvf(contents));
  json::array skills, mcp_tools;
  for (const auto& s : contents.skills) skills.emplace_back(s.name);
  for (const auto& t : contents.mcp_tools) mcp_tools.emplace_back(t.name);
  json::object manifest{{"name", contents.agent.name},
                        {"skills", std::move(skills)},
                        {"mcpTools", std::move(mcp_tools)},
                        {"prompts", contents.prompts.size()},
                        {"tools", contents.tool_definitions.size()},
                        {"rvfSizeBytes", bytes.size()},
                        {"sha256", to_hex(Sha256::digest(bytes))}};
  if (!plugin_warnings.empty()) manifest["pluginWarnings"] = std::move(plugin_warnings);
  const std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  const std::string text = "Composed an RVF container (" + std::to_string(bytes.size()) +
                           " bytes); create an agent from it with wasm_agent_create {rvf: rvfBase64}";
  return reply(json::object{{"success", true}, {"rvfBase64", base64_encode(raw)}, {"manifest", std::move(manifest)}},
               text);
}

// The policy's view of a tool call the model inside an agent makes: the
// call an MCP client would make for the same effect, wasm_agent_tool
// {agentId, toolName, toolInput}, in the prompting client's session and
// identity — so one rule covers both paths (docs/agents.md "The agent loop").
agent::ModelToolAdmission admit_model_tool(PolicyRuntime& rt, std::FILE* err,
                                           const std::shared_ptr<mcp::ToolCall>& call, std::string_view agent_id,
                                           std::string_view tool, const json::value& input) {
  (void)poll_reload(rt, err);
  policy::GateRequest request;
  request.call.kind = policy::CallKind::Tool;
  request.call.name = "wasm_agent_tool";
  request.call.args = json::object{{"agentId", agent_id}, {"toolName", tool}, {"toolInput", input}};
  if (auto session = call->session()) {
    request.call.session = session->id();
    request.call.identity = session->identity();
  }
  request.request_id = call->request_id().to_string();
  // admit() may ask the human through elicitation and answer on the
  // session's strand; this pool thread waits for it.
  std::promise<policy::Admission> decided;
  auto future = decided.get_future();
  admit(rt, request, call, [&decided](policy::Admission a) { decided.set_value(std::move(a)); });
  auto admission = std::make_shared<policy::Admission>(future.get());
  agent::ModelToolAdmission out;
  if (!admission->proceed()) {
    out.allowed = false;
    const auto result = admission->tool_result();
    const auto& content = result.at("content").as_array();
    out.refusal = content.empty() ? "Denied by policy" : std::string(content[0].at("text").as_string());
    return out;
  }
  out.done = [&rt, err, request, admission](agent::ModelToolOutcome outcome) {
    const auto upstream = outcome == agent::ModelToolOutcome::Succeeded
                              ? policy::UpstreamOutcome::Succeeded
                              : (outcome == agent::ModelToolOutcome::ToolError ? policy::UpstreamOutcome::ToolError
                                                                               : policy::UpstreamOutcome::Failed);
    if (auto st = rt.gate->after(request, *admission, upstream); !st) {
      std::fprintf(err, "wasmgate: policy: recording a model tool call: %s\n", st.error().message().c_str());
    }
  };
  return out;
}

std::vector<ToolRow> tool_rows(agent::AgentService& svc, gallery::Gallery& gal, const AgentToolsOptions& options) {
  std::vector<ToolRow> rows;
  const auto add = [&](std::string name, std::string title, std::string description, json::object input,
                       json::object output, Handler handler, bool read_only = false, bool destructive = false) {
    rows.push_back(ToolRow{std::move(name), std::move(title), std::move(description), std::move(input),
                           std::move(output), read_only, destructive, std::move(handler), {}});
  };
  const auto svc_op = [&svc](Result<Reply> (agent::AgentService::*op)(const json::object&)) -> Handler {
    return [&svc, op](const json::object& args) { return (svc.*op)(args); };
  };

  // ---- agents -------------------------------------------------------------
  json::object create_props{
      {"template", str("Gallery template id (coder, researcher, tester, reviewer, security, swarm, ...)")},
      {"model", str("Model identifier (default: the template's, else anthropic:claude-sonnet-4-6)")},
      {"instructions", str("System instructions for the agent")},
      {"maxTurns", integer("Max conversation turns (default: the template's, else 50)")},
      {"name", str("Display name")},
      {"tools", arr("Built-in tools the agent may use (default: the template's)", {{"type", "string"}})},
      {"runtimes", arr("Runtimes `run` may start (e.g. ruby, coreutils)", {{"type", "string"}})},
      {"limits", obj("Limits: fuel, maxMemoryBytes, timeoutMs, maxOutputBytes, maxFiles, maxBytes, maxFileSize, "
                     "maxPathLength, maxTodos, maxMessages")},
      {"rvf", str("Base64 RVF container (wasm_agent_compose / wasm_gallery_load_rvf) to create the agent from")}};
  add("wasm_agent_create", "Create agent",
      "Create a sandboxed WebAssembly agent with a private in-memory filesystem (no host access), todos, a "
      "conversation and limits, optionally from a gallery template or an RVF container. It persists across "
      "restarts.",
      object_schema(create_props), agent_summary_schema(), svc_op(&agent::AgentService::create));
  add("wasm_agent_prompt", "Prompt agent",
      "Send a prompt to an agent's model and run its agent loop: the model works in the agent's sandbox with its "
      "granted tools (each call passes the server's policy) until it ends its turn, maxTurns or the tool call "
      "budget is used up. Streams progress; every step is journaled (replayable).",
      object_schema({{"agentId", agent_id()},
                     {"input", str("User prompt")},
                     {"maxToolCalls", integer("Tool calls the model may make in this prompt (default 100)")}},
                    {"agentId", "input"}),
      out({{"reply", {{"type", "string"}}},
           {"stopReason", {{"type", "string"}}},
           {"turns", {{"type", "integer"}}},
           {"toolCalls", {{"type", "array"}}},
           {"usage", {{"type", "object"}}},
           {"totalUsage", {{"type", "object"}}}},
          {"reply", "stopReason"}),
      nullptr);
  rows.back().call_handler = [&svc, options](const std::shared_ptr<mcp::ToolCall>& call) {
    agent::PromptHooks hooks;
    hooks.progress = [call](std::uint64_t step, std::string_view message) {
      call->progress(static_cast<double>(step), std::nullopt, message);
    };
    if (options.policy) {
      hooks.gate = [&rt = *options.policy, err = options.err, call](std::string_view agent_id, std::string_view tool,
                                                                   const json::value& input) {
        return admit_model_tool(rt, err, call, agent_id, tool, input);
      };
    }
    return svc.prompt(call->arguments(), hooks);
  };
  add("wasm_agent_tool", "Use agent tool",
      "Execute a built-in tool in an agent's sandbox: read_file, write_file, edit_file, list_files, delete_file, "
      "glob, grep, write_todos, run. toolInput is flat: {path, content, old_string, new_string, todos, ...}.",
      object_schema({{"agentId", agent_id()},
                     {"toolName", str("Tool name (see wasm_agent_tools)")},
                     {"toolInput", obj("Tool parameters")}},
                    {"agentId", "toolName"}),
      out({}), svc_op(&agent::AgentService::tool));
  add("wasm_agent_list", "List agents", "List the live agents.", object_schema({}),
      out({{"agents", {{"type", "array"}}}, {"count", {{"type", "integer"}}}}, {"agents", "count"}),
      [&svc](const json::object&) { return svc.list(); }, true);
  add("wasm_agent_terminate", "Terminate agent", "Terminate an agent and delete its state for good.",
      only_agent_id(), out({{"agentId", {{"type", "string"}}}, {"terminated", {{"type", "boolean"}}}}),
      svc_op(&agent::AgentService::terminate), false, true);
  add("wasm_agent_files", "List agent files", "An agent's files as a tree with sizes.",
      object_schema({{"agentId", agent_id()}, {"path", str("Directory to list (default /)")}}, {"agentId"}),
      out({{"entries", {{"type", "array"}}}, {"fileCount", {{"type", "integer"}}}}, {"entries"}),
      svc_op(&agent::AgentService::files), true);
  add("wasm_agent_export", "Export agent",
      "Export an agent whole — config, every file with contents, todos, conversation, journal and digests — as "
      "one JSON document that wasm_agent_import restores exactly.",
      only_agent_id(), out({{"format", {{"type", "string"}}}, {"digests", {{"type", "object"}}}}, {"format"}),
      svc_op(&agent::AgentService::export_agent), true);
  add("wasm_agent_compose", "Compose RVF",
      "Compose a checksummed RVF container with skills, MCP tool descriptors (an explicit allowlist; destructive "
      "tools need mcpToolsAllowDestructive), prompts and tool definitions. Returns base64 bytes and a manifest; "
      "wasm_agent_create {rvf} loads it into an agent.",
      object_schema({{"name", str("Name of the composed agent")},
                     {"description", str("Description")},
                     {"model", str("Model identifier")},
                     {"instructions", str("System instructions")},
                     {"maxTurns", integer("Max conversation turns")},
                     {"skills", arr("Skills (names or {name, description, trigger, content})", {})},
                     {"mcpTools", arr("MCP tool names or descriptors to embed", {})},
                     {"mcpToolsAllowDestructive", boolean("Allow destructive tools (*_delete, *_shutdown, ...)")},
                     {"prompts", arr("Prompts {name, systemPrompt, version}", {{"type", "object"}})},
                     {"tools", arr("Tool definitions {name, description, parameters, returns}", {{"type", "object"}})},
                     {"includePlugins", arr("Plugin names (no plugin registry here: reported as warnings)",
                                            {{"type", "string"}})}}),
      out({{"rvfBase64", {{"type", "string"}}}, {"manifest", {{"type", "object"}}}}, {"rvfBase64", "manifest"}),
      compose, true);
  add("wasm_agent_state", "Agent state",
      "An agent's full state: config, status, messages, todos, turn count, journal position and digests.",
      only_agent_id(), agent_summary_schema(), svc_op(&agent::AgentService::state), true);
  add("wasm_agent_todos", "Agent todos", "An agent's todo list.", only_agent_id(),
      out({{"todos", {{"type", "array"}}}, {"count", {{"type", "integer"}}}}, {"todos"}),
      svc_op(&agent::AgentService::todos), true);
  add("wasm_agent_tools", "Agent tools", "The built-in tools (with input schemas) and programs an agent may use.",
      only_agent_id(), out({{"tools", {{"type", "array"}}}, {"programs", {{"type", "array"}}}}, {"tools"}),
      svc_op(&agent::AgentService::tools), true);
  add("wasm_agent_turn_count", "Agent turn count", "How many turns an agent has used, of its maxTurns.",
      only_agent_id(), out({{"turnCount", {{"type", "integer"}}}, {"maxTurns", {{"type", "integer"}}}}, {"turnCount"}),
      svc_op(&agent::AgentService::turn_count), true);
  add("wasm_agent_is_stopped", "Is agent stopped",
      "Whether an agent is stopped (wasm_agent_stop) or has used all its turns.", only_agent_id(),
      out({{"isStopped", {{"type", "boolean"}}}}, {"isStopped"}), svc_op(&agent::AgentService::is_stopped), true);
  add("wasm_agent_reset", "Reset agent",
      "Clear an agent's conversation and turn count (files and todos stay) and make it active again.",
      only_agent_id(), out({{"reset", {{"type", "boolean"}}}}), svc_op(&agent::AgentService::reset), false, true);
  add("wasm_agent_import", "Import agent",
      "Recreate an agent from a wasm_agent_export document (object or JSON text); every digest is verified.",
      object_schema({{"export", json::object{{"description", "The export document (object or JSON string)"}}},
                     {"agentId", str("Id for the new agent (default: the exported id when free)")}},
                    {"export"}),
      agent_summary_schema(), svc_op(&agent::AgentService::import_agent));
  add("wasm_agent_fork", "Fork agent",
      "Clone an agent copy-on-write: same config, files, todos and conversation under a new id — or, with "
      "atSeq, the agent as it was after that journal entry.",
      object_schema({{"agentId", agent_id()},
                     {"name", str("Name of the fork")},
                     {"atSeq", integer("Branch from this journal entry instead of the current state")}},
                    {"agentId"}),
      agent_summary_schema(), svc_op(&agent::AgentService::fork));
  add("wasm_agent_replay", "Replay agent journal",
      "Rebuild the agent from its creation by re-executing every journal entry (file tools, deterministic runs) "
      "and check every recorded digest; reports the first divergence.",
      object_schema({{"agentId", agent_id()}, {"untilSeq", integer("Stop after this journal entry")}}, {"agentId"}),
      out({{"ok", {{"type", "boolean"}}}, {"entries", {{"type", "integer"}}}, {"replayed", {{"type", "integer"}}}},
          {"ok"}),
      svc_op(&agent::AgentService::replay), true);
  add("wasm_agent_run", "Run program",
      "Execute a WebAssembly/WASI program inside the agent's filesystem under its limits (fuel, memory, wall "
      "time, output): a granted runtime (ruby SCRIPT.rb, cat, ls, grep, ...) or a .wasm file in the filesystem. "
      "Returns exit code, stdout, stderr, fuel used and the changed files.",
      object_schema({{"agentId", agent_id()},
                     {"program", str("Runtime name or path of a .wasm file")},
                     {"args", arr("Arguments after the program name", {{"type", "string"}})},
                     {"stdin", str("Standard input")},
                     {"env", json::object{{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}},
                     {"fuel", integer("Fuel budget (at most the agent's limit)")},
                     {"timeoutMs", integer("Wall-time limit in ms (at most the agent's limit)")}},
                    {"agentId", "program"}),
      out({{"status", {{"type", "string"}}},
           {"stdout", {{"type", "string"}}},
           {"stderr", {{"type", "string"}}},
           {"fuelUsed", {{"type", "integer"}}},
           {"changes", {{"type", "array"}}}},
          {"status", "stdout", "stderr"}),
      svc_op(&agent::AgentService::run));
  add("wasm_agent_stop", "Stop agent",
      "Stop an agent: a running program is interrupted and changes are refused until wasm_agent_resume.",
      only_agent_id(), out({{"status", {{"type", "string"}}}}), svc_op(&agent::AgentService::stop));
  add("wasm_agent_resume", "Resume agent", "Make a stopped agent active again.", only_agent_id(),
      out({{"status", {{"type", "string"}}}}), svc_op(&agent::AgentService::resume));
  add("wasm_agent_journal", "Agent journal",
      "An agent's journal: every state change with its arguments and the resulting state digest.",
      object_schema({{"agentId", agent_id()},
                     {"afterSeq", integer("Entries after this sequence number (default 0)")},
                     {"limit", integer("At most this many entries (default 100)")}},
                    {"agentId"}),
      out({{"entries", {{"type", "array"}}}, {"lastSeq", {{"type", "integer"}}}}, {"entries"}),
      svc_op(&agent::AgentService::journal), true);

  // ---- gallery ------------------------------------------------------------
  const json::object templates_out = out({{"templates", {{"type", "array"}}}, {"count", {{"type", "integer"}}}},
                                         {"templates"});
  add("wasm_gallery_list", "List templates", "All agent templates in the gallery: built-in and custom.",
      object_schema({}), templates_out,
      [&gal](const json::object&) -> Result<Reply> {
        json::array items;
        std::string text;
        for (const auto& t : gal.list()) {
          items.push_back(template_summary(t));
          text += template_line(t) + "\n";
        }
        const auto n = items.size();
        return reply({{"templates", std::move(items)}, {"count", n}}, text);
      },
      true);
  add("wasm_gallery_search", "Search templates",
      "Search the gallery by relevance (BM25 over name, description and tags).",
      object_schema({{"query", str("Search words")}, {"limit", integer("At most this many results (default 10)")}},
                    {"query"}),
      out({{"results", {{"type", "array"}}}, {"count", {{"type", "integer"}}}}, {"results"}),
      [&gal](const json::object& args) -> Result<Reply> {
        const auto& query = args.at("query").as_string();
        std::size_t limit = 0;
        if (const auto* l = args.if_contains("limit"); l && l->is_int64() && l->as_int64() > 0) {
          limit = static_cast<std::size_t>(l->as_int64());
        }
        auto results = WG_TRY(gal.search(query, limit));
        json::array items;
        std::string text;
        for (const auto& r : results) {
          auto item = template_summary(r.tmpl);
          item["score"] = r.score;
          items.push_back(std::move(item));
          char score[32];
          std::snprintf(score, sizeof score, "%.3f", r.score);
          text += std::string(score) + "  " + template_line(r.tmpl) + "\n";
        }
        if (results.empty()) text = "No template matches \"" + std::string(query) + "\"";
        const auto n = items.size();
        return reply({{"query", query}, {"results", std::move(items)}, {"count", n}}, text);
      },
      true);
  add("wasm_gallery_create", "Create agent from template", "Create an agent from a gallery template.",
      object_schema({{"template", str("Template id (coder, researcher, tester, reviewer, security, swarm, ...)")}},
                    {"template"}),
      agent_summary_schema(), [&svc](const json::object& args) { return svc.create(args); });
  add("wasm_gallery_load_rvf", "Template as RVF",
      "A gallery template packed as a checksummed RVF container (base64); wasm_agent_create {rvf} loads it.",
      object_schema({{"id", str("Template id")}}, {"id"}),
      out({{"id", {{"type", "string"}}}, {"rvfBase64", {{"type", "string"}}}, {"sizeBytes", {{"type", "integer"}}}},
          {"rvfBase64"}),
      [&gal](const json::object& args) -> Result<Reply> {
        auto t = WG_TRY(gal.effective(args.at("id").as_string()));
        auto bytes = WG_TRY(gallery::encode_rvf(gallery::rvf_from_template(t)));
        const std::string_view raw(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        const auto n = bytes.size();
        return reply({{"id", t.id}, {"rvfBase64", base64_encode(raw)}, {"sizeBytes", n},
                      {"sha256", to_hex(Sha256::digest(bytes))}},
                     "Template " + t.id + " as an RVF container (" + std::to_string(n) + " bytes)");
      },
      true);
  add("wasm_gallery_configure", "Configure active template",
      "Override maxTurns, model, instructions, tools, runtimes or limits of the active template (the one agents "
      "were last created from); null removes an override. Persisted.",
      object_schema({{"config", obj("Overrides, e.g. {maxTurns: 100}")}}, {"config"}),
      out({{"active", {{"type", "string"}}}, {"config", {{"type", "object"}}}}, {"config"}),
      [&gal](const json::object& args) -> Result<Reply> {
        auto t = WG_TRY(gal.configure(args.at("config")));
        return reply({{"success", true}, {"active", t.id}, {"config", gal.config()}},
                     "Configured the active template " + t.id + ": " + json::serialize(gal.config()));
      });
  add("wasm_gallery_categories", "Template categories", "Every template category with its template count.",
      object_schema({}), out({{"categories", {{"type", "array"}}}}, {"categories"}),
      [&gal](const json::object&) -> Result<Reply> {
        json::array items;
        std::string text;
        for (const auto& c : gal.categories()) {
          items.push_back(json::object{{"name", c.name}, {"count", c.count}});
          text += c.name + " (" + std::to_string(c.count) + ")\n";
        }
        return reply({{"categories", std::move(items)}}, text);
      },
      true);
  add("wasm_gallery_list_by_category", "Templates in a category", "The templates of one category.",
      object_schema({{"category", str("Category name (see wasm_gallery_categories)")}}, {"category"}),
      out({{"category", {{"type", "string"}}}, {"templates", {{"type", "array"}}}}, {"templates"}),
      [&gal](const json::object& args) -> Result<Reply> {
        const auto& category = args.at("category").as_string();
        auto list = WG_TRY(gal.list_by_category(category));
        json::array items;
        std::string text;
        for (const auto& t : list) {
          items.push_back(template_summary(t));
          text += template_line(t) + "\n";
        }
        const auto n = items.size();
        return reply({{"category", category}, {"templates", std::move(items)}, {"count", n}}, text);
      },
      true);
  add("wasm_gallery_add_custom", "Add custom template",
      "Add (or replace) a custom template; validated strictly and persisted.",
      object_schema({{"template", json::object{{"type", json::array{"object", "string"}},
                                               {"description", "Template {id, name, description, category, tags, "
                                                               "model, instructions, maxTurns, tools, runtimes, "
                                                               "limits}, as an object or JSON text"}}}},
                    {"template"}),
      out({{"id", {{"type", "string"}}}, {"replaced", {{"type", "boolean"}}}}, {"id"}),
      [&gal](const json::object& args) -> Result<Reply> {
        // Claude Flow clients send the template as JSON text; accept both.
        const auto& tmpl = args.at("template");
        auto added = tmpl.is_string() ? WG_TRY(gal.add_custom(WG_TRY(gallery::parse_json_text(tmpl.get_string()))))
                                      : WG_TRY(gal.add_custom(tmpl));
        return reply({{"success", true}, {"id", added.tmpl.id}, {"replaced", added.replaced}},
                     std::string(added.replaced ? "Replaced" : "Added") + " custom template " + added.tmpl.id);
      });
  add("wasm_gallery_remove_custom", "Remove custom template", "Remove a custom template (built-ins stay).",
      object_schema({{"id", str("Custom template id")}}, {"id"}), out({{"id", {{"type", "string"}}}}, {"id"}),
      [&gal](const json::object& args) -> Result<Reply> {
        const auto& id = args.at("id").as_string();
        WG_TRY(gal.remove_custom(id));
        return reply({{"success", true}, {"id", id}}, "Removed custom template " + std::string(id));
      },
      false, true);
  add("wasm_gallery_import", "Import custom templates",
      "Import custom templates from a JSON array (or {templates: [...]}); all or nothing, every entry validated.",
      object_schema({{"templatesJson", str("JSON text of the template array")}}, {"templatesJson"}),
      out({{"importedCount", {{"type", "integer"}}}, {"ids", {{"type", "array"}}}}, {"importedCount"}),
      [&gal](const json::object& args) -> Result<Reply> {
        auto result = WG_TRY(gal.import_custom(args.at("templatesJson").as_string()));
        json::array ids;
        for (const auto& id : result.ids) ids.emplace_back(id);
        return reply({{"success", true},
                      {"importedCount", result.imported},
                      {"replacedCount", result.replaced},
                      {"ids", std::move(ids)}},
                     "Imported " + std::to_string(result.imported) + " custom templates");
      });
  add("wasm_gallery_export", "Export custom templates",
      "Every custom template as a JSON array that wasm_gallery_import accepts.", object_schema({}),
      out({{"exported", {{"type", "array"}}}}, {"exported"}),
      [&gal](const json::object&) -> Result<Reply> {
        auto templates = gal.export_custom();
        const auto n = templates.size();
        return reply({{"exported", std::move(templates)}, {"count", n}},
                     std::to_string(n) + " custom templates (JSON in structuredContent.exported)");
      },
      true);
  add("wasm_gallery_active", "Active template", "The id of the active template (the one last created from).",
      object_schema({}), out({{"activeId", {{"type", json::array{"string", "null"}}}}}, {"activeId"}),
      [&gal](const json::object&) -> Result<Reply> {
        auto active = gal.active();
        return reply({{"activeId", active ? json::value(*active) : json::value(nullptr)}},
                     active ? "Active template: " + *active : "No active template");
      },
      true);
  add("wasm_gallery_config", "Active template overrides",
      "The overrides wasm_gallery_configure applied to the active template.", object_schema({}),
      out({{"config", {{"type", "object"}}}}, {"config"}),
      [&gal](const json::object&) -> Result<Reply> {
        auto config = gal.config();
        const std::string text = "Overrides: " + json::serialize(config);
        return reply({{"activeId", gal.active() ? json::value(*gal.active()) : json::value(nullptr)},
                      {"config", std::move(config)}},
                     text);
      },
      true);
  return rows;
}

mcp::ToolResult to_tool_result(const Result<Reply>& r) {
  if (!r) {
    mcp::ToolResult result = mcp::ToolResult::error(r.error().message());
    return result;
  }
  mcp::ToolResult result = mcp::ToolResult::text(r->text.empty() ? "ok" : r->text);
  result.structured_content = r->structured;
  result.is_error = r->is_error;
  return result;
}

}  // namespace

Result<std::vector<std::pair<std::string, std::string>>> DbTemplateStore::load_custom_templates() {
  return db_.load_templates();
}
Status DbTemplateStore::put_custom_templates(const std::vector<std::pair<std::string, std::string>>& rows) {
  return db_.put_templates(rows);
}
Status DbTemplateStore::remove_custom_template(std::string_view id) { return db_.remove_template(id); }
Result<std::optional<std::string>> DbTemplateStore::get_setting(std::string_view key) { return db_.get_setting(key); }
Status DbTemplateStore::put_setting(std::string_view key, std::string_view json) { return db_.put_setting(key, json); }

Status register_agent_tools(mcp::Server& server, agent::AgentService& service, gallery::Gallery& gallery,
                            boost::asio::thread_pool& pool, const AgentToolsOptions& options) {
  for (auto& row : tool_rows(service, gallery, options)) {
    mcp::ToolSpec spec;
    spec.name = row.name;
    spec.title = row.title;
    spec.description = row.description;
    spec.input_schema = std::move(row.input);
    spec.output_schema = std::move(row.output);
    spec.annotations = json::object{{"readOnlyHint", row.read_only},
                                    {"destructiveHint", row.destructive},
                                    {"openWorldHint", false}};
    auto handler = std::make_shared<Handler>(std::move(row.handler));
    auto call_handler = std::make_shared<CallHandler>(std::move(row.call_handler));
    // Tools that may run a guest or a model loop: MCP cancellation interrupts them.
    const bool interruptible =
        row.name == "wasm_agent_run" || row.name == "wasm_agent_tool" || row.name == "wasm_agent_prompt";
    WG_TRY(server.add_async_tool(std::move(spec), [&pool, &service, handler, call_handler,
                                                   interruptible](std::shared_ptr<mcp::ToolCall> call) {
      if (interruptible) {
        if (const auto* id = call->arguments().if_contains("agentId"); id && id->is_string()) {
          call->on_cancel([&service, agent_id = std::string(id->get_string())] { (void)service.interrupt(agent_id); });
        }
      }
      boost::asio::post(pool, [call, handler, call_handler] {
        call->finish(to_tool_result(*call_handler ? (*call_handler)(call) : (*handler)(call->arguments())));
      });
    }));
  }
  return ok();
}

}  // namespace wg::app
