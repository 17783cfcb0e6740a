// wasmgate-bench-proxy: what `wasmgate proxy` adds to a tools/call — latency
// (p50/p99) and throughput — against calling the same upstream directly.
//
//   wasmgate-bench-proxy --wasmgate PATH [--everything INDEX.js] [--node PATH]
//                        [--calls N] [--warmup N] [--concurrency 1,8]
//
// Upstreams (each a stdio child):
//   fixture     `wasmgate serve --stdio --conformance-fixture --no-policy`
//               (ungated), tool test_simple_text (a synchronous handler
//               returning one text);
//   everything  `node INDEX.js stdio` (@modelcontextprotocol/server-everything),
//               tool echo {"message":"hi"} — only with --everything.
// Paths, for each upstream:
//   direct      the driver's mcp::Client speaks to the upstream;
//   proxy       ... to `wasmgate proxy --policy allow.yaml --state DIR -- UPSTREAM`,
//               policy `default: allow`, `tools: {}` (decide + audit, no counter);
//   proxy+count ... with a `"*"` rate_limit of 1000000/minute: every call is
//               also reserved and committed in the SQLite counter store.
// Each scenario (upstream x path x concurrency) starts fresh processes and a
// fresh state directory, initializes one MCP session, makes --warmup calls,
// then K caller threads share that session and each makes --calls/K calls
// one after another (K requests in flight). Every result is checked (not
// isError, expected text). Children's stderr goes to DIR/*.log.
// Output: one markdown table row per scenario, with the proxy rows'
// difference to the direct row of the same upstream and concurrency:
//   | upstream | path | K | calls | calls/s | p50 µs | p99 µs | max µs | +p50 µs | +p99 µs | proxy CPU µs/call |
//   upstream CPU µs/call |
// CPU figures: user+system time of the proxy process and of the upstream
// process over the measured phase / calls (proc(5) /proc/PID/stat, 10 ms
// ticks): steadier than wall time on a loaded machine.
// Exit status: 0 ok, 1 a process or a call failed, 2 usage.
//
// Not part of the tests (timings never are): bench/run_proxy.sh,
// docs/benchmarks.md "Proxy overhead".
#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <latch>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "mcp/client/client.h"
#include "mcp/client/stdio_child.h"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;
using namespace wg;

struct Options {
  std::string wasmgate;
  std::string everything;  // server-everything's dist/index.js, optional
  std::string node = "node";
  int calls = 4000;  // measured calls per scenario (split over the K callers)
  int warmup = 300;
  std::vector<int> concurrency{1, 8};
};

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "wasmgate-bench-proxy: %s\n", why.c_str());
  std::exit(1);
}

// ---- processes ----------------------------------------------------------------

// User + system CPU seconds of a process so far (proc(5): fields 14, 15 of
// /proc/PID/stat); 0 if unreadable.
double cpu_seconds(pid_t pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return 0;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');  // the command name may hold spaces
  if (!p) return 0;
  unsigned long utime = 0, stime = 0;
  if (std::sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// The parent pid of a process (field 4), or -1.
pid_t parent_of(pid_t pid) {
  std::FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (!f) return -1;
  char buf[1024];
  const std::size_t n = std::fread(buf, 1, sizeof buf - 1, f);
  std::fclose(f);
  buf[n] = '\0';
  const char* p = std::strrchr(buf, ')');
  int ppid = -1;
  if (!p || std::sscanf(p + 1, " %*c %d", &ppid) != 1) return -1;
  return ppid;
}

// The first child process of `pid` (the proxy's upstream), or -1.
pid_t child_of(pid_t pid) {
  DIR* d = opendir("/proc");
  if (!d) return -1;
  pid_t found = -1;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    const long candidate = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || candidate <= 0) continue;
    if (parent_of(static_cast<pid_t>(candidate)) == pid) {
      found = static_cast<pid_t>(candidate);
      break;
    }
  }
  closedir(d);
  return found;
}

// ---- one MCP session over a stdio child ---------------------------------------

class Session {
 public:
  // Starts argv (stderr appended to `log`) and initializes.
  Session(const std::vector<std::string>& argv, const std::string& log) {
    // exec keeps the pid: the shell only redirects stderr.
    std::vector<std::string> wrapped{"/bin/sh", "-c", "exec \"$@\" 2>>\"$0\"", log};
    wrapped.insert(wrapped.end(), argv.begin(), argv.end());
    auto transport = mcp::StdioChildTransport::spawn(wrapped);
    if (!transport) die(transport.error().message());
    pid_ = (*transport)->pid();
    mcp::ClientOptions options;
    options.name = "wasmgate-bench-proxy";
    options.request_timeout = std::chrono::seconds(60);
    client_ = mcp::Client::create(io_.get_executor(), std::move(*transport), options);
    thread_ = std::thread([this] { io_.run(); });
    auto init = wait([&](mcp::RpcReplyHandler h) { client_->initialize(std::move(h)); });
    if (!init) die("initialize: " + init.error().message + " (see " + log + ")");
  }
  ~Session() {
    client_->close();
    work_.reset();
    thread_.join();
    client_.reset();
  }

