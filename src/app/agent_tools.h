// The agent host's MCP tools: the wasm_agent_* / wasm_gallery_* family
// (Claude Flow's 27 names and argument names) plus wasm_agent_import,
// _fork, _run, _stop, _resume and _journal, over one AgentService and
// Gallery.
//
// Contract: register_agent_tools() adds every tool to `server` with an
// input schema and an output schema; results carry readable text plus
// structuredContent, and failures are isError results whose text names the
// problem (never JSON inside a string). Handlers run on `pool`, so a long
// `run` never blocks a session's other requests. `service`, `gallery` and
// `pool` must outlive the server. wasm_agent_prompt streams its steps as
// progress notifications, and an MCP cancellation stops its loop (and a
// running guest) at the next step.
// Thread-safety: handlers may run concurrently (the service and gallery are
// thread-safe).
#pragma once

#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <memory>

#include "agent/service.h"
#include "gallery/gallery.h"
#include "mcp/server/server.h"
#include "store/agent_db.h"

namespace wg::app {

struct PolicyRuntime;

struct AgentToolsOptions {
  // When set, every tool call the model makes inside wasm_agent_prompt passes
  // this policy as the equivalent wasm_agent_tool call (with approval by
  // elicitation when the prompting client supports it). Must outlive the server.
  PolicyRuntime* policy = nullptr;
  std::FILE* err = stderr;  // policy reload and bookkeeping messages
};

Status register_agent_tools(mcp::Server& server, agent::AgentService& service, gallery::Gallery& gallery,
                            boost::asio::thread_pool& pool, const AgentToolsOptions& options = {});

// The gallery's TemplateStore over the agent database.
class DbTemplateStore final : public gallery::TemplateStore {
 public:
  explicit DbTemplateStore(store::AgentDb& db) : db_(db) {}
  Result<std::vector<std::pair<std::string, std::string>>> load_custom_templates() override;
  Status put_custom_templates(const std::vector<std::pair<std::string, std::string>>& rows) override;
  Status remove_custom_template(std::string_view id) override;
  Result<std::optional<std::string>> get_setting(std::string_view key) override;
  Status put_setting(std::string_view key, std::string_view json) override;

 private:
  store::AgentDb& db_;
};

}  // namespace wg::app
