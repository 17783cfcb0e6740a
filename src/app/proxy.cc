#include "app/proxy.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "app/admin_api.h"
#include "app/auth_tokens.h"
#include "app/policy_runtime.h"
#include "app/serve.h"
#include "base/check.h"
#include "mcp/client/http_client.h"
#include "mcp/client/stdio_child.h"
#include "mcp/protocol/str_cat.h"
#include "mcp/server/session.h"
#include "mcp/transport/http.h"
#include "mcp/transport/stdio.h"

namespace wg::app {

namespace asio = boost::asio;
namespace json = boost::json;
using mcp::str_cat;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Upper bound on the pages of one upstream list (a cursor loop guard).
constexpr std::size_t kMaxListPages = 10000;

std::string string_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

std::optional<json::object> object_field(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v && v->is_object()) return v->get_object();
  return std::nullopt;
}

std::string describe(const mcp::RpcError& e) { return str_cat("error ", e.code, ": ", e.message); }

std::unexpected<mcp::RpcError> rpc_failure(mcp::RpcCode code, std::string message) {
  return std::unexpected(mcp::RpcError{static_cast<std::int32_t>(code), std::move(message), std::nullopt});
}

// The client capability a server->client request needs (spec: a server
// sends these only to a client that declared the capability); empty for
// methods the proxy does not relay.
std::string_view needed_capability(std::string_view method) {
  if (method == "sampling/createMessage") return "sampling";  // spec client/sampling
  if (method == "elicitation/create") return "elicitation";   // spec client/elicitation
  if (method == "roots/list") return "roots";                 // spec client/roots
  return {};
}

// Whether `caps` (a downstream client's declared capabilities) admit the
// request. Elicitation: an empty object means form mode only; url mode
// needs "url" (spec client/elicitation "Capabilities").
bool client_admits(const json::object& caps, std::string_view method, const json::object& params) {
  const std::string_view needs = needed_capability(method);
  const json::value* cap = caps.if_contains(needs);
  if (!cap || !cap->is_object()) return false;
  if (method == "elicitation/create") {
    const std::string mode = string_field(params, "mode");
    const json::object& e = cap->get_object();
    if (mode == "url") return e.contains("url");
    return e.empty() || e.contains("form");
  }
  return true;
}

// The first pair of members of one object, at any depth of `v`, whose
// names differ only in ASCII case ("message" / "Message"); empty if none.
// The policy reads one of them; an upstream that matches names loosely
// could read the other, so the proxy refuses such arguments.
std::optional<std::pair<std::string, std::string>> case_variant_keys(const json::value& v, std::size_t depth = 0) {
  constexpr std::size_t kMaxDepth = 64;  // the strict parser's own depth limit
  if (depth > kMaxDepth) return std::nullopt;
  const auto lower = [](std::string_view k) {
    std::string out(k);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  if (v.is_object()) {
    std::map<std::string, std::string> seen;
    for (const auto& member : v.get_object()) {
      auto [it, fresh] = seen.emplace(lower(member.key()), std::string(member.key()));
      if (!fresh) return std::pair{it->second, std::string(member.key())};
      if (auto inner = case_variant_keys(member.value(), depth + 1)) return inner;
    }
  } else if (v.is_array()) {
    for (const json::value& item : v.get_array()) {
      if (auto inner = case_variant_keys(item, depth + 1)) return inner;
    }
  }
  return std::nullopt;
}

// A server->client request's outcome (mcp::ClientReply) as the JSON-RPC
// reply the upstream gets: the client's own error code and message when it
// answered with an error (the Session reports those as Denied "client
// answered M with error CODE: MESSAGE"), else -32603 saying what happened.
mcp::RpcReply relayed_reply(const std::string& method, Result<json::object> r) {
  if (r) return std::move(*r);
  const std::string& text = r.error().message();
  if (r.error().code() == ErrorCode::Denied) {
    constexpr std::string_view kMarker = " with error ";
    if (auto at = text.find(kMarker); at != std::string::npos) {
      const char* begin = text.data() + at + kMarker.size();
      const char* end = text.data() + text.size();
      std::int32_t code = 0;
      auto [next, ec] = std::from_chars(begin, end, code);
      if (ec == std::errc() && std::string_view(next, end).starts_with(": ")) {
        return std::unexpected(mcp::RpcError{code, std::string(next + 2, end), std::nullopt});
      }
    }
  }
  if (r.error().code() == ErrorCode::Unsupported) {
    return rpc_failure(mcp::RpcCode::MethodNotFound, str_cat("wasmgate proxy: ", text));
  }
  return rpc_failure(mcp::RpcCode::InternalError, str_cat("wasmgate proxy: relaying ", method, " failed: ", text));
}

// The ToolSpec of an upstream Tool object (schema.ts Tool); Invalid when it
// has no name. The Server checks the rest when it is added.
Result<mcp::ToolSpec> tool_spec_from_json(const json::object& o) {
  mcp::ToolSpec spec;
  spec.name = string_field(o, "name");
  if (spec.name.empty()) return make_error(ErrorCode::Invalid, "upstream tool without a name");
  spec.title = string_field(o, "title");
  spec.description = string_field(o, "description");
  if (auto schema = object_field(o, "inputSchema")) {
    spec.input_schema = std::move(*schema);
  } else {
    return make_error(ErrorCode::Invalid, str_cat("upstream tool \"", spec.name, "\" has no inputSchema object"));
  }
  spec.output_schema = object_field(o, "outputSchema");
  spec.annotations = object_field(o, "annotations");
  spec.meta = object_field(o, "_meta");
  return spec;
}

// Delivers a transport's callbacks on `executor` instead of the thread that
// produced them. mcp::Client's callbacks briefly own the Client; run on a
// stdio child's reader thread, that could make the reader destroy the
// Client, whose transport then joins the reader from itself. On the
// upstream executor the Client is never destroyed by the reader.
class ExecutorTransport : public mcp::ClientTransport {
 public:
  ExecutorTransport(asio::any_io_executor executor, std::unique_ptr<mcp::ClientTransport> inner)
      : executor_(std::move(executor)), inner_(std::move(inner)) {}
  void start(std::function<void(std::string)> on_message, std::function<void(Error)> on_closed) override {
    inner_->start(
        [ex = executor_, on_message = std::move(on_message)](std::string text) {
          asio::post(ex, [on_message, text = std::move(text)]() mutable { on_message(std::move(text)); });
        },
        [ex = executor_, on_closed = std::move(on_closed)](Error error) {
          asio::post(ex, [on_closed, error = std::move(error)]() mutable { on_closed(std::move(error)); });
        });
  }
  void send(std::string message) override { inner_->send(std::move(message)); }
  void close() override { inner_->close(); }
  void set_protocol_version(std::string_view version) override { inner_->set_protocol_version(version); }

 private:
  asio::any_io_executor executor_;
  std::unique_ptr<mcp::ClientTransport> inner_;
};

}  // namespace

