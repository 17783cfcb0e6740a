// The bearer token file: format, line-numbered errors, file permissions.
#include "app/auth_tokens.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace wg::app {
namespace {

using ::testing::HasSubstr;

std::string message_of(const Result<std::map<std::string, std::string>>& r) {
  return r.has_value() ? std::string("(loaded)") : r.error().message();
}

TEST(TokenTextTest, MapsTokensToIdentitiesSkippingCommentsAndBlankLines) {
  auto r = parse_token_text(
      "# who may call\n"
      "\n"
      "alice   alice-token-0123456789\n"
      "\tbob\tbob-token-0123456789ab  \r\n"
      "   # indented comment\n",
      "tokens");
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(
      *r, (std::map<std::string, std::string>{{"alice-token-0123456789", "alice"}, {"bob-token-0123456789ab", "bob"}}));
}

TEST(TokenTextTest, ReportsEveryMalformedLineWithItsNumber) {
  auto r = parse_token_text(
      "alice alice-token-0123456789\n"
      "lonely\n"
      "carol short\n"
      "dave too many-fields-here-x\n"
      "b@d! bad-identity-token-0123\n",
      "t.txt");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Invalid);
  const std::string m = r.error().message();
  EXPECT_THAT(m, HasSubstr("t.txt:2: expected \"IDENTITY TOKEN\", found 1 field"));
  EXPECT_THAT(m, HasSubstr("t.txt:3: token for \"carol\" is 5 characters; at least 16"));
  EXPECT_THAT(m, HasSubstr("t.txt:4: expected \"IDENTITY TOKEN\", found 3 fields"));
  EXPECT_THAT(m, HasSubstr("t.txt:5: identity \"b@d!\""));
  EXPECT_EQ(m.find("short"), std::string::npos) << "a token must not be echoed: " << m;
}

TEST(TokenTextTest, RefusesDuplicateTokensAndIdentities) {
  auto r = parse_token_text(
      "alice alice-token-0123456789\n"
      "alice another-token-0123456789\n"
      "bob alice-token-0123456789\n",
      "t");
  ASSERT_FALSE(r.has_value());
  const std::string m = r.error().message();
  EXPECT_THAT(m, HasSubstr("t:2: identity \"alice\" is already defined on line 1"));
  EXPECT_THAT(m, HasSubstr("t:3: duplicate token: the same token is given on line 1"));
}

TEST(TokenTextTest, RefusesAFileWithoutTokens) {
  auto r = parse_token_text("# nothing yet\n\n", "t");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("no tokens"));
}

TEST(TokenTextTest, RefusesControlCharactersInTokens) {
  auto r = parse_token_text(std::string("alice alice-token-\x01-0123456789\n"), "t");
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("t:1: token for \"alice\" must be printable ASCII"));
}

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("wg-tokens-" + std::to_string(::getpid()) + "-" +
                                                     ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string write(const std::string& text, mode_t mode) {
    const std::string path = (dir_ / "tokens").string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  std::filesystem::path dir_;
};

TEST_F(TokenFileTest, LoadsAPrivateFile) {
  auto r = load_token_file(write("alice alice-token-0123456789\n", 0600));
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_EQ(r->at("alice-token-0123456789"), "alice");
}

TEST_F(TokenFileTest, RefusesAFileGroupOrOthersMayRead) {
  for (mode_t mode : {0644, 0640, 0604, 0620}) {
    const std::string path = write("alice alice-token-0123456789\n", mode);
    auto r = load_token_file(path);
    ASSERT_FALSE(r.has_value()) << std::oct << mode;
    EXPECT_EQ(r.error().code(), ErrorCode::Denied);
    EXPECT_THAT(r.error().message(), HasSubstr("too open"));
    EXPECT_THAT(r.error().message(), HasSubstr("chmod 600 " + path));
  }
}

TEST_F(TokenFileTest, ReportsAMissingFile) {
  auto r = load_token_file((dir_ / "absent").string());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::Io);
  EXPECT_THAT(message_of(r), HasSubstr("cannot open token file"));
}

TEST_F(TokenFileTest, NamesTheFileInLineErrors) {
  const std::string path = write("alice short\n", 0600);
  auto r = load_token_file(path);
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr(path + ":1: token for \"alice\""));
}

}  // namespace
}  // namespace wg::app
