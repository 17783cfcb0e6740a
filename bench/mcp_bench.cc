// wasmgate-bench-mcp: requests per second and latency of tools/call on the
// real `wasmgate serve` binary, over Streamable HTTP and over stdio.
//
//   wasmgate-bench-mcp --wasmgate PATH [--transport http|stdio|both]
//                      [--clients 1,4] [--requests N] [--warmup N] [--tool NAME]
//
// Each scenario (transport x client count) starts fresh servers with
// `--conformance-fixture` and calls a trivial tool (default test_simple_text,
// a synchronous handler returning one text block):
//   http:  one `wasmgate serve --http 127.0.0.1:0` per scenario; each client
//          is a thread with its own keep-alive TCP connection and its own MCP
//          session (initialize + notifications/initialized), sending one
//          request at a time (Boost.Beast, synchronous);
//   stdio: each client is a thread with its own `wasmgate serve --stdio`
//          child (one stdio process is one session), one request at a time
//          over its pipes.
// A client sends `--warmup` calls (not measured), then `--requests` measured
// calls; every response is checked (its id and the tool's text). Output: one
// line per scenario,
//   transport=http clients=4 requests=80000 seconds=9.81 rps=8155 p50_us=452 p99_us=1210 max_us=...
//     server_cpu_us_per_call=41.0
// where rps = measured calls of all clients / wall time of the measured
// phase, the percentiles are over every measured call's round trip, and
// server_cpu_us_per_call = user+system CPU time the server process(es)
// used during the measured phase / calls (proc(5) /proc/PID/stat; 10 ms
// ticks, so use enough calls): steadier than wall time on a busy machine.
// Exit status: 0 ok, 1 a server or response failed, 2 usage.
//
// Not part of the tests (timings never are): see docs/benchmarks.md.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <latch>
#include <optional>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kProtocolVersion = "2025-11-25";

struct Options {
  std::string wasmgate;
  std::vector<std::string> transports{"http", "stdio"};
  std::vector<int> clients{1, 4};
  int requests = 20000;  // measured calls per client
  int warmup = 500;      // unmeasured calls per client
  std::string tool = "test_simple_text";
  std::string expect = "This is a simple text response for testing.";
};

[[noreturn]] void die(const std::string& message) {
  std::fprintf(stderr, "wasmgate-bench-mcp: %s\n", message.c_str());
  std::exit(1);
}

// ---- child processes ---------------------------------------------------------

// A spawned child with optional pipes to its stdin/stdout/stderr.
struct Child {
  pid_t pid = -1;
  int in = -1;   // write end of the child's stdin
  int out = -1;  // read end of the child's stdout
  int err = -1;  // read end of the child's stderr

  // Closes its stdin, then SIGTERM and wait. The output pipes stay open
  // (a reader thread may still be draining them) until close_pipes().
  void terminate() {
    if (in >= 0) close(in);
    in = -1;
    if (pid > 0) {
      kill(pid, SIGTERM);
      int status = 0;
      waitpid(pid, &status, 0);
      pid = -1;
    }
  }
  void close_pipes() {
    if (out >= 0) close(out);
    if (err >= 0) close(err);
    out = err = -1;
  }
};

enum class Pipe { None, Stdio, Stderr };

Child spawn_child(const std::vector<std::string>& argv, Pipe pipes) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (pipes == Pipe::Stdio) {
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) die("pipe2 failed");
    posix_spawn_file_actions_adddup2(&actions, in[0], 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  } else if (pipes == Pipe::Stderr) {
    if (pipe2(err, O_CLOEXEC) != 0) die("pipe2 failed");
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  }
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  Child c;
  const int rc = posix_spawn(&c.pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) die("cannot start " + argv[0] + ": " + std::strerror(rc));
  if (pipes == Pipe::Stdio) {
    close(in[0]);
    close(out[1]);
    c.in = in[1];
    c.out = out[0];
  } else if (pipes == Pipe::Stderr) {
    close(err[1]);
    c.err = err[0];
  }
  return c;
}

// Reads newline-terminated lines from a file descriptor.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // The next line without its newline; nullopt at EOF or on error.
  std::optional<std::string> next() {
    for (;;) {
      if (auto nl = buffer_.find('\n', start_); nl != std::string::npos) {
        std::string line = buffer_.substr(start_, nl - start_);
        start_ = nl + 1;
        return line;
      }
      buffer_.erase(0, start_);
      start_ = 0;
      char chunk[65536];
      const ssize_t n = read(fd_, chunk, sizeof chunk);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return std::nullopt;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
  std::size_t start_ = 0;
};

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// ---- messages ------------------------------------------------------------------

std::string initialize_request() {
  return std::string(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":")") +
         std::string(kProtocolVersion) +
         R"(","capabilities":{},"clientInfo":{"name":"wasmgate-bench-mcp","version":"1"}}})";
}
constexpr std::string_view kInitialized = R"({"jsonrpc":"2.0","method":"notifications/initialized"})";

