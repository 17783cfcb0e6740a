#include "vfs/tree_ops.h"

#include <algorithm>
#include <cctype>
#include <limits>

#include "vfs/path.h"

namespace wg::vfs {

namespace {

constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();

std::vector<std::string_view> components_of(std::string_view canonical) {
  std::vector<std::string_view> out;
  std::size_t i = 1;
  while (i < canonical.size()) {
    std::size_t j = canonical.find('/', i);
    if (j == std::string_view::npos) j = canonical.size();
    out.push_back(canonical.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::string join(const std::string& dir, std::string_view name) {
  std::string out = dir == "/" ? "/" : dir + "/";
  out.append(name);
  return out;
}

// Children of a directory, excluding "." and "..".
Expected<std::vector<DirEntry>> children(const Vfs& vfs, Ino dir) {
  auto all = vfs.readdir(dir, 2, kAll);
  if (!all) return all;
  return all;
}

// Depth-first walk below `dir` without following symlinks.
Expected<void> walk(const Vfs& vfs, Ino dir, const std::string& dir_path, Recursive recursive,
                    std::vector<TreeEntry>& out) {
  auto entries = children(vfs, dir);
  if (!entries) return fail(entries.error());
  for (const DirEntry& e : *entries) {
    auto st = vfs.stat(e.ino);
    if (!st) return fail(st.error());
    std::string path = join(dir_path, e.name);
    out.push_back({path, st->type, st->size});
    if (recursive == Recursive::Yes && st->type == FileType::Directory) {
      if (auto w = walk(vfs, e.ino, path, recursive, out); !w) return w;
    }
  }
  return {};
}

Expected<void> remove_children(Vfs& vfs, Ino dir) {
  auto entries = children(vfs, dir);
  if (!entries) return fail(entries.error());
  for (const DirEntry& e : *entries) {
    if (e.type == FileType::Directory) {
      if (auto r = remove_children(vfs, e.ino); !r) return r;
      if (auto r = vfs.rmdir(dir, e.name); !r) return r;
    } else {
      if (auto r = vfs.unlink(dir, e.name); !r) return r;
    }
  }
  return {};
}

bool has_glob_meta(std::string_view s) { return s.find_first_of("*?[\\") != std::string_view::npos; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

}  // namespace

Expected<void> write_file(Vfs& vfs, std::string_view path, std::string_view content, WriteMode mode, Parents parents) {
  const Limits& limits = vfs.limits();
  auto norm = normalize_path(path, limits);
  if (!norm) return fail(norm.error());
  if (*norm == "/") return fail(Errc::IsDir);
  if (norm->size() > limits.max_path_length) return fail(Errc::NameTooLong);
  const std::vector<std::string_view> comps = components_of(*norm);
  if (comps.size() > limits.max_depth) return fail(Errc::NameTooLong);

  // Find how much of the parent chain exists, and the current file.
  Ino cur = vfs.root();
  std::size_t existing = 0;
  for (; existing + 1 < comps.size(); ++existing) {
    auto next = vfs.lookup(cur, comps[existing], Follow::Yes);
    if (!next) {
      if (next.error() != Errc::NoEnt) return fail(next.error());
      break;
    }
    auto st = vfs.stat(*next);
    if (st->type != FileType::Directory) return fail(Errc::NotDir);
    cur = *next;
  }
  const std::size_t missing_dirs = comps.size() - 1 - existing;
  if (missing_dirs > 0 && parents == Parents::MustExist) return fail(Errc::NoEnt);
  std::uint64_t old_size = 0;
  bool exists = false;
  if (missing_dirs == 0) {
    auto target = vfs.lookup(cur, comps.back(), Follow::Yes);
    if (target) {
      auto st = vfs.stat(*target);
      if (st->type == FileType::Directory) return fail(Errc::IsDir);
      if (mode == WriteMode::CreateNew) return fail(Errc::Exist);
      exists = true;
      old_size = st->size;
    } else if (target.error() != Errc::NoEnt) {
      return fail(target.error());
    } else if (mode == WriteMode::CreateNew) {
      // A dangling symlink also takes the name.
      if (vfs.lookup(cur, comps.back(), Follow::No)) return fail(Errc::Exist);
    }
  }
  // Every limit for the whole request, before any change.
  const std::uint64_t new_inodes = missing_dirs + (exists ? 0 : 1);
  if (vfs.usage().inodes + new_inodes > limits.max_inodes) return fail(Errc::DQuot);
  const std::uint64_t new_size = mode == WriteMode::Append ? old_size + content.size() : content.size();
  if (new_size > limits.max_file_size) return fail(Errc::FBig);
  if (new_size > old_size && vfs.usage().bytes + (new_size - old_size) > limits.max_total_bytes)
    return fail(Errc::NoSpc);

  for (std::size_t i = existing; i + 1 < comps.size(); ++i) {
    auto made = vfs.mkdir(cur, comps[i]);
    if (!made) return fail(made.error());
    cur = *made;
  }
  const OpenFlags flags = mode == WriteMode::CreateNew ? OpenFlags::Create | OpenFlags::Excl : OpenFlags::Create;
  auto ino = vfs.open(cur, comps.back(), flags);
  if (!ino) return fail(ino.error());
  Expected<void> result;
  if (mode == WriteMode::Append) {
    auto w = vfs.pwrite(*ino, old_size, content);
    if (!w) result = fail(w.error());
  } else {
    result = vfs.replace_contents(*ino, content);
  }
  (void)vfs.close(*ino);
  return result;
}

Expected<std::string> read_file(Vfs& vfs, std::string_view path) {
  auto norm = normalize_path(path, vfs.limits());
  if (!norm) return fail(norm.error());
  auto ino = vfs.lookup(vfs.root(), *norm, Follow::Yes);
  if (!ino) return fail(ino.error());
  return vfs.read_all(*ino);
}

Expected<void> make_dirs(Vfs& vfs, std::string_view path) {
  auto norm = normalize_path(path, vfs.limits());
  if (!norm) return fail(norm.error());
  Ino cur = vfs.root();
  for (std::string_view c : components_of(*norm)) {
    auto next = vfs.lookup(cur, c, Follow::Yes);
    if (next) {
      if (vfs.stat(*next)->type != FileType::Directory) return fail(Errc::Exist);
      cur = *next;
      continue;
    }
    if (next.error() != Errc::NoEnt) return fail(next.error());
    auto made = vfs.mkdir(cur, c);
    if (!made) return fail(made.error());
    cur = *made;
  }
  return {};
}

Expected<void> remove(Vfs& vfs, std::string_view path, Recursive recursive) {
  auto norm = normalize_path(path, vfs.limits());
  if (!norm) return fail(norm.error());
  if (*norm == "/") {
    if (recursive == Recursive::No) return fail(Errc::Busy);
    return remove_children(vfs, vfs.root());
  }
  auto ino = vfs.lookup(vfs.root(), *norm, Follow::No);
  if (!ino) return fail(ino.error());
  auto st = vfs.stat(*ino);
  if (st->type != FileType::Directory) return vfs.unlink(vfs.root(), *norm);
  if (recursive == Recursive::Yes) {
    if (auto r = remove_children(vfs, *ino); !r) return r;
  }
  return vfs.rmdir(vfs.root(), *norm);
}

Expected<std::vector<TreeEntry>> list_tree(const Vfs& vfs, std::string_view path, Recursive recursive) {
  auto norm = normalize_path(path, vfs.limits());
  if (!norm) return fail(norm.error());
  auto ino = vfs.lookup(vfs.root(), *norm, Follow::Yes);
  if (!ino) return fail(ino.error());
  auto st = vfs.stat(*ino);
  std::vector<TreeEntry> out;
  if (st->type != FileType::Directory) {
    out.push_back({*norm, st->type, st->size});
    return out;
  }
  if (auto w = walk(vfs, *ino, *norm, recursive, out); !w) return fail(w.error());
  std::sort(out.begin(), out.end(), [](const TreeEntry& a, const TreeEntry& b) { return a.path < b.path; });
  return out;
}

Expected<std::vector<std::string>> glob(const Vfs& vfs, std::string_view pattern) {
  auto norm = normalize_path(pattern, vfs.limits());
  if (!norm) return fail(norm.error());
  // Walk only below the literal prefix of the pattern.
  std::string prefix = "/";
  for (std::string_view c : components_of(*norm)) {
    if (has_glob_meta(c)) break;
    prefix = join(prefix, c);
  }
  std::vector<std::string> out;
  auto start = vfs.lookup(vfs.root(), prefix, Follow::No);
  if (!start) {
    if (start.error() == Errc::NoEnt || start.error() == Errc::NotDir) return out;
    return fail(start.error());
  }
  if (glob_match(*norm, prefix)) out.push_back(prefix);
  if (vfs.stat(*start)->type == FileType::Directory) {
    std::vector<TreeEntry> entries;
    if (auto w = walk(vfs, *start, prefix, Recursive::Yes, entries); !w) return fail(w.error());
    for (const TreeEntry& e : entries)
      if (glob_match(*norm, e.path)) out.push_back(e.path);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Expected<std::vector<GrepMatch>> grep(const Vfs& vfs, std::string_view needle, const GrepOptions& options) {
  if (needle.empty()) return fail(Errc::Inval);
  auto paths = glob(vfs, options.path_glob);
  if (!paths) return fail(paths.error());
  std::string folded_needle(needle);
  if (options.ignore_case) std::transform(folded_needle.begin(), folded_needle.end(), folded_needle.begin(), lower);
  std::vector<GrepMatch> out;
  for (const std::string& path : *paths) {
    auto ino = vfs.lookup(vfs.root(), path, Follow::No);
    if (!ino || vfs.stat(*ino)->type != FileType::Regular) continue;
    std::string_view data = *vfs.view(*ino);
    std::uint64_t line_no = 0;
    std::size_t pos = 0;
    while (pos < data.size()) {
      std::size_t end = data.find('\n', pos);
      if (end == std::string_view::npos) end = data.size();
      std::string_view line = data.substr(pos, end - pos);
      ++line_no;
      bool hit;
      if (options.ignore_case) {
        std::string folded(line);
        std::transform(folded.begin(), folded.end(), folded.begin(), lower);
        hit = folded.find(folded_needle) != std::string::npos;
      } else {
        hit = line.find(needle) != std::string_view::npos;
      }
      if (hit) {
        if (out.size() >= options.max_matches) return out;
        out.push_back({path, line_no, std::string(line.substr(0, options.max_line_bytes))});
      }
      pos = end + 1;
    }
  }
  return out;
}

}  // namespace wg::vfs
