// wasi_snapshot_preview1 over the VFS.
// Spec: https://github.com/WebAssembly/WASI/blob/main/legacy/preview1/docs.md
// Every handler validates every guest pointer before it changes any state,
// so a call that fails with FAULT has no effect.
#include "wasi/functions.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace wg::wasi {
namespace {

using wasm::Value;
using Args = std::span<const Value>;
namespace E = errno_;

std::uint32_t u32(const Value& v) { return static_cast<std::uint32_t>(v.bits); }
std::uint64_t u64(const Value& v) { return v.bits; }
Fd fd_arg(const Value& v) { return Fd{u32(v)}; }

// Early-return helpers for std::expected<T, Errno>.
#define WASI_TRY(var, expr)                             \
  auto var##_r = (expr);                                \
  if (!var##_r) return var##_r.error();                 \
  auto var = *var##_r
#define WASI_CHECK(cond, err) \
  if (!(cond)) return (err)

std::expected<std::string_view, Errno> read_path(GuestMemory& mem, std::uint32_t ptr, std::uint32_t len) {
  auto s = mem.bytes(ptr, len);
  if (!s) return std::unexpected(E::kFault);
  return std::string_view(reinterpret_cast<const char*>(s->data()), s->size());
}

// The buffers an iovec/ciovec array names, each checked against memory.
std::expected<std::vector<std::span<std::uint8_t>>, Errno> iovecs(WasiContext& ctx, GuestMemory& mem,
                                                                    std::uint32_t ptr, std::uint32_t count) {
  if (count > ctx.limits().max_iovecs) return std::unexpected(E::kInval);
  auto table = mem.bytes(ptr, std::uint64_t{count} * kIovecSize);
  if (!table) return std::unexpected(E::kFault);
  std::vector<std::span<std::uint8_t>> out;
  out.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint32_t buf = 0, len = 0;
    std::memcpy(&buf, table->data() + i * kIovecSize, 4);
    std::memcpy(&len, table->data() + i * kIovecSize + 4, 4);
    auto s = mem.bytes(buf, len);
    if (!s) return std::unexpected(E::kFault);
    out.push_back(*s);
  }
  return out;
}

bool writable_u32(GuestMemory& mem, std::uint32_t ptr) { return mem.bytes(ptr, 4).has_value(); }
bool writable(GuestMemory& mem, std::uint32_t ptr, std::uint64_t len) { return mem.bytes(ptr, len).has_value(); }

std::uint8_t wasi_filetype(vfs::FileType t) {
  switch (t) {
    case vfs::FileType::Regular: return filetype::kRegularFile;
    case vfs::FileType::Directory: return filetype::kDirectory;
    case vfs::FileType::Symlink: return filetype::kSymbolicLink;
  }
  return filetype::kUnknown;
}

void put_filestat(std::span<std::uint8_t> out, const vfs::Stat& st) {
  std::fill(out.begin(), out.end(), 0);
  auto put64 = [&](std::size_t off, std::uint64_t v) { std::memcpy(out.data() + off, &v, 8); };
  put64(0, 0);  // dev: one device
  put64(8, st.ino.value);
  out[16] = wasi_filetype(st.type);
  put64(24, st.nlink);
  put64(32, st.size);
  put64(40, st.atime_ns);
  put64(48, st.mtime_ns);
  put64(56, st.ctime_ns);
}

std::expected<std::pair<vfs::TimeSpec, vfs::TimeSpec>, Errno> time_specs(std::uint64_t atim, std::uint64_t mtim,
                                                                           std::uint32_t fst) {
  if ((fst & ~0xFu) != 0) return std::unexpected(E::kInval);
  if ((fst & kFstAtim) && (fst & kFstAtimNow)) return std::unexpected(E::kInval);
  if ((fst & kFstMtim) && (fst & kFstMtimNow)) return std::unexpected(E::kInval);
  vfs::TimeSpec a = (fst & kFstAtimNow) ? vfs::TimeSpec::now() : (fst & kFstAtim) ? vfs::TimeSpec::at(atim) : vfs::TimeSpec::omit();
  vfs::TimeSpec m = (fst & kFstMtimNow) ? vfs::TimeSpec::now() : (fst & kFstMtim) ? vfs::TimeSpec::at(mtim) : vfs::TimeSpec::omit();
  return std::pair{a, m};
}

bool is_stdio(const FdEntry& e) {
  return e.kind == FdKind::Stdin || e.kind == FdKind::Stdout || e.kind == FdKind::Stderr;
}

// A directory descriptor holding `needed`.
std::expected<FdEntry*, Errno> dir_fd(WasiContext& ctx, Fd fd, std::uint64_t needed) {
  FdEntry* e = ctx.find(fd);
  if (e == nullptr) return std::unexpected(E::kBadf);
  if (e->kind != FdKind::Directory) return std::unexpected(E::kNotdir);
  if ((e->rights_base & needed) != needed) return std::unexpected(E::kNotcapable);
  return e;
}

// ---- args, environ ---------------------------------------------------------

Errno sizes_get(GuestMemory& mem, const std::vector<std::string>& list, std::uint32_t count_ptr,
                std::uint32_t size_ptr) {
  std::uint64_t size = 0;
  for (const auto& s : list) size += s.size() + 1;
  WASI_CHECK(size <= UINT32_MAX, E::kOverflow);
  WASI_CHECK(writable_u32(mem, count_ptr) && writable_u32(mem, size_ptr), E::kFault);
  (void)mem.store(count_ptr, static_cast<std::uint32_t>(list.size()));
  (void)mem.store(size_ptr, static_cast<std::uint32_t>(size));
  return E::kSuccess;
}

Errno list_get(GuestMemory& mem, const std::vector<std::string>& list, std::uint32_t ptrs, std::uint32_t buf) {
  std::uint64_t size = 0;
  for (const auto& s : list) size += s.size() + 1;
  auto ptr_span = mem.bytes(ptrs, std::uint64_t{4} * list.size());
  auto buf_span = mem.bytes(buf, size);
  WASI_CHECK(ptr_span && buf_span, E::kFault);
  std::uint64_t off = 0;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::uint32_t p = static_cast<std::uint32_t>(buf + off);
    std::memcpy(ptr_span->data() + 4 * i, &p, 4);
    std::memcpy(buf_span->data() + off, list[i].data(), list[i].size());
    buf_span->data()[off + list[i].size()] = 0;
    off += list[i].size() + 1;
  }
  return E::kSuccess;
}

