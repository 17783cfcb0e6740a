// `wasmgate policy scan`: a starter policy from an upstream MCP server's
// tools/list, grouped by risk (docs/policy.md "Scan").
//
// Contract:
//   - scan_upstream() connects to the upstream through app::upstream_factory
//     (a stdio child, or a Streamable HTTP URL: app/proxy.h), runs the
//     initialize handshake, reads every page of tools/list (following
//     nextCursor; at most ScanLimits::max_pages pages and max_tools tools; a
//     cursor that repeats is an error) and closes the connection. Failures
//     say which step failed: the factory's error (Io: the command cannot
//     start; Invalid/Unsupported: an unusable URL), Io (closed, timed out,
//     JSON-RPC error), Malformed (no "tools" array, a repeated cursor) or
//     LimitExceeded. It runs its io_context on the calling thread and
//     returns only after the client and its transport are gone.
//   - classify_tool() is pure: annotations first (spec 2025-11-25
//     server/tools, ToolAnnotations: readOnlyHint, destructiveHint with the
//     spec's defaults), then words of the name, then of the description's
//     first sentence (its first word). Annotations are hints from an
//     untrusted server, so a milder claim on a tool whose name's verb says
//     delete/run/pay is not believed (the riskier class wins, and the
//     reason says so); a topic noun ("email_summary") does not override.
//   - render_starter_policy() is pure and deterministic (no date, tools
//     sorted by risk class then name), so two scans of the same upstream
//     give the same bytes. Its text always loads with policy::load_policy();
//     it checks that itself and returns Internal otherwise. Tools whose names
//     cannot be written as an exact entry (empty, control characters,
//     invalid UTF-8, glob characters `*` `?` `\`, over 256 bytes) are left
//     out with a comment; `default: deny` refuses them.
//   - run_policy_scan() is the command: exit 0 when the policy was written,
//     1 when the upstream failed (message on `err`) or the output file could
//     not be written, 2 on a usage error (no upstream or both, bad timeout,
//     --output exists without --force).
// Thread-safety: the pure functions are reentrant; scan_upstream() may run
// on any thread (one scan per call).
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "app/proxy.h"
#include "base/error.h"

namespace wg::app {

enum class ToolRisk : std::uint8_t {
  ReadOnly,     // allowed
  Write,        // additive changes: rate-limited
  Destructive,  // may delete or overwrite: a human approves each call
  High,         // runs code, sends messages, moves money: a human approves each call
  Unknown,      // nothing says: rate-limited, approval suggested in a comment
};

// "read-only", "write", "destructive", "high risk", "unknown".
std::string_view to_string(ToolRisk risk);

struct ToolClass {
  ToolRisk risk = ToolRisk::Unknown;
  std::string reason;  // one line: what the class was read from
};

// `tool` is a Tool object of a tools/list result (schema.ts Tool).
ToolClass classify_tool(const boost::json::object& tool);

struct ScanLimits {
  std::size_t max_pages = 1000;
  std::size_t max_tools = 10000;
};

struct ScanResult {
  boost::json::object server_info;  // initialize result's serverInfo ({} if absent)
  boost::json::array tools;         // every page, in the upstream's order
};

// Connects with `config`'s upstream (upstream_url or upstream_argv) and
// request_timeout; the other fields are unused.
Result<ScanResult> scan_upstream(const ProxyConfig& config, const UpstreamFactory& factory,
                                 const ScanLimits& limits = {});

// `upstream_label` names the upstream in the header comment (the URL or the
// command line).
Result<std::string> render_starter_policy(const ScanResult& scan, std::string_view upstream_label);

struct PolicyScanConfig {
  std::string upstream_url;                // Streamable HTTP upstream, or
  std::vector<std::string> upstream_argv;  // a stdio child
  std::string output;                      // empty: write to `out`
  bool force = false;                      // overwrite an existing --output
  std::chrono::milliseconds request_timeout{std::chrono::seconds(60)};
};

int run_policy_scan(const PolicyScanConfig& config, std::FILE* out, std::FILE* err);

}  // namespace wg::app
