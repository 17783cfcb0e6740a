#include "vfs/vfs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "vfs/serialize.h"

namespace wg::vfs {
namespace {

class VfsTest : public ::testing::Test {
 protected:
  ManualClock clock{1000};
  Vfs fs{Limits{}, &clock};
  Ino root = fs.root();

  Ino make_file(std::string_view path, std::string_view content = "") {
    auto ino = fs.open(root, path, OpenFlags::Create);
    EXPECT_TRUE(ino) << path;
    if (!content.empty()) {
      EXPECT_TRUE(fs.pwrite(*ino, 0, content));
    }
    EXPECT_TRUE(fs.close(*ino));
    return *ino;
  }
  std::string contents(std::string_view path) {
    auto ino = fs.lookup(root, path);
    if (!ino) return "ERR:" + std::string(errno_name(ino.error()));
    auto data = fs.read_all(*ino);
    return data ? *data : "ERR:" + std::string(errno_name(data.error()));
  }
  Errc err(const Expected<void>& r) { return r ? Errc::Perm : r.error(); }
  template <class T>
  Errc err(const Expected<T>& r) {
    EXPECT_FALSE(r.has_value());
    return r ? Errc::Perm : r.error();
  }
};

TEST_F(VfsTest, RootIsAnEmptyDirectory) {
  auto st = fs.stat(root);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->type, FileType::Directory);
  EXPECT_EQ(st->ino, kRootIno);
  EXPECT_EQ(st->nlink, 2u);
  EXPECT_EQ(fs.usage().inodes, 1u);
  EXPECT_EQ(fs.usage().bytes, 0u);
}

TEST_F(VfsTest, WritesAndReadsAtOffsets) {
  auto ino = fs.open(root, "f", OpenFlags::Create);
  ASSERT_TRUE(ino);
  EXPECT_EQ(*fs.pwrite(*ino, 0, "hello"), 5u);
  EXPECT_EQ(*fs.pwrite(*ino, 8, "xy"), 2u);  // gap is zero-filled
  std::string expected("hello\0\0\0xy", 10);
  EXPECT_EQ(*fs.read_all(*ino), expected);
  std::uint8_t buf[4];
  EXPECT_EQ(*fs.pread(*ino, 1, buf), 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 4), "ello");
  EXPECT_EQ(*fs.pread(*ino, 9, buf), 1u);
  EXPECT_EQ(*fs.pread(*ino, 100, buf), 0u);
  EXPECT_EQ(fs.stat(*ino)->size, 10u);
  EXPECT_EQ(fs.usage().bytes, 10u);
  EXPECT_TRUE(fs.close(*ino));
}

TEST_F(VfsTest, TruncateAndAllocateChangeSize) {
  Ino f = make_file("f", "abcdef");
  ASSERT_TRUE(fs.truncate(f, 3));
  EXPECT_EQ(contents("f"), "abc");
  ASSERT_TRUE(fs.truncate(f, 5));
  EXPECT_EQ(contents("f"), std::string("abc\0\0", 5));
  ASSERT_TRUE(fs.allocate(f, 2, 10));
  EXPECT_EQ(fs.stat(f)->size, 12u);
  ASSERT_TRUE(fs.allocate(f, 0, 1));  // never shrinks
  EXPECT_EQ(fs.stat(f)->size, 12u);
  EXPECT_EQ(fs.usage().bytes, 12u);
  EXPECT_EQ(err(fs.allocate(f, ~0ull, 2)), Errc::Overflow);
}

