#include "base/base64.h"

#include <gtest/gtest.h>

namespace wg {
namespace {

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
  EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesWhatItEncodesForEveryByteValue) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const std::string part = all.substr(0, n);
    auto decoded = base64_decode(base64_encode(part));
    ASSERT_TRUE(decoded) << decoded.error().to_string();
    EXPECT_EQ(*decoded, part);
  }
}

TEST(Base64Test, RejectsNonCanonicalOrForeignInputNamingTheOffset) {
  for (const char* text : {"Zg=", "Zg===", "Z===", "Zm9v\n", "Zm-v", "Zh==", "Zm9=Zm9v", "=Zm9"}) {
    auto decoded = base64_decode(text);
    ASSERT_FALSE(decoded) << text;
    EXPECT_EQ(decoded.error().code(), ErrorCode::Malformed);
    EXPECT_NE(decoded.error().message().find("offset"), std::string::npos) << decoded.error().message();
  }
}

}  // namespace
}  // namespace wg
