// The path-level convenience interface for agents' file tools: whole-file
// reads and writes, tree listings with sizes, recursive delete, glob and
// grep. Everything goes through the same Vfs operations and the same path
// normaliser (vfs/path.h); paths are taken relative to the VFS root whether
// or not they start with '/', and results use canonical paths ("/a/b").
//
// Atomicity: write_file checks the byte, inode, file-size, depth and path
// limits for the whole request (including missing parent directories)
// before it changes anything, so a failed write leaves the tree unchanged.
// remove(Recursive::Yes) stops at the first failure (it can only fail on a
// path that vanished under it, which a serialised caller cannot cause).
// Traversals (list_tree, glob, grep) never follow symlinks, so they
// terminate on any tree.
// Thread-safety: as Vfs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "vfs/errc.h"
#include "vfs/types.h"
#include "vfs/vfs.h"

namespace wg::vfs {

enum class WriteMode : std::uint8_t {
  Overwrite,  // create or replace
  CreateNew,  // Exist if the name is taken
  Append,     // create or append
};
enum class Parents : std::uint8_t { Create, MustExist };
enum class Recursive : std::uint8_t { No, Yes };

Expected<void> write_file(Vfs& vfs, std::string_view path, std::string_view content,
                          WriteMode mode = WriteMode::Overwrite, Parents parents = Parents::Create);
// The contents of a regular file (following symlinks).
Expected<std::string> read_file(Vfs& vfs, std::string_view path);
// mkdir -p: creates every missing directory; Exist if a component is not a directory.
Expected<void> make_dirs(Vfs& vfs, std::string_view path);
// Removes a file, symlink or (empty, or with Recursive::Yes any) directory.
// The root cannot be removed (Busy); Recursive::Yes on "/" empties it.
Expected<void> remove(Vfs& vfs, std::string_view path, Recursive recursive = Recursive::No);

struct TreeEntry {
  std::string path;  // canonical
  FileType type = FileType::Regular;
  std::uint64_t size = 0;
  friend bool operator==(const TreeEntry&, const TreeEntry&) = default;
};

// The entries below `path` (not `path` itself), sorted by path; with
// Recursive::No only direct children. A path naming a file lists just it.
Expected<std::vector<TreeEntry>> list_tree(const Vfs& vfs, std::string_view path, Recursive recursive = Recursive::Yes);

// Canonical paths matching `pattern` (see glob_match in vfs/path.h), sorted.
// A relative pattern is taken from the root.
Expected<std::vector<std::string>> glob(const Vfs& vfs, std::string_view pattern);

struct GrepOptions {
  bool ignore_case = false;
  std::string path_glob = "/**";  // which files to search
  std::size_t max_matches = 1000;
  std::uint64_t max_line_bytes = 4096;  // longer matching lines are cut
};

struct GrepMatch {
  std::string path;
  std::uint64_t line = 0;  // 1-based
  std::string text;        // the line without its '\n'
  friend bool operator==(const GrepMatch&, const GrepMatch&) = default;
};

// Lines of regular files that contain `needle` (a literal string, not a
// regular expression), in path then line order, up to max_matches.
// Inval for an empty needle.
Expected<std::vector<GrepMatch>> grep(const Vfs& vfs, std::string_view needle, const GrepOptions& options = {});

}  // namespace wg::vfs