  pid_t pid() const { return pid_; }

  mcp::RpcReply call(const std::string& tool, const json::object& arguments) {
    return wait([&](mcp::RpcReplyHandler h) {
      client_->request("tools/call", json::object{{"name", tool}, {"arguments", arguments}}, std::move(h));
    });
  }

 private:
  mcp::RpcReply wait(const std::function<void(mcp::RpcReplyHandler)>& send) {
    std::promise<mcp::RpcReply> promise;
    auto future = promise.get_future();
    send([&promise](mcp::RpcReply r) { promise.set_value(std::move(r)); });
    return future.get();  // the client's own request timeout bounds this
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<mcp::Client> client_;
  std::thread thread_;
  pid_t pid_ = -1;
};

// ---- scenarios ------------------------------------------------------------------

struct Upstream {
  std::string name;
  std::vector<std::string> argv;  // without the state directory for wasmgate
  std::string tool;
  json::object arguments;
  std::string expect;  // text the result must contain
};

struct Outcome {
  int calls = 0;
  double seconds = 0;
  std::int64_t p50 = 0, p99 = 0, max = 0;  // microseconds
  double proxy_cpu_us = -1, upstream_cpu_us = 0;
};

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1];
}

bool good(const mcp::RpcReply& r, const std::string& expect, std::string& why) {
  if (!r) {
    why = "error " + std::to_string(r.error().code) + ": " + r.error().message;
    return false;
  }
  const std::string text = json::serialize(*r);
  if (const json::value* e = r->if_contains("isError"); e && e->is_bool() && e->get_bool()) {
    why = "isError result: " + text;
    return false;
  }
  if (text.find(expect) == std::string::npos) {
    why = "unexpected result: " + text;
    return false;
  }
  return true;
}

Outcome run_scenario(const Options& o, const Upstream& up, const std::string& path, int k, const std::string& work) {
  const std::string dir = work + "/" + up.name + "-" + path + "-" + std::to_string(k);
  std::filesystem::create_directories(dir);
  std::vector<std::string> upstream = up.argv;
  if (up.name == "fixture") {
    upstream.insert(upstream.end(), {"--state", dir + "/upstream-state"});
  }
  std::vector<std::string> argv = upstream;
  if (path != "direct") {
    const std::string policy = dir + "/policy.yaml";
    std::ofstream(policy) << (path == "proxy" ? "version: \"1\"\ndefault: allow\ntools: {}\n"
                                              : "version: \"1\"\ndefault: allow\ntools:\n  \"*\":\n    rules:\n"
                                                "      - name: count every call\n        rate_limit: 1000000/minute\n");
    argv = {o.wasmgate, "proxy", "--policy", policy, "--state", dir + "/proxy-state", "--"};
    argv.insert(argv.end(), upstream.begin(), upstream.end());
  }
  Session session(argv, dir + "/stderr.log");
  pid_t proxy_pid = -1, upstream_pid = session.pid();
  if (path != "direct") {
    proxy_pid = session.pid();
    upstream_pid = child_of(proxy_pid);
  }

  std::string why;
  for (int i = 0; i < o.warmup; ++i) {
    if (!good(session.call(up.tool, up.arguments), up.expect, why)) die(up.name + " " + path + " warm-up: " + why);
  }

  const int per_caller = std::max(1, o.calls / k);
  std::vector<std::vector<std::int64_t>> latencies(static_cast<std::size_t>(k));
  std::vector<std::string> failures(static_cast<std::size_t>(k));
  std::latch ready(k + 1), go(1);
  std::vector<std::thread> callers;
  for (int c = 0; c < k; ++c) {
    callers.emplace_back([&, c] {
      auto& mine = latencies[static_cast<std::size_t>(c)];
      mine.reserve(static_cast<std::size_t>(per_caller));
      ready.count_down();
      go.wait();
      for (int i = 0; i < per_caller; ++i) {
        const auto t0 = Clock::now();
        mcp::RpcReply r = session.call(up.tool, up.arguments);
        const auto t1 = Clock::now();
        if (!good(r, up.expect, failures[static_cast<std::size_t>(c)])) return;
        mine.push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
      }
    });
  }
  ready.arrive_and_wait();
  const double proxy_cpu0 = proxy_pid > 0 ? cpu_seconds(proxy_pid) : 0;
  const double upstream_cpu0 = upstream_pid > 0 ? cpu_seconds(upstream_pid) : 0;
  const auto start = Clock::now();
  go.count_down();
  for (auto& t : callers) t.join();
  const auto end = Clock::now();
  const double proxy_cpu1 = proxy_pid > 0 ? cpu_seconds(proxy_pid) : 0;
  const double upstream_cpu1 = upstream_pid > 0 ? cpu_seconds(upstream_pid) : 0;
  for (const auto& f : failures) {
    if (!f.empty()) die(up.name + " " + path + ": " + f);
  }

  std::vector<std::int64_t> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Outcome out;
  out.calls = static_cast<int>(all.size());
  out.seconds = std::chrono::duration<double>(end - start).count();
  out.p50 = percentile(all, 0.50);
  out.p99 = percentile(all, 0.99);
  out.max = all.empty() ? 0 : all.back();
  if (proxy_pid > 0) out.proxy_cpu_us = (proxy_cpu1 - proxy_cpu0) * 1e6 / out.calls;
  out.upstream_cpu_us = upstream_pid > 0 ? (upstream_cpu1 - upstream_cpu0) * 1e6 / out.calls : -1;
  return out;
}

