#include "llm/anthropic.h"

#include <boost/json/serialize.hpp>
#include <map>

#include "llm/json_access.h"
#include "llm/wire.h"

namespace wg::llm {
namespace json = boost::json;
namespace ja = json_access;

namespace {

StopReason map_stop_reason(std::string_view s) {
  if (s == "end_turn") return StopReason::EndTurn;
  if (s == "tool_use") return StopReason::ToolUse;
  if (s == "max_tokens") return StopReason::MaxTokens;
  if (s == "stop_sequence") return StopReason::StopSequence;
  if (s == "refusal") return StopReason::Refusal;
  return StopReason::Other;
}

json::object block_json(const ContentBlock& block) {
  json::object o;
  if (const auto* t = std::get_if<TextBlock>(&block)) {
    o["type"] = "text";
    o["text"] = t->text;
  } else if (const auto* u = std::get_if<ToolUseBlock>(&block)) {
    o["type"] = "tool_use";
    o["id"] = u->id;
    o["name"] = u->name;
    o["input"] = u->input.is_null() ? json::value(json::object()) : u->input;
  } else if (const auto* r = std::get_if<ToolResultBlock>(&block)) {
    o["type"] = "tool_result";
    o["tool_use_id"] = r->tool_use_id;
    o["content"] = r->content;
    if (r->is_error) o["is_error"] = true;
  }
  return o;
}

Result<Usage> parse_usage(const json::object& parent, std::string_view path, Usage base) {
  const json::value* u = ja::optional_member(parent, "usage");
  if (u == nullptr) return base;
  const std::string upath = ja::join(path, "usage");
  const json::object* uo = WG_TRY(ja::object_at(*u, upath));
  if (uo->contains("input_tokens")) base.input_tokens = WG_TRY(ja::optional_count_member(*uo, upath, "input_tokens"));
  if (uo->contains("output_tokens")) {
    base.output_tokens = WG_TRY(ja::optional_count_member(*uo, upath, "output_tokens"));
  }
  return base;
}

// Parses one content block of a reply; nullopt for block types we skip.
Result<std::optional<ContentBlock>> parse_block(const json::value& v, const std::string& path) {
  const json::object* o = WG_TRY(ja::object_at(v, path));
  const std::string type = WG_TRY(ja::string_member(*o, path, "type"));
  if (type == "text") return std::optional<ContentBlock>(TextBlock{WG_TRY(ja::string_member(*o, path, "text"))});
  if (type == "tool_use") {
    ToolUseBlock b;
    b.id = WG_TRY(ja::string_member(*o, path, "id"));
    b.name = WG_TRY(ja::string_member(*o, path, "name"));
    const json::value* input = WG_TRY(ja::member(*o, path, "input"));
    WG_TRY(ja::object_at(*input, ja::join(path, "input")));
    b.input = *input;
    return std::optional<ContentBlock>(std::move(b));
  }
  return std::optional<ContentBlock>();
}

Result<Response> parse_json_reply(std::string_view raw) {
  json::value v = WG_TRY(ja::parse(raw, "body"));
  const json::object* o = WG_TRY(ja::object_at(v, ""));
  const std::string type = WG_TRY(ja::string_member(*o, "", "type"));
  if (type == "error") {
    std::string message = "error reply";
    if (const json::value* e = ja::optional_member(*o, "error"); e != nullptr && e->is_object()) {
      if (auto m = ja::optional_string_member(e->get_object(), "error", "message"); m && *m) message = **m;
    }
    return make_error(ErrorCode::Io, "error reply: " + message);
  }
  if (type != "message") return std::unexpected(ja::malformed("type", "expected \"message\", got \"" + type + "\""));
  Response r;
  const json::array* content = WG_TRY(ja::array_at(*WG_TRY(ja::member(*o, "", "content")), "content"));
  for (std::size_t i = 0; i < content->size(); ++i) {
    auto block = WG_TRY(parse_block((*content)[i], ja::index("content", i)));
    if (block) r.content.push_back(std::move(*block));
  }
  r.stop_reason_raw = WG_TRY(ja::optional_string_member(*o, "", "stop_reason")).value_or("");
  r.stop_reason = map_stop_reason(r.stop_reason_raw);
  r.model = WG_TRY(ja::optional_string_member(*o, "", "model")).value_or("");
  r.usage = WG_TRY(parse_usage(*o, "", Usage{}));
  r.raw = std::string(raw);
  return r;
}

// Assembles a streamed reply event by event.
// Spec: https://docs.anthropic.com/en/api/messages-streaming "Event types".
class StreamAssembler {
 public:
  explicit StreamAssembler(const StreamCallbacks* callbacks) : callbacks_(callbacks) {}

