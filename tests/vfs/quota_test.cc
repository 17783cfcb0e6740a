// Quotas: every limit fails the operation cleanly and changes nothing.
#include <gtest/gtest.h>

#include <string>

#include "vfs/serialize.h"
#include "vfs/vfs.h"

namespace wg::vfs {
namespace {

// Everything a failed operation must leave unchanged.
struct State {
  Sha256Digest digest;
  Usage usage;
  std::uint64_t root_mtime;
  friend bool operator==(const State&, const State&) = default;
};

class QuotaTest : public ::testing::Test {
 protected:
  ManualClock clock{1};
  Limits limits = [] {
    Limits l;
    l.max_total_bytes = 100;
    l.max_inodes = 6;
    l.max_file_size = 60;
    l.max_path_length = 20;
    l.max_depth = 3;
    return l;
  }();
  Vfs fs{limits, &clock};
  Ino root = fs.root();

  State state() { return {fs.digest(), fs.usage(), fs.stat(root)->mtime_ns}; }
  void tick() { clock.advance(1); }
};

TEST_F(QuotaTest, ByteQuotaFailsWholeWriteAndKeepsContents) {
  auto a = fs.open(root, "a", OpenFlags::Create);
  auto b = fs.open(root, "b", OpenFlags::Create);
  ASSERT_TRUE(fs.pwrite(*a, 0, std::string(60, 'a')));
  ASSERT_TRUE(fs.pwrite(*b, 0, std::string(30, 'b')));
  State before = state();
  tick();
  EXPECT_EQ(fs.pwrite(*b, 0, std::string(41, 'x')).error(), Errc::NoSpc);
  EXPECT_EQ(fs.pwrite(*b, 40, "xy").error(), Errc::NoSpc);  // the gap counts too
  EXPECT_EQ(fs.truncate(*b, 41).error(), Errc::NoSpc);
  EXPECT_EQ(fs.allocate(*b, 0, 41).error(), Errc::NoSpc);
  EXPECT_EQ(fs.replace_contents(*b, std::string(41, 'x')).error(), Errc::NoSpc);
  EXPECT_EQ(fs.symlink(std::string(11, 's'), root, "l").error(), Errc::NoSpc);
  EXPECT_EQ(state(), before);
  EXPECT_EQ(*fs.read_all(*b), std::string(30, 'b'));
  EXPECT_EQ(fs.stat(*b)->mtime_ns, 1u);
  // Exactly filling the quota works; overwriting in place needs no new bytes.
  ASSERT_TRUE(fs.pwrite(*b, 0, std::string(40, 'c')));
  ASSERT_TRUE(fs.pwrite(*b, 0, "dd"));
  EXPECT_EQ(fs.usage().bytes, 100u);
  // Shrinking frees bytes for others.
  ASSERT_TRUE(fs.truncate(*a, 0));
  EXPECT_EQ(fs.usage().bytes, 40u);
  ASSERT_TRUE(fs.close(*a));
  ASSERT_TRUE(fs.close(*b));
}

TEST_F(QuotaTest, FileSizeLimitIsFBig) {
  auto a = fs.open(root, "a", OpenFlags::Create);
  State before = state();
  EXPECT_EQ(fs.pwrite(*a, 60, "x").error(), Errc::FBig);
  EXPECT_EQ(fs.truncate(*a, 61).error(), Errc::FBig);
  EXPECT_EQ(fs.pwrite(*a, ~0ull - 1, "xyz").error(), Errc::Overflow);
  EXPECT_EQ(state(), before);
  EXPECT_TRUE(fs.pwrite(*a, 59, "x"));
  ASSERT_TRUE(fs.close(*a));
}

TEST_F(QuotaTest, InodeQuotaIsDQuotAndCountsEveryKind) {
  ASSERT_TRUE(fs.mkdir(root, "d"));
  ASSERT_TRUE(fs.symlink("d", root, "l"));
  auto f = fs.open(root, "f", OpenFlags::Create);
  ASSERT_TRUE(f);
  ASSERT_TRUE(fs.mkdir(root, "e"));
  ASSERT_TRUE(fs.close(*f));
  ASSERT_TRUE(fs.open(root, "g", OpenFlags::Create));  // 6th inode
  State before = state();
  tick();
  EXPECT_EQ(fs.mkdir(root, "x").error(), Errc::DQuot);
  EXPECT_EQ(fs.open(root, "x", OpenFlags::Create).error(), Errc::DQuot);
  EXPECT_EQ(fs.symlink("t", root, "x").error(), Errc::DQuot);
  EXPECT_EQ(state(), before);
  ASSERT_TRUE(fs.unlink(root, "f"));
  EXPECT_TRUE(fs.mkdir(root, "x"));
}

TEST_F(QuotaTest, UnlinkedOpenFileStillCountsAgainstQuota) {
  auto f = fs.open(root, "f", OpenFlags::Create);
  ASSERT_TRUE(fs.pwrite(*f, 0, std::string(60, 'x')));
  ASSERT_TRUE(fs.unlink(root, "f"));
  auto g = fs.open(root, "g", OpenFlags::Create);
  EXPECT_EQ(fs.pwrite(*g, 0, std::string(41, 'y')).error(), Errc::NoSpc);
  ASSERT_TRUE(fs.close(*f));
  EXPECT_TRUE(fs.pwrite(*g, 0, std::string(41, 'y')));
  ASSERT_TRUE(fs.close(*g));
}

TEST_F(QuotaTest, DepthLimitIsNameTooLong) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  ASSERT_TRUE(fs.mkdir(root, "a/b"));
  ASSERT_TRUE(fs.mkdir(root, "a/b/c"));  // depth 3
  State before = state();
  EXPECT_EQ(fs.mkdir(root, "a/b/c/d").error(), Errc::NameTooLong);
  EXPECT_EQ(fs.open(root, "a/b/c/f", OpenFlags::Create).error(), Errc::NameTooLong);
  EXPECT_EQ(state(), before);
}

TEST_F(QuotaTest, RenameChecksDepthOfTheWholeMovedSubtree) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  ASSERT_TRUE(fs.mkdir(root, "a/b"));
  ASSERT_TRUE(fs.mkdir(root, "x"));
  ASSERT_TRUE(fs.mkdir(root, "x/y"));
  State before = state();
  // /x/y/a/b would be depth 4.
  EXPECT_EQ(fs.rename(root, "a", root, "x/y/a").error(), Errc::NameTooLong);
  EXPECT_EQ(state(), before);
  EXPECT_TRUE(fs.rename(root, "a", root, "x/a"));
}