// Everything the proxy shares between the downstream sessions' threads and
// the upstream client's thread. Handlers hold weak references to it.
struct Proxy::State : std::enable_shared_from_this<Proxy::State> {
  ProxyConfig config;
  std::FILE* err = stderr;
  std::unique_ptr<PolicyRuntime> rt;
  asio::io_context upstream_io;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::thread upstream_thread;
  std::shared_ptr<mcp::Client> client;
  std::unique_ptr<mcp::Server> server;
  std::unique_ptr<asio::steady_timer> poll_timer;  // on upstream_io

  std::mutex tools_mutex;                              // guards the two maps below
  std::map<std::string, json::object> upstream_tools;  // the upstream's last tools/list, by name
  std::map<std::string, json::object> registered;      // what `server` offers now, by name

  std::mutex progress_mutex;                                           // guards progress_calls
  std::map<std::string, std::weak_ptr<mcp::ToolCall>> progress_calls;  // upstream progressToken -> call
  std::atomic<std::uint64_t> next_token{1};

  // A tools/call forwarded upstream and not yet answered: the downstream
  // call, its session and that client's declared capabilities (copied on
  // the session strand when the call was forwarded).
  struct Forwarded {
    std::weak_ptr<mcp::ToolCall> call;
    std::weak_ptr<mcp::Session> session;
    json::object capabilities;
  };
  std::mutex forwarded_mutex;                    // guards forwarded
  std::map<std::uint64_t, Forwarded> forwarded;  // by forwarding order
  std::atomic<std::uint64_t> next_forwarded{1};

  // What `server` offers of the upstream's resources, templates and prompts
  // (the upstream's objects, by uri / uriTemplate / name).
  std::mutex catalog_mutex;  // guards the three maps below and serialises their updates
  std::map<std::string, json::object> mirrored_resources;
  std::map<std::string, json::object> mirrored_templates;
  std::map<std::string, json::object> mirrored_prompts;

  bool on_upstream_thread() const { return std::this_thread::get_id() == upstream_thread.get_id(); }

  // One request to the upstream, waited for. Never on the upstream thread
  // (its strand delivers the answer).
  mcp::RpcReply call_sync(const std::string& method, json::object params) {
    if (on_upstream_thread()) {
      return std::unexpected(mcp::RpcError{static_cast<std::int32_t>(mcp::RpcCode::InternalError),
                                           str_cat(method, ": cannot wait for the upstream on its own thread"),
                                           std::nullopt});
    }
    auto promise = std::make_shared<std::promise<mcp::RpcReply>>();
    auto future = promise->get_future();
    client->request(method, std::move(params), [promise](mcp::RpcReply r) { promise->set_value(std::move(r)); });
    // The client times the request out itself; this bound only guards
    // against a client that stopped running.
    if (future.wait_for(config.request_timeout + std::chrono::seconds(30)) != std::future_status::ready) {
      return std::unexpected(mcp::RpcError{static_cast<std::int32_t>(mcp::RpcCode::InternalError),
                                           str_cat(method, ": the upstream client stopped"), std::nullopt});
    }
    return future.get();
  }

