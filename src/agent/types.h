// The agent's data model: configuration, limits, todos and status, with
// their JSON forms (camelCase keys, the names Claude Flow's tools use).
//
// Contract: every *_from_json() is strict — unknown keys, wrong types and
// out-of-range values are Invalid errors naming the field — because these
// values come from MCP clients, export files and the store. The *_to_json()
// functions emit keys in a fixed order, so equal values serialise to equal
// bytes (digests rely on it).
// Thread-safety: plain values and pure functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "gallery/template.h"

namespace wg::agent {

// Per-agent limits. Defaults are what an agent gets when neither its
// template nor its creator says otherwise; ServiceOptions caps them.
struct Limits {
  std::uint64_t fuel = 2'000'000'000;               // per run
  std::uint64_t max_memory_bytes = 256ull << 20;    // per run, linear memory
  std::uint64_t timeout_ms = 30'000;                // per run, wall time
  std::uint64_t max_output_bytes = 1ull << 20;      // per run, stdout and stderr each
  std::uint64_t max_files = 1000;                   // files, directories and symlinks
  std::uint64_t max_bytes = 64ull << 20;            // total file contents
  std::uint64_t max_file_size = 16ull << 20;        // one file
  std::uint64_t max_path_length = 1024;             // bytes of a canonical path
  std::uint64_t max_todos = 200;
  std::uint64_t max_messages = 1000;                // conversation entries
  friend bool operator==(const Limits&, const Limits&) = default;
};

boost::json::object limits_to_json(const Limits& limits);
// Reads the keys present in `json` over `base` (a partial object overrides
// only what it names). Zero is refused for every limit.
Result<Limits> limits_from_json(const boost::json::value& json, Limits base = {});
// `base` with every limit a template sets.
Limits with_template_limits(Limits base, const gallery::TemplateLimits& overrides);
// Each field the smaller of the two.
Limits clamp_limits(const Limits& wanted, const Limits& cap);

enum class AgentStatus : std::uint8_t { Active, Stopped };
std::string_view to_string(AgentStatus status);
Result<AgentStatus> status_from_string(std::string_view text);

struct AgentConfig {
  std::string id;             // "agt_" + 16 hex digits, or an imported id
  std::string name;
  std::string template_id;    // empty when created without a template
  std::string model;
  std::string instructions;
  std::uint32_t max_turns = 50;
  std::vector<std::string> tools;     // built-in tools the agent may use
  std::vector<std::string> runtimes;  // runtimes `run` may start
  Limits limits;
  std::int64_t created_ms = 0;
  friend bool operator==(const AgentConfig&, const AgentConfig&) = default;
};

boost::json::object config_to_json(const AgentConfig& config);
Result<AgentConfig> config_from_json(const boost::json::value& json);

struct Todo {
  std::string id;
  std::string content;
  std::string status;  // pending | in_progress | completed
  friend bool operator==(const Todo&, const Todo&) = default;
};

boost::json::array todos_to_json(const std::vector<Todo>& todos);
// A JSON array of {id?, content, status?}; ids default to "1", "2", ...;
// status defaults to "pending". At most `max_todos` entries.
Result<std::vector<Todo>> todos_from_json(const boost::json::value& json, std::uint64_t max_todos);

// Identifiers from clients (agentId, template, toolName, ...): 1..64 of
// [A-Za-z0-9_.-]. Invalid names `field` otherwise.
Status validate_identifier(std::string_view value, std::string_view field);

// The built-in tools every agent knows (sorted).
const std::vector<std::string>& builtin_tool_names();
bool is_builtin_tool(std::string_view name);

}  // namespace wg::agent