std::string call_request(const Options& o, long id) {
  return R"({"jsonrpc":"2.0","id":)" + std::to_string(id) + R"(,"method":"tools/call","params":{"name":")" + o.tool +
         R"(","arguments":{}}})";
}

// True when `response` answers request `id` with the expected text.
bool good_response(const Options& o, std::string_view response, long id) {
  const std::string id_member = "\"id\":" + std::to_string(id);
  const auto at = response.find(id_member);
  if (at == std::string_view::npos) return false;
  const char after = at + id_member.size() < response.size() ? response[at + id_member.size()] : '\0';
  if (after >= '0' && after <= '9') return false;
  return response.find(o.expect) != std::string_view::npos && response.find("\"isError\":true") == std::string::npos;
}

// ---- one client ------------------------------------------------------------------

struct ClientResult {
  std::vector<std::int64_t> latencies_ns;
  std::string failure;  // empty when every call succeeded
};

// Both transports: a session that can send one request and wait for its answer.
class Connection {
 public:
  virtual ~Connection() = default;
  virtual bool open(std::string& failure) = 0;
  virtual bool call(const std::string& request, std::string& response, std::string& failure) = 0;
  // The server process this connection owns (stdio), else -1.
  virtual pid_t owned_server() const { return -1; }
};

class HttpConnection : public Connection {
 public:
  HttpConnection(std::string host, std::string port, std::string target)
      : host_(std::move(host)), port_(std::move(port)), target_(std::move(target)) {}

  bool open(std::string& failure) override {
    boost::system::error_code ec;
    tcp::resolver resolver(io_);
    auto endpoints = resolver.resolve(host_, port_, ec);
    if (!ec) asio::connect(socket_, endpoints, ec);
    if (ec) return fail(failure, "connect: " + ec.message());
    socket_.set_option(tcp::no_delay(true), ec);
    std::string response;
    if (!post(initialize_request(), response, failure)) return false;
    if (session_id_.empty()) return fail(failure, "initialize gave no Mcp-Session-Id: " + response);
    if (!post(std::string(kInitialized), response, failure)) return false;
    return true;
  }

  bool call(const std::string& request, std::string& response, std::string& failure) override {
    return post(request, response, failure);
  }

 private:
  bool post(const std::string& body, std::string& out, std::string& failure) {
    http::request<http::string_body> req{http::verb::post, target_, 11};
    req.set(http::field::host, host_ + ":" + port_);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::accept, "application/json, text/event-stream");
    if (!session_id_.empty()) {
      req.set("Mcp-Session-Id", session_id_);
      req.set("MCP-Protocol-Version", kProtocolVersion);
    }
    req.keep_alive(true);
    req.body() = body;
    req.prepare_payload();
    boost::system::error_code ec;
    http::write(socket_, req, ec);
    if (ec) return fail(failure, "write: " + ec.message());
    http::response<http::string_body> res;
    http::read(socket_, buffer_, res, ec);
    if (ec) return fail(failure, "read: " + ec.message());
    if (res.result_int() != 200 && res.result_int() != 202) {
      return fail(failure, "HTTP " + std::to_string(res.result_int()) + ": " + res.body());
    }
    if (auto it = res.find("Mcp-Session-Id"); it != res.end()) session_id_ = std::string(it->value());
    if (!res.keep_alive()) return fail(failure, "the server closed the connection");
    out = std::move(res.body());
    return true;
  }

  static bool fail(std::string& failure, std::string why) {
    failure = std::move(why);
    return false;
  }

  std::string host_, port_, target_;
  asio::io_context io_;
  tcp::socket socket_{io_};
  beast::flat_buffer buffer_;
  std::string session_id_;
};

class StdioConnection : public Connection {
 public:
  StdioConnection(std::string wasmgate, std::string state_dir)
      : wasmgate_(std::move(wasmgate)), state_dir_(std::move(state_dir)) {}
  ~StdioConnection() override {
    child_.terminate();
    child_.close_pipes();
  }

