// wasmgate-bench-policy: how long a policy decision takes (Google Benchmark).
//
//   wasmgate-bench-policy [--benchmark_filter=REGEX] [--benchmark_min_time=0.5s] ...
//
// Decide/*: policy::decide() alone (the pure evaluator), counters read from
// an in-memory fake, for three generated policies:
//   small   3 exact entries: one allowed, one regex condition, one deny.
//   medium  50 exact entries with eq/lte/in conditions, 5 globs, a "*"
//           rate limit and a spend counter (increment_from).
//   large   500 exact entries, 50 globs (the call matches the last), a "*"
//           entry with any_of/all_of/not groups, a regex and a rate limit.
// Gate/*: the full per-call cost in a running gate: Gate::before (one
// BEGIN IMMEDIATE transaction: purge, counter reads, decide, reserve) plus
// Gate::after (commit the reservation, append the hash-chained audit
// record), with the SQLite PolicyStateStore and the audit log in a
// temporary directory. The clock advances 1 s per call, so a per-minute
// counter holds about 60 live rows: the steady state of 60 calls a minute
// (Gate_MediumSpend: 10 minutes per call, a daily counter of <= 144 rows).
//
// Not part of the tests (timings never are): see docs/benchmarks.md
// "Policy decisions" and bench/run_policy.sh.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "policy/audit_log.h"
#include "policy/evaluator.h"
#include "policy/gate.h"
#include "policy/loader.h"
#include "policy/policy_holder.h"
#include "store/policy_state_store.h"

namespace {

using namespace wg;
namespace json = boost::json;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "wasmgate-bench-policy: %s\n", why.c_str());
  std::exit(1);
}

policy::Policy load(const std::string& text) {
  auto p = policy::load_policy(text, "bench");
  if (!p) die(p.error().message());
  return std::move(*p);
}

std::string small_policy() {
  return R"(version: "1"
default: allow
tools:
  read_file:
    rules: []
  write_file:
    rules:
      - name: only /tmp
        conditions: [{path: args.path, op: regex, value: "^/tmp/[a-z0-9_/.-]+$"}]
  delete_file:
    rules:
      - name: never
        action: deny
)";
}

std::string medium_policy() {
  std::string t = "version: \"1\"\ndefault: deny\ntools:\n";
  for (int i = 0; i < 50; ++i) {
    t += "  tool_" + std::to_string(i) + ":\n    rules:\n";
    t += "      - name: mode\n        conditions:\n";
    t += "          - {path: args.mode, op: in, value: [fast, slow, auto]}\n";
    t += "          - {path: args.amount, op: lte, value: 1000}\n";
    t += "          - {path: args.user.role, op: neq, value: guest}\n";
  }
  for (int i = 0; i < 5; ++i) {
    t += "  \"group" + std::to_string(i) + "_*\":\n    rules:\n      - name: glob limit " + std::to_string(i) +
         "\n        rate_limit: 100/minute\n";
  }
  t += "  pay:\n    rules:\n      - name: daily spend\n"
       "        conditions: [{path: state.pay.spend, op: lte, value: 5000}]\n"
       "        state: {counter: spend, window: day, increment_from: args.amount}\n";
  t += "  \"*\":\n    rules:\n      - name: global limit\n        rate_limit: 600/minute\n";
  return t;
}

std::string large_policy() {
  std::string t = "version: \"1\"\ndefault: deny\ntools:\n";
  for (int i = 0; i < 500; ++i) {
    t += "  tool_" + std::to_string(i) + ":\n    rules:\n";
    t += "      - name: amount\n        conditions: [{path: args.amount, op: lte, value: " + std::to_string(100 + i) +
         "}]\n";
  }
  for (int i = 0; i < 50; ++i) {
    // The call (tool_250) matches only the last glob ("tool_2?0"); the others
    // are scanned and miss.
    const std::string pattern = i == 49 ? "tool_2?0" : "svc" + std::to_string(i) + "_*";
    t += "  \"" + pattern + "\":\n    rules:\n      - name: glob rule " + std::to_string(i) +
         "\n        rate_limit: {count: 1000, window: hour, sliding: true}\n";
  }
  t += R"y(  "*":
    rules:
      - name: shape
        conditions:
          - any_of:
              - {path: args.mode, op: eq, value: fast}
              - all_of:
                  - {path: args.mode, op: eq, value: slow}
                  - {path: args.amount, op: lt, value: 10}
          - not: {path: args.path, op: regex, value: "(^|/)\\.\\.(/|$)"}
          - {path: args.tags, op: contains, value: ok}
          - {path: args.user.name, op: exists, value: true}
      - name: global limit
        rate_limit: 10000/hour
)y";
  return t;
}

// Counters read as a small constant (an in-memory store).
class FakeCounters final : public policy::CountersView {
 public:
  Result<policy::CounterReading> read(const policy::CounterRef&, policy::Timestamp) const override {
    return policy::CounterReading{policy::Decimal::from_int(3), std::nullopt};
  }
};

policy::Timestamp fixed_now() { return policy::Timestamp(std::chrono::milliseconds(1'800'000'000'000)); }

void run_decide(benchmark::State& state, const std::string& text, policy::Call call, bool expect_allow) {
  const policy::Policy p = load(text);
  FakeCounters counters;
  const auto now = fixed_now();
  const policy::Decision first = policy::decide(p, call, counters, now);
  if (first.allowed() != expect_allow) die("unexpected decision: " + policy::describe(first));
  for (auto _ : state) {
    policy::Decision d = policy::decide(p, call, counters, now);
    benchmark::DoNotOptimize(d);
  }
}