TEST_F(VfsTest, OpenFlagsFollowPosix) {
  make_file("f", "data");
  ASSERT_TRUE(fs.mkdir(root, "d"));
  EXPECT_EQ(err(fs.open(root, "missing", OpenFlags::None)), Errc::NoEnt);
  EXPECT_EQ(err(fs.open(root, "f", OpenFlags::Create | OpenFlags::Excl)), Errc::Exist);
  EXPECT_EQ(err(fs.open(root, "f", OpenFlags::Directory)), Errc::NotDir);
  EXPECT_EQ(err(fs.open(root, "d", OpenFlags::Trunc)), Errc::IsDir);
  EXPECT_EQ(err(fs.open(root, "d", OpenFlags::Create)), Errc::IsDir);
  EXPECT_EQ(err(fs.open(root, "new", OpenFlags::Create | OpenFlags::Directory)), Errc::Inval);
  EXPECT_EQ(err(fs.open(root, "new/", OpenFlags::Create)), Errc::IsDir);
  EXPECT_EQ(err(fs.open(root, "f/", OpenFlags::None)), Errc::NotDir);
  auto d = fs.open(root, "d", OpenFlags::Directory);
  ASSERT_TRUE(d);
  EXPECT_TRUE(fs.close(*d));
  auto t = fs.open(root, "f", OpenFlags::Trunc);
  ASSERT_TRUE(t);
  EXPECT_EQ(fs.stat(*t)->size, 0u);
  EXPECT_TRUE(fs.close(*t));
  EXPECT_EQ(fs.usage().bytes, 0u);
}

TEST_F(VfsTest, ClosingAnUnknownHandleIsBadF) {
  EXPECT_EQ(err(fs.close(Ino{42})), Errc::BadF);
  EXPECT_EQ(err(fs.stat(Ino{42})), Errc::BadF);
  EXPECT_EQ(err(fs.retain(Ino{0})), Errc::BadF);
  Ino f = make_file("f");
  EXPECT_EQ(err(fs.close(f)), Errc::BadF);  // already closed by make_file
}

TEST_F(VfsTest, OpenFileKeepsWorkingAfterUnlink) {
  auto ino = fs.open(root, "f", OpenFlags::Create);
  ASSERT_TRUE(ino);
  ASSERT_TRUE(fs.pwrite(*ino, 0, "keep"));
  ASSERT_TRUE(fs.unlink(root, "f"));
  EXPECT_EQ(err(fs.lookup(root, "f")), Errc::NoEnt);
  EXPECT_EQ(fs.stat(*ino)->nlink, 0u);
  ASSERT_TRUE(fs.pwrite(*ino, 4, "!"));
  EXPECT_EQ(*fs.read_all(*ino), "keep!");
  EXPECT_EQ(fs.usage().inodes, 2u);  // still counted while open
  EXPECT_EQ(fs.usage().bytes, 5u);
  ASSERT_TRUE(fs.close(*ino));
  EXPECT_EQ(fs.usage().inodes, 1u);
  EXPECT_EQ(fs.usage().bytes, 0u);
  EXPECT_EQ(err(fs.stat(*ino)), Errc::BadF);
}

TEST_F(VfsTest, RetainedHandlesNeedMatchingCloses) {
  auto ino = fs.open(root, "f", OpenFlags::Create);
  ASSERT_TRUE(fs.retain(*ino));
  ASSERT_TRUE(fs.unlink(root, "f"));
  ASSERT_TRUE(fs.close(*ino));
  EXPECT_TRUE(fs.stat(*ino));  // one handle left
  ASSERT_TRUE(fs.close(*ino));
  EXPECT_EQ(err(fs.stat(*ino)), Errc::BadF);
}

TEST_F(VfsTest, InodeNumbersAreReusedLowestFirst) {
  Ino a = make_file("a");
  Ino b = make_file("b");
  Ino c = make_file("c");
  EXPECT_EQ(a.value, 2u);
  EXPECT_EQ(b.value, 3u);
  EXPECT_EQ(c.value, 4u);
  ASSERT_TRUE(fs.unlink(root, "c"));
  ASSERT_TRUE(fs.unlink(root, "a"));
  EXPECT_EQ(make_file("x").value, 2u);
  EXPECT_EQ(make_file("y").value, 4u);
}

