// Anthropic Messages API provider.
// Spec: https://docs.anthropic.com/en/api/messages (POST {base}/v1/messages,
// headers x-api-key, anthropic-version: 2023-06-01) and
// https://docs.anthropic.com/en/api/messages-streaming (SSE events
// message_start, content_block_start/delta/stop, message_delta,
// message_stop, ping, error).
//
// Contract: complete() sends one request (retrying 429/5xx per
// options.retry) and returns the assembled Response; with StreamCallbacks it
// sets "stream": true and assembles the same Response from the events
// (text_delta, input_json_delta fragments parsed once the block stops).
// Block types other than text and tool_use in a reply (thinking, ...) are
// skipped. Errors: "anthropic: HTTP 401: <message>", "anthropic: stream
// error: overloaded_error: Overloaded", "anthropic: malformed reply: <path>:
// <problem>", timeouts from llm/http_client.h.
// Thread-safety: immutable after construction; see llm/provider.h.
#pragma once

#include <boost/json/object.hpp>

#include "llm/provider.h"
#include "llm/provider_options.h"

namespace wg::llm {

inline constexpr std::string_view kAnthropicVersion = "2023-06-01";
inline constexpr std::string_view kAnthropicDefaultBaseUrl = "https://api.anthropic.com";

class AnthropicProvider final : public Provider {
 public:
  explicit AnthropicProvider(ProviderOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return options_.name; }
  std::string_view wire_format() const override { return "anthropic"; }
  const std::string& default_model() const override { return options_.model; }
  Result<Response> complete(const Request& request, const StreamCallbacks* stream = nullptr) override;
  Result<Response> parse_reply(std::string_view raw) const override;

  // The JSON body complete() sends (exposed for tests and diagnostics).
  boost::json::object request_body(const Request& request, bool stream) const;
  const ProviderOptions& options() const { return options_; }

 private:
  ProviderOptions options_;
};

}  // namespace wg::llm
