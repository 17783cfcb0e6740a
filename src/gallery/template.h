// Agent templates: the value type the gallery stores, searches and hands to
// the agent host, its JSON form, and the strict parser for client input.
//
// JSON form (camelCase keys, docs/gallery.md has an example):
//   {"id", "name", "description", "category", "tags": [..], "model",
//    "instructions", "maxTurns", "tools": [..], "runtimes": [..],
//    "limits": {"fuel", "maxMemoryBytes", "timeoutMs", "maxOutputBytes",
//               "maxFiles", "maxBytes", "maxFileSize", "maxPathLength",
//               "maxTodos", "maxMessages"},
//    "skills": [{"name","description","trigger","content"}],
//    "prompts": [{"name","systemPrompt","version"}],
//    "mcpTools": [{"name","description","inputSchema","group"}],
//    "toolDefinitions": [{"name","description","parameters","returns"}],
//    "version", "custom"}
// template_to_json() always writes every key (limits only the ones set), so
// its output is accepted by parse_custom_template() again.
//
// Strictness (parse_custom_template): unknown keys are refused by name, with
// the nearest known key suggested ("maxTurn" -> "maxTurns", "max_turns" ->
// "maxTurns"); every value has one JSON type; ids, tool names, sizes and
// counts are checked against TemplateRules. Every failure is
// ErrorCode::Invalid with a message naming the JSON path
// ("template.tools[2]: unknown tool \"bash\"; known tools: ...").
// Thread-safety: pure functions over values.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"

namespace wg::gallery {

// Resource limits a template asks for. Unset fields take the agent host's
// defaults (agent::Limits in agent/types.h; table in docs/agents.md). A set
// field is >= 1.
struct TemplateLimits {
  std::optional<std::uint64_t> fuel;
  std::optional<std::uint64_t> max_memory_bytes;
  std::optional<std::uint64_t> timeout_ms;
  std::optional<std::uint64_t> max_output_bytes;
  std::optional<std::uint64_t> max_files;
  std::optional<std::uint64_t> max_bytes;
  std::optional<std::uint64_t> max_file_size;
  std::optional<std::uint64_t> max_path_length;
  std::optional<std::uint64_t> max_todos;
  std::optional<std::uint64_t> max_messages;

  bool empty() const;
  // Fields set in `overrides` replace ours.
  void merge_from(const TemplateLimits& overrides);
  friend bool operator==(const TemplateLimits&, const TemplateLimits&) = default;
};

// A skill packed into an RVF container (wasm_agent_compose).
struct Skill {
  std::string name;
  std::string description;
  std::string trigger;
  std::string content;
  friend bool operator==(const Skill&, const Skill&) = default;
};

// An MCP tool the agent may be offered, by descriptor.
struct McpToolDescriptor {
  std::string name;
  std::string description;
  boost::json::object input_schema;  // a JSON Schema object; {} when absent
  std::string group;
  friend bool operator==(const McpToolDescriptor&, const McpToolDescriptor&) = default;
};

struct Prompt {
  std::string name;
  std::string system_prompt;
  std::string version;
  friend bool operator==(const Prompt&, const Prompt&) = default;
};

// A tool described to the model (compose's `tools`); distinct from
// Template::tools, which allowlists the host's built-in tools.
struct ToolDefinition {
  std::string name;
  std::string description;
  boost::json::value parameters;  // array or object; null when absent
  std::string returns;
  friend bool operator==(const ToolDefinition&, const ToolDefinition&) = default;
};

inline constexpr std::string_view kDefaultModel = "anthropic:claude-sonnet-4-6";
inline constexpr std::uint32_t kDefaultMaxTurns = 50;
inline constexpr std::string_view kDefaultCategory = "custom";
inline constexpr std::string_view kDefaultVersion = "1.0.0";

struct Template {
  std::string id;  // 1..64 of [a-z0-9][a-z0-9_-]*
  std::string name;
  std::string description;
  std::string category;  // same shape as id
  std::vector<std::string> tags;
  std::string model = std::string(kDefaultModel);
  std::string instructions;
  std::uint32_t max_turns = kDefaultMaxTurns;
  std::vector<std::string> tools;     // built-in agent tool names, no duplicates
  std::vector<std::string> runtimes;  // granted runtime names ("ruby", "coreutils")
  TemplateLimits limits;
  std::vector<Skill> skills;
  std::vector<Prompt> prompts;
  std::vector<McpToolDescriptor> mcp_tools;
  std::vector<ToolDefinition> tool_definitions;
  std::string version = std::string(kDefaultVersion);
  bool custom = false;  // set by the gallery, never trusted from input