TEST_F(VfsTest, MkdirAndRmdirErrors) {
  ASSERT_TRUE(fs.mkdir(root, "d"));
  make_file("d/f");
  make_file("g");
  EXPECT_EQ(err(fs.mkdir(root, "d")), Errc::Exist);
  EXPECT_EQ(err(fs.mkdir(root, "/")), Errc::Exist);
  EXPECT_EQ(err(fs.mkdir(root, "missing/x")), Errc::NoEnt);
  EXPECT_EQ(err(fs.mkdir(root, "g/x")), Errc::NotDir);
  EXPECT_EQ(err(fs.rmdir(root, "d")), Errc::NotEmpty);
  EXPECT_EQ(err(fs.rmdir(root, "g")), Errc::NotDir);
  EXPECT_EQ(err(fs.rmdir(root, "/")), Errc::Busy);
  EXPECT_EQ(err(fs.rmdir(root, "..")), Errc::Busy);  // ".." of the root is the root
  ASSERT_TRUE(fs.mkdir(root, "d/e"));
  EXPECT_EQ(err(fs.rmdir(root, "d/e/..")), Errc::NotEmpty);  // names d
  EXPECT_EQ(err(fs.rmdir(root, "d/..")), Errc::Busy);        // names the root
  ASSERT_TRUE(fs.rmdir(root, "d/e"));
  EXPECT_EQ(err(fs.rmdir(root, "missing")), Errc::NoEnt);
  auto d = fs.lookup(root, "d");
  EXPECT_EQ(err(fs.rmdir(*d, ".")), Errc::Inval);
  ASSERT_TRUE(fs.unlink(root, "d/f"));
  ASSERT_TRUE(fs.rmdir(root, "d/"));
  EXPECT_EQ(err(fs.lookup(root, "d")), Errc::NoEnt);
}

TEST_F(VfsTest, UnlinkErrors) {
  ASSERT_TRUE(fs.mkdir(root, "d"));
  make_file("f");
  EXPECT_EQ(err(fs.unlink(root, "d")), Errc::IsDir);
  EXPECT_EQ(err(fs.unlink(root, "f/")), Errc::NotDir);
  EXPECT_EQ(err(fs.unlink(root, "nope")), Errc::NoEnt);
  EXPECT_EQ(err(fs.unlink(root, "/")), Errc::IsDir);
  EXPECT_EQ(err(fs.unlink(root, std::string("f\0", 2))), Errc::Inval);
}

TEST_F(VfsTest, DirectoryLinkCountsTrackSubdirectories) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  ASSERT_TRUE(fs.mkdir(root, "a/b"));
  ASSERT_TRUE(fs.mkdir(root, "a/c"));
  make_file("a/f");
  EXPECT_EQ(fs.stat_at(root, "a")->nlink, 4u);
  EXPECT_EQ(fs.stat(root)->nlink, 3u);
  ASSERT_TRUE(fs.rmdir(root, "a/b"));
  EXPECT_EQ(fs.stat_at(root, "a")->nlink, 3u);
}

TEST_F(VfsTest, WritingADirectoryOrSymlinkFails) {
  auto d = fs.mkdir(root, "d");
  auto l = fs.symlink("d", root, "l");
  EXPECT_EQ(err(fs.pwrite(*d, 0, "x")), Errc::IsDir);
  EXPECT_EQ(err(fs.truncate(*d, 0)), Errc::IsDir);
  std::uint8_t buf[1];
  EXPECT_EQ(err(fs.pread(*d, 0, buf)), Errc::IsDir);
  EXPECT_EQ(err(fs.pwrite(*l, 0, "x")), Errc::Inval);
  EXPECT_EQ(err(fs.read_all(*l)), Errc::Inval);
}

// ---- rename ------------------------------------------------------------------

