#include "gallery/template.h"

#include <algorithm>
#include <array>
#include <boost/json/serialize.hpp>
#include <limits>
#include <set>

#include "gallery/json_util.h"

namespace wg::gallery {
namespace json = boost::json;

namespace {

constexpr std::array<std::string_view, 9> kToolNames = {
    "read_file", "write_file", "edit_file", "list_files", "delete_file", "glob", "grep", "write_todos", "run",
};

// One row per limit: JSON key and member. Adding a limit adds a row.
struct LimitField {
  std::string_view key;
  std::optional<std::uint64_t> TemplateLimits::*member;
};
constexpr std::array<LimitField, 10> kLimitFields = {{
    {"fuel", &TemplateLimits::fuel},
    {"maxMemoryBytes", &TemplateLimits::max_memory_bytes},
    {"timeoutMs", &TemplateLimits::timeout_ms},
    {"maxOutputBytes", &TemplateLimits::max_output_bytes},
    {"maxFiles", &TemplateLimits::max_files},
    {"maxBytes", &TemplateLimits::max_bytes},
    {"maxFileSize", &TemplateLimits::max_file_size},
    {"maxPathLength", &TemplateLimits::max_path_length},
    {"maxTodos", &TemplateLimits::max_todos},
    {"maxMessages", &TemplateLimits::max_messages},
}};

constexpr std::array<std::string_view, 17> kTemplateKeys = {
    "id",       "name",   "description", "category", "tags",     "model",           "instructions", "maxTurns", "tools",
    "runtimes", "limits", "skills",      "prompts",  "mcpTools", "toolDefinitions", "version",      "custom",
};
constexpr std::array<std::string_view, 6> kOverrideKeys = {"maxTurns", "model",    "instructions",
                                                           "tools",    "runtimes", "limits"};
constexpr std::array<std::string_view, 4> kSkillKeys = {"name", "description", "trigger", "content"};
constexpr std::array<std::string_view, 3> kPromptKeys = {"name", "systemPrompt", "version"};
constexpr std::array<std::string_view, 4> kMcpToolKeys = {"name", "description", "inputSchema", "group"};
constexpr std::array<std::string_view, 4> kToolDefinitionKeys = {"name", "description", "parameters", "returns"};

std::string key_path(std::string_view path, std::string_view key) {
  std::string out(path);
  out += '.';
  out += key;
  return out;
}
std::string index_path(std::string_view path, std::size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::unexpected<Error> invalid(std::string_view path, std::string_view message) {
  return make_error(ErrorCode::Invalid, std::string(path) + ": " + std::string(message));
}

std::unexpected<Error> wrong_type(std::string_view path, std::string_view expected, const json::value& got) {
  return invalid(path, "expected " + std::string(expected) + ", got " + std::string(json_kind_name(got)));
}

Result<const json::object*> strict_object(const json::value& v, std::string_view path,
                                          std::span<const std::string_view> known) {
  return expect_object(v, path, known);
}

const json::value* find(const json::object& obj, std::string_view key) { return obj.if_contains(key); }

Result<std::string> as_string(const json::value& v, std::string_view path) {
  const json::string* s = v.if_string();
  if (s == nullptr) return wrong_type(path, "a string", v);
  return std::string(s->data(), s->size());
}

Result<std::uint64_t> as_uint(const json::value& v, std::string_view path, std::uint64_t min, std::uint64_t max) {
  std::uint64_t n = 0;
  if (const std::int64_t* i = v.if_int64()) {
    if (*i < 0 || static_cast<std::uint64_t>(*i) < min || static_cast<std::uint64_t>(*i) > max) {
      return invalid(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                               std::to_string(*i));
    }
    n = static_cast<std::uint64_t>(*i);
  } else if (const std::uint64_t* u = v.if_uint64()) {
    if (*u < min || *u > max) {
      return invalid(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                               std::to_string(*u));
    }
    n = *u;
  } else {
    return wrong_type(path, "an integer", v);
  }
  return n;
}

Result<std::vector<std::string>> as_string_array(const json::value& v, std::string_view path) {
  const json::array* arr = v.if_array();
  if (arr == nullptr) return wrong_type(path, "an array of strings", v);
  std::vector<std::string> out;
  out.reserve(arr->size());
  for (std::size_t i = 0; i < arr->size(); ++i) out.push_back(WG_TRY(as_string((*arr)[i], index_path(path, i))));
  return out;
}

// Reads an optional string member into `out` (left unchanged when absent).
Status read_string(const json::object& obj, std::string_view key, std::string_view path, std::string& out) {
  if (const json::value* v = find(obj, key)) out = WG_TRY(as_string(*v, key_path(path, key)));
  return ok();
}

Result<std::string> required_string(const json::object& obj, std::string_view key, std::string_view path) {
  const json::value* v = find(obj, key);
  if (v == nullptr) return invalid(path, "missing required key " + quoted(key));
  return as_string(*v, key_path(path, key));
}

// --- rules over values -----------------------------------------------------

bool has_control(std::string_view s, bool allow_newlines) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (allow_newlines && (c == '\n' || c == '\t' || c == '\r')) continue;
    if (u < 0x20 || u == 0x7f) return true;
  }
  return false;
}

enum class Lines : std::uint8_t { Single, Multi };

Status check_text(std::string_view s, std::string_view path, std::size_t min, std::size_t max, Lines lines) {
  if (s.size() < min) return invalid(path, min == 1 ? "must not be empty" : "is too short");
  if (s.size() > max) {
    return invalid(path, "is " + std::to_string(s.size()) + " bytes; the limit is " + std::to_string(max) + " bytes");
  }
  if (has_control(s, lines == Lines::Multi)) {
    return invalid(
        path, lines == Lines::Single ? "must be one line without control characters" : "contains a control character");
  }
  return ok();
}

Status check_id(std::string_view id, std::string_view path) {
  if (!is_valid_template_id(id)) {
    return invalid(path, "must be 1..64 characters of [a-z0-9][a-z0-9_-]* (lower case), got " + quoted(id));
  }
  return ok();
}

template <class T, class NameOf>
Status check_unique(const std::vector<T>& items, std::string_view path, NameOf name_of) {
  std::set<std::string_view> seen;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string_view name = name_of(items[i]);
    if (!seen.insert(name).second) return invalid(index_path(path, i), "duplicate entry " + quoted(name));
  }
  return ok();
}

