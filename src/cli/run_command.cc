#include "cli/run_command.h"

#include <boost/json.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string_view>

#include "base/sha256.h"
#include "vfs/host_io.h"
#include "vfs/path.h"
#include "vfs/vfs.h"
#include "wasi/runner.h"

namespace wg::cli {
namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

Result<std::string> read_host_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(ErrorCode::Io, "cannot open " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return make_error(ErrorCode::Io, "cannot read " + path);
  return data;
}

// JSON strings must be UTF-8: invalid bytes become U+FFFD.
std::string sanitize_utf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool valid = len > 0 && i + len <= s.size();
    for (std::size_t k = 1; valid && k < len; ++k) valid = (static_cast<unsigned char>(s[i + k]) >> 6) == 0x2;
    if (valid && len == 2 && c < 0xC2) valid = false;  // overlong
    if (valid) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

int exit_code_of(const wasi::RunResult& r) {
  switch (r.status) {
    case wasi::RunStatus::Exited: return r.exit_code <= 255 ? static_cast<int>(r.exit_code) : kExitFailure;
    case wasi::RunStatus::DeadlineExceeded:
    case wasi::RunStatus::Interrupted: return kExitRunTimeout;
    case wasi::RunStatus::OutOfFuel: return kExitRunOutOfFuel;
    case wasi::RunStatus::MemoryLimit: return kExitRunMemoryLimit;
    case wasi::RunStatus::OutputLimit:  // `run` never sets end_on_output_limit
    case wasi::RunStatus::Trapped: return kExitRunTrap;
  }
  return kExitRunTrap;
}

std::string limit_message(const wasi::RunResult& r, const RunArgs& a) {
  const std::string trap = r.trap ? r.trap->message : std::string();
  switch (r.status) {
    case wasi::RunStatus::Exited: return {};
    case wasi::RunStatus::DeadlineExceeded:
      return "timeout: the guest ran longer than --timeout " + std::to_string(a.timeout) + " s";
    case wasi::RunStatus::Interrupted: return "interrupted";
    case wasi::RunStatus::OutOfFuel:
      return "out of fuel: the guest used its whole budget of " + std::to_string(a.fuel) + " (--fuel)";
    case wasi::RunStatus::MemoryLimit:
      return "memory limit: the guest needed more than --max-memory " + std::to_string(a.max_memory) +
             " bytes (" + trap + ")";
    case wasi::RunStatus::OutputLimit:
    case wasi::RunStatus::Trapped: return "trap: " + trap;
  }
  return trap;
}

boost::json::object report(const wasi::RunResult& r, int exit_code, const std::string& message) {
  boost::json::object o;
  o["exit_code"] = exit_code;
  o["status"] = std::string(wasi::to_string(r.status));
  if (r.status == wasi::RunStatus::Exited) {
    o["guest_exit_code"] = r.exit_code;
  } else {
    o["guest_exit_code"] = nullptr;
  }
  if (message.empty()) {
    o["error"] = nullptr;
  } else {
    o["error"] = message;
  }
  o["stdout"] = sanitize_utf8(r.stdout_data);
  o["stderr"] = sanitize_utf8(r.stderr_data);
  o["stdout_truncated"] = r.stdout_truncated;
  o["stderr_truncated"] = r.stderr_truncated;
  o["fuel_used"] = r.fuel_used;
  boost::json::array changes;
  for (const vfs::Change& c : r.changes) {
    boost::json::object ch;
    ch["path"] = sanitize_utf8(c.path);
    ch["kind"] = std::string(vfs::to_string(c.kind));
    ch["type"] = std::string(vfs::to_string(c.type));
    changes.push_back(std::move(ch));
  }
  o["changed_files"] = std::move(changes);
  o["vfs_digest"] = to_hex(r.digest);
  return o;
}

int fail(std::FILE* err, int code, const std::string& message) {
  std::fprintf(err, "wasmgate: run: %s\n", message.c_str());
  return code;
}

}  // namespace

