#include "agent/types.h"

#include <algorithm>
#include <array>

#include "agent/json_args.h"
#include "gallery/template.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

// One row per limit: its JSON key and its field. The table keeps the JSON
// form, the parser and clamp_limits in step.
struct LimitField {
  std::string_view key;
  std::uint64_t Limits::*field;
  std::optional<std::uint64_t> gallery::TemplateLimits::*template_field;
};
constexpr std::array<LimitField, 10> kLimitFields{{
    {"fuel", &Limits::fuel, &gallery::TemplateLimits::fuel},
    {"maxMemoryBytes", &Limits::max_memory_bytes, &gallery::TemplateLimits::max_memory_bytes},
    {"timeoutMs", &Limits::timeout_ms, &gallery::TemplateLimits::timeout_ms},
    {"maxOutputBytes", &Limits::max_output_bytes, &gallery::TemplateLimits::max_output_bytes},
    {"maxFiles", &Limits::max_files, &gallery::TemplateLimits::max_files},
    {"maxBytes", &Limits::max_bytes, &gallery::TemplateLimits::max_bytes},
    {"maxFileSize", &Limits::max_file_size, &gallery::TemplateLimits::max_file_size},
    {"maxPathLength", &Limits::max_path_length, &gallery::TemplateLimits::max_path_length},
    {"maxTodos", &Limits::max_todos, &gallery::TemplateLimits::max_todos},
    {"maxMessages", &Limits::max_messages, &gallery::TemplateLimits::max_messages},
}};

constexpr std::array<std::string_view, 3> kTodoStatuses{"pending", "in_progress", "completed"};

Error invalid(std::string message) { return Error(ErrorCode::Invalid, std::move(message)); }

