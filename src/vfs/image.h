// Internal: the data structure shared by Vfs and Snapshot. Not part of the
// public interface; include vfs/vfs.h or vfs/snapshot.h instead.
//
// Copy-on-write: an Image is a table of shared_ptr<Node>. Copying an Image
// (a snapshot or a fork) copies the pointers; file contents and directory
// maps are shared further down. A holder mutates a node only when it holds
// the only reference (is_unique), otherwise it clones the node first; a
// node's content blob and directory map are cloned the same way.
//
// Digest invariant: a node referenced from more than one Image always has a
// valid cached digest (Vfs::snapshot() computes digests before sharing), and
// an invalid node's ancestors are all invalid. So computing a digest never
// writes to a shared node, and snapshots may be read from other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/sha256.h"
#include "vfs/errc.h"
#include "vfs/types.h"

namespace wg::vfs::detail {

template <class T>
bool is_unique(const std::shared_ptr<T>& p) {
  if (p.use_count() != 1) return false;
  // Pairs with the release in another holder's final decrement, so that its
  // earlier reads happen before our writes.
  std::atomic_thread_fence(std::memory_order_acquire);
  return true;
}

struct EntryRef {
  Ino ino;
  std::uint64_t seq = 0;  // insertion order: readdir cookie = seq + 2
};

struct DirData {
  std::map<std::string, EntryRef, std::less<>> by_name;
  std::map<std::uint64_t, std::string> by_seq;
  std::uint64_t next_seq = 0;
  std::uint64_t subdirs = 0;
};

struct Node {
  FileType type = FileType::Regular;
  Ino parent;        // containing directory; 0 once unlinked; the root's is itself
  std::string name;  // name in the parent ("" for the root)
  std::uint64_t atime = 0, mtime = 0, ctime = 0;
  std::shared_ptr<std::string> data;  // regular file contents or symlink target
  std::shared_ptr<DirData> dir;       // directories only
  bool digest_valid = false;
  Sha256Digest digest{};

  std::uint64_t byte_size() const { return data ? data->size() : 0; }
};

struct Image {
  Limits limits;
  Usage usage;
  std::vector<std::shared_ptr<Node>> nodes;  // index = ino; null = free; [0] unused
  std::vector<std::uint64_t> free_inos;      // min-heap of free slots below nodes.size()
};

inline const Node* find_node(const Image& image, Ino ino) {
  if (ino.value == 0 || ino.value >= image.nodes.size()) return nullptr;
  return image.nodes[ino.value].get();
}

struct Resolved {
  Ino dir;                 // directory that holds `name`
  std::string name;        // final component; "" when the path names `dir` itself
  std::optional<Ino> ino;  // the inode reached, if it exists
  bool trailing_slash = false;
};

// Whether a trailing '/' makes a final symlink be followed (path lookups,
// POSIX) or not (operations on the entry itself: unlink, rename, mkdir...,
// where a trailing '/' on a symlink is NotDir).
enum class TrailingSlash : std::uint8_t { Follows, NamesEntry };

// Walks `path` from `start` (or the root if absolute). Symlinks in non-final
// components are always followed, the final one when `follow` is Yes (or the
// path ends in '/', see TrailingSlash). A missing final component is not an
// error: `ino` is empty. If the path ends in '/' and names a non-directory
// the result is NotDir.
Expected<Resolved> resolve(const Image& image, Ino start, std::string_view path, Follow follow,
                           TrailingSlash trailing = TrailingSlash::Follows);

// Digest of a node whose cache is valid (WG_CHECKs that it is).
const Sha256Digest& cached_digest(const Image& image, Ino ino);

Stat make_stat(const Node& node, Ino ino);

// Canonical absolute path of a linked inode ("/" for the root).
Expected<std::string> path_of(const Image& image, Ino ino);

}  // namespace wg::vfs::detail