  // Every page of an upstream list, asynchronously: `done` gets the items
  // under `key` or the first error.
  void list_all(std::string method, std::string key, std::function<void(Result<json::array>)> done) {
    auto items = std::make_shared<json::array>();
    auto pages = std::make_shared<std::size_t>(0);
    auto step = std::make_shared<std::function<void(std::string)>>();
    std::weak_ptr<std::function<void(std::string)>> weak_step = step;
    *step = [self = shared_from_this(), method, key, done, items, pages, weak_step](std::string cursor) {
      json::object params;
      if (!cursor.empty()) params["cursor"] = cursor;
      self->client->request(
          method, std::move(params), [method, key, done, items, pages, next = weak_step.lock()](mcp::RpcReply r) {
            if (!r) {
              return done(make_error(ErrorCode::Io, str_cat("upstream ", method, " failed: ", describe(r.error()))));
            }
            if (const json::value* v = r->if_contains(key); v && v->is_array()) {
              for (const json::value& item : v->get_array()) items->push_back(item);
            } else {
              return done(
                  make_error(ErrorCode::Malformed, str_cat("upstream ", method, " result has no \"", key, "\" array")));
            }
            const std::string cursor = string_field(*r, "nextCursor");
            if (cursor.empty()) return done(std::move(*items));
            if (++*pages >= kMaxListPages) {
              return done(make_error(ErrorCode::LimitExceeded,
                                     str_cat("upstream ", method, " has more than ", kMaxListPages, " pages")));
            }
            (*next)(cursor);
          });
    };
    // The step function keeps itself alive through the reply handler it
    // captures (next), until the last page.
    (*step)("");
  }

  Result<json::array> list_all_sync(const std::string& method, const std::string& key) {
    auto promise = std::make_shared<std::promise<Result<json::array>>>();
    auto future = promise->get_future();
    list_all(method, key, [promise](Result<json::array> r) { promise->set_value(std::move(r)); });
    if (future.wait_for(config.request_timeout * 2 + std::chrono::seconds(30)) != std::future_status::ready) {
      return make_error(ErrorCode::Io, str_cat("upstream ", method, ": no answer"));
    }
    return future.get();
  }

  // Makes `server` offer the upstream's tools minus the hidden ones.
  // Changed tools are replaced; the Server tells sessions (list_changed).
  void apply_tools() {
    std::lock_guard lock(tools_mutex);
    auto policy = rt->holder->current();
    std::map<std::string, json::object> wanted;
    for (const auto& [name, tool] : upstream_tools) {
      if (policy && policy->hides_tool(name)) continue;
      wanted.emplace(name, tool);
    }
    for (auto it = registered.begin(); it != registered.end();) {
      auto w = wanted.find(it->first);
      if (w != wanted.end() && w->second == it->second) {
        ++it;
        continue;
      }
      (void)server->remove_tool(it->first);
      it = registered.erase(it);
    }
    for (const auto& [name, tool] : wanted) {
      if (registered.contains(name)) continue;
      auto spec = tool_spec_from_json(tool);
      Status added = spec ? ok() : Status(std::unexpected(spec.error()));
      if (spec) {
        added = server->add_async_tool(std::move(*spec),
                                       [weak = weak_from_this(), name](std::shared_ptr<mcp::ToolCall> call) {
                                         if (auto self = weak.lock()) return self->forward_call(name, call);
                                         call->finish(mcp::ToolResult::error("wasmgate proxy: shutting down"));
                                       });
      }
      if (!added) {
        std::fprintf(err, "wasmgate: proxy: skipping upstream tool \"%s\": %s\n", name.c_str(),
                     added.error().message().c_str());
        continue;
      }
      registered.emplace(name, tool);
    }
  }

  Status set_upstream_tools(Result<json::array> tools) {
    if (!tools) return std::unexpected(tools.error());
    std::map<std::string, json::object> by_name;
    for (const json::value& t : *tools) {
      if (!t.is_object()) continue;
      const std::string name = string_field(t.get_object(), "name");
      if (name.empty()) continue;
      by_name.insert_or_assign(name, t.get_object());
    }
    {
      std::lock_guard lock(tools_mutex);
      upstream_tools = std::move(by_name);
    }
    apply_tools();
    return ok();
  }

  void refresh_tools_async() {
    list_all("tools/list", "tools", [weak = weak_from_this()](Result<json::array> tools) {
      auto self = weak.lock();
      if (!self) return;
      if (auto st = self->set_upstream_tools(std::move(tools)); !st) {
        std::fprintf(self->err, "wasmgate: proxy: keeping the previous tool list: %s\n", st.error().message().c_str());
      }
    });
  }

  void poll_policy() {
    if (poll_reload(*rt, err)) apply_tools();
  }