Status check_count(std::size_t n, std::size_t max, std::string_view path) {
  if (n > max) return invalid(path, "has " + std::to_string(n) + " entries; the limit is " + std::to_string(max));
  return ok();
}

Status check_tools(const std::vector<std::string>& tools, std::string_view path) {
  for (std::size_t i = 0; i < tools.size(); ++i) {
    if (!is_builtin_tool(tools[i])) {
      std::string message = "unknown tool " + quoted(tools[i]);
      if (auto near = nearest_name(tools[i], builtin_tool_names())) {
        message += "; did you mean " + quoted(*near) + "?";
      } else {
        message += ".";
      }
      message += " Known tools: " + join_names(builtin_tool_names());
      return invalid(index_path(path, i), message);
    }
  }
  return check_unique(tools, path, [](const std::string& s) -> std::string_view { return s; });
}

Status check_runtimes(const std::vector<std::string>& runtimes, std::string_view path) {
  WG_TRY(check_count(runtimes.size(), TemplateRules::kMaxRuntimes, path));
  for (std::size_t i = 0; i < runtimes.size(); ++i) WG_TRY(check_id(runtimes[i], index_path(path, i)));
  return check_unique(runtimes, path, [](const std::string& s) -> std::string_view { return s; });
}

Status check_model(std::string_view model, std::string_view path) {
  return check_text(model, path, 1, TemplateRules::kMaxModelLength, Lines::Single);
}
Status check_instructions(std::string_view text, std::string_view path) {
  return check_text(text, path, 0, TemplateRules::kMaxInstructionsBytes, Lines::Multi);
}
Status check_max_turns(std::uint64_t n, std::string_view path) {
  if (n < TemplateRules::kMinTurns || n > TemplateRules::kMaxTurns) {
    return invalid(path, "must be between 1 and 10000, got " + std::to_string(n));
  }
  return ok();
}

