#include "base/sha256.h"

#include <gtest/gtest.h>

#include <string>

namespace wg {
namespace {

// Test vectors from FIPS 180-4 examples / NIST CSHS.
TEST(Sha256Test, HashesEmptyMessageToKnownVector) {
  EXPECT_EQ(to_hex(Sha256::digest(std::string_view{})),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256Test, HashesAbcToKnownVector) {
  EXPECT_EQ(to_hex(Sha256::digest("abc")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256Test, HashesTwoBlockMessageToKnownVector) {
  EXPECT_EQ(to_hex(Sha256::digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, IncrementalUpdatesEqualOneShot) {
  std::string message(1000, 'x');
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>('a' + i % 26);
  Sha256 h;
  for (std::size_t i = 0; i < message.size(); i += 7) h.update(std::string_view(message).substr(i, 7));
  EXPECT_EQ(h.finish(), Sha256::digest(message));
}

TEST(Sha256Test, FinishStartsANewMessage) {
  Sha256 h;
  h.update("first");
  (void)h.finish();
  h.update("abc");
  EXPECT_EQ(h.finish(), Sha256::digest("abc"));
}

TEST(Sha256Test, IntegerUpdatesAreLittleEndian) {
  Sha256 a;
  a.update_u32_le(0x04030201u);
  a.update_u64_le(0x0807060504030201ull);
  a.update_u8(0xff);
  const std::uint8_t bytes[] = {1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0xff};
  EXPECT_EQ(a.finish(), Sha256::digest(std::span<const std::uint8_t>(bytes)));
}

TEST(Sha256Test, MovedObjectKeepsItsState) {
  Sha256 a;
  a.update("ab");
  Sha256 b = std::move(a);
  b.update("c");
  EXPECT_EQ(b.finish(), Sha256::digest("abc"));
}

}  // namespace
}  // namespace wg
