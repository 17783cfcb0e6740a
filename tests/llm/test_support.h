// Shared helpers for the llm tests: provider options aimed at a
// FakeModelServer, with retries that record their waits instead of sleeping.
#pragma once

#include <chrono>
#include <memory>
#include <vector>

#include "llm/provider_options.h"

namespace wg::llm::testing {

struct SleepLog {
  std::vector<std::chrono::milliseconds> waits;
};

inline ProviderOptions fake_options(std::string name, std::string base_url, std::shared_ptr<SleepLog> log) {
  ProviderOptions o;
  o.name = std::move(name);
  o.base_url = std::move(base_url);
  o.api_key = "test-key";
  o.model = "fake-model-1";
  o.max_tokens = 1000;
  o.http.connect_timeout = std::chrono::seconds(10);
  o.http.request_timeout = std::chrono::seconds(30);
  o.retry.max_retries = 3;
  o.retry.jitter_seed = 42;
  o.retry.sleep = [log](std::chrono::milliseconds ms) { log->waits.push_back(ms); };
  return o;
}

}  // namespace wg::llm::testing