  friend bool operator==(const Template&, const Template&) = default;
};

// Sizes and counts a template must respect (checked by every parser here).
struct TemplateRules {
  static constexpr std::size_t kMaxIdLength = 64;
  static constexpr std::size_t kMaxNameLength = 128;
  static constexpr std::size_t kMaxDescriptionBytes = 4 * 1024;
  static constexpr std::size_t kMaxInstructionsBytes = 64 * 1024;
  static constexpr std::size_t kMaxModelLength = 128;
  static constexpr std::size_t kMaxVersionLength = 32;
  static constexpr std::size_t kMaxTags = 32;
  static constexpr std::size_t kMaxTagLength = 64;
  static constexpr std::size_t kMaxRuntimes = 16;
  static constexpr std::uint32_t kMinTurns = 1;
  static constexpr std::uint32_t kMaxTurns = 10000;
  static constexpr std::size_t kMaxSkills = 64;
  static constexpr std::size_t kMaxPrompts = 64;
  static constexpr std::size_t kMaxMcpTools = 256;
  static constexpr std::size_t kMaxToolDefinitions = 64;
  static constexpr std::size_t kMaxItemNameLength = 128;       // skill/prompt/tool names
  static constexpr std::size_t kMaxItemTextBytes = 64 * 1024;  // skill content, system prompt
  static constexpr std::size_t kMaxSchemaBytes = 64 * 1024;    // serialized inputSchema/parameters
};

// The built-in agent tools a template may allowlist, in a fixed order:
// read_file, write_file, edit_file, list_files, delete_file, glob, grep,
// write_todos, run.
std::span<const std::string_view> builtin_tool_names();
bool is_builtin_tool(std::string_view name);
// The tool set a template gets when its JSON has no "tools" key: every
// built-in tool except `run` (running programs is opt-in).
std::vector<std::string> default_tool_names();

// True for 1..64 chars of [a-z0-9][a-z0-9_-]* (template ids, categories,
// runtime names).
bool is_valid_template_id(std::string_view id);

boost::json::object limits_to_json(const TemplateLimits& limits);
boost::json::object template_to_json(const Template& tmpl);

// Parses a client-supplied template (wasm_gallery_add_custom, import,
// stored custom rows). `path` prefixes error messages ("template",
// "templates[3]"). The result has custom = true; an input "custom" key must
// be a boolean and is otherwise ignored. Required keys: id, name. Defaults:
// description "", category "custom", tags [], model kDefaultModel,
// instructions "", maxTurns 50, tools default_tool_names(), runtimes [],
// limits {}, skills/prompts/mcpTools/toolDefinitions [], version "1.0.0".
Result<Template> parse_custom_template(const boost::json::value& json, std::string_view path = "template");

// Parses the agent segment of an RVF container (gallery/rvf.h): the
// template keys except skills, prompts, mcpTools, toolDefinitions and
// custom. "id" and "name" may be absent or empty: id = slugify_id(name),
// name = id. The result is validated and has custom = false (the
// container does not say; template_from_rvf marks it custom).
Result<Template> parse_rvf_agent(const boost::json::value& json, std::string_view path = "agent");
// The agent segment's JSON: template_to_json() without those keys.
boost::json::object rvf_agent_to_json(const Template& tmpl);

// Parses a "limits" object strictly (unknown keys, non-integers, 0 refused).
Result<TemplateLimits> parse_limits(const boost::json::value& json, std::string_view path = "limits");

// Full validation of a template value built in code (built-ins, RVF):
// the same rules parse_custom_template applies.
Status validate_template(const Template& tmpl, std::string_view path = "template");

// Turns free text into a template id: lower-case, runs of other characters
// become '-', trimmed, at most 64 chars; "agent" when nothing is left.
std::string slugify_id(std::string_view text);

// Item parsers shared with the RVF codec (each strict, path-prefixed).
Result<std::vector<Skill>> parse_skills(const boost::json::value& json, std::string_view path);
Result<std::vector<Prompt>> parse_prompts(const boost::json::value& json, std::string_view path);
Result<std::vector<McpToolDescriptor>> parse_mcp_tools(const boost::json::value& json, std::string_view path);
Result<std::vector<ToolDefinition>> parse_tool_definitions(const boost::json::value& json, std::string_view path);
boost::json::array skills_to_json(const std::vector<Skill>& skills);
boost::json::array prompts_to_json(const std::vector<Prompt>& prompts);
boost::json::array mcp_tools_to_json(const std::vector<McpToolDescriptor>& tools);
boost::json::array tool_definitions_to_json(const std::vector<ToolDefinition>& tools);

// Configuration overrides for the active template (wasm_gallery_configure).
// Only these keys exist: maxTurns, model, instructions, tools, runtimes,
// limits.
struct TemplateOverrides {
  std::optional<std::uint32_t> max_turns;
  std::optional<std::string> model;
  std::optional<std::string> instructions;
  std::optional<std::vector<std::string>> tools;
  std::optional<std::vector<std::string>> runtimes;
  TemplateLimits limits;

  bool empty() const;
  friend bool operator==(const TemplateOverrides&, const TemplateOverrides&) = default;
};

// Strict parse of an overrides object. A key whose value is null means
// "remove this override" and is reported in `cleared` (for "limits": a null
// limit field clears that field). Unknown keys are Invalid with a
// suggestion; an empty object is Invalid.
struct OverridesPatch {
  TemplateOverrides set;
  std::vector<std::string> cleared;         // top-level keys, e.g. "model"
  std::vector<std::string> cleared_limits;  // limit keys, e.g. "fuel"
};
Result<OverridesPatch> parse_overrides_patch(const boost::json::value& json, std::string_view path = "config");
// Applies a patch to existing overrides (set replaces, cleared removes;
// limits merge per field).
TemplateOverrides apply_patch(TemplateOverrides base, const OverridesPatch& patch);
boost::json::object overrides_to_json(const TemplateOverrides& overrides);
// Parses what overrides_to_json wrote (no nulls, may be empty).
Result<TemplateOverrides> parse_overrides(const boost::json::value& json, std::string_view path = "config");
// The template with overrides applied.
Template apply_overrides(Template tmpl, const TemplateOverrides& overrides);

}  // namespace wg::gallery
