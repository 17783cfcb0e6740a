#include "vfs/host_io.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "vfs/tree_ops.h"

namespace wg::vfs {
namespace {

namespace fs = std::filesystem;

class HostIoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "wg-vfs-test-XXXXXX").string();
    ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
    tmp_ = tmpl;
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(tmp_, ec);
  }
  void host_write(const fs::path& p, const std::string& content) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
  }
  std::string host_read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  fs::path tmp_;
};

TEST_F(HostIoTest, CopyInCopiesTreeAndPreservesSymlinksInside) {
  fs::path src = tmp_ / "src";
  host_write(src / "a.txt", "alpha");
  host_write(src / "sub" / "b.bin", std::string("\0\1\2", 3));
  fs::create_directories(src / "emptydir");
  host_write(tmp_ / "secret", "host secret");
  fs::create_symlink(tmp_ / "secret", src / "escape");  // points outside the copied dir
  fs::create_directory_symlink(tmp_, src / "updir");

  Vfs vfs;
  auto report = copy_in(vfs, src, "/in");
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_EQ(report->files, 2u);
  EXPECT_EQ(report->directories, 2u);
  EXPECT_EQ(report->symlinks, 2u);
  EXPECT_EQ(report->bytes, 8u);
  EXPECT_EQ(*read_file(vfs, "/in/a.txt"), "alpha");
  EXPECT_EQ(*read_file(vfs, "/in/sub/b.bin"), std::string("\0\1\2", 3));
  EXPECT_TRUE(vfs.lookup(vfs.root(), "/in/emptydir"));
  // The host symlink became a VFS symlink whose target resolves in the VFS:
  // the host's secret is not reachable.
  EXPECT_EQ(vfs.stat_at(vfs.root(), "/in/escape", Follow::No)->type, FileType::Symlink);
  EXPECT_EQ(read_file(vfs, "/in/escape").error(), Errc::NoEnt);
  EXPECT_EQ(*vfs.readlink(vfs.root(), "/in/escape"), (tmp_ / "secret").string());
}

TEST_F(HostIoTest, CopyInCanSkipSymlinksAndSpecialFiles) {
  fs::path src = tmp_ / "src";
  host_write(src / "f", "x");
  fs::create_symlink("f", src / "l");
  ASSERT_EQ(::mkfifo((src / "fifo").c_str(), 0600), 0);
  Vfs vfs;
  CopyInOptions opts;
  opts.symlinks = HostSymlinks::Skip;
  auto report = copy_in(vfs, src, "/");
  ASSERT_TRUE(report);
  EXPECT_EQ(report->skipped.size(), 1u);  // the FIFO
  Vfs vfs2;
  report = copy_in(vfs2, src, "/", opts);
  ASSERT_TRUE(report);
  EXPECT_EQ(report->skipped.size(), 2u);
  EXPECT_EQ(vfs2.lookup(vfs2.root(), "l", Follow::No).error(), Errc::NoEnt);
}

TEST_F(HostIoTest, CopyInHonoursLimits) {
  fs::path src = tmp_ / "src";
  host_write(src / "big", std::string(100, 'x'));
  Limits limits;
  limits.max_total_bytes = 50;
  Vfs vfs(limits);
  auto r = copy_in(vfs, src, "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::LimitExceeded);
  EXPECT_NE(r.error().message().find("/big"), std::string::npos);
  Vfs roomy;
  CopyInOptions opts;
  opts.max_bytes = 10;
  EXPECT_EQ(copy_in(roomy, src, "/", opts).error().code(), ErrorCode::LimitExceeded);
  opts.max_bytes = 1000;
  opts.max_entries = 0;
  EXPECT_EQ(copy_in(roomy, src, "/", opts).error().code(), ErrorCode::LimitExceeded);
}

TEST_F(HostIoTest, CopyInOfMissingHostDirIsIo) {
  Vfs vfs;
  auto r = copy_in(vfs, tmp_ / "does-not-exist", "/");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
}

TEST_F(HostIoTest, CopyOutWritesTreeAndRoundTrips) {
  Vfs vfs;
  ASSERT_TRUE(write_file(vfs, "/p/a.txt", "A"));
  ASSERT_TRUE(write_file(vfs, "/p/q/b.txt", "BB"));
  ASSERT_TRUE(vfs.mkdir(vfs.root(), "p/empty"));
  ASSERT_TRUE(vfs.symlink("/etc/passwd", vfs.root(), "p/link"));
  auto report = copy_out(vfs.snapshot(), "/p", tmp_ / "out");
  ASSERT_TRUE(report) << report.error().to_string();
  EXPECT_EQ(report->files, 2u);
  EXPECT_EQ(report->skipped, (std::vector<std::string>{"/p/link"}));
  EXPECT_EQ(host_read(tmp_ / "out" / "a.txt"), "A");
  EXPECT_EQ(host_read(tmp_ / "out" / "q" / "b.txt"), "BB");
  EXPECT_TRUE(fs::is_directory(tmp_ / "out" / "empty"));
  EXPECT_FALSE(fs::exists(fs::symlink_status(tmp_ / "out" / "link")));

  Vfs back;
  ASSERT_TRUE(copy_in(back, tmp_ / "out", "/p"));
  Vfs expected;
  ASSERT_TRUE(write_file(expected, "/p/a.txt", "A"));
  ASSERT_TRUE(write_file(expected, "/p/q/b.txt", "BB"));
  ASSERT_TRUE(expected.mkdir(expected.root(), "p/empty"));
  EXPECT_EQ(back.digest(), expected.digest());
}

TEST_F(HostIoTest, CopyOutRefusesToOverwriteOrFollowHostSymlinks) {
  Vfs vfs;
  ASSERT_TRUE(write_file(vfs, "/a.txt", "new"));
  ASSERT_TRUE(write_file(vfs, "/d/x", "x"));
  fs::path out = tmp_ / "out";
  host_write(out / "a.txt", "old");
  auto r = copy_out(vfs.snapshot(), "/", out);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_EQ(host_read(out / "a.txt"), "old");

  CopyOutOptions opts;
  opts.overwrite = HostOverwrite::Yes;
  // A host symlink where the VFS has a directory must not be followed out.
  fs::create_directories(tmp_ / "elsewhere");
  fs::create_directory_symlink(tmp_ / "elsewhere", out / "d");
  r = copy_out(vfs.snapshot(), "/", out, opts);
  ASSERT_FALSE(r);
  EXPECT_FALSE(fs::exists(tmp_ / "elsewhere" / "x"));
  fs::remove(out / "d");
  ASSERT_TRUE(copy_out(vfs.snapshot(), "/", out, opts));
  EXPECT_EQ(host_read(out / "a.txt"), "new");
  EXPECT_EQ(host_read(out / "d" / "x"), "x");
}

TEST_F(HostIoTest, CopyOutCanRecreateSymlinks) {
  Vfs vfs;
  ASSERT_TRUE(vfs.symlink("target", vfs.root(), "l"));
  CopyOutOptions opts;
  opts.symlinks = HostSymlinks::Preserve;
  ASSERT_TRUE(copy_out(vfs.snapshot(), "/", tmp_ / "out", opts));
  EXPECT_EQ(fs::read_symlink(tmp_ / "out" / "l"), "target");
}

}  // namespace
}  // namespace wg::vfs
