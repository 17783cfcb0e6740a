// SHA-256 (FIPS 180-4) over OpenSSL's EVP interface, with incremental update.
//
// Contract: Sha256 is an RAII owner of one EVP digest context. update() may be
// called any number of times; finish() returns the digest and resets the
// object so that it can hash a new message. OpenSSL failures (allocation)
// are treated as bugs and abort through WG_CHECK: SHA-256 has no input that
// can make it fail.
// Thread-safety: one object per thread; distinct objects are independent.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;  // OpenSSL's EVP_MD_CTX, kept out of this header.

namespace wg {

using Sha256Digest = std::array<std::uint8_t, 32>;

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const std::uint8_t> bytes);
  void update(std::string_view text);
  // Little-endian fixed-width integers, for canonical encodings.
  void update_u8(std::uint8_t value);
  void update_u32_le(std::uint32_t value);
  void update_u64_le(std::uint64_t value);

  // Returns the digest of everything updated since construction or the last
  // finish(), and starts a new message.
  Sha256Digest finish();

  // One-shot helpers.
  static Sha256Digest digest(std::span<const std::uint8_t> bytes);
  static Sha256Digest digest(std::string_view text);

 private:
  void reset();
  evp_md_ctx_st* ctx_ = nullptr;
};

// Lower-case hexadecimal, 64 characters.
std::string to_hex(const Sha256Digest& digest);

}  // namespace wg
