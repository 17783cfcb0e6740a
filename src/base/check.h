// Checks for programming errors. A failed check is a bug in wasmgate, never
// a reaction to input: it prints the location and aborts. Checks stay on in
// every build type.
#pragma once

namespace wg::detail {
[[noreturn]] void check_failed(const char* condition, const char* file, int line);
}  // namespace wg::detail

#define WG_CHECK(cond)                                                  \
  do {                                                                  \
    if (!(cond)) [[unlikely]]                                           \
      ::wg::detail::check_failed(#cond, __FILE__, __LINE__);            \
  } while (false)

#define WG_UNREACHABLE() ::wg::detail::check_failed("unreachable", __FILE__, __LINE__)
