// The dashboard and the HTTP admin API of `wasmgate serve` and `wasmgate
// proxy`, served through the HTTP transport's fallback (paths other than
// /mcp; mcp::HttpOptions::fallback). docs/dashboard.md is the reference.
//
//   GET  /                                  the dashboard (web/dashboard.h)
//   GET  /api/status                        version, mode, policy source and revision, counts
//   GET  /api/approvals[?all=1]             pending approvals (all: every status), newest first
//   POST /api/approvals/{id}/approve|deny   body {} or {"by": NAME}
//   GET  /api/audit[?limit=N]               the last N (default 50, at most 1000) audit records
//   GET  /api/agents                        serve only: the agents (AgentService::list)
//
// Semantics are those of `wasmgate approvals list|approve|deny`: the same
// store calls (store::PolicyStateStore::list_approvals / decide_approval),
// so an approval decided here is consumed once by the next identical call.
//
// Security: the transport has already refused foreign Origin and (on
// loopback) foreign Host headers. POST needs Content-Type application/json
// (415 otherwise; a cross-site form cannot send it without a CORS
// preflight, which we never grant). When bearer tokens are configured,
// /api/* needs a valid one (401), and an identity may not decide an
// approval that its own call requested (403): an agent's token cannot
// approve the agent's calls. The page itself is static and public; it is
// served with a strict Content-Security-Policy and frame-ancestors 'none'.
// Errors are JSON {"error": {"code", "message"}} with 400, 401, 403, 404,
// 405 (with Allow), 409 (the approval is not pending), 413, 415 or 500.
//
// Thread-safety: handle_admin_request() may run on several threads at once
// (the store and the services it uses are thread-safe). The pointers in
// AdminContext are borrowed: they must outlive the HTTP server.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "mcp/transport/http.h"
#include "store/policy_state_store.h"

namespace wg::agent {
class AgentService;
}

namespace wg::app {

struct PolicyRuntime;

struct AdminLimits {
  std::size_t max_body_bytes = 16 * 1024;              // POST bodies (413 beyond)
  std::size_t max_audit_records = 1000;                // ?limit=
  std::size_t max_audit_tail_bytes = 8 * 1024 * 1024;  // read from the end of audit.jsonl at most
};

struct AdminContext {
  std::string mode = "serve";             // "serve" or "proxy", shown by /api/status
  PolicyRuntime* policy = nullptr;        // null: no gate (--no-policy); approvals/audit answer 404
  std::string policy_source;              // the policy file, or kDefaultPolicySource
  std::string audit_path;                 // the gate's audit log file, e.g. STATE/audit.jsonl
  agent::AgentService* agents = nullptr;  // serve: /api/agents; null: 404
  AdminLimits limits;
};

// Answers one request outside /mcp: the dashboard at "/" and "/index.html",
// the API under "/api/"; nullopt for any other path (the transport's 404).
std::optional<mcp::HttpReply> handle_admin_request(const AdminContext& context, const mcp::HttpRequestView& request);

// The fallback to put in mcp::HttpOptions::fallback (or
// app::TransportConfig::fallback): handle_admin_request over a copy of `context`.
mcp::HttpFallback admin_fallback(AdminContext context);

// "2026-11-29T18:00:00Z" for a time in milliseconds since the epoch.
std::string iso8601(store::EpochMs ms);

// One approval as JSON (the shape of `wasmgate approvals list --json` and
// of GET /api/approvals): id, status, kind, tool, argsDigest, revision,
// rule, reason, session, identity, args, created, expires, decidedBy, and
// decided / used (ISO 8601 UTC) once set.
boost::json::object approval_json(const store::ApprovalRecord& record);

// The last `limit` complete lines of a JSON Lines file, oldest first, each
// parsed as an object (a line that does not parse is skipped), reading at
// most `max_bytes` from the end. A missing file is an empty list.
Result<boost::json::array> tail_jsonl(const std::string& path, std::size_t limit, std::size_t max_bytes);

}  // namespace wg::app
