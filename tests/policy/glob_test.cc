#include "policy/glob.h"

#include <gtest/gtest.h>

namespace wg::policy {
namespace {

TEST(GlobTest, StarMatchesAnyRunIncludingNone) {
  EXPECT_TRUE(glob_match("create_*", "create_issue"));
  EXPECT_TRUE(glob_match("create_*", "create_"));
  EXPECT_FALSE(glob_match("create_*", "delete_issue"));
  EXPECT_TRUE(glob_match("*_issue", "create_issue"));
  EXPECT_TRUE(glob_match("a*b*c", "aXXbYYc"));
  EXPECT_FALSE(glob_match("a*b*c", "aXXbYY"));
  EXPECT_TRUE(glob_match("*", ""));
  EXPECT_TRUE(glob_match("**", "anything"));
}

TEST(GlobTest, QuestionMarkMatchesExactlyOneCharacter) {
  EXPECT_TRUE(glob_match("file?", "file1"));
  EXPECT_FALSE(glob_match("file?", "file"));
  EXPECT_FALSE(glob_match("file?", "file12"));
}

TEST(GlobTest, BackslashMakesMetacharactersLiteral) {
  EXPECT_TRUE(glob_match("a\\*b", "a*b"));
  EXPECT_FALSE(glob_match("a\\*b", "axb"));
  EXPECT_FALSE(is_glob("a\\*b"));
  EXPECT_TRUE(is_glob("a*b"));
  EXPECT_TRUE(is_glob("a?"));
  EXPECT_FALSE(is_glob("plain_name"));
}

TEST(GlobTest, ExactPatternsMatchOnlyThemselves) {
  EXPECT_TRUE(glob_match("read_file", "read_file"));
  EXPECT_FALSE(glob_match("read_file", "read_files"));
  EXPECT_FALSE(glob_match("read_file", "Read_file"));
}

TEST(GlobTest, HostilePatternsFinish) {
  std::string text(5000, 'a');
  std::string pattern;
  for (int i = 0; i < 50; ++i) pattern += "a*";
  pattern += "b";
  EXPECT_FALSE(glob_match(pattern, text));
}

}  // namespace
}  // namespace wg::policy
