// An in-memory POSIX-like filesystem: directories, regular files and symlinks
// under one root that no path can leave, with quotas, timestamps from a
// virtual clock, a Merkle digest of the whole tree, and copy-on-write
// snapshots. docs/vfs.md describes the rules in full.
//
// Inode-level interface (for WASI preview1): operations take a directory
// inode plus a relative path (an absolute path starts at the VFS root), or an
// inode handle obtained from open()/lookup(). Errors are vfs::Errc values
// that map onto POSIX/WASI errnos; a failed operation changes nothing (no
// partial writes, no timestamps).
//
// Open handles: open() retains the inode it returns; close() releases it.
// An unlinked inode stays readable and writable until its last handle is
// closed, as in POSIX; it keeps counting against the quotas until then.
// Handles belong to one Vfs: snapshots and forks do not carry them (and do
// not contain unlinked inodes).
//
// Hard links are not supported: every inode has exactly one parent, which is
// what lets digests invalidate up a single path.
//
// Thread-safety: a Vfs is not thread-safe; callers serialise every call on
// one Vfs (including const ones). Distinct Vfs objects may be used on
// different threads, even when one is a fork or snapshot of the other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/sha256.h"
#include "vfs/clock.h"
#include "vfs/errc.h"
#include "vfs/image.h"
#include "vfs/snapshot.h"
#include "vfs/types.h"

namespace wg::vfs {

class Vfs {
 public:
  // An empty filesystem (just the root directory, inode 1). `clock` is
  // optional and must outlive the Vfs; without one every timestamp is 0.
  // Aborts (WG_CHECK) if limits are unusable: max_inodes == 0 or
  // max_depth > kMaxDepthCap.
  // Use create() when the limits come from configuration.
  explicit Vfs(Limits limits = {}, Clock* clock = nullptr);
  // Like the constructor, but unusable limits are an Invalid error.
  static Result<Vfs> create(const Limits& limits, Clock* clock = nullptr);
  Vfs(Vfs&&) noexcept = default;
  Vfs& operator=(Vfs&&) noexcept = default;
  Vfs(const Vfs&) = delete;
  Vfs& operator=(const Vfs&) = delete;

  // A copy-on-write fork of a snapshot: O(inodes) pointer copies, no content
  // copies. Inode numbers are those of the snapshot. No handles are open.
  static Vfs from_snapshot(const Snapshot& snapshot, Clock* clock = nullptr);
  // snapshot() then from_snapshot(), keeping this Vfs's clock.
  Vfs fork();

  // Computes pending digests, then shares the current tree. Not const because
  // it fills digest caches; it changes nothing observable.
  Snapshot snapshot();

  void set_clock(Clock* clock) { clock_ = clock; }
  Ino root() const { return kRootIno; }
  const Limits& limits() const { return image_.limits; }
  Usage usage() const { return image_.usage; }

  // ---- handles -----------------------------------------------------------
  // Resolves `path` from `dir` and retains the inode. Create makes a regular
  // file if the final name is free (following a final dangling symlink to
  // create its target, unless NoFollow). Errors: Exist (Create|Excl on an
  // existing name, symlinks included), IsDir (Create or Trunc on a
  // directory, Create with a trailing slash), NotDir (Directory on a
  // non-directory), Loop (NoFollow on a symlink), Inval (Create|Directory),
  // plus resolution and quota errors.
  Expected<Ino> open(Ino dir, std::string_view path, OpenFlags flags);
  // Adds a handle to a live inode (BadF otherwise), e.g. for dup().
  Expected<void> retain(Ino ino);
  // Releases one handle (BadF if none); frees the inode if it was unlinked.
  Expected<void> close(Ino ino);

  // Resolves without retaining. The result is valid until the next
  // mutating call.
  Expected<Ino> lookup(Ino dir, std::string_view path, Follow follow = Follow::Yes) const;

  // ---- metadata ----------------------------------------------------------
  Expected<Stat> stat(Ino ino) const;
  Expected<Stat> stat_at(Ino dir, std::string_view path, Follow follow = Follow::Yes) const;
  // Each side may be omitted, set to the clock's now, or to a value; ctime
  // becomes now.
  Expected<void> set_times(Ino ino, TimeSpec atime, TimeSpec mtime);

