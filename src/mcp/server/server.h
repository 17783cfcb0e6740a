// The MCP server: what it offers (tools, resources, prompts) and the
// sessions that use it.
//
// Contract: app/ builds one Server, registers tools/resources/prompts, and
// hands it to a transport (transport/stdio.h, transport/http.h), which
// opens one Session per client connection. Sessions hold a reference to
// the Server: the Server must outlive every Session it opened.
//
// Registering a tool:
//   ToolSpec spec{.name = "echo", .description = "Echoes text",
//                 .input_schema = {{"type","object"}, {"properties", ...}, {"required", {"text"}}}};
//   server.add_tool(spec, [](ToolCall& call) -> Result<ToolResult> {
//     return ToolResult::text(call.arguments().at("text").as_string());
//   });
// An async tool (add_async_tool) receives a std::shared_ptr<ToolCall> and
// must call finish() exactly once, from any thread, possibly later.
// Arguments are validated against input_schema before a handler runs;
// invalid arguments become a tool result with isError (spec 2025-11-25
// server/tools "Error Handling"). A handler's Error also becomes an isError
// result; only protocol faults become JSON-RPC errors.
//
// Thread-safety: registration and notify_* may be called from any thread
// (the registries are guarded by mutex_). Handlers run on the calling
// session's executor (a strand) unless they move work elsewhere.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "mcp/protocol/jsonrpc.h"
#include "mcp/protocol/types.h"

namespace wg::mcp {

class Session;
class ToolCall;

struct ToolSpec {
  std::string name;  // 1..128 of [A-Za-z0-9_.-] (spec server/tools "Tool Names")
  std::string title;
  std::string description;
  boost::json::object input_schema{{"type", "object"}};
  std::optional<boost::json::object> output_schema;
  std::optional<boost::json::object> annotations;  // readOnlyHint, destructiveHint, ...
  std::optional<boost::json::object> meta;         // sent as _meta
};

using ToolHandler = std::function<Result<ToolResult>(ToolCall& call)>;
using AsyncToolHandler = std::function<void(std::shared_ptr<ToolCall> call)>;

struct ResourceSpec {
  std::string uri;
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};

// Returns the `contents` array of resources/read (TextResourceContents or
// BlobResourceContents objects, see text_resource_contents()).
using ResourceReader = std::function<Result<boost::json::array>(std::string_view uri)>;

struct ResourceTemplateSpec {
  std::string uri_template;  // RFC 6570 level 1: {var} matches one path segment
  std::string name;
  std::string title;
  std::string description;
  std::string mime_type;
};

using TemplateReader = std::function<Result<boost::json::array>(std::string_view uri,
                                                                const std::map<std::string, std::string>& variables)>;

struct PromptArgument {
  std::string name;
  std::string description;
  bool required = false;
};

struct PromptSpec {
  std::string name;
  std::string title;
  std::string description;
  std::vector<PromptArgument> arguments;
};

// Returns a GetPromptResult object: {"description"?, "messages": [...]}.
using PromptHandler = std::function<Result<boost::json::object>(const std::map<std::string, std::string>& arguments)>;

// The same three, also given the session the request arrived on (its id
// and client identity), for handlers that decide per client — the proxy's
// policy gate counts resources/read and prompts/get per session and identity.
class Session;
using SessionResourceReader = std::function<Result<boost::json::array>(const Session& session, std::string_view uri)>;
using SessionTemplateReader = std::function<Result<boost::json::array>(
    const Session& session, std::string_view uri, const std::map<std::string, std::string>& variables)>;
using SessionPromptHandler = std::function<Result<boost::json::object>(
    const Session& session, const std::map<std::string, std::string>& arguments)>;

boost::json::object text_resource_contents(std::string_view uri, std::string_view text,
                                           std::string_view mime_type = "text/plain");
boost::json::object blob_resource_contents(std::string_view uri, std::string_view base64_blob,
                                           std::string_view mime_type);

// Matches `uri` against a level-1 URI template; fills `variables`.
bool match_uri_template(std::string_view uri_template, std::string_view uri,
                        std::map<std::string, std::string>& variables);

struct ServerOptions {
  std::string name = "wasmgate";
  std::string version = "0.1.0";
  std::string title;
  std::string instructions;
  std::size_t page_size = 100;  // items per tools/resources/prompts list page
  DecodeLimits limits;
  std::chrono::milliseconds request_timeout{std::chrono::minutes(5)};  // server->client requests
  LogLevel initial_log_level = LogLevel::Info;
};

// Where a session's outgoing messages go. One Outbound is the session's
// default channel (stdout, or the HTTP GET stream); a transport may pass
// another per received message (an HTTP POST's response stream).
class Outbound {
 public:
  virtual ~Outbound() = default;
  // One complete JSON-RPC message (or batch array), without a newline.
  virtual void send(std::string message) = 0;
  // Called once per receive() when every request it carried is answered.
  // `had_requests` is false when it carried only notifications/responses.
  virtual void finish(bool had_requests) { (void)had_requests; }
};

class Server {
 public:
  struct Tool {
    ToolSpec spec;
    ToolHandler handler;  // exactly one of handler/async_handler is set
    AsyncToolHandler async_handler;
  };
  struct Resource {
    ResourceSpec spec;
    SessionResourceReader reader;
  };
  struct ResourceTemplate {
    ResourceTemplateSpec spec;
    SessionTemplateReader reader;
  };
  struct Prompt {
    PromptSpec spec;
    SessionPromptHandler handler;
  };

