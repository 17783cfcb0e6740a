#include "mcp/server/server.h"

#include <algorithm>
#include <boost/asio/dispatch.hpp>

#include "base/check.h"
#include "mcp/protocol/str_cat.h"
#include "mcp/server/json_schema.h"
#include "mcp/server/session.h"

namespace wg::mcp {
namespace json = boost::json;

json::object text_resource_contents(std::string_view uri, std::string_view text, std::string_view mime_type) {
  json::object o{{"uri", uri}, {"text", text}};
  if (!mime_type.empty()) o["mimeType"] = mime_type;
  return o;
}

json::object blob_resource_contents(std::string_view uri, std::string_view base64_blob, std::string_view mime_type) {
  json::object o{{"uri", uri}, {"blob", base64_blob}};
  if (!mime_type.empty()) o["mimeType"] = mime_type;
  return o;
}

bool match_uri_template(std::string_view tmpl, std::string_view uri, std::map<std::string, std::string>& variables) {
  // Spec: RFC 6570 level 1 simple expansion, read backwards: a {var}
  // matches one or more characters up to the next literal, never a '/'.
  std::map<std::string, std::string> found;
  std::size_t t = 0, u = 0;
  while (t < tmpl.size()) {
    if (tmpl[t] == '{') {
      const std::size_t close = tmpl.find('}', t);
      if (close == std::string_view::npos) return false;
      const std::string name(tmpl.substr(t + 1, close - t - 1));
      t = close + 1;
      const char stop = t < tmpl.size() ? tmpl[t] : '\0';
      std::size_t end = u;
      while (end < uri.size() && uri[end] != '/' && (stop == '\0' || uri[end] != stop)) ++end;
      if (end == u) return false;
      found[name] = std::string(uri.substr(u, end - u));
      u = end;
    } else {
      if (u >= uri.size() || uri[u] != tmpl[t]) return false;
      ++t;
      ++u;
    }
  }
  if (u != uri.size()) return false;
  variables = std::move(found);
  return true;
}

namespace {

Status check_tool_name(std::string_view name) {
  // Spec 2025-11-25 server/tools "Tool Names": 1..128 characters; names
  // SHOULD use [A-Za-z0-9_.-]. We require the length and refuse whitespace
  // and control characters; other upstream spellings pass (proxy mode).
  if (name.empty() || name.size() > 128) {
    return make_error(ErrorCode::Invalid, str_cat("tool name \"", name, "\": must be 1 to 128 characters"));
  }
  for (unsigned char c : name) {
    if (c <= 0x20 || c == 0x7F) {
      return make_error(ErrorCode::Invalid,
                        str_cat("tool name \"", name, "\": must not contain spaces or control characters"));
    }
  }
  return ok();
}

}  // namespace

Server::Server(ServerOptions options) : options_(std::move(options)) {
  if (options_.page_size == 0) options_.page_size = 1;
}

Server::~Server() = default;

Status Server::add_tool_entry(Tool tool) {
  WG_TRY(check_tool_name(tool.spec.name));
  const json::value* type = tool.spec.input_schema.if_contains("type");
  if (!type || !type->is_string() || type->get_string() != "object") {
    return make_error(ErrorCode::Invalid,
                      str_cat("tool \"", tool.spec.name, "\": inputSchema must have \"type\": \"object\""));
  }
  WG_TRY_CTX(check_json_schema(tool.spec.input_schema), str_cat("tool \"", tool.spec.name, "\" inputSchema"));
  if (tool.spec.output_schema) {
    WG_TRY_CTX(check_json_schema(*tool.spec.output_schema), str_cat("tool \"", tool.spec.name, "\" outputSchema"));
  }
  {
    std::lock_guard lock(mutex_);
    const std::string name = tool.spec.name;
    if (tools_.contains(name)) {
      return make_error(ErrorCode::Invalid, str_cat("tool \"", name, "\" is already registered"));
    }
    tools_.emplace(name, std::make_shared<const Tool>(std::move(tool)));
  }
  notify_tools_changed();
  return ok();
}

Status Server::add_tool(ToolSpec spec, ToolHandler handler) {
  WG_CHECK(handler != nullptr);
  return add_tool_entry(Tool{std::move(spec), std::move(handler), nullptr});
}

Status Server::add_async_tool(ToolSpec spec, AsyncToolHandler handler) {
  WG_CHECK(handler != nullptr);
  return add_tool_entry(Tool{std::move(spec), nullptr, std::move(handler)});
}

Status Server::remove_tool(std::string_view name) {
  {
    std::lock_guard lock(mutex_);
    auto it = tools_.find(name);
    if (it == tools_.end()) return make_error(ErrorCode::NotFound, str_cat("tool \"", name, "\" is not registered"));
    tools_.erase(it);
  }
  notify_tools_changed();
  return ok();
}

Status Server::add_resource(ResourceSpec spec, ResourceReader reader) {
  WG_CHECK(reader != nullptr);
  return add_resource(std::move(spec), [reader = std::move(reader)](const Session&, std::string_view uri) {
    return reader(uri);
  });
}

Status Server::add_resource(ResourceSpec spec, SessionResourceReader reader) {
  WG_CHECK(reader != nullptr);
  if (spec.uri.empty() || spec.name.empty()) {
    return make_error(ErrorCode::Invalid, "resource: uri and name are required");
  }
  std::lock_guard lock(mutex_);
  for (const auto& r : resources_) {
    if (r->spec.uri == spec.uri) {
      return make_error(ErrorCode::Invalid, str_cat("resource \"", spec.uri, "\" is already registered"));
    }
  }
  resources_.push_back(std::make_shared<const Resource>(Resource{std::move(spec), std::move(reader)}));
  return ok();
}

Status Server::add_resource_template(ResourceTemplateSpec spec, TemplateReader reader) {
  WG_CHECK(reader != nullptr);
  return add_resource_template(std::move(spec),
                               [reader = std::move(reader)](const Session&, std::string_view uri,
                                                            const std::map<std::string, std::string>& variables) {
                                 return reader(uri, variables);
                               });
}

Status Server::add_resource_template(ResourceTemplateSpec spec, SessionTemplateReader reader) {
  WG_CHECK(reader != nullptr);
  if (spec.uri_template.empty() || spec.name.empty()) {
    return make_error(ErrorCode::Invalid, "resource template: uriTemplate and name are required");
  }
  std::lock_guard lock(mutex_);
  templates_.push_back(std::make_shared<const ResourceTemplate>(ResourceTemplate{std::move(spec), std::move(reader)}));
  return ok();
}

Status Server::add_prompt(PromptSpec spec, PromptHandler handler) {
  WG_CHECK(handler != nullptr);
  return add_prompt(std::move(spec),
                    [handler = std::move(handler)](const Session&, const std::map<std::string, std::string>& arguments) {
                      return handler(arguments);
                    });
}

Status Server::add_prompt(PromptSpec spec, SessionPromptHandler handler) {
  WG_CHECK(handler != nullptr);
  if (spec.name.empty()) return make_error(ErrorCode::Invalid, "prompt: name is required");
  std::lock_guard lock(mutex_);
  const std::string name = spec.name;
  if (prompts_.contains(name)) {
    return make_error(ErrorCode::Invalid, str_cat("prompt \"", name, "\" is already registered"));
  }
  prompts_.emplace(name, std::make_shared<const Prompt>(Prompt{std::move(spec), std::move(handler)}));
  return ok();
}

Status Server::remove_resource(std::string_view uri) {
  std::lock_guard lock(mutex_);
  if (std::erase_if(resources_, [&](const auto& r) { return r->spec.uri == uri; }) == 0) {
    return make_error(ErrorCode::NotFound, str_cat("resource \"", uri, "\" is not registered"));
  }
  return ok();
}

Status Server::remove_resource_template(std::string_view uri_template) {
  std::lock_guard lock(mutex_);
  if (std::erase_if(templates_, [&](const auto& t) { return t->spec.uri_template == uri_template; }) == 0) {
    return make_error(ErrorCode::NotFound, str_cat("resource template \"", uri_template, "\" is not registered"));
  }
  return ok();
}

Status Server::remove_prompt(std::string_view name) {
  std::lock_guard lock(mutex_);
  auto it = prompts_.find(name);
  if (it == prompts_.end()) return make_error(ErrorCode::NotFound, str_cat("prompt \"", name, "\" is not registered"));
  prompts_.erase(it);
  return ok();
}

std::shared_ptr<Session> Server::open_session(boost::asio::any_io_executor executor,
                                              std::shared_ptr<Outbound> outbound) {
  auto session = std::make_shared<Session>(*this, std::move(executor), std::move(outbound));
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [](const std::weak_ptr<Session>& w) { return w.expired(); });
  sessions_.push_back(session);
  return session;
}

