#include "llm/config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "llm/fake_model_server.h"

namespace wg::llm {
namespace {
using testing::FakeModelServer;
using testing::FakeReply;

EnvLookup env_of(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

LlmConfig load(std::map<std::string, std::string> vars) {
  auto c = load_llm_config(env_of(std::move(vars)));
  EXPECT_TRUE(c.has_value()) << c.error().to_string();
  return c.value_or(LlmConfig::builtin());
}

TEST(LlmConfigTest, TakesTheAnthropicKeyAndBaseUrlFromTheEnvironment) {
  LlmConfig c = load({{"ANTHROPIC_API_KEY", "sk-ant"}, {"ANTHROPIC_BASE_URL", "https://proxy.example/anthropic"}});
  EXPECT_EQ(c.providers.at("anthropic").api_key, "sk-ant");
  EXPECT_EQ(c.providers.at("anthropic").base_url, "https://proxy.example/anthropic");
  auto p = make_provider(c, "anthropic:claude-sonnet-4-6");
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ((*p)->name(), "anthropic");
  EXPECT_EQ((*p)->default_model(), "claude-sonnet-4-6");
}

TEST(LlmConfigTest, MissingKeyErrorSaysWhichVariableAndConfigKeyToSet) {
  LlmConfig c = load({});
  auto p = make_provider(c, "openai:gpt-4o");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), ErrorCode::Invalid);
  EXPECT_EQ(p.error().message(),
            "model \"openai:gpt-4o\": no API key for provider \"openai\": set the OPENAI_API_KEY environment "
            "variable, or set \"providers\": {\"openai\": {\"api_key\": \"...\"}} in the LLM config file "
            "(WASMGATE_LLM_CONFIG; see docs/llm.md)");
}

TEST(LlmConfigTest, ResolvesBuiltInEnvironmentAndChainedAliases) {
  LlmConfig c = load({{"WASMGATE_MODEL_ALIASES", "fast=openai:gpt-4o-mini, smart=sonnet,local=ollama:llama3:8b"}});
  EXPECT_EQ(resolve_model(c, "sonnet").value_or(ModelRef{}), (ModelRef{"anthropic", "claude-sonnet-4-6"}));
  EXPECT_EQ(resolve_model(c, "smart").value_or(ModelRef{}), (ModelRef{"anthropic", "claude-sonnet-4-6"}));
  EXPECT_EQ(resolve_model(c, "fast").value_or(ModelRef{}), (ModelRef{"openai", "gpt-4o-mini"}));
  EXPECT_EQ(resolve_model(c, "local").value_or(ModelRef{}), (ModelRef{"ollama", "llama3:8b"}));
  auto unknown = resolve_model(c, "gpt5");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().message(),
            "model \"gpt5\" is neither provider:model nor a known alias (aliases: fast, local, smart, sonnet)");
}

TEST(LlmConfigTest, RejectsAliasLoops) {
  LlmConfig c = load({{"WASMGATE_MODEL_ALIASES", "a=b,b=a"}});
  auto r = resolve_model(c, "a");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("loops"), std::string::npos);
}

TEST(LlmConfigTest, RejectsAMalformedAliasVariable) {
  auto c = load_llm_config(env_of({{"WASMGATE_MODEL_ALIASES", "fast"}}));
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message(), "WASMGATE_MODEL_ALIASES: \"fast\" is not name=provider:model");
}

TEST(LlmConfigTest, LocalProvidersNeedNoKey) {
  LlmConfig c = load({{"OLLAMA_BASE_URL", "http://127.0.0.1:9999/v1"}});
  auto p = make_provider(c, "ollama:llama3:8b");
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ((*p)->default_model(), "llama3:8b");
}

TEST(LlmConfigTest, UsesTheDefaultModelWhenNoneIsNamed) {
  LlmConfig c = load({{"WASMGATE_MODEL", "sonnet"}, {"ANTHROPIC_API_KEY", "k"}});
  auto p = make_provider(c, "");
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ((*p)->default_model(), "claude-sonnet-4-6");
  auto none = resolve_model(load({}), "");
  ASSERT_FALSE(none.has_value());
  EXPECT_NE(none.error().message().find("WASMGATE_MODEL"), std::string::npos);
}

TEST(LlmConfigTest, UnknownProviderListsTheConfiguredOnes) {
  auto p = make_provider(load({}), "mistral:large");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), ErrorCode::NotFound);
  EXPECT_NE(p.error().message().find("unknown provider \"mistral\" (configured: anthropic, llamacpp, ollama, openai, "
                                     "openrouter;"),
            std::string::npos)
      << p.error().message();
}

