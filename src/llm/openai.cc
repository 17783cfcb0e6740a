#include "llm/openai.h"

#include <boost/json/serialize.hpp>
#include <map>

#include "llm/json_access.h"
#include "llm/wire.h"

namespace wg::llm {
namespace json = boost::json;
namespace ja = json_access;

namespace {

StopReason map_finish_reason(std::string_view s) {
  if (s == "stop") return StopReason::EndTurn;
  if (s == "tool_calls" || s == "function_call") return StopReason::ToolUse;
  if (s == "length") return StopReason::MaxTokens;
  if (s == "content_filter") return StopReason::Refusal;
  return StopReason::Other;
}

Result<Usage> parse_usage(const json::object& parent, std::string_view path, Usage base) {
  const json::value* u = ja::optional_member(parent, "usage");
  if (u == nullptr) return base;
  const std::string upath = ja::join(path, "usage");
  const json::object* uo = WG_TRY(ja::object_at(*u, upath));
  base.input_tokens = WG_TRY(ja::optional_count_member(*uo, upath, "prompt_tokens"));
  base.output_tokens = WG_TRY(ja::optional_count_member(*uo, upath, "completion_tokens"));
  return base;
}

// Tool arguments arrive as a JSON string; some servers send the object.
Result<json::value> parse_arguments(const json::value& v, const std::string& path) {
  if (v.is_object()) return v;
  if (!v.is_string()) return std::unexpected(ja::malformed(path, "expected a string, got " + ja::kind_name(v)));
  std::string_view text = v.get_string();
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return json::value(json::object());
  auto parsed = ja::parse(text, path);
  if (!parsed || !parsed->is_object()) {
    return std::unexpected(ja::malformed(path, "not a JSON object: " + std::string(text.substr(0, 120))));
  }
  return std::move(*parsed);
}

Result<Response> parse_json_reply(std::string_view raw) {
  json::value v = WG_TRY(ja::parse(raw, "body"));
  const json::object* o = WG_TRY(ja::object_at(v, ""));
  if (const json::value* e = ja::optional_member(*o, "error")) {
    std::string message = e->is_string() ? std::string(e->get_string()) : "error reply";
    if (e->is_object()) {
      message = WG_TRY(ja::optional_string_member(e->get_object(), "error", "message")).value_or(message);
    }
    return make_error(ErrorCode::Io, "error reply: " + message);
  }
  const json::array* choices = WG_TRY(ja::array_at(*WG_TRY(ja::member(*o, "", "choices")), "choices"));
  if (choices->empty()) return std::unexpected(ja::malformed("choices", "empty"));
  const json::object* choice = WG_TRY(ja::object_at((*choices)[0], "choices[0]"));
  const json::object* message =
      WG_TRY(ja::object_at(*WG_TRY(ja::member(*choice, "choices[0]", "message")), "choices[0].message"));
  Response r;
  if (auto text = WG_TRY(ja::optional_string_member(*message, "choices[0].message", "content"));
      text && !text->empty()) {
    r.content.push_back(TextBlock{std::move(*text)});
  }
  if (const json::value* calls = ja::optional_member(*message, "tool_calls")) {
    const std::string cpath = "choices[0].message.tool_calls";
    const json::array* arr = WG_TRY(ja::array_at(*calls, cpath));
    for (std::size_t i = 0; i < arr->size(); ++i) {
      const std::string path = ja::index(cpath, i);
      const json::object* call = WG_TRY(ja::object_at((*arr)[i], path));
      ToolUseBlock b;
      b.id = WG_TRY(ja::string_member(*call, path, "id"));
      const json::object* fn = WG_TRY(ja::object_at(*WG_TRY(ja::member(*call, path, "function")), path + ".function"));
      b.name = WG_TRY(ja::string_member(*fn, path + ".function", "name"));
      const json::value* args = WG_TRY(ja::member(*fn, path + ".function", "arguments"));
      b.input = WG_TRY(parse_arguments(*args, path + ".function.arguments"));
      r.content.push_back(std::move(b));
    }
  }
  r.stop_reason_raw = WG_TRY(ja::optional_string_member(*choice, "choices[0]", "finish_reason")).value_or("");
  r.stop_reason = map_finish_reason(r.stop_reason_raw);
  r.model = WG_TRY(ja::optional_string_member(*o, "", "model")).value_or("");
  r.usage = WG_TRY(parse_usage(*o, "", Usage{}));
  r.raw = std::string(raw);
  return r;
}

class StreamAssembler {
 public:
  explicit StreamAssembler(const StreamCallbacks* callbacks) : callbacks_(callbacks) {}