Status check_limits(const TemplateLimits& limits, std::string_view path) {
  for (const LimitField& f : kLimitFields) {
    if (const auto& v = limits.*(f.member); v && *v == 0) return invalid(key_path(path, f.key), "must be at least 1");
  }
  return ok();
}

Status check_schema_size(const json::value& v, std::string_view path) {
  const std::size_t size = json::serialize(v).size();
  if (size > TemplateRules::kMaxSchemaBytes) {
    return invalid(path, "serializes to " + std::to_string(size) + " bytes; the limit is " +
                             std::to_string(TemplateRules::kMaxSchemaBytes) + " bytes");
  }
  return ok();
}

Status check_item_name(std::string_view name, std::string_view path) {
  return check_text(name, path, 1, TemplateRules::kMaxItemNameLength, Lines::Single);
}

Status check_skills(const std::vector<Skill>& skills, std::string_view path) {
  WG_TRY(check_count(skills.size(), TemplateRules::kMaxSkills, path));
  for (std::size_t i = 0; i < skills.size(); ++i) {
    const std::string p = index_path(path, i);
    WG_TRY(check_item_name(skills[i].name, key_path(p, "name")));
    WG_TRY(check_text(skills[i].description, key_path(p, "description"), 0, TemplateRules::kMaxDescriptionBytes,
                      Lines::Multi));
    WG_TRY(check_text(skills[i].trigger, key_path(p, "trigger"), 0, TemplateRules::kMaxDescriptionBytes, Lines::Multi));
    WG_TRY(check_text(skills[i].content, key_path(p, "content"), 0, TemplateRules::kMaxItemTextBytes, Lines::Multi));
  }
  return check_unique(skills, path, [](const Skill& s) -> std::string_view { return s.name; });
}

Status check_prompts(const std::vector<Prompt>& prompts, std::string_view path) {
  WG_TRY(check_count(prompts.size(), TemplateRules::kMaxPrompts, path));
  for (std::size_t i = 0; i < prompts.size(); ++i) {
    const std::string p = index_path(path, i);
    WG_TRY(check_item_name(prompts[i].name, key_path(p, "name")));
    WG_TRY(check_text(prompts[i].system_prompt, key_path(p, "systemPrompt"), 0, TemplateRules::kMaxItemTextBytes,
                      Lines::Multi));
    WG_TRY(check_text(prompts[i].version, key_path(p, "version"), 0, TemplateRules::kMaxVersionLength, Lines::Single));
  }
  return check_unique(prompts, path, [](const Prompt& s) -> std::string_view { return s.name; });
}

Status check_mcp_tools(const std::vector<McpToolDescriptor>& tools, std::string_view path) {
  WG_TRY(check_count(tools.size(), TemplateRules::kMaxMcpTools, path));
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const std::string p = index_path(path, i);
    WG_TRY(check_item_name(tools[i].name, key_path(p, "name")));
    WG_TRY(check_text(tools[i].description, key_path(p, "description"), 0, TemplateRules::kMaxDescriptionBytes,
                      Lines::Multi));
    WG_TRY(check_schema_size(json::value(tools[i].input_schema), key_path(p, "inputSchema")));
    WG_TRY(check_text(tools[i].group, key_path(p, "group"), 0, TemplateRules::kMaxItemNameLength, Lines::Single));
  }
  return check_unique(tools, path, [](const McpToolDescriptor& s) -> std::string_view { return s.name; });
}

Status check_tool_definitions(const std::vector<ToolDefinition>& tools, std::string_view path) {
  WG_TRY(check_count(tools.size(), TemplateRules::kMaxToolDefinitions, path));
  for (std::size_t i = 0; i < tools.size(); ++i) {
    const std::string p = index_path(path, i);
    WG_TRY(check_item_name(tools[i].name, key_path(p, "name")));
    WG_TRY(check_text(tools[i].description, key_path(p, "description"), 0, TemplateRules::kMaxDescriptionBytes,
                      Lines::Multi));
    const json::value& params = tools[i].parameters;
    if (!params.is_null() && !params.is_array() && !params.is_object()) {
      return wrong_type(key_path(p, "parameters"), "an array or an object", params);
    }
    WG_TRY(check_schema_size(params, key_path(p, "parameters")));
    WG_TRY(check_text(tools[i].returns, key_path(p, "returns"), 0, TemplateRules::kMaxDescriptionBytes, Lines::Multi));
  }
  return check_unique(tools, path, [](const ToolDefinition& s) -> std::string_view { return s.name; });
}