TEST(LlmConfigTest, RefusesToSendAKeyOverPlainHttpToARemoteHost) {
  LlmConfig c = load({{"OPENAI_API_KEY", "sk"}, {"OPENAI_BASE_URL", "http://example.com/v1"}});
  auto p = make_provider(c, "openai:gpt-4o");
  ASSERT_FALSE(p.has_value());
  EXPECT_EQ(p.error().code(), ErrorCode::Denied);
  EXPECT_NE(p.error().message().find("plain http:// to non-loopback host example.com"), std::string::npos);
}

TEST(LlmConfigTest, ReadsAJsonConfigFileNamedByTheEnvironmentAndLetsTheEnvironmentOverrideIt) {
  const std::string path = ::testing::TempDir() + "llm_config_test.json";
  {
    std::ofstream out(path);
    out << R"({
      "default_model": "fast",
      "providers": {
        "anthropic": {"api_key": "from-file"},
        "openai": {"api_key": "file-openai"},
        "local": {"format": "openai", "base_url": "http://127.0.0.1:8081/v1", "api_key_required": false}
      },
      "aliases": {"fast": "local:qwen2.5-coder"},
      "timeouts": {"connect_ms": 1500, "request_ms": 90000},
      "retries": {"max_retries": 5, "initial_backoff_ms": 100, "max_backoff_ms": 2000, "max_retry_after_ms": 9000},
      "max_tokens": 2048,
      "max_response_bytes": 1048576
    })";
  }
  LlmConfig c = load({{"WASMGATE_LLM_CONFIG", path}, {"ANTHROPIC_API_KEY", "from-env"}});
  EXPECT_EQ(c.providers.at("anthropic").api_key, "from-env");
  EXPECT_EQ(c.providers.at("openai").api_key, "file-openai");
  EXPECT_EQ(c.default_model, "fast");
  EXPECT_EQ(c.http.connect_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(c.http.request_timeout, std::chrono::milliseconds(90000));
  EXPECT_EQ(c.http.max_response_bytes, 1048576u);
  EXPECT_EQ(c.retry.max_retries, 5u);
  EXPECT_EQ(c.retry.initial_backoff, std::chrono::milliseconds(100));
  EXPECT_EQ(c.retry.max_backoff, std::chrono::milliseconds(2000));
  EXPECT_EQ(c.retry.max_retry_after, std::chrono::milliseconds(9000));
  EXPECT_EQ(c.max_tokens, 2048u);
  auto p = make_provider(c, "");
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  EXPECT_EQ((*p)->name(), "local");
  EXPECT_EQ((*p)->default_model(), "qwen2.5-coder");
}

TEST(LlmConfigTest, ConfigFileErrorsNameTheFileAndPath) {
  LlmConfig c = LlmConfig::builtin();
  auto unknown = apply_config_json(c, R"({"providers":{"openai":{"apikey":"x"}}})", "cfg.json");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message().find("cfg.json: providers.openai.apikey: unknown key"), std::string::npos)
      << unknown.error().message();
  auto format = apply_config_json(c, R"({"providers":{"x":{"base_url":"http://127.0.0.1/"}}})", "cfg.json");
  ASSERT_FALSE(format.has_value());
  EXPECT_NE(format.error().message().find("cfg.json: providers.x.format: missing"), std::string::npos);
  auto type = apply_config_json(c, R"({"timeouts":{"request_ms":"soon"}})", "cfg.json");
  ASSERT_FALSE(type.has_value());
  EXPECT_EQ(type.error().message(), "cfg.json: timeouts.request_ms: expected a non-negative integer");
  auto bad = apply_config_json(c, "{", "cfg.json");
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code(), ErrorCode::Malformed);
  auto missing = load_llm_config(env_of({{"WASMGATE_LLM_CONFIG", "/nonexistent/llm.json"}}));
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), ErrorCode::NotFound);
}

TEST(LlmConfigTest, AProviderBuiltFromConfigTalksToTheConfiguredBaseUrl) {
  auto s = FakeModelServer::start();
  ASSERT_TRUE(s.has_value());
  auto& server = **s;
  LlmConfig c = LlmConfig::builtin();
  ASSERT_TRUE(apply_config_json(c,
                                R"({"providers":{"fake":{"format":"anthropic","base_url":")" + server.base_url() +
                                    R"(","api_key":"k1"}},"max_tokens":321})",
                                "inline")
                  .has_value());
  server.push(FakeReply::text_reply("configured"));
  auto p = make_provider(c, "fake:claude-test");
  ASSERT_TRUE(p.has_value()) << p.error().to_string();
  Request req;
  req.messages.push_back(Message::user_text("hi"));
  auto r = (*p)->complete(req);
  ASSERT_TRUE(r.has_value()) << r.error().to_string();
  EXPECT_EQ(r->text(), "configured");
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].header("x-api-key"), "k1");
  EXPECT_EQ(reqs[0].json.as_object().at("max_tokens"), 321);
  EXPECT_EQ(reqs[0].json.as_object().at("model"), "claude-test");
}

}  // namespace
}  // namespace wg::llm
