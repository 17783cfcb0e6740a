#include "wasi/context.h"

#include <sys/random.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <deque>
#include <utility>

namespace wg::wasi {

// ---- clock -----------------------------------------------------------------

VirtualClock::VirtualClock(ClockMode mode, std::uint64_t start_ns) : mode_(mode), start_ns_(start_ns) {
  host_mono_start_ = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::steady_clock::now().time_since_epoch())
                         .count();
}

// Deterministic time moves by one tick per read so that a guest that spins
// until the clock changes still terminates, and so that two runs that make
// the same calls see the same times.
std::uint64_t VirtualClock::tick() { return ++ticks_ * kDeterministicTick; }

std::uint64_t VirtualClock::realtime_ns() {
  if (mode_ == ClockMode::Deterministic) return start_ns_ + tick() + offset_;
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count()) + offset_;
}

std::uint64_t VirtualClock::monotonic_ns() {
  if (mode_ == ClockMode::Deterministic) return tick() + offset_;
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::steady_clock::now().time_since_epoch())
                       .count();
  return static_cast<std::uint64_t>(now - host_mono_start_) + offset_;
}

std::uint64_t VirtualClock::resolution_ns() const { return mode_ == ClockMode::Deterministic ? kDeterministicTick : 1; }

// ---- random ----------------------------------------------------------------

namespace {
std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

RandomSource::RandomSource(ClockMode mode, std::uint64_t seed) : mode_(mode) {
  std::uint64_t x = seed;
  for (auto& word : s_) word = splitmix64(x);
}

// xoshiro256** (Blackman and Vigna): small, fast, and fully determined by
// the seed.
std::uint64_t RandomSource::next() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

void RandomSource::fill(std::span<std::uint8_t> out) {
  if (mode_ == ClockMode::Host) {
    std::size_t done = 0;
    while (done < out.size()) {
      const ssize_t n = ::getrandom(out.data() + done, out.size() - done, 0);
      if (n > 0) {
        done += static_cast<std::size_t>(n);
      } else if (n < 0 && errno != EINTR) {
        break;  // fall back to the generator for the rest
      }
    }
    if (done == out.size()) return;
    out = out.subspan(done);
  }
  std::size_t i = 0;
  while (i < out.size()) {
    std::uint64_t word = next();
    for (int b = 0; b < 8 && i < out.size(); ++b, ++i) {
      out[i] = static_cast<std::uint8_t>(word);
      word >>= 8;
    }
  }
}

// ---- errno mapping ---------------------------------------------------------

Errno to_errno(vfs::Errc code) {
  using vfs::Errc;
  switch (code) {
    case Errc::NoEnt: return errno_::kNoent;
    case Errc::Exist: return errno_::kExist;
    case Errc::NotDir: return errno_::kNotdir;
    case Errc::IsDir: return errno_::kIsdir;
    case Errc::NotEmpty: return errno_::kNotempty;
    case Errc::Inval: return errno_::kInval;
    case Errc::Loop: return errno_::kLoop;
    case Errc::NameTooLong: return errno_::kNametoolong;
    case Errc::NoSpc: return errno_::kNospc;
    case Errc::DQuot: return errno_::kDquot;
    case Errc::FBig: return errno_::kFbig;
    case Errc::Acces: return errno_::kAcces;
    case Errc::Perm: return errno_::kPerm;
    case Errc::BadF: return errno_::kBadf;
    case Errc::Busy: return errno_::kBusy;
    case Errc::NotSup: return errno_::kNotsup;
    case Errc::Overflow: return errno_::kOverflow;
  }
  return errno_::kIo;
}

// ---- context ---------------------------------------------------------------

WasiContext::WasiContext(vfs::Vfs& vfs, WasiConfig config)
    : vfs_(vfs),
      config_(std::move(config)),
      clock_(config_.clock, config_.clock_start_ns),
      random_(config_.clock, config_.seed) {}

Result<std::unique_ptr<WasiContext>> WasiContext::create(vfs::Vfs& vfs, WasiConfig config) {
  std::unique_ptr<WasiContext> ctx(new WasiContext(vfs, std::move(config)));
  ctx->fds_[Fd{0}] = FdEntry{FdKind::Stdin, {}, 0, 0, right::kStdio & ~right::kFdWrite, 0, {}};
  ctx->fds_[Fd{1}] = FdEntry{FdKind::Stdout, {}, 0, 0, right::kStdio & ~right::kFdRead, 0, {}};
  ctx->fds_[Fd{2}] = FdEntry{FdKind::Stderr, {}, 0, 0, right::kStdio & ~right::kFdRead, 0, {}};
  for (const Preopen& p : ctx->config_.preopens) {
    if (p.guest_path.empty()) return make_error(ErrorCode::Invalid, "preopen with an empty guest path");
    auto ino = vfs.open(vfs.root(), p.vfs_path, vfs::OpenFlags::Directory);
    if (!ino) return std::unexpected(vfs::to_error(ino.error(), "preopen " + p.vfs_path));
    FdEntry e{FdKind::Directory, *ino, 0, 0, right::kDirBase, right::kAll, p.guest_path};
    auto fd = ctx->insert(std::move(e));
    if (!fd) {
      (void)vfs.close(*ino);
      return make_error(ErrorCode::LimitExceeded, "too many preopens for max_fds");
    }
  }
  return ctx;
}

WasiContext::~WasiContext() {
  for (auto& [fd, e] : fds_) {
    if (e.kind == FdKind::File || e.kind == FdKind::Directory) (void)vfs_.close(e.ino);
  }
}

FdEntry* WasiContext::find(Fd fd) {
  auto it = fds_.find(fd);
  return it == fds_.end() ? nullptr : &it->second;
}

std::expected<FdEntry*, Errno> WasiContext::get(Fd fd, std::uint64_t needed) {
  FdEntry* e = find(fd);
  if (e == nullptr) return std::unexpected(errno_::kBadf);
  if ((e->rights_base & needed) != needed) return std::unexpected(errno_::kNotcapable);
  return e;
}

std::expected<Fd, Errno> WasiContext::insert(FdEntry entry) {
  if (fds_.size() >= config_.limits.max_fds) return std::unexpected(errno_::kMfile);
  std::uint32_t n = 0;
  for (const auto& [fd, e] : fds_) {
    if (fd.value != n) break;
    ++n;
  }
  fds_.emplace(Fd{n}, std::move(entry));
  return Fd{n};
}

Errno WasiContext::close(Fd fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return errno_::kBadf;
  if (it->second.kind == FdKind::File || it->second.kind == FdKind::Directory) (void)vfs_.close(it->second.ino);
  fds_.erase(it);
  return errno_::kSuccess;
}

// Spec (preview1 fd_renumber): atomically replaces `to` with `from`; both
// must be open.
Errno WasiContext::renumber(Fd from, Fd to) {
  auto src = fds_.find(from);
  if (src == fds_.end() || fds_.find(to) == fds_.end()) return errno_::kBadf;
  if (from == to) return errno_::kSuccess;
  FdEntry moved = std::move(src->second);
  fds_.erase(src);
  (void)close(to);
  fds_.emplace(to, std::move(moved));
  return errno_::kSuccess;
}

std::size_t WasiContext::read_stdin(std::span<std::uint8_t> out) {
  const std::size_t n = std::min<std::size_t>(out.size(), config_.stdin_data.size() - stdin_pos_);
  std::copy_n(config_.stdin_data.data() + stdin_pos_, n, out.data());
  stdin_pos_ += n;
  return n;
}

void WasiContext::write_stream(FdKind kind, std::span<const std::uint8_t> data) {
  const bool out = kind == FdKind::Stdout;
  std::string& buf = out ? stdout_ : stderr_;
  const std::uint64_t cap = out ? config_.limits.max_stdout_bytes : config_.limits.max_stderr_bytes;
  const std::uint64_t room = cap > buf.size() ? cap - buf.size() : 0;
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(room, data.size()));
  buf.append(reinterpret_cast<const char*>(data.data()), n);
  if (n < data.size()) (out ? stdout_truncated_ : stderr_truncated_) = true;
}

