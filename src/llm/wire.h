// Plumbing shared by the wire-format providers (internal to llm/).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "llm/http_client.h"
#include "llm/provider.h"
#include "llm/provider_options.h"
#include "llm/sse.h"

namespace wg::llm::wire {

// The error for a non-2xx reply: "<name>: HTTP <status>: <message>" where the
// message is the provider's error.message (or error as a string, or
// message), else the first 300 bytes of the body. Codes: 400/422 Invalid,
// 401/403 Denied, 404 NotFound, 413/429 LimitExceeded, others Io.
Error http_error(std::string_view name, const HttpResponse& response);

// POSTs `body` to `url` with retries. When `on_event` is set, a 2xx
// text/event-stream body is decoded as it arrives and each event passed on;
// the first error on_event returns stops delivery and becomes the result.
// On success returns the 2xx reply; `streamed` tells whether the body was an
// event stream. Every error message starts with "<name>: ".
Result<HttpResponse> post(const ProviderOptions& options, const std::string& url, Headers headers, std::string body,
                          const std::function<Status(const SseEvent&)>* on_event, bool& streamed);

// True when the first non-blank character of raw is '{' (a JSON reply,
// as opposed to an SSE transcript).
bool looks_like_json(std::string_view raw);

using ReplyParser = Result<Response> (*)(std::string_view raw);

// Provider::complete() of a wire format: POSTs `body` to options.base_url
// (trailing slashes dropped) + `path` with `headers` plus the Accept header
// that asks for a stream when `stream` is set; a streamed reply is decoded
// by an Assembler(stream) (on_event per event, then finish(raw body)), a
// JSON reply by `parse_json`. Errors are prefixed with options.name.
template <typename Assembler>
Result<Response> complete_request(const ProviderOptions& options, std::string_view path, Headers headers,
                                  std::string body, const StreamCallbacks* stream, ReplyParser parse_json) {
  headers.emplace_back("accept", stream ? "text/event-stream" : "application/json");
  std::string url = options.base_url;
  while (url.ends_with('/')) url.pop_back();
  url += path;
  Assembler assembler(stream);
  std::function<Status(const SseEvent&)> on_event = [&](const SseEvent& e) { return assembler.on_event(e); };
  bool streamed = false;
  HttpResponse reply =
      WG_TRY(post(options, url, std::move(headers), std::move(body), stream ? &on_event : nullptr, streamed));
  Result<Response> out = streamed ? assembler.finish(std::move(reply.body)) : parse_json(reply.body);
  if (!out) return std::unexpected(std::move(out).error().with_context(options.name));
  return out;
}

// Provider::parse_reply(): `raw` is a JSON reply or an SSE transcript.
// Errors are prefixed with `name`.
Result<Response> parse_recorded(std::string_view raw, std::string_view name, ReplyParser parse_json,
                                ReplyParser parse_sse);

}  // namespace wg::llm::wire
