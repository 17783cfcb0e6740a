#include "mcp/client/http_client.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "mcp/protocol/jsonrpc.h"
#include "mcp/protocol/str_cat.h"

namespace wg::mcp {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

Result<ParsedUrl> parse_http_url(std::string_view url) {
  if (url.starts_with("https://")) {
    return make_error(ErrorCode::Unsupported, str_cat("upstream ", url, ": https is not supported yet"));
  }
  if (!url.starts_with("http://"))
    return make_error(ErrorCode::Invalid, str_cat("upstream ", url, ": not an http:// URL"));
  std::string_view rest = url.substr(7);
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  ParsedUrl out;
  out.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error(ErrorCode::Invalid, str_cat("upstream ", url, ": bad host"));
    out.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(":")) out.port = std::string(authority.substr(1));
  } else {
    const std::size_t colon = authority.find(':');
    out.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) out.port = std::string(authority.substr(colon + 1));
  }
  if (out.port.empty()) out.port = "80";
  if (out.host.empty() || out.port.find_first_not_of("0123456789") != std::string::npos) {
    return make_error(ErrorCode::Invalid, str_cat("upstream ", url, ": bad host or port"));
  }
  return out;
}

struct HttpClientTransport::State : std::enable_shared_from_this<HttpClientTransport::State> {
  State(asio::any_io_executor ex, ParsedUrl u, HttpClientOptions o)
      : executor(std::move(ex)), strand(asio::make_strand(executor)), url(std::move(u)), options(std::move(o)) {}

  asio::any_io_executor executor;
  asio::strand<asio::any_io_executor> strand;
  ParsedUrl url;
  HttpClientOptions options;
  // Touched only on strand.
  std::function<void(std::string)> on_message;
  std::function<void(Error)> on_closed;
  std::string session_id;
  std::string protocol_version;
  bool closed = false;

  void fail(Error e) {
    if (closed) return;
    closed = true;
    if (on_closed) on_closed(std::move(e));
  }

  http::request<http::string_body> make_request(http::verb verb, std::string body) const {
    http::request<http::string_body> req{verb, url.target, 11};
    req.set(http::field::host, str_cat(url.host, ":", url.port));
    req.set(http::field::user_agent, "wasmgate");
    req.set(http::field::accept, "application/json, text/event-stream");
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    if (!session_id.empty()) req.set("Mcp-Session-Id", session_id);
    if (!protocol_version.empty()) req.set("MCP-Protocol-Version", protocol_version);
    if (options.bearer_token) req.set(http::field::authorization, str_cat("Bearer ", *options.bearer_token));
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
  }
};