std::vector<int> parse_list(const std::string& text) {
  std::vector<int> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const int v = std::atoi(item.c_str());
    if (v <= 0) return {};
    out.push_back(v);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: wasmgate-bench-proxy --wasmgate PATH [--everything INDEX.js] [--node PATH] [--calls N]\n"
               "                            [--warmup N] [--concurrency 1,8]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage();
      return argv[++i];
    };
    if (a == "--wasmgate")
      o.wasmgate = value();
    else if (a == "--everything")
      o.everything = value();
    else if (a == "--node")
      o.node = value();
    else if (a == "--calls")
      o.calls = std::atoi(value().c_str());
    else if (a == "--warmup")
      o.warmup = std::atoi(value().c_str());
    else if (a == "--concurrency")
      o.concurrency = parse_list(value());
    else
      usage();
  }
  if (o.wasmgate.empty() || o.calls <= 0 || o.warmup < 0 || o.concurrency.empty()) usage();

  std::vector<Upstream> upstreams;
  upstreams.push_back(Upstream{"fixture",
                               {o.wasmgate, "serve", "--stdio", "--conformance-fixture", "--no-policy"},
                               "test_simple_text",
                               {},
                               "This is a simple text response for testing."});
  if (!o.everything.empty()) {
    upstreams.push_back(
        Upstream{"everything", {o.node, o.everything, "stdio"}, "echo", json::object{{"message", "hi"}}, "Echo: hi"});
  }

  std::string tmpl = (std::filesystem::temp_directory_path() / "wg-bench-proxy-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) die("mkdtemp failed");
  const std::string work = tmpl;

  std::printf(
      "| upstream | path | K | calls | calls/s | p50 µs | p99 µs | max µs | +p50 µs | +p99 µs | "
      "proxy CPU µs/call | upstream CPU µs/call |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  std::fflush(stdout);
  for (const auto& up : upstreams) {
    for (int k : o.concurrency) {
      std::optional<Outcome> direct;
      for (const std::string path : {"direct", "proxy", "proxy+count"}) {
        const Outcome r = run_scenario(o, up, path, k, work);
        if (path == "direct") direct = r;
        auto delta = [&](std::int64_t v, std::int64_t base) {
          return path == "direct" ? std::string("") : std::to_string(v - base);
        };
        char cpu[64] = "";
        if (r.proxy_cpu_us >= 0) std::snprintf(cpu, sizeof cpu, "%.0f", r.proxy_cpu_us);
        std::printf("| %s | %s | %d | %d | %.0f | %lld | %lld | %lld | %s | %s | %s | %.0f |\n", up.name.c_str(),
                    path.c_str(), k, r.calls, r.calls / r.seconds, static_cast<long long>(r.p50),
                    static_cast<long long>(r.p99), static_cast<long long>(r.max), delta(r.p50, direct->p50).c_str(),
                    delta(r.p99, direct->p99).c_str(), cpu, r.upstream_cpu_us);
        std::fflush(stdout);
      }
    }
  }
  std::filesystem::remove_all(work);
  return 0;
}
