#include "vfs/serialize.h"

#include <gtest/gtest.h>

#include <string>

#include "vfs/tree_ops.h"

namespace wg::vfs {
namespace {

std::vector<std::uint8_t> sample_image() {
  ManualClock clock(77);
  Vfs fs(Limits{}, &clock);
  EXPECT_TRUE(write_file(fs, "/src/main.c", "int main() { return 0; }\n"));
  clock.advance(10);
  EXPECT_TRUE(write_file(fs, "/src/zz.h", std::string("\0\x01\xff", 3)));
  EXPECT_TRUE(write_file(fs, "/src/aa.h", ""));
  EXPECT_TRUE(fs.mkdir(fs.root(), "empty"));
  EXPECT_TRUE(fs.symlink("/src/main.c", fs.root(), "link"));
  return serialize(fs.snapshot());
}

TEST(SerializeTest, RoundTripKeepsDigestInodesTimesAndOrder) {
  ManualClock clock(5);
  Vfs fs(Limits{}, &clock);
  ASSERT_TRUE(write_file(fs, "/d/second", "2"));
  clock.advance(3);
  ASSERT_TRUE(write_file(fs, "/d/first", "1"));
  ASSERT_TRUE(fs.symlink("d/first", fs.root(), "l"));
  ASSERT_TRUE(write_file(fs, "/gone", "x"));
  ASSERT_TRUE(remove(fs, "/gone"));  // leaves a free inode number behind
  auto bytes = serialize(fs.snapshot());
  auto back = deserialize(bytes, Limits{});
  ASSERT_TRUE(back) << back.error().to_string();
  EXPECT_EQ(back->digest(), fs.digest());
  EXPECT_EQ(back->digest(), back->digest_from_scratch());
  EXPECT_EQ(back->usage(), fs.usage());
  for (const char* p : {"/d", "/d/second", "/d/first", "/l"}) {
    auto a = fs.stat_at(fs.root(), p, Follow::No);
    auto b = back->stat_at(back->root(), p, Follow::No);
    ASSERT_TRUE(a && b) << p;
    EXPECT_EQ(a->ino, b->ino) << p;
    EXPECT_EQ(a->mtime_ns, b->mtime_ns) << p;
    EXPECT_EQ(a->ctime_ns, b->ctime_ns) << p;
    EXPECT_EQ(a->nlink, b->nlink) << p;
    EXPECT_EQ(a->size, b->size) << p;
  }
  auto d = *back->lookup(back->root(), "d");
  auto entries = back->readdir(d, 2, 10);
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].name, "second");  // insertion order survives
  // The freed inode number is reused first, as it would have been before.
  auto next_before = fs.open(fs.root(), "n", OpenFlags::Create);
  auto next_after = back->open(back->root(), "n", OpenFlags::Create);
  EXPECT_EQ(*next_before, *next_after);
  // Serialising again gives the same bytes.
  EXPECT_EQ(serialize(back->snapshot()), serialize(Vfs::from_snapshot(back->snapshot()).snapshot()));
}

TEST(SerializeTest, SerialisationIsDeterministic) { EXPECT_EQ(sample_image(), sample_image()); }

TEST(SerializeTest, EveryFlippedByteIsRejectedCleanly) {
  const auto good = sample_image();
  ASSERT_TRUE(deserialize(good, Limits{}));
  for (std::size_t i = 0; i < good.size(); ++i) {
    auto bad = good;
    bad[i] ^= 0x5a;
    auto r = deserialize(bad, Limits{});
    ASSERT_FALSE(r) << "flipped byte " << i;
  }
}

TEST(SerializeTest, EveryTruncationIsRejectedCleanly) {
  const auto good = sample_image();
  for (std::size_t n = 0; n < good.size(); ++n) {
    auto r = deserialize(std::span<const std::uint8_t>(good.data(), n), Limits{});
    ASSERT_FALSE(r) << "length " << n;
    EXPECT_EQ(r.error().code(), ErrorCode::Malformed) << n;
  }
}

// Rebuilds a valid checksum so that the structural validation is exercised.
std::vector<std::uint8_t> reseal(std::vector<std::uint8_t> image) {
  image.resize(image.size() - 32);
  auto sum = Sha256::digest(std::span<const std::uint8_t>(image));
  image.insert(image.end(), sum.begin(), sum.end());
  return image;
}

// A hand-built image: header + body + checksum.
class ImageBuilder {
 public:
  void u8(std::uint8_t v) { body_.push_back(v); }
  void u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) body_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i) body_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  }
  void str(std::string_view s) { body_.insert(body_.end(), s.begin(), s.end()); }
  void node(std::uint8_t type, std::uint64_t ino) {
    u8(type);
    u64(ino);
    u64(0);
    u64(0);
    u64(0);
  }
  void entry(std::string_view name) {
    u32(static_cast<std::uint32_t>(name.size()));
    str(name);
  }
  std::vector<std::uint8_t> build(std::uint32_t version = 1) const {
    std::vector<std::uint8_t> out = {'W', 'G', 'V', 'F', 'S', 'I', 'M', 'G'};
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(version >> (8 * i)));
    for (int i = 0; i < 4; ++i) out.push_back(0);
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(body_.size() >> (8 * i)));
    out.insert(out.end(), body_.begin(), body_.end());
    out.resize(out.size() + 32);
    return reseal(out);
  }

 private:
  std::vector<std::uint8_t> body_;
};

