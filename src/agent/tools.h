// The built-in tools an agent offers to its model and to MCP clients
// (wasm_agent_tool): read_file, write_file, edit_file, list_files,
// delete_file, glob, grep, write_todos and run.
//
// Contract: run_tool() validates `input` strictly (unknown keys, wrong types,
// missing fields are Invalid errors naming the field), applies the tool to
// `agent` and returns a structured result plus a short readable text. Every
// path goes through the VFS's one normaliser (vfs/path.h): relative paths
// start at the root, ".." is clamped at the root, results carry canonical
// paths. A failing tool leaves `agent` unchanged except for `run`, whose
// guest changes survive only when the guest exits (see ProgramRunner).
// Tools not in the agent's allowlist are Denied.
// Thread-safety: none; callers serialise access to the agent.
#pragma once

#include <atomic>
#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "agent/agent.h"
#include "base/error.h"
#include "wasi/runner.h"

namespace wg::agent {

// What `run` asks for.
struct RunRequest {
  std::string program;            // a runtime name ("ruby", "cat") or a .wasm path in the VFS
  std::vector<std::string> args;  // after the program name
  std::string stdin_data;
  std::vector<std::string> env;   // "KEY=VALUE"
  std::uint64_t fuel = 0;         // 0: the agent's limit; otherwise at most that
  std::uint64_t timeout_ms = 0;   // 0: the agent's limit; otherwise at most that
};

// Per-run context the service supplies.
struct RunContext {
  std::uint64_t seed = 0;                    // deterministic random seed
  std::atomic<bool>* interrupt = nullptr;    // raised by wasm_agent_stop / cancellation
};

// Starts programs for `run`. Implementations resolve the program (a granted
// runtime or a .wasm file in the agent's VFS), apply the agent's limits and
// run it over the agent's VFS. The guest's file changes are kept when it
// exits (any exit code) and discarded when it traps or hits a limit.
class ProgramRunner {
 public:
  virtual ~ProgramRunner() = default;
  virtual Result<wasi::RunResult> run(Agent& agent, const RunRequest& request, const RunContext& context) = 0;
  // Programs this agent may start by name (for error messages and listings).
  virtual std::vector<std::string> programs_for(const AgentConfig& config) const = 0;
};

struct ToolOutcome {
  boost::json::object structured;  // structuredContent
  std::string text;                // readable summary
  bool tool_error = false;         // the tool ran but failed (e.g. a guest exited non-zero is NOT an error)
};

struct ToolEnv {
  ProgramRunner* runner = nullptr;  // null: run is unavailable
  RunContext run;
};

// True for tools that never change the agent.
bool is_read_only_tool(std::string_view tool);

Result<ToolOutcome> run_tool(Agent& agent, std::string_view tool, const boost::json::object& input,
                             const ToolEnv& env);

// Parses run's input ({program, args?, stdin?, env?, fuel?, timeoutMs?}).
Result<RunRequest> parse_run_request(const boost::json::object& input, std::string_view context);
// The structured form of a finished run.
boost::json::object run_result_to_json(const wasi::RunResult& result);
std::string run_result_text(const RunRequest& request, const wasi::RunResult& result);

// Descriptions and JSON Schemas of the built-in tools, for wasm_agent_tools
// and the model's tool list.
boost::json::object builtin_tool_spec(std::string_view tool);

}  // namespace wg::agent
