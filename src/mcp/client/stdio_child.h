// ClientTransport over a child process's stdin/stdout (spec 2025-11-25
// basic/transports "stdio"): newline-delimited messages; the child's
// stderr is inherited (it is the child's log).
//
// Contract: spawn() starts argv[0] (looked up in PATH) with pipes; a reader
// thread splits the child's stdout into lines (at most max_line_bytes; an
// over-long line is dropped) and hands them to on_message. EOF on the
// child's stdout ends the connection (on_closed). close() closes the
// child's stdin, waits up to `grace` for it to exit, then sends SIGTERM,
// then SIGKILL (spec: stdio shutdown sequence). The destructor does the same.
// Failures: Io when the process cannot be started.
// Thread-safety: send() and close() may be called from any thread.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "mcp/client/client.h"

namespace wg::mcp {

struct StdioChildOptions {
  std::size_t max_line_bytes = 4 * 1024 * 1024;
  std::chrono::milliseconds grace{std::chrono::seconds(2)};
};

class StdioChildTransport : public ClientTransport {
 public:
  static Result<std::unique_ptr<StdioChildTransport>> spawn(const std::vector<std::string>& argv,
                                                            StdioChildOptions options = {});
  ~StdioChildTransport() override;

  void start(std::function<void(std::string)> on_message, std::function<void(Error)> on_closed) override;
  void send(std::string message) override;
  void close() override;

  int pid() const;
  // The child's exit status once it has been reaped (after close()).
  std::optional<int> exit_status() const;

  struct State;

 private:
  explicit StdioChildTransport(std::shared_ptr<State> state) : state_(std::move(state)) {}
  std::shared_ptr<State> state_;
};

}  // namespace wg::mcp
