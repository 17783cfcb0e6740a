// The only part of the VFS that touches the host filesystem: explicit
// copy-in of a host directory and copy-out of a tree to a host directory.
// Nothing else in src/vfs/ performs host I/O, and guest code never reaches
// these functions.
//
// Safety rules:
// - Below the given top directory, host symlinks are never followed: every
//   open uses O_NOFOLLOW relative to an already-open directory (openat), and
//   entries are examined with lstat semantics. copy_in can copy a host
//   symlink as a VFS symlink (its target is then resolved inside the VFS
//   only) or skip it. copy_out skips VFS symlinks unless asked to recreate
//   them, since a host symlink could later lead a host program anywhere.
// - Special files (devices, FIFOs, sockets) are skipped and reported.
// - copy_in honours the Vfs's quotas plus the limits in CopyInOptions. It is
//   not all-or-nothing: on failure part of the tree may have been copied.
//   For all-or-nothing, copy into vfs.fork() and adopt the fork on success.
// Failures are wg::Error: Io for host errors (naming the host path and
// errno text), and the Vfs's Errc converted with to_error() naming the VFS
// path.
// Thread-safety: as Vfs for the Vfs argument; host paths must not be changed
// concurrently by others if a consistent copy is wanted.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "vfs/snapshot.h"
#include "vfs/vfs.h"

namespace wg::vfs {

enum class HostSymlinks : std::uint8_t { Skip, Preserve };
enum class HostOverwrite : std::uint8_t { No, Yes };

struct CopyInOptions {
  HostSymlinks symlinks = HostSymlinks::Preserve;
  std::uint64_t max_entries = 100'000;     // files + directories + symlinks
  std::uint64_t max_bytes = 256ull << 20;  // file bytes read from the host
};

struct CopyOutOptions {
  HostSymlinks symlinks = HostSymlinks::Skip;
  HostOverwrite overwrite = HostOverwrite::No;  // No: an existing host file is an error
};

struct CopyReport {
  std::uint64_t files = 0;
  std::uint64_t directories = 0;
  std::uint64_t symlinks = 0;
  std::uint64_t bytes = 0;
  std::vector<std::string> skipped;  // host paths (copy_in) or VFS paths (copy_out)
};

// Copies the contents of host directory `host_dir` into VFS directory
// `vfs_dir` (created with its parents if missing). Existing VFS files are
// replaced, existing directories merged. Entries are copied in name order.
Result<CopyReport> copy_in(Vfs& vfs, const std::filesystem::path& host_dir, std::string_view vfs_dir,
                           const CopyInOptions& options = {});

// Writes the tree below `vfs_dir` of `snapshot` into `host_dir` (created if
// missing; its own parent must exist).
Result<CopyReport> copy_out(const Snapshot& snapshot, std::string_view vfs_dir, const std::filesystem::path& host_dir,
                            const CopyOutOptions& options = {});

}  // namespace wg::vfs