json::array string_array(const std::vector<std::string>& items) {
  json::array out;
  out.reserve(items.size());
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

}  // namespace

// --- TemplateLimits / TemplateOverrides ------------------------------------

bool TemplateLimits::empty() const {
  return std::all_of(kLimitFields.begin(), kLimitFields.end(),
                     [this](const LimitField& f) { return !(this->*(f.member)).has_value(); });
}

void TemplateLimits::merge_from(const TemplateLimits& overrides) {
  for (const LimitField& f : kLimitFields) {
    if (overrides.*(f.member)) this->*(f.member) = overrides.*(f.member);
  }
}

bool TemplateOverrides::empty() const {
  return !max_turns && !model && !instructions && !tools && !runtimes && limits.empty();
}

// --- names ------------------------------------------------------------------

std::span<const std::string_view> builtin_tool_names() { return kToolNames; }

bool is_builtin_tool(std::string_view name) {
  return std::find(kToolNames.begin(), kToolNames.end(), name) != kToolNames.end();
}

std::vector<std::string> default_tool_names() {
  std::vector<std::string> out;
  for (std::string_view t : kToolNames) {
    if (t != "run") out.emplace_back(t);
  }
  return out;
}

bool is_valid_template_id(std::string_view id) {
  if (id.empty() || id.size() > TemplateRules::kMaxIdLength) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(id[0])) return false;
  return std::all_of(id.begin() + 1, id.end(), [&](char c) { return alnum(c) || c == '_' || c == '-'; });
}

std::string slugify_id(std::string_view text) {
  std::string out;
  bool pending_dash = false;
  for (char c : text) {
    char l = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    if ((l >= 'a' && l <= 'z') || (l >= '0' && l <= '9')) {
      if (pending_dash && !out.empty()) out.push_back('-');
      pending_dash = false;
      out.push_back(l);
    } else {
      pending_dash = true;
    }
    if (out.size() >= TemplateRules::kMaxIdLength) break;
  }
  out.resize(std::min(out.size(), TemplateRules::kMaxIdLength));
  while (!out.empty() && out.back() == '-') out.pop_back();
  if (out.empty()) out = "agent";
  return out;
}

// --- to JSON ----------------------------------------------------------------

json::object limits_to_json(const TemplateLimits& limits) {
  json::object out;
  for (const LimitField& f : kLimitFields) {
    if (const auto& v = limits.*(f.member)) out[f.key] = *v;
  }
  return out;
}

json::array skills_to_json(const std::vector<Skill>& skills) {
  json::array out;
  for (const Skill& s : skills) {
    out.push_back(
        json::object{{"name", s.name}, {"description", s.description}, {"trigger", s.trigger}, {"content", s.content}});
  }
  return out;
}

json::array prompts_to_json(const std::vector<Prompt>& prompts) {
  json::array out;
  for (const Prompt& p : prompts) {
    out.push_back(json::object{{"name", p.name}, {"systemPrompt", p.system_prompt}, {"version", p.version}});
  }
  return out;
}

json::array mcp_tools_to_json(const std::vector<McpToolDescriptor>& tools) {
  json::array out;
  for (const McpToolDescriptor& t : tools) {
    out.push_back(json::object{
        {"name", t.name}, {"description", t.description}, {"inputSchema", t.input_schema}, {"group", t.group}});
  }
  return out;
}

json::array tool_definitions_to_json(const std::vector<ToolDefinition>& tools) {
  json::array out;
  for (const ToolDefinition& t : tools) {
    out.push_back(json::object{
        {"name", t.name}, {"description", t.description}, {"parameters", t.parameters}, {"returns", t.returns}});
  }
  return out;
}

