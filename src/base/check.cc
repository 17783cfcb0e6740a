#include "base/check.h"

#include <cstdio>
#include <cstdlib>

namespace wg::detail {

void check_failed(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "wasmgate: internal check failed: %s at %s:%d\n", condition, file, line);
  std::fflush(stderr);
  std::abort();
}

}  // namespace wg::detail