TEST_F(VfsTest, RenameMovesFilesAndReplacesFiles) {
  make_file("a", "A");
  make_file("b", "B");
  ASSERT_TRUE(fs.mkdir(root, "d"));
  ASSERT_TRUE(fs.rename(root, "a", root, "d/a2"));
  EXPECT_EQ(contents("d/a2"), "A");
  EXPECT_EQ(err(fs.lookup(root, "a")), Errc::NoEnt);
  ASSERT_TRUE(fs.rename(root, "b", root, "d/a2"));
  EXPECT_EQ(contents("d/a2"), "B");
  EXPECT_EQ(fs.usage().inodes, 3u);  // root, d, the file
  EXPECT_EQ(fs.usage().bytes, 1u);
}

TEST_F(VfsTest, RenameFollowsPosixReplaceRules) {
  ASSERT_TRUE(fs.mkdir(root, "src"));
  make_file("src/x");
  ASSERT_TRUE(fs.mkdir(root, "empty"));
  ASSERT_TRUE(fs.mkdir(root, "full"));
  make_file("full/y");
  make_file("file");
  EXPECT_EQ(err(fs.rename(root, "src", root, "full")), Errc::NotEmpty);
  EXPECT_EQ(err(fs.rename(root, "src", root, "file")), Errc::NotDir);
  EXPECT_EQ(err(fs.rename(root, "file", root, "empty")), Errc::IsDir);
  EXPECT_EQ(err(fs.rename(root, "src", root, "src/sub")), Errc::Inval);
  EXPECT_TRUE(fs.rename(root, "src", root, "src"));  // same entry: nothing to do
  EXPECT_EQ(err(fs.rename(root, "/", root, "x")), Errc::Busy);
  EXPECT_EQ(err(fs.rename(root, "missing", root, "x")), Errc::NoEnt);
  EXPECT_EQ(err(fs.rename(root, "file", root, "nodir/x")), Errc::NoEnt);
  EXPECT_EQ(err(fs.rename(root, "file", root, "file2/")), Errc::NotDir);
  ASSERT_TRUE(fs.rename(root, "src", root, "empty"));  // dir over empty dir
  EXPECT_TRUE(fs.lookup(root, "empty/x"));
  EXPECT_EQ(err(fs.lookup(root, "src")), Errc::NoEnt);
  EXPECT_EQ(fs.usage().inodes, 6u);  // root, empty(+x), full(+y), file
}

TEST_F(VfsTest, RenameIntoDeepSubtreeIsInval) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  ASSERT_TRUE(fs.mkdir(root, "a/b"));
  ASSERT_TRUE(fs.mkdir(root, "a/b/c"));
  EXPECT_EQ(err(fs.rename(root, "a", root, "a/b/c/d")), Errc::Inval);
  ASSERT_TRUE(fs.rename(root, "a/b/c", root, "c"));  // moving up is fine
  EXPECT_EQ(*fs.path_of(*fs.lookup(root, "c")), "/c");
}

TEST_F(VfsTest, RenameKeepsOpenReplacedFileAlive) {
  make_file("a", "new");
  auto old = fs.open(root, "b", OpenFlags::Create);
  ASSERT_TRUE(fs.pwrite(*old, 0, "old"));
  ASSERT_TRUE(fs.rename(root, "a", root, "b"));
  EXPECT_EQ(contents("b"), "new");
  EXPECT_EQ(*fs.read_all(*old), "old");
  ASSERT_TRUE(fs.close(*old));
  EXPECT_EQ(fs.usage().inodes, 2u);
}

TEST_F(VfsTest, RenameUpdatesPathOfMovedSubtree) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  Ino f = make_file("a/f");
  ASSERT_TRUE(fs.mkdir(root, "b"));
  ASSERT_TRUE(fs.rename(root, "a", root, "b/a"));
  EXPECT_EQ(*fs.path_of(f), "/b/a/f");
}

// ---- symlinks and containment -----------------------------------------------