Outcome args_get(WasiContext& ctx, GuestMemory& mem, Args a) { return list_get(mem, ctx.config().args, u32(a[0]), u32(a[1])); }
Outcome args_sizes_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  return sizes_get(mem, ctx.config().args, u32(a[0]), u32(a[1]));
}
Outcome environ_get(WasiContext& ctx, GuestMemory& mem, Args a) { return list_get(mem, ctx.config().env, u32(a[0]), u32(a[1])); }
Outcome environ_sizes_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  return sizes_get(mem, ctx.config().env, u32(a[0]), u32(a[1]));
}

// ---- clocks, random, scheduling -------------------------------------------

std::expected<std::uint64_t, Errno> clock_now(WasiContext& ctx, std::uint32_t id) {
  switch (id) {
    case kClockRealtime: return ctx.clock().realtime_ns();
    case kClockMonotonic:
    case kClockProcessCputime:
    case kClockThreadCputime: return ctx.clock().monotonic_ns();
    default: return std::unexpected(E::kInval);
  }
}

Outcome clock_res_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_CHECK(u32(a[0]) <= kClockThreadCputime, E::kInval);
  WASI_CHECK(mem.store(u32(a[1]), ctx.clock().resolution_ns()), E::kFault);
  return E::kSuccess;
}

Outcome clock_time_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_CHECK(writable(mem, u32(a[2]), 8), E::kFault);
  WASI_TRY(now, clock_now(ctx, u32(a[0])));
  (void)mem.store(u32(a[2]), now);
  return E::kSuccess;
}

Outcome random_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_CHECK(u32(a[1]) <= ctx.limits().max_random_bytes, E::kInval);
  auto s = mem.bytes(u32(a[0]), u32(a[1]));
  WASI_CHECK(s, E::kFault);
  ctx.random().fill(*s);
  return E::kSuccess;
}

Outcome sched_yield(WasiContext&, GuestMemory&, Args) { return E::kSuccess; }

Outcome proc_exit(WasiContext&, GuestMemory&, Args a) {
  return std::unexpected(wasm::Trap{wasm::TrapKind::Exit, "proc_exit(" + std::to_string(u32(a[0])) + ")", u32(a[0])});
}

// Signals are not part of the sandbox.
Outcome proc_raise(WasiContext&, GuestMemory&, Args) { return E::kNotsup; }

// ---- fd_* ------------------------------------------------------------------

Outcome fd_advise(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdAdvise));
  WASI_CHECK(u32(a[3]) <= 5, E::kInval);
  WASI_CHECK(e->kind == FdKind::File, is_stdio(*e) ? E::kSpipe : E::kBadf);
  return E::kSuccess;
}

Outcome fd_allocate(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdAllocate));
  WASI_CHECK(e->kind == FdKind::File, E::kBadf);
  auto r = ctx.vfs().allocate(e->ino, u64(a[1]), u64(a[2]));
  return r ? E::kSuccess : to_errno(r.error());
}

Outcome fd_close(WasiContext& ctx, GuestMemory&, Args a) { return ctx.close(fd_arg(a[0])); }

Outcome fd_datasync(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdDatasync));
  (void)e;
  return E::kSuccess;
}

Outcome fd_sync(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdSync));
  (void)e;
  return E::kSuccess;
}

Outcome fd_fdstat_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr, E::kBadf);
  auto out = mem.bytes(u32(a[1]), kFdstatSize);
  WASI_CHECK(out, E::kFault);
  std::fill(out->begin(), out->end(), 0);
  std::uint8_t type = filetype::kCharacterDevice;
  if (e->kind == FdKind::Directory) type = filetype::kDirectory;
  if (e->kind == FdKind::File) type = filetype::kRegularFile;
  (*out)[0] = type;
  std::memcpy(out->data() + 2, &e->fdflags, 2);
  std::memcpy(out->data() + 8, &e->rights_base, 8);
  std::memcpy(out->data() + 16, &e->rights_inheriting, 8);
  return E::kSuccess;
}

