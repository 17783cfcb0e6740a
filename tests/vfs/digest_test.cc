#include <gtest/gtest.h>

#include <string>

#include "vfs/tree_ops.h"
#include "vfs/vfs.h"

namespace wg::vfs {
namespace {

void put(Vfs& fs, std::string_view path, std::string_view content) {
  ASSERT_TRUE(write_file(fs, path, content)) << path;
}

TEST(DigestTest, SameContentGivesSameDigestRegardlessOfOrderAndTime) {
  ManualClock c1(1), c2(999999);
  Vfs a(Limits{}, &c1), b(Limits{}, &c2);
  put(a, "/x/1.txt", "one");
  put(a, "/x/2.txt", "two");
  put(a, "/y", "why");
  ASSERT_TRUE(a.symlink("x/1.txt", a.root(), "link"));

  ASSERT_TRUE(b.symlink("x/1.txt", b.root(), "link"));
  put(b, "/y", "temporary");
  put(b, "/x/2.txt", "two");
  put(b, "/junk/file", "gone soon");
  put(b, "/x/1.txt", "one");
  put(b, "/y", "why");
  ASSERT_TRUE(remove(b, "/junk", Recursive::Yes));
  c2.advance(5);
  ASSERT_TRUE(b.set_times(*b.lookup(b.root(), "y"), TimeSpec::at(7), TimeSpec::at(8)));

  EXPECT_EQ(a.digest(), b.digest());
  EXPECT_EQ(a.digest(), a.digest_from_scratch());
}

TEST(DigestTest, EveryKindOfChangeChangesTheDigest) {
  Vfs fs;
  put(fs, "/d/f", "content");
  ASSERT_TRUE(fs.symlink("d/f", fs.root(), "l"));
  std::vector<Sha256Digest> seen{fs.digest()};
  auto expect_new = [&](const char* what) {
    Sha256Digest d = fs.digest();
    for (const auto& s : seen) EXPECT_NE(d, s) << what;
    EXPECT_EQ(d, fs.digest_from_scratch()) << what;
    seen.push_back(d);
  };
  put(fs, "/d/f", "Content");
  expect_new("one byte of content");
  put(fs, "/d/f", std::string_view("Content\0", 8));
  expect_new("length");
  ASSERT_TRUE(fs.rename(fs.root(), "d/f", fs.root(), "d/g"));
  expect_new("name");
  ASSERT_TRUE(fs.unlink(fs.root(), "l"));
  ASSERT_TRUE(fs.symlink("d/g", fs.root(), "l"));
  expect_new("symlink target");
  ASSERT_TRUE(fs.mkdir(fs.root(), "empty"));
  expect_new("empty directory");
  ASSERT_TRUE(fs.rmdir(fs.root(), "empty"));
  put(fs, "/empty", "");
  expect_new("file instead of directory");
  ASSERT_TRUE(fs.unlink(fs.root(), "empty"));
  ASSERT_TRUE(fs.symlink("x", fs.root(), "empty"));
  expect_new("symlink instead of file");
}

TEST(DigestTest, FileAndSymlinkWithSameBytesDiffer) {
  Vfs a, b;
  put(a, "/n", "target");
  ASSERT_TRUE(b.symlink("target", b.root(), "n"));
  EXPECT_NE(a.digest(), b.digest());
}

TEST(DigestTest, TimestampOnlyChangesKeepTheDigest) {
  ManualClock clock(1);
  Vfs fs(Limits{}, &clock);
  put(fs, "/f", "x");
  Sha256Digest before = fs.digest();
  clock.advance(100);
  ASSERT_TRUE(fs.set_times(*fs.lookup(fs.root(), "f"), TimeSpec::now(), TimeSpec::now()));
  ASSERT_TRUE(read_file(fs, "/f"));
  EXPECT_EQ(fs.digest(), before);
}

TEST(DigestTest, IncrementalDigestEqualsFromScratchAfterManyChanges) {
  Vfs fs;
  for (int i = 0; i < 20; ++i)
    put(fs, "/a/b/c" + std::to_string(i % 4) + "/f" + std::to_string(i), "v" + std::to_string(i));
  int changes = 0;
  for (int i = 0; i < 20; ++i) {
    const Sha256Digest before = fs.digest();  // fill caches, then change a little
    std::string dir = "/a/b/c" + std::to_string(i % 4);
    bool changed = false;
    if (i % 3 == 0) {
      changed = write_file(fs, dir + "/f" + std::to_string(i), "changed").has_value();
    } else if (i % 3 == 1) {
      changed = remove(fs, dir + "/f" + std::to_string(i)).has_value();
    } else {
      changed = fs.rename(fs.root(), dir, fs.root(), "/a/moved" + std::to_string(i)).has_value();
    }
    changes += changed;
    EXPECT_EQ(fs.digest(), fs.digest_from_scratch()) << i;
    if (changed) {
      EXPECT_NE(fs.digest(), before) << i;
    }
  }
  EXPECT_GE(changes, 10);
}

TEST(DigestTest, OpenUnlinkedFilesAreNotPartOfTheDigest) {
  Vfs a, b;
  auto f = a.open(a.root(), "tmp", OpenFlags::Create);
  ASSERT_TRUE(a.pwrite(*f, 0, "scratch"));
  ASSERT_TRUE(a.unlink(a.root(), "tmp"));
  EXPECT_EQ(a.digest(), b.digest());
  ASSERT_TRUE(a.pwrite(*f, 0, "more"));
  EXPECT_EQ(a.digest(), b.digest());
  ASSERT_TRUE(a.close(*f));
}

}  // namespace
}  // namespace wg::vfs