  bool open(std::string& failure) override {
    child_ = spawn_child({wasmgate_, "serve", "--stdio", "--conformance-fixture", "--state", state_dir_}, Pipe::Stdio);
    reader_.emplace(child_.out);
    std::string response;
    if (!call(initialize_request(), response, failure)) return false;
    if (!write_all(child_.in, std::string(kInitialized) + "\n")) {
      failure = "write to the child failed";
      return false;
    }
    return true;
  }

  pid_t owned_server() const override { return child_.pid; }

  bool call(const std::string& request, std::string& response, std::string& failure) override {
    if (!write_all(child_.in, request + "\n")) {
      failure = "write to the child failed";
      return false;
    }
    // The first line that is a response (a notification has a method and no id).
    for (;;) {
      auto line = reader_->next();
      if (!line) {
        failure = "the child closed its stdout";
        return false;
      }
      if (line->find("\"method\"") == std::string::npos) {
        response = std::move(*line);
        return true;
      }
    }
  }

 private:
  std::string wasmgate_, state_dir_;
  Child child_;
  std::optional<LineReader> reader_;
};

// Runs warmup + measured calls; counts down `ready` after the warmup and
// waits for `go`, so that every client's measured phase begins together.
void run_client(const Options& o, Connection& connection, std::latch& ready, std::latch& go, ClientResult& result) {
  std::string failure;
  std::string response;
  long id = 1;
  bool ok = connection.open(failure);
  for (int i = 0; ok && i < o.warmup; ++i, ++id) {
    ok = connection.call(call_request(o, id), response, failure);
    if (ok && !good_response(o, response, id)) {
      ok = false;
      failure = "bad response: " + response;
    }
  }
  ready.count_down();
  go.wait();
  if (!ok) {
    result.failure = failure;
    return;
  }
  result.latencies_ns.reserve(static_cast<std::size_t>(o.requests));
  for (int i = 0; i < o.requests; ++i, ++id) {
    const std::string request = call_request(o, id);
    const auto t0 = Clock::now();
    if (!connection.call(request, response, failure)) {
      result.failure = failure;
      return;
    }
    const auto t1 = Clock::now();
    if (!good_response(o, response, id)) {
      result.failure = "bad response: " + response;
      return;
    }
    result.latencies_ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  }
}

// ---- scenarios ------------------------------------------------------------------

struct HttpServerProcess {
  Child child;
  std::string host, port, target;
  std::thread drain;  // keeps reading stderr so the server never blocks on it

  ~HttpServerProcess() {
    child.terminate();
    if (drain.joinable()) drain.join();  // EOF once the server is gone
    child.close_pipes();
  }
};

void start_http_server(const Options& o, const std::string& state_dir, HttpServerProcess& server) {
  server.child = spawn_child(
      {o.wasmgate, "serve", "--http", "127.0.0.1:0", "--conformance-fixture", "--state", state_dir}, Pipe::Stderr);
  auto reader = std::make_shared<LineReader>(server.child.err);
  const std::string prefix = "wasmgate: listening on http://";
  for (;;) {
    auto line = reader->next();
    if (!line) die("the HTTP server exited before listening");
    if (line->starts_with(prefix)) {
      const std::string rest = line->substr(prefix.size());  // ADDR:PORT/mcp
      const auto slash = rest.find('/');
      const std::string authority = rest.substr(0, slash);
      const auto colon = authority.rfind(':');
      server.host = authority.substr(0, colon);
      server.port = authority.substr(colon + 1);
      server.target = slash == std::string::npos ? "/" : rest.substr(slash);
      break;
    }
    std::fprintf(stderr, "%s\n", line->c_str());
  }
  server.drain = std::thread([reader] {
    while (auto line = reader->next()) std::fprintf(stderr, "server: %s\n", line->c_str());
  });
}

