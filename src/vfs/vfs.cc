#include "vfs/vfs.h"

#include <algorithm>
#include <cstring>
#include <functional>
#include <string>
#include <utility>

#include "base/check.h"
#include "vfs/path.h"

namespace wg::vfs {

using detail::DirData;
using detail::Image;
using detail::Node;
using detail::Resolved;
using detail::TrailingSlash;

namespace {

// Canonical per-node digest encoding (docs/vfs.md, "Digest"):
//   file:      'F' u64le(size) contents
//   symlink:   'L' u64le(size) target
//   directory: 'D' u64le(count) { u32le(len) name digest(child) } sorted by name
// Names, types and contents only: no inode numbers, times or order of
// creation, so identical trees digest identically.
void hash_leaf(Sha256& h, const Node& n) {
  h.update_u8(n.type == FileType::Regular ? 'F' : 'L');
  h.update_u64_le(n.byte_size());
  h.update(std::string_view(*n.data));
}

Sha256Digest digest_uncached(const Image& image, Ino ino) {
  const Node* n = detail::find_node(image, ino);
  WG_CHECK(n != nullptr);
  Sha256 h;
  if (n->type != FileType::Directory) {
    hash_leaf(h, *n);
    return h.finish();
  }
  h.update_u8('D');
  h.update_u64_le(n->dir->by_name.size());
  for (const auto& [name, ref] : n->dir->by_name) {
    h.update_u32_le(static_cast<std::uint32_t>(name.size()));
    h.update(name);
    h.update(digest_uncached(image, ref.ino));
  }
  return h.finish();
}

bool checked_add(std::uint64_t a, std::uint64_t b, std::uint64_t& out) { return !__builtin_add_overflow(a, b, &out); }

}  // namespace

bool limits_usable(const Limits& limits) {
  return limits.max_inodes >= 1 && limits.max_depth <= kMaxDepthCap && limits.max_name_length >= 1 &&
         limits.max_path_length >= 1;
}

Result<Vfs> Vfs::create(const Limits& limits, Clock* clock) {
  if (!limits_usable(limits))
    return make_error(ErrorCode::Invalid, "vfs limits: need max_inodes >= 1, max_depth <= " +
                                              std::to_string(kMaxDepthCap) + ", non-zero name and path lengths");
  return Vfs(limits, clock);
}

Vfs::Vfs(Limits limits, Clock* clock) : clock_(clock) {
  WG_CHECK(limits_usable(limits));
  image_.limits = limits;
  image_.nodes.resize(2);
  auto root = std::make_shared<Node>();
  root->type = FileType::Directory;
  root->parent = kRootIno;
  root->dir = std::make_shared<DirData>();
  root->atime = root->mtime = root->ctime = now();
  image_.nodes[kRootIno.value] = std::move(root);
  image_.usage.inodes = 1;
}

Vfs::Vfs(Image image, Clock* clock) : image_(std::move(image)), clock_(clock) {}

Vfs Vfs::from_snapshot(const Snapshot& snapshot, Clock* clock) { return Vfs(Image(snapshot.image()), clock); }

Vfs Vfs::fork() { return from_snapshot(snapshot(), clock_); }

Snapshot Vfs::snapshot() {
  ensure_digest(kRootIno);
  auto copy = std::make_shared<Image>(image_);
  // Unlinked-but-open inodes belong to this Vfs's handles only.
  for (const auto& [ino, count] : handles_) {
    const Node* n = node(Ino{ino});
    if (n == nullptr || n->parent.value != 0 || ino == kRootIno.value) continue;
    copy->usage.bytes -= n->byte_size();
    copy->usage.inodes -= 1;
    copy->nodes[ino].reset();
    copy->free_inos.push_back(ino);
    std::push_heap(copy->free_inos.begin(), copy->free_inos.end(), std::greater<>());
  }
  return Snapshot(std::move(copy));
}

// ---- copy-on-write plumbing ------------------------------------------------

Node& Vfs::mut(Ino ino) {
  WG_CHECK(ino.value < image_.nodes.size());
  auto& slot = image_.nodes[ino.value];
  WG_CHECK(slot != nullptr);
  if (!detail::is_unique(slot)) slot = std::make_shared<Node>(*slot);
  return *slot;
}

DirData& Vfs::mut_dir(Node& n) {
  WG_CHECK(n.dir != nullptr);
  if (!detail::is_unique(n.dir)) n.dir = std::make_shared<DirData>(*n.dir);
  return *n.dir;
}

std::string& Vfs::mut_data(Node& n) {
  WG_CHECK(n.data != nullptr);
  if (!detail::is_unique(n.data)) n.data = std::make_shared<std::string>(*n.data);
  return *n.data;
}

void Vfs::invalidate(Ino ino) {
  Ino cur = ino;
  while (cur.value != 0) {
    Node& n = mut(cur);
    if (!n.digest_valid) break;  // its ancestors are already invalid
    n.digest_valid = false;
    if (cur == kRootIno) break;
    cur = n.parent;
  }
}

const Sha256Digest& Vfs::ensure_digest(Ino ino) {
  Node* n = image_.nodes[ino.value].get();
  WG_CHECK(n != nullptr);
  if (n->digest_valid) return n->digest;
  // An invalid node is never shared (image.h), so writing its cache is safe.
  Sha256 h;
  if (n->type != FileType::Directory) {
    hash_leaf(h, *n);
  } else {
    h.update_u8('D');
    h.update_u64_le(n->dir->by_name.size());
    for (const auto& [name, ref] : n->dir->by_name) {
      h.update_u32_le(static_cast<std::uint32_t>(name.size()));
      h.update(name);
      h.update(ensure_digest(ref.ino));
    }
  }
  n->digest = h.finish();
  n->digest_valid = true;
  return n->digest;
}

Sha256Digest Vfs::digest() { return ensure_digest(kRootIno); }

Sha256Digest Vfs::digest_from_scratch() const { return digest_uncached(image_, kRootIno); }

// ---- inode lifetime ----------------------------------------------------------

Expected<Ino> Vfs::alloc_node(FileType type) {
  if (image_.usage.inodes >= image_.limits.max_inodes) return fail(Errc::DQuot);
  std::uint64_t slot;
  if (!image_.free_inos.empty()) {
    std::pop_heap(image_.free_inos.begin(), image_.free_inos.end(), std::greater<>());
    slot = image_.free_inos.back();
    image_.free_inos.pop_back();
  } else {
    slot = image_.nodes.size();
    image_.nodes.emplace_back();
  }
  auto n = std::make_shared<Node>();
  n->type = type;
  if (type == FileType::Directory) {
    n->dir = std::make_shared<DirData>();
  } else {
    n->data = std::make_shared<std::string>();
  }
  image_.nodes[slot] = std::move(n);
  image_.usage.inodes += 1;
  return Ino{slot};
}

void Vfs::maybe_free(Ino ino) {
  const Node* n = node(ino);
  if (n == nullptr || ino == kRootIno || n->parent.value != 0) return;
  if (handles_.contains(ino.value)) return;
  image_.usage.bytes -= n->byte_size();
  image_.usage.inodes -= 1;
  image_.nodes[ino.value].reset();
  image_.free_inos.push_back(ino.value);
  std::push_heap(image_.free_inos.begin(), image_.free_inos.end(), std::greater<>());
}

Expected<void> Vfs::retain(Ino ino) {
  if (node(ino) == nullptr) return fail(Errc::BadF);
  handles_[ino.value] += 1;
  return {};
}

Expected<void> Vfs::close(Ino ino) {
  auto it = handles_.find(ino.value);
  if (it == handles_.end()) return fail(Errc::BadF);
  if (--it->second == 0) {
    handles_.erase(it);
    maybe_free(ino);
  }
  return {};
}

// ---- directory entries -------------------------------------------------------

std::uint64_t Vfs::depth_of(Ino dir) const {
  std::uint64_t depth = 0;
  for (Ino cur = dir; cur != kRootIno;) {
    const Node* n = node(cur);
    WG_CHECK(n != nullptr && n->parent.value != 0);
    cur = n->parent;
    ++depth;
  }
  return depth;
}

std::uint64_t Vfs::path_length_of(Ino dir) const {
  std::uint64_t length = 0;
  for (Ino cur = dir; cur != kRootIno;) {
    const Node* n = node(cur);
    WG_CHECK(n != nullptr && n->parent.value != 0);
    length += 1 + n->name.size();
    cur = n->parent;
  }
  return length;
}

Expected<void> Vfs::check_new_entry(Ino dir, std::string_view name) const {
  const Node* d = node(dir);
  if (d == nullptr) return fail(Errc::BadF);
  if (d->type != FileType::Directory) return fail(Errc::NotDir);
  if (d->parent.value == 0) return fail(Errc::NoEnt);  // creating inside a removed directory
  if (auto v = validate_name(name, image_.limits); !v) return v;
  if (depth_of(dir) + 1 > image_.limits.max_depth) return fail(Errc::NameTooLong);
  if (path_length_of(dir) + 1 + name.size() > image_.limits.max_path_length) return fail(Errc::NameTooLong);
  return {};
}

void Vfs::add_entry(Ino dir, const std::string& name, Ino child, std::uint64_t now) {
  Node& d = mut(dir);
  DirData& dd = mut_dir(d);
  const std::uint64_t seq = dd.next_seq++;
  auto [it, inserted] = dd.by_name.emplace(name, detail::EntryRef{child, seq});
  WG_CHECK(inserted);
  dd.by_seq.emplace(seq, name);
  Node& c = mut(child);
  c.parent = dir;
  c.name = name;
  if (c.type == FileType::Directory) dd.subdirs += 1;
  d.mtime = d.ctime = now;
  invalidate(dir);
}

void Vfs::remove_entry(Ino dir, std::string_view name, std::uint64_t now) {
  Node& d = mut(dir);
  DirData& dd = mut_dir(d);
  auto it = dd.by_name.find(name);
  WG_CHECK(it != dd.by_name.end());
  const Ino child = it->second.ino;
  dd.by_seq.erase(it->second.seq);
  dd.by_name.erase(it);
  Node& c = mut(child);
  if (c.type == FileType::Directory) dd.subdirs -= 1;
  c.parent = Ino{0};
  c.ctime = now;
  d.mtime = d.ctime = now;
  invalidate(dir);
}

Expected<Ino> Vfs::create_node(Ino dir, const std::string& name, FileType type, std::uint64_t now) {
  if (auto c = check_new_entry(dir, name); !c) return fail(c.error());
  auto ino = alloc_node(type);
  if (!ino) return ino;
  Node& n = mut(*ino);
  n.atime = n.mtime = n.ctime = now;
  add_entry(dir, name, *ino, now);
  return ino;
}

// ---- lookups -----------------------------------------------------------------

Expected<Ino> Vfs::lookup(Ino dir, std::string_view path, Follow follow) const {
  auto r = detail::resolve(image_, dir, path, follow);
  if (!r) return fail(r.error());
  if (!r->ino) return fail(Errc::NoEnt);
  return *r->ino;
}

Expected<Stat> Vfs::stat(Ino ino) const {
  const Node* n = node(ino);
  if (n == nullptr) return fail(Errc::BadF);
  return detail::make_stat(*n, ino);
}

Expected<Stat> Vfs::stat_at(Ino dir, std::string_view path, Follow follow) const {
  auto ino = lookup(dir, path, follow);
  if (!ino) return fail(ino.error());
  return stat(*ino);
}

Expected<std::string> Vfs::path_of(Ino ino) const { return detail::path_of(image_, ino); }

Expected<Ino> Vfs::open(Ino dir, std::string_view path, OpenFlags flags) {
  const bool create = has(flags, OpenFlags::Create);
  const bool excl = create && has(flags, OpenFlags::Excl);
  if (create && has(flags, OpenFlags::Directory)) return fail(Errc::Inval);
  // Spec (POSIX open): with O_CREAT|O_EXCL a final symlink is not followed.
  const Follow follow = (excl || has(flags, OpenFlags::NoFollow)) ? Follow::No : Follow::Yes;
  auto r = detail::resolve(image_, dir, path, follow);
  if (!r) return fail(r.error());
  const std::uint64_t t = now();
  if (r->ino) {
    if (excl) return fail(Errc::Exist);
    const Node* n = node(*r->ino);
    if (n->type == FileType::Symlink) return fail(Errc::Loop);  // O_NOFOLLOW
    if (has(flags, OpenFlags::Directory) && n->type != FileType::Directory) return fail(Errc::NotDir);
    if (n->type == FileType::Directory && (create || has(flags, OpenFlags::Trunc))) return fail(Errc::IsDir);
    if (has(flags, OpenFlags::Trunc)) {
      if (auto z = resize(*r->ino, 0, t); !z) return fail(z.error());
    }
    handles_[r->ino->value] += 1;
    return *r->ino;
  }
  if (!create) return fail(Errc::NoEnt);
  if (r->trailing_slash) return fail(Errc::IsDir);
  auto ino = create_node(r->dir, r->name, FileType::Regular, t);
  if (!ino) return ino;
  handles_[ino->value] += 1;
  return ino;
}

// ---- metadata ----------------------------------------------------------------

Expected<void> Vfs::set_times(Ino ino, TimeSpec atime, TimeSpec mtime) {
  if (node(ino) == nullptr) return fail(Errc::BadF);
  const std::uint64_t t = now();
  Node& n = mut(ino);
  auto apply = [t](std::uint64_t& field, TimeSpec spec) {
    if (spec.kind == TimeSpec::Kind::Now) field = t;
    if (spec.kind == TimeSpec::Kind::Set) field = spec.ns;
  };
  apply(n.atime, atime);
  apply(n.mtime, mtime);
  n.ctime = t;
  return {};  // times are not part of the digest: nothing to invalidate
}

// ---- file contents -------------------------------------------------------------

Expected<Node*> Vfs::writable_file(Ino ino) {
  const Node* n = node(ino);
  if (n == nullptr) return fail(Errc::BadF);
  if (n->type == FileType::Directory) return fail(Errc::IsDir);
  if (n->type == FileType::Symlink) return fail(Errc::Inval);
  return &mut(ino);
}

Expected<std::size_t> Vfs::pread(Ino ino, std::uint64_t offset, std::span<std::uint8_t> out) {
  const Node* n = node(ino);
  if (n == nullptr) return fail(Errc::BadF);
  if (n->type == FileType::Directory) return fail(Errc::IsDir);
  if (n->type == FileType::Symlink) return fail(Errc::Inval);
  const std::string& data = *n->data;
  std::size_t count = 0;
  if (offset < data.size()) {
    count = std::min<std::uint64_t>(out.size(), data.size() - offset);
    std::memcpy(out.data(), data.data() + offset, count);
  }
  mut(ino).atime = now();
  return count;
}

Expected<std::string> Vfs::read_all(Ino ino) {
  const Node* n = node(ino);
  if (n == nullptr) return fail(Errc::BadF);
  if (n->type == FileType::Directory) return fail(Errc::IsDir);
  if (n->type == FileType::Symlink) return fail(Errc::Inval);
  std::string copy = *n->data;
  mut(ino).atime = now();
  return copy;
}

Expected<std::string_view> Vfs::view(Ino ino) const {
  const Node* n = node(ino);
  if (n == nullptr) return fail(Errc::BadF);
  if (n->type == FileType::Directory) return fail(Errc::IsDir);
  return std::string_view(*n->data);
}

Expected<void> Vfs::resize(Ino ino, std::uint64_t size, std::uint64_t t) {
  const Node* cn = node(ino);
  const std::uint64_t old = cn->byte_size();
  if (size > image_.limits.max_file_size) return fail(Errc::FBig);
  if (size > old && image_.usage.bytes + (size - old) > image_.limits.max_total_bytes) return fail(Errc::NoSpc);
  Node& n = mut(ino);
  if (size != old) mut_data(n).resize(size, '\0');
  image_.usage.bytes = image_.usage.bytes - old + size;
  n.mtime = n.ctime = t;
  if (size != old) invalidate(ino);
  return {};
}

Expected<std::size_t> Vfs::pwrite(Ino ino, std::uint64_t offset, std::span<const std::uint8_t> data) {
  const Node* cn = node(ino);
  if (cn == nullptr) return fail(Errc::BadF);
  if (cn->type == FileType::Directory) return fail(Errc::IsDir);
  if (cn->type == FileType::Symlink) return fail(Errc::Inval);
  std::uint64_t end = 0;
  if (!checked_add(offset, data.size(), end)) return fail(Errc::Overflow);
  if (data.empty()) return 0;
  const std::uint64_t old = cn->byte_size();
  const std::uint64_t new_size = std::max(old, end);
  if (new_size > image_.limits.max_file_size) return fail(Errc::FBig);
  if (image_.usage.bytes + (new_size - old) > image_.limits.max_total_bytes) return fail(Errc::NoSpc);
  const std::uint64_t t = now();
  Node& n = mut(ino);
  std::string& s = mut_data(n);
  if (new_size > s.size()) s.resize(new_size, '\0');
  std::memcpy(s.data() + offset, data.data(), data.size());
  image_.usage.bytes += new_size - old;
  n.mtime = n.ctime = t;
  invalidate(ino);
  return data.size();
}

Expected<std::size_t> Vfs::pwrite(Ino ino, std::uint64_t offset, std::string_view data) {
  return pwrite(ino, offset,
                std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()), data.size()));
}

