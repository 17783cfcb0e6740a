#include "base/byte_reader.h"

#include <string>

#include "base/leb128.h"

namespace wg {
namespace {

template <class T>
Result<T> take(const ByteReader& reader, std::size_t& pos, const leb128::Decoded<T>& decoded) {
  if (decoded.status != leb128::Status::Ok) {
    return std::unexpected(reader.error_here(leb128::message(decoded.status)));
  }
  pos += decoded.length;
  return decoded.value;
}

}  // namespace

Error ByteReader::error_here(std::string_view what) const {
  std::string message(what);
  message.append(" at offset ").append(std::to_string(offset()));
  return Error(ErrorCode::Malformed, std::move(message));
}

Result<std::uint8_t> ByteReader::read_u8() {
  if (pos_ >= data_.size()) return std::unexpected(error_here("unexpected end"));
  return data_[pos_++];
}

Result<std::uint8_t> ByteReader::peek_u8() const {
  if (pos_ >= data_.size()) return std::unexpected(error_here("unexpected end"));
  return data_[pos_];
}

Result<std::uint32_t> ByteReader::read_u32_le() {
  auto bytes = WG_TRY(read_bytes(4));
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i) value |= std::uint32_t{bytes[i]} << (8 * i);
  return value;
}

Result<std::uint64_t> ByteReader::read_u64_le() {
  auto bytes = WG_TRY(read_bytes(8));
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < 8; ++i) value |= std::uint64_t{bytes[i]} << (8 * i);
  return value;
}

Result<std::span<const std::uint8_t>> ByteReader::read_bytes(std::size_t count) {
  if (count > remaining()) return std::unexpected(error_here("unexpected end"));
  auto out = data_.subspan(pos_, count);
  pos_ += count;
  return out;
}

Status ByteReader::skip(std::size_t count) {
  WG_TRY(read_bytes(count));
  return ok();
}

Result<std::uint32_t> ByteReader::read_var_u32() { return take(*this, pos_, leb128::decode_u32(rest())); }
Result<std::uint64_t> ByteReader::read_var_u64() { return take(*this, pos_, leb128::decode_u64(rest())); }
Result<std::int32_t> ByteReader::read_var_s32() { return take(*this, pos_, leb128::decode_s32(rest())); }
Result<std::int64_t> ByteReader::read_var_s33() { return take(*this, pos_, leb128::decode_s33(rest())); }
Result<std::int64_t> ByteReader::read_var_s64() { return take(*this, pos_, leb128::decode_s64(rest())); }

Result<ByteReader> ByteReader::sub_reader(std::size_t count) {
  const std::size_t start = offset();
  auto bytes = WG_TRY(read_bytes(count));
  return ByteReader(bytes, start);
}

}  // namespace wg
