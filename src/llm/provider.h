// The model-provider interface: one request/response shape for every wire
// format (Anthropic Messages, OpenAI-compatible Chat Completions).
//
// Conversation model (Anthropic's, which is the richer of the two):
//   - a Message has a Role (user or assistant) and a list of content blocks;
//   - the assistant asks for tools with ToolUseBlocks (id, name, JSON input);
//   - the caller answers with ToolResultBlocks inside the next *user*
//     message, one per tool_use id. The OpenAI mapping turns those into
//     role "tool" messages (docs/llm.md, "Wire formats").
// A Response carries the assistant's blocks, why it stopped, token usage and
// `raw`: the provider's reply body verbatim (a JSON document, or the whole
// text/event-stream transcript when streamed). parse_reply() of the provider
// that produced `raw` rebuilds the same Response from it, so a journal that
// stores `raw` can replay without the network.
//
// Thread-safety: Provider implementations in this module are immutable after
// construction; complete() may be called from several threads at once.
// complete() blocks the calling thread until the reply is complete or fails.
// Errors: complete() never throws; every failure is an Error whose message
// starts with the provider name ("anthropic: HTTP 401: invalid x-api-key").
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/error.h"

namespace wg::llm {

enum class Role : std::uint8_t { User, Assistant };
std::string_view to_string(Role role);  // "user" / "assistant"

struct TextBlock {
  std::string text;
  friend bool operator==(const TextBlock&, const TextBlock&) = default;
};

// A tool call requested by the model. `input` is the JSON arguments (an
// object for every well-behaved model).
struct ToolUseBlock {
  std::string id;
  std::string name;
  boost::json::value input;
  friend bool operator==(const ToolUseBlock&, const ToolUseBlock&) = default;
};

// The caller's answer to one ToolUseBlock; belongs in a Role::User message.
struct ToolResultBlock {
  std::string tool_use_id;
  std::string content;
  bool is_error = false;
  friend bool operator==(const ToolResultBlock&, const ToolResultBlock&) = default;
};

using ContentBlock = std::variant<TextBlock, ToolUseBlock, ToolResultBlock>;

struct Message {
  Role role = Role::User;
  std::vector<ContentBlock> content;

  static Message user_text(std::string text);
  static Message assistant_text(std::string text);
  friend bool operator==(const Message&, const Message&) = default;
};

struct ToolDefinition {
  std::string name;
  std::string description;
  boost::json::value input_schema;  // a JSON Schema object
};

struct Request {
  std::string model;   // provider-side model name; empty = the provider's default
  std::string system;  // empty = no system prompt
  std::vector<Message> messages;
  std::vector<ToolDefinition> tools;
  std::uint32_t max_tokens = 0;  // 0 = the provider's configured default
  std::optional<double> temperature;
};

// Why the model stopped, in Anthropic's vocabulary. OpenAI finish_reason
// maps: stop -> EndTurn, tool_calls/function_call -> ToolUse,
// length -> MaxTokens, content_filter -> Refusal, anything else -> Other.
enum class StopReason : std::uint8_t { EndTurn, ToolUse, MaxTokens, StopSequence, Refusal, Other };
std::string_view to_string(StopReason reason);  // "end_turn", "tool_use", ...

struct Usage {
  std::uint64_t input_tokens = 0;
  std::uint64_t output_tokens = 0;
  friend bool operator==(const Usage&, const Usage&) = default;
};

struct Response {
  std::vector<ContentBlock> content;  // TextBlock and ToolUseBlock only
  StopReason stop_reason = StopReason::EndTurn;
  std::string stop_reason_raw;  // the provider's own spelling ("end_turn", "stop", ...)
  Usage usage;
  std::string model;  // as reported by the provider, when it does
  std::string raw;    // the reply body verbatim (JSON, or the SSE transcript)

  // Concatenation of the text blocks.
  std::string text() const;
  std::vector<const ToolUseBlock*> tool_uses() const;
  // The assistant message to append to the conversation.
  Message to_message() const;
};

// Observers for a streamed reply. When complete() gets callbacks it asks the
// provider to stream and calls them on the calling thread as events arrive,
// before complete() returns. Null members are skipped.
struct StreamCallbacks {
  std::function<void(std::string_view delta)> on_text_delta;
  std::function<void(std::string_view id, std::string_view name)> on_tool_use_start;
};

class Provider {
 public:
  virtual ~Provider() = default;
  // "anthropic", "openai", "ollama", ...: the prefix of error messages.
  virtual std::string_view name() const = 0;
  // The wire format: "anthropic" or "openai" (what make_reply_parser takes).
  virtual std::string_view wire_format() const = 0;
  // The model used when Request::model is empty.
  virtual const std::string& default_model() const = 0;
  virtual Result<Response> complete(const Request& request, const StreamCallbacks* stream = nullptr) = 0;
  // Rebuilds the Response recorded in `raw` (JSON or SSE transcript).
  virtual Result<Response> parse_reply(std::string_view raw) const = 0;
};

}  // namespace wg::llm