Outcome fd_fdstat_set_flags(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdFdstatSetFlags));
  WASI_CHECK((u32(a[1]) & ~std::uint32_t{kFdflagAll}) == 0, E::kInval);
  e->fdflags = static_cast<std::uint16_t>(u32(a[1]));
  return E::kSuccess;
}

// Spec: rights may only be dropped, never gained.
Outcome fd_fdstat_set_rights(WasiContext& ctx, GuestMemory&, Args a) {
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr, E::kBadf);
  const std::uint64_t base = u64(a[1]), inh = u64(a[2]);
  WASI_CHECK((base & ~e->rights_base) == 0 && (inh & ~e->rights_inheriting) == 0, E::kNotcapable);
  e->rights_base = base;
  e->rights_inheriting = inh;
  return E::kSuccess;
}

Outcome fd_filestat_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdFilestatGet));
  auto out = mem.bytes(u32(a[1]), kFilestatSize);
  WASI_CHECK(out, E::kFault);
  if (is_stdio(*e)) {
    std::fill(out->begin(), out->end(), 0);
    (*out)[16] = filetype::kCharacterDevice;
    return E::kSuccess;
  }
  auto st = ctx.vfs().stat(e->ino);
  if (!st) return to_errno(st.error());
  put_filestat(*out, *st);
  return E::kSuccess;
}

Outcome fd_filestat_set_size(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdFilestatSetSize));
  WASI_CHECK(e->kind == FdKind::File, E::kBadf);
  auto r = ctx.vfs().truncate(e->ino, u64(a[1]));
  return r ? E::kSuccess : to_errno(r.error());
}

Outcome fd_filestat_set_times(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdFilestatSetTimes));
  WASI_CHECK(!is_stdio(*e), E::kBadf);
  WASI_TRY(ts, time_specs(u64(a[1]), u64(a[2]), u32(a[3])));
  auto r = ctx.vfs().set_times(e->ino, ts.first, ts.second);
  return r ? E::kSuccess : to_errno(r.error());
}

// Reads into `bufs` at `offset` (files) or from stdin.
std::expected<std::uint64_t, Errno> read_into(WasiContext& ctx, FdEntry& e, std::span<std::span<std::uint8_t>> bufs,
                                              std::uint64_t offset) {
  std::uint64_t total = 0;
  for (auto& b : bufs) {
    if (b.empty()) continue;
    std::size_t n = 0;
    if (e.kind == FdKind::Stdin) {
      n = ctx.read_stdin(b);
    } else {
      auto r = ctx.vfs().pread(e.ino, offset + total, b);
      if (!r) return std::unexpected(to_errno(r.error()));
      n = *r;
    }
    total += n;
    if (n < b.size()) break;
  }
  return total;
}

std::expected<std::uint64_t, Errno> write_from(WasiContext& ctx, FdEntry& e, std::span<std::span<std::uint8_t>> bufs,
                                               std::uint64_t offset) {
  std::uint64_t total = 0;
  for (const auto& b : bufs) total += b.size();
  if (e.kind == FdKind::Stdout || e.kind == FdKind::Stderr) {
    for (const auto& b : bufs) ctx.write_stream(e.kind, b);
    return total;
  }
  // One pwrite for the whole gather, so that a quota error writes nothing.
  std::expected<std::size_t, vfs::Errc> r = 0;
  if (bufs.size() == 1) {
    r = ctx.vfs().pwrite(e.ino, offset, std::span<const std::uint8_t>(bufs[0]));
  } else if (total > 0) {
    std::vector<std::uint8_t> joined;
    joined.reserve(total);
    for (const auto& b : bufs) joined.insert(joined.end(), b.begin(), b.end());
    r = ctx.vfs().pwrite(e.ino, offset, std::span<const std::uint8_t>(joined));
  }
  if (!r) return std::unexpected(to_errno(r.error()));
  return total;
}

Outcome fd_read(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdRead));
  WASI_TRY(bufs, iovecs(ctx, mem, u32(a[1]), u32(a[2])));
  WASI_CHECK(writable_u32(mem, u32(a[3])), E::kFault);
  WASI_CHECK(e->kind == FdKind::File || e->kind == FdKind::Stdin, E::kBadf);
  WASI_TRY(n, read_into(ctx, *e, bufs, e->offset));
  if (e->kind == FdKind::File) e->offset += n;
  (void)mem.store(u32(a[3]), static_cast<std::uint32_t>(n));
  return E::kSuccess;
}

Outcome fd_pread(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdRead | right::kFdSeek));
  WASI_TRY(bufs, iovecs(ctx, mem, u32(a[1]), u32(a[2])));
  WASI_CHECK(writable_u32(mem, u32(a[4])), E::kFault);
  WASI_CHECK(e->kind == FdKind::File, is_stdio(*e) ? E::kSpipe : E::kBadf);
  WASI_TRY(n, read_into(ctx, *e, bufs, u64(a[3])));
  (void)mem.store(u32(a[4]), static_cast<std::uint32_t>(n));
  return E::kSuccess;
}

