#include "llm/provider.h"

namespace wg::llm {

std::string_view to_string(Role role) { return role == Role::User ? "user" : "assistant"; }

std::string_view to_string(StopReason reason) {
  switch (reason) {
    case StopReason::EndTurn: return "end_turn";
    case StopReason::ToolUse: return "tool_use";
    case StopReason::MaxTokens: return "max_tokens";
    case StopReason::StopSequence: return "stop_sequence";
    case StopReason::Refusal: return "refusal";
    case StopReason::Other: return "other";
  }
  return "other";
}

Message Message::user_text(std::string text) { return Message{Role::User, {TextBlock{std::move(text)}}}; }

Message Message::assistant_text(std::string text) { return Message{Role::Assistant, {TextBlock{std::move(text)}}}; }

std::string Response::text() const {
  std::string out;
  for (const ContentBlock& block : content) {
    if (const auto* t = std::get_if<TextBlock>(&block)) out += t->text;
  }
  return out;
}

std::vector<const ToolUseBlock*> Response::tool_uses() const {
  std::vector<const ToolUseBlock*> out;
  for (const ContentBlock& block : content) {
    if (const auto* t = std::get_if<ToolUseBlock>(&block)) out.push_back(t);
  }
  return out;
}

Message Response::to_message() const { return Message{Role::Assistant, content}; }

}  // namespace wg::llm