  Status on_event(const SseEvent& event) {
    if (stopped_) return ok();
    json::value v = WG_TRY(ja::parse(event.data, "event \"" + event.event + "\" data"));
    const std::string where = "event " + std::to_string(count_++) + " (" + event.event + ")";
    const json::object* o = WG_TRY(ja::object_at(v, where));
    const std::string type = WG_TRY(ja::string_member(*o, where, "type"));
    if (type == "ping") return ok();
    if (type == "error") {
      std::string etype, message = "unknown error";
      if (const json::value* e = ja::optional_member(*o, "error"); e != nullptr && e->is_object()) {
        etype = WG_TRY(ja::optional_string_member(e->get_object(), where + ".error", "type")).value_or("");
        message = WG_TRY(ja::optional_string_member(e->get_object(), where + ".error", "message")).value_or(message);
      }
      return make_error(etype == "overloaded_error" ? ErrorCode::LimitExceeded : ErrorCode::Io,
                        "stream error: " + (etype.empty() ? "" : etype + ": ") + message);
    }
    if (type == "message_start") {
      const json::object* m = WG_TRY(ja::object_at(*WG_TRY(ja::member(*o, where, "message")), where + ".message"));
      response_.model = WG_TRY(ja::optional_string_member(*m, where + ".message", "model")).value_or("");
      response_.usage = WG_TRY(parse_usage(*m, where + ".message", response_.usage));
      started_ = true;
      return ok();
    }
    if (!started_) return std::unexpected(ja::malformed(where, "event before message_start"));
    if (type == "content_block_start") {
      const std::uint64_t index = WG_TRY(index_of(*o, where));
      const std::string bpath = where + ".content_block";
      const json::object* b = WG_TRY(ja::object_at(*WG_TRY(ja::member(*o, where, "content_block")), bpath));
      const std::string btype = WG_TRY(ja::string_member(*b, bpath, "type"));
      Block block;
      if (btype == "text") {
        block.kind = Block::Kind::Text;
        block.text = WG_TRY(ja::string_member(*b, bpath, "text"));
      } else if (btype == "tool_use") {
        block.kind = Block::Kind::ToolUse;
        block.tool.id = WG_TRY(ja::string_member(*b, bpath, "id"));
        block.tool.name = WG_TRY(ja::string_member(*b, bpath, "name"));
        if (callbacks_ != nullptr && callbacks_->on_tool_use_start) {
          callbacks_->on_tool_use_start(block.tool.id, block.tool.name);
        }
      }
      if (!blocks_.emplace(index, std::move(block)).second) {
        return std::unexpected(ja::malformed(where + ".index", "block " + std::to_string(index) + " started twice"));
      }
      return ok();
    }
    if (type == "content_block_delta") {
      const std::uint64_t index = WG_TRY(index_of(*o, where));
      auto it = blocks_.find(index);
      if (it == blocks_.end()) return std::unexpected(ja::malformed(where + ".index", "delta for an unstarted block"));
      const std::string dpath = where + ".delta";
      const json::object* d = WG_TRY(ja::object_at(*WG_TRY(ja::member(*o, where, "delta")), dpath));
      const std::string dtype = WG_TRY(ja::string_member(*d, dpath, "type"));
      if (dtype == "text_delta") {
        if (it->second.kind != Block::Kind::Text) {
          return std::unexpected(ja::malformed(dpath, "text_delta for a non-text block"));
        }
        std::string text = WG_TRY(ja::string_member(*d, dpath, "text"));
        if (callbacks_ != nullptr && callbacks_->on_text_delta) callbacks_->on_text_delta(text);
        it->second.text += text;
      } else if (dtype == "input_json_delta") {
        if (it->second.kind != Block::Kind::ToolUse) {
          return std::unexpected(ja::malformed(dpath, "input_json_delta for a non-tool_use block"));
        }
        it->second.partial_json += WG_TRY(ja::string_member(*d, dpath, "partial_json"));
      }
      return ok();
    }
    if (type == "content_block_stop") {
      const std::uint64_t index = WG_TRY(index_of(*o, where));
      auto it = blocks_.find(index);
      if (it == blocks_.end()) return std::unexpected(ja::malformed(where + ".index", "stop for an unstarted block"));
      WG_TRY(close_block(it->second, where));
      return ok();
    }
    if (type == "message_delta") {
      if (const json::value* d = ja::optional_member(*o, "delta")) {
        const json::object* dobj = WG_TRY(ja::object_at(*d, where + ".delta"));
        if (auto s = WG_TRY(ja::optional_string_member(*dobj, where + ".delta", "stop_reason"))) {
          response_.stop_reason_raw = *s;
          response_.stop_reason = map_stop_reason(*s);
        }
      }
      response_.usage = WG_TRY(parse_usage(*o, where, response_.usage));
      return ok();
    }
    if (type == "message_stop") {
      stopped_ = true;
      return ok();
    }
    return ok();  // Spec: "we may occasionally add new event types"; ignore them.
  }