Outcome fd_write(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdWrite));
  WASI_TRY(bufs, iovecs(ctx, mem, u32(a[1]), u32(a[2])));
  WASI_CHECK(writable_u32(mem, u32(a[3])), E::kFault);
  WASI_CHECK(e->kind != FdKind::Directory && e->kind != FdKind::Stdin, E::kBadf);
  std::uint64_t offset = e->offset;
  if (e->kind == FdKind::File && (e->fdflags & kFdflagAppend)) {
    auto st = ctx.vfs().stat(e->ino);
    if (!st) return to_errno(st.error());
    offset = st->size;
  }
  WASI_TRY(n, write_from(ctx, *e, bufs, offset));
  if (e->kind == FdKind::File) e->offset = offset + n;
  (void)mem.store(u32(a[3]), static_cast<std::uint32_t>(n));
  const bool past_cap = e->kind == FdKind::Stdout ? ctx.stdout_truncated()
                        : e->kind == FdKind::Stderr ? ctx.stderr_truncated()
                                                    : false;
  if (past_cap && ctx.config().limits.end_on_output_limit) {
    const bool out = e->kind == FdKind::Stdout;
    const auto cap = out ? ctx.config().limits.max_stdout_bytes : ctx.config().limits.max_stderr_bytes;
    return std::unexpected(wasm::Trap{wasm::TrapKind::Host,
                                      std::string("output limit: ") + (out ? "stdout" : "stderr") +
                                          " passed its cap of " + std::to_string(cap) + " bytes",
                                      0});
  }
  return E::kSuccess;
}

Outcome fd_pwrite(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(e, ctx.get(fd_arg(a[0]), right::kFdWrite | right::kFdSeek));
  WASI_TRY(bufs, iovecs(ctx, mem, u32(a[1]), u32(a[2])));
  WASI_CHECK(writable_u32(mem, u32(a[4])), E::kFault);
  WASI_CHECK(e->kind == FdKind::File, is_stdio(*e) ? E::kSpipe : E::kBadf);
  WASI_TRY(n, write_from(ctx, *e, bufs, u64(a[3])));
  (void)mem.store(u32(a[4]), static_cast<std::uint32_t>(n));
  return E::kSuccess;
}

Outcome fd_seek(WasiContext& ctx, GuestMemory& mem, Args a) {
  const std::int64_t delta = static_cast<std::int64_t>(u64(a[1]));
  const std::uint32_t whence = u32(a[2]);
  // Spec: fd_seek(0, CUR) needs only fd_tell.
  const std::uint64_t needed = (delta == 0 && whence == kWhenceCur) ? right::kFdTell : right::kFdSeek;
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr, E::kBadf);
  WASI_CHECK(!is_stdio(*e), E::kSpipe);
  WASI_CHECK((e->rights_base & needed) == needed, E::kNotcapable);
  WASI_CHECK(e->kind == FdKind::File, E::kBadf);
  WASI_CHECK(writable(mem, u32(a[3]), 8), E::kFault);
  std::int64_t base = 0;
  if (whence == kWhenceCur) {
    base = static_cast<std::int64_t>(e->offset);
  } else if (whence == kWhenceEnd) {
    auto st = ctx.vfs().stat(e->ino);
    if (!st) return to_errno(st.error());
    base = static_cast<std::int64_t>(st->size);
  } else if (whence != kWhenceSet) {
    return E::kInval;
  }
  std::int64_t pos = 0;
  WASI_CHECK(!__builtin_add_overflow(base, delta, &pos), E::kOverflow);
  WASI_CHECK(pos >= 0, E::kInval);
  e->offset = static_cast<std::uint64_t>(pos);
  (void)mem.store(u32(a[3]), e->offset);
  return E::kSuccess;
}

Outcome fd_tell(WasiContext& ctx, GuestMemory& mem, Args a) {
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr, E::kBadf);
  WASI_CHECK(!is_stdio(*e), E::kSpipe);
  WASI_CHECK((e->rights_base & right::kFdTell) != 0, E::kNotcapable);
  WASI_CHECK(e->kind == FdKind::File, E::kBadf);
  WASI_CHECK(mem.store(u32(a[1]), e->offset), E::kFault);
  return E::kSuccess;
}

Outcome fd_prestat_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr && !e->preopen_name.empty(), E::kBadf);
  auto out = mem.bytes(u32(a[1]), kPrestatSize);
  WASI_CHECK(out, E::kFault);
  std::fill(out->begin(), out->end(), 0);
  const std::uint32_t len = static_cast<std::uint32_t>(e->preopen_name.size());
  std::memcpy(out->data() + 4, &len, 4);
  return E::kSuccess;
}

Outcome fd_prestat_dir_name(WasiContext& ctx, GuestMemory& mem, Args a) {
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr && !e->preopen_name.empty(), E::kBadf);
  WASI_CHECK(u32(a[2]) >= e->preopen_name.size(), E::kNametoolong);
  auto out = mem.bytes(u32(a[1]), e->preopen_name.size());
  WASI_CHECK(out, E::kFault);
  std::memcpy(out->data(), e->preopen_name.data(), e->preopen_name.size());
  return E::kSuccess;
}