  void schedule_poll() {
    if (config.policy_poll.count() <= 0) return;
    poll_timer->expires_after(config.policy_poll);
    poll_timer->async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      self->poll_policy();
      self->schedule_poll();
    });
  }

  policy::GateRequest gate_request(policy::CallKind kind, std::string name, json::value args,
                                   const mcp::Session* session, std::string request_id) {
    policy::GateRequest request;
    request.call.kind = kind;
    request.call.name = std::move(name);
    request.call.args = std::move(args);
    if (session) {
      request.call.session = session->id();
      // The bearer token's identity over HTTP with --auth-tokens; "" on stdio.
      request.call.identity = session->identity();
    }
    request.request_id = std::move(request_id);
    return request;
  }

  void record(const policy::GateRequest& request, const policy::Admission& admission, policy::UpstreamOutcome outcome) {
    if (auto st = rt->gate->after(request, admission, outcome); !st) {
      std::fprintf(err, "wasmgate: policy: recording the outcome of %s failed: %s\n", request.call.name.c_str(),
                   st.error().message().c_str());
    }
  }

  // A refusal as the result of tool `name` (app::refusal_result: no
  // structuredContent when the tool declares an outputSchema).
  mcp::ToolResult refusal_result(const std::string& name, const json::object& refusal) {
    bool has_output_schema = false;
    {
      std::lock_guard lock(tools_mutex);
      auto it = registered.find(name);
      has_output_schema = it != registered.end() && it->second.contains("outputSchema");
    }
    return app::refusal_result(refusal, has_output_schema);
  }

  // tools/call: Gate (with elicitation approval, see admit()), upstream, Gate::after.
  void forward_call(const std::string& name, const std::shared_ptr<mcp::ToolCall>& call) {
    poll_policy();
    // Fail closed on arguments two readers could see differently (the
    // strict parser already refused duplicate names).
    if (auto variants = case_variant_keys(call->arguments())) {
      return call->finish(mcp::ToolResult::error(str_cat(
          "wasmgate proxy: refused: the arguments of \"", name, "\" have members whose names differ only in case (\"",
          variants->first, "\" and \"", variants->second, "\"); the call was not forwarded")));
    }
    auto request =
        gate_request(policy::CallKind::Tool, name, call->arguments(), call->session().get(),
                     call->request_id().to_string());
    admit(*rt, request, call, [weak = weak_from_this(), name, call, request](policy::Admission decided) {
      auto self = weak.lock();
      if (!self) return call->finish(mcp::ToolResult::error("wasmgate proxy: shutting down"));
      self->forward_admitted(name, call, request, std::make_shared<policy::Admission>(std::move(decided)));
    });
  }

  void forward_admitted(const std::string& name, const std::shared_ptr<mcp::ToolCall>& call,
                        const policy::GateRequest& request, const std::shared_ptr<policy::Admission>& admission) {
    if (!admission->proceed()) return call->finish(refusal_result(name, admission->tool_result()));
    // Cancelled while a human was asked to approve: never forwarded.
    if (call->cancelled()) {
      record(request, *admission, policy::UpstreamOutcome::Failed);
      return call->finish(mcp::ToolResult::error("wasmgate proxy: the client cancelled the request"));
    }

    json::object params{{"name", name}, {"arguments", call->arguments()}};
    // Progress (spec basic/utilities/progress): the upstream gets a token
    // of ours, unique across downstream sessions; its notifications are
    // relayed to this call, which re-labels them with the caller's token.
    std::string token;
    if (call->meta().contains("progressToken")) {
      token = str_cat("wasmgate-proxy-", next_token.fetch_add(1));
      json::object meta = call->meta();
      meta["progressToken"] = token;
      params["_meta"] = std::move(meta);
      std::lock_guard lock(progress_mutex);
      progress_calls.emplace(token, call);
    }
    // Server->client requests the upstream makes while this call runs are
    // relayed to this call's client (on_upstream_request).
    const std::uint64_t seq = next_forwarded.fetch_add(1);
    {
      std::shared_ptr<mcp::Session> session = call->session();
      std::lock_guard lock(forwarded_mutex);
      forwarded.emplace(seq, Forwarded{call, session, session ? session->client_capabilities() : json::object{}});
    }
    const mcp::RequestId upstream_id = client->request(
        "tools/call", std::move(params),
        [weak = weak_from_this(), request, admission, call, token, name, seq](mcp::RpcReply reply) {
          auto self = weak.lock();
          if (!self) return call->finish(mcp::ToolResult::error("wasmgate proxy: shutting down"));
          if (!token.empty()) {
            std::lock_guard lock(self->progress_mutex);
            self->progress_calls.erase(token);
          }
          {
            std::lock_guard lock(self->forwarded_mutex);
            self->forwarded.erase(seq);
          }
          if (!reply) {
            self->record(request, *admission, policy::UpstreamOutcome::Failed);
            return call->finish(
                mcp::ToolResult::error(str_cat("The upstream MCP server did not complete tools/call \"", name,
                                               "\": ", describe(reply.error()), " (wasmgate proxy)")));
          }
          mcp::ToolResult result = tool_result_from_json(*reply);
          self->record(request, *admission,
                       result.is_error ? policy::UpstreamOutcome::ToolError : policy::UpstreamOutcome::Succeeded);
          call->finish(std::move(result));
        });
    // A downstream notifications/cancelled (or the session closing) cancels
    // the upstream request (spec basic/utilities/cancellation); the Client
    // then completes it with an error, so the handler above records Failed
    // and the reservation is released. A call already answered is ignored.
    call->on_cancel([weak = weak_from_this(), upstream_id] {
      if (auto self = weak.lock()) self->client->cancel(upstream_id, "the client cancelled the request");
    });
  }

  // The forwarded call a server->client request from the upstream belongs
  // to. The wire does not say (over stdio nothing ties a server's request
  // to the request it serves), so: the calls in flight must all come from
  // one downstream session; the newest of them is taken (over HTTP its
  // response stream carries the request). None, or calls from several
  // sessions, is an error: relaying to a guessed client could show one
  // user another's prompt.
  Result<Forwarded> related_call(std::string_view method) {
    std::lock_guard lock(forwarded_mutex);
    std::optional<Forwarded> newest;
    std::set<const mcp::Session*> sessions;
    for (const auto& [seq, f] : forwarded) {
      auto call = f.call.lock();
      auto session = f.session.lock();
      if (!call || !session || call->cancelled()) continue;
      sessions.insert(session.get());
      newest = f;
    }
    if (!newest) {
      return make_error(ErrorCode::Unsupported,
                        str_cat(method,
                                " can only be relayed to the client whose forwarded tools/call is in flight, "
                                "and none is"));
    }
    if (sessions.size() > 1) {
      return make_error(ErrorCode::Unsupported,
                        str_cat(method, ": tools/call requests of ", sessions.size(),
                                " clients are in flight; the proxy cannot tell which one this request is for"));
    }
    return *newest;
  }

  // A request from the upstream to its client (the proxy). ping is
  // answered here (it asks whether the proxy is alive); sampling,
  // elicitation and roots go to the related downstream client when it
  // declared the capability, and its answer (result or error) goes back.
  void on_upstream_request(const std::string& method, const json::object& params, mcp::RpcReplyHandler reply) {
    if (method == "ping") return reply(json::object{});  // spec basic/utilities/ping
    if (needed_capability(method).empty()) {
      return reply(rpc_failure(mcp::RpcCode::MethodNotFound,
                               str_cat("wasmgate proxy: ", method, " is not relayed to the client")));
    }
    auto related = related_call(method);
    if (!related) {
      return reply(rpc_failure(mcp::RpcCode::MethodNotFound, str_cat("wasmgate proxy: ", related.error().message())));
    }
    auto call = related->call.lock();
    if (!call) return reply(rpc_failure(mcp::RpcCode::InternalError, "wasmgate proxy: the client's call ended"));
    // Never ask a client for what it did not declare (the Session checks
    // the capability too; this also checks elicitation's form/url modes).
    if (!client_admits(related->capabilities, method, params)) {
      std::string what(needed_capability(method));
      if (method == "elicitation/create" && string_field(params, "mode") == "url") what = "elicitation.url";
      return reply(
          rpc_failure(mcp::RpcCode::MethodNotFound, str_cat("wasmgate proxy: the client did not declare the \"", what,
                                                            "\" capability; ", method, " is not relayed")));
    }
    call->request(method, params, config.request_timeout, [method, reply = std::move(reply)](Result<json::object> r) {
      reply(relayed_reply(method, std::move(r)));
    });
  }

  // resources/read and prompts/get: Gate, upstream (waited for), Gate::after.
  Result<json::object> gated_fetch(const mcp::Session& session, policy::CallKind kind, std::string name,
                                   json::value args, const std::string& method, json::object params) {
    poll_policy();
    auto request = gate_request(kind, std::move(name), std::move(args), &session, {});
    const policy::Admission admission = rt->gate->before(request);
    if (!admission.proceed()) {
      const json::object refusal = admission.tool_result();
      std::string text = "denied by policy";
      if (const auto* c = refusal.if_contains("content"); c && c->is_array() && !c->get_array().empty()) {
        const json::value& first = c->get_array().front();
        if (first.is_object()) text = string_field(first.get_object(), "text");
      }
      return make_error(ErrorCode::Denied, text);
    }
    mcp::RpcReply reply = call_sync(method, std::move(params));
    if (!reply) {
      record(request, admission, policy::UpstreamOutcome::Failed);
      const bool invalid = reply.error().code == static_cast<std::int32_t>(mcp::RpcCode::InvalidParams);
      return make_error(invalid ? ErrorCode::Invalid : ErrorCode::Io,
                        str_cat("upstream ", method, ": ", reply.error().message));
    }
    record(request, admission, policy::UpstreamOutcome::Succeeded);
    return std::move(*reply);
  }

  Result<json::array> read_resource(const mcp::Session& session, std::string_view uri) {
    const std::string u(uri);
    auto result = WG_TRY(gated_fetch(session, policy::CallKind::Resource, u, json::object{{"uri", u}},
                                     "resources/read", json::object{{"uri", u}}));
    if (const json::value* c = result.if_contains("contents"); c && c->is_array()) return c->get_array();
    return make_error(ErrorCode::Io, str_cat("upstream resources/read \"", u, "\": no contents array"));
  }

  void on_notification(const std::string& method, const json::object& params) {
    if (method == "notifications/tools/list_changed") return refresh_tools_async();
    if (method == "notifications/progress") {
      const json::value* t = params.if_contains("progressToken");
      const json::value* p = params.if_contains("progress");
      if (!t || !t->is_string() || !p || !p->is_number()) return;
      std::shared_ptr<mcp::ToolCall> call;
      {
        std::lock_guard lock(progress_mutex);
        auto it = progress_calls.find(std::string(t->get_string()));
        if (it != progress_calls.end()) call = it->second.lock();
      }
      if (!call) return;
      std::optional<double> total;
      if (const json::value* v = params.if_contains("total"); v && v->is_number()) total = v->to_number<double>();
      call->progress(p->to_number<double>(), total, string_field(params, "message"));
      return;
    }
    if (method == "notifications/message") {
      auto level = mcp::parse_log_level(string_field(params, "level"));
      const json::value* data = params.if_contains("data");
      if (!level || !data) return;
      server->log(*level, string_field(params, "logger"), *data);
      return;
    }
    if (method == "notifications/resources/list_changed") {
      refresh_catalog_async(Catalog::Resources);
      return refresh_catalog_async(Catalog::Templates);
    }
    if (method == "notifications/prompts/list_changed") return refresh_catalog_async(Catalog::Prompts);
    if (method == "notifications/resources/updated") {
      // Spec server/resources "Subscriptions": to the sessions subscribed to it.
      const std::string uri = string_field(params, "uri");
      if (!uri.empty()) server->notify_resource_updated(uri);
      return;
    }
  }

  // The three upstream catalogues the proxy mirrors besides tools: how to
  // list each, its key field, and how to (un)register one item.
  enum class Catalog : std::uint8_t { Resources, Templates, Prompts };

  static const char* list_method(Catalog c) {
    switch (c) {
      case Catalog::Resources: return "resources/list";
      case Catalog::Templates: return "resources/templates/list";
      case Catalog::Prompts: return "prompts/list";
    }
    WG_UNREACHABLE();
  }
  static const char* list_key(Catalog c) {
    switch (c) {
      case Catalog::Resources: return "resources";
      case Catalog::Templates: return "resourceTemplates";
      case Catalog::Prompts: return "prompts";
    }
    WG_UNREACHABLE();
  }
  static const char* id_field(Catalog c) {
    switch (c) {
      case Catalog::Resources: return "uri";
      case Catalog::Templates: return "uriTemplate";
      case Catalog::Prompts: return "name";
    }
    WG_UNREACHABLE();
  }
  std::map<std::string, json::object>& mirrored(Catalog c) {
    switch (c) {
      case Catalog::Resources: return mirrored_resources;
      case Catalog::Templates: return mirrored_templates;
      case Catalog::Prompts: return mirrored_prompts;
    }
    WG_UNREACHABLE();
  }

  Status register_item(Catalog c, const json::object& o) {
    std::weak_ptr<State> weak = weak_from_this();
    switch (c) {
      case Catalog::Resources: {
        mcp::ResourceSpec spec{string_field(o, "uri"), string_field(o, "name"), string_field(o, "title"),
                               string_field(o, "description"), string_field(o, "mimeType")};
        return server->add_resource(
            std::move(spec), [weak](const mcp::Session& session, std::string_view u) -> Result<json::array> {
              auto self = weak.lock();
              if (!self) return make_error(ErrorCode::Io, "wasmgate proxy: shutting down");
              return self->read_resource(session, u);
            });
      }
      case Catalog::Templates: {
        mcp::ResourceTemplateSpec spec{string_field(o, "uriTemplate"), string_field(o, "name"),
                                       string_field(o, "title"), string_field(o, "description"),
                                       string_field(o, "mimeType")};
        return server->add_resource_template(
            std::move(spec),
            [weak](const mcp::Session& session, std::string_view u,
                   const std::map<std::string, std::string>&) -> Result<json::array> {
              auto self = weak.lock();
              if (!self) return make_error(ErrorCode::Io, "wasmgate proxy: shutting down");
              return self->read_resource(session, u);
            });
      }
      case Catalog::Prompts: {
        mcp::PromptSpec spec{string_field(o, "name"), string_field(o, "title"), string_field(o, "description"), {}};
        if (const json::value* args = o.if_contains("arguments"); args && args->is_array()) {
          for (const json::value& a : args->get_array()) {
            if (!a.is_object()) continue;
            const json::value* required = a.get_object().if_contains("required");
            spec.arguments.push_back(mcp::PromptArgument{string_field(a.get_object(), "name"),
                                                         string_field(a.get_object(), "description"),
                                                         required && required->is_bool() && required->get_bool()});
          }
        }
        const std::string name = spec.name;
        return server->add_prompt(
            std::move(spec),
            [weak, name](const mcp::Session& session,
                         const std::map<std::string, std::string>& arguments) -> Result<json::object> {
              auto self = weak.lock();
              if (!self) return make_error(ErrorCode::Io, "wasmgate proxy: shutting down");
              json::object args;
              for (const auto& [k, value] : arguments) args[k] = value;
              return self->gated_fetch(session, policy::CallKind::Prompt, name, args, "prompts/get",
                                       json::object{{"name", name}, {"arguments", args}});
            });
      }
    }
    WG_UNREACHABLE();
  }

  Status unregister_item(Catalog c, const std::string& id) {
    switch (c) {
      case Catalog::Resources: return server->remove_resource(id);
      case Catalog::Templates: return server->remove_resource_template(id);
      case Catalog::Prompts: return server->remove_prompt(id);
    }
    WG_UNREACHABLE();
  }

  // Makes `server` offer exactly `items` of catalogue `c`: entries that
  // vanished or changed are removed, new ones added. Returns whether
  // anything changed.
  bool set_catalog(Catalog c, const json::array& items) {
    std::map<std::string, json::object> wanted;
    for (const json::value& v : items) {
      if (!v.is_object()) continue;
      const std::string id = string_field(v.get_object(), id_field(c));
      if (!id.empty()) wanted.insert_or_assign(id, v.get_object());
    }
    std::lock_guard lock(catalog_mutex);
    auto& have = mirrored(c);
    bool changed = false;
    for (auto it = have.begin(); it != have.end();) {
      auto w = wanted.find(it->first);
      if (w != wanted.end() && w->second == it->second) {
        ++it;
        continue;
      }
      (void)unregister_item(c, it->first);
      it = have.erase(it);
      changed = true;
    }
    for (const auto& [id, item] : wanted) {
      if (have.contains(id)) continue;
      if (auto st = register_item(c, item); !st) {
        std::fprintf(err, "wasmgate: proxy: skipping upstream %s \"%s\": %s\n", list_key(c), id.c_str(),
                     st.error().message().c_str());
        continue;
      }
      have.emplace(id, item);
      changed = true;
    }
    return changed;
  }

  // Re-lists catalogue `c` (on notifications/resources|prompts/list_changed)
  // and tells downstream sessions when what they see changed.
  void refresh_catalog_async(Catalog c) {
    list_all(list_method(c), list_key(c), [weak = weak_from_this(), c](Result<json::array> items) {
      auto self = weak.lock();
      if (!self) return;
      if (!items) {
        std::fprintf(self->err, "wasmgate: proxy: keeping the previous %s: %s\n", list_key(c),
                     items.error().message().c_str());
        return;
      }
      if (!self->set_catalog(c, *items)) return;
      if (c == Catalog::Prompts) {
        self->server->notify_prompts_changed();
      } else {
        self->server->notify_resources_changed();
      }
    });
  }

  // Lists and registers the upstream's resources, templates and prompts.
  void mirror_resources_and_prompts(const json::object& capabilities) {
    std::vector<Catalog> offered;
    if (capabilities.contains("resources")) offered = {Catalog::Resources, Catalog::Templates};
    if (capabilities.contains("prompts")) offered.push_back(Catalog::Prompts);
    for (Catalog c : offered) {
      auto items = list_all_sync(list_method(c), list_key(c));
      if (!items) {
        std::fprintf(err, "wasmgate: proxy: skipping upstream %s: %s\n", list_key(c), items.error().message().c_str());
        continue;
      }
      (void)set_catalog(c, *items);
    }
  }

  void shut_down() {
    if (poll_timer) {
      asio::post(upstream_io, [timer = poll_timer.get()] { timer->cancel(); });
    }
    if (client) client->close();
    work.reset();
    upstream_io.stop();
    if (upstream_thread.joinable()) upstream_thread.join();
    // Destroying the client ends the transport (a child gets EOF, then
    // SIGTERM, then SIGKILL).
    client.reset();
  }
};