  explicit Server(ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Fails with Invalid for a bad name or schema, or a name already taken.
  // Sends notifications/tools/list_changed to initialized sessions.
  Status add_tool(ToolSpec spec, ToolHandler handler);
  Status add_async_tool(ToolSpec spec, AsyncToolHandler handler);
  Status remove_tool(std::string_view name);
  Status add_resource(ResourceSpec spec, ResourceReader reader);
  Status add_resource(ResourceSpec spec, SessionResourceReader reader);
  Status add_resource_template(ResourceTemplateSpec spec, TemplateReader reader);
  Status add_resource_template(ResourceTemplateSpec spec, SessionTemplateReader reader);
  Status add_prompt(PromptSpec spec, PromptHandler handler);
  Status add_prompt(PromptSpec spec, SessionPromptHandler handler);
  // NotFound when absent. Unlike remove_tool they notify nobody: callers
  // batch changes, then call notify_resources_changed/notify_prompts_changed.
  Status remove_resource(std::string_view uri);
  Status remove_resource_template(std::string_view uri_template);
  Status remove_prompt(std::string_view name);

  // Opens a session whose work runs on a strand of `executor`; unsolicited
  // messages go to `outbound` (which the session keeps alive).
  std::shared_ptr<Session> open_session(boost::asio::any_io_executor executor, std::shared_ptr<Outbound> outbound);

  // Sends notifications/tools/list_changed to every initialized session.
  void notify_tools_changed();
  // Sends notifications/resources/list_changed (prompts/list_changed) to
  // every initialized session.
  void notify_resources_changed();
  void notify_prompts_changed();
  // Sends notifications/resources/updated {uri} to every session that
  // subscribed to `uri` (resources/subscribe).
  void notify_resource_updated(std::string_view uri);
  // Sends notifications/message to every session whose level admits it.
  void log(LogLevel level, std::string_view logger, boost::json::value data);

  const ServerOptions& options() const { return options_; }

  // Snapshots for the dispatcher (copies of shared pointers, taken under mutex_).
  std::shared_ptr<const Tool> find_tool(std::string_view name) const;
  std::vector<std::shared_ptr<const Tool>> tools() const;  // sorted by name
  std::vector<std::shared_ptr<const Resource>> resources() const;
  std::vector<std::shared_ptr<const ResourceTemplate>> resource_templates() const;
  std::vector<std::shared_ptr<const Prompt>> prompts() const;

 private:
  Status add_tool_entry(Tool tool);
  std::vector<std::shared_ptr<Session>> live_sessions();

  ServerOptions options_;
  mutable std::mutex mutex_;  // guards everything below
  std::map<std::string, std::shared_ptr<const Tool>, std::less<>> tools_;
  std::vector<std::shared_ptr<const Resource>> resources_;
  std::vector<std::shared_ptr<const ResourceTemplate>> templates_;
  std::map<std::string, std::shared_ptr<const Prompt>, std::less<>> prompts_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace wg::mcp
