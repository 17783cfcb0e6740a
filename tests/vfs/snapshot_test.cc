#include "vfs/snapshot.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <thread>

#include "vfs/tree_ops.h"
#include "vfs/vfs.h"

namespace wg::vfs {
namespace {

void put(Vfs& fs, std::string_view path, std::string_view content) {
  ASSERT_TRUE(write_file(fs, path, content)) << path;
}

std::string snap_contents(const Snapshot& s, std::string_view path) {
  auto ino = s.lookup(path);
  if (!ino) return "ERR:" + std::string(errno_name(ino.error()));
  return std::string(*s.contents(*ino));
}

TEST(SnapshotTest, LaterChangesDoNotLeakIntoSnapshot) {
  Vfs fs;
  put(fs, "/a/f", "original");
  put(fs, "/b", "keep");
  Snapshot snap = fs.snapshot();
  const Sha256Digest at_snapshot = snap.digest();
  put(fs, "/a/f", "changed");
  put(fs, "/new", "n");
  ASSERT_TRUE(remove(fs, "/b"));
  ASSERT_TRUE(fs.rename(fs.root(), "a", fs.root(), "z"));
  EXPECT_EQ(snap_contents(snap, "/a/f"), "original");
  EXPECT_EQ(snap_contents(snap, "/b"), "keep");
  EXPECT_EQ(snap.lookup("/new").error(), Errc::NoEnt);
  EXPECT_EQ(snap.digest(), at_snapshot);
  EXPECT_NE(fs.digest(), at_snapshot);
}

TEST(SnapshotTest, ForksAreIsolatedBothWays) {
  Vfs parent;
  put(parent, "/shared/big", std::string(10000, 'x'));
  put(parent, "/shared/small", "s");
  Vfs child = parent.fork();
  EXPECT_EQ(child.digest(), parent.digest());
  put(child, "/shared/small", "child");
  put(parent, "/shared/big", "parent");
  put(child, "/only-child", "c");
  ASSERT_TRUE(parent.mkdir(parent.root(), "only-parent"));
  EXPECT_EQ(*read_file(parent, "/shared/small"), "s");
  EXPECT_EQ(*read_file(child, "/shared/small"), "child");
  EXPECT_EQ(*read_file(child, "/shared/big"), std::string(10000, 'x'));
  EXPECT_EQ(*read_file(parent, "/shared/big"), "parent");
  EXPECT_FALSE(parent.lookup(parent.root(), "only-child"));
  EXPECT_FALSE(child.lookup(child.root(), "only-parent"));
  EXPECT_EQ(parent.digest(), parent.digest_from_scratch());
  EXPECT_EQ(child.digest(), child.digest_from_scratch());
}

TEST(SnapshotTest, InPlaceWritesAfterForkDoNotLeak) {
  Vfs parent;
  put(parent, "/f", "aaaa");
  Vfs child = parent.fork();
  auto f = child.open(child.root(), "f", OpenFlags::None);
  ASSERT_TRUE(child.pwrite(*f, 1, "B"));
  ASSERT_TRUE(child.truncate(*f, 3));
  ASSERT_TRUE(child.close(*f));
  EXPECT_EQ(*read_file(child, "/f"), "aBa");
  EXPECT_EQ(*read_file(parent, "/f"), "aaaa");
  EXPECT_EQ(parent.usage().bytes, 4u);
  EXPECT_EQ(child.usage().bytes, 3u);
}

TEST(SnapshotTest, ForkKeepsInodeNumbersAndDropsOpenUnlinkedFiles) {
  Vfs fs;
  put(fs, "/a", "1");
  auto tmp = fs.open(fs.root(), "tmp", OpenFlags::Create);
  ASSERT_TRUE(fs.pwrite(*tmp, 0, "12345"));
  ASSERT_TRUE(fs.unlink(fs.root(), "tmp"));
  Vfs fork = fs.fork();
  EXPECT_EQ(*fork.lookup(fork.root(), "a"), *fs.lookup(fs.root(), "a"));
  EXPECT_EQ(fork.usage(), (Usage{1, 2}));
  EXPECT_EQ(fs.usage(), (Usage{6, 3}));
  EXPECT_EQ(fork.stat(*tmp).error(), Errc::BadF);
  EXPECT_EQ(fork.close(*tmp).error(), Errc::BadF);
  ASSERT_TRUE(fs.close(*tmp));
}

TEST(SnapshotTest, ForksSharingNodesCanBeUsedOnDifferentThreads) {
  Vfs parent;
  for (int i = 0; i < 50; ++i) put(parent, "/d" + std::to_string(i % 5) + "/f" + std::to_string(i), "v");
  Snapshot base = parent.snapshot();
  Vfs a = Vfs::from_snapshot(base);
  Vfs b = Vfs::from_snapshot(base);
  auto work = [&base](Vfs& fs, const std::string& tag) {
    for (int i = 0; i < 50; ++i) {
      (void)write_file(fs, "/d" + std::to_string(i % 5) + "/f" + std::to_string(i), tag);
      (void)fs.digest();
      (void)base.digest();
      (void)diff(base, fs.snapshot());
    }
  };
  std::thread ta(work, std::ref(a), "a");
  std::thread tb(work, std::ref(b), "b");
  ta.join();
  tb.join();
  EXPECT_EQ(*read_file(a, "/d0/f0"), "a");
  EXPECT_EQ(*read_file(b, "/d0/f0"), "b");
  EXPECT_EQ(std::string(*base.contents(*base.lookup("/d0/f0"))), "v");
  EXPECT_EQ(diff(base, a.snapshot()).size(), 50u);
}

TEST(SnapshotTest, ForkKeepsTheClock) {
  ManualClock clock(10);
  Vfs fs(Limits{}, &clock);
  Vfs child = fs.fork();
  clock.set(20);
  put(child, "/f", "x");
  EXPECT_EQ(child.stat_at(child.root(), "/f")->mtime_ns, 20u);
  EXPECT_EQ(fs.stat(fs.root())->mtime_ns, 10u);
}

TEST(SnapshotTest, ForkOfAForkStaysIndependent) {
  Vfs a;
  put(a, "/f", "a");
  Vfs b = a.fork();
  put(b, "/f", "b");
  Vfs c = b.fork();
  put(c, "/f", "c");
  EXPECT_EQ(*read_file(a, "/f"), "a");
  EXPECT_EQ(*read_file(b, "/f"), "b");
  EXPECT_EQ(*read_file(c, "/f"), "c");
}

std::vector<std::string> render(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(std::string(to_string(c.kind)) + " " + c.path);
  return out;
}

TEST(SnapshotTest, DiffListsAddedModifiedRemoved) {
  Vfs fs;
  put(fs, "/keep", "k");
  put(fs, "/mod", "1");
  put(fs, "/gone", "g");
  put(fs, "/dir/old/x", "x");
  put(fs, "/dir/same", "s");
  Snapshot before = fs.snapshot();
  put(fs, "/mod", "2");
  ASSERT_TRUE(remove(fs, "/gone"));
  ASSERT_TRUE(remove(fs, "/dir/old", Recursive::Yes));
  put(fs, "/dir/new/y", "y");
  put(fs, "/added", "a");
  auto changes = diff(before, fs.snapshot());
  EXPECT_EQ(render(changes), (std::vector<std::string>{
                                 "added /added",
                                 "added /dir/new",
                                 "added /dir/new/y",
                                 "removed /dir/old",
                                 "removed /dir/old/x",
                                 "removed /gone",
                                 "modified /mod",
                             }));
  EXPECT_EQ(changes[1].type, FileType::Directory);
}

TEST(SnapshotTest, DiffOfIdenticalTreesIsEmpty) {
  Vfs fs;
  put(fs, "/a/b", "c");
  Snapshot s1 = fs.snapshot();
  put(fs, "/a/b", "changed");
  put(fs, "/a/b", "c");  // back to the same content
  EXPECT_TRUE(diff(s1, fs.snapshot()).empty());
}

TEST(SnapshotTest, DiffReportsTypeChangesAsRemoveAndAdd) {
  Vfs fs;
  put(fs, "/p/inner", "i");
  put(fs, "/q", "file");
  Snapshot before = fs.snapshot();
  ASSERT_TRUE(remove(fs, "/p", Recursive::Yes));
  put(fs, "/p", "now a file");
  ASSERT_TRUE(remove(fs, "/q"));
  ASSERT_TRUE(fs.symlink("p", fs.root(), "q"));
  EXPECT_EQ(render(diff(before, fs.snapshot())), (std::vector<std::string>{
                                                     "removed /p",
                                                     "added /p",
                                                     "removed /p/inner",
                                                     "modified /q",
                                                 }));
}

TEST(SnapshotTest, SnapshotReadsChildrenAndNodeDigests) {
  Vfs fs;
  put(fs, "/d/b", "2");
  put(fs, "/d/a", "1");
  Snapshot s = fs.snapshot();
  auto kids = s.children(*s.lookup("/d"));
  ASSERT_TRUE(kids);
  ASSERT_EQ(kids->size(), 2u);
  EXPECT_EQ((*kids)[0].first, "a");
  EXPECT_EQ(s.children(*s.lookup("/d/a")).error(), Errc::NotDir);
  EXPECT_NE(*s.node_digest(*s.lookup("/d/a")), *s.node_digest(*s.lookup("/d/b")));
  EXPECT_EQ(s.contents(*s.lookup("/d")).error(), Errc::IsDir);
}

}  // namespace
}  // namespace wg::vfs
