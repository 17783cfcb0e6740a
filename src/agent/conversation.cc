#include "agent/conversation.h"

#include <set>

#include "agent/json_args.h"

namespace wg::agent {
namespace json = boost::json;
namespace {

Error malformed(std::string message) { return Error(ErrorCode::Malformed, std::move(message)); }

json::object block_to_json(const llm::ContentBlock& block) {
  if (const auto* t = std::get_if<llm::TextBlock>(&block)) return {{"type", "text"}, {"text", t->text}};
  if (const auto* u = std::get_if<llm::ToolUseBlock>(&block)) {
    return {{"type", "tool_use"}, {"id", u->id}, {"name", u->name}, {"input", u->input}};
  }
  const auto& r = std::get<llm::ToolResultBlock>(block);
  return {{"type", "tool_result"}, {"tool_use_id", r.tool_use_id}, {"content", r.content}, {"is_error", r.is_error}};
}

Result<llm::ContentBlock> block_from_json(const json::value& value, llm::Role role) {
  if (!value.is_object()) return std::unexpected(malformed("expected a content block object"));
  const auto& o = value.get_object();
  const auto type = WG_TRY(req_string(o, "type", "", 32));
  if (type == "text") {
    WG_TRY(check_keys(o, {"type", "text"}, ""));
    return llm::TextBlock{WG_TRY(req_string(o, "text", "", 64u << 20))};
  }
  if (type == "tool_use" && role == llm::Role::Assistant) {
    WG_TRY(check_keys(o, {"type", "id", "name", "input"}, ""));
    llm::ToolUseBlock u;
    u.id = WG_TRY(req_string(o, "id", "", 256));
    u.name = WG_TRY(req_string(o, "name", "", 256));
    if (const auto* in = o.if_contains("input")) u.input = *in;
    if (!u.input.is_object()) return std::unexpected(malformed("tool_use input: expected an object"));
    return u;
  }
  if (type == "tool_result" && role == llm::Role::User) {
    WG_TRY(check_keys(o, {"type", "tool_use_id", "content", "is_error"}, ""));
    llm::ToolResultBlock r;
    r.tool_use_id = WG_TRY(req_string(o, "tool_use_id", "", 256));
    r.content = WG_TRY(req_string(o, "content", "", 64u << 20));
    if (const auto* e = o.if_contains("is_error")) {
      if (!e->is_bool()) return std::unexpected(malformed("is_error: expected a boolean"));
      r.is_error = e->get_bool();
    }
    return r;
  }
  return std::unexpected(malformed("block type \"" + type + "\" is not allowed in a " +
                                   std::string(llm::to_string(role)) + " message"));
}

}  // namespace

json::object message_to_json(const llm::Message& message) {
  json::array content;
  for (const auto& block : message.content) content.push_back(block_to_json(block));
  return {{"role", llm::to_string(message.role)}, {"content", std::move(content)}};
}

Result<llm::Message> message_from_json(const json::value& value) {
  if (!value.is_object()) return std::unexpected(malformed("expected a message object"));
  const auto& o = value.get_object();
  WG_TRY(check_keys(o, {"role", "content"}, ""));
  const auto role = WG_TRY(req_string(o, "role", "", 16));
  llm::Message m;
  if (role == "user") {
    m.role = llm::Role::User;
  } else if (role == "assistant") {
    m.role = llm::Role::Assistant;
  } else {
    return std::unexpected(malformed("role: expected \"user\" or \"assistant\", got \"" + role + "\""));
  }
  const auto* content = o.if_contains("content");
  if (!content || !content->is_array()) return std::unexpected(malformed("content: expected an array of blocks"));
  for (std::size_t i = 0; i < content->get_array().size(); ++i) {
    m.content.push_back(WG_TRY_CTX(block_from_json(content->get_array()[i], m.role), "content[" + std::to_string(i) + "]"));
  }
  return m;
}

Result<std::vector<llm::Message>> conversation_for_model(const json::array& conversation) {
  std::vector<llm::Message> out;
  for (std::size_t i = 0; i < conversation.size(); ++i) {
    auto m = WG_TRY_CTX(message_from_json(conversation[i]), "conversation entry " + std::to_string(i + 1));
    if (m.content.empty()) continue;
    if (!out.empty() && out.back().role == m.role) {
      for (auto& block : m.content) out.back().content.push_back(std::move(block));
    } else {
      out.push_back(std::move(m));
    }
  }
  return out;
}

std::vector<llm::ToolUseBlock> open_tool_uses(const json::array& conversation) {
  // The last assistant message, and the results that follow it.
  std::size_t last = conversation.size();
  while (last > 0) {
    const auto* o = conversation[last - 1].if_object();
    const auto* role = o ? o->if_contains("role") : nullptr;
    if (role && role->is_string() && role->get_string() == "assistant") break;
    --last;
  }
  if (last == 0) return {};
  auto assistant = message_from_json(conversation[last - 1]);
  if (!assistant) return {};
  std::set<std::string> answered;
  for (std::size_t i = last; i < conversation.size(); ++i) {
    auto m = message_from_json(conversation[i]);
    if (!m) continue;
    for (const auto& block : m->content) {
      if (const auto* r = std::get_if<llm::ToolResultBlock>(&block)) answered.insert(r->tool_use_id);
    }
  }
  std::vector<llm::ToolUseBlock> open;
  for (const auto& block : assistant->content) {
    if (const auto* u = std::get_if<llm::ToolUseBlock>(&block); u && !answered.contains(u->id)) open.push_back(*u);
  }
  return open;
}

void append_tool_result(json::array& conversation, const llm::ToolResultBlock& result) {
  if (!conversation.empty()) {
    auto* last = conversation.back().if_object();
    auto* role = last ? last->if_contains("role") : nullptr;
    auto* content = last ? last->if_contains("content") : nullptr;
    if (role && role->is_string() && role->get_string() == "user" && content && content->is_array() &&
        !content->get_array().empty()) {
      const auto* first = content->get_array().front().if_object();
      const auto* type = first ? first->if_contains("type") : nullptr;
      if (type && type->is_string() && type->get_string() == "tool_result") {
        content->get_array().push_back(block_to_json(result));
        return;
      }
    }
  }
  llm::Message m;
  m.role = llm::Role::User;
  m.content.push_back(result);
  conversation.push_back(message_to_json(m));
}

json::object usage_to_json(const llm::Usage& usage) {
  return {{"inputTokens", usage.input_tokens}, {"outputTokens", usage.output_tokens}};
}

Result<llm::Usage> usage_from_json(const json::value& value) {
  if (!value.is_object()) return std::unexpected(malformed("usage: expected an object"));
  const auto& o = value.get_object();
  WG_TRY(check_keys(o, {"inputTokens", "outputTokens"}, "usage"));
  llm::Usage u;
  u.input_tokens = WG_TRY(opt_uint(o, "inputTokens", "usage", 0, INT64_MAX)).value_or(0);
  u.output_tokens = WG_TRY(opt_uint(o, "outputTokens", "usage", 0, INT64_MAX)).value_or(0);
  return u;
}

}  // namespace wg::agent