// Spec: entries are packed dirent+name; the last one may be cut short, and
// bufused < buf_len means the end of the directory was reached.
Outcome fd_readdir(WasiContext& ctx, GuestMemory& mem, Args a) {
  FdEntry* e = ctx.find(fd_arg(a[0]));
  WASI_CHECK(e != nullptr, E::kBadf);
  WASI_CHECK(e->kind == FdKind::Directory, E::kNotdir);
  WASI_CHECK((e->rights_base & right::kFdReaddir) != 0, E::kNotcapable);
  const std::uint32_t buf = u32(a[1]), buf_len = u32(a[2]);
  auto out = mem.bytes(buf, buf_len);
  WASI_CHECK(out && writable_u32(mem, u32(a[4])), E::kFault);
  std::vector<std::uint8_t> packed;
  std::uint64_t cookie = u64(a[3]);
  while (packed.size() < buf_len) {
    auto entries = ctx.vfs().readdir(e->ino, cookie, 64);
    if (!entries) return to_errno(entries.error());
    if (entries->empty()) break;
    for (const vfs::DirEntry& d : *entries) {
      std::array<std::uint8_t, kDirentSize> head{};
      const std::uint32_t namlen = static_cast<std::uint32_t>(d.name.size());
      std::memcpy(head.data(), &d.next, 8);
      std::memcpy(head.data() + 8, &d.ino.value, 8);
      std::memcpy(head.data() + 16, &namlen, 4);
      head[20] = wasi_filetype(d.type);
      packed.insert(packed.end(), head.begin(), head.end());
      packed.insert(packed.end(), d.name.begin(), d.name.end());
      cookie = d.next;
      if (packed.size() >= buf_len) break;
    }
  }
  const std::size_t used = std::min<std::size_t>(packed.size(), buf_len);
  std::copy_n(packed.data(), used, out->data());
  (void)mem.store(u32(a[4]), static_cast<std::uint32_t>(used));
  return E::kSuccess;
}

Outcome fd_renumber(WasiContext& ctx, GuestMemory&, Args a) { return ctx.renumber(fd_arg(a[0]), fd_arg(a[1])); }

// ---- path_* ----------------------------------------------------------------

Outcome path_create_directory(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), right::kPathCreateDirectory));
  WASI_TRY(path, read_path(mem, u32(a[1]), u32(a[2])));
  WASI_TRY(r, ctx.resolve(d->ino, path, FollowFinal::No));
  WASI_CHECK(!r.exists, E::kExist);
  auto m = ctx.vfs().mkdir(r.dir, r.name);
  return m ? E::kSuccess : to_errno(m.error());
}

Outcome path_remove_directory(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), right::kPathRemoveDirectory));
  WASI_TRY(path, read_path(mem, u32(a[1]), u32(a[2])));
  WASI_TRY(r, ctx.resolve(d->ino, path, FollowFinal::No));
  WASI_CHECK(r.exists, E::kNoent);
  WASI_CHECK(!r.name.empty(), E::kInval);
  auto m = ctx.vfs().rmdir(r.dir, r.name);
  return m ? E::kSuccess : to_errno(m.error());
}

Outcome path_unlink_file(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), right::kPathUnlinkFile));
  WASI_TRY(path, read_path(mem, u32(a[1]), u32(a[2])));
  WASI_TRY(r, ctx.resolve(d->ino, path, FollowFinal::No));
  WASI_CHECK(r.exists, E::kNoent);
  WASI_CHECK(!r.name.empty() && !r.trailing_slash, E::kIsdir);
  auto m = ctx.vfs().unlink(r.dir, r.name);
  return m ? E::kSuccess : to_errno(m.error());
}

Outcome path_rename(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(from, dir_fd(ctx, fd_arg(a[0]), right::kPathRenameSource));
  WASI_TRY(to, dir_fd(ctx, fd_arg(a[3]), right::kPathRenameTarget));
  WASI_TRY(old_path, read_path(mem, u32(a[1]), u32(a[2])));
  WASI_TRY(new_path, read_path(mem, u32(a[4]), u32(a[5])));
  WASI_TRY(ro, ctx.resolve(from->ino, old_path, FollowFinal::No));
  WASI_TRY(rn, ctx.resolve(to->ino, new_path, FollowFinal::No));
  WASI_CHECK(ro.exists, E::kNoent);
  WASI_CHECK(!ro.name.empty() && !rn.name.empty(), E::kBusy);
  auto m = ctx.vfs().rename(ro.dir, ro.name, rn.dir, rn.name);
  return m ? E::kSuccess : to_errno(m.error());
}

Outcome path_symlink(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(target, read_path(mem, u32(a[0]), u32(a[1])));
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[2]), right::kPathSymlink));
  WASI_TRY(path, read_path(mem, u32(a[3]), u32(a[4])));
  WASI_TRY(r, ctx.resolve(d->ino, path, FollowFinal::No));
  WASI_CHECK(!r.exists, E::kExist);
  auto m = ctx.vfs().symlink(target, r.dir, r.name);
  return m ? E::kSuccess : to_errno(m.error());
}

// Hard links are not part of the VFS model (every inode has one parent).
Outcome path_link(WasiContext& ctx, GuestMemory&, Args a) {
  WASI_TRY(from, dir_fd(ctx, fd_arg(a[0]), right::kPathLinkSource));
  WASI_TRY(to, dir_fd(ctx, fd_arg(a[4]), right::kPathLinkTarget));
  (void)from;
  (void)to;
  return E::kNotsup;
}

