// str_cat(): builds a message from strings and numbers (g++ 12 has no
// std::format). Thread-safety: pure.
#pragma once

#include <concepts>
#include <string>
#include <string_view>
#include <type_traits>

namespace wg::mcp {

namespace detail {
template <class T>
requires std::convertible_to<const T&, std::string_view>
void append_piece(std::string& out, const T& s) { out.append(std::string_view(s)); }
inline void append_piece(std::string& out, char c) { out.push_back(c); }
template <class T>
requires(std::is_arithmetic_v<T> && !std::same_as<T, char> &&
         !std::same_as<T, bool>) void append_piece(std::string& out, T n) {
  if constexpr (std::is_floating_point_v<T>) {
    std::string s = std::to_string(n);
    // Trim "2.500000" to "2.5" and "3.000000" to "3".
    if (s.find('.') != std::string::npos) {
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
    }
    out.append(s);
  } else {
    out.append(std::to_string(n));
  }
}
}  // namespace detail

template <class... Args>
std::string str_cat(const Args&... args) {
  std::string out;
  (detail::append_piece(out, args), ...);
  return out;
}

}  // namespace wg::mcp
