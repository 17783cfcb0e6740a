#include "vfs/serialize.h"

#include <algorithm>
#include <functional>
#include <string>
#include <unordered_set>

#include "base/byte_reader.h"
#include "base/check.h"
#include "base/sha256.h"
#include "vfs/image.h"
#include "vfs/path.h"

namespace wg::vfs {

using detail::DirData;
using detail::Image;
using detail::Node;

namespace {

constexpr char kMagic[8] = {'W', 'G', 'V', 'F', 'S', 'I', 'M', 'G'};
constexpr std::size_t kHeaderSize = 8 + 4 + 4 + 8;
constexpr std::size_t kTrailerSize = 32;

enum : std::uint8_t { kTagFile = 1, kTagDir = 2, kTagSymlink = 3 };

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void bytes(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  std::vector<std::uint8_t>& buffer() { return out_; }

 private:
  std::vector<std::uint8_t> out_;
};

void write_node(const Image& image, Ino ino, Writer& w) {
  const Node* n = detail::find_node(image, ino);
  WG_CHECK(n != nullptr);
  switch (n->type) {
    case FileType::Regular: w.u8(kTagFile); break;
    case FileType::Directory: w.u8(kTagDir); break;
    case FileType::Symlink: w.u8(kTagSymlink); break;
  }
  w.u64(ino.value);
  w.u64(n->atime);
  w.u64(n->mtime);
  w.u64(n->ctime);
  if (n->type == FileType::Regular) {
    w.u64(n->data->size());
    w.bytes(*n->data);
  } else if (n->type == FileType::Symlink) {
    w.u32(static_cast<std::uint32_t>(n->data->size()));
    w.bytes(*n->data);
  } else {
    w.u32(static_cast<std::uint32_t>(n->dir->by_seq.size()));
    for (const auto& [seq, name] : n->dir->by_seq) {
      w.u32(static_cast<std::uint32_t>(name.size()));
      w.bytes(name);
      write_node(image, n->dir->by_name.find(name)->second.ino, w);
    }
  }
}

class Loader {
 public:
  Loader(ByteReader& reader, const Limits& limits) : r_(reader), limits_(limits) {
    image_.limits = limits;
    image_.nodes.resize(2);
  }

  // Reads one node (and its subtree) whose canonical path has `depth`
  // components and `path_length` bytes.
  Result<Ino> node(Ino parent, std::string name, std::uint64_t depth, std::uint64_t path_length) {
    const std::size_t at = r_.offset();
    const std::uint8_t tag = WG_TRY(r_.read_u8());
    if (tag != kTagFile && tag != kTagDir && tag != kTagSymlink) return bad(at, "unknown node type");
    const std::uint64_t ino = WG_TRY(r_.read_u64_le());
    if (ino == 0 || ino > limits_.max_inodes) return bad(at, "inode number out of range");
    if (!seen_.insert(ino).second) return bad(at, "inode number used twice");
    if (seen_.size() > limits_.max_inodes) return limit(at, "inode quota exceeded");
    const bool is_root = parent.value == 0;
    if (is_root && (ino != kRootIno.value || tag != kTagDir)) return bad(at, "root must be directory inode 1");
    if (!is_root && ino == kRootIno.value) return bad(at, "inode 1 below the root");

    auto n = std::make_shared<Node>();
    n->parent = is_root ? kRootIno : parent;
    n->name = std::move(name);
    n->atime = WG_TRY(r_.read_u64_le());
    n->mtime = WG_TRY(r_.read_u64_le());
    n->ctime = WG_TRY(r_.read_u64_le());
    if (tag == kTagFile) {
      n->type = FileType::Regular;
      const std::uint64_t size = WG_TRY(r_.read_u64_le());
      if (size > limits_.max_file_size) return limit(at, "file larger than max_file_size");
      WG_TRY(charge(at, size));
      if (size > r_.remaining()) return bad(r_.offset(), "file contents past end of input");
      auto bytes = WG_TRY(r_.read_bytes(static_cast<std::size_t>(size)));
      n->data = std::make_shared<std::string>(bytes.begin(), bytes.end());
    } else if (tag == kTagSymlink) {
      n->type = FileType::Symlink;
      const std::uint32_t size = WG_TRY(r_.read_u32_le());
      if (size == 0 || size > limits_.max_path_length) return bad(at, "symlink target length invalid");
      WG_TRY(charge(at, size));
      auto bytes = WG_TRY(r_.read_bytes(size));
      n->data = std::make_shared<std::string>(bytes.begin(), bytes.end());
      if (n->data->find('\0') != std::string::npos) return bad(at, "NUL byte in symlink target");
    } else {
      n->type = FileType::Directory;
      n->dir = std::make_shared<DirData>();
      const std::uint32_t count = WG_TRY(r_.read_u32_le());
      // Each entry takes at least 4 + 1 + 33 bytes: reject counts the input cannot hold.
      if (count > r_.remaining() / 38) return bad(at, "directory entry count past end of input");
      if (count > 0 && depth + 1 > limits_.max_depth) return limit(at, "directory depth exceeds max_depth");
      for (std::uint32_t i = 0; i < count; ++i) {
        const std::size_t entry_at = r_.offset();
        const std::uint32_t name_size = WG_TRY(r_.read_u32_le());
        if (name_size > limits_.max_name_length) return limit(entry_at, "name longer than max_name_length");
        auto name_bytes = WG_TRY(r_.read_bytes(name_size));
        std::string child_name(name_bytes.begin(), name_bytes.end());
        if (!validate_name(child_name, limits_)) return bad(entry_at, "invalid entry name");
        if (n->dir->by_name.contains(child_name)) return bad(entry_at, "duplicate entry name");
        const std::uint64_t child_length = path_length + 1 + child_name.size();
        if (child_length > limits_.max_path_length) return limit(entry_at, "path longer than max_path_length");
        const Ino child = WG_TRY(node(Ino{ino}, child_name, depth + 1, child_length));
        const std::uint64_t seq = n->dir->next_seq++;
        n->dir->by_name.emplace(child_name, detail::EntryRef{child, seq});
        n->dir->by_seq.emplace(seq, std::move(child_name));
        if (image_.nodes[child.value]->type == FileType::Directory) n->dir->subdirs += 1;
      }
    }
    if (image_.nodes.size() <= ino) image_.nodes.resize(ino + 1);
    image_.nodes[ino] = std::move(n);
    return Ino{ino};
  }