UpstreamFactory upstream_factory(const ProxyConfig& config) {
  if (!config.upstream_argv.empty()) {
    return [argv = config.upstream_argv](asio::any_io_executor) -> Result<std::unique_ptr<mcp::ClientTransport>> {
      auto child = WG_TRY_CTX(mcp::StdioChildTransport::spawn(argv), str_cat("cannot start the upstream ", argv[0]));
      return std::unique_ptr<mcp::ClientTransport>(std::move(child));
    };
  }
  return [url = config.upstream_url,
          timeout = config.request_timeout](asio::any_io_executor ex) -> Result<std::unique_ptr<mcp::ClientTransport>> {
    mcp::HttpClientOptions options;
    options.timeout = timeout;
    auto http =
        WG_TRY_CTX(mcp::HttpClientTransport::create(std::move(ex), url, std::move(options)), str_cat("upstream ", url));
    return std::unique_ptr<mcp::ClientTransport>(std::move(http));
  };
}

Result<std::unique_ptr<Proxy>> Proxy::start(const ProxyConfig& config, UpstreamFactory factory, std::FILE* err) {
  auto state = std::make_shared<State>();
  state->config = config;
  state->err = err;
  state->rt = WG_TRY(open_policy_runtime(config.policy_file, config.state_dir));
  std::unique_ptr<Proxy> proxy(new Proxy(state));  // from here on, ~Proxy shuts down what started

  state->work.emplace(state->upstream_io.get_executor());
  state->upstream_thread = std::thread([s = state.get()] { s->upstream_io.run(); });
  auto transport = std::make_unique<ExecutorTransport>(state->upstream_io.get_executor(),
                                                       WG_TRY(factory(state->upstream_io.get_executor())));
  mcp::ClientOptions client_options;
  client_options.name = "wasmgate-proxy";
  client_options.request_timeout = config.request_timeout;
  // What the proxy can relay to a downstream client (on_upstream_request);
  // each request still needs a client that declared the capability.
  client_options.capabilities = json::object{
      {"sampling", json::object{}},
      {"elicitation", json::object{{"form", json::object{}}, {"url", json::object{}}}},
      {"roots", json::object{}},
  };
  state->client = mcp::Client::create(state->upstream_io.get_executor(), std::move(transport), client_options);
  std::weak_ptr<State> weak = state;
  state->client->on_notification([weak](const std::string& method, const json::object& params) {
    if (auto self = weak.lock()) self->on_notification(method, params);
  });
  state->client->on_request([weak](const std::string& method, const json::object& params, mcp::RpcReplyHandler reply) {
    auto self = weak.lock();
    if (!self) {
      return reply(rpc_failure(mcp::RpcCode::InternalError, "wasmgate proxy: shutting down"));
    }
    self->on_upstream_request(method, params, std::move(reply));
  });
  state->client->on_closed([weak](const Error& e) {
    if (auto self = weak.lock()) {
      std::fprintf(self->err, "wasmgate: proxy: the upstream connection ended: %s; calls now fail\n",
                   e.message().c_str());
    }
  });

  auto promise = std::make_shared<std::promise<mcp::RpcReply>>();
  auto future = promise->get_future();
  state->client->initialize([promise](mcp::RpcReply r) { promise->set_value(std::move(r)); });
  if (future.wait_for(config.request_timeout + std::chrono::seconds(30)) != std::future_status::ready) {
    return make_error(ErrorCode::Io, "the upstream MCP server did not answer initialize");
  }
  mcp::RpcReply init = future.get();
  if (!init) {
    return make_error(ErrorCode::Io, str_cat("the upstream MCP server did not initialize: ", init.error().message));
  }

  mcp::ServerOptions options;
  options.page_size = config.page_size;
  options.instructions = string_field(*init, "instructions");
  if (auto info = object_field(*init, "serverInfo")) {
    const std::string name = string_field(*info, "name");
    if (!name.empty()) options.title = str_cat(name, " (through wasmgate proxy)");
  }
  state->server = std::make_unique<mcp::Server>(std::move(options));

  WG_TRY_CTX(state->set_upstream_tools(state->list_all_sync("tools/list", "tools")), "listing the upstream's tools");
  state->mirror_resources_and_prompts(object_field(*init, "capabilities").value_or(json::object{}));

  state->poll_timer = std::make_unique<asio::steady_timer>(state->upstream_io);
  asio::post(state->upstream_io, [weak] {
    if (auto self = weak.lock()) self->schedule_poll();
  });
  return proxy;
}