TEST_F(VfsTest, SymlinksResolveInsideTheVfs) {
  ASSERT_TRUE(fs.mkdir(root, "etc"));
  make_file("etc/passwd", "vfs passwd");
  ASSERT_TRUE(fs.mkdir(root, "home"));
  ASSERT_TRUE(fs.symlink("/etc/passwd", root, "home/abs"));
  ASSERT_TRUE(fs.symlink("../../../../../etc/passwd", root, "home/rel"));
  EXPECT_EQ(contents("home/abs"), "vfs passwd");
  EXPECT_EQ(contents("home/rel"), "vfs passwd");
  EXPECT_EQ(*fs.readlink(root, "home/abs"), "/etc/passwd");
  EXPECT_EQ(err(fs.readlink(root, "etc/passwd")), Errc::Inval);
}

TEST_F(VfsTest, DotDotChainsNeverLeaveTheRoot) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  auto a = fs.lookup(root, "a");
  EXPECT_EQ(*fs.lookup(*a, "../../../.."), kRootIno);
  EXPECT_EQ(*fs.lookup(*a, "/.."), kRootIno);
  EXPECT_EQ(*fs.lookup(*a, "../a/../../a"), *a);
  ASSERT_TRUE(fs.symlink("/..", root, "up"));
  EXPECT_EQ(*fs.lookup(root, "up"), kRootIno);
  EXPECT_EQ(*fs.lookup(root, "up/up/up/a"), *a);
}

TEST_F(VfsTest, DotDotIsResolvedPhysicallyAfterSymlinks) {
  ASSERT_TRUE(fs.mkdir(root, "x"));
  ASSERT_TRUE(fs.mkdir(root, "x/y"));
  make_file("x/target", "physical");
  ASSERT_TRUE(fs.mkdir(root, "a"));
  ASSERT_TRUE(fs.symlink("/x/y", root, "a/link"));
  EXPECT_EQ(contents("a/link/../target"), "physical");
}

TEST_F(VfsTest, SymlinkLoopsAreLoop) {
  ASSERT_TRUE(fs.symlink("b", root, "a"));
  ASSERT_TRUE(fs.symlink("a", root, "b"));
  ASSERT_TRUE(fs.symlink("self/x", root, "self"));
  EXPECT_EQ(err(fs.lookup(root, "a")), Errc::Loop);
  EXPECT_EQ(err(fs.lookup(root, "self")), Errc::Loop);
  EXPECT_EQ(err(fs.open(root, "a", OpenFlags::Create)), Errc::Loop);
  // Not following the final component sees the link itself.
  EXPECT_EQ(fs.stat_at(root, "a", Follow::No)->type, FileType::Symlink);
}

TEST_F(VfsTest, SymlinkHopLimitIsConfigurable) {
  Limits limits;
  limits.max_symlink_hops = 3;
  Vfs small(limits);
  ASSERT_TRUE(small.open(small.root(), "f", OpenFlags::Create));
  ASSERT_TRUE(small.symlink("f", small.root(), "l1"));
  ASSERT_TRUE(small.symlink("l1", small.root(), "l2"));
  ASSERT_TRUE(small.symlink("l2", small.root(), "l3"));
  ASSERT_TRUE(small.symlink("l3", small.root(), "l4"));
  EXPECT_TRUE(small.lookup(small.root(), "l3"));
  EXPECT_EQ(small.lookup(small.root(), "l4").error(), Errc::Loop);
}

TEST_F(VfsTest, NoFollowAndExclDoNotFollowFinalSymlink) {
  make_file("target", "t");
  ASSERT_TRUE(fs.symlink("target", root, "link"));
  EXPECT_EQ(err(fs.open(root, "link", OpenFlags::NoFollow)), Errc::Loop);
  EXPECT_EQ(err(fs.open(root, "link", OpenFlags::Create | OpenFlags::Excl)), Errc::Exist);
  auto via = fs.open(root, "link", OpenFlags::None);
  ASSERT_TRUE(via);
  EXPECT_EQ(*fs.read_all(*via), "t");
  EXPECT_TRUE(fs.close(*via));
}