std::string load_error(const std::vector<std::uint8_t>& image, const Limits& limits = {}) {
  auto r = deserialize(image, limits);
  return r ? "ok" : r.error().to_string();
}

TEST(SerializeTest, HandBuiltMinimalImageLoads) {
  ImageBuilder b;
  b.node(2, 1);
  b.u32(1);
  b.entry("f");
  b.node(1, 2);
  b.u64(2);
  b.str("hi");
  EXPECT_EQ(load_error(b.build()), "ok");
}

TEST(SerializeTest, RejectsStructurallyInvalidImages) {
  {
    ImageBuilder b;  // root is a file
    b.node(1, 1);
    b.u64(0);
    EXPECT_NE(load_error(b.build()).find("root must be directory"), std::string::npos);
  }
  {
    ImageBuilder b;  // duplicate inode number (would also allow cycles)
    b.node(2, 1);
    b.u32(1);
    b.entry("d");
    b.node(2, 1);
    b.u32(0);
    EXPECT_NE(load_error(b.build()).find("inode"), std::string::npos);
  }
  {
    ImageBuilder b;  // the same directory listed twice under different names
    b.node(2, 1);
    b.u32(2);
    b.entry("a");
    b.node(2, 2);
    b.u32(0);
    b.entry("b");
    b.node(2, 2);
    b.u32(0);
    EXPECT_NE(load_error(b.build()).find("used twice"), std::string::npos);
  }
  for (std::string_view name :
       {std::string_view(".."), std::string_view("a/b"), std::string_view("", 0), std::string_view("x\0y", 3)}) {
    ImageBuilder b;
    b.node(2, 1);
    b.u32(1);
    b.entry(name);
    b.node(1, 2);
    b.u64(0);
    EXPECT_NE(load_error(b.build()).find("invalid entry name"), std::string::npos) << name;
  }
  {
    ImageBuilder b;  // duplicate names
    b.node(2, 1);
    b.u32(2);
    b.entry("a");
    b.node(1, 2);
    b.u64(0);
    b.entry("a");
    b.node(1, 3);
    b.u64(0);
    EXPECT_NE(load_error(b.build()).find("duplicate entry name"), std::string::npos);
  }
  {
    ImageBuilder b;  // unknown type
    b.node(9, 1);
    EXPECT_NE(load_error(b.build()).find("unknown node type"), std::string::npos);
  }
  {
    ImageBuilder b;  // file length beyond the input
    b.node(2, 1);
    b.u32(1);
    b.entry("f");
    b.node(1, 2);
    b.u64(1ull << 40);
    EXPECT_NE(load_error(b.build()), "ok");
  }
  {
    ImageBuilder b;  // huge entry count
    b.node(2, 1);
    b.u32(0xffffffff);
    EXPECT_NE(load_error(b.build()).find("entry count"), std::string::npos);
  }
  {
    ImageBuilder b;  // symlink with a NUL
    b.node(2, 1);
    b.u32(1);
    b.entry("l");
    b.node(3, 2);
    b.u32(3);
    b.str(std::string_view("a\0b", 3));
    EXPECT_NE(load_error(b.build()).find("NUL"), std::string::npos);
  }
  {
    ImageBuilder b;  // trailing bytes
    b.node(2, 1);
    b.u32(0);
    b.u8(0);
    EXPECT_NE(load_error(b.build()).find("trailing"), std::string::npos);
  }
}

TEST(SerializeTest, RejectsOtherVersionsAsUnsupported) {
  ImageBuilder b;
  b.node(2, 1);
  b.u32(0);
  auto r = deserialize(b.build(2), Limits{});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::Unsupported);
}

TEST(SerializeTest, RejectsImagesDeeperThanTheLimit) {
  Vfs fs;
  ASSERT_TRUE(make_dirs(fs, "/a/b/c/d"));
  auto bytes = serialize(fs.snapshot());
  Limits shallow;
  shallow.max_depth = 3;
  auto r = deserialize(bytes, shallow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  shallow.max_depth = 4;
  EXPECT_TRUE(deserialize(bytes, shallow));
}

TEST(SerializeTest, RejectsInodeNumbersAboveTheQuota) {
  ImageBuilder b;
  b.node(2, 1);
  b.u32(1);
  b.entry("f");
  b.node(1, 1000);
  b.u64(0);
  Limits limits;
  limits.max_inodes = 10;
  EXPECT_NE(load_error(b.build(), limits).find("out of range"), std::string::npos);
}

}  // namespace
}  // namespace wg::vfs
