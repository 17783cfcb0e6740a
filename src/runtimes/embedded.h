// The table of embedded utility modules, written at build time by
// embed.cmake into a generated source. Private to src/runtimes.
#pragma once

#include <cstddef>
#include <string_view>

namespace wg::runtimes::detail {

struct EmbeddedUtility {
  std::string_view name;
  const unsigned char* data;
  std::size_t size;
};

// Sorted by name.
extern const EmbeddedUtility kEmbeddedUtilities[];
extern const std::size_t kEmbeddedUtilityCount;

}  // namespace wg::runtimes::detail
