// The one path normaliser of the VFS: every operation, at the inode level and
// at the path level, splits its paths with parse_path().
//
// Rules (docs/vfs.md):
// - A path is bytes; a NUL byte anywhere is Inval. The empty path is NoEnt.
// - Longer than Limits::max_path_length is NameTooLong; a component longer
//   than Limits::max_name_length is NameTooLong.
// - A leading '/' makes the path absolute: it starts at the VFS root (never
//   the host's root). Otherwise it starts at the directory given.
// - Empty components ("a//b") and "." are dropped. ".." is kept: resolution
//   applies it to the directory actually reached (after symlinks), as POSIX
//   does, and ".." at the root stays at the root. No path can leave the root.
// - A trailing '/' (or a final "/.") requires the result to be a directory
//   and makes a final symlink be followed.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vfs/errc.h"
#include "vfs/types.h"

namespace wg::vfs {

struct ParsedPath {
  bool absolute = false;
  bool trailing_slash = false;
  // Views into the parsed string: never empty, never ".".
  std::vector<std::string_view> components;
};

Expected<ParsedPath> parse_path(std::string_view path, const Limits& limits);

// Checks one directory-entry name: non-empty, not "." or "..", no '/', no
// NUL, at most max_name_length bytes.
Expected<void> validate_name(std::string_view name, const Limits& limits);

// Lexical canonical form for the path-level API and for display: always
// absolute ("/", "/a/b"), "." and empty components removed, ".." applied
// lexically and clamped at the root. Same errors as parse_path.
Expected<std::string> normalize_path(std::string_view path, const Limits& limits);

// Glob matching of a canonical path against a canonical pattern, component by
// component: '*' matches any run within a component, '?' one byte, "[...]"
// a set ("[a-z]", "[!x]"), '\\' escapes, and a component "**" matches zero or
// more whole components. Runs in O(|pattern| * |path|) time.
bool glob_match(std::string_view pattern, std::string_view path);

}  // namespace wg::vfs
