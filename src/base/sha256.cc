#include "base/sha256.h"

#include <openssl/evp.h>

#include <utility>

#include "base/check.h"

namespace wg {

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  WG_CHECK(ctx_ != nullptr);
  reset();
}

Sha256::~Sha256() { EVP_MD_CTX_free(ctx_); }

Sha256::Sha256(Sha256&& other) noexcept : ctx_(std::exchange(other.ctx_, nullptr)) {}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = std::exchange(other.ctx_, nullptr);
  }
  return *this;
}

void Sha256::reset() { WG_CHECK(EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) == 1); }

void Sha256::update(std::span<const std::uint8_t> bytes) {
  WG_CHECK(ctx_ != nullptr);  // a moved-from object is not usable
  if (bytes.empty()) return;
  WG_CHECK(EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()) == 1);
}

void Sha256::update(std::string_view text) {
  update(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
}

void Sha256::update_u8(std::uint8_t value) { update(std::span<const std::uint8_t>(&value, 1)); }

void Sha256::update_u32_le(std::uint32_t value) {
  std::uint8_t b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<std::uint8_t>(value >> (8 * i));
  update(std::span<const std::uint8_t>(b, 4));
}

void Sha256::update_u64_le(std::uint64_t value) {
  std::uint8_t b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<std::uint8_t>(value >> (8 * i));
  update(std::span<const std::uint8_t>(b, 8));
}

Sha256Digest Sha256::finish() {
  WG_CHECK(ctx_ != nullptr);
  Sha256Digest out{};
  unsigned int length = 0;
  WG_CHECK(EVP_DigestFinal_ex(ctx_, out.data(), &length) == 1);
  WG_CHECK(length == out.size());
  reset();
  return out;
}

Sha256Digest Sha256::digest(std::span<const std::uint8_t> bytes) {
  Sha256 h;
  h.update(bytes);
  return h.finish();
}

Sha256Digest Sha256::digest(std::string_view text) {
  Sha256 h;
  h.update(text);
  return h.finish();
}

std::string to_hex(const Sha256Digest& digest) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(digest.size() * 2);
  for (std::uint8_t b : digest) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0xf]);
  }
  return out;
}

}  // namespace wg