TEST_F(VfsTest, CreateThroughDanglingSymlinkCreatesTarget) {
  ASSERT_TRUE(fs.mkdir(root, "d"));
  ASSERT_TRUE(fs.symlink("/d/real", root, "dangling"));
  auto ino = fs.open(root, "dangling", OpenFlags::Create);
  ASSERT_TRUE(ino);
  EXPECT_TRUE(fs.close(*ino));
  EXPECT_EQ(*fs.lookup(root, "d/real"), *ino);
}

TEST_F(VfsTest, SymlinkCreationErrors) {
  make_file("f");
  EXPECT_EQ(err(fs.symlink("", root, "l")), Errc::NoEnt);
  EXPECT_EQ(err(fs.symlink(std::string("a\0b", 3), root, "l")), Errc::Inval);
  EXPECT_EQ(err(fs.symlink("x", root, "f")), Errc::Exist);
  EXPECT_EQ(err(fs.symlink(std::string(5000, 'a'), root, "l")), Errc::NameTooLong);
  ASSERT_TRUE(fs.symlink("f", root, "l"));
  EXPECT_EQ(fs.usage().bytes, 1u);    // targets count as bytes
  ASSERT_TRUE(fs.unlink(root, "l"));  // removes the link, not the target
  EXPECT_TRUE(fs.lookup(root, "f"));
  EXPECT_EQ(fs.usage().bytes, 0u);
}

TEST_F(VfsTest, TrailingSlashOnSymlinkToFileIsNotDir) {
  make_file("f");
  ASSERT_TRUE(fs.symlink("f", root, "l"));
  EXPECT_EQ(err(fs.lookup(root, "l/")), Errc::NotDir);
  EXPECT_EQ(err(fs.unlink(root, "l/")), Errc::NotDir);
  ASSERT_TRUE(fs.mkdir(root, "d"));
  ASSERT_TRUE(fs.symlink("d", root, "ld"));
  EXPECT_EQ(*fs.lookup(root, "ld/"), *fs.lookup(root, "d"));
}

TEST_F(VfsTest, AbsolutePathsStartAtTheVfsRoot) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  make_file("f", "top");
  auto a = fs.lookup(root, "a");
  EXPECT_EQ(*fs.lookup(*a, "/f"), *fs.lookup(root, "f"));
  EXPECT_EQ(err(fs.lookup(*a, "f")), Errc::NoEnt);
}

TEST_F(VfsTest, EmptyComponentsDotsAndTrailingSlashesAreNormalised) {
  ASSERT_TRUE(fs.mkdir(root, "a"));
  ASSERT_TRUE(fs.mkdir(root, "a/b"));
  Ino f = make_file("a/b/f", "x");
  EXPECT_EQ(*fs.lookup(root, "a//b///f"), f);
  EXPECT_EQ(*fs.lookup(root, "./a/./b/./f"), f);
  EXPECT_EQ(*fs.lookup(root, "//a/b/f"), f);
  EXPECT_EQ(*fs.lookup(root, "a/b/"), *fs.lookup(root, "a/b"));
  EXPECT_EQ(*fs.lookup(root, "a/b/."), *fs.lookup(root, "a/b"));
  EXPECT_EQ(*fs.lookup(root, "."), root);
  EXPECT_EQ(err(fs.lookup(root, "")), Errc::NoEnt);
  EXPECT_EQ(err(fs.lookup(root, std::string("a\0", 2))), Errc::Inval);
  EXPECT_EQ(err(fs.open(root, std::string("new\0", 4), OpenFlags::Create)), Errc::Inval);
  EXPECT_EQ(err(fs.mkdir(root, std::string(256, 'n'))), Errc::NameTooLong);
  EXPECT_EQ(fs.usage().inodes, 4u);
}

