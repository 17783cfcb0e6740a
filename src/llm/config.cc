#include "llm/config.h"

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "llm/anthropic.h"
#include "llm/openai.h"

namespace wg::llm {
namespace json = boost::json;

namespace {

constexpr std::size_t kMaxConfigBytes = 1024 * 1024;
constexpr int kMaxAliasDepth = 8;

Error invalid(std::string_view origin, std::string_view path, std::string_view what) {
  return Error(ErrorCode::Invalid, std::string(origin) + ": " + std::string(path) + ": " + std::string(what));
}

Result<std::string> get_string(const json::value& v, std::string_view origin, const std::string& path) {
  if (!v.is_string()) return std::unexpected(invalid(origin, path, "expected a string"));
  return std::string(v.get_string());
}

Result<std::uint64_t> get_count(const json::value& v, std::string_view origin, const std::string& path,
                                std::uint64_t max) {
  std::uint64_t n = 0;
  if (v.is_uint64())
    n = v.get_uint64();
  else if (v.is_int64() && v.get_int64() >= 0)
    n = static_cast<std::uint64_t>(v.get_int64());
  else
    return std::unexpected(invalid(origin, path, "expected a non-negative integer"));
  if (n > max) return std::unexpected(invalid(origin, path, "must be at most " + std::to_string(max)));
  return n;
}

Result<const json::object*> get_object(const json::value& v, std::string_view origin, const std::string& path) {
  if (!v.is_object()) return std::unexpected(invalid(origin, path, "expected an object"));
  return &v.get_object();
}

Status apply_provider(LlmConfig& config, const std::string& name, const json::object& o, std::string_view origin) {
  const std::string path = "providers." + name;
  auto existing = config.providers.find(name);
  const bool is_new = existing == config.providers.end();
  ProviderEntry entry = is_new ? ProviderEntry{} : existing->second;
  if (is_new) {
    entry.api_key_env.clear();
    if (!o.contains("format")) {
      return std::unexpected(
          invalid(origin, path + ".format", "missing (a new provider needs \"format\": \"anthropic\" or \"openai\")"));
    }
    if (!o.contains("base_url"))
      return std::unexpected(invalid(origin, path + ".base_url", "missing for a new provider"));
  }
  for (const auto& [key, value] : o) {
    const std::string kpath = path + "." + std::string(key);
    if (key == "format") {
      const std::string f = WG_TRY(get_string(value, origin, kpath));
      if (f == "anthropic")
        entry.format = WireFormat::Anthropic;
      else if (f == "openai")
        entry.format = WireFormat::OpenAi;
      else
        return std::unexpected(invalid(origin, kpath, "must be \"anthropic\" or \"openai\", got \"" + f + "\""));
    } else if (key == "base_url") {
      entry.base_url = WG_TRY(get_string(value, origin, kpath));
      WG_TRY_CTX(parse_url(entry.base_url), std::string(origin) + ": " + kpath);
    } else if (key == "api_key") {
      entry.api_key = WG_TRY(get_string(value, origin, kpath));
    } else if (key == "api_key_env") {
      entry.api_key_env = WG_TRY(get_string(value, origin, kpath));
    } else if (key == "api_key_required") {
      if (!value.is_bool()) return std::unexpected(invalid(origin, kpath, "expected true or false"));
      entry.api_key_required = value.get_bool();
    } else {
      return std::unexpected(invalid(origin, kpath,
                                     "unknown key (known: format, base_url, api_key, api_key_env, "
                                     "api_key_required)"));
    }
  }
  config.providers[name] = std::move(entry);
  return ok();
}

bool is_loopback(std::string_view host) { return host == "localhost" || host == "::1" || host.starts_with("127."); }

Status check_alias_name(std::string_view name, std::string_view where) {
  if (name.empty() || name.find(':') != std::string_view::npos) {
    return make_error(ErrorCode::Invalid, std::string(where) + ": alias \"" + std::string(name) +
                                              "\" must be non-empty and contain no ':'");
  }
  return ok();
}

}  // namespace

std::string_view to_string(WireFormat format) { return format == WireFormat::Anthropic ? "anthropic" : "openai"; }

LlmConfig LlmConfig::builtin() {
  LlmConfig c;
  c.providers["anthropic"] = {WireFormat::Anthropic,
                              std::string(kAnthropicDefaultBaseUrl),
                              "",
                              "ANTHROPIC_API_KEY",
                              "ANTHROPIC_BASE_URL",
                              true};
  c.providers["openai"] = {
      WireFormat::OpenAi, std::string(kOpenAiDefaultBaseUrl), "", "OPENAI_API_KEY", "OPENAI_BASE_URL", true};
  c.providers["openrouter"] = {WireFormat::OpenAi,   "https://openrouter.ai/api/v1", "",
                               "OPENROUTER_API_KEY", "OPENROUTER_BASE_URL",          true};
  c.providers["ollama"] = {WireFormat::OpenAi, "http://127.0.0.1:11434/v1", "",
                           "OLLAMA_API_KEY",   "OLLAMA_BASE_URL",           false};
  c.providers["llamacpp"] = {WireFormat::OpenAi, "http://127.0.0.1:8080/v1", "",
                             "LLAMACPP_API_KEY", "LLAMACPP_BASE_URL",        false};
  c.aliases["sonnet"] = "anthropic:claude-sonnet-4-6";
  return c;
}

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

Status apply_config_json(LlmConfig& config, std::string_view text, std::string_view origin) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec) return make_error(ErrorCode::Malformed, std::string(origin) + ": not valid JSON: " + ec.message());
  const json::object* root = WG_TRY(get_object(doc, origin, "(top level)"));
  for (const auto& [key, value] : *root) {
    const std::string path(key);
    if (key == "providers") {
      const json::object* ps = WG_TRY(get_object(value, origin, path));
      for (const auto& [name, entry] : *ps) {
        const std::string ppath = "providers." + std::string(name);
        if (name.empty() || std::string_view(name).find(':') != std::string_view::npos) {
          return std::unexpected(invalid(origin, ppath, "provider names must be non-empty and contain no ':'"));
        }
        WG_TRY(apply_provider(config, std::string(name), *WG_TRY(get_object(entry, origin, ppath)), origin));
      }
    } else if (key == "aliases") {
      const json::object* as = WG_TRY(get_object(value, origin, path));
      for (const auto& [name, target] : *as) {
        WG_TRY(check_alias_name(name, origin));
        config.aliases[std::string(name)] = WG_TRY(get_string(target, origin, "aliases." + std::string(name)));
      }
    } else if (key == "default_model") {
      config.default_model = WG_TRY(get_string(value, origin, path));
    } else if (key == "max_tokens") {
      const auto n = WG_TRY(get_count(value, origin, path, 1'000'000));
      if (n == 0) return std::unexpected(invalid(origin, path, "must be positive"));
      config.max_tokens = static_cast<std::uint32_t>(n);
    } else if (key == "max_response_bytes") {
      config.http.max_response_bytes = WG_TRY(get_count(value, origin, path, std::uint64_t{1} << 32));
    } else if (key == "timeouts") {
      const json::object* t = WG_TRY(get_object(value, origin, path));
      for (const auto& [tk, tv] : *t) {
        const std::string tpath = "timeouts." + std::string(tk);
        const auto ms = std::chrono::milliseconds(WG_TRY(get_count(tv, origin, tpath, 86'400'000)));
        if (ms.count() == 0) return std::unexpected(invalid(origin, tpath, "must be positive"));
        if (tk == "connect_ms")
          config.http.connect_timeout = ms;
        else if (tk == "request_ms")
          config.http.request_timeout = ms;
        else
          return std::unexpected(invalid(origin, tpath, "unknown key (known: connect_ms, request_ms)"));
      }
    } else if (key == "retries") {
      const json::object* r = WG_TRY(get_object(value, origin, path));
      for (const auto& [rk, rv] : *r) {
        const std::string rpath = "retries." + std::string(rk);
        if (rk == "max_retries") {
          config.retry.max_retries = static_cast<std::uint32_t>(WG_TRY(get_count(rv, origin, rpath, 20)));
          continue;
        }
        const auto ms = std::chrono::milliseconds(WG_TRY(get_count(rv, origin, rpath, 3'600'000)));
        if (rk == "initial_backoff_ms")
          config.retry.initial_backoff = ms;
        else if (rk == "max_backoff_ms")
          config.retry.max_backoff = ms;
        else if (rk == "max_retry_after_ms")
          config.retry.max_retry_after = ms;
        else {
          return std::unexpected(invalid(origin, rpath,
                                         "unknown key (known: max_retries, initial_backoff_ms, "
                                         "max_backoff_ms, max_retry_after_ms)"));
        }
      }
    } else {
      return std::unexpected(invalid(origin, path,
                                     "unknown key (known: providers, aliases, default_model, "
                                     "max_tokens, max_response_bytes, timeouts, retries)"));
    }
  }
  return ok();
}