std::vector<std::shared_ptr<Session>> Server::live_sessions() {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Session>> out;
  for (const auto& w : sessions_) {
    if (auto s = w.lock()) out.push_back(std::move(s));
  }
  return out;
}

void Server::notify_tools_changed() {
  // Spec: server/tools "List Changed Notification".
  for (const auto& s : live_sessions()) s->notify("notifications/tools/list_changed", {});
}

void Server::notify_resources_changed() {
  // Spec: server/resources "List Changed Notification".
  for (const auto& s : live_sessions()) s->notify("notifications/resources/list_changed", {});
}

void Server::notify_prompts_changed() {
  // Spec: server/prompts "List Changed Notification".
  for (const auto& s : live_sessions()) s->notify("notifications/prompts/list_changed", {});
}

void Server::notify_resource_updated(std::string_view uri) {
  // Spec: server/resources "Subscriptions": only subscribers hear of updates.
  for (const auto& s : live_sessions()) {
    boost::asio::dispatch(s->strand(), [s, uri = std::string(uri)] {
      if (s->subscribed(uri)) s->notify("notifications/resources/updated", json::object{{"uri", uri}});
    });
  }
}

void Server::log(LogLevel level, std::string_view logger, json::value data) {
  for (const auto& s : live_sessions()) s->log(level, logger, data);
}

std::shared_ptr<const Server::Tool> Server::find_tool(std::string_view name) const {
  std::lock_guard lock(mutex_);
  auto it = tools_.find(name);
  return it == tools_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<const Server::Tool>> Server::tools() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Tool>> out;
  for (const auto& [name, tool] : tools_) out.push_back(tool);
  return out;
}

std::vector<std::shared_ptr<const Server::Resource>> Server::resources() const {
  std::lock_guard lock(mutex_);
  return resources_;
}

std::vector<std::shared_ptr<const Server::ResourceTemplate>> Server::resource_templates() const {
  std::lock_guard lock(mutex_);
  return templates_;
}

std::vector<std::shared_ptr<const Server::Prompt>> Server::prompts() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<const Prompt>> out;
  for (const auto& [name, prompt] : prompts_) out.push_back(prompt);
  return out;
}

}  // namespace wg::mcp
