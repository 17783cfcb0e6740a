#include "vfs/path.h"

#include <gtest/gtest.h>

#include <string>

namespace wg::vfs {
namespace {

std::string norm(std::string_view p, const Limits& limits = {}) {
  auto r = normalize_path(p, limits);
  return r ? *r : "ERR:" + std::string(errno_name(r.error()));
}

TEST(PathTest, NormalisesDotsAndEmptyComponents) {
  EXPECT_EQ(norm("a//b/./c/"), "/a/b/c");
  EXPECT_EQ(norm("/a/b/../c"), "/a/c");
  EXPECT_EQ(norm("./a"), "/a");
  EXPECT_EQ(norm("."), "/");
  EXPECT_EQ(norm("/"), "/");
}

TEST(PathTest, DotDotAtRootStaysAtRoot) {
  EXPECT_EQ(norm(".."), "/");
  EXPECT_EQ(norm("/../../.."), "/");
  EXPECT_EQ(norm("a/../../../b"), "/b");
  EXPECT_EQ(norm("../etc/passwd"), "/etc/passwd");
}

TEST(PathTest, RejectsNulEmptyAndOverlongPaths) {
  EXPECT_EQ(norm(std::string("a\0b", 3)), "ERR:EINVAL");
  EXPECT_EQ(norm(""), "ERR:ENOENT");
  Limits small;
  small.max_path_length = 8;
  small.max_name_length = 3;
  EXPECT_EQ(norm("/abcdefghi", small), "ERR:ENAMETOOLONG");
  EXPECT_EQ(norm("/abcd", small), "ERR:ENAMETOOLONG");
  EXPECT_EQ(norm("/abc/d", small), "/abc/d");
}

TEST(PathTest, ParseKeepsDotDotAndRecordsTrailingSlash) {
  auto p = parse_path("/a/../b/", Limits{});
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->absolute);
  EXPECT_TRUE(p->trailing_slash);
  ASSERT_EQ(p->components.size(), 3u);
  EXPECT_EQ(p->components[1], "..");
  auto q = parse_path("x/.", Limits{});
  ASSERT_TRUE(q);
  EXPECT_FALSE(q->absolute);
  EXPECT_TRUE(q->trailing_slash);
  EXPECT_EQ(q->components.size(), 1u);
}

TEST(PathTest, ValidatesEntryNames) {
  Limits limits;
  EXPECT_TRUE(validate_name("file.txt", limits));
  EXPECT_EQ(validate_name("", limits).error(), Errc::Inval);
  EXPECT_EQ(validate_name(".", limits).error(), Errc::Inval);
  EXPECT_EQ(validate_name("..", limits).error(), Errc::Inval);
  EXPECT_EQ(validate_name("a/b", limits).error(), Errc::Inval);
  EXPECT_EQ(validate_name(std::string("a\0", 2), limits).error(), Errc::Inval);
  EXPECT_EQ(validate_name(std::string(256, 'x'), limits).error(), Errc::NameTooLong);
}

TEST(PathTest, GlobMatchesWithinComponents) {
  EXPECT_TRUE(glob_match("/src/*.c", "/src/main.c"));
  EXPECT_FALSE(glob_match("/src/*.c", "/src/sub/main.c"));
  EXPECT_FALSE(glob_match("/src/*.c", "/src/main.h"));
  EXPECT_TRUE(glob_match("/a?c", "/abc"));
  EXPECT_FALSE(glob_match("/a?c", "/ac"));
  EXPECT_TRUE(glob_match("/[a-c]x", "/bx"));
  EXPECT_FALSE(glob_match("/[!a-c]x", "/bx"));
  EXPECT_TRUE(glob_match("/\\*", "/*"));
  EXPECT_FALSE(glob_match("/\\*", "/a"));
}

TEST(PathTest, DoubleStarMatchesAnyNumberOfDirectories) {
  EXPECT_TRUE(glob_match("/**/*.c", "/main.c"));
  EXPECT_TRUE(glob_match("/**/*.c", "/a/b/c/main.c"));
  EXPECT_TRUE(glob_match("/src/**", "/src"));
  EXPECT_TRUE(glob_match("/src/**", "/src/x/y"));
  EXPECT_FALSE(glob_match("/src/**/x", "/src/a/y"));
}

TEST(PathTest, GlobWithManyStarsStaysFastOnNonMatches) {
  // A pathological pattern must not backtrack exponentially.
  std::string name(2000, 'a');
  EXPECT_FALSE(glob_match("/*a*a*a*a*a*a*a*a*a*b", "/" + name));
}

}  // namespace
}  // namespace wg::vfs
