// OpenAI-compatible Chat Completions provider: OpenAI, OpenRouter, Ollama
// (/v1), llama.cpp's llama-server, vLLM, ... (base URL configurable).
// Spec: https://platform.openai.com/docs/api-reference/chat (POST
// {base}/chat/completions, Authorization: Bearer <key>) and "Streaming"
// (data: {chunk} lines, terminated by data: [DONE]).
//
// Mapping (docs/llm.md "Wire formats"):
//   - Request.system becomes a leading {"role":"system"} message.
//   - A user message's ToolResultBlocks become {"role":"tool",
//     "tool_call_id", "content"} messages (before its text, if any); an error
//     result's content is prefixed "Error: " (the format has no is_error).
//   - An assistant message's ToolUseBlocks become tool_calls with
//     JSON-string arguments; its text becomes content (null when none).
//   - Tools are {"type":"function","function":{name,description,parameters}}.
//   - Reply: message.content -> one TextBlock, tool_calls -> ToolUseBlocks
//     (arguments parsed; an object is accepted too), finish_reason mapped as
//     in llm/provider.h, usage prompt/completion_tokens -> input/output.
//   - Streaming sends stream_options.include_usage; delta.content and
//     delta.tool_calls[i] fragments (by index) are joined.
// Errors as for AnthropicProvider, prefixed with options.name.
// Thread-safety: immutable after construction; see llm/provider.h.
#pragma once

#include <boost/json/object.hpp>

#include "llm/provider.h"
#include "llm/provider_options.h"

namespace wg::llm {

inline constexpr std::string_view kOpenAiDefaultBaseUrl = "https://api.openai.com/v1";

class OpenAiProvider final : public Provider {
 public:
  explicit OpenAiProvider(ProviderOptions options) : options_(std::move(options)) {}

  std::string_view name() const override { return options_.name; }
  std::string_view wire_format() const override { return "openai"; }
  const std::string& default_model() const override { return options_.model; }
  Result<Response> complete(const Request& request, const StreamCallbacks* stream = nullptr) override;
  Result<Response> parse_reply(std::string_view raw) const override;

  boost::json::object request_body(const Request& request, bool stream) const;
  const ProviderOptions& options() const { return options_; }

 private:
  ProviderOptions options_;
};

}  // namespace wg::llm