json::object template_to_json(const Template& t) {
  json::object out;
  out["id"] = t.id;
  out["name"] = t.name;
  out["description"] = t.description;
  out["category"] = t.category;
  out["tags"] = string_array(t.tags);
  out["model"] = t.model;
  out["instructions"] = t.instructions;
  out["maxTurns"] = t.max_turns;
  out["tools"] = string_array(t.tools);
  out["runtimes"] = string_array(t.runtimes);
  out["limits"] = limits_to_json(t.limits);
  out["skills"] = skills_to_json(t.skills);
  out["prompts"] = prompts_to_json(t.prompts);
  out["mcpTools"] = mcp_tools_to_json(t.mcp_tools);
  out["toolDefinitions"] = tool_definitions_to_json(t.tool_definitions);
  out["version"] = t.version;
  out["custom"] = t.custom;
  return out;
}

// --- parsing ----------------------------------------------------------------

Result<TemplateLimits> parse_limits(const json::value& v, std::string_view path) {
  std::array<std::string_view, kLimitFields.size()> keys{};
  for (std::size_t i = 0; i < kLimitFields.size(); ++i) keys[i] = kLimitFields[i].key;
  const json::object* obj = WG_TRY(strict_object(v, path, keys));
  TemplateLimits limits;
  for (const LimitField& f : kLimitFields) {
    if (const json::value* field = find(*obj, f.key)) {
      limits.*(f.member) = WG_TRY(as_uint(*field, key_path(path, f.key), 1, std::numeric_limits<std::uint64_t>::max()));
    }
  }
  return limits;
}

Result<std::vector<Skill>> parse_skills(const json::value& v, std::string_view path) {
  const json::array* arr = v.if_array();
  if (arr == nullptr) return wrong_type(path, "an array of skill objects", v);
  WG_TRY(check_count(arr->size(), TemplateRules::kMaxSkills, path));
  std::vector<Skill> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string p = index_path(path, i);
    const json::object* obj = WG_TRY(strict_object((*arr)[i], p, kSkillKeys));
    Skill s;
    s.name = WG_TRY(required_string(*obj, "name", p));
    WG_TRY(read_string(*obj, "description", p, s.description));
    WG_TRY(read_string(*obj, "trigger", p, s.trigger));
    WG_TRY(read_string(*obj, "content", p, s.content));
    out.push_back(std::move(s));
  }
  WG_TRY(check_skills(out, path));
  return out;
}

Result<std::vector<Prompt>> parse_prompts(const json::value& v, std::string_view path) {
  const json::array* arr = v.if_array();
  if (arr == nullptr) return wrong_type(path, "an array of prompt objects", v);
  WG_TRY(check_count(arr->size(), TemplateRules::kMaxPrompts, path));
  std::vector<Prompt> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string p = index_path(path, i);
    const json::object* obj = WG_TRY(strict_object((*arr)[i], p, kPromptKeys));
    Prompt prompt;
    prompt.name = WG_TRY(required_string(*obj, "name", p));
    WG_TRY(read_string(*obj, "systemPrompt", p, prompt.system_prompt));
    WG_TRY(read_string(*obj, "version", p, prompt.version));
    out.push_back(std::move(prompt));
  }
  WG_TRY(check_prompts(out, path));
  return out;
}

Result<std::vector<McpToolDescriptor>> parse_mcp_tools(const json::value& v, std::string_view path) {
  const json::array* arr = v.if_array();
  if (arr == nullptr) return wrong_type(path, "an array of MCP tool objects", v);
  WG_TRY(check_count(arr->size(), TemplateRules::kMaxMcpTools, path));
  std::vector<McpToolDescriptor> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string p = index_path(path, i);
    const json::object* obj = WG_TRY(strict_object((*arr)[i], p, kMcpToolKeys));
    McpToolDescriptor t;
    t.name = WG_TRY(required_string(*obj, "name", p));
    WG_TRY(read_string(*obj, "description", p, t.description));
    if (const json::value* schema = find(*obj, "inputSchema")) {
      const json::object* s = schema->if_object();
      if (s == nullptr) return wrong_type(key_path(p, "inputSchema"), "an object (a JSON Schema)", *schema);
      t.input_schema = *s;
    }
    WG_TRY(read_string(*obj, "group", p, t.group));
    out.push_back(std::move(t));
  }
  WG_TRY(check_mcp_tools(out, path));
  return out;
}