Proxy::~Proxy() { state_->shut_down(); }

mcp::Server& Proxy::server() { return *state_->server; }

PolicyRuntime& Proxy::policy() { return *state_->rt; }

void Proxy::poll_policy() { state_->poll_policy(); }

Status Proxy::refresh_tools() { return state_->set_upstream_tools(state_->list_all_sync("tools/list", "tools")); }

int run_proxy(const ProxyConfig& config, std::FILE* err) {
  if (config.upstream_argv.empty() == config.upstream_url.empty()) {
    std::fprintf(err, "wasmgate: proxy: give exactly one upstream: --upstream URL or -- COMMAND [ARGS...]\n");
    return kExitUsage;
  }
  std::error_code ec;
  std::filesystem::create_directories(config.state_dir, ec);
  if (ec) {
    std::fprintf(err, "wasmgate: cannot create state directory %s: %s\n", config.state_dir.c_str(),
                 ec.message().c_str());
    return kExitFailure;
  }
  // Bearer tokens first: a bad token file fails before the upstream starts.
  TransportConfig transport;
  if (!config.auth_tokens_file.empty()) {
    if (config.stdio) {
      std::fprintf(err, "wasmgate: --auth-tokens applies to HTTP only; it cannot be used with --stdio\n");
      return kExitUsage;
    }
    auto tokens = load_token_file(config.auth_tokens_file);
    if (!tokens) {
      std::fprintf(err, "wasmgate: %s\n", tokens.error().message().c_str());
      return tokens.error().code() == ErrorCode::Io ? kExitFailure : kExitUsage;
    }
    transport.tokens = std::move(*tokens);
  }
  auto started = Proxy::start(config, upstream_factory(config), err);
  if (!started) {
    std::fprintf(err, "wasmgate: proxy: %s\n", started.error().message().c_str());
    return started.error().code() == ErrorCode::Invalid ? kExitUsage : kExitFailure;
  }
  std::unique_ptr<Proxy> proxy = std::move(*started);

  transport.stdio = config.stdio;
  transport.http_address = config.http_address;
  transport.http_port = config.http_port;
  // resources/read and prompts/get wait for the upstream on the session's
  // thread: several threads keep one slow upstream read from stalling
  // every other HTTP session.
  transport.http_threads = 4;
  transport.label = "proxy ";
  if (!config.stdio) {
    // The dashboard and admin API (docs/dashboard.md) beside /mcp.
    AdminContext admin;
    admin.mode = "proxy";
    admin.policy = &proxy->policy();
    admin.policy_source = config.policy_file;
    admin.audit_path = (std::filesystem::path(config.state_dir) / "audit.jsonl").string();
    transport.fallback = admin_fallback(std::move(admin));
  }
  return serve_transport(proxy->server(), transport, err);
}

}  // namespace wg::app
