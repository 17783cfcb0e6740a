#include "mcp/server/session.h"

#include <sys/random.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/serialize.hpp>

#include "base/check.h"
#include "mcp/protocol/str_cat.h"
#include "mcp/server/json_schema.h"

namespace wg::mcp {
namespace json = boost::json;
namespace asio = boost::asio;

// The messages of one receive() call and the channel its answers use.
struct Session::Exchange {
  std::shared_ptr<Outbound> out;
  bool batch = false;
  bool dispatching = true;  // still walking the received messages
  bool had_requests = false;
  bool finished = false;
  std::size_t pending = 0;  // requests not answered yet
  std::vector<std::string> batch_replies;
};

// A client request being handled.
struct Session::InFlight {
  std::shared_ptr<Exchange> exchange;
  std::shared_ptr<ToolCall> call;  // tools/call only
  bool cancellable = true;
};

// A server->client request awaiting its response.
struct Session::Pending {
  std::string method;
  ClientReply done;
  std::unique_ptr<asio::steady_timer> timer;
};

namespace {

using Outcome = std::expected<json::object, RpcError>;

std::unexpected<RpcError> rpc_error(RpcCode code, std::string message, std::optional<json::value> data = std::nullopt) {
  return std::unexpected(RpcError{static_cast<std::int32_t>(code), std::move(message), std::move(data)});
}

std::string random_session_id() {
  unsigned char bytes[16];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    WG_CHECK(n > 0 || errno == EINTR);
    if (n > 0) got += static_cast<std::size_t>(n);
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id.push_back(kHex[b >> 4]);
    id.push_back(kHex[b & 15]);
  }
  return id;
}

// Cursors are opaque to clients (spec server/utilities/pagination); ours
// are the hex spelling of "<list>:<offset>".
std::string encode_cursor(std::string_view list, std::size_t offset) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : str_cat(list, ":", offset)) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 15]);
  }
  return out;
}

