#include "mcp/transport/http.h"

#include <atomic>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <deque>
#include <map>
#include <mutex>
#include <sstream>

#include "mcp/protocol/jsonrpc.h"
#include "mcp/protocol/str_cat.h"
#include "mcp/protocol/types.h"
#include "mcp/server/session.h"

namespace wg::mcp {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using tcp = asio::ip::tcp;

bool origin_allowed(std::string_view origin, const std::vector<std::string>& allowed) {
  for (const auto& a : allowed) {
    if (a == origin) return true;
  }
  std::string_view rest;
  if (origin.starts_with("http://")) {
    rest = origin.substr(7);
  } else if (origin.starts_with("https://")) {
    rest = origin.substr(8);
  } else {
    return false;  // includes the opaque origin "null"
  }
  std::string_view host = rest;
  if (host.starts_with("[")) {
    const std::size_t close = host.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view after = host.substr(close + 1);
    host = host.substr(0, close + 1);
    if (!after.empty() && !after.starts_with(":")) return false;
  } else {
    host = host.substr(0, host.find(':'));
    const std::size_t colon = rest.find(':');
    if (colon != std::string_view::npos) {
      for (char c : rest.substr(colon + 1)) {
        if (c < '0' || c > '9') return false;
      }
    }
  }
  const std::string lower = ascii_lower(host);
  return lower == "localhost" || lower == "127.0.0.1" || lower == "[::1]";
}

namespace {

class Connection;

// The session's unsolicited-message channel: the GET stream when one is
// open, else a short queue that the next GET stream receives.
class StreamOutbound : public Outbound {
 public:
  void send(std::string message) override;
  void attach(const std::shared_ptr<Connection>& stream);
  void detach_all();

 private:
  static constexpr std::size_t kMaxQueued = 256;
  std::mutex mutex_;  // guards stream_ and queue_
  std::weak_ptr<Connection> stream_;
  std::deque<std::string> queue_;
};

using Clock = std::chrono::steady_clock;

struct HttpSessionEntry {
  std::shared_ptr<Session> session;
  std::shared_ptr<StreamOutbound> outbound;
  std::shared_ptr<std::atomic<Clock::rep>> last_used;  // shared by the copies handed out
};

bool is_plain_response(const std::string& message) {
  // Responses and batches of responses can be sent as plain JSON; a
  // request or notification forces the SSE form.
  boost::system::error_code ec;
  json::value v = json::parse(message, ec);
  if (ec) return false;
  auto is_response = [](const json::value& m) { return m.is_object() && !m.get_object().contains("method"); };
  if (v.is_array()) {
    for (const auto& m : v.get_array()) {
      if (!is_response(m)) return false;
    }
    return true;
  }
  return is_response(v);
}

std::string sse_event(const std::string& message) { return str_cat("event: message\ndata: ", message, "\n\n"); }

// Compares secrets without an early exit (the length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size() || b.empty()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

// The identity of the bearer token in `authorization`, if it is one of the
// configured tokens. Every configured token is compared, without an early
// exit, so the time taken does not tell which (if any) matched.
std::optional<std::string> authenticate(std::string_view authorization, const HttpOptions& o) {
  if (authorization.size() <= 7 || ascii_lower(authorization.substr(0, 7)) != "bearer ") return std::nullopt;
  const std::string_view presented = authorization.substr(7);
  const std::string* found = nullptr;
  static const std::string kDefault(kDefaultTokenIdentity);
  if (o.bearer_token && constant_time_equal(presented, *o.bearer_token)) found = &kDefault;
  for (const auto& [token, identity] : o.tokens) {
    if (constant_time_equal(presented, token)) found = &identity;
  }
  if (!found) return std::nullopt;
  return *found;
}

bool auth_configured(const HttpOptions& o) { return o.bearer_token.has_value() || !o.tokens.empty(); }

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(Server& s, asio::io_context& i, HttpOptions o) : server(s), io(i), options(std::move(o)), acceptor(i) {}

  void accept();