Expected<void> Vfs::truncate(Ino ino, std::uint64_t size) {
  auto n = writable_file(ino);
  if (!n) return fail(n.error());
  return resize(ino, size, now());
}

Expected<void> Vfs::allocate(Ino ino, std::uint64_t offset, std::uint64_t length) {
  auto n = writable_file(ino);
  if (!n) return fail(n.error());
  std::uint64_t end = 0;
  if (!checked_add(offset, length, end)) return fail(Errc::Overflow);
  if (end <= (*n)->byte_size()) return {};
  return resize(ino, end, now());
}

Expected<void> Vfs::replace_contents(Ino ino, std::string_view data) {
  const Node* cn = node(ino);
  if (cn == nullptr) return fail(Errc::BadF);
  if (cn->type == FileType::Directory) return fail(Errc::IsDir);
  if (cn->type == FileType::Symlink) return fail(Errc::Inval);
  const std::uint64_t old = cn->byte_size();
  if (data.size() > image_.limits.max_file_size) return fail(Errc::FBig);
  if (data.size() > old && image_.usage.bytes + (data.size() - old) > image_.limits.max_total_bytes)
    return fail(Errc::NoSpc);
  const std::uint64_t t = now();
  Node& n = mut(ino);
  if (detail::is_unique(n.data)) {
    n.data->assign(data);
  } else {
    n.data = std::make_shared<std::string>(data);
  }
  image_.usage.bytes = image_.usage.bytes - old + data.size();
  n.mtime = n.ctime = t;
  invalidate(ino);
  return {};
}

