// An immutable, cheap view of a filesystem at one moment, and the diff of
// two such views ("changed files").
//
// Contract: Vfs::snapshot() makes a Snapshot in O(inodes) pointer copies
// without copying any file content; later changes to the Vfs never show in
// the Snapshot and vice versa. A Snapshot is the input of serialize(), of
// host copy-out, of diff(), and of Vfs::from_snapshot() (a copy-on-write fork).
// Thread-safety: a Snapshot is immutable; it may be read from any number of
// threads at once, also while the Vfs it came from keeps changing in another
// thread (the shared parts are never written: see vfs/image.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/sha256.h"
#include "vfs/errc.h"
#include "vfs/types.h"

namespace wg::vfs {

namespace detail {
struct Image;
}

class Snapshot {
 public:
  // The tree digest (see docs/vfs.md, "Digest").
  const Sha256Digest& digest() const;
  const Limits& limits() const;
  Usage usage() const;

  // Path-level reads. Paths are relative to the root; a final symlink is
  // followed when `follow` is Yes (symlinks stay inside the snapshot).
  Expected<Ino> lookup(std::string_view path, Follow follow = Follow::Yes) const;
  Expected<Stat> stat(Ino ino) const;
  // Regular file contents or symlink target; valid while the Snapshot lives.
  Expected<std::string_view> contents(Ino ino) const;
  // Entries of a directory, sorted by name (bytewise).
  Expected<std::vector<std::pair<std::string, Ino>>> children(Ino dir) const;
  // Digest of one inode's subtree (a file's: type + contents).
  Expected<Sha256Digest> node_digest(Ino ino) const;

  const detail::Image& image() const { return *image_; }

 private:
  friend class Vfs;
  explicit Snapshot(std::shared_ptr<const detail::Image> image) : image_(std::move(image)) {}
  std::shared_ptr<const detail::Image> image_;
};

struct Change {
  enum class Kind : std::uint8_t { Added, Modified, Removed };
  Kind kind = Kind::Modified;
  std::string path;                   // canonical, e.g. "/src/main.c"
  FileType type = FileType::Regular;  // the new type (the old one for Removed)
  friend bool operator==(const Change&, const Change&) = default;
};

std::string_view to_string(Change::Kind kind);

// Paths that differ between `before` and `after`, sorted by path. A regular
// file or symlink whose type or content changed is Modified; an added or
// removed directory is reported together with everything under it; a
// directory whose children changed is not itself reported. A type change
// between directory and non-directory is reported as Removed + Added.
// Subtrees with equal digests are skipped, so the cost is O(changes).
std::vector<Change> diff(const Snapshot& before, const Snapshot& after);

}  // namespace wg::vfs