std::optional<std::size_t> decode_cursor(std::string_view list, std::string_view cursor) {
  if (cursor.size() % 2 != 0 || cursor.size() > 64) return std::nullopt;
  std::string text;
  for (std::size_t i = 0; i < cursor.size(); i += 2) {
    auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(cursor[i]), lo = nibble(cursor[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    text.push_back(static_cast<char>(hi * 16 + lo));
  }
  const std::string prefix = str_cat(list, ":");
  if (!text.starts_with(prefix) || text.size() == prefix.size()) return std::nullopt;
  std::size_t offset = 0;
  for (char c : text.substr(prefix.size())) {
    if (c < '0' || c > '9' || offset > (SIZE_MAX / 10) - 10) return std::nullopt;
    offset = offset * 10 + static_cast<std::size_t>(c - '0');
  }
  return offset;
}

// Reads params.cursor; returns the offset to start at.
std::expected<std::size_t, RpcError> page_start(const Message& m, std::string_view list) {
  const json::value* cursor = m.params.if_contains("cursor");
  if (!cursor || cursor->is_null()) return 0;
  if (!cursor->is_string()) return rpc_error(RpcCode::InvalidParams, "params.cursor must be a string");
  auto offset = decode_cursor(list, cursor->get_string());
  if (!offset) return rpc_error(RpcCode::InvalidParams, "params.cursor is not a cursor this server issued");
  return *offset;
}

// Fills result[key] with items[start, start+page) and nextCursor.
template <class T, class F>
json::object page_of(const std::vector<T>& items, std::size_t start, std::size_t page, std::string_view list,
                     std::string_view key, F to_json) {
  json::array out;
  for (std::size_t i = start; i < items.size() && i < start + page; ++i) out.push_back(to_json(items[i]));
  json::object result;
  result[key] = std::move(out);
  if (start + page < items.size()) result["nextCursor"] = encode_cursor(list, start + page);
  return result;
}

json::object tool_to_json(const Server::Tool& tool) {
  const ToolSpec& s = tool.spec;
  json::object o{{"name", s.name}};
  if (!s.title.empty()) o["title"] = s.title;
  if (!s.description.empty()) o["description"] = s.description;
  o["inputSchema"] = s.input_schema;
  if (s.output_schema) o["outputSchema"] = *s.output_schema;
  if (s.annotations) o["annotations"] = *s.annotations;
  if (s.meta) o["_meta"] = *s.meta;
  return o;
}

void put_if(json::object& o, std::string_view key, const std::string& value) {
  if (!value.empty()) o[key] = value;
}

bool is_progress_token(const json::value& v) { return v.is_string() || v.is_int64() || v.is_uint64(); }

// One row per MCP method (spec schema.ts ClientRequest / ClientNotification).
enum class Phase : std::uint8_t { Any, AfterInitialize };
struct MethodRow {
  std::string_view method;
  MessageKind kind;
  Phase phase;
  void (Session::*handler)(const Message&);
};

constexpr MethodRow kMethods[] = {
    {"initialize", MessageKind::Request, Phase::Any, &Session::on_initialize},
    {"ping", MessageKind::Request, Phase::Any, &Session::on_ping},
    {"tools/list", MessageKind::Request, Phase::AfterInitialize, &Session::on_tools_list},
    {"tools/call", MessageKind::Request, Phase::AfterInitialize, &Session::on_tools_call},
    {"resources/list", MessageKind::Request, Phase::AfterInitialize, &Session::on_resources_list},
    {"resources/templates/list", MessageKind::Request, Phase::AfterInitialize, &Session::on_resources_templates_list},
    {"resources/read", MessageKind::Request, Phase::AfterInitialize, &Session::on_resources_read},
    {"resources/subscribe", MessageKind::Request, Phase::AfterInitialize, &Session::on_resources_subscribe},
    {"resources/unsubscribe", MessageKind::Request, Phase::AfterInitialize, &Session::on_resources_unsubscribe},
    {"prompts/list", MessageKind::Request, Phase::AfterInitialize, &Session::on_prompts_list},
    {"prompts/get", MessageKind::Request, Phase::AfterInitialize, &Session::on_prompts_get},
    {"logging/setLevel", MessageKind::Request, Phase::AfterInitialize, &Session::on_logging_set_level},
    {"completion/complete", MessageKind::Request, Phase::AfterInitialize, &Session::on_completion_complete},
    {"notifications/initialized", MessageKind::Notification, Phase::Any, &Session::on_initialized},
    {"notifications/cancelled", MessageKind::Notification, Phase::Any, &Session::on_cancelled},
    {"notifications/progress", MessageKind::Notification, Phase::Any, &Session::on_ignored_notification},
    {"notifications/roots/list_changed", MessageKind::Notification, Phase::Any, &Session::on_ignored_notification},
};

const MethodRow* find_method(std::string_view method) {
  for (const MethodRow& row : kMethods) {
    if (row.method == method) return &row;
  }
  return nullptr;
}

}  // namespace

Session::Session(Server& server, asio::any_io_executor executor, std::shared_ptr<Outbound> outbound)
    : server_(server),
      strand_(asio::make_strand(std::move(executor))),
      outbound_(std::move(outbound)),
      id_(random_session_id()),
      log_level_(server.options().initial_log_level) {
  WG_CHECK(outbound_ != nullptr);
}

Session::~Session() = default;

void Session::receive(std::string text, std::shared_ptr<Outbound> exchange) {
  asio::post(strand_, [self = shared_from_this(), text = std::move(text), exchange = std::move(exchange)]() {
    self->do_receive(text, exchange);
  });
}

void Session::do_receive(const std::string& text, std::shared_ptr<Outbound> out) {
  auto exchange = std::make_shared<Exchange>();
  exchange->out = out ? std::move(out) : outbound_;
  if (closed_ || input_ended_) {
    exchange->finished = true;
    exchange->out->finish(false);
    return;
  }
  const BatchMode batches =
      initialize_answered_ && protocol_allows_batches(protocol_version_) ? BatchMode::Allowed : BatchMode::Refused;
  Decoded decoded = decode(text, batches, server_.options().limits);
  exchange->batch = decoded.batch;
  for (DecodedItem& item : decoded.items) {
    if (Fault* fault = std::get_if<Fault>(&item)) {
      answer_fault(exchange, *fault);
    } else {
      dispatch(exchange, std::move(std::get<Message>(item)));
    }
  }
  exchange->dispatching = false;
  if (exchange->pending == 0) complete_exchange_request(exchange, {});
}

void Session::answer_fault(const std::shared_ptr<Exchange>& exchange, const Fault& fault) {
  exchange->had_requests = true;
  ++exchange->pending;
  complete_exchange_request(exchange, encode_fault(fault));
}

// Records one answer (empty: none) and finishes the exchange when nothing
// is outstanding.
void Session::complete_exchange_request(const std::shared_ptr<Exchange>& exchange, std::string message) {
  if (exchange->finished) return;
  if (!message.empty()) {
    WG_CHECK(exchange->pending > 0);
    --exchange->pending;
    if (exchange->batch) {
      exchange->batch_replies.push_back(std::move(message));
    } else {
      exchange->out->send(std::move(message));
    }
  }
  if (exchange->dispatching || exchange->pending > 0) return;
  exchange->finished = true;
  if (exchange->batch && !exchange->batch_replies.empty()) {
    std::string array = "[";
    for (std::size_t i = 0; i < exchange->batch_replies.size(); ++i) {
      if (i) array += ',';
      array += exchange->batch_replies[i];
    }
    array += ']';
    exchange->out->send(std::move(array));
  }
  exchange->out->finish(exchange->had_requests);
}

void Session::send_related(const std::shared_ptr<Exchange>& exchange, std::string message) {
  if (closed_) return;
  if (exchange && !exchange->finished) {
    exchange->out->send(std::move(message));
  } else {
    outbound_->send(std::move(message));
  }
}

void Session::dispatch(const std::shared_ptr<Exchange>& exchange, Message m) {
  switch (m.kind) {
    case MessageKind::Response:
    case MessageKind::ErrorResponse: handle_response(m); return;
    case MessageKind::Notification: {
      // Spec: JSON-RPC 2.0 §4.1: notifications are never answered, even
      // when unknown.
      const MethodRow* row = find_method(m.method);
      if (row && row->kind == MessageKind::Notification) (this->*row->handler)(m);
      return;
    }
    case MessageKind::Request: break;
  }
  WG_CHECK(m.id.has_value());
  exchange->had_requests = true;
  ++exchange->pending;
  if (in_flight_.contains(*m.id)) {
    complete_exchange_request(exchange, encode_error(m.id, RpcCode::InvalidRequest,
                                                     str_cat("request id ", m.id->to_string(), " is already in use")));
    return;
  }
  auto flight = std::make_shared<InFlight>();
  flight->exchange = exchange;
  flight->cancellable = m.method != "initialize";  // spec: basic/utilities/cancellation
  in_flight_.emplace(*m.id, flight);

  const MethodRow* row = find_method(m.method);
  if (!row || row->kind != MessageKind::Request) {
    reply(m, rpc_error(RpcCode::MethodNotFound, str_cat("Method not found: ", m.method)));
    return;
  }
  if (row->phase == Phase::AfterInitialize && !initialize_answered_) {
    // Spec: basic/lifecycle "Initialization": the client SHOULD NOT send
    // requests other than pings before the server answered initialize.
    reply(m, rpc_error(RpcCode::InvalidRequest,
                       str_cat("session not initialized: send \"initialize\" before \"", m.method, "\"")));
    return;
  }
  (this->*row->handler)(m);
}

void Session::reply(const Message& m, Outcome outcome) { finish_request(*m.id, std::move(outcome)); }

void Session::finish_request(const RequestId& id, Outcome outcome) {
  auto it = in_flight_.find(id);
  if (it == in_flight_.end()) return;  // cancelled, or the session closed
  std::shared_ptr<InFlight> flight = std::move(it->second);
  in_flight_.erase(it);
  std::string message;
  if (outcome) {
    message = encode_result(id, *outcome);
  } else {
    const RpcError& e = outcome.error();
    message = encode_error(id, static_cast<RpcCode>(e.code), e.message, e.data);
  }
  complete_exchange_request(flight->exchange, std::move(message));
  maybe_idle();
}

std::shared_ptr<Session::InFlight> Session::in_flight(const RequestId& id) {
  auto it = in_flight_.find(id);
  return it == in_flight_.end() ? nullptr : it->second;
}

void Session::handle_response(const Message& m) {
  if (!m.id) return;  // an error about something we cannot correlate
  auto it = pending_.find(*m.id);
  if (it == pending_.end()) return;  // late (timed out) or unknown: ignore
  std::shared_ptr<Pending> p = std::move(it->second);
  pending_.erase(it);
  if (p->timer) p->timer->cancel();
  if (m.kind == MessageKind::Response) {
    p->done(m.result.get_object());
  } else {
    p->done(make_error(ErrorCode::Denied,
                       str_cat("client answered ", p->method, " with error ", m.error.code, ": ", m.error.message)));
  }
}

// ---- lifecycle ---------------------------------------------------------

void Session::on_initialize(const Message& m) {
  // Spec: basic/lifecycle "Initialization", "Version Negotiation".
  if (initialize_answered_) {
    reply(m, rpc_error(RpcCode::InvalidRequest, "initialize: the session is already initialized"));
    return;
  }
  const json::value* version = m.params.if_contains("protocolVersion");
  if (!version || !version->is_string()) {
    reply(m, rpc_error(RpcCode::InvalidParams, "initialize: params.protocolVersion must be a string"));
    return;
  }
  const json::value* caps = m.params.if_contains("capabilities");
  if (caps && !caps->is_object()) {
    reply(m, rpc_error(RpcCode::InvalidParams, "initialize: params.capabilities must be an object"));
    return;
  }
  const json::value* info = m.params.if_contains("clientInfo");
  if (info && !info->is_object()) {
    reply(m, rpc_error(RpcCode::InvalidParams, "initialize: params.clientInfo must be an object"));
    return;
  }
  protocol_version_ = std::string(negotiate_protocol_version(version->get_string()));
  if (caps) client_capabilities_ = caps->get_object();
  if (info) client_info_ = info->get_object();

  const ServerOptions& o = server_.options();
  json::object server_info{{"name", o.name}, {"version", o.version}};
  put_if(server_info, "title", o.title);
  json::object capabilities{
      {"tools", json::object{{"listChanged", true}}},
      {"resources", json::object{{"subscribe", true}, {"listChanged", true}}},
      {"prompts", json::object{{"listChanged", true}}},
      {"logging", json::object{}},
      {"completions", json::object{}},
  };
  json::object result{{"protocolVersion", protocol_version_},
                      {"capabilities", std::move(capabilities)},
                      {"serverInfo", std::move(server_info)}};
  put_if(result, "instructions", o.instructions);
  initialize_answered_ = true;
  reply(m, std::move(result));
}

void Session::on_initialized(const Message&) {
  if (initialize_answered_) initialized_ = true;
}

void Session::on_ping(const Message& m) { reply(m, json::object{}); }  // spec: basic/utilities/ping

void Session::on_ignored_notification(const Message&) {}

void Session::on_cancelled(const Message& m) {
  // Spec: basic/utilities/cancellation. Unknown or finished ids are
  // ignored; the cancelled request gets no response.
  const json::value* rid = m.params.if_contains("requestId");
  if (!rid) return;
  auto id = RequestId::from_json(*rid);
  if (!id) return;
  auto it = in_flight_.find(*id);
  if (it == in_flight_.end() || !it->second->cancellable) return;
  std::shared_ptr<InFlight> flight = std::move(it->second);
  in_flight_.erase(it);
  if (flight->call) flight->call->mark_cancelled();
  --flight->exchange->pending;
  complete_exchange_request(flight->exchange, {});
  maybe_idle();
}

void Session::on_logging_set_level(const Message& m) {
  // Spec: server/utilities/logging.
  const json::value* level = m.params.if_contains("level");
  std::optional<LogLevel> parsed;
  if (level && level->is_string()) parsed = parse_log_level(level->get_string());
  if (!parsed) {
    reply(m, rpc_error(RpcCode::InvalidParams,
                       "logging/setLevel: params.level must be one of debug, info, notice, warning, "
                       "error, critical, alert, emergency"));
    return;
  }
  log_level_ = *parsed;
  reply(m, json::object{});
}

void Session::on_completion_complete(const Message& m) {
  // Spec: server/utilities/completion. No argument has completions yet.
  reply(m, json::object{{"completion", json::object{{"values", json::array{}}, {"hasMore", false}}}});
}

// ---- tools -------------------------------------------------------------

void Session::on_tools_list(const Message& m) {
  auto start = page_start(m, "tools");
  if (!start) return reply(m, std::unexpected(start.error()));
  const auto tools = server_.tools();
  reply(m, page_of(tools, *start, server_.options().page_size, "tools", "tools",
                   [](const std::shared_ptr<const Server::Tool>& t) { return tool_to_json(*t); }));
}

void Session::on_tools_call(const Message& m) {
  // Spec: server/tools "Calling Tools", "Error Handling".
  if (auto st = reject_case_variants(m.params, {"name", "arguments"}, "tools/call params"); !st) {
    return reply(m, rpc_error(RpcCode::InvalidRequest, st.error().message()));
  }
  const json::value* name = m.params.if_contains("name");
  if (!name || !name->is_string()) {
    return reply(m, rpc_error(RpcCode::InvalidParams, "tools/call: params.name must be a string"));
  }
  json::object arguments;
  if (const json::value* args = m.params.if_contains("arguments"); args && !args->is_null()) {
    if (!args->is_object()) {
      return reply(m, rpc_error(RpcCode::InvalidParams, "tools/call: params.arguments must be an object"));
    }
    arguments = args->get_object();
  }
  auto tool = server_.find_tool(name->get_string());
  if (!tool) {
    return reply(m, rpc_error(RpcCode::InvalidParams, str_cat("Unknown tool: \"", name->get_string(), "\"")));
  }
  json::object meta;
  if (const json::value* mv = m.params.if_contains("_meta"); mv && mv->is_object()) meta = mv->get_object();

  const std::vector<std::string> issues = validate_json_schema(arguments, tool->spec.input_schema);
  if (!issues.empty()) {
    // Spec 2025-11-25: input validation errors are tool execution errors,
    // reported in the result so that the model can correct its call.
    std::string text = str_cat("Invalid arguments for tool \"", tool->spec.name, "\":");
    for (const std::string& issue : issues) text += str_cat("\n- ", issue);
    return reply(m, ToolResult::error(text).to_json());
  }
  auto call = std::make_shared<ToolCall>(weak_from_this(), *m.id, tool->spec.name, std::move(arguments),
                                         std::move(meta), in_flight_.at(*m.id)->exchange);
  call->set_output_schema(tool->spec.output_schema);
  in_flight_.at(*m.id)->call = call;
  if (tool->handler) {
    call->finish(tool->handler(*call));
  } else {
    tool->async_handler(call);
  }
}

// ---- resources and prompts ---------------------------------------------

void Session::on_resources_list(const Message& m) {
  auto start = page_start(m, "resources");
  if (!start) return reply(m, std::unexpected(start.error()));
  reply(m, page_of(server_.resources(), *start, server_.options().page_size, "resources", "resources",
                   [](const std::shared_ptr<const Server::Resource>& r) {
                     json::object o{{"uri", r->spec.uri}, {"name", r->spec.name}};
                     put_if(o, "title", r->spec.title);
                     put_if(o, "description", r->spec.description);
                     put_if(o, "mimeType", r->spec.mime_type);
                     return o;
                   }));
}

void Session::on_resources_templates_list(const Message& m) {
  auto start = page_start(m, "templates");
  if (!start) return reply(m, std::unexpected(start.error()));
  reply(m, page_of(server_.resource_templates(), *start, server_.options().page_size, "templates", "resourceTemplates",
                   [](const std::shared_ptr<const Server::ResourceTemplate>& r) {
                     json::object o{{"uriTemplate", r->spec.uri_template}, {"name", r->spec.name}};
                     put_if(o, "title", r->spec.title);
                     put_if(o, "description", r->spec.description);
                     put_if(o, "mimeType", r->spec.mime_type);
                     return o;
                   }));
}

namespace {
Outcome contents_outcome(Result<json::array> contents, std::string_view uri) {
  if (contents) return json::object{{"contents", std::move(*contents)}};
  if (contents.error().code() == ErrorCode::NotFound) {
    return rpc_error(RpcCode::InvalidParams, contents.error().message(), json::object{{"uri", uri}});
  }
  if (contents.error().code() == ErrorCode::Invalid || contents.error().code() == ErrorCode::Malformed) {
    return rpc_error(RpcCode::InvalidParams, contents.error().message());
  }
  return rpc_error(RpcCode::InternalError, contents.error().message());
}
}  // namespace

void Session::on_resources_read(const Message& m) {
  // Spec: server/resources "Reading Resources"; error code per SEP-2164.
  const json::value* uri = m.params.if_contains("uri");
  if (!uri || !uri->is_string()) {
    return reply(m, rpc_error(RpcCode::InvalidParams, "resources/read: params.uri must be a string"));
  }
  const std::string_view u = uri->get_string();
  for (const auto& r : server_.resources()) {
    if (r->spec.uri == u) return reply(m, contents_outcome(r->reader(*this, u), u));
  }
  for (const auto& t : server_.resource_templates()) {
    std::map<std::string, std::string> vars;
    if (match_uri_template(t->spec.uri_template, u, vars)) {
      return reply(m, contents_outcome(t->reader(*this, u, vars), u));
    }
  }
  // SEP-2164 (after 2025-11-25, which said -32002): an unknown URI is
  // invalid params, with the URI in data. Never an empty contents array.
  reply(m, rpc_error(RpcCode::InvalidParams, str_cat("Resource not found: ", u), json::object{{"uri", u}}));
}

void Session::on_resources_subscribe(const Message& m) {
  // Spec: server/resources "Subscriptions". Updates are not emitted yet:
  // no registered resource changes.
  const json::value* uri = m.params.if_contains("uri");
  if (!uri || !uri->is_string()) {
    return reply(m, rpc_error(RpcCode::InvalidParams, "resources/subscribe: params.uri must be a string"));
  }
  subscriptions_.insert(std::string(uri->get_string()));
  reply(m, json::object{});
}

void Session::on_resources_unsubscribe(const Message& m) {
  const json::value* uri = m.params.if_contains("uri");
  if (!uri || !uri->is_string()) {
    return reply(m, rpc_error(RpcCode::InvalidParams, "resources/unsubscribe: params.uri must be a string"));
  }
  subscriptions_.erase(std::string(uri->get_string()));
  reply(m, json::object{});
}

void Session::on_prompts_list(const Message& m) {
  auto start = page_start(m, "prompts");
  if (!start) return reply(m, std::unexpected(start.error()));
  reply(m, page_of(server_.prompts(), *start, server_.options().page_size, "prompts", "prompts",
                   [](const std::shared_ptr<const Server::Prompt>& p) {
                     json::object o{{"name", p->spec.name}};
                     put_if(o, "title", p->spec.title);
                     put_if(o, "description", p->spec.description);
                     json::array args;
                     for (const PromptArgument& a : p->spec.arguments) {
                       json::object arg{{"name", a.name}, {"required", a.required}};
                       put_if(arg, "description", a.description);
                       args.push_back(std::move(arg));
                     }
                     if (!args.empty()) o["arguments"] = std::move(args);
                     return o;
                   }));
}

void Session::on_prompts_get(const Message& m) {
  // Spec: server/prompts "Getting a Prompt", "Error Handling" (-32602).
  const json::value* name = m.params.if_contains("name");
  if (!name || !name->is_string()) {
    return reply(m, rpc_error(RpcCode::InvalidParams, "prompts/get: params.name must be a string"));
  }
  std::shared_ptr<const Server::Prompt> prompt;
  for (const auto& p : server_.prompts()) {
    if (p->spec.name == name->get_string()) prompt = p;
  }
  if (!prompt) {
    return reply(m, rpc_error(RpcCode::InvalidParams, str_cat("Unknown prompt: \"", name->get_string(), "\"")));
  }
  std::map<std::string, std::string> args;
  if (const json::value* a = m.params.if_contains("arguments"); a && !a->is_null()) {
    if (!a->is_object()) {
      return reply(m, rpc_error(RpcCode::InvalidParams, "prompts/get: params.arguments must be an object"));
    }
    for (const auto& member : a->get_object()) {
      if (!member.value().is_string()) {
        return reply(m, rpc_error(RpcCode::InvalidParams,
                                  str_cat("prompts/get: argument \"", member.key(), "\" must be a string")));
      }
      args.emplace(member.key(), member.value().get_string());
    }
  }
  for (const PromptArgument& a : prompt->spec.arguments) {
    if (a.required && !args.contains(a.name)) {
      return reply(m, rpc_error(RpcCode::InvalidParams, str_cat("prompts/get: missing required argument \"", a.name,
                                                                "\" for prompt \"", prompt->spec.name, "\"")));
    }
  }
  auto result = prompt->handler(*this, args);
  if (!result) {
    const bool invalid = result.error().code() == ErrorCode::Invalid;
    return reply(m, rpc_error(invalid ? RpcCode::InvalidParams : RpcCode::InternalError, result.error().message()));
  }
  reply(m, std::move(*result));
}

// ---- outbound ------------------------------------------------------------

void Session::notify(std::string method, json::object params) {
  asio::dispatch(strand_, [self = shared_from_this(), method = std::move(method), params = std::move(params)]() {
    if (self->closed_ || !self->initialize_answered_) return;
    self->outbound_->send(encode_notification(method, params));
  });
}

void Session::log(LogLevel level, std::string_view logger, json::value data) {
  asio::dispatch(strand_, [self = shared_from_this(), level, logger = std::string(logger), data = std::move(data)]() {
    if (self->closed_ || !self->initialize_answered_ || level < self->log_level_) return;
    json::object params{{"level", to_string(level)}, {"data", data}};
    if (!logger.empty()) params["logger"] = logger;
    self->outbound_->send(encode_notification("notifications/message", params));
  });
}

void Session::request(std::string method, json::object params, std::chrono::milliseconds timeout, ClientReply done,
                      std::shared_ptr<Outbound> via) {
  WG_CHECK(done != nullptr);
  asio::dispatch(strand_, [self = shared_from_this(), method = std::move(method), params = std::move(params), timeout,
                           done = std::move(done), via = std::move(via)]() mutable {
    if (self->closed_ || self->input_ended_) {
      done(make_error(ErrorCode::Io, str_cat(method, ": the session is closed")));
      return;
    }
    // Spec: a server sends a request only for a capability the client declared.
    std::string_view needs;
    if (method == "elicitation/create") needs = "elicitation";
    if (method == "sampling/createMessage") needs = "sampling";
    if (method == "roots/list") needs = "roots";
    if (!needs.empty() && !self->client_capabilities_.contains(needs)) {
      done(make_error(ErrorCode::Unsupported,
                      str_cat(method, ": the client did not declare the \"", needs, "\" capability")));
      return;
    }
    const RequestId id(self->next_request_id_++);
    auto pending = std::make_shared<Pending>();
    pending->method = method;
    pending->done = std::move(done);
    pending->timer = std::make_unique<asio::steady_timer>(self->strand_, timeout);
    pending->timer->async_wait([weak = self->weak_from_this(), id, timeout](const boost::system::error_code& ec) {
      auto s = weak.lock();
      if (ec || !s) return;
      auto it = s->pending_.find(id);
      if (it == s->pending_.end()) return;
      std::shared_ptr<Pending> p = std::move(it->second);
      s->pending_.erase(it);
      // Spec: basic/utilities/cancellation: the requester SHOULD send
      // notifications/cancelled for a request it stops waiting for.
      s->outbound_->send(encode_notification("notifications/cancelled",
                                             json::object{{"requestId", id.to_json()}, {"reason", "timed out"}}));
      p->done(
          make_error(ErrorCode::LimitExceeded, str_cat(p->method, ": no response within ", timeout.count(), " ms")));
    });
    self->pending_.emplace(id, pending);
    std::string text = encode_request(id, method, params);
    if (via) {
      via->send(std::move(text));
    } else {
      self->outbound_->send(std::move(text));
    }
  });
}

void Session::close() {
  asio::dispatch(strand_, [self = shared_from_this()]() { self->do_close(); });
}

void Session::do_close() {
  if (closed_) return;
  closed_ = true;
  auto flights = std::move(in_flight_);
  in_flight_.clear();
  for (auto& [id, flight] : flights) {
    if (flight->call) flight->call->mark_cancelled();
  }
  fail_pending("the session closed before the client answered");
  on_idle_ = nullptr;
}

void Session::fail_pending(std::string_view why) {
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    if (p->timer) p->timer->cancel();
    p->done(make_error(ErrorCode::Io, str_cat(p->method, ": ", why)));
  }
}