// ---- directories ---------------------------------------------------------------

Expected<std::vector<DirEntry>> Vfs::readdir(Ino dir, std::uint64_t cookie, std::size_t max_entries) const {
  const Node* d = node(dir);
  if (d == nullptr) return fail(Errc::BadF);
  if (d->type != FileType::Directory) return fail(Errc::NotDir);
  std::vector<DirEntry> out;
  if (cookie == 0 && out.size() < max_entries) out.push_back({".", dir, FileType::Directory, 1});
  if (cookie <= 1 && out.size() < max_entries) {
    Ino up = d->parent.value != 0 ? d->parent : dir;
    out.push_back({"..", up, FileType::Directory, 2});
  }
  const std::uint64_t first_seq = cookie <= 2 ? 0 : cookie - 2;
  for (auto it = d->dir->by_seq.lower_bound(first_seq); it != d->dir->by_seq.end() && out.size() < max_entries; ++it) {
    const detail::EntryRef& ref = d->dir->by_name.find(it->second)->second;
    const Node* c = node(ref.ino);
    out.push_back({it->second, ref.ino, c->type, it->first + 3});
  }
  return out;
}

Expected<Ino> Vfs::mkdir(Ino dir, std::string_view path) {
  auto r = detail::resolve(image_, dir, path, Follow::No, TrailingSlash::NamesEntry);
  if (!r) return fail(r.error());
  if (r->ino) return fail(Errc::Exist);
  return create_node(r->dir, r->name, FileType::Directory, now());
}

