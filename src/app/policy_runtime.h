// The policy machinery shared by `wasmgate serve --policy` and `wasmgate
// proxy`: the PolicyHolder (hot reload), the store-backed counters and
// approvals, the audit log and the Gate over them (policy/gate.h).
//
// Contract: open_policy_runtime() loads the policy file (the first load must
// succeed: Invalid with the loader's file:line:col messages) and opens
// `state_dir`/policy-state.sqlite3 and `state_dir`/audit.jsonl (the directory
// must exist). poll_reload() is the hot reload: one stat() when nothing
// changed; a new file content is loaded, a bad one keeps the policy in
// force; both are reported on `err` once per content. Callers poll before
// each gated call (docs/policy.md "Hot reload").
// gated_call() runs a locally registered tool behind the Gate: a refusal is
// the call's isError result and the tool never runs; otherwise the tool's
// outcome is reported to Gate::after (commit or release, audit record).
// register_gated() copies what a staging Server offers into `server`, each
// tool wrapped by gated_call(); tools the policy in force hides are not
// registered.
// Thread-safety: a PolicyRuntime may be used from many threads (the Gate and
// the holder are thread-safe); it must outlive every call that uses it.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "base/error.h"
#include "mcp/protocol/types.h"
#include "mcp/server/server.h"
#include "mcp/server/session.h"
#include "policy/audit_log.h"
#include "policy/gate.h"
#include "policy/policy_holder.h"
#include "store/policy_state_store.h"

namespace wg::app {

// Owns what the Gate references; members are destroyed gate first.
struct PolicyRuntime {
  std::unique_ptr<policy::PolicyHolder> holder;
  std::unique_ptr<store::PolicyStateStore> store;
  std::unique_ptr<policy::AuditLog> audit;
  policy::SystemClock clock;
  std::unique_ptr<policy::Gate> gate;
  std::mutex report_mutex;     // guards reported_error
  std::string reported_error;  // the last rejected reload reported on err
};

Result<std::unique_ptr<PolicyRuntime>> open_policy_runtime(const std::string& policy_file,
                                                           const std::string& state_dir);
// The same around a holder made otherwise (e.g. PolicyHolder::fixed for the
// embedded default policy).
Result<std::unique_ptr<PolicyRuntime>> open_policy_runtime(std::unique_ptr<policy::PolicyHolder> holder,
                                                           const std::string& state_dir);

// Hot reload: reloads the policy file when it changed; reports a new
// revision or a rejected file on `err`. Returns true when a new policy is
// in force.
bool poll_reload(PolicyRuntime& rt, std::FILE* err);

// A tools/call result object as an mcp::ToolResult (content, structuredContent, isError).
mcp::ToolResult tool_result_from_json(const boost::json::object& o);

// A Gate refusal (Admission::tool_result()) as the result of a tool. For a
// tool with an outputSchema the details travel as a second text item holding
// the same JSON object instead of structuredContent: the official TS SDK
// client (1.32) validates structuredContent against outputSchema even on
// isError results and throws instead of showing the refusal.
mcp::ToolResult refusal_result(const boost::json::object& refusal, bool has_output_schema);

// Decides a tools/call: Gate::before, and when the policy asks for a human's
// approval and the client supports elicitation (spec client/elicitation,
// form mode), asks the human in the client ("approve": boolean), records
// the answer (Gate::answer_approval) and decides again (which consumes the
// approval). Decline or approve=false denies the approval; cancel, a
// timeout or a client without elicitation leave it pending (the
// asynchronous flow: approvalId in the refusal, `wasmgate approvals`).
// `decided` runs exactly once, on the caller's thread or the session strand.
void admit(PolicyRuntime& rt, const policy::GateRequest& request, const std::shared_ptr<mcp::ToolCall>& call,
           std::function<void(policy::Admission)> decided);

void gated_call(PolicyRuntime& rt, const std::shared_ptr<const mcp::Server::Tool>& tool,
                const std::shared_ptr<mcp::ToolCall>& call, std::FILE* err);

Status register_gated(mcp::Server& staging, mcp::Server& server, PolicyRuntime& rt, std::FILE* err);

}  // namespace wg::app
