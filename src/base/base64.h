// Base64 (RFC 4648 section 4, standard alphabet, padded) for binary payloads
// in JSON: file contents, exports, RVF containers.
//
// Contract: encode() never fails. decode() is strict: only the standard
// alphabet, length a multiple of 4, '=' only as final padding, and the
// unused bits of the last group must be zero (so every input has exactly one
// decoding and one encoding). No whitespace. Anything else is Malformed with
// the offending offset.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"

namespace wg {

std::string base64_encode(std::string_view bytes);
Result<std::string> base64_decode(std::string_view text);

}  // namespace wg