Result<std::vector<ToolDefinition>> parse_tool_definitions(const json::value& v, std::string_view path) {
  const json::array* arr = v.if_array();
  if (arr == nullptr) return wrong_type(path, "an array of tool objects", v);
  WG_TRY(check_count(arr->size(), TemplateRules::kMaxToolDefinitions, path));
  std::vector<ToolDefinition> out;
  for (std::size_t i = 0; i < arr->size(); ++i) {
    const std::string p = index_path(path, i);
    const json::object* obj = WG_TRY(strict_object((*arr)[i], p, kToolDefinitionKeys));
    ToolDefinition t;
    t.name = WG_TRY(required_string(*obj, "name", p));
    WG_TRY(read_string(*obj, "description", p, t.description));
    if (const json::value* params = find(*obj, "parameters")) t.parameters = *params;
    WG_TRY(read_string(*obj, "returns", p, t.returns));
    out.push_back(std::move(t));
  }
  WG_TRY(check_tool_definitions(out, path));
  return out;
}

namespace {

enum class Source : std::uint8_t { Client, RvfAgent };

constexpr std::array<std::string_view, 12> kRvfAgentKeys = {
    "id",           "name",     "description", "category", "tags",   "model",
    "instructions", "maxTurns", "tools",       "runtimes", "limits", "version",
};

Result<Template> parse_template_impl(const json::value& v, std::string_view path, Source source) {
  const json::object* obj = source == Source::Client ? WG_TRY(strict_object(v, path, kTemplateKeys))
                                                     : WG_TRY(strict_object(v, path, kRvfAgentKeys));
  Template t;
  if (source == Source::Client) {
    t.id = WG_TRY(required_string(*obj, "id", path));
    WG_TRY(check_id(t.id, key_path(path, "id")));
    t.name = WG_TRY(required_string(*obj, "name", path));
  } else {
    WG_TRY(read_string(*obj, "id", path, t.id));
    WG_TRY(read_string(*obj, "name", path, t.name));
    if (t.id.empty()) t.id = slugify_id(t.name);
    WG_TRY(check_id(t.id, key_path(path, "id")));
    if (t.name.empty()) t.name = t.id;
  }
  WG_TRY(read_string(*obj, "description", path, t.description));
  t.category = std::string(kDefaultCategory);
  WG_TRY(read_string(*obj, "category", path, t.category));
  if (const json::value* tags = find(*obj, "tags")) t.tags = WG_TRY(as_string_array(*tags, key_path(path, "tags")));
  WG_TRY(read_string(*obj, "model", path, t.model));
  WG_TRY(read_string(*obj, "instructions", path, t.instructions));
  if (const json::value* n = find(*obj, "maxTurns")) {
    t.max_turns = static_cast<std::uint32_t>(
        WG_TRY(as_uint(*n, key_path(path, "maxTurns"), TemplateRules::kMinTurns, TemplateRules::kMaxTurns)));
  }
  if (const json::value* tools = find(*obj, "tools")) {
    t.tools = WG_TRY(as_string_array(*tools, key_path(path, "tools")));
  } else {
    t.tools = default_tool_names();
  }
  if (const json::value* r = find(*obj, "runtimes"))
    t.runtimes = WG_TRY(as_string_array(*r, key_path(path, "runtimes")));
  if (const json::value* l = find(*obj, "limits")) t.limits = WG_TRY(parse_limits(*l, key_path(path, "limits")));
  if (const json::value* s = find(*obj, "skills")) t.skills = WG_TRY(parse_skills(*s, key_path(path, "skills")));
  if (const json::value* p = find(*obj, "prompts")) t.prompts = WG_TRY(parse_prompts(*p, key_path(path, "prompts")));
  if (const json::value* m = find(*obj, "mcpTools"))
    t.mcp_tools = WG_TRY(parse_mcp_tools(*m, key_path(path, "mcpTools")));
  if (const json::value* d = find(*obj, "toolDefinitions")) {
    t.tool_definitions = WG_TRY(parse_tool_definitions(*d, key_path(path, "toolDefinitions")));
  }
  WG_TRY(read_string(*obj, "version", path, t.version));
  if (const json::value* c = find(*obj, "custom"); c != nullptr && !c->is_bool()) {
    return wrong_type(key_path(path, "custom"), "a boolean", *c);
  }
  t.custom = source == Source::Client;
  WG_TRY(validate_template(t, path));
  return t;
}

}  // namespace

