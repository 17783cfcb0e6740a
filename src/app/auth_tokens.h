// Bearer tokens for the HTTP transport, read from a token file
// (`wasmgate serve --auth-tokens FILE`).
//
// File format: one "IDENTITY TOKEN" pair per line, separated by spaces or
// tabs; `#` starts a comment line; blank lines are ignored. IDENTITY names
// the client in policy counters (scope: identity), approvals and the audit
// log: 1-64 characters from [A-Za-z0-9_.@-]. TOKEN is what the client sends
// as "Authorization: Bearer TOKEN": at least 16 and at most 4096 printable,
// non-space ASCII characters. Tokens and identities must each be unique.
//
// Contract: parse_token_text() is pure and reports every bad line (up to 50)
// as "<source>:<line>: message" (Invalid); a file without any token is
// Invalid too, since it would silently turn authentication off.
// load_token_file() additionally refuses, like ssh does for private keys, a
// file that group or others may read or write (Denied, naming the mode and
// the chmod that fixes it), a file larger than 1 MiB (LimitExceeded) and an
// unreadable one (Io). The result maps token -> identity, the shape of
// mcp::HttpOptions::tokens.
// Thread-safety: reentrant.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/error.h"

namespace wg::app {

inline constexpr std::size_t kMinTokenLength = 16;

Result<std::map<std::string, std::string>> parse_token_text(std::string_view text, std::string_view source);
Result<std::map<std::string, std::string>> load_token_file(const std::string& path);

}  // namespace wg::app
