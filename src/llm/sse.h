// Incremental decoder for text/event-stream bodies.
// Spec: HTML Living Standard, "Server-sent events", 9.2.6 "Interpreting an
// event stream": lines end in LF or CRLF; "field: value" with one optional
// space after the colon; lines starting with ':' are comments; "data" lines
// are joined with "\n"; a blank line dispatches the event. (A lone CR line
// ending is not supported: no model API sends one.)
// Thread-safety: one decoder per stream.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace wg::llm {

struct SseEvent {
  std::string event;  // empty when the server sent no "event:" line
  std::string data;
};

class SseDecoder {
 public:
  // Consumes `bytes` (any split) and appends the events completed by them.
  void feed(std::string_view bytes, std::vector<SseEvent>& out);
  // End of stream: dispatches a final event not followed by a blank line.
  void finish(std::vector<SseEvent>& out);

 private:
  void line(std::string_view text, std::vector<SseEvent>& out);
  std::string pending_;  // an incomplete line
  SseEvent current_;
  bool has_data_ = false;
};

}  // namespace wg::llm