  Status on_event(const SseEvent& event) {
    if (done_) return ok();
    if (event.data == "[DONE]") {
      done_ = true;
      return ok();
    }
    const std::string where = "chunk " + std::to_string(count_++);
    json::value v = WG_TRY(ja::parse(event.data, where));
    const json::object* o = WG_TRY(ja::object_at(v, where));
    if (const json::value* e = ja::optional_member(*o, "error")) {
      std::string message = e->is_string() ? std::string(e->get_string()) : "unknown error";
      if (e->is_object()) {
        message = WG_TRY(ja::optional_string_member(e->get_object(), where + ".error", "message")).value_or(message);
      }
      return make_error(ErrorCode::Io, "stream error: " + message);
    }
    if (auto m = WG_TRY(ja::optional_string_member(*o, where, "model"))) response_.model = *m;
    response_.usage = WG_TRY(parse_usage(*o, where, response_.usage));
    const json::value* choices_v = ja::optional_member(*o, "choices");
    if (choices_v == nullptr) return ok();
    const json::array* choices = WG_TRY(ja::array_at(*choices_v, where + ".choices"));
    if (choices->empty()) return ok();  // the include_usage chunk
    const std::string cpath = where + ".choices[0]";
    const json::object* choice = WG_TRY(ja::object_at((*choices)[0], cpath));
    if (auto f = WG_TRY(ja::optional_string_member(*choice, cpath, "finish_reason"))) {
      response_.stop_reason_raw = *f;
      response_.stop_reason = map_finish_reason(*f);
    }
    const json::value* delta_v = ja::optional_member(*choice, "delta");
    if (delta_v == nullptr) return ok();
    const std::string dpath = cpath + ".delta";
    const json::object* delta = WG_TRY(ja::object_at(*delta_v, dpath));
    if (auto text = WG_TRY(ja::optional_string_member(*delta, dpath, "content")); text && !text->empty()) {
      if (callbacks_ != nullptr && callbacks_->on_text_delta) callbacks_->on_text_delta(*text);
      text_ += *text;
    }
    if (const json::value* calls_v = ja::optional_member(*delta, "tool_calls")) {
      const json::array* calls = WG_TRY(ja::array_at(*calls_v, dpath + ".tool_calls"));
      for (std::size_t i = 0; i < calls->size(); ++i) {
        const std::string path = ja::index(dpath + ".tool_calls", i);
        const json::object* call = WG_TRY(ja::object_at((*calls)[i], path));
        // Fragments of one call share its "index"; a missing index means
        // the i-th call (some servers omit it).
        std::uint64_t index = i;
        if (const json::value* iv = ja::optional_member(*call, "index")) {
          if (iv->is_uint64())
            index = iv->get_uint64();
          else if (iv->is_int64() && iv->get_int64() >= 0)
            index = static_cast<std::uint64_t>(iv->get_int64());
          else
            return std::unexpected(ja::malformed(path + ".index", "expected a non-negative integer"));
        }
        Call& c = calls_[index];
        if (auto id = WG_TRY(ja::optional_string_member(*call, path, "id")); id && !id->empty()) c.id = *id;
        if (const json::value* fn_v = ja::optional_member(*call, "function")) {
          const json::object* fn = WG_TRY(ja::object_at(*fn_v, path + ".function"));
          if (auto name = WG_TRY(ja::optional_string_member(*fn, path + ".function", "name")); name && !name->empty()) {
            const bool first = c.name.empty();
            c.name += *name;
            if (first && callbacks_ != nullptr && callbacks_->on_tool_use_start) {
              callbacks_->on_tool_use_start(c.id, c.name);
            }
          }
          if (const json::value* args = ja::optional_member(*fn, "arguments")) {
            if (args->is_string())
              c.arguments += args->get_string();
            else if (args->is_object())
              c.arguments += json::serialize(*args);
            else
              return std::unexpected(ja::malformed(path + ".function.arguments", "expected a string"));
          }
        }
      }
    }
    return ok();
  }