  Server& server;
  asio::io_context& io;
  HttpOptions options;
  tcp::acceptor acceptor;
  std::uint16_t port = 0;
  bool loopback = false;     // bound to a loopback address: Host is checked
  mutable std::mutex mutex;  // guards sessions, connections, stopped
  std::map<std::string, HttpSessionEntry> sessions;
  std::vector<std::weak_ptr<Connection>> connections;
  bool stopped = false;
};

namespace {

using State = HttpServer::State;

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(tcp::socket socket, std::shared_ptr<State> state) : stream_(std::move(socket)), state_(std::move(state)) {}

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read(); });
  }

  // Thread-safe entry points (post to the connection's strand).
  void post_event(std::string message) {
    asio::post(stream_.get_executor(), [self = shared_from_this(), message = std::move(message)] {
      if (self->streaming_) self->write_chunk(sse_event(message));
    });
  }
  void post_end_stream() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] { self->end_stream(); });
  }
  void post_close() {
    asio::post(stream_.get_executor(), [self = shared_from_this()] {
      boost::system::error_code ec;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      self->stream_.close();
    });
  }

  // Strand-only helpers used by the POST exchange.
  void begin_stream(const std::string& session_id) {
    std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n";
    if (!session_id.empty()) head += str_cat("Mcp-Session-Id: ", session_id, "\r\n");
    head += str_cat("Transfer-Encoding: chunked\r\nConnection: ", keep_alive_ ? "keep-alive" : "close", "\r\n\r\n");
    streaming_ = true;
    write_raw(std::move(head));
  }
  void write_chunk(const std::string& data) {
    if (data.empty()) return;
    std::ostringstream size;
    size << std::hex << data.size();
    write_raw(str_cat(size.str(), "\r\n", data, "\r\n"));
  }
  void end_stream() {
    if (!streaming_) return;
    streaming_ = false;
    write_raw("0\r\n\r\n");
    response_done();
  }
  void reply(unsigned status, std::string content_type, std::string body,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::server, "wasmgate");
    if (!body.empty() || status != 202) res.set(http::field::content_type, content_type);
    for (auto& [k, v] : headers) res.set(k, v);
    res.keep_alive(keep_alive_);
    res.body() = std::move(body);
    res.prepare_payload();
    std::ostringstream os;
    os << res;
    write_raw(os.str());
    response_done();
  }
  void reply_error(unsigned status, std::string_view message, std::int32_t code = -32000,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
    json::object e{{"code", code}, {"message", message}};
    reply(status, "application/json",
          json::serialize(json::object{{"jsonrpc", "2.0"}, {"id", nullptr}, {"error", std::move(e)}}),
          std::move(headers));
  }
  bool keep_alive() const { return keep_alive_; }
  auto executor() { return stream_.get_executor(); }

 private:
  void read() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.max_header_bytes));
    parser_->body_limit(state_->options.max_body_bytes);
    stream_.expires_after(state_->options.read_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_read(ec); });
  }

  void on_read(beast::error_code ec) {
    stream_.expires_never();
    if (ec == http::error::body_limit) {
      keep_alive_ = false;
      return reply_error(413, str_cat("request body exceeds ", state_->options.max_body_bytes, " bytes"));
    }
    if (ec == http::error::header_limit) {
      keep_alive_ = false;
      return reply_error(431, str_cat("request headers exceed ", state_->options.max_header_bytes, " bytes"));
    }
    if (ec) {
      // EOF, timeout (beast::error::timeout), or a malformed request: close.
      if (ec != http::error::end_of_stream && ec != beast::error::timeout && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset && ec != asio::error::eof) {
        keep_alive_ = false;
        return reply_error(400, str_cat("malformed HTTP request: ", ec.message()));
      }
      boost::system::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      return;
    }
    handle(parser_->release());
  }

  // Keeps a read pending on a GET stream: it holds the connection alive
  // and notices when the client disconnects. Stray bytes are discarded.
  void watch_for_close() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (!ec) return self->watch_for_close();
      self->streaming_ = false;
      boost::system::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
      self->stream_.close();
    });
  }

  void handle(http::request<http::string_body> req);
  void handle_post(http::request<http::string_body>& req);
  std::optional<HttpSessionEntry> find_session(const http::request<http::string_body>& req);

  std::string identity_;  // of the request being handled ("" without tokens)

  void write_raw(std::string data) {
    queued_bytes_ += data.size();
    if (queued_bytes_ > state_->options.max_queued_bytes) {
      // A reader this slow would make us buffer without bound: drop it.
      boost::system::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream_.close();
      queue_.clear();
      return;
    }
    queue_.push_back(std::move(data));
    if (!writing_) do_write();
  }

  void do_write() {
    writing_ = true;
    asio::async_write(stream_, asio::buffer(queue_.front()),
                      [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                        self->queued_bytes_ -= std::min(self->queued_bytes_, n);
                        if (ec) {
                          self->writing_ = false;
                          self->queue_.clear();
                          self->streaming_ = false;
                          return;
                        }
                        self->queue_.pop_front();
                        if (!self->queue_.empty()) return self->do_write();
                        self->writing_ = false;
                        self->after_writes();
                      });
  }

  void response_done() {
    response_complete_ = true;
    if (!writing_) after_writes();
  }

  void after_writes() {
    if (!response_complete_) return;
    response_complete_ = false;
    if (keep_alive_) {
      read();
    } else {
      boost::system::error_code ec;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    }
  }

  beast::tcp_stream stream_;
  std::shared_ptr<State> state_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::deque<std::string> queue_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool streaming_ = false;
  bool response_complete_ = false;
  bool keep_alive_ = true;
  char scratch_[512];
};

