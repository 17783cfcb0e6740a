// A bounds-checked cursor over borrowed bytes.
//
// Every read either succeeds or returns ErrorCode::Malformed with a message
// that names the absolute offset ("unexpected end at offset 12"). Nothing
// reads past the span. The reader borrows its bytes: the caller keeps them
// alive for the reader's lifetime and for every span it hands out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "base/error.h"

namespace wg {

class ByteReader {
 public:
  // `base_offset` is the absolute offset of data[0] in the whole input, so
  // that sub-readers report offsets relative to the outermost buffer.
  explicit ByteReader(std::span<const std::uint8_t> data, std::size_t base_offset = 0)
      : data_(data), base_(base_offset) {}

  std::size_t offset() const { return base_ + pos_; }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }
  std::span<const std::uint8_t> rest() const { return data_.subspan(pos_); }

  Result<std::uint8_t> read_u8();
  Result<std::uint8_t> peek_u8() const;
  Result<std::uint32_t> read_u32_le();
  Result<std::uint64_t> read_u64_le();
  Result<std::span<const std::uint8_t>> read_bytes(std::size_t count);
  Status skip(std::size_t count);

  // LEB128 forms of the WebAssembly binary format (see base/leb128.h).
  Result<std::uint32_t> read_var_u32();
  Result<std::uint64_t> read_var_u64();
  Result<std::int32_t> read_var_s32();
  Result<std::int64_t> read_var_s33();
  Result<std::int64_t> read_var_s64();

  // Splits off the next `count` bytes as their own reader and advances past
  // them.
  Result<ByteReader> sub_reader(std::size_t count);

  // Builds a Malformed error that names the current offset.
  Error error_here(std::string_view what) const;

 private:
  std::span<const std::uint8_t> data_;
  std::size_t base_;
  std::size_t pos_ = 0;
};

}  // namespace wg