Result<Template> parse_custom_template(const json::value& v, std::string_view path) {
  return parse_template_impl(v, path, Source::Client);
}

Result<Template> parse_rvf_agent(const json::value& v, std::string_view path) {
  return parse_template_impl(v, path, Source::RvfAgent);
}

json::object rvf_agent_to_json(const Template& t) {
  json::object out = template_to_json(t);
  for (std::string_view key : {"skills", "prompts", "mcpTools", "toolDefinitions", "custom"}) out.erase(key);
  return out;
}

Status validate_template(const Template& t, std::string_view path) {
  WG_TRY(check_id(t.id, key_path(path, "id")));
  WG_TRY(check_text(t.name, key_path(path, "name"), 1, TemplateRules::kMaxNameLength, Lines::Single));
  WG_TRY(
      check_text(t.description, key_path(path, "description"), 0, TemplateRules::kMaxDescriptionBytes, Lines::Multi));
  WG_TRY(check_id(t.category, key_path(path, "category")));
  const std::string tags_path = key_path(path, "tags");
  WG_TRY(check_count(t.tags.size(), TemplateRules::kMaxTags, tags_path));
  for (std::size_t i = 0; i < t.tags.size(); ++i) {
    WG_TRY(check_text(t.tags[i], index_path(tags_path, i), 1, TemplateRules::kMaxTagLength, Lines::Single));
  }
  WG_TRY(check_unique(t.tags, tags_path, [](const std::string& s) -> std::string_view { return s; }));
  WG_TRY(check_model(t.model, key_path(path, "model")));
  WG_TRY(check_instructions(t.instructions, key_path(path, "instructions")));
  WG_TRY(check_max_turns(t.max_turns, key_path(path, "maxTurns")));
  WG_TRY(check_tools(t.tools, key_path(path, "tools")));
  WG_TRY(check_runtimes(t.runtimes, key_path(path, "runtimes")));
  WG_TRY(check_limits(t.limits, key_path(path, "limits")));
  WG_TRY(check_skills(t.skills, key_path(path, "skills")));
  WG_TRY(check_prompts(t.prompts, key_path(path, "prompts")));
  WG_TRY(check_mcp_tools(t.mcp_tools, key_path(path, "mcpTools")));
  WG_TRY(check_tool_definitions(t.tool_definitions, key_path(path, "toolDefinitions")));
  WG_TRY(check_text(t.version, key_path(path, "version"), 1, TemplateRules::kMaxVersionLength, Lines::Single));
  return ok();
}

// --- overrides ---------------------------------------------------------------