void StreamOutbound::send(std::string message) {
  std::shared_ptr<Connection> stream;
  {
    std::lock_guard lock(mutex_);
    stream = stream_.lock();
    if (!stream) {
      if (queue_.size() >= kMaxQueued) queue_.pop_front();
      queue_.push_back(std::move(message));
      return;
    }
  }
  stream->post_event(std::move(message));
}

void StreamOutbound::attach(const std::shared_ptr<Connection>& stream) {
  std::deque<std::string> queued;
  std::shared_ptr<Connection> previous;
  {
    std::lock_guard lock(mutex_);
    previous = stream_.lock();
    stream_ = stream;
    queued.swap(queue_);
  }
  if (previous && previous != stream) previous->post_end_stream();
  for (auto& m : queued) stream->post_event(std::move(m));
}

void StreamOutbound::detach_all() {
  std::shared_ptr<Connection> previous;
  {
    std::lock_guard lock(mutex_);
    previous = stream_.lock();
    stream_.reset();
    queue_.clear();
  }
  if (previous) previous->post_end_stream();
}

// Answers one POST: plain JSON while only responses were produced, SSE as
// soon as anything else must be sent first.
class PostExchange : public Outbound, public std::enable_shared_from_this<PostExchange> {
 public:
  PostExchange(std::shared_ptr<Connection> connection, std::string session_id)
      : connection_(std::move(connection)), session_id_(std::move(session_id)) {}

  void send(std::string message) override {
    asio::post(connection_->executor(), [self = shared_from_this(), message = std::move(message)]() mutable {
      if (self->done_) return;
      if (!self->streaming_ && is_plain_response(message)) {
        self->buffered_.push_back(std::move(message));
        return;
      }
      if (!self->streaming_) {
        self->streaming_ = true;
        self->connection_->begin_stream(self->session_id_);
        for (auto& b : self->buffered_) self->connection_->write_chunk(sse_event(b));
        self->buffered_.clear();
      }
      self->connection_->write_chunk(sse_event(message));
    });
  }

  void finish(bool had_requests) override {
    asio::post(connection_->executor(), [self = shared_from_this(), had_requests] {
      if (self->done_) return;
      self->done_ = true;
      std::vector<std::pair<std::string, std::string>> headers;
      if (!self->session_id_.empty()) headers.emplace_back("Mcp-Session-Id", self->session_id_);
      if (self->streaming_) {
        for (auto& b : self->buffered_) self->connection_->write_chunk(sse_event(b));
        self->connection_->end_stream();
      } else if (!had_requests || self->buffered_.empty()) {
        // Spec: notifications and responses only: 202 Accepted, no body.
        self->connection_->reply(202, "", "", std::move(headers));
      } else if (self->buffered_.size() == 1) {
        self->connection_->reply(200, "application/json", std::move(self->buffered_[0]), std::move(headers));
      } else {
        self->connection_->begin_stream(self->session_id_);
        for (auto& b : self->buffered_) self->connection_->write_chunk(sse_event(b));
        self->connection_->end_stream();
      }
    });
  }

 private:
  std::shared_ptr<Connection> connection_;
  std::string session_id_;
  // Touched only on the connection's strand.
  bool streaming_ = false;
  bool done_ = false;
  std::vector<std::string> buffered_;
};

std::string_view header(const http::request<http::string_body>& req, std::string_view name) {
  auto it = req.find(beast::string_view(name.data(), name.size()));
  if (it == req.end()) return {};
  return std::string_view(it->value().data(), it->value().size());
}

