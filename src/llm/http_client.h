// A small blocking HTTP/1.1 client for model APIs: one POST per connection
// over plain TCP (http://) or TLS (https://, OpenSSL, peer verified against
// the system CA store, SNI and host-name check), with timeouts, a response
// size cap and retries with exponential backoff.
//
// Contract:
//   - http_post() never throws; Boost.Beast/Asio exceptions are caught here.
//   - Timeouts: connect_timeout bounds resolve+connect(+TLS handshake);
//     request_timeout bounds the whole exchange. Either gives ErrorCode::Io
//     with "timed out" in the message.
//   - A response body larger than max_response_bytes gives LimitExceeded.
//   - Any HTTP status is a successful exchange: callers inspect `status`.
//   - on_chunk, when given, sees the body bytes of a 2xx response in order as
//     they arrive (for text/event-stream); the full body is still returned.
//   - post_with_retries() repeats the POST on 429 and 5xx, waiting
//     Retry-After / retry-after-ms when the server sends one (capped at
//     max_retry_after), else min(max_backoff, initial_backoff * 2^n) scaled by
//     a jitter factor in [0.5, 1.0] from a generator seeded with jitter_seed.
//     After max_retries retries the last response is returned as is.
// Thread-safety: free functions; each call owns its own io_context.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"

namespace wg::llm {

struct Url {
  bool tls = false;
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" / "80" when absent
  std::string target;  // path and query, "/" when empty
};
// http[s]://host[:port][/path]; Invalid otherwise.
Result<Url> parse_url(std::string_view url);

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds request_timeout{std::chrono::minutes(10)};
  std::size_t max_response_bytes = 32 * 1024 * 1024;
};

struct RetryPolicy {
  std::uint32_t max_retries = 3;
  std::chrono::milliseconds initial_backoff{500};
  std::chrono::milliseconds max_backoff{std::chrono::seconds(30)};
  std::chrono::milliseconds max_retry_after{std::chrono::seconds(120)};
  std::uint64_t jitter_seed = 0;  // 0 = seeded from std::random_device
  // How to wait between attempts; null = std::this_thread::sleep_for. Tests
  // install a recorder so that they never sleep.
  std::function<void(std::chrono::milliseconds)> sleep;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string url;
  Headers headers;  // content-type, auth, ...; Host and User-Agent are added
  std::string body;
};

struct HttpResponse {
  unsigned status = 0;
  Headers headers;
  std::string body;
  // Case-insensitive lookup of the first header with this name.
  std::optional<std::string> header(std::string_view name) const;
};

using BodyChunkFn = std::function<void(std::string_view chunk)>;

Result<HttpResponse> http_post(const HttpRequest& request, const HttpOptions& options,
                               const BodyChunkFn* on_chunk = nullptr);

// True for 429 and every 5xx.
bool is_retryable_status(unsigned status);

// The wait a server asked for (retry-after-ms, then Retry-After in
// delta-seconds), if any. HTTP-date forms are ignored.
std::optional<std::chrono::milliseconds> retry_after(const HttpResponse& response);

Result<HttpResponse> post_with_retries(const HttpRequest& request, const HttpOptions& options, const RetryPolicy& retry,
                                       const BodyChunkFn* on_chunk = nullptr);

}  // namespace wg::llm