Outcome path_readlink(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), right::kPathReadlink));
  WASI_TRY(path, read_path(mem, u32(a[1]), u32(a[2])));
  auto out = mem.bytes(u32(a[3]), u32(a[4]));
  WASI_CHECK(out && writable_u32(mem, u32(a[5])), E::kFault);
  WASI_TRY(r, ctx.resolve(d->ino, path, FollowFinal::No));
  WASI_CHECK(r.exists, E::kNoent);
  WASI_CHECK(!r.name.empty(), E::kInval);
  auto target = ctx.vfs().readlink(r.dir, r.name);
  if (!target) return to_errno(target.error());
  const std::size_t n = std::min<std::size_t>(target->size(), out->size());
  std::memcpy(out->data(), target->data(), n);
  (void)mem.store(u32(a[5]), static_cast<std::uint32_t>(n));
  return E::kSuccess;
}

std::expected<vfs::Ino, Errno> resolve_existing(WasiContext& ctx, vfs::Ino dir, std::string_view path,
                                                std::uint32_t lookupflags) {
  auto rr = ctx.resolve(dir, path, (lookupflags & kLookupSymlinkFollow) ? FollowFinal::Yes : FollowFinal::No);
  if (!rr) return std::unexpected(rr.error());
  const ResolvedPath& r = *rr;
  if (!r.exists) return std::unexpected(E::kNoent);
  if (r.name.empty()) return r.dir;
  auto ino = ctx.vfs().lookup(r.dir, r.name, vfs::Follow::No);
  if (!ino) return std::unexpected(to_errno(ino.error()));
  return *ino;
}

Outcome path_filestat_get(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), right::kPathFilestatGet));
  WASI_TRY(path, read_path(mem, u32(a[2]), u32(a[3])));
  auto out = mem.bytes(u32(a[4]), kFilestatSize);
  WASI_CHECK(out, E::kFault);
  WASI_TRY(ino, resolve_existing(ctx, d->ino, path, u32(a[1])));
  auto st = ctx.vfs().stat(ino);
  if (!st) return to_errno(st.error());
  put_filestat(*out, *st);
  return E::kSuccess;
}

Outcome path_filestat_set_times(WasiContext& ctx, GuestMemory& mem, Args a) {
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), right::kPathFilestatSetTimes));
  WASI_TRY(path, read_path(mem, u32(a[2]), u32(a[3])));
  WASI_TRY(ts, time_specs(u64(a[4]), u64(a[5]), u32(a[6])));
  WASI_TRY(ino, resolve_existing(ctx, d->ino, path, u32(a[1])));
  auto r = ctx.vfs().set_times(ino, ts.first, ts.second);
  return r ? E::kSuccess : to_errno(r.error());
}

Outcome path_open(WasiContext& ctx, GuestMemory& mem, Args a) {
  const std::uint32_t dirflags = u32(a[1]);
  const std::uint32_t oflags = u32(a[4]);
  const std::uint64_t want_base = u64(a[5]), want_inh = u64(a[6]);
  const std::uint32_t fdflags = u32(a[7]);
  std::uint64_t needed = right::kPathOpen;
  if (oflags & kOflagCreat) needed |= right::kPathCreateFile;
  if (oflags & kOflagTrunc) needed |= right::kPathFilestatSetSize;
  WASI_TRY(d, dir_fd(ctx, fd_arg(a[0]), needed));
  WASI_CHECK((oflags & ~0xFu) == 0 && (fdflags & ~std::uint32_t{kFdflagAll}) == 0, E::kInval);
  WASI_TRY(path, read_path(mem, u32(a[2]), u32(a[3])));
  WASI_CHECK(writable_u32(mem, u32(a[8])), E::kFault);
  const std::uint64_t parent_inh = d->rights_inheriting;
  WASI_TRY(r, ctx.resolve(d->ino, path, (dirflags & kLookupSymlinkFollow) ? FollowFinal::Yes : FollowFinal::No));
  vfs::Ino ino;
  if (r.exists && r.name.empty()) {
    // The path named a directory reached without a final name ("." or "..").
    WASI_CHECK(!((oflags & kOflagCreat) && (oflags & kOflagExcl)), E::kExist);
    WASI_CHECK(!(oflags & kOflagTrunc) && !(oflags & kOflagCreat), E::kIsdir);
    auto ret = ctx.vfs().retain(r.dir);
    if (!ret) return to_errno(ret.error());
    ino = r.dir;
  } else {
    if (!r.exists && (oflags & kOflagCreat) && r.trailing_slash) return E::kIsdir;
    vfs::OpenFlags flags = vfs::OpenFlags::NoFollow;
    if (oflags & kOflagCreat) flags = flags | vfs::OpenFlags::Create;
    if (oflags & kOflagExcl) flags = flags | vfs::OpenFlags::Excl;
    if (oflags & kOflagTrunc) flags = flags | vfs::OpenFlags::Trunc;
    if ((oflags & kOflagDirectory) || r.trailing_slash) flags = flags | vfs::OpenFlags::Directory;
    auto opened = ctx.vfs().open(r.dir, r.name, flags);
    if (!opened) {
      // O_DIRECTORY on a symlink that is not followed is "not a directory".
      if (opened.error() == vfs::Errc::Loop && (oflags & kOflagDirectory)) return E::kNotdir;
      return to_errno(opened.error());
    }
    ino = *opened;
  }
  auto st = ctx.vfs().stat(ino);
  if (!st) {
    (void)ctx.vfs().close(ino);
    return to_errno(st.error());
  }
  FdEntry entry;
  entry.ino = ino;
  entry.fdflags = static_cast<std::uint16_t>(fdflags);
  if (st->type == vfs::FileType::Directory) {
    entry.kind = FdKind::Directory;
    entry.rights_base = want_base & parent_inh & right::kDirBase;
    entry.rights_inheriting = want_inh & parent_inh;
  } else {
    entry.kind = FdKind::File;
    entry.rights_base = want_base & parent_inh & right::kFileBase;
    entry.rights_inheriting = 0;
  }
  auto fd = ctx.insert(std::move(entry));
  if (!fd) {
    (void)ctx.vfs().close(ino);
    return fd.error();
  }
  (void)mem.store(u32(a[8]), fd->value);
  return E::kSuccess;
}

