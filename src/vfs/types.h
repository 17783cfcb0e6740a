// Value types shared by the VFS's interfaces: inode handles, file types,
// stat results, limits (quotas), open flags and directory entries.
// Thread-safety: values only.
#pragma once

#include <cstdint>
#include <string>

namespace wg::vfs {

// An inode number. Inode numbers are small (at most Limits::max_inodes),
// allocated lowest-free-first so that allocation is deterministic, and
// reused after an inode is freed. 0 never names an inode.
struct Ino {
  std::uint64_t value = 0;
  friend bool operator==(Ino, Ino) = default;
  friend auto operator<=>(Ino, Ino) = default;
};

inline constexpr Ino kRootIno{1};

enum class FileType : std::uint8_t { Regular, Directory, Symlink };

std::string_view to_string(FileType type);

struct Stat {
  Ino ino;
  FileType type = FileType::Regular;
  // Regular files and symlinks: 1 while linked, 0 once unlinked but still
  // open. Directories: 2 + number of subdirectories, 0 once removed.
  std::uint64_t nlink = 0;
  // Regular files: content length. Symlinks: target length. Directories: 0.
  std::uint64_t size = 0;
  std::uint64_t atime_ns = 0;
  std::uint64_t mtime_ns = 0;
  std::uint64_t ctime_ns = 0;
};

// Quotas and input limits of one filesystem. Every limit is checked before
// an operation changes anything, so an operation that would cross one fails
// and leaves the filesystem exactly as it was.
struct Limits {
  std::uint64_t max_total_bytes = 256ull << 20;  // file contents + symlink targets -> NoSpc
  std::uint64_t max_inodes = 100'000;            // including the root and open unlinked inodes -> DQuot
  std::uint64_t max_file_size = 64ull << 20;     // one regular file -> FBig
  std::uint32_t max_path_length = 4096;          // input paths and canonical paths of entries -> NameTooLong
  std::uint32_t max_name_length = 255;           // one component -> NameTooLong
  std::uint32_t max_depth = 128;                 // components from the root to any entry -> NameTooLong
  std::uint32_t max_symlink_hops = 40;           // per path resolution -> Loop
};

// The largest max_depth a Vfs accepts (recursive walks are bounded by it).
inline constexpr std::uint32_t kMaxDepthCap = 4096;

// Limits a Vfs accepts: max_inodes >= 1 (the root), max_depth <= kMaxDepthCap,
// max_name_length >= 1, max_path_length >= 1.
bool limits_usable(const Limits& limits);

struct Usage {
  std::uint64_t bytes = 0;
  std::uint64_t inodes = 0;
  friend bool operator==(const Usage&, const Usage&) = default;
};

// Flags of Vfs::open, named after their POSIX counterparts.
enum class OpenFlags : std::uint32_t {
  None = 0,
  Create = 1u << 0,     // O_CREAT: create a regular file if the name is free
  Excl = 1u << 1,       // O_EXCL: with Create, fail with Exist if the name is taken
  Trunc = 1u << 2,      // O_TRUNC: truncate an existing regular file to 0
  Directory = 1u << 3,  // O_DIRECTORY: fail with NotDir unless a directory
  NoFollow = 1u << 4,   // O_NOFOLLOW: fail with Loop if the final component is a symlink
};

constexpr OpenFlags operator|(OpenFlags a, OpenFlags b) {
  return static_cast<OpenFlags>(static_cast<std::uint32_t>(a) | static_cast<std::uint32_t>(b));
}
constexpr bool has(OpenFlags set, OpenFlags flag) {
  return (static_cast<std::uint32_t>(set) & static_cast<std::uint32_t>(flag)) != 0;
}

// Whether a final symlink component is followed.
enum class Follow : std::uint8_t { No, Yes };

// One side of set_times.
struct TimeSpec {
  enum class Kind : std::uint8_t { Omit, Now, Set };
  Kind kind = Kind::Omit;
  std::uint64_t ns = 0;
  static TimeSpec omit() { return {}; }
  static TimeSpec now() { return {Kind::Now, 0}; }
  static TimeSpec at(std::uint64_t ns) { return {Kind::Set, ns}; }
};

// One entry from Vfs::readdir. `next` is the cookie that continues after
// this entry.
struct DirEntry {
  std::string name;
  Ino ino;
  FileType type = FileType::Regular;
  std::uint64_t next = 0;
};

}  // namespace wg::vfs
