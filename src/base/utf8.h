// UTF-8 well-formedness (RFC 3629), shared by the JSON codec and the agent
// file tools (which return text as text and anything else as base64).
// Thread-safety: pure function.
#pragma once

#include <cstddef>
#include <string_view>

namespace wg {

// Returns the offset of the first byte that breaks UTF-8 well-formedness
// (overlong forms, surrogates, code points above U+10FFFF, truncation), or
// npos when `bytes` is well-formed.
std::size_t find_invalid_utf8(std::string_view bytes);

}  // namespace wg
