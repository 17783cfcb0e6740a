// A scripted model server for tests: a real HTTP/1.1 server (Boost.Beast) on
// 127.0.0.1 with an ephemeral port, speaking both wire formats:
//   POST .../v1/messages        -> Anthropic Messages
//   POST .../chat/completions   -> OpenAI Chat Completions
// Each request takes the next FakeReply from the queue and renders it in the
// format of the path it arrived on; when the request body has
// "stream": true the reply is a chunked text/event-stream (text split into
// several deltas, tool inputs split into small JSON fragments), otherwise one
// JSON document. So one script drives either provider, streamed or not.
//
// Scripted failures: error(status, message[, retry_after]) sends the format's
// error JSON; raw(status, body) sends bytes as given (malformed replies);
// hang() records the request and holds the connection open, answering
// nothing, until release_held() or destruction — for timeout tests that
// never sleep. An empty queue answers 500 "no scripted reply left".
//
// Every request is recorded (method, target, lower-cased headers, body and
// its parsed JSON) before it is answered.
// Thread-safety: every public member may be called from any thread; the
// server runs on its own thread until destroyed.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "base/error.h"

namespace wg::llm::testing {

struct FakeToolCall {
  std::string id;
  std::string name;
  boost::json::value input;  // an object
};

struct FakeReply {
  enum class Kind { Message, HttpError, Raw, Hang };
  Kind kind = Kind::Message;

  // Message: text (may be empty) then tool calls.
  std::string text;
  std::vector<FakeToolCall> tool_calls;
  std::string stop_reason;  // Anthropic spelling; "" = tool_use if tool_calls else end_turn
  std::uint64_t input_tokens = 11;
  std::uint64_t output_tokens = 7;

  // HttpError / Raw.
  unsigned status = 200;
  std::string body;  // Raw: sent verbatim; HttpError: the message
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;

  static FakeReply text_reply(std::string text);
  static FakeReply tool_use(std::vector<FakeToolCall> calls, std::string text = "");
  static FakeReply error(unsigned status, std::string message, std::optional<unsigned> retry_after_seconds = {});
  static FakeReply raw(unsigned status, std::string body, std::string content_type = "application/json");
  static FakeReply hang();
  FakeReply&& with_stop_reason(std::string reason) &&;
  FakeReply&& with_usage(std::uint64_t input, std::uint64_t output) &&;
};

struct RecordedRequest {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;
  boost::json::value json;  // null when the body is not JSON

  // "" when absent.
  std::string header(const std::string& lower_case_name) const;
};

class FakeModelServer {
 public:
  static Result<std::unique_ptr<FakeModelServer>> start();
  ~FakeModelServer();
  FakeModelServer(const FakeModelServer&) = delete;
  FakeModelServer& operator=(const FakeModelServer&) = delete;

  // "http://127.0.0.1:<port>" — the Anthropic base URL.
  std::string base_url() const;
  // base_url() + "/v1" — the OpenAI-compatible base URL.
  std::string openai_base_url() const { return base_url() + "/v1"; }

  void push(FakeReply reply);
  std::size_t pending_replies() const;
  std::vector<RecordedRequest> requests() const;
  // Closes every connection held by hang() replies (present and future ones
  // already queued keep holding until the next call).
  void release_held();

  struct Impl;

 private:
  explicit FakeModelServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wg::llm::testing