  Result<Response> finish(std::string raw) {
    if (!stopped_) return std::unexpected(ja::malformed("stream", "ended before message_stop"));
    for (auto& [index, block] : blocks_) {
      if (!block.closed) WG_TRY(close_block(block, "block " + std::to_string(index)));
      if (block.kind == Block::Kind::Text)
        response_.content.push_back(TextBlock{std::move(block.text)});
      else if (block.kind == Block::Kind::ToolUse)
        response_.content.push_back(std::move(block.tool));
    }
    response_.raw = std::move(raw);
    return std::move(response_);
  }

 private:
  struct Block {
    enum class Kind { Text, ToolUse, Skipped } kind = Kind::Skipped;
    std::string text;
    ToolUseBlock tool;
    std::string partial_json;
    bool closed = false;
  };

  static Result<std::uint64_t> index_of(const json::object& o, const std::string& where) {
    const json::value* v = WG_TRY(ja::member(o, where, "index"));
    if (v->is_uint64()) return v->get_uint64();
    if (v->is_int64() && v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
    return std::unexpected(ja::malformed(where + ".index", "expected a non-negative integer"));
  }

  // Spec: the accumulated partial_json of a tool_use block is a complete
  // JSON object once its content_block_stop arrives ("" means {}).
  Status close_block(Block& block, const std::string& where) {
    block.closed = true;
    if (block.kind != Block::Kind::ToolUse) return ok();
    if (block.partial_json.find_first_not_of(" \t\r\n") == std::string::npos) {
      block.tool.input = json::object();
      return ok();
    }
    auto parsed = ja::parse(block.partial_json, "tool_use input");
    if (!parsed || !parsed->is_object()) {
      return std::unexpected(
          ja::malformed(where, "input_json_delta fragments of tool_use \"" + block.tool.name +
                                   "\" do not form a JSON object: " + block.partial_json.substr(0, 120)));
    }
    block.tool.input = std::move(*parsed);
    return ok();
  }

  const StreamCallbacks* callbacks_;
  Response response_;
  std::map<std::uint64_t, Block> blocks_;
  std::size_t count_ = 0;
  bool started_ = false;
  bool stopped_ = false;
};

Result<Response> parse_sse_reply(std::string_view raw) {
  SseDecoder decoder;
  std::vector<SseEvent> events;
  decoder.feed(raw, events);
  decoder.finish(events);
  StreamAssembler assembler(nullptr);
  for (const SseEvent& e : events) WG_TRY(assembler.on_event(e));
  return assembler.finish(std::string(raw));
}

}  // namespace

json::object AnthropicProvider::request_body(const Request& request, bool stream) const {
  json::object body;
  body["model"] = request.model.empty() ? options_.model : request.model;
  body["max_tokens"] = request.max_tokens != 0 ? request.max_tokens : options_.max_tokens;
  if (!request.system.empty()) body["system"] = request.system;
  json::array messages;
  for (const Message& m : request.messages) {
    json::array content;
    for (const ContentBlock& b : m.content) content.push_back(block_json(b));
    messages.push_back(json::object{{"role", to_string(m.role)}, {"content", std::move(content)}});
  }
  body["messages"] = std::move(messages);
  if (!request.tools.empty()) {
    json::array tools;
    for (const ToolDefinition& t : request.tools) {
      json::object tool{
          {"name", t.name},
          {"input_schema", t.input_schema.is_null() ? json::value(json::object{{"type", "object"}}) : t.input_schema}};
      if (!t.description.empty()) tool["description"] = t.description;
      tools.push_back(std::move(tool));
    }
    body["tools"] = std::move(tools);
  }
  if (request.temperature) body["temperature"] = *request.temperature;
  if (stream) body["stream"] = true;
  return body;
}

Result<Response> AnthropicProvider::complete(const Request& request, const StreamCallbacks* stream) {
  Headers headers{{"content-type", "application/json"}, {"anthropic-version", std::string(kAnthropicVersion)}};
  if (!options_.api_key.empty()) headers.emplace_back("x-api-key", options_.api_key);
  return wire::complete_request<StreamAssembler>(options_, "/v1/messages", std::move(headers),
                                                 json::serialize(request_body(request, stream != nullptr)), stream,
                                                 parse_json_reply);
}

Result<Response> AnthropicProvider::parse_reply(std::string_view raw) const {
  return wire::parse_recorded(raw, options_.name, parse_json_reply, parse_sse_reply);
}

}  // namespace wg::llm
