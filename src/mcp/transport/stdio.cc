#include "mcp/transport/stdio.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>

#include "mcp/protocol/jsonrpc.h"
#include "mcp/protocol/str_cat.h"

namespace wg::mcp {
namespace asio = boost::asio;

void LineSplitter::push(std::string_view bytes, const std::function<void(std::string)>& line,
                        const std::function<void()>& too_long) {
  while (!bytes.empty()) {
    const std::size_t nl = bytes.find('\n');
    const std::string_view piece = bytes.substr(0, nl);
    if (!discarding_) {
      if (partial_.size() + piece.size() > max_bytes_ + 1) {  // +1: a trailing '\r'
        discarding_ = true;
        partial_.clear();
        too_long();
      } else {
        partial_.append(piece);
      }
    }
    if (nl == std::string_view::npos) return;
    bytes.remove_prefix(nl + 1);
    if (discarding_) {
      discarding_ = false;
      continue;
    }
    std::string done = std::move(partial_);
    partial_.clear();
    if (!done.empty() && done.back() == '\r') done.pop_back();
    if (!done.empty()) line(std::move(done));
  }
}

namespace {

// Writes whole messages, one per line, to the output fd.
class FdOutbound : public Outbound {
 public:
  explicit FdOutbound(int fd) : fd_(fd) {}

  void send(std::string message) override {
    message.push_back('\n');
    std::lock_guard lock(mutex_);
    if (failed_) return;
    std::size_t done = 0;
    while (done < message.size()) {
      const ssize_t n = ::write(fd_, message.data() + done, message.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        failed_ = true;
        error_ = std::strerror(errno);
        return;
      }
      done += static_cast<std::size_t>(n);
    }
  }

  std::optional<std::string> failure() {
    std::lock_guard lock(mutex_);
    if (!failed_) return std::nullopt;
    return error_;
  }

 private:
  int fd_;
  std::mutex mutex_;  // guards failed_, error_ and the fd's message boundaries
  bool failed_ = false;
  std::string error_;
};

}  // namespace

Status serve_stdio(Server& server, asio::io_context& io, const StdioOptions& options) {
  // A client that goes away must end the session with an Io error, not
  // kill the process with SIGPIPE on the next write.
  ::signal(SIGPIPE, SIG_IGN);
  auto out = std::make_shared<FdOutbound>(options.out_fd);
  auto session = server.open_session(io.get_executor(), out);
  if (options.on_session) options.on_session(session);
  auto work = std::make_shared<asio::executor_work_guard<asio::io_context::executor_type>>(io.get_executor());

  int wake[2];
  if (::pipe(wake) != 0) return make_error(ErrorCode::Io, str_cat("stdio: pipe: ", std::strerror(errno)));
  const std::size_t max_bytes = server.options().limits.json.max_bytes;

  std::thread reader([&, session, out] {
    LineSplitter splitter(max_bytes);
    char buffer[64 * 1024];
    for (;;) {
      pollfd fds[2] = {{options.in_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
      if (::poll(fds, 2, -1) < 0) {
        if (errno == EINTR) continue;
        break;
      }
      if (fds[1].revents) break;  // asked to stop
      const ssize_t n = ::read(options.in_fd, buffer, sizeof buffer);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // EOF or a dead input: the session ends
      splitter.push(
          std::string_view(buffer, static_cast<std::size_t>(n)),
          [&](std::string line) { session->receive(std::move(line)); },
          [&] {
            asio::post(session->strand(), [out, max_bytes] {
              out->send(encode_error(std::nullopt, RpcCode::InvalidRequest,
                                     str_cat("message exceeds the limit of ", max_bytes, " bytes")));
            });
          });
    }
    // Spec: basic/transports "stdio" shutdown: input closed, so finish
    // what was received and exit.
    auto timer = std::make_shared<asio::steady_timer>(io, options.drain_timeout);
    auto finish = [session, work, timer] {
      timer->cancel();
      session->close();
      work->reset();
    };
    timer->async_wait([session, work](const boost::system::error_code& ec) {
      if (ec) return;
      session->close();
      work->reset();
    });
    session->end_input([finish] { finish(); });
  });

  io.run();
  // io.run() also returns if someone stopped `io`: wake the reader.
  const char byte = 1;
  [[maybe_unused]] ssize_t ignored = ::write(wake[1], &byte, 1);
  reader.join();
  ::close(wake[0]);
  ::close(wake[1]);
  if (auto failure = out->failure()) return make_error(ErrorCode::Io, str_cat("stdio: writing output: ", *failure));
  return ok();
}

}  // namespace wg::mcp
