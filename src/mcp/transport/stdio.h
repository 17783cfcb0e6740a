// MCP over stdio: newline-delimited JSON-RPC on a pair of file descriptors.
//
// Contract (spec 2025-11-25 basic/transports "stdio"): each message is one
// line of UTF-8 JSON without embedded newlines; only protocol messages are
// written to the output fd (logs belong on stderr); the session ends when
// the input reaches EOF. serve_stdio() opens one Session on `server`,
// reads lines on a reader thread (so stdin may be a pipe, a tty or a
// regular file), runs `io` on the calling thread, and returns when the
// input ended and the requests already received have been answered (or
// `drain_timeout` passed). A line longer than the message cap is answered
// with -32600 and skipped. Failures: Io when the output cannot be written.
// Side effect: SIGPIPE is ignored process-wide (a vanished client is an
// Io error, not a fatal signal).
// Thread-safety: one call per (in_fd, out_fd) pair at a time.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "base/error.h"
#include "mcp/server/server.h"
#include "mcp/server/session.h"

namespace wg::mcp {

struct StdioOptions {
  int in_fd = 0;
  int out_fd = 1;
  std::chrono::milliseconds drain_timeout{std::chrono::seconds(30)};
  // Called with the session once it is open (e.g. to keep a handle for logging).
  std::function<void(const std::shared_ptr<Session>&)> on_session;
};

Status serve_stdio(Server& server, boost::asio::io_context& io, const StdioOptions& options = {});

// Splits a byte stream into lines of at most `max_bytes` (sans-I/O core of
// the stdio reader, used by the client side too). push() returns complete
// lines; an over-long line is reported once as an empty optional and
// skipped up to its newline.
class LineSplitter {
 public:
  explicit LineSplitter(std::size_t max_bytes) : max_bytes_(max_bytes) {}
  // Appends bytes; calls `line` for each complete line (without "\n" or a
  // trailing "\r"; empty lines are skipped) and `too_long` for each line
  // over the limit.
  void push(std::string_view bytes, const std::function<void(std::string)>& line,
            const std::function<void()>& too_long);

 private:
  std::size_t max_bytes_;
  std::string partial_;
  bool discarding_ = false;
};

}  // namespace wg::mcp