int run_command(const RunArgs& a, std::FILE* out, std::FILE* err) {
  if (a.args.empty()) return fail(err, kExitUsage, "missing MODULE.wasm");
  if (a.timeout < 0) return fail(err, kExitUsage, "--timeout must not be negative");
  wasi::RunOptions options;
  wasi::WasiConfig& config = options.wasi;
  config.args = a.args;
  for (const std::string& kv : a.env) {
    if (kv.find('=') == std::string::npos || kv.front() == '=') {
      return fail(err, kExitUsage, "--env expects K=V, got \"" + kv + "\"");
    }
    config.env.push_back(kv);
  }
  if (a.deterministic) config.clock = wasi::ClockMode::Deterministic;
  if (!a.stdin_file.empty()) {
    auto data = read_host_file(a.stdin_file);
    if (!data) return fail(err, kExitFailure, "--stdin: " + data.error().to_string());
    config.stdin_data = std::move(*data);
  }

  // The guest's filesystem: host directories are copied in, never mounted.
  vfs::Vfs vfs;
  for (const std::string& spec : a.dirs) {
    const std::size_t sep = spec.find("::");
    const std::string host = sep == std::string::npos ? spec : spec.substr(0, sep);
    const std::string guest = sep == std::string::npos ? spec : spec.substr(sep + 2);
    if (host.empty() || guest.empty()) return fail(err, kExitUsage, "--dir expects HOST::GUEST, got \"" + spec + "\"");
    auto vfs_path = vfs::normalize_path("/" + guest, vfs.limits());
    if (!vfs_path) return fail(err, kExitUsage, "--dir: bad guest path \"" + guest + "\"");
    auto copied = vfs::copy_in(vfs, host, *vfs_path);
    if (!copied) return fail(err, kExitFailure, "--dir " + spec + ": " + copied.error().to_string());
    config.preopens.push_back({guest, *vfs_path});
  }
  if (config.preopens.empty()) config.preopens.push_back({"/", "/"});

  if (a.fuel > 0) options.limits.fuel = a.fuel;
  if (a.max_memory > 0) {
    options.limits.max_memory_pages = static_cast<std::uint32_t>(
        std::min<std::uint64_t>(a.max_memory / wasm::kPageSize, wasm::kMaxPages));
  }
  // A guest that allocates without bound ends with a memory-limit result
  // rather than seeing malloc fail.
  options.limits.grow_failure = wasm::GrowFailure::Trap;
  if (a.timeout > 0) {
    options.limits.deadline = std::chrono::steady_clock::now() +
                              std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(a.timeout));
  }
  options.unknown_imports = a.trap_unknown_imports ? wasi::UnknownImports::Trap : wasi::UnknownImports::Fail;

  auto bytes = read_host_file(a.args.front());
  if (!bytes) return fail(err, kExitFailure, bytes.error().to_string());
  auto result = wasi::run(std::span(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()), vfs,
                          options);
  if (!result) return fail(err, kExitFailure, a.args.front() + ": " + result.error().to_string());

  if (!a.output_dir.empty()) {
    vfs::CopyOutOptions out_options;
    out_options.overwrite = vfs::HostOverwrite::Yes;
    auto copied = vfs::copy_out(vfs.snapshot(), "/", a.output_dir, out_options);
    if (!copied) return fail(err, kExitFailure, "--output-dir: " + copied.error().to_string());
  }

  const int code = exit_code_of(*result);
  const std::string message = limit_message(*result, a);
  if (a.json) {
    const std::string text = boost::json::serialize(report(*result, code, message));
    std::fprintf(out, "%s\n", text.c_str());
    return code;
  }
  std::fwrite(result->stdout_data.data(), 1, result->stdout_data.size(), out);
  std::fwrite(result->stderr_data.data(), 1, result->stderr_data.size(), err);
  std::fflush(out);
  if (result->stdout_truncated) std::fprintf(err, "wasmgate: run: stdout was truncated at its cap\n");
  if (result->stderr_truncated) std::fprintf(err, "wasmgate: run: stderr was truncated at its cap\n");
  if (!message.empty()) std::fprintf(err, "wasmgate: run: %s\n", message.c_str());
  return code;
}

}  // namespace wg::cli