json::array strings_to_json(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

json::object limits_to_json(const Limits& limits) {
  json::object out;
  for (const auto& f : kLimitFields) out[f.key] = limits.*(f.field);
  return out;
}

Result<Limits> limits_from_json(const json::value& value, Limits base) {
  if (!value.is_object()) return std::unexpected(invalid("limits: expected an object"));
  const auto& object = value.get_object();
  WG_TRY(check_keys(object,
                    {"fuel", "maxMemoryBytes", "timeoutMs", "maxOutputBytes", "maxFiles", "maxBytes", "maxFileSize",
                     "maxPathLength", "maxTodos", "maxMessages"},
                    "limits"));
  for (const auto& f : kLimitFields) {
    auto v = WG_TRY(opt_uint(object, f.key, "limits", 1));
    if (v) base.*(f.field) = *v;
  }
  return base;
}

Limits with_template_limits(Limits base, const gallery::TemplateLimits& overrides) {
  for (const auto& f : kLimitFields) {
    if (const auto& v = overrides.*(f.template_field)) base.*(f.field) = *v;
  }
  return base;
}

Limits clamp_limits(const Limits& wanted, const Limits& cap) {
  Limits out = wanted;
  for (const auto& f : kLimitFields) out.*(f.field) = std::min(wanted.*(f.field), cap.*(f.field));
  return out;
}

std::string_view to_string(AgentStatus status) { return status == AgentStatus::Active ? "active" : "stopped"; }

Result<AgentStatus> status_from_string(std::string_view text) {
  if (text == "active") return AgentStatus::Active;
  if (text == "stopped") return AgentStatus::Stopped;
  return std::unexpected(invalid("status: expected \"active\" or \"stopped\", got \"" + std::string(text) + "\""));
}

json::object config_to_json(const AgentConfig& c) {
  json::object out;
  out["id"] = c.id;
  out["name"] = c.name;
  out["template"] = c.template_id;
  out["model"] = c.model;
  out["instructions"] = c.instructions;
  out["maxTurns"] = c.max_turns;
  out["tools"] = strings_to_json(c.tools);
  out["runtimes"] = strings_to_json(c.runtimes);
  out["limits"] = limits_to_json(c.limits);
  out["created"] = c.created_ms;
  return out;
}

Result<AgentConfig> config_from_json(const json::value& value) {
  if (!value.is_object()) return std::unexpected(invalid("config: expected an object"));
  const auto& o = value.get_object();
  WG_TRY(check_keys(o, {"id", "name", "template", "model", "instructions", "maxTurns", "tools", "runtimes", "limits",
                        "created"},
                    "config"));
  AgentConfig c;
  c.id = WG_TRY(req_string(o, "id", "config", 64));
  WG_TRY(validate_identifier(c.id, "config.id"));
  c.name = WG_TRY(opt_string(o, "name", "config", 256)).value_or("");
  c.template_id = WG_TRY(opt_string(o, "template", "config", 64)).value_or("");
  c.model = WG_TRY(opt_string(o, "model", "config", 256)).value_or("");
  c.instructions = WG_TRY(opt_string(o, "instructions", "config", 64u << 10)).value_or("");
  c.max_turns = static_cast<std::uint32_t>(WG_TRY(opt_uint(o, "maxTurns", "config", 1, 10000)).value_or(50));
  c.tools = WG_TRY(opt_strings(o, "tools", "config", 64, 64)).value_or(std::vector<std::string>{});
  for (const auto& t : c.tools) {
    if (!is_builtin_tool(t)) return std::unexpected(invalid("config.tools: unknown built-in tool \"" + t + "\""));
  }
  c.runtimes = WG_TRY(opt_strings(o, "runtimes", "config", 64, 64)).value_or(std::vector<std::string>{});
  if (const auto* l = o.if_contains("limits")) c.limits = WG_TRY(limits_from_json(*l));
  const auto* created = o.if_contains("created");
  if (created && created->is_int64()) {
    c.created_ms = created->get_int64();
  } else if (created && created->is_uint64() && created->get_uint64() <= INT64_MAX) {
    c.created_ms = static_cast<std::int64_t>(created->get_uint64());
  } else if (created && !created->is_null()) {
    return std::unexpected(invalid("config.created: expected milliseconds since the epoch"));
  }
  return c;
}

json::array todos_to_json(const std::vector<Todo>& todos) {
  json::array out;
  for (const auto& t : todos) out.push_back(json::object{{"id", t.id}, {"content", t.content}, {"status", t.status}});
  return out;
}

Result<std::vector<Todo>> todos_from_json(const json::value& value, std::uint64_t max_todos) {
  if (!value.is_array()) return std::unexpected(invalid("todos: expected an array of {content, status?, id?}"));
  const auto& array = value.get_array();
  if (array.size() > max_todos) {
    return std::unexpected(Error(ErrorCode::LimitExceeded, "todos: " + std::to_string(array.size()) +
                                                               " items exceed this agent's limit of " +
                                                               std::to_string(max_todos)));
  }
  std::vector<Todo> out;
  for (std::size_t i = 0; i < array.size(); ++i) {
    const std::string ctx = "todos[" + std::to_string(i) + "]";
    if (!array[i].is_object()) return std::unexpected(invalid(ctx + ": expected an object"));
    const auto& o = array[i].get_object();
    WG_TRY(check_keys(o, {"id", "content", "status"}, ctx));
    Todo t;
    t.content = WG_TRY(req_string(o, "content", ctx, 4096));
    t.status = WG_TRY(opt_string(o, "status", ctx, 32)).value_or("pending");
    if (std::find(kTodoStatuses.begin(), kTodoStatuses.end(), t.status) == kTodoStatuses.end()) {
      return std::unexpected(invalid(ctx + ".status: expected pending, in_progress or completed"));
    }
    t.id = WG_TRY(opt_string(o, "id", ctx, 64)).value_or(std::to_string(i + 1));
    for (const auto& prior : out) {
      if (prior.id == t.id) return std::unexpected(invalid(ctx + ".id: \"" + t.id + "\" is used twice"));
    }
    out.push_back(std::move(t));
  }
  return out;
}

Status validate_identifier(std::string_view value, std::string_view field) {
  const bool ok_chars = std::all_of(value.begin(), value.end(), [](char ch) {
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
           ch == '-' || ch == '.';
  });
  if (value.empty() || value.size() > 64 || !ok_chars) {
    return std::unexpected(invalid(std::string(field) + ": expected 1 to 64 characters of A-Z a-z 0-9 _ . -"));
  }
  return ok();
}

// One list of tool names for the whole program: the gallery's (templates
// name tools, so the gallery validates them too).
const std::vector<std::string>& builtin_tool_names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (auto name : gallery::builtin_tool_names()) names.emplace_back(name);
    std::sort(names.begin(), names.end());
    return names;
  }();
  return kNames;
}

bool is_builtin_tool(std::string_view name) { return gallery::is_builtin_tool(name); }

}  // namespace wg::agent