void Session::end_input(std::function<void()> on_idle) {
  asio::dispatch(strand_, [self = shared_from_this(), on_idle = std::move(on_idle)]() mutable {
    if (self->input_ended_) return;
    self->input_ended_ = true;
    self->on_idle_ = std::move(on_idle);
    self->fail_pending("the client's input ended before it answered");
    self->maybe_idle();
  });
}

void Session::maybe_idle() {
  if (!input_ended_ || !in_flight_.empty() || !on_idle_) return;
  auto callback = std::move(on_idle_);
  on_idle_ = nullptr;
  callback();
}

// ---- ToolCall --------------------------------------------------------------

ToolCall::ToolCall(std::weak_ptr<Session> session, RequestId id, std::string tool, json::object arguments,
                   json::object meta, std::shared_ptr<Session::Exchange> exchange)
    : session_(std::move(session)),
      id_(std::move(id)),
      tool_(std::move(tool)),
      arguments_(std::move(arguments)),
      meta_(std::move(meta)),
      exchange_(std::move(exchange)) {}

void ToolCall::mark_cancelled() {
  if (cancelled_.exchange(true)) return;
  auto callbacks = std::move(cancel_callbacks_);
  cancel_callbacks_.clear();
  for (auto& cb : callbacks) cb();
}