namespace {

void push_components(std::string_view path, std::deque<std::string>& pending) {
  std::vector<std::string> parts;
  std::size_t i = 0;
  while (i <= path.size()) {
    const std::size_t j = std::min(path.find('/', i), path.size());
    std::string_view c = path.substr(i, j - i);
    if (!c.empty() && c != ".") parts.emplace_back(c);
    i = j + 1;
  }
  pending.insert(pending.begin(), parts.begin(), parts.end());
}

bool ends_with_slash(std::string_view path) {
  return !path.empty() && (path.back() == '/' || path.ends_with("/.") || path == ".");
}

}  // namespace

std::expected<ResolvedPath, Errno> WasiContext::resolve(vfs::Ino dir, std::string_view path, FollowFinal follow) {
  if (path.empty()) return std::unexpected(errno_::kNoent);
  if (path.find('\0') != std::string_view::npos) return std::unexpected(errno_::kInval);
  if (path.size() > vfs_.limits().max_path_length) return std::unexpected(errno_::kNametoolong);
  if (path.front() == '/') return std::unexpected(errno_::kNotcapable);
  std::deque<std::string> pending;
  push_components(path, pending);
  bool trailing = ends_with_slash(path) && path != ".";
  std::vector<vfs::Ino> stack{dir};  // directories from `dir` down to the current one
  std::uint32_t hops = 0;
  while (!pending.empty()) {
    std::string comp = std::move(pending.front());
    pending.pop_front();
    const bool last = pending.empty();
    if (comp == "..") {
      // Spec: preview1 paths may not escape the directory descriptor.
      if (stack.size() == 1) return std::unexpected(errno_::kNotcapable);
      stack.pop_back();
      continue;
    }
    const vfs::Ino cur = stack.back();
    auto st = vfs_.stat_at(cur, comp, vfs::Follow::No);
    if (!st) {
      if (st.error() == vfs::Errc::NoEnt && last) return ResolvedPath{cur, std::move(comp), false, trailing};
      return std::unexpected(to_errno(st.error()));
    }
    if (st->type == vfs::FileType::Symlink && (!last || follow == FollowFinal::Yes || trailing)) {
      if (++hops > config_.limits.max_symlink_hops) return std::unexpected(errno_::kLoop);
      auto target = vfs_.readlink(cur, comp);
      if (!target) return std::unexpected(to_errno(target.error()));
      if (target->empty()) return std::unexpected(errno_::kNoent);
      if (target->front() == '/') return std::unexpected(errno_::kNotcapable);
      if (last && ends_with_slash(*target)) trailing = true;
      push_components(*target, pending);
      continue;
    }
    if (last) {
      if (trailing && st->type != vfs::FileType::Directory) return std::unexpected(errno_::kNotdir);
      return ResolvedPath{cur, std::move(comp), true, trailing};
    }
    if (st->type != vfs::FileType::Directory) return std::unexpected(errno_::kNotdir);
    stack.push_back(st->ino);
  }
  return ResolvedPath{stack.back(), std::string(), true, trailing};
}

}  // namespace wg::wasi
