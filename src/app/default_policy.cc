#include "app/default_policy.h"

#include "policy/loader.h"

namespace wg::app {
namespace {

// Keep in step with docs/policy.md "Default policy" (tests/app/default_policy_test.cc
// compares them). The limits are generous enough for any interactive client
// and for scripted test suites, and stop a runaway agent loop or a confused
// client from creating agents, prompting models or running programs without
// bound. Fixed windows per MCP session; a human who needs more writes a
// policy file (--policy) or turns the gate off (--no-policy).
constexpr std::string_view kDefaultPolicy = R"yaml(# wasmgate serve: embedded default policy (replace with --policy FILE, or --no-policy)
version: "1"
description: "Allow every tool, audit every call, cap bursts per session"
default: allow
tools:
  wasm_agent_create:
    rules:
      - name: "default: agents created per session"
        rate_limit: {count: 120, window: minute, scope: session}
        on_deny: "This session created 120 agents this minute (wasmgate default policy)"
  wasm_gallery_create:
    rules:
      - name: "default: agents created from templates per session"
        rate_limit: {count: 120, window: minute, scope: session}
        on_deny: "This session created 120 agents from templates this minute (wasmgate default policy)"
  wasm_agent_fork:
    rules:
      - name: "default: agents forked per session"
        rate_limit: {count: 120, window: minute, scope: session}
        on_deny: "This session forked 120 agents this minute (wasmgate default policy)"
  wasm_agent_import:
    rules:
      - name: "default: agents imported per session"
        rate_limit: {count: 120, window: minute, scope: session}
        on_deny: "This session imported 120 agents this minute (wasmgate default policy)"
  wasm_agent_prompt:
    rules:
      - name: "default: prompts per session per minute"
        rate_limit: {count: 60, window: minute, scope: session}
        on_deny: "This session sent 60 prompts this minute (wasmgate default policy)"
      - name: "default: prompts per session per day"
        rate_limit: {count: 2000, window: day, scope: session}
        on_deny: "This session sent 2000 prompts today (wasmgate default policy)"
  wasm_agent_run:
    rules:
      - name: "default: program runs per session"
        rate_limit: {count: 600, window: minute, scope: session}
        on_deny: "This session ran 600 programs this minute (wasmgate default policy)"
)yaml";

}  // namespace

std::string_view default_policy_text() { return kDefaultPolicy; }

Result<std::unique_ptr<PolicyRuntime>> open_default_policy_runtime(const std::string& state_dir) {
  auto loaded = policy::load_policy(kDefaultPolicy, kDefaultPolicySource);
  if (!loaded) return std::unexpected(std::move(loaded).error());
  return open_policy_runtime(policy::PolicyHolder::fixed(std::move(*loaded)), state_dir);
}

}  // namespace wg::app
