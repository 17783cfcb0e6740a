// Providers bound to the fake model server (tests/llm/fake_model_server.h),
// for the agent loop's tests.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

#include "llm/anthropic.h"
#include "llm/fake_model_server.h"
#include "llm/openai.h"

namespace wg::agent::testing {

// A provider of wire format `format` ("anthropic" / "openai") talking to
// `server`. It never sleeps between retries: each wait is appended to
// `waits` (when given) instead.
inline std::unique_ptr<llm::Provider> fake_provider(const llm::testing::FakeModelServer& server,
                                                    std::string_view format, std::uint32_t retries = 0,
                                                    std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                                    std::vector<std::chrono::milliseconds>* waits = nullptr) {
  llm::ProviderOptions o;
  o.name = std::string(format);
  o.api_key = "test-key";
  o.model = "fake-model";
  o.retry.max_retries = retries;
  o.retry.jitter_seed = 1;
  o.retry.sleep = [waits](std::chrono::milliseconds d) {
    if (waits) waits->push_back(d);
  };
  o.http.request_timeout = timeout;
  if (format == "anthropic") {
    o.base_url = server.base_url();
    return std::make_unique<llm::AnthropicProvider>(std::move(o));
  }
  o.base_url = server.openai_base_url();
  return std::make_unique<llm::OpenAiProvider>(std::move(o));
}

}  // namespace wg::agent::testing
