// The state of one WASI preview1 process: arguments, environment, the fd
// table with rights, preopened directories, the standard streams (buffers
// with caps), the virtual clock and the random source. Guest-visible path
// resolution (never leaving a directory descriptor) lives here too.
//
// Contract: a WasiContext borrows a vfs::Vfs that must outlive it; it opens
// one VFS handle per preopen and per guest-opened descriptor and closes them
// all when destroyed. It knows nothing of agents, JSON or the engine's
// store: src/wasi/functions.h binds it to a wasm::Linker.
// Clock: in Deterministic mode every read of a clock moves time forward by
// kDeterministicTick from a fixed start; in Host mode realtime and monotonic
// follow the host. In both modes poll_oneoff advances a virtual offset
// instead of sleeping, so a guest can never block the host.
// Random: Deterministic mode draws from xoshiro256** seeded with `seed`;
// Host mode uses getrandom(2).
// Thread-safety: not thread-safe; one run uses it on one thread.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "vfs/clock.h"
#include "vfs/vfs.h"
#include "wasi/abi.h"

namespace wg::wasi {

// Bounds on what a guest may make the host do.
struct WasiLimits {
  std::uint64_t max_stdout_bytes = 16u << 20;  // beyond: dropped, RunResult says truncated
  std::uint64_t max_stderr_bytes = 16u << 20;
  std::uint32_t max_fds = 1024;       // open descriptors incl. stdio and preopens -> EMFILE
  std::uint32_t max_iovecs = 1024;    // per fd_read/fd_write call (IOV_MAX) -> EINVAL
  std::uint32_t max_subscriptions = 4096;  // per poll_oneoff -> EINVAL
  std::uint32_t max_symlink_hops = 40;     // per path resolution -> ELOOP
  std::uint64_t max_random_bytes = 1u << 20;  // per random_get -> EINVAL
  // false: output past max_stdout/stderr_bytes is dropped (the run goes
  // on, RunResult says truncated); true: the write that passes it ends the
  // run with RunStatus::OutputLimit (what agents use: a guest that floods
  // its output stops at once with a clear status).
  bool end_on_output_limit = false;
};

enum class ClockMode : std::uint8_t { Host, Deterministic };

// A directory of the VFS the guest may reach, under the name it sees.
struct Preopen {
  std::string guest_path;  // e.g. "/sandbox" or "."
  std::string vfs_path;    // absolute VFS path of an existing directory
};

struct WasiConfig {
  std::vector<std::string> args;  // args[0] is the program name
  std::vector<std::string> env;   // "KEY=VALUE"
  std::vector<Preopen> preopens;  // become fds 3, 4, ...
  std::string stdin_data;
  ClockMode clock = ClockMode::Host;
  std::uint64_t seed = 0;  // Deterministic mode's random seed
  std::uint64_t clock_start_ns = kDefaultClockStartNs;  // Deterministic realtime start
  WasiLimits limits;

  // 2023-11-14T22:13:20Z: a fixed, plausible wall-clock start.
  static constexpr std::uint64_t kDefaultClockStartNs = 1'700'000'000'000'000'000ull;
};

inline constexpr std::uint64_t kDeterministicTick = 1000;  // ns per clock read

// The virtual clock: also the VFS's timestamp source during a run.
class VirtualClock final : public vfs::Clock {
 public:
  VirtualClock(ClockMode mode, std::uint64_t start_ns);
  std::uint64_t realtime_ns();
  std::uint64_t monotonic_ns();
  std::uint64_t resolution_ns() const;
  void advance(std::uint64_t ns) { offset_ += ns; }
  std::uint64_t now_ns() override { return realtime_ns(); }

 private:
  std::uint64_t tick();
  ClockMode mode_;
  std::uint64_t start_ns_;
  std::uint64_t ticks_ = 0;
  std::uint64_t offset_ = 0;
  std::int64_t host_mono_start_ = 0;
};

// Random bytes: seeded xoshiro256** (deterministic) or getrandom(2).
class RandomSource {
 public:
  RandomSource(ClockMode mode, std::uint64_t seed);
  void fill(std::span<std::uint8_t> out);

