#include "mcp/client/stdio_child.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "mcp/protocol/str_cat.h"
#include "mcp/transport/stdio.h"

extern char** environ;

namespace wg::mcp {

struct StdioChildTransport::State {
  StdioChildOptions options;
  pid_t pid = -1;
  int to_child = -1;    // child's stdin (write end); guarded by write_mutex
  int from_child = -1;  // child's stdout (read end), owned by the reader
  int wake[2] = {-1, -1};
  std::mutex write_mutex;  // guards to_child and the message boundaries on it
  std::thread reader;
  std::mutex status_mutex;  // guards status, reaped
  std::optional<int> status;
  bool reaped = false;
  bool closing = false;

  void close_stdin() {
    std::lock_guard lock(write_mutex);
    if (to_child >= 0) {
      ::close(to_child);
      to_child = -1;
    }
  }

  // Waits for the child with a deadline; escalates to SIGTERM, then SIGKILL.
  void reap() {
    std::lock_guard lock(status_mutex);
    if (reaped || pid <= 0) return;
    auto wait_for = [&](std::chrono::milliseconds limit) {
      const auto end = std::chrono::steady_clock::now() + limit;
      for (;;) {
        int st = 0;
        const pid_t r = ::waitpid(pid, &st, WNOHANG);
        if (r == pid) {
          status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
          return true;
        }
        if (r < 0 && errno != EINTR) return true;
        if (std::chrono::steady_clock::now() >= end) return false;
        ::poll(nullptr, 0, 10);  // a bounded wait for a process, not synchronisation of our own threads
      }
    };
    if (!wait_for(options.grace)) {
      ::kill(pid, SIGTERM);
      if (!wait_for(options.grace)) {
        ::kill(pid, SIGKILL);
        wait_for(std::chrono::hours(1));
      }
    }
    reaped = true;
  }
};

Result<std::unique_ptr<StdioChildTransport>> StdioChildTransport::spawn(const std::vector<std::string>& argv,
                                                                        StdioChildOptions options) {
  if (argv.empty()) return make_error(ErrorCode::Invalid, "stdio upstream: empty command");
  auto state = std::make_shared<State>();
  state->options = options;
  int in[2], out[2];
  if (::pipe2(in, O_CLOEXEC) != 0) return make_error(ErrorCode::Io, str_cat("pipe: ", std::strerror(errno)));
  if (::pipe2(out, O_CLOEXEC) != 0) {
    ::close(in[0]);
    ::close(in[1]);
    return make_error(ErrorCode::Io, str_cat("pipe: ", std::strerror(errno)));
  }
  if (::pipe2(state->wake, O_CLOEXEC) != 0) {
    for (int fd : {in[0], in[1], out[0], out[1]}) ::close(fd);
    return make_error(ErrorCode::Io, str_cat("pipe: ", std::strerror(errno)));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = ::posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  if (rc != 0) {
    ::close(in[1]);
    ::close(out[0]);
    ::close(state->wake[0]);
    ::close(state->wake[1]);
    return make_error(ErrorCode::Io, str_cat("cannot start \"", argv[0], "\": ", std::strerror(rc)));
  }
  // A child that dies must not kill us with SIGPIPE on the next write.
  ::signal(SIGPIPE, SIG_IGN);
  state->pid = pid;
  state->to_child = in[1];
  state->from_child = out[0];
  return std::unique_ptr<StdioChildTransport>(new StdioChildTransport(std::move(state)));
}

StdioChildTransport::~StdioChildTransport() {
  close();
  if (state_->reader.joinable()) {
    const char byte = 1;
    [[maybe_unused]] ssize_t ignored = ::write(state_->wake[1], &byte, 1);
    state_->reader.join();
  }
  for (int fd : {state_->from_child, state_->wake[0], state_->wake[1]}) {
    if (fd >= 0) ::close(fd);
  }
}

void StdioChildTransport::start(std::function<void(std::string)> on_message, std::function<void(Error)> on_closed) {
  auto state = state_;
  state->reader = std::thread([state, on_message = std::move(on_message), on_closed = std::move(on_closed)] {
    LineSplitter splitter(state->options.max_line_bytes);
    char buffer[64 * 1024];
    std::string why = "the upstream process closed its output";
    for (;;) {
      pollfd fds[2] = {{state->from_child, POLLIN, 0}, {state->wake[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        why = str_cat("poll: ", std::strerror(errno));
        break;
      }
      if (fds[1].revents) return;  // destroyed: nobody is listening any more
      const ssize_t n = ::read(state->from_child, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      splitter.push(std::string_view(buffer, static_cast<std::size_t>(n)), on_message, [] {});
    }
    on_closed(Error(ErrorCode::Io, why));
  });
}

void StdioChildTransport::send(std::string message) {
  message.push_back('\n');
  std::lock_guard lock(state_->write_mutex);
  if (state_->to_child < 0) return;
  std::size_t done = 0;
  while (done < message.size()) {
    const ssize_t n = ::write(state_->to_child, message.data() + done, message.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // the child is gone; the reader reports the end
    done += static_cast<std::size_t>(n);
  }
}

void StdioChildTransport::close() {
  state_->close_stdin();
  state_->reap();
}

int StdioChildTransport::pid() const { return state_->pid; }

std::optional<int> StdioChildTransport::exit_status() const {
  std::lock_guard lock(state_->status_mutex);
  return state_->status;
}

}  // namespace wg::mcp