TEST_F(QuotaTest, PathLengthLimitCoversCreatedEntriesAndRenames) {
  ASSERT_TRUE(fs.mkdir(root, "abcdefgh"));                                       // "/abcdefgh" = 9
  ASSERT_TRUE(fs.mkdir(root, "abcdefgh/ijklmn"));                                // 16
  EXPECT_EQ(fs.mkdir(root, "abcdefgh/ijklmn/opqr").error(), Errc::NameTooLong);  // 21
  ASSERT_TRUE(fs.mkdir(root, "abcdefgh/ijklmn/opq"));                            // 20
  ASSERT_TRUE(fs.mkdir(root, "zz"));
  State before = state();
  EXPECT_EQ(fs.rename(root, "abcdefgh", root, "zz/abcdefgh").error(), Errc::NameTooLong);
  EXPECT_EQ(state(), before);
  EXPECT_EQ(fs.lookup(root, std::string(21, 'a')).error(), Errc::NameTooLong);
}

TEST_F(QuotaTest, DeserialiseEnforcesTheReceiversLimits) {
  Vfs big;
  auto f = big.open(big.root(), "f", OpenFlags::Create);
  ASSERT_TRUE(big.pwrite(*f, 0, std::string(101, 'x')));
  auto bytes = serialize(big.snapshot());
  Limits roomy = limits;
  roomy.max_file_size = 1000;
  auto r = deserialize(bytes, roomy);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
}

}  // namespace
}  // namespace wg::vfs