std::optional<HttpSessionEntry> Connection::find_session(const http::request<http::string_body>& req) {
  const std::string_view sid = header(req, "Mcp-Session-Id");
  if (sid.empty()) {
    reply_error(400, "Bad Request: Mcp-Session-Id header is required");
    return std::nullopt;
  }
  std::lock_guard lock(state_->mutex);
  auto it = state_->sessions.find(std::string(sid));
  if (it == state_->sessions.end()) {
    // Spec: basic/transports "Session Management": 404 for an unknown or
    // terminated session; the client starts a new one.
    reply_error(404, "Session not found", -32001);
    return std::nullopt;
  }
  // A session keeps the identity it was created with: another client's
  // valid token does not let it act as (or hijack) this session.
  if (it->second.session->identity() != identity_) {
    reply_error(403, "Forbidden: this session belongs to another client identity");
    return std::nullopt;
  }
  it->second.last_used->store(Clock::now().time_since_epoch().count());
  return it->second;
}

void Connection::handle(http::request<http::string_body> req) {
  keep_alive_ = req.keep_alive();
  const HttpOptions& o = state_->options;
  std::string_view target(req.target().data(), req.target().size());
  const std::string_view path = target.substr(0, target.find('?'));
  if (state_->loopback) {
    const std::string_view host = header(req, "Host");
    bool listed = false;
    for (const auto& h : o.allowed_hosts) listed = listed || h == host;
    if (!listed && (host.empty() || !origin_allowed(str_cat("http://", host), {}))) {
      return reply_error(403, str_cat("Forbidden: host ", host, " is not allowed"));
    }
  }
  // Spec: basic/transports "Security Warning": validate Origin (DNS
  // rebinding); the fallback (dashboard, admin API) is held to the same rule.
  if (const std::string_view origin = header(req, "Origin");
      !origin.empty() && !origin_allowed(origin, o.allowed_origins)) {
    return reply_error(403, str_cat("Forbidden: origin ", origin, " is not allowed"));
  }
  const std::optional<std::string> identity = authenticate(header(req, "Authorization"), o);
  if (path != o.path) {
    if (o.fallback) {
      HttpRequestView view{std::string(req.method_string()),
                           std::string(target),
                           std::string(header(req, "Content-Type")),
                           std::string(header(req, "Authorization")),
                           std::move(req.body()),
                           auth_configured(o),
                           identity};
      if (auto r = o.fallback(view)) {
        return reply(r->status, r->content_type, std::move(r->body), std::move(r->headers));
      }
    }
    return reply(404, "text/plain", "not found\n");
  }
  if (auth_configured(o) && !identity) {
    return reply_error(401, "Unauthorized: a valid bearer token is required", -32000,
                       {{"WWW-Authenticate", "Bearer"}});
  }
  identity_ = identity.value_or(std::string());
  // Spec: basic/transports "Protocol Version Header".
  if (const std::string_view v = header(req, "MCP-Protocol-Version"); !v.empty() && !is_supported_protocol_version(v)) {
    return reply_error(400, str_cat("Bad Request: unsupported MCP-Protocol-Version ", v));
  }
  switch (req.method()) {
    case http::verb::post: return handle_post(req);
    case http::verb::get: {
      if (header(req, "Accept").find("text/event-stream") == std::string_view::npos) {
        return reply(405, "text/plain", "GET needs Accept: text/event-stream\n", {{"Allow", "POST, DELETE"}});
      }
      auto entry = find_session(req);
      if (!entry) return;
      // The stream lives until the client goes away or the session ends;
      // the connection is not reused afterwards.
      keep_alive_ = false;
      begin_stream("");
      entry->outbound->attach(shared_from_this());
      watch_for_close();
      return;
    }
    case http::verb::delete_: {
      auto entry = find_session(req);
      if (!entry) return;
      {
        std::lock_guard lock(state_->mutex);
        state_->sessions.erase(entry->session->id());
      }
      entry->session->close();
      entry->outbound->detach_all();
      return reply(200, "text/plain", "");
    }
    default: return reply(405, "text/plain", "method not allowed\n", {{"Allow", "GET, POST, DELETE"}});
  }
}