void ToolCall::on_cancel(std::function<void()> callback) {
  auto s = session_.lock();
  if (!s) return;
  asio::dispatch(s->strand(), [self = shared_from_this(), callback = std::move(callback)]() mutable {
    if (self->cancelled_.load()) {
      callback();
    } else {
      self->cancel_callbacks_.push_back(std::move(callback));
    }
  });
}

void ToolCall::progress(double progress, std::optional<double> total, std::string_view message) {
  const json::value* token = meta_.if_contains("progressToken");
  if (!token || !is_progress_token(*token) || finished_.load()) return;
  auto s = session_.lock();
  if (!s) return;
  json::object params{{"progressToken", *token}, {"progress", progress}};
  if (total) params["total"] = *total;
  if (!message.empty()) params["message"] = message;
  asio::dispatch(s->strand(), [s, self = shared_from_this(), params = std::move(params)]() {
    if (self->cancelled_.load()) return;
    s->send_related(self->exchange_, encode_notification("notifications/progress", params));
  });
}

void ToolCall::log(LogLevel level, json::value data, std::string_view logger) {
  auto s = session_.lock();
  if (!s) return;
  asio::dispatch(s->strand(),
                 [s, self = shared_from_this(), level, data = std::move(data), logger = std::string(logger)]() {
                   if (level < s->log_level()) return;
                   json::object params{{"level", to_string(level)}, {"data", data}};
                   if (!logger.empty()) params["logger"] = logger;
                   s->send_related(self->exchange_, encode_notification("notifications/message", params));
                 });
}