Expected<void> Vfs::rmdir(Ino dir, std::string_view path) {
  auto r = detail::resolve(image_, dir, path, Follow::No, TrailingSlash::NamesEntry);
  if (!r) return fail(r.error());
  if (!r->ino) return fail(Errc::NoEnt);
  if (*r->ino == kRootIno) return fail(Errc::Busy);
  if (r->name.empty()) return fail(Errc::Inval);  // rmdir(".")
  if (r->name == "..") return fail(Errc::NotEmpty);
  const Node* n = node(*r->ino);
  if (n->type != FileType::Directory) return fail(Errc::NotDir);
  if (!n->dir->by_name.empty()) return fail(Errc::NotEmpty);
  remove_entry(r->dir, r->name, now());
  maybe_free(*r->ino);
  return {};
}

Expected<void> Vfs::unlink(Ino dir, std::string_view path) {
  auto r = detail::resolve(image_, dir, path, Follow::No, TrailingSlash::NamesEntry);
  if (!r) return fail(r.error());
  if (!r->ino) return fail(Errc::NoEnt);
  const Node* n = node(*r->ino);
  if (n->type == FileType::Directory) return fail(Errc::IsDir);
  remove_entry(r->dir, r->name, now());
  maybe_free(*r->ino);
  return {};
}