Status apply_env(LlmConfig& config, const EnvLookup& env) {
  for (auto& [name, entry] : config.providers) {
    if (!entry.api_key_env.empty()) {
      if (auto key = env(entry.api_key_env); key && !key->empty()) entry.api_key = *key;
    }
    if (!entry.base_url_env.empty()) {
      if (auto url = env(entry.base_url_env); url && !url->empty()) {
        WG_TRY_CTX(parse_url(*url), entry.base_url_env);
        entry.base_url = *url;
      }
    }
  }
  // WASMGATE_MODEL_ALIASES="fast=openai:gpt-4o-mini,local=ollama:llama3"
  if (auto aliases = env("WASMGATE_MODEL_ALIASES"); aliases && !aliases->empty()) {
    std::string_view rest = *aliases;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (item.empty()) continue;
      const std::size_t eq = item.find('=');
      if (eq == std::string_view::npos || eq + 1 == item.size()) {
        return make_error(ErrorCode::Invalid,
                          "WASMGATE_MODEL_ALIASES: \"" + std::string(item) + "\" is not name=provider:model");
      }
      WG_TRY(check_alias_name(item.substr(0, eq), "WASMGATE_MODEL_ALIASES"));
      config.aliases[std::string(item.substr(0, eq))] = std::string(item.substr(eq + 1));
    }
  }
  if (auto model = env("WASMGATE_MODEL"); model && !model->empty()) config.default_model = *model;
  return ok();
}

