#include "agent/programs.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <iterator>

#include "runtimes/utilities.h"
#include "vfs/tree_ops.h"
#include "wasi/ruby.h"

namespace wg::agent {
namespace {

constexpr std::string_view kRuby = "ruby";
constexpr std::string_view kCoreutils = "coreutils";

bool granted(const AgentConfig& config, std::string_view runtime) {
  return std::find(config.runtimes.begin(), config.runtimes.end(), runtime) != config.runtimes.end();
}

bool is_path(std::string_view program) {
  return program.find('/') != std::string_view::npos ||
         (program.size() > 5 && program.substr(program.size() - 5) == ".wasm");
}

std::uint64_t mix_seed(std::string_view id, std::uint64_t seq) {
  const auto d = Sha256::digest(std::string(id) + "#" + std::to_string(seq));
  std::uint64_t seed = 0;
  for (int i = 0; i < 8; ++i) seed = (seed << 8) | d[static_cast<std::size_t>(i)];
  return seed;
}

}  // namespace

WasiProgramRunner::WasiProgramRunner(ProgramRunnerOptions options)
    : options_(std::move(options)), cache_(options_.cache_capacity) {}

std::vector<std::string> WasiProgramRunner::programs_for(const AgentConfig& config) const {
  std::vector<std::string> out;
  if (granted(config, kRuby)) out.emplace_back(kRuby);
  const bool all_utils = granted(config, kCoreutils);
  for (auto name : runtimes::utility_names()) {
    if (all_utils || granted(config, name)) out.emplace_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::shared_ptr<const wasm::CompiledModule>> WasiProgramRunner::ruby_module() {
  std::lock_guard lock(ruby_mu_);
  if (ruby_) return ruby_;
  if (options_.ruby_wasm_path.empty()) {
    return std::unexpected(Error(ErrorCode::Unsupported, "ruby: this build has no Ruby runtime configured"));
  }
  ruby_ = WG_TRY_CTX(wasi::load_ruby_module(options_.ruby_wasm_path),
                     "ruby (install it with scripts/setup.sh, which runs npm ci --prefix runtimes)");
  return ruby_;
}

Result<wasi::RunResult> WasiProgramRunner::run(Agent& agent, const RunRequest& request, const RunContext& context) {
  const auto& limits = agent.config.limits;
  wasi::RunOptions options;
  options.wasi.args.push_back(request.program);
  options.wasi.args.insert(options.wasi.args.end(), request.args.begin(), request.args.end());
  options.wasi.env = request.env;
  options.wasi.stdin_data = request.stdin_data;
  options.wasi.preopens.push_back({"/", "/"});
  options.wasi.clock = wasi::ClockMode::Deterministic;
  options.wasi.seed = mix_seed(agent.config.id, context.seed);
  options.wasi.limits.max_stdout_bytes = limits.max_output_bytes;
  options.wasi.limits.max_stderr_bytes = limits.max_output_bytes;
  options.wasi.limits.end_on_output_limit = true;
  options.limits.fuel = request.fuel ? std::min(request.fuel, limits.fuel) : limits.fuel;
  options.limits.max_memory_pages =
      static_cast<std::uint32_t>(std::min<std::uint64_t>(limits.max_memory_bytes / 65536, wasm::kMaxPages));
  const auto timeout_ms = request.timeout_ms ? std::min(request.timeout_ms, limits.timeout_ms) : limits.timeout_ms;
  // The wall-time limit is the guest's: it starts once the module is loaded
  // and compiled (compiling ruby.wasm takes seconds on first use), so the
  // same run does not time out only because the module cache was cold.
  const auto start_clock = [&] {
    options.limits.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  };
  options.limits.interrupt = context.interrupt;

  vfs::Vfs work = agent.vfs.fork();
  Result<wasi::RunResult> result = std::unexpected(Error(ErrorCode::Internal, "unreachable"));
  if (request.program == kRuby) {
    if (!granted(agent.config, kRuby)) {
      return std::unexpected(Error(ErrorCode::Denied, "run: this agent's template does not grant the ruby runtime"));
    }
    if (request.args.empty()) {
      return std::unexpected(
          Error(ErrorCode::Invalid, "run: ruby needs a script path as its first argument, e.g. args: [\"/main.rb\"]"));
    }
    auto module = WG_TRY(ruby_module());
    wasi::RubyRun what;
    what.script_path = request.args.front();
    what.args.assign(request.args.begin() + 1, request.args.end());
    start_clock();
    result = wasi::run_ruby(std::move(module), work, what, options);
  } else if (auto bytes = runtimes::find_utility(request.program); !bytes.empty() && !is_path(request.program)) {
    if (!granted(agent.config, kCoreutils) && !granted(agent.config, request.program)) {
      return std::unexpected(Error(ErrorCode::Denied, "run: this agent's template does not grant \"" +
                                                          request.program + "\" (runtime coreutils)"));
    }
    auto module = WG_TRY(cache_.get_or_compile(bytes, wasi::compile_options_for(options.wasi)));
    start_clock();
    result = wasi::run(std::move(module), work, options);
  } else if (is_path(request.program)) {
    auto data = vfs::read_file(agent.vfs, request.program);
    if (!data) return std::unexpected(vfs::to_error(data.error(), "run: " + request.program));
    const std::span<const std::uint8_t> module_bytes(reinterpret_cast<const std::uint8_t*>(data->data()),
                                                     data->size());
    auto module = WG_TRY_CTX(cache_.get_or_compile(module_bytes, wasi::compile_options_for(options.wasi)),
                             "run: " + request.program);
    start_clock();
    result = wasi::run(std::move(module), work, options);
  } else {
    std::string known;
    for (const auto& p : programs_for(agent.config)) known += (known.empty() ? "" : ", ") + p;
    return std::unexpected(Error(ErrorCode::NotFound, "run: unknown program \"" + request.program +
                                                          "\"; this agent may run: " +
                                                          (known.empty() ? "(no runtimes granted)" : known) +
                                                          ", or a .wasm file by path"));
  }
  if (!result) return result;
  if (result->status == wasi::RunStatus::Exited) {
    agent.vfs = std::move(work);
  } else {
    result->changes.clear();
    result->digest = agent.vfs.digest();
  }
  return result;
}

}  // namespace wg::agent