Expected<Ino> Vfs::symlink(std::string_view target, Ino dir, std::string_view path) {
  if (target.empty()) return fail(Errc::NoEnt);
  if (target.find('\0') != std::string_view::npos) return fail(Errc::Inval);
  if (target.size() > image_.limits.max_path_length) return fail(Errc::NameTooLong);
  auto r = detail::resolve(image_, dir, path, Follow::No, TrailingSlash::NamesEntry);
  if (!r) return fail(r.error());
  if (r->ino) return fail(Errc::Exist);
  if (r->trailing_slash) return fail(Errc::NoEnt);
  if (image_.usage.bytes + target.size() > image_.limits.max_total_bytes) return fail(Errc::NoSpc);
  auto ino = create_node(r->dir, r->name, FileType::Symlink, now());
  if (!ino) return ino;
  Node& n = mut(*ino);
  n.data->assign(target);  // fresh node: the blob is ours alone
  image_.usage.bytes += target.size();
  invalidate(*ino);
  return ino;
}

Expected<std::string> Vfs::readlink(Ino dir, std::string_view path) const {
  auto r = detail::resolve(image_, dir, path, Follow::No, TrailingSlash::NamesEntry);
  if (!r) return fail(r.error());
  if (!r->ino) return fail(Errc::NoEnt);
  const Node* n = node(*r->ino);
  if (n->type != FileType::Symlink) return fail(Errc::Inval);
  return *n->data;
}

