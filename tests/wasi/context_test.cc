// WasiContext without the engine: path resolution inside a descriptor, the
// fd table, the standard streams, the clock and the random source.
#include "wasi/context.h"

#include <gtest/gtest.h>

namespace wg::wasi {
namespace {

class ContextTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(vfs_.mkdir(vfs_.root(), "/sandbox"));
    ASSERT_TRUE(vfs_.mkdir(vfs_.root(), "/sandbox/sub"));
    ASSERT_TRUE(vfs_.mkdir(vfs_.root(), "/secret"));
    auto f = vfs_.open(vfs_.root(), "/sandbox/file.txt", vfs::OpenFlags::Create);
    ASSERT_TRUE(f);
    ASSERT_TRUE(vfs_.close(*f));
    config_.preopens = {{"/sandbox", "/sandbox"}};
  }
  std::unique_ptr<WasiContext> make() {
    auto ctx = WasiContext::create(vfs_, config_);
    EXPECT_TRUE(ctx) << ctx.error().to_string();
    return std::move(*ctx);
  }
  vfs::Ino sandbox() { return *vfs_.lookup(vfs_.root(), "/sandbox"); }

  vfs::Vfs vfs_;
  WasiConfig config_;
};

TEST_F(ContextTest, PreopensBecomeFdThreeWithTheirGuestName) {
  auto ctx = make();
  FdEntry* e = ctx->find(Fd{3});
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, FdKind::Directory);
  EXPECT_EQ(e->preopen_name, "/sandbox");
  EXPECT_EQ(ctx->find(Fd{4}), nullptr);
}

TEST_F(ContextTest, MissingPreopenIsAnError) {
  config_.preopens.push_back({"/nope", "/nope"});
  EXPECT_FALSE(WasiContext::create(vfs_, config_));
}

TEST_F(ContextTest, DotDotAboveTheDescriptorIsNotCapable) {
  auto ctx = make();
  EXPECT_EQ(ctx->resolve(sandbox(), "..", FollowFinal::Yes).error(), errno_::kNotcapable);
  EXPECT_EQ(ctx->resolve(sandbox(), "sub/../../secret", FollowFinal::Yes).error(), errno_::kNotcapable);
  auto inside = ctx->resolve(sandbox(), "sub/../file.txt", FollowFinal::Yes);
  ASSERT_TRUE(inside);
  EXPECT_TRUE(inside->exists);
  EXPECT_EQ(inside->name, "file.txt");
}

TEST_F(ContextTest, AbsolutePathsAreNotCapable) {
  auto ctx = make();
  EXPECT_EQ(ctx->resolve(sandbox(), "/secret", FollowFinal::Yes).error(), errno_::kNotcapable);
}

TEST_F(ContextTest, SymlinksLeavingTheDescriptorAreNotCapable) {
  ASSERT_TRUE(vfs_.symlink("/secret", vfs_.root(), "/sandbox/abs"));
  ASSERT_TRUE(vfs_.symlink("../secret", vfs_.root(), "/sandbox/up"));
  ASSERT_TRUE(vfs_.symlink("../file.txt", vfs_.root(), "/sandbox/sub/ok"));
  auto ctx = make();
  EXPECT_EQ(ctx->resolve(sandbox(), "abs", FollowFinal::Yes).error(), errno_::kNotcapable);
  EXPECT_EQ(ctx->resolve(sandbox(), "up/x", FollowFinal::No).error(), errno_::kNotcapable);
  auto ok = ctx->resolve(sandbox(), "sub/ok", FollowFinal::Yes);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->name, "file.txt");
  EXPECT_EQ(ok->dir, sandbox());
  // Not following the final symlink names the link itself.
  auto link = ctx->resolve(sandbox(), "abs", FollowFinal::No);
  ASSERT_TRUE(link);
  EXPECT_EQ(link->name, "abs");
}

TEST_F(ContextTest, SymlinkLoopsEndWithLoop) {
  ASSERT_TRUE(vfs_.symlink("b", vfs_.root(), "/sandbox/a"));
  ASSERT_TRUE(vfs_.symlink("a", vfs_.root(), "/sandbox/b"));
  auto ctx = make();
  EXPECT_EQ(ctx->resolve(sandbox(), "a", FollowFinal::Yes).error(), errno_::kLoop);
  EXPECT_EQ(ctx->resolve(sandbox(), "a/x", FollowFinal::No).error(), errno_::kLoop);
}

TEST_F(ContextTest, ResolutionErrorsUseThePosixErrnos) {
  auto ctx = make();
  EXPECT_EQ(ctx->resolve(sandbox(), "", FollowFinal::Yes).error(), errno_::kNoent);
  EXPECT_EQ(ctx->resolve(sandbox(), "missing/x", FollowFinal::Yes).error(), errno_::kNoent);
  EXPECT_EQ(ctx->resolve(sandbox(), "file.txt/x", FollowFinal::Yes).error(), errno_::kNotdir);
  EXPECT_EQ(ctx->resolve(sandbox(), "file.txt/", FollowFinal::Yes).error(), errno_::kNotdir);
  EXPECT_EQ(ctx->resolve(sandbox(), std::string_view("a\0b", 3), FollowFinal::Yes).error(), errno_::kInval);
  auto missing = ctx->resolve(sandbox(), "sub/new", FollowFinal::Yes);
  ASSERT_TRUE(missing);
  EXPECT_FALSE(missing->exists);
  EXPECT_EQ(missing->name, "new");
  auto self = ctx->resolve(sandbox(), ".", FollowFinal::Yes);
  ASSERT_TRUE(self);
  EXPECT_TRUE(self->name.empty());
  EXPECT_EQ(self->dir, sandbox());
}

