#include "vfs/snapshot.h"

#include <algorithm>

#include "base/check.h"
#include "vfs/image.h"

namespace wg::vfs {

using detail::Image;
using detail::Node;

const Sha256Digest& Snapshot::digest() const { return detail::cached_digest(*image_, kRootIno); }
const Limits& Snapshot::limits() const { return image_->limits; }
Usage Snapshot::usage() const { return image_->usage; }

Expected<Ino> Snapshot::lookup(std::string_view path, Follow follow) const {
  auto r = detail::resolve(*image_, kRootIno, path, follow);
  if (!r) return fail(r.error());
  if (!r->ino) return fail(Errc::NoEnt);
  return *r->ino;
}

Expected<Stat> Snapshot::stat(Ino ino) const {
  const Node* n = detail::find_node(*image_, ino);
  if (n == nullptr) return fail(Errc::BadF);
  return detail::make_stat(*n, ino);
}

Expected<std::string_view> Snapshot::contents(Ino ino) const {
  const Node* n = detail::find_node(*image_, ino);
  if (n == nullptr) return fail(Errc::BadF);
  if (n->type == FileType::Directory) return fail(Errc::IsDir);
  return std::string_view(*n->data);
}

Expected<std::vector<std::pair<std::string, Ino>>> Snapshot::children(Ino dir) const {
  const Node* n = detail::find_node(*image_, dir);
  if (n == nullptr) return fail(Errc::BadF);
  if (n->type != FileType::Directory) return fail(Errc::NotDir);
  std::vector<std::pair<std::string, Ino>> out;
  out.reserve(n->dir->by_name.size());
  for (const auto& [name, ref] : n->dir->by_name) out.emplace_back(name, ref.ino);
  return out;
}

Expected<Sha256Digest> Snapshot::node_digest(Ino ino) const {
  const Node* n = detail::find_node(*image_, ino);
  if (n == nullptr) return fail(Errc::BadF);
  return detail::cached_digest(*image_, ino);
}

std::string_view to_string(Change::Kind kind) {
  switch (kind) {
    case Change::Kind::Added: return "added";
    case Change::Kind::Modified: return "modified";
    case Change::Kind::Removed: return "removed";
  }
  return "unknown";
}

namespace {

std::string join(const std::string& dir, const std::string& name) { return dir == "/" ? "/" + name : dir + "/" + name; }

// Reports `ino` and, for a directory, everything below it.
void emit_all(const Image& image, Ino ino, const std::string& path, Change::Kind kind, std::vector<Change>& out) {
  const Node* n = detail::find_node(image, ino);
  WG_CHECK(n != nullptr);
  out.push_back({kind, path, n->type});
  if (n->type != FileType::Directory) return;
  for (const auto& [name, ref] : n->dir->by_name) emit_all(image, ref.ino, join(path, name), kind, out);
}

void diff_dirs(const Image& a, Ino a_ino, const Image& b, Ino b_ino, const std::string& path,
               std::vector<Change>& out) {
  if (detail::cached_digest(a, a_ino) == detail::cached_digest(b, b_ino)) return;
  const auto& ea = detail::find_node(a, a_ino)->dir->by_name;
  const auto& eb = detail::find_node(b, b_ino)->dir->by_name;
  auto ia = ea.begin();
  auto ib = eb.begin();
  while (ia != ea.end() || ib != eb.end()) {
    if (ib == eb.end() || (ia != ea.end() && ia->first < ib->first)) {
      emit_all(a, ia->second.ino, join(path, ia->first), Change::Kind::Removed, out);
      ++ia;
      continue;
    }
    if (ia == ea.end() || ib->first < ia->first) {
      emit_all(b, ib->second.ino, join(path, ib->first), Change::Kind::Added, out);
      ++ib;
      continue;
    }
    const std::string child_path = join(path, ia->first);
    const Ino ca = ia->second.ino, cb = ib->second.ino;
    if (detail::cached_digest(a, ca) != detail::cached_digest(b, cb)) {
      const FileType ta = detail::find_node(a, ca)->type, tb = detail::find_node(b, cb)->type;
      const bool da = ta == FileType::Directory, db = tb == FileType::Directory;
      if (da && db) {
        diff_dirs(a, ca, b, cb, child_path, out);
      } else if (!da && !db) {
        out.push_back({Change::Kind::Modified, child_path, tb});
      } else {
        emit_all(a, ca, child_path, Change::Kind::Removed, out);
        emit_all(b, cb, child_path, Change::Kind::Added, out);
      }
    }
    ++ia;
    ++ib;
  }
}

}  // namespace

std::vector<Change> diff(const Snapshot& before, const Snapshot& after) {
  std::vector<Change> out;
  diff_dirs(before.image(), kRootIno, after.image(), kRootIno, "/", out);
  std::stable_sort(out.begin(), out.end(), [](const Change& x, const Change& y) { return x.path < y.path; });
  return out;
}

}  // namespace wg::vfs
