// LLM configuration: providers (wire format, base URL, API key), model
// aliases, timeouts, retries, max tokens; and make_provider(), which turns a
// model id into a ready Provider. Reference: docs/llm.md.
//
// Sources, later overriding earlier:
//   1. built-in defaults (providers anthropic, openai, openrouter, ollama,
//      llamacpp; alias "sonnet");
//   2. a JSON config file: the path given to load_llm_config(), else
//      $WASMGATE_LLM_CONFIG when set (a missing file named there is an error);
//   3. the environment: <PROVIDER>_API_KEY / <PROVIDER>_BASE_URL (names per
//      provider, e.g. ANTHROPIC_API_KEY, OPENAI_BASE_URL),
//      WASMGATE_MODEL_ALIASES="name=provider:model,..." and WASMGATE_MODEL.
// Model ids are "provider:model"; the model part may itself contain ':'
// ("ollama:llama3:8b"). An alias maps a bare name to an id or another alias.
//
// Errors: a bad file or variable is Invalid/Malformed naming the file and
// JSON path or the variable. make_provider()'s errors say how to fix the
// configuration (which env var or config key to set).
// Thread-safety: LlmConfig is a value; functions are pure apart from the
// EnvLookup and the file read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "llm/http_client.h"
#include "llm/provider.h"

namespace wg::llm {

enum class WireFormat : std::uint8_t { Anthropic, OpenAi };
std::string_view to_string(WireFormat format);  // "anthropic" / "openai"

struct ProviderEntry {
  WireFormat format = WireFormat::OpenAi;
  std::string base_url;
  std::string api_key;       // resolved: file value, overridden by api_key_env when that is set
  std::string api_key_env;   // environment variable holding the key ("" = none)
  std::string base_url_env;  // environment variable overriding base_url ("" = none)
  bool api_key_required = true;
};

struct LlmConfig {
  std::map<std::string, ProviderEntry, std::less<>> providers;
  std::map<std::string, std::string, std::less<>> aliases;
  std::string default_model;  // used by callers when no model is named ("" = none)
  HttpOptions http;
  RetryPolicy retry;
  std::uint32_t max_tokens = 4096;

  // Built-in providers and aliases, no keys.
  static LlmConfig builtin();
};

using EnvLookup = std::function<std::optional<std::string>(std::string_view name)>;
// Reads the process environment (getenv).
EnvLookup process_env();

// Built-ins, then the file (see above), then the environment.
Result<LlmConfig> load_llm_config(const EnvLookup& env,
                                  const std::optional<std::filesystem::path>& file = std::nullopt);

// Applies one JSON config document on top of `config`. `origin` names it in
// errors (a path). Unknown keys are errors.
Status apply_config_json(LlmConfig& config, std::string_view text, std::string_view origin);
// Applies the environment variables described above.
Status apply_env(LlmConfig& config, const EnvLookup& env);

struct ModelRef {
  std::string provider;  // a key of LlmConfig::providers
  std::string model;     // the provider-side model name
  friend bool operator==(const ModelRef&, const ModelRef&) = default;
};
// Follows aliases (at most 8 steps, cycles rejected), then splits
// "provider:model". An empty id means config.default_model.
Result<ModelRef> resolve_model(const LlmConfig& config, std::string_view model_id);

// The provider for `model_id`, bound to that model, with the config's
// timeouts, retries and max tokens. Refuses to send an API key over plain
// http:// to a host that is not loopback.
Result<std::unique_ptr<Provider>> make_provider(const LlmConfig& config, std::string_view model_id);

// A provider of the wire format `format` ("anthropic" / "openai") for
// parse_reply() only: it has no endpoint or key, so complete() fails. Replay
// uses it to rebuild recorded replies without the network. Invalid for an
// unknown format.
Result<std::unique_ptr<Provider>> make_reply_parser(std::string_view format);

}  // namespace wg::llm
