#include "llm/http_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <charconv>
#include <exception>
#include <random>
#include <thread>

namespace wg::llm {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string ms_text(std::chrono::milliseconds ms) { return std::to_string(ms.count()) + " ms"; }

// Shared by the exchange coroutine and the watchdog timer; both run on the
// one thread of the call's io_context.
struct Exchange {
  const Url& url;
  const HttpRequest& request;
  const HttpOptions& options;
  const BodyChunkFn* on_chunk;
  bool timed_out = false;
  const char* timeout_kind = "request";
};

Result<HttpResponse> body_too_large(const HttpOptions& options) {
  return make_error(ErrorCode::LimitExceeded,
                    "reply body exceeds " + std::to_string(options.max_response_bytes) + " bytes");
}

template <class Stream>
asio::awaitable<Result<HttpResponse>> talk(Exchange& x, Stream& stream) {
  beast::error_code ec;
  http::request<http::string_body> req{http::verb::post, x.url.target, 11};
  const bool default_port = x.url.port == (x.url.tls ? "443" : "80");
  req.set(http::field::host, default_port ? x.url.host : x.url.host + ":" + x.url.port);
  req.set(http::field::user_agent, "wasmgate");
  req.set(http::field::connection, "close");
  for (const auto& [name, value] : x.request.headers) req.set(name, value);
  req.body() = x.request.body;
  req.prepare_payload();
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return make_error(ErrorCode::Io, "write: " + ec.message());

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(x.options.max_response_bytes);
  parser.header_limit(64 * 1024);
  co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec == http::error::body_limit) co_return body_too_large(x.options);
  if (ec) co_return make_error(ErrorCode::Io, "read: " + ec.message());
  HttpResponse out;
  out.status = parser.get().result_int();
  const bool deliver = x.on_chunk != nullptr && *x.on_chunk && out.status / 100 == 2;
  std::size_t delivered = 0;
  while (!parser.is_done()) {
    co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == http::error::body_limit) co_return body_too_large(x.options);
    if (ec == http::error::end_of_stream || ec == asio::error::eof) break;
    if (ec) co_return make_error(ErrorCode::Io, "read: " + ec.message());
    if (deliver) {
      const std::string& body = parser.get().body();
      if (body.size() > delivered) {
        (*x.on_chunk)(std::string_view(body).substr(delivered));
        delivered = body.size();
      }
    }
  }
  if (!parser.is_done()) {
    co_return make_error(ErrorCode::Io, "connection closed before the reply was complete");
  }
  for (const auto& field : parser.get()) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  out.body = std::move(parser.get().body());
  co_return out;
}

asio::awaitable<Result<HttpResponse>> run_exchange(Exchange& x) {
  auto executor = co_await asio::this_coro::executor;
  beast::error_code ec;
  tcp::resolver resolver(executor);
  const std::string where = x.url.host + ":" + x.url.port;

  // One watchdog for the whole exchange: at the deadline it cancels whatever
  // is pending, and the failing operation reports the timeout.
  asio::steady_timer watchdog(executor);
  beast::tcp_stream* tcp_stream = nullptr;
  const auto start = std::chrono::steady_clock::now();
  watchdog.expires_at(start + std::min(x.options.connect_timeout, x.options.request_timeout));
  auto arm = [&](auto deadline) {
    watchdog.expires_at(deadline);
    watchdog.async_wait([&x, &resolver, &tcp_stream](beast::error_code wec) {
      if (wec) return;  // cancelled: the exchange finished or re-armed
      x.timed_out = true;
      resolver.cancel();
      if (tcp_stream != nullptr) tcp_stream->cancel();
      if (tcp_stream != nullptr) tcp_stream->close();
    });
  };
  arm(start + std::min(x.options.connect_timeout, x.options.request_timeout));
  auto timeout_error = [&]() {
    const bool connect = std::string_view(x.timeout_kind) == "connect";
    return make_error(ErrorCode::Io, std::string(x.timeout_kind) + " to " + where + " timed out after " +
                                         ms_text(connect ? x.options.connect_timeout : x.options.request_timeout));
  };
  x.timeout_kind = "connect";

  auto results = co_await resolver.async_resolve(x.url.host, x.url.port, asio::redirect_error(asio::use_awaitable, ec));
  if (x.timed_out) co_return timeout_error();
  if (ec) co_return make_error(ErrorCode::Io, "resolve " + x.url.host + ": " + ec.message());

  Result<HttpResponse> result = make_error(ErrorCode::Internal, "exchange did not run");
  if (!x.url.tls) {
    beast::tcp_stream stream(executor);
    tcp_stream = &stream;
    co_await stream.async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (x.timed_out) co_return timeout_error();
    if (ec) co_return make_error(ErrorCode::Io, "connect to " + where + ": " + ec.message());
    x.timeout_kind = "request";
    arm(start + x.options.request_timeout);
    result = co_await talk(x, stream);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    tcp_stream = nullptr;
  } else {
    ssl::context context(ssl::context::tls_client);
    context.set_default_verify_paths(ec);
    if (ec) co_return make_error(ErrorCode::Io, "TLS: cannot load the system CA store: " + ec.message());
    context.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(executor, context);
    tcp_stream = &beast::get_lowest_layer(stream);
    // SNI, and the certificate must name the host we asked for.
    if (!SSL_set_tlsext_host_name(stream.native_handle(), x.url.host.c_str())) {
      co_return make_error(ErrorCode::Io, "TLS: cannot set SNI host name " + x.url.host);
    }
    stream.set_verify_callback(ssl::host_name_verification(x.url.host));
    co_await tcp_stream->async_connect(results, asio::redirect_error(asio::use_awaitable, ec));
    if (x.timed_out) co_return timeout_error();
    if (ec) co_return make_error(ErrorCode::Io, "connect to " + where + ": " + ec.message());
    co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
    if (x.timed_out) co_return timeout_error();
    if (ec) co_return make_error(ErrorCode::Io, "TLS handshake with " + where + ": " + ec.message());
    x.timeout_kind = "request";
    arm(start + x.options.request_timeout);
    result = co_await talk(x, stream);
    tcp_stream->close();
    tcp_stream = nullptr;
  }
  watchdog.cancel();
  if (x.timed_out && !result) co_return timeout_error();  // the failure was the cancellation
  co_return result;
}

}  // namespace