// ---- poll_oneoff -----------------------------------------------------------

// Files and the standard streams are always ready. Clock subscriptions
// complete on the virtual clock: when nothing else is ready the clock jumps
// to the earliest timeout instead of the host sleeping.
Outcome poll_oneoff(WasiContext& ctx, GuestMemory& mem, Args a) {
  const std::uint32_t nsubs = u32(a[2]);
  WASI_CHECK(nsubs > 0 && nsubs <= ctx.limits().max_subscriptions, E::kInval);
  auto in = mem.bytes(u32(a[0]), std::uint64_t{nsubs} * kSubscriptionSize);
  auto out = mem.bytes(u32(a[1]), std::uint64_t{nsubs} * kEventSize);
  WASI_CHECK(in && out && writable_u32(mem, u32(a[3])), E::kFault);
  // Copy the subscriptions first: `in` and `out` may overlap.
  std::vector<std::uint8_t> subs(in->begin(), in->end());
  struct Ev {
    std::uint64_t userdata;
    Errno error;
    std::uint8_t type;
    std::uint64_t nbytes;
  };
  struct Timer {
    std::uint64_t userdata;
    std::uint64_t remaining;
  };
  std::vector<Ev> ready;
  std::vector<Timer> timers;
  for (std::uint32_t i = 0; i < nsubs; ++i) {
    const std::uint8_t* s = subs.data() + std::size_t{i} * kSubscriptionSize;
    std::uint64_t userdata = 0;
    std::memcpy(&userdata, s, 8);
    const std::uint8_t tag = s[8];
    if (tag == kEventClock) {
      std::uint32_t id = 0;
      std::uint64_t timeout = 0;
      std::uint16_t flags = 0;
      std::memcpy(&id, s + 16, 4);
      std::memcpy(&timeout, s + 24, 8);
      std::memcpy(&flags, s + 40, 2);
      auto now = clock_now(ctx, id);
      if (!now) {
        ready.push_back({userdata, now.error(), tag, 0});
        continue;
      }
      std::uint64_t remaining = timeout;
      if (flags & kSubclockAbstime) remaining = timeout > *now ? timeout - *now : 0;
      timers.push_back({userdata, remaining});
    } else if (tag == kEventFdRead || tag == kEventFdWrite) {
      std::uint32_t fdv = 0;
      std::memcpy(&fdv, s + 16, 4);
      auto e = ctx.get(Fd{fdv}, right::kPollFdReadwrite);
      if (!e) {
        ready.push_back({userdata, e.error(), tag, 0});
        continue;
      }
      std::uint64_t nbytes = 0;
      if (tag == kEventFdRead && (*e)->kind == FdKind::Stdin) nbytes = ctx.stdin_remaining();
      if (tag == kEventFdRead && (*e)->kind == FdKind::File) {
        auto st = ctx.vfs().stat((*e)->ino);
        if (st && st->size > (*e)->offset) nbytes = st->size - (*e)->offset;
      }
      const bool bad = (*e)->kind == FdKind::Directory ||
                       (tag == kEventFdRead && ((*e)->kind == FdKind::Stdout || (*e)->kind == FdKind::Stderr)) ||
                       (tag == kEventFdWrite && (*e)->kind == FdKind::Stdin);
      ready.push_back({userdata, bad ? E::kBadf : E::kSuccess, tag, nbytes});
    } else {
      ready.push_back({userdata, E::kInval, tag, 0});
    }
  }
  if (ready.empty() && !timers.empty()) {
    std::uint64_t earliest = UINT64_MAX;
    for (const Timer& t : timers) earliest = std::min(earliest, t.remaining);
    ctx.clock().advance(earliest);
    for (Timer& t : timers) t.remaining = t.remaining > earliest ? t.remaining - earliest : 0;
  }
  for (const Timer& t : timers) {
    if (t.remaining == 0) ready.push_back({t.userdata, E::kSuccess, kEventClock, 0});
  }
  std::fill(out->begin(), out->end(), 0);
  for (std::size_t i = 0; i < ready.size(); ++i) {
    std::uint8_t* o = out->data() + i * kEventSize;
    std::memcpy(o, &ready[i].userdata, 8);
    std::memcpy(o + 8, &ready[i].error, 2);
    o[10] = ready[i].type;
    std::memcpy(o + 16, &ready[i].nbytes, 8);
  }
  (void)mem.store(u32(a[3]), static_cast<std::uint32_t>(ready.size()));
  return E::kSuccess;
}