void ToolCall::elicit(std::string message, json::object requested_schema, std::chrono::milliseconds timeout,
                      ClientReply done) {
  // Spec: client/elicitation "Creating Elicitation Requests" (form mode).
  request("elicitation/create",
          json::object{{"mode", "form"}, {"message", message}, {"requestedSchema", std::move(requested_schema)}},
          timeout, std::move(done));
}

void ToolCall::request(std::string method, json::object params, std::chrono::milliseconds timeout, ClientReply done) {
  auto s = session_.lock();
  if (!s) {
    done(make_error(ErrorCode::Io, str_cat(method, ": the session is gone")));
    return;
  }
  // Related to this call: over HTTP it travels on the call's response stream.
  std::shared_ptr<Outbound> via = exchange_ && !exchange_->finished ? exchange_->out : nullptr;
  s->request(std::move(method), std::move(params), timeout, std::move(done), std::move(via));
}

void ToolCall::finish(Result<ToolResult> result) {
  if (finished_.exchange(true)) return;
  if (finish_observer_) finish_observer_(result);
  auto s = session_.lock();
  if (!s) return;
  asio::dispatch(s->strand(), [s, self = shared_from_this(), result = std::move(result)]() mutable {
    ToolResult r = result ? std::move(*result) : ToolResult::error(result.error().message());
    if (self->output_schema_ && !r.is_error) {
      // Spec: server/tools "Output Schema": servers MUST return structured
      // results that conform to it; a mismatch is our bug, not the caller's.
      if (!r.structured_content) {
        s->finish_request(
            self->id_,
            std::unexpected(RpcError{
                static_cast<std::int32_t>(RpcCode::InternalError),
                str_cat("tool \"", self->tool_, "\" declares an outputSchema but returned no structuredContent"),
                std::nullopt}));
        return;
      }
      auto issues = validate_json_schema(*r.structured_content, *self->output_schema_, "structuredContent");
      if (!issues.empty()) {
        std::string text =
            str_cat("tool \"", self->tool_, "\" returned structuredContent that does not match its outputSchema:");
        for (const auto& i : issues) text += str_cat("\n- ", i);
        s->finish_request(self->id_, std::unexpected(RpcError{static_cast<std::int32_t>(RpcCode::InternalError), text,
                                                              std::nullopt}));
        return;
      }
    }
    s->finish_request(self->id_, r.to_json());
  });
}

}  // namespace wg::mcp