TEST_F(VfsTest, RelativeLookupFromAFileIsNotDir) {
  Ino f = make_file("f");
  EXPECT_EQ(err(fs.lookup(f, "x")), Errc::NotDir);
  EXPECT_EQ(err(fs.lookup(root, "f/x")), Errc::NotDir);
}

TEST_F(VfsTest, OperationsInsideRemovedDirectoryFailCleanly) {
  auto d = fs.open(root, "d", OpenFlags::Directory);
  EXPECT_EQ(err(d), Errc::NoEnt);
  ASSERT_TRUE(fs.mkdir(root, "d"));
  d = fs.open(root, "d", OpenFlags::Directory);
  ASSERT_TRUE(d);
  ASSERT_TRUE(fs.rmdir(root, "d"));
  EXPECT_EQ(fs.stat(*d)->nlink, 0u);
  EXPECT_EQ(err(fs.open(*d, "x", OpenFlags::Create)), Errc::NoEnt);
  EXPECT_EQ(err(fs.lookup(*d, "..")), Errc::NoEnt);
  auto entries = fs.readdir(*d, 0, 10);
  ASSERT_TRUE(entries);
  EXPECT_EQ(entries->size(), 2u);  // "." and ".." only
  EXPECT_TRUE(fs.close(*d));
  EXPECT_EQ(fs.usage().inodes, 1u);
}

// ---- readdir -------------------------------------------------------------------

std::vector<std::string> names_of(const std::vector<DirEntry>& entries) {
  std::vector<std::string> out;
  for (const auto& e : entries) out.push_back(e.name);
  return out;
}

TEST_F(VfsTest, ReaddirListsDotEntriesThenInsertionOrder) {
  ASSERT_TRUE(fs.mkdir(root, "d"));
  make_file("d/zeta");
  make_file("d/alpha");
  ASSERT_TRUE(fs.mkdir(root, "d/mid"));
  auto d = *fs.lookup(root, "d");
  auto all = fs.readdir(d, 0, 100);
  ASSERT_TRUE(all);
  EXPECT_EQ(names_of(*all), (std::vector<std::string>{".", "..", "zeta", "alpha", "mid"}));
  EXPECT_EQ((*all)[1].ino, kRootIno);
  EXPECT_EQ((*all)[4].type, FileType::Directory);
  EXPECT_EQ(fs.readdir(d, all->back().next, 100)->size(), 0u);
  EXPECT_EQ(err(fs.readdir(*fs.lookup(root, "d/zeta"), 0, 10)), Errc::NotDir);
}

TEST_F(VfsTest, ReaddirCookiesStayStableAcrossConcurrentChanges) {
  ASSERT_TRUE(fs.mkdir(root, "d"));
  for (int i = 0; i < 10; ++i) make_file("d/f" + std::to_string(i));
  Ino d = *fs.lookup(root, "d");
  std::vector<std::string> seen;
  std::uint64_t cookie = 0;
  int round = 0;
  for (;;) {
    auto page = fs.readdir(d, cookie, 3);
    ASSERT_TRUE(page);
    if (page->empty()) break;
    for (const auto& e : *page) seen.push_back(e.name);
    cookie = page->back().next;
    // Between pages: delete an entry already seen, one not yet seen, add one.
    if (round == 1) {
      ASSERT_TRUE(fs.unlink(d, "f0"));
      ASSERT_TRUE(fs.unlink(d, "f8"));
      make_file("d/new");
    }
    ++round;
  }
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "no entry returned twice";
  for (int i = 0; i < 10; ++i) {
    if (i == 8) continue;
    EXPECT_TRUE(unique.contains("f" + std::to_string(i))) << i;
  }
  EXPECT_FALSE(unique.contains("f8"));
  EXPECT_TRUE(unique.contains("new"));
}

// ---- timestamps -----------------------------------------------------------------