Result<OverridesPatch> parse_overrides_patch(const json::value& v, std::string_view path) {
  const json::object* obj = WG_TRY(strict_object(v, path, kOverrideKeys));
  if (obj->empty()) {
    return invalid(
        path, "is empty; give at least one of: " + join_names(kOverrideKeys) + " (a null value removes that override)");
  }
  OverridesPatch patch;
  for (const auto& member : *obj) {
    const std::string_view key(member.key().data(), member.key().size());
    const json::value& value = member.value();
    const std::string p = key_path(path, key);
    if (value.is_null()) {
      patch.cleared.emplace_back(key);
      continue;
    }
    if (key == "maxTurns") {
      patch.set.max_turns =
          static_cast<std::uint32_t>(WG_TRY(as_uint(value, p, TemplateRules::kMinTurns, TemplateRules::kMaxTurns)));
    } else if (key == "model") {
      patch.set.model = WG_TRY(as_string(value, p));
      WG_TRY(check_model(*patch.set.model, p));
    } else if (key == "instructions") {
      patch.set.instructions = WG_TRY(as_string(value, p));
      WG_TRY(check_instructions(*patch.set.instructions, p));
    } else if (key == "tools") {
      patch.set.tools = WG_TRY(as_string_array(value, p));
      WG_TRY(check_tools(*patch.set.tools, p));
    } else if (key == "runtimes") {
      patch.set.runtimes = WG_TRY(as_string_array(value, p));
      WG_TRY(check_runtimes(*patch.set.runtimes, p));
    } else if (key == "limits") {
      // Null limit fields clear; the rest parse as limits.
      const json::object* lim = value.if_object();
      if (lim == nullptr) return wrong_type(p, "an object", value);
      json::object set_fields;
      for (const auto& f : *lim) {
        if (f.value().is_null()) {
          patch.cleared_limits.emplace_back(f.key().data(), f.key().size());
        } else {
          set_fields.emplace(f.key(), f.value());
        }
      }
      // Unknown keys among the cleared ones are caught here too.
      json::object all_keys = set_fields;
      for (const std::string& k : patch.cleared_limits) all_keys.emplace(k, 1);
      WG_TRY(parse_limits(json::value(std::move(all_keys)), p));
      patch.set.limits = WG_TRY(parse_limits(json::value(std::move(set_fields)), p));
    }
  }
  return patch;
}

TemplateOverrides apply_patch(TemplateOverrides base, const OverridesPatch& patch) {
  for (const std::string& key : patch.cleared) {
    if (key == "maxTurns") base.max_turns.reset();
    if (key == "model") base.model.reset();
    if (key == "instructions") base.instructions.reset();
    if (key == "tools") base.tools.reset();
    if (key == "runtimes") base.runtimes.reset();
    if (key == "limits") base.limits = TemplateLimits{};
  }
  for (const std::string& key : patch.cleared_limits) {
    for (const LimitField& f : kLimitFields) {
      if (f.key == key) (base.limits.*(f.member)).reset();
    }
  }
  if (patch.set.max_turns) base.max_turns = patch.set.max_turns;
  if (patch.set.model) base.model = patch.set.model;
  if (patch.set.instructions) base.instructions = patch.set.instructions;
  if (patch.set.tools) base.tools = patch.set.tools;
  if (patch.set.runtimes) base.runtimes = patch.set.runtimes;
  base.limits.merge_from(patch.set.limits);
  return base;
}

json::object overrides_to_json(const TemplateOverrides& o) {
  json::object out;
  if (o.max_turns) out["maxTurns"] = *o.max_turns;
  if (o.model) out["model"] = *o.model;
  if (o.instructions) out["instructions"] = *o.instructions;
  if (o.tools) out["tools"] = string_array(*o.tools);
  if (o.runtimes) out["runtimes"] = string_array(*o.runtimes);
  if (!o.limits.empty()) out["limits"] = limits_to_json(o.limits);
  return out;
}

Result<TemplateOverrides> parse_overrides(const json::value& v, std::string_view path) {
  const json::object* obj = v.if_object();
  if (obj == nullptr) return wrong_type(path, "an object", v);
  if (obj->empty()) return TemplateOverrides{};
  for (const auto& member : *obj) {
    if (member.value().is_null()) return invalid(key_path(path, member.key()), "must not be null");
  }
  OverridesPatch patch = WG_TRY(parse_overrides_patch(v, path));
  if (!patch.cleared_limits.empty()) return invalid(key_path(path, "limits"), "must not contain null fields");
  return patch.set;
}

Template apply_overrides(Template t, const TemplateOverrides& o) {
  if (o.max_turns) t.max_turns = *o.max_turns;
  if (o.model) t.model = *o.model;
  if (o.instructions) t.instructions = *o.instructions;
  if (o.tools) t.tools = *o.tools;
  if (o.runtimes) t.runtimes = *o.runtimes;
  t.limits.merge_from(o.limits);
  return t;
}

}  // namespace wg::gallery