 private:
  std::uint64_t next();
  ClockMode mode_;
  std::array<std::uint64_t, 4> s_{};
};

// A guest file descriptor number.
struct Fd {
  std::uint32_t value = 0;
  friend auto operator<=>(Fd, Fd) = default;
};

enum class FdKind : std::uint8_t { Stdin, Stdout, Stderr, File, Directory };

struct FdEntry {
  FdKind kind = FdKind::File;
  vfs::Ino ino;                  // File and Directory: a retained VFS handle
  std::uint64_t offset = 0;      // File
  std::uint16_t fdflags = 0;
  std::uint64_t rights_base = 0;
  std::uint64_t rights_inheriting = 0;
  std::string preopen_name;      // non-empty for preopened directories
};

// A path resolved inside a directory descriptor: the directory that holds
// the final component and that component's name. An empty name means the
// path named `dir` itself (".", "a/.."). `exists` is false when the final
// component is missing (the other fields are still meaningful, for create).
struct ResolvedPath {
  vfs::Ino dir;
  std::string name;
  bool exists = false;
  bool trailing_slash = false;
};

enum class FollowFinal : std::uint8_t { No, Yes };

class WasiContext {
 public:
  // Opens the preopens; Errors: NotFound/Invalid naming a preopen whose VFS
  // path is not a directory.
  static Result<std::unique_ptr<WasiContext>> create(vfs::Vfs& vfs, WasiConfig config);
  ~WasiContext();
  WasiContext(const WasiContext&) = delete;
  WasiContext& operator=(const WasiContext&) = delete;

  vfs::Vfs& vfs() { return vfs_; }
  const WasiConfig& config() const { return config_; }
  const WasiLimits& limits() const { return config_.limits; }
  VirtualClock& clock() { return clock_; }
  RandomSource& random() { return random_; }

  // ---- descriptors ---------------------------------------------------------
  FdEntry* find(Fd fd);
  // The entry if open and holding every right in `needed`; BADF if not open,
  // NOTCAPABLE if a right is missing.
  std::expected<FdEntry*, Errno> get(Fd fd, std::uint64_t needed);
  // Lowest free number, or MFILE at max_fds.
  std::expected<Fd, Errno> insert(FdEntry entry);
  Errno close(Fd fd);
  Errno renumber(Fd from, Fd to);
  std::size_t open_count() const { return fds_.size(); }

  // ---- standard streams ----------------------------------------------------
  // Reads from the stdin buffer; 0 at its end.
  std::size_t read_stdin(std::span<std::uint8_t> out);
  std::uint64_t stdin_remaining() const { return config_.stdin_data.size() - stdin_pos_; }
  // Appends to stdout/stderr up to the cap; bytes beyond it are dropped and
  // the stream is marked truncated. Returns data.size() (the guest sees a
  // complete write, as with a closed pipe reader ignoring output).
  void write_stream(FdKind kind, std::span<const std::uint8_t> data);
  std::string& stdout_data() { return stdout_; }
  std::string& stderr_data() { return stderr_; }
  bool stdout_truncated() const { return stdout_truncated_; }
  bool stderr_truncated() const { return stderr_truncated_; }

  // ---- paths ---------------------------------------------------------------
  // Resolves `path` below directory `dir` the way a capability runtime
  // must: an absolute path, a ".." above `dir`, or a symlink whose target is
  // absolute or climbs above `dir` is NOTCAPABLE; too many symlinks is LOOP;
  // a non-directory in the middle is NOTDIR; an empty path is NOENT; a NUL
  // byte is INVAL. Symlinks in the middle are always followed; the final one
  // only with FollowFinal::Yes (or a trailing slash).
  std::expected<ResolvedPath, Errno> resolve(vfs::Ino dir, std::string_view path, FollowFinal follow);

 private:
  WasiContext(vfs::Vfs& vfs, WasiConfig config);
  vfs::Vfs& vfs_;
  WasiConfig config_;
  VirtualClock clock_;
  RandomSource random_;
  std::map<Fd, FdEntry> fds_;
  std::size_t stdin_pos_ = 0;
  std::string stdout_;
  std::string stderr_;
  bool stdout_truncated_ = false;
  bool stderr_truncated_ = false;
};

// The WASI errno for a VFS error.
Errno to_errno(vfs::Errc code);

}  // namespace wg::wasi
