// Where the VFS takes its timestamps from.
//
// Contract: now_ns() returns nanoseconds since an arbitrary epoch. The VFS
// calls it once per mutating operation and stamps every inode that the
// operation touches with the same value. WASI's virtual clock implements
// this interface so that replays see identical timestamps.
// Thread-safety: a Clock is used by the Vfs that holds it, under that Vfs's
// serialisation; ManualClock is not synchronised.
#pragma once

#include <cstdint>

namespace wg::vfs {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::uint64_t now_ns() = 0;
};

// A virtual clock that moves only when told to: deterministic by design.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::uint64_t start_ns = 0) : now_(start_ns) {}
  std::uint64_t now_ns() override { return now_; }
  void set(std::uint64_t ns) { now_ = ns; }
  void advance(std::uint64_t ns) { now_ += ns; }

 private:
  std::uint64_t now_;
};

}  // namespace wg::vfs
