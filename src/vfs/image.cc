#include "vfs/image.h"

#include <algorithm>

#include "base/check.h"
#include "vfs/path.h"

namespace wg::vfs {

std::string_view to_string(FileType type) {
  switch (type) {
    case FileType::Regular: return "file";
    case FileType::Directory: return "directory";
    case FileType::Symlink: return "symlink";
  }
  return "unknown";
}

namespace detail {

Expected<Resolved> resolve(const Image& image, Ino start, std::string_view path, Follow follow,
                           TrailingSlash trailing) {
  auto parsed = parse_path(path, image.limits);
  if (!parsed) return fail(parsed.error());
  Ino cur = parsed->absolute ? kRootIno : start;
  const Node* cur_node = find_node(image, cur);
  if (cur_node == nullptr) return fail(Errc::BadF);
  if (cur_node->type != FileType::Directory) return fail(Errc::NotDir);

  Resolved out;
  out.trailing_slash = parsed->trailing_slash;
  // Components still to walk, last one at the back. Views point into `path`
  // or into symlink targets owned by the image, which outlive this call.
  std::vector<std::string_view> work(parsed->components.rbegin(), parsed->components.rend());
  std::uint32_t hops = 0;
  if (work.empty()) {
    out.dir = cur;
    out.ino = cur;
    return out;
  }
  while (!work.empty()) {
    std::string_view name = work.back();
    work.pop_back();
    const bool last = work.empty();
    const Node* dir = find_node(image, cur);
    WG_CHECK(dir != nullptr);
    if (dir->type != FileType::Directory) return fail(Errc::NotDir);
    if (name == "..") {
      // Spec (POSIX 4.13): ".." of the root is the root itself.
      Ino up = dir->parent;
      if (up.value == 0) return fail(Errc::NoEnt);  // a removed directory
      if (last) {
        out.dir = cur;
        out.name = "..";
        out.ino = up;
        return out;
      }
      cur = up;
      continue;
    }
    auto it = dir->dir->by_name.find(name);
    if (it == dir->dir->by_name.end()) {
      if (!last) return fail(Errc::NoEnt);
      out.dir = cur;
      out.name = std::string(name);
      return out;
    }
    Ino child = it->second.ino;
    const Node* child_node = find_node(image, child);
    WG_CHECK(child_node != nullptr);
    if (child_node->type == FileType::Symlink &&
        (!last || follow == Follow::Yes || (parsed->trailing_slash && trailing == TrailingSlash::Follows))) {
      if (++hops > image.limits.max_symlink_hops) return fail(Errc::Loop);
      // Targets were checked when created; parse again for their components.
      auto target = parse_path(*child_node->data, image.limits);
      if (!target) return fail(target.error());
      if (target->absolute) cur = kRootIno;  // "/" means the VFS root
      for (auto c = target->components.rbegin(); c != target->components.rend(); ++c) work.push_back(*c);
      if (work.empty()) {  // the target names a directory itself ("/", ".")
        out.dir = cur;
        out.ino = cur;
        return out;
      }
      continue;
    }
    if (!last) {
      cur = child;
      continue;
    }
    out.dir = cur;
    out.name = std::string(name);
    out.ino = child;
  }
  if (out.ino && out.trailing_slash) {
    const Node* n = find_node(image, *out.ino);
    if (n->type != FileType::Directory) return fail(Errc::NotDir);
  }
  return out;
}

const Sha256Digest& cached_digest(const Image& image, Ino ino) {
  const Node* n = find_node(image, ino);
  WG_CHECK(n != nullptr && n->digest_valid);
  return n->digest;
}

Stat make_stat(const Node& node, Ino ino) {
  Stat s;
  s.ino = ino;
  s.type = node.type;
  const bool linked = node.parent.value != 0;
  if (node.type == FileType::Directory) {
    s.nlink = linked ? 2 + node.dir->subdirs : 0;
    s.size = 0;
  } else {
    s.nlink = linked ? 1 : 0;
    s.size = node.byte_size();
  }
  s.atime_ns = node.atime;
  s.mtime_ns = node.mtime;
  s.ctime_ns = node.ctime;
  return s;
}

Expected<std::string> path_of(const Image& image, Ino ino) {
  std::vector<std::string_view> names;
  Ino cur = ino;
  while (cur != kRootIno) {
    const Node* n = find_node(image, cur);
    if (n == nullptr) return fail(Errc::BadF);
    if (n->parent.value == 0) return fail(Errc::NoEnt);
    names.push_back(n->name);
    cur = n->parent;
    WG_CHECK(names.size() <= kMaxDepthCap + 1);
  }
  if (names.empty()) return std::string("/");
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) out.append("/").append(*it);
  return out;
}

}  // namespace detail
}  // namespace wg::vfs