Result<LlmConfig> load_llm_config(const EnvLookup& env, const std::optional<std::filesystem::path>& file) {
  LlmConfig config = LlmConfig::builtin();
  std::optional<std::filesystem::path> path = file;
  if (!path) {
    if (auto p = env("WASMGATE_LLM_CONFIG"); p && !p->empty()) path = std::filesystem::path(*p);
  }
  if (path) {
    std::ifstream in(*path, std::ios::binary);
    if (!in) return make_error(ErrorCode::NotFound, "LLM config file " + path->string() + ": cannot open");
    std::string text;
    text.resize(kMaxConfigBytes + 1);
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes) {
      return make_error(ErrorCode::LimitExceeded, "LLM config file " + path->string() + ": larger than 1 MiB");
    }
    WG_TRY(apply_config_json(config, text, path->string()));
  }
  WG_TRY(apply_env(config, env));
  return config;
}

Result<ModelRef> resolve_model(const LlmConfig& config, std::string_view model_id) {
  std::string id(model_id.empty() ? std::string_view(config.default_model) : model_id);
  if (id.empty()) {
    return make_error(ErrorCode::Invalid,
                      "no model given and no default model configured: name one as provider:model "
                      "(e.g. anthropic:claude-sonnet-4-6), or set WASMGATE_MODEL or \"default_model\" in the LLM "
                      "config file");
  }
  std::set<std::string> seen;
  for (int depth = 0; id.find(':') == std::string::npos; ++depth) {
    auto it = config.aliases.find(id);
    if (it == config.aliases.end()) {
      std::string known;
      for (const auto& [name, target] : config.aliases) known += (known.empty() ? "" : ", ") + name;
      return make_error(ErrorCode::NotFound, "model \"" + id +
                                                 "\" is neither provider:model nor a known alias (aliases: " +
                                                 (known.empty() ? "none" : known) + ")");
    }
    if (!seen.insert(id).second || depth >= kMaxAliasDepth) {
      return make_error(ErrorCode::Invalid, "model alias \"" + std::string(model_id) + "\" loops or nests too deeply");
    }
    id = it->second;
  }
  const std::size_t colon = id.find(':');
  ModelRef ref{id.substr(0, colon), id.substr(colon + 1)};
  if (ref.provider.empty() || ref.model.empty()) {
    return make_error(ErrorCode::Invalid, "model id \"" + id + "\": expected provider:model");
  }
  return ref;
}

