// Serialisation of a filesystem snapshot to bytes and back (persistence,
// export, agent forks across restarts).
//
// Format, version 1 (all integers little-endian; docs/vfs.md has the table):
//   "WGVFSIMG" u32 version=1 u32 flags=0 u64 body_length
//   body = node(root)
//   32-byte SHA-256 of every byte before it
// node = u8 type (1 file, 2 directory, 3 symlink) u64 ino u64 atime u64 mtime
//        u64 ctime, then
//   file:      u64 size, bytes
//   symlink:   u32 size, bytes
//   directory: u32 count, count x { u32 name_size, name, node } in readdir order
//
// Round trip: deserialize(serialize(s)) has the same digest, inode numbers,
// timestamps and readdir order as `s`. Open handles are not part of it.
//
// deserialize() validates strictly before building anything: checksum,
// version, lengths against the remaining input, node types, names
// (validate_name, unique within a directory), the root (a directory with
// inode 1), unique inode numbers in [1, max_inodes], symlink targets, depth,
// path length, file size and the byte and inode quotas of `limits`. Any
// failure is a Malformed (bad bytes), Unsupported (other version) or
// LimitExceeded error that names the offset; no input can crash it.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "base/error.h"
#include "vfs/clock.h"
#include "vfs/snapshot.h"
#include "vfs/vfs.h"

namespace wg::vfs {

inline constexpr std::uint32_t kFormatVersion = 1;

std::vector<std::uint8_t> serialize(const Snapshot& snapshot);

Result<Vfs> deserialize(std::span<const std::uint8_t> bytes, const Limits& limits, Clock* clock = nullptr);

}  // namespace wg::vfs