void Decide_Small(benchmark::State& state) {
  policy::Call call{policy::CallKind::Tool, "write_file", json::parse(R"({"path":"/tmp/out/report.txt"})"), "s", "i"};
  run_decide(state, small_policy(), call, true);
}
BENCHMARK(Decide_Small);

void Decide_Medium(benchmark::State& state) {
  policy::Call call{policy::CallKind::Tool, "tool_25",
                    json::parse(R"({"mode":"auto","amount":12.5,"user":{"role":"admin"}})"), "s", "i"};
  run_decide(state, medium_policy(), call, true);
}
BENCHMARK(Decide_Medium);

void Decide_MediumSpend(benchmark::State& state) {
  policy::Call call{policy::CallKind::Tool, "pay", json::parse(R"({"amount":19.99})"), "s", "i"};
  run_decide(state, medium_policy(), call, true);
}
BENCHMARK(Decide_MediumSpend);

void Decide_Large(benchmark::State& state) {
  policy::Call call{
      policy::CallKind::Tool, "tool_250",
      json::parse(R"({"mode":"fast","amount":7,"path":"src/a/b.txt","tags":["x","ok"],"user":{"name":"ana"}})"), "s",
      "i"};
  run_decide(state, large_policy(), call, true);
}
BENCHMARK(Decide_Large);

void Decide_LargeNotListed(benchmark::State& state) {
  policy::Call call{policy::CallKind::Tool, "unlisted_tool", json::parse(R"({})"), "s", "i"};
  run_decide(state, large_policy(), call, false);
}
BENCHMARK(Decide_LargeNotListed);

void Load_Large(benchmark::State& state) {
  const std::string text = large_policy();
  for (auto _ : state) {
    auto p = policy::load_policy(text, "bench");
    benchmark::DoNotOptimize(p);
  }
  state.counters["bytes"] = static_cast<double>(text.size());
}
BENCHMARK(Load_Large)->Unit(benchmark::kMillisecond);

// ---- the gate with SQLite and the audit log --------------------------------------

class SteppingClock final : public policy::Clock {
 public:
  policy::Timestamp now() const override { return policy::Timestamp(std::chrono::milliseconds(ms_.load())); }
  void step(std::chrono::milliseconds d) { ms_ += d.count(); }

 private:
  std::atomic<std::int64_t> ms_{1'800'000'000'000};
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "wg-bench-policy-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) die("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const char* name) const { return (std::filesystem::path(path_) / name).string(); }

 private:
  std::string path_;
};

void run_gate(benchmark::State& state, const std::string& text, policy::Call call, bool with_audit,
              std::chrono::milliseconds step = std::chrono::seconds(1)) {
  TempDir dir;
  auto holder = policy::PolicyHolder::fixed(load(text));
  auto store = store::PolicyStateStore::open(dir.file("policy-state.sqlite3"));
  if (!store) die(store.error().message());
  std::unique_ptr<policy::AuditLog> audit;
  if (with_audit) {
    auto opened = policy::AuditLog::open(dir.file("audit.jsonl"));
    if (!opened) die(opened.error().message());
    audit = std::move(*opened);
  }
  SteppingClock clock;
  policy::Gate gate(*holder, **store, clock, audit.get());
  policy::GateRequest request{std::move(call), "1"};
  std::int64_t id = 0;
  for (auto _ : state) {
    request.request_id = std::to_string(++id);
    policy::Admission a = gate.before(request);
    if (!a.proceed()) {
      state.SkipWithError(("refused: " + a.refusal->code + " " + a.refusal->rule).c_str());
      break;
    }
    if (auto done = gate.after(request, a, policy::UpstreamOutcome::Succeeded); !done) {
      state.SkipWithError(done.error().message().c_str());
      break;
    }
    clock.step(step);
  }
}

// Allow-all with one rate-limited entry: a reservation per call.
constexpr const char* kGatePolicy = R"(version: "1"
default: allow
tools:
  echo:
    rules:
      - name: per minute
        rate_limit: 1000/minute
  "*":
    rules: []
)";

void Gate_NoCounter(benchmark::State& state) {
  run_gate(state, kGatePolicy, {policy::CallKind::Tool, "other", json::parse(R"({"text":"hi"})"), "s", "i"}, true);
}
BENCHMARK(Gate_NoCounter)->Unit(benchmark::kMicrosecond);

void Gate_RateLimit(benchmark::State& state) {
  run_gate(state, kGatePolicy, {policy::CallKind::Tool, "echo", json::parse(R"({"text":"hi"})"), "s", "i"}, true);
}
BENCHMARK(Gate_RateLimit)->Unit(benchmark::kMicrosecond);

void Gate_RateLimitNoAudit(benchmark::State& state) {
  run_gate(state, kGatePolicy, {policy::CallKind::Tool, "echo", json::parse(R"({"text":"hi"})"), "s", "i"}, false);
}
BENCHMARK(Gate_RateLimitNoAudit)->Unit(benchmark::kMicrosecond);

void Gate_MediumSpend(benchmark::State& state) {
  // A daily spend counter: 10 simulated minutes per call keeps at most 144
  // increments inside the day.
  run_gate(state, medium_policy(), {policy::CallKind::Tool, "pay", json::parse(R"({"amount":0.01})"), "s", "i"}, true,
           std::chrono::minutes(10));
}
BENCHMARK(Gate_MediumSpend)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
