#include "vfs/tree_ops.h"

#include <gtest/gtest.h>

#include <string>

namespace wg::vfs {
namespace {

class TreeOpsTest : public ::testing::Test {
 protected:
  Vfs fs;
  void put(std::string_view path, std::string_view content) { ASSERT_TRUE(write_file(fs, path, content)) << path; }
};

TEST_F(TreeOpsTest, WriteFileCreatesParentsAndOverwrites) {
  put("a/b/c.txt", "one");
  EXPECT_EQ(*read_file(fs, "/a/b/c.txt"), "one");
  put("/a/b/c.txt", "two");
  EXPECT_EQ(*read_file(fs, "a/b/c.txt"), "two");
  EXPECT_EQ(fs.usage().bytes, 3u);
  EXPECT_EQ(write_file(fs, "/x/y", "z", WriteMode::Overwrite, Parents::MustExist).error(), Errc::NoEnt);
}

TEST_F(TreeOpsTest, WriteFileModes) {
  put("/f", "ab");
  EXPECT_EQ(write_file(fs, "/f", "x", WriteMode::CreateNew).error(), Errc::Exist);
  ASSERT_TRUE(write_file(fs, "/f", "cd", WriteMode::Append));
  EXPECT_EQ(*read_file(fs, "/f"), "abcd");
  ASSERT_TRUE(write_file(fs, "/g", "new", WriteMode::Append));
  EXPECT_EQ(*read_file(fs, "/g"), "new");
  EXPECT_EQ(write_file(fs, "/", "x").error(), Errc::IsDir);
  ASSERT_TRUE(fs.mkdir(fs.root(), "dir"));
  EXPECT_EQ(write_file(fs, "/dir", "x").error(), Errc::IsDir);
  EXPECT_EQ(write_file(fs, "/f/under", "x").error(), Errc::NotDir);
}

TEST_F(TreeOpsTest, PathsCannotEscapeTheRoot) {
  put("../../../etc/passwd", "inside");
  EXPECT_EQ(*read_file(fs, "/etc/passwd"), "inside");
  EXPECT_EQ(read_file(fs, std::string("/etc\0/passwd", 12)).error(), Errc::Inval);
}

TEST_F(TreeOpsTest, FailedWriteFileChangesNothing) {
  Limits limits;
  limits.max_inodes = 4;
  limits.max_total_bytes = 10;
  Vfs small(limits);
  ASSERT_TRUE(write_file(small, "/f", "12345"));
  const Sha256Digest before = small.digest();
  const Usage usage = small.usage();
  // Needs 3 inodes (2 dirs + file) but only 2 are left: no directory may remain.
  EXPECT_EQ(write_file(small, "/a/b/c", "x").error(), Errc::DQuot);
  EXPECT_EQ(write_file(small, "/g", "123456").error(), Errc::NoSpc);
  EXPECT_EQ(write_file(small, "/f", "123456", WriteMode::Append).error(), Errc::NoSpc);
  EXPECT_EQ(small.digest(), before);
  EXPECT_EQ(small.usage(), usage);
  EXPECT_EQ(*read_file(small, "/f"), "12345");
  ASSERT_TRUE(write_file(small, "/f", "1234567890"));  // replacing needs only the difference
}

TEST_F(TreeOpsTest, MakeDirsIsIdempotentAndRejectsFiles) {
  ASSERT_TRUE(make_dirs(fs, "/p/q/r"));
  ASSERT_TRUE(make_dirs(fs, "/p/q"));
  put("/p/file", "");
  EXPECT_EQ(make_dirs(fs, "/p/file/x").error(), Errc::Exist);
}

TEST_F(TreeOpsTest, RemoveHandlesFilesDirsAndRoot) {
  put("/d/e/f", "1");
  put("/d/g", "2");
  ASSERT_TRUE(fs.symlink("/d", fs.root(), "link"));
  EXPECT_EQ(remove(fs, "/d").error(), Errc::NotEmpty);
  ASSERT_TRUE(remove(fs, "/link"));  // the link, not its target
  EXPECT_TRUE(fs.lookup(fs.root(), "d/g"));
  ASSERT_TRUE(remove(fs, "/d", Recursive::Yes));
  EXPECT_EQ(fs.usage(), (Usage{0, 1}));
  put("/x", "x");
  EXPECT_EQ(remove(fs, "/").error(), Errc::Busy);
  ASSERT_TRUE(remove(fs, "/", Recursive::Yes));
  EXPECT_EQ(fs.usage(), (Usage{0, 1}));
  EXPECT_EQ(remove(fs, "/missing").error(), Errc::NoEnt);
}

TEST_F(TreeOpsTest, ListTreeReportsSortedPathsWithSizes) {
  put("/b/two", "22");
  put("/a", "1");
  ASSERT_TRUE(fs.symlink("b", fs.root(), "c"));
  auto all = list_tree(fs, "/");
  ASSERT_TRUE(all);
  EXPECT_EQ(*all, (std::vector<TreeEntry>{{"/a", FileType::Regular, 1},
                                          {"/b", FileType::Directory, 0},
                                          {"/b/two", FileType::Regular, 2},
                                          {"/c", FileType::Symlink, 1}}));
  auto top = list_tree(fs, "/", Recursive::No);
  EXPECT_EQ(top->size(), 3u);
  auto one = list_tree(fs, "/b/two");
  EXPECT_EQ(*one, (std::vector<TreeEntry>{{"/b/two", FileType::Regular, 2}}));
  EXPECT_EQ(list_tree(fs, "/nope").error(), Errc::NoEnt);
}

TEST_F(TreeOpsTest, ListTreeTerminatesOnSymlinkCycles) {
  ASSERT_TRUE(fs.mkdir(fs.root(), "d"));
  ASSERT_TRUE(fs.symlink("/d", fs.root(), "d/loop"));
  auto all = list_tree(fs, "/");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 2u);
}

TEST_F(TreeOpsTest, GlobFindsMatchingPaths) {
  put("/src/main.c", "");
  put("/src/util.c", "");
  put("/src/util.h", "");
  put("/src/sub/deep.c", "");
  put("/readme", "");
  EXPECT_EQ(*glob(fs, "/src/*.c"), (std::vector<std::string>{"/src/main.c", "/src/util.c"}));
  EXPECT_EQ(*glob(fs, "**/*.c"), (std::vector<std::string>{"/src/main.c", "/src/sub/deep.c", "/src/util.c"}));
  EXPECT_EQ(*glob(fs, "/readme"), (std::vector<std::string>{"/readme"}));
  EXPECT_TRUE(glob(fs, "/nothing/*")->empty());
  EXPECT_EQ(*glob(fs, "/src/util.[ch]"), (std::vector<std::string>{"/src/util.c", "/src/util.h"}));
}

TEST_F(TreeOpsTest, GrepFindsLiteralLines) {
  put("/a.txt", "hello world\nsecond line\nHELLO again");
  put("/b.md", "nothing here\nhello from b");
  put("/c.txt", "hello c");
  auto m = grep(fs, "hello");
  ASSERT_TRUE(m);
  EXPECT_EQ(*m, (std::vector<GrepMatch>{
                    {"/a.txt", 1, "hello world"}, {"/b.md", 2, "hello from b"}, {"/c.txt", 1, "hello c"}}));
  GrepOptions opts;
  opts.ignore_case = true;
  opts.path_glob = "/*.txt";
  auto ci = grep(fs, "hello", opts);
  EXPECT_EQ(ci->size(), 3u);
  EXPECT_EQ((*ci)[1], (GrepMatch{"/a.txt", 3, "HELLO again"}));
  opts.max_matches = 1;
  EXPECT_EQ(grep(fs, "hello", opts)->size(), 1u);
  EXPECT_EQ(grep(fs, "").error(), Errc::Inval);
  EXPECT_EQ(grep(fs, "[.*")->size(), 0u);  // literal, not a regex
}

}  // namespace
}  // namespace wg::vfs