namespace {

// One HTTP exchange (a POST, or the DELETE): connect, write, read the
// answer incrementally so SSE events are delivered as they arrive.
class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<HttpClientTransport::State> state, http::request<http::string_body> req, bool quiet)
      : state_(std::move(state)),
        resolver_(state_->strand),
        stream_(state_->strand),
        req_(std::move(req)),
        quiet_(quiet) {
    parser_.body_limit(state_->options.max_message_bytes * 4);
  }

  void run() {
    stream_.expires_after(state_->options.timeout);
    resolver_.async_resolve(
        state_->url.host, state_->url.port,
        [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
          if (ec) return self->fail(str_cat("resolve ", self->state_->url.host, ": ", ec.message()));
          self->stream_.async_connect(results, [self](beast::error_code ec2, const tcp::endpoint&) {
            if (ec2) return self->fail(str_cat("connect: ", ec2.message()));
            http::async_write(self->stream_, self->req_, [self](beast::error_code ec3, std::size_t) {
              if (ec3) return self->fail(str_cat("write: ", ec3.message()));
              http::async_read_header(self->stream_, self->buffer_, self->parser_,
                                      [self](beast::error_code ec4, std::size_t) { self->on_header(ec4); });
            });
          });
        });
  }

 private:
  void fail(std::string why) {
    if (!quiet_) state_->fail(Error(ErrorCode::Io, str_cat("upstream ", why)));
  }

  void on_header(beast::error_code ec) {
    if (ec) return fail(str_cat("read: ", ec.message()));
    const auto& res = parser_.get();
    if (auto it = res.find("Mcp-Session-Id"); it != res.end() && state_->session_id.empty()) {
      state_->session_id = std::string(it->value());
    }
    const unsigned status = res.result_int();
    if (status == 404 && !state_->session_id.empty() && !quiet_) {
      return state_->fail(Error(ErrorCode::NotFound, "upstream session ended (404)"));
    }
    const std::string type = ascii_lower(std::string(res[http::field::content_type]));
    sse_ = type.starts_with("text/event-stream");
    ok_status_ = status >= 200 && status < 300;
    read_more();
  }

  void read_more() {
    if (parser_.is_done()) return finish();
    http::async_read_some(stream_, buffer_, parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec == http::error::end_of_stream || ec == asio::error::eof) return self->finish();
      if (ec) return self->fail(str_cat("read: ", ec.message()));
      if (self->sse_) self->drain_events();
      self->read_more();
    });
  }

  // Spec: HTML "Server-sent events": events end with a blank line; data
  // lines are joined with "\n".
  void drain_events() {
    std::string& body = parser_.get().body();
    for (;;) {
      std::size_t end = body.find("\n\n", consumed_);
      std::size_t sep = 2;
      const std::size_t crlf = body.find("\r\n\r\n", consumed_);
      if (crlf != std::string::npos && (end == std::string::npos || crlf < end)) {
        end = crlf;
        sep = 4;
      }
      if (end == std::string::npos) return;
      std::string data;
      std::size_t pos = consumed_;
      while (pos < end) {
        std::size_t nl = body.find('\n', pos);
        if (nl == std::string::npos || nl > end) nl = end;
        std::string_view line(body.data() + pos, nl - pos);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.starts_with("data:")) {
          line.remove_prefix(5);
          if (line.starts_with(" ")) line.remove_prefix(1);
          if (!data.empty()) data.push_back('\n');
          data.append(line);
        }
        pos = nl + 1;
      }
      consumed_ = end + sep;
      if (!data.empty() && state_->on_message && !state_->closed) state_->on_message(std::move(data));
    }
  }

  void finish() {
    boost::system::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    if (quiet_ || state_->closed) return;
    std::string& body = parser_.get().body();
    if (sse_) {
      body.append("\n\n");  // flush a last event without its blank line
      drain_events();
      return;
    }
    if (body.empty()) {
      if (!ok_status_) fail(str_cat("answered HTTP ", parser_.get().result_int()));
      return;
    }
    // A JSON answer: a message, or for an error status possibly not JSON-RPC.
    if (!ok_status_ && body.front() != '{' && body.front() != '[') {
      return fail(str_cat("answered HTTP ", parser_.get().result_int(), ": ", body.substr(0, 200)));
    }
    if (state_->on_message) state_->on_message(std::move(body));
  }

  std::shared_ptr<HttpClientTransport::State> state_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  http::request<http::string_body> req_;
  http::response_parser<http::string_body> parser_;
  beast::flat_buffer buffer_;
  bool quiet_;
  bool sse_ = false;
  bool ok_status_ = false;
  std::size_t consumed_ = 0;
};

}  // namespace

Result<std::unique_ptr<HttpClientTransport>> HttpClientTransport::create(asio::any_io_executor executor,
                                                                         std::string_view url,
                                                                         HttpClientOptions options) {
  ParsedUrl parsed = WG_TRY(parse_http_url(url));
  auto state = std::make_shared<State>(std::move(executor), std::move(parsed), std::move(options));
  return std::unique_ptr<HttpClientTransport>(new HttpClientTransport(std::move(state)));
}

HttpClientTransport::~HttpClientTransport() = default;

void HttpClientTransport::start(std::function<void(std::string)> on_message, std::function<void(Error)> on_closed) {
  asio::dispatch(state_->strand,
                 [state = state_, on_message = std::move(on_message), on_closed = std::move(on_closed)]() mutable {
                   state->on_message = std::move(on_message);
                   state->on_closed = std::move(on_closed);
                 });
}

void HttpClientTransport::send(std::string message) {
  asio::dispatch(state_->strand, [state = state_, message = std::move(message)]() mutable {
    if (state->closed) return;
    std::make_shared<Exchange>(state, state->make_request(http::verb::post, std::move(message)), false)->run();
  });
}

void HttpClientTransport::close() {
  asio::dispatch(state_->strand, [state = state_] {
    if (state->closed) return;
    state->closed = true;
    // Spec: "Session Management": a client that no longer needs the
    // session SHOULD send DELETE.
    if (!state->session_id.empty()) {
      std::make_shared<Exchange>(state, state->make_request(http::verb::delete_, ""), true)->run();
    }
  });
}

void HttpClientTransport::set_protocol_version(std::string_view version) {
  asio::dispatch(state_->strand, [state = state_, v = std::string(version)] { state->protocol_version = v; });
}

}  // namespace wg::mcp