// User + system CPU seconds the process has used so far (proc(5), fields 14
// and 15 of /proc/PID/stat, in clock ticks); 0 if unreadable.
double cpu_seconds(pid_t pid) {
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  // The command name (field 2) may contain spaces: fields resume after its ')'.
  const char* p = std::strrchr(buf, ')');
  if (!p) return 0;
  unsigned long utime = 0, stime = 0;
  if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

bool run_scenario(const Options& o, const std::string& transport, int clients, const std::string& work) {
  const std::string state_dir = work + "/" + transport + "-" + std::to_string(clients);
  std::filesystem::create_directories(state_dir);
  std::optional<HttpServerProcess> server;
  if (transport == "http") start_http_server(o, state_dir, server.emplace());

  std::vector<std::unique_ptr<Connection>> connections;
  for (int c = 0; c < clients; ++c) {
    if (transport == "http") {
      connections.push_back(std::make_unique<HttpConnection>(server->host, server->port, server->target));
    } else {
      const std::string dir = state_dir + "/client" + std::to_string(c);
      std::filesystem::create_directories(dir);
      connections.push_back(std::make_unique<StdioConnection>(o.wasmgate, dir));
    }
  }
  std::vector<ClientResult> results(static_cast<std::size_t>(clients));
  std::latch ready(clients);
  std::latch go(1);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] { run_client(o, *connections[c], ready, go, results[c]); });
  }
  ready.wait();
  std::vector<pid_t> server_pids;
  if (server) server_pids.push_back(server->child.pid);
  for (const auto& c : connections) {
    if (c->owned_server() > 0) server_pids.push_back(c->owned_server());
  }
  const auto server_cpu = [&] {
    double total = 0;
    for (pid_t pid : server_pids) total += cpu_seconds(pid);
    return total;
  };
  const double cpu0 = server_cpu();
  const auto t0 = Clock::now();
  go.count_down();
  for (auto& t : threads) t.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  const double cpu = server_cpu() - cpu0;
  connections.clear();  // stops the stdio children

  std::vector<std::int64_t> all;
  for (const auto& r : results) {
    if (!r.failure.empty()) {
      std::fprintf(stderr, "wasmgate-bench-mcp: %s, %d clients: %s\n", transport.c_str(), clients, r.failure.c_str());
      return false;
    }
    all.insert(all.end(), r.latencies_ns.begin(), r.latencies_ns.end());
  }
  std::sort(all.begin(), all.end());
  std::printf(
      "transport=%s clients=%d requests=%zu seconds=%.2f rps=%.0f p50_us=%.0f p99_us=%.0f max_us=%.0f "
      "server_cpu_us_per_call=%.1f\n",
      transport.c_str(), clients, all.size(), seconds, static_cast<double>(all.size()) / seconds,
      static_cast<double>(percentile(all, 0.50)) / 1e3, static_cast<double>(percentile(all, 0.99)) / 1e3,
      static_cast<double>(all.empty() ? 0 : all.back()) / 1e3,
      all.empty() ? 0.0 : cpu * 1e6 / static_cast<double>(all.size()));
  std::fflush(stdout);
  return true;
}

std::vector<std::string> split(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    out.push_back(text.substr(start, comma - start));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::optional<int> positive(const std::string& text) {
  char* end = nullptr;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v < 0 || v > 100'000'000) return std::nullopt;
  return static_cast<int>(v);
}

[[noreturn]] void usage(const std::string& why) {
  std::fprintf(stderr,
               "wasmgate-bench-mcp: %s\nusage: wasmgate-bench-mcp --wasmgate PATH [--transport http|stdio|both]\n"
               "         [--clients 1,4] [--requests N] [--warmup N] [--tool NAME --expect TEXT]\n",
               why.c_str());
  std::exit(2);
}

Options parse_args(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage("missing value for " + flag);
    const std::string value = argv[++i];
    if (flag == "--wasmgate") {
      o.wasmgate = value;
    } else if (flag == "--transport") {
      if (value == "both") {
        o.transports = {"http", "stdio"};
      } else if (value == "http" || value == "stdio") {
        o.transports = {value};
      } else {
        usage("--transport must be http, stdio or both");
      }
    } else if (flag == "--clients") {
      o.clients.clear();
      for (const auto& c : split(value)) {
        auto n = positive(c);
        if (!n || *n == 0) usage("--clients takes positive integers, e.g. 1,4");
        o.clients.push_back(*n);
      }
    } else if (flag == "--requests" || flag == "--warmup") {
      auto n = positive(value);
      if (!n || (flag == "--requests" && *n == 0)) usage(flag + " takes a number");
      (flag == "--requests" ? o.requests : o.warmup) = *n;
    } else if (flag == "--tool") {
      o.tool = value;
    } else if (flag == "--expect") {
      o.expect = value;
    } else {
      usage("unknown flag " + flag);
    }
  }
  if (o.wasmgate.empty()) usage("--wasmgate PATH is required");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);  // a dead child shows up as a failed write instead
  const Options o = parse_args(argc, argv);
  char tmpl[] = "/tmp/wasmgate-bench-mcp-XXXXXX";
  if (!mkdtemp(tmpl)) die("mkdtemp failed");
  const std::string work = tmpl;
  bool ok = true;
  for (const auto& transport : o.transports) {
    for (int clients : o.clients) ok = run_scenario(o, transport, clients, work) && ok;
  }
  std::error_code ec;
  std::filesystem::remove_all(work, ec);
  return ok ? 0 : 1;
}
