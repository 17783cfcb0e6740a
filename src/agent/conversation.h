// An agent's conversation as stored (JSON, in the agent's state and the
// store) and as sent to a model (llm::Message).
//
// Stored form, one JSON object per message, keys in this order:
//   {"role": "user" | "assistant", "content": [BLOCK, ...]}
//   BLOCK = {"type": "text", "text": S}
//         | {"type": "tool_use", "id": S, "name": S, "input": {...}}      (assistant)
//         | {"type": "tool_result", "tool_use_id": S, "content": S,
//            "is_error": B}                                             (user)
// (Anthropic's shape; llm/ maps it to the OpenAI wire format.) The form is
// part of the state digest, so message_to_json() is canonical: equal
// messages give equal bytes.
// Contract: message_from_json() is strict (unknown keys and types are
// Malformed naming the entry); conversation_for_model() turns the stored
// conversation into the messages of a model request, merging consecutive
// messages of one role (a prompt after a failed model call leaves two user
// messages in a row; both wire formats accept one merged message).
// Thread-safety: pure functions.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "base/error.h"
#include "llm/provider.h"

namespace wg::agent {

boost::json::object message_to_json(const llm::Message& message);
Result<llm::Message> message_from_json(const boost::json::value& json);

Result<std::vector<llm::Message>> conversation_for_model(const boost::json::array& conversation);

// The tool_use blocks of the last message when it is an assistant message,
// minus those already answered (never, for a well-formed conversation; a
// crash or stop between a model reply and its tool calls leaves them open).
std::vector<llm::ToolUseBlock> open_tool_uses(const boost::json::array& conversation);

// Adds a tool_result block to the conversation: into the last message when
// it is a user message of tool results, else as a new user message.
void append_tool_result(boost::json::array& conversation, const llm::ToolResultBlock& result);

boost::json::object usage_to_json(const llm::Usage& usage);  // {"inputTokens", "outputTokens"}
Result<llm::Usage> usage_from_json(const boost::json::value& json);

}  // namespace wg::agent