Result<Url> parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text.starts_with("https://")) {
    url.tls = true;
    rest = text.substr(8);
  } else if (text.starts_with("http://")) {
    rest = text.substr(7);
  } else {
    return make_error(ErrorCode::Invalid, "URL \"" + std::string(text) + "\": must start with http:// or https://");
  }
  const std::size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  url.target = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.find('@') != std::string_view::npos) {
    return make_error(ErrorCode::Invalid, "URL \"" + std::string(text) + "\": user info is not supported");
  }
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return make_error(ErrorCode::Invalid, "URL \"" + std::string(text) + "\": unterminated IPv6 address");
    }
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (authority.starts_with(":"))
      url.port = std::string(authority.substr(1));
    else if (!authority.empty())
      return make_error(ErrorCode::Invalid, "URL \"" + std::string(text) + "\": bad port");
  } else {
    const std::size_t colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos)
      url.port = std::string(authority.substr(colon + 1));
    else
      url.port = url.tls ? "443" : "80";
  }
  if (url.host.empty()) return make_error(ErrorCode::Invalid, "URL \"" + std::string(text) + "\": no host");
  if (url.port.empty() || url.port.size() > 5 || url.port.find_first_not_of("0123456789") != std::string::npos) {
    return make_error(ErrorCode::Invalid, "URL \"" + std::string(text) + "\": bad port");
  }
  return url;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return std::nullopt;
}

Result<HttpResponse> http_post(const HttpRequest& request, const HttpOptions& options, const BodyChunkFn* on_chunk) {
  Url url = WG_TRY(parse_url(request.url));
  try {
    asio::io_context io;
    Exchange x{url, request, options, on_chunk};
    std::optional<Result<HttpResponse>> out;
    asio::co_spawn(io, run_exchange(x), [&out](std::exception_ptr e, Result<HttpResponse> r) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          out = make_error(ErrorCode::Internal, std::string("HTTP exchange failed: ") + ex.what());
        } catch (...) {
          out = make_error(ErrorCode::Internal, "HTTP exchange failed");
        }
        return;
      }
      out = std::move(r);
    });
    io.run();
    if (!out) return make_error(ErrorCode::Internal, "HTTP exchange did not complete");
    return std::move(*out);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::Internal, std::string("HTTP client: ") + e.what());
  }
}

bool is_retryable_status(unsigned status) { return status == 429 || (status >= 500 && status <= 599); }

std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response) {
  auto parse_number = [](const std::string& text) -> std::optional<std::uint64_t> {
    std::uint64_t value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end || text.empty()) return std::nullopt;
    return value;
  };
  // OpenAI sends retry-after-ms alongside the standard header.
  if (auto ms = response.header("retry-after-ms")) {
    if (auto v = parse_number(*ms)) return std::chrono::milliseconds(std::min<std::uint64_t>(*v, 86'400'000));
  }
  // RFC 9110 section 10.2.3: delta-seconds or an HTTP-date (not honoured).
  if (auto s = response.header("retry-after")) {
    if (auto v = parse_number(*s)) return std::chrono::milliseconds(std::min<std::uint64_t>(*v, 86'400) * 1000);
  }
  return std::nullopt;
}

Result<HttpResponse> post_with_retries(const HttpRequest& request, const HttpOptions& options, const RetryPolicy& retry,
                                       const BodyChunkFn* on_chunk) {
  std::mt19937_64 rng(retry.jitter_seed != 0 ? retry.jitter_seed : std::random_device{}());
  std::uniform_real_distribution<double> jitter(0.5, 1.0);
  for (std::uint32_t attempt = 0;; ++attempt) {
    HttpResponse response = WG_TRY(http_post(request, options, on_chunk));
    if (!is_retryable_status(response.status) || attempt >= retry.max_retries) return response;
    std::chrono::milliseconds wait;
    if (auto asked = retry_after(response)) {
      wait = std::min(*asked, retry.max_retry_after);
    } else {
      const auto factor = std::uint64_t{1} << std::min<std::uint32_t>(attempt, 30);
      const auto base = std::min<std::uint64_t>(static_cast<std::uint64_t>(retry.initial_backoff.count()) * factor,
                                                static_cast<std::uint64_t>(retry.max_backoff.count()));
      wait = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(base) * jitter(rng)));
    }
    if (retry.sleep)
      retry.sleep(wait);
    else
      std::this_thread::sleep_for(wait);
  }
}

}  // namespace wg::llm