  Image finish() {
    image_.usage.inodes = seen_.size();
    image_.usage.bytes = bytes_;
    for (std::uint64_t i = 1; i < image_.nodes.size(); ++i)
      if (!image_.nodes[i]) image_.free_inos.push_back(i);
    std::make_heap(image_.free_inos.begin(), image_.free_inos.end(), std::greater<>());
    return std::move(image_);
  }

 private:
  Status charge(std::size_t at, std::uint64_t size) {
    if (size > limits_.max_total_bytes - std::min(bytes_, limits_.max_total_bytes))
      return limit(at, "byte quota exceeded");
    bytes_ += size;
    return ok();
  }
  static std::unexpected<Error> bad(std::size_t at, const std::string& what) {
    return make_error(ErrorCode::Malformed, "vfs image: " + what + " at offset " + std::to_string(at));
  }
  static std::unexpected<Error> limit(std::size_t at, const std::string& what) {
    return make_error(ErrorCode::LimitExceeded, "vfs image: " + what + " at offset " + std::to_string(at));
  }

  ByteReader& r_;
  const Limits& limits_;
  Image image_;
  std::unordered_set<std::uint64_t> seen_;
  std::uint64_t bytes_ = 0;
};

}  // namespace

std::vector<std::uint8_t> serialize(const Snapshot& snapshot) {
  Writer w;
  w.bytes(std::string_view(kMagic, sizeof kMagic));
  w.u32(kFormatVersion);
  w.u32(0);
  w.u64(0);  // body length, patched below
  write_node(snapshot.image(), kRootIno, w);
  std::vector<std::uint8_t>& out = w.buffer();
  const std::uint64_t body = out.size() - kHeaderSize;
  for (int i = 0; i < 8; ++i) out[16 + i] = static_cast<std::uint8_t>(body >> (8 * i));
  const Sha256Digest sum = Sha256::digest(std::span<const std::uint8_t>(out));
  out.insert(out.end(), sum.begin(), sum.end());
  return out;
}

Result<Vfs> deserialize(std::span<const std::uint8_t> bytes, const Limits& limits, Clock* clock) {
  if (!limits_usable(limits)) return make_error(ErrorCode::Invalid, "vfs image: unusable limits");
  if (bytes.size() < kHeaderSize + kTrailerSize)
    return make_error(ErrorCode::Malformed, "vfs image: truncated (" + std::to_string(bytes.size()) + " bytes)");
  if (!std::equal(kMagic, kMagic + sizeof kMagic, bytes.begin()))
    return make_error(ErrorCode::Malformed, "vfs image: bad magic at offset 0");
  ByteReader header(bytes.subspan(8, kHeaderSize - 8), 8);
  const std::uint32_t version = WG_TRY(header.read_u32_le());
  const std::uint32_t flags = WG_TRY(header.read_u32_le());
  const std::uint64_t body_length = WG_TRY(header.read_u64_le());
  if (version != kFormatVersion)
    return make_error(ErrorCode::Unsupported, "vfs image: format version " + std::to_string(version) +
                                                  " (this build reads " + std::to_string(kFormatVersion) + ")");
  if (flags != 0) return make_error(ErrorCode::Malformed, "vfs image: unknown flags at offset 12");
  if (body_length != bytes.size() - kHeaderSize - kTrailerSize)
    return make_error(ErrorCode::Malformed, "vfs image: body length does not match input size");
  const auto covered = bytes.first(bytes.size() - kTrailerSize);
  const Sha256Digest sum = Sha256::digest(covered);
  if (!std::equal(sum.begin(), sum.end(), bytes.end() - kTrailerSize))
    return make_error(ErrorCode::Malformed, "vfs image: checksum mismatch");

  ByteReader body(bytes.subspan(kHeaderSize, body_length), kHeaderSize);
  Loader loader(body, limits);
  WG_TRY(loader.node(Ino{0}, "", 0, 0));
  if (!body.at_end())
    return make_error(ErrorCode::Malformed, "vfs image: trailing bytes at offset " + std::to_string(body.offset()));
  return Vfs(loader.finish(), clock);
}

}  // namespace wg::vfs