  // ---- file contents -----------------------------------------------------
  // Reads up to out.size() bytes at `offset` (0 at or past the end) and
  // updates atime. IsDir on a directory, Inval on a symlink.
  Expected<std::size_t> pread(Ino ino, std::uint64_t offset, std::span<std::uint8_t> out);
  // Writes all of `data` at `offset`, zero-filling any gap past the end, or
  // nothing: FBig past max_file_size, NoSpc past the byte quota, Overflow if
  // offset + size overflows.
  Expected<std::size_t> pwrite(Ino ino, std::uint64_t offset, std::span<const std::uint8_t> data);
  Expected<std::size_t> pwrite(Ino ino, std::uint64_t offset, std::string_view data);
  // Sets the size, zero-filling when growing.
  Expected<void> truncate(Ino ino, std::uint64_t size);
  // Grows the file to at least offset + length (posix_fallocate).
  Expected<void> allocate(Ino ino, std::uint64_t offset, std::uint64_t length);
  // Replaces the whole contents atomically (quota checked against the
  // difference), e.g. for write_file.
  Expected<void> replace_contents(Ino ino, std::string_view data);
  // The whole contents of a regular file (updates atime).
  Expected<std::string> read_all(Ino ino);
  // Borrowed view of a regular file's contents or a symlink's target, valid
  // until the next mutating call; does not touch atime (IsDir on a directory).
  Expected<std::string_view> view(Ino ino) const;

  // ---- directories -------------------------------------------------------
  // Entries starting at `cookie`: 0 is ".", 1 is "..", then entries in
  // insertion order. Each entry's `next` continues after it. Cookies stay
  // valid across concurrent changes: an entry present for the whole
  // iteration is returned exactly once; entries added meanwhile come last.
  // At most `max_entries` are returned; an empty result is the end.
  Expected<std::vector<DirEntry>> readdir(Ino dir, std::uint64_t cookie, std::size_t max_entries) const;
  Expected<Ino> mkdir(Ino dir, std::string_view path);
  // NotEmpty, NotDir, Busy (the root), Inval (a final ".").
  Expected<void> rmdir(Ino dir, std::string_view path);
  // IsDir on a directory.
  Expected<void> unlink(Ino dir, std::string_view path);
  // POSIX rename(2): replaces an existing target of a compatible type.
  // Directory over an empty directory is allowed, over a non-empty one is
  // NotEmpty, over a non-directory NotDir; a non-directory over a directory
  // is IsDir; a directory into its own subtree is Inval; the root is Busy.
  // Renaming an entry onto itself does nothing.
  Expected<void> rename(Ino old_dir, std::string_view old_path, Ino new_dir, std::string_view new_path);
  // Creates a symlink at `path` holding `target` (not resolved now; when
  // resolved later it stays inside the VFS). Inval for an empty target or
  // one containing NUL; NameTooLong if it exceeds max_path_length.
  Expected<Ino> symlink(std::string_view target, Ino dir, std::string_view path);
  Expected<std::string> readlink(Ino dir, std::string_view path) const;

  // Canonical absolute path of a linked inode (NoEnt once unlinked).
  Expected<std::string> path_of(Ino ino) const;

  // ---- digest ------------------------------------------------------------
  // The tree digest, recomputing only what changed since the last call.
  Sha256Digest digest();
  // The same value computed from scratch, ignoring every cache (for tests
  // and audits).
  Sha256Digest digest_from_scratch() const;

 private:
  friend Result<Vfs> deserialize(std::span<const std::uint8_t>, const Limits&, Clock*);
  Vfs(detail::Image image, Clock* clock);

  std::uint64_t now() const { return clock_ ? clock_->now_ns() : 0; }
  const detail::Node* node(Ino ino) const { return detail::find_node(image_, ino); }
  detail::Node& mut(Ino ino);
  detail::DirData& mut_dir(detail::Node& node);
  std::string& mut_data(detail::Node& node);
  void invalidate(Ino ino);
  const Sha256Digest& ensure_digest(Ino ino);

  Expected<Ino> alloc_node(FileType type);
  void maybe_free(Ino ino);
  std::uint64_t depth_of(Ino dir) const;
  std::uint64_t path_length_of(Ino dir) const;
  Expected<void> check_new_entry(Ino dir, std::string_view name) const;
  void add_entry(Ino dir, const std::string& name, Ino child, std::uint64_t now);
  void remove_entry(Ino dir, std::string_view name, std::uint64_t now);
  Expected<Ino> create_node(Ino dir, const std::string& name, FileType type, std::uint64_t now);
  Expected<void> resize(Ino ino, std::uint64_t size, std::uint64_t now);
  Expected<detail::Node*> writable_file(Ino ino);

  detail::Image image_;
  Clock* clock_ = nullptr;
  std::unordered_map<std::uint64_t, std::uint64_t> handles_;  // ino -> open count
};

}  // namespace wg::vfs