TEST_F(VfsTest, TimestampsComeFromTheClock) {
  clock.set(5000);
  Ino f = make_file("f");
  Stat st = *fs.stat(f);
  EXPECT_EQ(st.atime_ns, 5000u);
  EXPECT_EQ(st.mtime_ns, 5000u);
  EXPECT_EQ(st.ctime_ns, 5000u);
  EXPECT_EQ(fs.stat(root)->mtime_ns, 5000u);  // parent changed too

  clock.set(6000);
  ASSERT_TRUE(fs.pwrite(f, 0, "x"));
  st = *fs.stat(f);
  EXPECT_EQ(st.mtime_ns, 6000u);
  EXPECT_EQ(st.ctime_ns, 6000u);
  EXPECT_EQ(st.atime_ns, 5000u);
  EXPECT_EQ(fs.stat(root)->mtime_ns, 5000u);  // writing contents does not touch the dir

  clock.set(7000);
  std::uint8_t buf[1];
  ASSERT_TRUE(fs.pread(f, 0, buf));
  EXPECT_EQ(fs.stat(f)->atime_ns, 7000u);
  EXPECT_EQ(fs.stat(f)->mtime_ns, 6000u);

  clock.set(8000);
  ASSERT_TRUE(fs.set_times(f, TimeSpec::at(42), TimeSpec::omit()));
  st = *fs.stat(f);
  EXPECT_EQ(st.atime_ns, 42u);
  EXPECT_EQ(st.mtime_ns, 6000u);
  EXPECT_EQ(st.ctime_ns, 8000u);
  ASSERT_TRUE(fs.set_times(f, TimeSpec::omit(), TimeSpec::now()));
  EXPECT_EQ(fs.stat(f)->mtime_ns, 8000u);

  clock.set(9000);
  ASSERT_TRUE(fs.rename(root, "f", root, "g"));
  EXPECT_EQ(fs.stat(f)->ctime_ns, 9000u);
  EXPECT_EQ(fs.stat(root)->mtime_ns, 9000u);
}

TEST_F(VfsTest, FailedOperationsDoNotTouchTimestamps) {
  clock.set(100);
  Ino f = make_file("f");
  clock.set(200);
  EXPECT_FALSE(fs.mkdir(root, "f"));
  EXPECT_FALSE(fs.pwrite(f, 1ull << 40, "x"));  // over max_file_size
  EXPECT_EQ(fs.stat(root)->mtime_ns, 100u);
  EXPECT_EQ(fs.stat(f)->mtime_ns, 100u);
}

TEST_F(VfsTest, WithoutAClockTimestampsAreZero) {
  Vfs plain;
  auto ino = plain.open(plain.root(), "f", OpenFlags::Create);
  ASSERT_TRUE(ino);
  EXPECT_EQ(plain.stat(*ino)->mtime_ns, 0u);
}

TEST(VfsCreateTest, UnusableLimitsAreAnErrorNotACrash) {
  Limits bad;
  bad.max_inodes = 0;
  EXPECT_EQ(Vfs::create(bad).error().code(), ErrorCode::Invalid);
  bad = Limits{};
  bad.max_depth = kMaxDepthCap + 1;
  EXPECT_EQ(Vfs::create(bad).error().code(), ErrorCode::Invalid);
  EXPECT_FALSE(deserialize(serialize(Vfs().snapshot()), bad));
  auto good = Vfs::create(Limits{});
  ASSERT_TRUE(good);
  EXPECT_EQ(good->usage().inodes, 1u);
}

TEST_F(VfsTest, ErrorsConvertToMessagesNamingThePath) {
  Error e = to_error(Errc::NoEnt, "/a/b");
  EXPECT_EQ(e.code(), ErrorCode::NotFound);
  EXPECT_EQ(e.message(), "/a/b: no such file or directory (ENOENT)");
  EXPECT_EQ(to_error(Errc::NoSpc, "x").code(), ErrorCode::LimitExceeded);
  EXPECT_EQ(errno_name(Errc::NotEmpty), "ENOTEMPTY");
}

}  // namespace
}  // namespace wg::vfs
