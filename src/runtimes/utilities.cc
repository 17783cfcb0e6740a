#include "runtimes/utilities.h"

#include <algorithm>

#include "runtimes/embedded.h"

namespace wg::runtimes {

namespace {

std::span<const detail::EmbeddedUtility> table() {
  return {detail::kEmbeddedUtilities, detail::kEmbeddedUtilityCount};
}

}  // namespace

std::span<const std::uint8_t> find_utility(std::string_view name) {
  auto t = table();
  auto it = std::lower_bound(t.begin(), t.end(), name,
                             [](const detail::EmbeddedUtility& u, std::string_view n) { return u.name < n; });
  if (it == t.end() || it->name != name) return {};
  return {it->data, it->size};
}

std::vector<std::string_view> utility_names() {
  std::vector<std::string_view> out;
  for (const auto& u : table()) out.push_back(u.name);
  return out;
}

std::string_view default_ruby_wasm_path() {
#ifdef WG_RUBY_WASM
  return WG_RUBY_WASM;
#else
  return {};
#endif
}

}  // namespace wg::runtimes