  Result<Response> finish(std::string raw) {
    if (!done_ && response_.stop_reason_raw.empty()) {
      return std::unexpected(ja::malformed("stream", "ended without a finish_reason or data: [DONE]"));
    }
    if (!text_.empty()) response_.content.push_back(TextBlock{std::move(text_)});
    for (auto& [index, c] : calls_) {
      const std::string path = "tool call " + std::to_string(index);
      if (c.id.empty()) return std::unexpected(ja::malformed(path, "no id"));
      if (c.name.empty()) return std::unexpected(ja::malformed(path, "no function name"));
      ToolUseBlock b{c.id, c.name, WG_TRY(parse_arguments(json::value(c.arguments), path + " arguments"))};
      response_.content.push_back(std::move(b));
    }
    response_.raw = std::move(raw);
    return std::move(response_);
  }

 private:
  struct Call {
    std::string id, name, arguments;
  };
  const StreamCallbacks* callbacks_;
  Response response_;
  std::string text_;
  std::map<std::uint64_t, Call> calls_;
  std::size_t count_ = 0;
  bool done_ = false;
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

json::object OpenAiProvider::request_body(const Request& request, bool stream) const {
  json::object body;
  body["model"] = request.model.empty() ? options_.model : request.model;
  json::array messages;
  if (!request.system.empty()) messages.push_back(json::object{{"role", "system"}, {"content", request.system}});
  for (const Message& m : request.messages) {
    std::string text;
    json::array calls;
    for (const ContentBlock& b : m.content) {
      if (const auto* t = std::get_if<TextBlock>(&b)) {
        text += t->text;
      } else if (const auto* u = std::get_if<ToolUseBlock>(&b)) {
        calls.push_back(json::object{
            {"id", u->id},
            {"type", "function"},
            {"function", json::object{{"name", u->name},
                                      {"arguments", json::serialize(u->input.is_null() ? json::value(json::object())
                                                                                       : u->input)}}}});
      } else if (const auto* r = std::get_if<ToolResultBlock>(&b)) {
        messages.push_back(json::object{{"role", "tool"},
                                        {"tool_call_id", r->tool_use_id},
                                        {"content", r->is_error ? "Error: " + r->content : r->content}});
      }
    }
    if (m.role == Role::Assistant) {
      if (text.empty() && calls.empty()) continue;
      json::object msg{{"role", "assistant"}};
      msg["content"] = text.empty() ? json::value(nullptr) : json::value(text);
      if (!calls.empty()) msg["tool_calls"] = std::move(calls);
      messages.push_back(std::move(msg));
    } else if (!text.empty()) {
      messages.push_back(json::object{{"role", "user"}, {"content", text}});
    }
  }
  body["messages"] = std::move(messages);
  if (!request.tools.empty()) {
    json::array tools;
    for (const ToolDefinition& t : request.tools) {
      json::object fn{
          {"name", t.name},
          {"parameters", t.input_schema.is_null() ? json::value(json::object{{"type", "object"}}) : t.input_schema}};
      if (!t.description.empty()) fn["description"] = t.description;
      tools.push_back(json::object{{"type", "function"}, {"function", std::move(fn)}});
    }
    body["tools"] = std::move(tools);
  }
  body["max_tokens"] = request.max_tokens != 0 ? request.max_tokens : options_.max_tokens;
  if (request.temperature) body["temperature"] = *request.temperature;
  if (stream) {
    body["stream"] = true;
    body["stream_options"] = json::object{{"include_usage", true}};
  }
  return body;
}

Result<Response> OpenAiProvider::complete(const Request& request, const StreamCallbacks* stream) {
  Headers headers{{"content-type", "application/json"}};
  if (!options_.api_key.empty()) headers.emplace_back("authorization", "Bearer " + options_.api_key);
  return wire::complete_request<StreamAssembler>(options_, "/chat/completions", std::move(headers),
                                                 json::serialize(request_body(request, stream != nullptr)), stream,
                                                 parse_json_reply);
}

Result<Response> OpenAiProvider::parse_reply(std::string_view raw) const {
  return wire::parse_recorded(raw, options_.name, parse_json_reply, parse_sse_reply);
}

}  // namespace wg::llm
