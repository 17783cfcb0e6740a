// Plumbing shared by the wire-format providers (internal to llm/).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "llm/http_client.h"
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

}  // namespace wg::llm::wire