Result<std::unique_ptr<Provider>> make_provider(const LlmConfig& config, std::string_view model_id) {
  ModelRef ref = WG_TRY(resolve_model(config, model_id));
  auto it = config.providers.find(ref.provider);
  if (it == config.providers.end()) {
    std::string known;
    for (const auto& [name, entry] : config.providers) known += (known.empty() ? "" : ", ") + name;
    return make_error(ErrorCode::NotFound, "model \"" + std::string(model_id) + "\": unknown provider \"" +
                                               ref.provider + "\" (configured: " + known +
                                               "; add one under \"providers\" in the LLM config file)");
  }
  const ProviderEntry& entry = it->second;
  if (entry.api_key_required && entry.api_key.empty()) {
    std::string how;
    if (!entry.api_key_env.empty()) how = "set the " + entry.api_key_env + " environment variable, or ";
    return make_error(ErrorCode::Invalid,
                      "model \"" + std::string(model_id) + "\": no API key for provider \"" + ref.provider +
                          "\": " + how + "set \"providers\": {\"" + ref.provider +
                          "\": {\"api_key\": \"...\"}} in the LLM config file (WASMGATE_LLM_CONFIG; see docs/llm.md)");
  }
  Url url = WG_TRY_CTX(parse_url(entry.base_url), "provider \"" + ref.provider + "\" base_url");
  if (!url.tls && !entry.api_key.empty() && !is_loopback(url.host)) {
    return make_error(ErrorCode::Denied, "provider \"" + ref.provider +
                                             "\": refusing to send its API key over plain "
                                             "http:// to non-loopback host " +
                                             url.host + "; use https://");
  }
  ProviderOptions options;
  options.name = ref.provider;
  options.base_url = entry.base_url;
  options.api_key = entry.api_key;
  options.model = ref.model;
  options.max_tokens = config.max_tokens;
  options.http = config.http;
  options.retry = config.retry;
  if (entry.format == WireFormat::Anthropic)
    return std::unique_ptr<Provider>(new AnthropicProvider(std::move(options)));
  return std::unique_ptr<Provider>(new OpenAiProvider(std::move(options)));
}

Result<std::unique_ptr<Provider>> make_reply_parser(std::string_view format) {
  ProviderOptions options;
  options.name = std::string(format);
  options.base_url = "http://replay.invalid";  // never contacted: complete() is not called on a parser
  if (format == to_string(WireFormat::Anthropic)) return std::unique_ptr<Provider>(new AnthropicProvider(std::move(options)));
  if (format == to_string(WireFormat::OpenAi)) return std::unique_ptr<Provider>(new OpenAiProvider(std::move(options)));
  return make_error(ErrorCode::Invalid, "unknown wire format \"" + std::string(format) + "\" (expected anthropic or openai)");
}

}  // namespace wg::llm