TEST_F(ContextTest, FdTableStopsAtMaxFdsWithMfile) {
  config_.limits.max_fds = 6;
  auto ctx = make();  // 0, 1, 2 and the preopen 3
  ASSERT_TRUE(ctx->insert(FdEntry{FdKind::Stdout, {}, 0, 0, 0, 0, {}}));
  ASSERT_TRUE(ctx->insert(FdEntry{FdKind::Stdout, {}, 0, 0, 0, 0, {}}));
  auto full = ctx->insert(FdEntry{FdKind::Stdout, {}, 0, 0, 0, 0, {}});
  ASSERT_FALSE(full);
  EXPECT_EQ(full.error(), errno_::kMfile);
  EXPECT_EQ(ctx->close(Fd{4}), errno_::kSuccess);
  auto reused = ctx->insert(FdEntry{FdKind::Stdout, {}, 0, 0, 0, 0, {}});
  ASSERT_TRUE(reused);
  EXPECT_EQ(reused->value, 4u);  // lowest free number
}

TEST_F(ContextTest, CloseAndRenumberCheckBothDescriptors) {
  auto ctx = make();
  EXPECT_EQ(ctx->close(Fd{9}), errno_::kBadf);
  EXPECT_EQ(ctx->renumber(Fd{3}, Fd{9}), errno_::kBadf);
  EXPECT_EQ(ctx->renumber(Fd{3}, Fd{1}), errno_::kSuccess);
  EXPECT_EQ(ctx->find(Fd{3}), nullptr);
  ASSERT_NE(ctx->find(Fd{1}), nullptr);
  EXPECT_EQ(ctx->find(Fd{1})->preopen_name, "/sandbox");
}

TEST_F(ContextTest, RightsAreCheckedPerDescriptor) {
  auto ctx = make();
  EXPECT_EQ(ctx->get(Fd{0}, right::kFdWrite).error(), errno_::kNotcapable);
  EXPECT_TRUE(ctx->get(Fd{1}, right::kFdWrite));
  EXPECT_EQ(ctx->get(Fd{77}, 0).error(), errno_::kBadf);
}

TEST_F(ContextTest, StdoutKeepsItsCapAndSaysTruncated) {
  config_.limits.max_stdout_bytes = 4;
  auto ctx = make();
  const std::string text = "abcdef";
  ctx->write_stream(FdKind::Stdout, std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  EXPECT_EQ(ctx->stdout_data(), "abcd");
  EXPECT_TRUE(ctx->stdout_truncated());
  EXPECT_FALSE(ctx->stderr_truncated());
}

TEST_F(ContextTest, StdinIsReadOnceToItsEnd) {
  config_.stdin_data = "xyz";
  auto ctx = make();
  std::uint8_t buf[2];
  EXPECT_EQ(ctx->read_stdin(buf), 2u);
  EXPECT_EQ(ctx->stdin_remaining(), 1u);
  EXPECT_EQ(ctx->read_stdin(buf), 1u);
  EXPECT_EQ(buf[0], 'z');
  EXPECT_EQ(ctx->read_stdin(buf), 0u);
}

TEST(VirtualClockTest, DeterministicClockStartsFixedAndTicksPerRead) {
  VirtualClock a(ClockMode::Deterministic, 5000), b(ClockMode::Deterministic, 5000);
  EXPECT_EQ(a.realtime_ns(), 5000 + kDeterministicTick);
  EXPECT_EQ(a.realtime_ns(), 5000 + 2 * kDeterministicTick);
  a.advance(1'000'000);
  EXPECT_EQ(a.monotonic_ns(), 3 * kDeterministicTick + 1'000'000);
  EXPECT_EQ(b.monotonic_ns(), kDeterministicTick);
}

TEST(RandomSourceTest, SeededSourceRepeatsAndSeedsDiffer) {
  RandomSource a(ClockMode::Deterministic, 1), b(ClockMode::Deterministic, 1), c(ClockMode::Deterministic, 2);
  std::array<std::uint8_t, 32> x{}, y{}, z{};
  a.fill(x);
  b.fill(y);
  c.fill(z);
  EXPECT_EQ(x, y);
  EXPECT_NE(x, z);
  a.fill(y);
  EXPECT_NE(x, y);  // the stream moves on
}

TEST(ErrnoTest, VfsErrorsMapToWasiErrnos) {
  EXPECT_EQ(to_errno(vfs::Errc::NoEnt), 44);
  EXPECT_EQ(to_errno(vfs::Errc::NoSpc), 51);
  EXPECT_EQ(to_errno(vfs::Errc::DQuot), 19);
  EXPECT_EQ(to_errno(vfs::Errc::Loop), 32);
  EXPECT_EQ(to_errno(vfs::Errc::NotEmpty), 55);
}

}  // namespace
}  // namespace wg::wasi