// ---- sock_* ----------------------------------------------------------------

// The sandbox has no network: every socket call answers NOTSUP.
Outcome sock_notsup(WasiContext&, GuestMemory&, Args) { return E::kNotsup; }

#undef WASI_TRY
#undef WASI_CHECK

constexpr FunctionRow kTable[] = {
    {"args_get", "ii", "i", &args_get},
    {"args_sizes_get", "ii", "i", &args_sizes_get},
    {"clock_res_get", "ii", "i", &clock_res_get},
    {"clock_time_get", "iIi", "i", &clock_time_get},
    {"environ_get", "ii", "i", &environ_get},
    {"environ_sizes_get", "ii", "i", &environ_sizes_get},
    {"fd_advise", "iIIi", "i", &fd_advise},
    {"fd_allocate", "iII", "i", &fd_allocate},
    {"fd_close", "i", "i", &fd_close},
    {"fd_datasync", "i", "i", &fd_datasync},
    {"fd_fdstat_get", "ii", "i", &fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii", "i", &fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII", "i", &fd_fdstat_set_rights},
    {"fd_filestat_get", "ii", "i", &fd_filestat_get},
    {"fd_filestat_set_size", "iI", "i", &fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi", "i", &fd_filestat_set_times},
    {"fd_pread", "iiiIi", "i", &fd_pread},
    {"fd_prestat_dir_name", "iii", "i", &fd_prestat_dir_name},
    {"fd_prestat_get", "ii", "i", &fd_prestat_get},
    {"fd_pwrite", "iiiIi", "i", &fd_pwrite},
    {"fd_read", "iiii", "i", &fd_read},
    {"fd_readdir", "iiiIi", "i", &fd_readdir},
    {"fd_renumber", "ii", "i", &fd_renumber},
    {"fd_seek", "iIii", "i", &fd_seek},
    {"fd_sync", "i", "i", &fd_sync},
    {"fd_tell", "ii", "i", &fd_tell},
    {"fd_write", "iiii", "i", &fd_write},
    {"path_create_directory", "iii", "i", &path_create_directory},
    {"path_filestat_get", "iiiii", "i", &path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi", "i", &path_filestat_set_times},
    {"path_link", "iiiiiii", "i", &path_link},
    {"path_open", "iiiiiIIii", "i", &path_open},
    {"path_readlink", "iiiiii", "i", &path_readlink},
    {"path_remove_directory", "iii", "i", &path_remove_directory},
    {"path_rename", "iiiiii", "i", &path_rename},
    {"path_symlink", "iiiii", "i", &path_symlink},
    {"path_unlink_file", "iii", "i", &path_unlink_file},
    {"poll_oneoff", "iiii", "i", &poll_oneoff},
    {"proc_exit", "i", "", &proc_exit},
    {"proc_raise", "i", "i", &proc_raise},
    {"random_get", "ii", "i", &random_get},
    {"sched_yield", "", "i", &sched_yield},
    {"sock_accept", "iii", "i", &sock_notsup},
    {"sock_recv", "iiiiii", "i", &sock_notsup},
    {"sock_send", "iiiii", "i", &sock_notsup},
    {"sock_shutdown", "ii", "i", &sock_notsup},
};

}  // namespace

std::span<const FunctionRow> function_table() { return kTable; }

wasm::FuncType function_type(const FunctionRow& row) {
  auto to_types = [](std::string_view letters) {
    std::vector<wasm::ValType> out;
    for (char c : letters) out.push_back(c == 'I' ? wasm::ValType::I64 : wasm::ValType::I32);
    return out;
  };
  return wasm::FuncType{to_types(row.params), to_types(row.results)};
}

void define_wasi(wasm::Linker& linker, wasm::Store& store, WasiContext& ctx) {
  for (const FunctionRow& row : kTable) {
    const FunctionRow* r = &row;
    wasm::FuncInst* f = store.create_host_func(
        function_type(row), [&ctx, r](wasm::HostCall& call, std::span<const Value> args,
                                      std::span<Value> results) -> wasm::HostResult {
          wasm::MemInst* mem = nullptr;
          if (call.caller != nullptr) {
            mem = call.caller->exported_memory("memory");
            if (mem == nullptr) mem = call.caller->memory0();
          }
          // Without a memory every pointer is out of bounds (FAULT).
          static thread_local wasm::MemInst no_memory;
          GuestMemory gm(mem != nullptr ? *mem : no_memory);
          Outcome o = r->handler(ctx, gm, args);
          if (!o) return std::move(o).error();
          if (!results.empty()) results[0] = Value::i32(*o);
          return std::nullopt;
        });
    linker.define(std::string(kModuleName), std::string(row.name), wasm::Extern{wasm::ExternKind::Func, f});
  }
}

}  // namespace wg::wasi