Expected<void> Vfs::rename(Ino old_dir, std::string_view old_path, Ino new_dir, std::string_view new_path) {
  auto ro = detail::resolve(image_, old_dir, old_path, Follow::No, TrailingSlash::NamesEntry);
  if (!ro) return fail(ro.error());
  if (!ro->ino) return fail(Errc::NoEnt);
  if (*ro->ino == kRootIno || ro->name.empty() || ro->name == "..") return fail(Errc::Busy);
  auto rn = detail::resolve(image_, new_dir, new_path, Follow::No, TrailingSlash::NamesEntry);
  if (!rn) return fail(rn.error());
  if (rn->name.empty() || rn->name == "..") return fail(Errc::Busy);
  const Ino src = *ro->ino;
  const Node* s = node(src);
  const bool src_is_dir = s->type == FileType::Directory;
  if (!src_is_dir && (ro->trailing_slash || rn->trailing_slash)) return fail(Errc::NotDir);
  if (rn->ino) {
    if (*rn->ino == src) return {};  // Spec (POSIX rename): same file, do nothing
    const Node* d = node(*rn->ino);
    if (src_is_dir) {
      if (d->type != FileType::Directory) return fail(Errc::NotDir);
      if (!d->dir->by_name.empty()) return fail(Errc::NotEmpty);
    } else if (d->type == FileType::Directory) {
      return fail(Errc::IsDir);
    }
  }
  if (src_is_dir) {
    // A directory cannot move into its own subtree.
    for (Ino cur = rn->dir;; cur = node(cur)->parent) {
      if (cur == src) return fail(Errc::Inval);
      if (cur == kRootIno || cur.value == 0) break;
    }
  }
  // Limits on the new location, for the moved entry and everything below it.
  const Node* nd = node(rn->dir);
  if (nd->parent.value == 0) return fail(Errc::NoEnt);
  std::uint64_t height = 0, extra_length = 0;
  if (src_is_dir) {
    struct Item {
      Ino ino;
      std::uint64_t depth, length;
    };
    std::vector<Item> stack{{src, 0, 0}};
    while (!stack.empty()) {
      Item it = stack.back();
      stack.pop_back();
      height = std::max(height, it.depth);
      extra_length = std::max(extra_length, it.length);
      const Node* n = node(it.ino);
      if (n->type != FileType::Directory) continue;
      for (const auto& [name, ref] : n->dir->by_name)
        stack.push_back({ref.ino, it.depth + 1, it.length + 1 + name.size()});
    }
  }
  if (depth_of(rn->dir) + 1 + height > image_.limits.max_depth) return fail(Errc::NameTooLong);
  if (path_length_of(rn->dir) + 1 + rn->name.size() + extra_length > image_.limits.max_path_length)
    return fail(Errc::NameTooLong);

  const std::uint64_t t = now();
  std::optional<Ino> victim;
  if (rn->ino) {
    victim = *rn->ino;
    remove_entry(rn->dir, rn->name, t);
  }
  remove_entry(ro->dir, ro->name, t);
  add_entry(rn->dir, rn->name, src, t);
  mut(src).ctime = t;
  if (victim) maybe_free(*victim);
  return {};
}

}  // namespace wg::vfs
