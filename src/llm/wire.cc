#include "llm/wire.h"

#include <boost/json/parse.hpp>

#include "llm/json_access.h"

namespace wg::llm::wire {
namespace json = boost::json;

Error http_error(std::string_view name, const HttpResponse& response) {
  std::string message;
  boost::system::error_code ec;
  json::value v = json::parse(response.body, ec);
  if (!ec && v.is_object()) {
    const json::object& o = v.get_object();
    if (const json::value* e = o.if_contains("error")) {
      if (e->is_string())
        message = std::string(e->get_string());
      else if (e->is_object()) {
        if (const json::value* m = e->get_object().if_contains("message"); m != nullptr && m->is_string()) {
          message = std::string(m->get_string());
        }
      }
    }
    if (message.empty()) {
      if (const json::value* m = o.if_contains("message"); m != nullptr && m->is_string()) {
        message = std::string(m->get_string());
      }
    }
  }
  if (message.empty()) {
    message = response.body.substr(0, 300);
    if (message.empty()) message = "(empty body)";
  }
  ErrorCode code = ErrorCode::Io;
  switch (response.status) {
    case 400:
    case 422: code = ErrorCode::Invalid; break;
    case 401:
    case 403: code = ErrorCode::Denied; break;
    case 404: code = ErrorCode::NotFound; break;
    case 413:
    case 429: code = ErrorCode::LimitExceeded; break;
    default: break;
  }
  return Error(code, std::string(name) + ": HTTP " + std::to_string(response.status) + ": " + message);
}

Result<HttpResponse> post(const ProviderOptions& options, const std::string& url, Headers headers, std::string body,
                          const std::function<Status(const SseEvent&)>* on_event, bool& streamed) {
  streamed = false;
  HttpRequest request{url, std::move(headers), std::move(body)};
  SseDecoder decoder;
  std::vector<SseEvent> events;
  std::optional<Error> event_error;
  BodyChunkFn on_chunk = [&](std::string_view chunk) {
    if (event_error) return;
    decoder.feed(chunk, events);
    for (const SseEvent& event : events) {
      if (auto st = (*on_event)(event); !st) {
        event_error = std::move(st).error();
        break;
      }
    }
    events.clear();
  };
  auto sent = post_with_retries(request, options.http, options.retry, on_event != nullptr ? &on_chunk : nullptr);
  if (!sent) return std::unexpected(std::move(sent).error().with_context(options.name));
  HttpResponse response = std::move(*sent);
  if (response.status / 100 != 2) return std::unexpected(http_error(options.name, response));
  const std::string type = response.header("content-type").value_or("");
  // Some servers label an event stream text/plain; a body that is not a
  // JSON document is decoded as one too (its events were already delivered).
  streamed =
      on_event != nullptr && (type.find("text/event-stream") != std::string::npos || !looks_like_json(response.body));
  if (streamed && !event_error) {
    decoder.finish(events);
    for (const SseEvent& event : events) {
      if (auto st = (*on_event)(event); !st) {
        event_error = std::move(st).error();
        break;
      }
    }
  }
  if (event_error) return std::unexpected(std::move(*event_error).with_context(options.name));
  return response;
}

bool looks_like_json(std::string_view raw) {
  const std::size_t first = raw.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && raw[first] == '{';
}

Result<Response> parse_recorded(std::string_view raw, std::string_view name, ReplyParser parse_json,
                                ReplyParser parse_sse) {
  Result<Response> out = looks_like_json(raw) ? parse_json(raw) : parse_sse(raw);
  if (!out) return std::unexpected(std::move(out).error().with_context(name));
  return out;
}

}  // namespace wg::llm::wire