void Connection::handle_post(http::request<http::string_body>& req) {
  const HttpOptions& o = state_->options;
  if (!ascii_lower(header(req, "Content-Type")).starts_with("application/json")) {
    return reply_error(415, "Unsupported Media Type: POST bodies must be application/json");
  }
  const std::string accept = ascii_lower(header(req, "Accept"));
  if (!accept.empty() && accept.find("application/json") == std::string::npos &&
      accept.find("text/event-stream") == std::string::npos && accept.find("*/*") == std::string::npos) {
    return reply_error(406, "Not Acceptable: accept application/json and text/event-stream");
  }
  std::optional<HttpSessionEntry> entry;
  if (header(req, "Mcp-Session-Id").empty()) {
    // Only initialize may come without a session.
    Decoded d = decode(req.body(), BatchMode::Refused, state_->server.options().limits);
    const Message* m = d.items.size() == 1 ? std::get_if<Message>(&d.items[0]) : nullptr;
    if (!m) {
      const Fault* f = d.items.size() == 1 ? std::get_if<Fault>(&d.items[0]) : nullptr;
      return reply(400, "application/json", f ? encode_fault(*f) : std::string("{}"));
    }
    if (m->kind != MessageKind::Request || m->method != "initialize") {
      return reply_error(400, "Bad Request: Mcp-Session-Id header is required");
    }
    auto outbound = std::make_shared<StreamOutbound>();
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return reply_error(503, "Service Unavailable: shutting down");
    const Clock::rep cutoff = (Clock::now() - o.session_idle_timeout).time_since_epoch().count();
    for (auto it = state_->sessions.begin(); it != state_->sessions.end();) {
      if (it->second.last_used->load() < cutoff) {
        it->second.session->close();
        it->second.outbound->detach_all();
        it = state_->sessions.erase(it);
      } else {
        ++it;
      }
    }
    if (state_->sessions.size() >= o.max_sessions) {
      return reply_error(503, str_cat("Service Unavailable: ", o.max_sessions, " sessions are open"));
    }
    auto session = state_->server.open_session(state_->io.get_executor(), outbound);
    session->set_identity(identity_);
    entry = HttpSessionEntry{session, outbound,
                             std::make_shared<std::atomic<Clock::rep>>(Clock::now().time_since_epoch().count())};
    state_->sessions.emplace(session->id(), *entry);
  } else {
    entry = find_session(req);
    if (!entry) return;
  }
  auto exchange = std::make_shared<PostExchange>(shared_from_this(), entry->session->id());
  entry->session->receive(std::move(req.body()), exchange);
}

}  // namespace

void HttpServer::State::accept() {
  acceptor.async_accept(asio::make_strand(io), [self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec == asio::error::operation_aborted || !self->acceptor.is_open()) return;
      return self->accept();
    }
    auto connection = std::make_shared<Connection>(std::move(socket), self);
    {
      std::lock_guard lock(self->mutex);
      if (self->stopped) return;
      std::erase_if(self->connections, [](const std::weak_ptr<Connection>& w) { return w.expired(); });
      self->connections.push_back(connection);
    }
    connection->start();
    self->accept();
  });
}

Result<std::unique_ptr<HttpServer>> HttpServer::create(Server& server, asio::io_context& io, HttpOptions options) {
  boost::system::error_code ec;
  const auto address = asio::ip::make_address(options.address, ec);
  if (ec) return make_error(ErrorCode::Invalid, str_cat("http: bad address \"", options.address, "\": ", ec.message()));
  auto state = std::make_shared<State>(server, io, std::move(options));
  const tcp::endpoint endpoint(address, state->options.port);
  auto fail = [&](std::string_view what) {
    return make_error(ErrorCode::Io, str_cat("http: ", what, " ", state->options.address, ":", state->options.port,
                                             ": ", ec.message()));
  };
  state->acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  state->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return fail("set_option");
  state->acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  state->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen");
  state->loopback = address.is_loopback();
  state->port = state->acceptor.local_endpoint(ec).port();
  if (ec) return fail("local_endpoint");
  state->accept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(state)));
}

HttpServer::~HttpServer() { stop(); }

std::uint16_t HttpServer::port() const { return state_->port; }

std::size_t HttpServer::session_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->sessions.size();
}

void HttpServer::stop() {
  std::map<std::string, HttpSessionEntry> sessions;
  std::vector<std::weak_ptr<Connection>> connections;
  {
    std::lock_guard lock(state_->mutex);
    if (state_->stopped) return;
    state_->stopped = true;
    sessions.swap(state_->sessions);
    connections.swap(state_->connections);
  }
  asio::post(state_->io, [state = state_] {
    boost::system::error_code ec;
    state->acceptor.close(ec);
  });
  for (auto& [id, entry] : sessions) {
    entry.session->close();
    entry.outbound->detach_all();
  }
  for (auto& weak : connections) {
    if (auto c = weak.lock()) c->post_close();
  }
}

}  // namespace wg::mcp
