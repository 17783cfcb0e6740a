// What a concrete provider (AnthropicProvider, OpenAiProvider) is built
// from. make_provider() (llm/config.h) fills it from an LlmConfig; tests and
// the agent loop may build one directly.
#pragma once

#include <cstdint>
#include <string>

#include "llm/http_client.h"

namespace wg::llm {

struct ProviderOptions {
  std::string name;                 // prefix of every error message: "anthropic", "ollama", ...
  std::string base_url;             // Anthropic: without /v1; OpenAI-compatible: including /v1
  std::string api_key;              // empty: no auth header is sent (local servers)
  std::string model;                // the default model (provider-side name, no "provider:" prefix)
  std::uint32_t max_tokens = 4096;  // used when Request::max_tokens is 0
  HttpOptions http;
  RetryPolicy retry;
};

}  // namespace wg::llm
